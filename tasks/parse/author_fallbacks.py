"""Author rules of last resort: a closing signature (a bold or right-aligned last paragraph,
"(Jane Roe) +++"), a post author's own comment (WordPress ``bypostauthor``), and trafilatura's author heuristics
filtered for handles, teaser cards and comment sections.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from .agencies import AGENCIES
from .byline import _ancestors, _byline_bad, _cut_dateline, _in_teaser
from .clean import _in_bad_container, _in_comment_or_teaser
from .names import _NOT_HANDLES, _clean_person, _split_names
from .normalise import _DIGIT_RE, _dedupe, _letters
from .tree import _short_text, _text

# a closing signature's frame: "(Jane Roe)", "(Jane Roe) +++", "– Jane Roe", "Jane Roe ***"
_SIGNATURE_FRAME_RE = re.compile(r"^[(\[–—-]?\s*(?P<name>[^()\[\]+*]{3,60}?)\s*[)\]]?\s*(?:\+{2,}|\*{2,}|//)?$")
_RIGHT_ALIGNED_RE = re.compile(r"text-align\s*:\s*right|(?<![\w-])(?:right|align-?right|has-text-align-right)(?![\w-])")
# an initials signature in small print: "(jr)", "J.R.", "(mh)" (two to four letters)
_INITIALS_RE = re.compile(r"^\(?\s*((?:[^\W\d_]\.?\s?){2,4})\s*\)?$")


def _last_paragraph(root: Any) -> tuple[Any, Any] | None:
    """(last non-empty ``<p>`` of ``root``, the non-empty element before it), or None."""
    last = next((p for p in reversed(root.xpath(".//p")) if _text(p)), None)
    if last is None:
        return None
    prev = last.getprevious()
    while prev is not None and not _text(prev):
        prev = prev.getprevious()
    return last, prev


def _signature_author(root: Any, site_name: str | None) -> list[str]:
    """A closing signature after a paragraph of body text (a print convention): the article's last paragraph is
    only a name, set apart by bold/italic markup (``<p><b><i>Stefan Wasmer</i></b></p>``), right alignment
    (``style="text-align:right"``), or a frame of parentheses or end marks ("(Jane Roe) +++"); or, in small print
    (``<small>``), the author's initials ("(jr)": returned as printed, without the parentheses)."""
    if root is None:
        return []
    found = _last_paragraph(root)
    if found is None:
        return []
    last, prev = found
    if prev is None or prev.tag != "p" or len(_text(prev)) < 80 or _in_bad_container(last):
        return []
    txt = _text(last)
    lone = len(last) == 1 and not (last.text or "").strip() and not (last[0].tail or "").strip()
    marked = lone and last[0].tag in ("b", "strong", "i", "em")
    framed = _SIGNATURE_FRAME_RE.match(txt)
    if (lone and last[0].tag == "small") or "small" in (last.get("class") or "").split():
        m = _INITIALS_RE.match(txt)
        initials = m.group(1).strip() if m else ""
        if initials and initials.lower().strip(".") not in _NOT_HANDLES and initials.lower() not in AGENCIES:
            return [initials]
    layout = " ".join(last.get(k) or "" for k in ("style", "class", "align"))
    right = bool(_RIGHT_ALIGNED_RE.search(layout))
    if framed is None or not (marked or right or framed.group("name") != txt):
        return []
    name_txt = framed.group("name").strip()
    if not 2 <= len(name_txt.split()) <= 4 or _DIGIT_RE.search(name_txt):
        return []
    name = _clean_person(name_txt, site_name, structured=False)
    return [name] if name else []


def _lead_byline_paragraph(root: Any, h1: Any, site_name: str | None) -> list[str]:
    """A byline that is its own paragraph at the top of the body: among the first four paragraphs after the
    headline (those before it short: a meta line, a dek), one holds only a name in bold (``<p><strong>Jane
    Roe</strong></p>``, "MTHOBISI SITHOLE" in capitals) and a paragraph of body text (80 characters or more)
    follows it."""
    if root is None:
        return []
    if h1 is not None:
        candidates: Iterator[Any] = (e for e in _following_elements(h1, 400) if e.tag == "p")
    else:
        candidates = itertools.islice(root.iter("p"), 12)
    for first in itertools.islice((p for p in candidates if _text(p)), 4):
        if h1 is not None and not any(a is root for a in first.iterancestors()):
            return []  # the paragraphs after the headline are outside the article
        bold_only = len(first) == 1 and first[0].tag in ("b", "strong")
        if bold_only and not (first.text or "").strip() and not (first[0].tail or "").strip():
            return _lead_byline_names(first, site_name, h1)
        if len(_text(first)) >= 200:
            return []
    return []


def _lead_byline_names(first: Any, site_name: str | None, h1: Any) -> list[str]:
    """The names of a bold lead paragraph ``first`` (:func:`_lead_byline_paragraph`), or []."""
    if _byline_bad(first, first.getroottree().getroot().find("body"), h1):
        return []
    nxt = next((e for e in _following_elements(first, 200) if e.tag == "p" and _text(e)), None)
    if nxt is None or len(_text(nxt)) < 80:
        return []
    txt = _cut_dateline(_text(first)).strip(" ,;:")
    if not 2 <= len(txt.split()) <= 4 or _DIGIT_RE.search(txt):
        return []
    names = [_clean_person(part, site_name, structured=False) for part in _split_names(txt)]
    return _dedupe(n for n in names if n) if all(names) else []


def _following_elements(el: Any, limit: int) -> Iterator[Any]:
    """Up to ``limit`` elements after ``el`` in document order, lazily."""
    node, n = el, 0
    while node is not None:
        for sib in node.itersiblings():
            for e in sib.iter():
                if n >= limit:
                    return
                n += 1
                if isinstance(e.tag, str):
                    yield e
        node = node.getparent()


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


def _only_in_comments_or_teasers(tree: Any, name: str, h1: Any = None) -> bool:
    """True when every element whose text holds ``name`` sits in a comment list or a "recent comments" widget
    (trafilatura's author XPaths also match a ``comment-author-link``), in a teaser card's link, or in a card
    with a linked heading other than the article's ``<h1>`` (a related story's byline: :func:`_in_teaser`)."""
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
    h1_path = _ancestors(h1) if h1 is not None else None
    title_el = tree.find(".//title")
    title_key = _letters(_text(title_el)) if title_el is not None else ""
    return all(_in_comment_or_teaser(el) or _in_teaser(el, h1_path, title_key) for el in hits)


def _trafilatura_authors(tree: Any, site_name: str | None, h1: Any = None) -> list[str]:
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
    raw = ";".join(x for x in raw.split(";") if not _only_in_comments_or_teasers(tree, x.strip(), h1))
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
