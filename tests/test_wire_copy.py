"""``wire_copy``, key phrases and the report's places and persons section through the real pipeline (the
`newsflow` CLI, Prefect's temporary local API): two near-identical pages, one crediting dpa, and an unrelated
page; adding the ``keywords`` enricher re-enriches the stored articles without fetching or parsing them again.
Plus :func:`tasks.export.wire_copy` and :func:`tasks.report_entities.summarise` rows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tasks import report_entities
from tasks.export import wire_copy
from tests.test_enrich_pipeline import _run
from tests.test_pipeline import NEW_ARTICLE

STORY = (
    "<p>{dateline}Bundeskanzler Friedrich Merz hat am Dienstag in Berlin einen Plan zur Sanierung der Brücken "
    "vorgestellt. Bis 2035 sollen bundesweit rund 4.000 Autobahnbrücken erneuert werden, kündigte der Kanzler nach "
    "einem Treffen mit den Verkehrsministern der Länder an.</p>\n"
    "<p>Die Kosten schätzt das Verkehrsministerium auf 30 Milliarden Euro. Verkehrsminister Patrick Schnieder "
    "sagte, zuerst kämen die Brücken an den großen Transitstrecken an die Reihe, etwa an der A45 zwischen Dortmund "
    "und Frankfurt.</p>\n"
    "<p>Der ADAC begrüßte den Plan, forderte aber eine verlässliche Finanzierung über mehrere Jahre. Kritik kam von "
    "Umweltverbänden, die mehr Geld für die Schiene verlangen. In Frankreich und Polen laufen ähnliche Programme "
    "bereits seit Jahren.</p>\n"
)


def _page(title: str, url: str, dateline: str, extra: str = "") -> str:
    return (
        f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{title}</title>'
        f'<link rel="canonical" href="{url}"></head><body><article><h1>{title}</h1>\n'
        f"{STORY.format(dateline=dateline)}{extra}</article></body></html>\n"
    )


PAGES = {
    "credited.html": _page(
        "Merz stellt Plan für Brücken vor", "https://zeitung-eins.example/merz-bruecken.html", "BERLIN (dpa) - "
    ),
    "copy.html": _page(
        "Tausende Autobahnbrücken sollen erneuert werden",
        "https://zeitung-zwei.example/politik/bruecken-plan.html",
        "",
        "<p>Mehr dazu lesen Sie morgen in unserer Ausgabe.</p>",
    ),
    "other.html": NEW_ARTICLE,
}
WITHOUT_KEYWORDS = '[enrich]\nenrichers = ["language", "words", "quantities", "entities", "places"]\n'


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("wire-copy")
    raw = tmp / "raw"
    raw.mkdir()
    for name, html in PAGES.items():
        (raw / name).write_text(html, encoding="utf-8")
    processed = tmp / "data" / "processed"
    res: dict[str, Any] = {"first": _run(tmp, raw, WITHOUT_KEYWORDS)}
    res["articles_first"] = pd.read_parquet(processed / "articles")
    res["second"] = _run(tmp, raw, "")  # the default adds the keywords enricher
    res["articles_second"] = pd.read_parquet(processed / "articles")
    return res


def _rows(arts: pd.DataFrame) -> tuple[Any, Any, Any]:
    credited = arts[arts["title"] == "Merz stellt Plan für Brücken vor"].iloc[0]
    copy = arts[arts["title"] == "Tausende Autobahnbrücken sollen erneuert werden"].iloc[0]
    other = arts[arts["title"] == "Stadtrat beschließt neues Radwegenetz"].iloc[0]
    return credited, copy, other


def test_near_duplicate_of_a_credited_article_is_wire_copy(runs: dict[str, Any]) -> None:
    arts = runs["articles_first"]
    assert len(arts) == 3
    credited, copy, other = _rows(arts)
    assert list(credited["agencies"]) == ["dpa"]
    assert copy["cluster_id"] == credited["cluster_id"] and copy["cluster_size"] == 2
    assert "near" in {copy["duplicate_kind"], credited["duplicate_kind"]}
    assert bool(credited["wire_copy"]) is True  # its own credit
    assert bool(copy["wire_copy"]) is True  # no credit of its own: a near-duplicate of the credited one
    assert bool(other["wire_copy"]) is False and other["cluster_size"] == 1
    assert arts["key_phrases"].isna().all()  # keywords not configured yet


def test_adding_keywords_re_enriches_without_fetch_or_parse(runs: dict[str, Any]) -> None:
    stages = runs["second"]["stages"]
    for stage in ("fetch", "parse", "dedup"):
        assert stages[stage]["processed"] == 0, stage
    assert stages["enrich"]["processed"] == 3
    arts = runs["articles_second"]
    assert all("keywords@1" in list(tags) for tags in arts["enrichers"])
    credited, copy, other = _rows(arts)
    for row in (credited, copy, other):
        phrases = [k["phrase"] for k in row["key_phrases"]]
        assert 3 <= len(phrases) <= 10, phrases
        assert not any(w in p.split() for p in phrases for w in ("dpa", "BERLIN", "Jana", "Beispiel")), phrases
    assert any("Radwegenetz" in k["phrase"] for k in other["key_phrases"])
    assert [bool(r["wire_copy"]) for r in (credited, copy, other)] == [True, True, False]


def test_report_shows_places_and_persons(runs: dict[str, Any]) -> None:
    html = Path(runs["second"]["report_html"]).read_text(encoding="utf-8")
    assert '<section id="entities">' in html and "Top places" in html and "Top persons" in html
    assert "Friedrich Merz" in html and "Berlin" in html
    figures = json.loads(html.split('<script type="application/json" id="figures">')[1].split("</script>")[0])
    world = figures["chart-countries"]
    assert all(t["type"] == "scatter" for t in world["data"])  # no geo trace: nothing is fetched
    names = [t.get("name") or "" for t in world["data"]]
    assert any(n.startswith("DE ") or n.startswith("DE:") for n in names), names  # Berlin, Dortmund, Frankfurt


ROW_DE = {"places": [{"name": "Berlin", "country_code": "DE", "mentions": 2, "method": "city"}],
          "countries": ["DE"], "persons": [{"name": "Friedrich Merz", "method": "title", "mentions": 3}]}  # fmt: skip
ROW_FR = {"places": [{"name": "Frankreich", "country_code": "FR", "mentions": 1, "method": "country"},
                     {"name": "Berlin", "country_code": "DE", "mentions": 1, "method": "city"}],
          "countries": ["FR", "DE"], "persons": []}  # fmt: skip
ROW_NONE = {"places": None, "countries": None, "persons": None}  # enrichers not configured


@pytest.mark.parametrize(
    ("rows", "places", "countries", "persons", "enriched"),
    [
        ([ROW_DE, ROW_FR], [("Berlin", "DE", 2, 3), ("Frankreich", "FR", 1, 1)], {"DE": 2, "FR": 1},
         [("Friedrich Merz", 1, 3)], 2),
        ([ROW_NONE, ROW_NONE], [], {}, [], 0),
        ([], [], {}, [], 0),
        ([{"places": [], "countries": [], "persons": []}], [], {}, [], 1),
    ],
)  # fmt: skip
def test_summarise_rows(
    rows: list[dict[str, Any]],
    places: list[tuple[Any, ...]],
    countries: dict[str, int],
    persons: list[Any],
    enriched: int,
) -> None:
    s = report_entities.summarise(rows)
    assert [(p["name"], p["country_code"], p["articles"], p["mentions"]) for p in s["places"]] == places
    assert s["countries"] == countries
    assert [(p["name"], p["articles"], p["mentions"]) for p in s["persons"]] == persons
    assert s["enriched"] == enriched


def test_section_escapes_names_and_skips_map_without_countries() -> None:
    row = {"places": [], "countries": [], "persons": [{"name": "<script>x</script>", "method": "t", "mentions": 1}]}
    figs, html = report_entities.section([row], lambda fig: fig)
    assert "chart-countries" not in figs and "<script>" not in html and "&lt;script&gt;" in html
    figs, html = report_entities.section([ROW_NONE], lambda fig: fig)
    assert figs == {} and "not configured" in html


@pytest.mark.parametrize(
    ("counts", "expected"),
    [(1, "1"), (2, "2–4"), (4, "2–4"), (5, "5–9"), (24, "10–24"), (1000, "1000+"), (10**6, "1000+")],
)
def test_count_classes(counts: int, expected: str) -> None:
    assert report_entities.class_label(report_entities.count_class(counts)) == expected


@pytest.mark.parametrize(
    ("credits", "expected"),
    [
        ([["dpa"]], True),  # the article's own credit
        ([[], ["AFP"]], True),  # a near-duplicate's credit
        ([None, [], ["Reuters", "AP"]], True),
        ([[]], False),
        ([None, []], False),
        ([], False),
    ],
)
def test_wire_copy_rows(credits: list[list[str] | None], expected: bool) -> None:
    assert wire_copy(credits) is expected
