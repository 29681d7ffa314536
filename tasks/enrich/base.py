"""What every enricher is: a named, versioned unit that works on a batch of documents.

An :class:`Enricher` takes a batch of document dicts (the parse stage's ``title``, ``teaser``, ``body``,
``declared_language``, ``authors``, ``agencies``, plus the columns of enrichers that ran before it, such as
``language``) and returns one dict per document with exactly its own ``columns``. Its ``version`` is part of the
enrich stage fingerprint (see :func:`tasks.enrich.stage.stage_version`): bump it whenever the values it returns
for the same input change, and stored articles are re-enriched (not re-fetched or re-parsed) on the next run.
Values inside list columns carry a ``method`` naming the rule that produced them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tasks.config import EnrichConfig

#: One document of a batch: parse-stage fields plus the columns of earlier enrichers.
Doc = Mapping[str, Any]
BatchFn = Callable[[Sequence[Doc], EnrichConfig], list[dict[str, Any]]]


@dataclass(frozen=True)
class Enricher:
    """A unit of the enrich stage.

    ``name``: the key used in ``[enrich] enrichers``; ``version``: a string bumped when its output changes;
    ``columns``: the ``schemas.ENRICHED`` columns it fills; ``run(docs, cfg)``: one dict of those columns per
    document, in order (raising is allowed: the stage then retries document by document and rejects the one at
    fault as ``enrich_error``); ``method``: a one-line description of how values are produced; ``provides``: keys
    (starting with ``_``) of its result that later enrichers read from the document but that are not written."""

    name: str
    version: str
    columns: tuple[str, ...]
    run: BatchFn
    method: str = ""
    provides: tuple[str, ...] = ()  # private keys handed to later enrichers, never written

    @property
    def tag(self) -> str:
        """``name@version``, as recorded in the ``enrichers`` column and the stage fingerprint."""
        return f"{self.name}@{self.version}"


def join_text(doc: Doc) -> str:
    """Title, teaser and body of ``doc`` joined by blank lines (missing or empty parts left out)."""
    parts = (doc.get("title"), doc.get("teaser"), doc.get("body"))
    return "\n\n".join(p.strip() for p in parts if isinstance(p, str) and p.strip())


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` as a set (for the rule modules' word lists)."""
    return frozenset(text.split())
