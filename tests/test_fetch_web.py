"""The web misbehaving, one fault per test, against real HTTP servers on 127.0.0.1 (pytest-httpserver, threaded).

Each test asserts the stored row or the reject reason, and that the fetch finished (within a time bound where
the fault is about time). No traffic leaves the loopback interface: names that must look public are mapped to
127.0.0.1 by patching the resolver functions inside this process.
"""

from __future__ import annotations

import gzip
import itertools
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tasks import fetch, parse, schemas
from tasks.config import FetchConfig, SourceConfig
from tasks.fetch import FetchItem, FetchStats

pytestmark = pytest.mark.timeout(60)

HTML = b"<!doctype html><html><head><title>T</title></head><body><p>Hello world.</p></body></html>"
# polite defaults, made fast: no robots.txt unless a test serves one, no per-host delay unless a test wants one
CFG = FetchConfig(
    allow_private_addresses=True,
    timeout_s=2.0,
    deadline_s=5.0,
    retries=1,
    max_bytes=1_000_000,
    robots_txt=False,
    per_host_delay_s=0.0,
    backoff_base_s=0.02,
)


def cfg(**kw: Any) -> FetchConfig:
    import dataclasses

    return dataclasses.replace(CFG, **kw)


@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    srv.clear()
    srv.stop()


@pytest.fixture
def http(server: HTTPServer) -> HTTPServer:
    server.clear()
    fetch._ROBOTS_CACHE.clear()
    return server


def items(*urls: str) -> list[FetchItem]:
    return [FetchItem(source="web", uri=u, path=None, url=u, meta={}) for u in urls]


def one(url: str, config: FetchConfig = CFG, **kw: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    fetched, rejects = fetch.fetch_items(items(url), config, **kw)
    schemas.conform(fetched, schemas.FETCHED)
    assert len(fetched) + len(rejects) <= 1
    return (fetched[0] if fetched else None), (rejects[0] if rejects else None)


def paths(http: HTTPServer) -> list[str]:
    return [req.path for req, _ in http.log]


# ------------------------------------------------------------------------------------------------ time


def test_slow_response_past_the_deadline(http: HTTPServer) -> None:
    def slow(_: Request) -> Response:
        time.sleep(2.0)
        return Response(HTML, content_type="text/html")

    http.expect_request("/slow").respond_with_handler(slow)
    start = time.monotonic()
    row, rej = one(http.url_for("/slow"), cfg(timeout_s=0.4, retries=0))
    assert row is None and rej is not None and rej["reason"] == "timeout"  # the page came after 2 s: cut before
    assert time.monotonic() - start < 30  # a hang bound only (speed is measured in benchmarks/)


def test_server_trickling_bytes_forever_hits_the_total_deadline(http: HTTPServer) -> None:
    stop = threading.Event()

    def trickle(_: Request) -> Response:
        def body() -> Iterator[bytes]:
            yield b"<html><body><p>"
            for _ in range(600):  # one byte every 50 ms: never idle long enough for the read timeout
                if stop.is_set():
                    return
                time.sleep(0.05)
                yield b"x"

        return Response(body(), content_type="text/html")

    http.expect_request("/trickle").respond_with_handler(trickle)
    start = time.monotonic()
    try:
        row, rej = one(http.url_for("/trickle"), cfg(timeout_s=0.5, deadline_s=1.0, retries=1))
    finally:
        stop.set()
    elapsed = time.monotonic() - start
    assert row is None and rej is not None and rej["reason"] == "timeout"
    assert "deadline_s" in rej["detail"] and "attempts=1" in rej["detail"]  # a blown deadline is not retried
    assert elapsed < 25  # the trickle lasts 30 s: a hang bound, not a speed test


# ------------------------------------------------------------------------------------------------ statuses


def test_429_with_retry_after_is_honoured(http: HTTPServer) -> None:
    times: list[float] = []

    def limited(_: Request) -> Response:
        times.append(time.monotonic())
        if len(times) == 1:
            return Response("slow down", status=429, headers={"Retry-After": "1"})
        return Response(HTML, content_type="text/html")

    http.expect_request("/limited").respond_with_handler(limited)
    row, rej = one(http.url_for("/limited"))
    assert rej is None and row is not None and row["content"] == HTML
    assert times[1] - times[0] >= 0.95  # waited as told


def test_429_with_a_long_retry_after_is_rate_limited_and_retryable(http: HTTPServer) -> None:
    http.expect_request("/later").respond_with_data("later", status=429, headers={"Retry-After": "3600"})
    start = time.monotonic()
    row, rej = one(http.url_for("/later"), cfg(retries=3))
    assert row is None and rej is not None and rej["reason"] == "rate_limited"
    assert "attempts=1" in rej["detail"] and time.monotonic() - start < 60  # no hour-long sleep (a hang bound)
    assert "rate_limited" in schemas.RETRYABLE_REASONS  # a later run tries again


def test_503_then_200(http: HTTPServer) -> None:
    http.expect_oneshot_request("/flaky").respond_with_data("busy", status=503)
    http.expect_request("/flaky").respond_with_data(HTML, content_type="text/html")
    row, rej = one(http.url_for("/flaky"))
    assert rej is None and row is not None and row["http_status"] == 200 and row["content"] == HTML
    assert paths(http) == ["/flaky", "/flaky"]


def test_301_chain_is_followed_and_recorded_and_a_loop_is_caught(http: HTTPServer) -> None:
    u = http.url_for
    http.expect_request("/a").respond_with_data("", status=301, headers={"Location": u("/b")})
    http.expect_request("/b").respond_with_data("", status=301, headers={"Location": "/c"})
    http.expect_request("/c").respond_with_data("", status=301, headers={"Location": u("/final")})
    http.expect_request("/final").respond_with_data(HTML, content_type="text/html")
    http.expect_request("/loop1").respond_with_data("", status=301, headers={"Location": u("/loop2")})
    http.expect_request("/loop2").respond_with_data("", status=301, headers={"Location": u("/loop1")})
    row, rej = one(u("/a"))
    assert rej is None and row is not None
    assert row["redirects"] == [u("/a"), u("/b"), u("/c")] and row["final_url"] == u("/final")
    assert row["doc_id"] == fetch.make_doc_id(u("/a"))
    row, rej = one(u("/loop1"))
    assert row is None and rej is not None and rej["reason"] == "redirect_loop"


# ------------------------------------------------------------------------------------------------ bodies


def test_gzip_bomb_is_cut_at_the_decompressed_cap_without_ballooning_memory(http: HTTPServer) -> None:
    bomb = gzip.compress(b"\0" * 200_000_000, compresslevel=9)  # 200 MB of zeros in ~200 KB
    http.expect_request("/bomb").respond_with_data(bomb, content_type="text/html", headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        row, rej = one(http.url_for("/bomb"), cfg(max_bytes=1_000_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert row is None and rej is not None and rej["reason"] == "too_large"
    assert peak < 50_000_000  # (traced in the whole process, server thread included) a fraction of 200 MB


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as the RFC says
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send
    ],
)
def test_compressed_bodies_are_decoded(http: HTTPServer, encoding: str, encode: Any) -> None:
    http.expect_request("/z").respond_with_data(
        encode(HTML), content_type="text/html", headers={"Content-Encoding": encoding}
    )
    row, rej = one(http.url_for("/z"))
    assert rej is None and row is not None and row["content"] == HTML


def test_only_decodable_encodings_are_advertised_and_others_rejected(http: HTTPServer) -> None:
    http.expect_request("/enc").respond_with_data(HTML, content_type="text/html", headers={"Content-Encoding": "zstd"})
    row, rej = one(http.url_for("/enc"))
    sent = http.log[0][0].headers.get("Accept-Encoding")
    assert sent == fetch.ACCEPT_ENCODING and "zstd" not in sent
    assert set(sent.replace(" ", "").split(",")) <= {"gzip", "deflate", "br"}
    assert row is None and rej is not None and rej["reason"] == "decode_error"


def test_truncated_gzip_is_a_decode_error(http: HTTPServer) -> None:
    http.expect_request("/cut").respond_with_data(
        gzip.compress(HTML * 50)[:-30], content_type="text/html", headers={"Content-Encoding": "gzip"}
    )
    row, rej = one(http.url_for("/cut"))
    assert row is None and rej is not None and rej["reason"] == "decode_error"


def test_body_over_the_cap(http: HTTPServer) -> None:
    http.expect_request("/declared").respond_with_data(b"<p>" + b"x" * 300_000, content_type="text/html")

    def streamed(_: Request) -> Response:
        return Response((b"<p>" + b"y" * 10_000 for _ in range(40)), content_type="text/html")  # no length

    http.expect_request("/streamed").respond_with_handler(streamed)
    for path in ("/declared", "/streamed"):
        row, rej = one(http.url_for(path), cfg(max_bytes=100_000))
        assert row is None and rej is not None and rej["reason"] == "too_large", path


def test_pdf_served_as_text_html(http: HTTPServer) -> None:
    pdf = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    http.expect_request("/paper").respond_with_data(pdf, content_type="text/html; charset=utf-8")
    row, rej = one(http.url_for("/paper"))
    assert row is None and rej is not None and rej["reason"] == "unsupported_media_type"
    assert "application/pdf" in rej["detail"] and rej["content_sha256"] is not None


def test_charset_in_header_wins_over_meta(http: HTTPServer) -> None:
    text = "Grüße aus Köln"
    page = (
        f'<html><head><meta charset="utf-8"><title>{text}</title></head><body><article><h1>{text}</h1><p>'
        + "Die Stadt Köln grüßt ihre Gäste mit einem Fest am Rhein. " * 8
        + "</p></article></body></html>"
    ).encode("cp1252")
    http.expect_request("/koeln").respond_with_data(page, content_type="text/html; charset=windows-1252")
    row, rej = one(http.url_for("/koeln"))
    assert rej is None and row is not None
    assert row["content"] == page  # bytes stored as sent, never re-encoded
    assert row["content_type"] == "text/html; charset=windows-1252"  # the header travels with them
    parsed = parse.parse_document(row["content"], row["content_type"], row["url"], row["fetched_at"])
    assert parsed["title"] == text


# ------------------------------------------------------------------------------------------------ politeness


def test_robots_disallow_and_crawl_delay(http: HTTPServer) -> None:
    times: dict[str, float] = {}

    def page(req: Request) -> Response:
        times[req.path] = time.monotonic()
        return Response(HTML, content_type="text/html")

    http.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.4\n", content_type="text/plain"
    )
    for p in ("/a", "/b", "/c", "/private/x"):
        http.expect_request(p).respond_with_handler(page)
    urls = [http.url_for(p) for p in ("/a", "/b", "/c", "/private/x")]
    config = cfg(robots_txt=True, per_host_delay_s=0.0, per_host_concurrency=4)
    fetched, rejects = fetch.fetch_items(items(*urls), config)
    assert sorted(r["uri"] for r in fetched) == sorted(urls[:3])
    assert [(r["uri"], r["reason"]) for r in rejects] == [(urls[3], "robots_disallowed")]
    assert "/private/x" not in paths(http)  # never requested
    starts = sorted(times.values())
    assert all(b - a >= 0.38 for a, b in itertools.pairwise(starts)), starts  # Crawl-delay 0.4 s
    # robots.txt was read once and is cached for the next call
    fetch.fetch_items(items(http.url_for("/a")), config)
    assert paths(http).count("/robots.txt") == 1


def test_robots_txt_unavailable_defers_the_host(http: HTTPServer) -> None:
    http.expect_request("/robots.txt").respond_with_data("oops", status=503)
    http.expect_request("/a").respond_with_data(HTML, content_type="text/html")
    stats = FetchStats()
    fetched, rejects = fetch.fetch_items(items(http.url_for("/a")), cfg(robots_txt=True, retries=0), stats=stats)
    assert fetched == [] and rejects == []  # nothing lost: left for a later run
    assert stats.deferred == 1 and "/a" not in paths(http)


def test_per_host_concurrency_and_delay(http: HTTPServer) -> None:
    lock = threading.Lock()
    active, peak, starts = [0], [0], []

    def page(_: Request) -> Response:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
            starts.append(time.monotonic())
        time.sleep(0.3)
        with lock:
            active[0] -= 1
        return Response(HTML, content_type="text/html")

    for i in range(6):
        http.expect_request(f"/p{i}").respond_with_handler(page)
    config = cfg(workers=8, per_host_concurrency=2, per_host_delay_s=0.05)
    fetched, _ = fetch.fetch_items(items(*(http.url_for(f"/p{i}") for i in range(6))), config)
    # never more than 2 at once (that 2 overlap at all depends on the machine's load: not asserted)
    assert len(fetched) == 6 and 1 <= peak[0] <= 2
    starts.sort()
    assert all(b - a >= 0.045 for a, b in itertools.pairwise(starts))


def test_circuit_breaker_leaves_the_rest_of_a_failing_host_pending(http: HTTPServer) -> None:
    for i in range(6):
        http.expect_request(f"/down{i}").respond_with_data("down", status=500)
    stats = FetchStats()
    config = cfg(retries=0, breaker_failures=2, per_host_concurrency=1)
    fetched, rejects = fetch.fetch_items(items(*(http.url_for(f"/down{i}") for i in range(6))), config, stats=stats)
    assert fetched == [] and [r["reason"] for r in rejects] == ["http_5xx", "http_5xx"]
    assert stats.deferred == 4 and len(http.log) == 2  # the other four are not requested, not rejected


def test_redirect_from_a_public_looking_name_to_a_private_address(
    http: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """news.example.com looks public (our resolver says 93.184.216.34) but is served by 127.0.0.1 (the socket
    resolver is patched too, so no DNS query leaves the machine); it redirects to 127.0.0.1, which is refused
    before any request, also without the redirect being followed."""
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "news.example.com":
            host = "127.0.0.1"
        elif host not in ("127.0.0.1", "localhost"):
            raise socket.gaierror(socket.EAI_NONAME, "test: loopback only")
        return real_getaddrinfo(host, *args, **kwargs)

    def resolve(host: str, port: int) -> list[str]:
        return ["93.184.216.34"] if host == "news.example.com" else ["127.0.0.1"]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(fetch, "_resolve", resolve)
    http.expect_request("/story").respond_with_data(
        "", status=302, headers={"Location": f"http://127.0.0.1:{http.port}/admin"}
    )
    http.expect_request("/admin").respond_with_data(HTML, content_type="text/html")
    row, rej = one(f"http://news.example.com:{http.port}/story", cfg(allow_private_addresses=False))
    assert row is None and rej is not None and rej["reason"] == "private_address"
    assert paths(http) == ["/story"]


# ------------------------------------------------------------------------------------------------ revisits


def test_conditional_revisit_304_and_changed(http: HTTPServer) -> None:
    seen: list[tuple[str | None, str | None]] = []
    state = {"body": HTML, "etag": '"v1"'}

    def page(req: Request) -> Response:
        seen.append((req.headers.get("If-None-Match"), req.headers.get("If-Modified-Since")))
        if req.headers.get("If-None-Match") == state["etag"]:
            return Response(status=304, headers={"ETag": state["etag"]})
        return Response(
            state["body"],
            content_type="text/html",
            headers={"ETag": state["etag"], "Last-Modified": "Wed, 01 May 2024 10:00:00 GMT"},
        )

    http.expect_request("/rev").respond_with_handler(page)
    url = http.url_for("/rev")
    row, _ = one(url)
    assert row is not None and row["etag"] == '"v1"' and row["last_modified"].isoformat() == "2024-05-01T10:00:00+00:00"
    stats = FetchStats()
    again, rej = one(url, validators=lambda _: (row["etag"], row["last_modified"]), stats=stats)
    assert again is None and rej is None and stats.not_modified == 1
    assert seen[1] == ('"v1"', "Wed, 01 May 2024 10:00:00 GMT")
    state.update(body=HTML.replace(b"Hello", b"Goodbye"), etag='"v2"')
    changed, _ = one(url, validators=lambda _: (row["etag"], row["last_modified"]))
    assert changed is not None and changed["doc_id"] == row["doc_id"] and changed["etag"] == '"v2"'
    assert changed["content_sha256"] != row["content_sha256"]


# ------------------------------------------------------------------------------------------------ feeds, sitemaps

SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def _urlset(*entries: tuple[str, str | None]) -> str:
    body = "".join(f"<url><loc>{loc}</loc>{f'<lastmod>{mod}</lastmod>' if mod else ''}</url>" for loc, mod in entries)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {SITEMAP_NS}>{body}</urlset>'


def test_sitemap_index_with_three_children(http: HTTPServer) -> None:
    u = http.url_for
    index = (
        f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {SITEMAP_NS}>'
        + "".join(f"<sitemap><loc>{u(p)}</loc></sitemap>" for p in ("/s1.xml", "/s2.xml.gz", "/s3.xml", "/s1.xml"))
        + "</sitemapindex>"
    )
    http.expect_request("/index.xml").respond_with_data(index, content_type="application/xml")
    http.expect_request("/s1.xml").respond_with_data(
        _urlset((u("/2024/a.html"), "2024-05-01"), (u("/2020/old.html"), "2020-01-01")), content_type="text/xml"
    )
    http.expect_request("/s2.xml.gz").respond_with_data(
        gzip.compress(_urlset((u("/2024/b.html"), "2024-05-02T08:00:00+02:00"), (u("/tag/x"), None)).encode()),
        content_type="application/x-gzip",
    )
    http.expect_request("/s3.xml").respond_with_data(_urlset((u("/2024/c.html"), None)), content_type="text/xml")
    for p in ("/2024/a.html", "/2024/b.html", "/2024/c.html"):
        http.expect_request(p).respond_with_data(HTML, content_type="text/html")

    source = SourceConfig(
        "map",
        "sitemap",
        url=u("/index.xml"),
        exclude=("/tag/",),
        since=fetch._parse_iso("2024-01-01T00:00:00+00:00"),
    )
    found, rejects = fetch.discover(source, CFG)
    assert rejects == []
    assert [i.uri for i in found] == [u("/2024/a.html"), u("/2024/b.html"), u("/2024/c.html")]
    assert found[1].meta["lastmod"] == "2024-05-02T06:00:00Z" and found[1].meta["sitemap"] == u("/s2.xml.gz")
    assert paths(http).count("/s1.xml") == 1  # listed twice, read once
    fetched, rej = fetch.fetch_items(found, CFG)
    assert len(fetched) == 3 and rej == []


def test_google_news_sitemap(http: HTTPServer) -> None:
    u = http.url_for
    news = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset {SITEMAP_NS} xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{u("/n/1.html")}</loc><news:news><news:publication><news:name>Wire</news:name>
<news:language>de</news:language></news:publication>
<news:publication_date>2024-03-04T23:30:00-05:00</news:publication_date>
<news:title>Acme &amp;amp; Partners</news:title></news:news></url>
<url><loc>{u("/n/2.html")}</loc><news:news><news:publication><news:name>Wire</news:name>
<news:language>de</news:language></news:publication>
<news:publication_date>2024-03-01</news:publication_date><news:title>Old</news:title></news:news></url>
</urlset>"""
    http.expect_request("/robots.txt").respond_with_data(f"User-agent: *\nSitemap: {u('/news.xml')}\n")
    http.expect_request("/news.xml").respond_with_data(news, content_type="application/xml")
    since = fetch._parse_iso("2024-03-03T00:00:00+00:00")
    found, rejects = fetch.discover(SourceConfig("news", "sitemap", url=u("/robots.txt"), since=since), CFG)
    assert rejects == [] and [i.uri for i in found] == [u("/n/1.html")]
    meta = found[0].meta
    assert meta["published_iso"] == "2024-03-05T04:30:00Z"  # the offset kept: never a different instant
    assert meta["title"] == "Acme & Partners"


def test_sitemap_entity_bomb_is_refused_quickly(http: HTTPServer) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi", strict=True))
        + f"]><urlset {SITEMAP_NS}><url><loc>http://x/&i;</loc></url></urlset>"
    )
    http.expect_request("/bomb.xml").respond_with_data(bomb, content_type="application/xml")
    start = time.monotonic()
    found, rejects = fetch.discover(SourceConfig("map", "sitemap", url=http.url_for("/bomb.xml")), CFG)
    assert found == [] and [r["reason"] for r in rejects] == ["sitemap_error"]
    assert "entities" in rejects[0]["detail"] and time.monotonic() - start < 30  # expanded, it would not end


def test_feed_entity_bomb_is_refused_quickly(http: HTTPServer) -> None:
    from tests.test_fetch import BOMB

    http.expect_request("/feed.xml").respond_with_data(BOMB, content_type="application/rss+xml")
    start = time.monotonic()
    found, rejects = fetch.discover(SourceConfig("wire", "feed", url=http.url_for("/feed.xml")), CFG)
    assert found == [] and [r["reason"] for r in rejects] == ["feed_error"]
    assert time.monotonic() - start < 30  # a hang bound: expanded, the bomb would not end


def test_feed_filters(http: HTTPServer) -> None:
    from tests.test_fetch import RSS

    base = http.url_for("").rstrip("/")
    http.expect_request("/feed.xml").respond_with_data(RSS.format(base=base), content_type="application/rss+xml")
    source = SourceConfig("wire", "feed", url=http.url_for("/feed.xml"), include=(r"/story/",))
    found, _ = fetch.discover(source, CFG)
    assert [i.uri for i in found] == [f"{base}/story/42"]
    since = fetch._parse_iso("2023-07-28T09:00:00+00:00")  # 1001 is 09:41 (zone unknown: taken as UTC), 42 08:57Z
    found, _ = fetch.discover(SourceConfig("wire", "feed", url=http.url_for("/feed.xml"), since=since), CFG)
    assert [i.uri for i in found] == [f"{base}/a/1001"]


# ------------------------------------------------------------------------------------------------ config


def test_source_filters_and_fetch_keys_in_newsflow_toml(tmp_path: Any) -> None:
    import datetime as dt

    from tasks.config import ConfigError, load_settings

    path = tmp_path / "newsflow.toml"
    path.write_text(
        """
[fetch]
per_host_delay_s = 0.5
deadline_s = 30
[[sources]]
name = "map"
kind = "sitemap"
url = "https://news.example.org/robots.txt"
include = "/20[0-9]{2}/"
exclude = ["/video/", "/live/"]
since = 2024-03-01
max_items = 100
revisit_after_s = 86400
[[sources]]
name = "cc"
kind = "warc"
path = "warc"
since = "2024-03-01T12:00:00+01:00"
""",
        encoding="utf-8",
    )
    s = load_settings(path)
    sm, cc = s.sources
    assert sm.include == ("/20[0-9]{2}/",) and sm.exclude == ("/video/", "/live/")
    assert sm.since == dt.datetime(2024, 3, 1, tzinfo=dt.UTC) and sm.max_items == 100 and sm.revisit_after_s == 86400
    assert cc.since == dt.datetime(2024, 3, 1, 11, tzinfo=dt.UTC) and cc.path == str(tmp_path / "warc")
    assert s.fetch.per_host_delay_s == 0.5 and s.fetch.deadline_s == 30.0
    for bad in ('include = "(["', "max_items = 0", 'since = "yesterday"', "bogus = 1"):
        path.write_text(f'[[sources]]\nname = "x"\nkind = "sitemap"\nurl = "https://x.example/s.xml"\n{bad}\n')
        with pytest.raises(ConfigError):
            load_settings(path)
    path.write_text("[fetch]\nper_host_concurrency = 0\n")
    with pytest.raises(ConfigError):
        load_settings(path)
