"""Building the lxml tree safely (control characters, deeply nested markup flattened) and reading element
text with limits (:func:`_short_text`).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import lxml.html
from lxml import etree

from .normalise import _norm_ws

_CONTROL_RE = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def _has_control_chars(text: str) -> bool:
    """``_CONTROL_RE`` occurs in ``text``: its UTF-8 bytes lose some in a byte ``translate`` (UTF-8 writes these
    code points as themselves and every other one without bytes below 0x80; 2.5x faster than the regex scan)."""
    data = text.encode("utf-8", "surrogatepass")
    return len(data.translate(None, _CONTROL_BYTES)) != len(data)


_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


_TAG_TOKEN_RE = re.compile(r"<(/?)([A-Za-z][\w:-]{0,40})(?:\s[^<>]*)?>")
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
_MAX_DEPTH = 400
# an element with _MAX_DEPTH element ancestors: one child step per level from the document element (each level's
# elements are visited once; ``//*[count(ancestor::*) >= N]`` counted every element's ancestors, 2.5x the time)
_TOO_DEEP = etree.XPath("boolean(/" + "/".join(["*"] * (_MAX_DEPTH + 1)) + ")")


def _flatten_deep_nesting(html: str) -> str:
    """Drop the start and end tags nested deeper than :data:`_MAX_DEPTH` (their text stays).

    libxml2 stops building the tree at depth 2048 even with ``huge_tree`` and silently drops everything
    below (5,000 nested ``<div>`` wrappers lost the whole article), and trafilatura gets slow on very deep
    trees. :func:`_parse_tree` calls this only when the parsed tree is deeper than :data:`_MAX_DEPTH`; depth
    is counted from the tags (void elements and ``<x/>`` do not nest), so unclosed ``<p>``/``<li>`` can only
    make it flatten earlier.
    """
    out: list[str] = []
    pos = depth = 0
    for m in _TAG_TOKEN_RE.finditer(html):
        if m.group(0).endswith("/>") or m.group(2).lower() in _VOID_TAGS:
            continue
        if m.group(1):
            depth = max(depth - 1, 0)
            drop = depth >= _MAX_DEPTH
        else:
            drop = depth >= _MAX_DEPTH
            depth += 1
        if drop:
            out.append(html[pos : m.start()])
            pos = m.end()
    out.append(html[pos:])
    return "".join(out)


# lxml.html's default lookup picks the element class in a Python callback for every element proxy lxml creates
# (about 7 % of the parse time, most of it inside trafilatura's tree walks) only to give form controls their
# form-specific classes, which nothing here uses; this C-level lookup gives every element the same
# ``HtmlElement`` class (``text_content``, ``drop_tree`` … unchanged)
_ELEMENT_CLASSES = etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement,
    comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity,
)


def _parse_tree(html: str) -> lxml.html.HtmlElement | None:
    """Parse HTML once with lxml; ``huge_tree`` so libxml2 does not silently cut the tree at depth 256.

    A tree deeper than :data:`_MAX_DEPTH` is parsed again from :func:`_flatten_deep_nesting` (libxml2 drops
    everything below depth 2048 even with ``huge_tree``)."""
    html = _XML_DECL_RE.sub("", html, count=1).replace("\x00", "")
    if _has_control_chars(html):
        # C0 controls are not allowed in XML text: lxml (and trafilatura after it) refuse to set such text
        html = _CONTROL_RE.sub(lambda m: " " if m.group() in "\x0b\x0c" else "", html)
    parser = lxml.html.HTMLParser(
        huge_tree=True, remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False
    )
    parser.set_element_class_lookup(_ELEMENT_CLASSES)
    try:
        tree = lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        try:
            tree = lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
        except (etree.ParserError, ValueError):
            return None
    if _TOO_DEEP(tree):
        flat = _flatten_deep_nesting(html)
        if flat != html:
            return _parse_tree(flat)
    return tree


def _text(el: Any) -> str:
    try:
        return _norm_ws(" ".join(el.itertext()))
    except (ValueError, TypeError):
        return ""


_SHORT_TEXT_RAW_MAX = 10_000  # characters of raw text, whitespace included


_SHORT_TEXT_MAX_NODES = 3000  # elements below a byline, label or date element; real ones have a few dozen


def _short_text(el: Any, raw_max: int = _SHORT_TEXT_RAW_MAX) -> str | None:
    """:func:`_text` of an element that must be short to count (a byline, a date, a label), or None when its raw
    text is longer than ``raw_max``: the walk stops there, so nested wrappers around a huge text are not each read
    in full (390 nested ``<div>Von …`` around 1 MB of text took 15 s). An element with more than
    :data:`_SHORT_TEXT_MAX_NODES` elements below it is no short text either (300 nested author boxes around
    50,000 empty elements were each walked in full: 6 s)."""
    if next(itertools.islice(el.iter(), _SHORT_TEXT_MAX_NODES, None), None) is not None:
        return None
    parts: list[str] = []
    n = 0
    try:
        for t in el.itertext():
            n += len(t)
            if n > raw_max:
                return None
            parts.append(t)
    except (ValueError, TypeError):
        return ""
    return _norm_ws(" ".join(parts))


_DOC_STRING = etree.XPath("string()")
_INVISIBLE_TAGS = ("script", "style", "noscript", "template", "title", "figcaption")
