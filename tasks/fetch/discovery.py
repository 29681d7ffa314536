"""What a source offers: the dispatch by source kind, the per-source filters, and the pending count.

:func:`discover` calls the discoverer of the source's kind (:mod:`~tasks.fetch.files`,
:mod:`~tasks.fetch.urllist`, :mod:`~tasks.fetch.feeds`, :mod:`~tasks.fetch.sitemaps`, :mod:`~tasks.fetch.warc`)
and applies :func:`apply_filters` (``include`` / ``exclude`` / ``since``); :func:`count_pending` counts what a
run would still process, without network access.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tasks.config import FetchConfig, SourceConfig
from tasks.fetch.feeds import _discover_feed
from tasks.fetch.files import _discover_files, _read_local, _stat_key
from tasks.fetch.items import FetchItem, _parse_iso, _Reject, _reject_row
from tasks.fetch.sitemaps import _discover_sitemap
from tasks.fetch.urllist import _discover_urls
from tasks.fetch.warc import _discover_warc


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
    Feed or sitemap document disallowed by its robots.txt → ``robots_disallowed`` (never requested).
    Feed: unreachable, too large, entity-declaring or unparseable → one ``feed_error`` row with
    ``doc_id = document_id(source, feed url)`` (uri ``"file:<name>"`` for a local feed); entries without an
    http(s) link → ``invalid_url``. Sitemap: each sitemap that cannot be fetched or parsed → one ``sitemap_error`` row.
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
