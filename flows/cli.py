"""``newsflow`` command line (typer).

Exit codes: 0 all good; 1 failure; 2 usage or config error (nothing ran); 3 the run finished but rejected more
than ``max_reject_share`` of the documents it handled (see ``newsflow rejects``); 130 interrupted (Ctrl-C).

Every command reads its settings first (:func:`_settings`), which also sets ``PREFECT_HOME`` and the temporary
local API's start-up timeout from them: Prefect reads its settings once, when it is first imported, so Prefect is
imported only inside the commands, after that. ``newsflow run`` works on a machine with no Prefect server.

Prefect is imported only by the commands that run the flow, and only when there is work: ``run``, ``rerun`` and
``rejects replay`` first ask :func:`flows.plan.plan_run` (no Prefect) and, with nothing to do, print one line and
exit 0 without starting Prefect; ``status``, ``rejects``, ``export`` and ``compact`` never import it. A command
that runs flows starts Prefect's temporary API once (it is reused by every flow run of the process).
"""

from __future__ import annotations

import atexit
import datetime as dt
import importlib.metadata
import json
import os
import time
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn
from urllib.parse import quote

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperCommand, TyperGroup

from flows import interrupt
from flows.plan import Plan, Rerun, noop_summary, open_rejects, plan_run, stage_fingerprints
from tasks import schemas
from tasks.config import ConfigError, Settings, check_data_root, check_sources_exist, load_settings
from tasks.store import STAGES, LockedError, Store


def _as_flag(option: Any) -> Any:
    if option is not None:
        option.metavar = ""  # typer 0.29 shows a type (<bool>) for its own --help option
    return option


class FlagHelpGroup(TyperGroup):
    """A command group whose ``--help`` / ``-h`` is shown as a flag."""

    def get_help_option(self, ctx: Any) -> Any:
        return _as_flag(super().get_help_option(ctx))


class FlagHelpCommand(TyperCommand):
    """A command whose ``--help`` / ``-h`` is shown as a flag."""

    def get_help_option(self, ctx: Any) -> Any:
        return _as_flag(super().get_help_option(ctx))


#: ``-h`` is help too; help text is Markdown, so a paragraph wrapped in the source reads as one paragraph.
CLI_STYLE: dict[str, Any] = {
    "cls": FlagHelpGroup,
    "context_settings": {"help_option_names": ["-h", "--help"]},
    "rich_markup_mode": "markdown",
}
app = typer.Typer(add_completion=False, no_args_is_help=True, **CLI_STYLE)
console = Console(stderr=True)

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", "-c", help="newsflow.toml to use (default ./newsflow.toml).")
]
DataRootOpt = Annotated[Path | None, typer.Option("--data-root", help="Data root (overrides the config's data_root).")]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_REJECTS, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

#: ``time.monotonic()`` when the command started: this module's import for the first command of a process (the
#: console script imports it right before running the command), the parsing of its command line for later ones
#: (commands run in-process, e.g. by tests). The start of ``prefect_startup_s`` in the run summary.
COMMAND_STARTED = time.monotonic()
_commands_started = 0


def fail(message: str, code: int, label: str = "error") -> NoReturn:
    """Print ``label: message`` as one line on stderr (never wrapped; ``message`` is plain text, so a ``[fetch]``
    in it is printed, not taken for rich markup) and exit with ``code``."""
    console.print(f"[red]{escape(label)}:[/red] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def _flag(name: str, help: str) -> Any:
    """A boolean option shown as a flag (``--json``), without a value type in the help."""
    return typer.Option(name, help=help, metavar="")


def _version(value: bool) -> None:
    if value:
        print(f"newsflow {importlib.metadata.version('newsflow')}")
        raise typer.Exit()


@app.callback()
def _main_options(
    version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", metavar="", callback=_version, is_eager=True),
    ] = False,
) -> None:
    """newsflow: news websites → clean article datasets."""
    global COMMAND_STARTED, _commands_started
    if _commands_started:
        COMMAND_STARTED = time.monotonic()
    _commands_started += 1


Use = Literal["read", "write", "run"]


def _settings(config: Path | None, data_root: Path | None, use: Use = "read") -> Settings:
    """Load and check the settings for a command, or exit 2 with one line naming the bad table and key.

    ``use``: ``read`` (the data root must exist), ``write`` (it must be creatable and writable), ``run`` (also
    every source path must exist). Then points Prefect at the settings' home and start-up timeout, before any
    command imports Prefect (see :func:`prepare_prefect`)."""
    try:
        settings = load_settings(config, data_root)
        check_data_root(settings.data_root, exist=use == "read", write=use != "read")
        if use == "run":
            check_sources_exist(settings)
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE, "config error")
    prepare_prefect(settings)
    return settings


def prepare_prefect(settings: Settings) -> bool:
    """Point Prefect at a local home and allow its temporary API, unless ``PREFECT_API_URL`` names a server.
    Returns True when the temporary local API will be used. Environment variables already set (``PREFECT_HOME``,
    ``PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS``) win over ``[prefect]``. Takes effect only when called
    before Prefect is first imported in this process."""
    if os.environ.get("PREFECT_API_URL"):
        return False
    os.environ.setdefault("PREFECT_HOME", settings.prefect.home)
    os.environ["PREFECT_SERVER_EPHEMERAL_ENABLED"] = "true"
    # newsflow never sends traffic anywhere the user did not configure: no usage telemetry
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", str(settings.prefect.startup_timeout_s))
    home = Path(os.environ["PREFECT_HOME"]).resolve()
    home.mkdir(parents=True, exist_ok=True)
    if not any(os.environ.get(f"PREFECT_{k}_DATABASE_CONNECTION_URL") for k in ("SERVER", "API")):
        # Prefect's default SQLite URL is the home path pasted into a URL, whose parser decodes %xx: a folder named
        # "a%2Fb" became "a/b" and the temporary API never started. The same database, its path percent-encoded:
        os.environ["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = "sqlite+aiosqlite:///" + quote(str(home / "prefect.db"))
    return True


def _plan(settings: Settings, wait: bool, rerun: Rerun | None) -> Plan:
    """Whether the run has work (:func:`flows.plan.plan_run`), decided holding the data root's lock, before
    Prefect starts: another run holding it fails fast (exit 1) or, with ``wait``, is waited for first."""
    try:
        with Store(settings.data_root).lock(wait=wait):
            return plan_run(settings, rerun)
    except LockedError as exc:
        fail(str(exc), EXIT_FAILURE)


def startup_line(settings: Settings) -> str | None:
    """The line printed before Prefect's temporary local API starts, or None when ``PREFECT_API_URL`` names a
    server. It speaks of migrating a database only on a first start: when the SQLite file under ``PREFECT_HOME``
    (or the one named by ``PREFECT_SERVER_DATABASE_CONNECTION_URL``) does not exist yet."""
    if os.environ.get("PREFECT_API_URL"):
        return None
    home = os.environ.get("PREFECT_HOME", settings.prefect.home)
    url = os.environ.get("PREFECT_SERVER_DATABASE_CONNECTION_URL") or os.environ.get(
        "PREFECT_API_DATABASE_CONNECTION_URL", ""
    )
    db: Path | None = Path(home) / "prefect.db"
    if url:
        from urllib.parse import unquote

        _, sep, path = url.partition(":///")
        db = Path(unquote(path)) if sep and url.startswith("sqlite") else None
    if db is not None and not db.exists():
        return (
            f"Starting Prefect's temporary local API for the first time (home: {home}): it creates and migrates its "
            "database first (12 s on a quiet 2-core machine, 42 s at load 9; waiting up to "
            f"{settings.prefect.startup_timeout_s} s)…"
        )
    return f"Starting Prefect's temporary local API (home: {home})…"


def _flow_with_runner(task_runner: str, dask_address: str | None) -> Any:
    """``news_pipeline`` on the chosen task runner: Prefect's thread pool (default), or Dask — a cluster at
    ``dask_address``, else a LocalCluster of one single-threaded worker process per core on 127.0.0.1."""
    from flows.pipeline import news_pipeline

    if task_runner == "threads":
        return news_pipeline
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError:
        fail("--task-runner dask needs prefect-dask: pip install -e '.[dask]'", EXIT_USAGE)
    if dask_address:
        runner = DaskTaskRunner(address=dask_address)
    else:
        runner = DaskTaskRunner(
            cluster_kwargs={
                "n_workers": os.cpu_count() or 1,
                "threads_per_worker": 1,
                "processes": True,
                "host": "127.0.0.1",
                "dashboard_address": None,
            }
        )
    return news_pipeline.with_options(task_runner=runner)


def _progress_bars() -> tuple[Progress, Any]:
    """A rich progress display with one bar per stage, and the hook that updates it."""
    progress = Progress(
        TextColumn("{task.description:<7}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
    bars: dict[str, Any] = {}

    def hook(stage: str, done: int, total: int) -> None:
        if stage not in bars:
            bars[stage] = progress.add_task(stage, total=total)
        progress.update(bars[stage], completed=done, total=total)

    return progress, hook


def _run_flow(
    settings: Settings,
    json_out: bool,
    wait: bool,
    task_runner: str = "threads",
    dask_address: str | None = None,
    **params: Any,
) -> None:
    if task_runner not in ("threads", "dask"):
        console.print("[red]--task-runner must be threads or dask[/red]")
        raise typer.Exit(EXIT_USAGE)
    rerun = None
    if params.get("rerun_from"):
        rerun = Rerun(params["rerun_from"], params.get("source"), params.get("since"), params.get("where_reason"))
    planned = _plan(settings, wait, rerun)
    if planned.work is None:
        _print_nothing_to_do(settings, planned, json_out)
        return
    line = startup_line(settings)
    console.print(f"work to do: {escape(planned.work)}", soft_wrap=True)
    if line:
        console.print(escape(line), soft_wrap=True)
    import flows.pipeline as pipeline_module

    news_pipeline = _flow_with_runner(task_runner, dask_address)  # a missing prefect-dask exits 2 here
    bars = _progress_bars() if console.is_terminal and not json_out else None
    if bars is not None:
        pipeline_module.progress_hook = bars[1]
        bars[0].start()
    try:
        summary = news_pipeline(
            config=str(settings.config_path) if settings.config_path else None,
            data_root=str(settings.data_root),
            wait_for_lock=wait,
            **params,
        )
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE, "config error")
    except LockedError as exc:
        fail(str(exc), EXIT_FAILURE)
    except Exception as exc:
        fail(f"{type(exc).__name__}: {exc}", EXIT_FAILURE, "run failed")
    finally:
        if bars is not None:
            bars[0].stop()
            pipeline_module.progress_hook = None
    ended = time.monotonic()
    body = pipeline_module.body_started_at or COMMAND_STARTED
    timing = {
        "elapsed_s": round(ended - COMMAND_STARTED, 1),
        "prefect_startup_s": round(body - COMMAND_STARTED, 1),
        "work_s": round(ended - body, 1),
    }
    code, why = exit_status(summary, settings.max_reject_share)
    if json_out:
        out = {**summary, "nothing_to_do": False, **timing, "exit_code": code, "exit_reason": why}
        print(json.dumps(out, indent=2, default=str))
    else:
        _print_summary(summary, timing, code, why)
    if code != EXIT_OK:
        raise typer.Exit(code)


def _print_nothing_to_do(settings: Settings, planned: Plan, json_out: bool) -> None:
    """A run with nothing to do: one line (or, with ``--json``, the run summary with processed 0 everywhere,
    ``nothing_to_do`` true and ``prefect_startup_s`` null), exit 0, nothing written."""
    elapsed = round(time.monotonic() - COMMAND_STARTED, 1)
    if json_out:
        timing = {"elapsed_s": elapsed, "prefect_startup_s": None, "work_s": elapsed}
        done = {"exit_code": EXIT_OK, "exit_reason": "exit 0: nothing to do"}
        out = {**noop_summary(settings, planned), **timing, **done}
        print(json.dumps(out, indent=2, default=str))
        return
    console.print(
        f"nothing to do: no new or changed input, nothing pending ({planned.documents} documents, {planned.articles}"
        f" articles, {planned.open_rejects} open rejects in {escape(str(settings.data_root))}); Prefect not started"
        f" ({elapsed:.1f} s)",
        soft_wrap=True,
    )


def exit_status(summary: dict[str, Any], max_reject_share: float) -> tuple[int, str]:
    """The exit code of a finished run and the sentence saying why: 3 when more than ``max_reject_share`` (a
    fraction, 0-1) of the documents the run handled were rejected, else 0."""
    rejected, share = summary["rejected_total"], summary["reject_share"]
    if not rejected:
        return EXIT_OK, "exit 0: no rejects"
    handled = f"{rejected} rejected, {share:.1%} of the documents handled"
    if share > max_reject_share:
        return EXIT_REJECTS, (
            f"exit 3: {handled}, above max_reject_share {max_reject_share:.1%} (see `newsflow rejects`)"
        )
    return EXIT_OK, f"exit 0: {handled}, within max_reject_share {max_reject_share:.1%} (see `newsflow rejects`)"


WaitOpt = Annotated[bool, _flag("--wait", "Wait for another run on this data root instead of exiting.")]
RunnerOpt = Annotated[
    str, typer.Option("--task-runner", help="threads (default) or dask (prefect-dask; see README: when it pays).")
]
DaskOpt = Annotated[
    str | None, typer.Option("--dask-address", help="Dask scheduler address; default: a LocalCluster on 127.0.0.1.")
]
JsonOpt = Annotated[bool, _flag("--json", "Print the run summary as JSON on stdout.")]


@app.command(cls=FlagHelpCommand)
def run(
    config: ConfigOpt = None,
    data_root: DataRootOpt = None,
    batch_size: Annotated[int | None, typer.Option(help="Documents per Prefect task run.", min=1)] = None,
    json_out: JsonOpt = False,
    wait: WaitOpt = False,
    task_runner: RunnerOpt = "threads",
    dask_address: DaskOpt = None,
) -> None:
    """Run the whole pipeline (fetch → parse → deduplicate → enrich → export) over everything pending."""
    settings = _settings(config, data_root, "run")
    _run_flow(settings, json_out, wait, task_runner, dask_address, batch_size=batch_size)


def _parse_since(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        console.print(f"[red]--since must be an ISO 8601 date or time (e.g. 2025-04-28), got {value!r}[/red]")
        raise typer.Exit(EXIT_USAGE) from exc
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


@app.command(cls=FlagHelpCommand)
def rerun(
    from_stage: Annotated[
        str, typer.Option("--from", help="First stage to redo: fetch, parse, dedup, enrich, export.")
    ],
    source: Annotated[str | None, typer.Option(help="Only documents of this source.")] = None,
    since: Annotated[str | None, typer.Option(help="Only documents fetched at/after this UTC date or time.")] = None,
    where_reason: Annotated[str | None, typer.Option(help="Only documents with an open reject of this reason.")] = None,
    config: ConfigOpt = None,
    data_root: DataRootOpt = None,
    json_out: JsonOpt = False,
    wait: WaitOpt = False,
) -> None:
    """Redo a stage and every later one for stored documents (all, or those the filters select).

    Fetch is redone only for `--from fetch`; identical refetched bytes make no new version."""
    if from_stage not in STAGES:
        console.print(f"[red]--from must be one of {', '.join(STAGES)}[/red]")
        raise typer.Exit(EXIT_USAGE)
    settings = _settings(config, data_root, "run")
    if source is not None and source not in {s.name for s in settings.sources}:
        console.print(f"[red]unknown source {source!r}; sources: {', '.join(s.name for s in settings.sources)}[/red]")
        raise typer.Exit(EXIT_USAGE)
    if where_reason is not None and not any(where_reason in r for r in schemas.REJECT_REASONS.values()):
        console.print(f"[red]unknown reason code {where_reason!r}[/red]")
        raise typer.Exit(EXIT_USAGE)
    _run_flow(
        settings,
        json_out,
        wait,
        rerun_from=from_stage,
        source=source,
        since=_parse_since(since),
        where_reason=where_reason,
    )


def _print_summary(summary: dict[str, Any], timing: dict[str, float], code: int, why: str) -> None:
    t = Table(title=f"newsflow run: {summary['documents_in']} new documents, {summary['articles_out']} articles")
    for col in ("stage", "processed", "skipped", "rejected", "by reason"):
        t.add_column(col, justify="right" if col in ("processed", "skipped", "rejected") else "left")
    for stage, c in summary["stages"].items():
        reasons = ", ".join(f"{k}: {v}" for k, v in c["rejected_by_reason"].items()) or "-"
        t.add_row(stage, str(c["processed"]), str(c["skipped"]), str(c["rejected"]), reasons)
    console.print(t)
    for warning in summary.get("max_items_warnings", []):  # a source that left new documents for later runs
        console.print(f"[yellow]warning: {escape(warning)}[/yellow]", soft_wrap=True)
    colour = "green" if code == EXIT_OK else "yellow"
    console.print(f"[{colour}]{escape(why)}[/{colour}]", soft_wrap=True)
    # paths on lines of their own, never wrapped, so they can be copied (or clicked) whole
    articles = Path(summary["data_root"]) / "processed" / "articles"
    console.print(
        f"articles: {escape(str(articles))}  ({timing['elapsed_s']:.1f} s: Prefect start-up "
        f"{timing['prefect_startup_s']:.1f} s, work {timing['work_s']:.1f} s)",
        soft_wrap=True,
    )
    if summary.get("report_html"):
        console.print(f"report:   {escape(str(summary['report_html']))}", soft_wrap=True)


def stage_status(settings: Settings) -> dict[str, Any]:
    """Rows and pending work per stage under the current fingerprints (no Prefect, no network)."""
    from tasks import fetch
    from tasks.export import is_current, upstream_digest
    from tasks.store import pending_after, pending_parse

    store = Store(settings.data_root)
    fps = stage_fingerprints(settings)
    out: dict[str, Any] = {}
    from collections import Counter

    from flows.plan import known_docs

    known = known_docs(store, settings)
    open_by_stage: Counter[str] = Counter(r["stage"] for r in open_rejects(store, fps))
    fetch_pending: int | None = 0
    for source in settings.sources:
        n = fetch.count_pending(source, settings.fetch, lambda item, key: known.skip(item.doc_id, key))
        fetch_pending = None if n is None or fetch_pending is None else fetch_pending + n
    out["fetch"] = {
        "rows": len(store.keys("fetch", schemas.FETCHED, None)),
        "pending": fetch_pending,
        "rejected": open_by_stage["fetch"],
    }
    out["parse"] = {
        "rows": len(store.keys("parse", schemas.PARSED, fps["parse"])),
        "pending": len(pending_parse(store, fps["parse"])),
        "rejected": open_by_stage["parse"],
    }
    pairs = [
        ("parse", schemas.PARSED, "dedup", schemas.DEDUPLICATED),
        ("dedup", schemas.DEDUPLICATED, "enrich", schemas.ENRICHED),
    ]
    for up, up_schema, stage, schema in pairs:
        out[stage] = {
            "rows": len(store.keys(stage, schema, fps[stage])),
            "pending": len(pending_after(store, up, up_schema, fps[up], stage, schema, fps[stage])),
            "rejected": open_by_stage[stage],
        }
    parts = store.parts(store.stage_dir("export"))
    import pyarrow.parquet as pq

    current = is_current(store, upstream_digest(store, fps))
    out["export"] = {
        "rows": sum(pq.read_metadata(p).num_rows for p in parts),
        "pending": 0 if current else 1,
        "rejected": 0,
    }
    from tasks import identity

    scheme = identity.scheme(store)
    return {"data_root": str(settings.data_root), "stages": out, "fingerprints": fps, "doc_id_scheme": scheme}


@app.command(cls=FlagHelpCommand)
def status(
    config: ConfigOpt = None,
    data_root: DataRootOpt = None,
    json_out: Annotated[bool, _flag("--json", "Print JSON on stdout.")] = False,
) -> None:
    """Rows, pending work and rejects per stage.

    Export's pending is 1 when the dataset must be rebuilt. Fetch pending is null when a source (a feed) can only
    be counted over the network. ``doc_id_scheme`` is the data root's document identity scheme (null before its
    first run; an older one is upgraded by the next run). A data root that does not exist is an error (exit 2)."""
    settings = _settings(config, data_root, "read")
    st = stage_status(settings)
    if json_out:
        print(json.dumps(st, indent=2))
        return
    t = Table(title=f"newsflow status: {st['data_root']}")
    for col in ("stage", "rows", "pending", "rejected"):
        t.add_column(col, justify="left" if col == "stage" else "right")
    for stage, c in st["stages"].items():
        t.add_row(stage, str(c["rows"]), "?" if c["pending"] is None else str(c["pending"]), str(c["rejected"]))
    Console().print(t)
    from tasks.fetch.items import DOC_ID_SCHEME

    if st["doc_id_scheme"] is not None and st["doc_id_scheme"] < DOC_ID_SCHEME:
        Console().print(
            f"doc_id scheme {st['doc_id_scheme']}: the next run upgrades this data root (a local file's doc_id now "
            "includes its source); until then fetch pending counts its files as new",
            markup=False,
        )


#: Output file extensions and the format each one names (``newsflow export``).
EXPORT_SUFFIXES = {".parquet": "parquet", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def export_target(format: str | None, out: Path | None) -> tuple[str, Path]:
    """The format and file of ``newsflow export``: without ``--out`` the file is ``articles.<format>`` in the
    current directory; without ``--format`` the format follows ``--out``'s extension, and an extension that names
    no format (``.json``, ``.txt``, none, ``-``) is refused (usage error, nothing written). An ``--out`` whose
    extension names another format than ``--format`` is refused too, so CSV text never lands in a ``.parquet``
    file; with ``--format``, an extension newsflow does not know is written in the format asked for."""
    from tasks.export import FORMATS

    if format is not None and format not in FORMATS:
        console.print(f"[red]--format must be one of {', '.join(FORMATS)}[/red]")
        raise typer.Exit(EXIT_USAGE)
    if out is None:
        fmt = format or "parquet"
        return fmt, Path(f"articles.{fmt}")
    named = EXPORT_SUFFIXES.get(out.suffix.lower())
    if format is None:
        if named is None:  # `x.json` silently became Parquet: an extension that names no format needs --format
            console.print(
                f"[red]cannot tell the format from --out {escape(str(out))}:[/red] add --format "
                f"({', '.join(FORMATS)}) or use an --out ending in {', '.join(EXPORT_SUFFIXES)}"
            )
            raise typer.Exit(EXIT_USAGE)
        return named, out
    if named is not None and named != format:
        console.print(
            f"[red]--out {escape(str(out))} names a {named} file but --format is {format}:[/red] "
            f"use an --out ending in .{format}, or leave out --format to write {named}"
        )
        raise typer.Exit(EXIT_USAGE)
    return format, out


@app.command(cls=FlagHelpCommand)
def export(
    format: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="csv, jsonl or parquet (default: from --out's extension; parquet without --out)."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output file (default: articles.csv / .jsonl / .parquet after the format)."),
    ] = None,
    config: ConfigOpt = None,
    data_root: DataRootOpt = None,
) -> None:
    """Write the articles dataset to one file.

    CSV: list and struct columns as JSON text. An `--out` whose extension names another format than `--format` is
    refused; so is one that is not a regular file (a FIFO, a device): a symlink is followed, and `/dev/stdout` (or
    `-`) is written as a stream. Without a dataset at the data root it exits 1 naming the data root it read."""
    from tasks.export import ExportTargetError, read_articles, write_export

    fmt, path = export_target(format, out)
    settings = _settings(config, data_root, "read")
    store = Store(settings.data_root)
    if not store.parts(store.stage_dir("export")):
        fail(
            f"no articles dataset in data root {settings.data_root} (run `newsflow run` first, or name the project's "
            "data root with --data-root or --config)",
            EXIT_FAILURE,
        )
    table = read_articles(store)
    if table.num_rows == 0:
        console.print(f"[yellow]the articles dataset in {escape(str(settings.data_root))} is empty[/yellow]")
    try:
        n = write_export(table, fmt, path)
    except ExportTargetError as exc:
        fail(str(exc), EXIT_USAGE)
    console.print(
        f"wrote {n} articles to {escape(str(path))} ({fmt}) from data root {escape(str(settings.data_root))}",
        soft_wrap=True,
    )


rejects_app = typer.Typer(help="List rejected documents, or replay them.", invoke_without_command=True, **CLI_STYLE)
app.add_typer(rejects_app, name="rejects")


@rejects_app.callback()
def rejects(
    ctx: typer.Context,
    stage: Annotated[str | None, typer.Option(help="Only this stage (fetch, parse, dedup, enrich).")] = None,
    reason: Annotated[str | None, typer.Option(help="Only this reason code.")] = None,
    config: ConfigOpt = None,
    data_root: DataRootOpt = None,
    json_out: Annotated[bool, _flag("--json", "Print them as one JSON list on stdout.")] = False,
    all_: Annotated[bool, _flag("--all", "Also rejects since redone successfully or superseded.")] = False,
) -> None:
    """List open rejects (documents a stage could not handle) with their reason code and detail."""
    if ctx.invoked_subcommand is not None:
        return
    settings = _settings(config, data_root, "read")
    if stage is not None and stage not in schemas.REJECT_REASONS:
        console.print(f"[red]unknown stage {stage!r}[/red]")
        raise typer.Exit(EXIT_USAGE)
    store = Store(settings.data_root)
    if all_:
        rows = store.read_rejects(stage).to_pylist()
    else:
        rows = open_rejects(store, stage_fingerprints(settings))
        if stage:
            rows = [r for r in rows if r["stage"] == stage]
    if reason:
        rows = [r for r in rows if r["reason"] == reason]
    if json_out:  # one JSON document, like `status --json`: a list, empty when there are no rejects
        print(json.dumps([{**r, "at": r["at"].isoformat()} for r in rows], ensure_ascii=False, indent=2))
        return
    t = Table(title=f"{len(rows)} rejects")
    for col in ("stage", "reason", "source", "uri", "detail"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(
            escape(r["stage"]),
            escape(r["reason"]),
            escape(r["source"] or ""),
            escape(r["uri"] or r["doc_id"]),
            escape((r["detail"] or "")[:200]),
        )
    Console().print(t)


@rejects_app.command("replay", cls=FlagHelpCommand)
def rejects_replay(
    stage: Annotated[str, typer.Option(help="Stage whose rejects to replay (fetch, parse, dedup, enrich).")],
    reason: Annotated[str | None, typer.Option(help="Only rejects with this reason code.")] = None,
    config: ConfigOpt = None,
    data_root: DataRootOpt = None,
    json_out: JsonOpt = False,
    wait: WaitOpt = False,
) -> None:
    """Run a stage's open rejects through that stage and all later ones again.

    E.g. after a fix or a timeout change. Without `--reason` every open reject of the stage is replayed."""
    if stage not in ("fetch", "parse", "dedup", "enrich"):
        console.print("[red]--stage must be one of fetch, parse, dedup, enrich[/red]")
        raise typer.Exit(EXIT_USAGE)
    if reason is not None and reason not in schemas.REJECT_REASONS[stage]:
        console.print(
            f"[red]{reason!r} is not a {stage} reason; known: {', '.join(sorted(schemas.REJECT_REASONS[stage]))}[/red]"
        )
        raise typer.Exit(EXIT_USAGE)
    settings = _settings(config, data_root, "run")
    reasons = [reason] if reason else sorted(schemas.REJECT_REASONS[stage])
    open_now = {
        r["reason"]
        for r in open_rejects(Store(settings.data_root), stage_fingerprints(settings))
        if r["stage"] == stage
    }
    todo = [r for r in reasons if r in open_now]
    if not todo:
        console.print("no open rejects to replay")
        return
    for code in todo:
        _run_flow(settings, json_out, wait, rerun_from=stage, where_reason=code)


@app.command(cls=FlagHelpCommand)
def compact(config: ConfigOpt = None, data_root: DataRootOpt = None, wait: WaitOpt = False) -> None:
    """Remove superseded parts and merge small ones.

    Superseded parts were written under older stage fingerprints. Crash-safe: a killed compaction is finished by
    the next run or compaction."""
    settings = _settings(config, data_root, "write")
    from tasks import identity

    store = Store(settings.data_root)
    try:
        with store.lock(wait=wait):
            store.clean_temp()
            upgraded = identity.migrate(store)  # compaction keeps every row: first give them the current ids
            if upgraded is not None:
                console.print(upgraded.message())
            done = store.compact(stage_fingerprints(settings))
    except LockedError as exc:
        fail(str(exc), EXIT_FAILURE)
    console.print(f"compacted: {done['written']} merged part(s) written, {done['removed']} part(s) removed")


@app.command(cls=FlagHelpCommand)
def serve(config: ConfigOpt = None, data_root: DataRootOpt = None) -> None:
    """Serve the pipeline as a Prefect deployment on the schedules of `[schedule]`.

    Needs a Prefect server: set `PREFECT_API_URL`, e.g. http://127.0.0.1:4200/api after `prefect server start`.
    Runs until stopped; scheduled runs and runs started from the UI or `prefect deployment run` execute here.
    `--config` and `--data-root` become the deployment's default parameters."""
    settings = _settings(config, data_root, "run")
    if not os.environ.get("PREFECT_API_URL"):
        console.print(
            "[red]newsflow serve needs a Prefect server.[/red] Start one with "
            "`prefect server start --host 127.0.0.1` and set PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
        raise typer.Exit(EXIT_USAGE)
    os.environ.setdefault("DO_NOT_TRACK", "1")
    from prefect.schedules import Cron

    from flows.pipeline import news_pipeline

    params: dict[str, Any] = {
        "config": str(settings.config_path) if settings.config_path else None,
        "data_root": str(settings.data_root),
    }
    sched = settings.schedule
    console.print(
        f"serving deployment {news_pipeline.name}/{sched.deployment}: {', '.join(sched.cron)} ({sched.timezone})"
    )
    news_pipeline.serve(
        name=sched.deployment,
        schedules=[Cron(c, timezone=sched.timezone) for c in sched.cron],
        parameters=params,
        description="newsflow: fetch → parse → deduplicate → enrich → export everything pending",
        tags=["newsflow"],
    )


INTERRUPTED = interrupt.MESSAGE


def main() -> None:
    """Console-script entry point. Ctrl-C ends with one line saying so and exit code 130 (see
    :mod:`flows.interrupt`: a graceful stop, forced after a few seconds): parts appear atomically, so what was
    written stays, the data root's lock is released, and the next run continues with what is still pending."""
    interrupt.install()
    # registered before any command imports Prefect, so it runs after Prefect's own exit handlers (stopping the
    # temporary API, flushing events) and the line is the last one printed
    atexit.register(lambda: interrupt.interrupted() and interrupt.say_interrupted())
    try:
        app()
    except SystemExit as exc:
        if interrupt.interrupted() and exc.code != EXIT_INTERRUPTED:
            raise SystemExit(EXIT_INTERRUPTED) from exc  # an interrupt Prefect reported as a failure
        raise


if __name__ == "__main__":
    main()
