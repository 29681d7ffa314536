"""Build ``tasks/enrich/data/world_outlines.json.gz``: country outlines for the run report's world map.

Run: ``.venv/bin/pip install -e '.[gazetteer]' && .venv/bin/python -m tasks.enrich.build_outlines``. The same
countryinfo version gives a byte-identical file (sorted keys, fixed gzip mtime).

Source: the ``geoJSON`` outlines shipped in the countryinfo package (MIT licence; 1.0.1 has outlines for 173
countries, small island states and territories have none), keyed here by ISO 3166-1 alpha-2 from the same
records. Only the outer ring of each polygon is kept (holes such as Lesotho inside South Africa are drawn over by
the inner country), coordinates are rounded to 0.1 degree (about 11 km, finer than a report map shows) and
repeated points after rounding are dropped: about 130 kB of JSON, 40 kB gzipped.

File shape: ``{"source": str, "countries": {"DE": [[[lon, lat], ...], ...], ...}}`` (degrees, WGS84; one list
of rings per country).
"""

from __future__ import annotations

import gzip
import json
from importlib import metadata, resources
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "data" / "world_outlines.json.gz"


def _rings(geo: dict[str, Any]) -> list[list[list[float]]]:
    """Outer rings of a GeoJSON FeatureCollection, Feature or geometry, rounded to 0.1 degree."""
    feats = geo.get("features") if "features" in geo else [geo]
    out: list[list[list[float]]] = []
    for feat in feats or []:
        geom = feat.get("geometry", feat) if isinstance(feat, dict) else None
        if not geom or geom.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        polygons = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        for polygon in polygons:
            ring: list[list[float]] = []
            for lon, lat, *_ in polygon[0]:
                point = [round(float(lon), 1), round(float(lat), 1)]
                if not ring or ring[-1] != point:
                    ring.append(point)
            if len(ring) >= 4:
                out.append(ring)
    return out


def build() -> dict[str, Any]:
    """The outlines file's content from the installed countryinfo package. Raises ``ModuleNotFoundError``
    without it (install the ``gazetteer`` extra)."""
    import countryinfo  # noqa: F401  (the data folder is read below; the import names the missing extra)

    countries: dict[str, list[list[list[float]]]] = {}
    folder = resources.files("countryinfo").joinpath("data")
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".json"):
            continue
        record = json.loads(entry.read_text(encoding="utf-8"))
        code = (record.get("ISO") or {}).get("alpha2")
        geo = record.get("geoJSON")
        if not code or len(code) != 2 or not isinstance(geo, dict):
            continue
        rings = _rings(geo)
        if rings:
            countries.setdefault(code.upper(), []).extend(rings)
    return {"source": f"countryinfo {metadata.version('countryinfo')} (MIT)", "countries": countries}


def main() -> None:
    data = json.dumps(build(), sort_keys=True, separators=(",", ":")).encode("utf-8")
    OUT.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
