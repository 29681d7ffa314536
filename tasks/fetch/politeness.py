"""How hard one host may be asked: its origin key, its request spacing and hold-backs, and waits between attempts.

:class:`_Host` is one origin's state during a run (delay between request starts, hold-back after ``Retry-After``,
robots.txt rules once loaded, consecutive failures and the circuit breaker); :func:`_origin` names the origin of
a URL; :func:`_retry_after` reads a ``Retry-After`` header (seconds or HTTP date); :func:`_backoff` is the
exponential wait with jitter between attempts. robots.txt itself is read in :mod:`tasks.fetch.robots`.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
import threading
import time
from typing import Any

import httpx

from tasks.config import FetchConfig
from tasks.fetch.items import _utcnow


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - _utcnow()).total_seconds())


def _backoff(cfg: FetchConfig, attempt: int) -> float:
    """Wait before attempt ``attempt + 1``: exponential with "equal jitter" (half fixed, half random), so that
    many clients failing together do not come back together."""
    base = min(cfg.backoff_base_s * 2 ** (attempt - 1), cfg.backoff_cap_s)
    return base / 2 + random.uniform(0.0, base / 2)


class _Host:
    """Politeness state of one origin (``scheme://host:port``) during one :func:`fetch_items` call."""

    def __init__(self, key: str, delay: float, lock: threading.Condition | None = None):
        self.key = key
        self.delay = delay  # seconds between request starts
        self.next_ok = 0.0  # monotonic time before which no new request may start
        self.active = 0
        self.robots_ready = not key  # items without a valid origin need no robots.txt
        self.robots: Any = None  # protego.Protego, or None = everything allowed
        self.failures = 0  # consecutive failed URLs
        self.open = False  # circuit breaker open: the host's remaining URLs wait for a later run
        self.lock = lock or threading.Condition()  # the crawler's condition: the dispatcher reads next_ok under it

    def hold(self, seconds: float) -> None:
        """No new request to this host for ``seconds`` (429/503 with Retry-After or backoff)."""
        with self.lock:
            self.next_ok = max(self.next_ok, time.monotonic() + seconds)


def _origin(url: str) -> str:
    """``scheme://host:port`` of a URL, "" when it has none (such items fail validation on their own)."""
    try:
        parsed = httpx.URL(url)
    except Exception:
        return ""
    if parsed.scheme not in ("http", "https") or not parsed.raw_host:
        return ""
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return f"{parsed.scheme}://{parsed.raw_host.decode('ascii', 'replace')}:{port}"
