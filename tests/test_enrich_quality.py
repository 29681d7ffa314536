"""The hand-labelled enrich set (tests/data/enrich/) is well-formed, and benchmarks/enrich_quality.py scores it right:
precision/recall counting on made-up examples, the unit and name rules, and a real run over 3 labelled corpus
articles (skipped when ../shared/corpus is absent)."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from benchmarks import enrich_quality as eq

HAVE_CORPUS = (eq.CORPUS / "ground_truth.jsonl").is_file()


def _rec(**lists: list[dict[str, Any]]) -> dict[str, Any]:
    rec: dict[str, Any] = {"id": "a", "url": "https://example.org/a", "language": "de"}
    rec.update({t: [] for t in eq.TYPES})
    rec.update(lists)
    return rec


# ----------------------------------------------------------------------------- the label file
def test_label_file_is_well_formed() -> None:
    labels = eq.load_labels()
    corpus_ids = set(eq.corpus_records()) or None  # ids are checked against the corpus when it is there
    assert eq.check_labels(labels, corpus_ids) == []
    langs = Counter(g["language"] for g in labels)
    assert langs["de"] >= 20 and langs["en"] >= 20
    assert len({urlsplit(g["url"]).hostname for g in labels}) >= 12
    for kind in eq.TYPES:  # every type is labelled in both languages
        assert all(sum(len(g[kind]) for g in labels if g["language"] == lang) >= 20 for lang in eq.LANGUAGES), kind


def _broken(change: str) -> list[dict[str, Any]]:
    good = _rec(
        places=[{"name": "Berlin", "country_code": "DE", "aka": []}],
        persons=[{"name": "Olaf Scholz", "aka": []}],
        organisations=[{"name": "Europäische Union", "aka": ["EU"]}],
        quantities=[{"value": 14000.0, "unit": "Soldaten", "text": "14.000 Soldaten"}],
    )
    second = {**copy.deepcopy(good), "id": "b"}
    recs = [good, second]
    if change == "duplicate id":
        second["id"] = "a"
    elif change == "lowercase code":
        good["places"][0]["country_code"] = "de"
    elif change == "no digit in text":
        good["quantities"][0]["text"] = "vierzehntausend Soldaten"
    elif change == "value not a number":
        good["quantities"][0]["value"] = "14000"
    elif change == "same label twice":
        good["organisations"].append({"name": "EU", "aka": []})
    elif change == "same quantity twice":
        good["quantities"].append({"value": 14000, "unit": "soldaten", "text": "14000 Soldaten"})
    elif change == "language":
        good["language"] = "fr"
    elif change == "list missing":
        del good["persons"]
    elif change == "empty name":
        good["persons"][0]["name"] = " "
    elif change == "unknown key":
        good["keywords"] = []
    return recs


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("none", None),
        ("duplicate id", "duplicate id"),
        ("lowercase code", "country_code"),
        ("no digit in text", "holds no digit"),
        ("value not a number", "not a finite number"),
        ("same label twice", "the same label twice"),
        ("same quantity twice", "the same label twice"),
        ("language", "is not de or en"),
        ("list missing", "persons is not a list"),
        ("empty name", "is empty"),
        ("unknown key", "unknown keys"),
    ],
)
def test_check_labels_finds_each_kind_of_problem(change: str, problem: str | None) -> None:
    probs = eq.check_labels(_broken(change), {"a", "b"})
    if problem is None:
        assert probs == []
    else:
        assert len(probs) == 1 and problem in probs[0], probs


def test_check_labels_names_ids_missing_from_the_corpus() -> None:
    assert eq.check_labels(_broken("none"), {"a"}) == ["b: not in the corpus"]


# ----------------------------------------------------------------------------- matching rules
@pytest.mark.parametrize(
    ("gold", "pred", "same"),
    [
        ("Kinder", "Kindern", True),  # inflection ending
        ("point", "points", True),
        ("%", "Prozent", True),
        ("%", "per cent", True),
        ("€", "Euro", True),
        ("$", "dollars", True),
        ("£", "pounds sterling", True),
        (None, None, True),
        ("pounds", "£", False),  # a weight is not a currency
        ("Hong Kong dollars", "dollars", False),
        ("MBit/s", "MBit", False),
        ("Jahre", None, False),
        ("GB", "GBit", False),  # the shorter must have three letters to fold an ending
        ("Tag", "Tagung", False),  # more than two letters longer
    ],
)
def test_units_match(gold: str | None, pred: str | None, same: bool) -> None:
    assert eq.units_match(gold, pred) is same
    assert eq.units_match(pred, gold) is same


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("The Hill", "hill"),
        ("Lowe’s", "lowe"),
        ("Gideon Sa’ar", "gideon sa'ar"),
        ("Charles III.", "charles iii"),
        ("  Deutsche   Bank ", "deutsche bank"),
        ("Foden's", "foden"),
    ],
)
def test_norm_name(raw: str, normalised: str) -> None:
    assert eq.norm_name(raw) == normalised


# ----------------------------------------------------------------------------- precision and recall
def _counts(gold: dict[str, Any], pred: dict[str, Any], kind: str) -> tuple[int, int, int, list[str]]:
    res = eq.score_article(gold, pred)[kind]
    return res["tp"], res["fp"], res["fn"], sorted(f"{side} {k}" for side, k, _ in res["errors"])


BERLIN = {"name": "Berlin", "country_code": "DE", "aka": []}
USA = {"name": "USA", "country_code": "US", "aka": ["Vereinigte Staaten"]}
PUTIN = {"name": "Wladimir Putin", "aka": []}
EU = {"name": "Europäische Union", "aka": ["EU"]}
SOLDIERS = {"value": 14000.0, "unit": "Soldaten", "text": "14.000 Soldaten"}
SHARE = {"value": 2.5, "unit": "%", "text": "2,5 Prozent"}


@pytest.mark.parametrize(
    ("kind", "labels", "predictions", "expected"),
    [
        # places: name (or aka) and country code
        ("places", [BERLIN, USA], [{"name": "berlin", "country_code": "de"}], (1, 0, 1, ["FN missed"])),
        ("places", [USA], [{"name": "Vereinigte Staaten", "country_code": "US"}], (1, 0, 0, [])),
        ("places", [BERLIN], [{"name": "Berlin", "country_code": "US"}], (0, 1, 1, ["FN wrong_code", "FP wrong_code"])),
        ("places", [BERLIN], [{"name": "Bern", "country_code": "CH"}], (0, 1, 1, ["FN missed", "FP spurious"])),
        ("places", [], [{"name": "Berlin", "country_code": "DE"}], (0, 1, 0, ["FP spurious"])),
        ("places", [BERLIN], [], (0, 0, 1, ["FN missed"])),
        # persons: the fullest form, no fuzzy match; a name twice is one prediction
        ("persons", [PUTIN], [{"name": "Wladimir Putin"}, {"name": "Wladimir  Putin"}], (1, 0, 0, [])),
        ("persons", [PUTIN], [{"name": "Putin"}], (0, 1, 1, ["FN partial", "FP partial"])),
        ("persons", [PUTIN], [{"name": "Präsident Wladimir Putin"}], (0, 1, 1, ["FN partial", "FP partial"])),
        # organisations: acronym as aka; the entity found twice under two names is one hit and one duplicate
        ("organisations", [EU], [{"name": "EU"}], (1, 0, 0, [])),
        ("organisations", [EU], [{"name": "Europäische Union"}, {"name": "EU"}], (1, 1, 0, ["FP duplicate"])),
        # quantities: value and unit; number words are not scored
        (
            "quantities",
            [SOLDIERS, SHARE],
            [
                {"value": 14000, "unit": "Soldaten", "text": "14.000 Soldaten"},
                {"value": 2.5, "unit": "Prozent", "text": "2,5 Prozent"},
            ],
            (2, 0, 0, []),
        ),
        (
            "quantities",
            [SOLDIERS],
            [{"value": 14000, "unit": None, "text": "14.000"}],
            (0, 1, 1, ["FN wrong_unit", "FP wrong_unit"]),
        ),
        (
            "quantities",
            [SOLDIERS],
            [{"value": 1400, "unit": "Soldaten", "text": "1.400 Soldaten"}],
            (0, 1, 1, ["FN missed", "FP spurious"]),
        ),
        ("quantities", [], [{"value": 3, "unit": "Spieler", "text": "drei Spieler"}], (0, 0, 0, [])),
        (
            "quantities",
            [SOLDIERS],
            [
                {"value": 14000, "unit": "Soldaten", "text": "14.000 Soldaten"},
                {"value": 14000, "unit": "Soldaten", "text": "14000 Soldaten"},
            ],
            (1, 0, 0, []),
        ),
    ],
)
def test_score_article_counts(
    kind: str, labels: list[dict[str, Any]], predictions: list[dict[str, Any]], expected: tuple[Any, ...]
) -> None:
    assert _counts(_rec(**{kind: labels}), {kind: predictions}, kind) == expected


def test_a_name_labelled_as_another_type_is_other_type() -> None:
    gold = _rec(organisations=[{"name": "Liverpool", "aka": []}])
    res = eq.score_article(gold, {"places": [{"name": "Liverpool", "country_code": "GB"}]})
    assert res["places"]["errors"] == [("FP", "other_type", "Liverpool (GB)")]
    assert res["organisations"]["errors"] == [("FN", "other_type", "Liverpool")]


def test_score_sums_per_language_and_type_and_prf() -> None:
    de = _rec(places=[BERLIN])
    en = {**_rec(places=[USA, {"name": "Ohio", "country_code": "US", "aka": []}]), "id": "b", "language": "en"}
    rows: dict[str, dict[str, Any]] = {
        "a": {"places": [{"name": "Berlin", "country_code": "DE"}]},
        "b": {"places": [BERLIN]},
    }
    counts = eq.score([de, en], rows)["counts"]
    assert counts[("de", "places")] == [1, 0, 0]
    assert counts[("en", "places")] == [0, 1, 2]
    assert counts[("all", "places")] == [1, 1, 2]
    assert eq.prf(1, 1, 2) == pytest.approx((0.5, 1 / 3, 0.4))
    assert eq.prf(0, 0, 0) == (0.0, 0.0, 0.0)


# ----------------------------------------------------------------------------- on the corpus
def test_benchmark_skips_cleanly_without_the_corpus(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(eq, "CORPUS", tmp_path / "absent")
    assert eq.main(["--labelled-only"]) == 0
    assert capsys.readouterr().out.startswith("skipped:")


@pytest.mark.skipif(not HAVE_CORPUS, reason="../shared/corpus not available")
def test_scorer_runs_the_stage_over_three_labelled_articles() -> None:
    wanted = ("fundus-de-boersenzeitung-2025-11-06", "zyte-5a822960e9a2cb1e", "zyte-9ebb3af65694a953")
    labels = [g for g in eq.load_labels() if g["id"] in wanted]
    records = eq.corpus_records()
    rows = [eq.parsed_row(g["id"], records[g["id"]]["url"]) for g in labels]
    assert all(r is not None and r["body"] for r in rows)
    enriched, cpu = eq.enrich_rows([r for r in rows if r is not None])
    assert set(enriched) == set(wanted) and cpu > 0
    result = eq.score(labels, enriched)
    for kind in eq.TYPES:
        tp, fp, fn = result["counts"][("all", kind)]
        assert tp + fn == sum(len(g[kind]) for g in labels)
        scored = sum(len(eq._predictions(kind, enriched[g["id"]].get(kind) or [])) for g in labels)
        assert tp + fp == scored
    assert sum(c[0] for (lang, _), c in result["counts"].items() if lang == "all") > 0
