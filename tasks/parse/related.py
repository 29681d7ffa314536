"""Related-article links: the boxes inside the article that point to further stories ("Mehr zum Thema",
"Related", "Read more"), read before the tree is cleaned; the ids in the body's own "read more" lines come
from :func:`~.paragraphs.clean_paragraphs`."""

from __future__ import annotations

from .normalise import _join
from .page import Page


def related_box_links(page: Page) -> list[str]:
    """Absolute URLs of the links in related/read-more boxes of the article region, in page order (links inside
    a box nested in another are read once; ``#``, ``javascript:`` and ``mailto:`` links are skipped)."""
    related: list[str] = []
    boxes: set[object] = set()
    for box in page.scope.xpath(
        # (the first test, which all three imply, discards most elements for one string test instead of three)
        './/*[contains(@class,"re")][contains(@class,"related") or contains(@class,"read-more") '
        'or contains(@class,"readmore")]'
    ):
        if any(up in boxes for up in box.iterancestors()):
            continue  # inside a box already read (390 nested boxes around 20,000 links were each read: 50 s)
        boxes.add(box)
        for a in box.iter("a"):
            href = a.get("href")
            if href and not href.startswith(("#", "javascript:", "mailto:")):
                joined = _join(page.base, href)
                if joined:
                    related.append(joined)
    return related
