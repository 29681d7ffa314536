"""Fetch throughput with politeness on: 2,000 pages from 20 host names served locally, then the same with 1 % of
the requests hanging.

The server runs in a child process (so its CPU time is not counted) with one threaded HTTP server per loopback
alias 127.0.0.2 … 127.0.0.21 (Linux routes all of 127.0.0.0/8 to the loopback interface; no traffic leaves the
machine). Each host serves a robots.txt (read once per host and obeyed) and ~10 KB pages. The client is
``tasks.fetch.fetch_items`` exactly as a run uses it (results handed to an ``emit`` callback that drops them, as
the store would write them), with per-host concurrency and delay, robots.txt, retries and the total deadline.

Prints pages/s, CPU-ms per page (client process, all threads), peak RSS of the client process, and for the
hanging run whether it finished within its bound: the clean run's time plus one hanging URL's worst case
(``(1 + retries)`` attempts of at most ``timeout_s`` each, plus backoff), since hanging URLs of different hosts
wait in parallel and a host keeps serving on its other slot.

    .venv/bin/python benchmarks/fetch_throughput.py [--pages 2000] [--hosts 20] [--delay 0.05]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import multiprocessing
import resource
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

from tasks import fetch
from tasks.config import FetchConfig
from tasks.fetch import FetchItem, FetchStats

PORT = 18431
HANG_S = 30.0


def _page(path: str) -> bytes:
    seed = hashlib.sha256(path.encode()).hexdigest()
    paras = "".join(f"<p>{seed} Absatz {i} über die Stadt, den Rat und den Hafen. " * 8 + "</p>" for i in range(6))
    head = f"<!doctype html><html><head><title>{path}</title></head>"
    return f"{head}<body><article>{paras}</article></body></html>".encode()


def hangs(path: str, share: float) -> bool:
    return share > 0 and int(hashlib.sha256(path.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < share


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hang_share = 0.0

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            body = b"User-agent: *\nDisallow: /private/\n"
            ctype = "text/plain"
        else:
            if hangs(self.path, self.hang_share):
                time.sleep(HANG_S)
            body = _page(self.path)
            ctype = "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def serve(hosts: list[str], hang_share: float, ready: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    handler = type("H", (Handler,), {"hang_share": hang_share})
    servers = []
    for host in hosts:
        srv = ThreadingHTTPServer((host, PORT), handler)
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
    ready.set()
    threading.Event().wait()


def run(pages: int, hosts: list[str], cfg: FetchConfig, hang_share: float) -> dict[str, float]:
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    server = ctx.Process(target=serve, args=(hosts, hang_share, ready), daemon=True)
    server.start()
    try:
        if not ready.wait(30):
            raise RuntimeError("server did not start")
        urls = [f"http://{hosts[i % len(hosts)]}:{PORT}/news/{i}.html" for i in range(pages)]
        items = [FetchItem(source="bench", uri=u, path=None, url=u) for u in urls]
        fetch._ROBOTS_CACHE.clear()
        got = {"rows": 0, "rejects": 0, "bytes": 0}

        def emit(rows: list[dict[str, object]], rejects: list[dict[str, object]]) -> None:
            got["rows"] += len(rows)
            got["rejects"] += len(rejects)
            got["bytes"] += sum(len(r["content"]) for r in rows)  # type: ignore[arg-type]

        stats = FetchStats()
        cpu0, t0 = time.process_time(), time.monotonic()
        fetch.fetch_items(items, cfg, emit=emit, stats=stats)
        wall, cpu = time.monotonic() - t0, time.process_time() - cpu0
    finally:
        server.kill()
        server.join()
    hanging = sum(hangs(f"/news/{i}.html", hang_share) for i in range(pages))
    return {
        "pages": pages,
        "fetched": got["rows"],
        "rejected": got["rejects"],
        "deferred": stats.deferred,
        "hanging": hanging,
        "wall_s": wall,
        "pages_per_s": got["rows"] / wall,
        "cpu_ms_per_page": 1000 * cpu / max(1, got["rows"] + got["rejects"]),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--delay", type=float, default=0.05, help="per_host_delay_s (politeness)")
    ap.add_argument("--hang-share", type=float, default=0.01)
    args = ap.parse_args()
    hosts = [f"127.0.0.{i}" for i in range(2, 2 + args.hosts)]
    cfg = FetchConfig(
        allow_private_addresses=True,
        robots_txt=True,
        per_host_delay_s=args.delay,
        per_host_concurrency=2,
        workers=2 * args.hosts,
        timeout_s=2.0,
        deadline_s=4.0,
        retries=1,
        backoff_base_s=0.2,
        breaker_failures=1_000_000,  # every hanging URL is tried (the point of the second run)
    )
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"fetch_throughput: {args.pages} pages, {args.hosts} hosts, per_host_delay_s={args.delay}, "
        f"per_host_concurrency=2, workers={cfg.workers}, robots.txt on; RSS before: {rss0:.0f} MB"
    )
    clean = run(args.pages, hosts, cfg, 0.0)
    print(
        f"clean:   {clean['fetched']}/{clean['pages']} fetched in {clean['wall_s']:.2f} s = "
        f"{clean['pages_per_s']:.0f} pages/s; {clean['cpu_ms_per_page']:.2f} CPU-ms/page; "
        f"peak RSS {clean['peak_rss_mb']:.0f} MB"
    )
    slow = run(args.pages, hosts, dataclasses.replace(cfg), args.hang_share)
    per_url = (1 + cfg.retries) * min(cfg.timeout_s, cfg.deadline_s) + cfg.backoff_cap_s
    bound = clean["wall_s"] + per_url
    print(
        f"hanging: {slow['hanging']} of {slow['pages']} requests hang {HANG_S:g} s; {slow['fetched']} fetched, "
        f"{slow['rejected']} rejected (timeout) in {slow['wall_s']:.2f} s = {slow['pages_per_s']:.0f} pages/s; "
        f"{slow['cpu_ms_per_page']:.2f} CPU-ms/page; peak RSS {slow['peak_rss_mb']:.0f} MB"
    )
    verdict = "within" if slow["wall_s"] <= bound else "OVER"
    print(
        f"bound:   clean time + (1 + retries) x min(timeout_s, deadline_s) + backoff_cap_s = "
        f"{clean['wall_s']:.2f} + {per_url:.1f} = {bound:.2f} s -> {verdict}"
    )


if __name__ == "__main__":
    main()
