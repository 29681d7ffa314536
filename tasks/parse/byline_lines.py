"""Byline lines: labelled text lines that credit authors ("Von A und B", "By NAME | DATE",
"Text: A", "Autor:" followed by a name, a ``<br>``-separated label), read near the headline.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any

from lxml import etree

from .byline import _after_inner_by, _ancestors, _byline_bad, _cut_dateline, _in_teaser
from .names import (
    _NOT_HANDLES,
    _TEAM_TAIL_RE,
    NONLATIN_LABEL,
    NONLATIN_LABEL_SEP,
    NONLATIN_LEAD,
    _clean_person,
    _split_names,
)
from .normalise import _dedupe, _letters, _norm_ws
from .tree import _short_text, _text

_BYLINE_LINE_RE = re.compile(
    rf"^\s*(?:{NONLATIN_LEAD}\s*[:：]?\s*|{NONLATIN_LABEL}{NONLATIN_LABEL_SEP}|"
    r"(?:von|by|par|por|door|av|di|written by|posted by|geschrieben von|verfasst von|gepostet von|"
    r"écrit par|publié par|escrito por|publicado por|scritto da|pubblicato da|geschreven door|"
    r"ein(?:e)?\s+(?:artikel|beitrag|kommentar|gastbeitrag|analyse|kolumne|reportage|interview)\s+von|"
    # "Text von A, Illustration von B" (the text's author; the illustration's credit is cut by _split_names),
    # "An interview by X", "A commentary by X", "Words by X"
    r"text\s+(?:von|by)|(?:an?\s+)?(?:article|story|report|interview|essay|analysis|commentary|review|column|"
    r"feature|op-ed)\s+by|words\s+by|"
    r"(?:gastbeitrag|gastkommentar|kolumne)\s+von)(?:\s*:)?\s+|"
    # gendered German labels: "Autor:in Max Muster", "Autor*innen: A und B", "Verfasser_in:"
    r"(?:autor|verfasser)[:*/_]in(?:nen)?(?:\s*:\s*|\s+)|"
    r"(?:autor(?:in|en)?|authors?|auteurs?|autore|autori|text(?:\s*(?:und|and|&|\+|/)\s*(?:fotos?|photos?|bilder))?|"
    r"texte|texto|testo|tekst|verfasser(?:in)?)\s*:\s*|"
    r"(?:autor(?:in|en)?|auteurs?|autores)\s+(?=(?-i:[A-ZÄÖÜ])))(?=\S)",
    re.I,
)
# "11.12.2019 - Amelie Loevenich", "04.02.2022 | 13:10 Uhr | Uta Helkenberg": a dateline followed by the author
_DATED_BYLINE_RE = re.compile(
    r"^\s*(?:\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}|\d{4}-\d{2}-\d{2})(?:[\s,|]+\d{1,2}:\d{2}(?:\s*uhr)?)?"
    r"\s*(?:[-–|·•]\s*(?:von\s+|by\s+)?|\s+(?:von|by)\s+)(?=\S)",
    re.I,
)
# a byline that names its reporters before the role word, as Korean, Chinese and Japanese news print it: "김철수 기자",
# "[서울=뉴스1] 김철수·이영희 기자 = …", "山田太郎記者", "김철수 기자 kim@example.kr" (a dateline in brackets first;
# after the role word the line ends or goes on with "=", a bracket or an e-mail address)
_ROLE_AFTER_NAME_RE = re.compile(
    r"^\s*(?:[\[(（【][^\])）】]{1,30}[\])）】]\s*)?"
    r"((?:[가-힣]{2,4}|[\u3400-\u9fff]{2,4})(?:\s*[·,、]\s*(?:[가-힣]{2,4}|[\u3400-\u9fff]{2,4}))*)\s*"
    r"(?:선임|수석|객원|전문|인턴)?(?:기자|특파원|记者|記者)(?=$|\s*[=(（]|\s+[\w.+-]+@|\s*$)"
)
# a header line that opens with a posting verb or a date, the author after its "by": "Posted on May 3, 2024 by X",
# "Veröffentlicht am 3. Mai 2024 von X", "May 3, 2024 by X"
_POSTED_ON_RE = re.compile(
    r"^\s*(?:(?:posted|published|written|submitted|updated|veröffentlicht|erstellt|gepostet|geschrieben|publié|"
    r"publicado|pubblicato|gepubliceerd)\b|\d{1,4}[./-]|(?:jan|feb|m[aä]r|apr|ma[iy]|jun|jul|aug|sep|o[ck]t|nov|de[cz])"
    r"[a-zä]*\.?\s+\d)",
    re.I,
)
_INNER_BY_WORD_RE = re.compile(r"\s(?:by|von|par|por|door)\s", re.I)
# what follows the name in such a line: "… by Jane Roe in News", "… by Jane Roe | 3 comments"
_FILED_UNDER_RE = re.compile(r"\s+(?:(?:filed\s+)?(?:in|under|unter|im|dans|en)\s|[|•·]|\d+\s+comments?).*$", re.I)
_SENTENCE_END_RE = re.compile(r"[。！？]")
_BYLINE_TAGS = (
    "p",
    "div",
    "span",
    "address",
    "em",
    "i",
    "strong",
    "b",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "small",
    "dt",
    "td",
    "th",
    "byline",
)


# an explicit author label: "Autor:", "Autorin/Autor", "Autor*in", "Authors", "Von", "By"
_AUTHOR_LABEL_RE = re.compile(
    r"^\s*(?:autor(?:in|en|innen)?(?:\s*[/*:]\s*(?:in|innen|autor(?:in)?))?|authors?|auteurs?|text|von|by)\b\s*:?",
    re.I,
)


# a label element alone ("<span>| By </span>", "<strong>Text:</strong>", "<b>Von:</b>"): the name follows it
_LABEL_ONLY_RE = re.compile(
    r"[|•·,\s]*(?:(?:von|by|par|por|door|written by|geschrieben von|verfasst von)(?:\s*:)?|"
    r"(?:autor(?:in|en)?|authors?|auteurs?|autore|text|texte|texto|testo|tekst|verfasser(?:in)?)\s*:|"
    r"(?:autor|verfasser)[:*/_]in(?:nen)?:?)\s*",
    re.I,
)


def _label_follow_text(el: Any) -> str | None:
    """The text right after a label element: its tail, else (past ``<br>``s) the next sibling's text; when the
    label ends its container (``<div><p>By</p></div><div><p>Todd Bates</p></div>``), the container's next
    sibling (two levels up at most)."""
    node = el
    for _ in range(3):
        tail = (node.tail or "").strip(" \t\n\r|:·•")
        if tail:
            return tail
        sib = node.getnext()
        while sib is not None and (not isinstance(sib.tag, str) or sib.tag == "br"):
            tail = (sib.tail or "").strip(" \t\n\r|:·•")
            if tail:
                return tail
            sib = sib.getnext()
        if sib is not None:
            # "<strong>Por:</strong> <a>Yaima Puig</a>, <a>Alina Perera</a>": co-authors in the next siblings
            parts, tag = [_short_text(sib, 400) or ""], sib.tag
            while len(parts) < 6 and re.fullmatch(r"\s*(?:,|&|und|and|y|et|e)\s*", sib.tail or ""):
                sib = sib.getnext()
                if sib is None or sib.tag != tag:
                    break
                parts.append(_short_text(sib, 400) or "")
            return ", ".join(p for p in parts if p)
        node = node.getparent()
        if node is None or node.tag in ("body", "article", "main") or (node.text or "").strip():
            return None
        if len(node) > 8 or any(
            (prev.tail or "").strip() or _short_text(prev, 400)
            for prev in node.iterchildren()
            if prev is not el and isinstance(prev.tag, str)
        ):
            return None  # the label shares its container with other text
        el = node
    return None


def _text_to_br(el: Any, raw_max: int = 400) -> str | None:
    """The text of ``el`` up to its first ``<br>`` after more than the byline lead ("Von X und Y<br>Kakuma /Kenia":
    the byline, not the dateline after it); None when longer than ``raw_max``."""
    parts: list[str] = []  # the non-empty texts: a <br> storm adds none, so the joins below stay short
    n = 0
    last = ""
    checked = -1  # ``n`` at the last <br> check: no new text since then, same answer (50,000 <br> were quadratic)
    for ev, node in etree.iterwalk(el, events=("start", "end")):
        if not isinstance(node.tag, str):
            if ev == "end" and node is not el:
                last = node.tail or ""
                if last:
                    parts.append(last)
            continue
        if ev == "start":
            if node.tag == "br" and n != checked:
                checked = n
                head = _norm_ws(" ".join(parts))
                if head and _BYLINE_LINE_RE.sub("", head + " X") != "X":
                    break  # ("Von<br>Max Muster": a lead alone before the break goes on to the name)
            last = node.text or ""
            if last:
                parts.append(last)
        elif node is not el:
            last = node.tail or ""
            if last:
                parts.append(last)
        n += len(last)
        if n > raw_max:
            return None
    return _norm_ws(" ".join(parts))


_LOWER_WORD_RE = re.compile(r"(?<!\S)[a-zß-ÿ]{3,}")


def _in_dated_list(el: Any) -> bool:
    """True when a sibling element next to ``el`` also starts with a date: a calendar or list of dated entries
    ("17.11.2022 - Aymz - Grelle Forelle", "18.11.2022 - Buntspecht - Konzerthaus"), not a dated byline."""
    for sib in (el.getprevious(), el.getnext()):
        if sib is None or not isinstance(sib.tag, str):
            continue
        txt = _short_text(sib, 200) or ""
        dated = _DATED_BYLINE_RE.match(txt)
        # an entry names things ("Buntspecht - Konzerthaus 1"); a dated lead after a dated byline is a sentence
        # ("17.11.2022 - Der Stadtrat hat heute beschlossen"): lower-case words
        if dated and len(_LOWER_WORD_RE.findall(txt, dated.end())) < 2:
            return True
    return False


_IN_HEADER = etree.XPath("boolean(ancestor::header)")


def _author_address(el: Any) -> bool:
    """True for an ``<address>`` that is an author's contact line: a few elements (a name, a mail link; 390
    nested ones around 50,000 links were each walked: 7 s) in the article's header or with a mailto link."""
    few = list(itertools.islice(el.iter(), 21))
    if len(few) > 20:
        return False
    return bool(_IN_HEADER(el)) or any((a.get("href") or "").startswith("mailto:") for a in few if a.tag == "a")


def _is_icon(el: Any) -> bool:
    """True for an empty icon element (``<i class="fa …">``, ``<svg>``, ``<img>``, an empty ``<span>``)."""
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag in ("i", "svg", "img", "span") and not (el.text or "").strip() and len(el) <= 3 and not _text(el)


def _byline_line_names(el: Any, site_name: str | None) -> list[str]:
    """Names of a byline line element, or [] when it is none (long text, no byline lead)."""
    head = (el.text or "").strip()
    if not head and len(el) and _is_icon(el[0]):
        # "<p class=byline><i class='fa fa-pen'></i>By Jane Roe</p>": an empty icon element before the byline
        head = (el[0].tail or "").strip()
    if el.tag in ("td", "th", "dt") and head and not _LABEL_ONLY_RE.fullmatch(head) and not _STRONG_LEAD_RE.match(head):
        # a table cell or list term counts with an author label only ("<td>Autorin:</td><td>Anna Muster</td>"):
        # "<td>Von Max Muster</td>" is a data table's row (speakers, senders, routes), not the article's byline
        return []
    if head and not len(el) and _LABEL_ONLY_RE.fullmatch(head):
        txt = _label_follow_text(el)
        if not txt or len(txt) > 80:
            return []
        scope = el.getparent() if el.getparent() is not None else el
        return _line_names(
            _split_names(_cut_dateline(txt)),
            site_name,
            lambda: bool(_STRONG_LEAD_RE.match(head)) or _author_marked(scope),
        )
    if not head:
        # "<h5>Autor:</h5> Peter Maahn/SP-X": a label element, the name in its tail
        first = el[0] if len(el) and isinstance(el[0].tag, str) else None
        # a label is a leaf element ("<strong>Autor</strong>"): no text walk over big subtrees
        label = (first.text or "").strip() if first is not None and not len(first) else ""
        if _AUTHOR_LABEL_RE.fullmatch(label):
            txt = _short_text(el)
        elif re.fullmatch(r"\w{2,15}\s*:", label):
            # "<h5>Datum:</h5> 03.11.2021 <h5>Autor:</h5> Peter Maahn": a key/value meta line
            m = re.search(
                r"\b(?:autor(?:in|en)?|authors?|verfasser(?:in)?)\s*:\s*(.+?)(?=\s+\w{2,15}\s*:|$)",
                _short_text(el) or "",
                re.I,
            )
            if not m:
                return []
            txt = m.group(1)
        else:
            return []
    elif (
        _BYLINE_LINE_RE.match(head)
        or (_DATED_BYLINE_RE.match(head) and not _in_dated_list(el))
        # "Ein Artikel von <strong>Pamela Sladky</strong>": the lead alone, the name in a child
        or (len(el) and len(head) <= 40 and _BYLINE_LINE_RE.sub("", head + " X") == "X")
    ):
        txt = _text_to_br(el)
    elif _POSTED_ON_RE.match(head) and (len(el) or _INNER_BY_WORD_RE.search(head)):
        # "Posted on May 3, 2024 by Jane Roe", "Published <time>3 May</time> by <a>Jane Roe</a> in News": the name
        # follows the last "by" after a date or a posting verb
        full = _text_to_br(el, 160) or ""
        txt = _after_inner_by(full) if _INNER_BY_WORD_RE.search(full) else ""
        txt = _FILED_UNDER_RE.sub("", txt) if txt != full else ""
        if not txt:
            return []
    else:
        # "yas! | By Cara Stiles | April 13, 2020": the byline is one segment of a short meta line
        seg = (
            re.search(r"[|•·]\s*((?:by|von)\s+[^|•·]+)", head, re.I)
            if len(head) <= 80 and not len(el) and ("|" in head or "•" in head or "·" in head)
            else None
        )
        role = _ROLE_AFTER_NAME_RE.match(head) if len(head) <= 80 else None
        if seg:
            txt = seg.group(1).strip()
        elif role:
            txt = role.group(1)
        elif el.tag == "address" and _author_address(el):
            # HTML's <address> in an article's header, or with a mailto link: the contact information of its
            # author ("<header>… <address>Anna Muster</address></header>"); one in the running text is mostly a
            # venue's or an office's ("<address>Kulturzentrum Schlachthof</address>")
            txt = _short_text(el, 200)
        else:
            return []
    if txt is not None and 80 < len(txt) <= 300:
        txt = _TEAM_TAIL_RE.sub("", txt)  # "Posted by A, B and C - Chrome Safe Browsing team"
    if txt is None or len(txt) > 80 or _SENTENCE_END_RE.search(txt):
        return []  # (an ideographic full stop ends a sentence: "记者从市政府获悉，…。" is no byline)
    dated = _DATED_BYLINE_RE.match(txt)
    # a one-token name needs a lead that says "author": "Posted by"/"Autor:", author markup around it, or a
    # dateline followed by "von"/"by" ("06.11.2023 13:30 von Olga"); a bare "Von"/"By" may lead to a place or
    # an outlet ("Von Zeit", "By CNN"), a dateline alone to a place ("11.12.2019 - Berlin")
    lead_txt = txt
    lead: Callable[[], bool] = (
        (lambda: bool(re.search(r"(?:von|by)\s*$", dated.group(0), re.I)))
        if dated
        else (lambda: bool(_STRONG_LEAD_RE.match(lead_txt)) or _author_marked(el))
    )
    txt = _DATED_BYLINE_RE.sub("", txt)
    txt = _BYLINE_LINE_RE.sub("", txt)
    txt = _AUTHOR_LABEL_RE.sub("", txt, count=1).lstrip()
    txt = re.split(r"\s*[|•·,]\s*(?=\d)|\s+(?:am|on|le|el|il)\s+\d", txt)[0]
    txt = re.sub(r"\s+(?:am|on)$", "", txt)  # "Von R. R. am" (the date in the next element)
    return _line_names(_split_names(txt), site_name, lead)


_STRONG_LEAD_RE = re.compile(
    r"\s*(?:posted by|written by|geschrieben von|verfasst von|gepostet von|écrit par|publié par|escrito por|"
    r"publicado por|scritto da|pubblicato da|geschreven door|(?:autor(?:in)?|authors?|auteur|autore|verfasser(?:in)?)"
    r"\s*:)",
    re.I,
)
_AUTHOR_MARKED = etree.XPath(
    'boolean(self::*[contains(@class, "author") or contains(@class, "byline") or contains(@class, "vcard")]'
    ' | .//*[contains(@class, "author") or contains(@class, "byline") or contains(@class, "vcard")'
    ' or contains(@rel, "author")])'
)


def _author_marked(el: Any) -> bool:
    """True when ``el`` or an element in it carries author markup (an author/byline/vcard class, rel=author)."""
    return bool(_AUTHOR_MARKED(el))


def _line_names(parts: list[str], site_name: str | None, lead: Callable[[], bool]) -> list[str]:
    """Person names of a byline line's parts. After a lead that says "author" (``lead``: "Posted by jesusfreak",
    "06.11.2023 von Olga", "von <span class=author>uriebe</span>"), a byline of one token is the author's user
    name or first name; an all-capitals token there is an outlet or agency acronym ("By CNN")."""
    names = [_clean_person(p.split("/")[0], site_name, structured=False) for p in parts]
    one = parts[0].strip(" .,;:") if len(parts) == 1 else ""
    if one and not names[0] and _handle_token(one) and not (one.isupper() and one.isalpha()) and lead():
        names = [_clean_person(parts[0], site_name, structured=True, handle_ok=True)]
    return _dedupe(n for n in names if n)[:6]


def _handle_token(name: str) -> bool:
    """True for one token that may be a user handle or a first name ("fri.juli", "c1ph4", "Olga"): no desk or
    role word of ``_NOT_HANDLES``."""
    s = name.strip(" .,;:")
    return bool(s) and " " not in s and s.lower() not in _NOT_HANDLES


def _following(el: Any, tags: tuple[str, ...]) -> Iterator[Any]:
    """Elements after ``el`` in document order (lazily, unlike the XPath ``following::`` axis)."""
    node = el
    while node is not None:
        for sib in node.itersiblings():
            if isinstance(sib.tag, str):
                yield from sib.iter(*tags)
        node = node.getparent()


# a byline inside a link is a teaser's, unless the link mails the author ("<a href='mailto:…'>Von: Götz Warnke</a>",
# TYPO3's spam-protected "javascript:linkTo_UnCryptMailto(…)")
_NOT_MAILTO_LINK = 'ancestor::a[not(starts-with(@href, "mailto:")) and not(contains(@href, "UnCryptMailto"))]'


def _byline_line_authors(root: Any, site_name: str | None, h1: Any = None) -> list[str]:
    """A short byline line in the article: "von Daniela Obers", "Par Matthieu Hy", "Autor: Peter Maahn/SP-X",
    "Auteur : Kossivi Tiassou", "11.12.2019 - Amelie Loevenich". Searched in the article root (outside lists,
    links and sidebars), then in the elements right after the ``<h1>`` (the article header, where a byline
    list item is fine)."""
    if root is None:
        return []
    body = root.getroottree().getroot().find("body")
    seen = 0
    for el in root.iter(*_BYLINE_TAGS):
        if not (el.text or "").strip() and not len(el):
            continue
        seen += 1
        if seen > 400:
            break
        names = _byline_line_names(el, site_name)
        if not names or _byline_bad(el, body, h1):
            continue
        # list items are teasers and menus, unless the item is an explicit "<strong>Autor</strong> X" pair
        labelled = not (el.text or "").strip() and len(el) and _AUTHOR_LABEL_RE.fullmatch(_text(el[0]))
        if not el.xpath(_NOT_MAILTO_LINK if labelled else _NOT_MAILTO_LINK + "|ancestor::li"):
            return names
    if h1 is None:
        return []
    h1_path = _ancestors(h1)
    title_el = root.getroottree().find(".//title")
    title_key = _letters(_text(title_el)) if title_el is not None else ""
    teasers: dict[Any, bool] = {}
    seen = 0
    for el in _following(h1, _BYLINE_TAGS[:-1]):
        if not (el.text or "").strip() and not len(el):
            continue
        seen += 1
        if seen > 40:
            break
        names = _byline_line_names(el, site_name) or _name_date_line(el, site_name)
        if names and not _byline_bad(el, body, h1) and not el.xpath(_NOT_MAILTO_LINK):
            if not any(a is root for a in el.iterancestors()) and _in_teaser(el, h1_path, title_key, teasers):
                continue  # past the article: a related story's card ("<h3><a>…</a></h3><span>By X</span>")
            return names
    return []


# "Jane Roe | 05.04.2025", "Jane Roe · May 3, 2024": a name, a separator, then a date (in the same element or the
# next one)
_NAME_SEP_RE = re.compile(r"^(?P<name>[^|•·\d]{3,40}?)\s*[|•·]\s*(?P<rest>.*)$")
_DATE_START_RE = re.compile(
    r"^(?:\d{1,4}[./\s-]|(?:jan|feb|m[aä]r|apr|ma[iy]|jun|jul|aug|sep|o[ck]t|nov|de[cz])[a-zä]*\.?\s+\d)", re.I
)


def _name_date_line(el: Any, site_name: str | None) -> list[str]:
    """The name of a header line right after the headline that is a person's name followed by a separator and a
    date ("<span>Jane Roe |</span><span>05.04.2025</span>", "Jane Roe · May 3, 2024"), with no "by": read only
    near the headline (:func:`_byline_line_authors`), where such a line is the byline."""
    head = el.text or ""
    if len(el) > 2 or not ("|" in head or "•" in head or "·" in head):
        return []
    m = _NAME_SEP_RE.match(_short_text(el, 120) or "")
    if not m:
        return []
    rest = m.group("rest")
    if not rest:
        nxt = el.getnext()
        rest = (_short_text(nxt, 60) or "") if nxt is not None else ""
    if not _DATE_START_RE.match(rest):
        return []
    raw = m.group("name").strip()
    name = _clean_person(raw, site_name, structured=False) if 2 <= len(raw.split()) <= 4 else None
    return [name] if name else []


def _br_label_authors(root: Any, site_name: str | None) -> list[str]:
    """An explicit author label that opens a line after a ``<br>`` inside a block of text ("… stock.adobe.com<br>
    <br>Autor: <a>Rechtsanwalt</a> Sebastian Einbock", "…<br>Written by Jane Doe"): the names of that line (up to
    the next ``<br>``). The byline line rules read an element's opening text only."""
    if root is None:
        return []
    body = root.getroottree().getroot().find("body")
    for br in itertools.islice(root.iter("br"), 3000):
        tail = (br.tail or "").strip()
        if not tail or not _STRONG_LEAD_RE.match(tail):
            continue
        parts, sib = [tail], br.getnext()
        while sib is not None and sib.tag != "br" and len(parts) < 12:
            parts += [_short_text(sib, 200) or "", (sib.tail or "").strip()]
            sib = sib.getnext()
        txt = _norm_ws(" ".join(parts))
        parent = br.getparent()
        if len(txt) > 80 or parent is None or _byline_bad(parent, body) or br.xpath(_NOT_MAILTO_LINK):
            continue
        txt = _AUTHOR_LABEL_RE.sub("", _BYLINE_LINE_RE.sub("", txt), count=1).lstrip()
        names = _line_names(_split_names(_cut_dateline(txt)), site_name, lambda: True)
        if names:
            return names
    return []
