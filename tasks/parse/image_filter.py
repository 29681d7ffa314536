"""Which ``<img>`` elements are page furniture rather than the article's pictures: boilerplate regions, ads,
hidden copies, author avatars and icons, tiny images, and thumbnails in links to other stories (teaser cards).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from .clean import _CONTENT_CLASS_RE, _attr_str, _hidden_class, _is_bad_node
from .normalise import _FoldedPattern, _join, _registered_domain_label
from .tree import _text

# containers of advertising, calls to action and teaser cards, matched as class/id tokens ("ad", "ad-slot",
# "adsbygoogle", "anzeige", "sponsored", "wp-banner", "teaser3-image", a whole "cta" class; a "--cta-headline-media"
# paragraph type is no call to action) so that "header", "shadow" or "download" do not count
_AD_RE = _FoldedPattern(
    r"(?:^|[\s_-])(?:ads?|adv|advert\w*|adsbygoogle|anzeigen?|sponsor\w*|werbung|affiliate|\w*banner\w*|teaser\w*)"
    r"(?:$|[\s_-])|(?:^|\s)(?:cta|call-to-action)(?:$|\s)"
)
# the site's own header (masthead, top bar) as a whole class or id token: "entry-header" is not one
_SITE_HEADER_RE = _FoldedPattern(r"(?:^|\s)(?:header|site-?header|masthead|top-?bar|page-?header)(?:$|\s)")
# the image or one of its three nearest ancestors marks a person's portrait or page chrome ("icon" is left out:
# WordPress galleries wrap each picture in "gallery-icon")
_CHROME_RE = _FoldedPattern(r"avatar|gravatar|author|byline|profile|logo|emoji|badge|sprite|rating|social|share")
# ... or its file says so (path segments or file name tokens), advertising files included ("werbung_3.jpg"), and
# the design files of a CMS theme or plugin ("/wp-content/themes/x/images/button.png", "/templates/", "/plugins/")
_CHROME_SRC_RE = _FoldedPattern(
    r"/(?:themes?|plugins|templates)/|(?:^|[/_.-])(?:avatars?|gravatar|logos?|icons?|emoji|sprites?|favicon|badges?|autor(?:en)?|authors?|werbung|"
    r"anzeigen?|advert\w*|sponsor\w*)(?:[/_.-]|$)"
)
_CHROME_ALT_RE = _FoldedPattern(r"\bavatar\b|^(?:logo|icon)$")
_IMAGE_FILE_RE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|bmp|tiff?)$", re.I)
_SIZE_IN_NAME_RE = re.compile(r"(?:^|[-_./])(\d{1,4})x(\d{1,4})(?:[-_./]|$)")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")

SMALL_PX = 64  # a declared side at most this many CSS pixels: an icon, avatar, tracking pixel or 40-px variant
SMALL_SQUARE_PX = 120  # a declared square at most this size: an author portrait or thumbnail, not a figure


def _px(value: str | None) -> int | None:
    m = re.match(r"\s*(\d{1,5})(?:\.\d+)?\s*(?:px)?\s*$", value or "")
    return int(m.group(1)) if m else None


# web analytics and ad servers: a script that answers with an image (matomo.php, /pixel?id=, b.gif?v=noscript)
_TRACKER_RE = re.compile(
    r"^(?:https?:)?//(?:pixel|piwik|matomo|stats?|analytics|counter|track(?:ing|er)?|beacon|metrics?|ad(?:s|server)?)"
    r"[.\d]|[./-](?:adsystem|doubleclick|scorecardresearch|adserver|vgwort)\.|"
    r"\.(?:php|aspx?|cgi|pl|jsp)(?:$|[?#])|/(?:pixel|tracker|beacon|counter)(?:[/?.]|$)",
    re.I,
)


def is_tracker(url: str | None) -> bool:
    """True for the URL of a tracking pixel or ad server (a script path, a ``pixel.``/``stats.`` host, ``/pixel?``),
    which serves no picture a reader sees."""
    return bool(url and _TRACKER_RE.search(url))


def is_small(img: Any, url: str | None) -> bool:
    """True when ``img`` declares a width or height of at most :data:`SMALL_PX` CSS pixels, or a square of at
    most :data:`SMALL_SQUARE_PX`, or its file name carries such a size (``-40x40.jpg``)."""
    w, h = _px(img.get("width")), _px(img.get("height"))
    if (w is not None and w <= SMALL_PX) or (h is not None and h <= SMALL_PX):
        return True
    if w is not None and w == h and w <= SMALL_SQUARE_PX:
        return True
    m = _SIZE_IN_NAME_RE.search((url or "").split("?", 1)[0].rsplit("/", 1)[-1])
    return bool(m and int(m.group(1)) <= SMALL_PX and int(m.group(2)) <= SMALL_PX)


def is_chrome(img: Any, url: str | None) -> bool:
    """True for an author avatar, logo, icon, badge, share button or advertisement: ``avatar``/``author``/``logo``
    ... in the class or id of the image or of its three nearest ancestors, ``avatar``/``logo``/``icon``/``werbung``
    ... in its file path, or an alt text such as "Avatar"."""
    node, depth = img, 0
    while node is not None and depth < 4:
        attrs = _attr_str(node)
        if attrs != " " and _CHROME_RE.search(attrs):
            return True
        node, depth = node.getparent(), depth + 1
    if url and _CHROME_SRC_RE.search(url.split("?", 1)[0]):
        return True
    return bool(_CHROME_ALT_RE.search(img.get("alt") or ""))


_NOT_HIDING_RE = re.compile(r"label|title|caption|heading|legend", re.I)


def _hides(cls: str) -> bool:
    """True for a class that hides its element (:func:`~.clean._hidden_class`), not counting tokens that hide a part
    of it ("field--label-hidden": the field's label is hidden, its picture shows)."""
    return _hidden_class(" ".join(t for t in cls.split()[:30] if not _NOT_HIDING_RE.search(t)))


_H1_XPATH = etree.XPath("(//h1)[position() <= 3]")


def headline_ancestors(tree: Any, h1: Any = None) -> frozenset[Any]:
    """The elements that hold the page's headline: the ancestors of ``h1`` (the headline element the title chose)
    or, without one, of the page's first three ``<h1>``. A box around the whole article is no sidebar or teaser
    box whatever its class says (``<div class="content-sidebar-wrap">``, ``<div
    class="td-transition-content-and-menu">``)."""
    found: set[Any] = set()
    for el in [h1] if h1 is not None else _H1_XPATH(tree):
        found.update(el.iterancestors())
    return frozenset(found)


def _bad_box(node: Any, keep: frozenset[Any]) -> bool:
    attrs = _attr_str(node)
    if node in keep or (attrs != " " and _CONTENT_CLASS_RE.search(attrs)):
        return False
    if _is_bad_node(node.tag if isinstance(node.tag, str) else "", attrs, 1):
        return True
    return attrs != " " and bool(
        _AD_RE.search(attrs) or _SITE_HEADER_RE.search(attrs) or _hides(node.get("class") or "")
    )


def in_furniture(img: Any, root: Any, keep: frozenset[Any] = frozenset(), cache: dict[Any, bool] | None = None) -> bool:
    """True when ``img`` sits in page furniture below ``root`` (the article region), not counting the elements in
    ``keep`` (:func:`headline_ancestors`), content containers ("article-content", "entry-body": a class with
    "sticky-sidebar-relative" beside it is still the text's box) nor anything above ``root`` (a ``<body
    class="has-sidebar">`` says nothing about the article): a navigation, sidebar, related, comment or share region
    (:func:`~.clean._is_bad_node`), an advertising, call-to-action or teaser container (:data:`_AD_RE`), the site's
    header (:data:`_SITE_HEADER_RE`), or an element hidden by a class ("…-hidden", "visually-hidden": share-plugin
    copies); slides hidden by an inline ``display:none`` stay (a carousel shows them one by one). ``cache`` (one
    dict per page and ``root``) keeps each ancestor's verdict, so a page's images share the walk up."""
    cache = {} if cache is None else cache
    path: list[Any] = []
    verdict = False
    node = img.getparent()
    while node is not None and node is not root:
        known = cache.get(node)
        if known is not None:
            verdict = known
            break
        path.append(node)
        if _bad_box(node, keep):
            verdict = True
            break
        node = node.getparent()
    for n in path:
        cache[n] = verdict
    return verdict


def _same_page(a: str, b: str | None) -> bool:
    if not b:
        return False
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.hostname or "") == (pb.hostname or "") and pa.path.rstrip("/") == pb.path.rstrip("/")


def linked_elsewhere(img: Any, base: str | None, page_url: str | None) -> bool:
    """True when ``img`` is the thumbnail of a link to another page (a related-story or teaser card), False for an
    image linking to its own file (``<a href="big.jpg"><img src="small.jpg">``) or to the page itself, and for an
    image-only link to another page of the same site that no other link of its card repeats (a gallery's
    attachment page). A link counts as a teaser when it holds a heading or text beyond the image (whatever its
    href), when it is ``rel="sponsored"``, or when one of its three nearest ancestors holds another link to the
    same page; a link in a list item and an image-only link to another site (an advertiser, a shop) count as well
    unless the image is a ``<figure>``'s (block galleries are lists of figures)."""
    a = next(img.iterancestors("a"), None)
    if a is None:
        return False
    raw = (a.get("href") or "").strip()
    href = _join(base, raw)
    if href and (_IMAGE_FILE_RE.search(urlsplit(href).path) or _same_page(href, page_url)):
        return False
    if "sponsored" in (a.get("rel") or "").lower():
        return True  # rel="sponsored": an advertisement
    if any(True for _ in a.iter(*_HEADINGS)) or len(_text(a)) >= 25:
        return True  # a card: the link holds the other story's headline (whatever its href, even "" or "#")
    if not href or href.startswith(("javascript:", "mailto:")) or raw[:1] == "#":
        return False
    in_figure = next(img.iterancestors("figure"), None) is not None
    if not in_figure and next(a.iterancestors("li"), None) is not None:
        return True
    node, depth = a.getparent(), 0
    while node is not None and depth < 3:
        for other in node.iter("a"):
            if other is not a and (other.get("href") or "").strip() == raw:
                return True
        node, depth = node.getparent(), depth + 1
    return not in_figure and _registered_domain_label(href) != _registered_domain_label(page_url or base)
