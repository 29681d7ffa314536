"""All file I/O of the pipeline: stage paths, atomic Parquet part writes, and what is pending.

Layout under ``<data_root>/processed/``::

    fetched/part-*.parquet          FETCHED            (tasks.schemas)
    parsed/part-*.parquet           PARSED
    deduplicated/part-*.parquet     DEDUPLICATED
    deduplicated/_index/part-*      DEDUP_INDEX        (MinHash LSH band hashes)
    deduplicated/_signatures/part-* DEDUP_SIGNATURES
    enriched/part-*.parquet         ENRICHED
    articles/part-*.parquet         ARTICLES           (the public dataset, rewritten by export)
    rejects/<stage>/part-*.parquet  REJECTS
    identity.json                   the doc_id scheme of the data root (tasks.identity)

Every part file is written to a hidden temp file in the same folder, flushed, fsync'ed and renamed into place with
``os.replace`` (atomic on POSIX), so readers and a resumed run never see half a file. Each part records in its
Parquet key-value metadata the stage and the stage *fingerprint* (``STAGE_VERSION`` + config hash + upstream
fingerprints) that produced it; parts of any other fingerprint are superseded and ignored by reads. It also records
the *content sum* of its rows (:func:`rows_sum`), from which export's input digest is built
(:meth:`Store.state_digest`), so that digest depends on the rows, not on how they are split into files.

One row per key in a stage folder: parsed, deduplicated and enriched hold each ``(doc_id, content_sha256)`` once,
so ``pandas.read_parquet(folder)`` reads each document version once. A rerun (or a run under a new fingerprint)
first writes the new rows as new parts; once they are durable, :meth:`Store.supersede` removes the older rows of
the same keys from the older parts (each rewritten atomically under its own name, or deleted when nothing is
left). A run killed in between leaves both rows on disk (reads return the newest); the next run's
:meth:`Store.clean_temp` finishes the job. The dedup index and signatures (``_index/``, ``_signatures/``) are
pruned the same way within one fingerprint.

Stages never build paths themselves; they call this module.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import socket
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tasks import schemas

STAGES = ("fetch", "parse", "dedup", "enrich", "export")
#: Output folder of each stage, below ``processed/``.
STAGE_DIRS = {
    "fetch": "fetched",
    "parse": "parsed",
    "dedup": "deduplicated",
    "enrich": "enriched",
    "export": "articles",
}
_TMP_PREFIX = ".tmp-"
_META_FP = b"newsflow.fingerprint"
_META_STAGE = b"newsflow.stage"
_META_SUM = b"newsflow.rows_sum"
_SUM_MOD = 1 << 128
_JOURNAL = ".compact-journal.json"
_IDENTITY = "identity.json"
#: Format version of the local sources' stat manifest (``fetched/_sources/manifest.json``).
MANIFEST_VERSION = 1


class LockedError(RuntimeError):
    """Another newsflow run holds the data root's lock."""


def utcnow() -> dt.datetime:
    """Current time, timezone-aware UTC, truncated to microseconds (Arrow ``timestamp[us]``)."""
    return dt.datetime.now(dt.UTC)


def fingerprint(*parts: str) -> str:
    """Stage fingerprint: 16 hex chars of SHA-256 over its version, config hash and upstream fingerprints."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def rows_sum(table: pa.Table) -> int:
    """Content sum of a table: the sum, modulo 2**128, of a 128-bit SHA-256 hash of each row (its column names and
    values). A sum, so it does not depend on row order, and the sum of the parts of a dataset is the same however
    its rows are split into parts (merged by compaction, or pruned by :meth:`Store.supersede`)."""
    names = repr(table.column_names).encode()
    columns = [table.column(c).to_pylist() for c in table.column_names]
    total = 0
    for row in zip(*columns, strict=True):
        h = hashlib.sha256(names)
        for v in row:
            if isinstance(v, bytes):
                h.update(b"\x1fb%d:" % len(v))
                h.update(v)
            else:
                h.update(b"\x1f" + repr(v).encode())
        total += int.from_bytes(h.digest()[:16], "big")
    return total % _SUM_MOD


class Store:
    """Paths and Parquet I/O below one data root (``Settings.data_root``)."""

    def __init__(self, data_root: str | os.PathLike[str]):
        self.root = Path(data_root)
        self.processed = self.root / "processed"

    # ----------------------------------------------------------------- paths
    def stage_dir(self, stage: str, sub: str | None = None) -> Path:
        """Folder of a stage's output (``stage`` in :data:`STAGES`), or of a sub-dataset such as ``index``. Sub-
        datasets live in ``_<sub>/`` inside the stage folder: readers such as ``pandas.read_parquet(folder)``
        skip folders starting with ``_``, so the stage folder still reads as one table."""
        path = self.processed / STAGE_DIRS[stage]
        return path / f"_{sub}" if sub else path

    def rejects_dir(self, stage: str) -> Path:
        return self.processed / "rejects" / stage

    def parts(self, folder: Path) -> list[Path]:
        """Part files of a folder in write order (names start with a UTC timestamp)."""
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.glob("part-*.parquet") if p.is_file())

    # ----------------------------------------------------------------- writes
    def _write(self, folder: Path, table: pa.Table, meta: Mapping[bytes, bytes], name: str | None = None) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        existing = table.schema.metadata or {}
        table = table.replace_schema_metadata({**existing, **meta})
        if name is None:
            stamp = utcnow().strftime("%Y%m%dT%H%M%S%fZ")
            name = f"part-{stamp}-{uuid.uuid4().hex[:8]}.parquet"
        tmp = folder / f"{_TMP_PREFIX}{uuid.uuid4().hex}.parquet"
        try:
            with open(tmp, "wb") as fh:
                pq.write_table(table, fh, compression="zstd")
                fh.flush()
                os.fsync(fh.fileno())
            final = folder / name
            os.replace(tmp, final)
        finally:
            if tmp.exists():
                tmp.unlink()
        _fsync_dir(folder)
        return final

    def write_part(
        self,
        stage: str,
        rows: Iterable[Mapping[str, Any]] | pa.Table,
        schema: pa.Schema,
        stage_fingerprint: str,
        sub: str | None = None,
    ) -> Path | None:
        """Validate ``rows`` against ``schema`` and write them as a new part of ``stage`` (or its ``sub``
        dataset). Returns the path, or ``None`` when there are no rows (nothing is written)."""
        table = schemas.conform(rows, schema)
        if table.num_rows == 0:
            return None
        meta = {
            _META_FP: stage_fingerprint.encode(),
            _META_STAGE: stage.encode(),
            _META_SUM: f"{rows_sum(table):032x}".encode(),
        }
        return self._write(self.stage_dir(stage, sub), table, meta)

    # ----------------------------------------------------------------- one row per key
    def _keyed_folders(self, stage: str | None) -> list[tuple[Path, bool]]:
        """``(folder, per_fingerprint)`` of the folders :meth:`supersede` keeps at one row per key (all of them,
        or those of ``stage``)."""
        out: list[tuple[Path, bool]] = []
        for s in ("parse", "dedup", "enrich"):
            if stage is None or stage == s:
                out.append((self.stage_dir(s), False))
        if stage in (None, "dedup"):
            out.append((self.stage_dir("dedup", "index"), True))
            out.append((self.stage_dir("dedup", "signatures"), True))
        return out

    def supersede(self, stage: str | None = None) -> int:
        """Remove rows whose ``(doc_id, content_sha256)`` appears again in a later part (the newest row of a key
        wins, as in :func:`latest_per_key`): in the parsed, deduplicated and enriched folders across all
        fingerprints (a rerun, or a run under a new fingerprint, replaces the document's row), in the dedup index
        and signatures only among parts of the same fingerprint (an index stays whole for its deduplicated rows).
        ``stage`` limits this to one stage's folders (``None``: all).

        Call it only after the newer parts are durable, holding :meth:`lock`. Each older part is rewritten under
        its own name through a temp file and ``os.replace`` (or deleted when no row is left), so a reader sees the
        old or the new file; a pass killed half-way left only rows that a later part also holds, and running it
        again finishes it (idempotent). Returns the number of rows removed."""
        removed = 0
        for folder, per_fp in self._keyed_folders(stage):
            groups: dict[str | None, list[Path]] = {}
            for p in self.parts(folder):
                fp = self.part_meta(p).get("newsflow.fingerprint") if per_fp else None
                groups.setdefault(fp, []).append(p)
            for parts in groups.values():
                if len(parts) > 1:
                    removed += self._supersede_parts(folder, parts)
        return removed

    def _supersede_parts(self, folder: Path, parts: list[Path]) -> int:
        owner: dict[tuple[Any, Any], int] = {}
        part_keys: list[list[tuple[Any, Any]]] = []
        for i, p in enumerate(parts):
            t = pq.read_table(p, columns=["doc_id", "content_sha256"])
            ks = list(zip(t.column("doc_id").to_pylist(), t.column("content_sha256").to_pylist(), strict=True))
            part_keys.append(ks)
            for k in ks:
                owner[k] = i
        removed = 0
        for i, (p, ks) in enumerate(zip(parts, part_keys, strict=True)):
            keep = [owner[k] == i for k in ks]
            if all(keep):
                continue
            removed += keep.count(False)
            self._rewrite_part(folder, p, keep)
        return removed

    def _rewrite_part(self, folder: Path, part: Path, keep: list[bool]) -> None:
        """Rewrite ``part`` atomically under its own name with only the rows marked in ``keep`` (its newsflow
        metadata kept, its content sum recomputed); delete it when no row is left."""
        self.replace_part(part, pq.read_table(part).filter(pa.array(keep, type=pa.bool_())))

    def replace_part(self, part: Path, table: pa.Table) -> None:
        """Replace the rows of an existing part file by ``table`` (same columns), atomically under the part's own
        name (temp file + ``os.replace``), so its place in write order stays; its newsflow metadata (stage,
        fingerprint) is kept and its content sum recomputed. An empty ``table`` deletes the part. Call it holding
        :meth:`lock`."""
        folder = part.parent
        if table.num_rows == 0:
            part.unlink()
            _fsync_dir(folder)
            return
        old = pq.read_schema(part).metadata or {}
        meta = {k: v for k, v in old.items() if k.startswith(b"newsflow.")}
        table = table.replace_schema_metadata(None)
        meta[_META_SUM] = f"{rows_sum(table):032x}".encode()
        self._write(folder, table, meta, name=part.name)

    # ----------------------------------------------------------------- identity scheme marker
    @property
    def identity_file(self) -> Path:
        """``processed/identity.json``: which document identity scheme the data root's ``doc_id`` s follow
        (see :mod:`tasks.identity`)."""
        return self.processed / _IDENTITY

    def read_identity(self) -> dict[str, Any] | None:
        """The identity marker (a JSON object), None when the data root has none (written before it existed, or
        empty). Raises ``ValueError`` when the file is not a JSON object."""
        try:
            raw = json.loads(self.identity_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
            raise ValueError(f"{self.identity_file}: not readable JSON ({exc})") from exc
        if not isinstance(raw, dict):
            raise ValueError(f"{self.identity_file}: not a JSON object")
        return raw

    def write_identity(self, record: Mapping[str, Any]) -> None:
        """Write the identity marker atomically (temp file, fsync, ``os.replace``). Call it holding :meth:`lock`."""
        self.processed.mkdir(parents=True, exist_ok=True)
        tmp = self.processed / f"{_TMP_PREFIX}{uuid.uuid4().hex}.json"
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(dict(record), fh, indent=2, sort_keys=True)
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.identity_file)
        finally:
            tmp.unlink(missing_ok=True)
        _fsync_dir(self.processed)

    def has_data(self) -> bool:
        """True when any stage or reject folder holds a part file."""
        folders = [self.stage_dir(s) for s in STAGES] + [self.rejects_dir(s) for s in STAGES]
        return any(self.parts(f) for f in folders)

    def write_rejects(
        self, stage: str, rows: list[dict[str, Any]], stage_fingerprint: str, *, filtered: bool = False
    ) -> Path | None:
        """Append reject rows (schema :data:`tasks.schemas.REJECTS`); ``stage`` and ``at`` are filled in. Rows
        already recorded are left out (:meth:`new_rejects`), unless ``filtered`` says the caller did that.

        Raises ``ValueError`` for a reason code outside :data:`tasks.schemas.REJECT_REASONS`.
        """
        if not rows:
            return None
        if not filtered:
            rows = self.new_rejects(stage, rows, stage_fingerprint)
        if not rows:
            return None
        now = utcnow()
        allowed = schemas.REJECT_REASONS[stage]
        full = []
        for r in rows:
            if r["reason"] not in allowed:
                raise ValueError(f"unknown {stage} reject reason {r['reason']!r}")
            full.append({**r, "stage": stage, "at": r.get("at") or now, "fingerprint": stage_fingerprint})
        table = schemas.conform(full, schemas.REJECTS)
        meta = {_META_FP: stage_fingerprint.encode(), _META_STAGE: stage.encode()}
        return self._write(self.rejects_dir(stage), table, meta)

    def new_rejects(self, stage: str, rows: list[dict[str, Any]], stage_fingerprint: str) -> list[dict[str, Any]]:
        """Drop reject rows already recorded (same document, bytes, reason and detail under this fingerprint):
        a failure seen again is not a new row. Retryable network failures are kept: each attempt is an event,
        and their count bounds the retries (see ``FetchConfig.max_fetch_attempts``)."""
        old = self.read_rejects(stage, stage_fingerprint)
        if old.num_rows == 0:
            return rows
        seen = set(
            zip(
                old.column("doc_id").to_pylist(),
                old.column("content_sha256").to_pylist(),
                old.column("reason").to_pylist(),
                old.column("detail").to_pylist(),
                strict=True,
            )
        )
        return [
            r
            for r in rows
            if r["reason"] in schemas.RETRYABLE_REASONS
            or (r["doc_id"], r.get("content_sha256"), r["reason"], r.get("detail")) not in seen
        ]

    def replace_dataset(self, stage: str, tables: list[pa.Table], schema: pa.Schema, meta: Mapping[str, str]) -> None:
        """Replace a whole dataset (used by export). New parts are written under hidden names, then renamed over
        ``part-00000.parquet``, ``part-00001.parquet``, … (``os.replace`` is atomic per file, so a reader sees the
        old or the new file, never half of one); old parts beyond the new count are removed last.

        A run killed in between can leave a mix of old and new parts; every part records the state digest and
        the part count, so the next run sees the mismatch and rewrites.
        """
        folder = self.stage_dir(stage)
        old = self.parts(folder)
        bmeta = {k.encode(): v.encode() for k, v in meta.items()}
        bmeta[_META_STAGE] = stage.encode()
        names = [f"part-{i:05d}.parquet" for i in range(len(tables))]
        for name, t in zip(names, tables, strict=True):
            self._write(folder, schemas.conform(t, schema), bmeta, name=f".new-{name}")
        for name in names:
            os.replace(folder / f".new-{name}", folder / name)
        for p in old:
            if p.name not in names:
                p.unlink()
        _fsync_dir(folder)

    def clean_temp(self) -> int:
        """Finish or undo what a killed run left behind: complete an interrupted compaction (see
        :meth:`compact`), remove temp files, then remove rows that later parts superseded (:meth:`supersede`; a
        run killed between writing a rerun's rows and pruning the older ones left both). Returns how many temp
        and compaction files were removed. Call it only while holding :meth:`lock`, or it may delete another
        run's files in flight."""
        n = self._recover_compaction()
        if self.processed.is_dir():
            for pattern in (f"{_TMP_PREFIX}*", ".new-part-*"):
                for p in self.processed.rglob(pattern):
                    p.unlink(missing_ok=True)
                    n += 1
        self.supersede()
        return n

    def unfinished(self) -> str | None:
        """What a killed run left for :meth:`clean_temp` to finish, as a short phrase, or None: a compaction
        journal, temp files, or a key held by more than one part of a folder :meth:`supersede` keeps at one row per
        key. Reads only the key columns; writes nothing (no lock needed)."""
        if not self.processed.is_dir():
            return None
        if (self.processed / _JOURNAL).exists():
            return "an interrupted compaction"
        for pattern in (f"{_TMP_PREFIX}*", ".new-part-*"):
            if next(self.processed.rglob(pattern), None) is not None:
                return "temp files of an interrupted run"
        for folder, per_fp in self._keyed_folders(None):
            groups: dict[str | None, list[pa.Table]] = {}
            for i, p in enumerate(self.parts(folder)):
                t = pq.read_table(p, columns=["doc_id", "content_sha256"]).replace_schema_metadata(None)
                t = t.append_column("part", pa.array([i] * t.num_rows, type=pa.int32()))
                groups.setdefault(self.part_meta(p).get("newsflow.fingerprint") if per_fp else None, []).append(t)
            for tables in groups.values():
                if len(tables) < 2:
                    continue
                keys = pa.concat_tables(tables, promote_options="permissive")
                spread = keys.group_by(["doc_id", "content_sha256"]).aggregate([("part", "count_distinct")])
                if pc.max(spread.column("part_count_distinct")).as_py() > 1:
                    return f"superseded rows in {folder.relative_to(self.processed)}"
        return None

    # ----------------------------------------------------------------- local sources' stat manifest
    def manifest_path(self) -> Path:
        """Where the fetch stage records what the local sources held (:meth:`write_source_manifest`)."""
        return self.stage_dir("fetch", "sources") / "manifest.json"

    def read_source_manifest(self) -> dict[str, Any] | None:
        """The manifest written by :meth:`write_source_manifest`, or None when it is missing, unreadable or of
        another format version (the caller then cannot rule out new input)."""
        try:
            data = json.loads(self.manifest_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
            return None
        return data

    def write_source_manifest(self, data: Mapping[str, Any]) -> None:
        """Write the local sources' manifest (a JSON object; ``version`` is set here) atomically: temp file,
        fsync, ``os.replace``. Written by the fetch stage, holding :meth:`lock`."""
        path = self.manifest_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{_TMP_PREFIX}{uuid.uuid4().hex}.json")
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump({**data, "version": MANIFEST_VERSION}, fh, ensure_ascii=False, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        _fsync_dir(path.parent)

    def _recover_compaction(self) -> int:
        journal = self.processed / _JOURNAL
        if not journal.exists():
            return 0
        plan = json.loads(journal.read_text(encoding="utf-8"))
        for tmp, final in plan["writes"]:
            if (self.processed / tmp).exists():
                os.replace(self.processed / tmp, self.processed / final)
        n = 0
        for rel in plan["deletes"]:
            p = self.processed / rel
            if p.exists():
                p.unlink()
                n += 1
        journal.unlink()
        _fsync_dir(self.processed)
        return n

    def compact(self, current: Mapping[str, str], target_rows: int = 200_000) -> dict[str, int]:
        """Remove superseded parts and merge small ones. Holds for stage outputs (fetched, parsed, deduplicated
        with its index and signatures, enriched) and rejects; the articles dataset is rewritten by export anyway.

        ``current`` maps stage → current fingerprint (``fetch`` parts are never superseded: a new parser does
        not make stored bytes obsolete). Rows superseded by a later row of the same key are removed first
        (:meth:`supersede`, so only the newest row per key is kept). Consecutive current parts are then merged
        into parts of at most ``target_rows`` rows, keeping their order; a merged part's content sum is that of
        its rows, so export's input digest does not change.

        Crash safety: merged parts are first written as temp files; then a journal listing the renames and
        deletions is written atomically; then it is applied and removed. A run killed before the journal exists
        leaves only temp files (removed by :meth:`clean_temp`); one killed after is rolled forward by the next
        :meth:`clean_temp`. Returns ``{"removed": parts deleted, "written": merged parts}`` (parts that
        :meth:`supersede` emptied are not counted).
        """
        self.supersede()
        folders: list[tuple[Path, str, str | None]] = []
        for stage in ("fetch", "parse", "dedup", "enrich"):
            fp = None if stage == "fetch" else current[stage]
            folders.append((self.stage_dir(stage), stage, fp))
            folders.append((self.rejects_dir(stage), stage, fp))
        folders.append((self.stage_dir("fetch", "frontier"), "fetch", None))
        folders.append((self.stage_dir("dedup", "index"), "dedup", current["dedup"]))
        folders.append((self.stage_dir("dedup", "signatures"), "dedup", current["dedup"]))
        writes: list[tuple[str, str]] = []
        deletes: list[str] = []
        for folder, _stage, fp in folders:
            parts = self.parts(folder)
            keep: list[Path] = []
            for p in parts:
                if fp is not None and self.part_meta(p).get("newsflow.fingerprint") != fp:
                    deletes.append(str(p.relative_to(self.processed)))
                else:
                    keep.append(p)
            # merge consecutive runs of parts up to target_rows (only runs of two or more are rewritten)
            group: list[Path] = []
            rows = 0
            groups: list[list[Path]] = []
            for p in keep:
                n = pq.read_metadata(p).num_rows
                if group and rows + n > target_rows:
                    groups.append(group)
                    group, rows = [], 0
                group.append(p)
                rows += n
            if group:
                groups.append(group)
            for g in groups:
                if len(g) < 2:
                    continue
                meta = pq.read_schema(g[0]).metadata or {}
                table = pa.concat_tables([pq.read_table(p).replace_schema_metadata(None) for p in g])
                bmeta = {k: v for k, v in meta.items() if k.startswith(b"newsflow.")}
                bmeta[_META_SUM] = f"{rows_sum(table):032x}".encode()
                table = table.replace_schema_metadata(bmeta)
                tmp = folder / f"{_TMP_PREFIX}{uuid.uuid4().hex}.parquet"
                with open(tmp, "wb") as fh:
                    pq.write_table(table, fh, compression="zstd")
                    fh.flush()
                    os.fsync(fh.fileno())
                final = folder / (g[0].name[: -len(".parquet")] + f"-m{uuid.uuid4().hex[:6]}.parquet")
                writes.append((str(tmp.relative_to(self.processed)), str(final.relative_to(self.processed))))
                deletes.extend(str(p.relative_to(self.processed)) for p in g)
        if not writes and not deletes:
            return {"removed": 0, "written": 0}
        journal = self.processed / _JOURNAL
        tmp_journal = self.processed / f"{_TMP_PREFIX}journal.json"
        with open(tmp_journal, "w", encoding="utf-8") as fh:
            json.dump({"writes": writes, "deletes": deletes}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_journal, journal)
        _fsync_dir(self.processed)
        removed = self._recover_compaction()
        return {"removed": removed, "written": len(writes)}

    @contextlib.contextmanager
    def lock(self, wait: bool = False) -> Iterator[None]:
        """Hold the data root's run lock (``<data_root>/.newsflow.lock``, an OS file lock released even when the
        process is killed). Raises :class:`LockedError` naming the holder when another run has it and ``wait``
        is false; with ``wait`` it blocks until the lock is free."""
        from filelock import FileLock, Timeout

        self.root.mkdir(parents=True, exist_ok=True)
        info = self.root / ".newsflow.lock.info"
        lk = FileLock(str(self.root / ".newsflow.lock"))
        try:
            lk.acquire(timeout=-1 if wait else 0)
        except Timeout:
            holder = info.read_text(encoding="utf-8").strip() if info.exists() else "unknown"
            raise LockedError(
                f"another newsflow run holds the lock on {self.root} ({holder}); wait for it to finish or use --wait"
            ) from None
        try:
            info.write_text(f"pid {os.getpid()} on {socket.gethostname()}, since {utcnow():%Y-%m-%d %H:%M:%S}Z\n")
            yield
        finally:
            info.unlink(missing_ok=True)
            lk.release()

    # ----------------------------------------------------------------- reads
    @staticmethod
    def part_meta(path: Path) -> dict[str, str]:
        md = pq.read_schema(path).metadata or {}
        return {k.decode(): v.decode() for k, v in md.items() if k.startswith(b"newsflow.")}

    def current_parts(self, folder: Path, stage_fingerprint: str | None) -> list[Path]:
        """Parts of ``folder`` written under ``stage_fingerprint`` (all parts when it is ``None``)."""
        out = []
        for p in self.parts(folder):
            if stage_fingerprint is None or self.part_meta(p).get("newsflow.fingerprint") == stage_fingerprint:
                out.append(p)
        return out

    def read(
        self,
        stage: str,
        schema: pa.Schema,
        stage_fingerprint: str | None = None,
        columns: list[str] | None = None,
        sub: str | None = None,
        filter_keys: set[tuple[str, str]] | None = None,
    ) -> pa.Table:
        """Concatenate the current parts of a stage (empty table of ``schema`` when there are none).
        ``filter_keys`` keeps only rows whose ``(doc_id, content_sha256)`` is in the set. For a stage's main
        dataset (no ``sub``), a key written again by a rerun is returned once: its latest row."""
        table = self._read_parts(
            self.current_parts(self.stage_dir(stage, sub), stage_fingerprint), schema, columns, filter_keys
        )
        return latest_per_key(table) if sub is None else table

    def read_rejects(self, stage: str | None = None, stage_fingerprint: str | None = None) -> pa.Table:
        stages = [stage] if stage else list(STAGES)
        paths: list[Path] = []
        for s in stages:
            paths += self.current_parts(self.rejects_dir(s), stage_fingerprint)
        return self._read_parts(paths, schemas.REJECTS, None, None)

    @staticmethod
    def _read_parts(
        paths: list[Path],
        schema: pa.Schema,
        columns: list[str] | None,
        filter_keys: set[tuple[str, str]] | None,
    ) -> pa.Table:
        sch = pa.schema([schema.field(c) for c in columns]) if columns else schema
        tables = []
        for p in paths:
            t = pq.read_table(p, columns=columns)
            if filter_keys is not None:
                ids = t.column("doc_id").to_pylist()
                shas = t.column("content_sha256").to_pylist()
                mask = pa.array([(a, b) in filter_keys for a, b in zip(ids, shas, strict=True)])
                t = t.filter(mask)
            tables.append(schemas.conform(t.replace_schema_metadata(None), sch))
        if not tables:
            return sch.empty_table()
        return pa.concat_tables(tables)

    def keys(
        self, stage: str, schema: pa.Schema, stage_fingerprint: str | None, sub: str | None = None
    ) -> set[tuple[str, str]]:
        """``(doc_id, content_sha256)`` pairs held by a stage's current parts."""
        t = self.read(stage, schema, stage_fingerprint, columns=["doc_id", "content_sha256"], sub=sub)
        ids: list[Any] = t.column("doc_id").to_pylist()
        shas: list[Any] = t.column("content_sha256").to_pylist()
        return set(zip(ids, shas, strict=True))

    def rejected_keys(self, stage: str, stage_fingerprint: str | None) -> set[tuple[str, str | None]]:
        t = self.read_rejects(stage, stage_fingerprint)
        ids: list[Any] = t.column("doc_id").to_pylist()
        shas: list[Any] = t.column("content_sha256").to_pylist()
        return set(zip(ids, shas, strict=True))

    def state_digest(self, folders: Sequence[tuple[Path, str | None]]) -> str:
        """Digest of the rows of the current parts of the given folders (``(folder, fingerprint)``; ``None``:
        all parts): the sum of their parts' content sums (:func:`rows_sum`, stored when a part is written), 32 hex
        chars. It depends on the rows only, not on their split into part files, so merging or pruning parts
        (compaction, :meth:`supersede`) leaves it unchanged. Export compares it with the digest stored in the
        articles dataset to know whether anything changed upstream.

        A part written before content sums were recorded counts by its name instead (it is not read); such
        parts get a sum once compaction merges them."""
        total = 0
        for folder, fp in folders:
            for p in self.parts(folder):
                meta = self.part_meta(p)
                if fp is not None and meta.get("newsflow.fingerprint") != fp:
                    continue
                rows = meta.get(_META_SUM.decode())
                if rows is not None:
                    total += int(rows, 16)
                else:
                    name = str(p.relative_to(self.processed)).encode()
                    total += int.from_bytes(hashlib.sha256(name).digest()[:16], "big")
        return f"{total % _SUM_MOD:032x}"


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --------------------------------------------------------------------- pending work
def newest_versions(table: pa.Table) -> pa.Table:
    """Keep, per ``doc_id``, the row with the latest ``fetched_at``; on a tie (a sidecar can fix ``fetched_at``)
    the row written last wins (``part`` column when present, else row order). A refetch with changed bytes, or
    a file edited back to earlier bytes, thereby supersedes the older version."""
    if table.num_rows == 0:
        return table
    if "_order" not in table.column_names:
        table = table.append_column("_order", pa.array(range(table.num_rows), type=pa.int64()))
    keys: list[Any] = [("doc_id", "ascending"), ("fetched_at", "descending")]
    if "part" in table.column_names:
        keys.append(("part", "descending"))
    order = table.sort_by([*keys, ("_order", "descending")])
    ids = order.column("doc_id").to_pylist()
    keep = [i for i, d in enumerate(ids) if i == 0 or ids[i - 1] != d]
    return order.take(pa.array(keep, type=pa.int64())).drop_columns(["_order"])


def newest_fetched(store: Store) -> pa.Table:
    """``doc_id``, ``content_sha256``, ``source``, ``fetched_at``, ``part`` of the newest stored version of every
    fetched document (see :func:`newest_versions`)."""
    rows: list[pa.Table] = []
    for part in store.parts(store.stage_dir("fetch")):
        t = pq.read_table(part, columns=["doc_id", "content_sha256", "source", "fetched_at"])
        t = schemas.conform(t.replace_schema_metadata(None), _NEWEST)
        rows.append(t.append_column("part", pa.array([str(part)] * t.num_rows, type=pa.string())))
    if not rows:
        return _NEWEST.append(pa.field("part", pa.string())).empty_table()
    return newest_versions(pa.concat_tables(rows))


_NEWEST = pa.schema([schemas.FETCHED.field(c) for c in ("doc_id", "content_sha256", "source", "fetched_at")])


def latest_per_key(table: pa.Table) -> pa.Table:
    """Keep the last row (in part order) of each ``(doc_id, content_sha256)``: a rerun writes the rows of the
    documents it redid as new parts and only then removes the older rows (:meth:`Store.supersede`); in between, or
    after a run killed there, both are on disk and the newest row wins."""
    if table.num_rows == 0 or "doc_id" not in table.column_names or "content_sha256" not in table.column_names:
        return table
    ids: list[Any] = table.column("doc_id").to_pylist()
    shas: list[Any] = table.column("content_sha256").to_pylist()
    seen: set[tuple[Any, Any]] = set()
    keep: list[int] = []
    for i in range(len(ids) - 1, -1, -1):
        key = (ids[i], shas[i])
        if key not in seen:
            seen.add(key)
            keep.append(i)
    if len(keep) == table.num_rows:
        return table
    return table.take(pa.array(sorted(keep), type=pa.int64()))


def pending_parse(
    store: Store, parse_fp: str, force: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset()
) -> list[tuple[str, str, str]]:
    """``(part path, doc_id, content_sha256)`` of the newest fetched version of each document that has neither a
    parsed row nor a parse reject under ``parse_fp`` (or whose key is in ``force``, for reruns); sorted by part
    then doc_id."""
    newest = newest_fetched(store)
    if newest.num_rows == 0:
        return []
    done = store.keys("parse", schemas.PARSED, parse_fp) | store.rejected_keys("parse", parse_fp)
    parts: list[Any] = newest.column("part").to_pylist()
    ids: list[Any] = newest.column("doc_id").to_pylist()
    shas: list[Any] = newest.column("content_sha256").to_pylist()
    return sorted((p, d, s) for p, d, s in zip(parts, ids, shas, strict=True) if (d, s) not in done or (d, s) in force)


def pending_after(
    store: Store,
    upstream: str,
    upstream_schema: pa.Schema,
    upstream_fp: str,
    stage: str,
    schema: pa.Schema,
    fp: str,
    force: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset(),
) -> list[tuple[str, str]]:
    """Keys held by ``upstream``'s current parts that ``stage`` has neither output nor rejected under ``fp``,
    plus those of them in ``force`` (reruns)."""
    have = store.keys(upstream, upstream_schema, upstream_fp)
    done = store.keys(stage, schema, fp) | store.rejected_keys(stage, fp)
    return sorted((have - done) | (have & force))  # type: ignore[operator]


def read_rows_by_key(
    paths: list[str] | list[Path], keys: set[tuple[str, str]], columns: list[str] | None = None
) -> pa.Table:
    """Rows of the given part files whose ``(doc_id, content_sha256)`` is in ``keys`` (files read once each, with
    a ``doc_id`` filter pushed down to Parquet)."""
    import pyarrow.compute as pc

    ids = sorted({d for d, _ in keys})
    tables = []
    for p in sorted({str(x) for x in paths}):
        t = pq.read_table(p, columns=columns, filters=pc.field("doc_id").isin(ids))
        if t.num_rows:
            mask = [
                (d, s) in keys
                for d, s in zip(t.column("doc_id").to_pylist(), t.column("content_sha256").to_pylist(), strict=True)
            ]
            t = t.filter(pa.array(mask, type=pa.bool_()))
        tables.append(t.replace_schema_metadata(None))
    if not tables:
        raise ValueError("no part files given")
    return latest_per_key(pa.concat_tables(tables))
