"""The version the dedup stage's output carries."""

from __future__ import annotations

import rensa

#: Bumped when the output changes for the same input and settings; includes rensa's MinHash algorithm version,
#: so a rensa release that changes signatures recomputes dedup instead of mixing incomparable signatures.
#: 3 (issue #15): canonical URLs drop session ids and keep route fragments; a match points to the copy that
#: ranks first, not to the one seen first; rel=canonical from page 2, 3 … of an article to page 1 is ignored.
#: Stored data roots re-deduplicate every parsed document once (index rebuilt, dataset rewritten); nothing is
#: fetched, parsed or enriched again.
DEDUP_VERSION = f"3-rensa{rensa.RMinHash.ALGORITHM_VERSION}"
