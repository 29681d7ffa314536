"""Declared Arrow schemas, one per stage output, plus the shared rejects schema.

Every Parquet write in newsflow goes through :func:`conform`, which builds the table against the declared
schema instead of letting pyarrow infer types per batch. That is what keeps a dataset readable when one batch has
an all-null column (inferred as ``null``), mixed numbers and strings (inferred as int64, then failing), or naive
timestamps (field cases C22 and C24 in ``shared/cases``).

All timestamps are ``timestamp[us, tz=UTC]``. Keys shared by every stage: ``doc_id`` (stable hash of the source
URL, or of a local file's source name and path, see :func:`tasks.fetch.document_id`) and ``content_sha256`` (hex
SHA-256 of the fetched bytes): together they name one *version* of one document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

UTC_TS = pa.timestamp("us", tz="UTC")


def _schema(fields: list[Any]) -> pa.Schema:
    return pa.schema(list(fields))


def _fields(schema: pa.Schema, *names: str) -> list[pa.Field]:
    """Fields of an upstream stage's schema, so a column keeps one name and type along the pipeline."""
    return [schema.field(n) for n in names]


STR_LIST = pa.list_(pa.string())

#: Raw documents as fetched (``processed/fetched/``).
FETCHED = _schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("uri", pa.string(), nullable=False),  # file path relative to the source, or the requested URL
        pa.field("url", pa.string()),  # original URL of the document, when known
        pa.field("final_url", pa.string()),  # after redirects (HTTP only)
        pa.field("redirects", STR_LIST),  # URLs passed through, in order (HTTP only)
        pa.field("fetched_at", UTC_TS, nullable=False),
        pa.field("http_status", pa.int16()),  # null for local files
        pa.field("content_type", pa.string()),  # header value incl. charset, or a guess from the file name
        pa.field("content_length", pa.int64()),  # bytes
        pa.field("content", pa.large_binary(), nullable=False),
        # HTTP validators of this version, sent back as If-None-Match / If-Modified-Since when it is revisited
        pa.field("etag", pa.string()),
        pa.field("last_modified", UTC_TS),
    ]
)

#: URLs discovered from feeds, sitemaps and URL lists (``processed/fetched/_frontier/``), one row per document,
#: written when first seen: a URL that drops out of its feed before it could be fetched (``max_items``, a
#: circuit breaker, robots.txt unavailable, a killed run) is still fetched by a later run.
FRONTIER = _schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("uri", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("meta_json", pa.string()),  # the discovery metadata (feed entry title, dates) as JSON
        pa.field("discovered_at", UTC_TS, nullable=False),
    ]
)

IMAGE = pa.struct(
    [
        pa.field("url", pa.string()),
        pa.field("alt", pa.string()),
        pa.field("caption", pa.string()),
        pa.field("credit", pa.string()),
    ]
)

FIELD_SOURCES = pa.struct(
    [pa.field("title", pa.string()), pa.field("published_at", pa.string()), pa.field("authors", pa.string())]
)

#: Parsed article fields (``processed/parsed/``).
PARSED = _schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("fetched_at", UTC_TS),
        pa.field("title", pa.string()),
        pa.field("teaser", pa.string()),
        pa.field("body", pa.string()),
        pa.field("site_name", pa.string()),
        pa.field("authors", STR_LIST),
        pa.field("agencies", STR_LIST),
        pa.field("subheadings", STR_LIST),
        pa.field("related_ids", STR_LIST),
        pa.field("keywords", STR_LIST),
        pa.field("published_at", UTC_TS),
        pa.field("published_precision", pa.string()),
        # minutes east of UTC the page stated for its publication date (+120 for "…T00:50+02:00"); null when it
        # gave none (date only, naive time). published_at stays UTC; the page's local day is published_at + offset
        pa.field("published_offset_min", pa.int16()),
        pa.field("modified_at", UTC_TS),
        pa.field("canonical_url", pa.string()),  # as declared by the page (rel=canonical / og:url)
        pa.field("declared_language", pa.string()),  # ISO 639-1 from html lang / meta / JSON-LD
        pa.field("images", pa.list_(IMAGE)),
        pa.field("is_accessible_for_free", pa.bool_()),
        pa.field("field_sources", FIELD_SOURCES),
        pa.field("encoding", pa.string()),
        pa.field("parser_version", pa.string()),
    ]
)

NEAR_MATCH = pa.struct(
    [
        pa.field("doc_id", pa.string()),
        pa.field("content_sha256", pa.string()),
        pa.field("similarity", pa.float32()),
    ]
)

#: One row per parsed document version: its dedup keys and the earlier document it matched, if any
#: (``processed/deduplicated/``). Clusters are resolved from these match edges by
#: :func:`tasks.dedup.resolve_clusters`.
DEDUPLICATED = _schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("canonical_url", pa.string()),
        pa.field("url_hash", pa.string()),
        pa.field("text_hash", pa.string()),
        pa.field("published_at", UTC_TS),
        pa.field("body_chars", pa.int32()),
        pa.field("match_doc_id", pa.string()),  # earlier document this one duplicates
        pa.field("match_kind", pa.string()),  # url | exact | near
        pa.field("similarity", pa.float32()),  # estimated Jaccard similarity for near, 1.0 for url/exact
        # every earlier document (version) whose estimated Jaccard similarity is at or above the threshold (one
        # per distinct text, at most tasks.dedup.MAX_NEAR_EDGES, most similar first); clusters are the connected
        # components of these edges plus equal URL/text keys, so they do not depend on processing order
        pa.field("near_matches", pa.list_(NEAR_MATCH)),
        pa.field("dedup_version", pa.string()),
    ]
)

#: The dedup index (``processed/deduplicated/_index/``): one row per document version, in the order deduplicated.
#: 64-bit keys (the first 64 bits of SHA-256 of the doc_id, ``url_hash`` and ``text_hash``) and the MinHash
#: LSH band hashes, loaded into numpy by :meth:`tasks.dedup.DedupIndex.from_tables` without a Python object per
#: row. Null keys/bands: no usable URL, body too short.
DEDUP_INDEX = _schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
        pa.field("doc_key", pa.uint64(), nullable=False),
        pa.field("url_key", pa.uint64()),
        pa.field("text_key", pa.uint64()),
        pa.field("band_hashes", pa.list_(pa.uint64())),
    ]
)

#: MinHash signatures (``processed/deduplicated/_signatures/``, rensa ``RMinHash``, uint32 per permutation),
#: used to verify LSH candidates and to measure a near-duplicate's similarity to its cluster representative.
DEDUP_SIGNATURES = _schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
        pa.field("signature", pa.list_(pa.uint32()), nullable=False),
    ]
)

#: A place named in an article (``places`` enricher): ``name`` in its base form in the article's language
#: (``Russland`` for ``Russlands``), ``country_code`` ISO 3166-1 alpha-2 (null for regions spanning countries),
#: ``lat``/``lon`` in degrees (WGS84; country: a representative point, city: GeoNames coordinates),
#: ``mentions`` how often it is named, ``method`` the gazetteer entry kind that matched (``country``, ``city``,
#: ``region``).
PLACE = pa.struct(
    [
        pa.field("name", pa.string()),
        pa.field("country_code", pa.string()),
        pa.field("lat", pa.float64()),
        pa.field("lon", pa.float64()),
        pa.field("mentions", pa.int32()),
        pa.field("method", pa.string()),
    ]
)

#: A number in an article (``quantities`` enricher): ``value`` (scale words applied: "1,5 Millionen" → 1500000),
#: ``unit`` (``%``, a currency as written, a measure or the counted noun as written; null when none),
#: ``text`` (the exact span), ``method`` (``number``, ``percent`` or ``money``).
QUANTITY = pa.struct(
    [
        pa.field("value", pa.float64()),
        pa.field("unit", pa.string()),
        pa.field("text", pa.string()),
        pa.field("method", pa.string()),
    ]
)

#: A person or organisation named in an article (``entities`` enricher): ``name`` (the fullest form in the text,
#: German adjective endings folded), ``method`` (the rule that found it: ``title``, ``first-name``, ``suffix``,
#: ``head-noun``, ``acronym``), ``mentions``.
ENTITY = pa.struct([pa.field("name", pa.string()), pa.field("method", pa.string()), pa.field("mentions", pa.int32())])

#: A key phrase of an article (``keywords`` enricher, YAKE): ``phrase`` as written in the text (one to three
#: words), ``score`` YAKE's score (lower is better, > 0; comparable only within one article). Not the parse stage's
#: ``keywords`` (the tags the page declares in its meta data).
KEY_PHRASE = pa.struct([pa.field("phrase", pa.string()), pa.field("score", pa.float64())])

#: Enrichment per document version (``processed/enriched/``). Columns of enrichers that are not configured
#: (``[enrich] enrichers``) are null.
ENRICHED = _schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
        pa.field("language", pa.string()),  # ISO 639-1, detected from title + teaser + body
        pa.field("language_confidence", pa.float32()),  # 0..1
        pa.field("word_count", pa.int32()),  # whitespace-separated tokens of the body
        pa.field("reading_time_s", pa.int32()),  # seconds
        pa.field("places", pa.list_(PLACE)),  # most mentioned first
        pa.field("countries", STR_LIST),  # distinct country_code of places, most mentioned first
        pa.field("quantities", pa.list_(QUANTITY)),  # distinct (value, unit) in text order
        pa.field("persons", pa.list_(ENTITY)),  # most mentioned first; the article's authors left out
        pa.field("organisations", pa.list_(ENTITY)),  # most mentioned first
        pa.field("key_phrases", pa.list_(KEY_PHRASE)),  # best first; bylines, datelines and credits left out
        pa.field("enrichers", STR_LIST),  # name@version of every enricher that produced this row
        pa.field("enrich_version", pa.string()),
    ]
)

#: The public dataset (``processed/articles/``): one row per article, see design.md "The public dataset".
ARTICLES = _schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        *_fields(PARSED, "doc_id", "content_sha256"),
        PARSED.field("source").with_nullable(True),
        PARSED.field("url"),
        DEDUPLICATED.field("canonical_url"),
        *_fields(PARSED, "fetched_at", "title", "teaser", "body", "site_name", "authors"),
        PARSED.field("agencies"),  # own credits, then those of its near-duplicate cluster (issue 5)
        *_fields(PARSED, "subheadings", "related_ids", "keywords", "published_at", "published_precision"),
        PARSED.field("published_offset_min"),
        PARSED.field("modified_at"),
        pa.field("versions", pa.int32()),  # distinct texts stored for the article's URL (issue 15, D17)
        *_fields(ENRICHED, "language", "language_confidence"),
        *_fields(PARSED, "images", "is_accessible_for_free", "field_sources"),
        *_fields(ENRICHED, "word_count", "reading_time_s", "places", "countries", "quantities"),
        *_fields(ENRICHED, "persons", "organisations", "key_phrases", "enrichers"),
        pa.field("cluster_id", pa.string()),
        pa.field("duplicate_of", pa.string()),  # article_id of the cluster representative, null for it
        pa.field("duplicate_kind", pa.string()),  # near (url/exact copies are folded, see folded_*)
        pa.field("similarity", pa.float32()),
        pa.field("cluster_size", pa.int32()),  # documents in the cluster, folded copies included
        # the article credits a wire agency, or a member of its near-duplicate cluster does (issue 16; export)
        pa.field("wire_copy", pa.bool_()),
        pa.field("folded_doc_ids", STR_LIST),  # url/exact copies folded into this row
        pa.field("folded_kinds", STR_LIST),  # per folded_doc_ids entry: url | exact (added by issue 5)
        pa.field("folded_urls", STR_LIST),
        PARSED.field("parser_version"),
        ENRICHED.field("enrich_version"),
    ]
)

#: Closed set of reject reason codes, by stage.
REJECT_REASONS: dict[str, frozenset[str]] = {
    "fetch": frozenset(
        {
            "empty_content",
            "unsupported_media_type",
            "read_error",
            "dns_error",
            "connect_error",
            "timeout",
            "http_4xx",
            "http_5xx",
            "too_large",
            "redirect_loop",
            "invalid_url",
            "feed_error",
            "sitemap_error",
            "private_address",
            "robots_disallowed",
            "rate_limited",
            "decode_error",
        }
    ),
    "parse": frozenset({"not_html", "no_article_text", "decode_error", "parse_error", "parse_timeout"}),
    "dedup": frozenset({"dedup_error"}),
    "enrich": frozenset({"enrich_error"}),
    "export": frozenset({"export_error"}),
}

#: Fetch failures worth another attempt in a later run (transient network or server trouble).
RETRYABLE_REASONS = frozenset({"dns_error", "connect_error", "timeout", "http_5xx", "rate_limited"})

#: Rejects of every stage (``processed/rejects/<stage>/``).
REJECTS = _schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("content_sha256", pa.string()),  # null when no bytes were obtained
        pa.field("source", pa.string()),
        pa.field("uri", pa.string()),
        pa.field("stage", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("detail", pa.string()),
        pa.field("at", UTC_TS, nullable=False),
        pa.field("fingerprint", pa.string()),  # the stage fingerprint that rejected it
    ]
)

SCHEMAS: dict[str, pa.Schema] = {
    "fetched": FETCHED,
    "frontier": FRONTIER,
    "parsed": PARSED,
    "deduplicated": DEDUPLICATED,
    "dedup_index": DEDUP_INDEX,
    "dedup_signatures": DEDUP_SIGNATURES,
    "enriched": ENRICHED,
    "articles": ARTICLES,
    "rejects": REJECTS,
}


def _coerce(value: Any, typ: pa.DataType) -> Any:
    """Make one Python value fit ``typ``: naive datetimes are taken as UTC, numbers become strings for string
    columns (C22), and nested lists/structs are coerced field by field."""
    if value is None:
        return None
    if pa.types.is_timestamp(typ):
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
        return value
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return value if isinstance(value, str) else str(value)
    if pa.types.is_list(typ) or pa.types.is_large_list(typ):
        return [_coerce(v, typ.value_type) for v in value]
    if pa.types.is_struct(typ):
        return {f.name: _coerce(value.get(f.name), f.type) for f in typ}
    return value


def conform(rows: Iterable[Mapping[str, Any]] | pa.Table, schema: pa.Schema) -> pa.Table:
    """Build a table of exactly ``schema`` from row dicts (missing keys → null, extra keys dropped) or cast an
    existing table to it (columns reordered, missing ones added as nulls).

    Raises ``pyarrow.ArrowInvalid`` / ``ArrowTypeError`` when a value cannot be represented (for instance text in
    an integer column), and ``ValueError`` when a non-nullable column holds nulls.
    """
    if isinstance(rows, pa.Table):
        cols = []
        for field in schema:
            if field.name in rows.column_names:
                cols.append(rows.column(field.name).cast(field.type))
            else:
                cols.append(pa.nulls(rows.num_rows, field.type))
        table = pa.Table.from_arrays(cols, schema=schema)
    else:
        rows = list(rows)
        arrays = [pa.array([_coerce(r.get(field.name), field.type) for r in rows], type=field.type) for field in schema]
        table = pa.Table.from_arrays(arrays, schema=schema)
    for field in schema:
        if not field.nullable and table.column(field.name).null_count:
            raise ValueError(f"column {field.name!r} must not contain nulls")
    return table
