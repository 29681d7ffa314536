"""URL identity and article versions (issue #15): session ids and route fragments in canonical URLs (D14), a stable
match direction and representative, corrected versions of one URL (D17), paginated articles (D16)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tasks import schemas
from tasks.config import DedupConfig
from tasks.dedup import DedupIndex, canonical_url, dedup_batch, url_key
from tests.conftest import FIELD_CASES

CASES = FIELD_CASES
CFG = DedupConfig()


def _case(case_id: str) -> dict[str, Any]:
    if not CASES.is_file():
        pytest.skip("shared field cases not available")
    for line in CASES.read_text(encoding="utf-8").splitlines():
        if line.strip() and json.loads(line)["id"] == case_id:
            return dict(json.loads(line))
    pytest.skip(f"field case {case_id} not in {CASES}")


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _articles_from_files(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A field case's files through the stages' plain functions: parse each page (its sidecar URL and
    fetched_at), deduplicate them in one batch, build the articles dataset."""
    from tasks.export import build_articles
    from tasks.parse import parse_document

    parsed, batch = [], []
    for f in files:
        url, fetched = f["sidecar"]["url"], _utc(f["sidecar"]["fetched_at"])
        res = parse_document(f["html"].encode("utf-8"), "text/html; charset=utf-8", url, fetched)
        doc_id, sha = "doc-" + f["name"], "sha-" + f["name"]
        parsed.append({**res, "doc_id": doc_id, "content_sha256": sha, "source": "case", "url": url})
        parsed[-1]["fetched_at"] = fetched
        batch.append({**parsed[-1], "canonical_url": res.get("canonical_url")})
    rows, _, sigs = dedup_batch(batch, DedupIndex(), CFG)
    return build_articles(
        schemas.conform(parsed, schemas.PARSED),
        schemas.conform(rows, schemas.DEDUPLICATED),
        schemas.ENRICHED.empty_table(),
        sigs,
    ).to_pylist()


# ------------------------------------------------------------------------------------------------------------
# D14: session ids and route fragments
# ------------------------------------------------------------------------------------------------------------

SESSION_CASES = [
    # Java servlet URL rewriting: ;jsessionid= path parameter, any case, other path parameters kept
    (
        "https://news.example.com/politik/a-4711.html;jsessionid=0A1B2C3D4E5F6071",
        "https://news.example.com/politik/a-4711.html",
    ),
    ("https://shop.example.net/item;JSESSIONID=ab12cd34?id=7", "https://shop.example.net/item?id=7"),
    ("https://shop.example.net/item;v=2;jsessionid=ab12", "https://shop.example.net/item;v=2"),
    ("https://www.example.org/a/b;jsessionid=1A2B3C/", "https://www.example.org/a/b"),
    # PHP, generic names, ColdFusion, osCommerce, Zen Cart, classic ASP: any value
    ("https://news.example.com/a.php?PHPSESSID=3f9a0c1d2e4b&id=5", "https://news.example.com/a.php?id=5"),
    ("https://news.example.com/a?sessionid=x1&session_id=y2&sessid=z3", "https://news.example.com/a"),
    ("https://news.example.com/a?CFID=123&CFTOKEN=456&page=2", "https://news.example.com/a?page=2"),
    ("https://shop.example.com/p?osCsid=e5f6a7b8&zenid=c9d0", "https://shop.example.com/p"),
    ("https://old.example.com/x.asp?ASPSESSIONIDQQGGQGPC=ABCDEF", "https://old.example.com/x.asp"),
    # ASP.NET cookieless session state: the id is a path segment
    (
        "https://www.example.com/(S(lit3py55t21z5v55vlm25s55))/news/story.aspx",
        "https://www.example.com/news/story.aspx",
    ),
    ("https://www.example.com/(X(1)S(lit3py55t21z5v55vlm25s55))/story.aspx", "https://www.example.com/story.aspx"),
    # sid: only a random token is a session id; a story id or a path-like id is content
    ("https://board.example.org/t.php?sid=7d3e1f0a9b8c7d6e5f4a3b2c1d0e9f8a&t=5", "https://board.example.org/t.php?t=5"),
    ("https://news.example.org/article.pl?sid=4711", "https://news.example.org/article.pl?sid=4711"),
    (
        "https://news.example.org/article.pl?sid=08/01/01/1234567",
        "https://news.example.org/article.pl?sid=08%2F01%2F01%2F1234567",
    ),
    # content parameters that merely contain "session" stay (courlan's unanchored rule would drop them)
    ("https://parliament.example.eu/debates?session=2024-03", "https://parliament.example.eu/debates?session=2024-03"),
    # WordPress search: s is not a session parameter
    ("https://blog.example.com/?s=tram", "https://blog.example.com/?s=tram"),
]

FRAGMENT_CASES = [
    # a route (hash-bang or hash router) is part of the identity
    ("https://app.example.com/#!/story/123", "https://app.example.com/#!/story/123"),
    ("https://app.example.com/news#/story/123?utm_source=x", "https://app.example.com/news#/story/123?utm_source=x"),
    ("https://APP.example.com:443/news/#!story-9", "https://app.example.com/news#!story-9"),
    ("https://app.example.com/#/story/é", "https://app.example.com/#/story/%C3%A9"),
    # a position within the page is not; a route to the root is the page itself
    ("https://news.example.com/a#section-2", "https://news.example.com/a"),
    ("https://news.example.com/a#comments", "https://news.example.com/a"),
    ("https://app.example.com/#/", "https://app.example.com/"),
    ("https://app.example.com/#!", "https://app.example.com/"),
]


@pytest.mark.parametrize(("url", "expected"), SESSION_CASES + FRAGMENT_CASES)
def test_d14_session_ids_and_route_fragments(url: str, expected: str) -> None:
    assert canonical_url(url) == expected
    assert canonical_url(expected) == expected


def test_d14_routes_are_distinct_keys_sections_are_not() -> None:
    def key(u: str) -> str:
        return url_key(canonical_url(u))

    assert key("https://app.example.com/#!/story/1") != key("https://app.example.com/#!/story/2")
    assert key("https://app.example.com/#!/story/1") != key("https://app.example.com/")
    assert key("https://www.app.example.com/#/story/1") == key("http://app.example.com/#/story/1")
    assert key("https://news.example.com/a#top") == key("https://news.example.com/a#comments")


def test_d14_field_case() -> None:
    case = _case("D14")
    for url, expected in case["expected"]["canonical_url_function"].items():
        assert canonical_url(url) == expected
    arts = _articles_from_files(case["input"]["files"])
    assert len(arts) == case["expected"]["articles_rows"]
    assert [a["canonical_url"] for a in arts] == case["expected"]["canonical_url_each"]
    assert arts[0]["folded_kinds"] == case["expected"]["folded_kinds"]


# ------------------------------------------------------------------------------------------------------------
# match direction and representative: independent of input order, unchanged by rerun --from parse
# ------------------------------------------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[1]
BODY = " ".join(f"word{i} of the council report on the harbour" for i in range(40))
T0 = dt.datetime(2024, 6, 1, 8, tzinfo=dt.UTC)
COPIES = {
    # the original (published first) and the same article through a tracking URL, fetched earlier
    "z-orig": ("https://www.harbour.example/news/report", T0),
    "a-copy": ("https://www.harbour.example/news/report?utm_source=feed", T0 + dt.timedelta(hours=1)),
}


def _parsed(doc_id: str, parse_fp: str) -> dict[str, Any]:
    url, published = COPIES[doc_id]
    return {
        "doc_id": doc_id,
        "content_sha256": "sha-" + doc_id,
        "source": "web",
        "url": url,
        "fetched_at": T0 - dt.timedelta(days=1) if doc_id == "a-copy" else T0 + dt.timedelta(days=1),
        "title": "Harbour report",
        "body": BODY,
        "published_at": published,
        "parser_version": parse_fp,
    }


def _dedup_run(tmp: Path, doc_ids: list[str], rerun: bool = False) -> Any:
    """One pipeline run's parse output and dedup stage through the real store (as ``run_stages`` does it):
    write the parsed part, dedup the pending keys (plus, for ``rerun --from parse``, all written keys again)
    against the index loaded from Parquet, supersede older rows. Returns the match kinds the run logs."""
    from collections import Counter

    from flows import stages
    from tasks.config import load_settings
    from tasks.store import Store, pending_after

    settings = load_settings(REPO / "newsflow.toml", tmp)
    store = Store(tmp)
    fps = stages.stage_fingerprints(settings)
    rows = [_parsed(d, fps["parse"]) for d in doc_ids]
    store.write_part("parse", rows, schemas.PARSED, fps["parse"])
    store.supersede("parse")
    force = {(r["doc_id"], r["content_sha256"]) for r in rows} if rerun else set()
    keys = pending_after(
        store, "parse", schemas.PARSED, fps["parse"], "dedup", schemas.DEDUPLICATED, fps["dedup"], force
    )
    index = stages.load_dedup_index(store, fps["dedup"], settings)
    stages.reset_leftovers()
    kinds: Counter[str] = Counter()
    for batch in stages.chunks(keys, settings.batch_size):
        _, k = stages.run_dedup_batch(store, batch, settings, fps["parse"], fps["dedup"], index)
        kinds.update(k)
    store.supersede("dedup")
    return kinds, store.read("dedup", schemas.DEDUPLICATED, fps["dedup"])


def _matches(dd: Any) -> dict[str, tuple[str | None, str | None]]:
    return {r["doc_id"]: (r["match_doc_id"], r["match_kind"]) for r in dd.to_pylist()}


def _representatives(dd: Any) -> set[str]:
    from tasks.dedup import resolve_clusters

    meta = {d: {"url": u} for d, (u, _) in COPIES.items()}
    return {info["representative"] for info in resolve_clusters(dd, None, meta).values()}


def test_match_direction_and_representative_do_not_depend_on_input_order(tmp_path: Path) -> None:
    orders = {"original first": ["z-orig", "a-copy"], "copy first": ["a-copy", "z-orig"]}
    for name, order in orders.items():
        root = tmp_path / name.replace(" ", "-")
        for doc_id in order:  # one run per document, in this order
            _dedup_run(root, [doc_id])
        _, dd = _dedup_run(root, [], rerun=False)
        matches = _matches(dd)
        # the original (published first) never records the copy as its match, whichever came first
        assert matches["z-orig"] == (None, None), name
        assert _representatives(dd) == {"z-orig"}, name
        # rerun --from parse of both: the copy points to the original, never a mutual pair
        kinds, dd = _dedup_run(root, order, rerun=True)
        assert _matches(dd) == {"a-copy": ("z-orig", "url"), "z-orig": (None, None)}, name
        assert dict(kinds) == {"url": 1}, name
        assert _representatives(dd) == {"z-orig"}, name
        # and a second rerun changes nothing
        kinds, dd2 = _dedup_run(root, order, rerun=True)
        assert _matches(dd2) == _matches(dd) and dict(kinds) == {"url": 1}, name


# ------------------------------------------------------------------------------------------------------------
# D17: corrected versions of one URL
# ------------------------------------------------------------------------------------------------------------


def test_d17_newest_version_is_the_article() -> None:
    case = _case("D17")
    expected = case["expected"]
    for files in (case["input"]["files"], case["input"]["files"][::-1]):  # whatever the order of the inputs
        arts = _articles_from_files(files)
        assert len(arts) == expected["articles_rows"]
        art = arts[0]
        for text in expected["body_contains"]:
            assert text in art["body"]
        for text in expected["body_must_not_contain"]:
            assert text not in art["body"]
        assert art["modified_at"] == _utc(expected["modified_at_utc"])
        assert art["folded_kinds"] == expected["folded_kinds"]
        assert art["versions"] == 2


def test_refetched_document_shows_newest_text_and_keeps_history() -> None:
    """The same document (doc_id) fetched twice, the second time corrected: the dataset shows the newest version
    with ``versions = 2``; the parsed and deduplicated folders keep both versions. A third fetch with the same
    text (other bytes) is no new version."""
    from tasks.export import build_articles

    story = " ".join(f"sentence {i} about the ferry timetable and the harbour works" for i in range(30))
    versions = [
        ("v1", T0, story + " The works cost 4.8 million."),
        ("v2", T0 + dt.timedelta(hours=6), story + " Correction: the works cost 3.9 million."),
        ("v3", T0 + dt.timedelta(hours=9), story + " Correction: the works cost 3.9 million."),
    ]
    index = DedupIndex()
    parsed, dd = [], []
    for sha, fetched, body in versions:
        row = {
            "doc_id": "pier",
            "content_sha256": sha,
            "source": "web",
            "url": "https://port.example.co.uk/news/pier",
            "fetched_at": fetched,
            "title": "Pier",
            "body": body,
            "published_at": T0,
        }
        parsed.append(row)
        dd.extend(dedup_batch([{**row, "canonical_url": None}], index, CFG).rows)
    arts = build_articles(
        schemas.conform(parsed, schemas.PARSED),
        schemas.conform(dd, schemas.DEDUPLICATED),
        schemas.ENRICHED.empty_table(),
        None,
        {("pier", "v3")},
    ).to_pylist()
    assert len(arts) == 1
    assert arts[0]["content_sha256"] == "v3" and "Correction" in arts[0]["body"]
    assert arts[0]["versions"] == 2  # v2 and v3 are the same text


def test_url_copies_with_the_same_text_still_prefer_the_clean_url() -> None:
    """D17's rule only decides between texts: a tracking URL fetched later with the same text does not replace
    the clean URL as the row's head."""
    from tasks.export import build_articles

    rows = []
    for doc_id, url, fetched in (
        ("clean", "https://www.harbour.example/news/report", T0),
        ("tagged", "https://www.harbour.example/news/report?utm_source=x", T0 + dt.timedelta(hours=2)),
    ):
        rows.append(
            {"doc_id": doc_id, "content_sha256": "s-" + doc_id, "source": "web", "url": url, "fetched_at": fetched}
            | {"title": "Report", "body": BODY, "published_at": T0}
        )
    dd = dedup_batch([{**r, "canonical_url": None} for r in rows], DedupIndex(), CFG).rows
    arts = build_articles(
        schemas.conform(rows, schemas.PARSED), schemas.conform(dd, schemas.DEDUPLICATED), schemas.ENRICHED.empty_table()
    ).to_pylist()
    assert [(a["doc_id"], a["folded_doc_ids"], a["versions"]) for a in arts] == [("clean", ["tagged"], 1)]


def test_pages_folded_by_a_wrong_canonical_hint_are_not_versions() -> None:
    """Page B declares page A (another article of the site) as its rel=canonical: B is folded into A's row as a URL
    copy (the hint is honoured), but B's text is another page's, not a version of A: ``versions`` stays 1."""
    from tasks.export import build_articles

    rows = []
    for doc_id, url, body in (
        ("a", "https://www.harbour.example/news/ferry", BODY),
        ("b", "https://www.harbour.example/news/bridge", BODY.replace("harbour", "bridge")),
    ):
        rows.append(
            {"doc_id": doc_id, "content_sha256": "s-" + doc_id, "source": "web", "url": url, "fetched_at": T0}
            | {"title": doc_id, "body": body, "published_at": T0}
        )
    hint = {"a": None, "b": "https://www.harbour.example/news/ferry"}
    dd = dedup_batch([{**r, "canonical_url": hint[r["doc_id"]]} for r in rows], DedupIndex(), CFG).rows
    arts = build_articles(
        schemas.conform(rows, schemas.PARSED), schemas.conform(dd, schemas.DEDUPLICATED), schemas.ENRICHED.empty_table()
    ).to_pylist()
    assert [a["versions"] for a in arts] == [1] * len(arts)
    assert sorted(d for a in arts for d in [a["doc_id"], *a["folded_doc_ids"]]) == ["a", "b"]  # nothing lost


# ------------------------------------------------------------------------------------------------------------
# D16: paginated articles
# ------------------------------------------------------------------------------------------------------------

PAGE_HINT_CASES = [
    # page 2, 3 … naming page 1: the hint is ignored, the page keeps its own URL
    (
        "https://mag.example.org/2024/05/12/locks/2/",
        "https://mag.example.org/2024/05/12/locks/",
        "https://mag.example.org/2024/05/12/locks/2",
    ),
    ("https://mag.example.org/story/page/3", "/story", "https://mag.example.org/story/page/3"),
    (
        "https://zeitung.example.de/politik/bericht/seite-2",
        "https://www.zeitung.example.de/politik/bericht",
        "https://zeitung.example.de/politik/bericht/seite-2",
    ),
    (
        "https://news.example.com/a/story-2.html",
        "https://news.example.com/a/story.html",
        "https://news.example.com/a/story-2.html",
    ),
    (
        "https://news.example.com/a/story_seite3.html",
        "https://news.example.com/a/story.html",
        "https://news.example.com/a/story_seite3.html",
    ),
    (
        "https://news.example.com/read?id=7&page=2",
        "https://news.example.com/read?id=7",
        "https://news.example.com/read?id=7&page=2",
    ),
    ("https://blog.example.net/post?paged=4", "https://blog.example.net/post", "https://blog.example.net/post?paged=4"),
    # page 1 naming itself without the marker, or a hint that is not the first page: the hint is honoured
    ("https://mag.example.org/story/1/", "https://mag.example.org/story/", "https://mag.example.org/story"),
    ("https://mag.example.org/story?page=1", "https://mag.example.org/story", "https://mag.example.org/story"),
    ("https://mag.example.org/story/2", "https://mag.example.org/other-story", "https://mag.example.org/other-story"),
    # WordPress ?p= is a post id, not a page number
    ("https://blog.example.net/?p=2", "https://blog.example.net/hello-world/", "https://blog.example.net/hello-world"),
]


@pytest.mark.parametrize(("url", "hint", "expected"), PAGE_HINT_CASES)
def test_d16_later_pages_keep_their_own_url(url: str, hint: str, expected: str) -> None:
    assert canonical_url(url, hint) == expected


def test_d16_field_case() -> None:
    case = _case("D16")
    expected = case["expected"]
    for files in (case["input"]["files"], case["input"]["files"][::-1]):
        arts = _articles_from_files(files)
        text = "\n".join(a["body"] for a in arts)
        for needle in expected["dataset_text_contains"]:
            assert needle in text
        # two rows (the "acceptable" alternative to stitching): page 2 is not folded into page 1 at all
        assert len(arts) == 2 and all(a["folded_doc_ids"] == [] for a in arts)
        assert expected["page2_not_folded_as"] not in [k for a in arts for k in a["folded_kinds"]]
        by_url = {a["url"]: a for a in arts}
        pages = sorted(files, key=lambda f: f["name"])
        assert by_url[pages[0]["sidecar"]["url"]]["body"].startswith("For three hundred years")
        assert by_url[pages[1]["sidecar"]["url"]]["canonical_url"] == pages[1]["sidecar"]["url"].rstrip("/")
