"""Thin Prefect tasks around the stage functions in ``tasks/``: load one batch, call the plain functions, write the
result through :mod:`tasks.store`, return a small count manifest.

The stage modules themselves stay free of Prefect so that parse worker processes (and scripts that only want
``tasks.parse.parse_html``) import them quickly. Only fetch does network work, so only fetch tasks retry.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.plan import KnownDocs as KnownDocs
from flows.plan import Validators as Validators
from flows.plan import known_docs as known_docs
from flows.plan import stage_fingerprints as stage_fingerprints
from tasks import schemas
from tasks.config import Settings, SourceConfig
from tasks.parse import pool
from tasks.store import Store, read_rows_by_key, utcnow


@dataclass
class StageCounts:
    """What one stage did in one run: documents processed (written), skipped (already done) and rejected."""

    processed: int = 0
    skipped: int = 0
    rejected: Counter[str] = field(default_factory=Counter)

    def add(self, other: StageCounts) -> None:
        self.processed += other.processed
        self.skipped += other.skipped
        self.rejected.update(other.rejected)

    def as_dict(self) -> dict[str, Any]:
        return {
            "processed": self.processed,
            "skipped": self.skipped,
            "rejected": sum(self.rejected.values()),
            "rejected_by_reason": dict(sorted(self.rejected.items())),
        }


def chunks(seq: list[Any], size: int) -> list[list[Any]]:
    return [seq[i : i + size] for i in range(0, len(seq), size)]


# ----------------------------------------------------------------------------- fetch
@task(
    name="discover",
    task_run_name="discover-{source.name}",
    retries=1,
    retry_delay_seconds=5,
    cache_policy=NO_CACHE,
)
def discover_source(source: SourceConfig, settings: Settings, fetch_fp: str) -> tuple[list[Any], Counter[str], int]:
    """Items of one source (files found, URLs listed, feed entries, sitemap pages, WARC records; after the
    source's include/exclude/since filters) and the reasons of its discovery failures, which are written as
    fetch rejects (a failure already recorded is neither written nor counted again).

    ``max_items`` caps the items not stored yet (requests this run will make); known items are kept (the
    fetch skips them, or revisits them when due). The items left out are not lost: the next run discovers them
    again, and then they are the new ones. The third value is how many new items the cap left out (0 when the
    source did not reach it); the run summary warns about it."""
    from tasks import fetch

    items, found_rejects = fetch.discover(source, settings.fetch)
    store = Store(settings.data_root)
    # a failure recorded by an earlier run (a broken sidecar still broken) is neither written nor counted again:
    # a run with nothing new reports nothing
    rejects = store.new_rejects("fetch", found_rejects, fetch_fp)
    store.write_rejects("fetch", rejects, fetch_fp, filtered=True)
    items = with_frontier(store, source.name, list(items), fetch_fp)
    logger = get_run_logger()
    if rejects:
        logger.warning("source %s: %d discovery failure(s)", source.name, len(rejects))
    left_out = 0
    if source.max_items is not None and len(items) > source.max_items:  # under the cap nothing can be left out
        known = known_docs(store, settings)
        kept, new = [], 0
        for item in items:
            doc_id = item.doc_id
            if doc_id in known.latest or known.skip(doc_id, None):  # stored (maybe revisited) or not to request
                kept.append(item)
            elif new < source.max_items:
                kept.append(item)
                new += 1
        left_out = len(items) - len(kept)
        if left_out:
            logger.warning(
                "source %s: max_items %d reached: %d new item(s) left for later runs",
                source.name,
                source.max_items,
                left_out,
            )
        items = kept
    return list(items), Counter(r["reason"] for r in rejects), left_out


def with_frontier(store: Store, source: str, items: list[Any], fetch_fp: str) -> list[Any]:
    """Record newly discovered web items (no local path) in the frontier and add the frontier items of
    ``source`` that this discovery no longer lists, so a URL seen once is fetched eventually even if it has
    dropped out of its feed or sitemap (already fetched ones are skipped by :class:`KnownDocs`)."""
    from tasks import fetch

    front = store.read("fetch", schemas.FRONTIER, None, sub="frontier").to_pylist()
    front = [r for r in front if r["source"] == source]
    recorded = {r["doc_id"] for r in front}
    listed = {i.doc_id for i in items}
    now = utcnow()
    new_rows = [
        {
            "doc_id": i.doc_id,
            "source": source,
            "uri": i.uri,
            "url": i.url,
            "meta_json": json.dumps(i.meta, ensure_ascii=False, default=str),
            "discovered_at": now,
        }
        for i in items
        if i.path is None and i.warc is None and i.doc_id not in recorded
    ]
    store.write_part("fetch", new_rows, schemas.FRONTIER, fetch_fp, sub="frontier")
    for r in front:
        if r["doc_id"] not in listed:
            meta = json.loads(r["meta_json"]) if r["meta_json"] else {}
            items.append(fetch.FetchItem(source=source, uri=r["uri"], path=None, url=r["url"], meta=meta))
    return items


@task(
    name="fetch-batch",
    task_run_name="fetch-{source_name}-batch-{batch_no}",
    retries=2,
    retry_delay_seconds=10,
    cache_policy=NO_CACHE,
)
def fetch_batch(
    items: list[Any], source_name: str, batch_no: int, settings: Settings, fetch_fp: str, known: KnownDocs
) -> StageCounts:
    """Fetch one batch of items; an item is skipped when its document (URL) or, for files, its exact bytes
    (``doc_id``, ``content_sha256``) are already stored or rejected. Fetched bytes identical to a stored version
    (or a 304 answer to a revisit) are dropped (no new version). Results are written as they come, at least
    every ``write_every_s`` seconds, so a killed run keeps what it fetched. URLs whose host's circuit breaker
    opened are left for a later run (no row, no reject)."""
    from tasks import fetch

    counts = StageCounts()
    store = Store(settings.data_root)

    def skip(item: Any, sha: str | None) -> bool:
        # a file with the size and mtime recorded after the last complete pass (its stat key in hand) is not read
        unchanged = sha is not None and sha.startswith("stat:") and known.unchanged.get((item.source, item.uri)) == sha
        done = unchanged or known.skip(item.doc_id, sha)
        if done:
            counts.skipped += 1
        return done

    def emit(rows: list[dict[str, Any]], rejects: list[dict[str, Any]]) -> None:
        fresh = [r for r in rows if known.is_new_version(r["doc_id"], r["content_sha256"])]
        counts.skipped += len(rows) - len(fresh)
        store.write_part("fetch", fresh, schemas.FETCHED, fetch_fp)
        store.write_rejects("fetch", rejects, fetch_fp)
        for r in fresh:
            known.record(r["doc_id"], r["content_sha256"])
        for r in rejects:
            known.record(r["doc_id"], None)
        counts.processed += len(fresh)
        counts.rejected.update(r["reason"] for r in rejects)

    stats = fetch.FetchStats()
    fetch.fetch_items(
        items,
        settings.fetch,
        skip=skip,
        validators=lambda item: known.validators(item.doc_id),
        emit=emit,
        stats=stats,
    )
    counts.skipped += stats.not_modified
    if stats.deferred:
        get_run_logger().warning(
            "source %s batch %d: %d URL(s) left for a later run (unavailable host(s): %s)",
            source_name,
            batch_no,
            stats.deferred,
            ", ".join(sorted(stats.deferred_hosts)),
        )
    return counts


# ----------------------------------------------------------------------------- parse
# the worker pool lives with the parser (tasks/parse/pool.py), which imports no Prefect: the workers don't either
parse_rows = pool.parse_rows
shutdown_pool = pool.shutdown_pool


def _parsed_row(src: dict[str, Any], out: dict[str, Any], parse_fp: str) -> dict[str, Any]:
    row = {k: out.get(k) for k in schemas.PARSED.names if k in out}
    row.update(
        doc_id=src["doc_id"],
        content_sha256=src["content_sha256"],
        source=src["source"],
        url=src.get("url") or src.get("final_url"),
        fetched_at=src["fetched_at"],
        declared_language=out.get("language"),
        parser_version=parse_fp,
    )
    return row


@task(name="parse-batch", task_run_name="parse-batch-{batch_no}", cache_policy=NO_CACHE)
def parse_batch(batch: list[tuple[str, str, str]], batch_no: int, settings: Settings, parse_fp: str) -> StageCounts:
    """Parse one batch of ``(fetched part path, doc_id, content_sha256)``; writes a parsed part and rejects."""
    store = Store(settings.data_root)
    keys = {(d, s) for _, d, s in batch}
    table = read_rows_by_key([p for p, _, _ in batch], keys)
    rows = table.to_pylist()
    zones = {s.name: s.timezone for s in settings.sources if s.timezone}
    for r in rows:
        r["timezone"] = zones.get(r["source"])
    workers = settings.parse.workers or os.cpu_count() or 1
    results = parse_rows(rows, min(workers, max(1, len(rows))), settings.parse.timeout_s)
    parsed, rejects = [], []
    for src, (status, value) in zip(rows, results, strict=True):
        if status == "ok":
            parsed.append(_parsed_row(src, value, parse_fp))
        else:
            reason, detail = value
            rejects.append(
                {
                    "doc_id": src["doc_id"],
                    "content_sha256": src["content_sha256"],
                    "source": src["source"],
                    "uri": src["uri"],
                    "reason": reason,
                    "detail": detail,
                }
            )
    store.write_part("parse", parsed, schemas.PARSED, parse_fp)
    store.write_rejects("parse", rejects, parse_fp)
    counts = StageCounts(processed=len(parsed))
    counts.rejected.update(r["reason"] for r in rejects)
    get_run_logger().info("parse batch %d: %d parsed, %d rejected", batch_no, len(parsed), len(rejects))
    return counts


# ----------------------------------------------------------------------------- dedup
def load_dedup_index(store: Store, dedup_fp: str, settings: Settings | None = None) -> Any:
    """The dedup index of everything deduplicated before under ``dedup_fp``, rebuilt from the stored Parquet
    with Arrow joins into numpy arrays (:meth:`tasks.dedup.DedupIndex.from_tables`). Index and signature rows of
    documents without a deduplicated row (left by a killed run) are ignored."""
    from tasks import dedup

    cols = ["doc_id", "content_sha256", "published_at", "body_chars"]  # keys, and the rank of each document
    dd = store.read("dedup", schemas.DEDUPLICATED, dedup_fp, columns=cols)
    index = store.read("dedup", schemas.DEDUP_INDEX, dedup_fp, sub="index")
    sigs = store.read("dedup", schemas.DEDUP_SIGNATURES, dedup_fp, sub="signatures")
    return dedup.DedupIndex.from_tables(dd, index, sigs, settings.dedup if settings else None)


def _without_keys(table: Any, keys: set[tuple[str, str]]) -> Any:
    """Rows of an Arrow table (or list of row dicts) whose ``(doc_id, content_sha256)`` is not in ``keys``."""
    if not keys:
        return table
    if isinstance(table, list):
        return [r for r in table if (r["doc_id"], r["content_sha256"]) not in keys]
    import pyarrow as pa

    ids = table.column("doc_id").to_pylist()
    shas = table.column("content_sha256").to_pylist()
    return table.filter(pa.array([(d, s) not in keys for d, s in zip(ids, shas, strict=True)], type=pa.bool_()))


_LEFTOVERS: dict[tuple[str, str], set[tuple[str, str]]] = {}


def leftover_dedup_keys(store: Store, dedup_fp: str) -> set[tuple[str, str]]:
    """Keys with signature rows but no deduplicated row: what a run killed mid-batch left. Computed once per
    run (:func:`reset_leftovers` at the start of dedup; reading every signature key per batch would grow with
    the index); entries are dropped as their batches are redone."""
    cache_key = (str(store.root), dedup_fp)
    if cache_key not in _LEFTOVERS:
        sigs = store.keys("dedup", schemas.DEDUP_SIGNATURES, dedup_fp, sub="signatures")
        _LEFTOVERS[cache_key] = sigs - store.keys("dedup", schemas.DEDUPLICATED, dedup_fp) if sigs else set()
    return _LEFTOVERS[cache_key]


def reset_leftovers() -> None:
    _LEFTOVERS.clear()


def run_dedup_batch(
    store: Store, keys: list[tuple[str, str]], settings: Settings, parse_fp: str, dedup_fp: str, index: Any
) -> tuple[StageCounts, Counter[str]]:
    """Deduplicate the parsed documents ``keys`` against ``index`` (updated in place) and write, in this order,
    the index and signature parts and then the deduplicated part that marks the documents done. Plain
    function (no Prefect), so tests can drive it through the real store. Returns the counts and the match kinds.
    """
    from tasks import dedup

    cols = ["doc_id", "content_sha256", "source", "url", "canonical_url", "body", "published_at", "fetched_at"]
    table = read_rows_by_key(store.current_parts(store.stage_dir("parse"), parse_fp), set(keys), cols)
    rows = sorted(table.to_pylist(), key=lambda r: (r["doc_id"], r["content_sha256"]))
    try:
        res = dedup.dedup_batch(rows, index, settings.dedup)
    except Exception as exc:
        rejects = [
            {
                "doc_id": r["doc_id"],
                "content_sha256": r["content_sha256"],
                "source": r["source"],
                "reason": "dedup_error",
                "detail": f"{type(exc).__name__}: {exc}"[:500],
            }
            for r in rows
        ]
        store.write_rejects("dedup", rejects, dedup_fp)
        counts = StageCounts()
        counts.rejected["dedup_error"] = len(rejects)
        return counts, Counter()
    # a run killed between these writes left index/signature rows for documents it never marked done; they are
    # identical to what was just computed, so they are kept and not written twice
    left = leftover_dedup_keys(store, dedup_fp)
    store.write_part("dedup", _without_keys(res.index_table, left), schemas.DEDUP_INDEX, dedup_fp, sub="index")
    store.write_part("dedup", _without_keys(res.signatures, left), schemas.DEDUP_SIGNATURES, dedup_fp, sub="signatures")
    store.write_part("dedup", res.rows, schemas.DEDUPLICATED, dedup_fp)
    left.difference_update((r["doc_id"], r["content_sha256"]) for r in res.rows)
    kinds = Counter(str(r["match_kind"]) for r in res.rows if r.get("match_kind"))
    return StageCounts(processed=len(res.rows)), kinds


@task(name="dedup-batch", task_run_name="dedup-batch-{batch_no}", cache_policy=NO_CACHE)
def dedup_batch(
    keys: list[tuple[str, str]], batch_no: int, settings: Settings, parse_fp: str, dedup_fp: str, index: Any
) -> StageCounts:
    """Deduplicate one batch against ``index`` (updated in place); see :func:`run_dedup_batch`."""
    counts, kinds = run_dedup_batch(Store(settings.data_root), keys, settings, parse_fp, dedup_fp, index)
    get_run_logger().info(
        "dedup batch %d: %d documents, matches %s", batch_no, counts.processed, dict(sorted(kinds.items()))
    )
    return counts


# ----------------------------------------------------------------------------- enrich
@task(name="enrich-batch", task_run_name="enrich-batch-{batch_no}", cache_policy=NO_CACHE)
def enrich_batch(
    keys: list[tuple[str, str]], batch_no: int, settings: Settings, parse_fp: str, enrich_fp: str
) -> StageCounts:
    """Enrich one batch of parsed documents with the configured enrichers (``[enrich] enrichers``)."""
    from tasks import enrich

    store = Store(settings.data_root)
    cols = ["doc_id", "content_sha256", "source", "title", "teaser", "body", "declared_language", "authors", "agencies"]
    table = read_rows_by_key(store.current_parts(store.stage_dir("parse"), parse_fp), set(keys), cols)
    rows = table.to_pylist()
    out: list[dict[str, Any]] = []
    rejects: list[dict[str, Any]] = []
    try:
        out = enrich.enrich_batch(rows, settings.enrich)
    except Exception:  # find the row(s) at fault instead of losing the batch
        for r in rows:
            try:
                out.extend(enrich.enrich_batch([r], settings.enrich))
            except Exception as exc:
                rejects.append(
                    {
                        "doc_id": r["doc_id"],
                        "content_sha256": r["content_sha256"],
                        "source": r["source"],
                        "reason": "enrich_error",
                        "detail": f"{type(exc).__name__}: {exc}"[:500],
                    }
                )
    out = [{**x, "enrich_version": enrich_fp} for x in out]
    store.write_part("enrich", out, schemas.ENRICHED, enrich_fp)
    store.write_rejects("enrich", rejects, enrich_fp)
    counts = StageCounts(processed=len(out))
    counts.rejected.update(r["reason"] for r in rejects)
    return counts


# ----------------------------------------------------------------------------- export
@task(name="export", task_run_name="export-articles", cache_policy=NO_CACHE)
def export_articles(settings: Settings, fps: dict[str, str]) -> dict[str, Any]:
    """Rebuild ``processed/articles/`` when any upstream part changed; returns counts."""
    from tasks import export

    return export.export_dataset(Store(settings.data_root), fps)
