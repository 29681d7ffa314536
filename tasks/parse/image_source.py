"""Which file an ``<img>`` shows: the largest ``srcset``/``<source>`` candidate, a lazy-loading attribute, or
``src`` unless it is a placeholder; and the key that makes size variants of one picture equal.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

from .srcset import Candidate, largest, parse_srcset

# lazy-loading attributes that hold one URL, in order of preference (lazysizes, WordPress plugins, jQuery lazyload,
# Riloadr's data-src-big ...); any other data-* attribute whose name names a source is tried after them
_LAZY_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-url", "data-full-src", "data-src-big")
_LAZY_NAME_RE = re.compile(r"^data-(?:[\w-]*-)?(?:src|original|image|img|lazy)(?:-[\w-]*)?$")
_SRCSET_ATTRS = ("srcset", "data-srcset", "data-lazy-srcset")

# a src that only stands in until a script loads the picture: a transparent GIF, a spacer, a spinner
_PLACEHOLDER_RE = re.compile(
    r"(?:^|[/_.-])(?:spacer|blank|placeholder|transparent|pixel|1x1|lazy[\w-]*|loading|loader|missing[-_]image|"
    r"dummy|grey|gray|empty)(?:[_.-][\w.-]*)?\.(?:gif|png|svg|jpe?g|webp)$",
    re.I,
)


def is_placeholder(url: str | None) -> bool:
    """True for no URL, a ``data:`` URI, or a file named as a stand-in (``spacer.gif``,
    ``lazyload-transparent-image-data.gif``, ``missing-image.svg``, ``placeholder.png``)."""
    if not url or url.startswith("data:"):
        return True
    path = url.split("?", 1)[0].split("#", 1)[0]
    return bool(_PLACEHOLDER_RE.search(path))


def _one_url(value: str | None) -> str | None:
    v = (value or "").strip()
    if not v or v.startswith(("data:", "javascript:", "#")) or any(c in v for c in " \t\n"):
        return None
    return v


def _picture_sources(img: Any) -> list[Any]:
    """The ``<source>`` elements of the ``<picture>`` around ``img`` (lxml nests a void ``<source>``'s siblings
    inside it, so the picture is looked for up to four levels up)."""
    node, depth = img.getparent(), 0
    while node is not None and depth < 4:
        if node.tag == "picture":
            return list(node.iter("source"))
        if node.tag not in ("source", "noscript"):
            return []
        node, depth = node.getparent(), depth + 1
    return []


_WIDTH_HINT_RE = re.compile(r"(?:[?&;,/_](?:w|width|wid)[=_](\d{2,5}))|(?:[-_/](\d{2,5})x\d{0,5}(?:[./_?-]|$))", re.I)


def _width_hint(url: str) -> int:
    """The width a URL asks its image server for (``w=1128``, ``width=2560``, ``-1024x683.jpg``), 0 when none."""
    return max((int(a or b) for a, b in _WIDTH_HINT_RE.findall(url)), default=0)


def image_url(img: Any) -> str | None:
    """The URL (unresolved) of the file ``img`` shows at its best: the largest candidate of its ``srcset`` /
    ``data-srcset`` and of the ``<source>`` elements of its ``<picture>``; else the first lazy-loading attribute
    (``data-src``, ``data-lazy-src``, ``data-original`` ...); else ``src`` unless it is a placeholder
    (:func:`is_placeholder`). None when the element names no file. Candidates with density descriptors only are
    ranked by density, then by the width their URL asks for (:func:`_width_hint`): each ``<source>`` of a
    ``<picture>`` has its own 1x/2x for its own media query, so densities alone do not compare."""
    cands: list[Candidate] = []
    for attr in _SRCSET_ATTRS:
        cands += [c for c in parse_srcset(img.get(attr)) if not is_placeholder(c.url)]
    for source in _picture_sources(img):
        for attr in ("srcset", "data-srcset"):
            cands += [c for c in parse_srcset(source.get(attr)) if not is_placeholder(c.url)]
    best = largest(cands)
    if best is not None and best.width is None:
        # density descriptors of different <source> elements (media queries) do not compare: among the densest,
        # the one whose URL asks for the widest rendition ("w=1128", "width=2560", "-1024x683")
        top = [c for c in cands if c.density == best.density]
        best = max(top, key=lambda c: _width_hint(c.url))
    if best is not None:
        return best.url
    for attr in _LAZY_ATTRS:
        v = _one_url(img.get(attr))
        if v and not is_placeholder(v):
            return v
    for attr, value in img.attrib.items():
        if attr not in _LAZY_ATTRS and _LAZY_NAME_RE.match(attr):
            v = _one_url(value)
            if v and "/" in v and not is_placeholder(v):
                return v
    src = _one_url(img.get("src"))
    return None if src is None or is_placeholder(src) else src


# parts of a file name that name a size or rendition, not the picture: 1024x681, 360x, w1200, 800w, q90, scaled,
# thumb, large, 3x2, 16_9 ...
_SIZE_TOKEN_RE = re.compile(
    r"^(?:\d+x\d*|x\d+|[wh]\d+|\d+[wh]|\d+px|q\d+|\d{1,2}x\d{1,2}|base|alternates|scaled|thumb(?:nail)?|small|medium|"
    r"large|big|full|original|raw|image|img|crop(?:ped)?|uncropped|default|master|preview|teaser|retina|hd|[a-z]{1,2})$"
)
_TOKEN_SPLIT_RE = re.compile(r"[^0-9a-z]+")
_CAMEL_RE = re.compile(r"([a-z])([A-Z])")
_EXT_RE = re.compile(r"(?:\.(?:jpe?g|png|gif|webp|avif|svg|bmp|tiff?))+$", re.I)
# a directory that names a rendition, not the picture ("/920x920/", "/w1240/", "/thumbs/")
_DIR_SIZE_RE = re.compile(
    r"^(?:|\d+x\d*|x\d+|[wh]\d+|\d+[wh]|\d+px|q\d+|alternates|scaled|thumbs?|thumbnails?|small|medium|large|"
    r"original|crop(?:ped)?|uncropped|styles?|resized?)$"
)
_WIDTH_NUMBER_RE = re.compile(r"^\d{3,4}$")
_HASH_RE = re.compile(r"^(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}$")


def _tokens(segment: str) -> list[str]:
    """The words of a path segment that name the picture: camelCase split, size and rendition tokens dropped."""
    words = _TOKEN_SPLIT_RE.split(_CAMEL_RE.sub(r"\1-\2", segment).lower())
    return [t for t in words if t and not _SIZE_TOKEN_RE.match(t)]


def picture_key(url: str | None) -> str | None:
    """A key equal for size variants of one picture: the file name without extensions, size and rendition tokens
    (``lead-1024x681.jpg``, ``lead-scaled.jpg?width=800``, ``lead_w1200.jpg`` and ``lead.jpg.webp`` all give
    ``lead``); when the name is nothing but such tokens or shorter than three characters (``920x920.jpg``,
    ``rawImage.jpg``, ``1.jpg``), the directory path (without rendition folders such as ``/w1240/``) stands in
    front of it. Host and
    query are ignored (CDN copies of one file). None when ``url`` has no path."""
    if not url:
        return None
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return None
    segments = [s for s in path.split("/") if s]
    if not segments:
        return None
    key = "-".join(_tokens(_EXT_RE.sub("", segments[-1])))
    if len(key) < 3:
        dirs = [
            d.lower() for d in segments[:-1] if not all(_DIR_SIZE_RE.match(w) for w in _TOKEN_SPLIT_RE.split(d.lower()))
        ]
        key = "/".join(dirs) + "/" + key
    return key


def _words(key: str) -> list[str]:
    """The words of a key without hash-like tokens and, when a word with letters remains, rendition widths
    (:func:`_is_width`: "1024", not a camera counter "2953")."""
    words = [t for t in key.replace("/", "-").split("-") if t and not _HASH_RE.match(t)]
    if any(not t.isdigit() for t in words):
        words = [t for t in words if not _is_width(t)]
    return words


def _is_width(token: str) -> bool:
    """A 3-4 digit number from 100 to 4096 that is a multiple of 8 or 10, as rendition widths are (640, 1024, 1080,
    1200); a camera counter such as 2953 is not."""
    if not _WIDTH_NUMBER_RE.match(token):
        return False
    n = int(token)
    return 100 <= n <= 4096 and (n % 8 == 0 or n % 10 == 0)


def same_picture(key: str, other: str) -> bool:
    """True when two :func:`picture_key` values plausibly name one picture: equal, or equal once hash-like tokens
    and width numbers are set aside (``adobestock-372820225-b0464c…`` and ``adobestock-372820225-472cff…``,
    ``lead-1200-80`` and ``lead-1024-80``), or sharing their first words: at least two, and three fifths of the
    shorter key's (``food-review-mezcal`` and ``food-review-mezcal-copy``). Used for ``og:image`` against the
    article's pictures, where another crop of the lead is the common case and a wrong match only drops the
    ``og:image``; the article's own pictures fold only on equal keys."""
    if key == other:
        return True
    a, b = _words(key), _words(other)
    if not a or not b:
        return False
    if a == b:
        return True
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n >= 2 and n >= 0.6 * min(len(a), len(b))
