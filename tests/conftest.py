"""Test set-up shared by all tests.

Prefect runs for real: tests that run flows use Prefect's temporary local API (a subprocess server on
127.0.0.1) with its home under the repository's ``.prefect-test/`` (git-ignored; its SQLite database is migrated on
the first run and reused afterwards). ``PREFECT_API_URL`` is removed so no test talks to an outside server.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SAMPLES = REPO / "data" / "raw" / "samples"

os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("PREFECT_PROFILE", None)
os.environ["PREFECT_HOME"] = str(REPO / ".prefect-test")
os.environ["PREFECT_SERVER_EPHEMERAL_ENABLED"] = "true"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "180"
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
Path(os.environ["PREFECT_HOME"]).mkdir(exist_ok=True)


# --- golden files (tests/test_parse.py): regenerated only on request ---------------------------------------

import json  # noqa: E402 - appended section; the environment set-up above must run first
from typing import Any  # noqa: E402


def pytest_addoption(parser: Any) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the parse golden files from the current parser (also NEWSFLOW_UPDATE_GOLDEN=1); "
        "review the diff by eye before committing",
    )


def config_file(
    folder: Path, tables: str = "", *, newsflow: str = "", sources: str = "", data_root: Path | None = None
) -> Path:
    """Write ``folder/newsflow.toml`` for a test: data root ``data_root`` (default ``folder/data``), the tests'
    Prefect home, extra ``[newsflow]`` keys, further ``tables`` (``[fetch]`` …) and ``[[sources]]`` tables.
    Returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    cfg = folder / "newsflow.toml"
    cfg.write_text(
        f'[newsflow]\ndata_root = "{data_root or folder / "data"}"\n{newsflow}\n\n'
        f'[prefect]\nhome = "{os.environ["PREFECT_HOME"]}"\n\n{tables}\n\n{sources}\n',
        encoding="utf-8",
    )
    return cfg


def copy_samples(raw: Path, names: list[str]) -> Path:
    """Copy the bundled sample pages ``names`` and their ``.meta.json`` sidecars into ``raw`` (created if
    missing); returns ``raw``."""
    raw.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SAMPLES / name, raw / name)
        shutil.copy(SAMPLES / f"{name}.meta.json", raw / f"{name}.meta.json")
    return raw


def files_source(path: Path, name: str = "samples") -> str:
    """A ``[[sources]]`` table of kind ``files`` reading ``path``."""
    return f'[[sources]]\nname = "{name}"\nkind = "files"\npath = "{path}"\n'


#: the shared field cases (inputs that broke other tools, with the right answers), when ../shared is present
FIELD_CASES = SHARED / "cases" / "field-cases.jsonl"


def load_field_cases(*copies: Path) -> dict[str, dict[str, Any]]:
    """Field cases by id: the repo's ``copies`` (``tests/golden/...``), overridden by :data:`FIELD_CASES` when
    present (newer)."""
    cases: dict[str, dict[str, Any]] = {}
    for path in (*copies, FIELD_CASES):
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    case = json.loads(line)
                    cases[case["id"]] = case
    return cases
