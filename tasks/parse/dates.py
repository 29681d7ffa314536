"""The publication and modification dates: structured candidates (meta tags, JSON-LD, microdata,
``<time>``) reconciled with the date the article header shows, then relative dates, htmldate, the URL
(:func:`decide_dates`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .clean import _in_bad_container
from .date_fallback import _htmldate_fallback
from .date_strings import _CET_LANGS, _cet_offset_min, _date_from_url, _plausible, parse_date_string, stated_offset_min
from .date_zones import offset_min, page_zone, zone_named
from .header_dates import _header_date_labelled
from .page import Page
from .relative_dates import _resolve_relative
from .script_dates import state_date
from .structured import _MOD_META_KEYS, _PUB_META_KEYS, _JsonLd, _m, _str_val
from .tree import _short_text

#: meta names that hold some date of the page's record, not necessarily the publication's
_GENERIC_META_KEYS = ("date",)
_GENERIC = "meta-generic"  # source label while deciding; reported as "meta"


def _choose_date(
    candidates: list[tuple[str | None, str]], fetched_at: datetime | None
) -> tuple[datetime, str, str, int | None] | None:
    """The first candidate that parses and is plausible: ``(utc, precision, source, stated offset minutes)``."""
    for raw, source in candidates:
        parsed = parse_date_string(raw)
        if parsed and _plausible(parsed[0], fetched_at):
            return parsed[0], parsed[1], source, stated_offset_min(raw)
    return None


def _local_day(d: tuple[datetime, str, str, int | None]) -> Any:
    """The calendar day of a chosen date where it was published (UTC day when no offset is known)."""
    return (d[0] + timedelta(minutes=d[3])).date() if d[3] is not None else d[0].date()


def _reconcile_header(
    chosen: tuple[datetime, str, str, int | None], hd: tuple[datetime, str, str, int | None], labelled: bool = False
) -> tuple[datetime, str, str, int | None]:
    """Structured date vs. the date printed in the article header, when their days differ.

    * A structured date without time of day (``2020-04-30``, a CMS field that is not the publication moment)
      loses to the header date the reader sees.
    * A structured time in UTC (``Z``/``+00:00``) or without offset, and a header date that is the same moment in
      local time (``2019-10-18T22:04Z`` vs "19. Oktober 2019 00:04 Uhr": a whole number of quarter hours
      apart, at most 14 h): the structured moment stays, the difference is its UTC offset. A header date without
      time one day off that some offset between -10 h and +10 h explains (``2021-11-04T23:00Z`` vs
      "5. November 2021") is the local day: it wins.
    * A structured time in UTC or without offset more than 36 h away from a header date that states no offset
      (printed text, a date-only ``datetime``): the printed date wins; such UTC values are often a CMS
      creation/import time, not the date the page shows.
    * Otherwise the structured date stays: a structured time with its own local offset is the publisher's
      statement (measured: header dates that contradict one are teaser/edition/update dates, e.g. fundus).

    * A labelled header date ("Veröffentlicht am", "Stand:") against a structured time without offset that none
      of the above explains: the labelled date wins (the naive value is often a CMS or crawl time).

    A header date that is the structured day with day and month swapped (``05/08/2019`` vs ``2019-05-08``) is a
    numeric date read in the wrong order: the structured date stays.
    """
    hd_day, ch_day = _local_day(hd), _local_day(chosen)
    if hd_day.day <= 12 and hd_day.replace(month=hd_day.day, day=hd_day.month) == ch_day:
        return chosen
    if chosen[1] == "day":
        return hd
    if chosen[3] in (None, 0) and hd[3] is None:
        if abs(hd[0] - chosen[0]) > timedelta(hours=36):
            return hd
        if hd[1] != "day":
            mins = round((hd[0] - chosen[0]).total_seconds() / 60)
            if abs(mins) <= 14 * 60 and abs(mins - 15 * round(mins / 15)) <= 1:
                return chosen[0], chosen[1], chosen[2], 15 * round(mins / 15)
        elif any((chosen[0] + timedelta(hours=h)).date() == hd[0].date() for h in range(-10, 11)):
            return hd
    if labelled and chosen[3] is None:
        return hd
    return chosen


def _unless_save_time(
    chosen: tuple[datetime, str, str, int | None],
    meta: dict[str, list[str]],
    jl: _JsonLd,
    fetched_at: datetime | None,
) -> tuple[datetime, str, str, int | None]:
    """``article:published_time`` that is the very moment of ``article:modified_time`` is the last save (some
    CMSs write both on every edit, e.g. live blogs): an earlier JSON-LD ``datePublished`` is the publication."""
    mod = parse_date_string(_m(meta, "article:modified_time"))
    if mod is None or mod[1] == "day" or mod[0] != chosen[0]:
        return chosen
    jd = _choose_date([(_str_val(jl.get("datePublished")), "jsonld")], fetched_at)
    if jd is not None and jd[1] != "day" and jd[0] < chosen[0] - timedelta(hours=1):
        return jd
    return chosen


def _agreeing_candidate(
    hd: tuple[datetime, str, str, int | None], cands: list[tuple[str | None, str]], fetched_at: datetime | None
) -> tuple[datetime, str, str, int | None] | None:
    """A structured publication candidate (not the first choice) on the labelled header date's day: two
    statements of the page agree (``DC.Date`` and "Stand: 07.11.2023" against a JSON-LD ``datePublished`` of the
    evening before); the agreeing candidate is used, it may state a time and offset."""
    day = _local_day(hd)
    for raw, source in cands[1:]:
        c = _choose_date([(raw, source)], fetched_at)
        if c is not None and _local_day(c) == day:
            return c
    return None


def _cet_midnight_as_day(
    chosen: tuple[datetime, str, str, int | None], lang: str | None
) -> tuple[datetime, str, str, int | None]:
    """A UTC time that is exactly midnight in Central European time (``2022-11-06T23:00:00Z``) on a page in a
    Central European language is a calendar day stored as local midnight: that day, without time."""
    if chosen[1] == "day" or chosen[3] != 0 or (lang or "")[:2].lower() not in _CET_LANGS:
        return chosen
    local = chosen[0] + timedelta(minutes=_cet_offset_min(chosen[0]))
    if (local.hour, local.minute, local.second, local.microsecond) != (0, 0, 0, 0):
        return chosen
    return datetime(local.year, local.month, local.day, tzinfo=UTC), "day", chosen[2], None


def _in_page_zone(
    chosen: tuple[datetime, str, str, int | None], lang_tag: str | None, source_zone: str | None = None
) -> tuple[datetime, str, str, int | None]:
    """A clock time the page prints without a zone ("03.02.2023 um 14:10 Uhr", read as UTC) is the local time of
    the zone the page's language implies (:func:`~.date_zones.page_zone`: Berlin for German): converted to UTC,
    its offset stated. Dates without time of day, times with a zone and pages whose language implies no zone are
    left as they are. ``source_zone`` (the source's ``timezone`` setting, an IANA name) wins over the language."""
    if chosen[1] == "day" or chosen[3] is not None:
        return chosen
    zone = zone_named(source_zone) if source_zone else page_zone(lang_tag)
    if zone is None:
        return chosen
    local = chosen[0].replace(tzinfo=None)
    off = offset_min(local, zone)
    return chosen[0] - timedelta(minutes=off), chosen[1], chosen[2], off


def _published_date(
    tree: Any,
    root: Any,
    meta: dict[str, list[str]],
    jl: _JsonLd,
    url: str | None,
    fetched_at: datetime | None,
    lang: str | None = None,
    relative_dates: bool = False,
    state_scripts: list[str] | None = None,
    headline: str | None = None,
    source_zone: str | None = None,
) -> tuple[tuple[datetime, str, str, int | None] | None, tuple[datetime, str, str, int | None] | None]:
    """The publication date: ``(utc, precision, source, stated offset minutes)`` or None; and an update date
    the article header states relative to ``fetched_at`` ("Aktualisiert vor 2 Stunden") or None.

    Order: structured data (meta, JSON-LD, microdata, the first ``<time>``), reconciled with the date shown in
    the article header; else that header date; else, with ``fetched_at``, a relative date shown in the header
    ("vor 5 Stunden", source ``relative``); else a date next to ``headline`` in the page's JavaScript state
    (``state_scripts``, source ``script``); else htmldate's heuristics; else a date in the URL. A generic
    ``<meta name="date">`` comes after the page's publication markup and loses to a header date of another day."""
    pub_cands: list[tuple[str | None, str]] = [(_m(meta, k), "meta") for k in _PUB_META_KEYS[:2] if k in meta]
    pub_cands.append((_str_val(jl.get("datePublished")), "jsonld"))
    pub_cands += [(_m(meta, k), "meta") for k in _PUB_META_KEYS[2:] if k in meta and k not in _GENERIC_META_KEYS]
    scope = root if root is not None else tree
    for el in scope.xpath('.//*[@itemprop][@itemprop="datePublished"]'):
        pub_cands.append((el.get("content") or el.get("datetime") or _short_text(el), "html"))
    for el in scope.iter("time"):
        if not _in_bad_container(el):
            pub_cands.append((el.get("datetime") or _short_text(el), "html"))
            break
    # a generic <meta name="date"> is often the CMS record's date, not the publication: after the page's own
    # publication markup, and (below) never over the date the header shows
    pub_cands += [(_m(meta, k), _GENERIC) for k in _GENERIC_META_KEYS if k in meta]
    pub_cands.append((_str_val(jl.get("dateCreated")), "jsonld"))
    chosen = _choose_date(pub_cands, fetched_at)
    if chosen is not None and chosen[2] == "meta":
        chosen = _unless_save_time(chosen, meta, jl, fetched_at)
    found = _header_date_labelled(tree, root, fetched_at, relative_dates)
    if found.date is not None:
        hd, labelled = found.date, found.labelled
        if chosen is None or (chosen[2] == _GENERIC and _local_day(hd) != _local_day(chosen)):
            chosen = hd
        elif _local_day(hd) != _local_day(chosen):
            agreeing = _agreeing_candidate(hd, pub_cands, fetched_at) if labelled else None
            chosen = agreeing or _reconcile_header(chosen, hd, labelled)
    if chosen is not None:
        chosen = _cet_midnight_as_day(chosen, tree.get("lang"))
    if chosen is not None and found.date is not None and chosen is found.date:
        chosen = _in_page_zone(chosen, tree.get("lang") or lang, source_zone)
    if chosen is not None and chosen[2] == _GENERIC:
        chosen = (chosen[0], chosen[1], "meta", chosen[3])
    if chosen is None and found.relative is not None and fetched_at is not None:
        chosen = _resolve_relative(found.relative, fetched_at, lang, source_zone)
    if chosen is None:
        chosen = state_date(state_scripts or [], headline, fetched_at)
    if chosen is None:
        chosen = _htmldate_fallback(tree, fetched_at, lang)
    if chosen is None:
        ud = _date_from_url(url)
        if ud and _plausible(ud[0], fetched_at):
            chosen = (ud[0], ud[1], "url", None)
    modified = None
    if found.relative_modified is not None and fetched_at is not None:
        modified = _resolve_relative(found.relative_modified, fetched_at, lang, source_zone)
    return chosen, modified


def decide_dates(
    page: Page,
    fetched_at: datetime | None,
    relative_dates: bool,
    headline: str | None = None,
    source_zone: str | None = None,
) -> tuple[tuple[datetime, str, str, int | None] | None, datetime | None]:
    """``(publication, modification)`` of the page.

    The publication is ``(UTC datetime, precision, source, stated offset minutes)`` or None (see
    :func:`_published_date`); the modification a UTC datetime or None: JSON-LD ``dateModified``, the modification
    meta tags, else an update the header states relative to ``fetched_at`` ("Aktualisiert vor 2 Stunden") when it
    is not before the publication. ``headline`` (the decided title) finds the article's record in a JavaScript
    state; ``source_zone`` (the source's ``timezone`` setting) is the zone of clock times printed without one."""
    chosen, header_mod = _published_date(
        page.tree,
        page.root,
        page.meta,
        page.jsonld,
        page.url,
        fetched_at,
        page.language,
        relative_dates,
        page.state_scripts,
        headline,
        source_zone,
    )
    mod = _choose_date(
        [(_str_val(page.jsonld.get("dateModified")), "jsonld")] + [(_m(page.meta, k), "meta") for k in _MOD_META_KEYS],
        fetched_at,
    )
    if mod is None and header_mod is not None and (chosen is None or header_mod[0] >= chosen[0]):
        mod = header_mod  # "Aktualisiert vor 2 Stunden" in the header, no structured modification date
    return chosen, mod[0] if mod else None
