"""Deduplicate stage logic: canonical URLs, text normalisation, MinHash/LSH, the columnar index and clusters.

No Prefect and no file I/O: the Prefect task (``flows.stages.run_dedup_batch``) reads the stored tables, builds
a :class:`DedupIndex` (:meth:`DedupIndex.from_tables`), calls :func:`dedup_batch` per batch and writes what it
returns (``schemas.DEDUPLICATED`` rows, ``schemas.DEDUP_INDEX`` and ``schemas.DEDUP_SIGNATURES`` tables).

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

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import rensa
from w3lib.url import canonicalize_url, url_query_cleaner

from tasks import schemas
from tasks.config import DedupConfig

#: Bumped when the output changes for the same input and settings; includes rensa's MinHash algorithm version,
#: so a rensa release that changes signatures recomputes dedup instead of mixing incomparable signatures.
DEDUP_VERSION = f"2-rensa{rensa.RMinHash.ALGORITHM_VERSION}"

# ------------------------------------------------------------------------------------------------------------
# Canonical URLs
# ------------------------------------------------------------------------------------------------------------

#: Query parameters that only track the visit (compared case-insensitively, after percent-decoding).
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
        "igshid", "igsh", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "ref", "ref_src",
        "ref_url", "referrer", "referer", "cmpid", "cmp", "wt_mc", "wt.mc_id", "wt_mc_id", "icid", "ocid",
        "xtor", "smid", "smtyp", "guccounter", "guce_referrer", "guce_referrer_sig", "spm", "usqp", "s_cid",
        "soc_src", "soc_trk", "sr_share", "ito", "__twitter_impression", "rss_id", "feature_id",
    }
)  # fmt: skip
#: Prefixes of tracking parameters (Google Analytics/UTM, Matomo/Piwik, HubSpot, Adobe/AT Internet, Webtrends
#: …).
TRACKING_PREFIXES = (
    "utm_", "ga_", "pk_", "mtm_", "matomo_", "piwik_", "hsa_", "itm_", "at_", "ns_", "oly_", "vero_", "wt.",
    "wt_", "_hs",
)  # fmt: skip
#: Parameters (name → values, empty set = any value) that only select the AMP rendering of a page.
AMP_PARAMS: dict[str, frozenset[str]] = {
    "amp": frozenset({"", "1", "true", "yes"}),
    "_amp": frozenset({"", "1", "true", "yes"}),
    "outputtype": frozenset({"amp"}),
    "output": frozenset({"amp"}),
}
#: Host prefixes of mobile/AMP editions, mapped to ``www.`` (see :func:`canonical_url`).
MOBILE_PREFIXES = ("m.", "mobile.", "amp.", "mobil.")
_SITE_PREFIXES = ("www.", *MOBILE_PREFIXES)
_AMP_CACHE_RE = re.compile(r"^/(?:c|v|i|wp)/(s/)?([^/?#]+(?:/.*)?)$", re.S)
_GOOGLE_AMP_RE = re.compile(r"^/amp/(s/)?([^/?#]+(?:/.*)?)$", re.S)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str, value: str) -> bool:
    key = unquote(name).strip().lower()
    if key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES):
        return True
    amp_values = AMP_PARAMS.get(key)
    return amp_values is not None and unquote(value).strip().lower() in amp_values


def _clean_path(path: str) -> str:
    segments = [s for s in path.split("/") if s.lower() != "amp"]
    path = "/".join(segments)
    lowered = path.lower()
    if lowered.endswith((".amp.html", ".amp.htm")):
        cut = lowered.rfind(".amp.")
        path = path[:cut] + path[cut + 4 :]
    elif lowered.endswith(".amp"):
        path = path[:-4]
    if not path.startswith("/"):
        path = "/" + path
    while len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    return path


def _strip_site_prefix(host: str, prefixes: tuple[str, ...]) -> str:
    """``host`` without one leading prefix, unless what remains has no dot (``m.de`` is a domain itself)."""
    for prefix in prefixes:
        if host.startswith(prefix) and "." in host[len(prefix) :]:
            return host[len(prefix) :]
    return host


def _canonical_once(url: str) -> str:
    url = url.strip()
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            return url
        host = parts.hostname.lower().rstrip(".")
        port = parts.port
    except ValueError:  # bad port, bad IPv6 literal …
        return url
    # AMP caches: https://www-example-com.cdn.ampproject.org/c/s/www.example.com/path →
    # https://www.example.com/path and Google's AMP viewer https://www.google.com/amp/s/www.example.com/path.
    cache = None
    if host.endswith(".cdn.ampproject.org") or host == "cdn.ampproject.org":
        cache = _AMP_CACHE_RE.match(parts.path)
    elif host in ("google.com", "www.google.com"):
        cache = _GOOGLE_AMP_RE.match(parts.path)
    if cache:
        target = ("https://" if cache.group(1) else "http://") + cache.group(2)
        if parts.query:
            target += "?" + parts.query
        return target
    host = _strip_site_prefix(host, MOBILE_PREFIXES)
    if host != parts.hostname.lower().rstrip(".") and not host.startswith("www."):
        host = "www." + host
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    rebuilt = urlunsplit((scheme, netloc, _clean_path(parts.path), parts.query, ""))
    if parts.query:
        drop = [
            name for name, _, value in (p.partition("=") for p in parts.query.split("&")) if _is_tracking(name, value)
        ]
        if drop:
            rebuilt = url_query_cleaner(rebuilt, drop, remove=True, unique=False)
    # w3lib: percent-encoding normalised (unreserved characters decoded, the rest upper-case %XX), IDN hosts
    # to punycode, query parameters sorted, fragment dropped.
    return canonicalize_url(rebuilt, keep_blank_values=True, keep_fragments=False)


def _canonical_fixpoint(url: str) -> str:
    # Every rewrite can expose another (an AMP-cache URL reveals a mobile host, decoding %5F reveals utm_…),
    # so apply the single pass until nothing changes: that is what makes the function idempotent.
    for _ in range(10):
        nxt = _canonical_once(url)
        if nxt == url:
            break
        url = nxt
    return url


def _site(host: str | None) -> str:
    return _strip_site_prefix((host or "").lower().rstrip("."), _SITE_PREFIXES)


def _usable_hint(url: str | None, hint: str) -> str | None:
    """The canonicalised hint when it is sane and on the same site as ``url`` (``None`` otherwise)."""
    hint = hint.strip()
    if not hint or any(c.isspace() for c in hint):
        return None
    if url:
        hint = urljoin(url, hint)  # relative rel=canonical
    cand = _canonical_fixpoint(hint)
    try:
        cparts = urlsplit(cand)
    except ValueError:
        return None
    if cparts.scheme not in _DEFAULT_PORTS or not cparts.hostname:
        return None
    if not url:
        # No URL of our own (a local file): the declared canonical is the best URL there is, unless it is a
        # bare home page, which CMSs emit by mistake on every page.
        return None if cparts.path in ("", "/") and not cparts.query else cand
    uparts = urlsplit(url)
    if _site(uparts.hostname) != _site(cparts.hostname):
        return None
    if cparts.path in ("", "/") and not cparts.query and uparts.path not in ("", "/"):
        return None  # article page claiming the home page as canonical: a template bug, not a redirect target
    return cand


def canonical_url(url: str, canonical_hint: str | None = None) -> str:
    """Canonical form of an article URL, the key of ``url`` duplicates.

    Rules (applied until a fixpoint, so ``canonical_url(canonical_url(u)) == canonical_url(u)``, field case
    C18):

    * scheme and host lower-cased, trailing dot of the host and user info dropped, default ports (80/443)
      dropped, fragment dropped, percent-encoding normalised and query parameters sorted
      (``w3lib.url.canonicalize_url``);
    * tracking parameters removed: every name in :data:`TRACKING_PARAMS` and every name starting with one of
      :data:`TRACKING_PREFIXES` (``utm_*``, ``ga_*``, ``pk_*`` …), matched case-insensitively. courlan's
      ``TRACKERS_RE`` is not used because it is unanchored and also strips content parameters such as
      ``source``, ``cid``, ``uid`` or ``gallery``; courlan's ``clean_url`` is not idempotent on root URLs
      (C18);
    * AMP renderings mapped to the regular page: any ``amp`` path segment removed (``/amp/x``, ``/x/amp/``),
      ``.amp.html`` → ``.html``, trailing ``.amp`` removed, ``?amp=1``/``?amp``/``outputType=amp`` removed;
      AMP cache URLs ``https://<x>.cdn.ampproject.org/c/s/host/path`` and
      ``https://www.google.com/amp/s/host/path`` become ``https://host/path`` (without ``s/``: ``http://``);
    * mobile/AMP hosts ``m.``, ``mobile.``, ``mobil.``, ``amp.`` become ``www.`` (``m.spiegel.de`` →
      ``www.spiegel.de``): most publishers with a mobile host serve the desktop site on ``www``. For the few
      that use the bare domain, ``url_hash`` (see :func:`url_key`) ignores ``www.``, so the keys still agree;
    * trailing slashes of non-root paths removed (``/a/b/`` = ``/a/b``), the root path is always ``/``.

    ``canonical_hint`` (the page's ``rel=canonical``, possibly relative) replaces the URL when, after the same
    canonicalisation, it is http(s), on the same site (hosts equal ignoring a
    ``www.``/``m.``/``mobile.``/``amp.`` prefix; an AMP-cache URL is first mapped to its publisher, so the
    publisher's hint is accepted) and does not point an article to the bare home page. A hint on another site
    (syndication partners naming the original) is ignored: such copies are found as ``near`` duplicates
    instead. Without an http(s) ``url`` (local files) a sane http(s) hint is used as is.

    Strings that are not http(s) URLs (file paths, ``urn:…``) are returned stripped, unchanged otherwise. Never
    raises: a URL the rules cannot handle (an unclosed IPv6 bracket, a lone surrogate) is returned stripped, and
    such a hint is ignored.
    """
    try:
        base = _canonical_fixpoint(url) if url else ""
    except (ValueError, UnicodeError):
        return url.strip()
    if canonical_hint:
        try:
            hinted = _usable_hint(base if is_http_url(base) else None, canonical_hint)
        except (ValueError, UnicodeError):
            hinted = None
        if hinted is not None:
            return hinted
    return base


def is_http_url(url: str | None) -> bool:
    """Whether ``url`` is an absolute http(s) URL with a host."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.netloc)


def url_key(canonical: str) -> str:
    """The string hashed into ``url_hash``: the canonical URL without scheme and without a leading ``www.``
    (``http``/``https`` and ``www``/bare-domain variants of one page are the same article)."""
    try:
        parts = urlsplit(canonical)
    except ValueError:
        return canonical
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return canonical
    netloc = parts.netloc.lower()
    if netloc.startswith("www.") and "." in netloc[4:]:
        netloc = netloc[4:]
    return urlunsplit(("", netloc, parts.path, parts.query, "")).lstrip("/")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# ------------------------------------------------------------------------------------------------------------
# Text normalisation, shingles, MinHash
# ------------------------------------------------------------------------------------------------------------

_FOLD = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4\u0060\u2039\u203a", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
        "\u00ad": None,  # soft hyphen
        "\u200b": None,  # zero-width space
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
    }
)
_FOLD_RE = re.compile("[" + "".join(chr(c) for c in _FOLD) + "]")  # str.translate is slow on long texts
_WS_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"\w+")


def normalize_text(text: str) -> str:
    """Unicode NFKC, case-folded, typographic quotes/dashes folded to ASCII ``'"-``, soft hyphens and
    zero-width characters removed, whitespace runs (incl. paragraph breaks and NBSP) collapsed to one space,
    stripped."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _FOLD_RE.sub(lambda m: m.group().translate(_FOLD), text)
    return " ".join(text.split())  # str.split() splits on exactly the characters regex \s matches, faster


def words(text: str | None) -> list[str]:
    """Normalised words (``\\w+`` runs of :func:`normalize_text`): punctuation, quotes and dashes do not
    count."""
    return _WORD_RE.findall(normalize_text(text or ""))


def text_hash(text: str | None) -> str | None:
    """Hex SHA-256 of :func:`normalize_text`; ``None`` for ``None`` or text that normalises to nothing."""
    norm = normalize_text(text or "")
    return _sha256(norm) if norm else None


def shingles(text: str | None, size: int) -> set[str]:
    """Set of word ``size``-shingles (space-joined) of the normalised words; a text shorter than ``size``
    words gives one shingle of all its words, an empty text none."""
    ws = words(text)
    if not ws:
        return set()
    if len(ws) <= size:
        return {" ".join(ws)}
    return {" ".join(ws[i : i + size]) for i in range(len(ws) - size + 1)}


#: Seed of the MinHash permutations. Fixed (like the word hash and the shingle/band mixing below) so that
#: signatures stored by earlier runs, other processes and other machines are comparable; changing any of them
#: requires a DEDUP_VERSION bump (rensa's own ALGORITHM_VERSION is part of DEDUP_VERSION, see above).
MINHASH_SEED = 1
MINHASH_SCHEME = f"rensa-RMinHash-v{rensa.RMinHash.ALGORITHM_VERSION}/fmix64-shingles"
#: At most this many near-duplicate edges are recorded per document (the most similar ones). Beyond it a
#: cluster's shape could depend on processing order; 50 copies of one wire story are still fully connected.
MAX_NEAR_EDGES = 50

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


def _key64(hex_digest: str | None) -> int | None:
    """The first 64 bits of a hex digest (index keys; a false match needs a 2^-64 collision)."""
    return int(hex_digest[:16], 16) if hex_digest else None


def doc_key(doc_id: str) -> int:
    """64-bit key of a doc_id (first 8 bytes of its SHA-256), used to find earlier versions in the index."""
    return int(_sha256(doc_id)[:16], 16)


# ------------------------------------------------------------------------------------------------------------
# The index and batch deduplication
# ------------------------------------------------------------------------------------------------------------


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
        arrays = [self.doc_key, self.text_key, self.alive, self.has_sig, *([self.sigs] if self.sigs else [])]
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
    ) -> None:
        """Append rows (all arrays aligned; ``sigs``/``bands`` rows where ``has_sig`` is false are ignored)."""
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
        cur = _last_per_doc(deduplicated.select(["doc_id", "content_sha256"]))
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


def _fill0(positions: Any) -> Any:
    """Null positions → 0 (their rows are masked out afterwards)."""
    return positions.fill_null(pa.scalar(0, pa.int64()))


# Clusters
# ------------------------------------------------------------------------------------------------------------


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
        doc_id of the member published earliest (unknown dates last), then with the longest body, then (when
        ``meta`` maps doc_id → ``{"url": original URL}``) one whose URL is already canonical (no tracking
        parameters, not an AMP/mobile variant), then the smallest doc_id;
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
    reps = {root: min(docs, key=lambda d: _rep_key(rows[d], (meta or {}).get(d))) for root, docs in members.items()}

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
