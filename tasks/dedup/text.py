"""Text normalisation: which bodies are the same text (``text_hash``) and what their words and shingles are."""

from __future__ import annotations

import hashlib
import re
import unicodedata


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


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
