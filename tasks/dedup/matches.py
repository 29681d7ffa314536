"""Which earlier documents each document of a batch duplicates, vectorised over the batch.

Rows are numbered as one sequence: the index's rows ``0 … base-1``, then the batch's own documents ``base + k``.
:class:`_Earlier` decides which of those rows count as live earlier documents for a batch document (a newer
version of a doc_id supersedes the older one) and finds the ``(document, row)`` pairs sharing a key;
:func:`_first_per_query` picks the first ``url``/``exact`` match, :func:`_near_edges` the near-duplicates.
"""

from __future__ import annotations

import numpy as np

from tasks.config import DedupConfig
from tasks.dedup.index import DedupIndex, _match_sorted, _Postings
from tasks.dedup.minhash import _U64

#: At most this many near-duplicate edges are recorded per document (the most similar ones). Beyond it a
#: cluster's shape could depend on processing order; 50 copies of one wire story are still fully connected.
MAX_NEAR_EDGES = 50


def _first_per_query(q: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """Per query the smallest row (-1 when none)."""
    out = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(out, q, rows)
    out[out == np.iinfo(np.int64).max] = -1
    return out


class _Earlier:
    """The rows that were live earlier documents for each document of a batch (``doc_keys``, in order).

    Supersession: an index row is valid for batch documents before the first new version of its doc_id
    (``sup_rows_idx`` → ``sup_pos_idx``); a batch row for documents after it and before the next version of its
    doc_id (``sup_batch``, ``n`` = none).
    """

    def __init__(self, index: DedupIndex, doc_keys: np.ndarray) -> None:
        n = len(doc_keys)
        self.index = index
        self.base = index.rows
        self.inf = np.int64(n)
        self.sup_rows_idx, self.sup_pos_idx = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        q, r = index.by_doc.lookup(doc_keys)
        if len(q):
            live = index.alive.a[r]
            q, r = q[live], r[live]
            order = np.lexsort((q, r))
            r, q = r[order], q[order]
            first = np.ones(len(r), dtype=np.bool_)
            first[1:] = r[1:] != r[:-1]
            self.sup_rows_idx, self.sup_pos_idx = r[first], q[first]
        self.sup_batch = np.full(n, self.inf, dtype=np.int64)
        order = np.lexsort((np.arange(n), doc_keys))
        same_next = doc_keys[order][1:] == doc_keys[order][:-1]
        self.sup_batch[order[:-1][same_next]] = order[1:][same_next]

    @property
    def live(self) -> np.ndarray:
        """Batch documents that no later document of the batch supersedes (they stay live in the index)."""
        return self.sup_batch == self.inf

    def valid(self, qq: np.ndarray, rr: np.ndarray) -> np.ndarray:
        """Whether row ``rr`` (index rows < base, batch rows base+k) was a live earlier document for ``qq``."""
        base, inf = self.base, self.inf
        ok = np.zeros(len(qq), dtype=np.bool_)
        in_index = rr < base
        ri = rr[in_index]
        sup = np.full(len(ri), inf, dtype=np.int64)
        if len(self.sup_rows_idx) and len(ri):
            pos = np.searchsorted(self.sup_rows_idx, ri)
            pos_c = np.minimum(pos, len(self.sup_rows_idx) - 1)
            hit = self.sup_rows_idx[pos_c] == ri
            sup[hit] = self.sup_pos_idx[pos_c[hit]]
        ok[in_index] = self.index.alive.a[ri] & (qq[in_index] < sup)
        k = rr[~in_index] - base
        qb = qq[~in_index]
        ok[~in_index] = (k < qb) & (qb < self.sup_batch[k])
        return ok

    def pairs(self, post: _Postings, keys: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
        brows = np.repeat(np.flatnonzero(mask), width) + self.base
        border = np.argsort(bkeys, kind="stable")
        bq, bpos = _match_sorted(bkeys[border], qkeys)
        q2, r2 = owner[bq], brows[border][bpos]
        qq, rr = np.concatenate([q1, q2]), np.concatenate([r1, r2])
        ok = self.valid(qq, rr)
        return qq[ok], rr[ok]


def _near_edges(
    earlier: _Earlier,
    sigs: np.ndarray,
    bands: np.ndarray,
    has_sig: np.ndarray,
    text_keys: np.ndarray,
    has_text: np.ndarray,
    cfg: DedupConfig,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Near-duplicate edges ``(query, row, similarity)``: earlier rows sharing an LSH band with the query whose
    signature estimate is ≥ ``cfg.threshold``, one per distinct text other than the query's own, per query the
    most similar first (ties: the earliest row) and at most :data:`MAX_NEAR_EDGES`."""
    bq, br = earlier.pairs(earlier.index.by_band, bands, has_sig)
    if not len(bq):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    bq, br = _one_per_text(earlier, bq, br, np.where(has_text, text_keys, 0).astype(_U64))
    sims = _similarities(earlier, bq, br, sigs, cfg)
    ok = sims >= cfg.threshold
    edge_q, edge_r, edge_s = bq[ok], br[ok], sims[ok]
    order = np.lexsort((edge_r, -edge_s, edge_q))
    edge_q, edge_r, edge_s = edge_q[order], edge_r[order], edge_s[order]
    if len(edge_q):  # cap per query
        starts = np.flatnonzero(np.r_[True, edge_q[1:] != edge_q[:-1]])
        rank = np.arange(len(edge_q)) - np.repeat(starts, np.diff(np.r_[starts, len(edge_q)]))
        keep = rank < MAX_NEAR_EDGES
        edge_q, edge_r, edge_s = edge_q[keep], edge_r[keep], edge_s[keep]
    return edge_q, edge_r, edge_s


def _one_per_text(
    earlier: _Earlier, bq: np.ndarray, br: np.ndarray, batch_text_keys: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct candidate pairs, without those of the query's own text (an exact edge already), and of the
    rest one per (query, distinct text): the earliest seen row with that text. ``batch_text_keys`` is 0 for
    documents without a ``text_hash``."""
    span = np.int64(earlier.base + len(batch_text_keys) + 1)
    uniq = np.unique(bq * span + br)
    bq, br = uniq // span, uniq % span
    all_tkeys = np.concatenate([earlier.index.text_key.a, batch_text_keys])
    rkeys = all_tkeys[br]
    keep = rkeys != batch_text_keys[bq]  # same text: an exact edge already
    bq, br, rkeys = bq[keep], br[keep], rkeys[keep]
    order = np.lexsort((br, rkeys, bq))
    bq, br, rkeys = bq[order], br[order], rkeys[order]
    first = np.ones(len(bq), dtype=np.bool_)
    first[1:] = (bq[1:] != bq[:-1]) | (rkeys[1:] != rkeys[:-1])
    return bq[first], br[first]


def _similarities(earlier: _Earlier, bq: np.ndarray, br: np.ndarray, sigs: np.ndarray, cfg: DedupConfig) -> np.ndarray:
    """MinHash estimate of each pair ``(batch document bq, row br)``, compared in blocks of 65,536 pairs."""
    index, base = earlier.index, earlier.base
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
    return sims


class _Ranks:
    """The order in which documents represent each other, so that the match a document records does not depend
    on the order in which documents arrive: the earlier publication (unknown dates last), then the longer body,
    then the smaller doc_id. It is :func:`tasks.dedup.resolve_clusters`' order for representatives without its
    URL tie-breaks (the index keeps no URLs). A document records as its match only an earlier-seen document that
    ranks before it; one that ranks first among its copies records none (clusters still join them through their
    shared keys and near edges). A rerun that deduplicates two copies again therefore writes the same direction
    as before, never a mutual pair."""

    def __init__(self, earlier: _Earlier, doc_ids: list[str], published: np.ndarray, body_chars: np.ndarray) -> None:
        self.earlier = earlier
        self.doc_ids = doc_ids
        self._published = (earlier.index.published.a, published)
        self._chars = (earlier.index.body_chars.a, np.asarray(body_chars, dtype=np.int64))
        self._ids: dict[int, str] = {}

    def _at(self, arrays: tuple[np.ndarray, np.ndarray], rows: np.ndarray) -> np.ndarray:
        """Values of rows numbered index rows first, then batch rows (no copy of the index's arrays)."""
        base = self.earlier.base
        out = np.empty(len(rows), dtype=np.int64)
        old = rows < base
        out[old] = arrays[0][rows[old]]
        out[~old] = arrays[1][rows[~old] - base]
        return out

    def _load(self, rows: list[int]) -> list[str]:
        base = self.earlier.base
        todo = sorted({r for r in rows if r not in self._ids and r < base})
        if todo:
            self._ids.update(zip(todo, self.earlier.index.doc_ids(np.array(todo, dtype=np.int64)), strict=True))
        for r in rows:
            if r >= base:
                self._ids[r] = self.doc_ids[r - base]
        return [self._ids[r] for r in rows]

    def before(self, q: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Whether row ``rows[i]`` ranks before batch document ``q[i]``."""
        qrow = q + self.earlier.base
        pq, pr = self._at(self._published, qrow), self._at(self._published, rows)
        cq, cr = self._at(self._chars, qrow), self._at(self._chars, rows)
        out = (pr < pq) | ((pr == pq) & (cr > cq))
        tie = np.flatnonzero((pr == pq) & (cr == cq))
        if len(tie):
            self._load([int(r) for r in rows[tie]])
            for i in tie.tolist():
                out[i] = self._ids[int(rows[i])] < self.doc_ids[int(q[i])]
        return out

    def first_before(self, q: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
        """Per batch document the best-ranked of its rows that rank before it (-1 when none)."""
        keep = self.before(q, rows)
        q, rows = q[keep], rows[keep]
        keys = zip(
            self._at(self._published, rows).tolist(),
            (-self._at(self._chars, rows)).tolist(),
            self._load(rows.tolist()),
            strict=True,
        )
        best: dict[int, tuple[tuple[int, int, str], int]] = {}
        for qq, rr, key in zip(q.tolist(), rows.tolist(), keys, strict=True):
            if qq not in best or key < best[qq][0]:
                best[qq] = (key, rr)
        out = np.full(n, -1, dtype=np.int64)
        for qq, (_, rr) in best.items():
            out[qq] = rr
        return out
