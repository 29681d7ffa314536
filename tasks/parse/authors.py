"""The article's authors: the order of trust between JSON-LD, meta tags and the page's bylines
(:func:`decide_authors`), completing one-word structured names from the page text, and the visible byline winning
over a structured author the page never shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lxml import etree

from .agencies import _agencies_in
from .author_fallbacks import (
    _lead_byline_paragraph,
    _post_author_comment,
    _signature_author,
    _trafilatura_authors,
)
from .author_links import _author_href_slug, _author_link_authors, _sidebar_author_box
from .body import _BIO_VERB_RE
from .byline import _ancestors, _html_authors, _in_teaser, _shared_depth
from .byline_lines import _br_label_authors, _byline_line_authors
from .clean import _hidden_texts, _in_comment_or_teaser, _shown_more_than_hidden
from .meta_authors import _meta_author_names, _twitter_label_authors
from .names import _NOT_HANDLES, _clean_person, _personal_name, _unflip
from .normalise import _dedupe, _letters, _registered_domain_label
from .page import Page
from .structured import _m
from .title import _unescape_text
from .tree import _DOC_STRING, _INVISIBLE_TAGS, _text


def _fuller_byline(names: list[str], *sources: Any) -> tuple[list[str], str] | None:
    """The first source (meta author, HTML byline markup, byline line, all schema.org/rel=author bylines) whose
    names include all of ``names`` and more: JSON-LD that lists one of several authors ("Till Eckert" of "Till
    Eckert, Max Bernhard, Martin Murphy") is completed by the visible byline. Returns (names, source) or None."""
    keys = {_letters(n) for n in names}
    for src, get in zip(("meta", "html", "html", "html"), sources, strict=False):
        cand = get()
        ckeys = {_letters(n) for n in cand}
        if keys < ckeys and len(cand) <= 6:
            return cand, src
    return None


_TEXT_NODES_WITH = etree.XPath("//body//text()[contains(., $n)]")
_NAME_END_RE = re.compile(r"\s+[-–—|]\s")


#: distinct one-word names :func:`_completed_first_names` searches the page for (each search reads every text)
_FIRST_NAMES_MAX = 12


def _completed_first_names(names: list[str], tree: Any, site_names: list[str], h1: Any = None) -> list[str]:
    """Structured data's one-word author (a CMS account's first name: "Todd", "Stefanus") completed by the full
    name the page shows: a text that is only "Todd Bates", or that opens with the name before a dash or a bio verb
    ("Stefanus Stahl - Maschinenbauer ...", "Todd Bates ist Redakteur ..."). Only one surname may be found, and
    not the site's name (a blog named after its owner, whose pen name is the first name). A text in a comment, a
    teaser card (``h1`` is the article's headline) or a hidden element is another person's. Only the first
    :data:`_FIRST_NAMES_MAX` distinct names are searched for (5,000 names each searched the page: minutes)."""
    site_keys = {_letters(x) for x in site_names} - {""}
    h1_path = _ancestors(h1) if h1 is not None else None
    teasers: dict[Any, bool] = {}
    title_el = tree.find(".//title")
    title_key = _letters(_text(title_el)) if title_el is not None else ""
    done: dict[str, str | None] = {}
    out = []
    for name in names:
        if name not in done and len(done) < _FIRST_NAMES_MAX:
            done[name] = _completed_first_name(name, tree, site_keys, h1_path, title_key, teasers)
        out.append(done.get(name) or name)
    return out


def _completed_first_name(
    name: str, tree: Any, site_keys: set[str], h1_path: list[Any] | None, title_key: str, teasers: dict[Any, bool]
) -> str | None:
    """:func:`_completed_first_names` for one name: the full name, or None."""
    if " " in name or not name[:1].isupper() or len(name) < 3:
        return None
    probe = re.compile(re.escape(name) + r"\s+([A-ZÀ-ÖØ-Þ][\w'’-]{1,30})")
    found = set()
    try:
        texts = _TEXT_NODES_WITH(tree, n=name)[:50]
    except ValueError:  # lxml takes no NUL, control character or U+FFFE in an XPath variable ("Todd\x00")
        return None
    for t in texts:
        txt = t.strip()[:300]
        m = probe.match(txt)
        rest = txt[m.end() :] if m else ""
        if not m or not (not rest or _NAME_END_RE.match(rest) or _BIO_VERB_RE.match(rest)):
            continue
        holder = t.getparent()  # the element the text is in (a tail's is its element's parent)
        holder = holder.getparent() if holder is not None and t.is_tail else holder
        if (
            holder is not None
            and holder.tag not in _INVISIBLE_TAGS
            and not any(a.tag in _INVISIBLE_TAGS for a in holder.iterancestors())
            and not _in_comment_or_teaser(holder, hidden=True)
            and not _in_teaser(holder, h1_path, title_key, teasers)
        ):
            found.add(f"{name} {m.group(1)}")
    cand = found.pop() if len(found) == 1 else ""
    if cand and not any(_letters(cand) in k for k in site_keys):
        return _clean_person(cand, None, structured=False)
    return None


def _name_shown(name: str, tree: Any, doc_text: str, hidden_texts: list[str]) -> bool:
    """True when ``name`` is visible on the page: it occurs (case and punctuation between its words ignored) more
    often in the document text than in its ``<script>``, ``<style>``, ``<title>`` ... elements and the texts of
    its elements marked as hidden (``hidden_texts``, from :func:`_hidden_texts`, computed once per page)."""
    words = re.findall(r"\w+", name)[:6]
    if not words:
        return False
    # no \b: the document string glues adjacent elements' texts ("Max Bernhard" + "Der Gemeinderat"); a soft
    # hyphen may sit inside a word ("Mat&shy;thi&shy;as")
    probe = r"\W{0,3}".join("\u00ad?".join(re.escape(ch) for ch in w) for w in words)
    return _shown_more_than_hidden(re.compile(probe, re.I), tree, doc_text, hidden_texts)


class _AuthorRules:
    """What the author rules of one page share: the page, the site's names, the headline element, the byline
    markup matches (memo of :func:`_html_authors`) and the byline line (read at most once, on demand)."""

    def __init__(self, page: Page, site_name: str | None, site_names: list[str], h1_el: Any) -> None:
        self.page, self.site_name, self.site_names, self.h1_el = page, site_name, site_names, h1_el
        self.matches: dict[int, list[Any]] = {}
        self._byline_line: tuple[str, ...] | None = None
        jl = page.jsonld
        # the publisher itself ("Deutsche Welle", "El Colombiano") is no author, nor an author typed as an
        # organisation: dropped from each source's names, so that a source naming only the outlet leaves the next
        # source its turn
        self.author_orgs = {_letters(x) for x in jl.author_organisations()}
        self.org_keys = (
            set()
            if jl.publisher_is_person()
            else {
                _letters(x) for x in (*site_names, jl.publisher_name() or "", _registered_domain_label(page.url) or "")
            }
            - {""}
        )

    def byline_authors(self) -> list[str]:
        """The names of the article's byline line ("Von A und B | 3. Mai 2024")."""
        if self._byline_line is None:
            self._byline_line = tuple(_byline_line_authors(self.page.root, self.site_name, self.h1_el))
        return list(self._byline_line)

    def not_org(self, names: list[str], src: str | None) -> list[str]:
        """``names`` without the outlet and organisation authors (a person's name from structured data that
        equals the site's name stays: a one-person blog); a byline of the page whose first word is the outlet's
        name ("Handball Schweiz" on handball.ch) is the outlet too."""
        return [
            a
            for a in names
            if _letters(a) not in self.author_orgs
            and (_letters(a) not in self.org_keys or (src != "html" and _personal_name(a)))
            and not (
                src == "html" and " " in a and len(first := _letters(a.split()[0])) >= 4 and first in self.org_keys
            )
        ]

    def not_org_html(self, names: list[str]) -> list[str]:
        return self.not_org(names, "html")


def decide_authors(
    page: Page, site_name: str | None, site_names: list[str], h1_el: Any
) -> tuple[list[str], str | None, list[str]]:
    """``(authors, source, agencies)``: the persons credited with the article and where they were read
    (``jsonld``, ``meta`` or ``html``; None when no author is found), and the wire agencies the author fields
    name ("dpa", "AFP/Reuters" as JSON-LD or meta author).

    Order of trust: JSON-LD ``author`` (completed by a byline that names more of them), Highwire
    ``citation_author``, the author meta tags, Twitter's "Written by" label, then the page's own byline markup,
    byline line, closing signature, labelled lines, author profile links, trafilatura's author heuristics and a
    post author's own comment. A structured author the page never shows while its visible byline names someone
    else loses to the byline; one-word structured names are completed from the page text."""
    rules = _AuthorRules(page, site_name, site_names, h1_el)
    jl_names, jl_agencies = page.jsonld.authors()
    agencies = list(jl_agencies)
    authors, a_src = _structured_authors(rules, jl_names)
    if not authors:
        authors, a_src, meta_agencies = _meta_authors(rules)
        agencies.extend(meta_agencies)
    if not authors:
        authors, a_src = _html_author_rules(rules)
    if authors and a_src in ("jsonld", "meta"):
        authors, a_src = _visible_byline_wins(rules, authors, a_src)
    if authors:
        authors, a_src = _visible_credit_over_account(rules, authors, a_src)
    if authors and a_src in ("jsonld", "meta") and any(" " not in a for a in authors):
        authors = _completed_first_names(authors, page.tree, site_names, h1_el)
    authors = rules.not_org(authors, a_src)
    return _dedupe(authors), (a_src if authors else None), agencies


def _structured_authors(rules: _AuthorRules, jl_names: list[str]) -> tuple[list[str], str | None]:
    """JSON-LD authors; structured data often names only the first author: a byline that names them all is
    taken instead (:func:`_fuller_byline`)."""
    page, site_name, h1_el = rules.page, rules.site_name, rules.h1_el
    cleaned = (_clean_person(n, site_name) or (_clean_person(n, None) if _personal_name(n) else None) for n in jl_names)
    authors = rules.not_org([a for a in cleaned if a], "jsonld")
    if not authors:
        return authors, None
    meta_auth = _m(page.meta, "author", "parsely-author", "sailthru.author", "dc.creator", "byl")
    fuller = _fuller_byline(
        authors,
        lambda: _meta_author_names(meta_auth, rules.site_names, page.url) if meta_auth else [],
        lambda: _html_authors(page.tree, page.root, site_name, h1_el, single=True, matches=rules.matches),
        rules.byline_authors,
        # one schema.org/rel=author byline element per author ("<a rel=author>A</a> ... <a rel=author>B</a>")
        lambda: _html_authors(page.tree, page.root, site_name, h1_el, semantic_only=True, matches=rules.matches),
    )
    return fuller if fuller else (authors, "jsonld")


def _meta_authors(rules: _AuthorRules) -> tuple[list[str], str | None, list[str]]:
    """Authors from meta tags: ``(authors, "meta" or None, agencies named in the tags read)``."""
    meta, site_names, url = rules.page.meta, rules.site_names, rules.page.url
    agencies: list[str] = []
    if meta.get("citation_author"):
        # Highwire/Google Scholar tags: one ``citation_author`` per author, "Last, First" or "First Last"
        cited = _dedupe(a for a in (_clean_person(_unflip(v), None) for v in meta["citation_author"][:6]) if a)
        authors = rules.not_org(cited, "meta")
        if authors:
            return authors, "meta", agencies
    meta_auth = _m(meta, "author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl")
    if meta_auth and not meta_auth.startswith("http"):
        agencies.extend(_agencies_in(_unescape_text(meta_auth)))
        authors = rules.not_org(_meta_author_names(meta_auth, site_names, url), "meta")
        if authors:
            return authors, "meta", agencies
    extra = [
        (k, v)
        for k, vals in meta.items()
        if k.endswith((".author", ":author", "_author", "author_name")) or k == "articleauthor"
        for v in vals
    ]
    for key, value in extra:
        if not value.startswith("http"):
            agencies.extend(_agencies_in(_unescape_text(value)))
            personal = key.endswith("author_name")
            authors = rules.not_org(_meta_author_names(value, site_names, url, personal=personal), "meta")
            if authors:
                return authors, "meta", agencies
    authors = rules.not_org(_twitter_label_authors(meta, site_names, url), "meta")
    return authors, ("meta" if authors else None), agencies


def _html_author_rules(rules: _AuthorRules) -> tuple[list[str], str | None]:
    """Authors the page's HTML credits, first rule with a name wins: ``(authors, "html")`` or ``([], None)``."""
    page, site_name, h1_el = rules.page, rules.site_name, rules.h1_el
    tree, root = page.tree, page.root
    authors = _html_authors(tree, root, site_name, h1_el, not_names=rules.not_org_html, matches=rules.matches)
    if not authors and h1_el is not None and root is not None and not any(a is root for a in h1_el.iterancestors()):
        # the headline sits above the article element ("<div class=header><h1/><div class=autor/></div>
        # <article>"): its byline is searched in the container both share (another root: no shared memo)
        shared = _shared_depth(_ancestors(h1_el), _ancestors(root))
        top = _ancestors(root)[shared - 1] if shared else None
        if top is not None and top.tag not in ("html", "body"):
            authors = _html_authors(tree, top, site_name, h1_el, not_names=rules.not_org_html)
    if authors:
        return authors, "html"
    fallbacks: tuple[Callable[[], list[str]], ...] = (
        rules.byline_authors,
        lambda: _lead_byline_paragraph(root, h1_el, site_name),
        lambda: _signature_author(root, site_name),
        lambda: _br_label_authors(root, site_name),
        lambda: _author_link_authors(root, site_name, h1_el),
        lambda: _sidebar_author_box(tree, site_name, h1_el),
        lambda: _trafilatura_authors(tree, site_name, h1_el),
        lambda: _post_author_comment(tree, site_name),
    )
    for rule in fallbacks:
        authors = rules.not_org_html(rule())
        if authors:
            return authors, "html"
    return [], None


# the profile slug of a CMS account that uploads for others ("/author/admin/", "/author/redaktion/", "/author/user2/")
_ACCOUNT_SLUG_RE = re.compile(r"(?:admin|administrator|webmaster|wp-?admin|site-?admin|user|editor|root)[-_]?\d{0,3}")


# author archive links (the account's display name is in the article's header): one cheap test per link
_ARCHIVE_LINKS = etree.XPath('.//a[contains(@href, "/aut") or contains(@href, "/Aut")]')


def _account_slug(href: str) -> bool:
    """True when ``href`` is the author archive of a CMS account ("/author/admin/"), not of a person."""
    slug = (_author_href_slug(href[:500]) or "").lower() if href else ""
    return bool(slug) and (_ACCOUNT_SLUG_RE.fullmatch(slug) is not None or slug in _NOT_HANDLES)


def _account_credits(page: Page) -> set[str]:
    """Letter keys of the names credited through a CMS account rather than a person's profile: a JSON-LD author
    whose ``url``/``@id``/``sameAs`` is such an author archive, or an author archive link in the article (the page's
    article region) whose slug is an account
    word ("admin", "redaktion", "user2") while its text names someone else ("<a href=/author/admin/>Ilanga D</a>":
    the uploader's display name)."""
    keys: set[str] = set()
    jl = page.jsonld
    raw = jl.get("author", webpage_fallback=False)
    for it in (raw if isinstance(raw, list) else [raw])[:12]:
        it = jl.resolve(it)
        if isinstance(it, dict) and isinstance(it.get("name"), str):
            refs = [it.get(k) for k in ("url", "@id", "sameAs")]
            if any(isinstance(r, str) and _account_slug(r) for r in refs):
                keys.add(_letters(it["name"]))
    for a in _ARCHIVE_LINKS(page.root)[:60] if page.root is not None else ():
        href = a.get("href") or ""
        text = _letters(a.text_content()[:200]) if _account_slug(href) else ""
        if text and text != _letters(_author_href_slug(href) or ""):
            keys.add(text)
    return keys - {""}


def _visible_credit_over_account(
    rules: _AuthorRules, authors: list[str], a_src: str | None
) -> tuple[list[str], str | None]:
    """Authors credited only through a CMS account (:func:`_account_credits`: the uploader) give way to the credit
    the reader sees: a byline line naming someone else, a byline paragraph at the top of the body, or a closing
    signature ("An interview by X" on a page whose author link is ``/author/admin/``)."""
    accounts = _account_credits(rules.page)
    if not accounts or not all(_letters(a) in accounts for a in authors):
        return authors, a_src
    root, site_name = rules.page.root, rules.site_name
    for rule in (
        rules.byline_authors,
        lambda: _lead_byline_paragraph(root, rules.h1_el, site_name),
        lambda: _signature_author(root, site_name),
    ):
        names = [n for n in rules.not_org_html(rule()) if _letters(n) not in accounts]
        if names:
            return names, "html"
    return authors, a_src


def _visible_byline_wins(rules: _AuthorRules, authors: list[str], a_src: str | None) -> tuple[list[str], str | None]:
    """A structured author the page never shows, while its visible byline line names someone else: the byline
    the reader sees wins (JSON-LD/meta keep a former editor, a CMS account, the first of many)."""
    tree = rules.page.tree
    visible_byline = rules.byline_authors()
    if visible_byline and not {_letters(a) for a in visible_byline} & {_letters(a) for a in authors}:
        doc_text = _DOC_STRING(tree)
        hidden_texts = _hidden_texts(tree)
        # the first dozen names only: each check reads the whole document (300 hidden JSON-LD authors: 4 s)
        if not any(_name_shown(a, tree, doc_text, hidden_texts) for a in authors[:12]) and all(
            _name_shown(a, tree, doc_text, hidden_texts) for a in visible_byline[:12]
        ):
            return visible_byline, "html"
    return authors, a_src
