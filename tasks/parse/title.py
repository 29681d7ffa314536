"""The title: the visible headline against the structured headlines (JSON-LD, Open Graph, ``<title>``),
site names and kickers removed (:func:`decide_title`).
"""

from __future__ import annotations

import html as html_lib
import itertools
import re
import unicodedata
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from .clean import _attr_str, _in_bad_container
from .normalise import _letters, _norm_ws, _registered_domain_label
from .page import Page
from .structured import _m, _str_val
from .tree import _text

_SEP_RE = re.compile(r"\s+[|–—\-:·•»«/]{1,2}\s+|\s*\|\s*")


def _strip_site_name(title: str, site_names: list[str], url: str | None) -> str:
    """Remove a ``| Site``/``- SITE``/``Site: `` part from a title when it names the site."""
    title = _norm_ws(title)
    parts = _SEP_RE.split(title)
    if len(parts) < 2:
        return title
    seps = _SEP_RE.findall(title)
    keys = {_letters(s) for s in site_names if s and len(_letters(s)) >= 2}
    label = _registered_domain_label(url)
    label_key = _letters(label) if label else ""

    def is_site(part: str) -> bool:
        k = _letters(part)
        if not k:
            return True
        if k in keys or any(len(x) >= 4 and (x in k or k in x) for x in keys):
            return True
        if label_key and len(label_key) >= 3 and (k == label_key or (label_key in k and len(k) <= len(label_key) + 12)):
            return True
        return bool(label_key and len(k) >= 4 and k in label_key)

    # drop site-name parts from the ends only
    start, end = 0, len(parts)
    while end - start > 1 and is_site(parts[end - 1]):
        end -= 1
    while end - start > 1 and is_site(parts[start]):
        start += 1
    if start == 0:
        # "Post : Blog name | Blog slogan | Founded 2005": the site name ends the title, what follows is its motto
        end = next((i for i in range(1, end) if _letters(parts[i]) in keys), end)
    if start == 0 and end == len(parts):
        return title
    out = parts[start]
    for k in range(start + 1, end):
        out += seps[k - 1] + parts[k]
    return out.strip()


_TAG_RE = re.compile(r"<[^<>]{1,200}>")


def _unescape_text(s: str) -> str:
    """Decode HTML entities (also double-escaped ``&amp;#x27;``) and drop markup left in a metadata string."""
    for _ in range(3):
        if "&" not in s:
            break
        new = html_lib.unescape(s)
        if new == s:
            break
        s = new
    if "<" in s:
        s = _TAG_RE.sub(" ", s)
    return _norm_ws(s)


def _shares_word(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` have a word of four or more letters in common (case-insensitive), or a word of
    seven or more letters of ``a`` is part of a compound in ``b`` ("Finanzierung" / "Autofinanzierung")."""
    wa = set(re.findall(r"\w{4,}", a.lower()))
    lb = b.lower()
    return bool(wa & set(re.findall(r"\w{4,}", lb))) or any(len(w) >= 7 and w in lb for w in wa)


def _is_site_title(title: str, site_names: list[str], url: str | None) -> bool:
    """True when ``title`` is just the site's name (or its domain label)."""
    k = _letters(title)
    if not k:
        return True
    if any(k == _letters(s) for s in site_names if s):
        return True
    label = _registered_domain_label(url)
    return bool(label and k == _letters(label))


def _is_template_description(description: str, title: str) -> bool:
    """An SEO template rather than a summary: it quotes the headline (or its kicker and rest) and adds only a few
    words ("Hier finden Sie Informationen zu dem Thema „X“. Lesen Sie jetzt „Y“.", "Read „Y“ on Example")."""
    quoted = re.findall(r"[„“\"«»]([^„“”\"«»]{3,300})[“”\"«»]", description)
    if not quoted or len(quoted) > 20:
        return False  # a template quotes one to three titles; each quote below is one pass over the text
    tk = _letters(title)
    qk = "".join(_letters(q) for q in quoted)
    if not (tk in qk or (len(qk) > 10 and qk in tk) or _letters(quoted[-1]) in tk):
        return False
    rest = description
    for q in quoted:
        rest = rest.replace(q, " ")
    return len(re.findall(r"\w+", rest)) <= 14


def _is_kicker_prefix(cand: str, h1: str) -> bool:
    """True when ``cand`` is ``<short kicker>: <h1>``."""
    m = re.match(r"^(.{2,60}?)\s*:\s+(.+)$", cand)
    return bool(m and len(m.group(1).split()) <= 6 and _letters(m.group(2)) == _letters(h1))


_HIDDEN_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:visually-?hidden|sr-only|screen-?reader(?:-only|-text)?|aural|invisible|hidden|hide)(?:$|[\s_])",
    re.I,
)


def _h1_kicker(h1_el: Any) -> tuple[str, str] | None:
    """``(kicker, headline)`` when the ``<h1>`` is a kicker element followed by the headline: ``<h1><span
    class="dachzeile">Kicker</span><span class="visually-hidden">: </span><span>Headline</span></h1>`` or
    ``<h1><span>Kicker</span> Headline</h1>``. Visually hidden separators and punctuation-only parts do not
    count; a single wrapper element (``<h1><a><span>…</span>…</a></h1>``) is looked through."""
    el = h1_el
    for _ in range(3):
        kids = [ch for ch in el if isinstance(ch.tag, str)]
        if len(kids) != 1 or (el.text or "").strip() or (kids[0].tail or "").strip():
            break
        el = kids[0]
    parts: list[tuple[bool, str]] = []
    if _letters(el.text or ""):
        parts.append((False, _norm_ws(el.text)))
    for ch in el:
        if isinstance(ch.tag, str) and ch.tag != "br":
            hidden = ch.get("aria-hidden") == "true" or _HIDDEN_CLASS_RE.search((ch.get("class") or "")[:300])
            txt = _text(ch)
            if not hidden and _letters(txt):
                parts.append((True, txt))
        if _letters(ch.tail or ""):
            parts.append((False, _norm_ws(ch.tail)))
        if len(parts) > 2:
            return None
    if len(parts) != 2 or not parts[0][0]:
        return None
    kicker, headline = parts[0][1], parts[1][1]
    if len(kicker) >= len(headline) or len(headline.split()) < 2:
        return None
    return kicker, headline


_KICKER_SEP_RE = re.compile(r"\s{0,3}(:|\s[–—\-|/·•])\s")


def _in_breadcrumb(el: Any) -> bool:
    """True when ``el`` is (in) a breadcrumb trail: its own or one of its six nearest ancestors' class/id names
    a breadcrumb, or it sits in a ``<nav>``."""
    node = el
    for _ in range(7):
        if node is None or not isinstance(node.tag, str):
            return False
        if node.tag == "nav" or "breadcrumb" in _attr_str(node).lower():
            return True
        node = node.getparent()
    return False


def _kicker_title(kicker: str, headline: str, cands: list[tuple[str, str]], structured: int) -> str | None:
    """The title of a ``<kicker><headline>`` ``<h1>``: the headline alone, as the page shows it, when the
    metadata repeats it (alone, or with the kicker set apart by a dash: ``Kicker - Headline``). None (the caller
    keeps its choice) when the structured headline (JSON-LD, og:title: the first ``structured`` of ``cands``;
    the ``<title>`` follows them) keeps the kicker -- ``Kicker: …`` (the colon convention of a Dachzeile) or
    glued into one phrase (``<span>Ehezoff</span> der Pochers eskaliert``) -- or when the metadata names the
    first part alone (then that is the headline, the second part a subtitle)."""
    kk, hk = _letters(kicker), _letters(headline)
    if not kk or len(hk) < 8:
        return None
    if any(_letters(c) == hk for c, _ in cands):
        return headline
    repeated = False
    for i, (cand, _) in enumerate(cands):
        ck = _letters(cand)
        if ck == kk:
            return None
        if ck.startswith(kk) and (i < structured or not structured):
            # the separator the metadata puts after the kicker: a colon keeps it, a dash or bar sets it apart
            head = cand[: len(kicker) + 12]  # the separator follows the kicker (bounded: one _letters per match)
            sep = next((m.group(1) for m in _KICKER_SEP_RE.finditer(head) if _letters(head[: m.start()]) == kk), None)
            if sep == ":" or (sep is None and ck == kk + hk):
                return None
        repeated = repeated or hk in ck
    return headline if repeated else None


_LANG_QUERY_RE = re.compile(r"(?:lang|language|locale|hl)=[\w-]{2,10}", re.I)
_ARCHIVE_PREFIX_RE = re.compile(r"^(?:https?:)?//web\.archive\.org/web/\d+[a-z_]*/", re.I)


def _links_home(el: Any) -> bool:
    """True when ``el`` is (inside) a link to a site's home page or holds one: the site logo/name ``<h1><a
    href="/">Blog name</a></h1>`` of blog and CMS themes, not an article headline. A home page is a URL
    without path ("/", "https://example.org/", "/?locale=de-DE"; also behind a web.archive.org prefix)."""
    hrefs = [*el.xpath("ancestor::a[1]/@href"), *el.xpath(".//a/@href")]
    for href in hrefs[:3]:
        h = _ARCHIVE_PREFIX_RE.sub("", href.strip())
        if h in ("/", "./"):
            return True
        parts = urlsplit(h)
        query_ok = not parts.query or _LANG_QUERY_RE.fullmatch(parts.query)
        if parts.path in ("", "/") and (parts.netloc or parts.query) and query_ok and not parts.fragment:
            return True
    return False


_LEADING_DATE_RE = re.compile(
    r"^\s*(?:\d{1,2}\.\s?\d{1,2}\.\s?(?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2}|\d{1,2}\.?\s+[^\W\d_]{3,10}\.?,?\s+\d{4}"
    r"|[^\W\d_]{3,10}\.?\s+\d{1,2},\s+\d{4})(?:\s*[-–—|:·•/]\s*|\s+)(?=\S)"
)


_MONTH_RE = re.compile(
    r"jan|feb|m[aä]r|apr|ma[iy]|ju[nil]|aug|sep|o[ck]t|nov|de[cz]|jän|fév|avr|aoû|déc|ene|abr|ago|dic|gen|mag|giu|"
    r"lug|set|ott|mei|maa",
    re.I,
)


def _drop_leading_date(title: str) -> str:
    """``23.01.2022 - Headline`` / ``1. Februar 2022 Headline`` -> ``Headline``: a publication date put before
    the headline (a dateline kicker) is not part of it. Kept when fewer than three words would remain or when
    the word between day and year is not a month ("3 Gründe 2024 …")."""
    m = _LEADING_DATE_RE.match(title)
    if not m or len(title[m.end() :].split()) < 3:
        return title
    word = re.search(r"[^\W\d_]+", m.group())
    if word and not _MONTH_RE.match(word.group()):
        return title
    return title[m.end() :]


_H1_TAIL_RE = re.compile(r"\s*(?:[|–—\-·•»/]|\d{1,2}\.\d{1,2}\.\d{2})")


def _clean_title(title: str, language: str | None) -> str:
    """Entities decoded; Unicode NFC (composed accents, the canonical form of Indic nukta letters);
    ``Kicker : Headline`` (a styled kicker glued with a spaced colon) -> ``Kicker: Headline`` except in French,
    where a space before ``:`` is the typographic rule."""
    title = unicodedata.normalize("NFC", _unescape_text(title))
    if language != "fr":
        title = re.sub(r"(?<=\w) +:(?= )", ":", title)
    return title


class Headline(NamedTuple):
    """The decided title and what later fields need of the headline.

    ``title``/``source``: the title and where it came from (``jsonld``, ``meta``, ``html``), both None when the
    page has none; ``h1_el``/``h1``: the headline element and its text ("" when none, or when the ``<h1>`` is the
    site's logo); ``site_names``: the site's names, the logo heading's text added; ``jl_title``/``og_title``: the
    structured headlines as the page states them (the body's head is cut where it repeats them).
    """

    title: str | None
    source: str | None
    h1_el: Any
    h1: str
    site_names: list[str]
    jl_title: str
    og_title: str


def decide_title(page: Page, site_names: list[str]) -> Headline:
    """The article's title: the visible headline when the metadata repeats it or it is plainly the article's
    heading, else the structured headline (JSON-LD ``headline``, ``og:title``/``twitter:title``, ``<title>``)
    without the site's name; kickers, leading dates and "| Site" parts removed (:func:`_clean_title`)."""
    tree, root, url = page.tree, page.root, page.url
    h1_el = None
    for el in root.iter("h1") if root is not None else []:
        if not _in_bad_container(el):
            h1_el = el
            break
    if h1_el is None:
        h1s = tree.xpath("//h1")
        h1_el = h1s[0] if h1s else None
    h1 = _text(h1_el) if h1_el is not None else ""
    site_h1 = bool(h1 and h1_el is not None and _links_home(h1_el))
    if site_h1:
        # a site logo/name heading linking to the home page: it names the site (its part of <title> goes)
        site_names = [*site_names, h1]
        h1 = ""
    title_el = tree.find(".//title")
    page_title = _text(title_el) if title_el is not None else ""
    jl_title = _unescape_text(_str_val(page.jsonld.get("headline", webpage_fallback=False)) or "")
    og_title = _unescape_text(_m(page.meta, "og:title", "twitter:title") or "")
    cands: list[tuple[str, str]] = []
    if jl_title:
        cands.append((_strip_site_name(jl_title, site_names, url), "jsonld"))
    if og_title:
        cands.append((_strip_site_name(og_title, site_names, url), "meta"))
    if page_title:
        cands.append((_strip_site_name(page_title, site_names, url), "meta"))
    h1_el, h1 = _repeated_heading(page, h1_el, h1, cands, _strip_site_name(og_title, site_names, url), page_title)
    h1 = _drop_leading_date(h1)
    cands = [(_drop_leading_date(c), src) for c, src in cands]
    h1_parts = _SEP_RE.split(h1) if h1 else []
    if len(h1_parts) > 1 and _letters(h1_parts[-1]) in {_letters(x) for x in site_names}:
        # "Headline | Site name" printed in the <h1> too
        h1 = h1[: h1.rfind(h1_parts[-1])].rstrip(" |–—-:·•»«/")
    kicker = _h1_kicker(h1_el) if h1 and h1_el is not None else None
    title, title_src = _title_from_heading(h1, h1_el, kicker, cands, (jl_title, og_title, page_title), site_names, url)
    if title is None and not site_h1 and not jl_title and not og_title and page_title and root is not None:
        # no headline <h1> (none, or only furniture such as "Page"/"User" toolbars) and no structured headline
        # (older CMS themes, wikis): the first <h2> of the article is the post's heading when it shares a word
        # with the <title> and is not the site's name
        h2 = next((_text(e) for e in root.iter("h2") if not _in_bad_container(e) and _text(e)), "")
        if (
            2 <= len(h2.split()) <= 30
            and _shares_word(h2, page_title)
            and not _is_site_title(h2, site_names, url)
            and _letters(h2) != _letters(_SEP_RE.split(page_title)[0])
        ):
            title, title_src = h2, "html"
    if title is None and cands:
        title, title_src = cands[0]
    if title is None and h1:
        title, title_src = h1, "html"
    title, title_src = _not_the_site_name(title, title_src, page, site_names, page_title, cands)
    title = _clean_title(title, page.language) if title else None
    return Headline(title or None, title_src if title else None, h1_el, h1, site_names, jl_title, og_title)


def _repeated_heading(
    page: Page, h1_el: Any, h1: str, cands: list[tuple[str, str]], og_key_title: str, page_title: str
) -> tuple[Any, str]:
    """The headline element: the first ``<h1>`` of the article, unless the metadata repeats another heading
    (several ``<h1>`` for menu, section and site name; an ``<h2>`` under a topic ``<h1>``; the ``<h1>`` that is the
    breadcrumb's last item). ``og_key_title``: ``og:title`` without the site's name."""
    tree, root = page.tree, page.root
    # the structured headlines, or without them the <title> (and its runs of parts around separators)
    keys = {_letters(c) for c, src in cands if src == "jsonld"} | {_letters(og_key_title)}
    if not any(keys):
        segs = _SEP_RE.split(page_title) if page_title else []
        keys = {_letters(c) for c, _ in cands}
        keys |= {_letters("".join(segs[:i])) for i in range(1, len(segs))}
        keys |= {_letters("".join(segs[i:])) for i in range(1, len(segs))}
    keys = {k for k in keys if len(k) >= 8}

    def repeated(k: str) -> bool:
        # the metadata repeats the heading, possibly with a short addition ("…, Thailand", "… – Update")
        return k in keys or (len(k) >= 20 and any(x.startswith(k) and len(k) >= 0.7 * len(x) for x in keys))

    if keys and not repeated(_letters(h1)):
        # several <h1> (menu, section name, site name, then the headline): the one the metadata repeats
        found = [
            (len(_letters(t)), i, el, t)
            for i, (el, t) in enumerate((e, _text(e)) for e in tree.iter("h1"))
            if el is not h1_el and repeated(_letters(t)) and not _links_home(el)
        ]
        if found:
            # the longest: a shorter match can be the site name that the <title> also carries
            _, _, h1_el, h1 = max(found, key=lambda x: (x[0], -x[1]))
        else:
            # no <h1> or one naming a topic or section ("Betriebliche Altersvorsorge", "Korsetts – Deutschland"
            # over a list): an <h2> of the article that the metadata repeats word for word is the headline
            h2_el = next(
                (
                    e
                    for e in itertools.islice((root if root is not None else tree).iter("h2"), 40)
                    if _letters(_text(e)) in keys and not _in_bad_container(e) and not _links_home(e)
                ),
                None,
            )
            if h2_el is not None:
                h1_el, h1 = h2_el, _text(h2_el)
    if h1_el is not None and _in_breadcrumb(h1_el):
        # the <h1> is the last item of the breadcrumb trail (an SEO title); the visible headline is the heading
        # of the article head that the metadata repeats, alone or after its kicker
        meta_keys = {_letters(c) for c, _ in cands} - {""}
        for e in itertools.islice(tree.iter("h2"), 40):
            t = _text(e)
            kick = _h1_kicker(e)
            shown = {_letters(t), _letters(kick[1]) if kick else ""}
            if t and shown & meta_keys and not _in_breadcrumb(e):
                h1_el, h1 = e, t
                break
    return h1_el, h1


def _title_from_heading(
    h1: str,
    h1_el: Any,
    kicker: tuple[str, str] | None,
    cands: list[tuple[str, str]],
    raw: tuple[str, str, str],
    site_names: list[str],
    url: str | None,
) -> tuple[str | None, str | None]:
    """The title read from the headline element against the metadata's candidates ``cands`` (``(text, source)``,
    site names stripped); ``raw``: the JSON-LD, Open Graph and ``<title>`` strings as stated. ``(None, None)``
    when the heading settles nothing."""
    page_title = raw[2]
    title: str | None = None
    title_src: str | None = None
    if kicker:
        # "<h1><kicker>…</kicker><headline>…</headline></h1>": the headline, unless the metadata keeps the kicker
        head = _kicker_title(*kicker, cands, len(cands) - bool(page_title))
        if head is not None and _letters(head) != _letters(h1):
            title, title_src = head, "html"
    if h1 and len(h1) < 300 and title is None:
        title, title_src = _heading_against_metadata(h1, cands, raw)
    if (
        title is None
        and h1
        and 2 <= len(h1.split()) <= 40
        and not _is_site_title(h1, site_names, url)
        and not _is_site_title(_strip_site_name(h1, site_names, url), site_names, url)
        and _shares_word(h1, " ".join(c for c, _ in cands))
        and h1_el is not None
        and len([ch for ch in h1_el if isinstance(ch.tag, str) and _text(ch)]) < 2  # not "<kicker><headline>"
        and not (
            page_title
            and len(_SEP_RE.split(page_title)) > 1
            and any(_letters(x) == _letters(h1) for x in _SEP_RE.split(page_title))
        )
    ):
        # the visible headline of the article differs from the SEO strings: it is what readers see (without
        # the kicker element before it: "<h1><span>Kicker</span> Headline</h1>"; when the metadata names that
        # first part, it is the headline and the rest a subtitle)
        title, title_src = h1, "html"
        if kicker:
            title = kicker[0] if any(_letters(c) == _letters(kicker[0]) for c, _ in cands) else kicker[1]
    return title, title_src


def _heading_against_metadata(
    h1: str, cands: list[tuple[str, str]], raw: tuple[str, str, str]
) -> tuple[str | None, str | None]:
    """The visible headline ``h1`` compared with each metadata candidate in turn (same words, one the other
    plus a site or kicker part): the first that settles it gives ``(title, source)``, else ``(None, None)``."""
    og_title, page_title = raw[1], raw[2]
    h1k = _letters(h1)
    raw_keys = [_letters(x) for x in raw if x]
    for (cand, src), raw_key in zip(cands, raw_keys, strict=True):
        ck = _letters(cand)
        if ck != h1k and h1k == raw_key:
            # the part taken for the site's name is part of the visible headline ("Welpen kaufen – Tipps …"
            # on the site "Welpen"): the whole string is the headline
            return h1, src
        if len(ck) > 10 and h1.startswith(cand) and _H1_TAIL_RE.match(h1[len(cand) :]):
            # "<h1>Headline | Blog name</h1>", "<h1>Headline 02.02.2022 • Section</h1>": the metadata string
            return cand, src
        if ck == h1k:
            # same words: the visible headline keeps the typography (quotes, dashes); a structured string
            # with more colons keeps the kicker separator that styled <span>s lose
            return (cand if cand.count(":") > h1.count(":") else h1), src
        if (
            src == "jsonld"
            and len(h1k) > 10
            and _letters(og_title) == ck
            and ck.endswith(h1k)
            and _is_kicker_prefix(cand, h1)
        ):
            # "Kicker: Headline" in the structured data, only the headline in <h1>: keep the kicker
            return cand, src
        if len(ck) > 10 and h1k.endswith(ck) and len(h1k) - len(ck) <= 40:
            # "<kicker span><headline span>" in <h1>: the structured headline without the kicker
            return cand, src
        if (len(h1k) > 10 and (h1k in _letters(page_title) or h1k in ck)) or (
            len(h1k) >= 4 and _SEP_RE.split(page_title)[0] == h1
        ):
            # the visible headline wins (measured: better than the structured string on the dev corpus)
            return h1, "html"
    return None, None


def _not_the_site_name(
    title: str | None,
    title_src: str | None,
    page: Page,
    site_names: list[str],
    page_title: str,
    cands: list[tuple[str, str]],
) -> tuple[str | None, str | None]:
    """A "headline" that is the site's name (blog header ``<h1>``, ``og:title`` of the site) is replaced by the
    page title without the site part or a heading of the article; a ``<title>`` with an unknown site part keeps
    its longest part ("Post title | Blog name", "Blog » Archiv » Post title")."""
    url, root = page.url, page.root
    if title and _is_site_title(title, site_names, url):
        names = [*site_names, title]
        alt = _strip_site_name(page_title, names, url) if page_title else ""
        if not alt or _is_site_title(alt, names, url):
            alt = next(
                (
                    t
                    for t in (_text(e) for e in root.iter("h1", "h2") if not _in_bad_container(e))
                    if t and not _is_site_title(t, names, url)
                ),
                "",
            )
        if alt:
            title, title_src = alt, "html"
    if (
        title
        and title_src == "meta"
        and title == cands[-1][0]
        and title.count(" ") >= 3
        and not any(c == title for c, _ in cands[:-1])
    ):
        parts = re.split(r"\s+[|»•·]\s+", title)
        if len(parts) > 1:
            title = max(parts, key=len)
    return title, title_src
