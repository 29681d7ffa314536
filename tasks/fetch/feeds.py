"""RSS/Atom feed sources: which entries become items, their cleaned titles and dates, and which feeds are refused.

A feed comes from ``url`` (fetched by our client) or a local ``path``. XML declaring entities or a DOCTYPE
internal subset is refused before any parser sees it (:func:`_refuse_entities`, also used for sitemaps).
:func:`clean_feed_text` and :func:`feed_date_iso` are our own readings of entry titles and dates (field cases
C16/C17).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import io
import re
from pathlib import Path
from typing import Any

import feedparser

from tasks.config import FetchConfig, SourceConfig
from tasks.fetch.client import _http_get, _make_client
from tasks.fetch.files import _read_local
from tasks.fetch.items import FetchItem, _Reject, _reject_row
from tasks.fetch.robots import _robots_gate

_FEED_ACCEPT = "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"


_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)


def _refuse_entities(data: bytes, what: str, reason: str) -> None:
    """Refuse XML declaring entities or a DOCTYPE internal subset before any parser sees it (billion laughs,
    external entities): cheap, and nothing is expanded."""
    probe = data.replace(b"\x00", b"")  # also catches UTF-16/32 encoded declarations
    if _ENTITY_DECL.search(probe) or _DOCTYPE_SUBSET.search(probe):
        raise _Reject(reason, f"{what} declares entities / a DOCTYPE internal subset (refused unparsed)")


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


def _feed_bytes(source: SourceConfig, cfg: FetchConfig) -> tuple[str, str | None, bytes]:
    """(feed uri, the document's own URL after redirects - the base of its relative links, None for a local
    file -, feed bytes). The feed's robots.txt is obeyed (each redirect hop's too). Raises :class:`_Reject`:
    ``robots_disallowed`` (not requested), ``feed_error`` when the feed cannot be obtained."""
    if source.url:
        uri = source.url
        try:
            with _make_client(cfg, _FEED_ACCEPT) as client:
                gate = _robots_gate(client, cfg, "feed_error")
                gate(source.url)
                res = _http_get(client, source.url, cfg, gate=gate)
        except _Reject as rej:
            if rej.reason in ("robots_disallowed", "feed_error"):
                raise
            raise _Reject("feed_error", f"{rej.reason}: {rej.detail}") from rej
        return uri, res.final_url, res.body
    if source.path:
        uri = "file:" + Path(source.path).name
        try:
            return uri, None, _read_local(source.path, cfg.max_bytes)
        except _Reject as rej:
            raise _Reject("feed_error", f"{rej.reason}: {rej.detail}") from rej
    raise _Reject("feed_error", "feed source without url or path")


def _discover_feed(source: SourceConfig, cfg: FetchConfig) -> tuple[list[FetchItem], list[dict[str, Any]]]:
    """Entries of one feed as items. Relative entry links (RSS ``<link>``, Atom ``href`` under ``xml:base``) are
    resolved by feedparser against the feed document's own URL (RFC 4287 / XML Base: with no absolute base in
    the document, the document's location is the base); a local feed has no location, so its relative links stay
    relative and are ``invalid_url``."""
    uri = source.url or ("file:" + Path(source.path).name if source.path else f"source:{source.name}")
    try:
        uri, location, data = _feed_bytes(source, cfg)
        _refuse_entities(data, "feed", "feed_error")
        parsed = feedparser.parse(
            io.BytesIO(data),
            sanitize_html=False,
            resolve_relative_uris=False,  # embedded HTML content only; entry links are resolved regardless
            response_headers={"content-location": location} if location else None,
        )
        entries = list(parsed.get("entries") or [])
        if not entries and (parsed.get("bozo") or not parsed.get("version")):
            exc = parsed.get("bozo_exception")
            raise _Reject(
                "feed_error",
                f"not a parseable feed: {type(exc).__name__ + ': ' + str(exc) if exc else 'no entries'}",
            )
    except _Reject as rej:
        return [], [_reject_row(source.name, uri, rej.reason, rej.detail)]
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
            why = "is relative and the feed has no URL to resolve it against" if ":" not in link else "is not http(s)"
            rejects.append(_reject_row(source.name, link, "invalid_url", f"feed entry link {why}"))
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
