"""Every output field of the parse stage on every corpus page, for proving that a refactor changes nothing.

Usage::

    python benchmarks/parse_snapshot.py [--corpus DIR] [--out FILE] [--workers W] [--limit N]
    python benchmarks/parse_snapshot.py --compare BEFORE.jsonl AFTER.jsonl

The first form writes one JSON line per page of the corpus (default ``../shared/corpus/extraction/dev`` or
``$NEWSFLOW_CORPUS``; absent corpus: a message, exit 0) holding the whole article dict of three calls on the
same bytes:

* ``html``: ``tasks.parse.parse_html(bytes, url)`` (as ``benchmarks/extraction_quality.py`` calls it);
* ``fetched``: ``parse_html(bytes, url, fetched_at=2026-06-01T12:00Z)`` (relative dates read against a fixed
  fetch time, so the output does not depend on the clock);
* ``document``: ``parse_document(bytes, "text/html", url, fetched_at=...)`` (the stage's entry point; a
  :class:`ParseError` is recorded as its reason and detail).

Datetimes are written as ISO 8601 strings, everything else as JSON. Pages whose output differs in any field
are listed by ``--compare`` with the differing keys; exit code 1 when any differs. It also prints pages per
CPU-second of the ``html`` call (``time.process_time``, summed over workers).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from datetime import UTC, datetime
from multiprocessing import Pool
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_CORPUS = Path(os.environ.get("NEWSFLOW_CORPUS", REPO.parent / "shared" / "corpus" / "extraction" / "dev"))
DEFAULT_OUT = REPO / "benchmarks" / "out" / "parse_snapshot.jsonl"
FETCHED_AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

_CORPUS = DEFAULT_CORPUS


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def snapshot_page(gt: dict[str, Any]) -> dict[str, Any]:
    from tasks.parse import ParseError, parse_document, parse_html

    data = gzip.decompress((_CORPUS / f"{gt['id']}.html.gz").read_bytes())
    url = gt.get("url")
    t0 = time.process_time()
    html = parse_html(data, url)
    cpu = time.process_time() - t0
    fetched = parse_html(data, url, fetched_at=FETCHED_AT)
    try:
        document: Any = parse_document(data, "text/html", url, FETCHED_AT)
    except ParseError as exc:
        document = {"error": [exc.reason, exc.detail]}
    return {
        "id": gt["id"],
        "cpu_s": cpu,
        "html": _jsonable(html),
        "fetched": _jsonable(fetched),
        "document": _jsonable(document),
    }


def _init(corpus: Path) -> None:
    global _CORPUS
    _CORPUS = corpus


def compare(before: Path, after: Path) -> int:
    def load(p: Path) -> dict[str, dict[str, Any]]:
        with p.open(encoding="utf-8") as fh:
            return {r["id"]: r for r in map(json.loads, fh)}

    a, b = load(before), load(after)
    differing = 0
    for page in sorted(set(a) | set(b)):
        if page not in a or page not in b:
            print(f"{page}: only in {'after' if page in b else 'before'}")
            differing += 1
            continue
        keys = []
        for call in ("html", "fetched", "document"):
            x, y = a[page][call], b[page][call]
            keys += [f"{call}.{k}" for k in sorted(set(x) | set(y)) if x.get(k) != y.get(k)]
        if keys:
            differing += 1
            print(f"{page}: {', '.join(keys)}")
    cpu_a = sum(r["cpu_s"] for r in a.values())
    cpu_b = sum(r["cpu_s"] for r in b.values())
    print(f"pages: {len(a)} before, {len(b)} after; differing: {differing}")
    print(f"parse_html pages/CPU-s: before {len(a) / cpu_a:.1f}, after {len(b) / cpu_b:.1f}")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = ap.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    gt_path = args.corpus / "ground_truth.jsonl"
    if not gt_path.exists():
        print(f"corpus not found at {args.corpus} (no ground_truth.jsonl); skipping")
        return 0
    with gt_path.open(encoding="utf-8") as fh:
        pages = [json.loads(line) for line in fh if line.strip()][: args.limit]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with Pool(args.workers, initializer=_init, initargs=(args.corpus,)) as pool, args.out.open("w") as out:
        cpu = 0.0
        for row in pool.imap(snapshot_page, pages, chunksize=4):
            cpu += row["cpu_s"]
            out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(pages)} pages -> {args.out}; parse_html {len(pages) / cpu:.1f} pages/CPU-s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
