"""Wire agencies named in text: the agency table and the rules that read a credit string.

:data:`AGENCIES` maps spellings ("dpa", "Deutsche Presse-Agentur", "AP", "Reuters", "AFP", "EFE", "APA", "KNA",
"epd", ...) to one canonical code each; the patterns here find them in end tags ("(afp/dpa)", "(FR mit dpa)"),
datelines ("BERLIN (dpa) -", "Managua (EFE).-"), credit lines and copyright holders. Source of the table: the names and
abbreviations the agencies print in bylines, datelines and end tags (no external list is copied); keys are
lower-case tokens, looked up token by token.
"""

from __future__ import annotations

import re

from .normalise import _dedupe

#: normalised spelling of news agencies (key: lowercase token)
AGENCIES: dict[str, str] = {
    "dpa": "dpa",
    "afp": "AFP",
    "ap": "AP",
    "associated press": "AP",
    "the associated press": "AP",
    "reuters": "Reuters",
    "kna": "KNA",
    "epd": "epd",
    "sid": "SID",
    "apa": "APA",
    "ddp": "ddp",
    "dts": "dts",
    "dapd": "dapd",
    "afp-infografik": "AFP",
    "dpa-afx": "dpa-AFX",
    "afx": "dpa-AFX",
    "sda": "SDA",
    "ats": "ATS",
    "ansa": "ANSA",
    "efe": "EFE",
    "anp": "ANP",
    "belga": "Belga",
    "tass": "TASS",
    "xinhua": "Xinhua",
    "pa": "PA",
    "upi": "UPI",
    "bloomberg": "Bloomberg",
    "idea": "idea",
    "kathpress": "Kathpress",
    "evangelisch.de": "epd",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "deutsche presse-agentur": "dpa",
    "katholische nachrichten-agentur": "KNA",
    "evangelischer pressedienst": "epd",
    "sport-informations-dienst": "SID",
    "ots": "ots",
    "aa": "AA",
    "anadolu": "AA",
    "anadolu ajansı": "AA",
    "anadolu ajansi": "AA",
    "anadolu agency": "AA",
    "keystone-sda": "Keystone-SDA",
    "keystone-ats": "Keystone-SDA",
    "agencia efe": "EFE",
    "europa press": "Europa Press",
    "ritzau": "Ritzau",
    "ntb": "NTB",
    "tt": "TT",
    "stt": "STT",
    "ctk": "ČTK",
    "čtk": "ČTK",
    "pap": "PAP",
    "yonhap": "Yonhap",
    "kyodo": "Kyodo",
    "jiji": "Jiji",
    "cna": "CNA",
    "aap": "AAP",
    "pti": "PTI",
    "ians": "IANS",
}

_AGENCY_TOKEN_RE = re.compile(r"[A-Za-zÄÖÜäöü.\-]+")
# trailing "(afp/dpa/red)", "(dpa)", "(ag/dpa)": only short lowercase-ish tokens separated by / , or space
# (tokens may also be joined by "mit"/"with"/"und"/"and": "(FR mit dpa)", "(red mit AFP)")
_AGENCY_TAG_SEP = r"(?:\s*[/,;]\s*|\s+(?:mit|with|und|and)\s+)"
_AGENCY_TAG_RE = re.compile(
    rf"\(\s*([A-Za-z][A-Za-z.\-]{{0,14}}(?:{_AGENCY_TAG_SEP}[A-Za-z][A-Za-z.\-]{{0,14}}){{0,6}})\s*\)\s*\.?\s*$"
)
_DATELINE_RE = re.compile(
    r"^\s*(?:[A-ZÄÖÜ][\w.,'’ \-/]{1,50}?\s*)?"
    # (Spanish wire copy closes the tag with ".-": "Managua (EFE).- Nicaragua cerró ...")
    r"\(\s*([A-Za-z][A-Za-z\-]{1,14}(?:\s*[/,]\s*[A-Za-z][A-Za-z\-]{1,14}){0,3})\s*\)\.?\s*[-–—:]\s*"
)
_MATERIAL_RE = re.compile(
    r"(?:mit\s+material\s+(?:von|der|des)|quellen?\s*:|source\s*:|with\s+(?:material|reporting)\s+from|"
    r"material\s+(?:von|der)|agenturen\s*:)\s*(.{1,120})$",
    re.I,
)


# what surrounds a copyright holder: "Copyright © 2017-2026 ", " 2024", "(c) "
_COPYRIGHT_HOLDER_RE = re.compile(
    r"^(?:(?:copyright|©|\(c\))\s*|\d{4}(?:\s*[-–]\s*\d{4})?\s*)+|\s*\d{4}(?:\s*[-–]\s*\d{4})?\.?$", re.I
)


def _agencies_in(text: str) -> list[str]:
    out = []
    for tok in re.split(r"\s*(?:/|,|;|\bund\b|\band\b|&|\+)\s*", text):
        key = tok.strip(" .()").lower()
        if key in AGENCIES:
            out.append(AGENCIES[key])
    return out


# a credit line's lead: "By", "Von", "Por", "Quelle:", "Mit Material von"
_CREDIT_LEAD_RE = re.compile(
    r"^(?:(?:by|vo[nm]|por|par|di|door|av|af|text|quellen?|sources?|fuente|fonte|agenturen|agentur|agencias?|"
    r"agency|agencies)\b\s*:?\s*|mit\s+material\s+(?:von|der|des)\s+){1,2}",
    re.I,
)
# the parts of a credit line: "Max Muster, dpa", "dsw / DPA", "FR mit dpa", "Anna Muster und Tom Beispiel, AP"
_CREDIT_SPLIT_RE = re.compile(r"\s*[/,;&+|]\s*|\s+(?:und|and|mit|with|y|e|et)\s+")
# a picture's credit, not the text's: "Foto: dpa", "Bild: AFP", "© Reuters", "Uncredited/AP"
_PHOTO_CREDIT_RE = re.compile(
    r"\b(?:fotos?|photos?|bild(?:er)?|images?|pictures?|video|grafik|illustration|uncredited|getty|imago|"
    r"shutterstock)\b|©|\(c\)",
    re.I,
)
# a word of a person's name, a place or an editor's initials ("Max", "MANILA", "dsw", "von")
_CREDIT_WORD_RE = re.compile(r"[A-ZÄÖÜÀ-Þ][\w.'’\-]*|[a-zäöü]{1,4}")


def _credit_agencies(text: str) -> list[str]:
    """Agencies that a short byline/credit line names as the text's source: "AFP, MANILA", "Von Max Muster, dpa",
    "FR mit dpa", "Por Agencia EFE", "Quelle: sid/dpa", "Anna Muster and Tom Beispiel, The Associated Press".
    Every part besides the agencies must be a name, a place or initials of at most four words (no sentence);
    a picture's credit ("Foto: dpa", "© AFP", the photographer's "Max Muster/dpa") names none."""
    if not text or len(text) > 100 or _PHOTO_CREDIT_RE.search(text):
        return []
    t = _CREDIT_LEAD_RE.sub("", text.strip()).strip(" .:-–—()")
    found: list[str] = []
    for part in _CREDIT_SPLIT_RE.split(t):
        part = part.strip(" .()")
        if not part:
            continue
        key = part.lower()
        if key in AGENCIES:
            found.append(AGENCIES[key])
            continue
        words = part.split()
        if len(words) > 4 or not all(_CREDIT_WORD_RE.fullmatch(w) for w in words):
            return []
    if found and "/" in t:
        # "Friso Gentsch/dpa", "Ammar Awad / Reuters": photographer/agency is how a picture is credited
        for seg in t.split("/"):
            words = seg.split()
            if len(words) >= 2 and seg.strip(" .").lower() not in AGENCIES and all(w[:1].isupper() for w in words):
                return []
    return _dedupe(found)


def _agency_tag(text: str) -> tuple[str, list[str]] | None:
    """If ``text`` ends with an agency tag like ``(afp/dpa/red)``, return (text without it, agencies)."""
    m = _AGENCY_TAG_RE.search(text)
    if not m:
        return None
    tokens = [t.strip(" .").lower() for t in re.split(_AGENCY_TAG_SEP, m.group(1))]
    agencies = [AGENCIES[t] for t in tokens if t in AGENCIES]
    if not agencies:
        # "(red)", "(mf/ts)": editor initials only; strip when it is the whole paragraph
        if text[: m.start()].strip() or not all(re.fullmatch(r"[a-z]{2,4}", t) for t in tokens):
            return None
    else:
        # every token must be an agency or a short desk/initials token
        if not all(t in AGENCIES or re.fullmatch(r"[a-zäöü]{1,4}", t) for t in tokens):
            return None
    return text[: m.start()].rstrip(), agencies
