"""Parse speed of the current parser against an earlier one, interleaved page by page in one process.

Usage::

    python benchmarks/parse_speed_ab.py --before-ref REF [--corpus DIR] [--limit N] [--rounds R]

``REF`` is a git revision whose ``tasks/parse.py`` (the single-module parser before the package split) or
``tasks/parse/`` package is loaded under another name (``_parse_before``) next to ``tasks.parse``. Each page of the
corpus (default ``../shared/corpus/extraction/dev``; absent: a message, exit 0) is parsed by both, in alternating
order, ``rounds`` times, after an untimed warm-up of both on the first 10 pages; CPU time is
``time.process_time`` around each ``parse_html(bytes, url)`` call. Because both parsers run in the same process on
the same bytes within milliseconds of each other, a noisy shared machine slows both alike: the ratio is the figure
to quote. Prints pages per CPU-second of each and the ratio, and counts the pages whose article dicts differ.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEFAULT_CORPUS = Path(os.environ.get("NEWSFLOW_CORPUS", REPO.parent / "shared" / "corpus" / "extraction" / "dev"))


def load_before(ref: str, workdir: Path) -> ModuleType:
    """The parser of ``ref`` as module ``_parse_before`` (a single module, or a package whose modules import each
    other relatively). Raises ``subprocess.CalledProcessError`` when ``ref`` has neither."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref, "tasks"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(workdir)], input=archive.stdout, check=True)
    single, package = workdir / "tasks" / "parse.py", workdir / "tasks" / "parse" / "__init__.py"
    path, search = (single, None) if single.exists() else (package, [str(package.parent)])
    spec = importlib.util.spec_from_file_location("_parse_before", path, submodule_search_locations=search)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["_parse_before"] = module
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before-ref", required=True, help="git revision of the earlier parser")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args(argv)
    gt_path = args.corpus / "ground_truth.jsonl"
    if not gt_path.exists():
        print(f"corpus not found at {args.corpus}; skipping")
        return 0
    from tasks.parse import parse_html as after

    with tempfile.TemporaryDirectory() as tmp:
        before = load_before(args.before_ref, Path(tmp)).parse_html
    with gt_path.open(encoding="utf-8") as fh:
        pages = [json.loads(line) for line in fh if line.strip()][: args.limit]
    for gt in pages[:10]:  # warm-up, untimed: lazy imports and per-module caches (dateparser, XPath) of both
        data = gzip.decompress((args.corpus / f"{gt['id']}.html.gz").read_bytes())
        before(data, gt.get("url"))
        after(data, gt.get("url"))
    cpu = {"before": 0.0, "after": 0.0}
    differing = 0
    for r in range(args.rounds):
        for i, gt in enumerate(pages):
            data = gzip.decompress((args.corpus / f"{gt['id']}.html.gz").read_bytes())
            order = (
                [("before", before), ("after", after)] if (i + r) % 2 == 0 else [("after", after), ("before", before)]
            )
            out = {}
            for name, fn in order:
                t0 = time.process_time()
                out[name] = fn(data, gt.get("url"))
                cpu[name] += time.process_time() - t0
            differing += out["before"] != out["after"]
    n = len(pages) * args.rounds
    b, a = n / cpu["before"], n / cpu["after"]
    print(f"pages: {len(pages)} x {args.rounds} rounds; outputs differing: {differing}")
    print(f"pages/CPU-s: before ({args.before_ref}) {b:.1f}, after {a:.1f}; after/before {a / b:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
