"""The ``entities`` enricher: persons and organisations named in an article, found by rules (no model).

Each value is ``{"name", "method", "mentions"}`` (``schemas.ENTITY``), most mentioned first.

Persons (``method``):

- ``title``: one to three capitalised name tokens right after a role or title — German role nouns and compounds
  ending in one (``Präsident``, ``Machthaber``, ``Außenministerin``, ``Generalstabschef``, ``Sprecherin``),
  English roles (``President``, ``Senator``, ``Prime Minister``, ``Gov.``) and forms of address (``Herr``,
  ``Mr``, ``Dr.``);
- ``first-name``: a first name (gender-guesser's ``nam_dict``, shipped in the gazetteer) followed by one or two
  capitalised surname tokens.

Name tokens may be hyphenated (``Kim Jong-un``), initials (``John F. Kennedy``) or particles (``von``, ``van``,
``de``, ``bin`` …; German articles only after ``von``/``van``: ``von der Leyen``); a German common noun, a
function word, an acronym or a country, region or city of a million or more ends the name. The fullest form names
the person and covers later mentions of its surname alone, also in the German genitive (``Putins``); a surname
shared by several persons only counts with the full name. Persons equal to
an author of the article (the parse stage's byline) are left out.

Organisations (``method``):

- ``suffix``: capitalised words before a legal form (``AG``, ``GmbH``, ``SE``, ``Inc.``, ``Corp.``, ``Ltd``,
  ``LLC``, ``plc``, ``e.V.``);
- ``head-noun``: capitalised adjectives before an organisation noun (``Deutsche Bank``, ``Europäische
  Kommission``, ``der Deutschen Presse-Agentur`` → ``Deutsche Presse-Agentur``: the weak ending ``-en`` of the
  adjectives folded to ``-e``); ``Bundes``/``Landes`` compounds (``Bundesverfassungsgericht``); English
  ``… Party``, ``… University``, ``Ministry of …``, ``Bank of …``;
- ``acronym``: a word of two to six letters with at least two capitals (``NATO``, ``KCNA``, ``AfD``), not a
  place, not a common non-organisation acronym (``CEO``, ``TV``, ``KI``), not inside an all-capitals line or
  phrase, mentioned twice or more or once after an article, ``of`` or an organisation noun (``die NATO``,
  ``Nachrichtenagentur KCNA``) or in parentheses after its name; an agency credit of the parse stage in
  parentheses or after a slash (``(dpa)``, ``Foto: AP/dpa``) is not counted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from tasks.config import EnrichConfig
from tasks.enrich.base import Enricher, join_text, word_set
from tasks.enrich.places import Gazetteer, get_gazetteer

_DE_ROLE_STEMS = (
    "präsident|kanzler|minister|chef|sprecher|vorsitzende|trainer|sekretär|senator|bürgermeister|botschafter|"
    "direktor|führer|gouverneur|general|kommandeur|abgeordnete|anwalt|anwältin|richter|kandidat|machthaber|"
    "könig|papst|bischof|professor|autor|sänger|schauspieler|spieler|stürmer|torwart|kapitän|ökonom|experte|"
    "analyst|leiter|koordinator|beauftragte|gründer|inhaber|manager|moderator|regisseur|diktator|premier|"
    "staatsanwalt|oberst|admiral|kommissar|intendant|dirigent|komponist|forscher|wissenschaftler|politiker"
)
_DE_ROLE = re.compile(rf"(?:{_DE_ROLE_STEMS})(?:in|innen|en|n|r|s)?$")
_EN_ROLES = word_set(
    "President Vice-President Minister Secretary Senator Sen. Rep. Representative Governor Gov. Mayor Chancellor "
    "King Queen Prince Princess Pope General Gen. Col. Lt. Sgt. Capt. Judge Justice Chief CEO Chairman Chairwoman "
    "Director Spokesman Spokeswoman Spokesperson Coach Manager Ambassador Commissioner Leader Speaker Premier "
    "spokesman spokeswoman spokesperson coach manager striker defender midfielder goalkeeper quarterback actor "
    "actress singer author analyst economist professor chairman chairwoman director minister secretary president "
    "leader founder"
)
_ADDRESS = word_set("Herr Herrn Frau Mr Mr. Mrs Mrs. Ms Ms. Dr Dr. Prof. Sir Dame Lord Lady")
_PARTICLES = word_set("von van de der den da di du bin ibn al el la le ten ter zu dos das del")
#: Particles that are also German articles or pronouns count only after ``von``/``van`` (``von der Leyen``).
_ARTICLE_PARTICLES = word_set("der den das di du la le da dos")
_FUNCTION = word_set(
    "Der Die Das Den Dem Des Ein Eine Einen Einem Einer Und Oder Aber Auch Im In Am An Auf Aus Bei Mit Nach Vor "
    "Zu Zum Zur Von Für Über Unter Wie Wenn Als Ob Dass Er Sie Es Wir Ihr Man So Da Doch Nun Noch Nur Jetzt Dann "
    "Seit Bis Trotz Wegen Während Laut Gegen Ohne Durch Um Neben Hinter Zwischen Dabei Dazu Damit Zudem Außerdem "
    "Deshalb Daher Denn Sondern Allerdings Bereits Immer Schon Hier Dort Heute Gestern Morgen Bitte Danke "
    "Andere Anderen Alle Allen Viele Vielen Einige Manche Beide Jeder Jede Jedes Dieser Diese Dieses Sein Seine "
    "Ihre Ihren Mein Meine Unser Unsere Kein Keine Mehr Weitere Neue Erste "
    "The A An And Or But In On At To For From With By Of As He She It We They His Her Their This That These Those "
    "When While After Before If Then There Here Now Also Since Until During Despite Although However Meanwhile "
    "Today Yesterday Tomorrow Please Thanks"
)

_TOKEN = re.compile(r"[A-ZÄÖÜ][\w'’]*(?:-[\w'’]+)*\.?|[a-z]+")
_WORD = re.compile(r"\S+")
_SPACE = re.compile(r"[ \u00a0]")
_POSSESSIVE = re.compile(r"['’]s?$")

_LEGAL = r"AG|GmbH|SE|KGaA|Inc\.?|Corp\.?|Ltd\.?|LLC|plc|PLC|e\.\s?V\.|Co\.|S\.A\.|N\.V\."
_SUFFIX_ORG = re.compile(rf"((?:[A-ZÄÖÜ][\w&'’-]*\s){{1,3}})({_LEGAL})(?![\w])")
_DE_HEADS = (
    "bank|partei|kommission|agentur|ministerium|amt|gericht|union|nationen|bundestag|rat|versammlung|institut|"
    "universität|hochschule|stiftung|gesellschaft|verband|gewerkschaft|bahn|post|welle|rundfunk|konzern|gruppe|"
    "klinik|zentrale|behörde|parlament|zentralbank|liga|akademie|verein|museum"
)
_DE_HEADS_EITHER_CASE = "|".join(f"[{h[0].upper()}{h[0]}]{h[1:]}" for h in _DE_HEADS.split("|"))
_DE_HEAD_ORG = re.compile(
    rf"((?:[A-ZÄÖÜ][a-zäöüß]+(?:e|en|er|es)\s){{1,2}})((?=[A-ZÄÖÜ])[\w-]*?(?:{_DE_HEADS_EITHER_CASE}))(?![\w])"
)
_DE_FEDERAL = re.compile(rf"\b(?:Bundes|Landes)(?:[a-zäöüß-]+(?:{_DE_HEADS})|tag|wehr|rat|bank|gericht)\b")
#: The last word of an organisation, never of a person (``Sky News``, ``Free Syrian Army``).
_ORG_LAST = re.compile(
    rf"(?:{_DE_HEADS})$|^(?:News|Times|Post|Herald|Shelter|Airlines|Airways|Army|Institut|Institute|Party|Bank|"
    rf"Group|Council|Foundation|University|College|School|Club|Team|Agency|Ministry|Press|Department|Office|Court|"
    rf"Commission|Committee|Service|Police)$",
    re.IGNORECASE,
)
_EN_HEADS = (
    "Party|Bank|Commission|Agency|Ministry|Department|University|Institute|Foundation|Council|Court|Association|"
    "Union|Corporation|Company|Group|Organization|Organisation|Committee|Authority|Federation|League|Airlines|"
    "Airways|Museum|Hospital|College|Army|Navy|Police|Reserve|Fund|Parliament|Congress|Senate|Guard"
)
_EN_HEAD_ORG = re.compile(rf"((?:[A-Z][\w&'’-]*\s){{1,4}})({_EN_HEADS})\b")
_EN_OF_ORG = re.compile(
    r"\b(University|Bank|Ministry|Department|Institute|Council|Court|Bureau|Office|Museum|Federation|"
    r"Association|Church|Republic)\s+of\s+(?:the\s+)?((?:[A-Z][\w-]+)(?:\s[A-Z][\w-]+){0,3})"
)
_ACRONYM = re.compile(r"(?<![\w.-])([A-Z][A-Za-z]{0,4}[A-Z])(?![\w-])")
_NOT_ORG_ACRONYMS = word_set(
    "CEO CFO CTO COO TV KI AI PR PC DNA CO OK GPS USB PDF LGBT LGBTQ WLAN SMS LKW PKW IT PS KW BIP GDP FAQ ID "
    "DJ MP MPs PM AM CET UTC GMT BC AD DC NYC LA EUR USD GBP CHF COVID SARS HIV AIDS NO VS II III IV VI VII VIII "
    "IX XI XII MEZ MESZ TBC RSS URL HTML PhD MBA VIP UV SUV FM ABC NRW OB SMS GmbH AG SE WM EM MBE OBE CBE "
    "CCTV GP CT MRI ICU ER HR ATM UFO"
)
_ROMAN = re.compile(r"^[IVXLCDM]+$")
_PREV_WORD = re.compile(r"(\w[\w-]*) $")
_ACRONYM_ARTICLES = word_set("the of der die das des dem den vom beim zur zum")
_CAPS_NEIGHBOUR = re.compile(r"\b[A-Z]{3,} $")
_CAPS_NEIGHBOUR_AFTER = re.compile(r" [A-Z]{3,}\b")


def _name_tokens(text: str, pos: int, gaz: Gazetteer, lang: str | None, nouns: frozenset[str]) -> list[str]:
    """Up to three capitalised name tokens (with particles in between) starting at ``pos``."""
    tokens: list[str] = []
    while len([t for t in tokens if t not in _PARTICLES]) < 3:
        m = _SPACE.match(text, pos)
        if tokens and not m:
            break
        start = m.end() if (tokens and m) else pos
        t = _TOKEN.match(text, start)
        if not t:
            break
        word = t.group(0)
        possessive = _POSSESSIVE.search(word)
        if possessive:  # Trump's, Bowles' end the name
            word = word[: possessive.start()]
            if word and word[0].isupper() and word not in _FUNCTION:
                tokens.append(word)
            break
        if word in _PARTICLES and tokens:
            if word in _ARTICLE_PARTICLES and tokens[-1] not in ("von", "van"):
                break
            tokens.append(word)
            pos = t.end()
            continue
        bare = word.rstrip(".")
        if not word[0].isupper() or word in _FUNCTION or word in _ADDRESS or (len(bare) > 1 and bare.isupper()):
            break  # a lowercase word, a function word, an acronym (WA, BBC) ends the name
        if len(bare) > 1 and word.endswith(".") and not re.fullmatch(r"[A-Z]\.", word):
            word = bare  # sentence end after the name
        after_particle = bool(tokens) and tokens[-1] in _PARTICLES
        if not after_particle and (bare in nouns or (tokens and gaz.major_place(bare, lang))):
            break  # a common noun or a country/big city ends the name, except after a particle (von Altdorf)
        tokens.append(word)
        pos = t.end()
        if word != t.group(0):
            break
    while tokens and tokens[-1] in _PARTICLES:
        tokens.pop()
    return tokens


def _is_role(word: str, lang: str | None) -> bool:
    if word in _EN_ROLES or word in _ADDRESS or (word[:1].isupper() and word.lower() in _EN_ROLES):
        return True
    return lang != "en" and word[:1].isupper() and word.isalpha() and bool(_DE_ROLE.search(word.lower()))


def _title_case_line(text: str, pos: int) -> bool:
    """An English headline in title case (``Ishiba Dodges Criticism During Debate``): five or more words and every
    word of four letters or more capitalised, so capitalisation says nothing about names there."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    words = [w for w in text[start : end if end >= 0 else len(text)].split() if w[:1].isalpha()]
    return len(words) >= 5 and all(w[0].isupper() for w in words if len(w.strip(".,:;!?")) >= 4)


def _person_candidates(text: str, gaz: Gazetteer, lang: str | None) -> list[tuple[str, str]]:
    """``(name, method)`` for every title or first-name match, in text order."""
    out: list[tuple[str, str]] = []
    nouns = gaz.nouns if lang == "de" else frozenset()
    title_case: dict[int, bool] = {}  # line start -> is a title-case headline
    for m in _WORD.finditer(text):
        word = m.group(0)
        if not word[:1].isupper() and word not in _EN_ROLES:
            continue
        if lang != "de":
            line = text.rfind("\n", 0, m.start()) + 1
            if line not in title_case:
                title_case[line] = _title_case_line(text, m.start())
            if title_case[line]:
                continue
        if _is_role(word.rstrip(",:"), lang) and not word.endswith((",", ":")):
            tokens = _name_tokens(text, m.end() + 1, gaz, lang, nouns) if text[m.end() : m.end() + 1] == " " else []
            if tokens and not (len(tokens) == 1 and tokens[0] in gaz.first_names):
                out.append((" ".join(tokens), "title"))
                continue
        if word in gaz.first_names and not gaz.major_place(word, lang):
            prev = text[max(0, m.start() - 1) : m.start()]
            if prev.isalpha():
                continue
            tokens = _name_tokens(text, m.start(), gaz, lang, nouns)
            if len(tokens) >= 2 and tokens[-1] not in gaz.first_names and tokens[-1] not in _PARTICLES:
                out.append((" ".join(tokens), "first-name"))
    return out


def find_persons(
    text: str, lang: str | None, exclude: Sequence[str] = (), gazetteer: Gazetteer | None = None
) -> list[dict[str, Any]]:
    """Persons named in ``text`` (see the module docstring); names in ``exclude`` (the article's authors) are
    left out."""
    gaz = gazetteer or get_gazetteer()
    found: dict[str, dict[str, Any]] = {}
    for name, method in _person_candidates(text, gaz, lang):
        if _ORG_LAST.search(name.split()[-1]):
            continue  # Sky News, Julius Kühn-Institut
        if name.endswith("s") and name[:-1] in found:
            name = name[:-1]  # Putins -> Putin
        entry = found.setdefault(name, {"name": name, "method": method})
        if method == "title":
            entry["method"] = "title"
    names = sorted(found, key=len, reverse=True)
    full: dict[str, dict[str, Any]] = {}
    for name in names:  # fullest form first: a shorter name that ends the same covers nothing new
        cover = next((f for f in full if f.endswith(" " + name) or f == name), None)
        if cover is None:
            full[name] = found[name]
        elif found[name]["method"] == "title":
            full[cover]["method"] = "title"
    excluded = {e.strip() for e in exclude if e}
    surnames = [n.split()[-1] for n in full]
    out: list[dict[str, Any]] = []
    for name, entry in full.items():
        if name in excluded or any(name.endswith(" " + e.split()[-1]) and e in name for e in excluded):
            continue
        surname = name.split()[-1]
        # a surname shared by several persons (Mike Ford, Dale Ford) only counts with the full name
        counted = surname if surnames.count(surname) == 1 else name
        pattern = re.compile(rf"(?<![\w-]){re.escape(counted)}s?(?![\w-])")
        mentions = len(pattern.findall(text))
        if mentions == 0:
            continue
        first = text.find(counted)
        out.append({"name": name, "method": entry["method"], "mentions": mentions, "_first": first})
    out.sort(key=lambda p: (-p["mentions"], p["_first"]))
    return [{k: v for k, v in p.items() if k != "_first"} for p in out]


def _fold_german(words: str) -> str:
    """``Deutschen Presse-Agentur`` → ``Deutsche Presse-Agentur``: the weak adjective ending ``-en`` to the
    nominative ``-e`` (``Thüringer``, ``Deutscher Bundestag`` stay as written)."""
    parts = words.split()
    for i, w in enumerate(parts[:-1]):
        if w.endswith("en") and w[0].isupper():
            parts[i] = w[:-1]
    return " ".join(parts)


def _credit(text: str, start: int, end: int) -> bool:
    before, after = text[max(0, start - 1) : start], text[end : end + 1]
    return before in ("(", "/") or after in (")", "/")


def _shouting(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    letters = [c for c in line if c.isalpha()]
    return len(letters) > 12 and sum(c.isupper() for c in letters) > 0.6 * len(letters)


_Org = tuple[str, str, int, int]  # name, method, start, end


def _org_candidates(text: str, lang: str | None, gaz: Gazetteer, agencies: set[str]) -> list[_Org]:
    """``(name, method, start, end)`` of every organisation match, in rule order."""
    out: list[_Org] = []
    for m in _SUFFIX_ORG.finditer(text):
        words = [w for w in m.group(1).split() if w not in _FUNCTION]
        if words:
            out.append((" ".join([*words, m.group(2)]), "suffix", m.start(), m.end()))
    if lang != "en":
        for m in _DE_HEAD_ORG.finditer(text):
            words = [w for w in m.group(1).split() if w not in _FUNCTION]
            if words and m.group(2)[0].isupper():
                out.append((_fold_german(" ".join([*words, m.group(2)])), "head-noun", m.start(), m.end()))
        out.extend((m.group(0), "head-noun", m.start(), m.end()) for m in _DE_FEDERAL.finditer(text))
    if lang != "de":
        _english_head_orgs(text, out)
    out.extend(_acronyms(text, lang, gaz, agencies))
    return out


def _english_head_orgs(text: str, out: list[_Org]) -> None:
    """``Green Valley Party``, ``University of Exampleton``; one overlapping the other is one organisation
    (``International Court`` + ``Court of Justice`` → ``International Court of Justice``)."""
    heads: dict[int, int] = {}  # end of a head-noun match -> its index in out
    for m in _EN_HEAD_ORG.finditer(text):
        words = [w for w in m.group(1).split() if w not in _FUNCTION]
        if words:
            heads[m.end()] = len(out)
            out.append((" ".join([*words, m.group(2)]), "head-noun", m.start(), m.end()))
    for m in _EN_OF_ORG.finditer(text):
        joined = heads.get(m.end(1))
        if joined is not None:
            name, method, start, _end = out[joined]
            out[joined] = (f"{name} of {m.group(2)}", method, start, m.end())
        else:
            out.append((f"{m.group(1)} of {m.group(2)}", "head-noun", m.start(), m.end()))


def _acronyms(text: str, lang: str | None, gaz: Gazetteer, agencies: set[str]) -> list[_Org]:
    """Acronyms that name an organisation: mentioned twice or more, or once after an article or an organisation
    noun (``die NATO``, ``Nachrichtenagentur KCNA``) or defined in parentheses (``… Council (NPCC)``)."""
    found: list[_Org] = []
    forms = gaz.forms["de" if lang == "de" else "en"]
    for m in _ACRONYM.finditer(text):
        word = m.group(1)
        if sum(c.isupper() for c in word) < 2 or word in _NOT_ORG_ACRONYMS or word in forms or _ROMAN.match(word):
            continue
        if _shouting(text, m.start()) or (word in agencies and _credit(text, m.start(), m.end())):
            continue
        if _CAPS_NEIGHBOUR.search(text[max(0, m.start() - 12) : m.start()]) or _CAPS_NEIGHBOUR_AFTER.match(
            text, m.end()
        ):
            continue  # a shouted phrase (SANTA FE), not an acronym
        found.append((word, "acronym", m.start(), m.end()))
    counts: dict[str, int] = {}
    for name, *_rest in found:
        counts[name] = counts.get(name, 0) + 1
    return [a for a in found if counts[a[0]] > 1 or _acronym_cue(text, a[2])]


def _acronym_cue(text: str, start: int) -> bool:
    if text[start - 1 : start] == "(":
        return True
    prev = _PREV_WORD.search(text, max(0, start - 40), start)
    if not prev:
        return False
    word = prev.group(1)
    return word.lower() in _ACRONYM_ARTICLES or bool(_ORG_LAST.search(word))


def find_organisations(
    text: str, lang: str | None, agencies: Sequence[str] = (), gazetteer: Gazetteer | None = None
) -> list[dict[str, Any]]:
    """Organisations named in ``text`` (see the module docstring). ``agencies``: the article's agency credits
    from the parse stage; their credit lines are not mentions."""
    return _organisations(_org_candidates(text, lang, gazetteer or get_gazetteer(), {a for a in agencies if a}))


def _organisations(candidates: list[_Org]) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for name, method, pos, _end in candidates:
        entry = found.setdefault(name, {"name": name, "method": method, "mentions": 0, "_first": pos})
        entry["mentions"] += 1
    for name in list(found):  # a name inside a longer one is the same organisation (Deutsche Bank AG)
        longer = [o for o in found if o != name and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", o)]
        if longer and found[name]["method"] != "acronym":
            found[longer[0]]["mentions"] += found.pop(name)["mentions"]
    out = sorted(found.values(), key=lambda o: (-o["mentions"], o["_first"]))
    return [{k: v for k, v in o.items() if k != "_first"} for o in out]


def run(docs: Sequence[Mapping[str, Any]], cfg: EnrichConfig) -> list[dict[str, Any]]:
    """``persons`` and ``organisations`` of title + teaser + body in the document's detected ``language``; the
    parse stage's ``authors`` and ``agencies`` are not counted. Also provides ``_org_spans`` (character spans of
    the organisation names in that text) and ``_person_names`` (full names found) to the places enricher, which
    runs later and skips places inside organisation names and places named like a token of a person's name."""
    gaz = get_gazetteer()
    out: list[dict[str, Any]] = []
    for doc in docs:
        text = join_text(doc)
        lang = doc.get("language")
        orgs = _org_candidates(text, lang, gaz, {a for a in doc.get("agencies") or () if a})
        persons = find_persons(text, lang, doc.get("authors") or (), gaz)
        out.append(
            {
                "persons": persons,
                "organisations": _organisations(orgs),
                "_org_spans": [(start, end) for _n, method, start, end in orgs if method != "acronym"],
                "_person_names": [p["name"] for p in persons if " " in p["name"]],
            }
        )
    return out


ENRICHER = Enricher(
    name="entities",
    version="1",
    columns=("persons", "organisations"),
    provides=("_org_spans", "_person_names"),
    run=run,
    method="rules: roles and titles before names, first names, name shapes; legal-form suffixes, organisation "
    "nouns, acronyms",
)
