"""Deduplicate stage logic: canonical URLs, text normalisation, MinHash/LSH and cluster resolution.

Pure functions only (no Prefect, no file I/O); the Prefect task in :mod:`tasks.store`'s callers reads the
stored tables, builds a :class:`DedupIndex`, calls :func:`dedup_batch` per batch and writes the three
returned row lists (``schemas.DEDUPLICATED``, ``schemas.DEDUP_INDEX``, ``schemas.DEDUP_SIGNATURES``).

Three kinds of duplicate, checked in this order for every document against everything seen before it (earlier
runs through the index, earlier documents of the same run through the same index updated in place):

``url``
    same canonical URL (:func:`canonical_url`, compared through ``url_hash``, which also ignores the scheme
    and a leading ``www.``).
``exact``
    same normalised body text (:func:`normalize_text` → ``text_hash``).
``near``
    MinHash estimate of the Jaccard similarity of the bodies' word 5-shingle sets ≥ ``threshold`` among the
    candidates that share at least one LSH band.

Why these defaults (``tasks.config.DedupConfig``)
-------------------------------------------------
* **5-word shingles.** Broder (1997, "On the resemblance and containment of documents") measures resemblance
  as the Jaccard similarity of the sets of contiguous word *w*-shingles. Shingles must be long enough that two
  unrelated news texts in the same language rarely share one (1–2-word shingles are dominated by function
  words such as "in the", "der die"), yet short enough that a light edit (a changed headline, an agency
  dateline, a dropped sentence) only destroys the *w* shingles that overlap it. Leskovec, Rajaraman & Ullman,
  *Mining of Massive Datasets* (3rd ed., ch. 3.2) suggest k ≈ 5 for short documents such as e-mails and news
  items; field case C20 (an AP story republished with the dateline removed and a copyright line added) has
  Jaccard 0.87 at w=5 while a different story from the same feed and day shares no 5-shingle at all.
* **128 permutations.** The MinHash estimate of Jaccard *J* is the share of agreeing signature positions, a
  binomial proportion with standard error ``sqrt(J(1-J)/n)``: at J=0.8 and n=128 that is ≈ 0.035, small enough
  to separate 0.8 from the 0.5–0.6 of same-topic articles, and the signature costs 128 × 4 bytes per document.
* **16 bands × 8 rows.** MMDS ch. 3.4: with *b* bands of *r* rows a pair of similarity *s* becomes an LSH
  candidate with probability ``1 - (1 - s^r)^b``; the S-curve's threshold is ≈ ``(1/b)^(1/r)`` =
  (1/16)^(1/8) ≈ 0.71, just below the 0.8 decision threshold so that few true pairs are missed. Exact figures
  for b=16, r=8: s=0.5 → 0.061, s=0.6 → 0.237, s=0.7 → 0.613, s=0.75 → 0.815, **s=0.8 → 0.947**, s=0.85 →
  0.994, s=0.9 → 0.9999. Pairs below ~0.6 are rarely even compared, which keeps the candidate verification
  cheap.
* **threshold 0.8.** Syndicated copies (same agency text with a different headline, dateline, a trimmed last
  paragraph or an appended copyright line) measure 0.8–0.95 on 5-shingles; follow-ups and rewrites of the same
  story by another newsroom share facts but few 5-word runs (typically < 0.3).

Candidates are verified with the MinHash *estimate*, not with an exact Jaccard of the texts: bodies of earlier
runs are not kept in the index, and deciding in-batch pairs exactly but cross-batch pairs by estimate would
make the result depend on how documents were split into batches.

Bodies with fewer than ``min_words`` words get no signature and no ``text_hash`` (they only match by URL):
short stubs (paywall notices, "this video is not available") are identical across unrelated articles and must
not fold them into one.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import numpy as np
import pyarrow as pa
from datasketch import MinHash
from w3lib.url import canonicalize_url, url_query_cleaner

from tasks.config import DedupConfig

DEDUP_VERSION = "1"

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

    Strings that are not http(s) URLs (file paths, ``urn:…``) are returned stripped, unchanged otherwise.
    """
    base = _canonical_fixpoint(url) if url else ""
    if canonical_hint:
        hinted = _usable_hint(base if is_http_url(base) else None, canonical_hint)
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
    return _WS_RE.sub(" ", text).strip()


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


#: Seed of the MinHash permutations. Fixed (and the hashing scheme pinned) so that signatures stored by
#: earlier runs, other processes and other machines are comparable; changing either requires a DEDUP_VERSION
#: bump.
MINHASH_SEED = 1
MINHASH_SCHEME = "affine32"
_PERMUTATIONS: dict[int, Any] = {}


def _new_minhash(num_perm: int) -> MinHash:
    perms = _PERMUTATIONS.get(num_perm)
    if perms is None:
        proto = MinHash(num_perm=num_perm, seed=MINHASH_SEED, scheme=MINHASH_SCHEME)
        _PERMUTATIONS[num_perm] = perms = proto.permutations
    return MinHash(num_perm=num_perm, seed=MINHASH_SEED, scheme=MINHASH_SCHEME, permutations=perms)


def _signature_of_words(ws: Sequence[str], cfg: DedupConfig) -> list[int] | None:
    if len(ws) < cfg.min_words:
        return None
    size = cfg.shingle_size
    grams = {" ".join(ws)} if len(ws) <= size else {" ".join(ws[i : i + size]) for i in range(len(ws) - size + 1)}
    mh = _new_minhash(cfg.num_perm)
    mh.update_batch([g.encode("utf-8", "surrogatepass") for g in grams])  # order-free: min per position
    return [int(v) for v in mh.hashvalues]


def minhash_signature(text: str | None, cfg: DedupConfig) -> list[int] | None:
    """MinHash signature (``cfg.num_perm`` unsigned ints) of the word ``cfg.shingle_size``-shingles of
    ``text``, with the fixed :data:`MINHASH_SEED`; ``None`` when the text has fewer than ``cfg.min_words``
    words."""
    return _signature_of_words(words(text), cfg)


def jaccard_estimate(a: Sequence[int], b: Sequence[int]) -> float:
    """Share of equal positions of two signatures: the MinHash estimate of their sets' Jaccard similarity."""
    if len(a) != len(b) or not len(a):
        return 0.0
    return float(np.count_nonzero(np.asarray(a, dtype=np.uint64) == np.asarray(b, dtype=np.uint64)) / len(a))


def band_hashes(signature: Sequence[int], cfg: DedupConfig) -> list[int]:
    """One unsigned 64-bit hash per LSH band: ``cfg.bands`` bands of ``num_perm / bands`` consecutive rows,
    each band's values as little-endian uint64 hashed with BLAKE2b (8-byte digest). Stable across processes
    (unlike ``hash()``); two signatures share band *i*'s hash exactly when they agree on all its rows
    (barring a 2^-64 collision)."""
    if cfg.num_perm % cfg.bands:
        raise ValueError("num_perm must be a multiple of bands")
    rows = cfg.num_perm // cfg.bands
    arr = np.asarray(signature, dtype="<u8")
    if arr.shape[0] != cfg.num_perm:
        raise ValueError(f"signature has {arr.shape[0]} values, expected {cfg.num_perm}")
    return [
        int.from_bytes(hashlib.blake2b(arr[i * rows : (i + 1) * rows].tobytes(), digest_size=8).digest(), "little")
        for i in range(cfg.bands)
    ]


# ------------------------------------------------------------------------------------------------------------
# The index and batch deduplication
# ------------------------------------------------------------------------------------------------------------


@dataclass
class _Entry:
    content_sha256: str
    url_hash: str | None
    text_hash: str | None
    bands: list[int] | None


@dataclass
class DedupIndex:
    """What earlier documents left behind, for matching new ones: ``url_hash``/``text_hash`` → doc_ids (in the
    order they were seen, the first is the match target), ``(band, band_hash)`` → doc_ids and doc_id →
    signature.

    Holds one version per doc_id: adding a new version of a document removes the old version's keys first, so
    a re-fetched document never matches itself (or its own stale text).
    """

    url: dict[str, list[str]] = field(default_factory=dict)
    text: dict[str, list[str]] = field(default_factory=dict)
    bands: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    signatures: dict[str, list[int]] = field(default_factory=dict)
    entries: dict[str, _Entry] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.entries)

    def remove(self, doc_id: str) -> None:
        entry = self.entries.pop(doc_id, None)
        if entry is None:
            return
        for table, key in ((self.url, entry.url_hash), (self.text, entry.text_hash)):
            if key is not None and doc_id in table.get(key, ()):
                table[key].remove(doc_id)
                if not table[key]:
                    del table[key]
        for i, h in enumerate(entry.bands or ()):
            bucket = self.bands.get((i, h))
            if bucket and doc_id in bucket:
                bucket.remove(doc_id)
                if not bucket:
                    del self.bands[(i, h)]
        self.signatures.pop(doc_id, None)

    def add(
        self,
        doc_id: str,
        content_sha256: str,
        url_hash: str | None,
        text_hash: str | None,
        signature: Sequence[int] | None,
        bands: Sequence[int] | None,
    ) -> None:
        self.remove(doc_id)
        self.entries[doc_id] = _Entry(content_sha256, url_hash, text_hash, list(bands) if bands else None)
        if url_hash is not None:
            self.url.setdefault(url_hash, []).append(doc_id)
        if text_hash is not None:
            self.text.setdefault(text_hash, []).append(doc_id)
        if signature is not None and bands:
            self.signatures[doc_id] = [int(v) for v in signature]
            for i, h in enumerate(bands):
                self.bands.setdefault((i, int(h)), []).append(doc_id)

    def first(self, table: Mapping[str, list[str]], key: str | None, exclude: str) -> str | None:
        if key is None:
            return None
        return next((d for d in table.get(key, ()) if d != exclude), None)

    def candidates(self, bands: Sequence[int], exclude: str) -> set[str]:
        found: set[str] = set()
        for i, h in enumerate(bands):
            found.update(self.bands.get((i, h), ()))
        found.discard(exclude)
        return found

    @classmethod
    def from_tables(
        cls,
        deduplicated: pa.Table | None = None,
        index: pa.Table | None = None,
        signatures: pa.Table | None = None,
        cfg: DedupConfig | None = None,
    ) -> DedupIndex:
        """Rebuild the index from stored tables (``DEDUPLICATED``, ``DEDUP_INDEX``, ``DEDUP_SIGNATURES``; any
        may be ``None`` or empty). When a doc_id has several versions the last row of ``deduplicated`` is
        current; index and signature rows of other versions are ignored. Band hashes are taken from ``index``
        when present there and recomputed from the signature (with ``cfg``) otherwise."""
        self = cls()
        current: dict[str, dict[str, Any]] = {}
        if deduplicated is not None and deduplicated.num_rows:
            cols = [c for c in ("doc_id", "content_sha256", "url_hash", "text_hash") if c in deduplicated.column_names]
            for row in deduplicated.select(cols).to_pylist():
                current.pop(row["doc_id"], None)  # re-insert: dict order = order of the current versions
                current[row["doc_id"]] = row
        sigs: dict[str, list[int]] = {}
        if signatures is not None and signatures.num_rows:
            for row in signatures.select(["doc_id", "content_sha256", "signature"]).to_pylist():
                cur = current.get(row["doc_id"])
                if cur is None or cur.get("content_sha256") == row["content_sha256"]:
                    sigs[row["doc_id"]] = row["signature"]
        bands: dict[str, dict[int, int]] = {}
        if index is not None and index.num_rows:
            for row in index.select(["doc_id", "content_sha256", "band", "band_hash"]).to_pylist():
                cur = current.get(row["doc_id"])
                if cur is None or cur.get("content_sha256") == row["content_sha256"]:
                    bands.setdefault(row["doc_id"], {})[int(row["band"])] = int(row["band_hash"])
        for doc_id, row in current.items():
            sig = sigs.get(doc_id)
            by_band = bands.get(doc_id)
            band_list: list[int] | None = None
            if sig is not None:
                if by_band:
                    band_list = [by_band[i] for i in sorted(by_band)]
                else:
                    band_list = band_hashes(sig, cfg or DedupConfig(num_perm=len(sig)))
            self.add(doc_id, row["content_sha256"], row.get("url_hash"), row.get("text_hash"), sig, band_list)
        return self


def article_id_for(canonical: str | None, doc_id: str) -> str:
    """First 16 hex digits of SHA-256 of the canonical URL, else of the doc_id."""
    return _sha256(canonical or doc_id)[:16]


def dedup_batch(
    batch: Sequence[Mapping[str, Any]], index: DedupIndex, cfg: DedupConfig
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Find, for each document of ``batch`` in order, the earlier document it duplicates, and add it to
    ``index``.

    ``batch`` rows carry ``doc_id``, ``content_sha256``, ``url``, ``canonical_url`` (the page's declared
    canonical, a hint), ``body`` and ``published_at``. Each document is compared with the index *as updated
    by the documents before it*, so processing documents in one batch or in several consecutive batches
    yields identical rows. Match order: same ``url_hash`` → ``url``; same ``text_hash`` → ``exact`` (both
    pick the first document seen with that key); else LSH candidates whose signature estimate is ≥
    ``cfg.threshold`` → ``near``, the most similar one (ties: smallest doc_id). A document never matches its
    own doc_id (a new version replaces the old one in the index).

    Returns rows for ``schemas.DEDUPLICATED``, ``schemas.DEDUP_INDEX`` and ``schemas.DEDUP_SIGNATURES``.
    """
    dedup_rows: list[dict[str, Any]] = []
    index_rows: list[dict[str, Any]] = []
    sig_rows: list[dict[str, Any]] = []
    for doc in batch:
        doc_id = doc["doc_id"]
        sha = doc["content_sha256"]
        body = doc.get("body") or ""
        canon: str | None = canonical_url(doc.get("url") or "", doc.get("canonical_url"))
        if not is_http_url(canon):
            canon = None  # file paths and junk are no article keys: article_id falls back to the doc_id
        u_hash = _sha256(url_key(canon)) if canon else None
        norm = normalize_text(body)
        ws = _WORD_RE.findall(norm)
        t_hash = _sha256(norm) if len(ws) >= cfg.min_words else None
        sig = _signature_of_words(ws, cfg)
        bands = band_hashes(sig, cfg) if sig is not None else None

        match: str | None = index.first(index.url, u_hash, doc_id)
        kind: str | None = "url" if match else None
        similarity: float | None = 1.0 if match else None
        if match is None:
            match = index.first(index.text, t_hash, doc_id)
            if match is not None:
                kind, similarity = "exact", 1.0
        if match is None and sig is not None and bands is not None:
            best: tuple[float, str] | None = None
            for cand in index.candidates(bands, doc_id):
                other = index.signatures.get(cand)
                if other is None:
                    continue
                est = jaccard_estimate(sig, other)
                if est >= cfg.threshold and (best is None or est > best[0] or (est == best[0] and cand < best[1])):
                    best = (est, cand)
            if best is not None:
                similarity, match, kind = best[0], best[1], "near"

        index.add(doc_id, sha, u_hash, t_hash, sig, bands)
        dedup_rows.append(
            {
                "doc_id": doc_id,
                "content_sha256": sha,
                "article_id": article_id_for(canon, doc_id),
                "canonical_url": canon,
                "url_hash": u_hash,
                "text_hash": t_hash,
                "published_at": doc.get("published_at"),
                "body_chars": len(body),
                "match_doc_id": match,
                "match_kind": kind,
                "similarity": similarity,
                "dedup_version": DEDUP_VERSION,
            }
        )
        if sig is not None and bands is not None:
            sig_rows.append({"doc_id": doc_id, "content_sha256": sha, "signature": sig})
            index_rows.extend(
                {"doc_id": doc_id, "content_sha256": sha, "band": i, "band_hash": h} for i, h in enumerate(bands)
            )
    return dedup_rows, index_rows, sig_rows


# ------------------------------------------------------------------------------------------------------------
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
    # a document fetched through a tracking/AMP/mobile URL is a worse representative than the clean original
    unclean = bool(url) and canonical_url(url) != url.strip()
    # earliest published first (unknown dates last), then the longest body, then a clean URL, then the
    # smallest doc_id
    return (
        published is None,
        published.timestamp() if published is not None else 0.0,
        -(row.get("body_chars") or 0),
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
    """Clusters of documents from the match edges (``doc_id`` ↔ ``match_doc_id``) of all ``DEDUPLICATED``
    rows.

    The last row per doc_id is its current version. Returns, per doc_id:

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
        has both; otherwise the lower bound ``1 - Σ(1 - s_e)`` over the stored edge similarities ``s_e`` on
        the path between them (Jaccard distance obeys the triangle inequality), which equals the edge's
        similarity when they are matched directly. ``None`` for the representative;
    ``cluster_size``
        number of documents in the cluster.
    """
    rows: dict[str, dict[str, Any]] = {}
    cols = ("doc_id", "article_id", "url_hash", "text_hash", "published_at", "body_chars", "match_doc_id",
            "similarity")  # fmt: skip
    for row in _iter_rows(dedup, cols):
        rows.pop(row["doc_id"], None)
        rows[row["doc_id"]] = row
    uf = _UnionFind()
    adjacency: dict[str, list[tuple[str, float]]] = {}
    for doc_id, row in rows.items():
        uf.find(doc_id)
        match = row.get("match_doc_id")
        if match and match in rows and match != doc_id:
            uf.union(doc_id, match)
            stored = row.get("similarity")
            edge_sim = 1.0 if stored is None else float(stored)
            adjacency.setdefault(doc_id, []).append((match, edge_sim))
            adjacency.setdefault(match, []).append((doc_id, edge_sim))

    sig_map: dict[str, Sequence[int]] = {}
    if isinstance(signatures, pa.Table):
        for srow in _iter_rows(signatures, ("doc_id", "signature")):
            sig_map[srow["doc_id"]] = srow["signature"]
    elif signatures is not None:
        sig_map = dict(signatures)

    members: dict[str, list[str]] = {}
    for doc_id in rows:
        members.setdefault(uf.find(doc_id), []).append(doc_id)

    out: dict[str, dict[str, Any]] = {}
    for docs in members.values():
        rep = min(docs, key=lambda d: _rep_key(rows[d], (meta or {}).get(d)))
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
