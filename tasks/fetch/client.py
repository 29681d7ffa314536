"""How one URL is requested: the HTTP client, attempts and retries, redirects, conditional requests.

:func:`_make_client` (headers, no proxies from the environment), :func:`_request_once` (one GET within
``deadline_s``, body capped and decoded by :mod:`tasks.fetch.decoding`), :func:`_request` (retries on network
errors, timeouts, 429 and 5xx; backoff or ``Retry-After`` from :mod:`tasks.fetch.politeness`), :func:`_http_get`
(redirects followed by hand, each hop through the address guard :func:`tasks.fetch.guard._check_url` and the
caller's ``gate``; non-2xx statuses become rejects) and :func:`_fetch_url` (a URL item's FETCHED row; a 304 answer
to a conditional request yields none).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import email.utils
import hashlib
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from tasks.config import FetchConfig
from tasks.fetch.decoding import ACCEPT_ENCODING, _decoder
from tasks.fetch.guard import _check_url
from tasks.fetch.items import FetchItem, _Reject, _row, _utcnow
from tasks.fetch.media import _check_body
from tasks.fetch.politeness import _backoff, _Host, _retry_after

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.5"


#: monotonic time by which the current request attempt must be complete (set by :func:`_request_once`)
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("newsflow_fetch_deadline", default=None)


class _DeadlineExceeded(Exception):
    """Internal: the attempt's ``deadline_s`` passed during a socket operation (connect, status line, headers or
    body). Not an httpcore exception, so httpx passes it through unchanged and it is never retried."""


def _remaining(timeout: float | None) -> float | None:
    """The socket timeout to use: ``timeout`` (seconds, None = none) shortened to what is left of the attempt's
    deadline. Raises :class:`_DeadlineExceeded` when nothing is left."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise _DeadlineExceeded()
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write waits at most until the attempt's deadline: a server sending its
    status line or headers one byte a second is cut when the deadline passes, not after hours."""

    def __init__(self, stream: httpcore.NetworkStream):
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            return self._stream.read(max_bytes, _remaining(timeout))
        except httpcore.ReadTimeout:
            _remaining(0.0)  # raises _DeadlineExceeded when the deadline (not the read timeout) ran out
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _remaining(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, _remaining(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend with :class:`_DeadlineStream` connections (connects are bounded too)."""

    def __init__(self, backend: httpcore.NetworkBackend):
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(host, port, _remaining(timeout), local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._backend.connect_unix_socket(path, _remaining(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _deadline_transport(limits: httpx.Limits) -> httpx.HTTPTransport:
    """httpx's transport with its connection pool's network backend wrapped in :class:`_DeadlineBackend` (httpx
    has no public parameter for it; the attribute is checked so an upgrade that moves it fails loudly)."""
    transport = httpx.HTTPTransport(limits=limits, trust_env=False)
    pool = transport._pool
    if not isinstance(getattr(pool, "_network_backend", None), httpcore.NetworkBackend):
        raise RuntimeError("httpx/httpcore changed: cannot bound whole request attempts by deadline_s")
    pool._network_backend = _DeadlineBackend(pool._network_backend)  # type: ignore[union-attr]
    return transport


@dataclass
class _Response:
    status: int
    headers: httpx.Headers
    body: bytes | None  # None unless 2xx
    attempts: int


def _request_once(
    client: httpx.Client, url: httpx.URL, cfg: FetchConfig, attempt: int, headers: dict[str, str] | None
) -> _Response:
    """One GET within the hard deadline ``cfg.deadline_s`` (seconds), which covers the whole attempt: connect,
    status line, headers (a server trickling them is cut, see :class:`_DeadlineStream`) and body. Reads (and
    decodes) the body only for 2xx answers. Raises httpx exceptions and :class:`_Reject` (too_large,
    decode_error, timeout of the whole attempt - never retried)."""
    deadline = time.monotonic() + cfg.deadline_s
    token = _DEADLINE.set(deadline)
    try:
        return _stream_once(client, url, cfg, attempt, headers, deadline)
    except _DeadlineExceeded as exc:
        raise _Reject(
            "timeout",
            f"response (headers included) not complete within deadline_s {cfg.deadline_s:g}; attempts={attempt}",
        ) from exc
    finally:
        _DEADLINE.reset(token)


def _stream_once(
    client: httpx.Client,
    url: httpx.URL,
    cfg: FetchConfig,
    attempt: int,
    headers: dict[str, str] | None,
    deadline: float,
) -> _Response:
    per_op = min(cfg.timeout_s, cfg.deadline_s)
    with client.stream("GET", url, headers=headers, timeout=httpx.Timeout(per_op)) as resp:
        if not 200 <= resp.status_code < 300:
            return _Response(resp.status_code, resp.headers, None, attempt)
        declared = resp.headers.get("content-length", "")
        if declared.strip().isdigit() and int(declared) > cfg.max_bytes:
            raise _Reject("too_large", f"Content-Length {declared} > max_bytes {cfg.max_bytes}; attempts={attempt}")
        decoder = _decoder(resp.headers.get("content-encoding"), cfg.max_bytes)
        buf = bytearray()
        raw = 0
        for chunk in resp.iter_raw():
            raw += len(chunk)
            if raw > cfg.max_bytes:
                raise _Reject("too_large", f"body over max_bytes {cfg.max_bytes}; attempts={attempt}")
            buf += decoder.feed(chunk) if decoder else chunk
            if len(buf) > cfg.max_bytes:
                raise _Reject("too_large", f"body over max_bytes {cfg.max_bytes}; attempts={attempt}")
            if time.monotonic() > deadline:
                raise _DeadlineExceeded()
        if decoder:
            buf += decoder.finish()
        return _Response(resp.status_code, resp.headers, bytes(buf), attempt)


def _is_dns_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            return False
        if isinstance(seen, socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _request(
    client: httpx.Client,
    url: httpx.URL,
    cfg: FetchConfig,
    headers: dict[str, str] | None = None,
    host: _Host | None = None,
) -> _Response:
    """GET with retries on network errors, timeouts, 429 and 5xx (backoff with jitter, or the server's
    ``Retry-After`` when it is at most ``retry_after_cap_s``; a longer one ends the attempts). Returns the last
    response (any status); raises :class:`_Reject` when no response was obtained."""
    attempts = 1 + max(0, cfg.retries)
    for attempt in range(1, attempts + 1):
        last = attempt == attempts
        try:
            resp = _request_once(client, url, cfg, attempt, headers)
        except _Reject:
            raise
        except httpx.TimeoutException as exc:
            if last:
                raise _Reject("timeout", f"{type(exc).__name__} after {cfg.timeout_s:g}s; attempts={attempt}") from exc
            wait = _backoff(cfg, attempt)
        except httpx.ConnectError as exc:
            if _is_dns_failure(exc):  # only reached when the host was not resolved up front
                raise _Reject("dns_error", f"{type(exc).__name__}: {exc}; attempts={attempt}") from exc
            if last:
                raise _Reject("connect_error", f"{type(exc).__name__}: {exc}; attempts={attempt}") from exc
            wait = _backoff(cfg, attempt)
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            if last:
                raise _Reject("read_error", f"{type(exc).__name__}: {exc}; attempts={attempt}") from exc
            wait = _backoff(cfg, attempt)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise _Reject("invalid_url", f"{type(exc).__name__}: {exc}") from exc
        except Exception as exc:  # protocol errors, anything else: never raise
            raise _Reject("read_error", f"{type(exc).__name__}: {exc}; attempts={attempt}") from exc
        else:
            if not (resp.status == 429 or resp.status >= 500) or last:
                return resp
            told = _retry_after(resp.headers.get("retry-after"))
            if told is not None and told > cfg.retry_after_cap_s:
                return resp  # the server wants a long pause: a later run tries again
            wait = told if told is not None else _backoff(cfg, attempt)
            if host is not None and resp.status in (429, 503):
                host.hold(wait)  # the whole host waits, not only this URL
        time.sleep(wait)
    raise AssertionError("unreachable")


@dataclass
class _HttpResult:
    status: int
    final_url: str
    redirects: list[str]
    headers: httpx.Headers
    body: bytes
    attempts: int


def _http_get(
    client: httpx.Client,
    url: str,
    cfg: FetchConfig,
    headers: dict[str, str] | None = None,
    host: _Host | None = None,
    gate: Callable[[str], None] | None = None,
) -> _HttpResult:
    """GET ``url`` following redirects by hand (each hop checked by :func:`_check_url` and ``gate``, which may
    raise :class:`_Reject` - robots.txt). Raises :class:`_Reject` for every failure, including non-2xx statuses
    (``http_4xx``, ``rate_limited`` for 429, ``http_5xx``). A 304 answer is returned with an empty body."""
    current = _check_url(url, cfg)
    seen = {str(current)}
    redirects: list[str] = []
    while True:
        if gate is not None and redirects:
            gate(str(current))
        resp = _request(client, current, cfg, headers, host)
        if resp.status in _REDIRECT_STATUSES:
            location = resp.headers.get("location")
            if not location:
                raise _Reject("read_error", f"status {resp.status} without Location; attempts={resp.attempts}")
            try:
                nxt = current.join(location.strip())
            except Exception as exc:
                raise _Reject("invalid_url", f"bad redirect Location {location!r}: {exc}") from exc
            redirects.append(str(current))
            if str(nxt) in seen:
                raise _Reject("redirect_loop", f"redirect back to {nxt} after {len(redirects)} hop(s)")
            if len(redirects) > cfg.max_redirects:
                raise _Reject("redirect_loop", f"more than max_redirects {cfg.max_redirects} hops")
            seen.add(str(nxt))
            current = _check_url(str(nxt), cfg)
            continue
        detail = f"status {resp.status}; attempts={resp.attempts}"
        if resp.status == 429:
            raise _Reject("rate_limited", f"{detail}; Retry-After {resp.headers.get('retry-after') or 'none'}")
        if 400 <= resp.status < 500:
            raise _Reject("http_4xx", detail)
        if resp.status >= 500:
            raise _Reject("http_5xx", detail)
        if resp.status == 304:
            return _HttpResult(304, str(current), redirects, resp.headers, b"", resp.attempts)
        if resp.body is None:  # 1xx/3xx other than redirects
            raise _Reject("read_error", f"unexpected {detail}")
        return _HttpResult(resp.status, str(current), redirects, resp.headers, resp.body, resp.attempts)


def _make_client(cfg: FetchConfig, accept: str = _ACCEPT) -> httpx.Client:
    """The HTTP client of one fetch: our headers, no redirects followed by httpx, no proxies or netrc from the
    environment (requests go where the URL says), connections bounded by each attempt's deadline."""
    return httpx.Client(
        headers={"User-Agent": cfg.user_agent, "Accept": accept, "Accept-Encoding": ACCEPT_ENCODING},
        timeout=httpx.Timeout(cfg.timeout_s),
        follow_redirects=False,
        trust_env=False,
        transport=_deadline_transport(
            httpx.Limits(max_connections=cfg.workers * 2, max_keepalive_connections=cfg.workers * 2)
        ),
    )


def _http_date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def _conditional_headers(validators: tuple[str | None, dt.datetime | None] | None) -> dict[str, str] | None:
    if not validators:
        return None
    etag, last_modified = validators
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified is not None:
        headers["If-Modified-Since"] = email.utils.format_datetime(last_modified.astimezone(dt.UTC), usegmt=True)
    return headers or None


def _fetch_url(
    client: httpx.Client,
    item: FetchItem,
    cfg: FetchConfig,
    validators: tuple[str | None, dt.datetime | None] | None = None,
    host: _Host | None = None,
    gate: Callable[[str], None] | None = None,
) -> dict[str, Any] | None:
    """Fetched row for a URL item; None for a 304 answer to a conditional request. Raises :class:`_Reject`."""
    res = _http_get(client, item.uri, cfg, _conditional_headers(validators), host, gate)
    if res.status == 304:
        return None
    fetched_at = _utcnow()
    sha = hashlib.sha256(res.body).hexdigest()
    content_type = res.headers.get("content-type")
    sniffed = _check_body(res.body, content_type, sha)
    return _row(
        item,
        res.body,
        sha,
        fetched_at,
        url=item.url or item.uri,
        final_url=res.final_url,
        redirects=res.redirects,
        http_status=res.status,
        content_type=content_type or sniffed,
        etag=res.headers.get("etag"),
        last_modified=_http_date(res.headers.get("last-modified")),
    )
