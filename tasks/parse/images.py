"""The article's images with alt text, caption and photo credit (split off the caption: "Foto: …",
"Bild: …", "©"), and the caption texts the body cleaning removes.

Which images: every ``<img>`` of the article region (figures, plain in-body pictures, galleries built of
``<div>``/``<dl>``/``<li>`` without ``<figure>``, hidden carousel slides included) that is not page furniture
(:mod:`.image_filter`), at the URL of its largest rendition (:mod:`.image_source`), made absolute against the page's
base; one entry per picture (size variants and ``<noscript>`` copies fold into the first); ``og:image`` /
``twitter:image`` first when the page shows that picture nowhere else and it is not a site-wide default. An image
with a caption but no fetchable URL is dropped (the caption still goes to the body cleaning).
"""

from __future__ import annotations

import re
from typing import Any

from .image_filter import headline_ancestors, in_furniture, is_chrome, is_small, is_tracker, linked_elsewhere
from .image_source import image_url, picture_key, same_picture
from .normalise import _join, _norm_ws, _valid_url
from .page import Page
from .paragraphs import split_credit
from .structured import _m

MAX_IMAGES = 30

_CREDIT_XPATH = (
    './/*[contains(@class,"credit") or contains(@class,"copyright") or contains(@class,"source")'
    ' or contains(@class,"author") or contains(@class,"photographer")]'
)
_CREDIT_LABEL_RE = re.compile(r"^(?:Fotos?|Bild|Photo|Credit|Quelle|Source)\s*:\s*|^©\s*", re.I)
# labels of the buttons a caption box carries (expand, enlarge, open gallery), left at its end when the button's
# text is read with the caption: "Foto: Jo Example Visa mer", "… Mehr anzeigen". Single words that can end a name
# or a sentence ("Zoom", "more", "close") are not stripped from text; as a <button>'s label they are skipped.
_UI_TAIL_RE = re.compile(
    r"(?:\s*[|·•›»]?\s*(?:visa mer|visa mindre|vis mer|näytä lisää|mehr anzeigen|weniger anzeigen|show more|"
    r"show less|read more|see more|bild vergrößern|vergrößern|verkleinern|vollbild|fullscreen|full screen|enlarge|"
    r"schließen|galerie öffnen|open gallery|afficher plus|voir plus|ver más|mostra di più|meer weergeven|"
    r"lees meer))+\s*$",
    re.I,
)
# og:image values that are a site's default share picture, not the article's ("/themes/…", "logo", "default",
# a file named after the network it is for: "/images/facebook.png")
_DEFAULT_OG_RE = re.compile(
    r"/themes?/|(?:^|[/_.-])(?:logo|favicon|blank|default|placeholder|fallback|no[-_]?image|share[-_]default)"
    r"(?:[/_.-]|$)|/(?:facebook|twitter|share|social|og|og[-_]?image|opengraph)\.\w+$",
    re.I,
)
_CAPTION_CLASS_XPATH = './/*[self::figcaption or contains(@class,"caption") or contains(@class,"legend")]'


def _caption_text(el: Any) -> str:
    """The text of a caption element without the labels of its buttons (``<button>``, ``role=button``) and
    without a trailing UI word left by such a label (:data:`_UI_TAIL_RE`)."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if node.tag == "button" or node.get("role") == "button":
            if node.tail:
                parts.append(node.tail)
            return
        if node.text and isinstance(node.tag, str):
            parts.append(node.text)
        for child in node:
            walk(child)
        if node is not el and node.tail:
            parts.append(node.tail)

    walk(el)
    return _UI_TAIL_RE.sub("", _norm_ws(" ".join(parts)))


def _container(img: Any) -> Any:
    """The element that holds ``img`` and its caption: its ``<figure>`` when there is one within six levels, else the
    outermost of its three nearest ancestors that holds no other image (a gallery item, a ``wp-caption`` box)."""
    node, depth = img.getparent(), 0
    while node is not None and depth < 6:
        if node.tag == "figure":
            return node
        node, depth = node.getparent(), depth + 1
    best, node, depth = None, img.getparent(), 0
    while node is not None and depth < 3 and node.tag not in ("body", "article", "main"):
        if sum(1 for _ in node.iter("img")) > 1 or len(node) > 8:
            break
        best, node, depth = node, node.getparent(), depth + 1
    return best


def _caption_and_credit(box: Any, texts: list[str]) -> tuple[str | None, str | None]:
    """Caption and photo credit of an image's container (:func:`_container`). The texts of a ``<figcaption>`` or of
    any caption in a ``<figure>`` go to ``texts`` (the body cleaning drops them); a "caption" class elsewhere may
    be a recipe step or a product tile whose text belongs to the article, so it names the image only."""
    cap_el = next(iter(box.xpath(_CAPTION_CLASS_XPATH)), None) if box is not None else None
    if cap_el is None:
        return None, None
    full = _caption_text(cap_el)
    if not full:
        return None, None
    if cap_el.tag != "figcaption" and box.tag != "figure":
        texts = []
    texts.append(full)
    credit_els = cap_el.xpath(_CREDIT_XPATH)
    if not credit_els:
        caption, credit = split_credit(full)
        return caption, (_UI_TAIL_RE.sub("", credit) or None) if credit else None
    credit = _caption_text(credit_els[0])
    texts.append(credit)
    caption, credit2 = split_credit(full.replace(credit, "").strip() if credit else full)
    credit = _CREDIT_LABEL_RE.sub("", (credit or credit2 or "").strip(" ()")).strip(" ()")
    return caption, _UI_TAIL_RE.sub("", credit) or None


def _absolute(base: str | None, ref: str | None) -> str | None:
    """``ref`` resolved against ``base``, when the result is an absolute ``http(s)`` URL with a host."""
    url = _valid_url(_join(base, ref))
    if not url or not url.lower().startswith(("http://", "https://")) or len(url) <= len("https://"):
        return None
    return url


_IMAGE_FILE_RE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)$", re.I)


def _own_file(img: Any, base: str | None) -> str | None:
    """The absolute URL of the image file ``img``'s link points to (``<a href="big.jpg"><img src="small.jpg">``)."""
    a = next(img.iterancestors("a"), None)
    href = _absolute(base, (a.get("href") or "").strip()) if a is not None else None
    return href if href and _IMAGE_FILE_RE.search(href.split("?", 1)[0]) else None


def _images(page: Page, og_image: str | None, h1: Any) -> tuple[list[dict[str, Any]], list[str]]:
    images: list[dict[str, Any]] = []
    texts: list[str] = []
    keys: set[str] = set()
    urls: set[str] = set()
    keep = headline_ancestors(page.tree, h1)
    cache: dict[Any, bool] = {}
    for img in page.scope.iter("img"):
        if in_furniture(img, page.root, keep, cache):
            continue
        ref = image_url(img)
        if is_tracker(ref) or is_chrome(img, ref) or is_small(img, ref):
            continue
        if linked_elsewhere(img, page.base, page.url):
            continue
        box = _container(img)
        caption, credit = _caption_and_credit(box, texts)
        alt = _norm_ws(img.get("alt")) or None
        if alt and box is not None and box.tag == "figure":
            texts.append(alt)
        url = _absolute(page.base, ref)
        if url is None:
            continue  # a caption alone is no image a reader can fetch
        key = picture_key(url) or url
        if url in urls or key in keys:
            continue
        urls.add(url)
        keys.add(key)
        full = _own_file(img, page.base)
        if full:  # the full-size file the picture links to is the same picture (og:image often names it)
            urls.add(full)
            keys.add(picture_key(full) or full)
        images.append({"url": url, "alt": alt, "caption": caption, "credit": credit})
    for fig in page.scope.iter("figure"):  # a caption without a picture still leaves the body
        cap = next(fig.iter("figcaption"), None)
        if cap is not None and next(fig.iter("img"), None) is None and not in_furniture(fig, page.root, keep, cache):
            texts.append(_caption_text(cap))
    og_url = _absolute(page.base, og_image)
    if og_url and not _DEFAULT_OG_RE.search(og_url.split("?", 1)[0]) and og_url not in urls:
        og_key = picture_key(og_url) or og_url
        if not any(same_picture(og_key, k) for k in keys):
            images.insert(0, {"url": og_url, "alt": None, "caption": None, "credit": None})
    return images[:MAX_IMAGES], texts


def decide_images(page: Page, h1: Any = None) -> tuple[list[dict[str, Any]], list[str]]:
    """``(images, caption texts)``: the article's images as ``{"url", "alt", "caption", "credit"}`` dicts (absolute
    ``http(s)`` URLs, at most :data:`MAX_IMAGES`, in page order; ``og:image``/``twitter:image`` first when the
    article shows that picture nowhere else) and every caption/credit/alt text seen, which the body cleaning drops
    where the extractor kept it as a paragraph. ``h1``: the headline element when the title found one (its
    ancestors are never page furniture; without it the page's ``<h1>`` elements are looked up). See the module
    docstring for the rules."""
    return _images(page, _m(page.meta, "og:image", "twitter:image"), h1)
