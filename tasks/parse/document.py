"""The stage's entry point: :func:`parse_document` sniffs, decodes and dispatches one fetched document to
the HTML or plain-text parser, and raises :class:`~.fields.ParseError` with a reason code for a reject.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from .article import parse_html
from .decode import decode_html, sniff_mime
from .fields import ParseError
from .text import parse_text


def parse_document(
    content: bytes,
    content_type: str | None,
    url: str | None,
    fetched_at: datetime | None = None,
    *,
    relative_dates: bool = True,
    timezone: str | None = None,
) -> dict[str, Any]:
    """Sniff, decode and parse one fetched document; return the article dict (see :func:`parse_html`).

    Dispatch: binary signatures (PDF, images, archives ...) -> ``ParseError("not_html")``; ``text/plain``
    or bytes without markup -> :func:`parse_text`; otherwise :func:`parse_html`. Dates later than
    ``fetched_at`` (UTC; naive values are taken as UTC) are discarded; relative dates ("vor 5 Stunden") are read
    against ``fetched_at`` unless ``relative_dates`` is False; ``timezone`` (an IANA name, the source's setting)
    is the zone of clock times printed without one (see :func:`parse_html`).

    Raises :class:`ParseError` with reason ``not_html``, ``decode_error`` (mostly undecodable bytes) or
    ``no_article_text`` (no body text, e.g. a navigation-only page).
    """
    if fetched_at is not None and fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=UTC)
    if isinstance(content, str):  # tolerate text input
        content = content.encode("utf-8")
    if not content or not content.strip():
        raise ParseError("no_article_text", "empty document")
    mime = sniff_mime(content, content_type)
    declared = (content_type or "").split(";")[0].strip().lower()
    if not mime.startswith("text/"):
        raise ParseError("not_html", f"sniffed {mime} (declared {declared or 'nothing'})")
    try:
        text, enc = decode_html(content, content_type)
    except (LookupError, UnicodeError) as exc:
        raise ParseError("decode_error", str(exc)) from exc
    if text.count("\ufffd") > max(20, len(text) // 50):
        raise ParseError("decode_error", f"{text.count(chr(0xFFFD))} replacement characters with {enc}")
    if declared == "text/plain" or mime == "text/plain":
        result = parse_text(text, url)
        if fetched_at is not None:
            for key in ("published_at", "modified_at"):
                if result[key] is not None and result[key] > fetched_at:
                    result[key] = None
                    if key == "published_at":
                        result["published_precision"] = None
                        result["field_sources"]["published_at"] = None
    else:
        result = parse_html(text, url, fetched_at=fetched_at, relative_dates=relative_dates, timezone=timezone)
    result["encoding"] = enc
    if not _has_article_text(result["body"]):
        raise ParseError("no_article_text", "no body text found")
    return result


def _has_article_text(body: str | None) -> bool:
    """At least 5 words, or at least 50 word characters in fewer "words" (Chinese/Japanese text has no spaces,
    so a whole sentence is one ``\\w+`` run; a single huge paragraph can be one run too)."""
    words = re.findall(r"\w+", body or "")
    return len(words) >= 5 or sum(len(w) for w in words) >= 50
