"""The ``quantities`` enricher: numbers written with digits, with their scale, unit or counted noun.

Each quantity is ``{"value": float, "unit": str | None, "text": str, "method": str}`` (``schemas.QUANTITY``):

- number formats by the article's language: German ``14.000`` / ``1,5`` / ``10 000``, English ``14,000`` / ``2.5``
  (a single group whose separator is the language's decimal mark is a decimal: English ``1.500`` is 1.5, German
  ``1,500`` is 1.5; several groups, or an unknown language, read as thousands);
- scale words: ``Tausend``, ``Mio.``/``Million(en)``, ``Mrd.``/``Milliarde(n)``, ``Billion(en)`` (10^12),
  ``thousand``, ``million``, ``billion`` (10^9), ``trillion``, ``bn``, and ``k``/``m`` after a currency sign
  (``$5m``) — value ``1,5 Millionen Euro`` → 1500000;
- ``method = "percent"`` for ``%``, ``Prozent``, ``percent``, ``per cent`` (unit ``%``; ``Prozentpunkte`` and
  ``percentage points`` keep their words); ``method = "money"`` for a currency sign or code before or after the
  number (``€``, ``$``, ``£``, ``US$``, ``EUR``, ``USD``, ``CHF``) or a currency word after it (``Euro``,
  ``Dollar``, ``US-Dollar``, ``Pfund``, ``Franken``, ``dollars``, …), unit as written; else ``method = "number"``
  with a measure symbol (``km``, ``kg``, ``°C``, ``MW``, …) or the counted noun as written: in German the next
  capitalised word, skipping up to two inflected adjectives (``11.000 nordkoreanische Soldaten`` → ``Soldaten``);
  in English the next word unless it is a function word, skipping capitalised words and a few adjectives
  (``11,000 North Korean troops`` → ``troops``; no unit before a contraction or a word of six letters or more
  ending in ``-ing``, which reads as a verb) and taking the head of a short noun compound (``600 strike
  drones`` → ``drones``); ``None`` when there is none.

Not quantities: years (a bare 4-digit number 1900–2099, or 1000–2099 after a year word such as ``im``/``seit``/
``in``/``since`` or anywhere in English text, unless a unit, currency, percent or scale follows or an
approximator such as ``rund``/``about`` precedes it and a counted noun follows), dates (``28. April 2025``,
``28.04.2025``, ``April 28, 2025``, ``2025-04-28``), clock times (``18:30``, ``18.30 Uhr``, ``8 Uhr``, ``8 a.m.``),
scores (``2:1``), ages
(``47-jährige``, ``47 Jahre alt``, ``47-year-old``, ``aged 47``, ``Name (47)``, ``Jane Roe, 47,``),
ordinals (``3rd``; German ``3.``
after an article or preposition or before a lowercase word), numbers glued to letters or hyphens (``F-16``,
``Covid-19``, ``5G``, ``3-D``) and numbers after a reference word (``Nr.``, ``§``, ``Artikel``, ``page``, …).
The first, smaller number of a range (``3.000 bis 4.000 Soldaten``, ``10-15 percent``) takes the second one's unit
and scale.
Duplicates (equal value and unit) are kept once, at their first mention; order is text order.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from tasks.config import EnrichConfig
from tasks.enrich.base import Enricher, join_text, word_set

_SP = r"[ \u00a0\u202f\u2009]"
_NUM = (
    r"(?P<num>\d{1,3}(?:(?P<sep>[.,\u00a0\u202f\u2009 ])\d{3})(?:(?P=sep)\d{3})*(?:[.,]\d+)?"
    r"|\d+(?:[.,]\d+)?)"
)
_CANDIDATE = re.compile(
    rf"(?:(?<![\w$€£¥])(?P<cur>US\$|\$|€|£|¥|EUR|USD|CHF|GBP){_SP}?)?(?<![\w.,/])(?<![^\W\d_]-){_NUM}(?![.,]?\d)(?!-[^\W\d_])"
)

_SCALES: dict[str, int] = {
    "tausend": 10**3,
    "thousand": 10**3,
    "mio": 10**6,
    "mio.": 10**6,
    "million": 10**6,
    "millionen": 10**6,
    "millions": 10**6,
    "mrd": 10**9,
    "mrd.": 10**9,
    "milliarde": 10**9,
    "milliarden": 10**9,
    "billion": 10**9,  # English; German "Billion" is handled by language below
    "billionen": 10**12,
    "billions": 10**9,
    "bn": 10**9,
    "trillion": 10**12,
    "trillions": 10**12,
    "tn": 10**12,
}
_SCALE = re.compile(
    rf"{_SP}?(?P<w>Tausend|tausend|thousand|Mio\.?|Millionen|Million|millions?|Mrd\.?|Milliarden|Milliarde|"
    rf"Billionen|Billion|billions?|trillions?|bn|tn)(?![\w])"
)
_SHORT_SCALE = re.compile(r"(?P<w>[kKmM])(?![\w])")  # $5m, €50k: only right after a currency sign
_PERCENT = re.compile(
    rf"{_SP}?(?P<u>%|Prozentpunkten?|Prozent|percentage points?|percent|per cent|pct)(?![\w])", re.IGNORECASE
)
_CURRENCY_AFTER = re.compile(
    rf"{_SP}?(?P<u>€|\$|£|US-Dollar|Dollar|dollars?|Euro|euros?|Pfund|pounds?|Franken|francs?|Yen|yen|Yuan|yuan|"
    rf"Rubel|rubles?|roubles?|Cent|cents|EUR|USD|CHF|GBP)(?![\w-])"
)
_MEASURE = re.compile(
    rf"{_SP}?(?P<u>km/h|km²|m²|m³|°C|°F|kWh|MWh|GWh|TWh|kW|MW|GW|GB|TB|MB|mph|km|cm|mm|kg|mg|ha|qm|ml|lbs|lb|oz|"
    rf"ft|mi|°|m|t|g|h|l)(?![\w])"
)
_WORD = re.compile(rf"{_SP}+(?P<w>[^\W\d_][\w-]*)")
_GLUED_LETTER = re.compile(r"[^\W\d_]")

_MONTHS_DE = r"Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
_MONTHS_DE_SHORT = r"Jan|Feb|Mär|Apr|Jun|Jul|Aug|Sep|Sept|Okt|Nov|Dez"
_MONTHS_EN = r"January|February|March|April|May|June|July|August|September|October|November|December"
_MONTHS_EN_SHORT = r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
_MONTH = rf"(?:{_MONTHS_DE}|{_MONTHS_EN}|(?:{_MONTHS_DE_SHORT}|{_MONTHS_EN_SHORT})\.?)"
#: Spans that are never quantities (dates, times, scores, ages, ordinals); numbers inside them are skipped.
_EXCLUDED = re.compile(
    "|".join(
        [
            rf"\b\d{{1,2}}\.?{_SP}?{_MONTH}(?:{_SP}\d{{4}})?(?![\w])",  # 28. April 2025, 28 April
            rf"\b\d{{1,2}}(?:st|nd|rd|th)?{_SP}(?:of{_SP})?{_MONTH}(?:,?{_SP}\d{{4}})?(?![\w])",
            rf"\b{_MONTH}{_SP}\d{{1,2}}(?:st|nd|rd|th)?(?:,?{_SP}\d{{4}})?(?![\w.,]?\d)",  # April 28, 2025
            rf"\b{_MONTH}{_SP}\d{{4}}\b",  # April 2025
            r"\b\d{1,2}\.\d{1,2}\.(?:\d{2,4})?(?![\d])",  # 28.04.2025, 28.4.
            r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b",
            r"\b\d{4}[/–-]\d{2,4}\b",  # 2020/21, 2020-2024
            rf"\b\d{{1,2}}[:.]\d{{2}}(?::\d{{2}})?{_SP}?(?:Uhr|h)\b",  # 18.30 Uhr
            r"\b\d{1,2}:\d{1,2}(?::\d{2})?\b",  # 18:30, 2:1
            rf"\b\d{{1,2}}{_SP}?(?:Uhr|a\.m\.|p\.m\.|am\b|pm\b|o'clock)",
            r"\b\d{1,3}-?(?:[jJ]ährigen?|[jJ]ährige[mrs]?|[jJ]ährig)",  # 47-jährige
            rf"\b\d{{1,3}}{_SP}(?:Jahre|years){_SP}(?:alt|old)\b",
            r"\b\d{1,3}-years?-old\b",
            rf"\b(?:aged|Alter{_SP}von){_SP}\d{{1,3}}\b",
            r"(?<=[^\W\d_]{2}) \(\d{1,3}\)",  # Name (47)
            # an age set off by commas after a name or noun: "Jane Roe, 33, said", "the victim, 19, was" (the news
            # convention for ages, AP Stylebook "ages"); a counted noun after the number ("Firma, 300 Mitarbeiter,")
            # or a digit before the comma (a list "3, 4, 5") is not such an apposition
            r"(?<=[^\W\d_]), \d{1,3},(?![\d])",
        ]
    )
)
#: Words before a number that make it a reference, not a quantity.
_REFERENCE_WORDS = word_set(
    "nr nr. no no. nummer number § §§ art. artikel article paragraf paragraph seite page kapitel chapter "
    "abschnitt section folge episode staffel season version level stufe gleis linie line route zimmer "
    "raum room bus flug flight tor platz ziffer absatz"
)
_YEAR_WORDS = word_set(
    "im in jahr jahres jahre year years seit since bis until von from um ab anno sommer winter frühjahr "
    "herbst spring summer autumn fall ende end anfang beginning mitte"
)
_APPROX_WORDS = word_set(
    "rund etwa circa ca. ungefähr fast knapp mehr über weitere bis insgesamt mindestens höchstens about "
    "around some nearly almost approximately roughly over more than least up"
)
_ORDINAL_BEFORE = word_set(
    "der die das den dem des am im zum zur vom beim ins ab bis seit zum jeder jede jedes ihr ihre sein seine"
)
_DE_ADJ = re.compile(r"[a-zäöüß][\w-]{2,}(?:e|en|er|es|em)$")
_DE_NOT_ADJ = word_set(
    "waren haben hatten werden wurden sollen sollten seien sind sein einen einem einer eines keine diese "
    "dieser dieses jene jener wollen wollten können konnten müssen mussten dürfen durften gegen unter "
    "über oder aber sowie wieder immer nicht schon noch"
)
_EN_FUNCTION = word_set(
    "a an the of to in on at by for from with and or but nor as than that which who whom whose this these "
    "those is are was were be been being am has have had do does did will would shall should can could "
    "may might must it its he she they we you i his her their our your my me him them us there here when "
    "where while if so per each every all any both either neither not no yes also only just over under "
    "about around up down out into onto upon after before since until between among against during "
    "through across"
)
_EN_SKIP = word_set("more new additional other extra further fewer less")
_EN_PLURALS = word_set("people men women children police staff cattle sheep fish personnel")


def _parse_number(num: str, sep: str | None, lang: str | None) -> Decimal | None:
    """The value of a digit string as matched by :data:`_CANDIDATE` (see the module docstring)."""
    decimal_mark = {"de": ",", "en": "."}.get(lang or "")
    if sep is not None:
        groups = num.split(sep)
        tail = ""
        last = groups[-1]
        if len(last) > 3:  # 1.234,5: a decimal part after the last group
            tail, groups[-1] = last[3:], last[:3]
        if len(groups) == 2 and not tail and sep == decimal_mark:
            text = f"{groups[0]}.{groups[1]}"
        else:
            text = "".join(groups) + ("." + tail[1:] if tail else "")
    elif "," in num or "." in num:
        mark = "," if "," in num else "."
        whole, frac = num.split(mark)
        if decimal_mark is None or mark != decimal_mark:
            # the other language's mark: 3 digits after it are a thousands group, else a decimal part
            text = whole + frac if len(frac) == 3 and decimal_mark is not None else f"{whole}.{frac}"
        else:
            text = f"{whole}.{frac}"
    else:
        text = num
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _word_before(text: str, start: int) -> str:
    m = re.search(r"(\S+)\s*$", text[max(0, start - 40) : start])
    return m.group(1).lower() if m else ""


def _counted_noun(text: str, pos: int, lang: str | None) -> tuple[str | None, int]:
    """The counted noun after ``pos`` (see the module docstring) and the end of its span."""
    cur = pos
    for _ in range(3):
        m = _WORD.match(text, cur)
        if not m:
            return None, pos
        word = m.group("w")
        if lang == "de" or (lang != "en" and word[0].isupper()):
            if word[0].isupper():
                return word, m.end()
            if _DE_ADJ.match(word) and word not in _DE_NOT_ADJ:
                cur = m.end()
                continue
            return None, pos
        if word.lower() in _EN_FUNCTION or text[m.end() : m.end() + 1] in ("'", "’"):
            return None, pos  # a function word or a contraction (wasn't)
        if word.islower() and len(word) > 5 and word.endswith("ing"):
            return None, pos  # a verb form: "148 kicking" ("12 injured" keeps its unit)
        if word[0].isupper() or word.lower() in _EN_SKIP:
            cur = m.end()
            continue
        return _english_head(text, word, m.end())
    return None, pos


def _english_head(text: str, word: str, end: int) -> tuple[str, int]:
    """The head of an English noun phrase starting with ``word``: ``strike drones`` → ``drones``. A word not
    ending in ``s`` (and not an irregular plural) is extended by up to two following lowercase content words
    that do not look like verbs or adverbs (``-ed``, ``-ing``, ``-ly``)."""
    for _ in range(2):
        if word.endswith("s") or word.lower() in _EN_PLURALS:
            break
        m = _WORD.match(text, end)
        if not m:
            break
        nxt = m.group("w")
        if not nxt.islower() or nxt in _EN_FUNCTION or nxt.endswith(("ed", "ing", "ly")):
            break
        word, end = nxt, m.end()
    return word, end


def _is_year(value: Decimal, num: str, before: str, has_unit: bool, noun: str | None, lang: str | None) -> bool:
    """A bare 4-digit number read as a year: 1900–2099, or 1000–2099 after a year word or in English text
    (which groups thousands: ``1,500``); not when a measure follows or an approximator and a noun surround it."""
    if has_unit or not (len(num) == 4 and num.isdigit()):
        return False
    if before in _APPROX_WORDS and noun is not None:
        return False
    return 1900 <= value <= 2099 or (1000 <= value <= 2099 and (before in _YEAR_WORDS or lang == "en"))


def find_quantities(text: str, lang: str | None = None) -> list[dict[str, Any]]:
    """Quantities in ``text`` (see the module docstring), for language ``lang`` (ISO 639-1; ``de`` and ``en``
    have their own number formats and noun rules, other languages get the language-neutral reading)."""
    excluded = [m.span() for m in _EXCLUDED.finditer(text)]
    found: list[_Found] = []
    for m in _CANDIDATE.finditer(text):
        start, end = m.span()
        nstart = m.start("num")
        if any(a < m.end("num") and nstart < b for a, b in excluded):
            continue
        before = _word_before(text, start)
        if before in _REFERENCE_WORDS:
            continue
        value = _parse_number(m.group("num"), m.group("sep"), lang)
        num = m.group("num")
        if value is None or len(num) > 15 or (len(num) > 1 and num[0] == "0" and num[1].isdigit()):
            continue  # no number, a long code, or a leading zero (02, 007)
        cur = m.group("cur")
        if lang == "de" and text.startswith(".", end) and not text.startswith("..", end):
            nxt = text[end + 1 : end + 3]
            if before in _ORDINAL_BEFORE or (len(nxt) == 2 and nxt[0] == " " and nxt[1].islower()):
                continue  # German ordinal: "im 3. Quartal", "3. bis 5."
        pos = end
        scale = 1
        sm = _SCALE.match(text, pos) or (_SHORT_SCALE.match(text, pos) if cur else None)
        if sm:
            word = sm.group("w").lower()
            scale = {"k": 10**3, "m": 10**6}.get(word) or _SCALES[word]
            if word == "billion" and lang == "de" and sm.group("w") == "Billion":
                scale = 10**12
            pos = sm.end()
        unit: str | None = cur
        method = "money" if cur else "number"
        if not cur:
            for pattern, kind in ((_PERCENT, "percent"), (_CURRENCY_AFTER, "money"), (_MEASURE, "number")):
                um = pattern.match(text, pos)
                if um and not (kind == "number" and sm):
                    unit, method, pos = um.group("u"), kind, um.end()
                    if kind == "percent" and unit.lower() in ("%", "prozent", "percent", "per cent", "pct"):
                        unit = "%"
                    break
        if pos < len(text) and _GLUED_LETTER.match(text, pos):
            continue  # 3rd, 5G, 10am: digits glued to letters that are no unit or scale
        noun = None
        if unit is None:
            noun, noun_end = _counted_noun(text, pos, lang)
            if noun is not None:
                unit, pos = noun, noun_end
        has_unit = unit is not None and noun is None
        if not cur and not sm and method == "number" and _is_year(value, m.group("num"), before, has_unit, noun, lang):
            continue
        found.append(_Found(start, pos, value, scale, unit, method, text[start:pos], sm is not None))
    _share_range_units(text, found)
    out: list[dict[str, Any]] = []
    seen: set[tuple[float, str | None]] = set()
    for f in found:
        val = float(f.value * f.scale)
        if (val, f.unit) not in seen:
            seen.add((val, f.unit))
            out.append({"value": val, "unit": f.unit, "text": f.text, "method": f.method})
    return out


@dataclass
class _Found:
    start: int
    end: int
    value: Decimal
    scale: int
    unit: str | None
    method: str
    text: str
    scaled: bool


_RANGE_LINK = re.compile(rf"{_SP}*(?:-|–|bis|und|oder|to|and|or){_SP}*")


def _share_range_units(text: str, found: list[_Found]) -> None:
    """``3.000 bis 4.000 Soldaten``, ``10-15 percent``, ``1 to 2 million``: the first number of a range takes the
    second one's unit, method and (when it has none of its own) scale."""
    for a, b in itertools.pairwise(found):
        if (
            a.unit is None
            and not a.scaled
            and b.unit is not None
            and a.value < b.value
            and _RANGE_LINK.fullmatch(text, a.end, b.start)
        ):
            a.unit, a.method = b.unit, b.method
            a.scale = b.scale


def run(docs: Sequence[Mapping[str, Any]], cfg: EnrichConfig) -> list[dict[str, Any]]:
    """``quantities`` of title + teaser + body, read in the document's detected ``language``."""
    return [{"quantities": find_quantities(join_text(doc), doc.get("language"))} for doc in docs]


ENRICHER = Enricher(
    name="quantities",
    version="2",  # 2: ages in commas after a name ("Jane Roe, 33,") are not quantities
    columns=("quantities",),
    run=run,
    method="rules: German/English number formats, scale words, percent, currency, measure symbols, counted noun; "
    "years, dates, clock times, ages, ordinals and references excluded",
)
