"""The date of last resort: htmldate's heuristics with dateparser limited to the page's language,
when neither structured data nor the article header gives a date (a lone January 1st is kept only when the page
states the new year).
"""

from __future__ import annotations

import re
import threading
from copy import deepcopy
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from lxml import etree

from .clean import _attr_str
from .date_strings import _MONTHS, _plausible, parse_date_string
from .extract import _too_wide

# htmldate's extensive search hands date-like strings to a dateparser ``DateDataParser`` built with
# ``languages=None``: every such call tests the string against all 205 dateparser languages, and a string no
# language accepts compiles each language's word-splitting regex on first use (1.6 s of CPU per process,
# measured; about a tenth of the parse stage's CPU time on the 999-page dev corpus). The page's declared
# language plus English covers what a news page prints; pages without a declared language keep the full set.
# Settings are the ones htmldate 1.9 uses (htmldate/extractors.py ``get_external_parser``).
_HTMLDATE_DATEPARSER_SETTINGS: dict[str, Any] = {
    "NORMALIZE": True,
    "PARSERS": ["custom-formats", "absolute-time"],
    "PREFER_DATES_FROM": "past",
    "PREFER_LOCALE_DATE_ORDER": True,
    "RETURN_AS_TIMEZONE_AWARE": False,
    "STRICT_PARSING": True,
}
_htmldate_lock = threading.Lock()


@lru_cache(maxsize=32)
def _dateparser_for(langs: tuple[str, ...] | None) -> Any:
    """A dateparser ``DateDataParser`` limited to ``langs`` (dateparser language codes; None = all)."""
    from dateparser import DateDataParser

    return DateDataParser(languages=list(langs) if langs else None, settings=_HTMLDATE_DATEPARSER_SETTINGS)


def _dateparser_langs(lang: str | None) -> tuple[str, ...] | None:
    """Dateparser languages for a page declared as ISO 639-1 ``lang``: ``(lang, "en")``, or None (all) when
    the page declares none or dateparser does not know it."""
    if not lang:
        return None
    from dateparser.data import languages_info

    code = lang.split("-")[0].lower()
    if code == "no":
        code = "nb"  # dateparser files Norwegian Bokmål under "nb"
    known = set(languages_info.language_order)
    if code not in known:
        return None
    return (code,) if code == "en" else (code, "en")


def _htmldate_fallback(
    tree: Any, fetched_at: datetime | None, lang: str | None = None
) -> tuple[datetime, str, str, int | None] | None:
    """Last resort: htmldate markup/text heuristics on the page without scripts and without the containers whose
    dates are not the article's (:func:`_drop_furniture`); the URL is deliberately not passed.

    ``lang`` (ISO 639-1, the page's declared language) limits the dateparser languages htmldate's extensive
    search tries (see ``_HTMLDATE_DATEPARSER_SETTINGS``)."""
    try:
        from htmldate import extractors as htmldate_extractors
        from htmldate import find_date
    except ImportError:  # pragma: no cover
        return None
    if _too_wide(tree):
        return None  # htmldate's free-text XPath would take seconds (see _MAX_CHILDREN)
    max_date = fetched_at or (datetime.now(UTC) + timedelta(days=1))
    # htmldate's last-resort scans read the serialised page including <script> text: an invalid JSON-LD
    # date ("2024-13-45") would come back as a year-only guess (2024-01-01). Script dates are never used
    # (our own JSON-LD reading already took the valid ones), so htmldate sees the page without scripts.
    tree = deepcopy(tree)
    etree.strip_elements(tree, "script", with_tail=False)
    _drop_furniture(tree)
    langs = _dateparser_langs(lang)
    limit = langs is not None and hasattr(htmldate_extractors, "get_external_parser")
    try:
        with _htmldate_lock:
            if limit:
                # htmldate caches parsed strings per process: results made under one language set must not
                # reach another page, nor other htmldate users (trafilatura's metadata) in this process
                default_parser = htmldate_extractors.get_external_parser
                htmldate_extractors.try_date_expr.cache_clear()
                htmldate_extractors.get_external_parser = lambda: _dateparser_for(langs)  # type: ignore[assignment]
            try:
                found = find_date(
                    tree,
                    extensive_search=True,
                    original_date=True,
                    outputformat="%Y-%m-%d",
                    max_date=max_date.strftime("%Y-%m-%d"),
                )
            finally:
                if limit:
                    htmldate_extractors.get_external_parser = default_parser
                    htmldate_extractors.try_date_expr.cache_clear()
    except Exception:  # pragma: no cover
        return None
    if not found:
        return None
    if found.endswith("-01") and not _states_first_day(tree, found[:4], int(found[5:7])):
        # a year-only or month-only guess that htmldate pads to the 1st: a copyright line, "2016" in a path,
        # "Pressemitteilung Nr. 07/2019"
        return None
    parsed = parse_date_string(found)
    if parsed and _plausible(parsed[0], fetched_at):
        return parsed[0], "day", "html", None
    return None


# boxes whose dates belong to someone or something else than the article: a comment's or a related story's date,
# a profile's "member since" (an author box is not one: it often holds the byline and the date). Narrower than
# clean._BAD_CONTAINER_RE on purpose: on blogs and small sites the article's only date often sits in a sidebar,
# footer, share or widget box (measured on the dev corpus: removing those too lost 11 correct dates for 2 gained)
_OTHER_DATES_RE = re.compile(
    r"comment|related|recommend|more-?stories|teaser-?list|popular|trending|outbrain|taboola|"
    r"profile|member|user-?info",
    re.I,
)


def _drop_furniture(tree: Any) -> None:
    """Remove from ``tree`` (a copy) the containers whose dates are not the article's (:data:`_OTHER_DATES_RE`:
    comment sections, related and teaser lists, author and member profiles), and ``<link>`` elements other than the
    canonical ones. A container that holds the ``<h1>`` is the page layout, not furniture, and stays."""
    keep: set[Any] = set()
    for h1 in tree.iter("h1"):
        keep.update(h1.iterancestors())
    drop = [
        el
        for el in tree.iter()
        if isinstance(el.tag, str)
        and el not in keep
        and (el.get("class") or el.get("id"))
        and _OTHER_DATES_RE.search(_attr_str(el))
    ]
    # stylesheet, script and icon links: a version in their URL ("ie.css?ver=20120629") is no date of the page
    drop += [el for el in tree.iter("link") if (el.get("rel") or "").lower() not in ("canonical", "amphtml")]
    for el in drop:
        if el.getparent() is not None:
            el.drop_tree()


def _states_first_day(tree: Any, year: str, month: int) -> bool:
    """The page text (or a ``datetime``/``content`` attribute) spells out the 1st of ``month`` in ``year``:
    ``2019-07-01``, ``1.7.2019``, ``1. Juli 2019``, ``July 1st, 2019`` (month names of :data:`_MONTHS`)."""
    names = "|".join(sorted((re.escape(k) for k, v in _MONTHS.items() if v == month), key=len, reverse=True))
    mm = f"0?{month}" if month < 10 else str(month)
    pat = re.compile(
        rf"{year}-{month:02d}-01|(?<!\d)0?1\.\s?{mm}\.\s?{year}|(?<!\d)0?1\.?\s+(?:de\s+)?(?:{names})\.?,?\s+"
        rf"(?:de\s+)?{year}|(?:{names})\.?\s+0?1(?:st)?,?\s+{year}",
        re.I,
    )
    text = " ".join(tree.xpath("//text()[not(ancestor::script)] | //@datetime | //@content"))
    return bool(pat.search(text))
