"""Tests for tasks.enrich: language detection (C21 determinism), word counts and reading times."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tasks import schemas
from tasks.config import EnrichConfig
from tasks.enrich import (
    ENRICH_VERSION,
    HINT_CONFIDENCE,
    detect_language,
    enrich_batch,
    reading_time_s,
    word_count,
)
from tests.conftest import FIELD_CASES

REPO = Path(__file__).resolve().parents[1]
CASES = FIELD_CASES

# C21 inline, so the test runs without the shared case file
C21_TITLE = "Internet para todos"
C21_BODY = (
    "El ayuntamiento presentó este martes un plan para que todas las imágenes publicadas en sus páginas web "
    "incluyan una descripción de texto. La medida busca que las personas con discapacidad visual puedan "
    "acceder a la misma información que el resto de los ciudadanos."
)

SENTENCES = [
    (
        "de",
        "Die Bundesregierung hat am Mittwoch ein Gesetz beschlossen, das die Mietpreise in "
        "Großstädten stärker "
        "begrenzen soll. Mieterverbände begrüßten den Entwurf, Vermieter kündigten Widerstand an.",
    ),
    (
        "en",
        "The central bank left interest rates unchanged on Thursday, saying inflation was falling "
        "more slowly "
        "than expected and that it needed more evidence before cutting borrowing costs.",
    ),
    (
        "fr",
        "Le gouvernement a présenté mercredi un projet de loi visant à renforcer la sécurité "
        "routière, avec des "
        "sanctions plus lourdes pour les conducteurs qui utilisent leur téléphone au volant.",
    ),
    ("es", f"{C21_TITLE}\n\n{C21_BODY}"),
    (
        "es",
        "Miles de personas se manifestaron el domingo en Madrid para exigir mejoras en la sanidad "
        "pública y más "
        "médicos en los centros de salud de los barrios.",
    ),
]


@pytest.mark.parametrize(("expected", "text"), SENTENCES)
def test_detect_language_real_sentences(expected: str, text: str) -> None:
    lang, conf = detect_language(text)
    assert lang == expected
    assert 0.5 < conf <= 1.0


def test_detect_language_empty_and_hint_rules() -> None:
    assert detect_language("") == (None, 0.0)
    assert detect_language(None) == (None, 0.0)
    assert detect_language("  123 — 456 ", "de") == (None, 0.0)
    # very short text: the declared language wins (any BCP 47 tag, primary subtag only)
    for hint in ("es", "es-ES", "ES_es"):
        lang, conf = detect_language(C21_TITLE, hint)
        assert lang == "es" and HINT_CONFIDENCE <= conf <= 1.0
    lang, conf = detect_language("Regierung tritt zurück", "de")
    assert lang == "de"
    # an unusable hint is ignored
    assert detect_language(C21_TITLE, "spanish")[0] == detect_language(C21_TITLE)[0]
    # long enough text: the detector decides even against a wrong declared language (html lang can be wrong)
    assert detect_language(SENTENCES[0][1], "en")[0] == "de"


def test_c21_case_expectations() -> None:
    title, body, html_lang = C21_TITLE, C21_BODY, "es"
    if CASES.is_file():
        for line in CASES.read_text(encoding="utf-8").splitlines():
            if line.strip() and json.loads(line)["id"] == "C21":
                inp = json.loads(line)["input"]
                title, body, html_lang = inp["title"], inp["body"], inp["html_lang"]
    assert detect_language(f"{title}\n\n{body}", html_lang)[0] == "es"
    assert detect_language(f"{title}\n\n{body}")[0] == "es"
    assert detect_language(title, html_lang)[0] == "es"


_CHILD = """
import json, sys
from tasks.enrich import detect_language
title, body = sys.argv[1], sys.argv[2]
out = []
for _ in range(int(sys.argv[3])):
    full = title + "\\n\\n" + body
    out.append([detect_language(title), detect_language(title, "es"), detect_language(full)])
print(json.dumps(out))
"""


def test_c21_deterministic_across_fresh_processes() -> None:
    """20 results from 5 fresh interpreters (4 calls each): every one identical, and equal to this process."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, C21_TITLE, C21_BODY, "4"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(5)
    ]
    results: list[Any] = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        results.extend(json.loads(out))
    assert len(results) == 20
    here = [
        list(detect_language(C21_TITLE)),
        list(detect_language(C21_TITLE, "es")),
        list(detect_language(f"{C21_TITLE}\n\n{C21_BODY}")),
    ]
    assert all(r == here for r in results)
    assert here[1][0] == "es" and here[2][0] == "es"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (None, 0),
        ("", 0),
        ("   \n\n ", 0),
        ("one", 1),
        ("Ein  Satz\tmit\nvier", 4),
        ("Absatz eins.\n\nAbsatz zwei — mit Gedankenstrich.", 7),
        ("e-mail 4,000 U.S.", 3),
    ],
)
def test_word_count(body: str | None, words: int) -> None:
    assert word_count(body) == words


@pytest.mark.parametrize(
    ("words", "wpm", "seconds"),
    [
        (0, 238, 0),
        (1, 238, 1),
        (238, 238, 60),
        (239, 238, 61),
        (1000, 238, 253),
        (500, 200, 150),
        (-3, 238, 0),
    ],
)
def test_reading_time(words: int, wpm: int, seconds: int) -> None:
    assert reading_time_s(words, wpm) == seconds


def test_reading_time_rejects_bad_rate() -> None:
    with pytest.raises(ValueError):
        reading_time_s(10, 0)


def test_enrich_batch_rows_fit_schema() -> None:
    rows = [
        {
            "doc_id": "d1",
            "content_sha256": "s1",
            "title": C21_TITLE,
            "teaser": None,
            "body": C21_BODY,
            "declared_language": "es",
        },
        {
            "doc_id": "d2",
            "content_sha256": "s2",
            "title": "Rücktritt",
            "teaser": "",
            "body": None,
            "declared_language": "de-DE",
        },
        {
            "doc_id": "d3",
            "content_sha256": "s3",
            "title": None,
            "teaser": None,
            "body": None,
            "declared_language": None,
        },
    ]
    out = enrich_batch(rows, EnrichConfig())
    table = schemas.conform(out, schemas.ENRICHED)
    assert table.num_rows == 3
    d1, d2, d3 = out
    assert (d1["language"], d1["word_count"], d1["enrich_version"]) == ("es", 43, ENRICH_VERSION)
    assert d1["reading_time_s"] == reading_time_s(43, 238) == 11
    assert 0.5 < d1["language_confidence"] <= 1.0
    assert (d2["language"], d2["word_count"], d2["reading_time_s"]) == ("de", 0, 0)
    assert (d3["language"], d3["language_confidence"], d3["word_count"]) == (None, 0.0, 0)


_CHILD_ALL = """
import json, sys
from tasks.config import EnrichConfig
from tasks.enrich import enrich_batch
doc = json.loads(sys.stdin.read())
out = [enrich_batch([doc], EnrichConfig())[0] for _ in range(int(sys.argv[1]))]
print(json.dumps(out, sort_keys=True, ensure_ascii=False))
"""


def test_every_enricher_deterministic_across_fresh_processes() -> None:
    """The seed article through every default enricher: 20 runs in 4 fresh interpreters give one answer."""
    golden = REPO / "tests" / "golden" / "000_d46cfdf603683a86.expected.json"
    parse = json.loads(golden.read_text(encoding="utf-8"))["parse"]
    doc = {
        "doc_id": "seed",
        "content_sha256": "seed",
        "title": parse["title"],
        "teaser": parse["teaser"],
        "body": "\n\n".join(parse["body_paragraphs"]),
        "declared_language": "de",
        "authors": parse["authors"],
        "agencies": parse["agencies"],
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD_ALL, "5"],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results: list[Any] = []
    for p in procs:
        out, err = p.communicate(json.dumps(doc), timeout=300)
        assert p.returncode == 0, err
        results.extend(json.loads(out))
    assert len(results) == 20
    assert all(r == results[0] for r in results)
    assert results[0]["places"] and results[0]["quantities"] and results[0]["persons"]
