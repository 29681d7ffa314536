"""Small text and URL helpers every field uses: whitespace normalising, letter keys for comparisons,
order-keeping de-duplication, URL validation and joining, the registered domain's label.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urljoin, urlsplit


def _norm_ws(s: str | None) -> str:
    """Soft hyphens and zero-width spaces removed, whitespace runs collapsed to one space, ends stripped
    (``str.split()`` splits at the characters ``\\s`` matches: both use ``str.isspace``; 3x faster than a regex)."""
    if not s:
        return ""
    return " ".join(s.replace("\u00ad", "").replace("\u200b", "").split())


class _FoldedPattern:
    """A case-insensitive pattern whose letters are all lowercase ASCII, for the class/id strings tested on every
    element: ASCII text is lowercased once and searched case-sensitively (``re.I`` folds every character it
    compares, 3-5x slower); other text keeps ``re.I`` (it also folds "K" Kelvin, "ſ", "İ", which ``str.lower()``
    does not). Only truth values are used: a match is against the lowercased text."""

    def __init__(self, pattern: str) -> None:
        self._lower = re.compile(pattern)
        self._fold = re.compile(pattern, re.I)

    def search(self, s: str) -> re.Match[str] | None:
        return self._lower.search(s.lower()) if s.isascii() else self._fold.search(s)


_NON_ALNUM_RE = re.compile(r"[\W_]+")
_DIGIT_RE = re.compile(r"\d")


@lru_cache(maxsize=8192)
def _letters(s: str) -> str:
    """Lowercase letters/digits of any script, accents removed (for fuzzy comparisons)."""
    s = unicodedata.normalize("NFKD", s.lower())
    if s.isascii():
        return _NON_ALNUM_RE.sub("", s)
    return "".join(filter(str.isalnum, s))


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for it in items:
        key = it.casefold()
        if it and key not in seen:
            seen.add(key)
            out.append(it)
    return out


def _valid_url(url: str | None) -> str | None:
    """``url`` when :func:`urllib.parse.urlsplit` accepts it (and its host), else None.

    Malformed values such as ``http://[::1`` make ``urlsplit``/``urljoin`` raise ``ValueError``; page
    attributes are untrusted, so every URL the parser splits or joins goes through here or :func:`_join`.
    """
    if not url:
        return None
    try:
        urlsplit(url).hostname  # noqa: B018 - the property validates the bracketed host
    except ValueError:
        return None
    return url


def _join(base: str | None, ref: str | None) -> str | None:
    """``urljoin(base, ref)`` (``ref`` alone without a base) or None when either is malformed."""
    if not ref or _valid_url(ref) is None:
        return None
    if not base:
        return ref
    try:
        return _valid_url(urljoin(base, ref))
    except ValueError:
        return None


def _registered_domain_label(url: str | None) -> str | None:
    """The registrable-name label of a URL host, e.g. ``epochtimes`` for ``www.epochtimes.de``."""
    url = _valid_url(url)
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    if not host:
        return None
    parts = [p for p in host.split(".") if p]
    if len(parts) < 2:
        return parts[0] if parts else None
    # handle two-level public suffixes such as co.uk, com.br, com.au
    if len(parts) >= 3 and parts[-2] in {"co", "com", "net", "org", "ac", "gov", "or", "ne", "go"}:
        return parts[-3]
    return parts[-2]
