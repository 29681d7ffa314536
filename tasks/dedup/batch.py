"""Deduplicating one batch: the per-document features, the matches against the index and the batch itself,
and the rows and tables the stage writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa

from tasks import schemas
from tasks.config import DedupConfig
from tasks.dedup.index import DedupIndex, _key64, doc_key, published_us
from tasks.dedup.matches import _Earlier, _near_edges, _Ranks
from tasks.dedup.minhash import _U64, band_matrix, signature_matrix
from tasks.dedup.text import _WORD_RE, _sha256, normalize_text
from tasks.dedup.urls import canonical_url, is_http_url, url_key
from tasks.dedup.version import DEDUP_VERSION


def article_id_for(canonical: str | None, doc_id: str) -> str:
    """First 16 hex digits of SHA-256 of the canonical URL, else of the doc_id."""
    return _sha256(canonical or doc_id)[:16]


class BatchResult(NamedTuple):
    """What :func:`dedup_batch` returns: rows for ``DEDUPLICATED`` and tables for the index and the
    signatures."""

    rows: list[dict[str, Any]]
    index_table: pa.Table
    signatures: pa.Table


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

    Per document: ``match_doc_id``/``match_kind`` name, among the documents seen before it that rank before it
    (earlier published, then longer body, then smaller doc_id: :class:`tasks.dedup.matches._Ranks`), the
    best-ranked one with the same ``url_hash`` (``url``), else with the same ``text_hash`` (``exact``), else the
    most similar near-duplicate (``near``; ties: the earliest seen). The direction of a match therefore does not
    depend on the order in which documents arrive, and deduplicating documents again (``rerun --from parse``)
    never makes two copies each other's match. Near-duplicates are LSH candidates (sharing a band hash) whose signature
    estimate is ≥ ``cfg.threshold``; *all* of them (up to :data:`MAX_NEAR_EDGES`, the most similar first, one
    per distinct text) are listed in ``near_matches``, also for documents that have a URL or exact match, so
    that clusters (:func:`resolve_clusters`) do not depend on the order in which documents arrive.
    """
    feats = features if features is not None else batch_features(batch, cfg)
    n = len(feats.doc_ids)
    if n == 0:
        return BatchResult([], _empty(schemas.DEDUP_INDEX), _empty(schemas.DEDUP_SIGNATURES))
    keys = _batch_keys(feats)
    if index.sigs is not None and index.num_perm != cfg.num_perm:
        raise ValueError(f"index holds {index.num_perm}-value signatures, settings ask for {cfg.num_perm}")
    earlier = _Earlier(index, keys.doc)
    published = published_us(feats.published)
    body_chars = np.asarray(feats.body_chars, dtype=np.int64)
    ranks = _Ranks(earlier, feats.doc_ids, published, body_chars)
    url_first = ranks.first_before(*earlier.pairs(index.by_url, keys.url, keys.has_url), n)
    text_first = ranks.first_before(*earlier.pairs(index.by_text, keys.text, keys.has_text), n)
    edges = _near_edges(earlier, feats.sigs, feats.bands, feats.has_sig, keys.text, keys.has_text, cfg)
    rows_out = _output_rows(feats, earlier, url_first, text_first, edges, ranks.before(edges[0], edges[1]))

    # add the batch to the index
    doc_arr = pa.array(feats.doc_ids, type=pa.string())
    sha_arr = pa.array(feats.shas, type=pa.string())
    index.kill(earlier.sup_rows_idx)
    index.append(
        doc_arr,
        sha_arr,
        keys.doc,
        keys.url,
        keys.has_url,
        keys.text,
        keys.has_text,
        feats.sigs,
        feats.has_sig,
        feats.bands,
        alive=earlier.live,
        published=published,
        body_chars=body_chars,
    )
    return BatchResult(rows_out, _index_table(doc_arr, sha_arr, keys, feats), _signature_table(doc_arr, sha_arr, feats))


class _Keys(NamedTuple):
    """64-bit index keys of a batch's documents (``url``/``text`` are 0 where ``has_url``/``has_text`` is false)."""

    doc: np.ndarray
    url: np.ndarray
    has_url: np.ndarray
    text: np.ndarray
    has_text: np.ndarray


def _batch_keys(feats: Features) -> _Keys:
    return _Keys(
        np.array([doc_key(d) for d in feats.doc_ids], dtype=_U64),
        np.array([_key64(h) or 0 for h in feats.url_hashes], dtype=_U64),
        np.array([h is not None for h in feats.url_hashes], dtype=np.bool_),
        np.array([_key64(h) or 0 for h in feats.text_hashes], dtype=_U64),
        np.array([h is not None for h in feats.text_hashes], dtype=np.bool_),
    )


def _output_rows(
    feats: Features,
    earlier: _Earlier,
    url_first: np.ndarray,
    text_first: np.ndarray,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
    edge_before: np.ndarray,
) -> list[dict[str, Any]]:
    """One ``DEDUPLICATED`` row per document: its ``url`` match, else its ``exact`` match, else its most similar
    ``near`` match that ranks before it (``edge_before``), and all near-duplicate edges."""
    doc_ids, shas = feats.doc_ids, feats.shas
    edge_q, edge_r, edge_s = edges
    ref_doc, ref_sha = _referenced(earlier, doc_ids, shas, url_first, text_first, edge_r)
    edges_by_q: dict[int, list[tuple[int, float]]] = {}
    near_first: dict[int, tuple[int, float]] = {}
    for qq, rr, ss, bb in zip(edge_q.tolist(), edge_r.tolist(), edge_s.tolist(), edge_before.tolist(), strict=True):
        edges_by_q.setdefault(qq, []).append((rr, ss))
        if bb and qq not in near_first:
            near_first[qq] = (rr, ss)

    rows_out: list[dict[str, Any]] = []
    for i in range(len(doc_ids)):
        match: str | None = None
        kind: str | None = None
        similarity: float | None = None
        if url_first[i] >= 0:
            match, kind, similarity = ref_doc[int(url_first[i])], "url", 1.0
        elif text_first[i] >= 0:
            match, kind, similarity = ref_doc[int(text_first[i])], "exact", 1.0
        near = edges_by_q.get(i, [])
        if match is None and i in near_first:  # sorted: most similar first, then earliest seen
            match, kind, similarity = ref_doc[near_first[i][0]], "near", near_first[i][1]
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
    return rows_out


def _referenced(
    earlier: _Earlier,
    doc_ids: list[str],
    shas: list[str],
    url_first: np.ndarray,
    text_first: np.ndarray,
    edge_r: np.ndarray,
) -> tuple[dict[int, str], dict[int, str]]:
    """doc_id and content_sha256 of every row a match refers to (index rows read once, from Arrow)."""
    base = earlier.base
    ref_rows = np.unique(np.concatenate([url_first[url_first >= 0], text_first[text_first >= 0], edge_r]))
    idx_ref = ref_rows[ref_rows < base]
    ref_doc: dict[int, str] = dict(zip(idx_ref.tolist(), earlier.index.doc_ids(idx_ref), strict=True))
    ref_sha: dict[int, str] = dict(zip(idx_ref.tolist(), earlier.index.shas(idx_ref), strict=True))
    for rrow in ref_rows[ref_rows >= base].tolist():
        ref_doc[rrow], ref_sha[rrow] = doc_ids[rrow - base], shas[rrow - base]
    return ref_doc, ref_sha


def _index_table(doc_arr: pa.Array, sha_arr: pa.Array, keys: _Keys, feats: Features) -> pa.Table:
    """The batch's ``DEDUP_INDEX`` rows."""
    return pa.table(
        {
            "doc_id": doc_arr,
            "content_sha256": sha_arr,
            "doc_key": pa.array(keys.doc, type=pa.uint64()),
            "url_key": pa.array(keys.url, type=pa.uint64(), mask=~keys.has_url),
            "text_key": pa.array(keys.text, type=pa.uint64(), mask=~keys.has_text),
            "band_hashes": _list_array(feats.bands, feats.has_sig, pa.uint64()),
        },
        schema=schemas.DEDUP_INDEX,
    )


def _signature_table(doc_arr: pa.Array, sha_arr: pa.Array, feats: Features) -> pa.Table:
    """The batch's ``DEDUP_SIGNATURES`` rows (documents with a signature)."""
    signed = np.flatnonzero(feats.has_sig)
    return pa.table(
        {
            "doc_id": doc_arr.take(signed),
            "content_sha256": sha_arr.take(signed),
            "signature": _list_array(feats.sigs[signed], np.ones(len(signed), dtype=np.bool_), pa.uint32()),
        },
        schema=schemas.DEDUP_SIGNATURES,
    )


def _empty(schema: pa.Schema) -> pa.Table:
    return schema.empty_table()


def _list_array(matrix: np.ndarray, valid: np.ndarray, value_type: pa.DataType) -> pa.Array:
    """A list array of the rows of ``matrix`` (null where ``valid`` is false)."""
    n, width = matrix.shape
    offsets: Any = pa.array(np.arange(0, (n + 1) * width, width, dtype=np.int32))
    values: Any = pa.array(matrix.reshape(-1), type=value_type)
    mask: Any = None if valid.all() else pa.array(~np.asarray(valid, dtype=np.bool_))
    return pa.ListArray.from_arrays(offsets, values, mask=mask)
