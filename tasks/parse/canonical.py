"""The canonical URL the page declares: ``<link rel="canonical">``, else ``og:url`` (Open Graph protocol).

Only what the page states, resolved against its base URL and kept when it is an http(s) URL; the dedup stage
decides what counts as the same URL (``tasks.dedup.canonical_url``).
"""

from __future__ import annotations

from .normalise import _join
from .page import Page
from .structured import _m


def canonical_url(page: Page) -> str | None:
    """The page's own canonical URL (absolute, ``http``/``https``) or None (RFC 6596 ``rel=canonical``)."""
    canon = page.tree.xpath('//link[contains(concat(" ", normalize-space(@rel), " "), " canonical ")]/@href')
    canonical = canon[0].strip() if canon and canon[0].strip() else _m(page.meta, "og:url")
    if canonical:
        canonical = _join(page.base, canonical)
        if not canonical or not canonical.startswith("http"):
            canonical = None
    return canonical
