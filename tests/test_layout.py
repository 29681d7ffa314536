"""The code stays a place people can live in: module and function sizes (issue #13's limits) and the stage
packages' faces (every name callers import from ``tasks.parse`` / ``tasks.fetch`` / ``tasks.dedup`` is there)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

TASKS = Path(__file__).resolve().parent.parent / "tasks"
MODULE_MAX_LINES = 1000
FUNCTION_MAX_LINES = 150
PACKAGES_WITH_FUNCTION_LIMIT = ("parse", "fetch")


def _functions(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (f"{path.relative_to(TASKS.parent)}:{node.lineno} {node.name}", node.end_lineno - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None
    ]


def test_no_module_in_tasks_is_over_the_limit() -> None:
    too_long = {
        str(p.relative_to(TASKS.parent)): n
        for p in TASKS.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MODULE_MAX_LINES
    }
    assert too_long == {}


@pytest.mark.parametrize("package", PACKAGES_WITH_FUNCTION_LIMIT)
def test_no_function_in_a_stage_package_is_over_the_limit(package: str) -> None:
    files = sorted((TASKS / package).glob("*.py"))
    assert files, f"tasks/{package}/ is a package"
    too_long = {name: n for f in files for name, n in _functions(f) if n > FUNCTION_MAX_LINES}
    assert too_long == {}


def test_parse_html_is_a_short_orchestrator() -> None:
    from tasks.parse import article

    ((_, n),) = [(name, n) for name, n in _functions(Path(article.__file__)) if name.endswith(" parse_html")]
    assert n < 100


@pytest.mark.parametrize(
    ("package", "names"),
    [
        (
            "tasks.parse",
            [
                *("parse_html", "parse_text", "parse_document", "decode_html", "sniff_mime", "FIELDS"),
                *("PARSE_VERSION", "REASONS", "AGENCIES", "ParseError", "clean_paragraphs", "split_credit"),
            ],
        ),
        ("tasks.fetch", ["fetch_items", "discover", "count_pending", "make_doc_id", "FetchItem", "FetchStats"]),
        ("tasks.dedup", ["canonical_url", "dedup_batch", "resolve_clusters", "DedupIndex", "DEDUP_VERSION"]),
    ],
)
def test_package_face_keeps_the_names_callers_import(package: str, names: list[str]) -> None:
    module = importlib.import_module(package)
    assert [n for n in names if not hasattr(module, n)] == []


def test_replacing_a_name_on_the_face_reaches_the_module_that_calls_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """``monkeypatch.setattr(tasks.parse, "_trafilatura_body", fake)`` worked on the single module; it still does."""
    import tasks.parse as parse
    from tasks.parse import body, extract

    original = extract._trafilatura_body
    calls: list[bool] = []

    def fake(tree: object, url: str | None, fast: bool) -> None:
        calls.append(fast)
        return None

    monkeypatch.setattr(parse, "_trafilatura_body", fake)
    assert body._trafilatura_body is fake and extract._trafilatura_body is fake
    parse.parse_html("<html><body><article><h1>Title here</h1><p>Some text of the article.</p></article></body></html>")
    assert calls  # the body extraction called the replacement
    monkeypatch.undo()
    assert body._trafilatura_body is original and extract._trafilatura_body is original
