"""The page every field reads: the parsed tree, its URLs, meta tags, JSON-LD, declared language, article region.

:func:`read_page` builds a :class:`Page` once per document; the field modules (``title``, ``dates``, ``authors``,
...) read it and never parse the HTML again. Building it removes the inert markup (scripts, styles, embeds: see
:func:`~.clean._drop_inert`) after the metadata in it has been read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .clean import _drop_inert, _in_bad_container
from .normalise import _join, _valid_url
from .script_dates import is_state_script
from .structured import _collect_meta, _JsonLd, _lang, _m, _str_val

# the article region's candidates in order of trust ("[@a][@a=…]": the equality test runs only on the few
# elements that have the attribute, 15 % faster over a whole page)
_ARTICLE_ROOT_XPATHS = tuple(
    etree.XPath(xp)
    for xp in (
        '//*[@itemprop][@itemprop="articleBody"]/..',
        "//article[.//h1]",
        "//article",
        "//main",
        '//*[@role][@role="main"]',
    )
)


def _article_root(tree: Any) -> Any:
    for xp in _ARTICLE_ROOT_XPATHS:
        found = xp(tree)
        for el in found:
            if not _in_bad_container(el):
                return el
    body = tree.find("body")
    return body if body is not None else tree


@dataclass
class Page:
    """One HTML page, read once.

    ``tree``: the lxml ``<html>`` element (inert markup already removed); ``url``: the page URL when
    :func:`urllib.parse.urlsplit` accepts it, else None; ``base``: the URL relative links resolve against (a
    ``<base href>`` joined onto ``url``); ``meta``: meta tag name/property (lower case) -> contents in page order;
    ``jsonld``: the page's JSON-LD graph; ``language``: the declared ISO 639-1 code or None; ``root``: the article
    region (itemprop ``articleBody``'s parent, ``<article>``, ``<main>``, else ``<body>``); ``state_scripts``: the
    inline scripts other than JSON-LD that may hold a JavaScript state with dates (:mod:`.script_dates`).
    """

    tree: Any
    url: str | None
    base: str | None
    meta: dict[str, list[str]]
    jsonld: _JsonLd
    language: str | None
    root: Any
    state_scripts: list[str] = field(default_factory=list)

    @property
    def scope(self) -> Any:
        """The article region, or the whole tree when there is none."""
        return self.root if self.root is not None else self.tree


def declared_language(tree: Any, meta: dict[str, list[str]], jl: _JsonLd) -> str | None:
    """The language the page declares, as an ISO 639-1 code: ``<html lang>``, then the ``content-language`` /
    ``language`` / ``dc.language`` meta tags, then JSON-LD ``inLanguage``, then ``og:locale``."""
    html_lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    return (
        _lang(html_lang)
        or _lang(_m(meta, "content-language", "language", "dc.language"))
        or _lang(_str_val(jl.get("inLanguage")))
        or _lang(_m(meta, "og:locale"))
    )


def read_page(tree: Any, url: str | None) -> Page:
    """The :class:`Page` of a parsed tree (from :func:`~.tree._parse_tree`). A malformed ``url`` is dropped (no
    base, no URL date); the page is still read. Mutates ``tree``: inert markup is removed once metadata is read."""
    url = _valid_url(url)
    head_base = tree.xpath("//base/@href")
    base = (_join(url, head_base[0]) or url) if head_base else url
    meta = _collect_meta(tree)
    jl = _JsonLd([s.text or "" for s in tree.xpath('//script[contains(@type, "ld+json")]')])
    states = [
        text
        for s in tree.xpath('//script[not(@src)][not(contains(@type, "ld+json"))]')
        if (text := s.text) and is_state_script(text)
    ]
    _drop_inert(tree)  # metadata read: no later step looks into code, styles, icons or embeds
    language = declared_language(tree, meta, jl)
    return Page(tree, url, base, meta, jl, language, _article_root(tree), states)
