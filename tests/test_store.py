"""Declared schemas and atomic part writes (field cases C22 and C24), plus settings validation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tasks import schemas
from tasks.config import ConfigError, load_settings
from tasks.export import write_export
from tasks.store import Store, newest_versions

TOY = pa.schema([pa.field("url", pa.string()), pa.field("numbers_first", pa.string()), pa.field("author", pa.string())])


def test_c22_mixed_numbers_and_text_written_as_declared_string(tmp_path: Path) -> None:
    df = pd.DataFrame({"url": ["u1", "u2", "u3"], "numbers_first": [12, "1,5 Mio.", 3]})
    store = Store(tmp_path)
    path = store.write_part("parse", df.to_dict("records"), TOY, "fp")
    assert path is not None
    table = pq.read_table(path)
    assert table.schema.field("numbers_first").type == pa.string()
    assert table.column("numbers_first").to_pylist() == ["12", "1,5 Mio.", "3"]


def test_c24_all_null_batch_keeps_declared_type(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write_part("parse", [{"url": "u1", "author": None}, {"url": "u2", "author": None}], TOY, "fp")
    store.write_part("parse", [{"url": "u3", "author": "Alex Example"}], TOY, "fp")
    for part in store.parts(store.stage_dir("parse")):
        assert pq.read_schema(part).field("author").type == pa.string()
    df = pd.read_parquet(store.stage_dir("parse"))
    rows = df.sort_values("url")[["url", "author"]].to_dict("records")
    assert [r["url"] for r in rows] == ["u1", "u2", "u3"]
    assert rows[2]["author"] == "Alex Example" and pd.isna(rows[0]["author"]) and pd.isna(rows[1]["author"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            dt.datetime(2025, 4, 28, 12, 0),
            dt.datetime(2025, 4, 28, 12, 0, tzinfo=dt.UTC),
        ),  # naive → taken as UTC
        (
            dt.datetime(2025, 4, 28, 2, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            dt.datetime(2025, 4, 28, 0, 0, tzinfo=dt.UTC),
        ),
        (None, None),
    ],
)
def test_timestamps_are_utc(value: dt.datetime | None, expected: dt.datetime | None) -> None:
    t = schemas.conform(
        [{"doc_id": "d", "content_sha256": "s", "published_at": value}],
        schemas.ENRICHED.append(pa.field("published_at", schemas.UTC_TS)),
    )
    assert t.column("published_at").to_pylist() == [expected]


def test_non_nullable_columns_are_enforced() -> None:
    with pytest.raises(ValueError, match="doc_id"):
        schemas.conform([{"doc_id": None, "content_sha256": "x"}], schemas.ENRICHED)


def test_writes_are_atomic_and_temp_files_are_cleaned(tmp_path: Path) -> None:
    store = Store(tmp_path)
    folder = store.stage_dir("enrich")
    folder.mkdir(parents=True)
    (folder / ".tmp-deadbeef.parquet").write_bytes(b"half a file")  # what a killed run leaves
    store.write_part("enrich", [{"doc_id": "a", "content_sha256": "1"}], schemas.ENRICHED, "fp1")
    assert [p.name for p in folder.iterdir() if p.name.startswith(".tmp-")] == [".tmp-deadbeef.parquet"]
    assert store.clean_temp() == 1
    assert all(not p.name.startswith(".") for p in folder.iterdir())
    assert store.keys("enrich", schemas.ENRICHED, "fp1") == {("a", "1")}
    assert store.keys("enrich", schemas.ENRICHED, "other") == set()  # superseded fingerprints are not read


def test_unknown_reject_reason_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="reject reason"):
        Store(tmp_path).write_rejects("parse", [{"doc_id": "d", "reason": "because"}], "fp")


def test_newest_version_per_document_wins() -> None:
    t = pa.table(
        {
            "doc_id": ["a", "a", "b"],
            "content_sha256": ["old", "new", "x"],
            "fetched_at": pa.array(
                [
                    dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                    dt.datetime(2025, 2, 1, tzinfo=dt.UTC),
                    dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                ],
                type=schemas.UTC_TS,
            ),
        }
    )
    assert sorted(newest_versions(t).column("content_sha256").to_pylist()) == ["new", "x"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[newsflow]\nbatch_sise = 3\n", "unknown key"),
        ("[fetch]\ntimeout_s = 'soon'\n", "must be a number"),
        ('[[sources]]\nname = "x"\nkind = "ftp"\npath = "a"\n', "kind must be one of"),
        ("[dedup]\nnum_perm = 100\nbands = 16\n", "multiple of bands"),
        ("[newsflow\n", "newsflow.toml"),
    ],
)
def test_bad_settings_raise_config_error(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / "newsflow.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(cfg)


def test_repository_config_loads_and_documents_every_setting() -> None:
    repo_cfg = Path(__file__).resolve().parent.parent / "newsflow.toml"
    settings = load_settings(repo_cfg)
    assert [s.name for s in settings.sources] == ["samples"]
    text = repo_cfg.read_text(encoding="utf-8")
    import dataclasses

    for section in ("fetch", "parse", "dedup", "enrich", "prefect"):
        for f in dataclasses.fields(getattr(settings, section)):
            assert f"\n{f.name} =" in text, f"{section}.{f.name} is not documented in newsflow.toml"
    for key in ("data_root", "batch_size", "max_reject_share"):
        assert f"\n{key} =" in text


def test_export_formats_round_trip(tmp_path: Path) -> None:
    row = {
        "article_id": "a1",
        "doc_id": "d1",
        "content_sha256": "s1",
        "title": "Café „Zentral“",
        "authors": ["Alex Example"],
        "images": [{"url": "https://x.example/i.jpg", "alt": None, "caption": "Bild", "credit": "dpa"}],
        "published_at": dt.datetime(2025, 4, 28, tzinfo=dt.UTC),
    }
    table = schemas.conform([row], schemas.ARTICLES)
    for fmt in ("csv", "jsonl", "parquet"):
        out = tmp_path / f"a.{fmt}"
        assert write_export(table, fmt, out) == 1
    assert pd.read_csv(tmp_path / "a.csv")["title"][0] == "Café „Zentral“"
    assert '"published_at": "2025-04-28T00:00:00Z"' in (tmp_path / "a.jsonl").read_text(encoding="utf-8")
    with pytest.raises(ValueError):
        write_export(table, "xml", tmp_path / "a.xml")
