"""Table-driven tests of the quantities enricher (made-up sentences, one rule kind per table)."""

from __future__ import annotations

from typing import Any

import pytest

from tasks.enrich.quantities import find_quantities


def _pairs(text: str, lang: str | None) -> list[tuple[float, str | None]]:
    return [(q["value"], q["unit"]) for q in find_quantities(text, lang)]


NUMBER_FORMATS = [
    ("de", "Im Hafen lagen 25.000 Container.", [(25000.0, "Container")]),
    ("de", "Der Tank fasst 2,75 Liter.", [(2.75, "Liter")]),
    ("de", "Es kamen 10 000 Besucher und 1.234.567 Stimmen.", [(10000.0, "Besucher"), (1234567.0, "Stimmen")]),
    ("de", "Die Strecke misst 1,500 Kilometer.", [(1.5, "Kilometer")]),
    ("de", "Es gab 1.234,5 Anträge.", [(1234.5, "Anträge")]),
    ("en", "The port handled 25,000 containers.", [(25000.0, "containers")]),
    ("en", "The tank holds 2.75 litres.", [(2.75, "litres")]),
    ("en", "A growth of 1.500 points.", [(1.5, "points")]),
    ("en", "There were 1,234,567 votes.", [(1234567.0, "votes")]),
    (None, "Zählung: 12.500 Schafe.", [(12500.0, "Schafe")]),
]

SCALES = [
    ("de", "Das Werk kostet 1,5 Milliarden Euro.", [(1.5e9, "Euro")]),
    ("de", "Rund 3 Mio. Fahrgäste und 2 Billionen Euro Schulden.", [(3e6, "Fahrgäste"), (2e12, "Euro")]),
    ("de", "Zwei Städte mit 4 Tausend Einwohnern.", [(4000.0, "Einwohnern")]),
    (
        "en",
        "The plant cost 2.5 billion dollars and served 3 million customers.",
        [(2.5e9, "dollars"), (3e6, "customers")],
    ),
    ("en", "A deal worth $4bn and £12m, plus €30k.", [(4e9, "$"), (12e6, "£"), (30e3, "€")]),
]

PERCENT_AND_MONEY = [
    ("de", "Die Quote stieg auf 7,5 Prozent, also um 0,4 Prozentpunkte.", [(7.5, "%"), (0.4, "Prozentpunkte")]),
    ("de", "Ein Anteil von 12 % kostet 9,99 € oder 120 US-Dollar.", [(12.0, "%"), (9.99, "€"), (120.0, "US-Dollar")]),
    ("en", "Turnout was 61 percent, or 61.5 per cent by another count, up 3%.", [(61.0, "%"), (61.5, "%"), (3.0, "%")]),
    ("en", "Tickets cost $12.50 or EUR 11 and USD 3 million.", [(12.5, "$"), (11.0, "EUR"), (3e6, "USD")]),
    ("de", "Die Spende betrug 500 Franken.", [(500.0, "Franken")]),
]

UNITS_AND_NOUNS = [
    ("de", "Der Zug fuhr 300 km/h auf 12 km Strecke bei 35 °C.", [(300.0, "km/h"), (12.0, "km"), (35.0, "°C")]),
    ("de", "Es meldeten sich 80 freiwillige Helfer.", [(80.0, "Helfer")]),
    ("de", "Es kamen 80 neue junge Mitglieder.", [(80.0, "Mitglieder")]),
    ("de", "Am Ende waren es 80, nicht mehr.", [(80.0, None)]),
    (
        "en",
        "Some 70 Canadian firefighters and 40 more volunteers came.",
        [(70.0, "firefighters"), (40.0, "volunteers")],
    ),
    ("en", "The army fired 200 cruise missiles at 15 power plants.", [(200.0, "missiles"), (15.0, "plants")]),
    ("en", "Of the 90 who applied, 12 were chosen.", [(90.0, None), (12.0, None)]),
    ("en", "A wind farm of 400 MW covering 50 ha.", [(400.0, "MW"), (50.0, "ha")]),
]

RANGES = [
    ("de", "Zwischen 2.000 und 3.000 Bäume wurden gefällt.", [(2000.0, "Bäume"), (3000.0, "Bäume")]),
    (
        "en",
        "Prices rose 5-8 percent for 2 to 3 million households.",
        [(5.0, "%"), (8.0, "%"), (2e6, "households"), (3e6, "households")],
    ),
]

NOT_QUANTITIES = [
    ("de", "Die Wahl findet am 14. September 2025 statt."),
    ("de", "Der Termin ist am 03.11.2026 um 9.15 Uhr, Einlass ab 8 Uhr."),
    ("de", "Das Spiel endete 2:1, Anpfiff war um 20:45."),
    ("de", "Der 62-jährige Landrat und seine Frau Petra Beispiel (58) sind 62 Jahre alt."),
    ("de", "Sie wurde im 2. Wahlgang gewählt und kam auf den 4. Platz."),
    ("de", "Seit 2017 und bis 2031 gilt das Gesetz, das im Jahr 1871 erlassen wurde."),
    ("de", "Die F-35 und die Boeing-747 fliegen; Covid-19 und 5G und 3D-Druck."),
    ("de", "Siehe Artikel 5 und § 12 sowie Seite 7."),
    ("en", "The vote is on March 3, 2026, or 3 March 2026, and the 2026-03-03 deadline."),
    ("en", "Doors open at 7 p.m. and the match starts at 19:30."),
    ("en", "A 34-year-old nurse, aged 34, who is 34 years old."),
    ("en", "Ada Example, 33, and the driver, 19, were hurt."),
    ("de", "Erika Beispiel, 47, und ihr Sohn, 12, blieben unverletzt."),
    ("en", "She came 2nd and 3rd, in 1998 and in 1648."),
    ("en", "See page 4 and Section 230."),
]


@pytest.mark.parametrize(
    ("lang", "text", "expected"), NUMBER_FORMATS + SCALES + PERCENT_AND_MONEY + UNITS_AND_NOUNS + RANGES
)
def test_quantity_rules(lang: str | None, text: str, expected: list[tuple[float, str | None]]) -> None:
    assert _pairs(text, lang) == expected


#: numbers between commas that are quantities, not ages: a counted noun follows, or they form a list
COMMA_NUMBERS = [
    ("de", "Die Firma, 300 Mitarbeiter, wächst.", [(300.0, "Mitarbeiter")]),
    ("en", "Prices rose 3, 4, and 5 percent.", [(3.0, None), (4.0, None), (5.0, "%")]),
]


@pytest.mark.parametrize(("lang", "text", "expected"), COMMA_NUMBERS)
def test_numbers_between_commas_that_are_no_ages(
    lang: str, text: str, expected: list[tuple[float, str | None]]
) -> None:
    assert _pairs(text, lang) == expected


@pytest.mark.parametrize(("lang", "text"), NOT_QUANTITIES)
def test_not_quantities(lang: str, text: str) -> None:
    assert find_quantities(text, lang) == []


def test_year_with_approximator_and_noun_is_a_quantity() -> None:
    assert _pairs("Es kamen rund 2000 Menschen, 2024 waren es weniger.", "de") == [(2000.0, "Menschen")]


def test_text_span_method_and_duplicates() -> None:
    text = "Die Firma zahlt 3,2 Millionen Euro. Später hieß es erneut: 3,2 Millionen Euro. Dazu 4 %."
    out: list[dict[str, Any]] = find_quantities(text, "de")
    assert out == [
        {"value": 3.2e6, "unit": "Euro", "text": "3,2 Millionen Euro", "method": "money"},
        {"value": 4.0, "unit": "%", "text": "4 %", "method": "percent"},
    ]
    for q in out:
        assert q["text"] in text


def test_english_verbs_and_contractions_are_no_units() -> None:
    text = "Of the 30, 12 wasn't enough; 148 looking on and 12 injured."
    assert _pairs(text, "en") == [(30.0, None), (12.0, None), (148.0, None), (12.0, "injured")]
