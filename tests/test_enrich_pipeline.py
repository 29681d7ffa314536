"""The enrich stage in the real pipeline (the `newsflow` CLI, Prefect's temporary local API): which enrichers run
is configuration, adding one re-enriches stored articles without re-fetching or re-parsing them, and a rerun with
nothing changed does no work and touches no file. The seed article's enrich golden values are checked on the
articles dataset the default configuration produces.
"""

from __future__ import annotations

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
from tests.test_pipeline import SEED_URL_PREFIX, snapshot

GOLDEN = Path("/work/shared/samples/000_d46cfdf603683a86.expected.json")
LOCAL_GOLDEN = REPO / "tests" / "golden" / "000_d46cfdf603683a86.expected.json"
#: a German and an English page besides the seed
PAGES = (
    "epochtimes-nordkorea-truppen.txt.gz",
    "fundus-de-hessenschau-2024-04-27.html.gz",
    "fundus-us-reuters-2024-03-07.html.gz",
)


def newsflow(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    cmd = [sys.executable, "-m", "flows.cli", *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600, env=env)


def _run(tmp: Path, raw: Path, enrich: str) -> dict[str, Any]:
    cfg = config_file(tmp, enrich, newsflow="batch_size = 10", sources=files_source(raw))
    done = newsflow("run", "--config", str(cfg), "--json", cwd=tmp)
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("enrich-e2e")
    raw = tmp / "raw"
    raw.mkdir()
    for name in PAGES:
        shutil.copy(SAMPLES / name, raw / name)
        meta = SAMPLES / f"{name}.meta.json"
        if meta.exists():
            shutil.copy(meta, raw / meta.name)
    processed = tmp / "data" / "processed"
    res: dict[str, Any] = {}
    res["first"] = _run(tmp, raw, '[enrich]\nenrichers = ["language"]\n')
    res["articles_first"] = pd.read_parquet(processed / "articles")
    before = snapshot(processed)
    res["second"] = _run(tmp, raw, '[enrich]\nenrichers = ["language"]\n')
    res["unchanged"] = before == snapshot(processed)
    res["third"] = _run(tmp, raw, "")  # the default: every enricher
    res["articles_third"] = pd.read_parquet(processed / "articles")
    res["enriched_third"] = pd.read_parquet(processed / "enriched")
    before = snapshot(processed)
    res["fourth"] = _run(tmp, raw, "")
    res["unchanged_default"] = before == snapshot(processed)
    return res


def test_only_configured_enrichers_fill_columns(runs: dict[str, Any]) -> None:
    arts = runs["articles_first"]
    assert len(arts) == len(PAGES)
    assert arts["language"].notna().all()
    assert arts["word_count"].isna().all() and arts["reading_time_s"].isna().all()
    assert all(list(tags) == ["language@1"] for tags in arts["enrichers"])


def test_unchanged_rerun_does_nothing(runs: dict[str, Any]) -> None:
    for key, same in (("second", "unchanged"), ("fourth", "unchanged_default")):
        for stage, counts in runs[key]["stages"].items():
            assert counts["processed"] == 0, (key, stage)
        assert runs[key]["dataset_rewritten"] is False
        assert runs[same], f"the {key} run changed files under processed/"


def test_adding_enrichers_re_enriches_only(runs: dict[str, Any]) -> None:
    stages = runs["third"]["stages"]
    for stage in ("fetch", "parse", "dedup"):
        assert stages[stage]["processed"] == 0, stage
    assert stages["enrich"]["processed"] == len(PAGES)
    assert runs["third"]["dataset_rewritten"] is True
    arts = runs["articles_third"]
    assert len(arts) == len(PAGES)
    assert (arts["word_count"] > 100).all()
    from tasks import enrich
    from tasks.config import EnrichConfig

    tags = [e.tag for e in enrich.selected(EnrichConfig())]
    assert all(list(t) == tags for t in arts["enrichers"])
    # superseded enrich rows are removed: one row per document version
    assert len(runs["enriched_third"]) == len(PAGES)


def _seed(runs: dict[str, Any]) -> Any:
    arts = runs["articles_third"]
    return arts[arts["url"].str.startswith(SEED_URL_PREFIX)].iloc[0]


def test_seed_enrich_golden_language_and_words(runs: dict[str, Any]) -> None:
    path = GOLDEN if GOLDEN.is_file() else LOCAL_GOLDEN
    expected = json.loads(path.read_text(encoding="utf-8"))["enrich"]
    row = _seed(runs)
    assert row["language"] == expected["language"]
    lo, hi = expected["word_count_body_between"]
    assert lo <= row["word_count"] <= hi


def _golden() -> dict[str, Any]:
    path = GOLDEN if GOLDEN.is_file() else LOCAL_GOLDEN
    return dict(json.loads(path.read_text(encoding="utf-8"))["enrich"])


def test_seed_enrich_golden_quantities(runs: dict[str, Any]) -> None:
    row = _seed(runs)
    got = [(q["value"], q["unit"]) for q in row["quantities"]]
    for want in _golden()["quantities_must_include"]:
        assert (float(want["value"]), want["unit"]) in got, want
    for q in row["quantities"]:
        assert q["text"] in f"{row['title']}\n\n{row['teaser']}\n\n{row['body']}"


def test_seed_enrich_golden_places(runs: dict[str, Any]) -> None:
    row = _seed(runs)
    got = {(p["name"], p["country_code"]) for p in row["places"]}
    for want in _golden()["places_must_include"]:
        assert (want["name"], want["country_code"]) in got, want
    assert {"KP", "RU", "UA", "KR"} <= set(row["countries"])
    for p in row["places"]:
        assert p["mentions"] >= 1 and p["method"] in ("country", "city", "state", "region")


def test_seed_enrich_golden_persons(runs: dict[str, Any]) -> None:
    row = _seed(runs)
    got = {p["name"] for p in row["persons"]}
    for want in _golden()["persons_must_include"]:
        assert want in got, want
    assert not set(row["authors"]) & got
    putin = next(p for p in row["persons"] if p["name"] == "Wladimir Putin")
    assert putin["mentions"] >= 3 and putin["method"] == "title"  # the later "Putin" mentions are covered
