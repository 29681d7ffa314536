"""The dedup index: what earlier documents left behind (keys, signatures, band hashes) as numpy arrays and
sorted posting runs, rebuilt from the stored tables with Arrow joins."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tasks.config import DedupConfig
from tasks.dedup.minhash import _U64, band_matrix
from tasks.dedup.text import _sha256


def _key64(hex_digest: str | None) -> int | None:
    """The first 64 bits of a hex digest (index keys; a false match needs a 2^-64 collision)."""
    return int(hex_digest[:16], 16) if hex_digest else None


#: ``published`` of a document without a publication date: ranks after every dated one.
UNKNOWN_PUBLISHED = np.iinfo(np.int64).max


def published_us(values: Any) -> np.ndarray:
    """Publication times (datetimes, or an Arrow timestamp array) as int64 microseconds since the epoch,
    :data:`UNKNOWN_PUBLISHED` where unknown: the first element of a document's rank (see ``matches``)."""
    if isinstance(values, pa.ChunkedArray | pa.Array):
        arr: Any = values.cast(pa.timestamp("us", tz="UTC")).cast(pa.int64())
        return np.asarray(arr.fill_null(UNKNOWN_PUBLISHED).to_numpy(zero_copy_only=False), dtype=np.int64)
    out = np.full(len(values), UNKNOWN_PUBLISHED, dtype=np.int64)
    for i, v in enumerate(values):
        if v is not None:
            out[i] = round(v.timestamp() * 1_000_000)
    return out


def doc_key(doc_id: str) -> int:
    """64-bit key of a doc_id (first 8 bytes of its SHA-256), used to find earlier versions in the index."""
    return int(_sha256(doc_id)[:16], 16)


class _Grow:
    """A numpy array that grows along axis 0 with amortised O(1) appends."""

    def __init__(self, dtype: Any, width: int | None = None) -> None:
        self.width = width
        self.n = 0
        shape = (16, width) if width else (16,)
        self.buf = np.zeros(shape, dtype=dtype)

    def extend(self, values: np.ndarray) -> None:
        need = self.n + len(values)
        if need > len(self.buf):
            cap = max(need, 2 * len(self.buf))
            shape = (cap, self.width) if self.width else (cap,)
            new = np.zeros(shape, dtype=self.buf.dtype)
            new[: self.n] = self.buf[: self.n]
            self.buf = new
        self.buf[self.n : need] = values
        self.n = need

    @property
    def a(self) -> np.ndarray:
        return self.buf[: self.n]


class _Postings:
    """key (uint64) → row numbers, as a few sorted runs (a log-structured merge: a new run is merged with the
    previous one while it is at least half as large, so there are O(log n) runs and appends stay cheap)."""

    def __init__(self) -> None:
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []

    def __len__(self) -> int:
        return sum(len(k) for k, _ in self.runs)

    def add(self, keys: np.ndarray, rows: np.ndarray) -> None:
        if not len(keys):
            return
        order = np.argsort(keys, kind="stable")
        self.runs.append((np.asarray(keys, dtype=_U64)[order], np.asarray(rows, dtype=np.int64)[order]))
        while len(self.runs) > 1 and len(self.runs[-1][0]) * 2 >= len(self.runs[-2][0]):
            (k2, r2), (k1, r1) = self.runs.pop(), self.runs.pop()
            keys_all, rows_all = np.concatenate([k1, k2]), np.concatenate([r1, r2])
            order = np.argsort(keys_all, kind="stable")
            self.runs.append((keys_all[order], rows_all[order]))

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All ``(i, row)`` with ``keys[i]`` stored for ``row``."""
        qs, rs = [], []
        for run_keys, run_rows in self.runs:
            q, pos = _match_sorted(run_keys, keys)
            qs.append(q)
            rs.append(run_rows[pos])
        if not qs:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(qs), np.concatenate(rs)


def _match_sorted(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(i, j)`` with ``keys[i] == sorted_keys[j]``, vectorised (searchsorted + ragged expansion)."""
    keys = np.asarray(keys, dtype=_U64)
    lo = np.searchsorted(sorted_keys, keys, side="left")
    hi = np.searchsorted(sorted_keys, keys, side="right")
    counts = hi - lo
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    q = np.repeat(np.arange(len(keys), dtype=np.int64), counts)
    starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
    return q, np.arange(total, dtype=np.int64) + starts


class DedupIndex:
    """What earlier documents left behind, for matching new ones, held as numpy arrays (one row per document
    version in the order seen, no Python object per document): 64-bit keys of ``doc_id``, ``url_hash`` and
    ``text_hash``, the MinHash signature matrix, LSH band hashes, and sorted posting runs from each key to its
    rows (:class:`_Postings`). doc_ids themselves stay in Arrow arrays and are looked up only for matches.

    Holds one live version per doc_id: when a new version of a document arrives the old row is marked dead,
    so a re-fetched document never matches itself (or its own stale text).
    """

    def __init__(self, num_perm: int | None = None) -> None:
        self.num_perm = num_perm
        self._doc_chunks: list[pa.Array] = []
        self._sha_chunks: list[pa.Array] = []
        self._doc_ids: pa.ChunkedArray | None = None
        self._shas: pa.ChunkedArray | None = None
        self.doc_key = _Grow(_U64)
        self.text_key = _Grow(_U64)
        self.alive = _Grow(np.bool_)
        self.published = _Grow(np.int64)  # µs since the epoch, UNKNOWN_PUBLISHED when unknown
        self.body_chars = _Grow(np.int64)
        self.has_sig = _Grow(np.bool_)
        self.sigs: _Grow | None = _Grow(np.uint32, num_perm) if num_perm else None
        self.by_doc = _Postings()
        self.by_url = _Postings()
        self.by_text = _Postings()
        self.by_band = _Postings()

    def __len__(self) -> int:
        return int(self.alive.a.sum())

    @property
    def rows(self) -> int:
        return self.alive.n

    def nbytes(self) -> int:
        """Bytes held by the index's arrays (capacity included) and Arrow id columns."""
        arrays = [self.doc_key, self.text_key, self.alive, self.published, self.body_chars, self.has_sig]
        arrays += [self.sigs] if self.sigs else []
        total = sum(g.buf.nbytes for g in arrays)
        for post in (self.by_doc, self.by_url, self.by_text, self.by_band):
            total += sum(k.nbytes + r.nbytes for k, r in post.runs)
        total += sum(c.nbytes for c in self._doc_chunks) + sum(c.nbytes for c in self._sha_chunks)
        return total

    def doc_ids(self, rows: np.ndarray) -> list[str]:
        if self._doc_ids is None:
            self._doc_ids = pa.chunked_array(self._doc_chunks, type=pa.string())
        return [str(v) for v in self._doc_ids.take(np.asarray(rows, dtype=np.int64)).to_pylist()]

    def shas(self, rows: np.ndarray) -> list[str]:
        if self._shas is None:
            self._shas = pa.chunked_array(self._sha_chunks, type=pa.string())
        return [str(v) for v in self._shas.take(np.asarray(rows, dtype=np.int64)).to_pylist()]

    def signature(self, row: int) -> np.ndarray | None:
        if self.sigs is None or not self.has_sig.a[row]:
            return None
        return self.sigs.a[row]

    def append(
        self,
        doc_ids: pa.Array,
        shas: pa.Array,
        doc_keys: np.ndarray,
        url_keys: np.ndarray,
        has_url: np.ndarray,
        text_keys: np.ndarray,
        has_text: np.ndarray,
        sigs: np.ndarray | None,
        has_sig: np.ndarray,
        bands: np.ndarray | None,
        alive: np.ndarray | None = None,
        published: np.ndarray | None = None,
        body_chars: np.ndarray | None = None,
    ) -> None:
        """Append rows (all arrays aligned; ``sigs``/``bands`` rows where ``has_sig`` is false are ignored;
        ``published``/``body_chars`` rank the documents, unknown/0 when not given)."""
        n = len(doc_keys)
        if n == 0:
            return
        start = self.rows
        rows = np.arange(start, start + n, dtype=np.int64)
        live = np.ones(n, dtype=np.bool_) if alive is None else np.asarray(alive, dtype=np.bool_)
        self._doc_chunks.append(doc_ids)
        self._sha_chunks.append(shas)
        self._doc_ids = self._shas = None
        self.doc_key.extend(doc_keys)
        self.text_key.extend(np.where(has_text, text_keys, 0).astype(_U64))
        self.alive.extend(live)
        self.published.extend(np.full(n, UNKNOWN_PUBLISHED, dtype=np.int64) if published is None else published)
        self.body_chars.extend(np.zeros(n, dtype=np.int64) if body_chars is None else body_chars)
        self.has_sig.extend(has_sig & live)
        if sigs is not None and len(sigs) and self.sigs is None:
            self.num_perm = sigs.shape[1]
            self.sigs = _Grow(np.uint32, self.num_perm)
            self.sigs.extend(np.zeros((start, self.num_perm), dtype=np.uint32))
        if self.sigs is not None:
            block = np.zeros((n, self.sigs.width or 0), dtype=np.uint32)
            if sigs is not None and len(sigs):
                block[has_sig] = sigs[has_sig]
            self.sigs.extend(block)
        self.by_doc.add(doc_keys[live], rows[live])
        self.by_url.add(url_keys[live & has_url], rows[live & has_url])
        self.by_text.add(text_keys[live & has_text], rows[live & has_text])
        signed = live & has_sig
        if bands is not None and signed.any():
            b = bands[signed]
            self.by_band.add(b.reshape(-1), np.repeat(rows[signed], b.shape[1]))

    def kill(self, rows: np.ndarray) -> None:
        if len(rows):
            self.alive.a[rows] = False
            self.has_sig.a[rows] = False

    @classmethod
    def from_tables(
        cls,
        deduplicated: pa.Table | None = None,
        index: pa.Table | None = None,
        signatures: pa.Table | None = None,
        cfg: DedupConfig | None = None,
    ) -> DedupIndex:
        """Rebuild the index from stored tables (``DEDUPLICATED``, ``DEDUP_INDEX``, ``DEDUP_SIGNATURES``; any may
        be ``None`` or empty), with Arrow joins and numpy, no Python object per row. The current version of each
        doc_id is its last row in ``deduplicated``; index and signature rows are matched to it by
        ``(doc_id, content_sha256)`` (rows of other versions, and rows a killed run left without a
        deduplicated row, are ignored). Band hashes missing from ``index`` are recomputed from the signature
        (with ``cfg``)."""
        num_perm = cfg.num_perm if cfg else None
        if signatures is not None and signatures.num_rows and num_perm is None:
            num_perm = len(signatures.column("signature")[0])
        self = cls(num_perm)
        if deduplicated is None or deduplicated.num_rows == 0:
            return self
        rank_cols = [c for c in ("published_at", "body_chars") if c in deduplicated.column_names]
        cur = _last_per_doc(deduplicated.select(["doc_id", "content_sha256", *rank_cols]))
        n = cur.num_rows
        keys = ["doc_id", "content_sha256"]
        if index is not None and index.num_rows:
            idx = _last_per_key(index.select([*keys, "doc_key", "url_key", "text_key"]), "_ipos")
            cur = _left_join_sorted(cur, idx, keys)
        else:
            for c in ("doc_key", "url_key", "text_key", "_ipos"):
                cur = cur.append_column(c, pa.nulls(n, pa.uint64() if c != "_ipos" else pa.int64()))
        sig_pos = None
        if signatures is not None and signatures.num_rows:
            spos = _last_per_key(signatures.select(keys), "_spos")
            cur = _left_join_sorted(cur, spos, keys)
            sig_pos = cur.column("_spos")
        doc_ids = cur.column("doc_id").combine_chunks()
        dkeys = cur.column("doc_key")
        if dkeys.null_count:  # no index row: recompute from the doc_id
            dk = np.array([doc_key(str(d)) for d in doc_ids.to_pylist()], dtype=_U64)
        else:
            dk = dkeys.to_numpy().astype(_U64)
        url: Any = cur.column("url_key")
        text: Any = cur.column("text_key")
        has_url = url.is_valid().to_numpy(zero_copy_only=False)
        has_text = text.is_valid().to_numpy(zero_copy_only=False)
        url_np = url.fill_null(pa.scalar(0, pa.uint64())).to_numpy().astype(_U64)
        text_np = text.fill_null(pa.scalar(0, pa.uint64())).to_numpy().astype(_U64)
        sigs = None
        has_sig = np.zeros(n, dtype=np.bool_)
        bands = None
        if sig_pos is not None and num_perm:
            has_sig = sig_pos.is_valid().to_numpy(zero_copy_only=False)
            assert signatures is not None
            sig_col: Any = signatures.column("signature")
            taken: Any = sig_col.take(_fill0(sig_pos)).combine_chunks()
            flat = taken.flatten().to_numpy().astype(np.uint32)
            sigs = flat.reshape(n, num_perm)
            bands_cfg = cfg or DedupConfig(num_perm=num_perm, bands=_stored_band_count(index, num_perm))
            bands = _stored_bands(index, cur, bands_cfg, sigs, has_sig)
        self.append(
            doc_ids,
            cur.column("content_sha256").combine_chunks(),
            dk,
            url_np,
            has_url,
            text_np,
            has_text,
            sigs,
            has_sig,
            bands,
            published=published_us(cur.column("published_at")) if "published_at" in rank_cols else None,
            body_chars=_int_column(cur, "body_chars") if "body_chars" in rank_cols else None,
        )
        return self


def _stored_band_count(index: pa.Table | None, num_perm: int) -> int:
    """Number of bands the stored index was built with (the default when it holds none)."""
    if index is not None and index.num_rows:
        lengths: Any = pc.list_value_length(index.column("band_hashes"))
        top = pc.max(lengths).as_py()
        if top:
            return int(top)
    d = DedupConfig()
    return d.bands if num_perm % d.bands == 0 else num_perm


def _stored_bands(
    index: pa.Table | None, cur: pa.Table, cfg: DedupConfig, sigs: np.ndarray, has_sig: np.ndarray
) -> np.ndarray:
    """Band hashes from the stored index when present with ``cfg.bands`` values, else from the signatures."""
    if index is not None and index.num_rows and "band_hashes" in index.column_names:
        ipos = cur.column("_ipos")
        band_col: Any = index.column("band_hashes")
        col: Any = band_col.take(_fill0(ipos)).combine_chunks()
        ok = ipos.is_valid().to_numpy(zero_copy_only=False) & col.is_valid().to_numpy(zero_copy_only=False)
        lengths = col.value_lengths().fill_null(0).to_numpy(zero_copy_only=False)
        if (ok | ~has_sig).all() and (lengths[has_sig] == cfg.bands).all():
            out = np.zeros((len(has_sig), cfg.bands), dtype=_U64)
            vals = col.filter(pa.array(has_sig)).flatten().to_numpy().astype(_U64)
            out[has_sig] = vals.reshape(-1, cfg.bands)
            return out
    return band_matrix(sigs, cfg)


def _last_per_doc(table: pa.Table) -> pa.Table:
    """The last row of each doc_id, in the order of those last rows."""
    pos = table.append_column("_pos", pa.array(np.arange(table.num_rows, dtype=np.int64)))
    last = pos.group_by("doc_id", use_threads=False).aggregate([("_pos", "max")])
    return table.take(pa.array(np.sort(last.column("_pos_max").to_numpy())))


def _last_per_key(table: pa.Table, name: str) -> pa.Table:
    """``(doc_id, content_sha256, …, name)``: per key the last row, ``name`` = its position in ``table``."""
    pos = table.append_column(name, pa.array(np.arange(table.num_rows, dtype=np.int64)))
    last = pos.group_by(["doc_id", "content_sha256"], use_threads=False).aggregate([(name, "max")])
    return pos.take(last.column(f"{name}_max"))


def _left_join_sorted(left: pa.Table, right: pa.Table, keys: list[str]) -> pa.Table:
    """``left`` left-joined with ``right`` on ``keys``, keeping ``left``'s row order."""
    ordered = left.append_column("_lpos", pa.array(np.arange(left.num_rows, dtype=np.int64)))
    joined = ordered.join(right, keys=keys, join_type="left outer", use_threads=False)
    return joined.sort_by("_lpos").drop_columns(["_lpos"])


def _int_column(table: pa.Table, name: str) -> np.ndarray:
    """An integer column as int64 numpy (nulls as 0)."""
    col: Any = table.column(name)
    return np.asarray(col.fill_null(0).to_numpy(), dtype=np.int64)


def _fill0(positions: Any) -> Any:
    """Null positions → 0 (their rows are masked out afterwards)."""
    return positions.fill_null(pa.scalar(0, pa.int64()))
