"""Wire agencies credited in the page's HTML: byline and source elements, credit lines beside the
headline; a credit that belongs to a picture or player (after a media wrapper, classed photo/caption) is not the
article's.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from typing import Any

from lxml import etree

from .agencies import _credit_agencies
from .author_links import _AUTHOR_HREF_RE
from .byline import _ancestors, _byline_bad, _in_teaser
from .byline_lines import _BYLINE_TAGS, _following
from .clean import _attr_str, _hidden_inline
from .normalise import _dedupe, _letters
from .tree import _short_text, _text

# elements that credit an article: author/byline classes, a source box ("Quelle: dpa"), schema.org author, <address>
# one pass (a union "A | B" or "@class/.." merges node sets in quadratic time in libxml2: 45,000 itemprop=author
# took 2 s): schema.org author, or a class with "author"/"autor"/"byline"/"Byline"/"source"/"quelle"
_CREDIT_ELEMENTS = etree.XPath(
    './/*[@itemprop="author" or @class[contains(., "utor") or contains(., "uthor") or contains(., "yline")'
    ' or contains(., "source") or contains(., "quelle")]]'
)
# a class or id that names a picture (not a bare "credit": under a headline that may be the text's)
_PICTURE_CLASS_RE = re.compile(r"photo|foto|image|img|picture|bild|video|gallery|caption|media", re.I)
_MEDIA_TAGS = frozenset(["img", "picture", "video", "figure", "iframe", "svg"])
# a player's or picture's wrapper: the tree has lost its <video>, <iframe> and <svg> (_INERT_TAGS) when the credits
# are read, so "<div class=video-player><iframe/></div><div class=source>AFP</div>" shows only the wrapper
_MEDIA_WRAPPER_CLASS_RE = re.compile(r"photo|foto|image|picture|video|player|gallery", re.I)


def _after_media(el: Any) -> bool:
    """True when one of the two elements before ``el`` is or holds (among its first 30 elements) a picture or a
    video (or a wrapper whose class names one): ``el`` is that picture's credit ("<picture/><div>Anadolu
    Ajansı</div>", a caption, then "Quelle: AFP"). An element with more text than a caption (the story's text
    container, with its pictures) ends the search."""
    n = 0
    for sib in el.itersiblings(preceding=True):
        if not isinstance(sib.tag, str):
            continue
        n += 1
        if n > 2 or _short_text(sib, 300) is None:
            break
        if any(
            x.tag in _MEDIA_TAGS or (x.get("class") and _MEDIA_WRAPPER_CLASS_RE.search(x.get("class")))
            for x in itertools.islice(sib.iter(), 30)
        ):
            return True
    return False


def _hidden_or_linked(el: Any) -> bool:
    """True when ``el`` or one of its dozen nearest ancestors is hidden (``hidden``, inline ``display:none``) or a
    link other than to an author page (a teaser's credit)."""
    node, depth = el, 0
    while node is not None and depth < 12:
        if _hidden_inline(node):
            return True
        if node.tag == "a" and not _AUTHOR_HREF_RE.search(node.get("href") or ""):
            return True
        node, depth = node.getparent(), depth + 1
    return False


def _byline_agencies(tree: Any, root: Any, h1: Any = None) -> list[str]:
    """Agencies that the article's byline or source line credits (:func:`_credit_agencies`): an author/byline/
    source element in the article ("<span class=byline>Von Max Muster, dpa</span>", "<div class=source>DPA</div>")
    or a short line right after the ``<h1>`` ("<p class=credit>JIJI</p>", "<div>AFP, MANILA</div>"). Not a
    picture's credit (figure, media box, an element right after a picture, "Foto:"/"©" lines), a hidden one, a
    teaser's or one in a sidebar/related list/comment section."""
    scope = root if root is not None else tree
    body = tree.find("body")
    h1_path = _ancestors(h1) if h1 is not None else None
    # the headline's block: its parent and the two containers above (a byline there may carry a "credit" class)
    head_block = h1_path[-4:-1] if h1_path else []
    teasers: dict[Any, bool] = {}

    @lru_cache(maxsize=1)
    def title_key() -> str:  # (read only when an element names an agency)
        title_el = tree.find(".//title")
        return _letters(_text(title_el)) if title_el is not None else ""

    def credited(el: Any, txt: str | None) -> list[str]:
        if not txt or len(txt) > 100:
            return []
        found = _credit_agencies(txt)
        if not found or el.tag in ("figure", "figcaption") or _hidden_or_linked(el) or _after_media(el):
            return []
        parent = el.getparent()
        if any(parent is a for a in head_block):
            if _PICTURE_CLASS_RE.search(_attr_str(el)):
                return []  # "<span class=photo-credit>" beside the headline: still a picture's
        elif _byline_bad(el, body, h1):
            return []
        if _in_teaser(el, h1_path, title_key(), teasers, card_chars=1500):
            return []
        return found

    agencies: list[str] = []
    for el in itertools.chain(_CREDIT_ELEMENTS(scope)[:100], itertools.islice(scope.iter("address"), 20)):
        agencies.extend(credited(el, _short_text(el, 300)))
    if h1 is not None:
        seen = 0
        for el in _following(h1, _BYLINE_TAGS):
            if not (el.text or "").strip():
                continue  # a container: its text is its children's, read when they come
            seen += 1
            if seen > 25:
                break
            txt = _short_text(el, 2000)
            if txt and len(txt) > 200 and el.tag == "p":
                break  # the article's text begins: the byline comes before it
            agencies.extend(credited(el, txt))
    return _dedupe(agencies)
