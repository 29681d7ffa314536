"""Authors named by profile links: ``<a href="/autor/max-muster/">`` and ``/author/…``, ``/staff/…``
paths (not account, login or tag pages) outside running text, sidebars and comments; author boxes.
"""

from __future__ import annotations

import itertools
import re
from typing import Any
from urllib.parse import unquote

from lxml import etree

from .byline import (
    _ancestors,
    _byline_bad,
    _in_author_box,
    _in_teaser,
    _is_author_box,
    _link_may_name,
    _shared_depth,
)
from .clean import _attr_str, _in_comment_or_teaser
from .names import _NOT_HANDLES, _clean_person
from .normalise import _dedupe, _letters
from .tree import _short_text

# an author archive link: "/author/jane-doe/", "/autor/max-muster", "/autoren/103182359/max-muster", "/reporters/x"
_AUTHOR_HREF_RE = re.compile(
    r"/(?:author|autor|autorin|autoren|authors|auteur|autore|reporters?|journalist(?:en|s)?|staff|writers?|"
    r"contributors?|columnists?|redakteur(?:e|in)?)/(?:\d+[/-])?([^/?#]{1,80})/?(?:[?#]|$)",
    re.I,
)
_AUTHOR_LINKS = etree.XPath(
    './/a[contains(@href, "/aut") or contains(@href, "/Aut") or contains(@href, "/reporter")'
    ' or contains(@href, "/journalist") or contains(@href, "/user") or contains(@href, "/profil")'
    ' or contains(@href, "/benutzer") or contains(@href, "/member") or contains(@href, "/mitglied")'
    ' or contains(@href, "/staff/") or contains(@href, "/writer") or contains(@href, "/contributor")'
    ' or contains(@href, "/columnist") or contains(@href, "/redakteur")]'
)
# a user profile link: "/user/c1ph4", "/user/profil/98d8cb17/jesusfreak.html", "/members/anna.123/": the user
# name is the last path segment (a file extension and a trailing ".<id>" aside)
_PROFILE_HREF_RE = re.compile(r"/(?:users?|profiles?|profil|benutzer|members?|mitglieder|mitglied)/", re.I)
_LAST_SEGMENT_RE = re.compile(r"/([^/?#]{1,80})/?(?:[?#].*)?$")


# account pages of a user area ("/user/login", "/members/register", "/profil/einstellungen"): no user name
_ACCOUNT_SLUGS = frozenset(
    [
        "login",
        "logout",
        "signin",
        "signout",
        "signup",
        "register",
        "registrieren",
        "registrierung",
        "anmelden",
        "abmelden",
        "anmeldung",
        "password",
        "passwort",
        "settings",
        "einstellungen",
        "edit",
        "bearbeiten",
        "account",
        "konto",
        "profile",
        "profil",
        "me",
        "my",
        "dashboard",
        "messages",
        "nachrichten",
        "notifications",
        "inbox",
        "new",
        "create",
        "search",
        "suche",
        "list",
        "index",
        "all",
        "alle",
        "online",
        "members",
        "mitglieder",
        "users",
        "user",
        "benutzer",
        "lostpassword",
        "forgot",
        "reset",
    ]
)


def _author_href_slug(href: str) -> str | None:
    """The author/user slug of an author archive or user profile link, or None."""
    m = _AUTHOR_HREF_RE.search(href)
    if m:
        return unquote(m.group(1))
    path = href[:300]
    p = _PROFILE_HREF_RE.search(path)
    if not p:
        return None
    m = _LAST_SEGMENT_RE.search(path, p.end() - 1)  # a segment after the "/user/" part, not that part itself
    if not m or m.start() < p.end() - 1:
        return None
    slug = re.sub(r"\.(?:html?|php|aspx?)$|\.\d+$", "", unquote(m.group(1)), flags=re.I)
    return None if _letters(slug) in _ACCOUNT_SLUGS else slug


def _in_running_text(a: Any) -> bool:
    """True when link ``a`` sits in a paragraph of running text (its block holds more than a byline's text)."""
    node = a.getparent()
    for _ in range(4):
        if node is None:
            return False
        if node.tag in ("p", "td", "blockquote", "dd"):
            txt = _short_text(node, 300)
            return txt is None or len(txt) > len(_short_text(a, 200) or "") + 60
        if node.tag not in ("span", "b", "strong", "em", "i", "small", "font"):
            return False
        node = node.getparent()
    return False


def _avatar_label(a: Any) -> str:
    """The name an author's avatar link gives when it holds no text: its ``title``, else its image's ``alt``
    ("<a href='/authors/janeroe/' title='Jane Roe'><img alt='Jane Roe'></a>")."""
    img = next(a.iter("img"), None)
    return (a.get("title") or (img.get("alt") if img is not None else "") or "").strip()


def _author_link_authors(root: Any, site_name: str | None, h1: Any = None) -> list[str]:
    """Names of author archive links (WordPress ``/author/<slug>/`` and the like) whose text is the slug
    (``<a href="/author/jane-doe/">Jane Doe</a>``, a handle ``<a href="/author/c1ph4/">c1ph4</a>``), outside
    sidebars, comments and teasers; the links nearest the ``<h1>`` win."""
    if root is None:
        return []
    body = root.getroottree().getroot().find("body")
    h1_path = _ancestors(h1) if h1 is not None else None
    found: list[tuple[int, str]] = []
    links = _AUTHOR_LINKS(root)[:300]
    if body is not None and root is not body:
        # outside the article root, only in an author box ("<div class='recipe-author'>Rezept von <a ...>")
        inside = set(links)
        outside = [a for a in _AUTHOR_LINKS(body)[:300] if a not in inside and _in_author_box(a)]
        if len({_letters(_short_text(a, 200) or "") for a in outside}) <= 3:  # not a "top authors" widget
            links += outside
    for a in links:
        href = a.get("href") or ""
        slug = _author_href_slug(href)
        if not slug:
            continue
        text = _short_text(a, 200) or _avatar_label(a)
        if not text or _letters(text) != _letters(slug) or _byline_bad(a, body, h1):
            continue
        if not _AUTHOR_HREF_RE.search(href) and _in_running_text(a):
            continue  # a profile link in a sentence ("… gegen <a href=/profil/x>Mackenzie McDonald</a> …")
        one = len(text.split()) == 1
        if one and (len(text) < 2 or text.lower() in _NOT_HANDLES):
            continue
        name = _clean_person(text, site_name, structured=one, handle_ok=one)
        if name:
            found.append((_shared_depth(_ancestors(a), h1_path) if h1_path else 0, name))
    if not found:
        return []
    best = max(d for d, _ in found)
    return _dedupe(n for d, n in found if d == best)[:6]


# an author box: a container whose class names an author ("author-box", "teaser-box author", "autor-info")
_AUTHOR_BOXES = etree.XPath(
    '//*[self::div or self::section or self::aside][contains(@class, "uthor") or contains(@class, "autor")][*]'
)
_AUTHOR_BOX_CLASS_RE = re.compile(r"(?:^|[\s_-])(?:author|autor|Author)(?:in)?(?:[\s_-]|box|info|bio|$)")
_BOX_LABEL_RE = re.compile(
    r"^(?:über (?:den|die) autor(?:in)?|about the author|autor(?:in)?|author|written by)\W*$", re.I
)


def _sidebar_author_box(tree: Any, site_name: str | None, h1: Any = None) -> list[str]:
    """The one author an author box beside the article names (``<aside><div class="author-box"><h3>Jane
    Roe</h3><p>bio</p></div></aside>``, a sidebar's "teaser-box author" with the name and an "all articles" link):
    the first text of the box that is a person's name (a label such as "About the author" skipped). Boxes in
    comments, in list items (widgets listing posts or authors) and in teaser cards (a related story's byline) do
    not count, nor a page whose boxes name more than one person (a "top authors" widget)."""
    names: set[str] = set()
    h1_path = _ancestors(h1) if h1 is not None else None
    title_el = tree.find(".//title")
    title_key = _letters(_short_text(title_el, 500) or "") if title_el is not None else ""
    teasers: dict[Any, bool] = {}
    first: str | None = None
    for box in _AUTHOR_BOXES(tree)[:40]:
        attrs = _attr_str(box)
        if not _AUTHOR_BOX_CLASS_RE.search(box.get("class") or "") or not _is_author_box(attrs):
            continue
        name = _box_name(box, site_name)
        if not name or box.xpath("ancestor::li") or _in_comment_or_teaser(box):
            continue
        if _in_teaser(box, h1_path, title_key, teasers):
            continue
        txt = _short_text(box, 800)
        if txt and len(txt) <= 600:
            names.add(_letters(name))
            first = first or name
    return [first] if first and len(names) == 1 else []


def _box_name(box: Any, site_name: str | None) -> str | None:
    """The first short text of ``box`` (a label skipped) when it is a two-to-four-word name, else None."""
    for el in itertools.islice(box.iter(), 30):
        own = (el.text or "").strip() if isinstance(el.tag, str) else ""
        if not own or _BOX_LABEL_RE.match(own):
            continue
        txt = _short_text(el, 100) or ""
        if not 2 <= len(txt.split()) <= 4:
            return None
        link = el if el.tag == "a" else next(el.iterancestors("a"), None)
        if link is not None and not _link_may_name(link.get("href") or "", txt):
            return None  # "<a href=/autor/max-muster>Alle Beiträge</a>": the link's label
        return _clean_person(txt, site_name, structured=False)
    return None
