"""Plain-text articles as copied from a news page (the seed article's kind): title, teaser, image block,
byline with date, body, subheadings, shortcodes, agency tag, comment boilerplate.
"""

from __future__ import annotations

import re
from typing import Any

from .agencies import _agencies_in
from .date_strings import _MONTH_ALT, _date_from_url, parse_date_string
from .decode import decode_html
from .fields import _empty_result
from .names import _clean_person, _split_names
from .normalise import _dedupe, _letters, _norm_ws, _registered_domain_label
from .paragraphs import _CREDIT_RE, _is_subheading, clean_paragraphs, split_credit
from .tree import _CONTROL_RE

#: a short line that opens with a full date and goes on with a name/place: "1. Februar 2022 , Daniel Dillenburg"
_BYLINE_DATE_RE = re.compile(
    rf"^(?P<name>.{{0,80}}?)\s*(?:[|,•·\-–]\s*)?(?:(?:am|on|vom|published|veröffentlicht|aktualisiert|updated)\s*:?\s*)?"
    rf"(?P<date>\d{{1,2}}\.\s?(?:{_MONTH_ALT})\.?\s+\d{{4}}|\d{{1,2}}\.\d{{1,2}}\.\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|"
    rf"(?:{_MONTH_ALT})\.?\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+(?:{_MONTH_ALT})\.?\s+\d{{4}})"
    r"(?P<rest>(?:,?\s*(?:um\s+|at\s+)?\d{1,2}[:.]\d{2}(?:\s*(?:uhr|am|pm|[ap]\.m\.))?)?\s*(?:uhr)?\.?)\s*$",
    re.I,
)


def _site_like(name: str, url: str | None, signoff: str | None = None) -> bool:
    """True when ``name`` names the publication: its letters equal the URL's registered-domain label or the
    sign-off name (e.g. "Epoch Times" ~ epochtimes.de / "Ihre Epoch Times - Redaktion")."""
    key = _letters(name)
    if len(key) < 3:
        return False
    label = _registered_domain_label(url)
    if label and (_letters(label) == key or (len(key) >= 5 and key in _letters(label))):
        return True
    return bool(signoff and _letters(signoff) == key)


def parse_text(text: str | bytes, url: str | None = None) -> dict[str, Any]:
    """Parse a plain-text article (as copied from a news page) into the article dict.

    Layout understood: line 1 = title; then the teaser; optional image block(s) (an alt line followed by
    a caption line that carries a credit after ``Foto:``/``Bild:``/``Photo:``/``©``/``Credit:``, possibly
    glued to the caption without a space); a byline line ending in a date (``Epoch Times28. April 2025``);
    then body paragraphs. Short lines without final punctuation between paragraphs are subheadings.
    CMS shortcodes, a trailing agency tag, "read more" lines and a reader-comment section are removed.
    A byline that names the publication (letters match the URL's registered domain or the sign-off
    "Ihre X - Redaktion") becomes ``site_name``, not an author. Dates are UTC (day-only dates at 00:00
    UTC, precision ``day``). Bytes are decoded with :func:`decode_html` rules. Never raises for odd input.
    """
    result = _empty_result()
    if isinstance(text, bytes):
        text, enc = decode_html(text, "text/plain")
        result["encoding"] = enc
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "").replace("\x00", "")
    text = _CONTROL_RE.sub(lambda m: " " if m.group() in "\x0b\x0c" else "", text)
    lines = [_norm_ws(line) for line in text.split("\n")]
    # keep blank-line information: a paragraph is a non-empty line
    idx = [i for i, line in enumerate(lines) if line]
    if not idx:
        return result
    title = lines[idx[0]]
    result["title"] = title
    result["field_sources"]["title"] = "text"
    rest = [lines[i] for i in idx[1:]]

    # find the byline/date line within the header block
    byline_pos = None
    byline_match = None
    for j, line in enumerate(rest[:10]):
        m = _BYLINE_DATE_RE.match(line) if len(line) < 120 else None  # (the pattern is quadratic in space runs)
        if m:
            byline_pos, byline_match = j, m
            break

    header = rest[:byline_pos] if byline_pos is not None else []
    body_lines = rest[byline_pos + 1 :] if byline_pos is not None else rest

    images: list[dict[str, Any]] = []
    captions: list[str] = []
    teaser_parts: list[str] = []
    used: set[int] = set()
    for j, line in enumerate(header):
        if _CREDIT_RE.search(line):
            cap, credit = split_credit(line)
            alt = None
            if j - 1 >= 0 and (j - 1) not in used and j - 1 > 0:
                alt = header[j - 1]
                used.add(j - 1)
            used.add(j)
            images.append({"url": None, "alt": alt, "caption": cap, "credit": credit})
            captions.extend(x for x in (cap, alt, line) if x)
    for j, line in enumerate(header):
        if j not in used:
            teaser_parts.append(line)
    if teaser_parts:
        result["teaser"] = teaser_parts[0]
        # more than one unused header line: the rest belongs to the body
        body_lines = teaser_parts[1:] + body_lines
    result["images"] = images

    cleaned = clean_paragraphs(body_lines, captions=captions)
    signoff = cleaned["signoff"]
    paragraphs = cleaned["paragraphs"]

    if byline_match is not None:
        dt = parse_date_string(byline_match.group("date") + (byline_match.group("rest") or ""))
        if dt:
            result["published_at"], result["published_precision"] = dt
            result["field_sources"]["published_at"] = "text"
        name = byline_match.group("name").strip(" ,|-–—")
        if name:
            if _site_like(name, url, signoff):
                result["site_name"] = name
            else:
                authors = [a for a in (_clean_person(x) for x in _split_names(name)) if a]
                agencies_by = _agencies_in(name)
                if authors:
                    result["authors"] = _dedupe(authors)
                    result["field_sources"]["authors"] = "text"
                cleaned["agencies"] = _dedupe(agencies_by + cleaned["agencies"])
    if result["site_name"] is None and signoff:
        result["site_name"] = signoff
    if result["published_at"] is None:
        dt = _date_from_url(url)
        if dt:
            result["published_at"], result["published_precision"] = dt
            result["field_sources"]["published_at"] = "url"

    # teaser repeated as first body paragraph
    if result["teaser"] and paragraphs and _letters(paragraphs[0]) == _letters(result["teaser"]):
        paragraphs = paragraphs[1:]
    subheads = [p for k, p in enumerate(paragraphs) if 0 < k < len(paragraphs) - 1 and _is_subheading(p)]
    result["subheadings"] = subheads
    result["body"] = "\n\n".join(paragraphs)
    result["agencies"] = cleaned["agencies"]
    result["related_ids"] = cleaned["related_ids"]
    return result
