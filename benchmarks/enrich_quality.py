"""Enrich quality on the hand-labelled set (issue #16, "Quality, measured"): precision and recall of places,
persons, organisations and quantities, language accuracy, speed and memory.

Run: ``.venv/bin/python benchmarks/enrich_quality.py [--errors] [--labelled-only] [--ids ID ...]``.

Input: ``tests/data/enrich/labels.jsonl`` (one JSON object per article: ``id``, ``url``, ``language`` and the
lists ``places`` {name, country_code, aka}, ``persons`` and ``organisations`` {name, aka}, ``quantities`` {value,
unit, text}; how they were annotated: ``tests/data/enrich/README.md``) and the pages of
``../shared/corpus/extraction/dev`` (``<id>.html.gz``, ``ground_truth.jsonl``). Exits 0 with ``skipped: …`` when
the corpus is not there.

Code path: the stage's own. Each page's bytes go through ``tasks.parse.parse_document`` (HTML → ``parse_html``) and
become the row the enrich task reads (``title``, ``teaser``, ``body``, ``declared_language`` = the parser's
``language``, ``authors``, ``agencies``); rows go through ``tasks.enrich.enrich_batch`` in batches of
``--batch-size`` (default 500, the stage default) with the default ``EnrichConfig()`` (every enricher).

Scoring, per article, then summed over articles (micro-averaged) per type and per language:

* Labels and predictions are sets (predictions of one normalised name and code count once). A prediction is
  right when it matches a label not matched yet; a second prediction matching an already matched label (``EU``
  beside ``Europäische Union``) is a false positive of kind ``duplicate``. P = right / predicted, R = matched
  labels / labels, F1 their harmonic mean; overall F1 is the micro F1 over all four types pooled.
* Names (places, persons, organisations) match when their normalised forms are equal to the label's ``name`` or one
  of its ``aka``: Unicode NFKC, case folded, curly apostrophes as ``'``, whitespace collapsed, a leading ``the``
  and a trailing possessive ``'s`` / ``'`` and trailing ``.`` removed. No fuzzy matching: ``Putin`` for a label
  ``Wladimir Putin`` is wrong (the rule is the fullest form in the text).
* Places also need the same ``country_code`` (null = null; compared upper-case).
* Quantities: only predictions whose ``text`` contains a digit are scored (the labels hold only numbers written
  with digits); predictions are first reduced to distinct (value, unit). The value must equal the label's within a
  relative 1e-6. Units are compared after normalisation: case folded; ``%``, ``Prozent``, ``percent``, ``per
  cent``, ``pct`` → ``%``; ``€``, ``Euro``, ``EUR`` → ``EUR``; ``$``, ``dollar(s)``, ``US-Dollar``, ``USD`` →
  ``USD``; ``£``, ``pound(s) sterling``, ``GBP`` → ``GBP`` (``pounds`` alone is a weight and stays ``pounds``);
  ``Franken``, ``CHF`` → ``CHF``; then equal, or one a prefix of the other by at most two letters when the shorter
  has at least three (inflection: ``Kinder``/``Kindern``, ``point``/``points``). A null unit only matches null.
* Error kinds (``--errors`` and the summary): a false positive is ``duplicate``, ``wrong_code`` (place name right,
  code wrong), ``wrong_unit`` (quantity value right, unit wrong), ``partial`` (name shares a word with a label of
  the type but is not it: a surname alone, a name with a role word), ``other_type`` (the name is labelled as
  another type in the article) or ``spurious``; a false negative is ``wrong_code``, ``wrong_unit``, ``partial``,
  ``other_type`` (found, but as another type) or ``missed``.

Also printed: language accuracy of the ``language`` enricher on every dev page with a ground-truth language (the
``language`` field of ``ground_truth.jsonl``: langdetect on the reference body, see the corpus README; compared by
its primary subtag, ``zh-cn`` as ``zh``; pages the parse stage rejects are counted apart), articles per CPU-second
of ``enrich_batch`` (process CPU time, so other load does not count; state already loaded) on the labelled set and
on all parsed dev pages, and for a fresh process that imports ``tasks.enrich`` and enriches one article: the CPU
seconds of that first call (loading the gazetteer, name lists and language model) and its resident memory
(VmRSS/VmHWM from ``/proc/self/status``) before and after. ``--errors`` also lists the wrongly detected pages.
Targets are issue #16's.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import re
import subprocess
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CORPUS = REPO.parent / "shared" / "corpus" / "extraction" / "dev"
LABELS = REPO / "tests" / "data" / "enrich" / "labels.jsonl"
TYPES = ("places", "persons", "organisations", "quantities")
LANGUAGES = ("de", "en")
#: issue #16's targets: (precision, recall) per type; language accuracy; articles per CPU-second.
TARGETS = {"places": (0.90, 0.85), "persons": (0.85, 0.80), "organisations": (0.75, 0.60), "quantities": (0.95, 0.92)}
LANGUAGE_TARGET = 0.98
SPEED_TARGET = 40.0

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_UNIT_ALIASES = {
    **dict.fromkeys(("%", "prozent", "percent", "per cent", "pct", "pct.", "prozentpunkte"), "%"),
    **dict.fromkeys(("€", "euro", "eur"), "EUR"),
    **dict.fromkeys(("$", "dollar", "dollars", "us-dollar", "usd", "us$"), "USD"),
    **dict.fromkeys(("£", "pound sterling", "pounds sterling", "gbp"), "GBP"),
    **dict.fromkeys(("franken", "chf"), "CHF"),
}


# ----------------------------------------------------------------------------- labels
def load_labels(path: Path = LABELS) -> list[dict[str, Any]]:
    """The labelled articles of ``path`` (JSONL), in file order. Raises ``ValueError`` naming the line of a line
    that is not a JSON object."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        rec = json.loads(line)
        if not isinstance(rec, dict):
            raise ValueError(f"{path.name}:{n}: not a JSON object")
        out.append(rec)
    return out


def _problems_of_item(kind: str, item: Any) -> list[str]:
    if not isinstance(item, dict):
        return [f"{kind}: {item!r} is not an object"]
    probs = []
    if kind == "quantities":
        v = item.get("value")
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            probs.append(f"quantities: value {v!r} is not a finite number")
        if item.get("unit") is not None and not (isinstance(item["unit"], str) and item["unit"].strip()):
            probs.append(f"quantities: unit {item.get('unit')!r} is neither null nor a word")
        if not (isinstance(item.get("text"), str) and re.search(r"\d", item["text"])):
            probs.append(f"quantities: text {item.get('text')!r} holds no digit")
        return probs
    if not (isinstance(item.get("name"), str) and item["name"].strip()):
        probs.append(f"{kind}: name {item.get('name')!r} is empty")
    aka = item.get("aka", [])
    if not isinstance(aka, list) or not all(isinstance(a, str) and a.strip() for a in aka):
        probs.append(f"{kind}: aka {aka!r} is not a list of names")
    if kind == "places":
        code = item.get("country_code")
        if code is not None and not (isinstance(code, str) and re.fullmatch(r"[A-Z]{2}", code)):
            probs.append(f"places: country_code {code!r} is not null or two capital letters")
    return probs


def check_labels(labels: Sequence[Mapping[str, Any]], corpus_ids: set[str] | None = None) -> list[str]:
    """Problems of a label set, as readable lines (empty when it is well-formed): every record has a unique
    ``id`` (in ``corpus_ids`` when given), a ``url``, a ``language`` of ``de``/``en``, the four lists with items of
    the right shape (see the module docstring), and no two items of one list that the scorer would take for the
    same label (same normalised name or aka; same value and unit)."""
    probs: list[str] = []
    seen: set[str] = set()
    for rec in labels:
        rid = rec.get("id")
        where = f"{rid}: "
        if not isinstance(rid, str) or not rid:
            probs.append(f"record without id: {str(rec)[:80]}")
            continue
        if rid in seen:
            probs.append(where + "duplicate id")
        seen.add(rid)
        if corpus_ids is not None and rid not in corpus_ids:
            probs.append(where + "not in the corpus")
        if not (isinstance(rec.get("url"), str) and rec["url"].startswith("http")):
            probs.append(where + "url missing")
        if rec.get("language") not in LANGUAGES:
            probs.append(where + f"language {rec.get('language')!r} is not de or en")
        extra = set(rec) - {"id", "url", "language", *TYPES}
        if extra:
            probs.append(where + f"unknown keys {sorted(extra)}")
        for kind in TYPES:
            items = rec.get(kind)
            if not isinstance(items, list):
                probs.append(where + f"{kind} is not a list")
                continue
            keys: list[str] = []
            for item in items:
                item_probs = _problems_of_item(kind, item)
                probs.extend(where + p for p in item_probs)
                if not item_probs:
                    keys.extend(_label_keys(kind, item))
            dups = sorted(k for k, c in Counter(keys).items() if c > 1)
            if dups:
                probs.append(where + f"{kind}: the same label twice: {dups}")
    return probs


def _label_keys(kind: str, item: Mapping[str, Any]) -> list[str]:
    if kind == "quantities":
        return [f"{float(item['value'])!r} {norm_unit(item.get('unit'))}"]
    return sorted({norm_name(n) for n in (item["name"], *item.get("aka", []))})


# ----------------------------------------------------------------------------- matching
def norm_name(name: str) -> str:
    """The form names are compared in (see the module docstring): ``"The Hill's"`` → ``"hill"``."""
    s = _SPACE.sub(" ", unicodedata.normalize("NFKC", name).translate(_APOSTROPHES)).strip().casefold()
    s = re.sub(r"^the ", "", s)
    s = re.sub(r"'s?$", "", s)
    return s.rstrip(".").strip()


def norm_unit(unit: str | None) -> str | None:
    """The form units are compared in: None for null or blank, a currency code, ``%``, or the case-folded word."""
    if unit is None or not unit.strip():
        return None
    u = _SPACE.sub(" ", unicodedata.normalize("NFKC", unit)).strip().casefold()
    return _UNIT_ALIASES.get(u, u)


def units_match(gold: str | None, pred: str | None) -> bool:
    """Whether a predicted unit is the labelled one (normalised; inflection endings of up to two letters)."""
    g, p = norm_unit(gold), norm_unit(pred)
    if g is None or p is None:
        return g is p
    if g == p:
        return True
    short, long_ = sorted((g, p), key=len)
    rest = long_[len(short) :]
    return len(short) >= 3 and long_.startswith(short) and len(rest) <= 2 and rest.isalpha()


def values_match(gold: float, pred: float) -> bool:
    """Equal within a relative 1e-6 (the label's value written as a float)."""
    return abs(float(gold) - float(pred)) <= 1e-6 * max(1.0, abs(float(gold)))


def _names_of(item: Mapping[str, Any]) -> set[str]:
    return {norm_name(n) for n in (item.get("name") or "", *item.get("aka", []))} - {""}


def _words(names: Iterable[str]) -> set[str]:
    return {w for n in names for w in _WORD.findall(n) if len(w) > 1}


def _full_match(kind: str, gold: Mapping[str, Any], pred: Mapping[str, Any]) -> bool:
    if kind == "quantities":
        return values_match(gold["value"], pred["value"]) and units_match(gold.get("unit"), pred.get("unit"))
    if norm_name(pred.get("name") or "") not in _names_of(gold):
        return False
    return kind != "places" or (gold.get("country_code") or None) == ((pred.get("country_code") or "").upper() or None)


def _near_kind(kind: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> str | None:
    """Why ``a`` and ``b`` (a label and a prediction, either way round) are close but no match, or None."""
    if kind == "quantities":
        return "wrong_unit" if values_match(a["value"], b["value"]) else None
    na, nb = _names_of(a), _names_of(b)
    if na & nb:
        return "wrong_code" if kind == "places" else None
    return "partial" if _words(na) & _words(nb) else None


def score_article(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per type: ``tp``, ``fp``, ``fn`` counts and the ``errors`` (``(side, kind, shown)`` with side ``FP`` or
    ``FN``) of one article. ``gold`` is a label record, ``pred`` an enriched row (its ``places``, ``persons``,
    ``organisations``, ``quantities``)."""
    out: dict[str, dict[str, Any]] = {}
    names_by_type = {k: set().union(*(_names_of(i) for i in gold.get(k) or [])) for k in TYPES[:3]}
    pred_names_by_type = {k: {norm_name(p.get("name") or "") for p in pred.get(k) or []} for k in TYPES[:3]}
    for kind in TYPES:
        labels = list(gold.get(kind) or [])
        preds = _predictions(kind, pred.get(kind) or [])
        matched = [False] * len(labels)
        tp, errors = 0, []
        for p in preds:
            hit = next((i for i, g in enumerate(labels) if not matched[i] and _full_match(kind, g, p)), None)
            if hit is not None:
                matched[hit] = True
                tp += 1
                continue
            if any(_full_match(kind, g, p) for g in labels):
                errors.append(("FP", "duplicate", _show(kind, p)))
                continue
            near = next((k for g in labels if (k := _near_kind(kind, g, p))), None)
            other = kind != "quantities" and any(
                norm_name(p.get("name") or "") in names_by_type[t] for t in TYPES[:3] if t != kind
            )
            errors.append(("FP", near or ("other_type" if other else "spurious"), _show(kind, p)))
        for g, m in zip(labels, matched, strict=True):
            if m:
                continue
            near = next((k for p in preds if (k := _near_kind(kind, g, p))), None)
            other = kind != "quantities" and any(_names_of(g) & pred_names_by_type[t] for t in TYPES[:3] if t != kind)
            errors.append(("FN", near or ("other_type" if other else "missed"), _show(kind, g)))
        out[kind] = {"tp": tp, "fp": len(preds) - tp, "fn": matched.count(False), "errors": errors}
    return out


def _predictions(kind: str, items: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    if kind != "quantities":
        seen: set[str] = set()
        out = []
        for p in items:
            key = norm_name(p.get("name") or "") + "\x00" + str(p.get("country_code"))
            if key not in seen:
                seen.add(key)
                out.append(p)
        return out
    distinct: dict[tuple[float, str | None], Mapping[str, Any]] = {}
    for q in items:
        if q.get("value") is not None and re.search(r"\d", q.get("text") or ""):
            distinct.setdefault((round(float(q["value"]), 9), norm_unit(q.get("unit"))), q)
    return list(distinct.values())


def _show(kind: str, item: Mapping[str, Any]) -> str:
    if kind == "quantities":
        return f"{item['value']:g} {item.get('unit')!s} «{item.get('text')}»"
    if kind == "places":
        return f"{item.get('name')} ({item.get('country_code')})"
    return str(item.get("name"))


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts (0.0 where a denominator is 0)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(labels: Sequence[Mapping[str, Any]], rows: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Scores of ``labels`` against enriched ``rows`` (by article id): ``counts[(language or "all", type)] =
    [tp, fp, fn]``, ``kinds[(type, side, kind)]`` error counts and ``per_article[id]`` (see
    :func:`score_article`). A labelled article without a row counts every label as missed."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    kinds: Counter[tuple[str, str, str]] = Counter()
    per_article = {}
    for gold in labels:
        res = score_article(gold, rows.get(gold["id"]) or {})
        per_article[gold["id"]] = res
        for kind, r in res.items():
            for key in ((gold["language"], kind), ("all", kind)):
                c = counts[key]
                c[0], c[1], c[2] = c[0] + r["tp"], c[1] + r["fp"], c[2] + r["fn"]
            kinds.update((kind, side, k) for side, k, _ in r["errors"])
    return {"counts": dict(counts), "kinds": kinds, "per_article": per_article}


# ----------------------------------------------------------------------------- running the stage
def corpus_records() -> dict[str, dict[str, Any]]:
    """``ground_truth.jsonl`` of the dev corpus by id (empty when the corpus is absent)."""
    path = CORPUS / "ground_truth.jsonl"
    if not path.is_file():
        return {}
    return {r["id"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def parsed_row(page_id: str, url: str | None) -> dict[str, Any] | None:
    """The row the enrich task reads for one corpus page, parsed as the parse stage does; None when the parse
    stage rejects the page (``ParseError``)."""
    from tasks.parse import ParseError, parse_document

    raw = gzip.decompress((CORPUS / f"{page_id}.html.gz").read_bytes())
    try:
        out = parse_document(raw, "text/html", url, None, relative_dates=False)
    except ParseError:
        return None
    return {
        "doc_id": page_id,
        "content_sha256": page_id,
        "source": "corpus",
        "title": out.get("title"),
        "teaser": out.get("teaser"),
        "body": out.get("body"),
        "declared_language": out.get("language"),
        "authors": out.get("authors") or [],
        "agencies": out.get("agencies") or [],
    }


def enrich_rows(rows: Sequence[Mapping[str, Any]], batch_size: int = 500) -> tuple[dict[str, dict[str, Any]], float]:
    """Enriched rows by ``doc_id`` for ``rows`` (default configuration, batches of ``batch_size``) and the
    process CPU seconds ``enrich_batch`` took."""
    from tasks.config import EnrichConfig
    from tasks.enrich import enrich_batch

    cfg = EnrichConfig()
    out: dict[str, dict[str, Any]] = {}
    cpu = 0.0
    for i in range(0, len(rows), batch_size):
        t0 = time.process_time()
        enriched = enrich_batch(rows[i : i + batch_size], cfg)
        cpu += time.process_time() - t0
        out.update((r["doc_id"], r) for r in enriched)
    return out, cpu


_PROBE = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
def mem():
    d = dict(l.split(':', 1) for l in open('/proc/self/status') if ':' in l)
    return int(d['VmRSS'].split()[0]) / 1024, int(d['VmHWM'].split()[0]) / 1024
from tasks.config import EnrichConfig
from tasks.enrich import enrich_batch
before = mem()
t0 = time.process_time()
enrich_batch([{'doc_id': 'x', 'content_sha256': 'x', 'title': 'Probe', 'teaser': None,
  'body': 'Angela Merkel sprach in Berlin mit 12 Vertretern der Deutschen Bank über 3,5 Prozent mehr Lohn.',
  'declared_language': 'de', 'authors': [], 'agencies': []}], EnrichConfig())
print(json.dumps({'load_cpu_s': time.process_time() - t0, 'rss_before_mb': before[0], 'rss_after_mb': mem()[0],
  'hwm_mb': mem()[1]}))
"""


def state_probe() -> dict[str, float]:
    """Load cost of a fresh worker process: CPU seconds of its first ``enrich_batch`` call (one short article;
    all lazily loaded state) and resident memory before (after importing ``tasks.enrich``) and after."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(REPO)], capture_output=True, text=True, check=True, timeout=600
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- report
def _print_scores(result: Mapping[str, Any]) -> None:
    counts = result["counts"]
    print(f"{'type':<14}" + "".join(f"{lang + ' P/R/F1':>21}" for lang in (*LANGUAGES, "all")) + "   target P/R   n")
    total = [0, 0, 0]
    for kind in TYPES:
        cells = []
        for lang in (*LANGUAGES, "all"):
            tp, fp, fn = counts.get((lang, kind), [0, 0, 0])
            cells.append("{:>7.3f}{:>7.3f}{:>7.3f}".format(*prf(tp, fp, fn)))
        tp, fp, fn = counts.get(("all", kind), [0, 0, 0])
        total = [total[0] + tp, total[1] + fp, total[2] + fn]
        tp_, tr_ = TARGETS[kind]
        p, r, _ = prf(tp, fp, fn)
        ok = "met" if p >= tp_ and r >= tr_ else "MISSED"
        print(f"{kind:<14}" + "".join(cells) + f"   {tp_:.2f}/{tr_:.2f} {ok:<6} {tp + fn} labels, {tp + fp} found")
    print(f"overall micro F1 (all types pooled): {prf(*total)[2]:.3f}")


def _print_kinds(kinds: Counter[tuple[str, str, str]]) -> None:
    print("error kinds (count):")
    for (kind, side, k), n in sorted(kinds.items(), key=lambda x: (-x[1], x[0])):
        print(f"  {n:4d}  {kind:<14} {side} {k}")


def _print_errors(labels: Sequence[Mapping[str, Any]], result: Mapping[str, Any]) -> None:
    for gold in labels:
        res = result["per_article"][gold["id"]]
        lines = [f"    {kind:<13} {side} {k:<10} {shown}" for kind in TYPES for side, k, shown in res[kind]["errors"]]
        if lines:
            print(f"{gold['id']} ({gold['language']})")
            print("\n".join(lines))


def _language_report(records: Mapping[str, Mapping[str, Any]], batch_size: int, show_errors: bool) -> None:
    rows, rejected = [], 0
    for rid, rec in records.items():
        row = parsed_row(rid, rec.get("url"))
        if row is None:
            rejected += 1
        else:
            rows.append(row)
    enriched, cpu = enrich_rows(rows, batch_size)
    # the ground truth holds langdetect's codes ("zh-cn"): compared by their primary subtag, as ISO 639-1
    truth = {rid: str(rec["language"]).split("-")[0].lower() for rid, rec in records.items() if rec.get("language")}
    scored = [(truth[rid], r.get("language")) for rid, r in enriched.items() if rid in truth]
    if show_errors:
        wrong = sorted(
            f"{rid} {truth[rid]}->{r.get('language')}"
            for rid, r in enriched.items()
            if rid in truth and truth[rid] != r.get("language")
        )
        print("language errors:\n  " + "\n  ".join(wrong))
    right = sum(g == p for g, p in scored)
    print(
        f"language: {right}/{len(scored)} = {right / max(len(scored), 1):.3f} of the parsed dev pages with a "
        f"ground-truth language (target {LANGUAGE_TARGET}); {rejected} page(s) rejected by parse, not scored "
        f"({right / max(len(scored) + rejected, 1):.3f} counting them as wrong)"
    )
    confusions = Counter(f"{g}->{p}" for g, p in scored if g != p)
    print("  wrong: " + ", ".join(f"{k} {n}" for k, n in confusions.most_common(12)))
    print(f"speed, all {len(rows)} parsed dev pages: {len(rows) / max(cpu, 1e-9):.1f} articles per CPU-second")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--errors", action="store_true", help="print false positives/negatives per article")
    ap.add_argument("--labelled-only", action="store_true", help="skip language accuracy over all dev pages")
    ap.add_argument("--ids", nargs="*", help="score only these labelled article ids")
    ap.add_argument("--batch-size", type=int, default=500)
    args = ap.parse_args(argv)
    records = corpus_records()
    if not records:
        print(f"skipped: {CORPUS / 'ground_truth.jsonl'} not found")
        return 0
    labels = load_labels()
    problems = check_labels(labels, set(records))
    if problems:
        print("label file problems:\n  " + "\n  ".join(problems))
        return 1
    if args.ids:
        labels = [g for g in labels if g["id"] in set(args.ids)]
    probe = state_probe()
    rows = [r for g in labels if (r := parsed_row(g["id"], records[g["id"]].get("url"))) is not None]
    enrich_rows(rows[:1])  # loads the gazetteer, lists and language model: measured apart (state_probe)
    enriched, cpu = enrich_rows(rows, args.batch_size)
    result = score(labels, enriched)
    n_de = sum(g["language"] == "de" for g in labels)
    print(f"{len(labels)} labelled articles ({n_de} de, {len(labels) - n_de} en), {len(rows)} parsed")
    _print_scores(result)
    _print_kinds(result["kinds"])
    if args.errors:
        _print_errors(labels, result)
    print(
        f"speed, labelled set: {len(rows) / max(cpu, 1e-9):.1f} articles per CPU-second of enrich_batch "
        f"(target {SPEED_TARGET:g}); fresh worker: state load {probe['load_cpu_s']:.2f} CPU-s, RSS "
        f"{probe['rss_before_mb']:.0f} MB after import -> {probe['rss_after_mb']:.0f} MB loaded "
        f"(peak {probe['hwm_mb']:.0f} MB)"
    )
    if not args.labelled_only:
        _language_report(records, args.batch_size, args.errors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
