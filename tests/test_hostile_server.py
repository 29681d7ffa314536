"""A hostile HTTP server on 127.0.0.1, one path per behaviour, against the fetch stage (issue #15).

One small threaded server (:class:`Hostile`, started per test so no late request of one test reaches the next)
writes its answers byte by byte where the behaviour needs it (headers trickled one byte at a time), which a
WSGI test server cannot do. Each test asserts what the stage did (reject reason and detail, what was requested);
time bounds are generous and only keep a broken fetch from hanging the suite.

Paths: ``/trickle/...`` (status line, then headers trickled for TRICKLE_FOR_S), ``/bomb`` (gzip bomb),
``/loop/a`` ⇄ ``/loop/b`` (redirect loop), ``/busy`` (429 with ``Retry-After: 1``, then the page), ``/json``
(:attr:`Hostile.json_body`, JSON unless a test changes it, served as ``text/html``), ``/png`` (an image served as
``text/html``), ``/private/...`` (disallowed by robots.txt when :attr:`Hostile.robots` is ``"disallow"``),
``/page`` and ``/feed.xml`` / ``/sitemap.xml`` (ordinary documents). ``/robots.txt`` answers by
:attr:`Hostile.robots`: ``"none"`` (404), ``"disallow"`` (``Disallow: /private/``), ``"everything"``
(``Disallow: /``) or ``"trickle"``.
"""

from __future__ import annotations

import dataclasses
import gzip
import http.server
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tasks import fetch
from tasks.config import FetchConfig, SourceConfig
from tasks.fetch import FetchItem, FetchStats

pytestmark = pytest.mark.timeout(60)

PAGE = (
    b"<!doctype html><html><head><title>Bridge reopens</title></head><body><article><h1>Bridge reopens</h1>"
    b"<p>The old river bridge reopened to traffic on Thursday after eight months of repairs.</p></article></body>"
    b"</html>"
)
TRICKLE_S = 0.2  # seconds between two trickled bytes (below every read timeout used here)
TRICKLE_FOR_S = 20.0  # then the headers end and an empty 200 answer follows: an uncut fetch succeeds, late
BOMB = gzip.compress(b"\0" * 20_000_000, 9)  # 20 MB of zeros in about 20 kB
BOUND_S = TRICKLE_FOR_S  # generous: only a fetch not cut by its deadline lasts this long


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Hostile

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _trickle(self) -> None:
        """Status line, then one header byte every TRICKLE_S seconds for TRICKLE_FOR_S seconds (a fetch not cut by
        its deadline then gets an empty 200 answer, so the test fails instead of hanging), unless the client
        leaves or the test ends first."""
        end = time.monotonic() + TRICKLE_FOR_S
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            self.wfile.flush()
            while time.monotonic() < end and not self.server.stopping.wait(TRICKLE_S):
                self.wfile.write(b"x")
                self.wfile.flush()
            self.wfile.write(b"\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        except OSError:
            pass  # the client gave up: what the test wants
        self.close_connection = True

    def do_GET(self) -> None:
        srv = self.server
        path = self.path.split("?", 1)[0]
        with srv.lock:
            srv.log.append(path)
            srv.hits[path] = srv.hits.get(path, 0) + 1
            hits = srv.hits[path]
        base = f"http://127.0.0.1:{srv.server_address[1]}"
        if path == "/robots.txt":
            if srv.robots == "trickle":
                return self._trickle()
            rules = {"disallow": "Disallow: /private/\n", "everything": "Disallow: /\n"}.get(srv.robots)
            if rules is None:
                return self._send(404, b"no robots.txt", "text/plain")
            return self._send(200, f"User-agent: *\n{rules}".encode(), "text/plain")
        if path.startswith("/trickle/"):
            return self._trickle()
        if path == "/bomb":
            return self._send(200, BOMB, "text/html", Content_Encoding="gzip")
        if path in ("/loop/a", "/loop/b"):
            target = "/loop/b" if path == "/loop/a" else "/loop/a"
            return self._send(302, b"", "text/plain", Location=target)
        if path == "/busy" and hits == 1:
            return self._send(429, b"slow down", "text/plain", Retry_After="1")
        if path == "/json":
            return self._send(200, srv.json_body, "text/html")
        if path == "/png":
            return self._send(200, b"\x89PNG\r\n\x1a\n" + bytes(200), "text/html")
        if path.endswith("feed.xml"):
            feed = f'<rss version="2.0"><channel><title>w</title><item><link>{base}/page</link></item></channel></rss>'
            return self._send(200, feed.encode(), "application/rss+xml")
        if path.endswith("sitemap.xml"):
            sitemap = (
                '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{base}/page</loc></url></urlset>"
            )
            return self._send(200, sitemap.encode(), "application/xml")
        if path in ("/page", "/busy") or path.startswith("/private/"):
            return self._send(200, PAGE, "text/html; charset=utf-8")
        return self._send(404, b"not found", "text/plain")


class Hostile(http.server.ThreadingHTTPServer):
    """The hostile server: ``log`` lists the requested paths in order; ``robots`` selects the robots.txt answer."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.log: list[str] = []
        self.hits: dict[str, int] = {}
        self.robots = "none"
        self.json_body = b'{"items": [{"id": 1}]}'
        self.stopping = threading.Event()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


@pytest.fixture
def srv() -> Iterator[Hostile]:
    server = Hostile()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fetch._ROBOTS_CACHE.clear()
    yield server
    server.stopping.set()
    server.shutdown()
    server.server_close()
    fetch._ROBOTS_CACHE.clear()


CFG = FetchConfig(
    allow_private_addresses=True,
    timeout_s=2.0,  # every trickled byte comes well within it: only the deadline can end the attempt
    deadline_s=1.5,
    retries=2,
    max_bytes=1_000_000,
    robots_txt=False,
    per_host_delay_s=0.0,
    backoff_base_s=0.05,
)


def cfg(**kw: Any) -> FetchConfig:
    return dataclasses.replace(CFG, **kw)


def fetch_one(url: str, config: FetchConfig = CFG, stats: FetchStats | None = None) -> tuple[Any, Any]:
    fetched, rejects = fetch.fetch_items([FetchItem("web", url, None, url, {})], config, stats=stats)
    return (fetched[0] if fetched else None), (rejects[0] if rejects else None)


# ------------------------------------------------------------------------------------------------ trickle


def test_trickled_headers_are_cut_at_the_deadline_and_not_retried(srv: Hostile) -> None:
    start = time.monotonic()
    row, rej = fetch_one(srv.url("/trickle/page"))
    assert row is None and rej["reason"] == "timeout"
    assert "headers included" in rej["detail"] and "deadline_s 1.5" in rej["detail"] and "attempts=1" in rej["detail"]
    assert srv.log.count("/trickle/page") == 1  # a blown deadline is not retried
    assert time.monotonic() - start < BOUND_S


def test_trickled_robots_txt_is_cut_and_leaves_the_host_for_a_later_run(srv: Hostile) -> None:
    srv.robots = "trickle"
    stats = FetchStats()
    start = time.monotonic()
    row, rej = fetch_one(srv.url("/page"), cfg(robots_txt=True), stats)
    assert row is None and rej is None and stats.deferred == 1  # robots.txt unavailable: the host waits
    assert "/page" not in srv.log
    assert time.monotonic() - start < BOUND_S


@pytest.mark.parametrize(("kind", "reason"), [("feed", "feed_error"), ("sitemap", "sitemap_error")])
def test_trickled_feed_or_sitemap_is_cut_at_the_deadline(srv: Hostile, kind: str, reason: str) -> None:
    start = time.monotonic()
    items, rejects = fetch.discover(SourceConfig("s", kind, url=srv.url(f"/trickle/{kind}.xml")), CFG)
    assert items == [] and [r["reason"] for r in rejects] == [reason]
    assert "timeout" in rejects[0]["detail"] and "deadline_s" in rejects[0]["detail"]
    assert time.monotonic() - start < BOUND_S


# ------------------------------------------------------------------------------------------------ bomb, loop, 429


def test_gzip_bomb_is_too_large(srv: Hostile) -> None:
    row, rej = fetch_one(srv.url("/bomb"))
    assert row is None and rej["reason"] == "too_large" and "after gzip decoding" in rej["detail"]


def test_redirect_loop(srv: Hostile) -> None:
    row, rej = fetch_one(srv.url("/loop/a"))
    assert row is None and rej["reason"] == "redirect_loop"
    assert srv.log == ["/loop/a", "/loop/b"]


def test_429_with_retry_after_is_waited_for_and_retried(srv: Hostile) -> None:
    row, rej = fetch_one(srv.url("/busy"))
    assert rej is None and row["http_status"] == 200 and row["content"] == PAGE
    assert srv.log == ["/busy", "/busy"]


# ------------------------------------------------------------------------------------------------ wrong type


def test_image_served_as_html_is_unsupported(srv: Hostile) -> None:
    row, rej = fetch_one(srv.url("/png"))
    assert row is None and rej["reason"] == "unsupported_media_type" and "image/png" in rej["detail"]


# ------------------------------------------------------------------------------------------------ robots


@pytest.mark.parametrize("kind", ["feed", "sitemap"])
def test_robots_txt_applies_to_the_feed_or_sitemap_document_itself(srv: Hostile, kind: str) -> None:
    srv.robots = "everything"
    url = srv.url(f"/{kind}.xml")
    items, rejects = fetch.discover(SourceConfig("s", kind, url=url), cfg(robots_txt=True))
    assert items == [] and [(r["uri"], r["reason"]) for r in rejects] == [(url, "robots_disallowed")]
    assert "robots.txt" in rejects[0]["detail"]
    assert srv.log == ["/robots.txt"]  # the document itself was never requested


def test_robots_txt_of_a_sitemap_child_and_of_pages(srv: Hostile) -> None:
    srv.robots = "disallow"
    allowed = fetch.discover(SourceConfig("s", "feed", url=srv.url("/feed.xml")), cfg(robots_txt=True))
    assert [i.uri for i in allowed[0]] == [srv.url("/page")] and allowed[1] == []
    items, rejects = fetch.discover(
        SourceConfig("s", "sitemap", url=srv.url("/private/sitemap.xml")), cfg(robots_txt=True)
    )
    assert items == [] and [r["reason"] for r in rejects] == ["robots_disallowed"]
    row, rej = fetch_one(srv.url("/private/page"), cfg(robots_txt=True))
    assert row is None and rej["reason"] == "robots_disallowed"
    assert not [p for p in srv.log if p.startswith("/private/")]
    assert srv.log.count("/robots.txt") == 1  # read once, cached for feeds, sitemaps and pages alike


@pytest.mark.parametrize(
    "body",
    [
        b'{"items": [{"id": 1, "title": "<b>not a page</b>"}], "next": null}',
        b'\xef\xbb\xbf  [{"html": "<div><p>Hello</p></div>"}]\n',
        '{"text": "Grüße"}'.encode("utf-16"),
    ],
)
def test_json_served_as_html_is_unsupported(srv: Hostile, body: bytes) -> None:
    srv.json_body = body
    row, rej = fetch_one(srv.url("/json"))
    assert row is None and rej["reason"] == "unsupported_media_type"
    assert "application/json" in rej["detail"] and "text/html" in rej["detail"]


@pytest.mark.parametrize(
    "body", [b"{not json} <p>but a page</p>", b"[1] Notes: the council met on Monday and voted.", PAGE]
)
def test_text_that_only_starts_like_json_is_kept(srv: Hostile, body: bytes) -> None:
    srv.json_body = body
    row, rej = fetch_one(srv.url("/json"))
    assert rej is None and row["content"] == body
