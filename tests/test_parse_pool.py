"""The parse worker pool (tasks/parse/pool.py): the per-page clock starts when a worker starts the page, a worker's
cold start never counts against a page, a timeout costs only its own worker, and workers import no Prefect.

The helpers below run inside spawned worker processes, which import this module by name (``tests`` is a package):
it must stay free of Prefect and of anything slow at import.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

import pytest

from tasks.parse import pool

_ARTICLE = (
    "<html lang='en'><head><title>{title} | Made-up Gazette</title></head><body><article><h1>{title}</h1>"
    + "<p>The council of a made-up town met on Monday and agreed on next year's budget after a long debate. </p>" * 6
    + "</article></body></html>"
)


def _row(title: str, paragraphs: int = 1) -> dict[str, object]:
    html = _ARTICLE.format(title=title).replace("</article>", "<p>Another paragraph about the budget.</p>" * paragraphs)
    return {
        "content": (html + "</article>").encode() if paragraphs > 1 else _ARTICLE.format(title=title).encode(),
        "content_type": "text/html; charset=utf-8",
        "url": f"https://gazette.invalid/{title.lower().replace(' ', '-')}",
        "fetched_at": dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        "http_status": 200,
    }


def slow_cold_start() -> None:
    """Worker initializer for the test: a cold start far longer than the per-page limit (a loaded machine)."""
    time.sleep(3.0)
    pool.warm_worker()


def loaded_modules() -> tuple[bool, bool]:
    """Runs in a worker: (Prefect imported?, parser imported?)."""
    return "prefect" in sys.modules, "tasks.parse" in sys.modules


@pytest.fixture(autouse=True)
def _fresh_pool():
    pool.shutdown_pool(kill=True)
    yield
    pool.shutdown_pool(kill=True)


def test_cold_start_does_not_count_against_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers that need 3 s to start, a 2 s limit per page, pages that parse in milliseconds: every page is
    parsed. With the clock started at hand-off (the former pool), the first page of each worker was rejected."""
    monkeypatch.setattr(pool, "warm_up", slow_cold_start)
    rows = [_row(f"Budget story number {i}") for i in range(6)]
    results = pool.parse_rows(rows, workers=2, timeout_s=2.0)
    assert [kind for kind, _ in results] == ["ok"] * 6, results
    assert [value["title"] for _, value in results] == [f"Budget story number {i}" for i in range(6)]


def test_a_timeout_costs_only_its_page() -> None:
    """Long pages (seconds of parsing) under a limit of 0.2 s are rejected as parse_timeout, in order; the pool
    then serves the next call with a normal limit, whose pages are all parsed (killed workers were replaced)."""
    rows = [_row(f"Late story {i}", paragraphs=20_000) for i in range(3)]
    late = pool.parse_rows(rows, workers=2, timeout_s=0.2)
    assert [(kind, value[0]) for kind, value in late] == [("reject", "parse_timeout")] * 3
    assert "of parsing" in late[0][1][1]
    ok = pool.parse_rows(rows, workers=2, timeout_s=120)
    assert [value["title"] for _, value in ok] == [f"Late story {i}" for i in range(3)]


def test_workers_do_not_import_prefect() -> None:
    """A parse worker imports the parser and nothing of Prefect (its import costs seconds per worker)."""
    pool.parse_rows([_row("Warm the pool")], workers=1, timeout_s=120)
    prefect_loaded, parser_loaded = pool._pool(1).schedule(loaded_modules).result(timeout=120)
    assert parser_loaded and not prefect_loaded


@pytest.mark.parametrize(
    ("row_update", "reason"),
    [
        ({"content": b"\x89PNG\r\n\x1a\n" + bytes(200), "content_type": "image/png"}, "not_html"),
        ({"content": b"<html><body><nav><a href='/'>Home</a></nav></body></html>"}, "no_article_text"),
    ],
    ids=["image", "no-text"],
)
def test_rejects_keep_their_reason(row_update: dict[str, object], reason: str) -> None:
    """A page the parser refuses comes back as its own reject reason, beside a good page of the same batch."""
    bad = {**_row("Refused page"), **row_update}
    results = pool.parse_rows([_row("Good page"), bad], workers=1, timeout_s=120)
    assert results[0][0] == "ok"
    assert results[1][0] == "reject" and results[1][1][0] == reason
