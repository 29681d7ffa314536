"""Labelled near-duplicate material for the dedup benchmarks, built from real article bodies.

Used by ``dedup_quality.py`` and ``dedup_scale.py``. Bodies come from the extraction corpus
(``../shared/corpus/extraction/dev/ground_truth.jsonl``, field ``body``: paragraphs separated by a blank line).
Variants imitate what happens to a story between outlets (issue 5):

``trim_lead`` / ``trim_tail``
    the first or the last paragraph(s) dropped (agency copy cut to fit);
``boilerplate_add`` / ``boilerplate_remove``
    a newsletter/copyright/agency line or a related-links block added, or short paragraphs (< 25 words) that look
    like boilerplate removed;
``rewrite_lead``
    headline and first paragraph replaced by another outlet's own (a paragraph of another article of the same
    language, which shares no story text);
``reorder``
    two paragraphs swapped, or the paragraphs after the lead shuffled;
``word_edits``
    1–3 % of the words substituted, deleted or inserted (typo fixes, house style, updated figures).

Hard negatives: a *follow-up* (about a third of the article's paragraphs, the rest from another article of the
same language) and different articles from the same site (shared boilerplate and style).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
GROUND_TRUTH = REPO.parent / "shared" / "corpus" / "extraction" / "dev" / "ground_truth.jsonl"

BOILERPLATE = [
    "Mit Material von dpa und AFP.",
    "Copyright 2024 The Associated Press. All rights reserved. This material may not be published, broadcast, "
    "rewritten or redistributed without permission.",
    "Sign up for our morning newsletter and get the most important stories of the day delivered to your inbox.",
    "Abonnieren Sie unseren Newsletter: Die wichtigsten Nachrichten des Tages jeden Morgen direkt in Ihr Postfach.",
    "Read more: The latest news on politics, business and culture, updated around the clock by our newsroom.",
    "Dieser Artikel wurde zuletzt aktualisiert. Haben Sie einen Fehler gefunden? Schreiben Sie uns eine E-Mail.",
    "This article was produced with reporting from Reuters and was edited by our international desk.",
    "Follow us on social media for breaking news alerts, live coverage and exclusive video from our reporters.",
]

Transform = Callable[[list[str], random.Random, list[str]], list[str]]


def load_bodies(min_words: int = 80) -> list[dict[str, Any]]:
    """Records with a body of at least ``min_words`` words (``[]`` when the corpus is not there)."""
    if not GROUND_TRUTH.is_file():
        return []
    out = []
    for line in GROUND_TRUTH.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        body = rec.get("body")
        if body and len(body.split()) >= min_words:
            paras = [p.strip() for p in body.split("\n\n") if p.strip()]
            out.append({**rec, "paras": paras})
    return out


def _trim_lead(paras: list[str], rng: random.Random, pool: list[str]) -> list[str]:
    k = 1 if len(paras) < 8 else rng.randint(1, 2)
    return paras[k:] if len(paras) > k + 2 else paras


def _trim_tail(paras: list[str], rng: random.Random, pool: list[str]) -> list[str]:
    k = 1 if len(paras) < 8 else rng.randint(1, 2)
    if len(paras) > k + 2:
        return paras[:-k]
    words = paras[-1].split()
    return [*paras[:-1], " ".join(words[: max(1, len(words) * 2 // 3)])]


def _boilerplate_add(paras: list[str], rng: random.Random, pool: list[str]) -> list[str]:
    extra = rng.sample(BOILERPLATE, rng.randint(1, 2))
    return [*paras, *extra] if rng.random() < 0.7 else [*extra[:1], *paras, *extra[1:]]


def _boilerplate_remove(paras: list[str], rng: random.Random, pool: list[str]) -> list[str]:
    kept = [p for p in paras if len(p.split()) >= 25]
    if len(kept) == len(paras) or len(kept) < 2:
        return _trim_tail(paras, rng, pool)
    return kept


def _rewrite_lead(paras: list[str], rng: random.Random, pool: list[str]) -> list[str]:
    lead = rng.choice(pool)
    return [lead, *paras[1:]] if len(paras) > 2 else [lead, *paras]


def _reorder(paras: list[str], rng: random.Random, pool: list[str]) -> list[str]:
    out = list(paras)
    if len(out) < 3:
        return out
    if rng.random() < 0.5:
        i, j = rng.sample(range(1, len(out)), 2)
        out[i], out[j] = out[j], out[i]
    else:
        rest = out[1:]
        rng.shuffle(rest)
        out = [out[0], *rest]
    return out


def word_edits(paras: list[str], rng: random.Random, share: float) -> list[str]:
    """Substitute, delete or insert ``share`` of the words (at least one)."""
    words_per = [p.split() for p in paras]
    flat = [(i, j) for i, ws in enumerate(words_per) for j in range(len(ws))]
    n = max(1, round(len(flat) * share))
    vocab = [w for ws in words_per for w in ws]
    for i, j in sorted(rng.sample(flat, min(n, len(flat))), reverse=True):
        op = rng.random()
        if op < 0.6:
            words_per[i][j] = rng.choice(vocab) + ("s" if rng.random() < 0.5 else "")
        elif op < 0.8:
            del words_per[i][j]
        else:
            words_per[i].insert(j, rng.choice(vocab))
    return [" ".join(ws) for ws in words_per if ws]


def _word_edits(paras: list[str], rng: random.Random, pool: list[str]) -> list[str]:
    return word_edits(paras, rng, rng.uniform(0.01, 0.03))


TRANSFORMS: dict[str, Transform] = {
    "trim_lead": _trim_lead,
    "trim_tail": _trim_tail,
    "boilerplate_add": _boilerplate_add,
    "boilerplate_remove": _boilerplate_remove,
    "rewrite_lead": _rewrite_lead,
    "reorder": _reorder,
    "word_edits": _word_edits,
}


def variant(paras: list[str], rng: random.Random, pool: list[str], kinds: int | None = None) -> tuple[str, list[str]]:
    """A variant with one or two transforms (``kinds`` forces the number); returns ``(label, paragraphs)``."""
    names = rng.sample(sorted(TRANSFORMS), kinds or (1 if rng.random() < 0.6 else 2))
    out = paras
    for name in names:
        out = TRANSFORMS[name](out, rng, pool)
    return "+".join(sorted(names)), out


def follow_up(paras: list[str], other: list[str], rng: random.Random) -> list[str]:
    """Hard negative: about a third of ``paras`` (at least one) mixed into ``other``."""
    keep = rng.sample(paras, max(1, len(paras) // 3))
    out = list(other)
    for p in keep:
        out.insert(rng.randint(0, len(out)), p)
    return out
