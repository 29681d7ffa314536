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
``sitemap``
    ``url`` of an XML sitemap, sitemap index, Google News sitemap (``news:publication_date``, ``news:title``),
    ``.xml.gz`` or text sitemap - or of a ``robots.txt`` whose ``Sitemap:`` lines are followed -, or a local
    ``path``. Parsed by ultimate-sitemap-parser from bytes *we* fetched (its own web client is never used; an
    index's children come back as URLs and are fetched here, same limits and address checks as pages, at most
    :data:`MAX_SITEMAPS` documents, :data:`MAX_SITEMAP_DEPTH` levels). Entity/DOCTYPE-subset documents are
    refused unparsed (``sitemap_error``); the parser also refuses DOCTYPEs and entity declarations itself.
``warc``
    ``path`` to a WARC / WARC.gz file or a folder of them (warcio). Response records with an http(s) target
    URI only; the target URI is the document's ``uri`` and ``url`` (so a page gets the same ``doc_id`` from an
    archive as from the web); the archived HTTP headers give status and ``content_type``, ``WARC-Date`` gives
    ``fetched_at``. Records whose declared media type is not HTML/text, or whose bytes sniff as binary, are
    ``unsupported_media_type``. Discovery stores (file, offset) per record; fetching reads just that record.

Per-source filters (:func:`apply_filters`): ``include`` / ``exclude`` regular expressions on the URL, ``since``
on the item date (sitemap lastmod or news date, feed entry date, WARC-Date; undated items pass). ``max_items`` is
applied by ``flows.stages.discover_source`` to documents not stored yet, so nothing discovered is lost.

HTTP (:class:`_Crawler`): up to ``workers`` concurrent requests, ``per_host_concurrency`` per origin and one
request start per ``per_host_delay_s`` seconds per origin (raised by ``Crawl-delay``); robots.txt (protego) read
once per origin and kept ``robots_cache_s`` seconds (a 4xx means no rules; a 5xx or network failure leaves the
host's URLs for a later run, as RFC 9309 asks); disallowed URLs are ``robots_disallowed`` without a request.
Redirects are followed by hand (each hop checked against private addresses unless
``FetchConfig.allow_private_addresses``, and against the target host's robots.txt), at most ``max_redirects``
hops; a repeated URL or too many hops is ``redirect_loop``. Each request is attempted ``1 + retries`` times on
connect errors, network read errors, read timeouts, 429 and 5xx, after an exponential backoff with jitter or the
server's ``Retry-After`` (which holds back the whole host; one longer than ``retry_after_cap_s`` ends the
attempts: ``rate_limited``, retried by a later run). A host with ``breaker_failures`` consecutive failed URLs has
its circuit opened: its remaining URLs are left pending (no reject), for a later run. Only decodable content
encodings are advertised (:data:`ACCEPT_ENCODING`); raw bytes are streamed and decompressed here with a cap on
the *decompressed* size (``max_bytes``; a gzip bomb never grows past it: ``too_large``); an unknown encoding or
a corrupt/truncated stream is ``decode_error``. One attempt (headers and body) must finish within
``deadline_s`` (``timeout``; checked as bytes arrive, so the overrun is at most one read timeout).

Revisits: ``fetch_items(validators=...)`` makes the request conditional (``If-None-Match`` /
``If-Modified-Since`` from the stored version's ``etag`` / ``last_modified``); a 304 yields no row. Rows carry
``etag`` and ``last_modified`` of the response.

Known limit: the private-address check resolves the host itself, then httpx resolves again to connect; a DNS
answer that changes in between (DNS rebinding) is not caught.

Nothing here raises on bad input: every failure becomes a reject row
``{doc_id, content_sha256 (or None), source, uri, reason, detail}`` with ``reason`` from
``schemas.REJECT_REASONS["fetch"]``.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime as dt
import email.utils
import gzip
import hashlib
import html
import io
import ipaddress
import json
import os
import random
import re
import socket
import threading
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
import protego  # type: ignore[import-untyped, unused-ignore]

from tasks.config import FetchConfig, SourceConfig

#: Bump when the fetched output for the same input changes.
STAGE_VERSION = "fetch-1"

SNIFF_BYTES = 65_536  # bytes looked at by sniff_media_type

ACCEPTED_MEDIA_TYPES = frozenset({"text/html", "text/plain"})
_FILE_TYPES = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain"}
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.5"
_FEED_ACCEPT = "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"
_SITEMAP_ACCEPT = "application/xml,text/xml;q=0.9,application/x-gzip;q=0.8,text/plain;q=0.5,*/*;q=0.3"


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
    warc: tuple[str, int] | None = None  # (archive path, record offset) of a WARC response record


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


def _looks_binary(head: bytes) -> bool:
    """True when C0 control bytes (NUL included; tab, LF, FF, CR, ESC excepted) exceed 5 % of ``head``.

    A few stray NULs or control characters in otherwise ordinary HTML (a CMS glitch) keep the page text;
    the parser removes them. Binary data without a known magic number has far more: random bytes are about
    10 % C0 controls, UTF-16/32 text without a BOM is 50-75 % NULs.
    """
    if not head:
        return False
    controls = sum(head.count(bytes([c])) for c in _CONTROL)
    return controls * 20 > len(head)


def _media_base(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def sniff_media_type(data: bytes, declared: str | None) -> str:
    """Media type of ``data`` judged from the bytes; ``declared`` (a Content-Type value) is only a hint.

    Returns a magic-number type (``application/pdf``, ``image/png``, ``image/jpeg``, ``image/gif``,
    ``image/webp``, ``application/zip``, ``application/gzip``, ...), ``application/octet-stream`` for other
    binary data (more than 5 % NUL/control bytes, see :func:`_looks_binary`), ``application/xml`` for XML that
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
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if _looks_binary(head):
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


def _row(item: FetchItem, data: bytes, sha: str, fetched_at: dt.datetime, **fields: Any) -> dict[str, Any]:
    """One FETCHED row for ``item``: the keys every kind of source shares, plus ``fields`` (``url``,
    ``final_url``, ``redirects``, ``http_status``, ``content_type``, ``etag``, ``last_modified``); ``meta`` is
    the item's meta (dropped by ``schemas.conform``)."""
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
        "content_type": None,
        "content_length": len(data),
        "content": data,
        "etag": None,
        "last_modified": None,
        "meta": dict(item.meta),
        **fields,
    }


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
    return _row(item, data, sha, fetched_at, content_type=content_type)


# --------------------------------------------------------------------------------------------- HTTP


def _resolve(host: str, port: int) -> list[str]:
    """IP addresses ``host`` resolves to. Raises socket.gaierror. (Tests replace this function to make a name
    look public; it is the only resolver the private-address check uses.)"""
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


def _backoff(cfg: FetchConfig, attempt: int) -> float:
    """Wait before attempt ``attempt + 1``: exponential with "equal jitter" (half fixed, half random), so that
    many clients failing together do not come back together."""
    base = min(cfg.backoff_base_s * 2 ** (attempt - 1), cfg.backoff_cap_s)
    return base / 2 + random.uniform(0.0, base / 2)


# content decoding: we stream raw bytes and decompress them ourselves with an output cap, so a small compressed
# body (a "gzip bomb") can never grow past max_bytes in memory
try:  # brotli is optional: "br" is advertised only when a decoder that can cap its output is installed
    import brotli as _brotli  # type: ignore[import-not-found, import-untyped, unused-ignore]

    _brotli.Decompressor().process(b"", output_buffer_limit=1)
    _HAS_BROTLI = hasattr(_brotli.Decompressor, "can_accept_more_data")
except Exception:
    _HAS_BROTLI = False

ACCEPT_ENCODING = "gzip, deflate, br" if _HAS_BROTLI else "gzip, deflate"


class _Decoder:
    """Incremental decoder of one ``Content-Encoding`` (gzip, deflate - zlib-wrapped or raw -, br) whose total
    output is capped: :meth:`feed` raises ``too_large`` as soon as more than ``cap`` bytes would come out, without
    ever holding more than ``cap + 1`` decoded bytes, and ``decode_error`` for corrupt data."""

    def __init__(self, encoding: str, cap: int):
        self.encoding = encoding
        self.cap = cap
        self.total = 0
        self._z: Any = None
        self._br: Any = None
        self._head = b""

    def _room(self) -> int:
        return self.cap + 1 - self.total

    def _emit(self, out: bytes) -> bytes:
        self.total += len(out)
        if self.total > self.cap:
            raise _Reject("too_large", f"body over max_bytes {self.cap} after {self.encoding} decoding")
        return out

    def feed(self, data: bytes) -> bytes:
        try:
            if self.encoding == "br":
                return self._feed_br(data)
            if self._z is None:
                if self.encoding == "deflate":
                    self._head += data
                    if len(self._head) < 2:
                        return b""
                    b0, b1 = self._head[0], self._head[1]
                    zlib_wrapped = (b0 & 0x0F) == 8 and (b0 * 256 + b1) % 31 == 0
                    self._z = zlib.decompressobj(zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS)
                    data, self._head = self._head, b""
                else:
                    self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out = self._z.decompress(data, self._room())
            if self._z.unconsumed_tail:  # the output cap was hit with input left: certainly too large
                self._emit(out + b"\0")
            return self._emit(out)
        except zlib.error as exc:
            raise _Reject("decode_error", f"corrupt {self.encoding} body: {exc}") from exc

    def _feed_br(self, data: bytes) -> bytes:
        if self._br is None:
            self._br = _brotli.Decompressor()
        out = bytearray(self._br.process(data, output_buffer_limit=self._room()))
        while not self._br.can_accept_more_data():
            if len(out) >= self._room():
                self._emit(bytes(out) + b"\0")
            out += self._br.process(b"", output_buffer_limit=self._room() - len(out))
        return self._emit(bytes(out))

    def finish(self) -> bytes:
        """Rest of the output; ``decode_error`` when the compressed stream was cut short."""
        try:
            if self.encoding == "br":
                if self._br is not None and not self._br.is_finished():
                    raise _Reject("decode_error", "truncated br body")
                return b""
            if self._z is None:
                if self._head:
                    raise _Reject("decode_error", f"truncated {self.encoding} body")
                return b""
            out = self._emit(self._z.flush())
            if not self._z.eof:
                raise _Reject("decode_error", f"truncated {self.encoding} body")
            return out
        except zlib.error as exc:
            raise _Reject("decode_error", f"corrupt {self.encoding} body: {exc}") from exc


def _decoder(content_encoding: str | None, cap: int) -> _Decoder | None:
    """Decoder for a ``Content-Encoding`` header value (None for identity); ``decode_error`` for an encoding we
    did not advertise or stacked encodings."""
    codes = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    codes = [c for c in codes if c != "identity"]
    if not codes:
        return None
    known = {"gzip", "x-gzip", "deflate"} | ({"br"} if _HAS_BROTLI else set())
    if len(codes) > 1 or codes[0] not in known:
        raise _Reject("decode_error", f"unsupported Content-Encoding {content_encoding!r}")
    return _Decoder("gzip" if codes[0] == "x-gzip" else codes[0], cap)


@dataclass
class _Response:
    status: int
    headers: httpx.Headers
    body: bytes | None  # None unless 2xx
    attempts: int


def _request_once(
    client: httpx.Client, url: httpx.URL, cfg: FetchConfig, attempt: int, headers: dict[str, str] | None
) -> _Response:
    """One GET within the hard deadline ``cfg.deadline_s``; reads (and decodes) the body only for 2xx answers.
    Raises httpx exceptions and :class:`_Reject` (too_large, decode_error, timeout of the whole attempt)."""
    start = time.monotonic()
    deadline = start + cfg.deadline_s
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
                raise _Reject(
                    "timeout", f"response not complete within deadline_s {cfg.deadline_s:g}; attempts={attempt}"
                )
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
    return httpx.Client(
        headers={"User-Agent": cfg.user_agent, "Accept": accept, "Accept-Encoding": ACCEPT_ENCODING},
        timeout=httpx.Timeout(cfg.timeout_s),
        follow_redirects=False,
        trust_env=False,  # no proxies or netrc from the environment: requests go where the URL says
        limits=httpx.Limits(max_connections=cfg.workers * 2, max_keepalive_connections=cfg.workers * 2),
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


# --------------------------------------------------------------------------------------------- robots.txt

ROBOTS_MAX_BYTES = 500_000  # RFC 9309: at least 500 KiB must be parsed; we read no more
_ROBOTS_CACHE: dict[tuple[str, str], tuple[float, Any]] = {}  # (origin, user agent) -> (expiry, Protego | None)
_ROBOTS_LOCK = threading.Lock()


class _HostUnavailable(Exception):
    """Internal: the host's robots.txt could not be read (5xx, network): its URLs wait for a later run."""


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
            "date": feed_date_iso(published),
            "feed": uri,
        }
        items.append(FetchItem(source=source.name, uri=link, path=None, url=link, meta=meta))
    return items, rejects


# --------------------------------------------------------------------------------------------- sitemaps

MAX_SITEMAPS = 1000  # sitemap documents read per source and run (an index of indexes cannot make us read more)
MAX_SITEMAP_DEPTH = 5  # index nesting followed


def _xml_text(data: bytes) -> str:
    """Sitemap bytes as text: BOM, else the XML declaration's encoding, else UTF-8 (bad bytes replaced)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    m = re.match(rb"\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']", data)
    if m:
        try:
            return data.decode(m.group(1).decode("ascii"), "replace")
        except LookupError:
            pass
    return data.decode("utf-8", "replace")


def _refuse_entities(data: bytes, what: str, reason: str) -> None:
    """Refuse XML declaring entities or a DOCTYPE internal subset before any parser sees it (billion laughs,
    external entities): cheap, and nothing is expanded."""
    probe = data.replace(b"\x00", b"")  # also catches UTF-16/32 encoded declarations
    if _ENTITY_DECL.search(probe) or _DOCTYPE_SUBSET.search(probe):
        raise _Reject(reason, f"{what} declares entities / a DOCTYPE internal subset (refused unparsed)")


def _gunzip_capped(data: bytes, cap: int) -> bytes:
    """A gzipped sitemap (``.xml.gz`` served as a file, not as a Content-Encoding), at most ``cap`` bytes."""
    dec = _Decoder("gzip", cap)
    return dec.feed(data) + dec.finish()


def _aware(value: Any) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _sitemap_pages(uri: str, data: bytes, cap: int) -> tuple[list[str], list[dict[str, Any]]]:
    """Parse one sitemap document with ultimate-sitemap-parser, from bytes we fetched (its own fetching is never
    used: ``sitemap_from_str`` gets text, sub-sitemaps come back as URLs). Returns (child sitemap URLs, pages as
    ``{url, lastmod, published, title}``). Raises :class:`_Reject` (sitemap_error)."""
    from usp.objects.sitemap import AbstractIndexSitemap, InvalidSitemap
    from usp.tree import sitemap_from_str

    if data[:2] == b"\x1f\x8b":
        try:
            data = _gunzip_capped(data, cap)
        except _Reject as rej:
            raise _Reject("sitemap_error", f"gzipped sitemap: {rej.reason}: {rej.detail}") from rej
    _refuse_entities(data, "sitemap", "sitemap_error")
    parsed = sitemap_from_str(_xml_text(data))
    if isinstance(parsed, InvalidSitemap):
        raise _Reject("sitemap_error", f"not a parseable sitemap: {parsed.reason[:300]}")
    if isinstance(parsed, AbstractIndexSitemap):
        return [s.url for s in parsed.sub_sitemaps], []
    pages = []
    for page in parsed.all_pages():
        story = page.news_story
        pages.append(
            {
                "url": page.url,
                "lastmod": _aware(page.last_modified),
                "published": _aware(story.publish_date) if story is not None else None,
                "title": clean_feed_text(story.title) if story is not None else None,
            }
        )
    return [], pages


def _discover_sitemap(source: SourceConfig, cfg: FetchConfig) -> tuple[list[FetchItem], list[dict[str, Any]]]:
    """Pages of a sitemap, sitemap index (followed down to :data:`MAX_SITEMAP_DEPTH` levels, at most
    :data:`MAX_SITEMAPS` documents) or Google News sitemap; a ``url`` ending in ``/robots.txt`` starts from its
    ``Sitemap:`` lines. Every sitemap is fetched by our client (same limits and address checks as pages; one
    host's sitemaps ``per_host_delay_s`` apart). A sitemap that fails is one ``sitemap_error`` row; the others
    still count."""
    items: list[FetchItem] = []
    rejects: list[dict[str, Any]] = []
    queue: collections.deque[tuple[str, int]] = collections.deque()
    seen: set[str] = set()
    seen_pages: set[str] = set()
    last_request: dict[str, float] = {}

    def add_pages(sitemap_uri: str, pages: list[dict[str, Any]]) -> None:
        for page in pages:
            url = (page["url"] or "").strip()
            if not url or url in seen_pages:
                continue
            seen_pages.add(url)
            if url.split(":", 1)[0].lower() not in ("http", "https"):
                rejects.append(_reject_row(source.name, url, "invalid_url", "sitemap entry is not http(s)"))
                continue
            date = page["published"] or page["lastmod"]
            meta = {
                "sitemap": sitemap_uri,
                "title": page["title"],
                "lastmod": _iso(page["lastmod"]),
                "published_iso": _iso(page["published"]),
                "date": _iso(date),
            }
            items.append(FetchItem(source=source.name, uri=url, path=None, url=url, meta=meta))

    def enqueue(children: list[str], depth: int, parent: str) -> None:
        for child in children:
            child = (child or "").strip()
            if child in seen:
                continue
            seen.add(child)
            if depth > MAX_SITEMAP_DEPTH:
                rejects.append(_reject_row(source.name, child, "sitemap_error", f"nested deeper than {depth - 1}"))
            elif child.split(":", 1)[0].lower() not in ("http", "https"):
                rejects.append(_reject_row(source.name, child, "invalid_url", f"sitemap in {parent} is not http(s)"))
            else:
                queue.append((child, depth))

    with _make_client(cfg, _SITEMAP_ACCEPT) as client:

        def get(url: str) -> bytes:
            origin = _origin(url)
            wait = last_request.get(origin, -1e9) + cfg.per_host_delay_s - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            last_request[origin] = time.monotonic()
            try:
                return _http_get(client, url, cfg).body
            except _Reject as rej:
                raise _Reject("sitemap_error", f"{rej.reason}: {rej.detail}") from rej

        if source.url and urlsplit(source.url).path.endswith("/robots.txt"):
            try:
                robots = protego.Protego.parse(get(source.url).decode("utf-8", "replace"))
                listed = list(robots.sitemaps)
            except _Reject as rej:
                return [], [_reject_row(source.name, source.url, "sitemap_error", rej.detail)]
            if not listed:
                return [], [_reject_row(source.name, source.url, "sitemap_error", "robots.txt lists no Sitemap:")]
            seen.add(source.url)
            enqueue(listed, 1, source.url)
        elif source.url:
            seen.add(source.url)
            queue.append((source.url, 0))
        elif source.path:
            uri = "file:" + Path(source.path).name
            try:
                children, pages = _sitemap_pages(uri, _read_local(source.path, cfg.max_bytes), cfg.max_bytes)
            except _Reject as rej:
                return [], [_reject_row(source.name, uri, "sitemap_error", f"{rej.reason}: {rej.detail}")]
            add_pages(uri, pages)
            enqueue(children, 1, uri)
        else:
            return [], [_reject_row(source.name, f"source:{source.name}", "sitemap_error", "no url or path")]

        read = 0
        while queue:
            url, depth = queue.popleft()
            if read >= MAX_SITEMAPS:
                rejects.append(_reject_row(source.name, url, "sitemap_error", f"over {MAX_SITEMAPS} sitemaps"))
                continue
            read += 1
            try:
                children, pages = _sitemap_pages(url, get(url), cfg.max_bytes)
            except _Reject as rej:
                rejects.append(_reject_row(source.name, url, "sitemap_error", rej.detail))
                continue
            except Exception as exc:  # the parser failing in an unexpected way: this sitemap only
                rejects.append(_reject_row(source.name, url, "sitemap_error", f"{type(exc).__name__}: {exc}"))
                continue
            add_pages(url, pages)
            enqueue(children, depth + 1, url)
    return items, rejects


# --------------------------------------------------------------------------------------------- WARC archives

_WARC_SUFFIXES = (".warc", ".warc.gz")


def _warc_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(
            p
            for p in path.rglob("*")
            if p.is_file() and p.name.lower().endswith(_WARC_SUFFIXES) and not p.name.startswith(".")
        )
    return []


def _discover_warc(source: SourceConfig, cfg: FetchConfig) -> tuple[list[FetchItem], list[dict[str, Any]]]:
    """Response records of WARC / WARC.gz files (a file, or a folder walked recursively): one item per http(s)
    target URI (the first record of a URI wins), addressed by (file, record offset) so that fetching reads just
    that record. Requests, metadata, revisits and non-http records (``dns:``) are ignored, as are responses
    with a 1xx/3xx status (no document). A file that cannot be read is one ``read_error`` row, keeping the
    records read before the damage."""
    from warcio.archiveiterator import ArchiveIterator

    assert source.path is not None
    root = Path(source.path)
    files = _warc_files(root)
    if not files:
        return [], [_reject_row(source.name, "file:" + root.name, "read_error", f"no WARC file at {root}")]
    items: list[FetchItem] = []
    rejects: list[dict[str, Any]] = []
    seen: set[str] = set()
    for wf in files:
        try:
            with open(wf, "rb") as fh:
                records = ArchiveIterator(fh)
                for rec in records:
                    if rec.rec_type != "response":
                        continue
                    uri = (rec.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
                    if uri.split(":", 1)[0].lower() not in ("http", "https") or uri in seen:
                        continue
                    status = rec.http_headers.get_statuscode() if rec.http_headers is not None else None
                    if status and status.isdigit() and (int(status) < 200 or 300 <= int(status) < 400):
                        continue
                    seen.add(uri)
                    date = rec.rec_headers.get_header("WARC-Date")
                    meta = {"warc_file": wf.name, "warc_date": date, "date": date}
                    items.append(
                        FetchItem(
                            source=source.name,
                            uri=uri,
                            path=None,
                            url=uri,
                            meta=meta,
                            warc=(str(wf.resolve()), records.get_record_offset()),
                        )
                    )
        except Exception as exc:  # truncated or corrupt archive: keep what was read
            rejects.append(_reject_row(source.name, "file:" + wf.name, "read_error", f"{type(exc).__name__}: {exc}"))
    return items, rejects


_WARC_MEDIA = frozenset({"text/html", "application/xhtml+xml", "text/plain", ""})


def _fetch_warc(
    item: FetchItem, cfg: FetchConfig, skip: Callable[[FetchItem, str | None], bool] | None
) -> dict[str, Any] | None:
    """Fetched row for a WARC response record (its HTTP headers give status and content type; the payload is
    de-chunked and decompressed by warcio, at most ``max_bytes``). A record whose declared media type is not
    HTML or text is ``unsupported_media_type`` whatever its bytes look like. Raises :class:`_Reject`."""
    from warcio.archiveiterator import ArchiveIterator

    assert item.warc is not None
    if skip is not None and skip(item, None):
        return None
    path, offset = item.warc
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            rec = next(iter(ArchiveIterator(fh)))
            status_text = rec.http_headers.get_statuscode() if rec.http_headers is not None else None
            content_type = rec.http_headers.get_header("Content-Type") if rec.http_headers is not None else None
            data = rec.content_stream().read(cfg.max_bytes + 1)
    except Exception as exc:
        raise _Reject("read_error", f"WARC record at {Path(path).name}:{offset}: {type(exc).__name__}: {exc}") from exc
    if len(data) > cfg.max_bytes:
        raise _Reject("too_large", f"record payload over max_bytes {cfg.max_bytes}")
    status = int(status_text) if status_text and status_text.isdigit() else None
    if status is not None and 400 <= status < 600:
        raise _Reject("http_4xx" if status < 500 else "http_5xx", f"archived status {status}")
    sha = hashlib.sha256(data).hexdigest()
    if _media_base(content_type) not in _WARC_MEDIA:
        raise _Reject("unsupported_media_type", f"archived Content-Type {content_type}", sha)
    sniffed = _check_body(data, content_type, sha)
    fetched_at = _utcnow()
    if item.meta.get("warc_date"):
        with contextlib.suppress(ValueError, OverflowError):
            fetched_at = _parse_iso(item.meta["warc_date"].replace("Z", "+00:00"))
    return _row(
        item,
        data,
        sha,
        fetched_at,
        url=item.url or item.uri,
        final_url=item.uri,
        redirects=[],
        http_status=status,
        content_type=content_type or sniffed,
    )


# --------------------------------------------------------------------------------------------- filters


def _item_date(item: FetchItem) -> dt.datetime | None:
    value = item.meta.get("date") or item.meta.get("published_iso")
    if not value:
        return None
    try:
        return _parse_iso(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        return None


def apply_filters(source: SourceConfig, items: list[FetchItem]) -> list[FetchItem]:
    """Items passing the source's ``include`` / ``exclude`` patterns (searched in the item's URL, else its uri)
    and ``since`` date (items without a date pass; a naive date is taken as UTC). ``max_items`` is not applied
    here: it counts only documents not stored yet (see ``flows.stages.discover_source``)."""
    if not (source.include or source.exclude or source.since):
        return items
    include = [re.compile(p) for p in source.include]
    exclude = [re.compile(p) for p in source.exclude]
    out = []
    for item in items:
        target = item.url or item.uri
        if include and not any(p.search(target) for p in include):
            continue
        if any(p.search(target) for p in exclude):
            continue
        if source.since is not None:
            when = _item_date(item)
            if when is not None and when < source.since:
                continue
        out.append(item)
    return out


def discover(source: SourceConfig, cfg: FetchConfig) -> tuple[list[FetchItem], list[dict[str, Any]]]:
    """Items offered by ``source`` (after its ``include`` / ``exclude`` / ``since`` filters, see
    :func:`apply_filters`) and reject rows for discovery failures.

    Files: missing path or broken sidecar → ``read_error``. URL list: unreadable list → ``read_error``.
    Feed: unreachable, too large, entity-declaring or unparseable → one ``feed_error`` row with
    ``doc_id = make_doc_id(feed url)`` (``"file:<name>"`` for a local feed); entries without an http(s) link →
    ``invalid_url``. Sitemap: each sitemap that cannot be fetched or parsed → one ``sitemap_error`` row.
    WARC: an unreadable archive → ``read_error``. Items are unique by ``uri`` and in a stable order. Feeds and
    sitemaps are read again by every run (their known entries are then skipped before any request). Never
    raises.
    """
    try:
        if source.kind == "files":
            items, rejects = _discover_files(source)
        elif source.kind == "urls":
            items, rejects = _discover_urls(source)
        elif source.kind == "feed":
            items, rejects = _discover_feed(source, cfg)
        elif source.kind == "sitemap":
            items, rejects = _discover_sitemap(source, cfg)
        elif source.kind == "warc":
            items, rejects = _discover_warc(source, cfg)
        else:
            return [], [
                _reject_row(source.name, f"source:{source.name}", "read_error", f"unknown kind {source.kind!r}")
            ]
        return apply_filters(source, items), rejects
    except Exception as exc:  # last resort: discovery must never raise
        return [], [_reject_row(source.name, f"source:{source.name}", "read_error", f"{type(exc).__name__}: {exc}")]


def count_pending(source: SourceConfig, cfg: FetchConfig, skip: Callable[[FetchItem, str | None], bool]) -> int | None:
    """How many documents of ``source`` a fetch would still process, without any network access.

    ``skip(item, key)`` is the same test a run uses (``flows.stages.KnownDocs.skip``): called with ``None`` for
    URLs and WARC records, with a failing file's stat key and then its SHA-256 for files (this reads the
    files). A feed or sitemap given by ``url`` needs the network: returns None. ``max_items`` is not applied.
    Never raises.
    """
    if source.kind in ("feed", "sitemap") and source.url:
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


# --------------------------------------------------------------------------------------------- fetching

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
        if not self.cfg.robots_txt:
            return
        origin = _origin(url)
        if not origin:
            return
        try:
            rules = _load_robots(self.client, origin, self.cfg)
        except _HostUnavailable as exc:
            raise _Reject("connect_error", str(exc)) from exc
        if rules is not None and not rules.can_fetch(url, self.cfg.user_agent):
            raise _Reject("robots_disallowed", f"robots.txt of {origin} disallows {url}")

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


__all__ = [
    "ACCEPT_ENCODING",
    "STAGE_VERSION",
    "FetchItem",
    "FetchStats",
    "apply_filters",
    "clean_feed_text",
    "count_pending",
    "discover",
    "feed_date_iso",
    "fetch_items",
    "make_doc_id",
    "sniff_media_type",
]
