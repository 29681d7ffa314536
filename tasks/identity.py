"""The document identity scheme of a data root, and the one-time upgrade of roots written under an older one.

Scheme 1 (before issue #15): ``doc_id = make_doc_id(uri)`` for every document. A local file's ``uri`` is
``"file:" + its path relative to the source folder``, so two ``files`` sources that each hold ``index.html``
shared one ``doc_id``: the second file was stored as a new version of the first, and one article disappeared
without a reject. Scheme 2 (:func:`tasks.fetch.document_id`, :data:`tasks.fetch.DOC_ID_SCHEME`): a local file's
``doc_id`` also hashes its source's name; URL documents (feeds, sitemaps, URL lists, WARC records) keep theirs.

A data root records its scheme in ``processed/identity.json`` (:attr:`tasks.store.Store.identity_file`); a root
without that file and with data was written under scheme 1. :func:`migrate` is called by every run and
compaction, holding the run lock, after :meth:`~tasks.store.Store.clean_temp`, and upgrades such a root:

* **What is rewritten**: every part file, of every fingerprint, of ``fetched/``, ``parsed/``, ``deduplicated/``
  (with ``_index/`` and ``_signatures/``), ``enriched/`` and ``rejects/<stage>/`` that holds a row of a local-file
  document under its old id. The row gets its scheme-2 ``doc_id``; in ``deduplicated/`` the references too
  (``match_doc_id``, ``near_matches``) and ``article_id`` where it came from the ``doc_id`` (no canonical URL); in
  ``_index/`` the ``doc_key``. ``articles/`` is not touched: the upgrade changes its inputs' digest, so the same
  run's export rebuilds it. Nothing is fetched, parsed, deduplicated or enriched again, except what the old scheme
  had merged (below). Cost: one read and one write of each such part (the raw bytes in ``fetched/`` included) and
  one export.
* **How the new id is found**: from the row's ``source`` and ``uri`` (``fetched/``, rejects), from its ``source``
  and the ``uri`` its old id was made of (``parsed/``, rejects without ``uri``), or, for tables without
  ``source``, from ``(old doc_id, content_sha256)``: the source of the ``parsed/`` row of that key, else the only
  source that fetched those bytes under that id.
* **What the old scheme had merged**: the versions that files of different sources stored under one id each go
  to their own source's document. A document whose file never was the newest version was never parsed; it is
  pending now, and the upgrade run parses, deduplicates and enriches it: the article lost to scheme 1 comes back.
  A version whose source cannot be told (the same bytes fetched from two sources under one id, with no parsed row
  to say which) loses its rows below ``fetched/`` and is redone.
* **Atomic and resumable**: each part is replaced under its own name through a temp file and ``os.replace``
  (:meth:`~tasks.store.Store.replace_part`). The mapping is a function of ``fetched/``'s ``(source, uri)``, which
  the migration never changes, and it leaves scheme-2 ids alone, so a migration killed half-way is finished by the
  next run and parts already rewritten do not change again. Tables without ``source`` go first (they need
  ``parsed/``'s old ids), then rejects, ``parsed/``, and ``fetched/`` last; the marker is written at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tasks.fetch import items as fetch_items
from tasks.fetch.items import DOC_ID_SCHEME, make_doc_id
from tasks.store import STAGES, Store

#: Scheme of a data root that has data but no marker: written before the marker existed.
UNMARKED_SCHEME = 1


@dataclass
class Migration:
    """What one :func:`migrate` pass did. ``documents``: local-file documents whose rows got their new ``doc_id``
    (distinct new ids); ``parts``: part files rewritten; ``redone``: rows removed because their source could not be told
    (their documents are redone by the same run)."""

    from_scheme: int
    documents: int = 0
    parts: int = 0
    redone: int = 0

    def message(self) -> str:
        """The one log line of an upgrade."""
        return (
            f"data root upgraded from doc_id scheme {self.from_scheme} to {DOC_ID_SCHEME} (a local file's identity now "
            f"includes its source, issue #15): {self.documents} document(s) got new ids, {self.parts} part file(s) "
            f"rewritten, {self.redone} row(s) left to redo"
        )


@dataclass
class _Ids:
    """Old (scheme-1) ids of local files and what tells their new ids apart."""

    uri: dict[str, str] = field(default_factory=dict)  # old id -> "file:…" uri it hashes
    sources: dict[str, set[str]] = field(default_factory=dict)  # old id -> sources that stored it
    pair_sources: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (old id, sha) -> sources
    parsed_source: dict[tuple[str, str], str] = field(default_factory=dict)  # (old id, sha) -> parsed row's source
    mapped: set[str] = field(default_factory=set)  # new ids given in this pass

    def new(self, old: str, source: str) -> str:
        # looked up at call time: a name bound at import would keep whatever the module held then
        new = fetch_items.document_id(source, self.uri[old])
        self.mapped.add(new)
        return new

    def for_key(self, old: str, sha: str | None) -> str | None:
        """New id of the version ``(old, sha)`` of a table without ``source``; None when it cannot be told."""
        src = self.parsed_source.get((old, sha)) if sha is not None else None
        if src is None:
            cands = self.pair_sources.get((old, sha), set()) if sha is not None else set()
            if not cands:
                cands = self.sources.get(old, set())
            if len(cands) != 1:
                return None
            src = next(iter(cands))
        return self.new(old, src)

    def for_ref(self, old: str, sha: str | None) -> str:
        """New id for a reference to ``old`` (a match label): :meth:`for_key`, else the first of its sources by
        name (clusters are linked by the URL/text keys and the near matches' ``(doc_id, content_sha256)``, so
        this choice only names the document a copy points to)."""
        return self.for_key(old, sha) or self.new(old, sorted(self.sources[old])[0])


def scheme(store: Store) -> int | None:
    """The data root's doc_id scheme: the marker's, :data:`UNMARKED_SCHEME` for a root with data but no marker,
    None for a root without data (it gets the current scheme at its first run). Raises ``ValueError`` for a
    marker that is not a JSON object or whose ``doc_id_scheme`` is not an integer."""
    marker = store.read_identity()
    if marker is not None:
        value = marker.get("doc_id_scheme", UNMARKED_SCHEME)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{store.identity_file}: doc_id_scheme is not an integer: {value!r}")
        return value
    return UNMARKED_SCHEME if store.has_data() else None


def migrate(store: Store) -> Migration | None:
    """Bring the data root to the current scheme (:data:`tasks.fetch.DOC_ID_SCHEME`); see the module text.

    Call it holding :meth:`Store.lock`, after :meth:`Store.clean_temp`. Returns None when there was nothing to do
    (marker current, or a root without data: the marker is written), else what was done. Raises ``ValueError``
    for an unreadable marker or a data root of a newer scheme than this code knows (nothing is rewritten)."""
    marker = store.read_identity()
    found = scheme(store)
    if found is not None and found > DOC_ID_SCHEME:
        raise ValueError(f"{store.root} uses doc_id scheme {found}; this newsflow knows up to {DOC_ID_SCHEME}")
    if found == DOC_ID_SCHEME:
        return None
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    if found is None:
        store.write_identity({"doc_id_scheme": DOC_ID_SCHEME, "since": now})
        return None
    ids = _collect(store)
    done = Migration(from_scheme=found)
    if ids.uri:
        keyed = [store.stage_dir("dedup"), store.stage_dir("dedup", "index"), store.stage_dir("dedup", "signatures")]
        order: list[tuple[Path, Callable[[pa.Table, _Ids], tuple[pa.Table, int] | None]]] = [
            (keyed[0], _map_deduplicated),
            (keyed[1], _map_keyed),
            (keyed[2], _map_keyed),
            (store.stage_dir("enrich"), _map_keyed),
            *[(store.rejects_dir(s), _map_sourced) for s in STAGES],
            (store.stage_dir("parse"), _map_sourced),
            (store.stage_dir("fetch"), _map_sourced),
        ]
        for folder, fn in order:
            for part in store.parts(folder):
                if not _touches(part, ids):
                    continue  # read the whole part (raw bytes in fetched/) only when it names an old id
                out = fn(pq.read_table(part), ids)
                if out is None:
                    continue
                table, dropped = out
                store.replace_part(part, table)
                done.parts += 1
                done.redone += dropped
    done.documents = len(ids.mapped)
    previous = dict(marker or {})
    store.write_identity(
        {
            "doc_id_scheme": DOC_ID_SCHEME,
            "since": previous.get("since") or now,
            "migrated_from": found,
            "migrated_at": now,
            "documents_renamed": done.documents,
            "note": "a local file's doc_id includes its source's name since scheme 2 (issue #15)",
        }
    )
    return done


def _collect(store: Store) -> _Ids:
    """Old ids of local files from ``fetched/`` and rejects (their ``source`` and ``uri``), and the source of each
    ``parsed/`` row still under an old id."""
    ids = _Ids()
    folders = [(store.stage_dir("fetch"), True)] + [(store.rejects_dir(s), False) for s in STAGES]
    for folder, fetched in folders:
        for part in store.parts(folder):
            t = pq.read_table(part, columns=["doc_id", "content_sha256", "source", "uri"])
            for d, sha, src, uri in zip(*(t.column(c).to_pylist() for c in t.column_names), strict=True):
                if not (uri and src and uri.startswith("file:")) or d != make_doc_id(uri):
                    continue  # a URL document, or already under the new scheme
                ids.uri[d] = uri
                if fetched:
                    ids.sources.setdefault(d, set()).add(src)
                    ids.pair_sources.setdefault((d, sha), set()).add(src)
    if ids.uri:
        for part in store.parts(store.stage_dir("parse")):
            t = pq.read_table(part, columns=["doc_id", "content_sha256", "source"])
            for d, sha, src in zip(*(t.column(c).to_pylist() for c in t.column_names), strict=True):
                if d in ids.uri:
                    ids.parsed_source[(d, sha)] = src
    return ids


def _touches(part: Path, ids: _Ids) -> bool:
    """Whether a part holds an old id of a local file: as a row's ``doc_id`` or in a dedup reference."""
    names = pq.read_schema(part).names
    cols = [c for c in ("doc_id", "match_doc_id", "near_matches") if c in names]
    t = pq.read_table(part, columns=cols)
    if any(d in ids.uri for d in t.column("doc_id").to_pylist()):
        return True
    if "match_doc_id" in cols and any(d in ids.uri for d in t.column("match_doc_id").to_pylist()):
        return True
    if "near_matches" in cols:
        return any(e["doc_id"] in ids.uri for near in t.column("near_matches").to_pylist() for e in near or [])
    return False


def _replaced(table: pa.Table, name: str, values: list[Any]) -> pa.Table:
    i = table.column_names.index(name)
    return table.set_column(i, table.schema.field(i), pa.array(values, type=table.schema.field(i).type))


def _map_sourced(table: pa.Table, ids: _Ids) -> tuple[pa.Table, int] | None:
    """Rows that carry ``source`` (``fetched/``, ``parsed/``, rejects): the new id from their source."""
    doc_ids = table.column("doc_id").to_pylist()
    sources = table.column("source").to_pylist()
    shas = table.column("content_sha256").to_pylist()
    out, keep, changed = [], [], False
    for d, src, sha in zip(doc_ids, sources, shas, strict=True):
        new = d
        if d in ids.uri:
            new = ids.new(d, src) if src else ids.for_key(d, sha)
        keep.append(new is not None)
        out.append(new)
        changed = changed or new != d
    if not changed:
        return None
    table = _replaced(table, "doc_id", out)
    dropped = keep.count(False)
    return (table.filter(pa.array(keep)) if dropped else table), dropped


def _map_keyed(table: pa.Table, ids: _Ids) -> tuple[pa.Table, int] | None:
    """Rows keyed by ``(doc_id, content_sha256)`` only (``enriched/``, dedup ``_index/`` and ``_signatures/``)."""
    from tasks.dedup.index import doc_key

    doc_ids = table.column("doc_id").to_pylist()
    shas = table.column("content_sha256").to_pylist()
    out = [ids.for_key(d, s) if d in ids.uri else d for d, s in zip(doc_ids, shas, strict=True)]
    if out == doc_ids:
        return None
    keep = [d is not None for d in out]
    table = _replaced(table, "doc_id", out)
    if "doc_key" in table.column_names:
        table = _replaced(table, "doc_key", [doc_key(d) if d is not None else 0 for d in out])
    dropped = keep.count(False)
    return (table.filter(pa.array(keep)) if dropped else table), dropped


def _map_deduplicated(table: pa.Table, ids: _Ids) -> tuple[pa.Table, int] | None:
    """``deduplicated/`` rows: their key as in :func:`_map_keyed`, ``article_id`` recomputed where it hashes the
    ``doc_id`` (no canonical URL), and the references ``match_doc_id`` and ``near_matches``."""
    from tasks.dedup import article_id_for

    names = ["doc_id", "content_sha256", "article_id", "canonical_url", "match_doc_id", "near_matches"]
    have = [c for c in names if c in table.column_names]  # parts written before a column existed lack it
    rows = [{c: None for c in names} | r for r in table.select(have).to_pylist()]
    doc_ids, article_ids, matches, nears, keep = [], [], [], [], []
    changed = False
    for r in rows:
        d, aid, match, near = r["doc_id"], r["article_id"], r["match_doc_id"], r["near_matches"]
        if d in ids.uri:
            d = ids.for_key(d, r["content_sha256"])
            if d is not None:
                aid = article_id_for(r["canonical_url"], d)
        if near and any(e["doc_id"] in ids.uri for e in near):
            near = [{**e, "doc_id": ids.for_ref(e["doc_id"], e["content_sha256"])} if e["doc_id"] in ids.uri else e
                    for e in near]  # fmt: skip
        if match in ids.uri:
            sha = next((e["content_sha256"] for e in r["near_matches"] or [] if e["doc_id"] == match), None)
            match = ids.for_ref(match, sha)
        before = (r["doc_id"], r["article_id"], r["match_doc_id"], r["near_matches"])
        changed = changed or (d, aid, match, near) != before
        doc_ids.append(d)
        article_ids.append(aid)
        matches.append(match)
        nears.append(near)
        keep.append(d is not None)
    if not changed:
        return None
    for name, values in (("doc_id", doc_ids), ("article_id", article_ids), ("match_doc_id", matches),
                         ("near_matches", nears)):  # fmt: skip
        if name in table.column_names:
            table = _replaced(table, name, values)
    dropped = keep.count(False)
    return (table.filter(pa.array(keep)) if dropped else table), dropped
