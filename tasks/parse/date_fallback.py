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

from .date_strings import _plausible, parse_date_string
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
    """Last resort: htmldate markup/text heuristics (skips <script>/<style>; URL deliberately not passed).

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
    if found.endswith("-01-01") and not _states_new_year(tree, found[:4]):
        return None  # a year-only guess (copyright line, "2016" in a path) that htmldate pads to January 1
    parsed = parse_date_string(found)
    if parsed and _plausible(parsed[0], fetched_at):
        return parsed[0], "day", "html", None
    return None


def _states_new_year(tree: Any, year: str) -> bool:
    """The page text (or a ``datetime``/``content`` attribute) spells out January 1 of ``year``."""
    pat = re.compile(
        rf"{year}-01-01|(?<!\d)0?1\.\s?0?1\.\s?{year}|(?<!\d)0?1\.?\s+(?:januar|jänner|january|janvier|enero|"
        rf"gennaio|jan)\.?,?\s+{year}|(?:january|jan)\.?\s+0?1(?:st)?,?\s+{year}",
        re.I,
    )
    text = " ".join(tree.xpath("//text()[not(ancestor::script)] | //@datetime | //@content"))
    return bool(pat.search(text))
