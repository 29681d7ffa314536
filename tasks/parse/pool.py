"""Parse pages in worker processes with a hard time limit per page.

The limit is a wall-clock budget for the parser's own work on one page: its clock starts when a worker process
picks the page up, never when the page is handed to the pool. A worker's cold start (spawning the interpreter,
importing the parser, warming its caches) therefore does not count against any page, and a page over the limit
costs only its own worker, which is killed and replaced while the other workers go on. Before this, the clock ran
from the hand-off and each timeout restarted the whole pool, so on a loaded machine healthy pages were rejected as
``parse_timeout`` while new workers started (30 of 150 good pages at load 20–30, issue #15).

The pool is `pebble <https://github.com/noxdafox/pebble>`_'s ``ProcessPool``: it stamps a task's start when the worker
acknowledges it and terminates only that worker on expiry. Workers are started with ``spawn`` (the flow process
runs Prefect's threads and event loop, which must not be forked) and import only :mod:`tasks.parse`: this module
imports no Prefect, so neither do the workers.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from pebble import ProcessExpired, ProcessPool

#: pages a worker parses before it is replaced (bounds memory a long-lived lxml/dateparser process accumulates)
PAGES_PER_WORKER = 1000

_WARM_PAGE = (
    "<html lang='de'><head><title>Warm-up</title></head><body><article><h1>Warm-up page</h1>"
    "<p class='byline'>Von Erika Muster, 03.02.2023 um 14:10 Uhr</p>"
    + "<p>Ein Absatz mit genug Worten, damit der Parser jeden Schritt einmal durchläuft. </p>" * 8
    + "</article></body></html>"
).encode()

Args = tuple[bytes, str | None, str | None, dt.datetime | None, bool, str | None]
Result = tuple[str, Any]

#: the worker initializer (module level, so a test can slow the cold start with an importable function of its own)
warm_up: Callable[[], None] | None = None

_POOL: ProcessPool | None = None
_POOL_SIZE = 0


def warm_worker() -> None:
    """Worker initializer: import the parser and parse one small built-in page, so the first real page of a
    worker does not pay the lazy imports and cache fills (about 0.5 CPU-s measured here) inside its time limit."""
    from tasks import parse

    parse.parse_document(_WARM_PAGE, "text/html", "http://warm-up.invalid/a", None)


def parse_one(args: Args) -> Result:
    """Parse one page: ``("ok", article dict)`` or ``("reject", (reason, detail))``.

    ``args`` is ``(content bytes, Content-Type or None, URL or None, fetched_at UTC or None, served)``; ``served``
    says ``fetched_at`` is when the page was served, so relative dates ("vor 5 Stunden") may be read against it;
    the last item is the source's ``timezone`` setting (IANA name) or None.
    Raises ``ImportError`` and ``MemoryError`` (a broken installation or machine is not the page's fault)."""
    from tasks import parse

    content, content_type, url, fetched_at, served, zone = args
    try:
        return "ok", parse.parse_document(content, content_type, url, fetched_at, relative_dates=served, timezone=zone)
    except parse.ParseError as exc:
        return "reject", (exc.reason, exc.detail)
    except (ImportError, MemoryError):
        raise
    except Exception as exc:  # a parser bug must reject the page, never end the run
        return "reject", ("parse_error", f"{type(exc).__name__}: {exc}"[:500])


def timed_parse_one(args: Args) -> tuple[Result, float]:
    """:func:`parse_one` and the wall-clock seconds it took in this worker (the page's own parse time)."""
    started = time.monotonic()
    result = parse_one(args)
    return result, time.monotonic() - started


def _pool(workers: int) -> ProcessPool:
    global _POOL, _POOL_SIZE
    if _POOL is None or workers != _POOL_SIZE or not _POOL.active:
        shutdown_pool()
        _POOL = ProcessPool(
            max_workers=workers,
            max_tasks=PAGES_PER_WORKER,
            initializer=warm_up or warm_worker,
            context=multiprocessing.get_context("spawn"),
        )
        _POOL_SIZE = workers
    return _POOL


def shutdown_pool(kill: bool = False) -> None:
    """Stop the parse worker processes: at the end of a flow run, or at once (``kill``) on an error or Ctrl-C."""
    global _POOL
    if _POOL is not None:
        pool, _POOL = _POOL, None
        if kill:
            pool.stop()
        else:
            pool.close()
        pool.join()


def parse_rows(rows: list[dict[str, Any]], workers: int, timeout_s: float) -> list[Result]:
    """Parse fetched rows (dicts with ``content``, ``content_type``, ``url``/``final_url``, ``fetched_at``,
    ``http_status``, optionally ``timezone``: the source's setting) in ``workers`` processes; results keep the
    input order.

    A page whose parse runs longer than ``timeout_s`` seconds of wall clock, counted from the moment a worker starts
    it, becomes ``("reject", ("parse_timeout", …))``: its worker is killed (pebble checks about every 0.1 s) and
    replaced, and a page that finished just past the limit is rejected all the same. A page whose worker process
    dies (a crash in a C extension, the OOM killer) becomes ``("reject", ("parse_error", …))``. At most two pages
    per worker are queued, so a batch's page bytes never pile up in the pool's pipe. Inside a daemonic process (a
    Dask worker), which may not have children, pages are parsed in-process and the time limit is not enforced.

    Raises what a worker raises for a broken installation or machine (``ImportError``, ``MemoryError``), and
    ``RuntimeError`` when every worker dies before taking a page (e.g. the parser cannot be imported)."""
    # a relative date on the page ("vor 5 Stunden") is read against fetched_at only when that is the time the page
    # was served (an HTTP response, incl. WARC records); for a local file it is the time the file was read
    args: list[Args] = [
        (
            r["content"],
            r["content_type"],
            r.get("url") or r.get("final_url"),
            r["fetched_at"],
            r.get("http_status") is not None,
            r.get("timezone"),
        )
        for r in rows
    ]
    if multiprocessing.current_process().daemon:
        return [parse_one(a) for a in args]
    pool = _pool(workers)
    results: list[Result | None] = [None] * len(args)
    todo = deque(range(len(args)))
    in_flight: dict[Future[tuple[Result, float]], int] = {}
    try:
        while todo or in_flight:
            while todo and len(in_flight) < 2 * workers:
                i = todo.popleft()
                in_flight[pool.schedule(timed_parse_one, args=(args[i],), timeout=timeout_s)] = i
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                results[in_flight.pop(future)] = _outcome(future, timeout_s)
    except BaseException:
        shutdown_pool(kill=True)
        raise
    return [r if r is not None else ("reject", ("parse_error", "lost result")) for r in results]


def _outcome(future: Future[tuple[Result, float]], timeout_s: float) -> Result:
    try:
        result, seconds = future.result()
    except (TimeoutError, FutureTimeout):
        return _late(timeout_s)
    except ProcessExpired as exc:
        return "reject", ("parse_error", f"the parser process died (exit code {exc.exitcode})")
    except BrokenProcessPool as exc:
        raise RuntimeError(f"the parse worker processes died before parsing anything ({exc}): broken install?") from exc
    # pebble checks running pages against the limit about every 0.1 s; a page that finished in that slack is over
    # the limit all the same, so the limit means the same for every page
    return _late(timeout_s) if seconds > timeout_s else result


def _late(timeout_s: float) -> Result:
    return "reject", ("parse_timeout", f"no result within {timeout_s:g} s of parsing")
