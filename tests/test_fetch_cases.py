"""Fetch-stage field cases (D20 feeds with relative links, D22 sitemap dates) served by a real HTTP server on
127.0.0.1, plus the discovery-side hostile inputs of issue #15 (robots.txt of feed and sitemap documents, impossible
ports, non-http(s) sitemap children, unreadable folders, JSON served as HTML, the default ``max_items`` cap).

The cases are read from ``../shared/cases/field-cases.jsonl`` when present, else from the copy in
``tests/golden/fetch-cases.jsonl``; ``{BASE}`` is the test server's ``http://127.0.0.1:<port>``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from tasks import fetch, parse
from tasks.config import FetchConfig, SourceConfig, load_settings
from tests.conftest import REPO, SHARED

pytestmark = pytest.mark.timeout(60)


def _load_cases() -> dict[str, dict[str, Any]]:
    cases: dict[str, dict[str, Any]] = {}
    for path in (REPO / "tests" / "golden" / "fetch-cases.jsonl", SHARED / "cases" / "field-cases.jsonl"):
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    case = json.loads(line)
                    cases[case["id"]] = case
    return cases


CASES = _load_cases()


@pytest.fixture
def http() -> Iterator[HTTPServer]:
    """A fresh loopback server per test (no late request of one test reaches the next)."""
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    fetch._ROBOTS_CACHE.clear()
    yield srv
    srv.clear()
    srv.stop()
    fetch._ROBOTS_CACHE.clear()


def _serve_case(http: HTTPServer, case: dict[str, Any]) -> tuple[str, SourceConfig, FetchConfig]:
    """Serve every path of ``case`` (robots.txt answers 404) and return ({BASE}, the source, the fetch config)."""
    base = http.url_for("").rstrip("/")
    http.expect_request("/robots.txt").respond_with_data("not found", status=404, content_type="text/plain")
    for path, doc in case["input"]["served"].items():
        http.expect_request(path).respond_with_data(
            doc["body"].replace("{BASE}", base), status=doc["status"], headers=doc["http_headers"]
        )
    import tomllib

    raw = tomllib.loads(case["input"]["source_toml"].replace("{BASE}", base))["sources"][0]
    since = raw.get("since")
    source = SourceConfig(
        raw["name"],
        raw["kind"],
        url=raw["url"],
        since=fetch._parse_iso(since.isoformat()) if since is not None else None,
    )
    fetch_cfg = dataclasses.replace(FetchConfig(), **case["input"]["fetch_config"])
    return base, source, fetch_cfg


def _paths(http: HTTPServer) -> list[str]:
    return [req.path for req, _ in http.log]


# ------------------------------------------------------------------------------------------------ D20


def test_d20_feed_relative_links_resolve_against_xml_base_and_the_feed_url(http: HTTPServer) -> None:
    case = CASES.get("D20") or pytest.skip("field case D20 not available")
    base, source, cfg = _serve_case(http, case)
    items, rejects = fetch.discover(source, cfg)
    fetched, fetch_rejects = fetch.fetch_items(items, cfg)
    expected = case["expected"]
    assert len(rejects) + len(fetch_rejects) == expected["rejects"], rejects + fetch_rejects
    assert [r["url"] for r in fetched] == [u.replace("{BASE}", base) for u in expected["fetched_urls"]]
    titles = [
        parse.parse_document(r["content"], r["content_type"], r["url"], r["fetched_at"])["title"] for r in fetched
    ]
    assert titles == expected["articles_titles"]
    assert not set(expected["must_not_request"]) & set(_paths(http))


def test_relative_rss_link_resolves_against_the_feed_url_after_redirects(http: HTTPServer) -> None:
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>w</title>'
        "<item><title>a</title><link>/story/1</link></item>"
        "<item><title>b</title><link>2024/story-2</link></item></channel></rss>"
    )
    http.expect_request("/old/feed").respond_with_data("", status=301, headers={"Location": "/wire/feed.xml"})
    http.expect_request("/wire/feed.xml").respond_with_data(rss, content_type="application/rss+xml")
    base = http.url_for("").rstrip("/")
    cfg = FetchConfig(allow_private_addresses=True, robots_txt=False, per_host_delay_s=0.0, retries=0)
    items, rejects = fetch.discover(SourceConfig("w", "feed", url=base + "/old/feed"), cfg)
    assert rejects == []
    assert [i.uri for i in items] == [base + "/story/1", base + "/wire/2024/story-2"]


def test_relative_link_in_a_local_feed_is_an_invalid_url_that_says_why(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text('<rss version="2.0"><channel><title>w</title><item><link>/a/1</link></item></channel></rss>')
    items, rejects = fetch.discover(SourceConfig("w", "feed", path=str(feed)), FetchConfig())
    assert items == [] and [r["reason"] for r in rejects] == ["invalid_url"]
    assert "relative" in rejects[0]["detail"]
