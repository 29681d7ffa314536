"""Author rules of last resort: a closing signature (a bold or right-aligned last paragraph,
"(Jane Roe) +++"), a post author's own comment (WordPress ``bypostauthor``), and trafilatura's author heuristics
filtered for handles, teaser cards and comment sections.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from .byline import _cut_dateline
from .clean import _in_bad_container, _in_comment_or_teaser
from .names import _NOT_HANDLES, _clean_person
from .normalise import _DIGIT_RE, _dedupe
from .tree import _short_text, _text


def _signature_author(root: Any, site_name: str | None) -> list[str]:
    """A closing signature: the article's last paragraph is only a bold/italic name (``<p><b><i>Stefan
    Wasmer</i></b></p>``) right after a paragraph of body text (a common print convention)."""
    if root is None:
        return []
    last = next((p for p in reversed(root.xpath(".//p")) if _text(p)), None)
    if last is None or (last.text or "").strip() or not len(last) or last[0].tag not in ("b", "strong", "i", "em"):
        return []
    txt = _text(last)
    if txt != _text(last[0]) or not 2 <= len(txt.split()) <= 3 or _DIGIT_RE.search(txt):
        return []
    prev = last.getprevious()
    while prev is not None and not _text(prev):
        prev = prev.getprevious()
    if prev is None or prev.tag != "p" or len(_text(prev)) < 80 or _in_bad_container(last):
        return []
    name = _clean_person(txt, site_name, structured=False)
    return [name] if name else []


# WordPress marks a comment written by the post's author with the class "bypostauthor" (core's comment_class());
# its author element ("<cite class=fn>", "<div class=comment-author>") names the post's author
_BYPOSTAUTHOR = etree.XPath('//*[contains(concat(" ", normalize-space(@class), " "), " bypostauthor ")]')
_COMMENT_AUTHOR_NAME = etree.XPath(
    './/*[contains(concat(" ", normalize-space(@class), " "), " fn ") or contains(@class, "comment-author")]'
)
# what a comment header puts after the name: "Anna sagt:", "Bebs says:", "Martina Berg Autor", a date (cut apart)
_COMMENT_NAME_TAIL_RE = re.compile(
    r"\s+(?:sagt|says|said|schreibt|schrieb|wrote|dice|disse|a dit|zegt|skriver)\b.*$|"
    r"\s+(?:autor(?:in)?|author|post author|beitragsautor(?:in)?)\s*$",
    re.I,
)


def _in_nested_comment(node: Any, comment: Any) -> bool:
    """True when ``node`` sits in a list or another comment nested inside ``comment`` (its replies)."""
    for a in node.iterancestors():
        if a is comment:
            return False
        if a.tag in ("ol", "ul") or _NESTED_COMMENT_RE.search(a.get("class") or ""):
            return True
    return False


_NESTED_COMMENT_RE = re.compile(r"(?<!\S)(?:comment|children|replies)(?!\S)")


def _post_author_comment(tree: Any, site_name: str | None) -> list[str]:
    """The post's author as named in the header of a comment WordPress marks ``bypostauthor`` (the author
    answering readers): a fallback for blogs whose byline names nobody."""
    for el in _BYPOSTAUTHOR(tree)[:5]:
        # the comment's own header, not that of a reader's reply nested in it ("<ol class=children><li
        # class=comment>"), when the post author's header carries no "fn"/"comment-author" class
        head = [h for h in _COMMENT_AUTHOR_NAME(el)[:20] if not _in_nested_comment(h, el)][:1]
        txt = _short_text(head[0], 200) if head else None
        if not txt:
            continue
        txt = _COMMENT_NAME_TAIL_RE.sub("", _cut_dateline(txt)).strip(" ,:")
        one = len(txt.split()) == 1
        if one and txt.lower() in _NOT_HANDLES:
            continue
        name = _clean_person(txt, site_name, structured=one, handle_ok=one)
        if name:
            return [name]
    return []


# trafilatura's ``AUTHOR_XPATHS`` only match an ``<author>`` element, an element with a ``<rel>`` child, or
# one whose class/id/rel/itemprop/data-testid/data-component value contains one of these substrings (what
# their equality, ``contains`` and ``re:test`` conditions all require); checked with one C-level XPath and
# one regex instead of the Python regex callbacks per element that make ``extract_author`` slow
_AUTHOR_ELEMENTS = etree.XPath("boolean(//author | //*[rel])")
_AUTHOR_ATTR_VALUES = etree.XPath(
    "//@class | //@id | //@rel | //@itemprop | //@data-testid | //@data-component", smart_strings=False
)
_AUTHOR_ATTR_RE = re.compile(
    r"uthor|yline|byl|BBL|username|screenname|writer|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by"
    r"|journalist-name"
)


def _may_name_author(tree: Any) -> bool:
    """False when no element of ``tree`` can match trafilatura's author XPaths (then ``extract_author`` finds
    nothing)."""
    return bool(_AUTHOR_ELEMENTS(tree) or _AUTHOR_ATTR_RE.search("\n".join(_AUTHOR_ATTR_VALUES(tree))))


def _only_in_comments_or_teasers(tree: Any, name: str) -> bool:
    """True when every element whose text holds ``name`` sits in a comment list or a "recent comments" widget
    (trafilatura's author XPaths also match a ``comment-author-link``) or in a teaser card's link."""
    if not name or len(name) > 100:
        return False
    # trafilatura title-cases a name ("knuddel55" -> "Knuddel"): the search ignores ASCII case
    try:
        found = tree.xpath(
            "//body//*[text()[contains(translate(., $up, $low), $n)]]",
            n=name.lower(),
            up="ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            low="abcdefghijklmnopqrstuvwxyz",
        )
    except ValueError:  # a NUL, control character or U+FFFE in the name: lxml takes none in an XPath variable
        return False
    hits = [el for el in found[:50] if isinstance(el.tag, str)]
    if not hits:
        return False
    return all(_in_comment_or_teaser(el) for el in hits)


def _trafilatura_authors(tree: Any, site_name: str | None) -> list[str]:
    """Fallback: trafilatura's author XPaths over the whole page (comments, sidebars, figures pruned).

    Most pages that reach this fallback have no element its XPaths can match (:func:`_may_name_author`);
    for them the tree copy, pruning and regex XPaths of ``extract_author`` are skipped (same empty result)."""
    try:
        from trafilatura.metadata import extract_author
    except ImportError:  # pragma: no cover
        return []
    if not _may_name_author(tree):
        return []
    try:
        raw = extract_author(tree)
    except Exception:  # pragma: no cover
        return []
    if not raw:
        return []
    # a "recent comments" widget's, a comment's or a teaser's author is no article author
    raw = ";".join(x for x in raw.split(";") if not _only_in_comments_or_teasers(tree, x.strip()))
    if not raw:
        return []
    # an author element of the page (trafilatura's XPaths): a one-word pen name or user handle is the author
    parts = raw.split(";")
    names = [
        _clean_person(x, site_name, structured=True, handle_ok=True)
        if len(x.split()) == 1 and len(x.strip()) >= 4 and x.strip().lower() not in _NOT_HANDLES
        else _clean_person(x, site_name, structured=False)
        for x in parts
    ]
    if not all(names):
        # a part that is no name ("Reuters; Washington; Nov", "Alles über Lautsprecher; Heimkino; ..."): the
        # element held an agency and a dateline or a sentence, its one-word parts are no pen names
        names = [n if n and " " in n else None for n in names]
    return _dedupe(n for n in names if n)[:6]
