"""WARC sources: which archived records are documents, and how one record becomes a row.

Response records with an http(s) target URI only (the first record of a URI wins); the target URI is the
document's ``uri`` and ``url``, ``WARC-Date`` its ``fetched_at``, the archived HTTP headers its status and
``content_type``. Discovery stores (file, offset) per record; fetching reads just that record.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tasks.config import FetchConfig, SourceConfig
from tasks.fetch.items import FetchItem, _parse_iso, _Reject, _reject_row, _row, _utcnow
from tasks.fetch.media import _check_body, _media_base

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
