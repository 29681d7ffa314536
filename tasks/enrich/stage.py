"""The enrich stage over a batch: run the configured enrichers in their fixed order and merge their columns.

Pure functions only (no Prefect, no file I/O); the Prefect task (``flows.stages.enrich_batch``) calls
:func:`enrich_batch` and writes ``schemas.ENRICHED`` rows. Which enrichers run is ``[enrich] enrichers``; they run
in the order of :data:`ENRICHERS` (``language`` first, because later ones read it; ``entities`` before
``places``, which skips places inside organisation names), whatever the order in the configuration. Columns of
enrichers that are not configured stay null.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tasks.config import ENRICHER_NAMES, EnrichConfig
from tasks.enrich import entities, keywords, language, places, quantities, textstats
from tasks.enrich.base import Enricher

#: Version of the stage's own code (how enrichers are combined and rows are built); each enricher's version
#: is added by :func:`stage_version`.
ENRICH_VERSION = "2"

#: Every known enricher, in the order they run.
ENRICHERS: dict[str, Enricher] = {
    e.name: e
    for e in (
        language.ENRICHER,
        textstats.ENRICHER,
        quantities.ENRICHER,
        entities.ENRICHER,
        places.ENRICHER,
        keywords.ENRICHER,
    )
}

assert tuple(ENRICHERS) == ENRICHER_NAMES, "tasks.config.ENRICHER_NAMES is out of step with tasks.enrich"


def selected(cfg: EnrichConfig) -> list[Enricher]:
    """The enrichers named in ``cfg.enrichers``, in run order. Raises ``ValueError`` for an unknown name."""
    unknown = [n for n in cfg.enrichers if n not in ENRICHERS]
    if unknown:
        raise ValueError(f"unknown enricher(s): {', '.join(unknown)}; known: {', '.join(ENRICHERS)}")
    return [e for name, e in ENRICHERS.items() if name in cfg.enrichers]


def stage_version(cfg: EnrichConfig) -> str:
    """The version part of the enrich stage fingerprint: :data:`ENRICH_VERSION` and ``name@version`` of every
    configured enricher (``"2+language@1+words@1"``). Adding, removing or upgrading an enricher changes it,
    so stored parsed rows become pending for enrich (and only for enrich and export)."""
    return "+".join([ENRICH_VERSION, *(e.tag for e in selected(cfg))])


def enrich_batch(rows: Sequence[Mapping[str, Any]], cfg: EnrichConfig) -> list[dict[str, Any]]:
    """Rows for ``schemas.ENRICHED`` from rows carrying ``doc_id``, ``content_sha256``, ``title``, ``teaser``,
    ``body``, ``declared_language`` (and, for the entity enrichers, ``authors`` and ``agencies``).

    Each output row has ``doc_id``, ``content_sha256``, the columns of every configured enricher, ``enrichers``
    (their ``name@version`` tags) and ``enrich_version`` (:data:`ENRICH_VERSION`; the Prefect task replaces it
    with the stage fingerprint). An exception of any enricher propagates."""
    enrichers = selected(cfg)
    docs: list[dict[str, Any]] = [dict(r) for r in rows]
    for enricher in enrichers:
        values = enricher.run(docs, cfg)
        if len(values) != len(docs):
            raise RuntimeError(f"enricher {enricher.name} returned {len(values)} rows for {len(docs)} documents")
        for doc, vals in zip(docs, values, strict=True):
            doc.update({c: vals.get(c) for c in (*enricher.columns, *enricher.provides)})
    tags = [e.tag for e in enrichers]
    columns = [c for e in enrichers for c in e.columns]
    return [
        {
            "doc_id": doc["doc_id"],
            "content_sha256": doc["content_sha256"],
            **{c: doc.get(c) for c in columns},
            "enrichers": tags,
            "enrich_version": ENRICH_VERSION,
        }
        for doc in docs
    ]
