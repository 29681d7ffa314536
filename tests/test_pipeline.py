"""End-to-end: the `newsflow` CLI as a user runs it, on the bundled samples, through Prefect's temporary local API.

One module-scoped fixture runs, in order: a first run, a second run with no new input, `newsflow status --json`,
a run after adding one file, and exports; the tests then check what each step produced.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import REPO, SAMPLES, config_file, files_source

GOLDEN = REPO / "tests" / "golden" / "000_d46cfdf603683a86.expected.json"
SEED_URL_PREFIX = "https://www.epochtimes.de/politik/ausland/nordkorea-bestaetigt-truppenentsendung"
PARTNER_URL = "https://www.nachrichten-partner.example/politik/welt/nordkorea-bestaetigt-truppenentsendung-nach-russland-20250428.html"
SYNDICATED_URL = "https://www.ostwest-rundschau.example/welt/asien/pjoengjang-raeumt-einsatz-in-kursk-ein-8841.html"

NEW_ARTICLE = """<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8">
<title>Stadtrat beschließt neues Radwegenetz | Lokalblatt Beispielstadt</title>
<link rel="canonical" href="https://lokalblatt.example.de/stadt/radwegenetz-beschlossen-1234.html">
<meta property="og:title" content="Stadtrat beschließt neues Radwegenetz">
<meta name="description" content="Bis 2030 sollen 40 Kilometer neue Radwege entstehen.">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
 "headline":"Stadtrat beschließt neues Radwegenetz","datePublished":"2025-03-12T18:30:00+01:00",
 "author":{"@type":"Person","name":"Jana Beispiel"}}</script>
</head><body>
<nav><a href="/">Startseite</a> <a href="/stadt">Stadt</a> <a href="/sport">Sport</a></nav>
<article>
<h1>Stadtrat beschließt neues Radwegenetz</h1>
<p class="byline">Von Jana Beispiel</p>
<p>Der Stadtrat hat am Mittwochabend mit großer Mehrheit ein neues Radwegenetz beschlossen. Bis 2030 sollen
rund 40 Kilometer neue Radwege entstehen, davon die Hälfte baulich vom Autoverkehr getrennt.</p>
<p>Die Kosten schätzt die Verwaltung auf 58 Millionen Euro. Ein Teil soll aus Förderprogrammen des Landes
kommen, den Rest trägt die Stadt über die kommenden sechs Haushaltsjahre.</p>
<p>Kritik kam von den Einzelhändlern in der Innenstadt, die um Parkplätze fürchten. Der Verkehrsdezernent
versprach, die Lieferzonen in der Fußgängerzone zu erhalten und neue Kurzzeitparkplätze auszuweisen.</p>
<p>Der erste Abschnitt zwischen Hauptbahnhof und Universität soll bereits im kommenden Frühjahr gebaut werden.
Die Bauarbeiten werden nach Angaben der Stadt rund acht Monate dauern.</p>
</article>
<footer>© Lokalblatt Beispielstadt · Impressum · Datenschutz</footer>
</body></html>
"""


def newsflow(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "newsflow"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "flows.cli"]
    return subprocess.run(cmd + list(args), cwd=cwd, capture_output=True, text=True, timeout=600, env=os.environ.copy())


def write_config(tmp: Path, raw: Path, extra: str = "") -> Path:
    return config_file(tmp, extra, newsflow="batch_size = 10", sources=files_source(raw))


def snapshot(folder: Path) -> dict[str, tuple[int, int, str]]:
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            st = p.stat()
            out[str(p.relative_to(folder))] = (
                st.st_size,
                st.st_mtime_ns,
                hashlib.sha256(p.read_bytes()).hexdigest(),
            )
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("e2e")
    raw = tmp / "raw" / "samples"
    shutil.copytree(SAMPLES, raw)
    cfg = write_config(tmp, raw)
    processed = tmp / "data" / "processed"
    res: dict[str, Any] = {"tmp": tmp, "processed": processed}

    first = newsflow("run", "--config", str(cfg), "--json", cwd=tmp)
    assert first.returncode == 0, first.stderr[-3000:]
    res["first"] = json.loads(first.stdout)
    res["articles_first"] = pd.read_parquet(processed / "articles")

    before = snapshot(processed)
    second = newsflow("run", "--config", str(cfg), "--json", cwd=tmp)
    assert second.returncode == 0, second.stderr[-3000:]
    res["second"] = json.loads(second.stdout)
    res["unchanged"] = before == snapshot(processed)

    status = newsflow("status", "--config", str(cfg), "--json", cwd=tmp)
    assert status.returncode == 0, status.stderr[-3000:]
    res["status"] = json.loads(status.stdout)

    (raw / "lokalblatt-radwegenetz.html").write_text(NEW_ARTICLE, encoding="utf-8")
    third = newsflow("run", "--config", str(cfg), "--json", cwd=tmp)
    assert third.returncode == 0, third.stderr[-3000:]
    res["third"] = json.loads(third.stdout)
    res["articles_third"] = pd.read_parquet(processed / "articles")

    for fmt in ("csv", "jsonl", "parquet"):
        out = tmp / f"articles.{fmt}"
        done = newsflow("export", "--config", str(cfg), "--format", fmt, "--out", str(out), cwd=tmp)
        assert done.returncode == 0, done.stderr[-3000:]
        res[fmt] = out

    # changed dedup settings: only dedup (and export) redo their work
    cfg = write_config(tmp, raw, "\n[dedup]\nthreshold = 0.6\n")
    fourth = newsflow("run", "--config", str(cfg), "--json", cwd=tmp)
    assert fourth.returncode == 0, fourth.stderr[-3000:]
    res["fourth"] = json.loads(fourth.stdout)
    res["articles_fourth"] = pd.read_parquet(processed / "articles")
    return res


def _sample_documents() -> int:
    return len([p for p in SAMPLES.iterdir() if p.name.endswith((".html.gz", ".txt.gz"))])


def test_first_run_exports_every_article_once(runs: dict[str, Any]) -> None:
    arts = runs["articles_first"]
    docs = _sample_documents()
    assert runs["first"]["stages"]["fetch"]["processed"] == docs
    assert runs["first"]["rejected_total"] == 0
    # three of the bundled documents are copies (a second file name and a utm-tagged URL: URL duplicates; the
    # seed republished verbatim on a partner site: an exact duplicate): folded, not exported twice
    assert len(arts) == docs - 3
    assert arts["article_id"].is_unique
    assert (arts["title"].str.strip().str.len() > 0).all()
    assert (arts["body"].str.strip().str.len() > 200).all()
    folded = [k for ks in arts["folded_kinds"] for k in ks]
    assert sum(len(ds) for ds in arts["folded_doc_ids"]) == len(folded)
    assert sorted(folded) == ["exact", "url", "url"]
    seed = arts[arts["url"].str.startswith(SEED_URL_PREFIX)]
    assert len(seed) == 1
    row = seed.iloc[0]
    assert sorted(row["folded_kinds"]) == ["exact", "url"]
    assert sorted(row["folded_urls"]) == sorted([PARTNER_URL, *[u for u in row["folded_urls"] if "utm_source" in u]])
    assert len(row["folded_urls"]) == 2
    assert "utm_" not in row["canonical_url"]
    assert pd.isna(row["duplicate_kind"]) and row["cluster_size"] == 4  # seed, newsletter, partner copy, syndicated
    assert set(arts["language"]) >= {"de", "en", "nl", "ru", "sv", "tr", "pl"}


def test_near_duplicate_is_labelled_with_cluster_agencies(runs: dict[str, Any]) -> None:
    arts = runs["articles_first"]
    seed = arts[arts["url"].str.startswith(SEED_URL_PREFIX)].iloc[0]
    near = arts[arts["duplicate_kind"] == "near"]
    assert len(near) == 1, near[["url", "duplicate_kind", "similarity"]]
    row = near.iloc[0]
    assert row["canonical_url"] == SYNDICATED_URL
    assert row["title"] == "Kim schickte 14.000 Soldaten: Pjöngjang räumt Einsatz in Kursk ein"
    assert (row["duplicate_of"], row["cluster_id"], row["cluster_size"]) == (seed["article_id"], seed["cluster_id"], 4)
    assert 0.8 <= row["similarity"] < 1.0  # 5-shingle Jaccard with the seed ≈ 0.91
    # the copy dropped the "(afp/dpa/red)" credit; the cluster's agencies reach it
    assert list(row["agencies"]) == ["AFP", "dpa"]
    # every other row is its own story or a cluster representative
    others = arts[arts["duplicate_kind"] != "near"]
    assert others["duplicate_kind"].isna().all() and others["duplicate_of"].isna().all()
    assert set(others["cluster_size"]) == {1, 2, 4}  # orf + copy folded: 2; the seed cluster: 4


def test_changed_dedup_settings_redo_dedup_only(runs: dict[str, Any]) -> None:
    stages = runs["fourth"]["stages"]
    for stage in ("fetch", "parse", "enrich"):
        assert stages[stage]["processed"] == 0, stage
    assert stages["dedup"]["processed"] == _sample_documents() + 1  # + the article added by the third run
    assert stages["export"]["processed"] == len(runs["articles_third"])
    assert runs["fourth"]["dataset_rewritten"] is True
    before = runs["articles_third"].set_index("doc_id")
    after = runs["articles_fourth"].set_index("doc_id")
    assert sorted(after.index) == sorted(before.index)
    assert (after["cluster_id"] == before.loc[after.index, "cluster_id"]).all()


def test_seed_article_matches_golden(runs: dict[str, Any]) -> None:
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    parse, enrich = expected["parse"], expected["enrich"]
    arts = runs["articles_first"]
    row = arts[arts["url"].str.startswith(SEED_URL_PREFIX)].iloc[0]
    assert row["title"] == parse["title"]
    assert row["teaser"] == parse["teaser"]
    assert row["site_name"] == parse["site_name"]
    assert row["published_at"].strftime("%Y-%m-%d") == parse["published_date"]
    assert list(row["authors"]) == parse["authors"]
    assert list(row["agencies"]) == parse["agencies"]
    assert list(row["related_ids"]) == parse["related_ids"]
    assert list(row["subheadings"]) == parse["subheadings"]
    images = [{k: img[k] for k in ("alt", "caption", "credit")} for img in row["images"]]
    assert images == parse["images"]
    assert row["body"].split("\n\n") == parse["body_paragraphs"]
    for bad in parse["body_must_not_contain"]:
        assert bad not in row["body"]
    assert row["language"] == enrich["language"]
    lo, hi = enrich["word_count_body_between"]
    assert lo <= row["word_count"] <= hi


def test_second_run_does_no_work(runs: dict[str, Any]) -> None:
    second = runs["second"]
    for stage, counts in second["stages"].items():
        assert counts["processed"] == 0, stage
        assert counts["rejected"] == 0, stage
    assert second["documents_in"] == 0
    assert second["dataset_rewritten"] is False
    assert runs["unchanged"], "a run with no new input changed files under processed/"
    for stage, st in runs["status"]["stages"].items():
        assert st["pending"] == 0, stage


def test_adding_one_file_processes_exactly_that_file(runs: dict[str, Any]) -> None:
    third = runs["third"]
    for stage in ("fetch", "parse", "dedup", "enrich"):
        assert third["stages"][stage]["processed"] == 1, stage
    assert third["dataset_rewritten"] is True
    arts = runs["articles_third"]
    assert len(arts) == len(runs["articles_first"]) + 1
    new = arts[arts["canonical_url"] == "https://lokalblatt.example.de/stadt/radwegenetz-beschlossen-1234.html"]
    assert len(new) == 1
    row = new.iloc[0]
    assert row["title"] == "Stadtrat beschließt neues Radwegenetz"
    assert list(row["authors"]) == ["Jana Beispiel"]
    assert row["published_at"].isoformat() == "2025-03-12T17:30:00+00:00"
    assert row["language"] == "de"
    assert "Impressum" not in row["body"] and "Startseite" not in row["body"]


def test_exports_in_three_formats(runs: dict[str, Any]) -> None:
    n = len(runs["articles_third"])
    assert len(pd.read_csv(runs["csv"])) == n
    lines = runs["jsonl"].read_text(encoding="utf-8").splitlines()
    assert len(lines) == n
    rec = json.loads(lines[0])
    assert isinstance(rec["authors"], list) and isinstance(rec["images"], list)
    assert len(pd.read_parquet(runs["parquet"])) == n


def test_bundled_samples_are_small_and_compressed() -> None:
    pages = [p for p in SAMPLES.iterdir() if p.name.endswith((".html.gz", ".txt.gz"))]
    assert 20 <= len(pages) <= 31
    assert sum(p.stat().st_size for p in pages) < 5_000_000
    for p in pages:
        assert gzip.decompress(p.read_bytes())  # real gzip, non-empty
