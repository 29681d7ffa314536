"""What robots.txt allows: each origin's rules, read once and cached, and when a host counts as unavailable.

RFC 9309: a 4xx (or a redirect loop, an oversized or invalid answer) means no rules; a 5xx or network failure
means the host is unavailable (:class:`_HostUnavailable`: its URLs wait for a later run); a private address or
DNS failure rejects the page with that reason. Rules are cached per (origin, user agent) for ``robots_cache_s``
in :data:`_ROBOTS_CACHE` (cleared by tests and benchmarks). Applying the rules (and ``Crawl-delay``) is the
crawler's part.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import protego  # type: ignore[import-untyped, unused-ignore]

from tasks.config import FetchConfig
from tasks.fetch.client import _http_get
from tasks.fetch.items import _Reject
from tasks.fetch.politeness import _origin

ROBOTS_MAX_BYTES = 500_000  # RFC 9309: at least 500 KiB must be parsed; we read no more
_ROBOTS_CACHE: dict[tuple[str, str], tuple[float, Any]] = {}  # (origin, user agent) -> (expiry, Protego | None)
_ROBOTS_LOCK = threading.Lock()


class _HostUnavailable(Exception):
    """Internal: the host's robots.txt could not be read (5xx, network): its URLs wait for a later run."""


def _load_robots(client: httpx.Client, origin: str, cfg: FetchConfig) -> Any:
    """The host's parsed robots.txt (``protego.Protego``), None when everything is allowed, cached per origin for
    ``robots_cache_s``. RFC 9309: a 4xx (or a redirect loop) means no rules; a 5xx or network failure means the
    host is unavailable (:class:`_HostUnavailable`, not cached)."""
    key = (origin, cfg.user_agent)
    now = time.monotonic()
    with _ROBOTS_LOCK:
        hit = _ROBOTS_CACHE.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
    robots_cfg = dataclasses.replace(cfg, max_bytes=min(cfg.max_bytes, ROBOTS_MAX_BYTES), max_redirects=5)
    rules: Any = None
    try:
        res = _http_get(client, origin + "/robots.txt", robots_cfg)
        rules = protego.Protego.parse(res.body.decode("utf-8", "replace"))
    except _Reject as rej:
        if rej.reason in ("http_4xx", "redirect_loop", "too_large", "invalid_url"):
            rules = None
        elif rej.reason in ("private_address", "dns_error"):
            raise  # the page request would fail the same way: reject it with this reason
        else:
            raise _HostUnavailable(f"robots.txt of {origin}: {rej.reason}: {rej.detail}") from rej
    with _ROBOTS_LOCK:
        _ROBOTS_CACHE[key] = (time.monotonic() + cfg.robots_cache_s, rules)
    return rules


def _check_robots(client: httpx.Client, url: str, cfg: FetchConfig) -> None:
    """Raise :class:`_Reject` (``robots_disallowed``) when ``url``'s robots.txt disallows it for our user agent,
    :class:`_HostUnavailable` when that robots.txt cannot be read (5xx, network); nothing when
    ``cfg.robots_txt`` is off or the URL has no origin. Used for every document we request: pages (redirect
    hops included), feeds and sitemaps."""
    if not cfg.robots_txt:
        return
    origin = _origin(url)
    if not origin:
        return
    rules = _load_robots(client, origin, cfg)
    if rules is not None and not rules.can_fetch(url, cfg.user_agent):
        raise _Reject("robots_disallowed", f"robots.txt of {origin} disallows {url}")


def _robots_gate(client: httpx.Client, cfg: FetchConfig, what: str) -> Callable[[str], None]:
    """A ``gate`` for :func:`tasks.fetch.client._http_get` (called with the first URL by the caller, then with
    each redirect target): :func:`_check_robots`, with an unreadable robots.txt turned into a reject of ``what``
    (a feed or sitemap is read again by the next run, so nothing is lost)."""

    def gate(url: str) -> None:
        try:
            _check_robots(client, url, cfg)
        except _HostUnavailable as exc:
            raise _Reject(what, f"robots.txt unavailable, {what.split('_')[0]} not requested: {exc}") from exc

    return gate
