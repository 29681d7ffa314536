"""The flow through a real Prefect API (the temporary local server), with inputs that must be rejected, not lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import REPO
from tests.test_pipeline import NEW_ARTICLE, write_config

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    + bytes(64)
)
NAV_ONLY = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Example News – Home</title></head>
<body><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li>
</ul></nav><footer><a href="/imprint">Imprint</a> <a href="/privacy">Privacy</a></footer></body></html>"""


@pytest.fixture(scope="module")
def reject_inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("rejects")
    raw = tmp / "raw"
    raw.mkdir()
    (raw / "good-article.html").write_text(NEW_ARTICLE, encoding="utf-8")
    (raw / "empty.html").write_bytes(b"")
    (raw / "picture.html").write_bytes(PNG)
    (raw / "front-page.html").write_text(NAV_ONLY, encoding="utf-8")
    return tmp, write_config(tmp, raw)


def test_flow_rejects_bad_input_and_records_run_in_prefect(reject_inputs: tuple[Path, Path]) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from flows.pipeline import news_pipeline

    tmp, cfg = reject_inputs
    state = news_pipeline(config=str(cfg), return_state=True)
    assert state.is_completed()
    summary: dict[str, Any] = state.result()
    assert summary["documents_in"] == 4
    assert summary["articles_out"] == 1
    assert summary["stages"]["fetch"]["rejected_by_reason"] == {
        "empty_content": 1,
        "unsupported_media_type": 1,
    }
    assert summary["stages"]["parse"]["rejected_by_reason"] == {"no_article_text": 1}

    rejects = pd.read_parquet(tmp / "data" / "processed" / "rejects")
    assert sorted(rejects["reason"]) == ["empty_content", "no_article_text", "unsupported_media_type"]
    assert rejects["detail"].notna().all() and rejects["doc_id"].notna().all()
    assert set(rejects["stage"]) == {"fetch", "parse"}
    assert (rejects["at"].dt.tz is not None) and rejects["source"].eq("samples").all()

    flow_run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run_id)
        assert run.state is not None and run.state.is_completed()
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    keys = {a.key for a in artifacts}
    assert {"newsflow-run-summary", "newsflow-stage-counts", "newsflow-fill-rates"} <= keys
    md = next(a for a in artifacts if a.key == "newsflow-run-summary")
    assert "rejects by reason" in str(md.data)
    table = next(a for a in artifacts if a.key == "newsflow-stage-counts")
    assert "no_article_text=1" in str(table.data)
    assert summary["report_html"] and Path(summary["report_html"]).is_file()


def test_cli_exit_code_says_partial_failure(reject_inputs: tuple[Path, Path]) -> None:
    """Run again on a fresh data root through the CLI: the run finishes, reports the rejects, exits 3."""
    tmp, cfg = reject_inputs
    text = cfg.read_text(encoding="utf-8").replace(str(tmp / "data"), str(tmp / "data-cli"))
    cfg2 = tmp / "cli.toml"
    cfg2.write_text(text, encoding="utf-8")
    # this checkout's CLI (the venv's `newsflow` script may belong to another worktree sharing the venv)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cli = [sys.executable, "-m", "flows.cli"]
    done = subprocess.run(
        [*cli, "run", "--config", str(cfg2)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert done.returncode == 3, done.stderr[-2000:]
    assert "exit 3: 3 rejected, 75.0% of the documents handled, above max_reject_share 20.0%" in done.stderr
    listed = subprocess.run(
        [*cli, "rejects", "--config", str(cfg2), "--json", "--stage", "fetch"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert listed.returncode == 0
    assert sorted(r["reason"] for r in json.loads(listed.stdout)) == ["empty_content", "unsupported_media_type"]
    assert len(pd.read_parquet(tmp / "data-cli" / "processed" / "articles")) == 1
