"""Publication dates by kind (issue #14), each on made-up sites, negative rows included: a generic ``<meta
name="date">`` against the page's own publication markup, clock times with zone names and without, dates from a
JavaScript state, and dates that belong to something else (comments, profiles, press-release numbers)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tasks.parse import parse_html

_DE = "<p>" + "Der Gemeinderat hat am Montag lange über den Haushalt beraten und schließlich zugestimmt. " * 5 + "</p>"
_EN = "<p>" + "The council debated the budget for a long time on Monday and finally agreed to it. " * 5 + "</p>"


def _page(lang: str, head: str = "", header: str = "", after: str = "", title: str = "") -> bytes:
    text = _DE if lang.startswith("de") else _EN
    h1 = title or ("Haushalt für 2024 beschlossen" if lang.startswith("de") else "Council passes the 2024 budget")
    return (
        f"<html lang='{lang}'><head><title>{h1} | Made-up Courier</title>{head}</head><body><article><h1>{h1}</h1>"
        f"{header}{text}</article>{after}</body></html>"
    ).encode()


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


CASES = [
    # --- a generic <meta name="date"> (often a CMS record date) never beats the page's publication markup
    (
        "meta-date-vs-itemprop",
        _page(
            "de",
            head="<meta name='date' content='2020-01-01T08:00:00+01:00'>",
            header="<time itemprop='datePublished' datetime='2023-02-03T14:10:00+01:00'>3. Februar 2023</time>",
        ),
        _utc(2023, 2, 3, 13, 10),
        60,
    ),
    (
        "meta-date-vs-header-date",
        _page(
            "en",
            head="<meta name='date' content='2019-05-05T10:00:00+02:00'>",
            header="<p class='meta'>Published: March 7, 2023</p>",
        ),
        _utc(2023, 3, 7),
        None,
    ),
    (
        "meta-date-alone-still-counts",
        _page("en", head="<meta name='date' content='2021-06-09'>"),
        _utc(2021, 6, 9),
        None,
    ),
    # --- clock times printed without a zone: the zone the page's language implies
    (
        "de-winter-local",
        _page("de", header="<p class='meta'>03.02.2023 um 14:10 Uhr</p>"),
        _utc(2023, 2, 3, 13, 10),
        60,
    ),
    ("de-summer-local", _page("de", header="<p class='meta'>03.07.2023, 23:30 Uhr</p>"), _utc(2023, 7, 3, 21, 30), 120),
    ("at-local", _page("de-AT", header="<p class='date'>14:05 Uhr, 3. Februar 2023</p>"), _utc(2023, 2, 3, 13, 5), 60),
    ("en-gb-summer", _page("en-GB", header="<p class='date'>4 July 2023, 09:15</p>"), _utc(2023, 7, 4, 8, 15), 60),
    # English without a region spans many zones: the time stays as printed (UTC), no offset is claimed
    ("en-no-region", _page("en", header="<p class='date'>July 4, 2023 9:15 AM</p>"), _utc(2023, 7, 4, 9, 15), None),
    # --- zone names after the clock time: one rule for all of them
    (
        "et-before-date",
        _page("en", header="<p class='byline'>Published 9:45 p.m. ET, Fri February 3, 2023</p>"),
        _utc(2023, 2, 4, 2, 45),
        -300,
    ),
    ("edt", _page("en", header="<p class='date'>May 2, 2023 7:05 am EDT</p>"), _utc(2023, 5, 2, 11, 5), -240),
    ("mesz", _page("de", header="<p class='meta'>3. Juli 2023, 23:30 MESZ</p>"), _utc(2023, 7, 3, 21, 30), 120),
    ("gmt-on-a-german-page", _page("de", header="<p class='date'>3. März 2023 14:00 GMT</p>"), _utc(2023, 3, 3, 14), 0),
    # --- dates that belong to something else
    ("press-release-number", _page("de", header="<p>Pressemitteilung Nr. 07/2019</p>"), None, None),
    (
        "first-of-month-spelled-out",
        _page("de", after="<div class='info'><p>Stand: 1. Juli 2019</p></div>"),
        _utc(2019, 7, 1),
        None,
    ),
    (
        "comment-time",
        _page(
            "en",
            after="<section class='comments'><div class='comment'><time datetime='2023-05-05T10:00:00Z'>May 5</time>"
            "<p>Great article</p></div></section>",
        ),
        None,
        None,
    ),
    (
        "profile-member-since",
        _page("en", after="<div class='user-profile'>Jane Roe, member since March 4, 2015</div>"),
        None,
        None,
    ),
    # --- a date only in the page's JavaScript state, next to the article's headline
    (
        "hydration-next-to-headline",
        _page(
            "en",
            head='<script>window.__STATE__ = {"article":{"id":5,"createdAt":"2023-02-03T19:10:00Z",'
            '"headline":"Council passes the 2024 budget"}};</script>',
        ),
        _utc(2023, 2, 3, 19, 10),
        0,
    ),
    (
        "hydration-published-beats-created",
        _page(
            "de",
            head='<script id="__NEXT_DATA__" type="application/json">{"props":{"story":{"createdAt":'
            '"2023-01-30T08:00:00+01:00","title":"Haushalt für 2024 beschlossen","publishedAt":'
            '"2023-02-01T06:30:00+01:00"}}}</script>',
        ),
        _utc(2023, 2, 1, 5, 30),
        60,
    ),
    (
        "hydration-without-the-headline",
        _page("en", head='<script>var related = [{"title":"Other story","datePublished":"2022-11-11"}];</script>'),
        None,
        None,
    ),
]


@pytest.mark.parametrize(("html", "published", "offset"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_publication_date_by_kind(html: bytes, published: datetime | None, offset: int | None) -> None:
    article = parse_html(html, "https://courier.invalid/lokales/haushalt-2024")
    assert article["published_at"] == published
    assert article["published_offset_min"] == offset


@pytest.mark.parametrize(
    ("lang", "zone", "published", "offset"),
    [
        ("en", "America/New_York", _utc(2023, 7, 4, 13, 15), -240),  # the source's zone where the language has none
        ("de", "Europe/London", _utc(2023, 7, 4, 8, 15), 60),  # and over the zone the language implies
        ("en", None, _utc(2023, 7, 4, 9, 15), None),
    ],
)
def test_source_timezone_reads_clock_times_without_zone(
    lang: str, zone: str | None, published: datetime, offset: int | None
) -> None:
    html = _page(lang, header="<p class='date'>July 4, 2023 9:15 AM</p>")
    article = parse_html(html, "https://courier.invalid/a", timezone=zone)
    assert (article["published_at"], article["published_offset_min"]) == (published, offset)


def test_source_timezone_setting_is_checked_and_fingerprinted(tmp_path) -> None:
    """``timezone`` in a ``[[sources]]`` table: an unknown zone is a config error naming the key; a set zone is part
    of the parse fingerprint (its pages are re-parsed), and a source without one leaves the fingerprint as before."""
    from flows.stages import stage_fingerprints
    from tasks.config import ConfigError, load_settings

    raw = tmp_path / "raw"
    raw.mkdir()

    def settings(extra: str):
        cfg = tmp_path / "newsflow.toml"
        cfg.write_text(f'[[sources]]\nname = "s"\nkind = "files"\npath = "{raw}"\n{extra}\n', encoding="utf-8")
        return load_settings(cfg)

    with pytest.raises(ConfigError, match=r"sources\[0\]\.timezone"):
        settings('timezone = "Mars/Olympus"')
    plain = stage_fingerprints(settings(""))
    vienna = stage_fingerprints(settings('timezone = "Europe/Vienna"'))
    assert settings('timezone = "Europe/Vienna"').sources[0].timezone == "Europe/Vienna"
    assert vienna["fetch"] == plain["fetch"]
    assert vienna["parse"] != plain["parse"] and vienna["export"] != plain["export"]
