"""Deduplicate stage logic: canonical URLs, text normalisation, MinHash/LSH, the columnar index and clusters.

No Prefect and no file I/O: the Prefect task (``flows.stages.run_dedup_batch``) reads the stored tables, builds
a :class:`DedupIndex` (:meth:`DedupIndex.from_tables`), calls :func:`dedup_batch` per batch and writes what it
returns (``schemas.DEDUPLICATED`` rows, ``schemas.DEDUP_INDEX`` and ``schemas.DEDUP_SIGNATURES`` tables).

The package's modules, one decision each (every name is also importable from ``tasks.dedup`` itself):
``urls`` (which URLs name the same article), ``text`` (which bodies are the same text; words and shingles),
``minhash`` (signatures, similarity estimates and LSH bands), ``index`` (what earlier documents left behind),
``matches`` (which earlier documents a batch's document duplicates), ``batch`` (a batch's features, and the
rows and tables dedup writes for it), ``clusters`` (which documents form one article and which represents it),
``version`` (the version the output carries).

Three kinds of duplicate, checked for every document against everything seen before it (earlier runs through the
index, earlier documents of the same batch through the batch's own keys):

``url``
    same canonical URL (:func:`canonical_url`, compared through ``url_hash``, which also ignores the scheme
    and a leading ``www.``).
``exact``
    same normalised body text (:func:`normalize_text` → ``text_hash``).
``near``
    MinHash estimate of the Jaccard similarity of the bodies' word 5-shingle sets ≥ ``threshold`` among the
    candidates that share at least one LSH band. All such earlier documents are kept (``near_matches``), so
    clusters, the connected components of equal URL keys, equal texts and near matches, do not depend on the
    order or batching in which documents arrive.

MinHash: rensa's ``RMinHash`` (Rust) with a fixed seed over 64-bit shingle hashes: words hashed by rensa, the
*w* word hashes of a shingle chained through MurmurHash3's 64-bit finaliser in numpy (no Python string per
shingle). The issue measured rensa at ~3.5× datasketch's speed with better recall; here features cost ≈ 0.45 ms
CPU for a 5 KB body, of which MinHash is ≈ 30 µs (the rest is Python text normalisation and tokenisation).
Signatures are deterministic across processes and machines (a test pins one); ``DEDUP_VERSION`` carries
rensa's ``ALGORITHM_VERSION``.

Why these defaults (``tasks.config.DedupConfig``, measured with ``benchmarks/dedup_quality.py``)
-------------------------------------------------------------------------------------------------
* **5-word shingles.** Broder (1997, "On the resemblance and containment of documents") measures resemblance as
  the Jaccard similarity of the sets of contiguous word *w*-shingles; Leskovec, Rajaraman & Ullman, *Mining of
  Massive Datasets* (3rd ed., ch. 3.2) suggest k ≈ 5 for short documents such as news items. Shorter shingles
  are dominated by function words ("in the", "der die") that unrelated texts share; at w=5 field case C20 (an AP
  story republished with the dateline removed and a copyright line added) has J = 0.87 and a different story
  from the same feed and day J = 0. w=3 measured no better (P/R 0.994/0.995 vs 0.992/0.992 at 256 perms).
* **threshold 0.5.** On the benchmark's variants (trimmed lead or tail, boilerplate added or removed, headline
  and first paragraph rewritten, paragraphs reordered, 1–3 % word edits, one or two at a time) true J spans
  ≈ 0.55–0.98, while follow-ups reusing a third of an article stay ≤ 0.36 and other articles of the same site
  lower. The MinHash estimate errs only near the threshold (standard error ``sqrt(J(1-J)/n)``: 0.044 at J=0.5,
  n=128), so the threshold belongs in that sparse gap. 0.8, the first default, cut through the copies (3 %
  scattered word edits alone give J ≈ 0.75 at w=5): precision/recall 0.944/0.929; at 0.5: 0.992/0.984 (three
  seeds: 0.990–0.992 / 0.984). In words: a copy shares at least half of the union of both texts' 5-word runs,
  e.g. two thirds of a wire story plus its own lead and ending.
* **128 permutations, 32 bands × 4 rows.** MMDS ch. 3.4: a pair of similarity *s* becomes an LSH candidate with
  probability ``1 - (1 - s^r)^b``; b=32, r=4: s=0.3 → 0.23, 0.4 → 0.56, 0.5 → 0.87, 0.55 → 0.95, 0.6 → 0.988,
  0.7 → 0.9996. The 16 × 8 of the first version has its S-curve at ≈ 0.71, far above a 0.5 threshold. 192 or 256
  permutations (64 bands) add ≈ 0.6 points of recall for 1.5–2× the signature cost and index memory (512 B more
  per document and permutation step); 128 meets the target (≥ 0.98 / ≥ 0.97) with margin.

Candidates are verified with the MinHash *estimate*, not with an exact Jaccard of the texts: bodies of earlier
runs are not kept in the index, and deciding in-batch pairs exactly but cross-batch pairs by estimate would make
the result depend on how documents were split into batches.

The index (:class:`DedupIndex`) is numpy arrays and sorted posting runs, loaded from Parquet with Arrow joins;
a batch is matched with vectorised lookups (``searchsorted``), not per-document Python dict probes.
``benchmarks/dedup_scale.py`` measures it at 100,000 documents and projects 10 M / 100 M.

Bodies with fewer than ``min_words`` words get no signature and no ``text_hash`` (they only match by URL):
short stubs (paywall notices, "this video is not available") are identical across unrelated articles and must
not fold them into one.
"""

from tasks import package_face
from tasks.dedup.batch import (
    BatchResult,
    Features,
    _empty,
    _list_array,
    article_id_for,
    batch_features,
    concat_features,
    dedup_batch,
)
from tasks.dedup.clusters import (
    _iter_rows,
    _path_similarity,
    _rep_key,
    _signatures_for,
    _UnionFind,
    current_versions,
    resolve_clusters,
    text_identity,
)
from tasks.dedup.index import (
    DedupIndex,
    _fill0,
    _Grow,
    _key64,
    _last_per_doc,
    _last_per_key,
    _left_join_sorted,
    _match_sorted,
    _Postings,
    _stored_band_count,
    _stored_bands,
    doc_key,
)
from tasks.dedup.matches import MAX_NEAR_EDGES, _first_per_query
from tasks.dedup.minhash import (
    _FMIX_1,
    _FMIX_2,
    _GOLDEN,
    _S33,
    _U64,
    MINHASH_SCHEME,
    MINHASH_SEED,
    _chain,
    _fmix64,
    _shingle_hashes,
    _word_hashes,
    band_hashes,
    band_matrix,
    jaccard_estimate,
    minhash_signature,
    signature_matrix,
)
from tasks.dedup.text import _FOLD, _FOLD_RE, _WORD_RE, _WS_RE, _sha256, normalize_text, shingles, text_hash, words
from tasks.dedup.urls import (
    _AMP_CACHE_RE,
    _DEFAULT_PORTS,
    _GOOGLE_AMP_RE,
    _SITE_PREFIXES,
    AMP_PARAMS,
    MOBILE_PREFIXES,
    PAGE_PARAMS,
    SESSION_PARAMS,
    SESSION_PREFIXES,
    TOKEN_SESSION_PARAMS,
    TRACKING_PARAMS,
    TRACKING_PREFIXES,
    _canonical_fixpoint,
    _canonical_once,
    _clean_path,
    _is_tracking,
    _site,
    _strip_site_prefix,
    _usable_hint,
    canonical_url,
    is_http_url,
    is_later_page,
    route_fragment,
    url_key,
)
from tasks.dedup.version import DEDUP_VERSION

#: Every name the single module ``tasks/dedup.py`` defined, public and private: callers, tests and benchmarks import
#: them from here.
__all__ = [
    "AMP_PARAMS",
    "DEDUP_VERSION",
    "MAX_NEAR_EDGES",
    "MINHASH_SCHEME",
    "MINHASH_SEED",
    "MOBILE_PREFIXES",
    "PAGE_PARAMS",
    "SESSION_PARAMS",
    "SESSION_PREFIXES",
    "TOKEN_SESSION_PARAMS",
    "TRACKING_PARAMS",
    "TRACKING_PREFIXES",
    "_AMP_CACHE_RE",
    "_DEFAULT_PORTS",
    "_FMIX_1",
    "_FMIX_2",
    "_FOLD",
    "_FOLD_RE",
    "_GOLDEN",
    "_GOOGLE_AMP_RE",
    "_S33",
    "_SITE_PREFIXES",
    "_U64",
    "_WORD_RE",
    "_WS_RE",
    "BatchResult",
    "DedupIndex",
    "Features",
    "_Grow",
    "_Postings",
    "_UnionFind",
    "_canonical_fixpoint",
    "_canonical_once",
    "_chain",
    "_clean_path",
    "_empty",
    "_fill0",
    "_first_per_query",
    "_fmix64",
    "_is_tracking",
    "_iter_rows",
    "_key64",
    "_last_per_doc",
    "_last_per_key",
    "_left_join_sorted",
    "_list_array",
    "_match_sorted",
    "_path_similarity",
    "_rep_key",
    "_sha256",
    "_shingle_hashes",
    "_signatures_for",
    "_site",
    "_stored_band_count",
    "_stored_bands",
    "_strip_site_prefix",
    "_usable_hint",
    "_word_hashes",
    "article_id_for",
    "band_hashes",
    "band_matrix",
    "batch_features",
    "canonical_url",
    "concat_features",
    "current_versions",
    "dedup_batch",
    "doc_key",
    "is_http_url",
    "is_later_page",
    "jaccard_estimate",
    "minhash_signature",
    "normalize_text",
    "resolve_clusters",
    "route_fragment",
    "shingles",
    "signature_matrix",
    "text_hash",
    "text_identity",
    "url_key",
    "words",
]

package_face.install(__name__)
