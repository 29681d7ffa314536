"""Reading one date string: ISO 8601, numeric day-first, textual dates in German, English, French,
Spanish, Italian, Dutch and Portuguese (month names table), time zone names and offsets; plausibility; dates in
URL paths; Central European Time offsets (IANA tz database ``Europe/Berlin``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .date_zones import zone_after
from .normalise import _valid_url

_MONTHS: dict[str, int] = {}
for _i, _names in enumerate(
    [
        "january jan januar jänner janvier enero gennaio janeiro januari janv ene gen",
        "february feb februar feber février fevrier febrero febbraio fevereiro februari févr fev",
        "march mar märz maerz mars marzo março maart mrz",
        "april apr avril abril aprile abr",
        "may mai mayo maggio maio mei",
        "june jun juni juin junio giugno junho",
        "july jul juli juillet julio luglio julho juil",
        "august aug août aout agosto augustus ago",
        "september sep sept septembre septiembre settembre setembro set",
        "october oct oktober octobre octubre ottobre outubro okt out",
        "november nov novembre noviembre novembro",
        "december dec dezember décembre decembre diciembre dicembre dezembro dez dic",
    ],
    start=1,
):
    for _n in _names.split():
        _MONTHS.setdefault(_n, _i)

_MONTH_ALT = "|".join(sorted((re.escape(k) for k in _MONTHS), key=len, reverse=True))

_ISO_RE = re.compile(
    r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?",
    re.I,
)
_DMY_NUM_RE = re.compile(
    r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?:,?\s*(?:um\s+)?(\d{1,2})[:.](\d{2})(?::(\d{2}))?)?"
)
_DMY_TEXT_RE = re.compile(
    rf"(?<!\d)(\d{{1,2}})\.?\s+(?:de\s+)?({_MONTH_ALT})\.?,?\s+(?:de\s+)?(\d{{4}})"
    r"(?:,?\s*(?:um|at|à|a las|alle)?\s*(\d{1,2})[:.h](\d{2})(?:\s*([ap])\.?\s?m\b\.?)?)?",
    re.I,
)
_MDY_TEXT_RE = re.compile(
    rf"\b({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})"
    r"(?:,?\s*(?:at\s+)?(\d{1,2}):(\d{2})\s*([ap]\.?m\.?)?)?",
    re.I,
)


def _mk_dt(
    y: int,
    mo: int,
    d: int,
    hh: int | None = None,
    mi: int | None = None,
    ss: int | None = None,
    tz: Any = None,
) -> tuple[datetime, str] | None:
    try:
        if hh is None:
            return datetime(y, mo, d, tzinfo=UTC), "day"
        dt = datetime(y, mo, d, hh, mi or 0, ss or 0, tzinfo=tz or UTC)
        # an offset can push year 1 / 9999 out of the datetime range: such a date is dropped
        return dt.astimezone(UTC), ("second" if ss is not None else "minute")
    except (ValueError, OverflowError):
        return None


def _tz_from(s: str | None) -> timezone | None:
    if not s:
        return None
    s = s.upper()
    if s in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if s[0] == "-" else 1
    digits = s[1:].replace(":", "")
    hh = int(digits[:2])
    mm = int(digits[2:4]) if len(digits) >= 4 else 0
    if hh > 14 or mm >= 60:
        return None
    return timezone(sign * timedelta(hours=hh, minutes=mm))


def parse_date_string(s: str | None) -> tuple[datetime, str] | None:
    """Parse one date string to ``(utc_datetime, precision)``; precision is ``day``, ``minute`` or ``second``.

    Handles ISO 8601 (with ``Z``/offset, converted to UTC; a time without offset is taken as UTC),
    RFC 2822, ``DD.MM.YYYY [HH:MM]``, ``28. April 2025`` / ``5 November 2019`` (en/de/fr/es/it/pt/nl
    month names) and ``May 14, 2023 9:20 am``. Day-only dates become 00:00 UTC of that calendar day.
    Returns None when nothing date-like is found. Cheap regexes only (no dateparser).
    """
    if not s:
        return None
    s = s.strip()
    if not s or len(s) > 300:
        return None
    m = _ISO_RE.search(s)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if m.group(4) is None:
            return _mk_dt(y, mo, d)
        if int(m.group(4)) == 0 and int(m.group(5)) == 0 and int(m.group(6) or 0) == 0:
            # local midnight: a date without a time of day; it stays on its calendar day (precision day)
            return _mk_dt(y, mo, d)
        tz = _tz_from(m.group(7)) if m.group(7) else UTC
        return _mk_dt(y, mo, d, int(m.group(4)), int(m.group(5)), int(m.group(6)) if m.group(6) else None, tz)
    if re.match(r"^\s*(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(?!\s*[ap]\.?\s?m\b)", s, re.I):
        try:
            from email.utils import parsedate_to_datetime

            dt = parsedate_to_datetime(s)
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=UTC)
            return dt.astimezone(UTC), "second"
        except OverflowError:
            return None  # its offset pushes it out of the datetime range: not another (offset-less) date
        except (TypeError, ValueError, IndexError):
            pass
    found = _text_date(s)
    if found is not None:
        return found[0], found[1]
    m = re.fullmatch(r"\s*(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?Z?)?\s*", s)
    if m:
        if m.group(4):
            return _mk_dt(int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5)))
        return _mk_dt(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return None


def _hour(hh: int, ampm: str | None) -> int:
    """A 12-hour clock's hour on the 24-hour clock ("12 a.m." is 0, "1 p.m." is 13)."""
    ampm = (ampm or "").lower()[:1]
    if ampm == "p" and hh < 12:
        return hh + 12
    if ampm == "a" and hh == 12:
        return 0
    return hh


# a clock time printed before the date it belongs to ("9:45 p.m. ET, Fri February 3, 2023", "14:10 Uhr, 3. Februar
# 2023"); what may stand between the two: separators, a zone name, a weekday
_CLOCK_RE = re.compile(r"(?<![\d.:])(\d{1,2})[:.](\d{2})(?:\s*([ap])\.?\s?m\b\.?)?(?:\s*uhr\b)?", re.I)
_BETWEEN_RE = re.compile(r"[\s,|·•–—/-]*(?:(?:on\s+)?[^\W\d_]{2,11}\.?,?)?[\s,|·•–—/-]*$")


def _text_date(s: str) -> tuple[datetime, str, int | None] | None:
    """A date written as ``DD.MM.YYYY``, ``3. Februar 2023`` or ``February 3, 2023``, with the clock time printed
    after it (or just before it) and a zone name after that time (:mod:`.date_zones`): ``(UTC, precision, offset
    minutes the zone name states, or None)``. A time without zone name is taken as UTC (offset None): the caller
    knows which zone the page implies."""
    m = _DMY_NUM_RE.search(s)
    if m:
        y, mo, d = int(m.group(3)), int(m.group(2)), int(m.group(1))
        clock = (int(m.group(4)), int(m.group(5)), int(m.group(6)) if m.group(6) else None) if m.group(4) else None
    else:
        m = _DMY_TEXT_RE.search(s)
        if m:
            y, mo, d = int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1))
            clock = (_hour(int(m.group(4)), m.group(6)), int(m.group(5)), None) if m.group(4) else None
        else:
            m = _MDY_TEXT_RE.search(s)
            if not m:
                return None
            y, mo, d = int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2))
            clock = (_hour(int(m.group(4)), m.group(6)), int(m.group(5)), None) if m.group(4) else None
    zone_end = m.end()
    if clock is None:
        before = [c for c in _CLOCK_RE.finditer(s, max(0, m.start() - 60), m.start())]
        c = before[-1] if before else None
        if c is not None:
            zone = zone_after(s, c.end())
            rest = s[zone[1] if zone else c.end() : m.start()]
            if _BETWEEN_RE.match(rest) and int(c.group(1)) < 24 and int(c.group(2)) < 60:
                clock, zone_end = (_hour(int(c.group(1)), c.group(3)), int(c.group(2)), None), c.end()
    if clock is None:
        made = _mk_dt(y, mo, d)
        return (made[0], made[1], None) if made else None
    zone = zone_after(s, zone_end)
    tz = zone[0] if zone else None
    made = _mk_dt(y, mo, d, clock[0], clock[1], clock[2], tz)
    if made is None:
        return None
    offset = None
    if tz is not None:
        off = made[0].astimezone(tz).utcoffset()
        offset = int(off.total_seconds() // 60) if off is not None else None
    return made[0], made[1], offset


def stated_offset_min(s: str | None) -> int | None:
    """Minutes east of UTC that a date string states for its time of day, or None.

    Only a string that :func:`parse_date_string` reads with a time of day and an explicit offset has one
    (ISO 8601 ``+02:00``/``-0300``/``Z``, RFC 2822 ``+0200``/``GMT``); a date-only string, a local midnight
    (read as a plain calendar day) or a time without offset (naive) gives None; a printed date whose clock
    time carries a zone name ("23:30 Uhr MESZ", "9:45 p.m. ET") has that zone's offset. With the offset the page's
    local calendar day is ``published_at + offset`` (``2026-07-10T00:50+02:00`` is 2026-07-09 in UTC).
    """
    if not s:
        return None
    s = s.strip()
    if not s or len(s) > 300:
        return None
    m = _ISO_RE.search(s)
    if m:
        if m.group(4) is None or m.group(7) is None:
            return None
        if int(m.group(4)) == 0 and int(m.group(5)) == 0 and int(m.group(6) or 0) == 0:
            return None
        tz = _tz_from(m.group(7))
        off = tz.utcoffset(None) if tz is not None else None
        return int(off.total_seconds() // 60) if off is not None else None
    if re.match(r"^\s*(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}", s):
        try:
            from email.utils import parsedate_to_datetime

            dt = parsedate_to_datetime(s)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        off = dt.utcoffset()
        return int(off.total_seconds() // 60) if off is not None else None
    found = _text_date(s)
    return found[2] if found is not None else None


def _plausible(dt: datetime, fetched_at: datetime | None) -> bool:
    if dt.year < 1995:
        return False
    limit = fetched_at if fetched_at is not None else datetime.now(UTC) + timedelta(days=2)
    if limit.tzinfo is None:
        limit = limit.replace(tzinfo=UTC)
    return dt <= limit


_URL_DATE_RE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?=[/_.-]|$)")


def _date_from_url(url: str | None) -> tuple[datetime, str] | None:
    """A full ``/YYYY/MM/DD/`` date in the URL path; year+month alone or article numbers are not dates."""
    url = _valid_url(url)
    if not url:
        return None
    m = _URL_DATE_RE.search(urlsplit(url).path)
    if not m:
        return None
    return _mk_dt(int(m.group(1)), int(m.group(2)), int(m.group(3)))


#: languages read (nearly) only in Central European Time (CET/CEST)
_CET_LANGS = frozenset(
    {"de", "fr", "it", "nl", "lb", "rm", "da", "sv", "no", "nb", "nn", "pl", "cs", "sk", "hu", "sl", "hr", "bs", "sr"}
)


_CET = ZoneInfo("Europe/Berlin")  # the IANA zone for Central European Time with the EU daylight-saving rules


def _cet_offset_min(dt: datetime) -> int:
    """The Central European offset at ``dt`` (aware, UTC) in minutes: +60, or +120 in summer time (IANA tz database)."""
    offset = dt.astimezone(_CET).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 60
