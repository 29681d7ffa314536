"""Operating a data root: reruns, reject replay, crash-safe compaction, run dates of scheduled runs (case C26)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.conftest import REPO, config_file, copy_samples, files_source

NAMES = [
    "fundus-at-orf-2024-11-22.html.gz",
    "fundus-de-kicker-2024-04-26.html.gz",
    "fundus-us-foxnews-2023-04-28.html.gz",
]


def _setup(tmp: Path, parse: str = "") -> Path:
    raw = copy_samples(tmp / "raw", NAMES)
    return config_file(
        tmp, f"[parse]\nworkers = 1\n{parse}", newsflow="max_reject_share = 1.0", sources=files_source(raw)
    )


def _articles(tmp: Path) -> pd.DataFrame:
    df = pd.read_parquet(tmp / "data" / "processed" / "articles").drop(columns=["fetched_at"])
    return df.sort_values("article_id").reset_index(drop=True).astype(str)


def _run(cfg: Path, **kw: Any) -> dict[str, Any]:
    from flows.pipeline import news_pipeline

    return news_pipeline(config=str(cfg), **kw)


def test_rerun_from_parse_redoes_later_stages_for_the_selection_only(tmp_path: Path) -> None:
    cfg = _setup(tmp_path)
    first = _run(cfg)
    assert first["articles_out"] == 3
    before = _articles(tmp_path)

    again = _run(cfg, rerun_from="parse", source="samples")
    assert [again["stages"][s]["processed"] for s in ("fetch", "parse", "dedup", "enrich")] == [0, 3, 3, 3]
    # same input, same parser: the same rows upstream, so the same articles and no rewrite of the dataset
    assert again["dataset_rewritten"] is False
    pd.testing.assert_frame_equal(_articles(tmp_path), before)

    since = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)  # nothing was fetched after tomorrow
    none = _run(cfg, rerun_from="enrich", since=since)
    assert none["stages"]["enrich"]["processed"] == 0

    with pytest.raises(ValueError, match="rerun_from"):
        _run(cfg, source="samples")  # a selection without rerun_from is refused
    quiet = _run(cfg)
    assert all(c["processed"] == 0 for s, c in quiet["stages"].items() if s != "export")


def test_reject_replay_after_a_timeout_change(tmp_path: Path) -> None:
    cfg = _setup(tmp_path, "timeout_s = 0.001")  # no page parses in a millisecond
    first = _run(cfg)
    assert first["stages"]["parse"]["rejected_by_reason"] == {"parse_timeout": 3}
    assert first["articles_out"] == 0
    # a longer time limit does not change the parse fingerprint (it changes no output): nothing is redone by itself
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("timeout_s = 0.001", "timeout_s = 120"), encoding="utf-8")
    assert _run(cfg)["stages"]["parse"]["processed"] == 0
    replay = _run(cfg, rerun_from="parse", where_reason="parse_timeout")
    assert replay["stages"]["parse"]["processed"] == 3
    assert replay["articles_out"] == 3
    assert replay["open_rejects"] == 0


def test_compaction_removes_superseded_parts_merges_and_survives_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.stages import stage_fingerprints
    from tasks.config import load_settings
    from tasks.store import Store

    cfg = _setup(tmp_path)
    _run(cfg, batch_size=1)  # one part per document and stage
    cfg.write_text(cfg.read_text(encoding="utf-8") + "\n[dedup]\nthreshold = 0.6\n", encoding="utf-8")
    _run(cfg, batch_size=1)  # new dedup fingerprint: the first dedup parts are superseded
    before = _articles(tmp_path)
    store = Store(tmp_path / "data")
    settings = load_settings(cfg)
    fps = stage_fingerprints(settings)
    # the deduplicated rows of the new fingerprint replaced the old ones at once; the old index parts stay (an
    # index is kept whole per fingerprint) until compaction
    dedup_parts = store.parts(store.stage_dir("dedup"))
    assert len(dedup_parts) == 3 and len(store.current_parts(store.stage_dir("dedup"), fps["dedup"])) == 3
    index_parts = store.parts(store.stage_dir("dedup", "index"))
    assert len(index_parts) == 6 and len(store.current_parts(store.stage_dir("dedup", "index"), fps["dedup"])) == 3

    # a compaction killed right after its journal was written …
    real = Store._recover_compaction

    def crash(self: Store) -> int:
        if (self.processed / ".compact-journal.json").exists():
            raise KeyboardInterrupt("killed")
        return real(self)

    monkeypatch.setattr(Store, "_recover_compaction", crash)
    with pytest.raises(KeyboardInterrupt):
        store.compact(fps)
    monkeypatch.setattr(Store, "_recover_compaction", real)
    # … is finished by the next run's clean-up
    store.clean_temp()
    assert not (store.processed / ".compact-journal.json").exists()
    assert [p.name.startswith(".") for p in store.processed.rglob("*") if p.is_file()].count(True) == 0
    for stage in ("fetch", "parse", "dedup", "enrich"):
        parts = store.parts(store.stage_dir(stage))
        assert len(parts) == 1, stage
        assert pq.read_metadata(parts[0]).num_rows == 3
    assert store.compact(fps) == {"removed": 0, "written": 0}  # idempotent

    after = _run(cfg)
    assert all(c["processed"] == 0 for s, c in after["stages"].items() if s != "export")
    pd.testing.assert_frame_equal(_articles(tmp_path), before)


def _cli(cfg: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI of this checkout (``python -m flows.cli``) as a user would."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args, "--config", str(cfg)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )


STAGE_FOLDERS = ("parsed", "deduplicated", "enriched")


def _assert_one_row_per_key(processed: Path, n: int) -> None:
    """Each stage folder, read as plain Parquet (no newsflow), holds each document once; so do the dedup index and
    signatures."""
    for folder in (*STAGE_FOLDERS, "deduplicated/_index", "deduplicated/_signatures"):
        df = pd.read_parquet(processed / folder, columns=["doc_id", "content_sha256"])
        assert len(df) == n, f"{folder}: {len(df)} rows for {n} documents"
        assert not df.duplicated().any(), folder


def test_rerun_leaves_one_row_per_document_in_each_stage_folder_and_compact_keeps_it(tmp_path: Path) -> None:
    cfg = _setup(tmp_path)
    processed = tmp_path / "data" / "processed"
    _run(cfg, batch_size=2)  # two parts per stage
    before = _articles(tmp_path)
    _assert_one_row_per_key(processed, 3)

    again = _run(cfg, rerun_from="parse")
    assert [again["stages"][s]["processed"] for s in ("parse", "dedup", "enrich")] == [3, 3, 3]
    _assert_one_row_per_key(processed, 3)  # the rerun's rows replaced the older ones
    pd.testing.assert_frame_equal(_articles(tmp_path), before)

    done = _cli(cfg, "compact")
    assert done.returncode == 0, done.stderr[-3000:]
    _assert_one_row_per_key(processed, 3)
    for folder in STAGE_FOLDERS:
        assert len(list((processed / folder).glob("part-*.parquet"))) == 1, folder
    pd.testing.assert_frame_equal(_articles(tmp_path), before)


def test_rerun_killed_while_dropping_older_rows_resumes_with_one_row_per_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tasks.store import Store

    cfg = _setup(tmp_path)
    processed = tmp_path / "data" / "processed"
    _run(cfg, batch_size=1)  # one part per document and stage
    before = _articles(tmp_path)

    real = Store._rewrite_part
    calls: list[Path] = []

    def killed(self: Store, folder: Path, part: Path, keep: list[bool]) -> None:
        calls.append(part)
        if len(calls) > 1:  # the first older part is already pruned
            raise RuntimeError("killed while dropping superseded rows")
        real(self, folder, part, keep)

    monkeypatch.setattr(Store, "_rewrite_part", killed)
    with pytest.raises(RuntimeError, match="killed"):
        _run(cfg, rerun_from="parse")
    monkeypatch.setattr(Store, "_rewrite_part", real)
    parsed = pd.read_parquet(processed / "parsed", columns=["doc_id", "content_sha256"])
    assert len(parsed) == 5 and parsed.drop_duplicates().shape[0] == 3  # the window: new rows durable, 2 old left

    after = _run(cfg)  # an ordinary run finishes the pruning; nothing is lost or doubled
    assert all(c["processed"] == 0 for s, c in after["stages"].items() if s != "export")
    _assert_one_row_per_key(processed, 3)
    pd.testing.assert_frame_equal(_articles(tmp_path), before)


def test_compaction_does_not_make_the_next_run_work(tmp_path: Path) -> None:
    cfg = _setup(tmp_path)
    processed = tmp_path / "data" / "processed"
    _run(cfg, batch_size=1)  # one part per document and stage: compaction merges them

    def articles_files() -> dict[str, str]:
        return {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((processed / "articles").glob("part-*.parquet"))
        }

    def reports() -> list[str]:
        return sorted(p.name for p in (processed / "reports").glob("*.html"))

    files, runs = articles_files(), reports()
    done = _cli(cfg, "compact")
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(list((processed / "parsed").glob("part-*.parquet"))) == 1  # the layout did change

    status = _cli(cfg, "status", "--json")
    assert status.returncode == 0, status.stderr[-3000:]
    stages = json.loads(status.stdout)["stages"]
    assert {s: c["pending"] for s, c in stages.items() if s != "fetch"} == {
        "parse": 0,
        "dedup": 0,
        "enrich": 0,
        "export": 0,
    }

    run = _cli(cfg, "run", "--json")
    assert run.returncode in (0, 3), run.stderr[-3000:]
    summary = json.loads(run.stdout)
    assert summary["dataset_rewritten"] is False
    assert all(c["processed"] == 0 for c in summary["stages"].values())
    assert articles_files() == files
    assert reports() == runs


@pytest.mark.parametrize(
    ("explicit", "scheduled", "expected"),
    [
        (None, dt.datetime(2024, 3, 15, 2, 0, tzinfo=dt.UTC), dt.date(2024, 3, 15)),  # C26: the run's own day
        (None, dt.datetime(2024, 3, 15, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-2))), dt.date(2024, 3, 16)),
        (dt.date(2024, 3, 1), dt.datetime(2024, 3, 15, 2, 0, tzinfo=dt.UTC), dt.date(2024, 3, 1)),  # explicit wins
    ],
)
def test_run_date_resolved_at_run_time(explicit: dt.date | None, scheduled: dt.datetime, expected: dt.date) -> None:
    from flows.pipeline import news_pipeline, resolve_run_date

    assert resolve_run_date(explicit, scheduled) == expected
    assert news_pipeline.parameters.properties["run_date"].get("default") is None  # nothing baked in
