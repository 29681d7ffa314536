"""Fetching from the web through the whole pipeline: a WARC.gz archive, max_items with conditional revisits, and
a run killed with SIGKILL during fetch (nothing fetched twice, nothing lost). Servers listen on 127.0.0.1 only."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.conftest import config_file

BIN = Path(sys.executable).parent
WORDS = """
Stadt Rat Haus Schule Straße Brücke Fluss Bahn Markt Platz Kirche Garten Hafen Turm
Wald Feld Dorf Kreis Land Bund Minister Bürger Verein Gericht Polizei Feuerwehr Klinik Bau
Plan Geld Steuer Wahl Sport Kultur Fest Woche Jahr Abend Morgen neu alt groß
klein schnell spät früh heute gestern beschließt plant baut öffnet schließt meldet fordert prüft
lehnt stimmt
""".split()  # noqa: SIM905


def article(i: int, version: int = 0) -> bytes:
    """A distinct article (random words: no two share 5-word shingles), parseable, no canonical URL."""
    rnd = random.Random(i * 1000 + version)
    title = f"Meldung {i}.{version}: " + " ".join(rnd.choice(WORDS) for _ in range(5))
    paras = "".join("<p>" + " ".join(rnd.choice(WORDS) for _ in range(40)) + ".</p>" for _ in range(5))
    return (
        f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><article><h1>{title}</h1>{paras}</article></body></html>"
    ).encode()


def _config(tmp: Path, sources: str, fetch: str = "", extra: str = "") -> Path:
    fetch_table = (
        "[fetch]\nallow_private_addresses = true\ntimeout_s = 2.0\nretries = 0\nrobots_txt = false\n"
        f"per_host_delay_s = 0.0\n{fetch}"
    )
    return config_file(tmp, fetch_table, newsflow=f"max_reject_share = 1.0\n{extra}", sources=sources)


def _run(cfg: Path) -> dict[str, Any]:
    from flows.pipeline import news_pipeline

    return news_pipeline(config=str(cfg))


def _fetched_keys(processed: Path) -> list[tuple[str, str]]:
    keys: list[tuple[str, str]] = []
    for part in sorted((processed / "fetched").glob("part-*.parquet")):
        t = pq.read_table(part, columns=["doc_id", "content_sha256"])
        keys += list(zip(t.column("doc_id").to_pylist(), t.column("content_sha256").to_pylist(), strict=True))
    return keys


# ------------------------------------------------------------------------------------------------ WARC


def test_warc_gz_yields_two_articles_and_one_reject(tmp_path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(range(256)) * 4
    records = [
        ("https://news.example.org/a.html", "text/html; charset=utf-8", article(1)),
        ("https://news.example.org/b.html", "text/html", article(2)),
        ("https://news.example.org/photo.jpg", "image/jpeg", jpeg),
    ]
    path = tmp_path / "warc" / "CC-NEWS-test.warc.gz"
    path.parent.mkdir()
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        req_headers = StatusAndHeaders("GET /a.html HTTP/1.1", [("Host", "news.example.org")], is_http_request=True)
        writer.write_record(
            writer.create_warc_record("https://news.example.org/a.html", "request", http_headers=req_headers)
        )
        for url, ctype, body in records:
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            rec = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            writer.write_record(rec)

    source = f'[[sources]]\nname = "ccnews"\nkind = "warc"\npath = "{path.parent}"\n'
    cfg = _config(tmp_path, source)
    first = _run(cfg)
    assert first["articles_out"] == 2
    assert first["stages"]["fetch"]["processed"] == 2
    assert first["stages"]["fetch"]["rejected_by_reason"] == {"unsupported_media_type": 1}
    arts = pd.read_parquet(tmp_path / "data" / "processed" / "articles")
    assert sorted(arts["url"]) == ["https://news.example.org/a.html", "https://news.example.org/b.html"]
    rej = pd.read_parquet(tmp_path / "data" / "processed" / "rejects")
    assert list(rej["uri"]) == ["https://news.example.org/photo.jpg"]
    fetched = pd.read_parquet(tmp_path / "data" / "processed" / "fetched" / pq_first(tmp_path))
    assert set(fetched["content_type"]) == {"text/html; charset=utf-8", "text/html"}

    second = _run(cfg)  # nothing new: no new version, no second reject
    assert second["stages"]["fetch"]["processed"] == 0 and second["documents_in"] == 0
    assert len(pd.read_parquet(tmp_path / "data" / "processed" / "rejects")) == 1


def pq_first(tmp: Path) -> str:
    return sorted((tmp / "data" / "processed" / "fetched").glob("part-*.parquet"))[0].name


# ------------------------------------------------------------------------------------------------ max_items, revisits


def test_max_items_keeps_the_rest_pending_and_revisits_are_conditional(tmp_path: Path, httpserver: HTTPServer) -> None:
    versions = {"a": 0, "b": 0, "c": 0}
    log: list[tuple[str, str | None]] = []

    def page(req: Request) -> Response:
        name = req.path.strip("/")
        etag = f'"{name}-{versions[name]}"'
        log.append((name, req.headers.get("If-None-Match")))
        if req.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        body = article(ord(name), versions[name])
        return Response(body, content_type="text/html; charset=utf-8", headers={"ETag": etag})

    for name in versions:
        httpserver.expect_request(f"/{name}").respond_with_handler(page)
    urls = tmp_path / "urls.txt"
    urls.write_text("".join(httpserver.url_for(f"/{n}") + "\n" for n in versions), encoding="utf-8")
    source = f'[[sources]]\nname = "web"\nkind = "urls"\npath = "{urls}"\nmax_items = 2\nrevisit_after_s = 0\n'
    cfg = _config(tmp_path, source)

    first = _run(cfg)
    assert first["stages"]["fetch"]["processed"] == 2 and first["articles_out"] == 2
    assert sorted(log) == [("a", None), ("b", None)]

    log.clear()
    second = _run(cfg)  # a, b revisited with their ETags (304: no new version); c is the one new item
    assert sorted(log) == [("a", '"a-0"'), ("b", '"b-0"'), ("c", None)]
    assert second["stages"]["fetch"]["processed"] == 1 and second["articles_out"] == 3

    versions["a"] = 1
    log.clear()
    third = _run(cfg)
    assert sorted(log) == [("a", '"a-0"'), ("b", '"b-0"'), ("c", '"c-0"')]
    assert third["stages"]["fetch"]["processed"] == 1  # a's new version
    processed = tmp_path / "data" / "processed"
    keys = _fetched_keys(processed)
    assert len(keys) == len(set(keys)) == 4  # a twice (two versions of one doc_id), b, c
    assert Counter(d for d, _ in keys).most_common(1)[0][1] == 2
    arts = pd.read_parquet(processed / "articles")
    assert len(arts) == 3
    assert any(t.startswith(f"Meldung {ord('a')}.1:") for t in arts["title"])  # the newest version wins


# ------------------------------------------------------------------------------------------------ kill during fetch

PAGES = 80


def test_sigkill_during_fetch_then_a_normal_run_fetches_nothing_twice(tmp_path: Path) -> None:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    lock = threading.Lock()
    requests: list[str] = []

    def page(req: Request) -> Response:
        with lock:
            requests.append(req.path)
        time.sleep(0.05)
        return Response(article(int(req.path.rsplit("/", 1)[1])), content_type="text/html; charset=utf-8")

    for i in range(PAGES):
        server.expect_request(f"/p/{i}").respond_with_handler(page)
    server.start()
    try:
        urls = tmp_path / "urls.txt"
        urls.write_text("".join(server.url_for(f"/p/{i}") + "\n" for i in range(PAGES)), encoding="utf-8")
        source = f'[[sources]]\nname = "web"\nkind = "urls"\npath = "{urls}"\n'
        cfg = _config(tmp_path, source, "workers = 2\nwrite_every_s = 0.2")
        processed = tmp_path / "data" / "processed"
        proc = subprocess.Popen(
            [str(BIN / "newsflow"), "run", "--config", str(cfg)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=os.environ.copy(),
            start_new_session=True,
        )
        deadline = time.monotonic() + 300
        try:
            while not any((processed / "fetched").glob("part-*.parquet")) if (processed / "fetched").is_dir() else True:
                assert proc.poll() is None, "the run ended before fetching"
                assert time.monotonic() < deadline
                time.sleep(0.01)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        with lock:
            before = list(requests)
            requests.clear()
        stored_before = {d for d, _ in _fetched_keys(processed)}
        assert 0 < len(stored_before) < PAGES, "killed during fetch"

        done = subprocess.run(
            [str(BIN / "newsflow"), "run", "--config", str(cfg), "--json"],
            capture_output=True,
            text=True,
            timeout=600,
            env=os.environ.copy(),
        )
        assert done.returncode in (0, 3), done.stderr[-3000:]
        summary = json.loads(done.stdout)
    finally:
        server.clear()
        server.stop()

    from tasks.fetch import make_doc_id

    doc_of = {f"/p/{i}": make_doc_id(server.url_for(f"/p/{i}")) for i in range(PAGES)}
    keys = _fetched_keys(processed)
    assert len(keys) == len(set(keys)), "doubled rows in fetched"
    assert {d for d, _ in keys} == set(doc_of.values()), "a page was lost"
    after = requests
    assert not [p for p in after if doc_of[p] in stored_before], "a stored page was requested again"
    assert len(after) == len(set(after)) == PAGES - len(stored_before)
    # only pages in flight (or fetched but not yet written) at the kill were requested twice
    assert len(set(before) & set(after)) <= 2 + len(before) - len(stored_before)
    assert summary["articles_out"] == PAGES
