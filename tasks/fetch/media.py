"""What a body is, judged from its bytes, and whether the stage accepts it.

:func:`sniff_media_type` (magic numbers, binary check, HTML markup; a declared Content-Type is only a hint) and
:func:`_check_body` (``empty_content`` / ``unsupported_media_type``; only :data:`ACCEPTED_MEDIA_TYPES` pass).
"""

from __future__ import annotations

import json
import re

from tasks.fetch.items import _Reject

SNIFF_BYTES = 65_536  # bytes looked at by sniff_media_type

ACCEPTED_MEDIA_TYPES = frozenset({"text/html", "text/plain"})


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


def _is_json(data: bytes) -> bool:
    """True when the whole body parses as a JSON object or array (UTF-8/16/32, a BOM allowed): an API answer or
    a data file, whatever its Content-Type says - no HTML page parses as JSON."""
    try:
        return isinstance(json.loads(data), dict | list)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return False


def _media_base(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def sniff_media_type(data: bytes, declared: str | None) -> str:
    """Media type of ``data`` judged from the bytes; ``declared`` (a Content-Type value) is only a hint.

    Returns a magic-number type (``application/pdf``, ``image/png``, ``image/jpeg``, ``image/gif``,
    ``image/webp``, ``application/zip``, ``application/gzip``, ...), ``application/octet-stream`` for other
    binary data (more than 5 % NUL/control bytes, see :func:`_looks_binary`), ``application/json`` for a body
    that parses as a JSON object or array (the whole body is parsed for that), ``application/xml`` for XML that
    is not XHTML, ``text/html`` for text with HTML markup (or with any tag when ``declared`` says HTML), else
    ``text/plain``. Looks at the first :data:`SNIFF_BYTES` bytes (all of them for JSON). Never raises.
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
    if stripped[:1] in (b"{", b"[") and _is_json(data):
        return "application/json"
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
