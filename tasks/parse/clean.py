"""Tree cleaning: which elements are boilerplate (navigation, related boxes, consent banners, comments,
teaser cards), which are hidden (``hidden``, ``display:none``, hidden classes), and what is removed before the
extractor runs (inert markup, teaser cards, hidden elements).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from .normalise import _FoldedPattern
from .tree import _DOC_STRING, _INVISIBLE_TAGS, _short_text

# ---- regions ----------------------------------------------------------------------------------------------

_BAD_CONTAINER_RE = _FoldedPattern(
    r"related|latest|sidebar|teaser-list|recommend|more-?stories|popular|trending|comment|footer|nav|"
    r"newsletter|promo|widget|outbrain|taboola|breadcrumb|share|social|menu",
)
_CONSENT_RE = _FoldedPattern(
    r"consent|cookie|gdpr|cmp-|privacy-?(?:banner|notice|manager)|onetrust|didomi|usercentrics"
)
_CONTENT_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:post|entry|article|story|main)[_-]?(?:content|body|text)(?:$|[\s_-])|articlebody", re.I
)


def _attr_str(el: Any) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _is_bad_node(tag: str, attrs: str, depth: int) -> bool:
    """One ancestor test shared by :func:`_in_bad_container` and :func:`_byline_bad`: an ``<aside>``/``<nav>``/
    ``<footer>`` that is not marked as article content, or (above the element itself) a container whose class/id
    names a sidebar, related list, comment section, navigation, promo box ... (:data:`_BAD_CONTAINER_RE`)."""
    if attrs == " ":  # neither class nor id (most elements): no pattern can match
        return tag in ("aside", "nav", "footer")
    if tag in ("aside", "nav", "footer") and not _CONTENT_CLASS_RE.search(attrs):
        return True
    return depth > 0 and bool(_BAD_CONTAINER_RE.search(attrs))


def _in_bad_container(el: Any, stop: Any = None) -> bool:
    """True when ``el`` or one of its 25 nearest ancestors (below ``stop``) is page furniture (:func:`_is_bad_node`)."""
    node = el
    depth = 0
    while node is not None and node is not stop and depth < 25:
        tag = node.tag if isinstance(node.tag, str) else ""
        if _is_bad_node(tag, _attr_str(node), depth):
            return True
        node = node.getparent()
        depth += 1
    return False


def _hidden_inline(el: Any) -> bool:
    """True when ``el`` itself is hidden by markup: the ``hidden`` attribute or an inline ``display:none``."""
    return el.get("hidden") is not None or "display:none" in (el.get("style") or "").replace(" ", "")


def _in_comment_or_teaser(el: Any, hidden: bool = False) -> bool:
    """True when ``el`` or one of its 30 nearest ancestors is a comment (list, "recent comments" widget) or a
    teaser card's link around a heading ("<a><h3>…</h3><div class=author-name>Von X</div></a>"); with
    ``hidden``, also when one is hidden (:func:`_hidden_inline`)."""
    node, depth = el, 0
    while node is not None and depth < 30:
        if (
            _COMMENT_ATTR_RE.search(_attr_str(node))
            or (node.tag == "a" and _HAS_TEASER_HEADING(node))
            or (hidden and _hidden_inline(node))
        ):
            return True
        node, depth = node.getparent(), depth + 1
    return False


# elements a page hides from its readers: the ``hidden`` attribute, an inline ``display:none``, a class token
# "hidden" or one ending in it ("rich-snippet-hidden", "visually-hidden": structured-data copies of the byline);
# Bootstrap's "hidden-xs" (hidden on small screens only) does not count
_HIDDEN_MARKED = etree.XPath(
    '//*[@hidden or contains(translate(@style, " ", ""), "display:none")'
    ' or contains(concat(" ", normalize-space(@class), " "), "hidden ")]'
)
_BREAKPOINT_HIDDEN_RE = re.compile(r"(?:mobile|desktop|tablet|print|xs|sm|md|lg|xl)[-_]hidden$")
# Tailwind's display at a breakpoint ("md:block", "lg:flex", "sm:inline-block")
_BREAKPOINT_SHOWN_RE = re.compile(r"[\w-]{1,12}:(?:block|flex|inline|inline-block|inline-flex|grid|table|contents)$")


def _hidden_class(cls: str) -> bool:
    """True for a class token "hidden" or "<x>-hidden" ("rich-snippet-hidden", "visually-hidden"), not a state
    or breakpoint modifier ("has-breadcrumb-mobile-hidden", "hidden-xs"), not Tailwind's clipping utility
    ("overflow-hidden": the content shows) nor its "hidden" undone at a breakpoint ("hidden md:block": shown on
    larger screens)."""
    toks = cls.split()[:30]
    for tok in toks:
        low = tok.lower()
        if low == "hidden":
            if not any(_BREAKPOINT_SHOWN_RE.match(t) for t in toks):
                return True
        elif (
            low.endswith(("-hidden", "_hidden"))
            and not low.startswith(("has-", "no-", "with-", "overflow"))
            and not _BREAKPOINT_HIDDEN_RE.search(low)
        ):
            return True
    return False


def _hidden_marked(tree: Any) -> Iterator[Any]:
    """The outermost elements of ``tree`` marked as hidden (:data:`_HIDDEN_MARKED`)."""
    found = [
        el
        for el in _HIDDEN_MARKED(tree)[:200]
        if el.tag not in ("html", "body") and (_hidden_inline(el) or _hidden_class(el.get("class") or ""))
    ]
    inside = set(found)
    for el in found:
        if not any(a in inside for a in el.iterancestors()):
            yield el


def _hidden_texts(tree: Any) -> list[str]:
    """The texts of the outermost elements marked as hidden (:func:`_hidden_marked`) outside the invisible
    elements: read once per page, not once per name checked (300 JSON-LD authors each re-ran the page-wide XPath
    and re-read every hidden element: 10 s)."""
    return [
        _DOC_STRING(el)
        for el in _hidden_marked(tree)
        if el.tag not in _INVISIBLE_TAGS and not any(a.tag in _INVISIBLE_TAGS for a in el.iterancestors())
    ]


def _shown_more_than_hidden(
    probe: re.Pattern[str], tree: Any, doc_text: str, hidden_texts: list[str] | None = None
) -> bool:
    """True when ``probe`` matches more often in ``doc_text`` (the whole document's text) than inside the page's
    invisible elements (``<script>``, ``<style>``, ``<noscript>``, ``<template>``, ``<title>``, ``<figcaption>``;
    with ``hidden_texts`` also the texts of elements marked as hidden, outside those): at least one match is text
    a reader sees."""
    found = len(probe.findall(doc_text))
    if not found:
        return False
    hidden = sum(len(probe.findall(_DOC_STRING(el))) for el in tree.iter(*_INVISIBLE_TAGS))
    if hidden_texts and found > hidden:
        hidden += sum(len(probe.findall(t)) for t in hidden_texts)
    return found > hidden


_COMMENT_ATTR_RE = re.compile(r"comment", re.I)


_HAS_TEASER_HEADING = etree.XPath("boolean(.//h2 | .//h3 | .//h4)")


_INERT_TAGS = ("style", "svg", "template", "iframe", "object", "embed", "canvas", "video", "audio")
_JS_TYPES = frozenset({"", "text/javascript", "application/javascript", "module", "application/x-javascript"})


def _drop_inert(tree: Any) -> None:
    """Drop markup that never carries article text before the extractor runs: JavaScript (``<script>`` of a
    JavaScript type; JSON-LD, which trafilatura's baseline reads for ``articleBody``, and text templates stay),
    styles, inline SVG icons, templates and embedded media/frames (``<noscript>`` stays: it is the no-JS
    reader's copy of the text). trafilatura removes the same elements (its ``MANUALLY_CLEANED`` list) but only after
    copying the tree twice per pass; dropping them first makes every copy and XPath scan smaller. Tails (text
    after the element) are kept, as trafilatura keeps them."""
    for el in list(tree.iter("script")):
        if (el.get("type") or "").split(";")[0].strip().lower() in _JS_TYPES:
            el.tag = "style"
    etree.strip_elements(tree, *_INERT_TAGS, with_tail=False)


_TEASER_CARDS = etree.XPath("//a[.//p][.//h1 or .//h2 or .//h3 or .//h4]")


def _preclean_tree(tree: Any) -> None:
    """General pre-cleaning before trafilatura: drop consent banners, unwrap article-content asides."""
    for el in list(tree.iter("div", "section", "aside", "form")):
        attrs = _attr_str(el)
        if not attrs.strip():
            continue
        if (
            _CONSENT_RE.search(attrs)
            and el.getparent() is not None
            and not _CONTENT_CLASS_RE.search(attrs)
            and (short := _short_text(el)) is not None
            and len(short) < 3000
            and not el.xpath(".//h1")
        ):
            el.drop_tree()
            continue
        if el.tag == "aside" and _CONTENT_CLASS_RE.search(attrs):
            el.tag = "div"
    # teaser cards: a link wrapping a headline and/or paragraph of another article (one XPath selects them: a
    # dropped card's nested cards go with it, so the set is the same as testing each link in document order)
    for a in _TEASER_CARDS(tree):
        if a.getparent() is not None:
            a.drop_tree()
