"""The one place where the stage order is written: fetch → parse → deduplicate → enrich → export.

``news_pipeline`` is a Prefect flow; each stage runs as Prefect tasks over batches of ``batch_size`` documents and
processes only *pending* work (see :mod:`tasks.store`): a second run with no new input writes nothing.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger

from flows import stages
from flows.stages import StageCounts
from tasks import schemas
from tasks.config import Settings, load_settings
from tasks.store import Store, pending_after, pending_parse

STAGE_ORDER = ("fetch", "parse", "dedup", "enrich", "export")


def run_stages(settings: Settings) -> dict[str, Any]:
    """Run every stage once over pending work; returns the run summary (per-stage counts, documents in,
    articles out). Called inside the flow; the flow adds artifacts."""
    store = Store(settings.data_root)
    removed = store.clean_temp()
    logger = get_run_logger()
    if removed:
        logger.warning("removed %d temp file(s) left by an interrupted run", removed)
    fps = stages.stage_fingerprints(settings)
    counts = {s: StageCounts() for s in STAGE_ORDER}
    size = settings.batch_size

    # fetch: discovery per source, then batches of items
    from tasks import fetch

    fetched_keys = store.keys("fetch", schemas.FETCHED, None)
    rejected = store.rejected_keys("fetch", None)
    known = fetched_keys | rejected
    known_ids = {d for d, _ in known}
    for source in settings.sources:
        items = stages.discover_source(source, settings, fps["fetch"])
        # items whose URL (doc_id) is known are skipped before any network request; files are checked by bytes
        for n, batch in enumerate(stages.chunks(items, size)):
            counts["fetch"].add(stages.fetch_batch(batch, source.name, n, settings, fps["fetch"], known, known_ids))
    del fetch

    # parse
    todo = pending_parse(store, fps["parse"])
    for n, batch in enumerate(stages.chunks(todo, size)):
        counts["parse"].add(stages.parse_batch(batch, n, settings, fps["parse"]))
    stages.shutdown_pool()

    # deduplicate: batches in order, each sees the index including all earlier batches
    todo_keys = pending_after(store, "parse", schemas.PARSED, fps["parse"], "dedup", schemas.DEDUPLICATED, fps["dedup"])
    if todo_keys:
        index = stages.load_dedup_index(store, fps["dedup"])
        for n, kbatch in enumerate(stages.chunks(todo_keys, size)):
            counts["dedup"].add(stages.dedup_batch(kbatch, n, settings, fps["parse"], fps["dedup"], index))

    # enrich
    todo_keys = pending_after(
        store, "dedup", schemas.DEDUPLICATED, fps["dedup"], "enrich", schemas.ENRICHED, fps["enrich"]
    )
    for n, kbatch in enumerate(stages.chunks(todo_keys, size)):
        counts["enrich"].add(stages.enrich_batch(kbatch, n, settings, fps["parse"], fps["enrich"]))

    # export
    exp = stages.export_articles(settings, fps)
    counts["export"].processed = exp["processed"]
    counts["export"].skipped = exp["skipped"]

    articles = exp["processed"] + exp["skipped"]
    new_docs = counts["fetch"].processed + sum(counts["fetch"].rejected.values())
    rejected_total = sum(sum(c.rejected.values()) for c in counts.values())
    return {
        "data_root": str(settings.data_root),
        "documents_in": new_docs,
        "articles_out": articles,
        "dataset_rewritten": exp["written"],
        "rejected_total": rejected_total,
        "reject_share": (rejected_total / new_docs) if new_docs else 0.0,
        "stages": {s: counts[s].as_dict() for s in STAGE_ORDER},
        "fingerprints": fps,
    }


def summary_markdown(summary: dict[str, Any]) -> str:
    """Run summary as Markdown (shown as a Prefect artifact and printed by the CLI)."""
    lines = [
        "# newsflow run",
        "",
        f"- data root: `{summary['data_root']}`",
        f"- documents in (new this run): **{summary['documents_in']}**",
        f"- articles in the dataset: **{summary['articles_out']}**"
        + (" (rewritten)" if summary["dataset_rewritten"] else " (unchanged)"),
        f"- rejected this run: **{summary['rejected_total']}**",
        "",
        "| stage | processed | skipped | rejected | rejects by reason |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for stage, c in summary["stages"].items():
        reasons = ", ".join(f"{k}: {v}" for k, v in c["rejected_by_reason"].items()) or "-"
        lines.append(f"| {stage} | {c['processed']} | {c['skipped']} | {c['rejected']} | {reasons} |")
    return "\n".join(lines) + "\n"


def summary_table(summary: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for stage, c in summary["stages"].items():
        reasons: Counter[str] = Counter(c["rejected_by_reason"])
        rows.append(
            {
                "stage": stage,
                "processed": c["processed"],
                "skipped": c["skipped"],
                "rejected": c["rejected"],
                "rejects_by_reason": ", ".join(f"{k}={v}" for k, v in sorted(reasons.items())),
            }
        )
    return rows


def _run_name() -> str:
    import datetime as dt

    return f"newsflow-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}"


@flow(name="news_pipeline", flow_run_name=_run_name, log_prints=True)
def news_pipeline(
    config: str | None = None, data_root: str | None = None, batch_size: int | None = None
) -> dict[str, Any]:
    """Fetch, parse, deduplicate, enrich and export everything pending.

    Args:
        config: path of a ``newsflow.toml`` (default: ``./newsflow.toml`` if present, else built-in defaults).
        data_root: folder for inputs (``raw/``) and outputs (``processed/``); overrides the config's value.
        batch_size: documents per Prefect task run; overrides the config's value.

    Returns the run summary: ``documents_in``, ``articles_out``, ``rejected_total``, ``reject_share`` and per stage
    ``processed`` / ``skipped`` / ``rejected`` / ``rejected_by_reason``.
    """
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    settings = load_settings(config, data_root)
    if batch_size:
        import dataclasses

        settings = dataclasses.replace(settings, batch_size=batch_size)
    Path(settings.data_root).mkdir(parents=True, exist_ok=True)
    try:
        summary = run_stages(settings)
    finally:
        stages.shutdown_pool()
    create_markdown_artifact(summary_markdown(summary), key="newsflow-run-summary", description="newsflow run summary")
    create_table_artifact(summary_table(summary), key="newsflow-stage-counts", description="per-stage counts")
    get_run_logger().info(
        "documents in: %d, articles out: %d, rejected: %d",
        summary["documents_in"],
        summary["articles_out"],
        summary["rejected_total"],
    )
    return summary
