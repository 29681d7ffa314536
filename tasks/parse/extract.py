"""The trafilatura call: its fast and full passes on our cleaned tree (comments excluded), the size limits
past which it is not called, and its output document turned into paragraphs and subheadings.
"""

from __future__ import annotations

from typing import Any

from .normalise import _norm_ws

_FULL_EXTRACTION_BELOW = 1000  # characters
_MAX_EXTRACTOR_ELEMENTS = 50_000  # elements; real article pages have a few thousand
#: children of one element; real pages have a few hundred at most. XPath ``text()`` steps (htmldate's free-text
#: search ``.//*[self::div or …]/text()``, trafilatura's ``//p//text()``) grow cubically with the text nodes of one
#: element when a child's text comes first ("<p><b>Von</b> <a>A</a>, <a>B</a>, …": libxml2 orders them by walking
#: siblings; 20,000 took 25-45 s), and trafilatura's main pass takes len() of wide elements over and over
_MAX_CHILDREN = 3000


def _too_wide(tree: Any) -> bool:
    """Some element of ``tree`` has more than :data:`_MAX_CHILDREN` children."""
    return any(len(e) > _MAX_CHILDREN for e in tree.iter())


def _trafilatura_body(tree: Any, url: str | None, fast: bool) -> Any:
    import trafilatura

    try:
        return trafilatura.bare_extraction(
            tree,
            url=url,
            fast=fast,
            with_metadata=False,
            include_comments=False,
            include_tables=True,
            include_images=False,
            deduplicate=False,
        )
    except Exception:  # pragma: no cover - never let one page kill a batch
        return None


# ---- body from trafilatura --------------------------------------------------------------------------------


_BLOCK_TAGS = {"p", "head", "item", "row", "code", "quote", "list", "table", "div", "cell"}


def _body_paragraphs(body: Any) -> tuple[list[str], list[str]]:
    """Turn trafilatura's XML body into (paragraphs, subheadings)."""
    paragraphs: list[str] = []
    subheads: list[str] = []

    def emit(txt: str, is_head: bool = False) -> None:
        for piece in txt.split("\n"):
            piece = _norm_ws(piece)
            if piece:
                paragraphs.append(piece)
                if is_head:
                    subheads.append(piece)

    def inline_text(el: Any) -> str:
        parts: list[str] = []

        def rec(e: Any) -> None:
            if e.text:
                parts.append(e.text)
            for ch in e:
                if ch.tag == "lb":
                    parts.append("\n")
                elif ch.tag in ("graphic",):
                    pass
                else:
                    rec(ch)
                if ch.tail:
                    parts.append(ch.tail)

        rec(el)
        return "".join(parts)

    def walk(el: Any) -> None:
        for ch in el:
            tag = ch.tag
            if tag == "head":
                emit(inline_text(ch), True)
            elif tag in ("p", "item", "code") and not any(c.tag in ("p", "list", "item", "quote", "table") for c in ch):
                emit(inline_text(ch))
            elif tag == "row":
                cells = [_norm_ws(inline_text(c)) for c in ch]
                line = " | ".join(c for c in cells if c)
                if line:
                    paragraphs.append(line)
            elif tag in ("list", "table", "quote", "div", "p", "item", "cell"):
                if ch.text and ch.text.strip():
                    emit(ch.text)
                walk(ch)
            elif tag == "lb":
                pass
            else:
                txt = inline_text(ch)
                if txt.strip():
                    emit(txt)
            if ch.tail and ch.tail.strip():
                emit(ch.tail)

    walk(body)
    return paragraphs, subheads
