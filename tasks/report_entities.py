"""The run report's places and persons section: top places, a world map of country counts, top persons.

Counts are over the rows of the current articles dataset (one row per article; near-duplicate copies are
articles of their own, so a wire story printed by three outlets counts three times, as its readers saw it three
times): ``articles`` is how many rows name the place, country or person at least once, ``mentions`` the sum of
the enrich stage's ``mentions`` over those rows. Places are keyed by ``(name, country_code)``, persons by
``name``; ties are broken by name, so the same dataset gives the same tables.

The map is drawn without plotly's geo module: plotly.js fetches its country geometry (topojson) from its CDN
when a map is shown, and the report must work offline under a Content Security Policy that allows no
connection. Countries are filled polygons (plotly ``scatter`` traces with ``fill="toself"``) on longitude/latitude
axes (plate carrée), from the outlines shipped in ``tasks/enrich/data/world_outlines.json.gz``
(:mod:`tasks.enrich.build_outlines`: 173 countries, from countryinfo, MIT); each counted country is one trace
whose hover names its code and count, coloured by count class (:data:`CLASS_EDGES`), with one legend entry per
class. Countries without outlines there (small island states) are counted in the table only.
"""

from __future__ import annotations

import gzip
import html
import json
from collections import Counter
from functools import lru_cache
from importlib import resources
from typing import Any

#: Rows shown in each table.
TOP = 15
#: Lower edges of the map's count classes (1, 2–4, 5–9, 10–24, …); only classes up to the largest count show.
CLASS_EDGES = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000)
#: Sequential blues (light to dark) for the classes; the last colour repeats for further classes.
CLASS_COLOURS = ("#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b")
NO_DATA = "#e3e6eb"


@lru_cache(maxsize=1)
def outlines() -> dict[str, list[list[list[float]]]]:
    """Country outlines by ISO 3166-1 alpha-2: a list of rings of ``[lon, lat]`` (degrees) per country."""
    path = resources.files("tasks.enrich").joinpath("data", "world_outlines.json.gz")
    return dict(json.loads(gzip.decompress(path.read_bytes()))["countries"])


def summarise(articles: list[dict[str, Any]]) -> dict[str, Any]:
    """Top places, country counts and top persons of article rows carrying ``places``, ``countries`` and
    ``persons`` (any may be null: enricher not configured). Returns ``{"places": [{"name", "country_code",
    "articles", "mentions"}] (at most TOP), "countries": {code: articles}, "country_names": {code: name},
    "persons": [{"name", "articles", "mentions"}] (at most TOP), "enriched": rows with any of the three}``."""
    place_rows: Counter[tuple[str, str | None]] = Counter()
    place_mentions: Counter[tuple[str, str | None]] = Counter()
    person_rows: Counter[str] = Counter()
    person_mentions: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    names: dict[str, Counter[str]] = {}
    enriched = 0
    for row in articles:
        places, persons, codes = row.get("places"), row.get("persons"), row.get("countries")
        if places is None and persons is None and codes is None:
            continue
        enriched += 1
        for p in places or []:
            key = (p.get("name") or "", p.get("country_code"))
            place_rows[key] += 1
            place_mentions[key] += int(p.get("mentions") or 0)
            if p.get("method") == "country" and p.get("country_code"):
                names.setdefault(p["country_code"], Counter())[p.get("name") or ""] += 1
        for code in dict.fromkeys(codes or []):
            countries[code] += 1
        for p in persons or []:
            person_rows[p.get("name") or ""] += 1
            person_mentions[p.get("name") or ""] += int(p.get("mentions") or 0)
    top_places = sorted(place_rows, key=lambda k: (-place_rows[k], -place_mentions[k], k[0], k[1] or ""))[:TOP]
    top_persons = sorted(person_rows, key=lambda k: (-person_rows[k], -person_mentions[k], k))[:TOP]
    return {
        "places": [
            {"name": n, "country_code": c, "articles": place_rows[(n, c)], "mentions": place_mentions[(n, c)]}
            for n, c in top_places
        ],
        "countries": dict(sorted(countries.items(), key=lambda kv: (-kv[1], kv[0]))),
        "country_names": {c: min(cnt, key=lambda n: (-cnt[n], n)) for c, cnt in names.items()},
        "persons": [{"name": n, "articles": person_rows[n], "mentions": person_mentions[n]} for n in top_persons],
        "enriched": enriched,
    }


def count_class(count: int) -> int:
    """Index of the class of ``count`` in :data:`CLASS_EDGES` (``count`` >= 1; 0 for 1, 1 for 2–4, …)."""
    return max(i for i, edge in enumerate(CLASS_EDGES) if count >= edge)


def class_label(index: int) -> str:
    low = CLASS_EDGES[index]
    if index + 1 < len(CLASS_EDGES):
        high = CLASS_EDGES[index + 1] - 1
        return str(low) if high == low else f"{low}–{high}"
    return f"{low}+"


def _polygon_xy(rings: list[list[list[float]]]) -> tuple[list[float | None], list[float | None]]:
    """x and y of ``rings`` as one path with a gap (None) between rings: ``fill="toself"`` fills each segment."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for ring in rings:
        if xs:
            xs.append(None)
            ys.append(None)
        xs.extend(p[0] for p in ring)
        ys.extend(p[1] for p in ring)
    return xs, ys


def _add_filled(fig: Any, rings: list[Any], colour: str, **extra: Any) -> None:
    """Country outlines ``rings`` as one filled trace of ``colour`` (white borders, no legend entry)."""
    xs, ys = _polygon_xy(rings)
    fig.add_scatter(
        x=xs,
        y=ys,
        mode="lines",
        fill="toself",
        fillcolor=colour,
        line={"color": "#ffffff", "width": 0.5},
        showlegend=False,
        **extra,
    )


def world_map(countries: dict[str, int], country_names: dict[str, str]) -> Any:
    """A plotly figure (``go.Figure``) of the world with each country filled by the class of its article count;
    countries without articles in grey. None when no counted country has an outline."""
    import plotly.graph_objects as go

    shapes = outlines()
    counted = {c: n for c, n in countries.items() if c in shapes and n > 0}
    if not counted:
        return None
    fig = go.Figure(
        layout={
            "template": "plotly_white",
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "xaxis": {"range": [-180, 180], "visible": False, "fixedrange": False},
            "yaxis": {"range": [-58, 84], "visible": False, "scaleanchor": "x", "scaleratio": 1},
            "legend": {"title": {"text": "articles"}, "orientation": "v", "x": 0.0, "y": 0.05},
            "hovermode": "closest",
        }
    )
    _add_filled(fig, [r for c in sorted(shapes) if c not in counted for r in shapes[c]], NO_DATA, hoverinfo="skip")
    classes = sorted({count_class(n) for n in counted.values()})
    for code in sorted(counted, key=lambda c: (counted[c], c)):
        colour = CLASS_COLOURS[min(count_class(counted[code]), len(CLASS_COLOURS) - 1)]
        label = f"{code} {country_names[code]}" if code in country_names else code
        _add_filled(fig, shapes[code], colour, hoveron="fills", name=html.escape(f"{label}: {counted[code]}"))
    for index in classes:
        colour = CLASS_COLOURS[min(index, len(CLASS_COLOURS) - 1)]
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=class_label(index),
            marker={"symbol": "square", "size": 12, "color": colour},
        )
    return fig


def _table(head: list[str], rows: list[list[Any]], numeric: set[int]) -> str:
    th = "".join(
        f"<th class=n>{html.escape(h)}</th>" if i in numeric else f"<th>{html.escape(h)}</th>"
        for i, h in enumerate(head)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class=n>{html.escape(str(v))}</td>" if i in numeric else f"<td>{html.escape(str(v or '–'))}</td>"
            for i, v in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    return f"<table><tr>{th}</tr>{body}</table>"


def section(articles: list[dict[str, Any]], figure_json: Any) -> tuple[dict[str, Any], str]:
    """``(figures, html)``: the world map's figure JSON keyed by its div id (``chart-countries``; none without
    counted countries) and the section's HTML (every outside string escaped). ``figure_json`` turns a plotly
    figure into JSON-ready data (the report's own)."""
    s = summarise(articles)
    figs: dict[str, Any] = {}
    fig = world_map(s["countries"], s["country_names"])
    if fig is not None:
        figs["chart-countries"] = figure_json(fig)
    if not s["enriched"]:
        note = "No article carries places or persons (the places and entities enrichers are not configured)."
        return (
            figs,
            f'<section id="entities"><h2>Places and persons</h2><p class="empty">{html.escape(note)}</p></section>',
        )
    parts = ['<section id="entities"><h2>Places and persons</h2>']
    if "chart-countries" in figs:
        parts.append('<div id="chart-countries" class="chart"></div>')
        parts.append(
            f'<p class="note">Articles naming a place in each country ({len(s["countries"])} countries). '
            "Outlines: countryinfo (MIT), 173 countries.</p>"
        )
    else:
        parts.append('<p class="empty">No article names a country with an outline on the map.</p>')
    parts.append("<h3>Top places</h3>")
    rows = [[p["name"], p["country_code"], p["articles"], p["mentions"]] for p in s["places"]]
    parts.append(_table(["place", "country", "articles", "mentions"], rows, {2, 3}) if rows else "<p>None.</p>")
    parts.append("<h3>Top persons</h3>")
    rows = [[p["name"], p["articles"], p["mentions"]] for p in s["persons"]]
    parts.append(_table(["person", "articles", "mentions"], rows, {1, 2}) if rows else "<p>None.</p>")
    parts.append("</section>")
    return figs, "".join(parts)


def markdown(articles: list[dict[str, Any]], escape: Any) -> list[str]:
    """Markdown lines of the top places and persons (five each); ``escape`` is the report's Markdown escaper.
    Empty when no article carries places or persons."""
    s = summarise(articles)
    if not s["enriched"] or not (s["places"] or s["persons"]):
        return []
    places = ", ".join(f"{escape(p['name'])} ({p['country_code'] or '–'}) {p['articles']}" for p in s["places"][:5])
    persons = ", ".join(f"{escape(p['name'])} {p['articles']}" for p in s["persons"][:5])
    return [
        "",
        "## Places and persons (articles naming them)",
        "",
        f"- places: {places or '–'}",
        f"- persons: {persons or '–'}",
    ]
