"""Structured data: the JSON-LD graph (all blocks, ``@graph`` and ``@id`` references, schema.org article
types), meta tags (Open Graph, Twitter cards, Dublin Core), the declared language, keywords and paywall flags.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import lxml.html

from .agencies import _agencies_in
from .names import _split_names
from .normalise import _dedupe, _norm_ws

# ---- JSON-LD ----------------------------------------------------------------------------------------------


_SURROGATE_ESCAPE_RE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")


def _replace_surrogates(obj: Any) -> Any:
    if isinstance(obj, str):
        return _SURROGATE_RE.sub("\ufffd", obj)
    if isinstance(obj, list):
        return [_replace_surrogates(v) for v in obj]
    if isinstance(obj, dict):
        return {_replace_surrogates(k): _replace_surrogates(v) for k, v in obj.items()}
    return obj


def _no_lone_surrogates(objs: list[Any], raw: str) -> list[Any]:
    """A ``\\ud800`` escape without its pair decodes to a lone surrogate, which no UTF-8 writer accepts (one such
    author name made the parse stage fail to store its whole batch): those become U+FFFD (pairs were joined)."""
    if not _SURROGATE_ESCAPE_RE.search(raw):
        return objs
    try:
        return [_replace_surrogates(o) for o in objs]
    except RecursionError:
        return []


def _load_jsonld(raw: str) -> list[Any]:
    """Parse one ld+json script leniently: trailing ``;``, HTML comment/CDATA wrappers, several objects."""
    raw = raw.strip()
    raw = re.sub(r"^(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)", "", raw).strip()
    raw = re.sub(r"(?:-->|//\s*\]\]>|\]\]>)$", "", raw).strip()
    raw = raw.rstrip(";").strip()
    if not raw:
        return []
    try:
        return _no_lone_surrogates([json.loads(raw)], raw)
    except RecursionError:
        return []  # absurdly deep nesting (hostile page): this block is dropped, the others are kept
    except json.JSONDecodeError:
        pass
    except ValueError:
        return []  # an integer longer than Python's int digit limit: this block is dropped too
    decoder = json.JSONDecoder()
    out = []
    pos = 0
    # control characters inside strings are common; strict=False tolerates them
    decoder = json.JSONDecoder(strict=False)
    while pos < len(raw):
        while pos < len(raw) and raw[pos] in " \t\r\n;,":
            pos += 1
        if pos >= len(raw):
            break
        try:
            obj, end = decoder.raw_decode(raw, pos)
        except (ValueError, RecursionError):  # JSONDecodeError, or an integer over the digit limit
            break
        out.append(obj)
        pos = end
    return _no_lone_surrogates(out, raw)


def _iter_nodes(obj: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(obj, list):
        for x in obj:
            yield from _iter_nodes(x, depth + 1)
    elif isinstance(obj, dict):
        yield obj
        graph = obj.get("@graph")
        if graph is not None:
            yield from _iter_nodes(graph, depth + 1)
        for key in ("mainEntity", "mainEntityOfPage", "itemListElement", "hasPart"):
            val = obj.get(key)
            if isinstance(val, dict | list):
                yield from _iter_nodes(val, depth + 1)


def _types(node: dict[str, Any]) -> list[str]:
    t = node.get("@type")
    if isinstance(t, str):
        return [t]
    if isinstance(t, list):
        return [x for x in t if isinstance(x, str)]
    return []


def _is_article_type(types: list[str]) -> bool:
    return any(
        t.endswith("Article") or t in ("BlogPosting", "LiveBlogPosting", "SocialMediaPosting", "Report") for t in types
    )


def _str_val(v: Any) -> str | None:
    if isinstance(v, str):
        return v
    if isinstance(v, list) and v and isinstance(v[0], str):
        return v[0]
    if isinstance(v, dict):
        for k in ("name", "@value", "text"):
            if isinstance(v.get(k), str):
                return str(v[k])
    return None


class _JsonLd:
    def __init__(self, scripts: list[str]) -> None:
        self.nodes: list[dict[str, Any]] = []
        for raw in scripts:
            for obj in _load_jsonld(raw):
                self.nodes.extend(_iter_nodes(obj))
        self.by_id = {n["@id"]: n for n in self.nodes if isinstance(n.get("@id"), str) and len(n) > 1}
        self.types = [t for n in self.nodes for t in _types(n)]
        articles = [n for n in self.nodes if _is_article_type(_types(n))]
        self.article: dict[str, Any] | None = None
        if articles:
            self.article = max(
                articles,
                key=lambda n: (
                    bool(n.get("headline") or n.get("name")),
                    bool(n.get("datePublished")),
                    bool(n.get("articleBody")),
                    len(n),
                ),
            )
        pages = [n for n in self.nodes if any(t.endswith("WebPage") for t in _types(n))]
        self.webpage = pages[0] if pages else None

    def resolve(self, v: Any) -> Any:
        if isinstance(v, dict) and "@id" in v and len(v) <= 2 and isinstance(v["@id"], str):
            return self.by_id.get(v["@id"], v)
        return v

    def get(self, key: str, webpage_fallback: bool = True) -> Any:
        for node in (self.article, self.webpage if webpage_fallback else None):
            if node and node.get(key) not in (None, "", []):
                return node[key]
        return None

    def authors(self) -> tuple[list[str], list[str]]:
        """Return (person names, agency names) of the article's author/creator."""
        raw = self.get("author", webpage_fallback=False) or self.get("creator", webpage_fallback=False)
        if raw is None:
            return [], []
        items = raw if isinstance(raw, list) else [raw]
        names: list[str] = []
        agencies: list[str] = []
        for it in items:
            it = self.resolve(it)
            if isinstance(it, str):
                if it.startswith("http"):
                    continue
                agencies.extend(_agencies_in(it))
                names.extend(_split_names(it))
            elif isinstance(it, dict):
                name = _str_val(it.get("name"))
                if not name and isinstance(it.get("familyName"), str):
                    name = f"{it.get('givenName') or ''} {it['familyName']}".strip()
                if not name:
                    continue
                types = _types(it)
                agencies.extend(_agencies_in(name))
                if types and not any(t.lower() == "person" for t in types):
                    continue
                names.append(name)
        return names, agencies

    def author_organisations(self) -> list[str]:
        """Names of the article's authors that JSON-LD types as an organisation (``"author": {"@type":
        "Organization", "name": "OÖ Volksblatt"}``): the same name in a meta author tag is no person either."""
        raw = self.get("author", webpage_fallback=False) or self.get("creator", webpage_fallback=False)
        out = []
        for it in raw if isinstance(raw, list) else [raw]:
            it = self.resolve(it)
            types = _types(it) if isinstance(it, dict) else []
            if any(re.search(r"organi[sz]ation|corporation", t, re.I) for t in types) and not any(
                t.lower() == "person" for t in types
            ):
                name = _str_val(it.get("name"))
                if name:
                    out.append(name)
        return out

    def publisher_is_person(self) -> bool:
        """True when the JSON-LD publisher is a Person (a personal blog: publisher and author coincide)."""
        for node in (self.article, self.webpage):
            if node:
                pub = self.resolve(node.get("publisher"))
                if isinstance(pub, list) and pub:
                    pub = self.resolve(pub[0])
                if isinstance(pub, dict):
                    return "Person" in _types(pub)
        return False

    def publisher_name(self) -> str | None:
        for node in (self.article, self.webpage):
            if node:
                pub = self.resolve(node.get("publisher"))
                if isinstance(pub, list) and pub:
                    pub = self.resolve(pub[0])
                name = _str_val(pub) if pub else None
                if name:
                    return name
        for n in self.nodes:
            if "WebSite" in _types(n) or "NewsMediaOrganization" in _types(n):
                name = _str_val(n.get("name"))
                if name:
                    return name
        return None


# ---- meta -------------------------------------------------------------------------------------------------


def _collect_meta(tree: lxml.html.HtmlElement) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        val = el.get("content")
        if key and val is not None:
            val = val.strip()
            if val:
                meta.setdefault(key.strip().lower(), []).append(val)
    return meta


def _m(meta: dict[str, list[str]], *keys: str) -> str | None:
    for k in keys:
        vals = meta.get(k)
        if vals:
            return vals[0]
    return None


_PUB_META_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "og:published_time",
    "published_time",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "cxenseparse:recs:publishtime",
    "date_published",
    "dc.date.created",
    "citation_publication_date",
    "originalpublicationdate",
    "article_date_original",
    "last-modified",
)
_MOD_META_KEYS = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "article:modified",
    "dcterms.modified",
    "dc.date.modified",
    "modified_time",
    "lastmod",
)


# ---- main ------------------------------------------------------------------------------------------------


def _lang(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip().lower().replace("_", "-").split("-")[0].split(",")[0].strip()
    three = {
        "deu": "de",
        "ger": "de",
        "eng": "en",
        "fra": "fr",
        "fre": "fr",
        "spa": "es",
        "ita": "it",
        "por": "pt",
        "nld": "nl",
        "dut": "nl",
        "pol": "pl",
        "rus": "ru",
        "tur": "tr",
    }
    if v in three:
        return three[v]
    return v if re.fullmatch(r"[a-z]{2}", v) else None


def _as_bool(v: Any) -> bool | None:
    if isinstance(v, bool):
        return v
    if isinstance(v, str):
        s = v.strip().lower()
        if s in ("true", "yes", "1"):
            return True
        if s in ("false", "no", "0"):
            return False
    return None


def _keywords(jl: _JsonLd, meta: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    raw = jl.get("keywords", webpage_fallback=False)
    if isinstance(raw, str):
        out.extend(raw.split(","))
    elif isinstance(raw, list):
        out.extend(x for x in raw if isinstance(x, str))
    for key in ("news_keywords", "keywords"):
        for v in meta.get(key, []):
            out.extend(v.split(","))
    out.extend(meta.get("article:tag", []))
    return _dedupe(k for k in (_norm_ws(x) for x in out) if k and len(k) < 80)[:50]


def accessible_for_free(jl: _JsonLd) -> bool | None:
    """schema.org ``isAccessibleForFree`` of the article, or of its first ``hasPart`` that states it (the
    paywalled-section markup Google documents); None when the page does not say."""
    free = jl.get("isAccessibleForFree")
    if free is None and jl.article:
        parts = jl.article.get("hasPart")
        for part in parts if isinstance(parts, list) else [parts]:
            if isinstance(part, dict) and "isAccessibleForFree" in part:
                free = part["isAccessibleForFree"]
                break
    return _as_bool(free)
