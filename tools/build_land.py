"""Developer tool: rebuild ``web/static/maritime/land-50m.geojson``, the offline base map of the vessel pages.

Not imported by the library. Input: ``countries-50m.json`` of the npm package ``world-atlas``
(version 2.0.2 was used; ``npm pack world-atlas`` and unpack it), a TopoJSON file derived from
Natural Earth 1:50m (public domain), packaged by Mike Bostock under the ISC licence::

    python tools/build_land.py /path/to/world-atlas/package/countries-50m.json

Output: one GeoJSON FeatureCollection with two features, written compactly:

- ``{"kind": "land"}`` — a MultiPolygon of all land (the file's ``land`` object);
- ``{"kind": "borders"}`` — a MultiLineString of land borders between countries (TopoJSON arcs
  shared by two different country geometries: the "mesh" of d3's topojson-client).

Coordinates are rounded to 3 decimals (about 110 m: far finer than the 1:50m source, about 1 km)
and consecutive duplicate points dropped; rings that collapse to fewer than 4 points are dropped.
TopoJSON decoding (quantized, delta-encoded arcs; ``~i`` for an arc walked backwards) is done here
in plain Python so the project gains no dependency.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

OUT = (
    Path(__file__).resolve().parents[1] / "src" / "vigil" / "web" / "static" / "maritime" / "land-50m.geojson"
)
DECIMALS = 3

Point = tuple[float, float]


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """Absolute lon/lat points of every arc (undoing quantization and delta encoding)."""
    transform = topology.get("transform")
    arcs: list[list[Point]] = []
    for arc in topology["arcs"]:
        points: list[Point] = []
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            for dx, dy, *_ in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(float(p[0]), float(p[1])) for p in arc]
        arcs.append(points)
    return arcs


def _arc(arcs: list[list[Point]], index: int) -> list[Point]:
    return arcs[index] if index >= 0 else arcs[~index][::-1]


def _round(points: list[Point]) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in points:
        p = [round(x, DECIMALS), round(y, DECIMALS)]
        if not out or out[-1] != p:
            out.append(p)
    return out


def ring(arcs: list[list[Point]], indices: list[int]) -> list[list[float]] | None:
    """One closed ring from its arcs (each arc after the first drops its shared first point)."""
    points: list[Point] = []
    for n, index in enumerate(indices):
        part = _arc(arcs, index)
        points.extend(part if n == 0 else part[1:])
    rounded = _round(points)
    if len(rounded) < 4:
        return None
    if rounded[0] != rounded[-1]:
        rounded.append(rounded[0])
    return rounded


def polygons(arcs: list[list[Point]], geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    """The polygons (lists of rings) of a Polygon or MultiPolygon TopoJSON geometry."""
    kind = geometry.get("type")
    groups = [geometry["arcs"]] if kind == "Polygon" else geometry["arcs"] if kind == "MultiPolygon" else []
    out = []
    for polygon in groups:
        rings = [r for r in (ring(arcs, indices) for indices in polygon) if r is not None]
        if rings and len(rings[0]) >= 4:
            out.append(rings)
    return out


def borders(arcs: list[list[Point]], countries: list[dict[str, Any]]) -> list[list[list[float]]]:
    """Arcs shared by two different countries: the land borders."""
    owners: dict[int, set[int]] = defaultdict(set)
    for n, geometry in enumerate(countries):
        kind = geometry.get("type")
        groups = [geometry["arcs"]] if kind == "Polygon" else geometry.get("arcs", []) if kind else []
        for polygon in groups:
            for indices in polygon:
                for index in indices:
                    owners[index if index >= 0 else ~index].add(n)
    lines = []
    for index in sorted(owners):
        if len(owners[index]) > 1:
            line = _round(arcs[index])
            if len(line) >= 2:
                lines.append(line)
    return lines


def build(source: Path) -> dict[str, Any]:
    topology = json.loads(source.read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    land: list[list[list[list[float]]]] = []
    for geometry in topology["objects"]["land"]["geometries"]:
        land.extend(polygons(arcs, geometry))
    lines = borders(arcs, topology["objects"]["countries"]["geometries"])
    attribution = "Natural Earth 1:50m (public domain) via world-atlas 2.0.2 (ISC)"
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"kind": "land", "source": attribution},
                "geometry": {"type": "MultiPolygon", "coordinates": land},
            },
            {
                "type": "Feature",
                "properties": {"kind": "borders", "source": attribution},
                "geometry": {"type": "MultiLineString", "coordinates": lines},
            },
        ],
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    collection = build(Path(argv[1]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(collection, separators=(",", ":"))
    OUT.write_text(text + "\n", encoding="utf-8")
    land, lines = (f["geometry"]["coordinates"] for f in collection["features"])
    print(f"{OUT}: {len(land)} land polygons, {len(lines)} border lines, {len(text):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
