"""Parse stage: turn one fetched document (HTML or plain text) into article fields.

Pure functions only (no Prefect, no I/O): the stage task calls :func:`parse_document` once per row,
possibly in a process pool.

Public API
----------
``parse_html(html, url=None)``      HTML (str or bytes) -> article dict
``parse_text(text, url=None)``      plain-text article (as copied from a news page) -> article dict
``decode_html(data, content_type)`` bytes -> (text, encoding) following the WHATWG sniffing order
``parse_document(content, content_type, url, fetched_at=None)`` sniff + dispatch, raises :class:`ParseError`

Every article dict has the keys listed in :data:`FIELDS`; missing values are ``None`` or ``[]``.
Timestamps are timezone-aware ``datetime`` objects in UTC.

Sources of the rules: encoding sniffing follows the WHATWG HTML/Encoding standards (BOM > transport
charset > ``<meta>`` prescan > content detection; ``iso-8859-1``/``latin-1``/``ascii`` labels mean
``windows-1252``); structured data follows schema.org JSON-LD (incl. Yoast-style ``@graph`` with ``@id``
references) and the Open Graph protocol; the main text comes from trafilatura, cleaned with general
news-page rules (CMS shortcodes, agency tags, "read more" lines, reader-comment sections, captions).

Layout: :mod:`.article` holds :func:`parse_html`, the orchestrator that builds the :class:`~.page.Page` and
asks each field's module in turn; the README's layout section lists every module and what it decides. This
module is the package's face: it re-exports the names that callers, scripts and tests import from
``tasks.parse`` (private ones, imported as ``_x as _x``, for tests written against the former single module).
"""

from __future__ import annotations

from tasks import package_face

from .agencies import AGENCIES
from .agencies import _credit_agencies as _credit_agencies
from .article import parse_html
from .author_links import _author_link_authors as _author_link_authors
from .body import _drop_author_bios as _drop_author_bios
from .body import _drop_link_runs as _drop_link_runs
from .body import _link_share as _link_share
from .body import _paragraph_chars as _paragraph_chars
from .byline import _html_authors as _html_authors
from .date_fallback import _dateparser_for as _dateparser_for
from .date_fallback import _dateparser_langs as _dateparser_langs
from .date_fallback import _htmldate_fallback as _htmldate_fallback
from .date_strings import parse_date_string, stated_offset_min
from .decode import decode_html, sniff_mime
from .document import parse_document
from .extract import _MAX_EXTRACTOR_ELEMENTS as _MAX_EXTRACTOR_ELEMENTS
from .extract import _body_paragraphs as _body_paragraphs
from .extract import _trafilatura_body as _trafilatura_body
from .fields import FIELDS, PARSE_VERSION, REASONS, ParseError
from .paragraphs import clean_paragraphs, split_credit
from .teaser import _on_page as _on_page
from .text import parse_text

__all__ = [
    "AGENCIES",
    "FIELDS",
    "PARSE_VERSION",
    "REASONS",
    "ParseError",
    "clean_paragraphs",
    "decode_html",
    "parse_date_string",
    "parse_document",
    "parse_html",
    "parse_text",
    "sniff_mime",
    "split_credit",
    "stated_offset_min",
]

package_face.install(__name__)
