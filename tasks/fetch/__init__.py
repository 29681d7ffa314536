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
on the item date (sitemap lastmod or news date, feed entry date, WARC-Date; undated items pass). ``max_items``
(default ``tasks.config.DEFAULT_MAX_ITEMS``, 10,000) is applied by ``flows.stages.discover_source`` to documents
not stored yet, so nothing discovered is lost; a source that reaches it is named in the run summary.

HTTP (:class:`_Crawler`): up to ``workers`` concurrent requests, ``per_host_concurrency`` per origin and one
request start per ``per_host_delay_s`` seconds per origin (raised by ``Crawl-delay``); robots.txt (protego) read
once per origin and kept ``robots_cache_s`` seconds (a 4xx means no rules; a 5xx or network failure leaves the
host's URLs for a later run, as RFC 9309 asks); disallowed URLs are ``robots_disallowed`` without a request. The
same rules apply to feed and sitemap documents themselves (a disallowed one is a ``robots_disallowed`` discovery
reject; one whose robots.txt is unavailable is a ``feed_error`` / ``sitemap_error``, read again next run).
Redirects are followed by hand (each hop checked against private addresses unless
``FetchConfig.allow_private_addresses``, and against the target host's robots.txt), at most ``max_redirects``
hops; a repeated URL or too many hops is ``redirect_loop``. Each request is attempted ``1 + retries`` times on
connect errors, network read errors, read timeouts, 429 and 5xx, after an exponential backoff with jitter or the
server's ``Retry-After`` (which holds back the whole host; one longer than ``retry_after_cap_s`` ends the
attempts: ``rate_limited``, retried by a later run). A host with ``breaker_failures`` consecutive failed URLs has
its circuit opened: its remaining URLs are left pending (no reject), for a later run. Only decodable content
encodings are advertised (:data:`ACCEPT_ENCODING`); raw bytes are streamed and decompressed here with a cap on
the *decompressed* size (``max_bytes``; a gzip bomb never grows past it: ``too_large``); an unknown encoding or
a corrupt/truncated stream is ``decode_error``. One attempt (connect, status line, headers and body) must finish
within ``deadline_s`` (``timeout``, not retried): every socket operation waits at most until the deadline, so a
server trickling its headers is cut too (robots.txt, feeds and sitemaps are fetched the same way).

Revisits: ``fetch_items(validators=...)`` makes the request conditional (``If-None-Match`` /
``If-Modified-Since`` from the stored version's ``etag`` / ``last_modified``); a 304 yields no row. Rows carry
``etag`` and ``last_modified`` of the response.

Known limit: DNS rebinding is not caught (see :mod:`tasks.fetch.guard`).

Nothing here raises on bad input: every failure becomes a reject row
``{doc_id, content_sha256 (or None), source, uri, reason, detail}`` with ``reason`` from
``schemas.REJECT_REASONS["fetch"]``.

The package (``tasks.fetch`` was one module; this face re-exports every name it had, see the end of this file):

``items``       what a document to fetch is (:class:`FetchItem`), its id, row and reject-row shapes
``media``       what a body is from its bytes (:func:`sniff_media_type`) and whether it is accepted
``guard``       which addresses a request may go to (private-address / SSRF check)
``politeness``  how hard one host may be asked (host state, Retry-After, backoff with jitter)
``decoding``    which content encodings are advertised and how a body is decompressed within ``max_bytes``
``client``      how one URL is requested (client, retries, redirects, conditional requests, a URL's row)
``robots``      what robots.txt allows (rules per origin, cached; when a host counts as unavailable)
``files``       local file sources (inputs, sidecars, ``urls.tsv``) and how a local file is read
``urllist``     URL-list sources
``feeds``       RSS/Atom sources (entries, titles, dates; entity/DOCTYPE refusal)
``sitemaps``    sitemap sources (indexes followed within depth and count limits)
``warc``        WARC sources (which records are documents) and how one record is read
``discovery``   the dispatch by source kind, the per-source filters and the pending count
``crawler``     in what order and how many at a time documents are fetched (:func:`fetch_items`)
"""

from __future__ import annotations

import hashlib as hashlib  # tests check row digests with ``fetch.hashlib``

import tasks.package_face
from tasks.fetch.client import _ACCEPT as _ACCEPT
from tasks.fetch.client import _REDIRECT_STATUSES as _REDIRECT_STATUSES
from tasks.fetch.client import _conditional_headers as _conditional_headers
from tasks.fetch.client import _fetch_url as _fetch_url
from tasks.fetch.client import _http_date as _http_date
from tasks.fetch.client import _http_get as _http_get
from tasks.fetch.client import _HttpResult as _HttpResult
from tasks.fetch.client import _is_dns_failure as _is_dns_failure
from tasks.fetch.client import _make_client as _make_client
from tasks.fetch.client import _request as _request
from tasks.fetch.client import _request_once as _request_once
from tasks.fetch.client import _Response as _Response
from tasks.fetch.crawler import _HOST_FAILURES as _HOST_FAILURES
from tasks.fetch.crawler import FetchStats, fetch_items
from tasks.fetch.crawler import Validators as Validators
from tasks.fetch.crawler import _Crawler as _Crawler
from tasks.fetch.decoding import _HAS_BROTLI as _HAS_BROTLI
from tasks.fetch.decoding import ACCEPT_ENCODING
from tasks.fetch.decoding import _Decoder as _Decoder
from tasks.fetch.decoding import _decoder as _decoder
from tasks.fetch.discovery import _item_date as _item_date
from tasks.fetch.discovery import apply_filters, count_pending, discover
from tasks.fetch.feeds import _DOCTYPE_SUBSET as _DOCTYPE_SUBSET
from tasks.fetch.feeds import _ENTITY_DECL as _ENTITY_DECL
from tasks.fetch.feeds import _FEED_ACCEPT as _FEED_ACCEPT
from tasks.fetch.feeds import _FEED_DATE_FORMATS as _FEED_DATE_FORMATS
from tasks.fetch.feeds import _TAG as _TAG
from tasks.fetch.feeds import _WS as _WS
from tasks.fetch.feeds import _discover_feed as _discover_feed
from tasks.fetch.feeds import _feed_bytes as _feed_bytes
from tasks.fetch.feeds import _refuse_entities as _refuse_entities
from tasks.fetch.feeds import clean_feed_text, feed_date_iso
from tasks.fetch.files import _FILE_TYPES as _FILE_TYPES
from tasks.fetch.files import _discover_files as _discover_files
from tasks.fetch.files import _fetch_file as _fetch_file
from tasks.fetch.files import _file_kind as _file_kind
from tasks.fetch.files import _read_local as _read_local
from tasks.fetch.files import _read_sidecar as _read_sidecar
from tasks.fetch.files import _read_urls_tsv as _read_urls_tsv
from tasks.fetch.files import _stat_key as _stat_key
from tasks.fetch.files import stat_key, stat_manifest
from tasks.fetch.guard import _blocked_ip as _blocked_ip
from tasks.fetch.guard import _check_url as _check_url
from tasks.fetch.guard import _resolve as _resolve
from tasks.fetch.items import DOC_ID_SCHEME, FetchItem, document_id, make_doc_id
from tasks.fetch.items import _parse_iso as _parse_iso
from tasks.fetch.items import _Reject as _Reject
from tasks.fetch.items import _reject_row as _reject_row
from tasks.fetch.items import _row as _row
from tasks.fetch.items import _utcnow as _utcnow
from tasks.fetch.media import _ANY_TAG as _ANY_TAG
from tasks.fetch.media import _BOMS as _BOMS
from tasks.fetch.media import _CONTROL as _CONTROL
from tasks.fetch.media import _HTML_STRONG as _HTML_STRONG
from tasks.fetch.media import _MAGIC as _MAGIC
from tasks.fetch.media import _XHTML as _XHTML
from tasks.fetch.media import ACCEPTED_MEDIA_TYPES as ACCEPTED_MEDIA_TYPES
from tasks.fetch.media import SNIFF_BYTES as SNIFF_BYTES
from tasks.fetch.media import _check_body as _check_body
from tasks.fetch.media import _is_empty as _is_empty
from tasks.fetch.media import _looks_binary as _looks_binary
from tasks.fetch.media import _media_base as _media_base
from tasks.fetch.media import sniff_media_type
from tasks.fetch.politeness import _backoff as _backoff
from tasks.fetch.politeness import _Host as _Host
from tasks.fetch.politeness import _origin as _origin
from tasks.fetch.politeness import _retry_after as _retry_after
from tasks.fetch.robots import _ROBOTS_CACHE as _ROBOTS_CACHE
from tasks.fetch.robots import _ROBOTS_LOCK as _ROBOTS_LOCK
from tasks.fetch.robots import ROBOTS_MAX_BYTES as ROBOTS_MAX_BYTES
from tasks.fetch.robots import _HostUnavailable as _HostUnavailable
from tasks.fetch.robots import _load_robots as _load_robots
from tasks.fetch.sitemaps import _SITEMAP_ACCEPT as _SITEMAP_ACCEPT
from tasks.fetch.sitemaps import MAX_SITEMAP_DEPTH as MAX_SITEMAP_DEPTH
from tasks.fetch.sitemaps import MAX_SITEMAPS as MAX_SITEMAPS
from tasks.fetch.sitemaps import _aware as _aware
from tasks.fetch.sitemaps import _discover_sitemap as _discover_sitemap
from tasks.fetch.sitemaps import _gunzip_capped as _gunzip_capped
from tasks.fetch.sitemaps import _iso as _iso
from tasks.fetch.sitemaps import _sitemap_pages as _sitemap_pages
from tasks.fetch.sitemaps import _xml_text as _xml_text
from tasks.fetch.urllist import _discover_urls as _discover_urls
from tasks.fetch.warc import _WARC_MEDIA as _WARC_MEDIA
from tasks.fetch.warc import _WARC_SUFFIXES as _WARC_SUFFIXES
from tasks.fetch.warc import _discover_warc as _discover_warc
from tasks.fetch.warc import _fetch_warc as _fetch_warc
from tasks.fetch.warc import _warc_files as _warc_files

#: The version in the fetch stage's fingerprint (:func:`flows.plan.stage_fingerprints`); stored fetched parts carry
#: that fingerprint. Bump only when the fetched output for the same input changes.
FETCH_VERSION = "1"
#: Former name, kept for scripts; the fingerprint never read it (it read a missing ``FETCH_VERSION``, i.e. "1").
STAGE_VERSION = "fetch-1"

__all__ = [
    "ACCEPT_ENCODING",
    "DOC_ID_SCHEME",
    "FETCH_VERSION",
    "STAGE_VERSION",
    "FetchItem",
    "FetchStats",
    "apply_filters",
    "clean_feed_text",
    "count_pending",
    "discover",
    "document_id",
    "feed_date_iso",
    "fetch_items",
    "make_doc_id",
    "sniff_media_type",
    "stat_key",
    "stat_manifest",
]

tasks.package_face.install(__name__)  # last: assignments to tasks.fetch.<name> now reach the modules binding <name>
