"""Tests of tasks/fetch.py against real local files and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tasks import fetch, schemas
from tasks.config import FetchConfig, SourceConfig
from tasks.fetch import FetchItem

pytestmark = pytest.mark.timeout(60)

CFG = FetchConfig(
    robots_txt=False,
    per_host_delay_s=0.0,
    backoff_base_s=0.02,
    allow_private_addresses=True,
    timeout_s=2.0,
    retries=1,
    max_redirects=5,
    max_bytes=50_000,
)
HTML = b"<!doctype html><html><head><title>T</title></head><body><p>Hello world.</p></body></html>"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
# field case C04: a PDF served as text/html
PDF = (
    "%PDF-1.7\n%âãÏÓ\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n"
    "<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
).encode("latin-1")


@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    """A threaded server on 127.0.0.1 (a slow handler must not block the others)."""
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    srv.clear()
    srv.stop()


@pytest.fixture
def http(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    server.clear()
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    return server


def url_items(*urls: str, source: str = "web") -> list[FetchItem]:
    return [FetchItem(source=source, uri=u, path=None, url=u, meta={}) for u in urls]


def by_uri(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["uri"]: r for r in rows}


def check_rows(fetched: list[dict[str, Any]], rejects: list[dict[str, Any]]) -> None:
    """Rows fit the declared schemas and reasons are from the closed set."""
    schemas.conform(fetched, schemas.FETCHED)
    for r in rejects:
        assert r["reason"] in schemas.REJECT_REASONS["fetch"], r
        assert set(r) >= {"doc_id", "content_sha256", "source", "uri", "reason", "detail"}
        assert r["doc_id"] == fetch.document_id(r["source"], r["uri"])
    for r in fetched:
        assert r["doc_id"] == fetch.document_id(r["source"], r["uri"])
        assert r["fetched_at"].tzinfo is not None
        assert r["content_length"] == len(r["content"])


# ------------------------------------------------------------------------------------------------ basics


def test_make_doc_id_is_stable_and_short() -> None:
    a = fetch.make_doc_id("https://example.org/a")
    assert a == fetch.make_doc_id("https://example.org/a")
    assert a != fetch.make_doc_id("https://example.org/b")
    assert len(a) == 16 and int(a, 16) >= 0


@pytest.mark.parametrize(
    ("data", "declared", "expected"),
    [
        (HTML, "text/html", "text/html"),
        (b"<p>short fragment</p>", None, "text/html"),
        (b"Just some plain words.\nAnother line.", "text/html", "text/plain"),
        (b"<custom-tag>x</custom-tag>", "text/html; charset=utf-8", "text/html"),
        (b"<custom-tag>x</custom-tag>", "text/plain", "text/plain"),
        (PDF, "text/html; charset=utf-8", "application/pdf"),
        (PNG, "text/html", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", None, "image/jpeg"),
        (b"GIF89a\x01\x00", None, "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", None, "image/webp"),
        (b"PK\x03\x04\x14\x00", "text/html", "application/zip"),
        (gzip.compress(HTML), "text/html", "application/gzip"),
        (b"abc\x00def", "text/plain", "application/octet-stream"),
        (bytes(range(1, 32)) * 10, None, "application/octet-stream"),
        (
            b'<?xml version="1.0"?><rss><channel><title>x</title></channel></rss>',
            None,
            "application/xml",
        ),
        ("\ufeff<html><body>x</body></html>".encode("utf-16"), None, "text/html"),
        ("Grüße aus Köln".encode("latin-1"), None, "text/plain"),
    ],
)
def test_sniff_media_type(data: bytes, declared: str | None, expected: str) -> None:
    assert fetch.sniff_media_type(data, declared) == expected


ARTICLE = (
    b"<!doctype html><html><head><title>T</title></head><body><article><h1>T</h1>"
    + b"<p>Der Gemeinderat hat am Montag den Haushalt beschlossen und die Gebuehren gesenkt.</p>" * 20
    + b"</article></body></html>"
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # a few stray NULs / controls inside real HTML: still HTML (the parser removes them)
        (ARTICLE.replace(b"Montag", b"Mon\x00tag", 1), "text/html"),
        (ARTICLE.replace(b"Montag", b"Mon\x00tag"), "text/html"),  # 20 NULs in ~2 KB
        (ARTICLE.replace(b"Haushalt", b"Haus\x00\x01halt", 3), "text/html"),
        (b"\x00" + ARTICLE, "text/html"),
        # binary: magic numbers win, and mostly-NUL/control data stays binary
        (PDF + b"\x00" * 3, "application/pdf"),
        (PNG, "image/png"),
        (b"PK\x03\x04" + ARTICLE, "application/zip"),
        (gzip.compress(ARTICLE), "application/gzip"),
        (ARTICLE.decode().encode("utf-16-le"), "application/octet-stream"),  # UTF-16 without BOM
        (ARTICLE.decode().encode("utf-32-le"), "application/octet-stream"),
        (bytes(range(256)) * 40, "application/octet-stream"),
        (ARTICLE[:200] + b"\x00" * 20, "application/octet-stream"),  # 9 % NULs
    ],
)
def test_sniff_stray_nuls_are_text_binary_stays_binary(data: bytes, expected: str) -> None:
    assert fetch.sniff_media_type(data, "text/html") == expected


def test_feed_text_and_dates_cases_c16_c17() -> None:
    assert fetch.clean_feed_text("Acme &amp; Partners win <b>award</b>") == "Acme & Partners win award"
    assert fetch.clean_feed_text("Savings &amp;amp; Trust") == "Savings & Trust"
    assert fetch.feed_date_iso("2023/7/28 09:41:05") == "2023-07-28T09:41:05"  # zone unknown: naive
    assert fetch.feed_date_iso("Fri, 28 Jul 2023 08:57:00 +0000") == "2023-07-28T08:57:00Z"
    assert fetch.feed_date_iso("2023-07-28T10:57:00+02:00") == "2023-07-28T08:57:00Z"
    assert fetch.feed_date_iso("yesterday-ish") is None


# ------------------------------------------------------------------------------------------------ local files


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "raw"
    (root / "sub").mkdir(parents=True)
    (root / "a.html").write_bytes(HTML)
    (root / "b.htm").write_bytes(HTML.replace(b"Hello", b"Hi"))
    (root / "sub" / "c.html.gz").write_bytes(gzip.compress(HTML.replace(b"Hello", b"Gzip")))
    (root / "sub" / "c.html.gz.meta.json").write_text(
        json.dumps({"url": "https://news.example.org/c", "fetched_at": "2024-05-03T10:00:00+02:00"})
    )
    (root / "d.txt").write_text("Plain text article.\nSecond paragraph.", encoding="utf-8")
    (root / "urls.tsv").write_text(
        "d.txt\thttps://news.example.org/d\n# comment\nsub/c.html.gz\thttps://ignored.example/\n"
    )
    (root / "e.txt.gz").write_bytes(gzip.compress(b"Gzipped plain text."))
    (root / "README.md").write_text("# not an input")
    (root / "notes.json").write_text("{}")
    (root / ".hidden.html").write_bytes(HTML)
    (root / "empty.html").write_bytes(b"")
    (root / "blank.txt").write_bytes(b"  \n\t \n")
    (root / "image.html").write_bytes(PNG)
    (root / "report.html").write_bytes(PDF)
    (root / "bad.html.gz").write_bytes(b"not gzip at all")
    (root / "big.html.gz").write_bytes(gzip.compress(b"<p>" + b"a" * 200_000 + b"</p>"))
    (root / "typed.html").write_bytes(HTML)
    (root / "typed.html.meta.json").write_text(json.dumps({"content_type": "text/html; charset=iso-8859-1"}))
    return root


# uri → ("fetched", url, content_type) or ("rejected", reason)
FOLDER_CASES: dict[str, tuple[str, ...]] = {
    "file:a.html": ("fetched", "", "text/html"),
    "file:b.htm": ("fetched", "", "text/html"),
    "file:sub/c.html.gz": ("fetched", "https://news.example.org/c", "text/html"),  # sidecar beats urls.tsv
    "file:d.txt": ("fetched", "https://news.example.org/d", "text/plain"),  # from urls.tsv
    "file:e.txt.gz": ("fetched", "", "text/plain"),
    "file:typed.html": ("fetched", "", "text/html; charset=iso-8859-1"),
    "file:empty.html": ("rejected", "empty_content"),
    "file:blank.txt": ("rejected", "empty_content"),
    "file:image.html": ("rejected", "unsupported_media_type"),
    "file:report.html": ("rejected", "unsupported_media_type"),
    "file:bad.html.gz": ("rejected", "read_error"),
    "file:big.html.gz": ("rejected", "too_large"),
}


def test_files_folder_table(folder: Path) -> None:
    items, discover_rejects = fetch.discover(SourceConfig("local", "files", str(folder)), CFG)
    assert discover_rejects == []
    assert sorted(i.uri for i in items) == sorted(FOLDER_CASES)  # README, json, hidden files ignored
    fetched, rejects = fetch.fetch_items(items, CFG)
    check_rows(fetched, rejects)
    rows, rej = by_uri(fetched), by_uri(rejects)
    assert len(rows) + len(rej) == len(FOLDER_CASES)
    for uri, expected in FOLDER_CASES.items():
        if expected[0] == "fetched":
            row = rows[uri]
            assert row["url"] == (expected[1] or None), uri
            assert row["content_type"] == expected[2], uri
            assert row["http_status"] is None and row["final_url"] is None
            assert row["source"] == "local"
        else:
            assert rej[uri]["reason"] == expected[1], (uri, rej.get(uri))
    c = rows["file:sub/c.html.gz"]
    assert b"Gzip" in c["content"]  # stored decompressed
    assert c["content_sha256"] == fetch.hashlib.sha256(c["content"]).hexdigest()
    assert c["fetched_at"] == dt.datetime(2024, 5, 3, 8, 0, tzinfo=dt.UTC)
    assert rows["file:a.html"]["fetched_at"] > dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    assert "image/png" in rej["file:image.html"]["detail"]
    assert "application/pdf" in rej["file:report.html"]["detail"]  # C04: never reaches the parser
    assert rej["file:empty.html"]["content_sha256"] is not None


def test_single_file_source_and_bad_sidecar(tmp_path: Path) -> None:
    page = tmp_path / "one.html"
    page.write_bytes(HTML)
    items, rejects = fetch.discover(SourceConfig("one", "files", str(page)), CFG)
    assert [i.uri for i in items] == ["file:one.html"] and rejects == []
    (tmp_path / "one.html.meta.json").write_text("{not json")
    items, rejects = fetch.discover(SourceConfig("one", "files", str(page)), CFG)
    assert items == [] and [r["reason"] for r in rejects] == ["read_error"]
    items, rejects = fetch.discover(SourceConfig("gone", "files", str(tmp_path / "missing")), CFG)
    assert items == [] and rejects[0]["reason"] == "read_error"


def test_skip_files_by_content_hash(folder: Path) -> None:
    items, _ = fetch.discover(SourceConfig("local", "files", str(folder)), CFG)
    first, _ = fetch.fetch_items(items, CFG)
    known = {(r["doc_id"], r["content_sha256"]) for r in first}
    calls: list[tuple[str, str | None]] = []

    def skip(item: FetchItem, sha: str | None) -> bool:
        calls.append((item.uri, sha))
        return (item.doc_id, sha) in known

    again, _ = fetch.fetch_items(items, CFG, skip=skip)
    assert again == []  # nothing changed
    assert all(sha is not None for _, sha in calls)
    (folder / "a.html").write_bytes(HTML.replace(b"Hello", b"Changed"))
    changed, _ = fetch.fetch_items(items, CFG, skip=skip)
    assert [r["uri"] for r in changed] == ["file:a.html"]  # a new version of the same document
    old = next(r for r in first if r["uri"] == "file:a.html")
    assert changed[0]["doc_id"] == old["doc_id"] and changed[0]["content_sha256"] != old["content_sha256"]


def test_count_pending_offline(folder: Path) -> None:
    source = SourceConfig("local", "files", str(folder))
    items, _ = fetch.discover(source, CFG)
    fetched, rejects = fetch.fetch_items(items, CFG)
    assert fetch.count_pending(source, CFG, lambda item, key: False) == len(FOLDER_CASES)
    known = {(r["doc_id"], r["content_sha256"]) for r in fetched + rejects}

    def skip(item: fetch.FetchItem, key: str | None) -> bool:
        return (item.doc_id, key) in known

    assert fetch.count_pending(source, CFG, skip) == 0
    assert fetch.count_pending(SourceConfig("f", "feed", url="http://127.0.0.1:9/feed"), CFG, skip) is None


# ------------------------------------------------------------------------------------------------ URL lists


def test_url_list_discovery(tmp_path: Path) -> None:
    lst = tmp_path / "urls.txt"
    lst.write_text("# news\nhttps://a.example/1\n\n  https://a.example/2\tcomment column\nhttps://a.example/1\n")
    items, rejects = fetch.discover(SourceConfig("list", "urls", str(lst)), CFG)
    assert [i.uri for i in items] == ["https://a.example/1", "https://a.example/2"] and rejects == []
    items, rejects = fetch.discover(SourceConfig("list", "urls", str(tmp_path / "nope.txt")), CFG)
    assert items == [] and rejects[0]["reason"] == "read_error"


def test_http_table(http: HTTPServer) -> None:
    u = http.url_for
    http.expect_request("/ok").respond_with_data(HTML, content_type="text/html; charset=windows-1252")
    http.expect_request("/plain").respond_with_data("Plain words only.", content_type="text/plain")
    http.expect_request("/missing").respond_with_data("nope", status=404, content_type="text/html")
    http.expect_oneshot_request("/flaky").respond_with_data("busy", status=503)
    http.expect_request("/flaky").respond_with_data(HTML, content_type="text/html")
    http.expect_oneshot_request("/limited").respond_with_data("slow down", status=429, headers={"Retry-After": "0"})
    http.expect_request("/limited").respond_with_data(HTML, content_type="text/html")
    http.expect_request("/down").respond_with_data("down", status=500)
    http.expect_request("/r1").respond_with_data("", status=301, headers={"Location": u("/r2")})
    http.expect_request("/r2").respond_with_data("", status=302, headers={"Location": "/final"})  # relative
    http.expect_request("/final").respond_with_data(HTML, content_type="text/html")
    http.expect_request("/loop1").respond_with_data("", status=301, headers={"Location": u("/loop2")})
    http.expect_request("/loop2").respond_with_data("", status=301, headers={"Location": u("/loop1")})
    for i in range(8):
        http.expect_request(f"/hop{i}").respond_with_data("", status=307, headers={"Location": u(f"/hop{i + 1}")})
    http.expect_request("/big").respond_with_data(b"<p>" + b"x" * 100_000 + b"</p>", content_type="text/html")
    http.expect_request("/pdf").respond_with_data(PDF, content_type="text/html; charset=utf-8")
    http.expect_request("/png").respond_with_data(PNG, content_type="text/html")
    http.expect_request("/empty").respond_with_data(b"", content_type="text/html")
    http.expect_request("/to-ftp").respond_with_data("", status=301, headers={"Location": "ftp://127.0.0.1/x"})

    cases: dict[str, tuple[str, ...]] = {
        u("/ok"): ("fetched",),
        u("/plain"): ("fetched",),
        u("/missing"): ("rejected", "http_4xx"),
        u("/flaky"): ("fetched",),
        u("/limited"): ("fetched",),
        u("/down"): ("rejected", "http_5xx"),
        u("/r1"): ("fetched",),
        u("/loop1"): ("rejected", "redirect_loop"),
        u("/hop0"): ("rejected", "redirect_loop"),  # more than max_redirects=5 hops
        u("/big"): ("rejected", "too_large"),
        u("/pdf"): ("rejected", "unsupported_media_type"),  # C04
        u("/png"): ("rejected", "unsupported_media_type"),
        u("/empty"): ("rejected", "empty_content"),
        u("/to-ftp"): ("rejected", "invalid_url"),
        "ftp://127.0.0.1/file.html": ("rejected", "invalid_url"),
        "not a url": ("rejected", "invalid_url"),
        "http://": ("rejected", "invalid_url"),
    }
    fetched, rejects = fetch.fetch_items(url_items(*cases), CFG)
    check_rows(fetched, rejects)
    rows, rej = by_uri(fetched), by_uri(rejects)
    assert [r["uri"] for r in fetched + rejects if r["uri"] not in cases] == []
    for uri, expected in cases.items():
        if expected[0] == "fetched":
            assert uri in rows, (uri, rej.get(uri))
        else:
            assert uri in rej and rej[uri]["reason"] == expected[1], (uri, rej.get(uri), uri in rows)

    ok = rows[u("/ok")]
    assert ok["content"] == HTML and ok["http_status"] == 200
    assert ok["content_type"] == "text/html; charset=windows-1252"  # the parser needs the HTTP charset
    assert ok["final_url"] == u("/ok") and ok["redirects"] == [] and ok["url"] == u("/ok")
    assert rows[u("/plain")]["content_type"] == "text/plain"
    redirected = rows[u("/r1")]
    assert redirected["redirects"] == [u("/r1"), u("/r2")]
    assert redirected["final_url"] == u("/final")
    assert redirected["doc_id"] == fetch.make_doc_id(u("/r1"))  # identity = the requested URL
    assert "attempts=2" in rej[u("/down")]["detail"] and "500" in rej[u("/down")]["detail"]
    assert "404" in rej[u("/missing")]["detail"] and "attempts=1" in rej[u("/missing")]["detail"]
    assert "application/pdf" in rej[u("/pdf")]["detail"]
    assert rej[u("/pdf")]["content_sha256"] is not None
    assert rej[u("/missing")]["content_sha256"] is None
    # 404 is not retried, 500 is (retries=1)
    paths = [req.path for req, _ in http.log]
    assert paths.count("/missing") == 1 and paths.count("/down") == 2 and paths.count("/flaky") == 2


def test_user_agent_sent(http: HTTPServer) -> None:
    cfg = FetchConfig(
        robots_txt=False,
        per_host_delay_s=0.0,
        backoff_base_s=0.02,
        allow_private_addresses=True,
        timeout_s=2.0,
        retries=0,
        user_agent="newsflow-test/1",
    )
    http.expect_request("/ua", headers={"User-Agent": "newsflow-test/1"}).respond_with_data(
        HTML, content_type="text/html"
    )
    fetched, rejects = fetch.fetch_items(url_items(http.url_for("/ua")), cfg)
    assert len(fetched) == 1 and rejects == []


def test_streamed_body_over_cap(http: HTTPServer) -> None:
    def chunks(_: Request) -> Response:
        return Response((b"<p>" + b"y" * 10_000 for _ in range(20)), content_type="text/html")  # no length

    http.expect_request("/stream").respond_with_handler(chunks)
    fetched, rejects = fetch.fetch_items(url_items(http.url_for("/stream")), CFG)
    assert fetched == [] and rejects[0]["reason"] == "too_large"


def test_slow_server_times_out(http: HTTPServer) -> None:
    def slow(_: Request) -> Response:
        time.sleep(1.5)
        return Response(HTML, content_type="text/html")

    http.expect_request("/slow").respond_with_handler(slow)
    cfg = FetchConfig(
        robots_txt=False,
        per_host_delay_s=0.0,
        backoff_base_s=0.02,
        allow_private_addresses=True,
        timeout_s=0.3,
        retries=0,
    )
    start = time.monotonic()
    fetched, rejects = fetch.fetch_items(url_items(http.url_for("/slow")), cfg)
    assert fetched == [] and rejects[0]["reason"] == "timeout"
    assert "attempts=1" in rejects[0]["detail"]  # the page came after 1.5 s: the 0.3 s timeout cut it, once
    assert time.monotonic() - start < 30  # a hang bound only


def test_connect_error(http: HTTPServer) -> None:
    with socket.socket() as s:  # a port on 127.0.0.1 that nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = FetchConfig(
        robots_txt=False,
        per_host_delay_s=0.0,
        backoff_base_s=0.02,
        allow_private_addresses=True,
        timeout_s=1.0,
        retries=1,
    )
    fetched, rejects = fetch.fetch_items(url_items(f"http://127.0.0.1:{port}/x"), cfg)
    assert fetched == [] and rejects[0]["reason"] == "connect_error" and "attempts=2" in rejects[0]["detail"]


def test_private_address_refused(http: HTTPServer) -> None:
    http.expect_request("/secret").respond_with_data(HTML, content_type="text/html")
    cfg = FetchConfig(
        robots_txt=False,
        per_host_delay_s=0.0,
        backoff_base_s=0.02,
        allow_private_addresses=False,
        timeout_s=1.0,
        retries=0,
    )
    fetched, rejects = fetch.fetch_items(url_items(http.url_for("/secret")), cfg)
    assert fetched == [] and rejects[0]["reason"] == "private_address"
    assert http.log == []  # refused before any request


def test_private_address_checked_on_each_redirect_hop(http: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """127.0.0.1 is made to look public; its redirect to `localhost` (really loopback) must be refused."""
    real_resolve = fetch._resolve

    def resolve(host: str, port: int) -> list[str]:
        return ["93.184.216.34"] if host == "127.0.0.1" else real_resolve(host, port)

    monkeypatch.setattr(fetch, "_resolve", resolve)
    target = f"http://localhost:{http.port}/inside"
    http.expect_request("/hop").respond_with_data("", status=302, headers={"Location": target})
    http.expect_request("/inside").respond_with_data(HTML, content_type="text/html")
    cfg = FetchConfig(
        robots_txt=False,
        per_host_delay_s=0.0,
        backoff_base_s=0.02,
        allow_private_addresses=False,
        timeout_s=1.0,
        retries=0,
    )
    fetched, rejects = fetch.fetch_items(url_items(http.url_for("/hop")), cfg)
    assert fetched == [] and rejects[0]["reason"] == "private_address"
    assert [req.path for req, _ in http.log] == ["/hop"]


def test_dns_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(fetch, "_resolve", fail)
    cfg = FetchConfig(
        robots_txt=False,
        per_host_delay_s=0.0,
        backoff_base_s=0.02,
        allow_private_addresses=False,
        timeout_s=1.0,
        retries=0,
    )
    fetched, rejects = fetch.fetch_items(url_items("https://no-such-host.invalid/a"), cfg)
    assert fetched == [] and rejects[0]["reason"] == "dns_error"


def test_dns_error_without_address_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Private addresses allowed: only httpx resolves the host; a resolver failure is still dns_error."""

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    fetched, rejects = fetch.fetch_items(url_items("http://no-such-host.invalid/a"), CFG)
    assert fetched == [] and rejects[0]["reason"] == "dns_error"


def test_skip_urls_before_request(http: HTTPServer) -> None:
    http.expect_request("/known").respond_with_data(HTML, content_type="text/html")
    http.expect_request("/new").respond_with_data(HTML, content_type="text/html")
    seen: list[str | None] = []

    def skip(item: FetchItem, sha: str | None) -> bool:
        seen.append(sha)
        return item.uri.endswith("/known")

    fetched, rejects = fetch.fetch_items(url_items(http.url_for("/known"), http.url_for("/new")), CFG, skip=skip)
    assert [r["uri"] for r in fetched] == [http.url_for("/new")] and rejects == []
    assert seen == [None, None]
    assert [req.path for req, _ in http.log] == ["/new"]


# ------------------------------------------------------------------------------------------------ feeds

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example Wire</title><link>https://wire.example.org/</link>
<item><title>Port traffic rises</title><link>{base}/a/1001</link><pubDate>2023/7/28 09:41:05</pubDate></item>
<item><title>Acme &amp;amp; Partners win &lt;b&gt;award&lt;/b&gt;</title><link>{base}/story/42</link>
<pubDate>Fri, 28 Jul 2023 08:57:00 +0000</pubDate></item>
<item><title>Mail us</title><link>mailto:desk@example.org</link></item>
<item><title>Again</title><link>{base}/a/1001</link></item>
</channel></rss>"""

BOMB = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
]>
<rss version="2.0"><channel><title>&e;</title>
<item><title>&e;</title><link>http://127.0.0.1/x</link></item></channel></rss>"""


def test_feed_served_locally(http: HTTPServer) -> None:
    base = http.url_for("").rstrip("/")
    http.expect_request("/feed.xml").respond_with_data(RSS.format(base=base), content_type="application/rss+xml")
    http.expect_request("/a/1001").respond_with_data(HTML, content_type="text/html")
    http.expect_request("/story/42").respond_with_data(HTML, content_type="text/html")
    source = SourceConfig("wire", "feed", url=http.url_for("/feed.xml"))
    items, rejects = fetch.discover(source, CFG)
    assert [i.uri for i in items] == [f"{base}/a/1001", f"{base}/story/42"]  # duplicate link once
    assert [r["reason"] for r in rejects] == ["invalid_url"]  # the mailto: link
    first, second = items
    assert first.url == first.uri and first.path is None
    assert first.meta["published"] == "2023/7/28 09:41:05"  # raw, feedparser's guess is wrong (C16)
    assert first.meta["published_iso"] == "2023-07-28T09:41:05"
    assert second.meta["title"] == "Acme & Partners win award"  # C17
    assert second.meta["published_iso"] == "2023-07-28T08:57:00Z"
    fetched, fetch_rejects = fetch.fetch_items(items, CFG)
    check_rows(fetched, fetch_rejects)
    assert len(fetched) == 2 and fetch_rejects == []
    assert fetched[1]["meta"]["title"] == "Acme & Partners win award"


def test_feed_from_local_path(tmp_path: Path) -> None:
    path = tmp_path / "wire.xml"
    path.write_text(RSS.format(base="https://wire.example.org"), encoding="utf-8")
    items, _ = fetch.discover(SourceConfig("wire", "feed", path=str(path)), CFG)
    assert [i.uri for i in items] == ["https://wire.example.org/a/1001", "https://wire.example.org/story/42"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (BOMB, 200),  # billion laughs: refused before parsing
        (BOMB.encode("utf-16").decode("latin-1"), 200),  # the same in UTF-16
        ("<html><body>not a feed at all", 200),
        ("gone", 404),
    ],
)
def test_bad_feeds_are_feed_errors(http: HTTPServer, body: str, status: int) -> None:
    http.expect_request("/bad.xml").respond_with_data(body.encode("latin-1"), status=status)
    feed_url = http.url_for("/bad.xml")
    start = time.monotonic()
    items, rejects = fetch.discover(SourceConfig("bad", "feed", url=feed_url), CFG)
    assert time.monotonic() - start < 30  # a hang bound: an expanded bomb would not end
    assert items == []
    assert [(r["reason"], r["doc_id"]) for r in rejects] == [("feed_error", fetch.make_doc_id(feed_url))]
    if "ENTITY" in body or status != 200:
        assert ("entities" if status == 200 else "http_4xx") in rejects[0]["detail"]


@pytest.mark.parametrize(("allow", "cause"), [(True, "connect_error"), (False, "private_address")])
def test_unreachable_feed(allow: bool, cause: str) -> None:
    with socket.socket() as s:  # a port on 127.0.0.1 that nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = FetchConfig(
        robots_txt=False,
        per_host_delay_s=0.0,
        backoff_base_s=0.02,
        allow_private_addresses=allow,
        timeout_s=1.0,
        retries=0,
    )
    items, rejects = fetch.discover(SourceConfig("f", "feed", url=f"http://127.0.0.1:{port}/feed"), cfg)
    assert items == [] and rejects[0]["reason"] == "feed_error" and cause in rejects[0]["detail"]


def test_undecodable_file_name_is_rejected_not_raised(tmp_path: Path) -> None:
    try:
        (tmp_path / os.fsdecode(b"bad-\xff.html")).write_bytes(HTML)
    except (OSError, UnicodeError):
        pytest.skip("file system refuses non-UTF-8 names")
    (tmp_path / "good.html").write_bytes(HTML)
    items, rejects = fetch.discover(SourceConfig("odd", "files", str(tmp_path)), CFG)
    assert [i.uri for i in items] == ["file:good.html"]
    assert [r["reason"] for r in rejects] == ["read_error"]
    now = dt.datetime.now(dt.UTC)
    schemas.conform([{**r, "stage": "fetch", "at": now} for r in rejects], schemas.REJECTS)
