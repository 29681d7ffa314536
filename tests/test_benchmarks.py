"""benchmarks/pipeline_scale.py: the collection builder and the synthetic state it fabricates, at a tiny size
(the shapes, not the speed: the figures come from running the benchmark)."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from benchmarks import pipeline_scale as ps
from tests.conftest import SAMPLES

PAGE = (
    b'<html><head><title>Storm hits coast</title><link rel="canonical" href="https://news.example/a/storm">'
    b'<meta property="og:url" content="https://news.example/a/storm"></head><body><h1>Storm hits coast</h1>'
    b"<p>Short lead.</p><p>The storm reached the coast on Monday with winds of 120 km/h.</p></body></html>"
)


@pytest.mark.parametrize(
    ("html", "args", "present", "absent"),
    [
        # the sentence goes into the longest paragraph and the title; the canonical URL gets the replica's own path
        (PAGE, (7, 7, None), [b"<p>Replica 7 of this page. The storm", b"<title>Replica 7: Storm", b"/a/storm-r7"], []),
        (PAGE, (7, 9, None), [b"Replica 7 of this page.", b'"https://news.example/a/storm-r9"'], [b"storm-r7"]),
        # a near copy also gets a note in its second longest paragraph
        (PAGE, (3, 8, 8), [b"<p>Copy note 8. Short lead.</p>", b"Replica 3 of this page."], []),
        # negative rows: what a page does not have is not made up
        (b"<html><body><div>no paragraph</div></body></html>", (1, 1, None), [], [b"Replica"]),
        (b"<html><head><title>T</title></head><p>x</p></html>", (2, 2, None), [b"<title>Replica 2: T"], [b"-r2"]),
        (b'<link rel="canonical" href="/relative"><p>x</p>', (4, 4, None), [b'href="/relative"'], [b"-r4"]),
    ],
)
def test_mutate(html: bytes, args: tuple[int, int, int | None], present: list[bytes], absent: list[bytes]) -> None:
    text_tag, url_tag, note = args
    out = ps.mutate(html, text_tag, url_tag, note)
    for part in present:
        assert part in out
    for part in absent:
        assert part not in out


def test_collection_has_distinct_replicas_and_two_percent_copies(tmp_path: Path) -> None:
    pages = ps.load_pages(SAMPLES)
    assert len(pages) >= 10
    kinds = ps.build_collection(pages, tmp_path, 0, 100)
    assert kinds == {"replica": 98, "exact": 1, "near": 1}
    files = sorted(tmp_path.rglob("*.html.gz"))
    assert len(files) == 100
    docs = {int(p.name[:8]): gzip.decompress(p.read_bytes()) for p in files}
    assert len(set(docs.values())) == 99  # every document distinct but the exact copy
    assert docs[75] == docs[50]  # exact copy of replica i - 25
    assert b"Copy note 95." in docs[95] and b"Replica 75 of this page." in docs[95]
    assert all(b"Replica %d of this page." % i in docs[i] for i in range(50))
    more = ps.build_collection(pages, tmp_path, 100, 20)  # the +1 % step continues the numbering
    assert sum(more.values()) == 20 and len(list(tmp_path.rglob("*.html.gz"))) == 120


def test_synthetic_state_is_a_no_op_state(tmp_path: Path) -> None:
    """A real run over 4 sample pages is the template; 3 copies of its state must leave nothing pending (the
    status command's own bookkeeping says so), with 3 × the template's rows, files and articles."""
    import pyarrow.parquet as pq

    from flows.cli import stage_status
    from tasks.config import load_settings

    pages = ps.load_pages(SAMPLES)[:4]
    t_raw, t_root = tmp_path / "t-raw", tmp_path / "t-root"
    ps.build_collection(pages, t_raw, 0, 4)
    cfg = ps.write_config(tmp_path / "t.toml", t_root, t_raw, 500)
    env = ps.cli_env(Path(os.environ["PREFECT_HOME"]))
    run = ps.run_cli(["run", "--config", str(cfg)], env, tmp_path, "template")
    assert run["summary"]["documents_in"] == 4
    assert {"startup", "fetch", "parse", "dedup", "enrich", "export", "report"} <= set(run["phases"])
    assert run["cpu_s"] > 0 and run["peak_rss_mb"] > 0

    raw, root = tmp_path / "raw", tmp_path / "root"
    assert ps.replicate_state(t_root, t_raw, root, raw, 3, 5) == 12
    assert len(list(raw.rglob("*.html.gz"))) == 12
    template = stage_status(load_settings(str(cfg)))["stages"]
    status = stage_status(load_settings(str(tmp_path / "root.toml")))["stages"]
    for stage in ("fetch", "parse", "dedup", "enrich", "export"):
        assert status[stage]["pending"] == 0, stage
        assert status[stage]["rows"] == 3 * template[stage]["rows"], stage
        assert status[stage]["rejected"] == 3 * template[stage]["rejected"], stage
    parts = sorted((root / "processed" / "parsed").glob("part-*.parquet"))
    assert 1 < len(parts) < 12  # written in parts of about the batch size (5 here), not one per row or per copy
    ids = set()
    for p in parts:
        ids |= set(pq.read_table(p, columns=["doc_id"]).column("doc_id").to_pylist())
    assert len(ids) == status["parse"]["rows"]  # new keys in every copy
