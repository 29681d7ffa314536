"""Whole-pipeline cost as the stored collection grows (issue #17): CPU per article per stage, wall, peak RSS,
Prefect start-up apart, against trafilatura's bare ``extract`` on the same pages.

Usage::

    python benchmarks/pipeline_scale.py --sizes 1000,5000 [--corpus DIR] [--batch-size 500]
    python benchmarks/pipeline_scale.py --synthetic 100000 [--template-pages 200] [--new 1000]

``--sizes``: for each size N, a collection of N documents is built from the dev corpus pages
(:func:`build_collection`: every replica a distinct document with its own sentence in the title and in its longest
paragraph and its own canonical URL; 2 % exact copies and 2 % near copies of earlier replicas), then three runs of
the real CLI (``newsflow run --json`` in a subprocess, its own data root and ``PREFECT_HOME`` in a temp folder):
the first run, a no-op second run, and a run after 1 % new documents were added.

``--synthetic N``: the stored state of N articles is fabricated (:func:`replicate_state`) from the data root of a
real run over ``--template-pages`` replicas: every table (fetched, parsed, deduplicated, dedup index and
signatures, enriched, rejects, articles) is copied with new keys, through :class:`tasks.store.Store`'s writers,
next to N real input files (the template's gzip files with one more gzip member: a distinct text and hash, real
read and gunzip cost). Then a no-op run and a run with ``--new`` new real documents are timed, and the same new
documents into an empty data root as the reference.

What is measured, per run: CPU seconds of the whole process tree (the CLI, its parse workers and Prefect's
temporary API server; ``RUSAGE_CHILDREN`` of the subprocess), wall seconds, peak resident memory of the tree (sum
over its processes, sampled every 0.2 s by psutil) and of its largest process. Per stage: the CLI subprocess is
started through this script (``--child-trace``), which runs the same typer app (:func:`flows.cli.main`) after
wrapping the stage calls of :mod:`flows.pipeline` with a clock (tree CPU and wall at each stage boundary); nothing
in the pipeline changes. ``startup`` is everything before the flow's first stage (imports, Prefect's API start,
the flow run record); ``report`` is the HTML report, Prefect artifacts and teardown after the last stage.

Output: a table on stdout and ``benchmarks/out/pipeline_scale-<mode>.json``. Quote CPU, not wall: the machine is
shared. Skips with a message when the corpus is absent.
"""

from __future__ import annotations

import argparse
import atexit
import gzip
import hashlib
import itertools
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "extraction" / "dev"
OUT_DIR = REPO / "benchmarks" / "out"
STAGES = ("startup", "fetch", "parse", "dedup", "enrich", "export", "summary", "report")
#: One document in COPY_EVERY is an exact copy of an earlier replica, one a near copy: 2 % each.
COPY_EVERY = 50

# ----------------------------------------------------------------------------- the collection
_TITLE_RE = re.compile(rb"<title\b[^>]*>", re.I)
_P_RE = re.compile(rb"<p\b[^>]*>(.*?)</p\s*>", re.I | re.S)
_LINK_RE = re.compile(rb"<(?:link|meta)\b[^>]*>", re.I)
_CANON_RE = re.compile(rb"""rel\s*=\s*["']?canonical\b|property\s*=\s*["']?og:url\b""", re.I)
_HREF_RE = re.compile(rb"""\b(?:href|content)\s*=\s*["']([^"']+)["']""", re.I)


def _page_urls(html: bytes) -> list[bytes]:
    """The page's own addresses: ``<link rel=canonical href>`` and ``<meta property=og:url content>`` values."""
    out = []
    for tag in _LINK_RE.findall(html):
        if _CANON_RE.search(tag):
            m = _HREF_RE.search(tag)
            if m and m.group(1).startswith((b"http://", b"https://")) and m.group(1) not in out:
                out.append(m.group(1))
    return out


def mutate(html: bytes, text_tag: int, url_tag: int, note: int | None = None) -> bytes:
    """One replica of a page (bytes in, bytes out, the page's encoding kept: only ASCII is inserted).

    ``text_tag`` puts "Replica <tag> of this page." at the start of the longest paragraph and "Replica <tag>:" at
    the start of ``<title>``; ``url_tag`` appends ``-r<tag>`` to the path of every canonical/og:url address
    wherever it occurs in the page (else all replicas of a page would be URL duplicates of each other: the dedup
    stage honours ``rel=canonical``); ``note`` (near copies) adds "Copy note <note>." to the start of the second
    longest paragraph. Replicas of one page therefore differ by a sentence: they are near duplicates of each
    other (estimated Jaccard ≈ 0.9 on 5-word shingles), as syndicated copies are."""
    for url in _page_urls(html):
        path, sep, rest = url.partition(b"?")
        base, hsep, frag = path.partition(b"#")
        new = base.rstrip(b"/") + b"-r%d" % url_tag + hsep + frag + sep + rest
        html = html.replace(url, new)
    paras = sorted(_P_RE.finditer(html), key=lambda m: len(m.group(1)), reverse=True)
    inserts: list[tuple[int, bytes]] = []
    if paras:
        inserts.append((paras[0].start(1), b"Replica %d of this page. " % text_tag))
        if note is not None and len(paras) > 1:
            inserts.append((paras[1].start(1), b"Copy note %d. " % note))
    title = _TITLE_RE.search(html)
    if title:
        inserts.append((title.end(), b"Replica %d: " % text_tag))
    for pos, text in sorted(inserts, reverse=True):
        html = html[:pos] + text + html[pos:]
    return html


def document(pages: list[bytes], i: int) -> tuple[str, bytes]:
    """Kind and bytes of document ``i`` of a collection over ``pages`` (decompressed page bytes): ``replica``,
    or for one ``i`` in :data:`COPY_EVERY` each, ``exact`` (the bytes of replica ``i - 25``: an exact and URL
    copy) and ``near`` (replica ``i - 20``'s text with a note sentence and its own canonical URL)."""
    r = i % COPY_EVERY
    if i >= COPY_EVERY and r == 25:
        j = i - 25
        return "exact", mutate(pages[j % len(pages)], j, j)
    if i >= COPY_EVERY and r == 45:
        j = i - 20
        return "near", mutate(pages[j % len(pages)], j, i, note=i)
    return "replica", mutate(pages[i % len(pages)], i, i)


def load_pages(corpus: Path, limit: int | None = None) -> list[tuple[str, bytes]]:
    """``(name, decompressed bytes)`` of the corpus's ``*.html.gz`` pages, sorted by name."""
    paths = sorted(corpus.glob("*.html.gz"))[:limit]
    return [(p.name, gzip.decompress(p.read_bytes())) for p in paths]


def build_collection(pages: list[tuple[str, bytes]], out: Path, start: int, count: int) -> Counter[str]:
    """Write documents ``start`` … ``start + count - 1`` (see :func:`document`) as gzip files
    ``out/<i // 1000>/<i>-<page name>`` (1,000 per folder). Returns how many of each kind were written."""
    data = [b for _, b in pages]
    kinds: Counter[str] = Counter()
    for i in range(start, start + count):
        kind, body = document(data, i)
        kinds[kind] += 1
        folder = out / f"{i // 1000:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i:08d}-{pages[i % len(pages)][0]}").write_bytes(gzip.compress(body, compresslevel=1))
    return kinds


# ----------------------------------------------------------------------------- the clock inside the CLI process
class StageClock:
    """CPU seconds of this process tree (this process, its reaped children, its live descendants) and wall time
    at named marks; a phase runs from its mark to the next one. Written as JSON at exit."""

    def __init__(self, path: Path):
        import psutil

        self.path = path
        self.proc = psutil.Process()
        # the parent's clock at Popen (psutil's create_time drifts with the boot-time estimate)
        t0 = float(os.environ.get("NF_BENCH_T0") or self.proc.create_time())
        self.marks: list[tuple[str, float, float, int]] = [("startup", 0.0, t0, 0)]

    def sample(self) -> tuple[float, int]:
        import psutil

        t = os.times()
        cpu = t.user + t.system + t.children_user + t.children_system
        rss = self.proc.memory_info().rss
        for child in self.proc.children(recursive=True):
            try:
                c = child.cpu_times()
                cpu += c.user + c.system + c.children_user + c.children_system
                rss += child.memory_info().rss
            except psutil.Error:
                pass
        return cpu, rss

    def mark(self, name: str) -> None:
        if self.marks[-1][0] == name:
            return
        cpu, rss = self.sample()
        self.marks.append((name, cpu, time.time(), rss))

    def dump(self) -> None:
        self.mark("end")
        self.path.write_text(json.dumps(self.marks), encoding="utf-8")


def _wrap(clock: StageClock, owner: Any, attr: str, name: Any) -> None:
    """Replace ``owner.attr`` by a function that marks ``name`` (a string, or a function of the call's
    arguments giving one, or None for no mark) and then calls the original."""
    original = getattr(owner, attr)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        label = name(*args, **kwargs) if callable(name) else name
        if label:
            clock.mark(label)
        return original(*args, **kwargs)

    setattr(owner, attr, wrapper)


def install_clock(clock: StageClock) -> None:
    """Wrap the stage calls of :mod:`flows.pipeline` (imported by the CLI after Prefect's settings are set)."""
    import flows.pipeline as pipeline
    import flows.stages as stages
    from tasks.store import Store

    run_stages = pipeline.run_stages

    def timed_run_stages(*args: Any, **kwargs: Any) -> Any:
        clock.mark("fetch/clean_temp")
        try:
            return run_stages(*args, **kwargs)
        finally:
            clock.mark("report/report")

    pipeline.run_stages = timed_run_stages
    _wrap(clock, pipeline, "run_batches", lambda task, calls, stage: f"{stage}/batches")
    _wrap(clock, pipeline, "pending_parse", "parse/pending")
    _wrap(clock, pipeline, "pending_after", lambda *a, **k: f"{a[4]}/pending")
    _wrap(clock, pipeline, "open_rejects", "summary/open_rejects")
    _wrap(clock, stages, "known_docs", "fetch/known_docs")
    _wrap(clock, stages, "discover_source", "fetch/discover")
    _wrap(clock, stages, "load_dedup_index", "dedup/index")
    _wrap(clock, stages, "dedup_batch", "dedup/batches")
    _wrap(clock, stages, "export_articles", "export/export")
    _wrap(clock, Store, "supersede", lambda self, stage=None: f"{stage}/supersede" if stage else None)


def child_main(trace: Path, cli_args: list[str]) -> None:
    """Run ``newsflow <cli_args>`` in this process with a :class:`StageClock` writing to ``trace``."""
    clock = StageClock(trace)
    atexit.register(clock.dump)  # registered first: runs last, after Prefect's exit handlers
    import flows.cli as cli

    choose = cli._flow_with_runner

    def with_clock(*args: Any, **kwargs: Any) -> Any:
        install_clock(clock)
        return choose(*args, **kwargs)

    cli._flow_with_runner = with_clock
    sys.argv = ["newsflow", *cli_args]
    cli.main()


def phases(marks: list[list[Any]]) -> dict[str, dict[str, float]]:
    """Per phase (``stage/sub``) and per stage (the part before ``/``): ``cpu_s`` and ``wall_s`` from a
    :class:`StageClock` trace."""
    out: dict[str, dict[str, float]] = {}
    for (name, cpu, wall, _), (_, cpu2, wall2, _) in itertools.pairwise(marks):
        for key in (name, name.split("/")[0]):
            d = out.setdefault(key, {"cpu_s": 0.0, "wall_s": 0.0})
            d["cpu_s"] += cpu2 - cpu
            d["wall_s"] += wall2 - wall
    return out


# ----------------------------------------------------------------------------- one CLI run from outside
def _tree_rss(proc: Any) -> tuple[int, int]:
    import psutil

    total = biggest = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    for p in procs:
        try:
            rss = p.memory_info().rss
        except psutil.Error:
            continue
        total += rss
        biggest = max(biggest, rss)
    return total, biggest


def run_cli(args: list[str], env: dict[str, str], work: Path, label: str) -> dict[str, Any]:
    """Run ``newsflow <args> --json`` through :func:`child_main` in a subprocess; returns its summary, exit code,
    ``cpu_s`` (process tree), ``wall_s``, ``peak_rss_mb`` (tree sum) and ``max_proc_rss_mb``, and the per-stage
    ``phases``. Raises RuntimeError when the run fails (exit code other than 0 or 3)."""
    import psutil

    trace = work / f"trace-{label}.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child-trace", str(trace), "--", *args, "--json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    env = {**env, "NF_BENCH_T0": repr(time.time())}
    proc = subprocess.Popen(cmd, env=env, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        ps = psutil.Process(proc.pid)
        while not done.is_set():
            total, biggest = _tree_rss(ps)
            peak[0], peak[1] = max(peak[0], total), max(peak[1], biggest)
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.monotonic() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    text = out.decode("utf-8", "replace")
    if proc.returncode not in (0, 3) or "{" not in text:
        raise RuntimeError(f"{label}: exit {proc.returncode}\n{err.decode('utf-8', 'replace')[-3000:]}")
    summary = json.loads(text[text.index("{") :])
    marks = json.loads(trace.read_text(encoding="utf-8")) if trace.exists() else []
    ph = phases(marks)
    return {
        "label": label,
        "exit_code": proc.returncode,
        # the clock inside sees Prefect's API server, which the CLI stops but does not reap: RUSAGE_CHILDREN
        # misses its CPU, so the tree's CPU is the clock's (up to the CLI's last exit handler)
        "cpu_s": sum(v["cpu_s"] for k, v in ph.items() if "/" not in k),
        "rusage_cpu_s": cpu,
        "wall_s": wall,
        "peak_rss_mb": peak[0] / 2**20,
        "max_proc_rss_mb": peak[1] / 2**20,
        "phases": ph,
        "summary": {k: summary.get(k) for k in ("documents_in", "articles_out", "rejected_total", "elapsed_s")}
        | {"stages": summary.get("stages")},
    }


def write_config(path: Path, root: Path, raw: Path, batch_size: int) -> Path:
    path.write_text(
        f'[newsflow]\ndata_root = "{root}"\nbatch_size = {batch_size}\nmax_reject_share = 1.0\n\n'
        f'[[sources]]\nname = "pages"\nkind = "files"\npath = "{raw}"\nmax_items = 100000000\n',
        encoding="utf-8",
    )
    return path


def cli_env(prefect_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(prefect_home)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


# ----------------------------------------------------------------------------- trafilatura reference
def trafilatura_cpu(pages: list[tuple[str, bytes]]) -> dict[str, float]:
    """CPU seconds (this process) of ``trafilatura.extract`` with its defaults over the page bytes."""
    import trafilatura

    start = time.process_time()
    for _, html in pages:
        trafilatura.extract(html)
    cpu = time.process_time() - start
    return {"pages": len(pages), "cpu_s": cpu, "cpu_ms_per_page": 1000 * cpu / max(1, len(pages))}


# ----------------------------------------------------------------------------- synthetic state
_MASK64 = (1 << 64) - 1


def _copy_key(c: int) -> int:
    """A nonzero 64-bit constant per copy: index keys and MinHash values of copy ``c`` are XORed with it, so no
    two copies share a band hash (each copy is a collection of distinct texts, as the template is)."""
    return int.from_bytes(hashlib.sha256(b"copy%d" % c).digest()[:8], "big") | 1


class _Remap:
    """Keys of copy ``c`` of the template: new ``doc_id`` (of the new file's URI), ``content_sha256`` (of its
    bytes), other ids hashed with the copy number, URLs with ``-c<copy>`` appended to the path."""

    def __init__(self, c: int, doc_ids: dict[str, str], shas: dict[tuple[str, str], str]):
        self.c, self.doc_ids, self.shas, self.key = c, doc_ids, shas, _copy_key(c)

    def doc(self, d: str | None) -> str | None:
        if d is None:
            return None
        return self.doc_ids.get(d) or self.hid(d)

    def sha(self, d: str | None, s: str | None) -> str | None:
        if s is None:
            return None
        return self.shas.get((str(d), s)) or hashlib.sha256(f"{self.c}:{s}".encode()).hexdigest()[: len(s)]

    def hid(self, x: str | None) -> str | None:
        return None if x is None else hashlib.sha256(f"{self.c}:{x}".encode()).hexdigest()[: len(x)]

    def url(self, u: str | None) -> str | None:
        return None if u is None else f"{u.rstrip('/')}-c{self.c}"

    def uri(self, u: str | None) -> str | None:
        return f"file:c{self.c:05d}/{u[5:]}" if u and u.startswith("file:") else self.url(u)

    def row(self, r: dict[str, Any]) -> dict[str, Any]:
        """One row of any stage table, its key and id columns remapped (other columns as they are)."""
        out = dict(r)
        old_doc = r.get("doc_id")
        for col, fn in (("doc_id", self.doc), ("match_doc_id", self.doc), ("uri", self.uri)):
            if col in r:
                out[col] = fn(r[col])
        if "content_sha256" in r:
            out["content_sha256"] = self.sha(old_doc, r["content_sha256"])
        for col in ("article_id", "cluster_id", "duplicate_of", "url_hash", "text_hash"):
            if col in r:
                out[col] = self.hid(r[col])
        for col in ("url", "canonical_url", "final_url"):
            if col in r:
                out[col] = self.url(r[col])
        if r.get("near_matches"):
            out["near_matches"] = [
                {**m, "doc_id": self.doc(m["doc_id"]), "content_sha256": self.sha(m["doc_id"], m["content_sha256"])}
                for m in r["near_matches"]
            ]
        for col, fn in (("folded_doc_ids", self.doc), ("folded_urls", self.url)):
            if r.get(col):
                out[col] = [fn(x) for x in r[col]]
        if "doc_key" in r:
            from tasks.dedup.index import doc_key

            out["doc_key"] = doc_key(str(out["doc_id"]))
            for col in ("url_key", "text_key"):
                out[col] = None if r[col] is None else r[col] ^ self.key
            if r.get("band_hashes"):
                out["band_hashes"] = [h ^ self.key for h in r["band_hashes"]]
        if "signature" in r:
            k32 = self.key & 0xFFFFFFFF
            out["signature"] = [v ^ k32 for v in r["signature"]]
        return out


def _template_tables(store: Any) -> list[tuple[str, str | None, str | None, Any, list[dict[str, Any]]]]:
    """``(stage, sub or "rejects", fingerprint, schema, rows)`` per part of a template data root."""
    import pyarrow.parquet as pq

    from tasks import schemas

    folders: list[tuple[str, str | None, Any, Path]] = []
    for stage, schema in (
        ("fetch", schemas.FETCHED),
        ("parse", schemas.PARSED),
        ("dedup", schemas.DEDUPLICATED),
        ("enrich", schemas.ENRICHED),
    ):
        folders.append((stage, None, schema, store.stage_dir(stage)))
        folders.append((stage, "rejects", schemas.REJECTS, store.rejects_dir(stage)))
    folders.append(("dedup", "index", schemas.DEDUP_INDEX, store.stage_dir("dedup", "index")))
    folders.append(("dedup", "signatures", schemas.DEDUP_SIGNATURES, store.stage_dir("dedup", "signatures")))
    out = []
    for stage, sub, schema, folder in folders:
        for part in store.parts(folder):
            fp = store.part_meta(part).get("newsflow.fingerprint")
            out.append((stage, sub, fp, schema, pq.read_table(part).replace_schema_metadata(None).to_pylist()))
    return out


def replicate_state(template_root: Path, template_raw: Path, root: Path, raw: Path, copies: int, batch: int) -> int:
    """Fabricate the stored state of ``copies`` × the template's documents under data root ``root``, with the
    input files under ``raw`` (copy ``c`` in ``raw/c<c>/``, each file the template file plus one gzip member
    ``<!-- synthetic copy c -->``, so its text and hash differ and reading it costs what reading the page costs).
    Every table is written through :class:`tasks.store.Store` (schemas checked, content sums recorded), in parts of
    ``batch`` rows; the articles dataset carries the upstream digest, so export sees nothing to do. Returns the
    number of fetched documents written."""
    from tasks import export, schemas
    from tasks.fetch import document_id
    from tasks.store import Store

    tstore, store = Store(template_root), Store(root)
    tables = _template_tables(tstore)
    fetched = [r for stage, sub, _, _, rows in tables if stage == "fetch" and sub is None for r in rows]
    articles = export.read_articles(tstore).to_pylist()
    export_meta = tstore.part_meta(tstore.parts(tstore.stage_dir("export"))[0])
    buffers: dict[tuple[str, str | None, str | None], list[dict[str, Any]]] = {}

    def flush(key: tuple[str, str | None, str | None], schema: Any, final: bool = False) -> None:
        rows = buffers.get(key, [])
        if not rows or (len(rows) < batch and not final):
            return
        stage, sub, fp = key
        if sub == "rejects":
            store.write_rejects(stage, rows, fp or "", filtered=True)
        else:
            store.write_part(stage, rows, schema, fp or "", sub=sub)
        buffers[key] = []

    schema_of = {(s, sub, fp): schema for s, sub, fp, schema, _ in tables}
    written = 0
    for c in range(copies):
        suffix = f"<!-- synthetic copy {c} -->".encode()
        member = gzip.compress(suffix, compresslevel=1)
        doc_ids: dict[str, str] = {}
        shas: dict[tuple[str, str], str] = {}
        for r in fetched:
            rel = r["uri"][5:]
            new_uri = f"file:c{c:05d}/{rel}"
            target = raw / f"c{c:05d}" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((template_raw / rel).read_bytes() + member)
            doc_ids[r["doc_id"]] = document_id(r["source"], new_uri)  # a local file: its source is part of its id
            shas[(r["doc_id"], r["content_sha256"])] = hashlib.sha256(r["content"] + suffix).hexdigest()
        remap = _Remap(c, doc_ids, shas)
        for stage, sub, fp, schema, rows in tables:
            new_rows = [remap.row(r) for r in rows]
            if stage == "fetch" and sub is None:
                for old, new in zip(rows, new_rows, strict=True):
                    new["content"] = old["content"] + suffix
                    new["content_length"] = len(new["content"])
                written += len(new_rows)
            buffers.setdefault((stage, sub, fp), []).extend(new_rows)
            flush((stage, sub, fp), schema)
        buffers.setdefault(("export", None, None), []).extend(remap.row(r) for r in articles)
    for key, schema in schema_of.items():
        flush(key, schema, final=True)
    # the articles dataset, marked current for the fabricated upstream rows (what a finished export leaves)
    from flows.stages import stage_fingerprints
    from tasks.config import load_settings

    cfg = root.parent / f"{root.name}.toml"
    write_config(cfg, root, raw, batch)
    fps = stage_fingerprints(load_settings(str(cfg)))
    if export_meta.get("newsflow.state", "").split("-")[-1] != fps["export"]:
        raise RuntimeError("the template was written under other settings than the synthetic state")
    rows = buffers.pop(("export", None, None))
    parts = [rows[i : i + export.ROWS_PER_PART] for i in range(0, len(rows), export.ROWS_PER_PART)]
    tables_out = [schemas.conform(p, schemas.ARTICLES) for p in parts]
    digest = export.upstream_digest(store, fps)
    store.replace_dataset(
        "export", tables_out, schemas.ARTICLES, {"newsflow.state": digest, "newsflow.parts": str(len(parts))}
    )
    reports = tstore.processed / "reports"
    if reports.is_dir():
        shutil.copytree(reports, store.processed / "reports", dirs_exist_ok=True)
    return written


# ----------------------------------------------------------------------------- modes
def _row(label: str, run: dict[str, Any], docs: int, stored: int, per: int) -> dict[str, Any]:
    """A table row: per-stage CPU-ms per document of ``per`` (new documents for a first run, stored ones for a
    no-op), startup apart."""
    ph = run["phases"]
    startup = ph.get("startup", {}).get("cpu_s", 0.0)
    row = {
        "run": label,
        "docs_new": docs,
        "stored_before": stored,
        "per": per,
        "cpu_s": run["cpu_s"],
        "startup_cpu_s": startup,
        "startup_wall_s": ph.get("startup", {}).get("wall_s", 0.0),
        "work_cpu_s": run["cpu_s"] - startup,
        "rusage_cpu_s": run["rusage_cpu_s"],
        "wall_s": run["wall_s"],
        "peak_rss_mb": run["peak_rss_mb"],
        "max_proc_rss_mb": run["max_proc_rss_mb"],
    }
    for stage in STAGES[1:]:
        row[f"{stage}_ms"] = 1000 * ph.get(stage, {}).get("cpu_s", 0.0) / max(1, per)
    row["work_ms"] = 1000 * row["work_cpu_s"] / max(1, per)
    return row


def print_table(rows: list[dict[str, Any]]) -> None:
    cols = [("run", 22, "s"), ("docs_new", 8, "d"), ("stored_before", 9, "d"), ("startup_cpu_s", 8, ".1f")]
    cols += [(f"{s}_ms", 8, ".3f") for s in STAGES[1:]]
    cols += [("work_ms", 8, ".3f"), ("work_cpu_s", 9, ".1f"), ("wall_s", 7, ".1f"), ("peak_rss_mb", 8, ".0f")]
    cols += [("max_proc_rss_mb", 8, ".0f")]
    heads = {
        "stored_before": "stored",
        "startup_cpu_s": "start-s",
        "peak_rss_mb": "treeMB",
        "max_proc_rss_mb": "procMB",
    }
    print("  ".join(f"{heads.get(c, c.removesuffix('_ms')):>{w}}" for c, w, _ in cols))
    for r in rows:
        print("  ".join(f"{r[c]:>{w}{f}}" for c, w, f in cols))
    print("stage columns: CPU-ms of the process tree per document (first runs: per new document; no-op and +1 %:")
    print("per stored document); work = all but Prefect start-up; start-s: start-up CPU-s; treeMB: peak RSS summed")
    print("over the tree's processes, procMB: of its largest process")


def sizes_mode(args: argparse.Namespace, pages: list[tuple[str, bytes]], tmp: Path) -> dict[str, Any]:
    env = cli_env(tmp / "prefect")
    rows: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    kinds_all: dict[int, dict[str, int]] = {}
    for n in args.sizes:
        raw, root = tmp / f"raw-{n}", tmp / f"root-{n}"
        kinds = build_collection(pages, raw, 0, n)
        cfg = write_config(tmp / f"cfg-{n}.toml", root, raw, args.batch_size)
        cmd = ["run", "--config", str(cfg)]
        first = run_cli(cmd, env, tmp, f"{n}-first")
        noop = run_cli(cmd, env, tmp, f"{n}-noop")
        add = max(1, n // 100)
        kinds.update(build_collection(pages, raw, n, add))
        plus = run_cli(cmd, env, tmp, f"{n}-plus1pct")
        rows += [
            _row(f"{n} first", first, n, 0, n),
            _row(f"{n} no-op", noop, 0, n, n),
            _row(f"{n} +1% ({add})", plus, add, n, n),
        ]
        runs += [first, noop, plus]
        kinds_all[n] = dict(kinds)
        print_table(rows[-3:])
        shutil.rmtree(raw)
        shutil.rmtree(root)
    ref = trafilatura_cpu(pages[: min(max(args.sizes), len(pages))])
    return {"rows": rows, "runs": runs, "kinds": kinds_all, "trafilatura": ref}


def synthetic_mode(args: argparse.Namespace, pages: list[tuple[str, bytes]], tmp: Path) -> dict[str, Any]:
    env = cli_env(tmp / "prefect")
    k = args.template_pages
    t_raw, t_root = tmp / "template-raw", tmp / "template-root"
    build_collection(pages, t_raw, 0, k)
    t_run = run_cli(
        ["run", "--config", str(write_config(tmp / "t.toml", t_root, t_raw, args.batch_size))], env, tmp, "template"
    )
    copies = -(-args.synthetic // k)
    raw, root = tmp / "raw", tmp / "root"
    start = time.monotonic()
    cpu0 = time.process_time()
    docs = replicate_state(t_root, t_raw, root, raw, copies, args.batch_size)
    fabricate = {"docs": docs, "wall_s": time.monotonic() - start, "cpu_s": time.process_time() - cpu0}
    print(f"fabricated {docs} documents in {fabricate['wall_s']:.0f} s")
    cfg = root.parent / f"{root.name}.toml"
    cmd = ["run", "--config", str(cfg)]
    noop = run_cli(cmd, env, tmp, "synthetic-noop")
    new_raw = raw / "new"
    build_collection(pages, new_raw, 10_000_000, args.new)
    plus = run_cli(cmd, env, tmp, "synthetic-plus")
    e_raw, e_root = tmp / "empty-raw", tmp / "empty-root"
    shutil.copytree(new_raw, e_raw)
    empty = run_cli(
        ["run", "--config", str(write_config(tmp / "e.toml", e_root, e_raw, args.batch_size))], env, tmp, "empty-plus"
    )
    rows = [
        _row(f"synthetic {docs} no-op", noop, 0, docs, docs),
        _row(f"synthetic +{args.new}", plus, args.new, docs, args.new),
        _row(f"empty +{args.new}", empty, args.new, 0, args.new),
    ]
    return {"rows": rows, "runs": [t_run, noop, plus, empty], "fabricate": fabricate}


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child-trace":
        child_main(Path(sys.argv[2]), sys.argv[4:])
        return 0
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=None)
    ap.add_argument("--synthetic", type=int, default=None, help="fabricate the stored state of N articles")
    ap.add_argument("--template-pages", type=int, default=200, help="real documents the synthetic state copies")
    ap.add_argument("--new", type=int, default=1000, help="documents added onto the synthetic state")
    ap.add_argument("--batch-size", type=int, default=500)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--tmp", type=Path, default=None, help="folder for the temp data roots (default: system temp)")
    args = ap.parse_args()
    if args.sizes is None and args.synthetic is None:
        args.sizes = [1000, 5000]
    pages = load_pages(args.corpus) if args.corpus.is_dir() else []
    if not pages:
        print(f"corpus not found at {args.corpus}: skipped")
        return 0
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    mode = "synthetic" if args.synthetic else "sizes"
    with tempfile.TemporaryDirectory(prefix="nf-scale-", dir=args.tmp) as tmp:
        result = synthetic_mode(args, pages, Path(tmp)) if args.synthetic else sizes_mode(args, pages, Path(tmp))
    print_table(result["rows"])
    ref = result.get("trafilatura")
    if ref:
        print(f"trafilatura bare extract: {ref['cpu_ms_per_page']:.1f} CPU-ms per page over {ref['pages']} pages")
        for r in result["rows"]:
            if r["stored_before"] == 0:
                print(
                    f"ratio {r['run']}: pipeline {r['work_ms']:.1f} / trafilatura {ref['cpu_ms_per_page']:.1f} = "
                    f"{r['work_ms'] / ref['cpu_ms_per_page']:.2f} x (start-up excluded)"
                )
    result.update(cores=os.cpu_count(), argv=sys.argv[1:], at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    out = OUT_DIR / f"pipeline_scale-{mode}.json"
    out.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
