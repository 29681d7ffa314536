"""The article body: trafilatura's paragraphs (with its full pass or the article's own blocks where the fast
pass fails), then boilerplate lines, link runs, author bios and headline repeats removed.
"""

from __future__ import annotations

import re
from typing import Any

from .clean import _attr_str, _in_bad_container
from .extract import _FULL_EXTRACTION_BELOW, _MAX_CHILDREN, _MAX_EXTRACTOR_ELEMENTS, _body_paragraphs, _trafilatura_body
from .names import _clean_person, _split_names
from .normalise import _letters, _norm_ws
from .page import Page
from .paragraphs import clean_paragraphs
from .tree import _text

_META_LINE_CLASS_RE = re.compile(r"byline|author|date|time|meta|caption|credit|share|tags?\b|breadcrumb", re.I)


_WKEY_RE = re.compile(r"\W+|_")


def _wkey(s: str) -> str:
    """Cheap comparison key: lowercase word characters only."""
    return _WKEY_RE.sub("", s.lower())


def _strip_key_prefix(text: str, n: int) -> str:
    """Drop the shortest prefix of ``text`` whose :func:`_wkey` has ``n`` characters."""
    count = 0
    for i, ch in enumerate(text):
        count += len(_wkey(ch))
        if count >= n:
            return text[i + 1 :].lstrip(" .,;:!?…\"“”'’»«-–—)")
    return ""


def _containment(teaser: str, paragraphs: list[str]) -> float:
    """Share of the teaser's word 4-grams that also occur in the first paragraphs of the body."""
    t = re.findall(r"\w+", teaser.lower())
    b = re.findall(r"\w+", " ".join(paragraphs[:12]).lower())
    ts = {tuple(t[i : i + 4]) for i in range(max(1, len(t) - 3))}
    bs = {tuple(b[i : i + 4]) for i in range(max(1, len(b) - 3))}
    return len(ts & bs) / len(ts) if ts else 0.0


def _drop_link_runs(paragraphs: list[str], link_texts: set[str], min_run: int = 2) -> list[str]:
    """Remove runs of ``min_run`` or more consecutive short paragraphs that are each the text of a link, or
    start with a link text (15+ characters) making up at least 40 % of them ("Headline [VIDEO]",
    "HeadlineTeaser sentence") - navigation menus and "more on this" / further-stories lists that the
    extractor took for text; a single linked line between text paragraphs stays."""
    by_prefix: dict[str, list[str]] = {}
    for t in link_texts:
        if len(t) >= 15:
            by_prefix.setdefault(t[:15], []).append(t)

    def linked(p: str) -> bool:
        if len(p) < 100 and p in link_texts:
            return True
        if len(p) >= 250:
            return False
        return any(len(t) >= 0.4 * len(p) and p.startswith(t) for t in by_prefix.get(p[:15], ()))

    out: list[str] = []
    run: list[str] = []
    for p in [*paragraphs, None]:
        if p is not None and linked(p):
            run.append(p)
            continue
        if len(run) < min_run:
            out.extend(run)
        run = []
        if p is not None:
            out.append(p)
    return out


_BIO_VERB_RE = re.compile(
    r"\s+(?:is|was|has|covers|writes|reports|joined|ist|war|schreibt|berichtet|arbeitet|leitet|est|es|è)\b"
)


def _drop_author_bios(paragraphs: list[str], authors: list[str]) -> list[str]:
    """Drop author bio boxes: a paragraph (< 400 chars) among the first one or last three that starts with the
    full name of one of the article's authors followed by a verb ("Jane Roe is a senior reporter ...",
    "Erika Muster ist Korrespondentin ...")."""
    names = [a for a in authors if " " in a]
    if not names or len(paragraphs) < 3:
        return paragraphs
    n = len(paragraphs)

    def bio(i: int, p: str) -> bool:
        if len(p) >= 400 or not (i == 0 or i >= n - 3):
            return False
        return any(p.startswith(a) and _BIO_VERB_RE.match(p, len(a)) for a in names)

    return [p for i, p in enumerate(paragraphs) if not bio(i, p)]


# a credit line's frame and tail: "(Jane Roe) +++", "– Jane Roe", "김철수 기자 kim@example.kr"
_CREDIT_FRAME_RE = re.compile(r"^[\s(\[–—-]+|[\s)\]+*/–—-]+$|\s+[\w.+-]+@[\w.-]+\w\s*$")


def _drop_credit_lines(paragraphs: list[str], authors: list[str]) -> list[str]:
    """Drop the byline and signature lines that credited the article's authors from the body: a short paragraph
    (up to 120 characters) among the first three or the last three that names only authors of the article, with
    its lead, role words and frame ("<p><strong>Jane Roe</strong></p>", "Text von A, Illustration von B",
    "(Jane Roe) +++", "김철수 기자", an initials line "(jr)")."""
    if not authors or len(paragraphs) < 2:
        return paragraphs
    keys = {_letters(a) for a in authors} - {""}
    n = len(paragraphs)

    def credit(i: int, p: str) -> bool:
        if len(p) > 120 or not (i < 3 or i >= n - 3):
            return False
        core = _CREDIT_FRAME_RE.sub("", p)
        ck = _letters(core)
        if ck in keys:
            return True
        if not any(k in ck for k in keys):
            return False  # (no author named: the name rules need not run)
        names = [_clean_person(x, None) for x in _split_names(core)]
        return bool(names) and all(n and _letters(n) in keys for n in names)

    return [p for i, p in enumerate(paragraphs) if not credit(i, p)]


def _mostly_link_text(paragraphs: list[str], link_texts: set[str]) -> bool:
    """True when >= 90 % of the body characters are paragraphs that are exactly the text of a link."""
    total = sum(len(p) for p in paragraphs)
    linked = sum(len(p) for p in paragraphs if p in link_texts)
    return total > 0 and linked >= 0.9 * total


def _paragraph_chars(root: Any) -> int:
    """Characters of text in the ``<p>`` elements of the article region."""
    return sum(len(_norm_ws(p.text_content())) for p in root.iter("p")) if root is not None else 0


def _doc_paragraphs(doc: Any) -> tuple[list[str], list[str]]:
    """(paragraphs, subheadings) of a trafilatura result; empty lists when there is none."""
    body_el = getattr(doc, "body", None) if doc is not None else None
    return _body_paragraphs(body_el) if body_el is not None else ([], [])


def _link_share(paragraphs: list[str], link_texts: set[str]) -> float:
    """Share of the characters of ``paragraphs`` that belong to paragraphs that are exactly a link's text."""
    total = sum(len(p) for p in paragraphs)
    return sum(len(p) for p in paragraphs if p in link_texts) / total if total else 0.0


def _simple_paragraphs(root: Any) -> tuple[list[str], list[str]]:
    """Paragraph blocks (p, h2-h6, li, blockquote) of the article region outside boilerplate containers."""
    out: list[str] = []
    heads: list[str] = []
    for el in root.iter("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote"):
        if _in_bad_container(el) or _META_LINE_CLASS_RE.search(_attr_str(el)):
            continue
        if el.tag in ("li", "blockquote") and el.xpath(".//p"):
            continue
        if el.xpath("ancestor::figure|ancestor::figcaption") or (
            el.tag != "p" and el.xpath("ancestor::li|ancestor::blockquote")
        ):
            continue
        txt = _text(el)
        if not txt:
            continue
        if el.tag == "li" and len(el.xpath(".//a")) and len(_text(el)) < 80:
            continue  # link lists
        out.append(txt)
        if el.tag.startswith("h"):
            heads.append(txt)
    return out, heads


def link_labels(tree: Any) -> set[str]:
    """The text of every link on the page (whitespace normalised): a paragraph made of them is navigation."""
    return {_norm_ws(a.text_content()) for a in tree.iter("a")}


def extract_paragraphs(page: Page, link_texts: set[str], h1: str) -> tuple[list[str], list[str]]:
    """``(paragraphs, subheadings)`` of the main text, before cleaning; read from the precleaned tree.

    trafilatura's fast pass first; its full pass (readability/jusText fallbacks) when the fast result is short
    (under :data:`_FULL_EXTRACTION_BELOW` characters, or far shorter than the article's own paragraphs) or mostly
    link labels (a menu); the article's own block elements on pages too large for trafilatura (its main pass is
    quadratic in candidate elements: 300k ``<p>`` take ~60 s, and in the children of one element) or when its
    whole-page fallback glued title, byline and text into one paragraph."""
    tree, root, url = page.tree, page.root, page.url
    widths = list(map(len, tree.iter()))  # one pass: the number of nodes and each one's number of children
    huge = len(widths) > _MAX_EXTRACTOR_ELEMENTS or max(widths) > _MAX_CHILDREN
    if huge:
        return _simple_paragraphs(root if root is not None else tree)
    doc = _trafilatura_body(tree, url, fast=True)
    text_len = len(getattr(doc, "text", None) or "")
    paragraphs, subheads = _doc_paragraphs(doc)
    if text_len >= _FULL_EXTRACTION_BELOW and _link_share(paragraphs, link_texts) >= 0.5:
        # the fast pass picked a menu (most of its text is link labels): take the full pass when it does not
        full = _trafilatura_body(tree, url, fast=False)
        full_paragraphs, full_heads = _doc_paragraphs(full)
        if full_paragraphs and _link_share(full_paragraphs, link_texts) < 0.5:
            paragraphs, subheads = full_paragraphs, full_heads
    if text_len < _FULL_EXTRACTION_BELOW or (
        text_len < 2 * _FULL_EXTRACTION_BELOW and _paragraph_chars(root) > 3 * text_len
    ):
        # short result (or one far shorter than the article's own paragraphs): let trafilatura compare with
        # its readability/jusText fallbacks (slower, better recall)
        full = _trafilatura_body(tree, url, fast=False)
        if full is not None and len(full.text or "") >= text_len:
            paragraphs, subheads = _doc_paragraphs(full)
    if len(paragraphs) <= 1 and root is not None:
        # trafilatura's whole-page "baseline" fallback for short pages glues title, byline and text into one
        # paragraph; rebuild the paragraphs from the article's own block elements when they cover that text
        simple, simple_heads = _simple_paragraphs(root)
        joined = _letters(" ".join(paragraphs))
        if simple and all(_letters(x) in joined for x in simple) and (not joined or len(simple) > 1 or h1):
            paragraphs, subheads = simple, simple_heads
    return paragraphs, subheads


def clean_body(
    paragraphs: list[str], captions: list[str], site_name: str | None, link_texts: set[str], authors: list[str]
) -> tuple[list[str], list[str], list[str]]:
    """``(paragraphs, agencies, related ids)``: the extracted paragraphs without boilerplate lines
    (:func:`~.paragraphs.clean_paragraphs`), runs of link labels, the authors' bio lines, and nothing at all on a
    navigation-only page (under 3,000 characters, mostly link labels); the wire agencies and related-article ids
    those lines named."""
    cleaned = clean_paragraphs(paragraphs, captions=captions, site_name=site_name)
    paragraphs = _drop_author_bios(_drop_link_runs(cleaned["paragraphs"], link_texts), authors)
    paragraphs = _drop_credit_lines(paragraphs, authors)
    if paragraphs and sum(len(x) for x in paragraphs) < 3000 and _mostly_link_text(paragraphs, link_texts):
        paragraphs = []  # navigation-only page: the "body" is a list of link labels
    return paragraphs, cleaned["agencies"], cleaned["related_ids"]


def drop_headline_lines(paragraphs: list[str], title: str | None, headlines: tuple[str | None, ...]) -> list[str]:
    """The body without the title repeated as its first paragraph, and without section label / kicker lines
    followed by a headline line (any of ``headlines``: the title, the visible heading, the structured headlines;
    only those of 15+ letters count) within its first three paragraphs."""
    if paragraphs and title and _letters(paragraphs[0]) == _letters(title):
        paragraphs = paragraphs[1:]
    title_keys = {k for k in (_letters(x or "") for x in headlines) if len(k) >= 15}
    for i, p in enumerate(paragraphs[:3]):
        pk = _letters(p)
        if len(p) < 300 and any(
            tk == pk or (len(tk) >= 25 and pk.endswith(tk) and len(pk) <= len(tk) + 30) for tk in title_keys
        ):
            if all(len(x.split()) <= 12 for x in paragraphs[:i]):
                paragraphs = paragraphs[i + 1 :]  # only labels (section, kicker) before the headline line
            break
    return paragraphs
