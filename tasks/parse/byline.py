"""Byline elements: schema.org ``itemprop=author``, ``rel=author``, hCard and ``author``/``byline``/``autor``
classes inside the article (not in sidebars, related lists, teaser cards or comments), and the names they hold.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import etree

from .clean import _COMMENT_ATTR_RE, _attr_str, _is_bad_node
from .names import _NOT_HANDLES, _clean_person, _split_names
from .normalise import _DIGIT_RE, _dedupe, _letters
from .tree import _short_text, _text

# ---- authors from HTML -------------------------------------------------------------------------------------


# (xpath, semantic): schema.org/hCard/rel=author markup names the author explicitly, so a one-word pen name
# or user handle there is accepted; a bare "author"/"byline" class needs a two-word name
# (compiled XPath, semantic markup, needs an author/byline class): the rules of :func:`_html_authors` in order
_AUTHOR_XPATHS = tuple(
    (etree.XPath(xp), semantic, by_class)
    for xp, semantic, by_class in (
        # "X//*[Y]" from many X merges one node set per X (quadratic in libxml2: 45,000 itemprop=author took 6 s);
        # "//*[Y][ancestor::X]" is one pass
        ('.//*[@itemprop="name"][ancestor::*[@itemprop="author"]]', True, False),
        ('.//*[@itemprop="author"][not(.//*[@itemprop="name"])]', True, False),
        ('.//a[@rel="author"]', True, False),
        # the class rules open with a plain contains() (or @class) test that their own test implies: it drops
        # most elements before the slower normalize-space()/several-contains() tests
        (
            './/*[contains(@class, "fn")][contains(concat(" ", normalize-space(@class), " "), " fn ")]'
            '[ancestor::*[contains(concat(" ", normalize-space(@class), " "), " vcard ")]'
            '[contains(concat(" ", normalize-space(@class), " "), " author ")]]',
            True,
            True,
        ),
        (
            './/*[contains(@class, "author")][contains(concat(" ", normalize-space(@class), " "), " author ")]',
            False,
            True,
        ),
        (
            './/*[contains(@class, "author") or contains(@class, "byline__name")]'
            '[contains(@class, "author-name") or contains(@class, "authorName")'
            ' or contains(@class, "byline__name") or contains(@class, "author__name")]',
            False,
            True,
        ),
        (
            './/*[@class][contains(@class, "byline") or contains(@class, "Byline") or contains(@class, "autor")'
            ' or contains(@class, "author")]',
            False,
            True,
        ),
    )
)
# every class the class rules above can match contains one of these: when no class value in the scope does,
# those four (slow, whole-subtree) XPaths cannot match and are skipped
_AUTHOR_CLASS_RE = re.compile(r"author|autor|byline|Byline")
_CLASS_VALUES = etree.XPath(".//@class", smart_strings=False)
# an author box's class ("author-bio", "author-box", "about-author", "autor-info"), and its first heading
_AUTHOR_BIO_BOX_RE = re.compile(
    r"(?:author|autor)[-_]?(?:bio|box|info|about|profile|details)|about[-_](?:the[-_])?author|"
    r"(?:über|ueber)[-_](?:den[-_]|die[-_])?autor",
    re.I,
)
_AUTHOR_BOX_HEADING = etree.XPath("(.//h2|.//h3|.//h4|.//h5|.//h6)[1]")

# "<date> by Robin Placeholder", "Veröffentlicht am 3. Mai von Anna Beispiel": the name follows the last by/von
_INNER_BY_RE = re.compile(r"^(.*?)\b(?:by|von|par|por|di|door)\s+(\S.*)$", re.I)
_BY_LEAD_WORD_RE = re.compile(
    r"(?:posted|written|geschrieben|erstellt|veröffentlicht|verfasst|publié|publicado|pubblicato|gepubliceerd|"
    r"article|artikel|beitrag|text|story|fotos?|photos?|bilder|kommentar|gastbeitrag|essay|analyse|analysis|"
    r"published|updated|aktualisiert)$",
    re.I,
)


def _after_inner_by(txt: str) -> str:
    """The part after an inner "by"/"von" when what precedes it is a date or a verb ("Posted", "Stand"),
    not a name part (``Walter von Aachen`` stays whole)."""
    m = _INNER_BY_RE.match(txt)
    if not m or not m.group(1).strip():
        return txt
    before = m.group(1).strip(" ,|-–—·•")
    last = before.split()[-1] if before.split() else ""
    if _DIGIT_RE.search(before) or not last[:1].isupper() or _BY_LEAD_WORD_RE.search(last):
        return m.group(2)
    return txt


_MEDIA_BOX_RE = re.compile(
    r"(?:^|[\s_-])(?:media-?box|video|audio|player|figure|figcaption|caption|credits?|copyright|photo|image|"
    r"img|gallery|slideshow|picture)(?:$|[\s_-])",
    re.I,
)


# Blogger's widget that holds the posts ("<div class='widget Blog' id='Blog1'>")
_BLOGGER_POSTS_RE = re.compile(r"\s*widget\s+Blog\s*$")


def _byline_bad(el: Any, body: Any, h1: Any = None) -> bool:
    """True when ``el`` sits in a sidebar, list of related items, comment section, navigation ... (the
    ``_in_bad_container`` markers, checked up to ``<body>``) or in a figure/video/photo box, whose "byline"
    credits the photographer or the clip. A container that also holds the article's ``<h1>`` is the page layout
    (``content right-sidebar``, ``has-double-sidebar``), not a sidebar, and does not count."""
    h1_anc = list(h1.iterancestors()) if h1 is not None else []  # the proxies stay alive: ``is`` is exact
    node, depth = el, 0
    while node is not None and node is not body and depth < 25:
        tag = node.tag if isinstance(node.tag, str) else ""
        # state modifiers ("has-double-sidebar", "no-sidebars") describe the layout, not the container
        attrs = re.sub(
            r"(?<!\S)(?:(?:has|no|with|without|is)-\S+|(?:one|two|three|single|double)-sidebars?)", "", _attr_str(node)
        )
        # the headline's container, the page's main column, Blogger's post widget ("widget Blog") and an author
        # box are no sidebar
        layout = (
            any(node is a for a in h1_anc)
            or bool(re.search(r"(?<!\S)(?:main|content|main-content|site-content|page-content)(?!\S)", attrs))
            or _is_author_box(attrs)
            or bool(_BLOGGER_POSTS_RE.match(node.get("class") or ""))
        )
        if not layout and _is_bad_node(tag, attrs, depth):
            return True
        if depth < 8 and (
            tag in ("figure", "figcaption") or (tag not in ("article", "main") and _MEDIA_BOX_RE.search(attrs))
        ):
            return True
        node, depth = node.getparent(), depth + 1
    return False


_DATE_TAIL_RE = re.compile(
    r"[\s,|·•:–—-]+(?:mo|di|mi|do|fr|sa|so|mon|tue|wed|thu|fri|sat|sun|montag|dienstag|mittwoch|donnerstag|"
    r"freitag|samstag|sonntag|monday|tuesday|wednesday|thursday|friday|saturday|sunday|jan(?:uar|uary)?|"
    r"feb(?:ruar|ruary)?|mär(?:z)?|march|mar|apr(?:il)?|mai|may|jun[ei]?|jul[iy]?|aug(?:ust)?|sep(?:t|tember)?|"
    r"okt(?:ober)?|oct(?:ober)?|nov(?:ember)?|dez(?:ember)?|dec(?:ember)?|stand|updated|published|posted|"
    r"aktualisiert|veröffentlicht|erstellt|am|on|le|el|il|den|vom|at|um)\.?[\s,|·•:–—-]*$",
    re.I,
)


def _cut_dateline(txt: str) -> str:
    """A byline without the date that follows the name: ``Von Tomas Spahn Fr, 18. Oktober 2019`` -> ``Von
    Tomas Spahn``, ``John Walk - January 5, 2020`` -> ``John Walk`` (cut at the first number after a space or
    comma, then trailing weekday/month/"Stand"/"Updated" words)."""
    m = re.search(r"[\s,]\s*\d", txt)
    if not m or m.start() == 0:
        return txt
    head = txt[: m.start()]
    for _ in range(4):
        cut = _DATE_TAIL_RE.sub("", head)
        if cut == head:
            break
        head = cut
    return head.rstrip(" ,|-–—·•:")


def _ancestors(el: Any) -> list[Any]:
    out = []
    while el is not None:
        out.append(el)
        el = el.getparent()
    return out[::-1]


def _shared_depth(a: list[Any], b: list[Any]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x is not y:
            break
        n += 1
    return n


def _in_teaser(
    el: Any,
    h1_path: list[Any] | None,
    title_key: str,
    seen: dict[Any, bool] | None = None,
    card_chars: int | None = None,
) -> bool:
    """True when ``el`` is the byline of a teaser card: one of its three nearest containers holds a linked
    heading (``<h2><a>``), or is a link around a heading (``<a><h3>…</h3><span class=author>…</span></a>``), that
    is neither the article's ``<h1>`` nor the page ``<title>``'s headline (old blog themes link the post's own
    ``<h2>`` title). ``seen`` caches that per container (for one ``title_key``): 5,000 bylines in one container
    each searched it in full (45 s). With ``card_chars``, a container holding more text than that is the
    article's, not a card (teasers placed inside the story's text), and ends the search."""
    node = el.getparent()
    for _ in range(3):
        if node is None or node.tag in ("body", "article", "main"):
            return False
        if h1_path and any(node is a for a in h1_path):
            return False
        if card_chars is not None and _short_text(node, card_chars) is None:
            return False
        hit = seen.get(node) if seen is not None else None
        if hit is None:
            hit = False
            for head in node.xpath("(.//h2|.//h3|.//h4)[.//a] | descendant-or-self::a[.//h2 or .//h3 or .//h4]"):
                key = _letters(_text(head))
                if key and key not in title_key:
                    hit = True
                    break
            if seen is not None:
                seen[node] = hit
        if hit:
            return True
        node = node.getparent()
    return False


def _html_authors(
    tree: Any,
    root: Any,
    site_name: str | None,
    h1: Any = None,
    single: bool = False,
    semantic_only: bool = False,
    not_names: Callable[[list[str]], list[str]] | None = None,
    matches: dict[int, list[Any]] | None = None,
) -> list[str]:
    """Person names from author markup inside the article: schema.org ``itemprop=author`` (its ``name``),
    ``rel=author`` links, hCard ``vcard author`` ``fn``, then ``author``/``byline``/``autor`` classes
    (first rule that yields a name wins; sidebars, related lists and comments are skipped). When the rule
    matches in several places (a list of teasers with their own bylines), the byline belongs to the headline:
    only the matches that share the deepest common ancestor with the ``<h1>`` are kept. ``not_names`` filters a
    rule's names (the outlet's own name): a rule left with none gives way to the next.

    ``matches`` keeps each rule's elements for further calls with the same ``root`` on the same unchanged page
    (one page's memo)."""
    scope = root if root is not None else tree
    body = tree.find("body")
    h1_path = _ancestors(h1) if h1 is not None else None
    title_el = tree.find(".//title")
    title_key = _letters(_text(title_el)) if title_el is not None else ""
    author_classes: bool | None = None
    teasers: dict[Any, bool] = {}
    matches = {} if matches is None else matches
    for rule, (xp, semantic, by_class) in enumerate(_AUTHOR_XPATHS):
        if semantic_only and not semantic:
            break
        if by_class:
            if author_classes is None:
                author_classes = bool(_AUTHOR_CLASS_RE.search("\n".join(_CLASS_VALUES(scope))))
            if not author_classes:
                break
        found: list[tuple[int, list[str]]] = []
        if rule not in matches:
            matches[rule] = xp(scope)[:300]  # (20,000 rel=author bylines took 2 s, twice)
        for el in matches[rule]:
            if _byline_bad(el, body, h1) or _in_teaser(el, h1_path, title_key, teasers):
                continue
            txt = (el.get("content") or "") if el.tag == "meta" else (_short_text(el) or "")
            if not txt or len(txt) > 200:
                continue
            if not re.match(r"^(?:by|von)\b", txt, re.I):
                txt = _after_inner_by(txt)
            txt = _cut_dateline(txt)
            names = []
            for part in _split_names(txt):
                one = semantic and len(part.split()) == 1 and part.strip().lower() not in _NOT_HANDLES
                name = _clean_person(part, site_name, structured=one, handle_ok=one)
                if name:
                    names.append(name)
                elif len(part.split()) >= 4 or re.search(r"\w[.:]\s", part):
                    break  # an author box's bio sentence: what follows it ("Home-Office & Meetings") is no name
            if not names and by_class and _AUTHOR_BIO_BOX_RE.search(_attr_str(el)):
                # an author box: the name is its heading ("<div class=author-bio><h3>Martin Junker</h3> Alles von
                # Martin Junker | Kontakt ..."), the rest is bio, links and contact lines
                head = _AUTHOR_BOX_HEADING(el)
                name = _clean_person(_short_text(head[0]) or "", site_name, structured=False) if head else None
                if not name and head and len(head[0]) and head[0][0].tag == "a" and not (head[0].text or "").strip():
                    # the heading's profile link, then a button ("<h3><a>Inga Hoeltmann</a><a>Follow</a></h3>")
                    name = _clean_person(_short_text(head[0][0]) or "", site_name, structured=False)
                    if name and not _link_may_name(head[0][0].get("href") or "", name):
                        name = None  # "<a href=/autor/max-muster>Alle Beiträge</a>": the link's label, not a name
                if name:
                    names.append(name)
            if names and not_names is not None:
                names = not_names(names)
            if names:
                found.append((_shared_depth(_ancestors(el), h1_path) if h1_path else 0, names))
        if found:
            best = max(d for d, _ in found)
            if single:  # one byline element only (its co-authors), no page-wide collection
                return _dedupe(next(names for d, names in found if d == best))[:6]
            return _dedupe(n for d, names in found if d == best for n in names)[:6]
    return []


_GERMAN_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _link_may_name(href: str, name: str) -> bool:
    """False when the last path segment of a profile link ``href`` spells a name (three letters or more) that
    shares no word with ``name``: "<a href='/autor/max-muster'>Alle Beiträge</a>" labels the link, while
    "<a href='/in/annamuster'>Anna Muster</a>" and "<a href='/profil/1234'>Anna Muster</a>" may name the person.
    Words are compared with and without their accents and German umlauts spelt out ("Jörg" in "/joerg-mueller")."""
    try:
        path = urlsplit(href[:500]).path
    except ValueError:  # "http://[": no URL
        return True
    seg = unquote(path.rstrip("/").rsplit("/", 1)[-1]).lower()
    if sum(c.isalpha() for c in seg) < 3:
        return True
    for word in name.lower().split():
        if len(word) < 2:
            continue
        plain = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
        if word in seg or plain in seg or word.translate(_GERMAN_FOLD) in seg:
            return True
    return False


_AUTHOR_BOX_RE = re.compile(r"author|autor|byline", re.I)


def _is_author_box(attrs: str) -> bool:
    """True when a container's class/id string (:func:`_attr_str`) marks an author box or byline, not a
    comment's author."""
    return bool(_AUTHOR_BOX_RE.search(attrs)) and not _COMMENT_ATTR_RE.search(attrs)


def _in_author_box(el: Any) -> bool:
    """True when one of the four nearest containers of ``el`` is marked as an author box (not a comment's)."""
    node = el.getparent()
    for _ in range(4):
        if node is None or node.tag in ("body", "html"):
            return False
        attrs = _attr_str(node)
        if _AUTHOR_BOX_RE.search(attrs):
            return _is_author_box(attrs)
        node = node.getparent()
    return False
