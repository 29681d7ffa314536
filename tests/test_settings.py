"""Settings and CLI habits a new user meets before anything runs (issue #15): bad values refused at load with one
line naming the table and key (exit 2), unusable or missing data roots and source paths, ``--version``, ``-h``,
flags shown as flags, help that is not cut mid-sentence, ``rejects --json`` as one JSON document, and Prefect
pointed at ``[prefect]`` before it is imported. Real CLI invocations (typer's runner in-process, or a fresh
interpreter where the process matters); none starts a flow run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import REPO, config_file, files_source

BAD_VALUES = [  # (table, key, TOML value)
    ("newsflow", "batch_size", '"ten"'),
    ("newsflow", "batch_size", "0"),
    ("newsflow", "max_reject_share", "1.5"),
    ("newsflow", "data_root", "5"),
    ("prefect", "home", "false"),
    ("fetch", "max_bytes", "-1"),
    ("fetch", "max_bytes", "1.5"),
    ("fetch", "workers", "-1"),
    ("fetch", "timeout_s", "nan"),
    ("fetch", "deadline_s", "inf"),
    ("fetch", "per_host_delay_s", "-1.0"),
    ("fetch", "backoff_base_s", "-0.5"),
    ("fetch", "retries", "-1"),
    ("fetch", "robots_txt", '"yes"'),
    ("parse", "workers", "-1"),
    ("parse", "timeout_s", "nan"),
    ("dedup", "bands", "0"),
    ("dedup", "threshold", "5"),
    ("dedup", "threshold", "0"),
    ("enrich", "words_per_minute", "0"),
    ("prefect", "startup_timeout_s", "0"),
    ("schedule", "timezone", '"Mars/Olympus_Mons"'),
    ("schedule", "cron", '"61 * * * *"'),
    ("schedule", "cron", '["0 6 * * *", "0 6 * *"]'),
]


@pytest.fixture(autouse=True)
def _outside_the_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run each command in its own empty folder: the repository's newsflow.toml is not picked up. The commands
    set Prefect's environment variables in this process; they are restored afterwards, so later tests' child
    processes do not inherit them."""
    monkeypatch.chdir(tmp_path)
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def _invoke(*args: str) -> tuple[int, list[str], str]:
    """Run the CLI in-process; returns the exit code, the non-empty stderr lines and stdout."""
    result = CliRunner().invoke(app, list(args))
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    return result.exit_code, lines, result.stdout


@pytest.mark.parametrize(("table", "key", "value"), BAD_VALUES, ids=[f"{t}.{k}={v}" for t, k, v in BAD_VALUES])
def test_bad_value_is_refused_at_load_naming_table_and_key(tmp_path: Path, table: str, key: str, value: str) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    cfg = config_file(tmp_path, sources=files_source(raw))  # it has a [newsflow] and a [prefect] table
    text = re.sub(rf"(?m)^{key} = .*\n", "", cfg.read_text(encoding="utf-8"))  # data_root, home: replaced
    if f"[{table}]\n" in text:
        text = text.replace(f"[{table}]\n", f"[{table}]\n{key} = {value}\n")
    else:
        text += f"\n[{table}]\n{key} = {value}\n"
    cfg.write_text(text, encoding="utf-8")
    code, lines, _ = _invoke("run", "--config", str(cfg))
    assert code == 2, lines
    assert len(lines) == 1, lines  # one line, whatever the terminal width
    assert lines[0].startswith("config error: ") and f"[{table}] {key}" in lines[0], lines
    assert not (tmp_path / "data").exists()  # nothing ran


@pytest.mark.parametrize("where", ["a file", "below a file"])
def test_unusable_data_root_is_refused(tmp_path: Path, where: str) -> None:
    (tmp_path / "taken").write_text("a file, not a folder", encoding="utf-8")
    root = tmp_path / "taken" if where == "a file" else tmp_path / "taken" / "data"
    for command in ("run", "status", "export", "rejects"):
        code, lines, _ = _invoke(command, "--data-root", str(root))
        assert code == 2, (command, lines)
        assert len(lines) == 1 and "[newsflow] data_root" in lines[0] and where in lines[0], (command, lines)


def test_read_only_data_root_is_refused_for_a_run(tmp_path: Path) -> None:
    """A folder this user cannot write in: made read-only, or (as root, who writes in any folder of a writable
    file system) a folder on a read-only file system, such as a container's /proc/sys."""
    root = tmp_path / "data"
    root.mkdir()
    if os.geteuid() == 0:
        if os.access("/proc/sys", os.W_OK):
            pytest.skip("no read-only folder for root here")
        root = Path("/proc/sys/newsflow-data")
    else:
        root.chmod(0o555)
    try:
        code, lines, _ = _invoke("run", "--data-root", str(root))
    finally:
        if os.geteuid() != 0:
            root.chmod(0o755)
    assert code == 2 and "[newsflow] data_root" in lines[0] and "not writable" in lines[0], lines


def test_missing_files_source_path_is_a_config_error(tmp_path: Path) -> None:
    cfg = config_file(tmp_path, sources=files_source(tmp_path / "raw-typo", name="site"))
    code, lines, _ = _invoke("run", "--config", str(cfg))
    assert code == 2, lines
    assert len(lines) == 1 and "sources[0] (site) path not found" in lines[0], lines
    assert not (tmp_path / "data").exists()  # nothing ran, nothing written


def test_missing_data_root_is_an_error_for_commands_that_read_it(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent"
    for command in ("status", "rejects", "export"):
        code, lines, stdout = (
            _invoke(command, "--data-root", str(missing), "--json")
            if command != "export"
            else (_invoke(command, "--data-root", str(missing)))
        )
        assert code == 2, (command, lines)
        assert f"data_root {missing} does not exist" in lines[0] and stdout == "", (command, lines)
    # a run creates a data root that does not exist yet (without a config, its files source <data root>/raw must
    # exist, though)
    code, lines, _ = _invoke("run", "--data-root", str(missing))
    assert code == 2 and "sources[0] (raw) path not found" in lines[0], lines


# --------------------------------------------------------------------------------------------- CLI habits
def test_version_and_short_help() -> None:
    from importlib.metadata import version

    code, _, out = _invoke("--version")
    assert code == 0 and out.strip() == f"newsflow {version('newsflow')}"
    for args in (["-h"], ["run", "-h"], ["rejects", "replay", "-h"]):
        code, _, out = _invoke(*args)
        assert code == 0 and "Usage:" in out, args


def _help(*args: str) -> str:
    """Help as printed to a 200-column terminal."""
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", *args, "--help"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_boolean_options_are_shown_as_flags() -> None:
    cases = (
        ([], ["--help", "--version"]),
        (["run"], ["--json", "--wait", "--help"]),
        (["status"], ["--json", "--help"]),
        (["rejects"], ["--json", "--all", "--help"]),
        (["rejects", "replay"], ["--json", "--wait", "--help"]),
    )
    for args, flags in cases:
        text = _help(*args)
        for flag in flags:
            row = next(ln for ln in text.splitlines() if re.search(rf"\s{flag}\s", ln))
            assert "<bool>" not in row and "BOOLEAN" not in row, row


def test_top_level_help_gives_each_command_one_whole_sentence() -> None:
    text = _help()
    panel = text[text.index("Commands") :]
    rows = [ln.strip("│ ").rstrip() for ln in panel.splitlines()[1:] if ln.startswith("│")]
    commands = {"run", "rerun", "status", "export", "rejects", "compact", "serve"}
    assert {r.split()[0] for r in rows} == commands, rows  # no continuation lines: one row per command
    for row in rows:
        assert row.endswith("."), row  # a whole sentence, not cut mid-way


def test_rejects_json_is_one_document_like_status(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    code, _, out = _invoke("rejects", "--data-root", str(root), "--json")
    assert code == 0 and json.loads(out) == []  # none: an empty list, not nothing
    code, _, out = _invoke("status", "--data-root", str(root), "--json")
    assert code == 0 and isinstance(json.loads(out), dict)


# --------------------------------------------------------------------------------------------- [prefect] first
PROBE = """
import json, sys
from flows import cli
try:
    cli.main()
except SystemExit:
    pass
import prefect.settings
s = prefect.settings.get_current_settings()
print(json.dumps({"home": str(s.home), "timeout": s.server.ephemeral.startup_timeout_seconds}))
"""


@pytest.mark.parametrize(
    "command", [["rejects", "replay", "--stage", "parse"], ["rejects"], ["status"], ["compact"], ["export"]]
)
def test_every_command_applies_prefect_settings_before_prefect_is_imported(tmp_path: Path, command: list[str]) -> None:
    """The settings Prefect itself uses in the command's process are ``[prefect] home`` and
    ``startup_timeout_s`` (no environment variable set them)."""
    home = tmp_path / "prefect-home"
    raw = tmp_path / "raw"
    raw.mkdir()
    cfg = config_file(tmp_path, "[parse]\nworkers = 1", sources=files_source(raw))
    text = cfg.read_text(encoding="utf-8").replace(f'home = "{os.environ["PREFECT_HOME"]}"', f'home = "{home}"')
    cfg.write_text(text.replace("[prefect]\n", "[prefect]\nstartup_timeout_s = 77\n"), encoding="utf-8")
    (tmp_path / "data").mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PREFECT_HOME", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS")
    }
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *command, "--config", str(cfg)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"home": str(home), "timeout": 77}, done.stderr[-2000:]


def test_the_flow_itself_refuses_a_missing_source_path(tmp_path: Path) -> None:
    """A deployment's run (no CLI in front) fails at once on the same check, before it writes anything."""
    from flows.pipeline import news_pipeline
    from tasks.config import ConfigError

    cfg = config_file(tmp_path, sources=files_source(tmp_path / "raw-typo", name="site"))
    with pytest.raises(ConfigError, match=r"sources\[0\] \(site\) path not found"):
        news_pipeline.fn(config=str(cfg))
    assert not (tmp_path / "data").exists()
