"""Clusters: which current documents form one article (connected components of URL, exact and near matches)
and which member represents it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tasks.dedup.minhash import jaccard_estimate
from tasks.dedup.urls import canonical_url


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def _rep_key(row: Mapping[str, Any], meta: Mapping[str, Any] | None) -> tuple[Any, ...]:
    published = row.get("published_at")
    url = str((meta or {}).get("url") or "")
    # a document fetched through a tracking/AMP/mobile URL is a worse representative than the clean original,
    # and one without any URL (a local file without a sidecar) is worse still: the article row would carry no url
    unclean = bool(url) and canonical_url(url) != url.strip()
    # earliest published first (unknown dates last), then the longest body, then one with a URL, then a clean
    # URL, then the smallest doc_id
    return (
        published is None,
        published.timestamp() if published is not None else 0.0,
        -(row.get("body_chars") or 0),
        not url,
        unclean,
        row["doc_id"],
    )


def text_identity(row: Mapping[str, Any]) -> str:
    """What makes two versions the same text: the ``text_hash``, else (a body too short for one) the bytes."""
    return str(row.get("text_hash") or "sha:" + str(row.get("content_sha256")))


def current_versions(
    docs: Iterable[str], rows: Mapping[str, Mapping[str, Any]], meta: Mapping[str, Mapping[str, Any]] | None
) -> list[str]:
    """The members of ``docs`` that show the current text of their canonical URL (field case D17).

    A URL fetched again after a correction or an update is stored as a new version (a new ``content_sha256``,
    or another document with the same ``url_hash``); the article is its newest text, not the longest one. Per
    ``url_hash``, the text of the member fetched last (``meta[doc_id]["fetched_at"]``) is current, and the
    members with that text stay candidates (so a clean URL still beats a tracking URL of the same text);
    members fetched earlier with another text are older versions. Members without a ``url_hash``, and all
    members when no fetch time is known, stay candidates."""
    out: list[str] = []
    by_url: dict[str, list[str]] = {}
    for d in docs:
        key = rows[d].get("url_hash")
        if key:
            by_url.setdefault(key, []).append(d)
        else:
            out.append(d)

    def fetched(d: str) -> float:
        when = (meta or {}).get(d, {}).get("fetched_at")
        return when.timestamp() if when is not None else float("-inf")

    for group in by_url.values():
        latest = max(fetched(d) for d in group)
        current = {text_identity(rows[d]) for d in group if fetched(d) == latest}
        out.extend(d for d in group if text_identity(rows[d]) in current)
    return out


def _iter_rows(table: pa.Table, columns: Iterable[str]) -> Iterator[dict[str, Any]]:
    present = [c for c in columns if c in table.column_names]
    yield from table.select(present).to_pylist()


def resolve_clusters(
    dedup: pa.Table,
    signatures: pa.Table | Mapping[str, Sequence[int]] | None = None,
    meta: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Clusters of the current documents of ``dedup`` (``DEDUPLICATED`` rows; the last row per doc_id is its
    current version).

    A cluster is a connected component of: same ``url_hash``, same ``text_hash``, and the ``near_matches``
    edges whose two ends are both current versions. Those relations do not depend on the order in which
    documents were deduplicated, so neither do the clusters. A row whose ``near_matches`` is null (a hand-made
    table) links ``doc_id`` → ``match_doc_id`` instead. Returns, per doc_id:

    ``cluster_id``
        the smallest ``article_id`` in the cluster (deterministic and independent of processing order);
    ``representative``
        among the members that show the current text of their URL (:func:`current_versions`, when ``meta``
        gives ``fetched_at``: a corrected version beats the older, longer one), the one published earliest
        (unknown dates last), then with the longest body, then (when ``meta`` maps doc_id → ``{"url": original
        URL}``) one whose URL is already canonical (no tracking parameters, not an AMP/mobile variant), then the
        smallest doc_id;
    ``duplicate_of``
        the representative's ``article_id`` (``None`` for the representative itself);
    ``duplicate_kind``
        how the document relates to the representative: ``url`` (same ``url_hash``), ``exact`` (same
        ``text_hash``), else ``near``; ``None`` for the representative;
    ``similarity``
        1.0 for ``url``/``exact``. For ``near``: the MinHash estimate between the document's and the
        representative's signatures when ``signatures`` (a ``DEDUP_SIGNATURES`` table or doc_id → signature)
        has both; otherwise the lower bound ``1 - Σ(1 - s_e)`` over the edge similarities ``s_e`` on the path
        between them (Jaccard distance obeys the triangle inequality), which equals the edge's similarity when
        they are matched directly. ``None`` for the representative;
    ``cluster_size``
        number of documents in the cluster.
    """
    rows: dict[str, dict[str, Any]] = {}
    cols = ("doc_id", "content_sha256", "article_id", "url_hash", "text_hash", "published_at", "body_chars",
            "match_doc_id", "similarity", "near_matches")  # fmt: skip
    for row in _iter_rows(dedup, cols):
        rows.pop(row["doc_id"], None)
        rows[row["doc_id"]] = row
    uf = _UnionFind()
    adjacency: dict[str, list[tuple[str, float]]] = {}

    def link(a: str, b: str, sim: float) -> None:
        uf.union(a, b)
        adjacency.setdefault(a, []).append((b, sim))
        adjacency.setdefault(b, []).append((a, sim))

    first_by_key: dict[tuple[str, str], str] = {}
    for doc_id, row in rows.items():
        uf.find(doc_id)
        for key in (("u", row.get("url_hash")), ("t", row.get("text_hash"))):
            if key[1]:
                other = first_by_key.setdefault(key, doc_id)  # type: ignore[arg-type]
                if other != doc_id:
                    link(doc_id, other, 1.0)
    for doc_id, row in rows.items():
        near = row.get("near_matches")
        if near is None:  # rows without near_matches (hand-made tables): the stored match edge
            match = row.get("match_doc_id")
            if match and match in rows and match != doc_id:
                stored = row.get("similarity")
                link(doc_id, match, 1.0 if stored is None else float(stored))
            continue
        for e in near:
            target = rows.get(e["doc_id"])
            if target is not None and target["content_sha256"] == e["content_sha256"] and e["doc_id"] != doc_id:
                link(doc_id, e["doc_id"], float(e["similarity"]))

    members: dict[str, list[str]] = {}
    for doc_id in rows:
        members.setdefault(uf.find(doc_id), []).append(doc_id)
    reps = {
        root: min(current_versions(docs, rows, meta), key=lambda d: _rep_key(rows[d], (meta or {}).get(d)))
        for root, docs in members.items()
    }

    def is_near(d: str, rep: str) -> bool:
        r, p = rows[d], rows[rep]
        same_url = r.get("url_hash") is not None and r.get("url_hash") == p.get("url_hash")
        same_text = r.get("text_hash") is not None and r.get("text_hash") == p.get("text_hash")
        return not same_url and not same_text

    need: set[str] = set()
    for root, docs in members.items():
        near = [d for d in docs if d != reps[root] and is_near(d, reps[root])]
        if near:
            need.update(near)
            need.add(reps[root])
    sig_map = _signatures_for(signatures, need, rows)

    out: dict[str, dict[str, Any]] = {}
    for root, docs in members.items():
        rep = reps[root]
        rep_row = rows[rep]
        cluster_id = min(rows[d]["article_id"] for d in docs)
        path_sim = _path_similarity(rep, adjacency) if len(docs) > 1 else {}
        for d in docs:
            row = rows[d]
            kind: str | None
            sim: float | None
            if d == rep:
                kind, sim = None, None
            elif row.get("url_hash") is not None and row.get("url_hash") == rep_row.get("url_hash"):
                kind, sim = "url", 1.0
            elif row.get("text_hash") is not None and row.get("text_hash") == rep_row.get("text_hash"):
                kind, sim = "exact", 1.0
            else:
                kind = "near"
                has_sigs = d in sig_map and rep in sig_map
                sim = jaccard_estimate(sig_map[d], sig_map[rep]) if has_sigs else path_sim.get(d)
            out[d] = {
                "cluster_id": cluster_id,
                "representative": rep,
                "duplicate_of": None if d == rep else rep_row["article_id"],
                "duplicate_kind": kind,
                "similarity": sim,
                "cluster_size": len(docs),
            }
    return out


def _signatures_for(
    signatures: pa.Table | Mapping[str, Sequence[int]] | None, need: set[str], rows: Mapping[str, Mapping[str, Any]]
) -> dict[str, Sequence[int]]:
    """Signatures of the documents in ``need`` (from a table: only rows of their current version are read)."""
    if not need or signatures is None:
        return {}
    if not isinstance(signatures, pa.Table):
        return {d: signatures[d] for d in need if d in signatures}
    if signatures.num_rows == 0:
        return {}
    mask = pc.is_in(signatures.column("doc_id"), value_set=pa.array(sorted(need), type=pa.string()))
    out: dict[str, Sequence[int]] = {}
    for srow in _iter_rows(signatures.filter(mask), ("doc_id", "content_sha256", "signature")):
        cur = rows.get(srow["doc_id"])
        sha = srow.get("content_sha256")
        if cur is not None and (sha is None or cur.get("content_sha256") is None or cur["content_sha256"] == sha):
            out[srow["doc_id"]] = srow["signature"]
    return out


def _path_similarity(start: str, adjacency: Mapping[str, list[tuple[str, float]]]) -> dict[str, float]:
    """Breadth-first from ``start``: per reached doc, ``max(0, 1 - Σ(1 - s))`` over the edges of the path."""
    dist = {start: 0.0}
    queue = [start]
    for node in queue:
        for nxt, sim in sorted(adjacency.get(node, ())):
            if nxt not in dist:
                dist[nxt] = dist[node] + (1.0 - sim)
                queue.append(nxt)
    return {d: round(max(0.0, 1.0 - v), 6) for d, v in dist.items()}
