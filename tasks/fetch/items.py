"""What one document to fetch is, what names it, and the shapes of the rows fetching produces.

:class:`FetchItem` (one document a source offers), :func:`document_id` (its identity; :func:`make_doc_id` the hash
under it), :func:`_row` (one
:data:`tasks.schemas.FETCHED` row), :func:`_reject_row` (one reject row) and :class:`_Reject` (a failure with its
reason code from ``schemas.REJECT_REASONS["fetch"]``, raised inside the stage and turned into a reject row at its
edges). Also the clock (:func:`_utcnow`) and the ISO 8601 reading (:func:`_parse_iso`) every source kind shares.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any


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

    @property
    def doc_id(self) -> str:
        """This document's ``doc_id``: :func:`document_id` of its source and uri."""
        return document_id(self.source, self.uri)


class _Reject(Exception):
    """Internal: one failure with its reject reason code and a human-readable detail."""

    def __init__(self, reason: str, detail: str, sha: str | None = None):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.sha = sha


#: Version of the document identity rule (:func:`document_id`), recorded in every data root by
#: :mod:`tasks.identity`. 1: ``make_doc_id(uri)`` for every document (two ``files`` sources holding the same
#: relative file name shared one ``doc_id``, issue #15); 2: local files also hash their source's name.
DOC_ID_SCHEME = 2


def make_doc_id(uri: str) -> str:
    """The hash under every ``doc_id``: the first 16 hex chars of SHA-256 of ``uri`` (UTF-8). A document's
    identity is :func:`document_id`, which calls this."""
    return hashlib.sha256(uri.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def document_id(source: str, uri: str) -> str:
    """Stable identity (``doc_id``, 16 hex chars) of the document a source offers under ``uri``.

    A local file (``uri`` ``"file:" + path relative to the source``, also a local feed, sitemap or folder named
    in a reject) belongs to its source: ``make_doc_id(source + "\x1f" + uri)``, so ``index.html`` in two
    ``files`` sources is two documents (issue #15). Renaming a ``files`` source therefore gives its files new
    ids (they are fetched again as new documents; dedup folds the identical copies). Everything else keeps URL
    identity, ``make_doc_id(uri)``: the same URL in two feeds, sitemaps, URL lists or WARC files is one document,
    and ``source:<name>`` rejects already name their source. :data:`DOC_ID_SCHEME` 2; data roots written under
    scheme 1 are migrated by :func:`tasks.identity.migrate`."""
    if uri.startswith("file:"):
        return make_doc_id(f"{source}\x1f{uri}")
    return make_doc_id(uri)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _reject_row(item_source: str, uri: str, reason: str, detail: str, sha: str | None = None) -> dict[str, Any]:
    return {
        "doc_id": document_id(item_source, uri),
        "content_sha256": sha,
        "source": item_source,
        "uri": uri,
        "reason": reason,
        "detail": detail,
    }


def _parse_iso(value: str) -> dt.datetime:
    """ISO 8601 → aware UTC datetime (naive taken as UTC). Raises ValueError."""
    parsed = dt.datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)  # OverflowError near year 1 / 9999 is the caller's to handle


def _row(item: FetchItem, data: bytes, sha: str, fetched_at: dt.datetime, **fields: Any) -> dict[str, Any]:
    """One FETCHED row for ``item``: the keys every kind of source shares, plus ``fields`` (``url``,
    ``final_url``, ``redirects``, ``http_status``, ``content_type``, ``etag``, ``last_modified``); ``meta`` is
    the item's meta (dropped by ``schemas.conform``)."""
    return {
        "doc_id": item.doc_id,
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
