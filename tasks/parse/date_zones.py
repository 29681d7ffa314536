"""Time zones of printed clock times: zone names after a time ("9:45 p.m. ET", "23:30 Uhr MESZ", "14:10 CET") and
the zone a page's language implies for a clock time printed without one ("03.02.2023 um 14:10 Uhr" on a German
page is Berlin time, not UTC).

Zone names are read as the IANA zone they abbreviate (IANA tz database, via :mod:`zoneinfo`/tzdata): a generic
name (``ET``, ``CT``, ``PT``) follows that zone's daylight-saving rules on that day; a name that states standard or
summer time (``EST``/``EDT``, ``CET``/``CEST``, ``MEZ``/``MESZ``) is that fixed offset, as written. Ambiguous
abbreviations (``IST``: India, Ireland or Israel; ``CST``: US Central or China) are read only where the page's
language settles them, else not at all.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

#: generic zone names -> IANA zone (offset by that zone's rules on the date)
_GENERIC = {
    "ET": "America/New_York",
    "CT": "America/Chicago",
    "MT": "America/Denver",
    "PT": "America/Los_Angeles",
    "UK": "Europe/London",
    "MEZ/MESZ": "Europe/Berlin",
    "CET/CEST": "Europe/Berlin",
}
#: zone names that state their offset (minutes east of UTC)
_FIXED = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "BST": 60,
    "WEST": 60,
    "CET": 60,
    "MEZ": 60,
    "CEST": 120,
    "MESZ": 120,
    "EET": 120,
    "EEST": 180,
    "OEZ": 120,
    "OESZ": 180,
    "MSK": 180,
    "EST": -300,
    "EDT": -240,
    "CDT": -300,
    "MST": -420,
    "MDT": -360,
    "PST": -480,
    "PDT": -420,
    "AKST": -540,
    "AKDT": -480,
    "HST": -600,
    "JST": 540,
    "KST": 540,
    "HKT": 480,
    "SGT": 480,
    "AEST": 600,
    "AEDT": 660,
    "ACST": 570,
    "AWST": 480,
    "NZST": 720,
    "NZDT": 780,
}
#: abbreviations with two meanings, settled by the page's language (ISO 639-1)
_AMBIGUOUS = {
    "CST": {"en": -360, "zh": 480},
    "IST": {"hi": 330, "ga": 60, "he": 120},
}
_NAMES = sorted({*_GENERIC, *_FIXED, *_AMBIGUOUS}, key=len, reverse=True)
#: a zone name right after a clock time: "14:10 Uhr MEZ", "9:45 p.m. ET", "(CET)", "UTC+2"
ZONE_AFTER_RE = re.compile(
    r"\s*(?:uhr\s*)?\(?\s*(" + "|".join(re.escape(n) for n in _NAMES) + r")\b(?:\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?)?",
    re.I,
)

#: the time zone a language implies: languages spoken in one zone, or in one zone for almost all their news
#: (Central European languages share the Berlin rules); English, Spanish, Portuguese, Russian, Arabic and others
#: span many zones and imply none without a region
_LANG_ZONE = {
    **dict.fromkeys(
        (
            "de",
            "fr",
            "it",
            "nl",
            "lb",
            "rm",
            "da",
            "sv",
            "no",
            "nb",
            "nn",
            "pl",
            "cs",
            "sk",
            "hu",
            "sl",
            "hr",
            "bs",
            "sr",
        ),
        "Europe/Berlin",
    ),
    "fi": "Europe/Helsinki",
    "el": "Europe/Athens",
    "et": "Europe/Tallinn",
    "lv": "Europe/Riga",
    "lt": "Europe/Vilnius",
    "ro": "Europe/Bucharest",
    "bg": "Europe/Sofia",
    "uk": "Europe/Kyiv",
    "tr": "Europe/Istanbul",
    "he": "Asia/Jerusalem",
    "ja": "Asia/Tokyo",
    "ko": "Asia/Seoul",
    "is": "Atlantic/Reykjavik",
}
#: language with region (BCP 47, lower case) -> zone, for languages that span zones
_REGION_ZONE = {
    "en-gb": "Europe/London",
    "en-ie": "Europe/Dublin",
    "pt-pt": "Europe/Lisbon",
    "es-es": "Europe/Madrid",
    "en-in": "Asia/Kolkata",
    "en-sg": "Asia/Singapore",
    "en-nz": "Pacific/Auckland",
    "zh-tw": "Asia/Taipei",
    "zh-hk": "Asia/Hong_Kong",
}


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone_named(name: str) -> tzinfo:
    """The IANA zone ``name`` (``Europe/Vienna``). Raises ``zoneinfo.ZoneInfoNotFoundError`` for an unknown name
    (the settings check names at load)."""
    return _zone(name)


def page_zone(lang_tag: str | None) -> tzinfo | None:
    """The zone a page's language tag (``de``, ``de-AT``, ``en-GB``; from ``<html lang>``) implies for clock
    times printed without a zone, or None (English, Spanish, … without a one-zone region)."""
    if not lang_tag:
        return None
    tag = lang_tag.strip().lower().replace("_", "-")
    name = _REGION_ZONE.get(tag[:5]) or _LANG_ZONE.get(tag[:2])
    return _zone(name) if name else None


def zone_after(text: str, pos: int, lang: str | None = None) -> tuple[tzinfo, int] | None:
    """The zone named right at ``text[pos:]`` (after a clock time) and the end of its match, or None."""
    m = ZONE_AFTER_RE.match(text, pos)
    if not m:
        return None
    name = m.group(1).upper()
    if m.group(2):  # "UTC+2", "GMT-05:00"
        if name not in ("UTC", "GMT"):
            return None
        minutes = int(m.group(3)) * 60 + int(m.group(4) or 0)
        if minutes > 14 * 60:
            return None
        return timezone(timedelta(minutes=minutes if m.group(2) == "+" else -minutes)), m.end()
    if name in _GENERIC:
        return _zone(_GENERIC[name]), m.end()
    if name in _FIXED:
        return (UTC if _FIXED[name] == 0 else timezone(timedelta(minutes=_FIXED[name]))), m.end()
    offset = _AMBIGUOUS.get(name, {}).get((lang or "")[:2].lower())
    if offset is None:
        return None
    return timezone(timedelta(minutes=offset)), m.end()


def offset_min(local: datetime, zone: tzinfo) -> int:
    """Minutes east of UTC of ``zone`` at the wall-clock time ``local`` (naive)."""
    off = local.replace(tzinfo=zone).utcoffset()
    return int(off.total_seconds() // 60) if off is not None else 0
