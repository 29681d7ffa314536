"""Settings: ``newsflow.toml`` → typed dataclasses.

Every setting has a default here and is documented in the repository's ``newsflow.toml``. Relative source paths
are resolved against the directory of the config file that names them (or the working directory when no file is
used). Unknown keys raise :class:`ConfigError`, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import os
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cronsim import CronSim, CronSimError

SOURCE_KINDS = ("files", "urls", "feed", "sitemap", "warc")
DEFAULT_MAX_ITEMS = 10_000  # new documents requested per source and run unless the source sets max_items
#: Every enricher of ``tasks.enrich``, in the order they run (``[enrich] enrichers`` picks from these).
ENRICHER_NAMES = ("language", "words", "quantities", "entities", "places", "keywords")


class ConfigError(ValueError):
    """Raised for an unreadable config file, an unknown key, or a value of the wrong type."""


@dataclass(frozen=True)
class SourceConfig:
    """One ``[[sources]]`` table. ``path`` for ``files`` (folder or file) and ``urls`` (a list file, one URL per
    line); ``url`` (or ``path`` to a local feed file) for ``feed``; ``url`` (a sitemap, sitemap index or
    ``robots.txt`` URL) or ``path`` (a local sitemap file) for ``sitemap``; ``path`` (a WARC / WARC.gz file or a
    folder of them) for ``warc``.

    Filters (every kind): ``include`` / ``exclude`` regular expressions searched in each discovered URL (an item
    must match one ``include`` pattern when any is given, and no ``exclude`` pattern); ``since`` drops items whose
    date (sitemap ``lastmod`` or news ``publication_date``, feed entry date, WARC record date) is older (items
    without a date are kept); ``max_items`` caps the documents *requested* per run (known documents do not count;
    the rest stay pending and are requested by later runs; default :data:`DEFAULT_MAX_ITEMS`).
    ``revisit_after_s``: a stored URL document is requested again (conditionally, with ``If-None-Match`` /
    ``If-Modified-Since``) once its newest version is this old; None = never (the default: articles rarely
    change). ``timezone``: the IANA zone (``Europe/Vienna``, ``America/New_York``) in which the parse stage reads
    clock times the source's pages print without a zone; None = the zone the page's language implies (see the
    README)."""

    name: str
    kind: str
    path: str | None = None
    url: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    since: dt.datetime | None = None
    max_items: int | None = DEFAULT_MAX_ITEMS
    revisit_after_s: float | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class FetchConfig:
    user_agent: str = "newsflow/0.1 (+https://github.com/newsflow/newsflow)"
    timeout_s: float = 20.0  # connect/read/write timeout per request, seconds
    deadline_s: float = 60.0  # hard limit for one whole request attempt (headers and body), seconds
    retries: int = 2  # extra attempts after connect errors, timeouts, 429 and 5xx
    max_redirects: int = 10
    max_bytes: int = 10_000_000  # larger bodies (after decompression) are rejected as too_large
    allow_private_addresses: bool = False  # tests fetch from 127.0.0.1 and set this
    retry_failed_after_s: float = 3600.0  # a URL that failed transiently is retried after this (doubling per attempt)
    max_fetch_attempts: int = 4  # attempts (across runs) before a transient failure is final
    workers: int = 8  # concurrent HTTP requests in all
    per_host_concurrency: int = 2  # concurrent requests to one host
    per_host_delay_s: float = 1.0  # minimum seconds between request starts to one host (raised by Crawl-delay)
    max_crawl_delay_s: float = 30.0  # a larger robots.txt Crawl-delay is taken as this
    robots_txt: bool = True  # obey robots.txt (rejects robots_disallowed)
    robots_cache_s: float = 3600.0  # seconds a host's robots.txt is kept before it is read again
    backoff_base_s: float = 0.5  # wait before retry n: about backoff_base_s * 2**(n-1) s with jitter
    backoff_cap_s: float = 8.0  # longest wait between two attempts (without Retry-After)
    retry_after_cap_s: float = 30.0  # a longer Retry-After ends this run's attempts for that URL
    breaker_failures: int = 5  # consecutive failed URLs of one host after which its other URLs wait for a later run
    write_every_s: float = 2.0  # fetched documents are written at least this often (a killed run loses less)


@dataclass(frozen=True)
class ParseConfig:
    workers: int = 0  # worker processes for HTML parsing; 0 = one per CPU core
    timeout_s: float = 60.0  # hard limit per page, seconds from when a worker starts it; over it: parse_timeout


@dataclass(frozen=True)
class DedupConfig:
    shingle_size: int = 5  # words per shingle
    num_perm: int = 128  # MinHash permutations
    bands: int = 32  # LSH bands; rows per band = num_perm / bands
    threshold: float = 0.5  # estimated Jaccard similarity at or above which two bodies are near-duplicates
    min_words: int = 30  # bodies with fewer words are not near-duplicate candidates


@dataclass(frozen=True)
class EnrichConfig:
    # enrichers to run (names from ENRICHER_NAMES); kept in run order, so the order written does not matter
    enrichers: tuple[str, ...] = ENRICHER_NAMES
    words_per_minute: int = 238  # silent reading rate, Brysbaert (2019) meta-analysis (non-fiction)
    place_min_population: int = 100_000  # smaller cities count only after a locative preposition ("in Wedel")


@dataclass(frozen=True)
class PrefectConfig:
    home: str = ".prefect"  # PREFECT_HOME when no PREFECT_API_URL is set; relative to the config file's folder
    startup_timeout_s: int = 180  # seconds to wait for Prefect's temporary local API (first start migrates a DB)


@dataclass(frozen=True)
class ScheduleConfig:
    cron: tuple[str, ...] = ("0 6 * * *",)  # cron expressions for `newsflow serve` (one schedule each)
    timezone: str = "UTC"  # IANA time zone the cron expressions are read in
    deployment: str = "newsflow"  # deployment name shown in the Prefect UI


@dataclass(frozen=True)
class Settings:
    data_root: Path = Path("data")
    batch_size: int = 500  # documents per Prefect task run
    # `newsflow run` exits 3 when more than this share of the documents it handled is rejected. 0.2: ordinary rejects
    # (404s, section or video pages without article text, non-HTML records) stay well below it on news sites;
    # breakage (a changed layout, a site down or blocking) rejects most documents and exceeds it
    max_reject_share: float = 0.2
    sources: tuple[SourceConfig, ...] = ()
    fetch: FetchConfig = field(default_factory=FetchConfig)
    parse: ParseConfig = field(default_factory=ParseConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    enrich: EnrichConfig = field(default_factory=EnrichConfig)
    prefect: PrefectConfig = field(default_factory=PrefectConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    config_path: Path | None = None

    def stage_config_hash(self, stage: str) -> str:
        """Short hash of one stage's settings, part of that stage's fingerprint."""
        section = getattr(self, stage, None)
        payload: dict[str, Any] = dataclasses.asdict(section) if section is not None else {}
        if stage == "parse":
            payload.pop("workers", None)  # how many processes parse does not change the output
            payload.pop("timeout_s", None)
        blob = json.dumps(payload, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]


def _section(cls: type, raw: dict[str, Any], name: str) -> Any:
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(raw) - set(known)
    if unknown:
        raise ConfigError(f"unknown key(s) in [{name}]: {', '.join(sorted(unknown))}")
    values = {}
    for key, value in raw.items():
        default = getattr(cls(), key)
        if isinstance(default, bool) and not isinstance(value, bool):
            raise ConfigError(f"[{name}] {key} must be true or false")
        if isinstance(default, int | float) and not isinstance(default, bool):
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ConfigError(f"[{name}] {key} must be a number")
            value = type(default)(value)
        if isinstance(default, str) and not isinstance(value, str):
            raise ConfigError(f"[{name}] {key} must be a string")
        values[key] = value
    return cls(**values)


_SOURCE_KEYS = {
    "name",
    "kind",
    "path",
    "url",
    "include",
    "exclude",
    "since",
    "max_items",
    "revisit_after_s",
    "timezone",
}


def _timezone(i: int, value: Any) -> str | None:
    """``timezone``: an IANA zone name known to zoneinfo (system tz database or the tzdata package)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"sources[{i}].timezone must be an IANA time zone name such as Europe/Vienna")
    try:
        zoneinfo.ZoneInfo(value.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"sources[{i}].timezone: unknown time zone {value!r} (IANA names: Europe/Vienna)") from exc
    return value.strip()


def _since(i: int, value: Any) -> dt.datetime:
    """``since`` as an aware UTC datetime: a TOML date or date-time, or an ISO 8601 string (naive = UTC)."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError as exc:
            raise ConfigError(f"sources[{i}].since must be an ISO 8601 date or date-time") from exc
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    raise ConfigError(f"sources[{i}].since must be a date, a date-time or an ISO 8601 string")


def _patterns(i: int, src: dict[str, Any], key: str) -> tuple[str, ...]:
    value = src.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"sources[{i}].{key} must be a regular expression or a list of them")
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"sources[{i}].{key}: bad regular expression {pattern!r}: {exc}") from exc
    return tuple(value)


def _source(i: int, src: Any, base: Path) -> SourceConfig:
    """Validate one ``[[sources]]`` table; relative paths are resolved against ``base``."""
    if not isinstance(src, dict):
        raise ConfigError(f"sources[{i}] must be a table")
    extra = set(src) - _SOURCE_KEYS
    if extra:
        raise ConfigError(f"unknown key(s) in sources[{i}]: {', '.join(sorted(extra))}")
    if src.get("kind") not in SOURCE_KINDS:
        raise ConfigError(f"sources[{i}].kind must be one of {', '.join(SOURCE_KINDS)}")
    if not src.get("name"):
        raise ConfigError(f"sources[{i}] needs a name")
    p = src.get("path")
    if p is not None and not Path(p).is_absolute():
        p = str(base / p)
    kind = src["kind"]
    if kind in ("files", "urls", "warc") and not p:
        raise ConfigError(f"sources[{i}] ({kind}) needs a path")
    if kind in ("feed", "sitemap") and not (src.get("url") or p):
        raise ConfigError(f"sources[{i}] ({kind}) needs a url or a path")
    max_items = src.get("max_items", DEFAULT_MAX_ITEMS)
    if max_items is not None and (not isinstance(max_items, int) or isinstance(max_items, bool) or max_items < 1):
        raise ConfigError(f"sources[{i}].max_items must be a positive integer")
    revisit = src.get("revisit_after_s")
    if revisit is not None and (not isinstance(revisit, int | float) or isinstance(revisit, bool) or revisit < 0):
        raise ConfigError(f"sources[{i}].revisit_after_s must be a number of seconds (>= 0)")
    return SourceConfig(
        name=src["name"],
        kind=kind,
        path=p,
        url=src.get("url"),
        include=_patterns(i, src, "include"),
        exclude=_patterns(i, src, "exclude"),
        since=_since(i, src["since"]) if src.get("since") is not None else None,
        max_items=max_items,
        revisit_after_s=float(revisit) if revisit is not None else None,
        timezone=_timezone(i, src.get("timezone")),
    )


def _enrichers(value: Any) -> tuple[str, ...]:
    """``[enrich] enrichers`` as a tuple in run order (duplicates dropped); unknown names raise ConfigError."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError("[enrich] enrichers must be a list of enricher names")
    unknown = sorted(set(value) - set(ENRICHER_NAMES))
    if unknown:
        raise ConfigError(f"[enrich] unknown enricher(s): {', '.join(unknown)}; known: {', '.join(ENRICHER_NAMES)}")
    return tuple(n for n in ENRICHER_NAMES if n in value)


def load_settings(
    config: str | os.PathLike[str] | None = None, data_root: str | os.PathLike[str] | None = None
) -> Settings:
    """Read settings from ``config`` (default: ``./newsflow.toml`` when it exists, else built-in defaults with one
    ``files`` source at ``<data_root>/raw``). ``data_root`` overrides the file's ``data_root``.

    Raises :class:`ConfigError` for a missing explicit file, invalid TOML, unknown keys or bad values.
    """
    path: Path | None
    if config is not None:
        path = Path(config)
        if not path.is_file():
            raise ConfigError(f"config file not found: {path}")
    else:
        candidate = Path("newsflow.toml")
        path = candidate if candidate.is_file() else None
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}") from exc
    check_values(raw)
    base = path.resolve().parent if path is not None else Path.cwd()

    top = dict(raw.get("newsflow", {}))
    allowed_top = {"data_root", "batch_size", "max_reject_share"}
    unknown = set(top) - allowed_top
    if unknown:
        raise ConfigError(f"unknown key(s) in [newsflow]: {', '.join(sorted(unknown))}")
    unknown_tables = set(raw) - {"newsflow", "sources", "fetch", "parse", "dedup", "enrich", "prefect", "schedule"}
    if unknown_tables:
        raise ConfigError(f"unknown table(s): {', '.join(sorted(unknown_tables))}")

    root = Path(data_root) if data_root is not None else Path(top.get("data_root", "data"))
    if not root.is_absolute():
        root = (Path.cwd() if data_root is not None else base) / root
    check_data_root(root)

    sources: list[SourceConfig] = []
    for i, src in enumerate(raw.get("sources", [])):
        sources.append(_source(i, src, base))
    if path is None and not sources:
        sources.append(SourceConfig(name="raw", kind="files", path=str(root / "raw")))
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise ConfigError("source names must be unique")

    prefect = _section(PrefectConfig, raw.get("prefect", {}), "prefect")
    if not Path(prefect.home).is_absolute():
        prefect = dataclasses.replace(prefect, home=str(base / prefect.home))

    sched_raw = dict(raw.get("schedule", {}))
    crons = sched_raw.get("cron", list(ScheduleConfig.cron))
    if isinstance(crons, str):
        crons = [crons]
    if not isinstance(crons, list) or not all(isinstance(c, str) and len(c.split()) == 5 for c in crons):
        raise ConfigError("[schedule] cron must be a cron expression (5 fields) or a list of them")
    sched_raw["cron"] = "x"  # validated above; checked for unknown keys and types below
    schedule = dataclasses.replace(
        _section(ScheduleConfig, {k: v for k, v in sched_raw.items() if k != "cron"}, "schedule"), cron=tuple(crons)
    )
    unknown = set(sched_raw) - {"cron", "timezone", "deployment"}
    if unknown:
        raise ConfigError(f"unknown key(s) in [schedule]: {', '.join(sorted(unknown))}")

    batch_size = int(top.get("batch_size", 500))
    if batch_size < 1:
        raise ConfigError("batch_size must be at least 1")
    fetch = _section(FetchConfig, raw.get("fetch", {}), "fetch")
    for key in ("workers", "per_host_concurrency", "breaker_failures", "max_fetch_attempts"):
        if getattr(fetch, key) < 1:
            raise ConfigError(f"[fetch] {key} must be at least 1")
    for key in ("timeout_s", "deadline_s"):
        if getattr(fetch, key) <= 0:
            raise ConfigError(f"[fetch] {key} must be positive")
    enrich_raw = dict(raw.get("enrich", {}))
    enrichers = _enrichers(enrich_raw.pop("enrichers", list(ENRICHER_NAMES)))
    enrich = dataclasses.replace(_section(EnrichConfig, enrich_raw, "enrich"), enrichers=enrichers)
    dedup = _section(DedupConfig, raw.get("dedup", {}), "dedup")
    if dedup.num_perm % dedup.bands:
        raise ConfigError("[dedup] num_perm must be a multiple of bands")
    return Settings(
        data_root=root,
        batch_size=batch_size,
        max_reject_share=float(top.get("max_reject_share", Settings.max_reject_share)),
        sources=tuple(sources),
        fetch=fetch,
        parse=_section(ParseConfig, raw.get("parse", {}), "parse"),
        dedup=dedup,
        enrich=enrich,
        prefect=prefect,
        schedule=schedule,
        config_path=path.resolve() if path is not None else None,
    )


# --------------------------------------------------------------------------------------------- value checks
# Types and ranges of every number in the config, checked on the values as written (before any conversion), so a
# bad value is refused at load with one line naming its table and key. A number key without a rule here must be a
# finite number >= 0 of its default's type (every number in the config is a count, a size or a duration).


@dataclass(frozen=True)
class Bound:
    """Admissible values of one number key: ``low`` <= value (< when ``low_open``) <= ``high``; finite always."""

    low: float | None = 0
    low_open: bool = False
    high: float | None = None

    def admits(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or value <= self.high

    def describe(self, integer: bool) -> str:
        kind = "an integer" if integer else "a number"
        parts = []
        if self.low is not None:
            parts.append(f"{'>' if self.low_open else '>='} {self.low:g}")
        if self.high is not None:
            parts.append(f"<= {self.high:g}")
        return f"{kind} {' and '.join(parts)}" if parts else f"a finite {kind.split()[-1]}"


POSITIVE = Bound(0, low_open=True)
AT_LEAST_1 = Bound(1)

#: Bounds other than the default (finite, >= 0), by ``(table, key)``.
BOUNDS: dict[tuple[str, str], Bound] = {
    ("newsflow", "batch_size"): AT_LEAST_1,
    ("newsflow", "max_reject_share"): Bound(0, high=1),
    ("fetch", "timeout_s"): POSITIVE,
    ("fetch", "deadline_s"): POSITIVE,
    ("fetch", "max_bytes"): AT_LEAST_1,
    ("fetch", "max_fetch_attempts"): AT_LEAST_1,
    ("fetch", "workers"): AT_LEAST_1,
    ("fetch", "per_host_concurrency"): AT_LEAST_1,
    ("fetch", "breaker_failures"): AT_LEAST_1,
    ("fetch", "write_every_s"): POSITIVE,
    ("parse", "timeout_s"): POSITIVE,
    ("dedup", "shingle_size"): AT_LEAST_1,
    ("dedup", "num_perm"): AT_LEAST_1,
    ("dedup", "bands"): AT_LEAST_1,
    ("dedup", "threshold"): Bound(0, low_open=True, high=1),
    ("enrich", "words_per_minute"): AT_LEAST_1,
    ("prefect", "startup_timeout_s"): AT_LEAST_1,
}

#: The dataclass whose defaults give each table's number keys and their types.
TABLES: dict[str, type] = {
    "newsflow": Settings,
    "fetch": FetchConfig,
    "parse": ParseConfig,
    "dedup": DedupConfig,
    "enrich": EnrichConfig,
    "prefect": PrefectConfig,
    "schedule": ScheduleConfig,
}


def _check_number(table: str, key: str, value: Any, default: int | float) -> None:
    integer = isinstance(default, int)
    bound = BOUNDS.get((table, key), Bound())
    ok_type = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok_type or not bound.admits(value):
        raise ConfigError(f"[{table}] {key} must be {bound.describe(integer)}, got {value!r}")


def check_values(raw: dict[str, Any]) -> None:
    """Check the types and ranges of the number keys of a parsed config (``BOUNDS``), that text and path keys are
    strings, ``[schedule] cron`` (each a 5-field cron expression) and ``[schedule] timezone`` (an IANA time zone).

    Raises :class:`ConfigError` with one line naming the table and key, e.g. ``[fetch] max_bytes must be an
    integer >= 1, got -1``. Unknown keys are left to the loader (which names them)."""
    for table, cls in TABLES.items():
        values = raw.get(table, {})
        if not isinstance(values, dict):
            raise ConfigError(f"[{table}] must be a table")
        defaults = cls()
        for key, value in values.items():
            default = getattr(defaults, key, None)
            if isinstance(default, int | float) and not isinstance(default, bool):
                _check_number(table, key, value, default)
            elif isinstance(default, str | Path) and not isinstance(value, str):
                raise ConfigError(f"[{table}] {key} must be a string, got {value!r}")
    schedule = raw.get("schedule", {})
    crons = schedule.get("cron", [])
    for expr in [crons] if isinstance(crons, str) else crons if isinstance(crons, list) else []:
        if not isinstance(expr, str):
            continue  # the loader refuses it with its own message
        try:
            CronSim(expr, dt.datetime(2000, 1, 1))
        except CronSimError as exc:
            raise ConfigError(f"[schedule] cron {expr!r} is not a cron expression: {exc}") from exc
    zone = schedule.get("timezone", "UTC")
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ConfigError(f"[schedule] timezone must be an IANA time zone such as Europe/Berlin, got {zone!r}") from exc


def check_data_root(root: Path, *, write: bool = False, exist: bool = False) -> None:
    """Refuse a data root newsflow cannot use: a file, or a path below a file (always); a folder that does not
    exist (``exist``: commands that only read it); one it cannot create or write in (``write``: commands that run
    stages or compact).

    Raises :class:`ConfigError` naming ``data_root`` and the path."""
    nearest = root
    while not nearest.exists() and nearest != nearest.parent:
        nearest = nearest.parent
    if nearest.exists() and not nearest.is_dir():
        where = "is a file" if nearest == root else f"is below a file ({nearest})"
        raise ConfigError(f"[newsflow] data_root {root} {where}: it must be a folder")
    if exist and not root.is_dir():
        raise ConfigError(f"[newsflow] data_root {root} does not exist (is this the project folder?)")
    if write and not os.access(nearest, os.W_OK | os.X_OK):
        raise ConfigError(f"[newsflow] data_root {root} is not writable ({nearest} is read-only)")


def check_sources_exist(settings: Settings) -> None:
    """Refuse a source whose local ``path`` does not exist (a typo, the wrong working directory): a run would
    otherwise read nothing, or reject what it cannot find, and write files anyway.

    Raises :class:`ConfigError` naming the source."""
    for i, src in enumerate(settings.sources):
        if src.path is not None and not os.path.lexists(src.path):
            raise ConfigError(f"sources[{i}] ({src.name}) path not found: {src.path}")
