"""Crash safety: runs killed with SIGKILL during each stage resume to the same dataset; two concurrent runs on
one data root do not interleave. Uses 300 real pages from ../shared/corpus when present, else 300 pages built
from the bundled sample texts."""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.conftest import SAMPLES, SHARED, config_file, files_source

BIN = Path(sys.executable).parent
PAGES = 300
# Hang bounds, not speed limits: each test makes up to three whole runs of 300 pages as subprocesses, and each run
# may wait [prefect] startup_timeout_s (180 s) for Prefect's temporary API on a loaded machine; the suite-wide
# 600 s cut killed healthy crash tests there. A hung run still ends the test, after at most 40 minutes.
pytestmark = pytest.mark.timeout(2400)
CORPUS = SHARED / "corpus" / "extraction" / "dev"


def _synthetic_pages(raw: Path) -> None:
    """300 distinct articles from the sentences of the bundled seed text (used when the corpus is absent)."""
    text = gzip.decompress((SAMPLES / "epochtimes-nordkorea-truppen.txt.gz").read_bytes()).decode("utf-8")
    sentences = [s.strip() for s in re.split(r"(?<=[.!?“])\s+", text) if len(s.split()) >= 6]
    for i in range(PAGES):
        rnd = random.Random(i)
        paras = ["<p>" + " ".join(rnd.sample(sentences, 3)) + f" Meldung {i}.</p>" for _ in range(6)]
        html = (
            f'<html lang="de"><head><title>Meldung {i}: {rnd.choice(sentences)[:60]}</title></head>'
            f"<body><article><h1>Meldung {i}</h1>{''.join(paras)}</article></body></html>"
        )
        (raw / f"page-{i:03d}.html.gz").write_bytes(gzip.compress(html.encode("utf-8")))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("crash") / "raw"
    raw.mkdir()
    corpus = sorted(CORPUS.glob("*.html.gz")) if CORPUS.is_dir() else []
    if len(corpus) >= PAGES:
        for p in corpus[:PAGES]:
            shutil.copy(p, raw / p.name)
    else:
        _synthetic_pages(raw)
    return raw


def _config(root: Path, raw: Path) -> Path:
    return config_file(root, newsflow="batch_size = 50\nmax_reject_share = 1.0", sources=files_source(raw, "pages"))


def _run(cfg: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "newsflow"), "run", "--config", str(cfg), "--json", *extra],
        capture_output=True,
        text=True,
        timeout=900,
        env=os.environ.copy(),
    )


def _articles(root: Path) -> pd.DataFrame:
    df = pd.read_parquet(root / "data" / "processed" / "articles").drop(columns=["fetched_at"])
    df = df.sort_values("article_id").reset_index(drop=True)
    return df.map(lambda v: json.dumps(v.tolist() if hasattr(v, "tolist") else v, default=str, sort_keys=True))


@pytest.fixture(scope="module")
def reference(pages: Path, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    root = tmp_path_factory.mktemp("reference")
    done = _run(_config(root, pages))
    assert done.returncode in (0, 3), done.stderr[-3000:]
    return _articles(root)


def _first_part(folder: str) -> Any:
    def check(processed: Path) -> bool:
        d = processed / folder
        return d.is_dir() and any(d.glob("part-*.parquet"))

    return check


KILL_POINTS = {
    "fetch": _first_part("fetched"),
    "parse": _first_part("parsed"),
    "dedup": _first_part("deduplicated/_index"),
    "enrich": _first_part("enriched"),
    "export": lambda processed: (processed / "articles").is_dir(),
}


@pytest.mark.parametrize("stage", list(KILL_POINTS))
def test_sigkill_during_stage_then_resume_gives_same_dataset(
    stage: str, pages: Path, reference: pd.DataFrame, tmp_path: Path
) -> None:
    cfg = _config(tmp_path, pages)
    processed = tmp_path / "data" / "processed"
    proc = subprocess.Popen(
        [str(BIN / "newsflow"), "run", "--config", str(cfg)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
        start_new_session=True,  # the temporary Prefect server and parse workers die with it
    )
    trigger = KILL_POINTS[stage]
    deadline = time.monotonic() + 600
    try:
        while not trigger(processed):
            assert proc.poll() is None, f"the run ended before reaching {stage}"
            assert time.monotonic() < deadline, f"timed out waiting for {stage}"
            time.sleep(0.002)
        assert proc.poll() is None, f"the run ended before it could be killed during {stage}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    done = _run(cfg)
    assert done.returncode in (0, 3), done.stderr[-3000:]
    pd.testing.assert_frame_equal(_articles(tmp_path), reference)

    leftovers = [p for p in processed.rglob("*") if p.name.startswith((".tmp-", ".new-"))]
    assert leftovers == []
    for folder in ("fetched", "parsed", "deduplicated", "enriched"):
        keys: list[tuple[str, str]] = []
        for part in sorted((processed / folder).glob("part-*.parquet")):
            t = pq.read_table(part, columns=["doc_id", "content_sha256"])
            keys += list(zip(t.column("doc_id").to_pylist(), t.column("content_sha256").to_pylist(), strict=True))
        assert len(keys) == len(set(keys)), f"doubled rows in {folder}"
    second = _run(cfg)
    assert json.loads(second.stdout)["documents_in"] == 0


def test_two_concurrent_runs_do_not_interleave(pages: Path, reference: pd.DataFrame, tmp_path: Path) -> None:
    cfg = _config(tmp_path, pages)
    first = subprocess.Popen(
        [str(BIN / "newsflow"), "run", "--config", str(cfg)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
        start_new_session=True,
    )
    started = _first_part("fetched")  # the first run is inside its flow, holding the lock
    deadline = time.monotonic() + 300
    while not started(tmp_path / "data" / "processed"):
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    second = _run(cfg)
    assert second.returncode == 1
    assert "another newsflow run holds the lock" in second.stderr
    assert first.wait(timeout=900) in (0, 3)
    pd.testing.assert_frame_equal(_articles(tmp_path), reference)
    waited = _run(cfg, "--wait")  # with --wait a second run queues behind the lock instead of failing
    assert waited.returncode in (0, 3)
