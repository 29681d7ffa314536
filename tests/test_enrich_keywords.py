"""The ``keywords`` enricher (YAKE key phrases): made-up German and English articles, bylines, datelines and
credits left out, languages without phrases, and the same answer in fresh processes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest

from tasks.config import EnrichConfig
from tasks.enrich import enrich_batch, keywords
from tests.conftest import REPO

DE: dict[str, Any] = {
    "title": "Windpark vor Helgoland liefert ersten Strom",
    "teaser": "Der Offshore-Windpark Nordlicht speist seit Montag Strom ins Netz ein.",
    "body": (
        "HAMELN (dpa) - Der Offshore-Windpark Nordlicht vor Helgoland hat am Montag erstmals Strom geliefert. "
        "Die Betreiberfirma Seewind Energie teilte mit, die 40 Windkraftanlagen sollen künftig rund 400.000 "
        "Haushalte versorgen.\n\n"
        "Von Anna Beispiel\n\n"
        "Foto: Max Muster/dpa\n\n"
        "Der Bau des Windparks Nordlicht hatte sich wegen Lieferproblemen bei den Fundamenten um ein Jahr "
        "verzögert. Umweltverbände begrüßten den Windpark, forderten aber mehr Schutz für Schweinswale in der "
        "Nordsee. Die Fundamente der Windkraftanlagen stehen in 30 Metern Wassertiefe.\n\n"
        "Seewind Energie will bis 2030 zwei weitere Windparks in der Nordsee bauen, sagte Anna Beispiel. (dpa/afp)"
    ),
    "authors": ["Anna Beispiel"],
    "agencies": ["dpa", "AFP"],
}
EN: dict[str, Any] = {
    "title": "City council approves new tram line to the airport",
    "teaser": None,
    "body": (
        "LAKEVILLE (AP) — The Springfield city council on Tuesday approved a new tram line linking the "
        "central station with the airport, ending years of debate over the project's cost.\n\n"
        "By John Example\n\n"
        "Photo: Jane Doe/AP\n\n"
        "The tram line will have twelve stops and is expected to carry 30,000 passengers a day. Council members "
        "said the tram line would cut traffic on the airport road, John Example reported. Construction of the "
        "tram line starts next spring, the council said."
    ),
    "authors": ["John Example"],
    "agencies": ["AP"],
}


def _phrases(doc: dict[str, Any], lang: str | None) -> list[str]:
    return [k["phrase"] for k in keywords.key_phrases(doc, lang)]


@pytest.mark.parametrize(
    ("doc", "lang", "expected_any", "banned"),
    [
        (DE, "de", {"Offshore-Windpark Nordlicht", "Seewind Energie", "Betreiberfirma Seewind Energie"},
         ("hameln", "dpa", "afp", "anna", "beispiel", "muster", "foto")),
        (EN, "en", {"tram line", "Springfield city council", "city council"},
         ("springfield (ap", " ap", "john", "example", "jane", "doe", "photo")),
    ],
)  # fmt: skip
def test_key_phrases_leave_out_bylines_datelines_and_credits(
    doc: dict[str, Any], lang: str, expected_any: set[str], banned: tuple[str, ...]
) -> None:
    found = keywords.key_phrases(doc, lang)
    phrases = [k["phrase"] for k in found]
    assert 3 <= len(phrases) <= keywords.TOP
    assert expected_any & set(phrases), phrases
    for phrase in phrases:
        words = set(re.findall(r"\w+", phrase.lower()))
        assert not words & set(banned), (phrase, banned)
    scores = [k["score"] for k in found]
    assert scores == sorted(scores) and all(s > 0 for s in scores)  # YAKE: lower is better, best first


def test_german_phrases_start_and_end_with_a_capital() -> None:
    for phrase in _phrases(DE, "de"):
        first, last = phrase.split()[0], phrase.split()[-1]
        assert first[0].isupper() or first[0].isdigit(), phrase
        assert last[0].isupper() or last[0].isdigit(), phrase


def test_no_phrase_inside_a_better_one() -> None:
    for doc, lang in ((DE, "de"), (EN, "en")):
        phrases = [p.lower().split() for p in _phrases(doc, lang)]
        for i, words in enumerate(phrases):
            for better in phrases[:i]:
                n = len(words)
                assert not any(better[j : j + n] == words for j in range(len(better) - n + 1)), (words, better)


@pytest.mark.parametrize(
    ("text", "kept", "dropped"),
    [
        ("BERLIN (dpa) - Die Regierung plant.", "Die Regierung plant.", "BERLIN"),
        ("LONDON, Dec 5 (Reuters) - Prices rose.", "Prices rose.", "LONDON"),
        ("WASHINGTON — The Senate voted.", "The Senate voted.", "WASHINGTON"),
        ("Die Ampel streitet (FR mit dpa).", "Die Ampel streitet", "FR mit dpa"),
        ("Quelle: dpa\n\nDie Bahn streikt.", "Die Bahn streikt.", "Quelle"),
        ("© AFP\n\nDie Bahn streikt.", "Die Bahn streikt.", "AFP"),
        ("Mit Material von Reuters\n\nDie Bahn streikt.", "Die Bahn streikt.", "Material"),
        # negative rows: not credits, kept
        ("Die SPD (Sozialdemokraten) streitet.", "(Sozialdemokraten)", None),
        ("USA (AP-Umfrage) streiten.", "(AP-Umfrage)", None),
        ("Von Montag an streikt die Bahn in ganz Deutschland, teilte die Gewerkschaft GDL am Abend in Frankfurt "
         "mit, und die Pendler müssen sich auf Ausfälle einstellen.", "Von Montag an", None),
        ("Erster Absatz.\n\nBERLIN (dpa) - zweiter Absatz.", "BERLIN", None),  # only the text's opening
    ],
)  # fmt: skip
def test_clean_text_rows(text: str, kept: str, dropped: str | None) -> None:
    doc = {"title": None, "teaser": None, "body": text, "authors": [], "agencies": ["dpa", "Reuters", "AFP"]}
    cleaned = keywords.clean_text(doc)
    assert kept in cleaned, cleaned
    if dropped:
        assert dropped not in cleaned, cleaned


def test_clean_text_cut_at_a_word_boundary() -> None:
    doc = {"title": "Titel", "body": "Wort " * 1000, "authors": [], "agencies": []}
    cleaned = keywords.clean_text(doc)
    assert len(cleaned) <= keywords.MAX_CHARS and cleaned.endswith("Wort")


@pytest.mark.parametrize("lang", [None, "", "xx", "zh", "ja", "deu"])
def test_no_phrases_without_a_stopword_list(lang: str | None) -> None:
    assert keywords.key_phrases(DE, lang) == []


def test_empty_texts_give_no_phrases() -> None:
    assert keywords.key_phrases({"title": None, "body": None}, "de") == []
    assert keywords.key_phrases({"title": "", "body": "   "}, "en") == []


def test_stopword_lists_ship_with_yake() -> None:
    de, en = keywords.stopwords("de"), keywords.stopwords("en")
    assert de and en and "und" in de and "the" in en and "" not in de
    assert keywords.stopwords("cs")  # YAKE names Czech "cz"


def test_stage_fills_key_phrases_after_language() -> None:
    rows = [
        {"doc_id": name, "content_sha256": name, "declared_language": None, **doc}
        for name, doc in (("de", DE), ("en", EN))
    ]
    out = enrich_batch(rows, EnrichConfig(enrichers=("language", "keywords")))
    assert [r["language"] for r in out] == ["de", "en"]
    assert all(r["key_phrases"] for r in out)
    assert out[0]["enrichers"] == ["language@1", "keywords@1"]
    # without the language enricher the page's declared language is used
    declared = [{**rows[0], "declared_language": "de"}]
    assert enrich_batch(declared, EnrichConfig(enrichers=("keywords",)))[0]["key_phrases"] == out[0]["key_phrases"]


_SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
from tests.test_enrich_keywords import DE, EN
from tasks.enrich import keywords
print(json.dumps([keywords.key_phrases(DE, "de"), keywords.key_phrases(EN, "en")]))
"""


def test_same_phrases_in_fresh_processes() -> None:
    outputs = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _SCRIPT, str(REPO)], capture_output=True, text=True, timeout=300, env=env
        )
        assert done.returncode == 0, done.stderr[-2000:]
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1]
    assert outputs[0] == json.loads(json.dumps([keywords.key_phrases(DE, "de"), keywords.key_phrases(EN, "en")]))
