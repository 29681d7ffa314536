"""Images: srcset parsing, the file an <img> names, picture keys, and which images a page lists (made-up sites).

Each kind of the issue's list has positive and negative rows: srcset URLs with commas, related-story thumbnails,
avatars and small variants, duplicates (og:image, size variants, <noscript> copies), captions without a URL,
relative URLs, credits ending in a button's label; and what must stay (a figure linking to its own file, a gallery
without <figure>, hidden carousel slides).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lxml.html
import pytest

from tasks.parse import parse_html
from tasks.parse.image_source import image_url, picture_key, same_picture
from tasks.parse.srcset import Candidate, largest, parse_srcset
from tests.conftest import load_field_cases

TEXT = (
    "<p>Der Gemeinderat hat am Montag nach langer Debatte den Haushalt für das kommende Jahr beschlossen und "
    "dabei die Gebühren für Kindergärten und Musikschule deutlich gesenkt.</p>"
    "<p>Die Opposition kritisierte den Entwurf als unzureichend und kündigte weitere Anträge an.</p>"
)
URL = "https://www.stadtbote.example.de/lokales/haushalt-beschlossen-4711.html"


def _page(body: str, head: str = "", article: bool = True) -> str:
    inner = f"<article><h1>Haushalt beschlossen</h1>{body}</article>" if article else body
    return f"<html><head><title>Haushalt beschlossen</title>{head}</head><body>{inner}</body></html>"


def _urls(html: str, url: str | None = URL) -> list[str | None]:
    return [img["url"] for img in parse_html(html, url)["images"]]


# ---- srcset (WHATWG HTML "parse a srcset attribute") --------------------------------------------------------

C = Candidate


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # commas inside a URL belong to it; only a comma after a descriptor separates candidates
        (
            "https://img.example.org/w=875,q=90/a.jpg 875w, https://img.example.org/w=400,q=90/a.jpg 400w",
            [
                C("https://img.example.org/w=875,q=90/a.jpg", 875, 1.0),
                C("https://img.example.org/w=400,q=90/a.jpg", 400, 1.0),
            ],
        ),
        # no space after the comma
        ("a.jpg 100w,b.jpg 200w", [C("a.jpg", 100, 1.0), C("b.jpg", 200, 1.0)]),
        # a URL ending in a comma has no descriptors (1x)
        ("a.jpg,\n   b.jpg 2x", [C("a.jpg", None, 1.0), C("b.jpg", None, 2.0)]),
        ("a.jpg", [C("a.jpg", None, 1.0)]),
        ("  ,, a.jpg 1.5x ,", [C("a.jpg", None, 1.5)]),
        # descriptor with a height next to the width
        ("a.jpg 640w 480h", [C("a.jpg", 640, 1.0)]),
        # negative rows: invalid descriptors drop their candidate, not the others
        ("a.jpg 0w, b.jpg 300w", [C("b.jpg", 300, 1.0)]),
        ("a.jpg 2x 3x, b.jpg", [C("b.jpg", None, 1.0)]),
        ("a.jpg 1.5w, b.jpg 10w", [C("b.jpg", 10, 1.0)]),
        ("a.jpg 300h", []),
        ("a.jpg 100w (x, y), b.jpg 50w", [C("b.jpg", 50, 1.0)]),
        ("", []),
        ("  ,  ", []),
    ],
)
def test_parse_srcset(value: str, expected: list[Candidate]) -> None:
    assert parse_srcset(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("s.jpg 400w, l.jpg 1200w, m.jpg 800w", "l.jpg"),
        ("s.jpg, l.jpg 2x", "l.jpg"),
        ("a.jpg 1x, b.jpg 1x", "a.jpg"),  # the first of equals
        ("x.jpg 3x, w.jpg 500w", "w.jpg"),  # width descriptors win over densities
        ("", None),
    ],
)
def test_largest_candidate(value: str, expected: str | None) -> None:
    best = largest(parse_srcset(value))
    assert (best.url if best else None) == expected


# ---- the file an <img> names ---------------------------------------------------------------------------------


def _img(fragment: str) -> Any:
    return next(lxml.html.fromstring(f"<div>{fragment}</div>").iter("img"))


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ('<img src="/a.jpg">', "/a.jpg"),
        ('<img src="/s.jpg" srcset="/s.jpg 300w, /l.jpg 1200w">', "/l.jpg"),
        # lazy loading: a placeholder src, the real file in data-*
        ('<img src="data:image/gif;base64,R0lGOD" data-src="/real.jpg">', "/real.jpg"),
        ('<img src="/img/spacer.gif" data-lazy-src="/real.jpg">', "/real.jpg"),
        ('<img src="/lazyload-transparent.gif" data-srcset="/r-400.jpg 400w, /r-800.jpg 800w">', "/r-800.jpg"),
        ('<img data-src-big="/big.jpg" data-src-small="/small.jpg">', "/big.jpg"),
        # <picture>: the largest of its <source> candidates
        (
            '<picture><source media="(min-width: 900px)" srcset="/p-1600.jpg 1600w, /p-900.jpg 900w">'
            '<img src="/p-400.jpg"></picture>',
            "/p-1600.jpg",
        ),
        # density-only sources of different media queries: the densest, then the widest rendition asked for
        (
            '<picture><source media="(max-width: 767px)" srcset="/q.jpg?w=288, /q.jpg?w=576 2x">'
            '<source media="(min-width: 1200px)" srcset="/q.jpg?w=564, /q.jpg?w=1128 2x"><img src="/q.jpg?w=288">'
            "</picture>",
            "/q.jpg?w=1128",
        ),
        # negative rows: nothing but a placeholder
        ('<img src="/static/missing-image.svg">', None),
        ('<img src="data:image/png;base64,iVBOR">', None),
        ("<img>", None),
    ],
)
def test_image_url(fragment: str, expected: str | None) -> None:
    assert image_url(_img(fragment)) == expected


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://x.test/u/lead-1024x681.jpg", "https://cdn.x.test/u/lead.jpg", True),
        ("https://x.test/u/lead-scaled.jpg?width=800", "https://x.test/u/lead.webp", True),
        ("https://x.test/u/lead.jpg.webp", "https://x.test/u/lead.jpg", True),
        ("https://x.test/p/18637241/5/920x920.jpg", "https://x.test/p/18637241/5/rawImage.jpg", True),
        # negative rows: numbered pictures of one series, camera counters, generic names in other folders
        ("https://x.test/u/tour_13.jpg", "https://x.test/u/tour_14.jpg", False),
        ("https://x.test/u/IMG_1407.jpg", "https://x.test/u/IMG_0513.jpg", False),
        ("https://x.test/a/1.jpg", "https://x.test/b/1.jpg", False),
    ],
)
def test_picture_key(a: str, b: str, same: bool) -> None:
    assert (picture_key(a) == picture_key(b)) is same


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("food-review-mezcal", "food-review-mezcal-copy", True),
        ("adobestock-372820225-b0464c6958b2ce61", "adobestock-372820225-472cff0c4144c55b", True),
        ("lead-1200-80", "lead-1024-80", True),
        ("mg-2959", "mg-2953", False),
        ("harbour-at-night", "market-at-noon", False),
    ],
)
def test_same_picture(a: str, b: str, same: bool) -> None:
    assert same_picture(a, b) is same


# ---- which images a page lists -------------------------------------------------------------------------------

FIG = '<figure><img src="{src}" alt="{alt}"><figcaption>{cap}</figcaption></figure>'


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # srcset with commas in the URL: the whole largest candidate
        (
            _page(
                TEXT + '<figure><img src="https://img.example.org/w=400,q=90/rathaus.jpg" '
                'srcset="https://img.example.org/w=400,q=90/rathaus.jpg 400w, '
                'https://img.example.org/w=875,q=90/rathaus.jpg 875w"><figcaption>Das Rathaus.</figcaption></figure>'
            ),
            ["https://img.example.org/w=875,q=90/rathaus.jpg"],
        ),
        # related-story thumbnails in a box below the article and in teaser cards inside it
        (
            _page(
                FIG.format(src="/bilder/rathaus.jpg", alt="Rathaus", cap="Das Rathaus.")
                + TEXT
                + '<div class="more-articles"><a href="/lokales/schule-4712.html"><img src="/bilder/schule.jpg">'
                "<h3>Neue Schule eröffnet</h3></a></div>"
                + '<a href="/lokales/bad-4713.html"><img src="/bilder/bad.jpg"><h4>Freibad öffnet</h4></a>'
                + '<ul><li><a href="/lokales/markt-4714.html"><img src="/bilder/markt.jpg"></a>'
                '<a href="/lokales/markt-4714.html">Wochenmarkt zieht um</a></li></ul>'
            ),
            ["https://www.stadtbote.example.de/bilder/rathaus.jpg"],
        ),
        # negative row: a figure linking to its own full-size file, and a gallery picture linking to its
        # attachment page, stay
        (
            _page(
                TEXT + '<figure><a href="/bilder/rathaus-gross.jpg"><img src="/bilder/rathaus-klein.jpg"></a>'
                "<figcaption>Das Rathaus.</figcaption></figure>"
                '<dl class="gallery-item"><dt class="gallery-icon"><a href="/lokales/haushalt/sitzung/">'
                '<img src="/bilder/sitzung.jpg" width="800" height="533"></a></dt></dl>'
            ),
            [
                "https://www.stadtbote.example.de/bilder/rathaus-klein.jpg",
                "https://www.stadtbote.example.de/bilder/sitzung.jpg",
            ],
        ),
        # author avatars: a box, a class, a 40-px variant, an alt text; negative row: a 600-px picture stays
        (
            _page(
                '<div class="author-box"><img src="/team/anna.jpg"></div>'
                '<img class="avatar" src="/team/ben.jpg">'
                '<img src="/team/carla-40x40.jpg">'
                '<img src="/team/dora.jpg" alt="Avatar">'
                '<img src="/team/emil.jpg" width="40" height="40">'
                + TEXT
                + '<img src="/bilder/sitzung.jpg" width="600" height="400">'
            ),
            ["https://www.stadtbote.example.de/bilder/sitzung.jpg"],
        ),
        # og:image is the lead in another size: listed once (the in-body one, with its caption)
        (
            _page(
                FIG.format(src="/bilder/rathaus-800x533.jpg", alt="Rathaus", cap="Das Rathaus.") + TEXT,
                head='<meta property="og:image" content="https://www.stadtbote.example.de/bilder/rathaus-1200x630.jpg">',
            ),
            ["https://www.stadtbote.example.de/bilder/rathaus-800x533.jpg"],
        ),
        # negative row: an og:image the body does not show comes first
        (
            _page(
                TEXT + FIG.format(src="/bilder/sitzung.jpg", alt="Sitzung", cap="Die Sitzung."),
                head='<meta property="og:image" content="/bilder/kaemmerer.jpg">',
            ),
            [
                "https://www.stadtbote.example.de/bilder/kaemmerer.jpg",
                "https://www.stadtbote.example.de/bilder/sitzung.jpg",
            ],
        ),
        # a site's default share picture is no article image
        (
            _page(TEXT, head='<meta property="og:image" content="/wp-content/themes/stadtbote/img/share.png">'),
            [],
        ),
        # the <noscript> copy of a lazy image folds into it
        (
            _page(
                TEXT + '<p><img src="data:image/gif;base64,R0lGOD" data-src="/bilder/sitzung.jpg">'
                '<noscript><img src="/bilder/sitzung.jpg"></noscript></p>'
            ),
            ["https://www.stadtbote.example.de/bilder/sitzung.jpg"],
        ),
        # a caption without a picture is no image a reader can fetch
        (_page(TEXT + "<figure><figcaption>Die Sitzung. Foto: Jo Beispiel</figcaption></figure>"), []),
        # relative URLs resolve against <base href>
        (
            _page(
                TEXT + '<p><img src="bilder/sitzung.jpg"></p>', head='<base href="https://cdn.stadtbote.example.de/">'
            ),
            ["https://cdn.stadtbote.example.de/bilder/sitzung.jpg"],
        ),
        # trackers, ads, hidden share-plugin copies; negative row: a hidden carousel slide stays
        (
            _page(
                TEXT + '<img src="https://stats.stadtbote.example.de/matomo.php?idsite=1">'
                '<div class="ad-slot"><img src="/werbung/autohaus.jpg"></div>'
                '<div class="pin-image-hidden" style="display:none"><img src="/bilder/pin.jpg"></div>'
                '<div class="slide" style="display:none"><img src="/bilder/slide-2.jpg"></div>'
            ),
            ["https://www.stadtbote.example.de/bilder/slide-2.jpg"],
        ),
        # teaser cards whose link holds the other story's title (even with an empty href), sponsored links, the
        # design files of a CMS theme; negative row: an image-only link to a same-site page outside a list stays
        (
            _page(
                TEXT + '<a class="story" href=""><div><img src="/bilder/unwetter.jpg"></div>'
                '<div class="storyText"><span>Hagel-Unwetter sucht die Insel heim</span></div></a>'
                '<a href="https://www.stadtbote.example.de/redir/58" rel="sponsored">'
                '<img src="/bilder/autohaus.jpg"></a>'
                '<p><img src="/wp-content/themes/stadtbote/images/button_left.png"></p>'
                '<p><a href="/lokales/haushalt/plan/"><img src="/bilder/haushaltsplan.jpg"></a></p>'
            ),
            ["https://www.stadtbote.example.de/bilder/haushaltsplan.jpg"],
        ),
        # an og:image named after the network it is made for is the site's default share picture
        (
            _page(
                TEXT, head='<meta property="og:image" content="http://www.stadtbote.example.de/images/facebook.png">'
            ),
            [],
        ),
        # a page-wide wrapper with a sidebar-ish class around the headline is not a sidebar
        (
            _page(
                '<div class="content-sidebar-wrap"><article><h1>Haushalt beschlossen</h1>'
                + FIG.format(src="/bilder/rathaus.jpg", alt="Rathaus", cap="Das Rathaus.")
                + TEXT
                + '</article><aside class="sidebar"><img src="/bilder/abo.jpg"></aside></div>',
                article=False,
            ),
            ["https://www.stadtbote.example.de/bilder/rathaus.jpg"],
        ),
    ],
)
def test_listed_images(html: str, expected: list[str]) -> None:
    assert _urls(html) == expected


def test_relative_src_without_a_page_url_is_dropped() -> None:
    """With no page URL and no <base>, a relative src cannot be fetched: it is left out, an absolute one stays."""
    html = _page(TEXT + '<p><img src="bilder/a.jpg"></p><p><img src="https://cdn.example.org/b.jpg"></p>')
    assert _urls(html, None) == ["https://cdn.example.org/b.jpg"]


@pytest.mark.parametrize(
    ("figcaption", "caption", "credit"),
    [
        (
            "Die Sitzung im Rathaus. Foto: Jo Beispiel <button>Visa mer</button>",
            "Die Sitzung im Rathaus.",
            "Jo Beispiel",
        ),
        ("Die Sitzung im Rathaus. Foto: Jo Beispiel Mehr anzeigen", "Die Sitzung im Rathaus.", "Jo Beispiel"),
        (
            'Die Sitzung. <span class="credit">Foto: Jo Beispiel</span><span role="button">Vergrößern</span>',
            "Die Sitzung.",
            "Jo Beispiel",
        ),
        ("The council meeting. Photo: Jo Example Show more", "The council meeting.", "Jo Example"),
        # negative rows: a name that ends in a UI-like word stays whole
        ("Die Sitzung. Foto: Anna Zoom", "Die Sitzung.", "Anna Zoom"),
        ("Mehr Geld für Schulen", "Mehr Geld für Schulen", None),
    ],
)
def test_caption_and_credit_without_button_labels(figcaption: str, caption: str, credit: str | None) -> None:
    html = _page(TEXT + f'<figure><img src="/bilder/sitzung.jpg"><figcaption>{figcaption}</figcaption></figure>')
    img = parse_html(html, URL)["images"][0]
    assert (img["caption"], img["credit"]) == (caption, credit)


def test_d12_gallery_without_figure_keeps_its_images() -> None:
    """Field case D12: a WordPress slideshow of divs (no <figure>), later slides hidden by display:none; every
    slide is listed with its caption and credit, and the credits leave the body."""
    case = load_field_cases(Path(__file__).parent / "golden" / "field-cases.jsonl").get("D12")
    if case is None:
        pytest.skip("field case D12 not found (tests/golden/field-cases.jsonl or ../shared/cases)")
    result = parse_html(case["input"]["html"], case["input"]["url"])
    expected = case["expected"]
    for want in expected["images_include"]:
        assert any(all(img[k] == v for k, v in want.items()) for img in result["images"]), want
    for bad in expected["body_must_not_contain"]:
        assert bad not in result["body"]
    urls = [img["url"] for img in result["images"]]
    assert len(urls) == len(set(urls)) == 3  # the og:image is the first slide in another size
