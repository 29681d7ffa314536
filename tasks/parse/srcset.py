"""``srcset`` attributes: the candidate list per the HTML standard, and the largest candidate.

The grammar and parsing algorithm are the WHATWG HTML Living Standard's, section 4.8.4.3.10 "Parsing a srcset
attribute" (https://html.spec.whatwg.org/multipage/images.html#parsing-a-srcset-attribute): a candidate is a URL — a
run of characters that are not ASCII whitespace, so commas inside it belong to it (``…/w=875,q=90/a.jpg``) — then
optional descriptors (``875w``, ``2x``, ``300h``) up to a comma that is outside parentheses; commas after the URL's
last non-comma character end a candidate that has no descriptors. No library in the project's environment parses
this grammar (w3lib, lxml, trafilatura and courlan do not), hence this small parser.
"""

from __future__ import annotations

from typing import NamedTuple

_WS = " \t\n\r\f"  # ASCII whitespace (HTML standard)


class Candidate(NamedTuple):
    """One image candidate: ``url`` as written (not resolved), ``width`` (``w`` descriptor, CSS pixels) or
    ``density`` (``x`` descriptor; 1.0 when neither is given)."""

    url: str
    width: int | None
    density: float


def _descriptors(s: str, pos: int) -> tuple[list[str], int]:
    """Tokenise the descriptors after a URL, from ``pos`` to the comma that ends the candidate (outside
    parentheses) or the end of ``s``; returns them and the position after that comma."""
    tokens: list[str] = []
    current = ""
    in_parens = False
    n = len(s)
    while pos < n:
        c = s[pos]
        pos += 1
        if in_parens:
            current += c
            if c == ")":
                in_parens = False
        elif c in _WS:
            if current:
                tokens.append(current)
                current = ""
        elif c == ",":
            break
        else:
            current += c
            if c == "(":
                in_parens = True
    if current:
        tokens.append(current)
    return tokens, pos


def _candidate(url: str, tokens: list[str]) -> Candidate | None:
    """Apply the standard's descriptor rules: at most one ``w`` (a positive integer) or one ``x`` (a non-negative
    number), ``h`` only with ``w``; any other descriptor makes the candidate invalid (None)."""
    width: int | None = None
    density: float | None = None
    height = False
    for tok in tokens:
        kind, num = tok[-1:].lower(), tok[:-1]
        try:
            if kind == "w" and width is None and density is None and num.isdigit() and int(num) > 0:
                width = int(num)
            elif kind == "x" and width is None and density is None and not height:
                density = float(num)
                if density < 0 or density != density:  # negative or NaN
                    return None
            elif kind == "h" and not height and density is None and num.isdigit() and int(num) > 0:
                height = True
            else:
                return None
        except ValueError:
            return None
    if height and width is None:
        return None
    return Candidate(url, width, 1.0 if density is None else density)


def parse_srcset(value: str | None) -> list[Candidate]:
    """The candidates of a ``srcset`` value, in order; invalid candidates and empty URLs are skipped.

    >>> [c.url for c in parse_srcset("https://x.test/w=875,q=90/a.jpg 875w, https://x.test/w=400,q=90/a.jpg 400w")]
    ['https://x.test/w=875,q=90/a.jpg', 'https://x.test/w=400,q=90/a.jpg']
    """
    out: list[Candidate] = []
    if not value:
        return out
    s, pos, n = value, 0, len(value)
    while pos < n:
        while pos < n and (s[pos] in _WS or s[pos] == ","):
            pos += 1
        if pos >= n:
            break
        start = pos
        while pos < n and s[pos] not in _WS:
            pos += 1
        url = s[start:pos]
        tokens: list[str]
        if url.endswith(","):
            url, tokens = url.rstrip(","), []
        else:
            tokens, pos = _descriptors(s, pos)
        cand = _candidate(url, tokens) if url else None
        if cand is not None:
            out.append(cand)
    return out


def largest(candidates: list[Candidate]) -> Candidate | None:
    """The candidate a wide, dense screen would load: the largest ``w`` when any candidate has one, else the
    largest density; the first of equals. None for an empty list."""
    if not candidates:
        return None
    with_width = [c for c in candidates if c.width is not None]
    if with_width:
        return max(with_width, key=lambda c: c.width or 0)
    return max(candidates, key=lambda c: c.density)
