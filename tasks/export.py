"""Export stage: the public dataset ``<data_root>/processed/articles/`` and one-off copies as CSV, JSONL or Parquet.

Dataset shape: :data:`tasks.schemas.ARTICLES`, one row per article. Within a near-duplicate cluster (from
:func:`tasks.dedup.resolve_clusters`), documents that are URL or exact copies of each other are *folded* into one
row (their ``doc_id`` and URLs listed in ``folded_doc_ids`` / ``folded_urls``); distinct near-duplicate versions
(syndicated wire copy under another headline, say) keep their own rows, labelled with ``cluster_id``,
``duplicate_of`` (the representative's ``article_id``), ``duplicate_kind = "near"`` and ``similarity``.

``wire_copy`` (issue 16) is decided here, not in the enrich stage: it depends on the whole cluster, and a cluster
grows when a later run brings another copy (today's crediting copy makes yesterday's uncredited one wire copy).
Enrich works on each document version once and never revisits it; export resolves the clusters over every stored
row whenever anything upstream changed, so the flag is always current. See :func:`wire_copy`.

The dataset is rebuilt only when the upstream rows changed (a digest of their content, independent of how they are
split into part files, is stored in the Parquet metadata), so a run with no new input, also after a compaction,
leaves it byte-identical.
"""

from __future__ import annotations

import io
import json
import os
import stat
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from tasks import schemas
from tasks.store import Store, newest_fetched, newest_versions

# 2: the newest text of a URL is its article, ``versions`` (issue 15, D17); 3: ``wire_copy`` (issue 16)
EXPORT_VERSION = "3"
ROWS_PER_PART = 100_000
FORMATS = ("parquet", "csv", "jsonl")


def upstream_digest(store: Store, fps: dict[str, str]) -> str:
    """Digest of the current upstream rows (fetched, parsed, deduplicated, enriched; see
    :meth:`tasks.store.Store.state_digest`) plus the export fingerprint."""
    folders = [
        (store.stage_dir("fetch"), None),  # a file edited back to earlier bytes changes only which version is newest
        (store.stage_dir("parse"), fps["parse"]),
        (store.stage_dir("dedup"), fps["dedup"]),
        (store.stage_dir("enrich"), fps["enrich"]),
    ]
    return store.state_digest(folders) + "-" + fps["export"]


def is_current(store: Store, digest: str) -> bool:
    """True when every articles part carries ``digest`` and none is missing."""
    parts = store.parts(store.stage_dir("export"))
    if not parts:
        return False
    metas = [store.part_meta(p) for p in parts]
    return all(m.get("newsflow.state") == digest and m.get("newsflow.parts") == str(len(parts)) for m in metas)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _rank(row: dict[str, Any], url: str | None) -> tuple[Any, ...]:
    """Head of a copy group: earliest published_at, then longest body, then a URL that is already canonical,
    then smallest doc_id (the order :func:`tasks.dedup.resolve_clusters` uses for representatives)."""
    pub = row.get("published_at")
    return (
        pub is None,
        pub.timestamp() if pub is not None else 0.0,
        -(row.get("body_chars") or 0),
        url != row.get("canonical_url"),
        row["doc_id"],
    )


#: Columns the articles dataset takes from the enrich stage (all of ENRICHED but the version keys).
_ENRICH_COLUMNS = [
    n for n in schemas.ENRICHED.names if n not in ("doc_id", "content_sha256") and n in schemas.ARTICLES.names
]


def _own_url_key(url: str | None) -> str | None:
    """The identity of a document's own address: :func:`tasks.dedup.canonical_url` of its URL without the page's
    ``rel=canonical`` hint (tracking parameters, session ids, AMP/mobile variants removed), keyed like
    ``url_hash``; None for a document without an http(s) URL."""
    from tasks import dedup

    return dedup.url_key(dedup.canonical_url(url)) if url and dedup.is_http_url(url) else None


def build_articles(
    parsed: pa.Table,
    dedup_table: pa.Table,
    enriched: pa.Table,
    signatures: pa.Table | None = None,
    current_keys: set[tuple[str, str]] | None = None,
) -> pa.Table:
    """Join parsed fields, dedup labels and enrichment into :data:`tasks.schemas.ARTICLES` rows (sorted by
    ``article_id``). One version of each ``doc_id`` is used: the one named in ``current_keys`` (the newest
    fetched), else the newest parsed one; documents without a deduplicated row (rejected by dedup) are left
    out, their reject row says why.

    Clusters come from :func:`tasks.dedup.resolve_clusters`.
    Each row's ``agencies`` are its own credits followed by those of the other members of its cluster
    (representative first): a syndicated copy that dropped the "(AP)" dateline still shows the agency.
    ``folded_kinds`` labels each folded copy (``url`` or ``exact``), parallel to ``folded_doc_ids``.
    A URL fetched again with another text is shown with its newest text (:func:`tasks.dedup.current_versions`);
    ``versions`` counts the distinct texts stored for the row's own URL (all versions of the documents whose
    address, without its ``rel=canonical`` hint, is the head's: :func:`_own_url_key`), 1 for an article never
    updated; pages folded in only by a ``rel=canonical`` hint are other pages, not versions."""
    from tasks import dedup

    if current_keys is None:
        parsed = newest_versions(parsed)
        ids: list[Any] = parsed.column("doc_id").to_pylist()
        shas: list[Any] = parsed.column("content_sha256").to_pylist()
        current = set(zip(ids, shas, strict=True))
    else:
        current = current_keys
        ids = parsed.column("doc_id").to_pylist()
        shas = parsed.column("content_sha256").to_pylist()
        parsed = parsed.filter(pa.array([(d, h) in current for d, h in zip(ids, shas, strict=True)], type=pa.bool_()))
    all_dd = dedup_table.to_pylist()
    texts_of: dict[str, set[str]] = defaultdict(set)  # doc_id -> texts of all its stored versions
    for r in all_dd:
        texts_of[r["doc_id"]].add(dedup.text_identity(r))
    dd_rows = [r for r in all_dd if (r["doc_id"], r["content_sha256"]) in current]
    dd_by_doc = {r["doc_id"]: r for r in dd_rows}
    if not dd_rows:
        return schemas.ARTICLES.empty_table()
    parsed_by_doc = {r["doc_id"]: r for r in parsed.to_pylist()}
    meta = {
        d: {"url": parsed_by_doc[d].get("url"), "fetched_at": parsed_by_doc[d].get("fetched_at")} for d in dd_by_doc
    }
    labels = dedup.resolve_clusters(schemas.conform(dd_rows, schemas.DEDUPLICATED), signatures, meta)
    enrich_by_key = {(r["doc_id"], r["content_sha256"]): r for r in enriched.to_pylist()}

    clusters: dict[str, list[str]] = defaultdict(list)
    for doc_id in dd_by_doc:
        clusters[labels[doc_id]["cluster_id"]].append(doc_id)

    out: list[dict[str, Any]] = []
    for cluster_id, members in clusters.items():
        # copy groups: documents linked by the same canonical URL or the same normalised text
        uf = _UnionFind()
        first_by_key: dict[tuple[str, str], str] = {}
        for doc_id in sorted(members):
            uf.find(doc_id)
            r = dd_by_doc[doc_id]
            for key in (("u", r["url_hash"]), ("t", r["text_hash"])):
                if key[1]:
                    if key in first_by_key:
                        uf.union(doc_id, first_by_key[key])
                    else:
                        first_by_key[key] = doc_id
        groups: dict[str, list[str]] = defaultdict(list)
        for doc_id in members:
            groups[uf.find(doc_id)].append(doc_id)
        cluster_rep = next(d for d in members if labels[d].get("duplicate_of") is None) if members else None
        rep_article = dd_by_doc[cluster_rep]["article_id"] if cluster_rep else None
        ordered = sorted(members, key=lambda d: (d != cluster_rep, _rank(dd_by_doc[d], parsed_by_doc[d].get("url"))))
        cluster_agencies = _unique(a for d in ordered for a in (parsed_by_doc[d].get("agencies") or []))
        is_wire = wire_copy([parsed_by_doc[d].get("agencies") for d in members])
        candidates = set(dedup.current_versions(members, dd_by_doc, meta))
        for group in groups.values():
            if cluster_rep in group:
                head = cluster_rep
            else:
                heads = [d for d in group if d in candidates]
                head = min(heads, key=lambda d: _rank(dd_by_doc[d], parsed_by_doc[d].get("url")))
            head_key = _own_url_key(parsed_by_doc[head].get("url"))
            same_url = [
                d for d in group if d == head or (head_key and _own_url_key(parsed_by_doc[d].get("url")) == head_key)
            ]
            folded = sorted(d for d in group if d != head)
            kinds = [_fold_kind(dd_by_doc[d], dd_by_doc[head], [dd_by_doc[g] for g in group]) for d in folded]
            p = parsed_by_doc[head]
            e = enrich_by_key.get((head, p["content_sha256"]), {})
            is_rep = head == cluster_rep
            urls = []
            for d in folded:
                u = parsed_by_doc[d].get("url")
                if u and u != p.get("url") and u not in urls:
                    urls.append(u)
            row = {k: p.get(k) for k in schemas.ARTICLES.names if k in p}
            row.update(
                article_id=dd_by_doc[head]["article_id"],
                canonical_url=dd_by_doc[head]["canonical_url"],
                **{c: e.get(c) for c in _ENRICH_COLUMNS},
                cluster_id=cluster_id,
                duplicate_of=None if is_rep else rep_article,
                duplicate_kind=None if is_rep else "near",
                similarity=None if is_rep else labels[head].get("similarity"),
                cluster_size=len(members),
                wire_copy=is_wire,
                folded_doc_ids=folded,
                folded_kinds=kinds,
                folded_urls=urls,
                versions=len(set().union(*(texts_of[d] for d in same_url))),
                agencies=_unique([*(p.get("agencies") or []), *cluster_agencies]),
            )
            out.append(row)
    out.sort(key=lambda r: (r["article_id"], r["doc_id"]))
    return schemas.conform(out, schemas.ARTICLES)


def wire_copy(cluster_credits: list[list[str] | None]) -> bool:
    """True when the text is wire copy: some document of its near-duplicate cluster — the article itself, a
    folded URL or exact copy, or a near-duplicate (estimated Jaccard similarity of 5-word shingles at or above
    ``[dedup] threshold``, clusters joined transitively by :func:`tasks.dedup.resolve_clusters`) — credits a
    wire agency in its own byline, dateline, end tag or source line (the parse stage's ``agencies``; picture
    credits are not counted there). ``cluster_credits``: the parse-stage ``agencies`` of every member.

    An article that credits an agency itself counts (issue 16 names the near-duplicate case; an article whose own
    credit names dpa is wire copy by its own word, and the near-duplicate rule is what catches copies that dropped
    the credit). So in the articles dataset ``wire_copy`` is true exactly when ``agencies`` (own credits plus
    those of the cluster) is not empty; a credit "mit Material von dpa" counts like "(dpa)": the parse stage does
    not tell a whole wire story from one that uses some of it."""
    return any(credits for credits in cluster_credits)


def _unique(items: Any) -> list[str]:
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return out


def _fold_kind(row: dict[str, Any], head: dict[str, Any], group: list[dict[str, Any]]) -> str:
    """``url`` when a folded copy has the head's URL key, ``exact`` when it has its text; a copy linked through a
    third member: ``exact`` when its text is shared within the group, else ``url``."""
    if row.get("url_hash") and row.get("url_hash") == head.get("url_hash"):
        return "url"
    if row.get("text_hash") and row.get("text_hash") == head.get("text_hash"):
        return "exact"
    shared_text = sum(1 for g in group if row.get("text_hash") and g.get("text_hash") == row.get("text_hash")) > 1
    return "exact" if shared_text else "url"


def export_dataset(store: Store, fps: dict[str, str]) -> dict[str, Any]:
    """Rebuild the articles dataset if upstream changed. Returns ``{"processed": rows written (0 when
    current), "skipped": rows kept, "rejected_by_reason": {}, "written": bool}``."""
    digest = upstream_digest(store, fps)
    if is_current(store, digest):
        kept = sum(pq.read_metadata(p).num_rows for p in store.parts(store.stage_dir("export")))
        return {"processed": 0, "skipped": kept, "rejected_by_reason": {}, "written": False}
    parsed = store.read("parse", schemas.PARSED, fps["parse"])
    dd = store.read("dedup", schemas.DEDUPLICATED, fps["dedup"])
    en = store.read("enrich", schemas.ENRICHED, fps["enrich"])
    sigs = store.read("dedup", schemas.DEDUP_SIGNATURES, fps["dedup"], sub="signatures")
    newest = newest_fetched(store)
    ids: list[Any] = newest.column("doc_id").to_pylist()
    shas: list[Any] = newest.column("content_sha256").to_pylist()
    table = build_articles(parsed, dd, en, sigs, set(zip(ids, shas, strict=True)))
    parts = [table.slice(i, ROWS_PER_PART) for i in range(0, max(table.num_rows, 1), ROWS_PER_PART)]
    store.replace_dataset(
        "export", parts, schemas.ARTICLES, {"newsflow.state": digest, "newsflow.parts": str(len(parts))}
    )
    return {"processed": table.num_rows, "skipped": 0, "rejected_by_reason": {}, "written": True}


def read_articles(store: Store) -> pa.Table:
    """The current articles dataset (empty table of :data:`tasks.schemas.ARTICLES` when none was exported)."""
    parts = store.parts(store.stage_dir("export"))
    if not parts:
        return schemas.ARTICLES.empty_table()
    return pa.concat_tables(
        [schemas.conform(pq.read_table(p).replace_schema_metadata(None), schemas.ARTICLES) for p in parts]
    )


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


class ExportTargetError(ValueError):
    """An export target that is not a regular file newsflow may replace: a folder, a FIFO, a device node, a socket."""


def _stream_fd(out: Path) -> int | None:
    """1 or 2 when ``out`` is ``-`` or names this process's stdout / stderr (``/dev/stdout``, ``/dev/fd/2``, the
    file or pipe stdout is redirected to, …), else None."""
    if str(out) == "-":
        return 1
    try:
        target = os.stat(out)
    except OSError:
        return None
    for fd in (1, 2):
        try:
            if os.path.samestat(target, os.fstat(fd)):
                return fd
        except OSError:
            continue
    return None


def _not_regular(mode: int) -> str | None:
    """What a file of ``st_mode`` ``mode`` is when it is not a regular file, else None."""
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), None if stat.S_ISREG(mode) else "not a regular file")


def _write_table(table: pa.Table, fmt: str, sink: BinaryIO) -> None:
    if fmt == "parquet":
        pq.write_table(table, sink, compression="zstd")
    elif fmt == "jsonl":
        for row in table.to_pylist():
            sink.write((json.dumps(_jsonable(row), ensure_ascii=False) + "\n").encode("utf-8"))
    else:
        cols = []
        for f in table.schema:
            col = table.column(f.name)
            if pa.types.is_nested(f.type):
                vals = [None if v is None else json.dumps(_jsonable(v), ensure_ascii=False) for v in col.to_pylist()]
                col = pa.chunked_array([pa.array(vals, type=pa.string())])
            elif pa.types.is_timestamp(f.type):
                vals = [None if v is None else _jsonable(v) for v in col.to_pylist()]
                col = pa.chunked_array([pa.array(vals, type=pa.string())])
            cols.append(col)
        pacsv.write_csv(pa.table(cols, names=table.column_names), sink)


def write_export(table: pa.Table, fmt: str, out: str | Path) -> int:
    """Write ``table`` to ``out`` as ``parquet``, ``csv`` (list/struct columns as JSON text, timestamps ISO 8601
    UTC) or ``jsonl`` (one JSON object per line, UTF-8). Returns rows written.

    ``out`` is written as a regular file that appears atomically: the rows go to a temp file with an
    unpredictable name (:func:`tempfile.mkstemp`) in the target's folder, which then replaces the target (keeping
    an existing target's permissions). A symlink is followed: its target is replaced, the link stays. ``-`` and
    paths naming this process's stdout or stderr (``/dev/stdout``) are written to directly, as a stream.

    Raises ``ValueError`` for an unknown format and :class:`ExportTargetError` (nothing written) when ``out`` is a
    folder, a FIFO, a device node or a socket.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    out = Path(out)
    fd = _stream_fd(out)
    if fd is not None:
        buffer = io.BytesIO()  # Parquet needs a seekable sink; a pipe is not
        _write_table(table, fmt, buffer)
        stream = sys.stdout if fd == 1 else sys.stderr
        stream.flush()
        stream.buffer.write(buffer.getvalue())
        stream.flush()
        return int(table.num_rows)
    target = Path(os.path.realpath(out))  # follows symlinks; a dangling one names the file to create
    mode = None
    if target.exists():
        kind = _not_regular(target.stat().st_mode)
        if kind is not None:
            raise ExportTargetError(f"--out {out} is {kind}, not a regular file: refusing to write to it")
        mode = stat.S_IMODE(target.stat().st_mode)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as sink:
            _write_table(table, fmt, sink)
        if mode is None:
            umask = os.umask(0o022)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return int(table.num_rows)
