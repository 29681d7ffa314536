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
from tasks.config import FetchConfig, SourceConfig
from tests.conftest import REPO, load_field_cases

pytestmark = pytest.mark.timeout(60)


CASES = load_field_cases(REPO / "tests" / "golden" / "fetch-cases.jsonl")


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


# ------------------------------------------------------------------------------------------------ D22


def test_d22_sitemap_dates_in_other_formats_never_read_month_first(http: HTTPServer) -> None:
    case = CASES.get("D22") or pytest.skip("field case D22 not available")
    base, source, cfg = _serve_case(http, case)
    items, rejects = fetch.discover(source, cfg)
    expected = case["expected"]
    assert [r for r in rejects if r["reason"] == "sitemap_error"] == []
    found = {i.uri for i in items}
    assert {u.replace("{BASE}", base) for u in expected["fetched_urls_include"]} <= found
    assert not {u.replace("{BASE}", base) for u in expected["not_fetched"]} & found
    by_uri = {i.uri: i.meta for i in items}
    assert by_uri[base + "/news/a3-dotted"]["lastmod"] == "2024-12-04T00:00:00Z"  # 4 December, not 12 April
    assert by_uri[base + "/news/a1-null"]["lastmod"] is None  # unknown: undated, kept
    fetched, fetch_rejects = fetch.fetch_items(items, cfg)
    assert fetch_rejects == [] and {r["uri"] for r in fetched} == found


@pytest.mark.parametrize(
    ("lastmod", "iso"),
    [
        ("2024-12-04", "2024-12-04T00:00:00Z"),
        ("2024-12-04T10:00:00+01:00", "2024-12-04T09:00:00Z"),
        ("04.12.2024", "2024-12-04T00:00:00Z"),
        ("04.12.2024 14:30", "2024-12-04T14:30:00Z"),
        ("2024/12/04", "2024-12-04T00:00:00Z"),
        ("2024-12-04 10:00 CET", "2024-12-04T09:00:00Z"),
        ("Wed, 04 Dec 2024 10:00:00 GMT", "2024-12-04T10:00:00Z"),
        ("25/12/2024", "2024-12-25T00:00:00Z"),  # the numbers prove the order
        ("04/12/2024", None),  # order not stated: unknown, never month-first
        ("12-04-2024", None),
        ("null", None),
        ("2024-13-45", None),
        ("", None),
        ("9" * 500, None),
    ],
)
def test_sitemap_lastmod_formats(lastmod: str, iso: str | None) -> None:
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>http://news.example/a</loc><lastmod>{lastmod}</lastmod></url>"
        "<url><loc>http://news.example/b</loc></url></urlset>"
    )
    children, pages = fetch._sitemap_pages("sitemap.xml", doc.encode(), 1_000_000)
    assert children == [] and [p["url"] for p in pages] == ["http://news.example/a", "http://news.example/b"]
    assert fetch._iso(pages[0]["lastmod"]) == iso
    since = fetch._parse_iso("2024-06-01T00:00:00+00:00")
    items = [fetch.FetchItem("s", p["url"], None, p["url"], {"date": fetch._iso(p["lastmod"])}) for p in pages]
    kept = fetch.apply_filters(SourceConfig("s", "sitemap", url="http://news.example/sm.xml", since=since), items)
    assert len(kept) == 2  # December (or unknown) pages are never dropped by a June since filter


def test_google_news_sitemap_dates_and_titles_survive_odd_forms_and_image_locs() -> None:
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
        ' xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">'
        "<url><image:image><image:loc>http://news.example/i.jpg</image:loc><image:title>Pic</image:title>"
        "</image:image><loc>http://news.example/a</loc><news:news><news:publication><news:name>W</news:name>"
        "<news:language>de</news:language></news:publication><news:publication_date>04.12.2024 10:00"
        "</news:publication_date><news:title>Br&#252;cke offen</news:title></news:news></url>"
        "<url><loc>http://news.example/b</loc><lastmod>99999999999999999999999</lastmod></url></urlset>"
    )
    _, pages = fetch._sitemap_pages("news.xml", doc.encode(), 1_000_000)
    assert [(p["url"], fetch._iso(p["published"]), p["title"]) for p in pages] == [
        ("http://news.example/a", "2024-12-04T10:00:00Z", "Brücke offen"),
        ("http://news.example/b", None, None),
    ]


# ------------------------------------------------------------------------------------------------ invalid URLs


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/a", "http://127.0.0.1:0/a", "https://127.0.0.1:70000/"])
def test_impossible_port_is_an_invalid_url(url: str) -> None:
    cfg = FetchConfig(allow_private_addresses=True, robots_txt=False, retries=0)
    stats = fetch.FetchStats()
    fetched, rejects = fetch.fetch_items([fetch.FetchItem("web", url, None, url, {})], cfg, stats=stats)
    assert fetched == [] and stats.deferred == 0
    assert [r["reason"] for r in rejects] == ["invalid_url"] and "port" in rejects[0]["detail"]


def test_sitemap_entries_that_are_not_http_are_rejected_not_lost(http: HTTPServer) -> None:
    u = http.url_for
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    index = (
        f'<?xml version="1.0"?><sitemapindex {ns}><sitemap><loc>ftp://files.example/a.xml</loc></sitemap>'
        f"<sitemap><loc>/relative.xml</loc></sitemap><sitemap><loc>{u('/b.xml')}</loc></sitemap></sitemapindex>"
    )
    urlset = (
        f'<?xml version="1.0"?><urlset {ns}><url><loc>javascript:alert(1)</loc></url>'
        f"<url><loc>{u('/page')}</loc></url></urlset>"
    )
    http.expect_request("/index.xml").respond_with_data(index, content_type="application/xml")
    http.expect_request("/b.xml").respond_with_data(urlset, content_type="application/xml")
    cfg = FetchConfig(allow_private_addresses=True, robots_txt=False, per_host_delay_s=0.0, retries=0)
    items, rejects = fetch.discover(SourceConfig("s", "sitemap", url=u("/index.xml")), cfg)
    assert [i.uri for i in items] == [u("/page")]
    assert sorted((r["uri"], r["reason"]) for r in rejects) == [
        ("/relative.xml", "invalid_url"),
        ("ftp://files.example/a.xml", "invalid_url"),
        ("javascript:alert(1)", "invalid_url"),
    ]


# ------------------------------------------------------------------------------------------------ unreadable folders

_DISCOVER_AS_NOBODY = """
import json, os, sys
from tasks import fetch  # imported first: the interpreter itself may live where nobody can read
from tasks.config import FetchConfig, SourceConfig
os.setgroups([]); os.setgid(65534); os.setuid(65534)  # an ordinary user: folder permissions apply again
items, rejects = fetch.discover(SourceConfig("s", "files", path=sys.argv[1]), FetchConfig())
print(json.dumps({"items": [i.uri for i in items], "rejects": [[r["uri"], r["reason"]] for r in rejects]}))
"""


def _discover_files(path: Path) -> tuple[list[str], list[list[str]]]:
    """Discover a files source at ``path`` as an ordinary user: in this process, or - when the tests run as root,
    who may read any folder - in a child process that drops to ``nobody`` first."""
    if os.geteuid() != 0:
        items, rejects = fetch.discover(SourceConfig("s", "files", path=str(path)), FetchConfig())
        return [i.uri for i in items], [[r["uri"], r["reason"]] for r in rejects]
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", _DISCOVER_AS_NOBODY, str(path)], capture_output=True, text=True, env=env, timeout=120
    )
    if proc.returncode != 0 and "PermissionError" in proc.stderr and "setuid" in proc.stderr:
        pytest.skip("running as root without the right to become nobody: chmod 000 cannot be tested here")
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return out["items"], out["rejects"]


@pytest.fixture
def world_path() -> Iterator[Path]:
    """A folder every user can reach (pytest's tmp_path is private to the user running the tests)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="newsflow-unreadable-"))
    folder.chmod(0o755)
    yield folder
    for sub in folder.rglob("*"):
        if sub.is_dir() and not sub.is_symlink():
            sub.chmod(0o755)
    shutil.rmtree(folder)


def test_unreadable_sub_folder_and_source_folder_are_read_errors(world_path: Path) -> None:
    raw = world_path / "raw"
    (raw / "locked").mkdir(parents=True)
    (raw / "ok.html").write_text("<html><body><p>ok</p></body></html>")
    (raw / "locked" / "hidden.html").write_text("<html><body><p>never seen</p></body></html>")
    (raw / "locked").chmod(0o000)
    raw.chmod(0o755)
    items, rejects = _discover_files(raw)
    assert items == ["file:ok.html"]
    assert rejects == [["file:locked/", "read_error"]]
    raw.chmod(0o311)  # the source folder itself cannot be listed (still searchable)
    items, rejects = _discover_files(raw)
    assert items == [] and rejects == [["file:/", "read_error"]]


def test_folder_whose_path_is_too_long_to_list_is_a_read_error(tmp_path: Path) -> None:
    """A failure even root cannot read past: a folder nested beyond PATH_MAX (ENAMETOOLONG)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "ok.html").write_text("<html><body><p>ok</p></body></html>")
    fd = os.open(raw, os.O_RDONLY)
    try:
        for _ in range(20):  # 20 x 251 characters: far beyond PATH_MAX (4096)
            os.mkdir("d" * 250, dir_fd=fd)
            nxt = os.open("d" * 250, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nxt
        with open(os.open("deep.html", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as fh:
            fh.write("<html><body><p>deep</p></body></html>")
    finally:
        os.close(fd)
    items, rejects = fetch.discover(SourceConfig("s", "files", path=str(raw)), FetchConfig())
    assert [i.uri for i in items] == ["file:ok.html"]
    assert [r["reason"] for r in rejects] == ["read_error"] and rejects[0]["uri"].startswith("file:" + "d" * 250)
    assert "cannot list folder" in rejects[0]["detail"]


# ------------------------------------------------------------------------------------------------ max_items


def test_every_source_has_a_default_max_items_cap(tmp_path: Path) -> None:
    from tasks.config import DEFAULT_MAX_ITEMS, load_settings

    cfg = tmp_path / "newsflow.toml"
    cfg.write_text(
        '[[sources]]\nname = "wire"\nkind = "feed"\nurl = "http://127.0.0.1:9/feed.xml"\n\n'
        '[[sources]]\nname = "small"\nkind = "feed"\nurl = "http://127.0.0.1:9/f2.xml"\nmax_items = 5\n'
    )
    wire, small = load_settings(cfg).sources
    assert DEFAULT_MAX_ITEMS == 10_000 and wire.max_items == DEFAULT_MAX_ITEMS and small.max_items == 5
    toml = (REPO / "newsflow.toml").read_text(encoding="utf-8")
    assert "max_items = 10000" in toml and "Default 10000" in toml
