"""Enrich stage: a package of small enrichers (see :mod:`tasks.enrich.base`) run by :mod:`tasks.enrich.stage`.

This face keeps every name the single ``tasks/enrich.py`` module had (``from tasks.enrich import
detect_language``, ``enrich.enrich_batch``, ``enrich.ENRICH_VERSION``) and adds the enricher registry.
Assignments to ``tasks.enrich.<name>`` (a test's ``monkeypatch``) reach the module that binds the name.
"""

from __future__ import annotations

from tasks import package_face
from tasks.enrich.base import Enricher, join_text
from tasks.enrich.language import (
    HINT_CONFIDENCE,
    MAX_CHARS,
    MIN_LETTERS,
    _get_identifier,
    _normalise_code,
    detect_language,
)
from tasks.enrich.stage import ENRICH_VERSION, ENRICHERS, enrich_batch, selected, stage_version
from tasks.enrich.textstats import reading_time_s, word_count

__all__ = [
    "ENRICHERS",
    "ENRICH_VERSION",
    "HINT_CONFIDENCE",
    "MAX_CHARS",
    "MIN_LETTERS",
    "Enricher",
    "_get_identifier",
    "_normalise_code",
    "detect_language",
    "enrich_batch",
    "join_text",
    "reading_time_s",
    "selected",
    "stage_version",
    "word_count",
]

package_face.install(__name__)
