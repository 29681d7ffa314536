"""URL-list sources: which lines of a text file are URLs to fetch.

One URL per line; blank lines and ``#`` comments are ignored, a second tab-separated column is ignored, repeated
URLs are listed once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tasks.config import SourceConfig
from tasks.fetch.items import FetchItem, _reject_row


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
