"""Author kinds seen on sites the rules were not written for (issue #14): bylines with non-Latin labels, a byline
paragraph at the top of the body or a signature at its end, header shapes, handles, a CMS account against the
visible credit, and junk. Every page here is invented; each kind has rows that must not yield an author."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lxml.html
import pytest

from tasks.parse import parse_html
from tasks.parse.author_links import _sidebar_author_box
from tests.conftest import load_field_cases

URL = "https://news.example.net/2024/05/city-budget.html"
TEXT = "<p>" + "The council debated the new budget for a long time and finally approved it on Tuesday. " * 3 + "</p>"
MORE = "<p>" + "The second vote follows in June, when the districts present their own spending plans. " * 3 + "</p>"


def _page(header: str = "", body: str = "", head: str = "", lang: str = "en", before: str = "", after: str = "") -> str:
    """A news page of the invented site news.example.net: ``header`` after the headline, ``body`` after two
    paragraphs of text, ``before``/``after`` the ``<article>`` element."""
    return (
        f"<html lang='{lang}'><head><meta charset='utf-8'><title>Budget approved</title>{head}</head>"
        f"<body class='single'>{before}<article><header><h1>Budget approved</h1>{header}</header>{TEXT}{MORE}"
        f"{body}</article>{after}</body></html>"
    )


def _authors(html: str) -> list[str]:
    return parse_html(html.encode(), URL)["authors"]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # CJK labels with full-width colons and ideographic separators
        ({"lang": "zh", "header": "<p>编辑：张三、李四</p>"}, ["张三", "李四"]),
        ({"lang": "zh", "header": "<p>责任编辑：王小明</p>"}, ["王小明"]),
        ({"lang": "zh", "header": "<p>记者 王小明</p>"}, ["王小明"]),
        ({"lang": "zh", "header": "<div>作者：陈大文　来源：本站</div>"}, ["陈大文"]),
        ({"lang": "ja", "header": "<p>文：山田太郎</p>"}, ["山田太郎"]),
        ({"lang": "ja", "header": "<p>文・山田太郎・鈴木花子</p>"}, ["山田太郎", "鈴木花子"]),
        # Korean: the name before the role word, a dateline in brackets or an e-mail address around it
        ({"lang": "ko", "header": "<p>김철수 기자</p>"}, ["김철수"]),
        ({"lang": "ko", "header": "<p>[서울=예시뉴스] 김철수·이영희 기자 = </p>"}, ["김철수", "이영희"]),
        ({"lang": "ko", "body": "<p>이영희 기자 yh@example.kr</p>"}, ["이영희"]),
        ({"lang": "ko", "header": "<span class='byline'>박민수 선임기자</span>"}, ["박민수"]),
        # Arabic, Persian, Hebrew, Cyrillic and Greek leads and labels
        ({"lang": "ar", "header": "<p>بقلم سامي المثال</p>"}, ["سامي المثال"]),
        ({"lang": "ar", "header": "<span class='author'>بقلم سامي المثال</span>"}, ["سامي المثال"]),
        ({"lang": "ar", "header": "<p>كتبت: ليلى المثال</p>"}, ["ليلى المثال"]),
        ({"lang": "fa", "header": "<p>نویسنده: مریم نمونه</p>"}, ["مریم نمونه"]),
        ({"lang": "he", "header": "<p>מאת דנה דוגמה</p>"}, ["דנה דוגמה"]),
        ({"lang": "ru", "header": "<p>Автор: Иван Петров</p>"}, ["Иван Петров"]),
        ({"lang": "ru", "header": "<p>Текст: Анна Смирнова и Олег Иванов</p>"}, ["Анна Смирнова", "Олег Иванов"]),
        ({"lang": "uk", "header": "<p>Автор: Олена Коваль</p>"}, ["Олена Коваль"]),
        ({"lang": "el", "header": "<p>Συντάκτης: Μαρία Παπαδοπούλου</p>"}, ["Μαρία Παπαδοπούλου"]),
        # negative rows: a lead word opening a sentence, a desk, a lowercase phrase, a Korean sentence
        ({"lang": "zh", "header": "<p>记者从市政府获悉，新的预算已经通过。</p>"}, []),
        ({"lang": "zh", "header": "<p>记者走访了当地居民</p>"}, []),
        ({"lang": "ru", "header": "<p>Автор: редакция сайта</p>"}, []),
        ({"lang": "ru", "header": "<p>Автор: иван петров</p>"}, []),
        ({"lang": "ko", "header": "<p>김 기자는 시의회가 예산을 통과시켰다고 전했다.</p>"}, []),
        ({"lang": "ar", "header": "<p>كتب الرئيس رسالة إلى المجلس</p>"}, []),
        ({"lang": "ja", "header": "<p>文化の日に市議会が予算を承認した。</p>"}, []),
    ],
)
def test_non_latin_byline_labels(kwargs: dict[str, str], expected: list[str]) -> None:
    assert _authors(_page(**kwargs)) == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        # a second author meta tag: the first person's tag counts, a role suffix is cut
        (
            "<meta name='author' content='Jane Roe'><meta name='author' content='John Poe (Photos)'>",
            ["Jane Roe"],
        ),
        ("<meta name='author' content='Jane Roe, Reporter'>", ["Jane Roe"]),
        ("<meta name='author' content='Jane Roe (Redakteurin)'>", ["Jane Roe"]),
        # negative: a role alone
        ("<meta name='author' content='Reporter'>", []),
    ],
)
def test_author_meta_tag_with_role_suffix(head: str, expected: list[str]) -> None:
    assert _authors(_page(head=head)) == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # a bold byline paragraph at the top of the body (after a short meta line), in capitals too
        ({"header": "<p><strong>Jane Roe</strong></p>"}, ["Jane Roe"]),
        ({"header": "<p>3 May 2024</p><p><b>JANE ROE</b></p>"}, ["Jane Roe"]),
        # "Text von A, Illustration von B": the text's author only (the illustrator made no text)
        ({"header": "<p>Text von Anna Muster, Illustration von Ben Beispiel</p>"}, ["Anna Muster"]),
        ({"header": "<p>By Jane Roe; photos by John Poe</p>"}, ["Jane Roe"]),
        # closing signatures: right-aligned bold, framed by brackets and end marks, initials in small print
        ({"body": "<p style='text-align: right'><strong>Jane Roe</strong></p>"}, ["Jane Roe"]),
        ({"body": "<p align='right'>Jane Roe</p>"}, ["Jane Roe"]),
        ({"body": "<p>(Jane Roe) +++</p>"}, ["Jane Roe"]),
        ({"body": "<p><small>(jr)</small></p>"}, ["jr"]),
        ({"body": "<p><small>J.R.</small></p>"}, ["J.R."]),
        # negative rows: a bold place or subheading, a bold lead sentence, a plain last line, an agency in small print
        ({"header": "<p><strong>Budget</strong></p>"}, []),
        ({"header": "<p><strong>The council met on Tuesday.</strong></p>"}, []),
        ({"body": "<p>Jane Roe</p>"}, []),
        ({"body": "<p><small>(dpa)</small></p>"}, []),
        ({"body": "<p style='text-align: right'>More on this topic soon</p>"}, []),
    ],
)
def test_byline_paragraphs_and_signatures(kwargs: dict[str, str], expected: list[str]) -> None:
    assert _authors(_page(**kwargs)) == expected


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"header": "<p><strong>Jane Roe</strong></p>"}, "Jane Roe"),
        ({"header": "<p>Text von Anna Muster, Illustration von Ben Beispiel</p>"}, "Anna Muster"),
        ({"body": "<p>(Jane Roe) +++</p>"}, "Jane Roe"),
        ({"body": "<p style='text-align: right'><strong>Jane Roe</strong></p>"}, "Jane Roe"),
        ({"body": "<p><small>(jr)</small></p>"}, "(jr)"),
        ({"lang": "ko", "body": "<p>이영희 기자 yh@example.kr</p>"}, "이영희"),
    ],
)
def test_credit_lines_leave_the_body(kwargs: dict[str, str], needle: str) -> None:
    result = parse_html(_page(**kwargs).encode(), URL)
    assert result["authors"]
    assert needle not in result["body"]
    assert "finally approved it" in result["body"]


def test_a_name_that_is_no_credit_stays_in_the_body() -> None:
    result = parse_html(_page(header="<p>By Jane Roe</p>", body="<p>Max Beispiel</p>").encode(), URL)
    assert result["authors"] == ["Jane Roe"]
    assert result["body"].endswith("Max Beispiel")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"header": "<p>Posted on May 3, 2024 by Jane Roe</p>"}, ["Jane Roe"]),
        (
            {
                "header": "<div class='entry-meta'>Posted on <time>May 3, 2024</time> by "
                "<a href='/u/jr'>Jane Roe</a> in <a href='/c/city'>City</a></div>"
            },
            ["Jane Roe"],
        ),
        ({"header": "<p>Veröffentlicht am 3. Mai 2024 von Anna Muster</p>"}, ["Anna Muster"]),
        ({"header": "<p>May 3, 2024 by Jane Roe | 4 comments</p>"}, ["Jane Roe"]),
        ({"header": "<h4>By Jane Roe | May 3, 2024</h4>"}, ["Jane Roe"]),
        # a name, a separator and a date right after the headline, with no "by"
        ({"header": "<div><span>Jane Roe &nbsp;|</span><span class='date'>05.04.2025</span></div>"}, ["Jane Roe"]),
        ({"header": "<p>Jane Roe · May 3, 2024</p>"}, ["Jane Roe"]),
        ({"header": "<p class='byline'><i class='icon-pen'></i>By Jane Roe and John Poe / Staff Writers</p>"}, None),
        # definition lists: a label, or a staff profile link alone
        (
            {"header": "<dl><dt>Written by</dt><dd><a href='/staff/jane-roe'>Jane Roe</a></dd></dl>"},
            ["Jane Roe"],
        ),
        (
            {"header": "<dl class='meta'><dd><a href='/staff/jane-roe'>Jane Roe</a></dd><dd>May 3</dd></dl>"},
            ["Jane Roe"],
        ),
        # an author's avatar link without text: its title or its image's alt spells the archive's slug
        (
            {"header": "<div class='meta'><a href='/authors/janeroe/' title='Jane Roe'><img src='/a.jpg'></a></div>"},
            ["Jane Roe"],
        ),
        (
            {"header": "<div class='meta'><a href='/authors/janeroe/'><img src='/a.jpg' alt='Jane Roe'></a></div>"},
            ["Jane Roe"],
        ),
        ({"header": "<div class='meta'><a href='/authors/janeroe/' title='Share'><img src='/a.jpg'></a></div>"}, []),
        # an author box beside the article
        (
            {
                "after": "<aside class='sidebar'><div class='author-box'><h3>Jane Roe</h3>"
                "<p>Jane writes about the city.</p></div></aside>"
            },
            ["Jane Roe"],
        ),
        (
            {
                "after": "<div class='sidebar'><div class='teaser-box author'><div class='title'>Jane Roe</div>"
                "<a href='/search?author=jane-roe'>All articles</a></div></div>"
            },
            ["Jane Roe"],
        ),
        # negative rows: a "posted" line without a name, a sentence with "by", author boxes of several people, a
        # box whose heading is a link's label
        ({"header": "<p>Posted on May 3, 2024 by the city council</p>"}, []),
        # ... a section or the outlet before the date is no name
        ({"header": "<p>City Council | 05.04.2025</p>"}, []),
        ({"header": "<p>Example Net | 05.04.2025</p>"}, []),
        ({"header": "<p>Jane Roe | Politics</p>"}, []),
        ({"header": "<p>The plan was written by Jane Roe and her team.</p>"}, []),
        (
            {
                "after": "<aside><div class='author-info'><h3><a href='/author/jane-roe/'>All posts</a></h3>"
                "</div></aside>"
            },
            [],
        ),
    ],
)
def test_header_shapes(kwargs: dict[str, str], expected: list[str] | None) -> None:
    expected = ["Jane Roe", "John Poe"] if expected is None else expected
    assert _authors(_page(**kwargs)) == expected


@pytest.mark.parametrize(
    ("aside", "expected"),
    [
        ("<div class='author-box'><h3>Jane Roe</h3><p>Jane writes about the city.</p></div>", ["Jane Roe"]),
        ("<div class='author-box'><p>About the author</p><h3>Jane Roe</h3></div>", ["Jane Roe"]),
        # negative rows: boxes of two people, a widget's list items, a comment's author box, a teaser card
        ("<div class='author-box'><h3>Jane Roe</h3></div><div class='author-box'><h3>John Poe</h3></div>", []),
        ("<ul><li><div class='author-box'><h3>Jane Roe</h3><p>12 posts</p></div></li></ul>", []),
        ("<div class='comment'><div class='comment-author'><h3>Jane Roe</h3></div></div>", []),
        (
            "<div class='card'><h3><a href='/x'>Other story</a></h3>"
            "<div class='author-box'><b>Max Other</b></div></div>",
            [],
        ),
    ],
)
def test_sidebar_author_box_rule(aside: str, expected: list[str]) -> None:
    """The author box rule itself (the whole parse also asks trafilatura's author heuristics after it)."""
    tree = lxml.html.fromstring(_page(after=f"<aside class='sidebar'>{aside}</aside>")).getroottree()
    assert _sidebar_author_box(tree, None, tree.find(".//h1")) == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"header": "<div class='post-meta'><a class='username' href='/members/kettle99/'>kettle99</a></div>"}, None),
        ({"header": "<p>Posted by greenfrog</p>"}, ["greenfrog"]),
        ({"header": "<span class='author vcard'><a class='url fn n' href='/author/mika/'>mika</a></span>"}, ["mika"]),
        # a two-letter handle the page links to its own author archive
        ({"header": "<p class='post-meta'><i class='fa fa-user'></i><a href='/author/mh/'>mh </a></p>"}, ["mh"]),
        # negative rows: a role word is no handle
        ({"header": "<p>Posted by admin</p>"}, []),
        ({"header": "<p class='post-meta'><a href='/author/jane-roe/'>mh</a></p>"}, []),
        ({"header": "<p>By ku Frankfurt</p>"}, []),
        ({"header": "<span class='author vcard'><a class='fn' href='/author/redaktion/'>redaktion</a></span>"}, []),
    ],
)
def test_handles_are_authors(kwargs: dict[str, str], expected: list[str] | None) -> None:
    assert _authors(_page(**kwargs)) == (["kettle99"] if expected is None else expected)


_ADMIN_LD = (
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Budget approved", "author": '
    '{"@type": "Person", "name": "Nora Night", "@id": "https://news.example.net/author/admin/"}}</script>'
)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # the uploader's account (JSON-LD or the byline's archive link) loses to the credit the reader sees
        ({"head": _ADMIN_LD, "body": "<p><em>An interview by Jane Roe</em></p>"}, ["Jane Roe"]),
        (
            {
                "header": "<p class='meta'>by <span class='author vcard'><a href='/author/admin/' rel='author'>"
                "Nora Night</a></span> | 5 May 2024</p><p><strong>JANE ROE</strong></p>"
            },
            ["Jane Roe"],
        ),
        ({"head": "<meta name='author' content='admin'>", "header": "<p>An interview by Jane Roe</p>"}, ["Jane Roe"]),
        # negative rows: the account stays when nothing visible names anyone else; a person's own archive is no
        # account
        ({"head": _ADMIN_LD}, ["Nora Night"]),
        (
            {
                "head": _ADMIN_LD.replace("/author/admin/", "/author/nora-night/"),
                "header": "<p><a href='/author/nora-night/' rel='author'>Nora Night</a></p>",
                "body": "<p><em>An interview by Jane Roe</em></p>",
            },
            ["Nora Night"],
        ),
    ],
)
def test_visible_credit_beats_cms_account(kwargs: dict[str, str], expected: list[str]) -> None:
    assert _authors(_page(**kwargs)) == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"header": "<p class='byline'>By Jane Roe, Senior Editor</p>"}, ["Jane Roe"]),
        ({"header": "<p>By Jane Roe, staff writer</p>"}, ["Jane Roe"]),
        ({"header": "<p class='byline'>By J.R.R. Sample</p>"}, ["J.R.R. Sample"]),
        ({"header": "<p>Von R. R. am 07.08.2013</p>"}, ["R. R."]),
        ({"header": "<p>By Jane A. Roe</p>"}, ["Jane A. Roe"]),
        ({"header": "<span class='byline'>Article by: <a href='/a/jr'>Jane Roe</a></span>"}, ["Jane Roe"]),
        # negative rows: a related story's card after the article, a label alone
        (
            {
                "after": "<section class='more'><div class='card'><h3><a href='/x'>Other story</a></h3>"
                "<span class='byline'>By Max Other</span></div></section>"
            },
            [],
        ),
        ({"header": "<div class='author'>Article by:</div>"}, []),
    ],
)
def test_author_junk(kwargs: dict[str, str], expected: list[str]) -> None:
    assert _authors(_page(**kwargs)) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "By Omar bin Example, Sara al-Sample and Ana de los Rios",
            ["Omar bin Example", "Sara al-Sample", "Ana de los Rios"],
        ),
        ("By Lena von der Example and Jo de la Sample", ["Lena von der Example", "Jo de la Sample"]),
        ("Par Jean d'Exemple et Marie L'Exemple", ["Jean d'Exemple", "Marie L'Exemple"]),
        # negative: a lowercase word that is no particle
        ("By Omar went Example", []),
    ],
)
def test_name_particles(line: str, expected: list[str]) -> None:
    assert _authors(_page(header=f"<p class='byline'>{line}</p>")) == expected


CASES = load_field_cases(Path(__file__).parent / "golden" / "field-cases.jsonl")


@pytest.mark.parametrize("cid", ["D07", "D08"])
def test_field_cases_authors(cid: str) -> None:
    """The shared cases D07 (Arabic "بقلم" byline) and D08 (name particles), authors part."""
    if cid not in CASES:
        pytest.skip(f"field case {cid} not available")
    case: dict[str, Any] = CASES[cid]
    html, url = case["input"]["html"], case["input"]["url"]
    result = parse_html(html.encode(), url)
    assert result["authors"] == case["expected"]["authors"]
    for bad in case["expected"].get("authors_must_not_contain", []):
        assert bad not in result["authors"]
    for line, names in case["expected"].get("also_checked_same_template", {}).items():
        variant = html.replace("By Omar bin Example, Sara al-Sample and Ana de los Rios", line)
        assert parse_html(variant.encode(), url)["authors"] == names
