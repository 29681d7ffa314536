"""Deduplicating one batch: the per-document features, the matches against the index and the batch itself,
and the rows and tables the stage writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa

from tasks import schemas
from tasks.config import DedupConfig
from tasks.dedup.index import DedupIndex, _key64, _match_sorted, _Postings, doc_key
from tasks.dedup.minhash import _U64, band_matrix, signature_matrix
from tasks.dedup.text import _WORD_RE, _sha256, normalize_text
from tasks.dedup.urls import canonical_url, is_http_url, url_key
from tasks.dedup.version import DEDUP_VERSION

#: At most this many near-duplicate edges are recorded per document (the most similar ones). Beyond it a
#: cluster's shape could depend on processing order; 50 copies of one wire story are still fully connected.
MAX_NEAR_EDGES = 50


def article_id_for(canonical: str | None, doc_id: str) -> str:
    """First 16 hex digits of SHA-256 of the canonical URL, else of the doc_id."""
    return _sha256(canonical or doc_id)[:16]


class BatchResult(NamedTuple):
    """What :func:`dedup_batch` returns: rows for ``DEDUPLICATED`` and tables for the index and the
    signatures."""

    rows: list[dict[str, Any]]
    index_table: pa.Table
    signatures: pa.Table


def _first_per_query(q: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """Per query the smallest row (-1 when none)."""
    out = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(out, q, rows)
    out[out == np.iinfo(np.int64).max] = -1
    return out


class Features(NamedTuple):
    """Per-document dedup inputs of a batch (pure functions of each document; may be computed in worker
    processes with :func:`batch_features` and passed to :func:`dedup_batch`)."""

    doc_ids: list[str]
    shas: list[str]
    canons: list[str | None]
    url_hashes: list[str | None]
    text_hashes: list[str | None]
    body_chars: list[int]
    published: list[Any]
    has_sig: np.ndarray
    sigs: np.ndarray
    bands: np.ndarray


def batch_features(batch: Sequence[Mapping[str, Any]], cfg: DedupConfig) -> Features:
    """Canonical URL, URL and text hashes, MinHash signature and LSH band hashes of each document."""
    n = len(batch)
    canons: list[str | None] = []
    url_hashes: list[str | None] = []
    text_hashes: list[str | None] = []
    signed_words: list[list[str]] = []
    has_sig = np.zeros(n, dtype=np.bool_)
    body_chars = []
    for i, doc in enumerate(batch):
        body = doc.get("body") or ""
        body_chars.append(len(body))
        canon: str | None = canonical_url(doc.get("url") or "", doc.get("canonical_url"))
        if not is_http_url(canon):
            canon = None  # file paths and junk are no article keys: article_id falls back to the doc_id
        canons.append(canon)
        url_hashes.append(_sha256(url_key(canon)) if canon else None)
        norm = normalize_text(body)
        ws = _WORD_RE.findall(norm)
        enough = len(ws) >= max(1, cfg.min_words)
        text_hashes.append(_sha256(norm) if enough else None)
        if enough:
            signed_words.append(ws)
            has_sig[i] = True
    sigs = np.zeros((n, cfg.num_perm), dtype=np.uint32)
    if signed_words:
        sigs[has_sig] = signature_matrix(signed_words, cfg)
    return Features(
        [str(d["doc_id"]) for d in batch],
        [str(d["content_sha256"]) for d in batch],
        canons,
        url_hashes,
        text_hashes,
        body_chars,
        [d.get("published_at") for d in batch],
        has_sig,
        sigs,
        band_matrix(sigs, cfg),
    )


def concat_features(parts: Sequence[Features]) -> Features:
    """Features of consecutive chunks joined into those of the whole batch."""
    if len(parts) == 1:
        return parts[0]
    lists = [[v for p in parts for v in getattr(p, f)] for f in Features._fields[:7]]
    arrays = [np.concatenate([getattr(p, f) for p in parts]) for f in Features._fields[7:]]
    return Features._make([*lists, *arrays])


def dedup_batch(
    batch: Sequence[Mapping[str, Any]], index: DedupIndex, cfg: DedupConfig, features: Features | None = None
) -> BatchResult:
    """Find, for each document of ``batch`` in order, the earlier documents it duplicates, and add the batch to
    ``index``.

    ``batch`` rows carry ``doc_id``, ``content_sha256``, ``url``, ``canonical_url`` (the page's declared
    canonical, a hint), ``body`` and ``published_at``. Each document is compared with everything before it:
    the index and the earlier documents of the batch (a document's earlier version does not count). So
    processing documents in one batch or in several consecutive batches yields identical rows. The work is
    vectorised over the batch: keys are looked up in the index's sorted posting runs and in the batch's own
    keys, candidate pairs filtered with numpy, and the signatures of all candidate pairs compared at once.

    Per document: ``match_doc_id``/``match_kind`` name the first document seen with the same ``url_hash``
    (``url``), else with the same ``text_hash`` (``exact``), else the most similar near-duplicate (``near``;
    ties: the earliest seen). Near-duplicates are LSH candidates (sharing a band hash) whose signature
    estimate is ≥ ``cfg.threshold``; *all* of them (up to :data:`MAX_NEAR_EDGES`, the most similar first, one
    per distinct text) are listed in ``near_matches``, also for documents that have a URL or exact match, so
    that clusters (:func:`resolve_clusters`) do not depend on the order in which documents arrive.
    """
    feats = features if features is not None else batch_features(batch, cfg)
    n = len(feats.doc_ids)
    if n == 0:
        return BatchResult([], _empty(schemas.DEDUP_INDEX), _empty(schemas.DEDUP_SIGNATURES))
    doc_ids, shas, sigs, bands, has_sig = feats.doc_ids, feats.shas, feats.sigs, feats.bands, feats.has_sig
    dkeys = np.array([doc_key(d) for d in doc_ids], dtype=_U64)
    has_url = np.array([h is not None for h in feats.url_hashes], dtype=np.bool_)
    has_text = np.array([h is not None for h in feats.text_hashes], dtype=np.bool_)
    ukeys = np.array([_key64(h) or 0 for h in feats.url_hashes], dtype=_U64)
    tkeys = np.array([_key64(h) or 0 for h in feats.text_hashes], dtype=_U64)

    if index.sigs is not None and index.num_perm != cfg.num_perm:
        raise ValueError(f"index holds {index.num_perm}-value signatures, settings ask for {cfg.num_perm}")
    base = index.rows
    inf = np.int64(n)
    # supersession: an index row is valid for batch documents before the first new version of its doc_id;
    # a batch row for documents after it and before the next version of its doc_id
    sup_rows_idx, sup_pos_idx = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    q, r = index.by_doc.lookup(dkeys)
    if len(q):
        live = index.alive.a[r]
        q, r = q[live], r[live]
        order = np.lexsort((q, r))
        r, q = r[order], q[order]
        first = np.ones(len(r), dtype=np.bool_)
        first[1:] = r[1:] != r[:-1]
        sup_rows_idx, sup_pos_idx = r[first], q[first]
    sup_batch = np.full(n, inf, dtype=np.int64)
    order = np.lexsort((np.arange(n), dkeys))
    same_next = dkeys[order][1:] == dkeys[order][:-1]
    sup_batch[order[:-1][same_next]] = order[1:][same_next]

    def valid(qq: np.ndarray, rr: np.ndarray) -> np.ndarray:
        """Whether row ``rr`` (index rows < base, batch rows base+k) was a live earlier document for ``qq``."""
        ok = np.zeros(len(qq), dtype=np.bool_)
        in_index = rr < base
        ri = rr[in_index]
        sup = np.full(len(ri), inf, dtype=np.int64)
        if len(sup_rows_idx) and len(ri):
            pos = np.searchsorted(sup_rows_idx, ri)
            pos_c = np.minimum(pos, len(sup_rows_idx) - 1)
            hit = sup_rows_idx[pos_c] == ri
            sup[hit] = sup_pos_idx[pos_c[hit]]
        ok[in_index] = index.alive.a[ri] & (qq[in_index] < sup)
        k = rr[~in_index] - base
        qb = qq[~in_index]
        ok[~in_index] = (k < qb) & (qb < sup_batch[k])
        return ok

    def pairs(post: _Postings, keys: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Candidate ``(query, row)`` pairs for ``keys`` (one or several per query) of queries in ``mask``."""
        flat = keys.reshape(len(keys), -1)
        qsel = np.flatnonzero(mask)
        if not len(qsel):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        width = flat.shape[1]
        qkeys = flat[qsel].reshape(-1)
        owner = np.repeat(qsel, width)
        qi, rows = post.lookup(qkeys)
        q1, r1 = owner[qi], rows
        # the batch's own keys, as rows base + k
        bkeys = flat[mask].reshape(-1)
        brows = np.repeat(np.flatnonzero(mask), width) + base
        border = np.argsort(bkeys, kind="stable")
        bq, bpos = _match_sorted(bkeys[border], qkeys)
        q2, r2 = owner[bq], brows[border][bpos]
        qq, rr = np.concatenate([q1, q2]), np.concatenate([r1, r2])
        ok = valid(qq, rr)
        return qq[ok], rr[ok]

    uq, ur = pairs(index.by_url, ukeys, has_url)
    url_first = _first_per_query(uq, ur, n)
    tq, tr = pairs(index.by_text, tkeys, has_text)
    text_first = _first_per_query(tq, tr, n)

    # near-duplicate edges
    bq, br = pairs(index.by_band, bands, has_sig)
    edge_q = np.zeros(0, dtype=np.int64)
    edge_r = np.zeros(0, dtype=np.int64)
    edge_s = np.zeros(0, dtype=np.float64)
    if len(bq):
        uniq = np.unique(bq * np.int64(base + n + 1) + br)
        bq, br = uniq // np.int64(base + n + 1), uniq % np.int64(base + n + 1)
        all_tkeys = np.concatenate([index.text_key.a, np.where(has_text, tkeys, 0).astype(_U64)])
        rkeys = all_tkeys[br]
        keep = rkeys != np.where(has_text, tkeys, 0).astype(_U64)[bq]  # same text: an exact edge already
        bq, br, rkeys = bq[keep], br[keep], rkeys[keep]
        # one candidate per (query, distinct text): the earliest seen row with that text
        order = np.lexsort((br, rkeys, bq))
        bq, br, rkeys = bq[order], br[order], rkeys[order]
        first = np.ones(len(bq), dtype=np.bool_)
        first[1:] = (bq[1:] != bq[:-1]) | (rkeys[1:] != rkeys[:-1])
        bq, br = bq[first], br[first]
        idx_sigs = index.sigs.a if index.sigs is not None else np.zeros((0, cfg.num_perm), dtype=np.uint32)
        sims = np.empty(len(bq), dtype=np.float64)
        step = 65536
        for s in range(0, len(bq), step):
            rr = br[s : s + step]
            other = np.empty((len(rr), cfg.num_perm), dtype=np.uint32)
            old = rr < base
            other[old] = idx_sigs[rr[old]]
            other[~old] = sigs[rr[~old] - base]
            sims[s : s + step] = np.count_nonzero(other == sigs[bq[s : s + step]], axis=1) / cfg.num_perm
        ok = sims >= cfg.threshold
        edge_q, edge_r, edge_s = bq[ok], br[ok], sims[ok]
        order = np.lexsort((edge_r, -edge_s, edge_q))
        edge_q, edge_r, edge_s = edge_q[order], edge_r[order], edge_s[order]
        if len(edge_q):  # cap per query
            starts = np.flatnonzero(np.r_[True, edge_q[1:] != edge_q[:-1]])
            rank = np.arange(len(edge_q)) - np.repeat(starts, np.diff(np.r_[starts, len(edge_q)]))
            keep = rank < MAX_NEAR_EDGES
            edge_q, edge_r, edge_s = edge_q[keep], edge_r[keep], edge_s[keep]

    # doc_id / sha of every referenced row
    ref_rows = np.unique(np.concatenate([url_first[url_first >= 0], text_first[text_first >= 0], edge_r]))
    idx_ref = ref_rows[ref_rows < base]
    ref_doc: dict[int, str] = dict(zip(idx_ref.tolist(), index.doc_ids(idx_ref), strict=True))
    ref_sha: dict[int, str] = dict(zip(idx_ref.tolist(), index.shas(idx_ref), strict=True))
    for rrow in ref_rows[ref_rows >= base].tolist():
        ref_doc[rrow], ref_sha[rrow] = doc_ids[rrow - base], shas[rrow - base]

    edges_by_q: dict[int, list[tuple[int, float]]] = {}
    for qq, rr, ss in zip(edge_q.tolist(), edge_r.tolist(), edge_s.tolist(), strict=True):
        edges_by_q.setdefault(qq, []).append((rr, ss))

    rows_out: list[dict[str, Any]] = []
    for i in range(n):
        match: str | None = None
        kind: str | None = None
        similarity: float | None = None
        if url_first[i] >= 0:
            match, kind, similarity = ref_doc[int(url_first[i])], "url", 1.0
        elif text_first[i] >= 0:
            match, kind, similarity = ref_doc[int(text_first[i])], "exact", 1.0
        near = edges_by_q.get(i, [])
        if match is None and near:  # sorted: most similar first, then earliest seen
            match, kind, similarity = ref_doc[near[0][0]], "near", near[0][1]
        rows_out.append(
            {
                "doc_id": doc_ids[i],
                "content_sha256": shas[i],
                "article_id": article_id_for(feats.canons[i], doc_ids[i]),
                "canonical_url": feats.canons[i],
                "url_hash": feats.url_hashes[i],
                "text_hash": feats.text_hashes[i],
                "published_at": feats.published[i],
                "body_chars": feats.body_chars[i],
                "match_doc_id": match,
                "match_kind": kind,
                "similarity": similarity,
                "near_matches": [
                    {"doc_id": ref_doc[rr], "content_sha256": ref_sha[rr], "similarity": ss} for rr, ss in near
                ],
                "dedup_version": DEDUP_VERSION,
            }
        )

    # add the batch to the index
    live = sup_batch == inf
    doc_arr = pa.array(doc_ids, type=pa.string())
    sha_arr = pa.array(shas, type=pa.string())
    index.kill(sup_rows_idx)
    index.append(doc_arr, sha_arr, dkeys, ukeys, has_url, tkeys, has_text, sigs, has_sig, bands, alive=live)

    index_table = pa.table(
        {
            "doc_id": doc_arr,
            "content_sha256": sha_arr,
            "doc_key": pa.array(dkeys, type=pa.uint64()),
            "url_key": pa.array(ukeys, type=pa.uint64(), mask=~has_url),
            "text_key": pa.array(tkeys, type=pa.uint64(), mask=~has_text),
            "band_hashes": _list_array(bands, has_sig, pa.uint64()),
        },
        schema=schemas.DEDUP_INDEX,
    )
    signed = np.flatnonzero(has_sig)
    sig_table = pa.table(
        {
            "doc_id": doc_arr.take(signed),
            "content_sha256": sha_arr.take(signed),
            "signature": _list_array(sigs[signed], np.ones(len(signed), dtype=np.bool_), pa.uint32()),
        },
        schema=schemas.DEDUP_SIGNATURES,
    )
    return BatchResult(rows_out, index_table, sig_table)


def _empty(schema: pa.Schema) -> pa.Table:
    return schema.empty_table()


def _list_array(matrix: np.ndarray, valid: np.ndarray, value_type: pa.DataType) -> pa.Array:
    """A list array of the rows of ``matrix`` (null where ``valid`` is false)."""
    n, width = matrix.shape
    offsets: Any = pa.array(np.arange(0, (n + 1) * width, width, dtype=np.int32))
    values: Any = pa.array(matrix.reshape(-1), type=value_type)
    mask: Any = None if valid.all() else pa.array(~np.asarray(valid, dtype=np.bool_))
    return pa.ListArray.from_arrays(offsets, values, mask=mask)
