"""URL identity and article versions (issue #15): session ids and route fragments in canonical URLs (D14), a stable
match direction and representative, corrected versions of one URL (D17), paginated articles (D16), and document
identity: a local file's doc_id includes its source, data roots of the old scheme are upgraded once."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
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


# ------------------------------------------------------------------------------------------------------------
# document identity includes the source: two files sources, one relative file name; old data roots upgraded
# ------------------------------------------------------------------------------------------------------------

DOC_ID_CASES = [
    # (source a, uri a, source b, uri b, same document?)
    ("s1", "file:index.html", "s2", "file:index.html", False),  # the same relative name in two files sources
    ("s1", "file:index.html", "s1", "file:index.html", True),
    ("s1", "file:a/index.html", "s1", "file:b/index.html", False),
    ("news", "https://example.org/a", "wire", "https://example.org/a", True),  # one URL in two feeds: one document
    ("news", "https://example.org/a", "news", "https://example.org/b", False),
    ("s1", "source:s1", "s2", "source:s2", False),  # source-level rejects name their source already
    ("s1", "file:x.html", "s1", "https://example.org/x.html", False),
]


@pytest.mark.parametrize(("src_a", "uri_a", "src_b", "uri_b", "same"), DOC_ID_CASES)
def test_document_id_includes_the_source_of_local_files_only(
    src_a: str, uri_a: str, src_b: str, uri_b: str, same: bool
) -> None:
    from tasks.fetch import FetchItem, document_id, make_doc_id

    assert (document_id(src_a, uri_a) == document_id(src_b, uri_b)) is same
    assert FetchItem(source=src_a, uri=uri_a, path=None, url=None).doc_id == document_id(src_a, uri_a)
    if not uri_a.startswith("file:"):
        assert document_id(src_a, uri_a) == make_doc_id(uri_a)  # URL identity: ids of existing roots unchanged


#: sample pages: three with their sidecar URL in source "samples", two more as ``index.html.gz`` in s1/ and s2/
UPGRADE_PAGES = {
    "samples": ["fundus-at-orf-2024-11-22.html.gz", "fundus-de-kicker-2024-04-26.html.gz",
                "fundus-us-foxnews-2023-04-28.html.gz"],
    "s1": ["fundus-de-mdr-2023-04-28.html.gz"],
    "s2": ["fundus-at-derstandard-2024-05-03.html.gz"],
}  # fmt: skip


def _layout(folder: Path) -> None:
    from tests.conftest import SAMPLES

    for source, names in UPGRADE_PAGES.items():
        (folder / "raw" / source).mkdir(parents=True, exist_ok=True)
        for name in names:
            target = folder / "raw" / source / (name if source == "samples" else "index.html.gz")
            shutil.copy(SAMPLES / name, target)
            if source == "samples":
                shutil.copy(SAMPLES / f"{name}.meta.json", target.with_name(target.name + ".meta.json"))


def _config(folder: Path) -> Path:
    from tests.conftest import config_file, files_source

    sources = "\n".join(files_source(folder / "raw" / s, s) for s in UPGRADE_PAGES)
    return config_file(folder, "[parse]\nworkers = 1\n", newsflow="max_reject_share = 1.0", sources=sources)


def _run(cfg: Path, **kw: Any) -> dict[str, Any]:
    from flows.pipeline import news_pipeline

    return dict(news_pipeline(config=str(cfg), **kw))


def _processed(folder: Path) -> Path:
    return folder / "data" / "processed"


def _work(summary: dict[str, Any]) -> list[int]:
    return [summary["stages"][s]["processed"] for s in ("fetch", "parse", "dedup", "enrich")]


def _expected_ids() -> dict[str, tuple[str, str]]:
    """doc_id → (source, uri) of every page of the layout under the current scheme."""
    from tasks.fetch import document_id

    out = {}
    for source, names in UPGRADE_PAGES.items():
        for name in names:
            uri = "file:" + (name if source == "samples" else "index.html.gz")
            out[document_id(source, uri)] = (source, uri)
    return out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_files_sources_with_the_same_file_name_keep_both_articles(tmp_path: Path) -> None:
    _layout(tmp_path)
    first = _run(_config(tmp_path))
    assert first["documents_in"] == 5 and first["articles_out"] == 5  # was "5 new documents, 4 articles"
    assert first["rejected_total"] == 0
    articles = pd.read_parquet(_processed(tmp_path) / "articles")
    assert sorted(articles["doc_id"]) == sorted(_expected_ids())
    index_pages = articles[articles["source"].isin(["s1", "s2"])]
    assert sorted(index_pages["source"]) == ["s1", "s2"] and index_pages["title"].nunique() == 2
    marker = json.loads((_processed(tmp_path) / "identity.json").read_text(encoding="utf-8"))
    assert marker["doc_id_scheme"] == 2 and "migrated_from" not in marker  # a new root starts at the scheme


@pytest.fixture(scope="module")
def old_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data root as the code before issue #15 wrote it: every doc_id a hash of the uri alone (s2's index page
    stored as a new version of s1's), and no identity marker."""
    import tasks.fetch

    folder = tmp_path_factory.mktemp("old-root")
    _layout(folder)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tasks.fetch, "document_id", lambda source, uri: tasks.fetch.make_doc_id(uri))
        old = _run(_config(folder))
    assert old["documents_in"] == 5 and old["articles_out"] == 4  # the silent loss of issue #15
    (_processed(folder) / "identity.json").unlink()
    return folder


def _copy_root(old: Path, folder: Path) -> Path:
    shutil.copytree(old, folder)
    return _config(folder)


def test_old_data_root_is_upgraded_once_without_doubles(old_root: Path, tmp_path: Path) -> None:
    cfg = _copy_root(old_root, tmp_path / "root")
    processed = _processed(tmp_path / "root")
    before = pd.read_parquet(processed / "articles")
    assert len(before) == 4 and not set(before["doc_id"]) & set(_expected_ids())

    from flows.cli import stage_status
    from tasks.config import load_settings

    assert stage_status(load_settings(cfg))["doc_id_scheme"] == 1  # status tells the root awaits its upgrade
    up = _run(cfg)
    assert stage_status(load_settings(cfg))["doc_id_scheme"] == 2
    # nothing fetched again; only the page the old ids had hidden (s1's index, never parsed) is processed now
    assert _work(up) == [0, 1, 1, 1] and up["rejected_total"] == 0
    after = pd.read_parquet(processed / "articles")
    assert len(after) == 5 and after["doc_id"].is_unique
    assert sorted(after["doc_id"]) == sorted(_expected_ids())
    fetched = pd.read_parquet(processed / "fetched", columns=["doc_id", "source", "uri"])
    assert {r.doc_id: (r.source, r.uri) for r in fetched.itertuples()} == _expected_ids()
    assert len(fetched) == 5  # every file once, under its new id: no old-id rows beside new-id rows
    for stage in ("parsed", "deduplicated", "enriched"):
        ids = pd.read_parquet(processed / stage, columns=["doc_id"])["doc_id"]
        assert ids.is_unique and set(ids) == set(_expected_ids()), stage
    # the four articles of the old root are the same articles, with the same text
    cols = ["source", "url", "title", "body", "published_at", "language"]
    kept = after[after["title"].isin(before["title"])]
    pd.testing.assert_frame_equal(
        kept[cols].sort_values("title").reset_index(drop=True),
        before[cols].sort_values("title").reset_index(drop=True),
    )
    marker = json.loads((processed / "identity.json").read_text(encoding="utf-8"))
    assert marker["doc_id_scheme"] == 2 and marker["migrated_from"] == 1 and marker["documents_renamed"] == 5

    snap = _snapshot(processed)
    again = _run(cfg)  # the upgrade happened once: the next run does no work and changes no file
    assert _work(again) == [0, 0, 0, 0] and again["dataset_rewritten"] is False
    assert _snapshot(processed) == snap


def _stage_parts(processed: Path) -> dict[str, tuple[Any, dict[bytes, bytes]]]:
    out = {}
    for p in sorted(processed.rglob("part-*.parquet")):
        if "articles" not in p.parts:
            t = pq.read_table(p)
            out[str(p.relative_to(processed))] = (t.replace_schema_metadata(None), t.schema.metadata or {})
    return out


def test_migration_killed_half_way_is_finished_by_the_next_run(
    old_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tasks import identity
    from tasks.store import Store

    # the reference: the same old root migrated in one go
    _copy_root(old_root, tmp_path / "whole")
    whole = Store(tmp_path / "whole" / "data")
    with whole.lock():
        done = identity.migrate(whole)
    assert done is not None and done.documents == 5 and done.redone == 0 and done.parts > 4
    assert "doc_id scheme 1 to 2" in done.message()

    cfg = _copy_root(old_root, tmp_path / "killed")
    store = Store(tmp_path / "killed" / "data")
    real = Store.replace_part
    written: list[Path] = []

    def dies(self: Store, part: Path, table: Any) -> None:
        if len(written) == 3:
            (part.parent / ".tmp-half-written.parquet").write_bytes(b"PAR1")  # what a kill mid-write leaves
            raise KeyboardInterrupt("killed")
        real(self, part, table)
        written.append(part)

    monkeypatch.setattr(Store, "replace_part", dies)
    with pytest.raises(KeyboardInterrupt), store.lock():
        identity.migrate(store)
    monkeypatch.undo()
    assert len(written) == 3 and not store.identity_file.exists()  # stopped in the middle, no marker
    assert identity.scheme(store) == 1

    # the next run finishes the migration (then does its stage work); the stage folders end as in one go
    with store.lock():
        store.clean_temp()
        rest = identity.migrate(store)
    assert rest is not None and rest.parts == done.parts - 3
    killed_parts, whole_parts = _stage_parts(store.processed), _stage_parts(whole.processed)
    assert killed_parts.keys() == whole_parts.keys()
    for name, (table, meta) in killed_parts.items():
        assert table.equals(whole_parts[name][0]) and meta == whole_parts[name][1], name
    assert identity.migrate(store) is None and identity.scheme(store) == 2

    up = _run(cfg)
    assert _work(up) == [0, 1, 1, 1] and up["articles_out"] == 5
    assert sorted(pd.read_parquet(store.processed / "articles")["doc_id"]) == sorted(_expected_ids())


def test_migration_maps_every_table_and_reference(tmp_path: Path) -> None:
    """Hand-made scheme-1 rows through the real store: each table gets the new ids by the rule of its columns."""
    from tasks import identity
    from tasks.dedup import article_id_for
    from tasks.dedup.index import doc_key
    from tasks.fetch import document_id, make_doc_id
    from tasks.store import Store

    store = Store(tmp_path)
    web, page, index, same = "https://example.org/a", "file:a.html", "file:index.html", "file:same.html"
    old = {u: make_doc_id(u) for u in (web, page, index, same)}
    new = {(s, u): document_id(s, u) for s in ("samples", "s1", "s2") for u in (page, index, same)}
    t = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    fetched = [  # (source, uri, sha): a URL document, a file, one index.html in two sources, same bytes in two
        ("web", web, "w"), ("samples", page, "p"), ("s1", index, "A"), ("s2", index, "B"),
        ("s1", same, "S"), ("s2", same, "S"),
    ]  # fmt: skip
    rows = [{"doc_id": old[u], "content_sha256": h, "source": s, "uri": u, "fetched_at": t, "content": b"x"}
            for s, u, h in fetched]  # fmt: skip
    store.write_part("fetch", rows, schemas.FETCHED, "fp-fetch")
    store.write_rejects(
        "fetch", [{"doc_id": make_doc_id("file:gone.html"), "source": "s1", "uri": "file:gone.html",
                   "reason": "read_error", "detail": "x"}], "fp-fetch")  # fmt: skip
    store.write_part(
        "parse",
        [{"doc_id": old[u], "content_sha256": h, "source": s} for s, u, h in (fetched[:2] + fetched[3:5])],
        schemas.PARSED,
        "fp-parse",
    )
    store.write_rejects(
        "parse", [{"doc_id": old[index], "content_sha256": "A", "source": "s1", "uri": index,
                   "reason": "parse_error", "detail": "x"}], "fp-parse")  # fmt: skip
    near = [{"doc_id": old[page], "content_sha256": "p", "similarity": 0.8}]
    dedup = [
        {"doc_id": old[web], "content_sha256": "w", "article_id": article_id_for(web, old[web]),
         "canonical_url": web, "match_doc_id": old[page], "match_kind": "near", "near_matches": near},
        {"doc_id": old[page], "content_sha256": "p", "article_id": article_id_for(None, old[page])},
        {"doc_id": old[index], "content_sha256": "B", "article_id": article_id_for(None, old[index]),
         "match_doc_id": old[same], "match_kind": "exact"},
    ]  # fmt: skip
    store.write_part("dedup", dedup, schemas.DEDUPLICATED, "fp-dedup")
    keys = [(old[web], "w"), (old[page], "p"), (old[index], "B")]
    store.write_part(
        "dedup",
        [{"doc_id": d, "content_sha256": h, "doc_key": doc_key(d)} for d, h in keys],
        schemas.DEDUP_INDEX,
        "fp-dedup",
        sub="index",
    )
    # enriched: also same.html's bytes, fetched from s1 and s2; the parsed row says which source was parsed (s1)
    store.write_part(
        "enrich",
        [{"doc_id": d, "content_sha256": h} for d, h in [*keys, (old[same], "S")]],
        schemas.ENRICHED,
        "fp-enrich",
    )
    assert identity.scheme(store) == 1

    done = identity.migrate(store)
    assert done is not None and done.redone == 0 and done.parts == 7  # every table: 7 parts
    assert done.documents == 6  # samples/a, s1 and s2 index, s1 and s2 same, s1 gone

    def ids(stage: str, schema: Any, sub: str | None = None) -> list[tuple[str, str]]:
        table = store.read(stage, schema, None, sub=sub) if stage != "rejects" else store.read_rejects()
        return sorted(zip(table.column("doc_id").to_pylist(), table.column("content_sha256").to_pylist(), strict=True))

    expect = sorted([(old[web], "w")] + [(new[(s, u)], h) for s, u, h in fetched[1:]])
    assert ids("fetch", schemas.FETCHED) == expect  # the URL document keeps its id
    parsed = [(old[web], "w"), (new["samples", page], "p"), (new["s2", index], "B"), (new["s1", same], "S")]
    assert ids("parse", schemas.PARSED) == sorted(parsed)
    assert ids("rejects", schemas.REJECTS) == sorted([(document_id("s1", "file:gone.html"), None),
                                                      (new[("s1", index)], "A")])  # fmt: skip
    # same.html's bytes from two sources: the parsed row's source tells which (s1)
    new_keys = sorted([(old[web], "w"), (new[("samples", page)], "p"), (new[("s2", index)], "B")])
    assert ids("enrich", schemas.ENRICHED) == sorted([*new_keys, (new[("s1", same)], "S")])
    index_rows = store.read("dedup", schemas.DEDUP_INDEX, None, sub="index").to_pylist()
    assert sorted((r["doc_id"], r["content_sha256"]) for r in index_rows) == new_keys
    assert all(r["doc_key"] == doc_key(r["doc_id"]) for r in index_rows)
    dd = {r["doc_id"]: r for r in store.read("dedup", schemas.DEDUPLICATED, None).to_pylist()}
    assert dd[old[web]]["article_id"] == article_id_for(web, old[web])  # from its URL: unchanged
    assert dd[old[web]]["match_doc_id"] == new[("samples", page)]
    assert dd[old[web]]["near_matches"][0]["doc_id"] == new[("samples", page)]
    assert dd[new[("samples", page)]]["article_id"] == article_id_for(None, new[("samples", page)])
    assert dd[new[("s2", index)]]["match_doc_id"] == new[("s1", same)]  # a label: the first source by name

    assert identity.migrate(store) is None  # once: the marker says scheme 2
    marker = json.loads(store.identity_file.read_text(encoding="utf-8"))
    assert marker["doc_id_scheme"] == 2 and marker["migrated_from"] == 1


def test_migration_redoes_a_version_whose_source_cannot_be_told(tmp_path: Path) -> None:
    """The same bytes fetched from two sources under one old id, and no parsed row saying which was parsed: the
    derived rows of that version are removed (the run redoes both documents); nothing else changes."""
    from tasks import identity
    from tasks.fetch import make_doc_id
    from tasks.store import Store

    store = Store(tmp_path)
    uri, t = "file:same.html", dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    rows = [{"doc_id": make_doc_id(uri), "content_sha256": "S", "source": s, "uri": uri, "fetched_at": t,
             "content": b"x"} for s in ("s1", "s2")]  # fmt: skip
    store.write_part("fetch", rows, schemas.FETCHED, "fp-fetch")
    store.write_part("enrich", [{"doc_id": make_doc_id(uri), "content_sha256": "S"}], schemas.ENRICHED, "fp-e")
    done = identity.migrate(store)
    assert done is not None and done.redone == 1
    assert store.parts(store.stage_dir("enrich")) == []  # the only row went: the part is deleted
    assert len(set(store.read("fetch", schemas.FETCHED, None).column("doc_id").to_pylist())) == 2


@pytest.mark.parametrize(
    ("marker", "error"),
    [
        ('{"doc_id_scheme": 3}', "uses doc_id scheme 3; this newsflow knows up to 2"),  # written by a newer newsflow
        ("{not json", "not readable JSON"),
        ("[2]", "not a JSON object"),
        ('{"doc_id_scheme": "2"}', "doc_id_scheme is not an integer"),
    ],
)
def test_unusable_identity_marker_stops_before_anything_is_rewritten(tmp_path: Path, marker: str, error: str) -> None:
    from tasks import identity
    from tasks.fetch import make_doc_id
    from tasks.store import Store

    store = Store(tmp_path)
    row = {"doc_id": make_doc_id("file:a.html"), "content_sha256": "a", "source": "s", "uri": "file:a.html",
           "fetched_at": dt.datetime(2024, 5, 1, tzinfo=dt.UTC), "content": b"x"}  # fmt: skip
    part = store.write_part("fetch", [row], schemas.FETCHED, "fp")
    assert part is not None
    before = part.read_bytes()
    store.identity_file.write_text(marker, encoding="utf-8")
    with pytest.raises(ValueError, match=error):
        identity.migrate(store)
    assert part.read_bytes() == before
