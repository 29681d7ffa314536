"""Scale-out option: the same flow on a Dask LocalCluster (prefect-dask) gives the same articles as the default
thread-pool runner, with batches spread over worker processes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import SAMPLES, copy_samples
from tests.test_pipeline import write_config

prefect_dask = pytest.importorskip("prefect_dask")


def _articles(root: Path) -> pd.DataFrame:
    df = pd.read_parquet(root / "processed" / "articles").drop(columns=["fetched_at"])
    df = df.sort_values("article_id").reset_index(drop=True)
    return df.map(lambda v: json.dumps(v.tolist() if hasattr(v, "tolist") else v, default=str, sort_keys=True))


def test_dask_runner_matches_default_runner(tmp_path: Path) -> None:
    from flows.pipeline import news_pipeline

    raw = copy_samples(tmp_path / "raw", sorted(p.name for p in SAMPLES.glob("fundus-*.html.gz"))[:8])
    cfg = write_config(tmp_path, raw)

    runner = prefect_dask.DaskTaskRunner(
        cluster_kwargs={
            "n_workers": 2,
            "threads_per_worker": 1,
            "processes": True,
            "host": "127.0.0.1",
            "dashboard_address": None,
        }
    )
    on_dask = news_pipeline.with_options(task_runner=runner)
    summary = on_dask(config=str(cfg), data_root=str(tmp_path / "dask"), batch_size=2)
    assert summary["stages"]["parse"]["processed"] == 8
    assert summary["rejected_total"] == 0

    default = news_pipeline(config=str(cfg), data_root=str(tmp_path / "threads"), batch_size=2)
    assert default["stages"]["parse"]["processed"] == 8
    pd.testing.assert_frame_equal(_articles(tmp_path / "dask"), _articles(tmp_path / "threads"))
