"""Whole-pipeline wall time on one machine: Prefect's default thread-pool runner (parse batches one after the
other, each using every core through its process pool) against Dask (prefect-dask LocalCluster, one
single-threaded worker process per core, batches submitted concurrently).

Usage: python benchmarks/task_runner_speed.py [--pages 300] [--batch-size 50] [--corpus DIR]

Prints pages, seconds and pages/s per runner. Reads pages from ../shared/corpus/extraction/dev (skips with a message
when absent). Each runner gets a fresh data root; the Prefect API is the temporary local one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "extraction" / "dev"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--batch-size", type=int, default=50)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = ap.parse_args()
    pages = sorted(args.corpus.glob("*.html.gz"))[: args.pages] if args.corpus.is_dir() else []
    if not pages:
        print(f"corpus not found at {args.corpus}: skipped")
        return 0
    exe = Path(sys.executable).parent / "newsflow"
    print(f"{len(pages)} pages, batch size {args.batch_size}, {os.cpu_count()} cores")
    print(f"{'runner':<8} {'seconds':>8} {'pages/s':>8}")
    with tempfile.TemporaryDirectory(prefix="nf-runner-") as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        for p in pages:
            shutil.copy(p, raw / p.name)
        for runner in ("threads", "dask"):
            root = Path(tmp) / runner
            cfg = Path(tmp) / f"{runner}.toml"
            cfg.write_text(
                f'[newsflow]\ndata_root = "{root}"\nbatch_size = {args.batch_size}\nmax_reject_share = 1.0\n'
                f'[prefect]\nhome = "{REPO / ".prefect"}"\n'
                f'[[sources]]\nname = "pages"\nkind = "files"\npath = "{raw}"\n',
                encoding="utf-8",
            )
            start = time.monotonic()
            done = subprocess.run(
                [str(exe), "run", "--config", str(cfg), "--task-runner", runner],
                capture_output=True,
                text=True,
            )
            secs = time.monotonic() - start
            if done.returncode not in (0, 3):
                print(done.stderr[-2000:])
                return 1
            print(f"{runner:<8} {secs:>8.1f} {len(pages) / secs:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
