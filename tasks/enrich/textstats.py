"""The ``words`` enricher: word count and reading time of the body."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tasks.config import EnrichConfig
from tasks.enrich.base import Enricher


def word_count(body: str | None) -> int:
    """Whitespace-separated tokens of ``body`` (0 for ``None``)."""
    return len(body.split()) if body else 0


def reading_time_s(words: int, wpm: int) -> int:
    """Seconds needed to read ``words`` words at ``wpm`` words per minute, rounded up (0 for no words).

    Raises ``ValueError`` for a non-positive ``wpm`` when there are words to read."""
    if words <= 0:
        return 0
    if wpm <= 0:
        raise ValueError("words per minute must be positive")
    return -(-words * 60 // wpm)


def run(docs: Sequence[Mapping[str, Any]], cfg: EnrichConfig) -> list[dict[str, Any]]:
    """``word_count`` and ``reading_time_s`` (at ``cfg.words_per_minute``) of each document's body."""
    out: list[dict[str, Any]] = []
    for doc in docs:
        words = word_count(doc.get("body"))
        out.append({"word_count": words, "reading_time_s": reading_time_s(words, cfg.words_per_minute)})
    return out


ENRICHER = Enricher(
    name="words",
    version="1",
    columns=("word_count", "reading_time_s"),
    run=run,
    method="whitespace tokens of the body; reading time at [enrich] words_per_minute, rounded up",
)
