"""The one place where the stage order is written: fetch → parse → deduplicate → enrich → export.

``news_pipeline`` is a Prefect flow; each stage runs as Prefect tasks over batches of ``batch_size`` documents and
processes only *pending* work (see :mod:`tasks.store`): a second run with no new input writes nothing.
"""

import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from typing import Any, Literal

from prefect import flow, get_run_logger

from flows import plan, stages
from flows.plan import Rerun as Rerun
from flows.plan import open_rejects as open_rejects
from flows.plan import select_for_rerun as select_for_rerun
from flows.stages import StageCounts
from tasks import identity, schemas
from tasks.config import Settings, check_data_root, check_sources_exist, load_settings
from tasks.report import build_report
from tasks.store import Store, pending_after, pending_parse

STAGE_ORDER = ("fetch", "parse", "dedup", "enrich", "export")


def _distributed() -> bool:
    """True when the flow runs on a task runner other than Prefect's default thread pool (e.g. Dask): then
    independent batches are submitted concurrently instead of run one after the other."""
    from prefect.context import FlowRunContext
    from prefect.task_runners import ThreadPoolTaskRunner

    ctx = FlowRunContext.get()
    return ctx is not None and not isinstance(ctx.task_runner, ThreadPoolTaskRunner)


#: Set by the CLI to draw progress bars: called as ``progress_hook(stage, documents_done, documents_total)``
#: after each batch. ``None`` (nothing drawn) in deployments and tests.
progress_hook: Callable[[str, int, int], None] | None = None


def _progress(stage: str, done: int, total: int) -> None:
    if progress_hook is not None:
        progress_hook(stage, done, total)


def run_batches(task: Any, calls: list[tuple[Any, ...]], stage: str) -> list[StageCounts]:
    """Run independent batch tasks (fetch, parse, enrich; the batch is each call's first argument): in order on
    the default runner, where each parse batch already uses every core through its process pool; all submitted
    at once on a distributed runner. Reports progress in documents."""
    total = sum(len(c[0]) for c in calls)
    done = 0
    _progress(stage, 0, total)
    out: list[StageCounts] = []
    if _distributed():
        futures = [(task.submit(*args), len(args[0])) for args in calls]
        for fut, n in futures:
            out.append(fut.result())
            done += n
            _progress(stage, done, total)
        return out
    for args in calls:
        out.append(task(*args))
        done += len(args[0])
        _progress(stage, done, total)
    return out


def run_stages(settings: Settings, rerun: Rerun | None = None) -> dict[str, Any]:
    """Run every stage once over pending work (plus, for a rerun, the selected documents from
    ``rerun.from_stage`` on); returns the run summary (per-stage counts, documents in, articles out). Called
    inside the flow, under the data root's lock; the flow adds artifacts."""
    store = Store(settings.data_root)
    removed = store.clean_temp()
    logger = get_run_logger()
    if removed:
        logger.warning("removed %d file(s) left by an interrupted run", removed)
    upgraded = identity.migrate(store)  # a data root of an older doc_id scheme: once, resumable
    if upgraded is not None:
        logger.warning(upgraded.message())
    fps = stages.stage_fingerprints(settings)
    counts = {s: StageCounts() for s in STAGE_ORDER}
    size = settings.batch_size
    force_ids: set[str] = set()
    force: dict[str, set[tuple[str, str]]] = {s: set() for s in STAGE_ORDER}
    if rerun is not None:
        force_ids, keys = select_for_rerun(store, fps, rerun)
        first = STAGE_ORDER.index(rerun.from_stage)
        for stage in STAGE_ORDER[first:]:
            force[stage] = keys
        if first > 0:
            force_ids = set()
        logger.info("rerun from %s: %d document(s) selected", rerun.from_stage, len(force_ids | {d for d, _ in keys}))

    # fetch: discovery per source, then batches of items
    known = stages.known_docs(store, settings, force_ids)
    cap_warnings: list[str] = []  # sources whose max_items left new documents for later runs
    fetching = [s for s in settings.sources if rerun is None or not rerun.source or s.name == rerun.source]
    # local sources' stat manifests, taken before discovery (a file changed while this run reads it differs from
    # the record next time), recorded for the next run's plan and compared with the last record: files with the
    # same size and mtime are not read again (except by `rerun --from fetch`)
    snapshots = {s.name: plan.local_snapshot(s) for s in fetching}
    if rerun is None or rerun.from_stage != "fetch":
        known.unchanged = plan.unchanged_files(store, settings, fps["fetch"], list(snapshots))
    recorded: dict[str, Any] = {}
    for source in fetching:
        items, discovery_rejects, left_out = stages.discover_source(source, settings, fps["fetch"])
        if left_out:
            cap_warnings.append(
                f"source {source.name}: max_items {source.max_items} reached, {left_out} left for later"
            )
        counts["fetch"].rejected.update(discovery_rejects)
        # items whose URL (doc_id) is known are skipped before any network request; files are checked by bytes
        calls = [(b, source.name, n, settings, fps["fetch"], known) for n, b in enumerate(stages.chunks(items, size))]
        for c in run_batches(stages.fetch_batch, calls, "fetch"):
            counts["fetch"].add(c)
        if source.kind in plan.LOCAL_KINDS:
            recorded[source.name] = None if left_out else snapshots[source.name]
    if recorded:
        plan.record_local_sources(store, settings, fps["fetch"], recorded)

    # parse
    todo = pending_parse(store, fps["parse"], force["parse"])
    calls = [(b, n, settings, fps["parse"]) for n, b in enumerate(stages.chunks(todo, size))]
    for c in run_batches(stages.parse_batch, calls, "parse"):
        counts["parse"].add(c)
    stages.shutdown_pool()
    # a rerun (or a new fingerprint) wrote new rows for stored keys: now that they are durable, drop the older
    # rows so each stage folder holds one row per key (a run killed before this is finished by clean_temp); a
    # stage that ran no batch wrote nothing to supersede
    if calls:
        store.supersede("parse")

    # deduplicate: batches in order, each sees the index including all earlier batches
    todo_keys = pending_after(
        store, "parse", schemas.PARSED, fps["parse"], "dedup", schemas.DEDUPLICATED, fps["dedup"], force["dedup"]
    )
    if todo_keys:
        index = stages.load_dedup_index(store, fps["dedup"], settings)
        stages.reset_leftovers()
        for n, kbatch in enumerate(stages.chunks(todo_keys, size)):
            counts["dedup"].add(stages.dedup_batch(kbatch, n, settings, fps["parse"], fps["dedup"], index))
            _progress("dedup", min((n + 1) * size, len(todo_keys)), len(todo_keys))
        store.supersede("dedup")

    # enrich
    todo_keys = pending_after(
        store, "dedup", schemas.DEDUPLICATED, fps["dedup"], "enrich", schemas.ENRICHED, fps["enrich"], force["enrich"]
    )
    calls = [(b, n, settings, fps["parse"], fps["enrich"]) for n, b in enumerate(stages.chunks(todo_keys, size))]
    for c in run_batches(stages.enrich_batch, calls, "enrich"):
        counts["enrich"].add(c)
    if calls:
        store.supersede("enrich")

    # export
    exp = stages.export_articles(settings, fps)
    counts["export"].processed = exp["processed"]
    counts["export"].skipped = exp["skipped"]

    articles = exp["processed"] + exp["skipped"]
    new_docs = counts["fetch"].processed + sum(counts["fetch"].rejected.values())
    handled = max(counts[s].processed + sum(counts[s].rejected.values()) for s in ("fetch", "parse", "dedup", "enrich"))
    rejected_total = sum(sum(c.rejected.values()) for c in counts.values())
    return {
        "data_root": str(settings.data_root),
        "documents_in": new_docs,
        "articles_out": articles,
        "dataset_rewritten": exp["written"],
        "rejected_total": rejected_total,
        "open_rejects": len(open_rejects(store, fps)),
        # share of the documents this run handled (new ones, or those a rerun redid) that ended as rejects
        "reject_share": (rejected_total / handled) if handled else 0.0,
        "stages": {s: counts[s].as_dict() for s in STAGE_ORDER},
        "fingerprints": fps,
        "max_items_warnings": cap_warnings,
    }


#: ``time.monotonic()`` when the flow body of the latest ``news_pipeline`` run in this process began (after
#: Prefect's import, its temporary API's start and the flow run's creation); the CLI reports the seconds from
#: the command's start to here as ``prefect_startup_s``. None before the first run.
body_started_at: float | None = None


def _run_name() -> str:
    return f"newsflow-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}"


@flow(name="news_pipeline", flow_run_name=_run_name, log_prints=True)
def news_pipeline(
    config: str | None = None,
    data_root: str | None = None,
    batch_size: int | None = None,
    rerun_from: Literal["fetch", "parse", "dedup", "enrich", "export"] | None = None,
    source: str | None = None,
    since: dt.datetime | None = None,
    where_reason: str | None = None,
    wait_for_lock: bool = False,
    run_date: dt.date | None = None,
) -> dict[str, Any]:
    """Fetch, parse, deduplicate, enrich and export everything pending.

    Args:
        config: Path of a newsflow.toml (default: ./newsflow.toml of the working directory if present, else
            built-in defaults).
        data_root: Folder for inputs (raw/) and outputs (processed/); overrides the config's data_root.
        batch_size: Documents per Prefect task run; overrides the config's batch_size.
        rerun_from: Redo this stage and all later ones for the documents selected by source / since /
            where_reason (all stored documents when none is given). Empty: a normal run.
        source: With rerun_from: only documents of this source (a [[sources]] name). Also limits fetching.
        since: With rerun_from: only documents fetched at or after this time (UTC when no offset is given).
        where_reason: With rerun_from: only documents with an open reject of this reason code.
        wait_for_lock: Wait for another run on the same data root to finish instead of failing at once.
        run_date: The run's date (UTC) for reports. Empty: resolved at run time from the flow run's scheduled
            start time, so scheduled runs of a deployment each get their own date (never the deployment's).

    Returns the run summary: documents_in, articles_out, rejected_total, reject_share, run_date and per stage
    processed / skipped / rejected / rejected_by_reason.

    Raises ConfigError before anything runs for bad settings, an unusable data root or a source path that does
    not exist.
    """
    global body_started_at
    body_started_at = time.monotonic()
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    settings = load_settings(config, data_root)
    check_data_root(settings.data_root, write=True)  # also when a deployment starts the run, not the CLI
    check_sources_exist(settings)
    if batch_size:
        settings = dataclasses.replace(settings, batch_size=batch_size)
    if rerun_from is None and (source or since or where_reason):
        raise ValueError("source, since and where_reason select documents for a rerun: set rerun_from too")
    rerun = None
    if rerun_from is not None:
        if rerun_from not in STAGE_ORDER:
            raise ValueError(f"rerun_from must be one of {', '.join(STAGE_ORDER)}")
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=dt.UTC)
        rerun = Rerun(rerun_from, source, since, where_reason)
    day = resolve_run_date(run_date, _scheduled_start())
    store = Store(settings.data_root)
    run_at = dt.datetime.now(dt.UTC)
    with store.lock(wait=wait_for_lock):
        try:
            summary = run_stages(settings, rerun)
        finally:
            stages.shutdown_pool()
        summary["run_date"] = day.isoformat()
        report = build_report(store, summary, _current_run_name(), run_at)
    summary["report_html"] = str(report.html_path) if report.html_path else None
    summary["fill_rate_warnings"] = report.warnings
    logger = get_run_logger()
    create_markdown_artifact(report.markdown, key="newsflow-run-summary", description="newsflow run report")
    create_table_artifact(report.stage_table, key="newsflow-stage-counts", description="per-stage counts")
    create_table_artifact(
        report.fill_table,
        key="newsflow-fill-rates",
        description="per-source fill rates of this run's new articles (previous runs' rate in *_prev_pct)",
    )
    for warning in report.warnings:
        logger.warning("fill rate: %s", warning)
    for warning in summary["max_items_warnings"]:
        logger.warning("%s", warning)
    logger.info(
        "documents in: %d, articles out: %d, rejected: %d, open rejects: %d",
        summary["documents_in"],
        summary["articles_out"],
        summary["rejected_total"],
        summary["open_rejects"],
    )
    return summary


def _current_run_name() -> str:
    from prefect.runtime import flow_run

    return str(flow_run.name or _run_name())


def _scheduled_start() -> dt.datetime | None:
    from prefect.runtime import flow_run

    start = flow_run.scheduled_start_time
    return start if isinstance(start, dt.datetime) else None


def resolve_run_date(run_date: dt.date | None, scheduled_start: dt.datetime | None) -> dt.date:
    """The run's date: an explicit ``run_date`` wins; else the UTC date of the flow run's scheduled start (a
    scheduled run from a deployment built days earlier gets its own day, field case C26); else today (UTC)."""
    if run_date is not None:
        return run_date
    if scheduled_start is not None:
        start = scheduled_start if scheduled_start.tzinfo else scheduled_start.replace(tzinfo=dt.UTC)
        return start.astimezone(dt.UTC).date()
    return dt.datetime.now(dt.UTC).date()
