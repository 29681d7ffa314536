"""Scheduled use through a real Prefect server: `prefect server start` on 127.0.0.1, `newsflow serve`, the
deployment and its scheduled runs seen through the API, a run triggered with `prefect deployment run --param`,
completed with its artifacts. Everything started here is stopped by PID (process group)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import REPO

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _wait(predicate: Any, timeout: float, what: str, step: float = 1.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("serve")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(tmp / "prefect-home"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED="false",
        DO_NOT_TRACK="1",
    )
    log = open(tmp / "server.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    api = f"http://127.0.0.1:{port}/api"

    def healthy() -> bool:
        try:
            return httpx.get(f"{api}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        _wait(healthy, 120, "prefect server health")
        yield {"api": api, "env": {**env, "PREFECT_API_URL": api}, "tmp": tmp, "proc": proc}
    finally:
        _stop(proc)
        log.close()


def _post(api: str, path: str, body: dict[str, Any]) -> Any:
    r = httpx.post(f"{api}{path}", json=body, timeout=10)
    r.raise_for_status()
    return r.json()


def test_serve_schedules_and_runs_a_triggered_deployment(server: dict[str, Any]) -> None:
    api, env, tmp = server["api"], server["env"], server["tmp"]
    raw = tmp / "raw"
    raw.mkdir()
    for name in ("fundus-at-orf-2024-11-22.html.gz", "fundus-at-orf-2024-11-22.html.gz.meta.json"):
        shutil.copy(REPO / "data" / "raw" / "samples" / name, raw / name)
    cfg = tmp / "newsflow.toml"
    cfg.write_text(
        f"""
[newsflow]
data_root = "{tmp / "data-default"}"

[schedule]
cron = ["0 6 * * *", "30 18 * * 1-5"]
timezone = "Europe/Berlin"
deployment = "newsflow-test"

[[sources]]
name = "orf"
kind = "files"
path = "{raw}"
""",
        encoding="utf-8",
    )
    log = open(tmp / "serve.log", "w")  # noqa: SIM115 - closed below
    serve = subprocess.Popen(
        [str(BIN / "newsflow"), "serve", "--config", str(cfg)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp,
        start_new_session=True,
    )
    try:
        deployments = _wait(
            lambda: _post(api, "/deployments/filter", {"deployments": {"name": {"any_": ["newsflow-test"]}}}),
            90,
            "the served deployment",
        )
        dep = deployments[0]
        assert dep["parameters"]["config"] == str(cfg)
        assert dep["parameters"]["data_root"] == str(tmp / "data-default")
        assert "run_date" not in dep["parameters"]  # resolved at run time, never baked in (case C26)
        crons = sorted(s["schedule"]["cron"] for s in dep["schedules"])
        assert crons == ["0 6 * * *", "30 18 * * 1-5"]
        assert {s["schedule"]["timezone"] for s in dep["schedules"]} == {"Europe/Berlin"}
        scheduled = _wait(
            lambda: _post(
                api,
                "/flow_runs/filter",
                {"flow_runs": {"deployment_id": {"any_": [dep["id"]]}, "state": {"type": {"any_": ["SCHEDULED"]}}}},
            ),
            90,
            "scheduled runs",
        )
        assert all(r["expected_start_time"] > time.strftime("%Y-%m-%d") for r in scheduled)

        target = tmp / "data-triggered"
        triggered = subprocess.run(
            [
                str(BIN / "prefect"),
                "deployment",
                "run",
                "news_pipeline/newsflow-test",
                "--param",
                f"data_root={target}",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert triggered.returncode == 0, triggered.stderr
        match = re.search(r"UUID:\s*([0-9a-f-]{36})", triggered.stdout)
        assert match, triggered.stdout
        run_id = match.group(1)
        created = httpx.get(f"{api}/flow_runs/{run_id}", timeout=10).json()
        assert created["deployment_id"] == dep["id"]
        assert created["parameters"]["data_root"] == str(target)

        def finished() -> Any:
            r = httpx.get(f"{api}/flow_runs/{run_id}", timeout=10).json()
            return r if r["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

        run = _wait(finished, 240, "the triggered run to finish", step=2)
        assert run["state"]["type"] == "COMPLETED", json.dumps(run["state"])
        artifacts = _post(api, "/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [run_id]}}})
        assert {"newsflow-run-summary", "newsflow-stage-counts"} <= {a["key"] for a in artifacts}
        assert (target / "processed" / "articles").is_dir()
        assert not (tmp / "data-default").exists()  # the --param override was used, not the default
    finally:
        _stop(serve)
        log.close()
    assert serve.poll() is not None
