"""Sitemap sources: which sitemap documents are read (index depth, count, pacing) and which pages they list.

XML sitemaps, sitemap indexes, Google News sitemaps, ``.xml.gz`` and text sitemaps, or a ``robots.txt`` whose
``Sitemap:`` lines are followed. Parsed by ultimate-sitemap-parser from bytes *we* fetched (its own web client is
never used), at most :data:`MAX_SITEMAPS` documents and :data:`MAX_SITEMAP_DEPTH` levels per source and run.
"""

from __future__ import annotations

import collections
import datetime as dt
import io
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import protego  # type: ignore[import-untyped, unused-ignore]

from tasks.config import FetchConfig, SourceConfig
from tasks.fetch.client import _http_get, _make_client
from tasks.fetch.decoding import _Decoder
from tasks.fetch.feeds import _refuse_entities, clean_feed_text
from tasks.fetch.files import _read_local
from tasks.fetch.items import FetchItem, _Reject, _reject_row
from tasks.fetch.politeness import _origin
from tasks.fetch.robots import _robots_gate

_SITEMAP_ACCEPT = "application/xml,text/xml;q=0.9,application/x-gzip;q=0.8,text/plain;q=0.5,*/*;q=0.3"


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


_YEAR_FIRST = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b")
_DOTTED_DMY = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}\b")
_NUMERIC_YEAR_LAST = re.compile(r"(\d{1,2})[-/](\d{1,2})[-/]\d{4}\b")
_DATE_ELEMENT = re.compile(
    r"(<(?:[\w.-]+:)?(lastmod|publication_date)\b[^>]*>).*?(</(?:[\w.-]+:)?\2\s*>)", re.DOTALL | re.IGNORECASE
)
_MAX_DATE_CHARS = 100  # a longer "date" is not one (and would cost dateparser time)


def _date_order(value: str) -> str | None:
    """The field order a non-ISO date string's own format states: ``YMD`` when it starts with a 4-digit year,
    ``DMY`` for dotted ``dd.mm.yyyy`` (the dotted form is day-first wherever it is used) or when the month is
    a name, for ``a/b/yyyy`` only the order the numbers prove (a first field over 12 is a day, a second one over
    12 makes the first the month); None when the order is not stated (``04/12/2024``): such a date is unknown,
    never guessed month-first."""
    if _YEAR_FIRST.match(value):
        return "YMD"
    if _DOTTED_DMY.match(value):
        return "DMY"
    numeric = _NUMERIC_YEAR_LAST.match(value)
    if numeric:
        first, second = int(numeric.group(1)), int(numeric.group(2))
        return "DMY" if first > 12 else "MDY" if second > 12 else None
    return "DMY" if re.search(r"[A-Za-z]{3}", value) else None


def _sitemap_date(value: str | None) -> dt.datetime | None:
    """A sitemap ``lastmod`` / ``news:publication_date`` as an aware UTC datetime (naive values are taken as
    UTC), None when unknown. W3C Datetime (ISO 8601) is read exactly; other forms (``04.12.2024``,
    ``2024/12/04``, ``Tue Mar 01 2022 16:06:13 GMT+0000``, zone abbreviations) by dateparser in the field order
    the format states (:func:`_date_order`); ``null``, impossible dates and ambiguous orders are None (the page
    is undated and passes a ``since`` filter). Never raises."""
    text = (value or "").strip()
    if not text or len(text) > _MAX_DATE_CHARS:
        return None
    try:
        return _aware(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    order = _date_order(text)
    if order is None:
        return None
    import dateparser

    try:
        parsed = dateparser.parse(
            text, languages=["en"], settings={"DATE_ORDER": order, "STRICT_PARSING": True, "PARSERS": ["absolute-time"]}
        )
    except Exception:  # dateparser failing on odd input: the date is unknown
        return None
    return _aware(parsed)


def _raw_fields(text: str) -> dict[str, dict[str, str]] | None:
    """``{loc: {"lastmod", "publication_date", "title": text}}`` of the entries (``url`` or ``sitemap``) of an XML
    ``urlset`` or ``sitemapindex`` (``publication_date`` and ``title`` of the Google News namespace only), in
    document order. Read here because ultimate-sitemap-parser reads any date form it does not recognise
    month-first (and raises on some) and silently drops index entries that are not http(s). None when ``text``
    is not XML (text sitemaps), not well-formed or another document (RSS / Atom sitemaps keep the parser's
    RFC 822 / ISO dates). The entity/DOCTYPE refusal has run before, so nothing is expanded."""
    if not text.lstrip().startswith("<"):
        return None
    out: dict[str, dict[str, str]] = {}
    fields: dict[str, str] = {}
    root: str | None = None
    try:
        for event, elem in ElementTree.iterparse(io.StringIO(text), events=("start", "end")):
            ns, _, name = elem.tag.rpartition("}") if isinstance(elem.tag, str) else ("", "", "")
            if event == "start":
                if root is None:
                    root = name
                    if root not in ("urlset", "sitemapindex"):
                        return None
                if name in ("url", "sitemap"):
                    fields = {}
            elif (name in ("loc", "lastmod") and "sitemap-" not in ns) or (  # not image:loc and the like
                name in ("publication_date", "title") and "sitemap-news" in ns
            ):
                fields.setdefault(name, (elem.text or "").strip())
            elif name in ("url", "sitemap"):
                if fields.get("loc"):
                    out.setdefault(fields["loc"], fields)
                elem.clear()
    except ElementTree.ParseError:
        return None
    return out


def _dropped(raw: dict[str, dict[str, str]] | None, kept: list[str]) -> list[str]:
    """Entry locations of the document (``raw``, in order) the parser did not return (it drops e.g. index entries
    that are not http(s)): they are returned too, so the caller rejects each as ``invalid_url`` instead of losing
    it silently."""
    listed = {url.strip() for url in kept}
    return [loc for loc in (raw or {}) if loc not in listed]


def _sitemap_pages(uri: str, data: bytes, cap: int) -> tuple[list[str], list[dict[str, Any]]]:
    """Parse one sitemap document with ultimate-sitemap-parser, from bytes we fetched (its own fetching is never
    used: ``sitemap_from_str`` gets text, sub-sitemaps come back as URLs). Returns (child sitemap URLs, pages as
    ``{url, lastmod, published, title}``); an XML urlset's dates are our own reading (:func:`_sitemap_date`), an
    unreadable one leaves the page undated; every entry of an XML document is returned, also one that is not
    http(s) (the caller rejects it as ``invalid_url``). Raises :class:`_Reject` (sitemap_error)."""
    from usp.objects.sitemap import AbstractIndexSitemap, InvalidSitemap
    from usp.tree import sitemap_from_str

    if data[:2] == b"\x1f\x8b":
        try:
            data = _gunzip_capped(data, cap)
        except _Reject as rej:
            raise _Reject("sitemap_error", f"gzipped sitemap: {rej.reason}: {rej.detail}") from rej
    _refuse_entities(data, "sitemap", "sitemap_error")
    text = _xml_text(data)
    raw = _raw_fields(text)
    # the parser gets no dates of an XML urlset to guess at (it reads unknown forms month-first and raises on some,
    # losing the whole sitemap): they are read by _sitemap_date from ``raw``
    parsed = sitemap_from_str(_DATE_ELEMENT.sub(r"\1\3", text) if raw is not None else text)
    if isinstance(parsed, InvalidSitemap):
        raise _Reject("sitemap_error", f"not a parseable sitemap: {parsed.reason[:300]}")
    if isinstance(parsed, AbstractIndexSitemap):
        children = [s.url for s in parsed.sub_sitemaps]
        return children + _dropped(raw, children), []
    pages: list[dict[str, Any]] = []
    for page in parsed.all_pages():
        story = page.news_story
        lastmod = _aware(page.last_modified)
        published = _aware(story.publish_date) if story is not None else None
        title = story.title if story is not None else None
        if raw is not None:  # XML: our reading of the text (the parser saw no dates, so it made no news story)
            found = raw.get(page.url.strip(), {})
            lastmod, published = _sitemap_date(found.get("lastmod")), _sitemap_date(found.get("publication_date"))
            title = found.get("title")
        pages.append({"url": page.url, "lastmod": lastmod, "published": published, "title": clean_feed_text(title)})
    for loc in _dropped(raw, [str(p["url"]) for p in pages]):
        found = (raw or {})[loc]
        lastmod, published = _sitemap_date(found.get("lastmod")), _sitemap_date(found.get("publication_date"))
        pages.append(
            {"url": loc, "lastmod": lastmod, "published": published, "title": clean_feed_text(found.get("title"))}
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
        gate = _robots_gate(client, cfg, "sitemap_error")

        def get(url: str) -> bytes:
            """The bytes of one sitemap (or of the robots.txt listing them); its robots.txt is obeyed first.
            Raises :class:`_Reject`: ``robots_disallowed`` (not requested) or ``sitemap_error``."""
            origin = _origin(url)
            try:
                if urlsplit(url).path != "/robots.txt":
                    gate(url)
                wait = last_request.get(origin, -1e9) + cfg.per_host_delay_s - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                last_request[origin] = time.monotonic()
                return _http_get(client, url, cfg, gate=gate).body
            except _Reject as rej:
                if rej.reason in ("robots_disallowed", "sitemap_error"):
                    raise
                raise _Reject("sitemap_error", f"{rej.reason}: {rej.detail}") from rej

        if source.url and urlsplit(source.url).path.endswith("/robots.txt"):
            try:
                robots = protego.Protego.parse(get(source.url).decode("utf-8", "replace"))
                listed = list(robots.sitemaps)
            except _Reject as rej:
                return [], [_reject_row(source.name, source.url, rej.reason, rej.detail)]
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
                rejects.append(_reject_row(source.name, url, rej.reason, rej.detail))
                continue
            except Exception as exc:  # the parser failing in an unexpected way: this sitemap only
                rejects.append(_reject_row(source.name, url, "sitemap_error", f"{type(exc).__name__}: {exc}"))
                continue
            add_pages(url, pages)
            enqueue(children, depth + 1, url)
    return items, rejects
