"""The site's name: ``og:site_name``, the JSON-LD publisher, ``application-name`` / ``twitter:site``.

Also the list of names the site goes by (:func:`site_name` returns both): the title, author and body rules drop
the site's own name where it appears as a title suffix ("Headline | Site"), a "byline" or a sign-off.
"""

from __future__ import annotations

import re

from .normalise import _letters, _norm_ws, _registered_domain_label
from .page import Page
from .structured import _m
from .title import _SEP_RE
from .tree import _text


def site_name(page: Page) -> tuple[str | None, list[str]]:
    """``(site name or None, every name the site goes by)``: the chosen name, the JSON-LD publisher and
    ``og:site_name`` (empty ones left out; the list may repeat a name)."""
    tree, meta, jl, url = page.tree, page.meta, page.jsonld, page.url
    name = _m(meta, "og:site_name") or jl.publisher_name()
    if not name:
        name = _m(meta, "application-name", "twitter:site")
        title_el0 = tree.find(".//title")
        # an "application-name" that repeats the page's whole <title> (a CMS filling it per page) is no name
        if name and len(name.split()) >= 4 and title_el0 is not None and _letters(name) == _letters(_text(title_el0)):
            name = None
    if name and name.startswith("@"):
        name = name[1:]
    chosen = _norm_ws(name) or None
    if chosen and not re.search(r"[A-Za-z]", chosen):
        # a non-Latin site name (e.g. the parent brand in Chinese) on a Latin-script edition: the page title's
        # site part, when it spells the domain ("… - Taipei Times" on taipeitimes.com), names this edition
        title_el0 = tree.find(".//title")
        label = _registered_domain_label(url)
        if title_el0 is not None and label:
            for part in _SEP_RE.split(_text(title_el0)):
                if re.search(r"[A-Za-z]", part) and _letters(part).removeprefix("the") == _letters(label):
                    chosen = part.strip()
                    break
    return chosen, [x for x in (chosen, jl.publisher_name(), _m(meta, "og:site_name")) if x]
