"""Fetch stage logic: discover documents of a source and obtain their bytes.

Pure functions (no Prefect, no file writes); the Prefect task wrapper calls them and writes the parts.

* :func:`discover` lists what a source offers (:class:`FetchItem` s) plus reject rows for discovery failures.
* :func:`fetch_items` turns items into rows of :data:`tasks.schemas.FETCHED` and reject rows.
* :func:`sniff_media_type` decides from the bytes (magic numbers, binary check, HTML markup) what a body is.

Source kinds (``SourceConfig.kind``):

``files``
    ``path`` is a folder (walked recursively, hidden files and folders skipped) or one file. Inputs are
    ``.html``, ``.htm``, ``.txt`` and the same with ``.gz`` (decompressed, at most ``max_bytes`` after
    decompression). Everything else (README.md, ``urls.tsv``, sidecars, ...) is ignored. A sidecar
    ``<file>.meta.json`` may hold ``url``, ``fetched_at`` (ISO 8601; naive values are taken as UTC) and
    ``content_type``; a ``urls.tsv`` in a folder maps ``<file name relative to that folder>\\t<url>`` (the
    sidecar wins). ``uri`` is ``"file:" + path relative to the source folder`` (POSIX), or ``"file:" + name``
    for a single-file source. ``fetched_at`` is the sidecar value, else the UTC time the file was read (not
    the mtime: a copied or re-extracted file keeps no meaningful mtime). ``content_type`` is the sidecar
    value, else ``text/html`` / ``text/plain`` from the extension. ``http_status`` is null.
``urls``
    ``path`` is a text file, one URL per line; blank lines and ``#`` comments are ignored, a second
    tab-separated column is ignored.
``feed``
    RSS/Atom from ``url`` (fetched like any URL) or a local ``path``. Each entry's http(s) link becomes an
    item whose ``meta`` holds the cleaned ``title``, the raw ``published`` string and ``published_iso`` (our
    own parse; an offset only when the feed gave one - see field cases C16/C17). Feeds declaring entities or a
    DOCTYPE internal subset are refused (``feed_error``) before parsing, so entity bombs cost nothing.

HTTP: redirects are followed by hand (each hop's host is checked against private addresses unless
``FetchConfig.allow_private_addresses``), at most ``max_redirects`` hops, a repeated URL or too many hops is
``redirect_loop``. Each request is attempted ``1 + retries`` times on connect errors, network read errors,
timeouts, 429 and 5xx, with exponential backoff (``BACKOFF_BASE_S``) or the server's ``Retry-After`` (capped
at ``RETRY_AFTER_CAP_S``). Bodies are streamed (decoded ``Content-Encoding``) and cut at ``max_bytes``
(``too_large``); a whole body must arrive within ``BODY_DEADLINE_FACTOR * timeout_s`` seconds (``timeout``).
URL items are fetched by up to ``HTTP_WORKERS`` threads sharing one client.

Known limit: the private-address check resolves the host itself, then httpx resolves again to connect; a DNS
answer that changes in between (DNS rebinding) is not caught.

Nothing here raises on bad input: every failure becomes a reject row
``{doc_id, content_sha256 (or None), source, uri, reason, detail}`` with ``reason`` from
``schemas.REJECT_REASONS["fetch"]``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import hashlib
import html
import io
import ipaddress
import json
import os
import re
import socket
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import httpx

from tasks.config import FetchConfig, SourceConfig

#: Bump when the fetched output for the same input changes.
STAGE_VERSION = "fetch-1"

HTTP_WORKERS = 4  # concurrent requests per fetch_items call
BACKOFF_BASE_S = 0.5  # wait before retry n is BACKOFF_BASE_S * 2**(n-1) seconds, capped at BACKOFF_CAP_S
BACKOFF_CAP_S = 4.0
RETRY_AFTER_CAP_S = 10.0  # a longer Retry-After is shortened to this
BODY_DEADLINE_FACTOR = 5.0  # a whole response body must arrive within this many times timeout_s
SNIFF_BYTES = 65_536  # bytes looked at by sniff_media_type

ACCEPTED_MEDIA_TYPES = frozenset({"text/html", "text/plain"})
_FILE_TYPES = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain"}
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.5"
_FEED_ACCEPT = "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"


@dataclass(frozen=True)
class FetchItem:
    """One document to fetch.

    ``uri``: ``"file:" + POSIX path relative to the source folder`` for files, the URL as listed for the web.
    ``path``: absolute local path (files only). ``url``: the document's original URL when known (sidecar,
    ``urls.tsv``, URL list, feed entry link). ``meta``: small string dict (feed entry ``title``,
    ``published``, ``published_iso``; sidecar ``fetched_at`` / ``content_type`` for files).
    """

    source: str
    uri: str
    path: str | None
    url: str | None
    meta: dict[str, Any] = field(default_factory=dict)


class _Reject(Exception):
    """Internal: one failure with its reject reason code and a human-readable detail."""

    def __init__(self, reason: str, detail: str, sha: str | None = None):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.sha = sha


def make_doc_id(uri: str) -> str:
    """Stable document identity: the first 16 hex chars of SHA-256 of ``uri`` (UTF-8)."""
    return hashlib.sha256(uri.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _reject_row(item_source: str, uri: str, reason: str, detail: str, sha: str | None = None) -> dict[str, Any]:
    return {
        "doc_id": make_doc_id(uri),
        "content_sha256": sha,
        "source": item_source,
        "uri": uri,
        "reason": reason,
        "detail": detail,
    }


# --------------------------------------------------------------------------------------------- sniffing

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),
    (b"PK\x07\x08", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"BZh", "application/x-bzip2"),
    (b"\xfd7zXZ\x00", "application/x-xz"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"\x00\x00\x01\x00", "image/x-icon"),
    (b"\x7fELF", "application/octet-stream"),
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_HTML_STRONG = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|title|meta|article|section|main|div|p|h[1-6]|br|span|a|table|ul|ol|li"
    rb"|script|style|link|img|header|footer|nav|figure|blockquote|em|strong|b|i)[\s>/]",
    re.IGNORECASE,
)
_ANY_TAG = re.compile(rb"<[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>|</[a-zA-Z][a-zA-Z0-9-]*\s*>")
_XHTML = re.compile(rb"<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE)
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def _media_base(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def sniff_media_type(data: bytes, declared: str | None) -> str:
    """Media type of ``data`` judged from the bytes; ``declared`` (a Content-Type value) is only a hint.

    Returns a magic-number type (``application/pdf``, ``image/png``, ``image/jpeg``, ``image/gif``,
    ``image/webp``, ``application/zip``, ``application/gzip``, ...), ``application/octet-stream`` for other
    binary data (NUL bytes without a UTF-16 BOM, or many control characters), ``application/xml`` for XML that
    is not XHTML, ``text/html`` for text with HTML markup (or with any tag when ``declared`` says HTML), else
    ``text/plain``. Looks at the first :data:`SNIFF_BYTES` bytes. Never raises.
    """
    head = data[:SNIFF_BYTES]
    for magic, mime in _MAGIC:
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff"):
        enc = "utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"
        try:
            text = head[2 : 2 + (len(head) - 2) // 2 * 2].decode(enc)
        except UnicodeDecodeError:
            return "application/octet-stream"
        head = text.encode("utf-8", "replace")
    elif b"\x00" in head:
        return "application/octet-stream"
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head:
        controls = sum(head.count(bytes([c])) for c in _CONTROL)
        if controls / len(head) > 0.05:
            return "application/octet-stream"
    stripped = head.lstrip()
    if stripped.startswith(b"<?xml") and not _XHTML.search(stripped):
        return "application/xml"
    if _HTML_STRONG.search(head):
        return "text/html"
    if _media_base(declared) in ("text/html", "application/xhtml+xml") and _ANY_TAG.search(head):
        return "text/html"
    return "text/plain"


def _is_empty(data: bytes) -> bool:
    for bom in _BOMS:
        if data.startswith(bom):
            data = data[len(bom) :]
            break
    return not data.replace(b"\x00", b"").strip()


def _check_body(data: bytes, declared: str | None, sha: str) -> str:
    """Raise :class:`_Reject` for an empty or unsupported body; return the sniffed media type."""
    if _is_empty(data):
        raise _Reject("empty_content", f"{len(data)} bytes, no non-whitespace content", sha)
    sniffed = sniff_media_type(data, declared)
    if sniffed not in ACCEPTED_MEDIA_TYPES:
        raise _Reject("unsupported_media_type", f"sniffed {sniffed}; declared {declared or 'none'}", sha)
    return sniffed


# --------------------------------------------------------------------------------------------- local files


def _file_kind(name: str) -> tuple[str, bool] | None:
    """(content type guessed from the extension, gzipped?) for an input file name, else None."""
    lower = name.lower()
    gz = lower.endswith(".gz")
    if gz:
        lower = lower[:-3]
    ext = os.path.splitext(lower)[1]
    if ext in _FILE_TYPES:
        return _FILE_TYPES[ext], gz
    return None


def _read_urls_tsv(path: Path) -> dict[str, str]:
    """``urls.tsv`` → {relative POSIX file name: url}. Unreadable lines are ignored."""
    out: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return out
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t")
        name = parts[0].strip().replace("\\", "/")
        while name.startswith("./"):
            name = name[2:]
        if len(parts) >= 2 and name and parts[1].strip():
            out[name] = parts[1].strip()
    return out


def _parse_iso(value: str) -> dt.datetime:
    """ISO 8601 → aware UTC datetime (naive taken as UTC). Raises ValueError."""
    parsed = dt.datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)  # OverflowError near year 1 / 9999 is the caller's to handle


def _read_sidecar(path: Path) -> dict[str, Any]:
    """Read ``<file>.meta.json``. Raises :class:`_Reject` (read_error) when it is unreadable or malformed."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _Reject("read_error", f"sidecar {path.name}: {exc}") from exc
    if not isinstance(raw, dict):
        raise _Reject("read_error", f"sidecar {path.name}: not a JSON object")
    meta: dict[str, Any] = {}
    for key in ("url", "fetched_at", "content_type"):
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise _Reject("read_error", f"sidecar {path.name}: {key} is not a string")
        meta[key] = value.strip()
    if "url" in meta and urlsplit(meta["url"]).scheme.lower() not in ("http", "https"):
        raise _Reject("invalid_url", f"sidecar {path.name}: url is not http(s): {meta['url'][:200]!r}")
    if "fetched_at" in meta:
        try:
            _parse_iso(meta["fetched_at"])
        except (ValueError, OverflowError) as exc:
            raise _Reject(
                "read_error", f"sidecar {path.name}: fetched_at not ISO 8601: {meta['fetched_at']!r}"
            ) from exc
    return meta


def _discover_files(source: SourceConfig) -> tuple[list[FetchItem], list[dict[str, Any]]]:
    items: list[FetchItem] = []
    rejects: list[dict[str, Any]] = []
    if not source.path:
        return [], [_reject_row(source.name, f"source:{source.name}", "read_error", "files source without a path")]
    root = Path(source.path)
    files: list[tuple[Path, str]] = []  # (absolute path, relative POSIX name)
    tsv: dict[str, str] = {}
    if root.is_file():
        base = root.parent
        files.append((root, root.name))
        tsv = _read_urls_tsv(base / "urls.tsv")
    elif root.is_dir():
        base = root
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            folder = Path(dirpath)
            rel_folder = folder.relative_to(root).as_posix()
            prefix = "" if rel_folder == "." else rel_folder + "/"
            if "urls.tsv" in filenames:
                for name, mapped in _read_urls_tsv(folder / "urls.tsv").items():
                    tsv.setdefault(prefix + name, mapped)
            for name in sorted(filenames):
                if not name.startswith("."):
                    files.append((folder / name, prefix + name))
    else:
        return [], [_reject_row(source.name, "file:" + root.name, "read_error", f"no such file or folder: {root}")]

    for path, rel in files:
        kind = _file_kind(rel)
        if kind is None:
            continue
        uri = "file:" + rel
        try:
            rel.encode("utf-8")
        except UnicodeEncodeError:
            safe = "file:" + rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            rejects.append(_reject_row(source.name, safe, "read_error", "file name is not valid UTF-8"))
            continue
        try:
            if not path.is_file():  # FIFOs, sockets, devices, dangling links: never opened (a FIFO would block)
                raise _Reject("read_error", "not a regular file (or a broken link)")
            meta: dict[str, Any] = {}
            sidecar = path.with_name(path.name + ".meta.json")
            if sidecar.is_file():
                meta = _read_sidecar(sidecar)
            url = meta.pop("url", None) or tsv.get(rel)
            items.append(FetchItem(source=source.name, uri=uri, path=str(path.resolve()), url=url, meta=meta))
        except _Reject as rej:
            rejects.append(_reject_row(source.name, uri, rej.reason, rej.detail))
        except (OSError, RuntimeError, ValueError) as exc:  # e.g. a symlink loop: this file only, not the source
            rejects.append(_reject_row(source.name, uri, "read_error", f"{type(exc).__name__}: {exc}"))
    return items, rejects


def _stat_key(path: Path) -> str | None:
    """Identity of a local file that could not be read or hashed: ``"stat:"`` + a hash of its size and
    modification time (ns), stored as the reject's ``content_sha256`` so an unchanged failing file is not retried
    every run (and not rejected twice), while a changed one is. None when even ``stat`` fails."""
    try:
        st = path.stat()
    except (OSError, RuntimeError, ValueError):
        return None
    return "stat:" + hashlib.sha256(f"{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:40]


def _read_local(path: str, max_bytes: int) -> bytes:
    """Bytes of a local input, gunzipped for ``.gz``, at most ``max_bytes``. Raises :class:`_Reject`."""
    try:
        if path.lower().endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                data = fh.read(max_bytes + 1)
        else:
            if os.path.getsize(path) > max_bytes:
                raise _Reject("too_large", f"{os.path.getsize(path)} bytes > max_bytes {max_bytes}")
            with open(path, "rb") as fh:
                data = fh.read(max_bytes + 1)
    except _Reject:
        raise
    except (OSError, EOFError, zlib.error) as exc:
        raise _Reject("read_error", f"{type(exc).__name__}: {exc}") from exc
    if len(data) > max_bytes:
        raise _Reject("too_large", f"more than max_bytes {max_bytes} bytes (after decompression)")
    return data


def _fetch_file(
    item: FetchItem, cfg: FetchConfig, skip: Callable[[FetchItem, str | None], bool] | None
) -> dict[str, Any] | None:
    """Fetched row for a local file, None when skipped. Raises :class:`_Reject`."""
    assert item.path is not None
    stat_key = _stat_key(Path(item.path))
    if skip is not None and stat_key is not None and skip(item, stat_key):
        return None  # this very file (same size and mtime) was rejected before: not read again
    try:
        data = _read_local(item.path, cfg.max_bytes)
    except _Reject as rej:
        rej.sha = rej.sha or stat_key
        raise
    sha = hashlib.sha256(data).hexdigest()
    if skip is not None and skip(item, sha):
        return None
    kind = _file_kind(item.path)
    content_type = item.meta.get("content_type") or (kind[0] if kind else None)
    _check_body(data, content_type, sha)
    fetched_at = _parse_iso(item.meta["fetched_at"]) if item.meta.get("fetched_at") else _utcnow()
    return {
        "doc_id": make_doc_id(item.uri),
        "content_sha256": sha,
        "source": item.source,
        "uri": item.uri,
        "url": item.url,
        "final_url": None,
        "redirects": None,
        "fetched_at": fetched_at,
        "http_status": None,
        "content_type": content_type,
        "content_length": len(data),
        "content": data,
        "meta": dict(item.meta),
    }


# --------------------------------------------------------------------------------------------- HTTP


def _resolve(host: str, port: int) -> list[str]:
    """IP addresses ``host`` resolves to. Raises socket.gaierror."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def _blocked_ip(addr: str) -> bool:
    try:
        ip = ipaddress.ip_address(addr.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (not ip.is_global) or ip.is_multicast


def _check_url(url: str, cfg: FetchConfig) -> httpx.URL:
    """Validate one URL (scheme, host) and, unless private addresses are allowed, its resolved addresses.

    Raises :class:`_Reject` with ``invalid_url``, ``dns_error`` or ``private_address``.
    """
    try:
        parsed = httpx.URL(url)
    except Exception as exc:  # httpx.InvalidURL and friends
        raise _Reject("invalid_url", f"{type(exc).__name__}: {exc}") from exc
    if parsed.scheme not in ("http", "https"):
        raise _Reject("invalid_url", f"scheme {parsed.scheme or 'none'!r} not allowed (http/https only)")
    if not parsed.raw_host:
        raise _Reject("invalid_url", "URL has no host")
    if cfg.allow_private_addresses:
        return parsed
    host = parsed.raw_host.decode("ascii", "replace")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        addrs = _resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise _Reject("dns_error", f"cannot resolve {host}: {exc}") from exc
    bad = [a for a in addrs if _blocked_ip(a)]
    if bad or not addrs:
        raise _Reject("private_address", f"{host} resolves to non-public address(es) {', '.join(bad) or 'none'}")
    return parsed


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


def _backoff(attempt: int, retry_after: str | None = None) -> float:
    wait = _retry_after(retry_after)
    if wait is not None:
        return min(wait, RETRY_AFTER_CAP_S)
    return min(BACKOFF_BASE_S * 2 ** (attempt - 1), BACKOFF_CAP_S)


@dataclass
class _Response:
    status: int
    url: str
    headers: httpx.Headers
    body: bytes | None  # None for redirects
    attempts: int


def _request_once(client: httpx.Client, url: httpx.URL, cfg: FetchConfig, attempt: int) -> _Response:
    """One GET; reads the body only for 2xx answers. Raises httpx exceptions and :class:`_Reject` (too_large,
    timeout of the whole body)."""
    with client.stream("GET", url) as resp:
        if not 200 <= resp.status_code < 300:
            return _Response(resp.status_code, str(resp.url), resp.headers, None, attempt)
        declared = resp.headers.get("content-length", "")
        if declared.strip().isdigit() and int(declared) > cfg.max_bytes and not resp.headers.get("content-encoding"):
            raise _Reject("too_large", f"Content-Length {declared} > max_bytes {cfg.max_bytes}; attempts={attempt}")
        deadline = time.monotonic() + BODY_DEADLINE_FACTOR * cfg.timeout_s
        buf = bytearray()
        for chunk in resp.iter_bytes():
            buf += chunk
            if len(buf) > cfg.max_bytes:
                raise _Reject("too_large", f"body over max_bytes {cfg.max_bytes}; attempts={attempt}")
            if time.monotonic() > deadline:
                raise _Reject(
                    "timeout",
                    f"body not complete within {BODY_DEADLINE_FACTOR * cfg.timeout_s:g}s; attempts={attempt}",
                )
        return _Response(resp.status_code, str(resp.url), resp.headers, bytes(buf), attempt)


def _is_dns_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            return False
        if isinstance(seen, socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _request(client: httpx.Client, url: httpx.URL, cfg: FetchConfig) -> _Response:
    """GET with retries on network errors, timeouts, 429 and 5xx. Returns the last response (any status);
    raises :class:`_Reject` when no response was obtained."""
    attempts = 1 + max(0, cfg.retries)
    for attempt in range(1, attempts + 1):
        last = attempt == attempts
        try:
            resp = _request_once(client, url, cfg, attempt)
        except _Reject:
            raise
        except httpx.TimeoutException as exc:
            if last:
                raise _Reject("timeout", f"{type(exc).__name__} after {cfg.timeout_s:g}s; attempts={attempt}") from exc
            time.sleep(_backoff(attempt))
            continue
        except httpx.ConnectError as exc:
            if _is_dns_failure(exc):  # only reached when the host was not resolved up front
                raise _Reject("dns_error", f"{type(exc).__name__}: {exc}; attempts={attempt}") from exc
            if last:
                raise _Reject("connect_error", f"{type(exc).__name__}: {exc}; attempts={attempt}") from exc
            time.sleep(_backoff(attempt))
            continue
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            if last:
                raise _Reject("read_error", f"{type(exc).__name__}: {exc}; attempts={attempt}") from exc
            time.sleep(_backoff(attempt))
            continue
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise _Reject("invalid_url", f"{type(exc).__name__}: {exc}") from exc
        except Exception as exc:  # decoding errors, protocol errors, anything else: never raise
            raise _Reject("read_error", f"{type(exc).__name__}: {exc}; attempts={attempt}") from exc
        if (resp.status == 429 or resp.status >= 500) and not last:
            time.sleep(_backoff(attempt, resp.headers.get("retry-after")))
            continue
        return resp
    raise AssertionError("unreachable")


@dataclass
class _HttpResult:
    status: int
    final_url: str
    redirects: list[str]
    content_type: str | None
    body: bytes
    attempts: int


def _http_get(client: httpx.Client, url: str, cfg: FetchConfig) -> _HttpResult:
    """GET ``url`` following redirects by hand. Raises :class:`_Reject` for every failure, including non-2xx
    statuses (``http_4xx`` / ``http_5xx``)."""
    current = _check_url(url, cfg)
    seen = {str(current)}
    redirects: list[str] = []
    while True:
        resp = _request(client, current, cfg)
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
        if 400 <= resp.status < 500:
            raise _Reject("http_4xx", detail)
        if resp.status >= 500:
            raise _Reject("http_5xx", detail)
        if resp.body is None:  # 1xx/3xx other than redirects (e.g. 304)
            raise _Reject("read_error", f"unexpected {detail}")
        return _HttpResult(
            status=resp.status,
            final_url=str(current),
            redirects=redirects,
            content_type=resp.headers.get("content-type"),
            body=resp.body,
            attempts=resp.attempts,
        )


def _make_client(cfg: FetchConfig, accept: str = _ACCEPT) -> httpx.Client:
    return httpx.Client(
        headers={"User-Agent": cfg.user_agent, "Accept": accept},
        timeout=httpx.Timeout(cfg.timeout_s),
        follow_redirects=False,
        limits=httpx.Limits(max_connections=HTTP_WORKERS * 2, max_keepalive_connections=HTTP_WORKERS),
    )


def _fetch_url(
    client: httpx.Client,
    item: FetchItem,
    cfg: FetchConfig,
    skip: Callable[[FetchItem, str | None], bool] | None,
) -> dict[str, Any] | None:
    """Fetched row for a URL item, None when skipped. Raises :class:`_Reject`."""
    if skip is not None and skip(item, None):
        return None
    res = _http_get(client, item.uri, cfg)
    fetched_at = _utcnow()
    sha = hashlib.sha256(res.body).hexdigest()
    sniffed = _check_body(res.body, res.content_type, sha)
    return {
        "doc_id": make_doc_id(item.uri),
        "content_sha256": sha,
        "source": item.source,
        "uri": item.uri,
        "url": item.url or item.uri,
        "final_url": res.final_url,
        "redirects": res.redirects,
        "fetched_at": fetched_at,
        "http_status": res.status,
        "content_type": res.content_type or sniffed,
        "content_length": len(res.body),
        "content": res.body,
        "meta": dict(item.meta),
    }


# --------------------------------------------------------------------------------------------- sources


def _discover_urls(source: SourceConfig) -> tuple[list[FetchItem], list[dict[str, Any]]]:
    if not source.path:
        return [], [_reject_row(source.name, f"source:{source.name}", "read_error", "urls source without a path")]
    try:
        text = Path(source.path).read_text(encoding="utf-8-sig", errors="replace")
    except OSError as exc:
        uri = "file:" + Path(source.path).name
        return [], [_reject_row(source.name, uri, "read_error", f"cannot read URL list: {exc}")]
    items: list[FetchItem] = []
    seen: set[str] = set()
    for line in text.splitlines():
        url = line.split("\t", 1)[0].strip()
        if not url or url.startswith("#") or url in seen:
            continue
        seen.add(url)
        items.append(FetchItem(source=source.name, uri=url, path=None, url=url, meta={}))
    return items, []


_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)
_TAG = re.compile(r"<[A-Za-z/!?][^<>]*>")
_WS = re.compile(r"\s+")


def clean_feed_text(value: str | None) -> str | None:
    """Feed title text: tags removed, HTML entities decoded until stable (double-escaped feeds, C17),
    whitespace collapsed. None/empty → None."""
    if not value:
        return None
    text = value
    for _ in range(3):
        text = _TAG.sub("", text)
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    text = _WS.sub(" ", _TAG.sub("", text)).strip()
    return text or None


_FEED_DATE_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d %H:%M:%S",
    "%d.%m.%Y %H:%M",
)


def feed_date_iso(value: str | None) -> str | None:
    """Our own parse of a feed date string (feedparser's guesses are wrong for e.g. ``2023/7/28 09:41:05``,
    C16): RFC 822 or ISO 8601 or a few numeric forms. Returns ISO 8601 - with the offset normalised to UTC
    when the feed gave one, naive (local time, zone unknown) when it did not; None when not understood."""
    if not value or not value.strip():
        return None
    value = value.strip()
    parsed: dt.datetime | None = None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is not None and re.search(r"\b\d{1,2}:\d{2}", value) is None and parsed.tzinfo is None:
        parsed = None
    if parsed is None:
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
    if parsed is None:
        for fmt in _FEED_DATE_FORMATS:
            try:
                parsed = dt.datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    if parsed.tzinfo is not None:
        return parsed.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return parsed.isoformat()


def _feed_bytes(source: SourceConfig, cfg: FetchConfig) -> tuple[str, bytes]:
    """(feed uri, feed bytes). Raises :class:`_Reject` (feed_error) when the feed cannot be obtained."""
    if source.url:
        uri = source.url
        try:
            with _make_client(cfg, _FEED_ACCEPT) as client:
                res = _http_get(client, source.url, cfg)
        except _Reject as rej:
            raise _Reject("feed_error", f"{rej.reason}: {rej.detail}") from rej
        return uri, res.body
    if source.path:
        uri = "file:" + Path(source.path).name
        try:
            return uri, _read_local(source.path, cfg.max_bytes)
        except _Reject as rej:
            raise _Reject("feed_error", f"{rej.reason}: {rej.detail}") from rej
    raise _Reject("feed_error", "feed source without url or path")


def _discover_feed(source: SourceConfig, cfg: FetchConfig) -> tuple[list[FetchItem], list[dict[str, Any]]]:
    uri = source.url or ("file:" + Path(source.path).name if source.path else f"source:{source.name}")
    try:
        uri, data = _feed_bytes(source, cfg)
        probe = data.replace(b"\x00", b"")  # also catches UTF-16/32 encoded declarations
        if _ENTITY_DECL.search(probe) or _DOCTYPE_SUBSET.search(probe):
            raise _Reject("feed_error", "feed declares entities / a DOCTYPE internal subset (refused unparsed)")
        parsed = feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
        entries = list(parsed.get("entries") or [])
        if not entries and (parsed.get("bozo") or not parsed.get("version")):
            exc = parsed.get("bozo_exception")
            raise _Reject(
                "feed_error",
                f"not a parseable feed: {type(exc).__name__ + ': ' + str(exc) if exc else 'no entries'}",
            )
    except _Reject as rej:
        return [], [_reject_row(source.name, uri, "feed_error", rej.detail)]
    except Exception as exc:  # feedparser failing in an unexpected way
        return [], [_reject_row(source.name, uri, "feed_error", f"{type(exc).__name__}: {exc}")]

    items: list[FetchItem] = []
    rejects: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        link = (entry.get("link") or "").strip()
        if not link:
            ident = entry.get("id") or str(i)
            rejects.append(_reject_row(source.name, f"{uri}#{ident}", "invalid_url", "feed entry without a link"))
            continue
        if link.split(":", 1)[0].lower() not in ("http", "https"):
            rejects.append(_reject_row(source.name, link, "invalid_url", "feed entry link is not http(s)"))
            continue
        if link in seen:
            continue
        seen.add(link)
        published = entry.get("published") or entry.get("updated")
        meta = {
            "title": clean_feed_text(entry.get("title")),
            "published": published,
            "published_iso": feed_date_iso(published),
            "feed": uri,
        }
        items.append(FetchItem(source=source.name, uri=link, path=None, url=link, meta=meta))
    return items, rejects


def discover(source: SourceConfig, cfg: FetchConfig) -> tuple[list[FetchItem], list[dict[str, Any]]]:
    """Items offered by ``source`` and reject rows for discovery failures.

    Files: missing path or broken sidecar → ``read_error``. URL list: unreadable list → ``read_error``.
    Feed: unreachable, too large, entity-declaring or unparseable → one ``feed_error`` row with
    ``doc_id = make_doc_id(feed url)`` (``"file:<name>"`` for a local feed); entries without an http(s) link →
    ``invalid_url``. Items are unique by ``uri`` and in a stable order. Never raises.
    """
    try:
        if source.kind == "files":
            return _discover_files(source)
        if source.kind == "urls":
            return _discover_urls(source)
        if source.kind == "feed":
            return _discover_feed(source, cfg)
        return [], [_reject_row(source.name, f"source:{source.name}", "read_error", f"unknown kind {source.kind!r}")]
    except Exception as exc:  # last resort: discovery must never raise
        return [], [_reject_row(source.name, f"source:{source.name}", "read_error", f"{type(exc).__name__}: {exc}")]


def count_pending(source: SourceConfig, cfg: FetchConfig, skip: Callable[[FetchItem, str | None], bool]) -> int | None:
    """How many documents of ``source`` a fetch would still process, without any network access.

    ``skip(item, key)`` is the same test a run uses (``flows.stages.KnownDocs.skip``): called with ``None`` for
    URLs, with a failing file's stat key and then its SHA-256 for files (this reads the files). A feed given by
    ``url`` needs the network: returns None. Never raises.
    """
    if source.kind == "feed" and source.url:
        return None
    items, _ = discover(source, cfg)
    n = 0
    for item in items:
        if item.path is None:
            n += not skip(item, None)
            continue
        stat_key = _stat_key(Path(item.path))
        if stat_key is not None and skip(item, stat_key):
            continue
        try:
            sha = hashlib.sha256(_read_local(item.path, cfg.max_bytes)).hexdigest()
        except _Reject:
            n += 1  # a run would read it and record the failure
            continue
        n += not skip(item, sha)
    return n


def fetch_items(
    items: list[FetchItem],
    cfg: FetchConfig,
    skip: Callable[[FetchItem, str | None], bool] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Obtain the bytes of ``items``: (rows of :data:`tasks.schemas.FETCHED`, reject rows).

    Items with a ``path`` are read locally; the others are fetched over HTTP by up to :data:`HTTP_WORKERS`
    threads. ``skip(item, sha256)`` drops an item without a row: for files it is called with the SHA-256 of
    the (decompressed) bytes before any other check, for URLs with ``None`` before any request. Rows also
    carry ``meta`` (the item's meta; not part of the FETCHED schema, dropped by ``schemas.conform``). Output
    order follows ``items``. Limits: ``cfg.max_bytes`` bytes per body, ``cfg.timeout_s`` seconds per
    connect/read/write, ``cfg.retries`` extra attempts. Never raises for bad input (exceptions from ``skip``
    propagate).
    """
    results: list[tuple[dict[str, Any] | None, dict[str, Any] | None]] = [(None, None)] * len(items)

    def run(idx: int, item: FetchItem, client: httpx.Client | None) -> None:
        try:
            if item.path is not None:
                row = _fetch_file(item, cfg, skip)
            else:
                assert client is not None
                row = _fetch_url(client, item, cfg, skip)
            results[idx] = (row, None)
        except _Reject as rej:
            results[idx] = (None, _reject_row(item.source, item.uri, rej.reason, rej.detail, rej.sha))

    web = [(i, it) for i, it in enumerate(items) if it.path is None]
    for i, it in enumerate(items):
        if it.path is not None:
            run(i, it, None)
    if web:
        with _make_client(cfg) as client:
            if len(web) == 1:
                run(web[0][0], web[0][1], client)
            else:
                with ThreadPoolExecutor(max_workers=min(HTTP_WORKERS, len(web))) as pool:
                    list(pool.map(lambda pair: run(pair[0], pair[1], client), web))

    fetched = [row for row, _ in results if row is not None]
    rejects = [rej for _, rej in results if rej is not None]
    return fetched, rejects


__all__ = [
    "STAGE_VERSION",
    "FetchItem",
    "clean_feed_text",
    "count_pending",
    "discover",
    "feed_date_iso",
    "fetch_items",
    "make_doc_id",
    "sniff_media_type",
]
