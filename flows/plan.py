"""What a command has to do, decided without Prefect: stage fingerprints, what fetch already holds, open rejects,
a rerun's selection, and whether a run has any work at all (:func:`plan_run`).

This module imports no Prefect (``tests/test_startup.py`` checks it in a fresh interpreter), so the read-only
commands (``status``, ``rejects``, ``export``, ``compact``) and a run with nothing to do never pay Prefect's
import and start-up (measured on the 2-core development machine: 60-130 s per start under load, see README).

A run has work when any of these holds (checked in this order, the first one found is the reason given):

1. a killed run left something for :meth:`tasks.store.Store.clean_temp` to finish (:meth:`Store.unfinished`);
2. a source is read over the network (``feed``, ``sitemap``, ``urls``): its entries may have changed since;
3. a local source (``files``, ``warc``) differs from the stat manifest the fetch stage recorded at the end of its
   last complete pass (:func:`record_local_sources`): a file added, removed, resized or modified (size and
   mtime in ns, the rule rsync and make use), the source's or ``[fetch]`` settings changed, or the fetched
   documents and fetch rejects changed since (their content digest, :meth:`Store.state_digest`); a missing or
   unreadable manifest counts as work (when in doubt, run);
4. rows are pending in a later stage under the current fingerprints (:func:`tasks.store.pending_parse`,
   :func:`tasks.store.pending_after`), or the articles dataset is not current (:func:`tasks.export.is_current`);
5. for a rerun: its selection (:func:`select_for_rerun`) is not empty.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tasks import schemas
from tasks.config import Settings, SourceConfig
from tasks.store import STAGES, Store, fingerprint, newest_fetched, pending_after, pending_parse, utcnow

#: Source kinds read from local files only; every other kind is read over the network.
LOCAL_KINDS = ("files", "warc")


def stage_fingerprints(settings: Settings) -> dict[str, str]:
    """Fingerprint per stage: its version constant, its config hash and the fingerprints it depends on. Parse
    changes therefore redo dedup, enrich and export; dedup settings redo dedup and export only."""
    from tasks import dedup, enrich, export, fetch, parse

    fp: dict[str, str] = {}
    fp["fetch"] = fingerprint("fetch", fetch.FETCH_VERSION)
    # a source's timezone changes how its pages' clock times are read: part of the parse fingerprint when set
    zones = sorted((s.name, s.timezone) for s in settings.sources if s.timezone)
    zone_part = [json.dumps(zones)] if zones else []
    fp["parse"] = fingerprint("parse", parse.PARSE_VERSION, settings.stage_config_hash("parse"), *zone_part)
    fp["dedup"] = fingerprint("dedup", dedup.DEDUP_VERSION, settings.stage_config_hash("dedup"), fp["parse"])
    fp["enrich"] = fingerprint(
        "enrich", enrich.stage_version(settings.enrich), settings.stage_config_hash("enrich"), fp["parse"]
    )
    fp["export"] = fingerprint("export", export.EXPORT_VERSION, fp["parse"], fp["dedup"], fp["enrich"])
    return fp


Validators = tuple[str | None, dt.datetime | None]


class KnownDocs:
    """What fetch already holds, to decide what to skip: the newest stored version (``content_sha256``) of each
    document, the keys of rejected versions, and the ``doc_id``s not to request again (stored, rejected for good,
    or a transient failure not yet due for a retry); a rerun's ``force_ids`` are requested again anyway.
    ``revisit`` maps stored URL documents due for a revisit (their source's ``revisit_after_s`` passed since
    their newest version was fetched) to that version's ``(etag, last_modified)``: they are requested again,
    conditionally. ``unchanged`` maps ``(source name, uri)`` of local files to the stat key
    (:func:`tasks.fetch.stat_key`) the stat manifest recorded for them (:func:`unchanged_files`): a file whose
    stat key is still that one has its bytes stored or rejected already, so it is not read again. A plain
    object, not a collection, so Prefect does not walk it when it records task inputs."""

    def __init__(
        self,
        latest: dict[str, str],
        reject_keys: set[tuple[str, str | None]],
        blocked_ids: set[str],
        force_ids: set[str] | None = None,
        revisit: dict[str, Validators] | None = None,
    ):
        self.latest = latest
        self.reject_keys = reject_keys
        self.blocked_ids = blocked_ids
        self.force_ids = force_ids or set()
        self.revisit = revisit or {}
        self.unchanged: dict[tuple[str, str], str] = {}

    def skip(self, doc_id: str, sha: str | None) -> bool:
        if sha is None:  # before a request
            return doc_id in self.blocked_ids and doc_id not in self.force_ids
        # bytes (or a failing file's stat key) in hand: the newest version again, or a known failure
        return self.latest.get(doc_id) == sha or (doc_id, sha) in self.reject_keys

    def is_new_version(self, doc_id: str, sha: str) -> bool:
        return self.latest.get(doc_id) != sha

    def validators(self, doc_id: str) -> Validators | None:
        """``(etag, last_modified)`` for a conditional revisit of ``doc_id``; None for a plain request."""
        return self.revisit.get(doc_id)

    def record(self, doc_id: str, sha: str | None) -> None:
        """A version (``sha``) or a reject (``sha`` None) of ``doc_id`` was just stored: not requested again in
        this run (e.g. when Prefect retries a fetch batch that failed half-way)."""
        if sha is not None:
            self.latest[doc_id] = sha
        self.blocked_ids.add(doc_id)
        self.revisit.pop(doc_id, None)
        self.force_ids.discard(doc_id)


def _revisit_validators(store: Store, newest: Any, settings: Settings) -> dict[str, Validators]:
    """Stored URL documents whose source has ``revisit_after_s`` and whose newest version is at least that old,
    with that version's HTTP validators (null for parts written before the columns existed)."""
    import pyarrow.parquet as pq

    from tasks.store import utcnow

    after = {s.name: s.revisit_after_s for s in settings.sources if s.revisit_after_s is not None}
    if not after or newest.num_rows == 0:
        return {}
    now = utcnow()
    due: dict[str, dict[str, str]] = {}  # part -> {doc_id: sha}
    for doc_id, sha, source, fetched_at, part in zip(
        *(newest.column(c).to_pylist() for c in ("doc_id", "content_sha256", "source", "fetched_at", "part")),
        strict=True,
    ):
        wait = after.get(source)
        if wait is not None and fetched_at is not None and (now - fetched_at).total_seconds() >= wait:
            due.setdefault(part, {})[doc_id] = sha
    out: dict[str, Validators] = {}
    for part, docs in due.items():
        names = pq.read_schema(part).names
        cols = [c for c in ("doc_id", "content_sha256", "uri", "etag", "last_modified") if c in names]
        rows = pq.read_table(part, columns=cols).to_pylist()
        for r in rows:
            if docs.get(r["doc_id"]) == r["content_sha256"] and not str(r.get("uri", "")).startswith("file:"):
                out[r["doc_id"]] = (r.get("etag"), r.get("last_modified"))
    return out


def known_docs(store: Store, settings: Settings, force_ids: set[str] | None = None) -> KnownDocs:
    """Build :class:`KnownDocs` from the stored fetch outputs and rejects. A document whose fetches failed only
    with retryable reasons (:data:`tasks.schemas.RETRYABLE_REASONS`) is requested again once
    ``retry_failed_after_s * 2**(attempts-1)`` seconds passed since its last attempt, up to
    ``max_fetch_attempts`` attempts (exponential backoff across runs). A stored URL document is requested again
    (conditionally) when its source's ``revisit_after_s`` passed since its newest version was fetched."""
    from tasks.store import newest_fetched, utcnow

    newest = newest_fetched(store)
    ids: list[Any] = newest.column("doc_id").to_pylist()
    shas: list[Any] = newest.column("content_sha256").to_pylist()
    latest: dict[str, str] = dict(zip(ids, shas, strict=True))
    rejects = store.read_rejects("fetch").to_pylist()
    reject_keys = {(r["doc_id"], r["content_sha256"]) for r in rejects}
    revisit = _revisit_validators(store, newest, settings)
    blocked = set(latest) - set(revisit)
    retryable: dict[str, list[Any]] = {}
    for r in rejects:
        if r["doc_id"] in latest:
            continue
        if r["reason"] in schemas.RETRYABLE_REASONS:
            retryable.setdefault(r["doc_id"], []).append(r["at"])
        else:
            blocked.add(r["doc_id"])
    now = utcnow()
    cfg = settings.fetch
    for doc_id, times in retryable.items():
        if doc_id in blocked:
            continue
        attempts = len(times)
        wait = cfg.retry_failed_after_s * 2 ** (attempts - 1)
        if attempts >= cfg.max_fetch_attempts or (now - max(times)).total_seconds() < wait:
            blocked.add(doc_id)
    return KnownDocs(latest, reject_keys, blocked, force_ids, revisit)


@dataclass(frozen=True)
class Rerun:
    """Redo stages for a selection of stored documents (``newsflow rerun``, ``newsflow rejects replay``).

    ``from_stage``: first stage to redo (it and every later stage run again for the selection). Filters, all
    optional and combined with AND: ``source`` (source name), ``since`` (fetched at or after this UTC time),
    ``where_reason`` (documents with an open reject of this reason code, at any stage).
    """

    from_stage: str
    source: str | None = None
    since: dt.datetime | None = None
    where_reason: str | None = None


def select_for_rerun(store: Store, fps: dict[str, str], rerun: Rerun) -> tuple[set[str], set[tuple[str, str]]]:
    """Documents a rerun covers: ``(doc_ids, {(doc_id, newest content_sha256)})``. Fetch rejects without
    stored bytes (e.g. an HTTP 503) are selected by ``doc_id`` only."""
    fetched = newest_fetched(store)
    rows = fetched.to_pylist()
    rejects = open_rejects(store, fps)
    if rerun.where_reason:
        wanted = {r["doc_id"] for r in rejects if r["reason"] == rerun.where_reason}
        rows = [r for r in rows if r["doc_id"] in wanted]
        fetched_ids = {r["doc_id"] for r in rows}
        extra = [
            {"doc_id": r["doc_id"], "content_sha256": None, "source": r["source"], "fetched_at": r["at"]}
            for r in rejects
            if r["reason"] == rerun.where_reason and r["doc_id"] not in fetched_ids
        ]
        rows += extra
    if rerun.source:
        rows = [r for r in rows if r["source"] == rerun.source]
    if rerun.since:
        rows = [r for r in rows if r["fetched_at"] is not None and r["fetched_at"] >= rerun.since]
    ids = {r["doc_id"] for r in rows}
    keys = {(r["doc_id"], r["content_sha256"]) for r in rows if r["content_sha256"]}
    return ids, keys


def open_rejects(store: Store, fps: dict[str, str]) -> list[dict[str, Any]]:
    """Reject rows still standing: of the current fingerprints, and not since redone successfully (a rerun that
    succeeds leaves the old reject row in place; it is just no longer open)."""
    out: list[dict[str, Any]] = []
    for stage, schema in (
        ("fetch", schemas.FETCHED),
        ("parse", schemas.PARSED),
        ("dedup", schemas.DEDUPLICATED),
        ("enrich", schemas.ENRICHED),
    ):
        fp = None if stage == "fetch" else fps[stage]
        rej = store.read_rejects(stage, fp).to_pylist()
        if not rej:
            continue
        done = store.keys(stage, schema, fp)
        done_ids = {d for d, _ in done} if stage == "fetch" else set()
        for r in rej:
            if (r["doc_id"], r["content_sha256"]) in done or (r["content_sha256"] is None and r["doc_id"] in done_ids):
                continue
            out.append(r)
    return out


# ----------------------------------------------------------------------------- local sources' stat manifest
def source_key(source: SourceConfig, settings: Settings) -> str:
    """Hash of everything that decides what a local source yields: the ``[[sources]]`` table and ``[fetch]``
    (e.g. ``max_bytes`` turns a file into a reject). 16 hex chars."""
    blob = json.dumps([dataclasses.asdict(source), settings.stage_config_hash("fetch")], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def local_snapshot(source: SourceConfig) -> list[list[Any]] | None:
    """The stat manifest of a local source (:func:`tasks.fetch.stat_manifest`, entries as JSON-ready lists), or
    None for a network source or a path that cannot be stat'ed."""
    from tasks import fetch

    if source.kind not in LOCAL_KINDS or not source.path:
        return None
    entries = fetch.stat_manifest(Path(source.path), skip_hidden_dirs=source.kind == "files")
    return None if entries is None else [list(e) for e in entries]


def _fetch_digest(store: Store) -> str:
    return store.state_digest([(store.stage_dir("fetch"), None), (store.rejects_dir("fetch"), None)])


def record_local_sources(
    store: Store, settings: Settings, fetch_fp: str, snapshots: dict[str, list[list[Any]] | None]
) -> None:
    """Record, after the fetch stage of a run, what the local sources it fetched held: ``snapshots`` maps each
    source the run fetched to the stat manifest taken *before* its discovery (a file changed during the run then
    differs next time), or to None when the pass was not complete (``max_items`` left items out): that source's
    record is dropped, so the next run fetches it. Sources the run did not fetch keep their record. Call it
    holding the data root's lock. An unchanged record is not written again."""
    old = store.read_source_manifest()
    sources: dict[str, Any] = dict(old["sources"]) if old and old.get("fetch_fp") == fetch_fp else {}
    by_name = {s.name: s for s in settings.sources}
    for name, entries in snapshots.items():
        sources.pop(name, None)
        if entries is not None and name in by_name:
            sources[name] = {"key": source_key(by_name[name], settings), "entries": entries}
    digest = _fetch_digest(store)
    if old and (old.get("fetch_fp"), old.get("fetch_digest"), old.get("sources")) == (fetch_fp, digest, sources):
        return  # nothing changed: a run with nothing new writes no file
    store.write_source_manifest(
        {"fetch_fp": fetch_fp, "fetch_digest": digest, "sources": sources, "written_at": str(utcnow())}
    )


def unchanged_files(store: Store, settings: Settings, fetch_fp: str, names: list[str]) -> dict[tuple[str, str], str]:
    """``(source name, "file:<relative path>")`` → stat key (:func:`tasks.fetch.stat_key`) of the size and mtime
    the manifest recorded, for the files of the ``files`` sources ``names``: the last complete fetch pass read
    each with that size and mtime and stored or rejected its bytes, so a fetch that finds the same stat key may
    skip reading and hashing it (the rule rsync and make use: same size and mtime, same content). Empty when the
    manifest is missing, or the fetch settings, the source's settings or the fetched documents and fetch rejects
    changed since it was written. Call it before the run fetches anything."""
    from tasks import fetch

    manifest = store.read_source_manifest()
    if manifest is None or manifest.get("fetch_fp") != fetch_fp or manifest.get("fetch_digest") != _fetch_digest(store):
        return {}
    by_name = {s.name: s for s in settings.sources}
    out: dict[tuple[str, str], str] = {}
    for name in names:
        rec = manifest["sources"].get(name)
        source = by_name.get(name)
        if rec is None or source is None or source.kind != "files" or rec.get("key") != source_key(source, settings):
            continue
        for rel, size, mtime in rec.get("entries", []):
            if size >= 0:
                out[(name, "file:" + rel)] = fetch.stat_key(size, mtime)
    return out


def _fetch_work(store: Store, settings: Settings, fps: dict[str, str], only: str | None) -> str | None:
    """Why the fetch stage has work (rules 2 and 3 of the module docstring), or None."""
    sources = [s for s in settings.sources if only is None or s.name == only]
    for s in sources:
        if s.kind not in LOCAL_KINDS:
            return f"source {s.name} ({s.kind}) is read over the network"
    if not sources:
        return None
    manifest = store.read_source_manifest()
    if manifest is None:
        return "no record of the local sources' files yet"
    if manifest.get("fetch_fp") != fps["fetch"] or manifest.get("fetch_digest") != _fetch_digest(store):
        return "the fetched documents changed since the local sources were recorded"
    for s in sources:
        rec = manifest["sources"].get(s.name)
        if rec is None or rec.get("key") != source_key(s, settings):
            return f"source {s.name} is new or its settings changed"
        if rec.get("entries") != local_snapshot(s):
            return f"source {s.name} has new, changed or removed files"
    return None


# ----------------------------------------------------------------------------- the plan
@dataclass(frozen=True)
class Plan:
    """Whether a run has work. ``work``: the first reason found (a phrase), None when there is nothing to do.
    The counts are filled when there is nothing to do (they cost reads): ``documents`` (fetched documents, newest
    versions), ``articles`` (rows of the articles dataset), ``open_rejects``."""

    work: str | None
    fingerprints: dict[str, str]
    documents: int = 0
    articles: int = 0
    open_rejects: int = 0


def plan_run(settings: Settings, rerun: Rerun | None = None) -> Plan:
    """Decide whether ``newsflow run`` (or a ``rerun``) has any work (see the module docstring), reading only
    stats, Parquet metadata and key columns. Never raises: an error while deciding counts as work."""
    try:
        return _plan(settings, rerun)
    except Exception as exc:  # when in doubt, run
        return Plan(f"could not decide ({type(exc).__name__}: {exc})", {})


def _plan(settings: Settings, rerun: Rerun | None) -> Plan:
    import pyarrow.parquet as pq

    from tasks.export import is_current, upstream_digest

    store = Store(settings.data_root)
    fps = stage_fingerprints(settings)
    unfinished = store.unfinished()
    if unfinished:
        return Plan(f"finish {unfinished}", fps)
    why = _fetch_work(store, settings, fps, rerun.source if rerun else None)
    if why:
        return Plan(why, fps)
    n = len(pending_parse(store, fps["parse"]))
    if n:
        return Plan(f"{n} document(s) to parse", fps)
    for up, up_schema, stage, schema in (
        ("parse", schemas.PARSED, "dedup", schemas.DEDUPLICATED),
        ("dedup", schemas.DEDUPLICATED, "enrich", schemas.ENRICHED),
    ):
        n = len(pending_after(store, up, up_schema, fps[up], stage, schema, fps[stage]))
        if n:
            return Plan(f"{n} document(s) to {stage}", fps)
    if not is_current(store, upstream_digest(store, fps)):
        return Plan("the articles dataset is not current", fps)
    if rerun is not None:
        ids, keys = select_for_rerun(store, fps, rerun)
        selected = len(ids | {d for d, _ in keys})
        if selected:
            return Plan(f"rerun from {rerun.from_stage}: {selected} document(s) selected", fps)
    articles = sum(pq.read_metadata(p).num_rows for p in store.parts(store.stage_dir("export")))
    return Plan(None, fps, newest_fetched(store).num_rows, articles, len(open_rejects(store, fps)))


def noop_summary(settings: Settings, plan: Plan) -> dict[str, Any]:
    """The run summary (the shape ``news_pipeline`` returns) of a run that had nothing to do: processed 0 at every
    stage, no report, ``nothing_to_do`` true."""
    zero = {"processed": 0, "skipped": 0, "rejected": 0, "rejected_by_reason": {}}
    return {
        "data_root": str(settings.data_root),
        "documents_in": 0,
        "articles_out": plan.articles,
        "dataset_rewritten": False,
        "rejected_total": 0,
        "open_rejects": plan.open_rejects,
        "reject_share": 0.0,
        "stages": {s: dict(zero) for s in STAGES},
        "fingerprints": plan.fingerprints,
        "max_items_warnings": [],
        "run_date": dt.datetime.now(dt.UTC).date().isoformat(),
        "report_html": None,
        "fill_rate_warnings": [],
        "nothing_to_do": True,
    }
