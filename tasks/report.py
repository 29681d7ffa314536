"""Run report: what a run did and how healthy the dataset looks, as Markdown, tables and an HTML page.

:func:`build_report` is called by the flow after the last stage. It reads the current articles dataset, the
deduplication table and the rejects, and returns a :class:`RunReport` with

- ``markdown``: the run summary shown as a Prefect artifact (documents in, articles out, per stage processed /
  skipped / rejected by reason, duplicates by kind, per-source fill rates, warnings);
- ``stage_table`` and ``fill_table``: the same figures as rows for Prefect table artifacts;
- ``warnings``: one line per source and field whose fill rate dropped by more than :data:`DROP_POINTS`
  percentage points against that source's previous runs, over their articles (per-run rates weighted by article
  count: a site changed its layout and the parser silently stopped finding authors, dates, …). After a re-parse
  of stored pages with no new documents the warning speaks of re-parsed articles and blames the parser or its
  settings, never the site's layout (see :func:`drop_warnings`);
- ``html_path``: ``processed/reports/<run_id>.html``, charts (plotly) of articles per day and source, languages,
  duplicates by kind, rejects by stage and reason, fill rates, plus the fill-rate table with warnings highlighted,
  and top places (with a world map of country counts) and persons (:mod:`tasks.report_entities`).
  ``plotly.min.js`` is written once beside the reports, so the page works offline and fetches nothing.

**Which articles a run's fill rates cover.** The articles dataset is cumulative, so a layout change would be
diluted by everything collected before it. Fill rates are therefore computed per source over the articles that
are *new in this run*: fetched after the newest ``fetched_at`` recorded for that source in the history (scope
``new``). A run that fetched nothing but rewrote the dataset (a changed parser re-parsed stored bytes) measures
every article of every source (scope ``all``); such a row supersedes the source's older rows as a baseline.
Sources without new articles get no history row and no warning.

History: one row per run and source in ``processed/reports/fill_rates.parquet`` (:data:`FILL_HISTORY`), rewritten
through a temp file and ``os.replace``. A run with no new documents that changed nothing writes no file at all
(the second run with no new input leaves ``processed/`` byte-identical).

Escaping: every string that came from outside (titles, source names, reject details, URLs) is escaped where it is
shown: Markdown-escaped in the Markdown (:func:`md_escape`), HTML-escaped in the page, and chart labels are
HTML-escaped (plotly renders a subset of HTML in labels) inside JSON whose ``<``, ``>`` and ``&`` are ``\\uXXXX``
escapes, so a ``</script>`` in a label cannot end the script element. The page also carries a Content Security
Policy that allows only the local ``plotly.min.js`` and its own inline script (by hash) and no network access.

No Prefect here: the flow calls this module and turns the result into artifacts.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import os
import re
import statistics
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tasks import report_entities, schemas
from tasks.store import Store

#: Fields whose fill rate is tracked per source.
FILL_FIELDS = ("title", "published_at", "authors", "body")
#: A drop of more than this many percentage points against the mean of previous runs is a warning.
DROP_POINTS = 20.0
#: Fewer articles than this in a run, or in the previous runs a run is compared with: fill rates are recorded but
#: not warned about. Below 5 articles one article alone moves a rate by more than :data:`DROP_POINTS` (1/4 = 25
#: points), so a single odd page (or a run of one article, as in a false warning seen after a rerun) could raise
#: a warning or hide one.
MIN_ARTICLES = 5
#: Previous runs averaged for the baseline (the newest ones), so an accepted change stops warning eventually.
HISTORY_WINDOW = 10
#: The articles-per-day chart switches to one bar per month when publication dates span more days than this.
DAY_SPAN_MAX = 92
#: Rows shown in the "largest clusters" and "latest rejects" tables.
TOP_ROWS = 10
HISTORY_FILE = "fill_rates.parquet"
PLOTLY_JS = "plotly.min.js"

#: Per-run, per-source fill-rate history (``processed/reports/fill_rates.parquet``). Rates are fractions 0..1.
_HISTORY_FIELDS: list[Any] = [
    pa.field("run_id", pa.string(), nullable=False),
    pa.field("run_at", schemas.UTC_TS, nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("scope", pa.string(), nullable=False),  # new (fetched since the last report) | all
    pa.field("articles", pa.int64(), nullable=False),
    pa.field("title_rate", pa.float64()),
    pa.field("published_at_rate", pa.float64()),
    pa.field("authors_rate", pa.float64()),
    pa.field("body_rate", pa.float64()),
    pa.field("median_body_chars", pa.float64()),
    pa.field("fetched_until", schemas.UTC_TS),  # newest fetched_at covered: next run's "new" starts after it
]
FILL_HISTORY = pa.schema(_HISTORY_FIELDS)

_ARTICLE_COLUMNS = [
    "article_id",
    "doc_id",
    "source",
    "url",
    "fetched_at",
    "title",
    "body",
    "authors",
    "published_at",
    "language",
    "cluster_id",
    "duplicate_of",
    "duplicate_kind",
    "cluster_size",
    "folded_doc_ids",
    "places",
    "countries",
    "persons",
]


@dataclass
class RunReport:
    markdown: str
    stage_table: list[dict[str, Any]]
    fill_table: list[dict[str, Any]]
    warnings: list[str]
    html_path: Path | None
    duplicates: dict[str, int] = field(default_factory=dict)


@dataclass
class SourceFill:
    """Fill rates of one source over a set of articles (rates are fractions 0..1)."""

    source: str
    articles: int
    rates: dict[str, float]
    median_body_chars: float | None
    fetched_until: dt.datetime | None


# --------------------------------------------------------------------------------------------- escaping
_MD_SPECIAL = re.compile(r"([\\*_\[\]~!])")


def md_escape(value: Any) -> str:
    """Text safe inside a Markdown table cell: no HTML (``<`` ``>`` ``&`` as entities), no cell break (``|``),
    no code span (backtick), no link/image/emphasis syntax, no line breaks."""
    text = "" if value is None else str(value)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("`", "&#96;").replace("|", "\\|")
    return re.sub(r"[\r\n\t\u2028\u2029]+", " ", text).strip()


def h(value: Any) -> str:
    """HTML-escaped text (quotes included)."""
    return html.escape("" if value is None else str(value), quote=True)


def script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: ``<``, ``>``, ``&`` and line separators as escapes."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _label(value: Any) -> str:
    """A chart label: plotly renders a subset of HTML in text, so markup is escaped (entities are shown as text)."""
    return html.escape("" if value is None else str(value), quote=False)


def safe_run_id(run_id: str) -> str:
    """File-name-safe form of a run id (no path separators, no leading dot)."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", run_id).lstrip(".")
    return name[:150] or "run"


# --------------------------------------------------------------------------------------------- reads
def read_articles_columns(store: Store, columns: list[str] | None = None) -> pa.Table:
    """The current articles dataset, only ``columns`` (default: those the report needs)."""
    columns = columns or _ARTICLE_COLUMNS
    sch = pa.schema([schemas.ARTICLES.field(c) for c in columns])
    parts = store.parts(store.stage_dir("export"))
    if not parts:
        return sch.empty_table()
    tables = []
    for p in parts:
        present = set(pq.read_schema(p).names)
        t = pq.read_table(p, columns=[c for c in columns if c in present]).replace_schema_metadata(None)
        tables.append(schemas.conform(t, sch))
    return pa.concat_tables(tables)


def read_history(store: Store) -> pa.Table:
    path = reports_dir(store) / HISTORY_FILE
    if not path.is_file():
        return FILL_HISTORY.empty_table()
    return schemas.conform(pq.read_table(path).replace_schema_metadata(None), FILL_HISTORY)


def reports_dir(store: Store) -> Path:
    return store.processed / "reports"


# --------------------------------------------------------------------------------------------- writes
def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a ``.tmp-`` file in the same folder and ``os.replace`` (the store's
    :meth:`~tasks.store.Store.clean_temp` removes such temp files left by a killed run)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".tmp-{uuid.uuid4().hex}{path.suffix}"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def append_history(store: Store, rows: list[dict[str, Any]]) -> Path:
    """Add rows to the fill-rate history (rows of the same ``run_id`` replace earlier ones: a retried report
    does not count twice). The file is rewritten through a temp file and ``os.replace``."""
    path = reports_dir(store) / HISTORY_FILE
    old = read_history(store)
    run_ids = {r["run_id"] for r in rows}
    if old.num_rows:
        keep = [rid not in run_ids for rid in old.column("run_id").to_pylist()]
        old = old.filter(pa.array(keep, type=pa.bool_()))
    table = pa.concat_tables([old, schemas.conform(rows, FILL_HISTORY)])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".tmp-{uuid.uuid4().hex}.parquet"
    try:
        with open(tmp, "wb") as fh:
            pq.write_table(table, fh, compression="zstd")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


# --------------------------------------------------------------------------------------------- figures
def _filled_row(name: str, row: dict[str, Any]) -> bool:
    if name == "body" and "body_filled" in row:  # precomputed by _slim (the body text itself is dropped)
        return bool(row["body_filled"])
    return _filled(name, row.get(name))


def _body_chars(row: dict[str, Any]) -> int:
    if "body_chars" in row:
        return int(row["body_chars"] or 0)
    return len(row.get("body") or "")


def _slim(table: pa.Table) -> pa.Table:
    """Replace the body text by ``body_chars`` and ``body_filled`` (computed in Arrow), so that a large dataset
    does not become Python strings."""
    import pyarrow.compute as pc

    body: Any = table.column("body")
    chars: Any = pc.fill_null(pc.utf8_length(body), 0)
    trimmed: Any = pc.utf8_length(pc.utf8_trim_whitespace(body))
    filled: Any = pc.fill_null(pc.greater(trimmed, pa.scalar(0, pa.int32())), False)
    table = table.drop_columns(["body"])
    return table.append_column("body_chars", chars).append_column("body_filled", filled)


def _filled(name: str, value: Any) -> bool:
    if name == "published_at":
        return value is not None
    if name == "authors":
        return bool(value) and any(isinstance(a, str) and a.strip() for a in value)
    return isinstance(value, str) and bool(value.strip())


def fill_rates(rows: list[dict[str, Any]]) -> dict[str, SourceFill]:
    """Per source: share of ``rows`` with a non-empty title, a published_at, at least one author and a non-empty
    body, the median body length in characters (a missing body counts as 0) and the newest ``fetched_at``."""
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_source[r.get("source") or "(none)"].append(r)
    out: dict[str, SourceFill] = {}
    for source, rs in sorted(by_source.items()):
        n = len(rs)
        rates = {f: sum(_filled_row(f, r) for r in rs) / n for f in FILL_FIELDS}
        lengths = [_body_chars(r) for r in rs]
        fetched = [r["fetched_at"] for r in rs if r.get("fetched_at") is not None]
        out[source] = SourceFill(source, n, rates, float(statistics.median(lengths)), max(fetched, default=None))
    return out


def select_run_articles(
    rows: list[dict[str, Any]], history: pa.Table, measure_all: bool
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The articles this run's fill rates cover and the scope per source (``new`` or ``all``): with
    ``measure_all`` every article; otherwise per source those fetched after the newest ``fetched_until`` in the
    history (all of them for a source the history does not know)."""
    if measure_all:
        return rows, {r.get("source") or "(none)": "all" for r in rows}
    marks: dict[str, dt.datetime | None] = {}
    known: set[str] = set()
    for h_row in history.to_pylist():
        known.add(h_row["source"])
        until = h_row["fetched_until"]
        prev = marks.get(h_row["source"])
        if until is not None and (prev is None or until > prev):
            marks[h_row["source"]] = until
    selected = []
    scopes: dict[str, str] = {}
    for r in rows:
        source = r.get("source") or "(none)"
        mark = marks.get(source)
        if source not in known:
            is_new = True
        elif mark is None:
            is_new = r.get("fetched_at") is not None
        else:
            is_new = r.get("fetched_at") is not None and r["fetched_at"] > mark
        if is_new:
            selected.append(r)
            scopes[source] = "all" if source not in known else "new"
    return selected, scopes


def _baseline_rows(runs: list[dict[str, Any]], window: int, reprocessed: bool) -> list[dict[str, Any]]:
    """The history rows (oldest first) a source's baseline is computed from.

    A row of scope ``all`` measured every article the source had then (its first run, or a re-parse of stored
    pages), so it supersedes every older row: rows before the newest ``all`` row are left out. A run that
    measures new articles takes the newest ``window`` rows of what remains; a run that re-processed stored
    documents (``reprocessed``) measures all articles again, so it takes every remaining row: together they cover
    each article once, and an unchanged re-parse then matches its baseline exactly."""
    start = max((i for i, r in enumerate(runs) if r["scope"] == "all"), default=0)
    rows = runs[start:]
    return rows if reprocessed else rows[-window:]


def drop_warnings(
    current: dict[str, SourceFill],
    history: pa.Table,
    run_id: str,
    threshold: float = DROP_POINTS,
    min_articles: int = MIN_ARTICLES,
    window: int = HISTORY_WINDOW,
    reprocessed: str | None = None,
) -> tuple[list[str], dict[str, dict[str, float]], dict[str, set[str]]]:
    """Compare each source's fill rates with its previous runs: the rate over all the articles of the baseline
    rows (:func:`_baseline_rows`; history rows other than ``run_id``), i.e. the per-run rates weighted by each run's
    article count, so a run of one article counts as one article, not as a whole run. No warning when this run or
    the baseline covers fewer than ``min_articles`` articles. ``reprocessed``: set (to ``"re-parsed"`` or
    ``"re-processed"``, the word the warning uses for the articles) when this run measured stored documents again
    with no new documents: a drop then comes from the parser or its settings, not from the site's layout, and the
    warning says so. Returns the warning lines, the baselines (source → field → rate) and the
    fields that dropped (source → set of fields)."""
    prev: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in sorted(history.to_pylist(), key=lambda r: r["run_at"]):
        if r["run_id"] != run_id:
            prev[r["source"]].append(r)
    warnings: list[str] = []
    baselines: dict[str, dict[str, float]] = {}
    dropped: dict[str, set[str]] = defaultdict(set)
    for source, fill in current.items():
        runs = _baseline_rows(prev.get(source, []), window, reprocessed is not None)
        if not runs:
            continue
        base: dict[str, float] = {}
        base_articles: dict[str, int] = {}
        for f in FILL_FIELDS:
            rows = [r for r in runs if r[f"{f}_rate"] is not None and r["articles"]]
            n = sum(r["articles"] for r in rows)
            if n:
                base[f] = sum(r[f"{f}_rate"] * r["articles"] for r in rows) / n
                base_articles[f] = n
        baselines[source] = base
        if fill.articles < min_articles:
            continue
        what = reprocessed or "new"
        why = (
            " — the stored pages did not change, so the parser or its settings did (not the site's layout)"
            if reprocessed
            else " — did the site change its layout?"
        )
        for f in FILL_FIELDS:
            if f not in base or base_articles[f] < min_articles:
                continue
            drop = (base[f] - fill.rates[f]) * 100
            if drop > threshold:
                dropped[source].add(f)
                warnings.append(
                    f"source {source!r}: {f} filled in {fill.rates[f] * 100:.0f}% of {fill.articles} {what} articles, "
                    f"down {drop:.0f} points from {base[f] * 100:.0f}% of the {base_articles[f]} articles of "
                    f"{len(runs)} previous run(s){why}"
                )
    return warnings, baselines, dict(dropped)


def duplicates_by_kind(store: Store, rows: list[dict[str, Any]], dedup_fp: str | None) -> dict[str, int]:
    """Duplicates in the current dataset: URL and exact copies folded into another row, near-duplicates kept as
    labelled rows, and clusters with more than one document.

    A folded copy counts as ``url`` when it shares the canonical-URL hash of the row it was folded into, else as
    ``exact`` when it shares the text hash (from the dedup table); otherwise (linked only through a third copy)
    its own ``match_kind`` decides, and ``copy`` is the rest."""
    folded = {(r["doc_id"], d) for r in rows for d in (r.get("folded_doc_ids") or [])}
    hashes: dict[str, tuple[Any, Any, Any]] = {}
    if folded:
        wanted = {d for pair in folded for d in pair}
        dd = store.read(
            "dedup", schemas.DEDUPLICATED, dedup_fp, columns=["doc_id", "url_hash", "text_hash", "match_kind"]
        )
        for r in dd.to_pylist():
            if r["doc_id"] in wanted:  # the newest written version wins
                hashes[r["doc_id"]] = (r["url_hash"], r["text_hash"], r["match_kind"])
    counts: Counter[str] = Counter()
    for head, d in folded:
        hu, ht, _ = hashes.get(head, (None, None, None))
        du, dt_, dk = hashes.get(d, (None, None, None))
        if du and du == hu:
            counts["url"] += 1
        elif dt_ and dt_ == ht:
            counts["exact"] += 1
        else:
            counts[dk if dk in ("url", "exact") else "copy"] += 1
    out = {
        "url": counts["url"],
        "exact": counts["exact"],
        "near": sum(1 for r in rows if r.get("duplicate_kind") == "near"),
        "clusters": len({r["cluster_id"] for r in rows if (r.get("cluster_size") or 0) > 1 and r.get("cluster_id")}),
    }
    if counts["copy"]:
        out["copy"] = counts["copy"]
    return out


def stage_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for stage, c in summary.get("stages", {}).items():
        reasons = c.get("rejected_by_reason") or {}
        rows.append(
            {
                "stage": stage,
                "processed": int(c.get("processed", 0)),
                "skipped": int(c.get("skipped", 0)),
                "rejected": int(c.get("rejected", 0)),
                "rejects_by_reason": ", ".join(f"{k}={v}" for k, v in sorted(reasons.items())),
            }
        )
    return rows


def _nothing_changed(summary: dict[str, Any]) -> bool:
    if summary.get("documents_in", 0) or summary.get("dataset_rewritten"):
        return False
    return all(not c.get("processed") and not c.get("rejected") for c in summary.get("stages", {}).values())


def _pct(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


# --------------------------------------------------------------------------------------------- build
def build_report(store: Store, summary: dict[str, Any], run_id: str, run_at: dt.datetime) -> RunReport:
    """Compute the run report from the stores's current state and the run ``summary`` (as returned by
    ``flows.pipeline.run_stages``); append the fill-rate history and write the HTML page unless the run changed
    nothing (then ``html_path`` is ``None`` and no file is written)."""
    run_at = run_at.replace(tzinfo=dt.UTC) if run_at.tzinfo is None else run_at.astimezone(dt.UTC)
    fps: dict[str, str] = summary.get("fingerprints") or {}
    noop = _nothing_changed(summary)
    articles = _slim(read_articles_columns(store)).to_pylist()
    history = read_history(store)

    measure_all = not summary.get("documents_in") and bool(summary.get("dataset_rewritten"))
    run_rows, scopes = select_run_articles(articles, history, measure_all)
    current = fill_rates(run_rows)
    parsed = (summary.get("stages") or {}).get("parse", {}).get("processed")
    reprocessed = ("re-parsed" if parsed else "re-processed") if measure_all else None
    warnings, baselines, dropped = drop_warnings(current, history, run_id, reprocessed=reprocessed)
    dataset_fill = fill_rates(articles)

    fill_table: list[dict[str, Any]] = []
    for source in sorted(set(dataset_fill) | set(current)):
        cur = current.get(source)
        base = baselines.get(source, {})
        row: dict[str, Any] = {
            "source": source,
            "scope": scopes.get(source, "none") if cur else "none",
            "articles": cur.articles if cur else 0,
        }
        for f in FILL_FIELDS:
            row[f"{f}_pct"] = _pct(cur.rates[f]) if cur else None
            row[f"{f}_prev_pct"] = _pct(base.get(f))
        row["median_body_chars"] = cur.median_body_chars if cur else None
        row["dataset_articles"] = dataset_fill[source].articles if source in dataset_fill else 0
        row["warning"] = ", ".join(sorted(dropped.get(source, set())))
        fill_table.append(row)

    duplicates = duplicates_by_kind(store, articles, fps.get("dedup"))
    rejects = _read_rejects(store, fps)
    stage_table = stage_rows(summary)

    html_path: Path | None = None
    if not noop:
        hist_rows = [
            {
                "run_id": run_id,
                "run_at": run_at,
                "source": s,
                "scope": scopes.get(s, "new"),
                "articles": f.articles,
                **{f"{k}_rate": f.rates[k] for k in FILL_FIELDS},
                "median_body_chars": f.median_body_chars,
                "fetched_until": f.fetched_until,
            }
            for s, f in current.items()
        ]
        if hist_rows:
            append_history(store, hist_rows)
        html_path = reports_dir(store) / f"{safe_run_id(run_id)}.html"
        page = render_html(
            run_id, run_at, summary, stage_table, fill_table, warnings, duplicates, articles, rejects, dropped
        )
        _write_plotly_js(reports_dir(store))
        _atomic_write(html_path, page.encode("utf-8"))

    markdown = render_markdown(
        run_id, run_at, summary, stage_table, fill_table, warnings, duplicates, articles, html_path, store
    )
    return RunReport(markdown, stage_table, fill_table, warnings, html_path, duplicates)


def _read_rejects(store: Store, fps: dict[str, str]) -> list[dict[str, Any]]:
    """Current rejects: per stage those of the run's stage fingerprint (all when the summary has none)."""
    out: list[dict[str, Any]] = []
    from tasks.store import STAGES

    for stage in STAGES:
        out += store.read_rejects(stage, fps.get(stage)).to_pylist()
    return out


def _largest_clusters(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    clusters: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in articles:
        if r.get("cluster_id") and (r.get("cluster_size") or 0) > 1:
            clusters[r["cluster_id"]].append(r)
    out: list[dict[str, Any]] = []
    for members in clusters.values():
        rep = next((r for r in members if r.get("duplicate_of") is None), members[0])
        out.append(
            {
                "title": rep.get("title"),
                "source": rep.get("source"),
                "url": rep.get("url"),
                "documents": int(rep.get("cluster_size") or len(members)),
                "rows": len(members),
                "sources": sorted({m.get("source") or "" for m in members}),
            }
        )
    out.sort(key=lambda c: (-c["documents"], str(c["title"])))
    return out[:TOP_ROWS]


# --------------------------------------------------------------------------------------------- markdown
def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.1f}" if v != int(v) else f"{int(v)}"
    return str(v)


def render_markdown(
    run_id: str,
    run_at: dt.datetime,
    summary: dict[str, Any],
    stage_table: list[dict[str, Any]],
    fill_table: list[dict[str, Any]],
    warnings: list[str],
    duplicates: dict[str, int],
    articles: list[dict[str, Any]],
    html_path: Path | None,
    store: Store,
) -> str:
    rewritten = " (rewritten)" if summary.get("dataset_rewritten") else " (unchanged)"
    lines = [
        f"# newsflow run {md_escape(run_id)}",
        "",
        f"- run at: {run_at:%Y-%m-%d %H:%M:%S} UTC",
        f"- data root: {md_escape(summary.get('data_root', store.root))}",
        f"- documents in (new this run): **{summary.get('documents_in', 0)}**",
        f"- articles in the dataset: **{summary.get('articles_out', len(articles))}**{rewritten}",
        f"- rejected this run: **{summary.get('rejected_total', 0)}**",
    ]
    if html_path is not None:
        rel = html_path.relative_to(store.root) if html_path.is_relative_to(store.root) else html_path
        lines.append(f"- report with charts: {md_escape(rel)}")
    else:
        lines.append("- no HTML report and no fill-rate history written: nothing changed since the last run")
    lines += ["", "## Warnings", ""]
    lines += [f"- ⚠️ {md_escape(w)}" for w in warnings] or ["No fill-rate drops."]
    lines += [
        "",
        "## Stages (this run)",
        "",
        "| stage | processed | skipped | rejected | rejects by reason |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for r in stage_table:
        lines.append(
            f"| {md_escape(r['stage'])} | {r['processed']} | {r['skipped']} | {r['rejected']} | "
            f"{md_escape(r['rejects_by_reason'] or '-')} |"
        )
    lines += [
        "",
        "## Duplicates in the dataset",
        "",
        "| kind | count |",
        "| --- | ---: |",
        f"| same canonical URL (folded) | {duplicates.get('url', 0)} |",
        f"| same text (folded) | {duplicates.get('exact', 0)} |",
    ]
    if duplicates.get("copy"):
        lines.append(f"| other copies (folded) | {duplicates['copy']} |")
    lines += [
        f"| near-duplicates (kept, labelled) | {duplicates.get('near', 0)} |",
        f"| clusters with more than one document | {duplicates.get('clusters', 0)} |",
        "",
        "## Fill rates per source (articles new in this run; rate over the previous runs' articles in brackets)",
        "",
        "| source | scope | articles | title % | date % | authors % | body % | median body chars | warning |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in fill_table:
        cells = []
        for f in FILL_FIELDS:
            cur, prev = r[f"{f}_pct"], r[f"{f}_prev_pct"]
            cell = _fmt(cur) + (f" ({_fmt(prev)})" if prev is not None else "")
            cells.append(f"**{cell}**" if f in r["warning"].split(", ") else cell)
        lines.append(
            f"| {md_escape(r['source'])} | {r['scope']} | {r['articles']} | "
            + " | ".join(cells)
            + f" | {_fmt(r['median_body_chars'])} | {md_escape(r['warning']) or '-'} |"
        )
    lines += report_entities.markdown(articles, md_escape)
    clusters = _largest_clusters(articles)
    if clusters:
        lines += ["", "## Largest duplicate clusters", "", "| documents | title | sources |", "| ---: | --- | --- |"]
        for c in clusters[:5]:
            lines.append(f"| {c['documents']} | {md_escape(c['title'])} | {md_escape(', '.join(c['sources']))} |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------- HTML
# The one inline script of the page: reads the figures from the JSON data block and draws them. Its hash goes
# into the Content Security Policy; any other inline script (injected markup) would be refused by the browser.
_DRAW_JS = """
(function () {
  var figs = JSON.parse(document.getElementById("figures").textContent);
  Object.keys(figs).forEach(function (id) {
    var el = document.getElementById(id);
    if (el && window.Plotly) {
      Plotly.newPlot(el, figs[id].data, figs[id].layout, {displaylogo: false, responsive: true});
    }
  });
})();
"""
_DRAW_HASH = base64.b64encode(hashlib.sha256(_DRAW_JS.encode()).digest()).decode()
_CSP = (
    "default-src 'none'; "
    f"script-src 'self' 'sha256-{_DRAW_HASH}'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'none'; form-action 'none'; base-uri 'none'"
)
_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:18px 28px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#b8c0cc;font-size:13px}
main{padding:20px 28px;max-width:1400px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:18px}
.card{background:#fff;border-radius:8px;padding:12px 18px;min-width:140px;box-shadow:0 1px 2px #0002}
.card b{display:block;font-size:26px}.card span{color:#5a6474;font-size:13px}
.warnings{background:#fff4e5;border-left:5px solid #e8890c;padding:10px 18px;border-radius:6px;margin-bottom:18px}
.ok{background:#e9f7ef;border-left:5px solid #2e9d5b;padding:10px 18px;border-radius:6px;margin-bottom:18px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:16px}
section{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px #0002;margin-bottom:16px;
overflow-x:auto}
section h2{font-size:16px;margin:4px 0 8px}.chart{height:360px}.empty{color:#5a6474;font-style:italic}
table{border-collapse:collapse;font-size:13px;width:100%}th,td{padding:5px 8px;border-bottom:1px solid #e3e6eb;
text-align:left;vertical-align:top}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
td.warn{background:#fde2e1;color:#9b1c1c;font-weight:600}tr.warnrow td:first-child{border-left:4px solid #d93025}
.prev{color:#8a93a3;font-size:12px}.note{color:#5a6474;font-size:12px}
"""

_PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d"]


def _layout(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "template": "plotly_white",
        "margin": {"l": 50, "r": 20, "t": 10, "b": 50},
        "legend": {"orientation": "h", "y": -0.2},
        "colorway": _PALETTE,
        "font": {"family": "system-ui, sans-serif", "size": 12},
    }
    base.update(kw)
    return base


def _figure_json(fig: Any) -> Any:
    import plotly.io as pio

    return json.loads(pio.to_json(fig, validate=True))


def _charts(
    articles: list[dict[str, Any]],
    duplicates: dict[str, int],
    rejects: list[dict[str, Any]],
    fill_table: list[dict[str, Any]],
) -> tuple[dict[str, Any], dict[str, str]]:
    """Plotly figures (as JSON-ready dicts) keyed by div id, plus a note per chart (or the empty message)."""
    import plotly.graph_objects as go

    figs: dict[str, Any] = {}
    notes: dict[str, str] = {}

    # articles per day (published_at, UTC) and source; per month when the dates span more than DAY_SPAN_MAX days
    dated = [
        (r.get("source") or "(none)", r["published_at"].astimezone(dt.UTC)) for r in articles if r.get("published_at")
    ]
    undated = len(articles) - len(dated)
    notes["chart-days"] = f"{undated} article(s) without a publication date are not shown. " if undated else ""
    if dated:
        span = (max(d for _, d in dated) - min(d for _, d in dated)).days
        monthly = span > DAY_SPAN_MAX
        per_bin: dict[str, Counter[str]] = defaultdict(Counter)
        for source, d in dated:
            per_bin[source][d.strftime("%Y-%m-01" if monthly else "%Y-%m-%d")] += 1
        xaxis: dict[str, Any] = {"type": "date"}
        if monthly:
            xaxis.update(tickformat="%b %Y", dtick="M1" if span < 400 else None)
            notes["chart-days"] += f"Dates span {span} days: one bar per month."
            notes["chart-days:title"] = "Articles per month (published, UTC) and source"
        fig = go.Figure(layout=_layout(barmode="stack", xaxis=xaxis, yaxis={"title": "articles"}))
        for source in sorted(per_bin):
            keys = sorted(per_bin[source])
            fig.add_bar(x=keys, y=[per_bin[source][k] for k in keys], name=_label(source))
        figs["chart-days"] = _figure_json(fig)

    # languages
    langs = Counter(r.get("language") or "unknown" for r in articles)
    if langs:
        items = langs.most_common()
        fig = go.Figure(layout=_layout(yaxis={"title": "articles"}))
        fig.add_bar(x=[_label(k) for k, _ in items], y=[v for _, v in items], marker_color=_PALETTE[0])
        figs["chart-languages"] = _figure_json(fig)

    # duplicates by kind
    dup_items = [
        ("same URL (folded)", duplicates.get("url", 0)),
        ("same text (folded)", duplicates.get("exact", 0)),
        ("near-duplicate (kept)", duplicates.get("near", 0)),
    ]
    if duplicates.get("copy"):
        dup_items.insert(2, ("other copy (folded)", duplicates["copy"]))
    if any(v for _, v in dup_items):
        fig = go.Figure(layout=_layout(yaxis={"title": "documents"}))
        fig.add_bar(x=[k for k, _ in dup_items], y=[v for _, v in dup_items], marker_color=_PALETTE[1:5])
        figs["chart-duplicates"] = _figure_json(fig)
    notes["chart-duplicates"] = f"{duplicates.get('clusters', 0)} cluster(s) with more than one document."

    # rejects by stage and reason
    rej: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rejects:
        rej[r["reason"]][r["stage"]] += 1
    if rej:
        from tasks.store import STAGES

        stages = [s for s in STAGES if any(s in c for c in rej.values())]
        fig = go.Figure(layout=_layout(barmode="stack", yaxis={"title": "documents"}))
        for reason in sorted(rej):
            fig.add_bar(x=stages, y=[rej[reason][s] for s in stages], name=_label(reason))
        figs["chart-rejects"] = _figure_json(fig)

    # fill rates of this run per source
    measured = [r for r in fill_table if r["articles"]]
    if measured:
        fig = go.Figure(layout=_layout(barmode="group", yaxis={"title": "% filled", "range": [0, 105]}))
        for f in FILL_FIELDS:
            fig.add_bar(x=[_label(r["source"]) for r in measured], y=[r[f"{f}_pct"] for r in measured], name=f)
        figs["chart-fill"] = _figure_json(fig)
    return figs, notes


def _chart_section(div_id: str, title: str, figs: dict[str, Any], notes: dict[str, str], empty: str) -> str:
    note = notes.get(div_id, "")
    title = notes.get(f"{div_id}:title", title)
    body = f'<div id="{div_id}" class="chart"></div>' if div_id in figs else f'<p class="empty">{h(empty)}</p>'
    extra = f'<p class="note">{h(note)}</p>' if note else ""
    return f"<section><h2>{h(title)}</h2>{body}{extra}</section>"


def render_html(
    run_id: str,
    run_at: dt.datetime,
    summary: dict[str, Any],
    stage_table: list[dict[str, Any]],
    fill_table: list[dict[str, Any]],
    warnings: list[str],
    duplicates: dict[str, int],
    articles: list[dict[str, Any]],
    rejects: list[dict[str, Any]],
    dropped: dict[str, set[str]],
) -> str:
    """The report page. Every outside string goes through :func:`h`; chart data sits in a JSON data block that
    cannot close its script element (:func:`script_json`)."""
    figs, notes = _charts(articles, duplicates, rejects, fill_table)
    cards = [
        ("documents in (this run)", summary.get("documents_in", 0)),
        ("articles in the dataset", summary.get("articles_out", len(articles))),
        ("rejected (this run)", summary.get("rejected_total", 0)),
        ("near-duplicates", duplicates.get("near", 0)),
        ("folded copies", duplicates.get("url", 0) + duplicates.get("exact", 0) + duplicates.get("copy", 0)),
        ("fill-rate warnings", len(warnings)),
    ]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{h(_CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>newsflow run {h(run_id)}</title>",
        f"<style>{_CSS}</style>",
        f'<script src="{PLOTLY_JS}" charset="utf-8"></script>',
        "</head><body>",
        f"<header><h1>newsflow run {h(run_id)}</h1><p>{run_at:%Y-%m-%d %H:%M:%S} UTC · data root "
        f"{h(summary.get('data_root', ''))}</p></header><main>",
        '<div class="cards">'
        + "".join(f'<div class="card"><b>{h(v)}</b><span>{h(k)}</span></div>' for k, v in cards)
        + "</div>",
    ]
    if warnings:
        parts.append(
            '<div class="warnings" id="warnings"><b>Fill-rate warnings</b><ul>'
            + "".join(f"<li>{h(w)}</li>" for w in warnings)
            + "</ul></div>"
        )
    else:
        parts.append('<div class="ok">No source\'s fill rate dropped against its previous runs.</div>')
    parts.append('<div class="grid">')
    parts.append(
        _chart_section("chart-days", "Articles per day (published, UTC) and source", figs, notes, "No dated articles.")
    )
    parts.append(_chart_section("chart-languages", "Languages", figs, notes, "No articles."))
    parts.append(_chart_section("chart-duplicates", "Duplicates by kind", figs, notes, "No duplicates."))
    parts.append(_chart_section("chart-rejects", "Rejects by stage and reason", figs, notes, "No rejects."))
    parts.append("</div>")
    parts.append(_chart_section("chart-fill", "Fill rates of this run's new articles", figs, notes, "No new articles."))
    entity_figs, entity_html = report_entities.section(articles, _figure_json)  # top places (map), persons
    figs.update(entity_figs)
    parts.append(entity_html)
    parts.append(_fill_table_html(fill_table, dropped))
    parts.append(_stage_table_html(stage_table))
    parts.append(_clusters_html(_largest_clusters(articles)))
    parts.append(_rejects_html(rejects))
    parts.append(f'<script type="application/json" id="figures">{script_json(figs)}</script>')
    parts.append(f"<script>{_DRAW_JS}</script>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def _fill_table_html(fill_table: list[dict[str, Any]], dropped: dict[str, set[str]]) -> str:
    head = (
        "<tr><th>source</th><th>scope</th><th class=n>new articles</th>"
        + "".join(f"<th class=n>{h(f)} %</th>" for f in FILL_FIELDS)
        + "<th class=n>median body chars</th><th class=n>articles in dataset</th></tr>"
    )
    rows = []
    for r in fill_table:
        warn = dropped.get(r["source"], set())
        cells = [f"<td>{h(r['source'])}</td><td>{h(r['scope'])}</td><td class=n>{r['articles']}</td>"]
        for f in FILL_FIELDS:
            prev = r[f"{f}_prev_pct"]
            prev_html = f' <span class="prev">(prev. {_fmt(prev)})</span>' if prev is not None else ""
            cls = "n warn" if f in warn else "n"
            title = ' title="dropped more than 20 points"' if f in warn else ""
            cells.append(f'<td class="{cls}"{title}>{h(_fmt(r[f"{f}_pct"]))}{prev_html}</td>')
        cells.append(f"<td class=n>{h(_fmt(r['median_body_chars']))}</td><td class=n>{r['dataset_articles']}</td>")
        cls = ' class="warnrow"' if warn else ""
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return (
        '<section id="fill-table"><h2>Fill rates per source</h2><table>'
        + head
        + "".join(rows)
        + '</table><p class="note">Rates over the articles new in this run (scope <i>new</i>; <i>all</i> when a '
        "source is measured for the first time or the dataset was rebuilt without new documents), with the rate "
        "over the articles of the source's previous runs in brackets. Red: dropped by more than 20 points."
        "</p></section>"
    )


def _stage_table_html(stage_table: list[dict[str, Any]]) -> str:
    rows = "".join(
        f"<tr><td>{h(r['stage'])}</td><td class=n>{r['processed']}</td><td class=n>{r['skipped']}</td>"
        f"<td class=n>{r['rejected']}</td><td>{h(r['rejects_by_reason'] or '–')}</td></tr>"
        for r in stage_table
    )
    return (
        "<section><h2>Stages (this run)</h2><table><tr><th>stage</th><th class=n>processed</th>"
        f"<th class=n>skipped</th><th class=n>rejected</th><th>rejects by reason</th></tr>{rows}</table></section>"
    )


def _clusters_html(clusters: list[dict[str, Any]]) -> str:
    if not clusters:
        return ""
    rows = "".join(
        f"<tr><td class=n>{c['documents']}</td><td class=n>{c['rows']}</td><td>{h(c['title'] or '(no title)')}"
        f'<br><span class="note">{h(c["url"] or "")}</span></td><td>{h(", ".join(c["sources"]))}</td></tr>'
        for c in clusters
    )
    return (
        '<section id="clusters"><h2>Largest duplicate clusters</h2><table><tr><th class=n>documents</th>'
        f"<th class=n>rows kept</th><th>representative title</th><th>sources</th></tr>{rows}</table></section>"
    )


def _rejects_html(rejects: list[dict[str, Any]]) -> str:
    if not rejects:
        return ""
    latest = sorted(rejects, key=lambda r: r["at"], reverse=True)[:TOP_ROWS]
    rows = "".join(
        f"<tr><td>{h(r['stage'])}</td><td>{h(r['reason'])}</td><td>{h(r.get('source'))}</td>"
        f"<td>{h(r.get('uri'))}</td><td>{h((r.get('detail') or '')[:300])}</td></tr>"
        for r in latest
    )
    return (
        '<section id="rejects"><h2>Latest rejects</h2><table><tr><th>stage</th><th>reason</th><th>source</th>'
        f"<th>document</th><th>detail</th></tr>{rows}</table></section>"
    )


def _write_plotly_js(folder: Path) -> None:
    """``plotly.min.js`` beside the reports (written when missing or from another plotly version)."""
    from plotly.offline import get_plotlyjs

    data = get_plotlyjs().encode("utf-8")
    path = folder / PLOTLY_JS
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return
    _atomic_write(path, data)
