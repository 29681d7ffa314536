"""Authors named in meta tags: ``author``, ``article:author``, ``parsely-author``, ``dc.creator``,
Twitter's "Written by" label; site names, URLs, country names and theme credits are not authors.
"""

from __future__ import annotations

import re

from .names import _clean_person, _personal_name, _split_names
from .structured import _m
from .title import _is_site_title, _unescape_text

_DOMAIN_IN_TEXT_RE = re.compile(
    # "\b[\w-]+\." matched from each word start of a run: quadratic on "03-03-03-…" (50,000 chars: 10 s); a match
    # now starts only where a run starts ("-*\w" keeps the old rule that it holds a word character)
    r"(?<![\w-])-*\w[\w-]*\.(?:com|de|at|ch|org|net|co|uk|fr|es|it|nl|pl|tr|info|eu|tv|ru|be|li|lu)\b",
    re.I,
)


def _meta_author_names(value: str, site_names: list[str], url: str | None, personal: bool = False) -> list[str]:
    """Person names in a meta author string; none when the string credits the site itself
    (``hessenschau.de, Frankfurt, Germany``: the other parts are its place, not people), unless the site is
    named after a person and the tag says so explicitly (``personal``: an ``*author_name`` tag = ``og:site_name``
    = "Wolfgang Michal"; a plain ``author`` = site name is mostly an organisation)."""
    value = _unescape_text(value)
    if _THEME_CREDIT_RE.search(value[:300]):
        return []  # "Peter Amende und Fuchsy designed": the theme's designers, not the article's author
    parts = _split_names(value)
    site = site_names[0] if site_names else None
    if personal and len(parts) == 1 and _personal_name(parts[0]) and not _DOMAIN_IN_TEXT_RE.search(parts[0]):
        return [a for a in (_clean_person(parts[0], None),) if a]
    # "Jobs & Hire" for the site "Jobs & Hire", "Kirche und Leben, Münster, Germany" on kirche-und-leben.de: the
    # whole string or one of its comma parts is the site's name before its parts are
    if any(
        _is_site_title(p, site_names, url) or _DOMAIN_IN_TEXT_RE.search(p)
        for p in (value, *re.split(r"\s*[,;|]\s*", value[:300]), *parts)
    ):
        return []
    # "Sebastian Held, Germany": a country after the name is its place
    return [a for a in (_clean_person(n, site) for n in parts if n.strip(" .").lower() not in _COUNTRY_WORDS) if a]


# country names that follow a name or an organisation in meta author strings ("…, Münster, Germany")
_COUNTRY_WORDS = frozenset(
    {
        "germany",
        "deutschland",
        "austria",
        "österreich",
        "switzerland",
        "schweiz",
        "suisse",
        "france",
        "italy",
        "italia",
        "spain",
        "españa",
        "usa",
        "uk",
        "united kingdom",
        "united states",
        "canada",
        "australia",
        "netherlands",
        "nederland",
        "belgium",
        "belgië",
        "belgique",
    }
)


# a meta author that credits the site's design or theme
_THEME_CREDIT_RE = re.compile(r"\b(?:designed|web-?design(?:er)?|theme|template|powered by)\b", re.I)

_WRITTEN_BY_LABEL_RE = re.compile(
    r"(?:written by|verfasst von|geschrieben von|escrito por|écrit par|scritto da|geschreven door|autor(?:in)?|author)",
    re.I,
)


def _twitter_label_authors(meta: dict[str, list[str]], site_names: list[str], url: str | None) -> list[str]:
    """The author of a Twitter card label pair (``twitter:label1`` = "Written by" / "Verfasst von",
    ``twitter:data1`` = the name), as WordPress SEO plugins write it."""
    for i in range(1, 5):
        label = _m(meta, f"twitter:label{i}")
        data = _m(meta, f"twitter:data{i}")
        if label and data and _WRITTEN_BY_LABEL_RE.fullmatch(label.strip()):
            return _meta_author_names(data, site_names, url)
    return []
