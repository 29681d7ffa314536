"""The version the dedup stage's output carries."""

from __future__ import annotations

import rensa

#: Bumped when the output changes for the same input and settings; includes rensa's MinHash algorithm version,
#: so a rensa release that changes signatures recomputes dedup instead of mixing incomparable signatures.
DEDUP_VERSION = f"2-rensa{rensa.RMinHash.ALGORITHM_VERSION}"
