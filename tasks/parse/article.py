"""The HTML orchestrator: :func:`parse_html` reads the page once and asks each field's module in turn.

Order matters where one field needs another: the headline element (title) is where the byline and the dek are
looked for; the authors are dropped from the body's bio lines; the title cuts the body's head; the teaser is
read before the tree is cleaned for the extractor, and compared with the body's first paragraph after.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .agencies import _DATELINE_RE, _agencies_in
from .agency_credits import _byline_agencies
from .authors import decide_authors
from .body import clean_body, drop_headline_lines, extract_paragraphs, link_labels
from .canonical import canonical_url
from .clean import _preclean_tree
from .dates import decide_dates
from .decode import decode_html
from .fields import _empty_result
from .images import decide_images
from .normalise import _dedupe, _letters
from .page import read_page
from .related import related_box_links
from .site_name import site_name
from .structured import _keywords, accessible_for_free
from .teaser import decide_teaser, teaser_candidates
from .title import decide_title
from .tree import _parse_tree


def parse_html(
    html: str | bytes,
    url: str | None = None,
    *,
    fetched_at: datetime | None = None,
    relative_dates: bool = True,
    timezone: str | None = None,
) -> dict[str, Any]:
    """Parse an HTML news page into the article dict (keys :data:`FIELDS`).

    ``html`` may be bytes (decoded with :func:`decode_html`; the codec goes to ``encoding``). The page is
    parsed once with lxml; metadata comes from JSON-LD (all blocks, ``@graph`` + ``@id`` references),
    Open Graph/meta tags and the HTML (h1, ``<time>``, bylines), in that order of trust; the body from
    trafilatura (comments excluded), cleaned by :func:`clean_paragraphs`. ``published_at``/``modified_at``
    are UTC datetimes; a date without time is 00:00 UTC with precision ``day``; ``published_offset_min`` is the
    UTC offset (minutes east) the chosen publication date stated, None when it stated none. Dates in ``<script>`` text,
    HTML comments or partial URL numbers are never used; dates after ``fetched_at`` (or in the future when
    it is not given) are discarded. Never raises for malformed HTML (an empty body is returned instead).

    Relative dates: ``fetched_at`` (UTC; the fetch time, e.g. the fetch stage's) is the base for a relative
    date the article header or byline shows ("vor 5 Stunden", "gestern, 14:30", "2 hours ago", "hace 3 horas",
    "il y a 2 heures", "3 uur geleden", "2 ore fa"). One is used only when no absolute publication date is found
    (structured data, meta tags, the date shown in the header); it is read by dateparser with the page's language
    and ``RELATIVE_BASE = fetched_at``, and ``field_sources["published_at"]`` is ``"relative"``. An elapsed time
    gives that instant in UTC (precision ``minute``, ``published_offset_min`` None); a day ("gestern",
    "vor 2 Tagen") gives that calendar day (precision ``day``); a day word with a clock time ("heute, 09:12 Uhr")
    gives that local time (Central European Time on pages in a Central European language, with its offset in
    ``published_offset_min``; UTC elsewhere). Elapsed weeks, months or years name no day and are not used; a
    result after ``fetched_at`` is discarded. Relative dates in comments, related/teaser boxes, sidebars, links
    or scripts, and in running text, are never used; one labelled as an update ("Aktualisiert vor 2 Stunden")
    becomes ``modified_at`` when the page states no structured modification date, never ``published_at``.
    Without ``fetched_at``, or with ``relative_dates=False`` (``fetched_at`` is not when the page was served,
    e.g. the time an archived file was read), no relative date is read (the machine clock is never used: parsing
    stays deterministic). A clock time printed with a zone name ("9:45 p.m. ET", "23:30 MESZ") has that zone's
    offset; one printed without a zone is read in ``timezone`` (an IANA name: the source's setting) or else in the
    zone the page's language implies (:func:`~.date_zones.page_zone`), and relative dates likewise.
    """

    result = _empty_result()
    if isinstance(html, bytes):
        html, enc = decode_html(html)
        result["encoding"] = enc
    tree = _parse_tree(html)
    if tree is None:
        return result
    page = read_page(tree, url)
    result["canonical_url"] = canonical_url(page)
    result["site_name"], site_names = site_name(page)
    result["language"] = page.language

    head = decide_title(page, site_names)  # the headline element is needed by the authors, teaser and body
    result["title"], result["field_sources"]["title"] = head.title, head.source

    published, result["modified_at"] = decide_dates(page, fetched_at, relative_dates, head.title, timezone)
    if published:
        result["published_at"], result["published_precision"], result["field_sources"]["published_at"] = published[:3]
        result["published_offset_min"] = published[3]

    authors, result["field_sources"]["authors"], agencies = decide_authors(
        page, result["site_name"], head.site_names, head.h1_el
    )
    result["authors"] = authors
    agencies += _byline_agencies(page.tree, page.root, head.h1_el)

    result["keywords"] = _keywords(page.jsonld, page.meta)
    result["is_accessible_for_free"] = accessible_for_free(page.jsonld)
    result["images"], captions = decide_images(page, head.h1_el)
    # read before the tree is cleaned for the extractor: the lead element, the related boxes, the link labels
    description, lead = teaser_candidates(page, head.title, head.h1_el)
    related = related_box_links(page)
    link_texts = link_labels(page.tree)

    _preclean_tree(page.tree)
    paragraphs, subheads = extract_paragraphs(page, link_texts, head.h1)
    paragraphs, body_agencies, body_related = clean_body(paragraphs, captions, result["site_name"], link_texts, authors)
    agencies += body_agencies
    related = body_related + related
    paragraphs = drop_headline_lines(paragraphs, head.title, (head.title, head.h1, head.jl_title, head.og_title))
    dateline = _DATELINE_RE.match(paragraphs[0]) if paragraphs else None
    if dateline:
        agencies += _agencies_in(dateline.group(1))  # "BERLIN (dpa) -" opening the text

    result["teaser"], paragraphs = decide_teaser(lead, description, head.title, paragraphs, page.tree)
    if paragraphs and head.title and _letters(paragraphs[0]) == _letters(head.title):
        paragraphs = paragraphs[1:]  # the title repeated as first paragraph, under the teaser
    body_set = set(paragraphs)
    result["subheadings"] = _dedupe(s for s in subheads if s in body_set and s != head.title)
    result["body"] = "\n\n".join(paragraphs)
    result["agencies"] = _dedupe(agencies)
    result["related_ids"] = _dedupe(related)[:50]
    return result
