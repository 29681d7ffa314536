"""Tests for tasks.dedup: canonical URLs, hashing, MinHash/LSH matching, incremental batches and clusters."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks import schemas
from tasks.config import DedupConfig
from tasks.dedup import (
    DEDUP_VERSION,
    DedupIndex,
    band_hashes,
    canonical_url,
    dedup_batch,
    jaccard_estimate,
    minhash_signature,
    normalize_text,
    resolve_clusters,
    shingles,
    text_hash,
    url_key,
)
from tests.conftest import FIELD_CASES

CASES = FIELD_CASES
GROUND_TRUTH = Path("/work/shared/corpus/extraction/dev/ground_truth.jsonl")
CFG = DedupConfig()
REPO = Path(__file__).resolve().parents[1]
PINNED_SIGNATURE_DIGEST = "8af93a0a5488207b"  # sha256 of the JSON signature of "wort0 … wort39", DedupConfig()


def _case(case_id: str) -> dict[str, Any] | None:
    if not CASES.is_file():
        return None
    for line in CASES.read_text(encoding="utf-8").splitlines():
        if line.strip():
            case = json.loads(line)
            if case["id"] == case_id:
                return case
    return None


# ------------------------------------------------------------------------------------------------------------
# canonical_url
# ------------------------------------------------------------------------------------------------------------

CANONICAL_CASES = [
    # tracking parameters, all kinds, any case
    ("https://example.com/a?utm_source=x&utm_medium=y&utm_campaign=z&utm_term=t", "https://example.com/a"),
    ("https://example.com/a?id=1&fbclid=abc&gclid=2&dclid=3&msclkid=4", "https://example.com/a?id=1"),
    ("https://example.com/a?mc_cid=1&mc_eid=2&_ga=3&ga_x=4&yclid=5&igshid=6", "https://example.com/a"),
    ("https://example.com/a?ref=rss&ref_src=twsrc&cmpid=x&wt_mc=y&p=2", "https://example.com/a?p=2"),
    ("https://example.com/a?UTM_Source=x&Fbclid=y&page=2", "https://example.com/a?page=2"),
    ("https://example.com/a?%75tm_source=x", "https://example.com/a"),  # percent-encoded name
    ("https://www.theguardian.com/world/x?CMP=share_btn_tw", "https://www.theguardian.com/world/x"),
    # content parameters courlan's TRACKERS_RE would drop are kept
    ("https://example.com/a?source=abc&cid=5&gallery=2", "https://example.com/a?cid=5&gallery=2&source=abc"),
    # query sorted, blank values kept
    ("https://example.com/a?b=2&a=1&c=", "https://example.com/a?a=1&b=2&c="),
    # scheme/host case, default ports, fragments, trailing slash
    ("HTTPS://WWW.Example.COM:443/Path/Case#frag", "https://www.example.com/Path/Case"),
    ("http://example.com:80/a/", "http://example.com/a"),
    ("https://example.com:8443/a", "https://example.com:8443/a"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com/#top", "https://example.com/"),
    ("https://user:pw@example.com./a", "https://example.com/a"),
    # percent-encoding normalised, IDN to punycode
    ("https://example.com/%7Euser/stra%c3%9fe", "https://example.com/~user/stra%C3%9Fe"),
    ("https://münchen.de/straße", "https://xn--mnchen-3ya.de/stra%C3%9Fe"),
    # AMP variants
    ("https://www.example.com/amp/politik/story-1", "https://www.example.com/politik/story-1"),
    ("https://www.example.com/politik/story-1/amp/", "https://www.example.com/politik/story-1"),
    ("https://www.example.com/politik/story-1.amp.html", "https://www.example.com/politik/story-1.html"),
    ("https://www.example.com/politik/story-1.amp", "https://www.example.com/politik/story-1"),
    ("https://www.example.com/story?amp=1", "https://www.example.com/story"),
    ("https://www.example.com/story?amp", "https://www.example.com/story"),
    ("https://www.example.com/story?outputType=amp&id=3", "https://www.example.com/story?id=3"),
    ("https://www.example.com/story?amp=0", "https://www.example.com/story?amp=0"),  # not an AMP switch
    ("https://www.example.com/ampel-story", "https://www.example.com/ampel-story"),  # 'amp' only as a segment
    # mobile / AMP hosts → www.
    ("https://m.spiegel.de/politik/a-1.html", "https://www.spiegel.de/politik/a-1.html"),
    ("https://mobile.nytimes.com/2024/01/01/x.html", "https://www.nytimes.com/2024/01/01/x.html"),
    ("https://amp.theguardian.com/world/x", "https://www.theguardian.com/world/x"),
    ("https://m.de/x", "https://m.de/x"),  # m.de is the registered domain itself
    # AMP caches
    (
        "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/story-1.amp.html?usqp=mq331AQ",
        "https://www.example.com/news/story-1.html",
    ),
    ("https://example-org.cdn.ampproject.org/c/example.org/a/amp/", "http://example.org/a"),
    ("https://www.google.com/amp/s/m.bbc.co.uk/news/world-1", "https://www.bbc.co.uk/news/world-1"),
    # not http(s): returned as is (stripped)
    ("file:///data/raw/x.html", "file:///data/raw/x.html"),
    ("  urn:isbn:123  ", "urn:isbn:123"),
    ("", ""),
]


@pytest.mark.parametrize(("url", "expected"), CANONICAL_CASES)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected
    assert canonical_url(expected) == expected or not expected


HINT_CASES = [
    # same site (www./m./amp. prefixes ignored) → hint wins, itself canonicalised
    ("https://m.example.com/a/amp", "https://www.example.com/a?utm_source=x", "https://www.example.com/a"),
    ("https://www.example.com/a?id=1", "https://example.com/story/a", "https://example.com/story/a"),
    ("https://www.example.com/a/b", "/a/b-canonical", "https://www.example.com/a/b-canonical"),  # relative
    # AMP cache page pointing to the publisher
    (
        "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/a.amp.html",
        "https://www.example.com/a-canonical.html",
        "https://www.example.com/a-canonical.html",
    ),
    # foreign site (syndication partner naming the original), other subdomain → ignored
    (
        "https://kxyz.example.com/news/a",
        "https://apnews.example.com/article/a",
        "https://kxyz.example.com/news/a",
    ),
    ("https://news.example.com/a", "https://blog.example.com/a", "https://news.example.com/a"),
    # insane hints → ignored
    ("https://www.example.com/a", "/", "https://www.example.com/a"),  # article → home page
    ("https://www.example.com/a", "https://www.example.com/", "https://www.example.com/a"),
    ("https://www.example.com/a", "javascript:void(0)", "https://www.example.com/a"),
    ("https://www.example.com/a", "ftp://www.example.com/a", "https://www.example.com/a"),
    ("https://www.example.com/a", "https://www.example.com/a b", "https://www.example.com/a"),
    ("https://www.example.com/a", "", "https://www.example.com/a"),
    # no URL of our own (local file): a sane absolute hint is used
    ("", "https://www.example.com/a?utm_source=x", "https://www.example.com/a"),
    ("", "https://www.example.com/", ""),
]


@pytest.mark.parametrize(("url", "hint", "expected"), HINT_CASES)
def test_canonical_url_hint(url: str, hint: str, expected: str) -> None:
    assert canonical_url(url, hint) == expected


C18_INPUT = [
    "https://News.Example.com:443/politik/article?id=4711&utm_medium=social&utm_source=newsletter&utm_campaign=spring#comments",
    "https://news.example.com/politik/article?utm_source=rss&id=4711",
    "https://news.example.com/politik/article?id=4711&fbclid=AbC123",
    "https://news.example.com/?utm_source=x&gclid=1",
]
C18_EXPECTED = [
    "https://news.example.com/politik/article?id=4711",
    "https://news.example.com/politik/article?id=4711",
    "https://news.example.com/politik/article?id=4711",
    "https://news.example.com/",
]


def test_c18_tracking_keys_and_idempotence() -> None:
    case = _case("C18")
    inputs, expected, distinct = C18_INPUT, C18_EXPECTED, 2
    if case is not None:  # the shared case file is the source of truth when present
        inputs, expected = case["input"], case["expected"]["canonical"]
        distinct = case["expected"]["distinct_keys"]
    got = [canonical_url(u) for u in inputs]
    assert got == expected
    assert len({url_key(g) for g in got}) == distinct
    for g in got:
        assert canonical_url(canonical_url(g)) == canonical_url(g) == g
    # courlan's trailing-slash flip (http://test.org/ vs http://test.org) does not happen here
    assert canonical_url("http://test.org/") == canonical_url("http://test.org") == "http://test.org/"


def test_url_key_ignores_scheme_and_www() -> None:
    keys = {
        url_key(canonical_url(u))
        for u in (
            "http://example.com/a",
            "https://www.example.com/a?utm_source=1",
            "https://m.example.com/a/amp",
            "https://example.com/a/",
        )
    }
    assert len(keys) == 1
    assert url_key(canonical_url("https://example.com/b")) not in keys


_SEGMENT = st.text(alphabet="abcAMP.%-_~/:?=&#;+ 0123456789äé@[]", max_size=12)
_HOSTS = st.sampled_from(
    [
        "m.ex.com",
        "www.ex.com",
        "ex.com",
        "amp.ex.de",
        "x-y.cdn.ampproject.org",
        "www.google.com",
        "EX.com:443",
        "ex.com:80",
        "ex.com:8080",
        "m.de",
        "[::1]",
        "münchen.de",
    ]
)
_PATH_PARTS = st.lists(
    st.one_of(st.sampled_from(["amp", "AMP", "a.amp.html", "x.amp", "", "c", "s", "%7e", "%2F", "%5F"]), _SEGMENT),
    max_size=5,
)
_QUERY = st.lists(
    st.tuples(
        st.sampled_from(["utm_source", "amp", "outputType", "id", "q", "%75tm_x", "a b", "Ref", "fbclid", ""]),
        _SEGMENT,
    ),
    max_size=4,
)


@st.composite
def urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTPS", "ftp", ""]))
    url = f"{scheme}://{draw(_HOSTS)}/" + "/".join(draw(_PATH_PARTS))
    query = draw(_QUERY)
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query)
    frag = draw(_SEGMENT)
    return url + ("#" + frag if frag else "")


@settings(max_examples=800, deadline=None)
@given(urls(), st.one_of(st.none(), urls(), _SEGMENT))
def test_canonical_url_idempotent(url: str, hint: str | None) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once
    hinted = canonical_url(url, hint)
    assert canonical_url(hinted) == hinted
    if hint and hint.lower().startswith(("http://", "https://")):  # relative hints depend on the base URL
        assert canonical_url(hinted, hint) == hinted


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_canonical_url_idempotent_on_any_text(text: str) -> None:
    once = canonical_url(text)
    assert canonical_url(once) == once


# ------------------------------------------------------------------------------------------------------------
# text normalisation, shingles, signatures
# ------------------------------------------------------------------------------------------------------------


def test_normalize_text_folds_unicode_quotes_dashes_whitespace() -> None:
    a = "„Wir schaffen das“ – sagte sie.\n\nDer ﬁnale\u00a0Satz\u00ad."
    b = '"wir schaffen das" - sagte sie. der finale satz.'
    assert normalize_text(a) == b
    assert normalize_text("STRASSE Straße") == "strasse strasse"
    assert text_hash(a) == text_hash(b)
    assert text_hash(None) is None and text_hash("  \n ") is None
    assert len(text_hash("x") or "") == 64


def test_shingles() -> None:
    assert shingles("A b, c d e f!", 5) == {"a b c d e", "b c d e f"}
    assert shingles("only three words", 5) == {"only three words"}
    assert shingles("", 5) == set()


def test_signature_fixed_and_comparable_across_processes() -> None:
    text = " ".join(f"wort{i % 97} zahl{i}" for i in range(60))
    sig = minhash_signature(text, CFG)
    assert sig is not None and len(sig) == CFG.num_perm
    assert minhash_signature("too short to sign", CFG) is None
    code = (
        "import json,sys; from tasks.dedup import minhash_signature, band_hashes; from tasks.config import "
        "DedupConfig; c=DedupConfig(); s=minhash_signature(sys.argv[1], c); print(json.dumps([s, "
        "band_hashes(s, c)]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, text], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout
    assert json.loads(out) == [sig, band_hashes(sig, CFG)]


def test_band_hashes() -> None:
    sig = minhash_signature(" ".join(f"w{i}" for i in range(100)), CFG)
    assert sig is not None
    bands = band_hashes(sig, CFG)
    assert len(bands) == CFG.bands and all(0 <= b < 2**64 for b in bands)
    other = list(sig)
    other[0] += 1  # changes band 0 only
    changed = band_hashes(other, CFG)
    assert changed[0] != bands[0] and changed[1:] == bands[1:]
    with pytest.raises(ValueError):
        band_hashes(sig[:-1], CFG)


# ------------------------------------------------------------------------------------------------------------
# near/exact detection on realistic news text
# ------------------------------------------------------------------------------------------------------------

EN_HEADLINE = "City council approves new tram line to the airport"
EN_PARAS = [
    "The city council on Tuesday approved the construction of a new tram line linking the central station "
    "with the airport, ending a decade of debate over how to connect the fast-growing northern "
    "districts to the "
    "rest of the network. The vote passed with 41 votes in favour and 19 against.",
    "The 14-kilometre line will have eleven stops and is expected to carry about 60,000 passengers a "
    "day once "
    "it opens in 2029. Construction is due to start next spring, beginning with the depot on the former "
    "freight yard, which the city bought from the railway company last year.",
    "The project is estimated to cost 480 million euros, two thirds of which will be covered by the federal "
    "government. Opposition councillors criticised the financing plan, saying the city's share could rise "
    "sharply if construction prices keep increasing at the current pace.",
    "Residents along the planned route have raised concerns about noise and the loss of parking spaces. The "
    "transport department said it would hold information evenings in each affected neighbourhood before the "
    "final route is fixed and promised that trees felled for the line would be replaced.",
    "The mayor called the decision a historic step for the city. Business associations welcomed the vote, "
    "while environmental groups said a faster connection to the airport should not encourage more flights.",
]
# Same topic, same facts, written independently: must not be a near-duplicate.
EN_OTHER = (
    "After years of wrangling, councillors have given the green light to a tram connection between "
    "the airport "
    "and the main railway station. Supporters say the link is overdue for the northern suburbs, whose "
    "population has doubled since 2005. Critics worry about the price tag of nearly half a billion euros and "
    "argue that the federal subsidy, covering about two thirds, may not be enough if building costs continue "
    "to climb. Eleven stations are planned along the fourteen kilometres, and planners forecast some 60,000 "
    "riders daily from 2029. People living near the route fear losing parking and sleep; officials have "
    "promised neighbourhood meetings and new trees to replace those that must be cut down. The mayor "
    "spoke of "
    "a historic day, business leaders cheered, and climate activists warned that quicker airport access "
    "could mean more air travel. Work on the depot at the old freight yard starts next spring."
)

DE_HEADLINE = "Hochwasser: Pegel der Elbe steigt weiter"
DE_PARAS = [
    "Nach tagelangem Dauerregen ist der Pegel der Elbe in Dresden am Mittwochmorgen auf 6,20 Meter "
    "gestiegen. "
    "Die Stadt hat die Alarmstufe drei ausgerufen und die Bewohner tiefer gelegener Stadtteile aufgefordert, "
    "Keller und Erdgeschosse zu räumen. Mehrere Straßen entlang des Ufers sind bereits gesperrt.",
    "Nach Angaben des Landeshochwasserzentrums wird der Höchststand in der Nacht zum Freitag erwartet. Die "
    "Meteorologen rechnen bis dahin mit weiteren 40 Litern Regen pro Quadratmeter im Einzugsgebiet in "
    "Tschechien, wo die Talsperren bereits Wasser ablassen müssen.",
    "Feuerwehr und Technisches Hilfswerk haben in der Nacht mehr als 80.000 Sandsäcke gefüllt. Hunderte "
    "Freiwillige halfen beim Aufbau mobiler Schutzwände in der Altstadt. Die Schifffahrt auf der Elbe wurde "
    "zwischen Bad Schandau und Meißen vollständig eingestellt.",
    "Der Oberbürgermeister sagte, die Stadt sei deutlich besser vorbereitet als beim Jahrhunderthochwasser "
    "2002. Seitdem seien mehr als 500 Millionen Euro in den Hochwasserschutz investiert worden. "
    "Dennoch könne "
    "niemand ausschließen, dass einzelne Viertel überflutet würden.",
    "Die Deutsche Bahn kündigte an, den Verkehr auf der Strecke nach Prag vorsorglich einzuschränken. "
    "Reisende sollten sich vor Fahrtantritt über mögliche Ausfälle informieren, hieß es.",
]
DE_OTHER = (
    "Dresden bereitet sich auf eine neue Flutwelle vor. Bis Freitag könnte die Elbe nach Einschätzung der "
    "Fachleute noch deutlich über sechs Meter klettern, denn aus Tschechien fließt weiter Wasser "
    "nach, wo die "
    "Stauseen an ihre Grenzen kommen. In der Altstadt stehen inzwischen mobile Wände, Helfer von "
    "Feuerwehr und "
    "THW schleppten die ganze Nacht Sandsäcke, zehntausende waren es am Ende. Wer in Ufernähe wohnt, soll "
    "seine Wohnung im Erdgeschoss verlassen; mehrere Uferstraßen sind dicht. Verglichen mit 2002 sei man "
    "besser gerüstet, betonte das Stadtoberhaupt, hunderte Millionen seien seither in Deiche und Schutzwände "
    "geflossen, eine Garantie gebe es aber nicht. Auch Schiffe fahren vorerst nicht mehr, und wer "
    "mit dem Zug "
    "nach Prag will, muss mit Einschränkungen rechnen. Meteorologen erwarten weiteren Regen im Erzgebirge."
)


def _article(headline: str, paras: list[str]) -> str:
    return "\n\n".join([headline, *paras])


def _syndicated_copy(headline: str, paras: list[str]) -> str:
    """Another outlet's copy: its own headline, the last paragraph trimmed to its first sentence."""
    last = paras[-1].split(". ")[0] + "."
    return "\n\n".join([f"Breaking: {headline.lower()} (update)", *paras[:-1], last])


def _row(doc_id: str, body: str, url: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "doc_id": doc_id,
        "content_sha256": extra.pop("content_sha256", f"sha-{doc_id}-{len(body)}"),
        "url": url or f"https://site-{doc_id}.example.com/story/{doc_id}",
        "canonical_url": extra.pop("canonical_url", None),
        "body": body,
        "published_at": extra.pop("published_at", None),
    }


def _true_jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a, CFG.shingle_size), shingles(b, CFG.shingle_size)
    return len(sa & sb) / len(sa | sb)


@pytest.mark.parametrize(
    ("headline", "paras", "other"), [(EN_HEADLINE, EN_PARAS, EN_OTHER), (DE_HEADLINE, DE_PARAS, DE_OTHER)]
)
def test_exact_and_near_duplicates(headline: str, paras: list[str], other: str) -> None:
    original = _article(headline, paras)
    assert 180 <= len(original.split()) <= 260
    copy = _syndicated_copy(headline, paras)
    assert _true_jaccard(original, copy) > 0.85  # the fixture really is a light edit
    assert _true_jaccard(original, other) < 0.1
    reformatted = original.replace("\n\n", "\n").replace(" – ", " - ").upper()  # same text, other layout/case
    batch = [
        _row("orig", original),
        _row("exact", reformatted),
        _row("copy", copy),
        _row("other", other),
    ]
    rows, index_rows, sig_rows = dedup_batch(batch, DedupIndex(), CFG)
    by_id = {r["doc_id"]: r for r in rows}
    assert by_id["orig"]["match_doc_id"] is None
    assert (by_id["exact"]["match_doc_id"], by_id["exact"]["match_kind"], by_id["exact"]["similarity"]) == (
        "orig",
        "exact",
        1.0,
    )
    assert by_id["copy"]["match_kind"] == "near"
    assert by_id["copy"]["match_doc_id"] in {"orig", "exact"}
    assert by_id["copy"]["similarity"] >= CFG.threshold
    assert by_id["other"]["match_doc_id"] is None and by_id["other"]["match_kind"] is None
    assert index_rows.num_rows == 4 and sig_rows.num_rows == 4
    assert all(r["dedup_version"] == DEDUP_VERSION for r in rows)
    # the rows fit the declared schemas
    schemas.conform(rows, schemas.DEDUPLICATED)
    schemas.conform(index_rows, schemas.DEDUP_INDEX)
    schemas.conform(sig_rows, schemas.DEDUP_SIGNATURES)


def test_url_duplicates_and_article_id() -> None:
    body = _article(EN_HEADLINE, EN_PARAS)
    batch = [
        # a ranks before b (longer body), so b's match is a whatever the order (issue #15: not arrival order)
        _row("a", body + " Updated.", url="https://www.example.com/news/tram?utm_source=rss"),
        _row("b", body, url="https://m.example.com/news/tram/amp?fbclid=1"),
        _row("c", "short text", url="file:///raw/c.html"),
        _row("d", "short text", url=None),
    ]
    batch[3]["url"] = None
    batch.append(_row("e", "short", url="file:///raw/e.html", canonical_url="https://www.example.com/news/tram"))
    rows, _, _ = dedup_batch(batch, DedupIndex(), CFG)
    a, b, c, d, e = rows
    # a local file declaring the article's canonical URL is that article
    assert (e["canonical_url"], e["match_doc_id"], e["match_kind"]) == (a["canonical_url"], "a", "url")
    assert a["canonical_url"] == b["canonical_url"] == "https://www.example.com/news/tram"
    assert (b["match_doc_id"], b["match_kind"], b["similarity"]) == ("a", "url", 1.0)
    assert a["article_id"] == b["article_id"] and len(a["article_id"]) == 16
    # short bodies: no text hash, so two different documents with the same stub are not "exact" duplicates
    assert c["text_hash"] is None and c["match_doc_id"] is None and d["match_doc_id"] is None
    assert c["canonical_url"] is None and c["url_hash"] is None  # a file path is no article key
    assert d["canonical_url"] is None and d["url_hash"] is None and len(d["article_id"]) == 16
    assert d["article_id"] != c["article_id"]


def test_new_version_does_not_match_itself() -> None:
    body = _article(DE_HEADLINE, DE_PARAS)
    index = DedupIndex()
    dedup_batch([_row("x", body, content_sha256="v1")], index, CFG)
    rows, _, _ = dedup_batch([_row("x", body + " Aktualisiert um 12 Uhr.", content_sha256="v2")], index, CFG)
    assert rows[0]["match_doc_id"] is None
    assert len(index) == 1
    # a different document with the *old* text no longer matches x's stale text hash, but is a near duplicate
    rows, _, _ = dedup_batch([_row("y", body)], index, CFG)
    assert (rows[0]["match_doc_id"], rows[0]["match_kind"]) == ("x", "near")


def test_c20_agency_copy_clusters() -> None:
    case = _case("C20")
    if case is None:
        pytest.skip("shared field cases not available")
    docs = case["input"]["docs"]
    batch = [_row(d["id"], d["text"], url=d["url"]) for d in docs]
    rows, _, sig_rows = dedup_batch(batch, DedupIndex(), CFG)
    by_id = {r["doc_id"]: r for r in rows}
    # B (the longer body) ranks before A: A → B is the match direction whatever the order (issue #15), so B,
    # arriving second, records A only as a near edge, and A, arriving second, records B as its match
    assert [e["doc_id"] for e in by_id["B"]["near_matches"]] == ["A"] and by_id["B"]["match_doc_id"] is None
    reverse = {r["doc_id"]: r for r in dedup_batch(batch[::-1], DedupIndex(), CFG).rows}
    assert (reverse["A"]["match_doc_id"], reverse["A"]["match_kind"]) == ("B", "near")
    expected_ab = case["expected"]["jaccard_5shingle"]["A-B"]
    assert by_id["B"]["near_matches"][0]["similarity"] == pytest.approx(expected_ab, abs=0.1)
    assert reverse["A"]["similarity"] == by_id["B"]["near_matches"][0]["similarity"]
    assert _true_jaccard(docs[0]["text"], docs[1]["text"]) == pytest.approx(expected_ab, abs=0.01)
    table = schemas.conform(rows, schemas.DEDUPLICATED)
    clusters = resolve_clusters(table, schemas.conform(sig_rows, schemas.DEDUP_SIGNATURES))
    groups: dict[str, set[str]] = {}
    for doc_id, info in clusters.items():
        groups.setdefault(info["cluster_id"], set()).add(doc_id)
    assert sorted(sorted(g) for g in groups.values()) == case["expected"]["near_duplicate_clusters"]
    assert clusters["A"]["cluster_size"] == 2 and clusters["C"]["cluster_size"] == 1


# ------------------------------------------------------------------------------------------------------------
# incremental batches: one batch vs many, index rebuilt from stored tables
# ------------------------------------------------------------------------------------------------------------


def _run(batches: list[list[dict[str, Any]]], persist: bool) -> tuple[list[dict[str, Any]], pa.Table]:
    """Dedup ``batches`` in order; with ``persist`` the index is rebuilt from the conformed tables before
    every batch, as the Prefect task does between runs."""
    dedup_t = schemas.conform([], schemas.DEDUPLICATED)
    index_t = schemas.conform([], schemas.DEDUP_INDEX)
    sig_t = schemas.conform([], schemas.DEDUP_SIGNATURES)
    index = DedupIndex()
    all_rows: list[dict[str, Any]] = []
    for batch in batches:
        if persist:
            index = DedupIndex.from_tables(dedup_t, index_t, sig_t)
        rows, irows, srows = dedup_batch(batch, index, CFG)
        all_rows.extend(rows)
        dedup_t = pa.concat_tables([dedup_t, schemas.conform(rows, schemas.DEDUPLICATED)])
        index_t = pa.concat_tables([index_t, schemas.conform(irows, schemas.DEDUP_INDEX)])
        sig_t = pa.concat_tables([sig_t, schemas.conform(srows, schemas.DEDUP_SIGNATURES)])
    return all_rows, dedup_t


def _cluster_sets(table: pa.Table) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for doc_id, info in resolve_clusters(table).items():
        groups.setdefault(info["cluster_id"], set()).add(doc_id)
    return {frozenset(g) for g in groups.values()}


def _assert_batching_invariant(docs: list[dict[str, Any]]) -> set[frozenset[str]]:
    one_rows, one_table = _run([docs], persist=False)
    size = max(1, -(-len(docs) // 10))
    ten = [docs[i : i + size] for i in range(0, len(docs), size)]
    assert len(ten) == 10 or len(docs) < 10
    ten_rows, ten_table = _run(ten, persist=True)
    assert ten_rows == one_rows  # identical match edges, not just identical clusters
    clusters = _cluster_sets(one_table)
    assert clusters == _cluster_sets(ten_table)
    assert resolve_clusters(one_table) == resolve_clusters(ten_table)
    # resolution does not depend on the order of stored rows either
    assert resolve_clusters(one_table.take(list(reversed(range(one_table.num_rows))))) == resolve_clusters(one_table)
    return clusters


def _generated_docs(n_stories: int = 40, seed: int = 7) -> list[dict[str, Any]]:
    """Stories from a shared vocabulary (so unrelated stories share words but not 5-word runs), each with
    exact, near (edited) and URL-variant copies, shuffled."""
    rng = random.Random(seed)
    vocab = [f"{a}{b}" for a in ("ka", "lo", "mi", "ne", "ru", "sa", "te", "vu") for b in range(60)]
    docs: list[dict[str, Any]] = []
    base = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    for s in range(n_stories):
        words = [rng.choice(vocab) for _ in range(rng.randint(150, 260))]
        body = " ".join(words)
        url = f"https://www.paper{s % 5}.example.com/story/{s}"
        docs.append(_row(f"s{s}", body, url=url, published_at=base + dt.timedelta(hours=s)))
        kind = s % 4
        if kind == 0:  # exact copy elsewhere
            docs.append(_row(f"s{s}e", body.upper(), url=f"https://other.example.org/x/{s}"))
        elif kind == 1:  # near copy: one word replaced, last 3% dropped
            edited = list(words[: int(len(words) * 0.97)])
            edited[rng.randrange(len(edited))] = "zz"
            assert _true_jaccard(body, " ".join(edited)) > 0.88
            docs.append(_row(f"s{s}n", " ".join(edited), url=f"https://agency.example.net/{s}"))
        elif kind == 2:  # same article through a tracking/AMP URL, slightly different extraction
            docs.append(_row(f"s{s}u", body + " mehr", url=f"{url}/amp?utm_source=feed"))
    rng.shuffle(docs)
    return docs


def test_one_batch_vs_ten_batches_generated() -> None:
    docs = _generated_docs()
    clusters = _assert_batching_invariant(docs)
    for s in range(40):
        copy = {0: f"s{s}e", 1: f"s{s}n", 2: f"s{s}u"}.get(s % 4)
        expected = {f"s{s}", copy} if copy else {f"s{s}"}
        assert frozenset(expected) in clusters, expected


def _corpus_bodies(limit: int = 400) -> list[dict[str, Any]]:
    if not GROUND_TRUTH.is_file():
        pytest.skip("extraction corpus not available")
    docs = []
    for line in GROUND_TRUTH.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec.get("body"):
            docs.append(_row(rec["id"], rec["body"], url=rec.get("url")))
    if not docs:
        pytest.skip("no bodies in the extraction corpus")
    # add duplicates of a few of them so that the clusters are not all singletons
    extra = []
    for i, d in enumerate(docs[:60]):
        paras = d["body"].split("\n\n")
        if i % 3 == 0:
            extra.append(_row(d["doc_id"] + "-exact", d["body"].replace("\n\n", "\n")))
        elif i % 3 == 1 and len(paras) > 4:
            extra.append(_row(d["doc_id"] + "-near", "\n\n".join(["Other headline", *paras[:-1]])))
        elif d["url"]:
            extra.append(_row(d["doc_id"] + "-url", d["body"], url=d["url"] + "?utm_source=twitter"))
    docs = docs + extra
    random.Random(3).shuffle(docs)
    return docs[:limit] if limit else docs


def test_one_batch_vs_ten_batches_corpus() -> None:
    docs = _corpus_bodies(limit=0)
    clusters = _assert_batching_invariant(docs)
    assert any(len(c) > 1 for c in clusters)


# ------------------------------------------------------------------------------------------------------------
# resolve_clusters
# ------------------------------------------------------------------------------------------------------------


def _dedup_row(doc_id: str, **kw: Any) -> dict[str, Any]:
    row = {
        "doc_id": doc_id,
        "content_sha256": "c-" + doc_id,
        "article_id": "a-" + doc_id,
        "canonical_url": None,
        "url_hash": "u-" + doc_id,
        "text_hash": "t-" + doc_id,
        "published_at": None,
        "body_chars": 100,
        "match_doc_id": None,
        "match_kind": None,
        "similarity": None,
        "dedup_version": DEDUP_VERSION,
    }
    row.update(kw)
    return row


def test_resolve_clusters_representative_kinds_and_similarity() -> None:
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    rows = [
        _dedup_row("d1", published_at=t0 + dt.timedelta(hours=2), body_chars=500),
        _dedup_row("d2", url_hash="u-d1", match_doc_id="d1", match_kind="url", similarity=1.0),
        _dedup_row("d3", text_hash="t-d1", published_at=t0, match_doc_id="d1", match_kind="exact", similarity=1.0),
        _dedup_row("d4", match_doc_id="d3", match_kind="near", similarity=0.9),
        _dedup_row("d5", match_doc_id="d4", match_kind="near", similarity=0.85),
        _dedup_row("e1", published_at=t0, body_chars=10),
        _dedup_row("e2", published_at=t0, body_chars=20, match_doc_id="e1", match_kind="near", similarity=0.8),
        _dedup_row("f1", article_id="a-0", body_chars=50),
        _dedup_row("f2", body_chars=50, match_doc_id="f1", match_kind="near", similarity=0.95),
        _dedup_row("g1"),
    ]
    table = schemas.conform(rows, schemas.DEDUPLICATED)
    res = resolve_clusters(table)
    # d3 is published first → representative; d1 is the same text, d2 the same URL as d1 (not as d3) → near
    assert {res[d]["representative"] for d in ("d1", "d2", "d3", "d4", "d5")} == {"d3"}
    assert res["d3"]["duplicate_of"] is None and res["d3"]["duplicate_kind"] is None
    assert res["d3"]["similarity"] is None
    assert (res["d1"]["duplicate_kind"], res["d1"]["similarity"], res["d1"]["duplicate_of"]) == (
        "exact",
        1.0,
        "a-d3",
    )
    assert res["d4"]["duplicate_kind"] == "near" and res["d4"]["similarity"] == pytest.approx(0.9)
    assert res["d5"]["similarity"] == pytest.approx(0.75)  # 1 - (0.1 + 0.15): triangle-inequality bound
    assert res["d2"]["duplicate_kind"] == "near"
    assert res["d1"]["cluster_size"] == 5 and res["d1"]["cluster_id"] == "a-d1"
    # same date: the longer body wins
    assert res["e1"]["representative"] == "e2" and res["e1"]["similarity"] == pytest.approx(0.8)
    # same date (unknown) and length: the smaller doc_id wins; cluster_id = smallest article_id
    assert res["f2"]["representative"] == "f1" and res["f2"]["cluster_id"] == "a-0"
    assert res["g1"] == {
        "cluster_id": "a-g1",
        "representative": "g1",
        "duplicate_of": None,
        "duplicate_kind": None,
        "similarity": None,
        "cluster_size": 1,
    }
    # the URL duplicate relates to the representative by URL when the representative holds that URL
    res2 = resolve_clusters(table.filter(pa.compute.is_in(table["doc_id"], pa.array(["d1", "d2"]))))
    assert res2["d2"]["duplicate_kind"] == "url" and res2["d2"]["representative"] == "d1"


def test_resolve_clusters_uses_signatures_when_given() -> None:
    a = _article(EN_HEADLINE, EN_PARAS)
    b = _syndicated_copy(EN_HEADLINE, EN_PARAS)
    rows, _, sig_rows = dedup_batch([_row("a", a), _row("b", b)], DedupIndex(), CFG)
    table = schemas.conform(rows, schemas.DEDUPLICATED)
    sigs = {r["doc_id"]: r["signature"] for r in sig_rows.to_pylist()}
    res = resolve_clusters(table, sigs)
    assert res["b"]["similarity"] == pytest.approx(jaccard_estimate(sigs["a"], sigs["b"]))
    assert resolve_clusters(table, schemas.conform(sig_rows, schemas.DEDUP_SIGNATURES)) == res


def test_resolve_clusters_uses_latest_version() -> None:
    rows = [
        _dedup_row("x", content_sha256="v1", match_doc_id="y", match_kind="near", similarity=0.9),
        _dedup_row("y"),
        _dedup_row("x", content_sha256="v2"),  # the new version no longer matches y
    ]
    res = resolve_clusters(schemas.conform(rows, schemas.DEDUPLICATED))
    assert res["x"]["cluster_size"] == 1 and res["y"]["cluster_size"] == 1


def test_resolve_clusters_prefers_clean_url_on_full_tie() -> None:
    body = _article(EN_HEADLINE, EN_PARAS)
    clean, tagged = "https://www.example.com/news/tram", "https://www.example.com/news/tram?utm_source=newsletter"
    # doc_ids chosen so that the tagged copy would win the doc_id tie-break
    rows, _, _ = dedup_batch([_row("b-clean", body, url=clean), _row("a-tagged", body, url=tagged)], DedupIndex(), CFG)
    table = schemas.conform(rows, schemas.DEDUPLICATED)
    assert resolve_clusters(table)["b-clean"]["representative"] == "a-tagged"
    meta = {"b-clean": {"url": clean}, "a-tagged": {"url": tagged}}
    res = resolve_clusters(table, None, meta)
    assert res["a-tagged"]["representative"] == "b-clean"
    assert (res["a-tagged"]["duplicate_kind"], res["a-tagged"]["similarity"]) == ("url", 1.0)


# ------------------------------------------------------------------------------------------------------------
# through the real store: one run of 1,000 vs ten runs of 100, index rebuilt from Parquet between runs
# ------------------------------------------------------------------------------------------------------------


def _thousand_docs() -> list[dict[str, Any]]:
    """1,000 documents: corpus bodies with exact/near/URL copies when the corpus is there, generated stories
    with copies for the rest; each with a publication time so that representatives are well defined."""
    docs: list[dict[str, Any]] = []
    if GROUND_TRUTH.is_file():
        docs = _corpus_bodies(limit=0)
    docs += _generated_docs(n_stories=600, seed=11)
    docs = docs[:1000]
    assert len(docs) == 1000
    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    for i, d in enumerate(docs):
        d["published_at"] = base + dt.timedelta(minutes=(i * 7919) % 1000)
    random.Random(17).shuffle(docs)
    return docs


def _parsed_rows(docs: list[dict[str, Any]], parse_fp: str) -> list[dict[str, Any]]:
    fetched = dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
    return [
        {**d, "source": "test", "fetched_at": fetched, "title": d["doc_id"], "parser_version": parse_fp} for d in docs
    ]


def _store_runs(tmp: Path, runs: list[list[dict[str, Any]]]) -> tuple[dict[str, dict[str, Any]], pa.Table]:
    """Each run as the pipeline does it: write the new parsed part, find pending keys, rebuild the index from
    Parquet, dedup the pending keys in batches of ``batch_size``; returns the clusters and the stored rows."""
    from flows import stages
    from tasks.config import load_settings
    from tasks.store import Store, pending_after

    settings = load_settings(REPO / "newsflow.toml", tmp)
    store = Store(tmp)
    fps = stages.stage_fingerprints(settings)
    for docs in runs:
        store.write_part("parse", _parsed_rows(docs, fps["parse"]), schemas.PARSED, fps["parse"])
        keys = pending_after(store, "parse", schemas.PARSED, fps["parse"], "dedup", schemas.DEDUPLICATED, fps["dedup"])
        assert len(keys) == len(docs)
        index = stages.load_dedup_index(store, fps["dedup"], settings)
        for batch in stages.chunks(keys, settings.batch_size):
            counts, _ = stages.run_dedup_batch(store, batch, settings, fps["parse"], fps["dedup"], index)
            assert counts.processed == len(batch) and not counts.rejected
    dd = store.read("dedup", schemas.DEDUPLICATED, fps["dedup"])
    sigs = store.read("dedup", schemas.DEDUP_SIGNATURES, fps["dedup"], sub="signatures")
    return resolve_clusters(dd, sigs), dd


def test_one_run_vs_ten_runs_through_the_store(tmp_path: Path) -> None:
    docs = _thousand_docs()
    one, one_dd = _store_runs(tmp_path / "one", [docs])
    ten, ten_dd = _store_runs(tmp_path / "ten", [docs[i : i + 100] for i in range(0, 1000, 100)])
    assert one_dd.num_rows == ten_dd.num_rows == 1000
    # documents were processed in a different order (sorted per run), so the match edges may differ, but
    # clusters, representatives, kinds and similarities to the representative may not
    assert one == ten
    sizes = sorted((c["cluster_size"] for c in one.values()), reverse=True)
    assert sizes[0] >= 2 and sum(1 for c in one.values() if c["duplicate_kind"] == "near") >= 20
    kinds = {c["duplicate_kind"] for c in one.values()}
    assert {"url", "exact", "near"} <= kinds


def test_index_from_parquet_equals_index_in_memory(tmp_path: Path) -> None:
    """A run that loads the index from stored tables matches exactly like one that kept it in memory."""
    docs = _generated_docs(n_stories=60, seed=3)
    first, second = docs[:50], docs[50:]
    kept = DedupIndex()
    r1 = dedup_batch(first, kept, CFG)
    expected = dedup_batch(second, kept, CFG).rows
    loaded = DedupIndex.from_tables(schemas.conform(r1.rows, schemas.DEDUPLICATED), r1.index_table, r1.signatures)
    assert len(loaded) == 50
    assert dedup_batch(second, loaded, CFG).rows == expected
    # without stored band hashes they are recomputed from the signatures
    no_bands = r1.index_table.drop_columns(["band_hashes"])
    loaded2 = DedupIndex.from_tables(schemas.conform(r1.rows, schemas.DEDUPLICATED), no_bands, r1.signatures, CFG)
    assert dedup_batch(second, loaded2, CFG).rows == expected


def test_near_matches_make_clusters_order_independent() -> None:
    """A ~ B and B ~ C but A ≁ C: whatever the order, one cluster (the old single match edge lost C when A and
    C came first and B matched only one of them)."""
    paras = [" ".join(f"w{p}x{i}" for i in range(40)) for p in range(10)]
    a = "\n\n".join(paras[:7])
    b = "\n\n".join(paras[2:9])
    c = "\n\n".join(paras[4:10])
    assert _true_jaccard(a, b) >= CFG.threshold and _true_jaccard(b, c) >= CFG.threshold
    assert _true_jaccard(a, c) < CFG.threshold
    for order in (["a", "b", "c"], ["a", "c", "b"], ["c", "a", "b"]):
        body = {"a": a, "b": b, "c": c}
        rows = dedup_batch([_row(d, body[d]) for d in order], DedupIndex(), CFG).rows
        res = resolve_clusters(schemas.conform(rows, schemas.DEDUPLICATED))
        assert {res[d]["cluster_size"] for d in "abc"} == {3}, order


def test_c20_cluster_agencies_reach_the_uncredited_copy() -> None:
    """C20's expected ``syndicated_from_agency``: A credits AP in its dateline, B (same story, dateline removed)
    gets AP through its cluster, C (another story) none."""
    from tasks.export import build_articles
    from tasks.parse import parse_text

    case = _case("C20")
    if case is None:
        pytest.skip("shared field cases not available")
    fetched = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    parsed, batch = [], []
    for d in case["input"]["docs"]:
        res = parse_text(d["title"] + "\n\n" + d["text"], d["url"])
        row = {**res, "doc_id": d["id"], "content_sha256": "sha-" + d["id"], "source": "c20", "url": d["url"]}
        row["fetched_at"] = fetched
        parsed.append(row)
        batch.append(_row(d["id"], res["body"], url=d["url"], content_sha256="sha-" + d["id"]))
    rows, _, sigs = dedup_batch(batch, DedupIndex(), CFG)
    arts = build_articles(
        schemas.conform(parsed, schemas.PARSED),
        schemas.conform(rows, schemas.DEDUPLICATED),
        schemas.ENRICHED.empty_table(),
        sigs,
    ).to_pylist()
    by_doc = {a["doc_id"]: a for a in arts}
    expected = case["expected"]["syndicated_from_agency"]
    for doc_id, agency in expected.items():
        assert by_doc[doc_id]["agencies"] == ([agency] if agency else []), doc_id
    # no dates: B, the longer body (its copyright line), represents the cluster; A is its near-duplicate
    assert by_doc["A"]["cluster_id"] == by_doc["B"]["cluster_id"]
    assert by_doc["A"]["duplicate_kind"] == "near" and by_doc["A"]["duplicate_of"] == by_doc["B"]["article_id"]
    assert by_doc["C"]["cluster_size"] == 1


def test_signature_pinned() -> None:
    """Signatures are stored and compared across runs: a library or scheme change must show up here (and come
    with a DEDUP_VERSION bump)."""
    sig = minhash_signature(" ".join(f"wort{i}" for i in range(40)), CFG)
    assert sig is not None
    digest = hashlib.sha256(json.dumps(sig).encode()).hexdigest()[:16]
    assert (DEDUP_VERSION, digest) == ("3-rensa2", PINNED_SIGNATURE_DIGEST)


@pytest.mark.parametrize(
    ("candidates", "winner"),
    [
        # byte-identical copies: the one fetched from a URL beats a local file without one, whatever the doc_id
        ([("a", ""), ("b", "https://news.example.org/story/1")], "b"),
        ([("a", None), ("b", "https://news.example.org/story/1")], "b"),
        # a clean URL beats a tracking URL; a tracking URL still beats none
        ([("a", "https://news.example.org/story/1?utm_source=x"), ("b", "https://news.example.org/story/1")], "b"),
        ([("a", ""), ("b", "https://news.example.org/story/1?utm_source=x")], "b"),
        # all equal: the smallest doc_id
        ([("a", "https://news.example.org/story/1"), ("b", "https://news.example.org/story/1")], "a"),
    ],
)
def test_representative_prefers_a_document_with_a_url(candidates: list[tuple[str, str | None]], winner: str) -> None:
    from tasks.dedup import _rep_key

    when = dt.datetime(2024, 11, 22, 6, 57, tzinfo=dt.UTC)
    keys = {
        doc_id: _rep_key({"doc_id": doc_id, "published_at": when, "body_chars": 1200}, {"url": url})
        for doc_id, url in candidates
    }
    assert min(keys, key=lambda d: keys[d]) == winner
