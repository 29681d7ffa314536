"""Table-driven tests of the entities enricher (persons and organisations; made-up sentences)."""

from __future__ import annotations

import pytest

from tasks.enrich.entities import find_organisations, find_persons


def _persons(text: str, lang: str, exclude: tuple[str, ...] = ()) -> list[tuple[str, str, int]]:
    return [(p["name"], p["method"], p["mentions"]) for p in find_persons(text, lang, exclude)]


def _orgs(text: str, lang: str, agencies: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(o["name"], o["method"]) for o in find_organisations(text, lang, agencies)]


PERSON_TITLES = [
    ("de", "Die Außenministerin Petra Beispielfrau reiste ab.", [("Petra Beispielfrau", "title", 1)]),
    ("de", "Der Generalstabschef Jurij Mustermow besuchte die Truppe.", [("Jurij Mustermow", "title", 1)]),
    ("de", "Bürgermeister Hans-Peter von Altdorf eröffnete das Fest.", [("Hans-Peter von Altdorf", "title", 1)]),
    ("en", "Senator Maria Example-Smith voted no.", [("Maria Example-Smith", "title", 1)]),
    (
        "en",
        "Prime Minister Ola Sampleton and Mr. Jon Doeson met in the capital.",
        [("Ola Sampleton", "title", 1), ("Jon Doeson", "title", 1)],
    ),
]

PERSON_FIRST_NAMES = [
    ("de", "Gestern sagte Thomas Beispielmann, er sei zufrieden.", [("Thomas Beispielmann", "first-name", 1)]),
    ("en", "Analysts such as Laura Q. Testwood disagreed.", [("Laura Q. Testwood", "first-name", 1)]),
]

FULLEST_FORM_COVERS_SURNAME = [
    (
        "de",
        "Präsident Anton Mustermann sprach. Mustermann sagte, Mustermanns Plan gelte.",
        [("Anton Mustermann", "title", 3)],
    ),
    (
        "en",
        "Governor Nina Fakename spoke. Later Fakename's office said Fakename would stay.",
        [("Nina Fakename", "title", 3)],
    ),
]

NOT_PERSONS = [
    ("de", "Experten schlagen Alarm, seit Jahren."),  # a role noun before a common noun
    ("en", "The Sky News report and Free Syrian Army statement."),  # organisation words end no person
    ("en", "TRUMP SAYS HE WILL RUN AGAIN"),  # all capitals
]


@pytest.mark.parametrize(("lang", "text", "expected"), PERSON_TITLES + PERSON_FIRST_NAMES + FULLEST_FORM_COVERS_SURNAME)
def test_person_rules(lang: str, text: str, expected: list[tuple[str, str, int]]) -> None:
    assert sorted(_persons(text, lang)) == sorted(expected)


@pytest.mark.parametrize(("lang", "text"), NOT_PERSONS)
def test_not_persons(lang: str, text: str) -> None:
    assert _persons(text, lang) == []


def test_authors_are_not_mentioned_persons() -> None:
    text = "Von Jana Beispiel\n\nMinisterin Eva Testfrau sagte, Jana Beispiel habe recht."
    assert _persons(text, "de", ("Jana Beispiel",)) == [("Eva Testfrau", "title", 1)]


ORGANISATIONS = [
    (
        "de",
        "Die Beispielwerke AG und die Muster Logistik GmbH fusionieren.",
        [("Beispielwerke AG", "suffix"), ("Muster Logistik GmbH", "suffix")],
    ),
    (
        "de",
        "Nach Angaben der Deutschen Presse-Agentur und der Europäischen Kommission.",
        [("Deutsche Presse-Agentur", "head-noun"), ("Europäische Kommission", "head-noun")],
    ),
    (
        "de",
        "Das Bundesverfassungsgericht und der Bundestag entschieden.",
        [("Bundesverfassungsgericht", "head-noun"), ("Bundestag", "head-noun")],
    ),
    (
        "en",
        "The Green Valley Party and the University of Exampleton agreed.",
        [("Green Valley Party", "head-noun"), ("University of Exampleton", "head-noun")],
    ),
    ("en", "Officials of NATO and the WHO met; the CEO watched TV.", [("NATO", "acronym"), ("WHO", "acronym")]),
    ("de", "Die Partei XYZP legte zu.", [("XYZP", "acronym")]),
]


@pytest.mark.parametrize(("lang", "text", "expected"), ORGANISATIONS)
def test_organisation_rules(lang: str, text: str, expected: list[tuple[str, str]]) -> None:
    assert sorted(_orgs(text, lang)) == sorted(expected)


def test_agency_credit_is_not_a_mention() -> None:
    text = "Berlin (AFP) - Die Nachrichtenagentur AFP meldete es. Foto: AP/dpa"
    assert find_organisations(text, "de", ("AFP", "AP", "dpa")) == [{"name": "AFP", "method": "acronym", "mentions": 1}]


def test_shouted_line_and_place_acronyms_are_not_organisations() -> None:
    assert _orgs("EILMELDUNG: REGIERUNG TRITT ZURÜCK\n\nDie USA und die EU reagieren.", "de") == [("EU", "acronym")]


def test_no_places_inside_organisation_names() -> None:
    """With the entities enricher configured, places inside organisation names are left out (places runs after
    it and reads its spans); without it, they count."""
    from tasks.config import EnrichConfig
    from tasks.enrich import enrich_batch

    doc = {
        "doc_id": "d",
        "content_sha256": "s",
        "title": "Officers of the Greater Manchester Police and the University of Toronto met in Leeds.",
        "teaser": None,
        "body": "The meeting in Leeds lasted two hours, officials said on Tuesday afternoon.",
        "declared_language": "en",
    }
    both = enrich_batch([doc], EnrichConfig(enrichers=("language", "entities", "places")))[0]
    assert [p["name"] for p in both["places"]] == ["Leeds"]
    assert {"Greater Manchester Police", "University of Toronto"} <= {o["name"] for o in both["organisations"]}
    assert "_org_spans" not in both
    alone = enrich_batch([doc], EnrichConfig(enrichers=("language", "places")))[0]
    assert {p["name"] for p in alone["places"]} == {"Leeds", "Manchester", "Toronto"}


def test_shared_surname_counts_only_full_names() -> None:
    text = "Coach Dale Exford and his brother Mike Exford spoke. Exford said it was over. Dale Exford agreed."
    assert sorted(_persons(text, "en")) == [("Dale Exford", "title", 2), ("Mike Exford", "first-name", 1)]


def test_german_articles_are_particles_only_after_von() -> None:
    assert _persons("Ministerin Ursula von der Beispielen kam, und Liat das Haus sah.", "de") == [
        ("Ursula von der Beispielen", "title", 1)
    ]


def test_single_acronym_needs_a_cue() -> None:
    assert _orgs("You MUST see it: VAT went up.", "en") == []
    assert _orgs("The XQZ party and XQZ again; the ABCD said.", "en") == [("XQZ", "acronym"), ("ABCD", "acronym")]
    assert _orgs("Der Verband Musterhilfe (VMH) tagte.", "de") == [("VMH", "acronym")]


def test_overlapping_organisation_names_merge() -> None:
    assert _orgs("Judges of the International Court of Justice ruled.", "en") == [
        ("International Court of Justice", "head-noun")
    ]


def test_person_name_words_are_no_places() -> None:
    from tasks.config import EnrichConfig
    from tasks.enrich import enrich_batch

    doc = {
        "doc_id": "d",
        "content_sha256": "s",
        "title": "Striker Jason Richardson scores twice",
        "teaser": None,
        "body": "Richardson scored in the first half in front of fans who had travelled from Leeds on Saturday.",
        "declared_language": "en",
    }
    out = enrich_batch([doc], EnrichConfig(enrichers=("language", "entities", "places")))[0]
    assert [p["name"] for p in out["places"]] == ["Leeds"]
    assert out["persons"][0]["name"] == "Jason Richardson"
