"""Resolving a relative date ("vor 5 Stunden", "gestern, 14:30") against the fetch time with
dateparser; a day word with a clock time is read in the zone the page's language implies (Berlin for German).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from .date_fallback import _dateparser_langs
from .date_strings import _plausible
from .date_zones import page_zone, zone_named
from .header_dates import _RelPhrase

#: dateparser settings for a relative date; ``RELATIVE_BASE`` (the fetch time) is added per call
_RELATIVE_DATEPARSER_SETTINGS: dict[str, Any] = {
    "PARSERS": ["relative-time", "absolute-time"],
    "PREFER_DATES_FROM": "past",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "TIMEZONE": "UTC",
}


def _resolve_relative(
    rel: _RelPhrase, fetched_at: datetime, lang: str | None, source_zone: str | None = None
) -> tuple[datetime, str, str, int | None] | None:
    """A relative date read by dateparser against ``fetched_at`` (UTC; never the machine clock), with the
    page's languages (``lang``, ISO 639-1, plus English) and the phrase's own: ``(utc, precision, "relative",
    offset)`` or None when dateparser cannot read it or the result is later than ``fetched_at``.

    An elapsed time ("vor 5 Stunden", "2 hours ago") is that instant (precision ``minute``, no offset); a day
    ("gestern", "vor 2 Tagen", "hier") is that calendar day (00:00 UTC, precision ``day``); a day word with a
    clock time ("gestern, 14:30") is that local time. Days and clock times count in the page's local time: the
    zone its language implies (:func:`~.date_zones.page_zone`: Berlin for German; the offset used is returned),
    UTC where the language implies none; ``source_zone`` (the source's ``timezone`` setting) wins over the
    language."""
    try:
        return _resolve_relative_at(rel, fetched_at, lang, source_zone)
    except (OverflowError, ValueError):  # a fetched_at at the ends of the calendar (year 1, year 9999)
        return None


#: the clock time that ends a relative phrase ("gestern, 14.30 Uhr", "yesterday at 3:15 PM", "hier à 14h30")
_REL_CLOCK_END_RE = re.compile(r"(\d{1,2})(?:[:.h](\d{2}))?(?:\s?uhr|\s?([ap])\.?\s?m\.?)?$", re.I)


def _resolve_relative_at(
    rel: _RelPhrase, fetched_at: datetime, lang: str | None, source_zone: str | None = None
) -> tuple[datetime, str, str, int | None] | None:
    """:func:`_resolve_relative` (which catches a calendar overflow)."""
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=UTC)
    implied = zone_named(source_zone) if source_zone else page_zone(lang)
    zone: Any = (implied or UTC) if (rel.day_level or rel.clock) else UTC
    base = fetched_at.astimezone(zone).replace(tzinfo=None)
    langs = _dateparser_langs(lang) or ()
    if rel.lang not in langs:
        langs = (*langs, rel.lang)
    text, clock = rel.text, None
    if rel.clock:
        # dateparser reads the day word alone: with the clock it misses dotted times ("gestern, 14.30 Uhr" gave
        # yesterday at the fetch time's clock) and some languages' ("ontem às 9h30" gave the day before)
        cm = _REL_CLOCK_END_RE.search(text.strip())
        hour, minute = (int(cm.group(1)), int(cm.group(2) or 0)) if cm else (99, 99)
        if cm and cm.group(3):
            hour = hour % 12 + (12 if cm.group(3).lower() == "p" else 0) if 1 <= hour <= 12 else 99
        if hour < 24 and minute < 60:
            clock = (hour, minute)
        text = re.match(r"[^\s,]*", text).group(0)  # type: ignore[union-attr]  # (the day word: one token)
    from dateparser import DateDataParser

    try:
        settings = {**_RELATIVE_DATEPARSER_SETTINGS, "RELATIVE_BASE": base}
        parser = DateDataParser(languages=list(langs), settings=settings)
        found = parser.get_date_data(text).date_obj
    except Exception:  # pragma: no cover - a dateparser failure on odd input is no date
        return None
    if found is None:
        return None
    if found.tzinfo is not None:
        found = found.astimezone(zone).replace(tzinfo=None)
    out: tuple[datetime, str, str, int | None]
    if rel.day_level or (rel.clock and clock is None):
        # (a clock time no clock shows, "gestern, 25:61": the day alone)
        out = datetime(found.year, found.month, found.day, tzinfo=UTC), "day", "relative", None
    else:
        if clock is not None:
            found = found.replace(hour=clock[0], minute=clock[1])
        local = found.replace(second=0, microsecond=0, tzinfo=zone)
        offset = local.utcoffset() if zone is not UTC else None
        out = local.astimezone(UTC), "minute", "relative", int(offset.total_seconds() // 60) if offset else None
    return out if _plausible(out[0], fetched_at) else None
