"""In what order and how many at a time documents are fetched: the polite crawler and :func:`fetch_items`.

:func:`fetch_items` reads local files and WARC records itself and hands URL items to :class:`_Crawler`, which
dispatches them round robin over hosts within ``workers`` / ``per_host_concurrency`` / ``per_host_delay_s``
(raised by ``Crawl-delay``), obeys robots.txt (:mod:`tasks.fetch.robots`) and opens a host's circuit breaker after
``breaker_failures`` consecutive failed URLs (:data:`_HOST_FAILURES`); the host's remaining URLs are deferred.
"""

from __future__ import annotations

import collections
import datetime as dt
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from tasks.config import FetchConfig
from tasks.fetch.client import _fetch_url, _make_client
from tasks.fetch.files import _fetch_file
from tasks.fetch.items import FetchItem, _Reject, _reject_row
from tasks.fetch.politeness import _Host, _origin
from tasks.fetch.robots import _ROBOTS_CACHE, _ROBOTS_LOCK, _check_robots, _HostUnavailable, _load_robots
from tasks.fetch.warc import _fetch_warc

#: failures that count towards a host's circuit breaker (the host, not the page, is in trouble)
_HOST_FAILURES = frozenset({"connect_error", "timeout", "http_5xx", "rate_limited"})

Validators = tuple[str | None, dt.datetime | None]


@dataclass
class FetchStats:
    """What :func:`fetch_items` did besides rows and rejects: ``not_modified`` (304 answers to revisits) and
    ``deferred`` (URLs left for a later run: their host's circuit breaker opened or its robots.txt was
    unavailable; they get no reject and are rediscovered by the next run)."""

    not_modified: int = 0
    deferred: int = 0
    deferred_hosts: set[str] = field(default_factory=set)


class _Crawler:
    """Fetches URL items politely: at most ``workers`` requests in all and ``per_host_concurrency`` per host, a
    request start to one host at most every ``per_host_delay_s`` seconds (or its robots.txt ``Crawl-delay``,
    capped at ``max_crawl_delay_s``), robots.txt obeyed, a circuit breaker per host. The dispatcher runs in the
    calling thread, picks the next item whose host is ready (round robin over hosts) and hands finished results
    to ``on_result`` in the calling thread."""

    def __init__(
        self,
        client: httpx.Client,
        cfg: FetchConfig,
        validators: Callable[[FetchItem], Validators | None] | None,
        stats: FetchStats,
    ):
        self.client = client
        self.cfg = cfg
        self.validators = validators
        self.stats = stats
        self.cond = threading.Condition()
        self.hosts: dict[str, _Host] = {}
        self.done: list[tuple[int, FetchItem, dict[str, Any] | None, dict[str, Any] | None, bool]] = []

    def _host(self, origin: str) -> _Host:
        host = self.hosts.get(origin)
        if host is None:
            host = _Host(origin, self.cfg.per_host_delay_s if origin else 0.0, self.cond)
            if origin and not self.cfg.robots_txt:
                host.robots_ready = True
            if origin and self.cfg.robots_txt:
                with _ROBOTS_LOCK:
                    hit = _ROBOTS_CACHE.get((origin, self.cfg.user_agent))
                if hit is not None and hit[0] > time.monotonic():
                    self._set_robots(host, hit[1])
            self.hosts[origin] = host
        return host

    def _set_robots(self, host: _Host, rules: Any) -> None:
        host.robots = rules
        if rules is not None:
            crawl_delay = rules.crawl_delay(self.cfg.user_agent)
            if crawl_delay:
                host.delay = max(host.delay, min(float(crawl_delay), self.cfg.max_crawl_delay_s))
        host.robots_ready = True

    def _gate(self, url: str) -> None:
        """robots.txt check of a redirect target (its host's rules are loaded and cached on the way)."""
        try:
            _check_robots(self.client, url, self.cfg)
        except _HostUnavailable as exc:
            raise _Reject("connect_error", str(exc)) from exc

    def _work(self, idx: int, item: FetchItem, host: _Host) -> None:
        row: dict[str, Any] | None = None
        rej: dict[str, Any] | None = None
        deferred = False
        try:
            if host.key and not host.robots_ready:
                rules = _load_robots(self.client, host.key, self.cfg)
                with self.cond:
                    self._set_robots(host, rules)
                host.hold(host.delay)  # the page request below starts now: the next one waits a full delay
            if host.robots is not None and not host.robots.can_fetch(item.uri, self.cfg.user_agent):
                raise _Reject("robots_disallowed", f"robots.txt of {host.key} disallows this URL")
            validators = self.validators(item) if self.validators is not None else None
            row = _fetch_url(self.client, item, self.cfg, validators, host, self._gate)
        except _Reject as exc:
            rej = _reject_row(item.source, item.uri, exc.reason, exc.detail, exc.sha)
        except _HostUnavailable:
            deferred = True
        except Exception as exc:  # a bug must cost one URL, not the batch
            rej = _reject_row(item.source, item.uri, "read_error", f"{type(exc).__name__}: {exc}")
        with self.cond:
            host.active -= 1
            if deferred:
                host.open = True
            elif rej is not None and rej["reason"] in _HOST_FAILURES:
                host.failures += 1
                if host.failures >= self.cfg.breaker_failures:
                    host.open = True
            elif host.key:
                host.failures = 0
            self.done.append((idx, item, row, rej, deferred))
            self.cond.notify_all()

    def run(
        self,
        items: list[tuple[int, FetchItem]],
        on_result: Callable[[int, FetchItem, dict[str, Any] | None, dict[str, Any] | None], None],
        tick: Callable[[], None],
    ) -> None:
        queues: dict[str, collections.deque[tuple[int, FetchItem]]] = {}
        for idx, item in items:
            queues.setdefault(_origin(item.uri), collections.deque()).append((idx, item))
        order = collections.deque(queues)  # round robin over hosts
        in_flight = 0
        cfg = self.cfg
        with ThreadPoolExecutor(max_workers=max(1, min(cfg.workers, len(items)))) as pool:
            while True:
                with self.cond:
                    finished, self.done = self.done, []
                    in_flight -= len(finished)
                for idx, item, row, rej, deferred in finished:
                    if deferred:
                        self.stats.deferred += 1
                        self.stats.deferred_hosts.add(_origin(item.uri))
                    elif row is None and rej is None:
                        self.stats.not_modified += 1
                    on_result(idx, item, row, rej)
                tick()
                wake: float | None = None
                with self.cond:
                    now = time.monotonic()
                    for _ in range(len(order)):
                        origin = order[0]
                        order.rotate(-1)
                        queue = queues[origin]
                        host = self._host(origin)
                        if host.open:  # breaker open: the rest of this host waits for a later run
                            self.stats.deferred += len(queue)
                            if queue:
                                self.stats.deferred_hosts.add(origin)
                            queue.clear()
                        if not queue:
                            continue
                        limit = cfg.per_host_concurrency if host.robots_ready else 1
                        if host.active >= limit or in_flight >= cfg.workers:
                            continue
                        if host.next_ok > now:
                            wake = host.next_ok if wake is None else min(wake, host.next_ok)
                            continue
                        idx, item = queue.popleft()
                        host.active += 1
                        host.next_ok = now + host.delay
                        in_flight += 1
                        pool.submit(self._work, idx, item, host)
                        if queue:
                            wake = host.next_ok if wake is None else min(wake, host.next_ok)
                    for origin in [o for o in order if not queues[o]]:
                        order.remove(origin)
                    if not order and in_flight == 0 and not self.done:
                        break
                    if not self.done:
                        timeout = cfg.write_every_s if wake is None else max(0.0, wake - time.monotonic())
                        self.cond.wait(timeout=min(timeout, cfg.write_every_s))
        with self.cond:  # results that arrived after the last loop pass (none expected)
            finished, self.done = self.done, []
        for idx, item, row, rej, _ in finished:
            on_result(idx, item, row, rej)


def fetch_items(
    items: list[FetchItem],
    cfg: FetchConfig,
    skip: Callable[[FetchItem, str | None], bool] | None = None,
    validators: Callable[[FetchItem], Validators | None] | None = None,
    emit: Callable[[list[dict[str, Any]], list[dict[str, Any]]], None] | None = None,
    stats: FetchStats | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Obtain the bytes of ``items``: (rows of :data:`tasks.schemas.FETCHED`, reject rows).

    Items with a ``path`` are read locally, WARC items from their archive; the others are fetched over HTTP by
    :class:`_Crawler` (politeness, robots.txt, circuit breaker). ``skip(item, sha256)`` drops an item without a
    row: for files it is called with the SHA-256 of the (decompressed) bytes before any other check, for URLs
    and WARC records with ``None`` before any request. ``validators(item)`` gives ``(etag, last_modified)`` of
    the stored version of a URL being revisited: the request is then conditional and a 304 yields no row
    (counted in ``stats.not_modified``). Rows also carry ``meta`` (the item's meta; not part of the FETCHED
    schema, dropped by ``schemas.conform``).

    Without ``emit`` the rows and rejects are returned, in the order of ``items``. With ``emit`` they are
    handed over in completion order, at least every ``cfg.write_every_s`` seconds and at the end (so a caller
    can store them as they come: a killed run loses only the last few seconds), and ``([], [])`` is returned.
    ``emit`` and ``skip`` are always called in the calling thread. Never raises for bad input (exceptions from
    ``skip`` and ``emit`` propagate).
    """
    stats = stats if stats is not None else FetchStats()
    results: list[tuple[dict[str, Any] | None, dict[str, Any] | None]] = [(None, None)] * len(items)
    buffer: tuple[list[dict[str, Any]], list[dict[str, Any]]] = ([], [])
    last_emit = time.monotonic()

    def on_result(idx: int, item: FetchItem, row: dict[str, Any] | None, rej: dict[str, Any] | None) -> None:
        if emit is None:
            results[idx] = (row, rej)
        else:
            if row is not None:
                buffer[0].append(row)
            if rej is not None:
                buffer[1].append(rej)

    def tick(force: bool = False) -> None:
        nonlocal last_emit, buffer
        if emit is None or not (buffer[0] or buffer[1]):
            return
        if force or time.monotonic() - last_emit >= cfg.write_every_s:
            out, buffer = buffer, ([], [])
            last_emit = time.monotonic()
            emit(*out)

    web: list[tuple[int, FetchItem]] = []
    for i, it in enumerate(items):
        if it.path is None and it.warc is None:
            if skip is None or not skip(it, None):
                web.append((i, it))
            continue
        try:
            row = _fetch_warc(it, cfg, skip) if it.warc is not None else _fetch_file(it, cfg, skip)
            on_result(i, it, row, None)
        except _Reject as rej:
            on_result(i, it, None, _reject_row(it.source, it.uri, rej.reason, rej.detail, rej.sha))
        tick()
    if web:
        with _make_client(cfg) as client:
            _Crawler(client, cfg, validators, stats).run(web, on_result, tick)
    tick(force=True)
    if emit is not None:
        return [], []
    fetched = [row for row, _ in results if row is not None]
    rejects = [rej for _, rej in results if rej is not None]
    return fetched, rejects
