"""Prefect start-up only when there is work (issue #15: "Prefect start-up dominates every command").

A run with nothing to do is decided by :mod:`flows.plan` without importing Prefect; the read-only commands never
import it; the line about migrating a database appears only on a first start. The CLI runs for real in a
subprocess through a small wrapper that reports, at exit, whether any ``prefect`` module was imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flows import plan
from flows.cli import startup_line
from tasks.config import load_settings
from tasks.fetch import stat_manifest
from tasks.store import Store
from tests.conftest import REPO, config_file, copy_samples, files_source

NAMES = [
    "fundus-at-orf-2024-11-22.html.gz",
    "fundus-de-kicker-2024-04-26.html.gz",
    "fundus-us-foxnews-2023-04-28.html.gz",
]

#: Runs the CLI with the given arguments and prints, after everything else, whether Prefect was imported.
WRAPPER = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('PREFECT_IMPORTED=%s' % any(m == 'prefect' or m.startswith('prefect.')"
    " for m in sys.modules), file=sys.stderr))\n"
    "from flows.cli import main\n"
    "sys.argv = ['newsflow', *sys.argv[1:]]\n"
    "main()\n"
)


def newsflow(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], bool]:
    """The CLI of this checkout in a fresh interpreter; returns the finished process and whether it imported
    Prefect. Hang bound only (a Prefect start on a loaded 2-core machine took up to 134 s)."""
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args], cwd=cwd, capture_output=True, text=True, timeout=1200, env=env
    )
    marks = [ln for ln in done.stderr.splitlines() if ln.startswith("PREFECT_IMPORTED=")]
    assert len(marks) == 1, done.stderr[-3000:]
    return done, marks[0] == "PREFECT_IMPORTED=True"


def _json(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    return json.loads(done.stdout)


def _tree(root: Path) -> dict[str, int]:
    """Every file below ``root`` with its mtime (ns): what a run changed."""
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three sample pages, one real run (Prefect started), then a second run with nothing new (not started)."""
    tmp = tmp_path_factory.mktemp("startup")
    raw = copy_samples(tmp / "raw", NAMES)
    cfg = config_file(tmp, "[parse]\nworkers = 1", sources=files_source(raw))
    res: dict[str, Any] = {"tmp": tmp, "raw": raw, "cfg": cfg, "data": tmp / "data"}
    res["first"] = newsflow("run", "--config", str(cfg), "--json", cwd=tmp)
    res["tree_after_first"] = _tree(tmp / "data")
    res["second"] = newsflow("run", "--config", str(cfg), cwd=tmp)
    res["tree_after_second"] = _tree(tmp / "data")
    res["second_json"] = newsflow("run", "--config", str(cfg), "--json", cwd=tmp)
    return res


def test_plan_module_imports_no_prefect() -> None:
    code = "import sys, flows.plan; print(sorted(m for m in sys.modules if m.split('.')[0] == 'prefect'))"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "[]"


def test_first_run_starts_prefect_and_measures_it(project: dict[str, Any]) -> None:
    done, imported = project["first"]
    assert done.returncode == 0, done.stderr[-3000:]
    assert imported
    summary = _json(done)
    assert summary["documents_in"] == 3 and summary["nothing_to_do"] is False
    assert 0 < summary["prefect_startup_s"] <= summary["elapsed_s"]
    assert summary["work_s"] >= 0
    assert "work to do: no record of the local sources' files yet" in done.stderr


def test_second_run_with_nothing_new_does_not_start_prefect(project: dict[str, Any]) -> None:
    done, imported = project["second"]
    assert done.returncode == 0, done.stderr[-3000:]
    assert not imported
    lines = [ln for ln in done.stderr.splitlines() if ln and not ln.startswith("PREFECT_IMPORTED=")]
    assert len(lines) == 1 and lines[0].startswith("nothing to do:"), done.stderr[-3000:]
    assert "3 documents, 3 articles, 0 open rejects" in lines[0] and "Prefect not started" in lines[0]
    # nothing written: no report, no run folder, no part, not even a changed mtime
    assert project["tree_after_second"] == project["tree_after_first"]


def test_nothing_to_do_json_has_the_run_summary_shape(project: dict[str, Any]) -> None:
    done, imported = project["second_json"]
    assert done.returncode == 0 and not imported, done.stderr[-3000:]
    noop, first = _json(done), _json(project["first"][0])
    assert set(noop) == set(first)
    assert set(noop["stages"]) == set(first["stages"])
    assert all(c["processed"] == 0 and c["rejected"] == 0 for c in noop["stages"].values())
    assert noop["nothing_to_do"] is True and noop["prefect_startup_s"] is None
    assert (noop["documents_in"], noop["articles_out"], noop["exit_code"]) == (0, 3, 0)
    assert noop["report_html"] is None and noop["fingerprints"] == first["fingerprints"]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["status"], 0),
        (["status", "--json"], 0),
        (["rejects"], 0),
        (["rejects", "--json"], 0),
        (["rejects", "--all"], 0),
        (["rejects", "replay", "--stage", "parse"], 0),  # no open rejects: nothing to replay
        (["rerun", "--from", "parse", "--where-reason", "parse_timeout"], 0),  # selects nothing
        (["export", "--format", "csv", "--out", "out.csv"], 0),
        (["compact"], 0),
        (["status", "--data-root", "does-not-exist"], 2),  # negative row: a config error, still no Prefect
    ],
)
def test_commands_that_have_nothing_to_run_never_import_prefect(
    project: dict[str, Any], args: list[str], code: int
) -> None:
    done, imported = newsflow(*args, "--config", str(project["cfg"]), cwd=project["tmp"])
    assert done.returncode == code, done.stderr[-3000:]
    assert not imported, done.stderr[-3000:]


def _touch(path: Path) -> Callable[[], None]:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    return lambda: os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def _move_away(path: Path) -> Callable[[], None]:
    aside = path.with_name(".aside-" + path.name)
    path.rename(aside)
    return lambda: aside.rename(path)


def _write(path: Path, text: str) -> Callable[[], None]:
    old = path.read_bytes() if path.exists() else None
    path.write_text(text, encoding="utf-8")
    return lambda: path.write_bytes(old) if old is not None else path.unlink()


def _variant(p: dict[str, Any], name: str, tables: str = "", sources: str = "") -> Path:
    """Another newsflow.toml on the same data root and source (plus ``sources``)."""
    return config_file(
        p["tmp"] / "variants" / name,
        f"[parse]\nworkers = 1\n\n{tables}",
        sources=f"{files_source(p['raw'])}\n{sources}",
        data_root=p["data"],
    )


def _articles_part(p: dict[str, Any]) -> Path:
    return next((p["data"] / "processed" / "articles").glob("part-*.parquet"))


#: (row id, change made to the project after its runs (returns its undo), config variant, rerun, reason expected
#: from the plan: None = nothing to do)
PLAN_CASES: list[tuple[str, Any, Any, Any, str | None]] = [
    ("unchanged", None, None, None, None),
    ("touched", lambda p: _touch(p["raw"] / NAMES[0]), None, None, "has new, changed or removed files"),
    ("added", lambda p: _write(p["raw"] / "new.html", "<p>new</p>"), None, None, "has new, changed or removed"),
    ("sidecar-gone", lambda p: _move_away(p["raw"] / f"{NAMES[1]}.meta.json"), None, None, "changed or removed"),
    ("hidden-file", lambda p: _write(p["raw"] / ".DS_Store", "x"), None, None, None),
    ("non-input-file", lambda p: _write(p["raw"] / "notes.md", "x"), None, None, "has new, changed or removed"),
    ("enrichers", None, ("enrich", '[enrich]\nenrichers = ["language"]'), None, "3 document(s) to enrich"),
    ("dedup-settings", None, ("dedup", "[dedup]\nthreshold = 0.9"), None, "3 document(s) to dedup"),
    ("fetch-settings", None, ("fetch", "[fetch]\nmax_bytes = 5000"), None, "its settings changed"),
    ("feed-source", None, ("feed", "", "feed"), None, "(feed) is read over the network"),
    ("manifest-gone", lambda p: _move_away(Store(p["data"]).manifest_path()), None, None, "no record"),
    ("manifest-broken", lambda p: _write(Store(p["data"]).manifest_path(), "{"), None, None, "no record"),
    ("temp-file", lambda p: _write(p["data"] / "processed" / "parsed" / ".tmp-x.parquet", ""), None, None, "temp"),
    ("articles-gone", lambda p: _move_away(_articles_part(p)), None, None, "articles dataset is not current"),
    ("rerun-parse", None, None, plan.Rerun("parse"), "rerun from parse: 3 document(s) selected"),
    ("rerun-no-reject", None, None, plan.Rerun("parse", where_reason="parse_timeout"), None),
    # a rerun limited to the local source ignores the network source
    ("rerun-local", None, ("two", "", "feed"), plan.Rerun("parse", "samples", where_reason="parse_timeout"), None),
]


@pytest.mark.parametrize(("row", "change", "variant", "rerun", "expected"), PLAN_CASES, ids=[c[0] for c in PLAN_CASES])
def test_plan_decides_work_before_prefect(
    project: dict[str, Any], row: str, change: Any, variant: Any, rerun: Any, expected: str | None
) -> None:
    assert project["first"][0].returncode == 0
    cfg = project["cfg"]
    if variant is not None:
        name, tables, *extra = variant
        feed = '[[sources]]\nname = "news"\nkind = "feed"\nurl = "http://127.0.0.1:9/feed.xml"\n' if extra else ""
        cfg = _variant(project, name, tables, feed)
    undo = change(project) if change is not None else None
    try:
        decided = plan.plan_run(load_settings(cfg), rerun)
    finally:
        if undo is not None:
            undo()
    if expected is None:
        assert decided.work is None
        assert (decided.documents, decided.articles, decided.open_rejects) == (3, 3, 0)
    else:
        assert decided.work is not None and expected in decided.work


def test_touching_a_file_makes_the_next_run_start_prefect_and_record_it_again(project: dict[str, Any]) -> None:
    """A touched file (same bytes, new mtime) may have changed: the run starts Prefect, fetches nothing new (the
    bytes are known) and records the new mtime, so the run after it has nothing to do again."""
    assert project["second"][0].returncode == 0  # the module's runs came first
    _touch(project["raw"] / NAMES[2])  # not undone: the run records the new mtime
    run, imported = newsflow("run", "--config", str(project["cfg"]), "--json", cwd=project["tmp"])
    assert run.returncode == 0 and imported, run.stderr[-3000:]
    assert "work to do: source samples has new, changed or removed files" in run.stderr
    summary = _json(run)
    assert summary["nothing_to_do"] is False and summary["documents_in"] == 0
    assert summary["stages"]["fetch"]["skipped"] == 3 and summary["prefect_startup_s"] > 0
    again, imported = newsflow("run", "--config", str(project["cfg"]), cwd=project["tmp"])
    assert again.returncode == 0 and not imported, again.stderr[-3000:]
    assert "nothing to do:" in again.stderr


def test_fetch_does_not_read_a_file_whose_size_and_mtime_are_recorded(project: dict[str, Any]) -> None:
    """The fetch skips files whose size and mtime equal the manifest's record without reading them. Shown by
    breaking the rule on purpose: one byte changed, size and mtime put back. The shortcut skips the file (nothing
    is read, nothing written); without it the changed bytes would be a new version. ``rerun --from fetch`` turns
    the shortcut off (flows/pipeline.py)."""
    from flows import stages
    from tasks import fetch

    settings = load_settings(project["cfg"])
    fps = plan.stage_fingerprints(settings)
    store = Store(project["data"])
    path = project["raw"] / NAMES[1]
    before, st = path.read_bytes(), path.stat()
    path.write_bytes(before[:-1] + bytes([before[-1] ^ 0xFF]))  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime
    try:
        known = plan.known_docs(store, settings)
        known.unchanged = plan.unchanged_files(store, settings, fps["fetch"], ["samples"])
        assert len(known.unchanged) == 2 * len(NAMES)  # the pages and their sidecars
        items, _ = fetch.discover(settings.sources[0], settings.fetch)
        tree = _tree(project["data"])
        counts = stages.fetch_batch.fn(items, "samples", 0, settings, fps["fetch"], known)
        assert (counts.processed, counts.skipped, sum(counts.rejected.values())) == (0, 3, 0)
        assert _tree(project["data"]) == tree
        # without the shortcut the bytes would be read: gzip fails on them, or they are a new version
        plain = plan.known_docs(store, settings)
        item = next(i for i in items if i.uri == f"file:{NAMES[1]}")
        try:
            row = fetch._fetch_file(item, settings.fetch, lambda i, key: plain.skip(fetch.make_doc_id(i.uri), key))
        except fetch._Reject:
            row = {"reject": True}
        assert row is not None  # read, and not skipped
    finally:
        path.write_bytes(before)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


# ----------------------------------------------------------------------------- pieces, no Prefect
def test_stat_manifest_lists_what_discovery_would_look_at(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("a", encoding="utf-8")
    (tmp_path / "a.html.meta.json").write_text("{}", encoding="utf-8")
    (tmp_path / ".hidden.html").write_text("h", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.html").write_text("g", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("bb", encoding="utf-8")
    entries = stat_manifest(tmp_path)
    assert entries is not None
    assert [(rel, size) for rel, size, _ in entries] == [("a.html", 1), ("a.html.meta.json", 2), ("sub/b.txt", 2)]
    assert entries[0][2] == (tmp_path / "a.html").stat().st_mtime_ns
    whole = stat_manifest(tmp_path, skip_hidden_dirs=False)  # WARC folders are searched whole
    assert whole is not None and ".git/x.html" in [e[0] for e in whole]
    one = stat_manifest(tmp_path / "a.html")  # a single file: it, its sidecar (and urls.tsv when present)
    assert one is not None and [e[0] for e in one] == ["a.html", "a.html.meta.json"]
    assert stat_manifest(tmp_path / "missing") is None


def test_stat_manifest_records_a_folder_it_cannot_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder os.walk cannot list is an entry of its own (size and mtime -1), so the same failure gives the same
    manifest (no work) and a folder that becomes readable differs. (os.walk's error is injected: as root, chmod
    does not keep a folder from being listed.)"""
    import tasks.fetch.files as files

    (tmp_path / "a.html").write_text("a", encoding="utf-8")
    (tmp_path / "locked").mkdir()
    real_walk = os.walk

    def walk(top: Any, onerror: Any = None, **kw: Any) -> Any:
        for dirpath, dirnames, filenames in real_walk(top, onerror=onerror, **kw):
            if "locked" in dirnames:
                dirnames.remove("locked")
                onerror(PermissionError(13, "Permission denied", str(Path(dirpath) / "locked")))
            yield dirpath, dirnames, filenames

    monkeypatch.setattr(files.os, "walk", walk)
    assert stat_manifest(tmp_path) == [("a.html", 1, (tmp_path / "a.html").stat().st_mtime_ns), ("locked/", -1, -1)]


def _keys_part(folder: Path, name: str, keys: list[tuple[str, str]], fp: str = "fp1") -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    table = pa.table({"doc_id": [k[0] for k in keys], "content_sha256": [k[1] for k in keys]})
    pq.write_table(table.replace_schema_metadata({"newsflow.fingerprint": fp}), folder / f"part-{name}.parquet")


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        ({}, None),
        ({"parsed": [[("a", "1")], [("b", "1"), ("a", "2")]]}, None),  # versions of one doc: different keys
        ({"parsed": [[("a", "1")], [("b", "1"), ("a", "1")]]}, "superseded rows in parsed"),
        ({"enriched": [[("a", "1"), ("a", "1")]]}, None),  # repeated within one part: not a supersede leftover
        ({"deduplicated/_index": [[("a", "1")], [("a", "1")]]}, "superseded rows in deduplicated/_index"),
        ({"deduplicated/_index": [[("a", "1")], [("a", "1", "fp2")]]}, None),  # index: per fingerprint
        ({"file": "parsed/.tmp-0123.parquet"}, "temp files of an interrupted run"),
        ({"file": "articles/.new-part-x.parquet"}, "temp files of an interrupted run"),
        ({"file": ".compact-journal.json"}, "an interrupted compaction"),
    ],
)
def test_store_names_what_a_killed_run_left(tmp_path: Path, layout: dict[str, Any], expected: str | None) -> None:
    store = Store(tmp_path)
    for folder, parts in layout.items():
        if folder == "file":
            (store.processed / parts).parent.mkdir(parents=True, exist_ok=True)
            (store.processed / parts).write_text("{}", encoding="utf-8")
            continue
        for i, keys in enumerate(parts):
            fp = next((k[2] for k in keys if len(k) > 2), "fp1")
            _keys_part(store.processed / folder, f"{i:04d}", [(k[0], k[1]) for k in keys], fp)
    assert store.unfinished() == expected


@pytest.mark.parametrize(
    ("content", "readable"),
    [
        (None, False),  # missing
        ("{", False),  # not JSON
        ('{"version": 0, "sources": {}}', False),  # another format version
        ("[1]", False),  # not an object
    ],
)
def test_unreadable_manifest_counts_as_unknown(tmp_path: Path, content: str | None, readable: bool) -> None:
    store = Store(tmp_path)
    if content is not None:
        store.manifest_path().parent.mkdir(parents=True)
        store.manifest_path().write_text(content, encoding="utf-8")
    assert (store.read_source_manifest() is not None) is readable


def test_manifest_round_trip(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write_source_manifest({"sources": {"s": {"key": "k", "entries": [["a", 1, 2]]}}})
    back = store.read_source_manifest()
    assert back is not None and back["sources"] == {"s": {"key": "k", "entries": [["a", 1, 2]]}}
    assert [p.name for p in store.manifest_path().parent.iterdir()] == ["manifest.json"]  # no temp file left


@pytest.mark.parametrize(
    ("db_exists", "env", "expected"),
    [
        (False, {}, "for the first time"),
        (True, {}, "Starting Prefect's temporary local API (home:"),
        (False, {"PREFECT_API_URL": "http://127.0.0.1:4200/api"}, None),  # a server: no temporary API
        (True, {"url": "sqlite+aiosqlite:///{db}"}, "Starting Prefect's temporary local API (home:"),
        (False, {"url": "sqlite+aiosqlite:///{db}"}, "for the first time"),
        (True, {"url": "postgresql+asyncpg://127.0.0.1/prefect"}, "Starting Prefect's temporary local API (home:"),
    ],
)
def test_startup_line_mentions_the_migration_only_on_a_first_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_exists: bool, env: dict[str, str], expected: str | None
) -> None:
    home = tmp_path / "pre fect%2F"  # percent-encoded in the database URL, as flows.cli.prepare_prefect writes it
    home.mkdir()
    db = home / "prefect.db"
    if db_exists:
        db.write_bytes(b"")
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("PREFECT_API_DATABASE_CONNECTION_URL", raising=False)
    monkeypatch.delenv("PREFECT_SERVER_DATABASE_CONNECTION_URL", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(home))
    if "PREFECT_API_URL" in env:
        monkeypatch.setenv("PREFECT_API_URL", env["PREFECT_API_URL"])
    if "url" in env:
        from urllib.parse import quote

        monkeypatch.setenv("PREFECT_SERVER_DATABASE_CONNECTION_URL", env["url"].format(db=quote(str(db))))
    line = startup_line(load_settings(None, tmp_path / "data"))
    if expected is None:
        assert line is None
    else:
        assert line is not None and expected in line
        assert ("migrates" in line) == (expected == "for the first time")
