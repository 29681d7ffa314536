"""The article's images with alt text, caption and photo credit (split off the caption: "Foto: …",
"Bild: …", "©"), and the caption texts the body cleaning removes.
"""

from __future__ import annotations

import re
from typing import Any

from .clean import _in_bad_container
from .normalise import _join, _norm_ws
from .page import Page
from .paragraphs import split_credit
from .structured import _m
from .tree import _text

# ---- images -----------------------------------------------------------------------------------------------


def _img_src(img: Any) -> str | None:
    for attr in ("src", "data-src", "data-original", "data-lazy-src", "data-srcset", "srcset"):
        v = img.get(attr)
        if v and not v.startswith("data:"):
            return v.strip().split(",")[0].split()[0] if "srcset" in attr else v.strip()
    return None


def _images(tree: Any, root: Any, base: str | None, og_image: str | None) -> tuple[list[dict[str, Any]], list[str]]:
    images: list[dict[str, Any]] = []
    texts: list[str] = []
    seen: set[str] = set()
    scope = root if root is not None else tree
    for fig in scope.iter("figure"):
        if _in_bad_container(fig):
            continue
        img = next(fig.iter("img"), None)
        src = _img_src(img) if img is not None else None
        cap_el = next(fig.iter("figcaption"), None)
        caption = credit = None
        if cap_el is not None:
            credit_els = cap_el.xpath(
                './/*[contains(@class,"credit") or contains(@class,"copyright") or contains(@class,"source")'
                ' or contains(@class,"author") or contains(@class,"photographer")]'
            )
            full = _text(cap_el)
            texts.append(full)
            if credit_els:
                credit = _text(credit_els[0])
                texts.append(credit)
                cap_txt = full.replace(credit, "").strip() if credit else full
                caption, credit2 = split_credit(cap_txt)
                if credit2 and not credit:
                    credit = credit2
                credit = (
                    re.sub(
                        r"^(?:Fotos?|Bild|Photo|Credit|Quelle|Source)\s*:\s*|^©\s*", "", (credit or "").strip(" ()")
                    ).strip(" ()")
                    or None
                )
            else:
                caption, credit = split_credit(full)
        alt = _norm_ws(img.get("alt")) if img is not None and img.get("alt") else None
        if alt:
            texts.append(alt)
        if not src and not caption:
            continue
        url = _join(base, src)
        if url and url in seen:
            continue
        if url:
            seen.add(url)
        images.append({"url": url, "alt": alt, "caption": caption, "credit": credit})
    if og_image:
        url = _join(base, og_image)
        if url and url not in seen:
            images.insert(0, {"url": url, "alt": None, "caption": None, "credit": None})
    return images[:30], texts


def decide_images(page: Page) -> tuple[list[dict[str, Any]], list[str]]:
    """``(images, caption texts)``: the article's images as ``{"url", "alt", "caption", "credit"}`` dicts
    (absolute URLs; ``og:image``/``twitter:image`` when the article shows none) and every caption/credit text
    seen, which the body cleaning drops where the extractor kept it as a paragraph."""
    return _images(page.tree, page.root, page.base, _m(page.meta, "og:image", "twitter:image"))
