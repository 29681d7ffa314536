"""The ``keywords`` enricher: an article's top key phrases in its own language, by YAKE.

YAKE (Campos et al., "YAKE! Keyword extraction from single documents using multiple local features",
Information Sciences 509, 2020; the ``yake`` package, LGPLv3) scores every word sequence of one to three words
from statistics of the text alone — position, frequency, casing, spread over sentences, how many different
words surround it — so it needs no model and no corpus, and works in any language for which it ships a stop-word
list (German: 603 words, English: 574, and about 30 other languages, files inside the package; nothing is
downloaded). The same text gives the same phrases and scores in every process.

Column ``key_phrases``: a list of ``{"phrase", "score"}`` (``schemas.KEY_PHRASE``), best first, at most
:data:`TOP` entries; ``score`` is YAKE's score (lower is better, > 0, unbounded above, only comparable within one
article), rounded to 4 significant digits. Not to be confused with the parse stage's ``keywords`` column, the tags
the page itself declares (``<meta name="keywords">``, JSON-LD ``keywords``).

What is read: title, teaser and body (in that order, so the opening counts most, as in YAKE's position feature),
up to :data:`MAX_CHARS` characters. Left out before scoring, each replaced by a sentence break so no phrase spans
it: a dateline opening the text (``BERLIN (dpa) -``, ``WASHINGTON —``, ``LONDON, Dec 5 (Reuters) -``); agency
credits in parentheses (``(dpa)``, ``(afp/dpa/red)``, ``(FR mit dpa)``); short credit paragraphs (``Foto: …``,
``Quelle: …``, ``©…``, ``Mit Material von …``, ``Von Anna Muster``, ``By Anna Muster``, a paragraph that is only
an author's name); and every mention of an author's full name (the parse stage's byline). A phrase that still
contains a credited agency (``dpa`` in ``sagte der dpa``) or consists only of words of an author's name is
dropped.

Filters after YAKE (generic, from how the languages are written): in German a key phrase starts and ends with a
capitalised word or a number, since German capitalises every noun (drops ``ehemalige Anwältin Pam`` and
``Lienzer Talboden schickten``, keeps ``Vereinigten Arabischen Emirate``); in every language a phrase made only of
words inside a better-ranked phrase is dropped (``Matt Gaetz`` after ``Wunschkandidaten Matt Gaetz``).

Texts in a language without a YAKE stop-word list, in Chinese or Japanese (no spaces between words), or with no
detected language get an empty list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from tasks.config import EnrichConfig
from tasks.enrich.base import Enricher

#: Key phrases kept per article (YAKE's own default is 20; ten is what a keyword list in a news app shows).
TOP = 10
#: Longest phrase in words (YAKE's default ``n``).
MAX_WORDS = 3
#: Characters of title + teaser + body read (about the title, the lead and two paragraphs). YAKE's cost grows
#: linearly with the text (pure-Python objects per word and candidate phrase): on the 246 German and English
#: dev-corpus pages (``benchmarks/enrich_speed.py``, 2 busy cores) YAKE over whole texts ran at 22-24 articles per
#: CPU-second, at 1,500 characters at 50-60, which keeps the whole default stage at its target of 40 (issue
#: 16; measured 40-44 under a load average of 6-9); 63 % of the phrases are those of the whole text (70 % at
#: 2,000, 77 % at 2,500 characters). News puts the story's subject first.
MAX_CHARS = 1_500
#: YAKE's near-duplicate limit between phrases (its default, sequence-matcher similarity).
DEDUP_LIMIT = 0.9
#: ISO 639-1 codes whose YAKE stop-word file has another name.
_FILE_CODE = {"cs": "cz"}
#: Languages written without spaces between words: YAKE's whitespace tokenisation finds no phrases there.
_NO_SPACES = frozenset({"zh", "ja"})

_SPACE = re.compile(r"\s+")
_PARAS = re.compile(r"\n\s*\n")
# "BERLIN (dpa) -", "LONDON, Dec 5 (Reuters) -", "Managua (EFE).-": place, date, a parenthesised credit, a dash
_DATELINE_CREDIT = re.compile(r"^[A-ZÄÖÜ][\w.,'’ /-]{0,50}?\s*\([^()\n]{1,40}\)\.?\s*[-–—:]\s+")
# "WASHINGTON —", "BERLIN, 5. Dezember –": a place in capitals (and a date) before a dash
_DATELINE_CAPS = re.compile(r"^[A-ZÄÖÜ]{2,}(?:[ /-][A-ZÄÖÜ]{2,}){0,3}(?:,[^\n–—-]{1,30})?\s*[-–—]\s+")
_PARENS = re.compile(r"\(([^()\n]{1,60})\)")
_PAREN_TOKENS = re.compile(r"\s*(?:[/,;&+]|\bmit\b|\bwith\b|\bund\b|\band\b)\s*", re.I)
# short paragraphs that credit the text or a picture, or are a byline
_CREDIT_PARA = re.compile(
    r"^(?:fotos?|photos?|bild(?:er)?|images?|grafik|video|quellen?|sources?|credits?|mitarbeit|"
    r"mit\s+material\s+(?:von|der|des)|with\s+(?:material|reporting)\s+from|additional\s+reporting|"
    r"text|von|by|copyright)\b|^\s*(?:©|\(c\))",
    re.I,
)
_CREDIT_PARA_WORDS = 15  # a credit paragraph is short
_WORD = re.compile(r"[\w][\w'’.-]*")


@lru_cache(maxsize=64)
def stopwords(lang: str) -> frozenset[str] | None:
    """YAKE's stop-word list for ISO 639-1 ``lang`` (lower case, as shipped in ``yake/core/StopwordsList``), or
    None when YAKE ships none for it or the language has no spaces between words."""
    if lang in _NO_SPACES or not re.fullmatch(r"[a-z]{2}", lang or ""):
        return None
    path = resources.files("yake.core").joinpath("StopwordsList", f"stopwords_{_FILE_CODE.get(lang, lang)}.txt")
    if not path.is_file():
        return None
    words = path.read_text(encoding="utf-8").lower().split("\n")
    return frozenset(w.strip() for w in words if w.strip())


def _agency_spellings(agencies: Sequence[str]) -> set[str]:
    """Lower-case spellings of the credited ``agencies`` and every spelling of the parse stage's agency table
    that maps to one of them (``dpa`` → ``dpa``, ``deutsche presse-agentur``)."""
    from tasks.parse.agencies import AGENCIES  # the parse stage's agency table (spellings → canonical code)

    wanted = {a for a in agencies if a}
    return {a.lower() for a in wanted} | {k for k, v in AGENCIES.items() if v in wanted}


def _is_agency_credit(inner: str, spellings: set[str]) -> bool:
    """True when the text inside parentheses names only agencies and desk initials (``dpa``, ``afp/dpa/red``,
    ``FR mit dpa``), at least one of them an agency."""
    from tasks.parse.agencies import AGENCIES

    parts = [p.strip(" .").lower() for p in _PAREN_TOKENS.split(inner) if p.strip(" .")]
    known = [p for p in parts if p in AGENCIES or p in spellings]
    return bool(known) and all(p in known or re.fullmatch(r"[a-zäöü]{1,4}", p) for p in parts)


def clean_text(doc: Mapping[str, Any], max_chars: int | None = None) -> str:
    """Title, teaser and body of ``doc`` without bylines, datelines and credits (see the module docstring), as
    paragraphs separated by ``". "`` breaks, cut to at most ``max_chars`` (default :data:`MAX_CHARS`) characters at
    a word boundary."""
    authors = [a.strip() for a in doc.get("authors") or () if isinstance(a, str) and a.strip()]
    spellings = _agency_spellings(doc.get("agencies") or ())
    parts: list[str] = []
    for field in ("title", "teaser", "body"):
        value = doc.get(field)
        if not isinstance(value, str):
            continue
        for i, para in enumerate(p.strip() for p in _PARAS.split(value)):
            if not para:
                continue
            if field == "body" and i == 0:
                para = _DATELINE_CAPS.sub("", _DATELINE_CREDIT.sub("", para))
            if _is_credit_paragraph(para, authors):
                continue
            para = _PARENS.sub(lambda m: " . " if _is_agency_credit(m.group(1), spellings) else m.group(0), para)
            for name in authors:
                para = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " . ", para)
            parts.append(_SPACE.sub(" ", para).strip())
    text = " . ".join(p for p in parts if p)
    max_chars = MAX_CHARS if max_chars is None else max_chars
    if len(text) > max_chars:
        cut = text.rfind(" ", 0, max_chars + 1)
        text = text[: cut if cut > 0 else max_chars]
    return text


def _is_credit_paragraph(para: str, authors: Sequence[str]) -> bool:
    """A short paragraph that credits the text or a picture (``Foto: dpa``, ``Von Anna Muster``) or is only an
    author's name (with an agency or a comma-separated role at most)."""
    words = para.split()
    if len(words) > _CREDIT_PARA_WORDS:
        return False
    if _CREDIT_PARA.search(para):
        return True
    stripped = para.strip(" .,:;|–—-")
    return any(stripped.startswith(a) and len(words) <= len(a.split()) + 3 for a in authors)


def _keep(phrase: str, lang: str, chosen: list[list[str]], blocked: set[str], author_words: set[str]) -> bool:
    words = [w.lower() for w in _WORD.findall(phrase)]
    if not words:
        return False
    if lang == "de":
        first, last = phrase.split()[0], phrase.split()[-1]
        if not (first[:1].isupper() or first[:1].isdigit()) or not (last[:1].isupper() or last[:1].isdigit()):
            return False
    if any(w in blocked for w in words) or phrase.lower() in blocked:
        return False
    if author_words and all(w in author_words for w in words):
        return False
    return not any(_contains(c, words) for c in chosen)


def _contains(longer: list[str], words: list[str]) -> bool:
    """True when ``words`` occur in ``longer`` as one contiguous run."""
    n = len(words)
    return any(longer[i : i + n] == words for i in range(len(longer) - n + 1))


def key_phrases(doc: Mapping[str, Any], lang: str | None) -> list[dict[str, Any]]:
    """The top :data:`TOP` key phrases of ``doc`` (a mapping with ``title``, ``teaser``, ``body``, ``authors``,
    ``agencies``) in language ``lang`` (ISO 639-1), best first, as ``{"phrase": str, "score": float}``; ``[]``
    for a language YAKE has no stop words for, or a text without phrases. Deterministic."""
    import yake  # imported on first use: 0.25 s (networkx, numpy)

    stops = stopwords(lang) if lang else None
    text = clean_text(doc)
    if stops is None or not text:
        return []
    extractor = yake.KeywordExtractor(lan=lang, n=MAX_WORDS, dedup_lim=DEDUP_LIMIT, top=TOP * 2, stopwords=set(stops))
    blocked = _agency_spellings(doc.get("agencies") or ())
    author_words = {w.lower() for a in doc.get("authors") or () if isinstance(a, str) for w in _WORD.findall(a)}
    chosen: list[list[str]] = []
    out: list[dict[str, Any]] = []
    for phrase, score in extractor.extract_keywords(text):
        phrase = phrase.strip(" .")
        if len(out) == TOP or not _keep(phrase, lang or "", chosen, blocked, author_words):
            continue
        chosen.append([w.lower() for w in _WORD.findall(phrase)])
        out.append({"phrase": phrase, "score": float(f"{float(score):.4g}")})
    return out


def run(docs: Sequence[Mapping[str, Any]], cfg: EnrichConfig) -> list[dict[str, Any]]:
    """``key_phrases`` per document, in its detected ``language`` (the ``language`` enricher's column; without
    it, the page's ``declared_language``)."""
    out: list[dict[str, Any]] = []
    for doc in docs:
        lang = doc.get("language") or doc.get("declared_language")
        out.append({"key_phrases": key_phrases(doc, lang)})
    return out


ENRICHER = Enricher(
    name="keywords",
    version="1",
    columns=("key_phrases",),
    run=run,
    method="YAKE (statistical, no model) over title + teaser + body without bylines, datelines and credits",
)
