"""Publication dates that exist only in a page's JavaScript state (a hydration JSON such as Next.js'
``__NEXT_DATA__``, ``window.__INITIAL_STATE__`` or an Apollo cache): ``"datePublished": "2023-02-03T19:10:00Z"``.

Single-page news sites render the article from such a state and often print no date in the HTML nor in JSON-LD.
A state holds many records (related stories, the author's profile, comments), each with its own dates, so a date
is taken only from a script that also holds the page's headline, and the date key nearest to that headline wins;
keys naming publication come before keys naming creation (a CMS record may be created days before it is
published).
"""

from __future__ import annotations

import re
from datetime import datetime

from .date_strings import _plausible, parse_date_string, stated_offset_min

#: date keys of JSON states, by trust: publication first, then first publication, then creation
_KEYS = (
    ("datePublished", "publishedAt", "published_at", "publishDate", "publish_date", "publishedDate", "pubDate"),
    ("firstPublished", "firstPublishedAt", "first_published_at", "displayDate", "display_date"),
    ("createdAt", "created_at", "dateCreated", "creationDate"),
)
_KEY_RANK = {key: rank for rank, keys in enumerate(_KEYS) for key in keys}
# a quoted key, then a quoted ISO-8601-like value (escaped JSON inside a JS string too: \"key\":\"value\")
_DATE_KEY_RE = re.compile(
    r'\\?"(' + "|".join(k for keys in _KEYS for k in keys) + r')\\?"\s*:\s*\\?"(\d{4}-\d\d-\d\d[^"\\]{0,30})\\?"'
)
#: a script must contain one of these substrings before the regex runs (most scripts are not states)
PREFILTER = tuple(f'{k}\\"' for keys in _KEYS for k in keys) + tuple(f'{k}"' for keys in _KEYS for k in keys)
#: how far from the headline (characters) a date key may be to count as the same record
_WINDOW = 4000
_MAX_SCRIPT = 2_000_000


def is_state_script(text: str) -> bool:
    """A script that may hold a date key (a cheap substring test, run on every inline script)."""
    return any(p in text for p in PREFILTER)


def state_date(
    scripts: list[str], headline: str | None, fetched_at: datetime | None
) -> tuple[datetime, str, str, int | None] | None:
    """``(UTC datetime, precision, "script", stated offset minutes)`` from the page's JavaScript state, or None.

    Only scripts that contain ``headline`` (the decided title, at least 12 characters, compared as written in
    the script or with JSON's escaped slashes and quotes) are read; among their date keys the best-ranked key
    (:data:`_KEYS`) nearest to a headline occurrence, within 4,000 characters, is taken if it parses and is
    plausible (not after ``fetched_at``)."""
    if not headline or len(headline) < 12:
        return None
    needles = {headline, headline.replace('"', '\\"'), headline.replace("/", "\\/")}
    best: tuple[tuple[int, int], str] | None = None
    for script in scripts:
        text = script[:_MAX_SCRIPT]
        spots = [m.start() for n in needles for m in re.finditer(re.escape(n), text)]
        if not spots:
            continue
        for m in _DATE_KEY_RE.finditer(text):
            dist = min(abs(m.start() - s) for s in spots)
            if dist > _WINDOW:
                continue
            key = (_KEY_RANK[m.group(1)], dist)
            if best is None or key < best[0]:
                best = key, m.group(2)
    if best is None:
        return None
    raw = best[1]
    parsed = parse_date_string(raw)
    if parsed is None or not _plausible(parsed[0], fetched_at):
        return None
    return parsed[0], parsed[1], "script", stated_offset_min(raw)
