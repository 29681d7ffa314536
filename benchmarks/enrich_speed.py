"""Speed and memory of the enrich stage's enrichers on real article texts.

Run: ``.venv/bin/python benchmarks/enrich_speed.py [--limit N] [--batch-size B]``. Input: the title and body of
every German and English page of ``../shared/corpus/extraction/dev/ground_truth.jsonl`` (skips, exit 0, when the
corpus is not there). Prints the one-off gazetteer load (CPU seconds, resident memory before and after), then per
enricher and for the whole default stage the CPU seconds and articles per CPU-second (process CPU time, so other
load on the machine does not count), and the fill rate of each list column.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CORPUS = REPO.parent / "shared" / "corpus" / "extraction" / "dev" / "ground_truth.jsonl"


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0, help="use only the first N pages (0: all)")
    ap.add_argument("--batch-size", type=int, default=500)
    args = ap.parse_args()
    if not CORPUS.is_file():
        print(f"skipped: {CORPUS} not found")
        return 0
    from tasks.config import EnrichConfig
    from tasks.enrich import ENRICHERS, enrich_batch
    from tasks.enrich.places import get_gazetteer

    rows: list[dict[str, Any]] = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r.get("language") in ("de", "en") and r.get("body"):
            rows.append(
                {
                    "doc_id": r["id"],
                    "content_sha256": r["id"],
                    "title": r.get("title"),
                    "teaser": None,
                    "body": r["body"],
                    "declared_language": r.get("lang_declared"),
                    "authors": r.get("authors") or [],
                    "agencies": [],
                }
            )
    if args.limit:
        rows = rows[: args.limit]
    rss0 = _rss_mb()
    t0 = time.process_time()
    get_gazetteer()
    print(f"gazetteer load: {time.process_time() - t0:.2f} CPU-s, RSS {rss0:.0f} MB -> {_rss_mb():.0f} MB")
    cfg = EnrichConfig()
    batches = [rows[i : i + args.batch_size] for i in range(0, len(rows), args.batch_size)]
    docs = [dict(r) for r in rows]
    print(f"{len(rows)} articles (German and English), {sum(len(r['body'].split()) for r in rows)} body words")
    print(f"{'enricher':<12} {'CPU-s':>7} {'articles/CPU-s':>15}")
    for enricher in ENRICHERS.values():
        t0 = time.process_time()
        for batch in [docs[i : i + args.batch_size] for i in range(0, len(docs), args.batch_size)]:
            for doc, vals in zip(batch, enricher.run(batch, cfg), strict=True):
                doc.update(vals)
        cpu = time.process_time() - t0
        print(f"{enricher.name:<12} {cpu:7.2f} {len(docs) / max(cpu, 1e-9):15.1f}")
    t0 = time.process_time()
    out = [row for batch in batches for row in enrich_batch(batch, cfg)]
    cpu = time.process_time() - t0
    print(f"{'whole stage':<12} {cpu:7.2f} {len(out) / max(cpu, 1e-9):15.1f}   (RSS now {_rss_mb():.0f} MB)")
    for col in ("quantities", "places", "persons", "organisations", "key_phrases"):
        filled = sum(1 for r in out if r.get(col))
        per = sum(len(r.get(col) or []) for r in out) / max(len(out), 1)
        print(f"{col:<14} non-empty in {filled / max(len(out), 1):.0%} of articles, {per:.1f} per article")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
