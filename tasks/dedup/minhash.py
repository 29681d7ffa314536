"""MinHash signatures and LSH bands: how similar two bodies' word-shingle sets are estimated to be, and which
pairs become candidates (see the package docstring for the chosen shingle size, permutations and bands)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import rensa

from tasks.config import DedupConfig
from tasks.dedup.text import words

#: Seed of the MinHash permutations. Fixed (like the word hash and the shingle/band mixing below) so that
#: signatures stored by earlier runs, other processes and other machines are comparable; changing any of them
#: requires a DEDUP_VERSION bump (rensa's own ALGORITHM_VERSION is part of DEDUP_VERSION, see version.py).
MINHASH_SEED = 1
MINHASH_SCHEME = f"rensa-RMinHash-v{rensa.RMinHash.ALGORITHM_VERSION}/fmix64-shingles"


_U64 = np.uint64
_FMIX_1 = _U64(0xFF51AFD7ED558CCD)
_FMIX_2 = _U64(0xC4CEB9FE1A85EC53)
_GOLDEN = _U64(0x9E3779B97F4A7C15)
_S33 = _U64(33)


def _fmix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser (a bijection with full avalanche), on a uint64 array, in place."""
    x ^= x >> _S33
    x *= _FMIX_1
    x ^= x >> _S33
    x *= _FMIX_2
    x ^= x >> _S33
    return x


def _chain(columns: Sequence[np.ndarray], start: np.ndarray | None = None) -> np.ndarray:
    """Order-sensitive 64-bit hash of equally long uint64 columns: ``h = fmix64(h * φ + c)`` per column."""
    h = np.array(columns[0], dtype=_U64, copy=True) if start is None else np.array(start, dtype=_U64, copy=True)
    rest = columns[1:] if start is None else columns
    with np.errstate(over="ignore"):
        for col in rest:
            h *= _GOLDEN
            h += col
            _fmix64(h)
    return h


def _word_hashes(word_lists: Sequence[Sequence[str]]) -> list[np.ndarray]:
    """rensa's stable 64-bit token hash of every word, one uint64 array per document."""
    if not word_lists:
        return []
    return [np.array(h, dtype=_U64) for h in rensa.RMinHash.hash_token_sets(word_lists)]


def _shingle_hashes(word_hashes: np.ndarray, size: int) -> np.ndarray:
    """64-bit hashes of the word ``size``-shingles of one document (fewer words than ``size``: one shingle of
    all of them). Equal shingles give equal hashes; distinct ones collide with probability ~2^-64."""
    n = len(word_hashes)
    if n == 0:
        return word_hashes
    if n <= size:
        return _chain([word_hashes[i : i + 1] for i in range(n)])
    m = n - size + 1
    return _chain([word_hashes[i : i + m] for i in range(size)])


def signature_matrix(word_lists: Sequence[Sequence[str]], cfg: DedupConfig) -> np.ndarray:
    """MinHash signatures (``len(word_lists)`` × ``cfg.num_perm``, uint32) of the word shingle sets.

    Words are hashed by rensa (``RMinHash.hash_token_sets``), shingles by chaining the word hashes through
    MurmurHash3's finaliser (numpy, no Python string per shingle), and the signatures computed by rensa's
    ``RMinHash`` (seed :data:`MINHASH_SEED`) from the flat shingle-hash buffer. Every list must be non-empty.
    """
    if not word_lists:
        return np.zeros((0, cfg.num_perm), dtype=np.uint32)
    parts = [_shingle_hashes(h, cfg.shingle_size) for h in _word_hashes(word_lists)]
    offsets = np.zeros(len(parts) + 1, dtype=_U64)
    np.cumsum([len(p) for p in parts], out=offsets[1:])
    flat = np.concatenate(parts)
    digests = rensa.RMinHash.digest_matrix_from_flat_token_hashes(flat, offsets, cfg.num_perm, MINHASH_SEED)
    return np.array(digests.to_rows(), dtype=np.uint32).reshape(len(parts), cfg.num_perm)


def minhash_signature(text: str | None, cfg: DedupConfig) -> list[int] | None:
    """MinHash signature (``cfg.num_perm`` unsigned 32-bit ints) of the word ``cfg.shingle_size``-shingles of
    ``text`` (see :func:`signature_matrix`); ``None`` when the text has fewer than ``cfg.min_words`` words."""
    ws = words(text)
    if len(ws) < max(1, cfg.min_words):
        return None
    return [int(v) for v in signature_matrix([ws], cfg)[0]]


def jaccard_estimate(a: Sequence[int] | np.ndarray, b: Sequence[int] | np.ndarray) -> float:
    """Share of equal positions of two signatures: the MinHash estimate of their sets' Jaccard similarity."""
    if len(a) != len(b) or not len(a):
        return 0.0
    return float(np.count_nonzero(np.asarray(a, dtype=_U64) == np.asarray(b, dtype=_U64)) / len(a))


def band_matrix(signatures: np.ndarray, cfg: DedupConfig) -> np.ndarray:
    """LSH band hashes (n × ``cfg.bands``, uint64) of a signature matrix: ``cfg.bands`` bands of
    ``num_perm / bands`` consecutive rows, each band's values chained through MurmurHash3's finaliser starting
    from a per-band seed, so that one sorted array can hold the keys of all bands. Two signatures share band
    *i*'s hash exactly when they agree on all its rows (barring a 2^-64 collision, which only adds a candidate
    that the signature comparison then rejects)."""
    if cfg.num_perm % cfg.bands:
        raise ValueError("num_perm must be a multiple of bands")
    sig = np.asarray(signatures)
    if sig.ndim != 2 or sig.shape[1] != cfg.num_perm:
        raise ValueError(f"signatures have shape {sig.shape}, expected (n, {cfg.num_perm})")
    rows = cfg.num_perm // cfg.bands
    cube = sig.astype(_U64).reshape(sig.shape[0], cfg.bands, rows)
    seeds = _fmix64(np.arange(1, cfg.bands + 1, dtype=_U64) * _GOLDEN)
    start = np.broadcast_to(seeds, (sig.shape[0], cfg.bands))
    return _chain([cube[:, :, j] for j in range(rows)], start=start)


def band_hashes(signature: Sequence[int], cfg: DedupConfig) -> list[int]:
    """The LSH band hashes of one signature (see :func:`band_matrix`)."""
    arr = np.asarray(signature, dtype=_U64)
    if arr.ndim != 1 or arr.shape[0] != cfg.num_perm:
        raise ValueError(f"signature has {arr.shape[0]} values, expected {cfg.num_perm}")
    return [int(v) for v in band_matrix(arr.reshape(1, -1), cfg)[0]]
