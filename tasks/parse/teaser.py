"""The teaser (lead): the lead element or dek of the article head, else the page's description when the
page shows it; compared with the body's first paragraph (:func:`decide_teaser`).
"""

from __future__ import annotations

import re
from typing import Any

from .body import _containment, _strip_key_prefix, _wkey
from .clean import _in_bad_container, _shown_more_than_hidden
from .page import Page
from .structured import _m, _str_val
from .title import _is_template_description, _unescape_text
from .tree import _DOC_STRING, _short_text, _text

_LEAD_XPATH = (
    './/*[self::p or self::div or self::h2][contains(@class,"lead") '
    'or contains(@class,"intro") or contains(@class,"standfirst") or contains(@class,"summary") '
    'or contains(@class,"excerpt") or contains(@class,"subtitle") or contains(@class,"dek") '
    'or @itemprop="description"]'
)


def _html_lead(root: Any) -> str | None:
    if root is None:
        return None
    for el in root.xpath(_LEAD_XPATH):
        cls = (el.get("class") or "").lower()
        if re.search(r"(?:^|[\s_-])(?:teaser|lead|intro)[\w-]*(?:list|item|link|image|img|media|title|headline)", cls):
            continue
        if _in_bad_container(el, stop=None):
            continue
        if el.xpath("ancestor::li|ancestor::a"):
            continue  # an entry of an article list
        if el.xpath(".//h1"):
            # a header block (kicker + headline + lead + date): its lead paragraph only
            ps = [t for t in (_text(p) for p in el.iter("p") if not p.xpath(".//h1")) if 40 <= len(t) <= 800]
            if not ps:
                continue
            txt = ps[0]
        else:
            # at most 800 characters count: nested lead wrappers around a huge text are not each read (18 s)
            txt = _short_text(el) or ""
        if re.search(r"\b(?:mehr|more|weiterlesen|read more)\s*$", txt, re.I):
            continue  # a link teaser to another article
        if 40 <= len(txt) <= 800 and len(el.xpath(".//a")) <= 2:
            return txt
    return None


def _on_page(text: str, tree: Any) -> bool:
    """True when the first words of ``text`` (up to twelve) are part of the page's visible article text: they
    occur more often in the whole document text than in ``<script>``, ``<style>``, ``<noscript>``,
    ``<template>``, ``<title>`` and ``<figcaption>`` elements (a description that repeats an image caption is
    no lead)."""
    words = re.findall(r"\w+", text)[:12]
    if not words:
        return False
    doc_text = _DOC_STRING(tree)
    if not all(w in doc_text for w in words):
        return False  # the words of a match stand in the text as they are (no regex compiled for a sure miss)
    return _shown_more_than_hidden(re.compile(r"\W*".join(re.escape(w) for w in words)), tree, doc_text)


def _dek(h1_el: Any) -> str | None:
    """A subtitle right after the headline: the next element sibling of ``<h1>`` when it is an ``<h2>`` of one
    or two sentences (not a section heading)."""
    if h1_el is None:
        return None
    nxt = h1_el.getnext()
    while nxt is not None and not isinstance(nxt.tag, str):
        nxt = nxt.getnext()
    if nxt is None or nxt.tag != "h2":
        return None
    txt = _text(nxt)
    if not (40 <= len(txt) <= 400) or len(txt.split()) < 8 or txt.endswith(":") or nxt.xpath(".//a"):
        return None
    return txt


def teaser_candidates(page: Page, title: str | None, h1_el: Any) -> tuple[str, str | None]:
    """``(description, lead)`` read before the tree is cleaned: the page's summary (JSON-LD ``description``,
    ``og:description``, ``description``, ``twitter:description``; "" when it is a site-wide template sentence)
    and the lead element of the article head (:func:`_html_lead`, else the dek under the headline)."""
    description = _unescape_text(
        _str_val(page.jsonld.get("description", webpage_fallback=False))
        or _m(page.meta, "og:description", "description", "twitter:description")
        or ""
    )
    if description and title and _is_template_description(description, title):
        description = ""
    return description, _html_lead(page.root) or _dek(h1_el)


def decide_teaser(
    lead: str | None, description: str, title: str | None, paragraphs: list[str], tree: Any
) -> tuple[str | None, list[str]]:
    """``(teaser, paragraphs)``: the lead element, else the description when the page shows it (20+ word
    characters); the body loses its first paragraph where that repeats the teaser, and the teaser is dropped
    where it is only a truncated copy or an excerpt of the body."""
    if lead and description and title:
        # a lead element that shares no word with the headline while the description does is another
        # article's excerpt (a list of further stories inside the article region)
        tw = {w for w in re.findall(r"\w{4,}", title.lower())}
        if (
            tw
            and not tw & set(re.findall(r"\w{4,}", lead.lower()))
            and tw & set(re.findall(r"\w{4,}", description.lower()))
        ):
            lead = None
    if not lead and description and len(_wkey(description)) >= 20 and not _on_page(description, tree):
        description = ""  # a summary for search engines and link previews only, not shown with the article
    teaser = lead or (description if description and len(_wkey(description)) >= 20 else None)
    if teaser and paragraphs:
        tk = _wkey(teaser)
        pk = _wkey(paragraphs[0])
        if pk == tk or (len(pk) > 20 and tk.endswith(pk)):
            paragraphs = paragraphs[1:]
        elif len(pk) > 30 and tk.startswith(pk):
            # description = lead paragraph + a tail such as "Von <author>.": the paragraph is the teaser
            teaser, paragraphs = paragraphs[0], paragraphs[1:]
        elif teaser.endswith(("...", "…")) and pk.startswith(_wkey(teaser.rstrip(".… ").rsplit(" ", 1)[0])):
            teaser = None  # a truncated copy of the first paragraph, not a teaser of its own
        elif len(tk) > 30 and pk.startswith(tk) and not teaser.rstrip("\"“”'’»« )").endswith((".", "!", "?")):
            teaser = None  # the first paragraph cut off mid-sentence (a truncated description), not a lead
        elif len(tk) > 30 and pk.startswith(tk):
            rest_text = _strip_key_prefix(paragraphs[0], len(tk))
            paragraphs = [rest_text, *paragraphs[1:]] if rest_text else paragraphs[1:]
        elif _containment(teaser, paragraphs) >= 0.5:
            teaser = None  # an excerpt of the body (often the whole text), not a separate teaser
    return teaser, paragraphs
