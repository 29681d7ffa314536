"""The article dict's contract: :data:`FIELDS`, :data:`PARSE_VERSION`, the reject reasons and
:class:`ParseError`.
"""

from __future__ import annotations

from typing import Any

PARSE_VERSION = "8"

FIELDS: tuple[str, ...] = (
    "title",
    "teaser",
    "authors",
    "site_name",
    "published_at",
    "published_precision",
    "published_offset_min",
    "modified_at",
    "body",
    "canonical_url",
    "language",
    "images",
    "agencies",
    "subheadings",
    "related_ids",
    "keywords",
    "is_accessible_for_free",
    "field_sources",
    "encoding",
)

#: Closed set of reason codes carried by :class:`ParseError`.
REASONS: frozenset[str] = frozenset({"not_html", "no_article_text", "decode_error"})


class ParseError(Exception):
    """A document the parse stage cannot turn into an article.

    ``reason`` is one of :data:`REASONS` (``not_html``: binary/PDF/image bytes; ``no_article_text``:
    no body text found; ``decode_error``: bytes could not be decoded to text); ``detail`` is free text.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown parse reject reason {reason!r}")
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def _empty_result() -> dict[str, Any]:
    return {
        "title": None,
        "teaser": None,
        "authors": [],
        "site_name": None,
        "published_at": None,
        "published_precision": None,
        "published_offset_min": None,
        "modified_at": None,
        "body": "",
        "canonical_url": None,
        "language": None,
        "images": [],
        "agencies": [],
        "subheadings": [],
        "related_ids": [],
        "keywords": [],
        "is_accessible_for_free": None,
        "field_sources": {"title": None, "published_at": None, "authors": None},
        "encoding": None,
    }
