"""Geodesy for the AIS detectors: distances, a grid index for pairs, point-in-polygon, GeoJSON areas.

Every distance in :mod:`vigil.maritime.events` is the **haversine great-circle distance on a sphere of
radius 6,371,008.8 m** (the IUGG mean Earth radius)::

    a = sin²((lat2 − lat1)/2) + cos(lat1)·cos(lat2)·sin²((lon2 − lon1)/2)
    d = 2 · R · asin(min(1, √a))

The grid used to find close pairs (:func:`grid_pairs`) is only an *index*: points are placed in cubic
cells of Earth-centred coordinates and looked up in their own and the nearby neighbouring cells; the
caller then keeps the pairs whose haversine distance passes its rule. Because the straight-line (chord)
distance is never larger than the great-circle distance, no pair within the cell size is lost, even
across cell borders. Another implementation may use any other index and gets the same pairs.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from vigil.errors import InputError

__all__ = [
    "EARTH_RADIUS_M",
    "KNOT_MS",
    "NM_M",
    "Area",
    "grid_pairs",
    "haversine_m",
    "load_areas",
    "points_in_area",
    "to_ecef",
]

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG) used by every distance."""
KNOT_MS = 1852.0 / 3600.0
"""One knot in metres per second."""
NM_M = 1852.0
"""One nautical mile in metres."""

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def haversine_m(
    lat1: FloatArray | float, lon1: FloatArray | float, lat2: FloatArray | float, lon2: FloatArray | float
) -> FloatArray:
    """Great-circle distance in metres between points given in degrees (vectorized)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    a = np.sin(dp / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2.0) ** 2
    return np.asarray(2.0 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a))), dtype=np.float64)


def to_ecef(lat: FloatArray, lon: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Earth-centred coordinates in metres on the sphere of :data:`EARTH_RADIUS_M`."""
    p, lam = np.radians(lat), np.radians(lon)
    cp = np.cos(p)
    return EARTH_RADIUS_M * cp * np.cos(lam), EARTH_RADIUS_M * cp * np.sin(lam), EARTH_RADIUS_M * np.sin(p)


_NEIGHBOURS = [o for o in itertools.product((-1, 0, 1), repeat=3) if o != (0, 0, 0)]
_BITS = 21  # cells per axis: 2**21 covers ±Earth radius for cells ≥ 7 m
_FACTOR = 3.0  # cell edge = 3 × the search distance: few probes per point, few extra candidates


def grid_pairs(group: IntArray, lat: FloatArray, lon: FloatArray, cell_m: float) -> tuple[IntArray, IntArray]:
    """Index pairs ``(i, j)``, ``i < j``, of points of the same ``group`` that may lie within ``cell_m``.

    Every pair of one group whose straight-line (chord) distance is at most ``cell_m`` is returned, once;
    some farther pairs may be returned too, so the caller applies its exact distance rule. ``group`` is
    any integer per point (e.g. a 10-minute time bucket).

    How: cubic cells of edge ``3 × cell_m`` in Earth-centred coordinates; each point is looked up in its
    own cell and in each neighbouring cell whose border it lies within ``cell_m`` of (per axis), in one
    hash join. A pair within ``cell_m`` is found from both sides; ``i < j`` keeps one.
    """
    n = len(lat)
    empty = np.empty(0, dtype=np.int64)
    if n < 2:
        return empty, empty
    if cell_m < 7.0:
        raise InputError(f"grid cell of {cell_m} m is too small (minimum 7 m)")
    x, y, z = to_ecef(lat, lon)
    c = cell_m * _FACTOR
    fx, fy, fz = np.floor(x / c), np.floor(y / c), np.floor(z / c)
    off = 1 << (_BITS - 1)
    cx, cy, cz = fx.astype(np.int64) + off, fy.astype(np.int64) + off, fz.astype(np.int64) + off
    low = ((x - fx * c) < cell_m, (y - fy * c) < cell_m, (z - fz * c) < cell_m)
    high = (((fx + 1) * c - x) <= cell_m, ((fy + 1) * c - y) <= cell_m, ((fz + 1) * c - z) <= cell_m)
    g = np.asarray(group, dtype=np.int64)
    idx = np.arange(n, dtype=np.int64)

    def key(sel: IntArray | slice, dx: int, dy: int, dz: int) -> IntArray:
        # 3 × 21 bits = 63 bits: one non-negative int64 per cell.
        return np.asarray((((cx[sel] + dx) << _BITS | (cy[sel] + dy)) << _BITS) | (cz[sel] + dz))

    home_key = key(slice(None), 0, 0, 0)
    keys, groups, rows = [home_key], [g], [idx]
    for offset in _NEIGHBOURS:
        mask = np.ones(n, dtype=np.bool_)
        for axis, d in enumerate(offset):
            if d == -1:
                mask &= low[axis]
            elif d == 1:
                mask &= high[axis]
        sel = np.flatnonzero(mask)
        if sel.size:
            keys.append(key(sel, *offset))
            groups.append(g[sel])
            rows.append(sel)
    probe = pl.DataFrame({"g": np.concatenate(groups), "c": np.concatenate(keys), "i": np.concatenate(rows)})
    home = pl.DataFrame({"g": g, "c": home_key, "j": idx})
    joined = probe.join(home, on=["g", "c"], how="inner")
    i = joined["i"].to_numpy()
    j = joined["j"].to_numpy()
    keep = i < j
    return i[keep], j[keep]


@dataclass(frozen=True, slots=True)
class Area:
    """A named polygon area from GeoJSON (``kind`` "port" makes visits port calls, else area entries)."""

    name: str
    kind: str
    # Each polygon: list of rings (outer first, then holes), each ring an (n, 2) array of lon, lat.
    polygons: list[list[FloatArray]] = field(default_factory=list)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        rings = [r for poly in self.polygons for r in poly]
        allpts = np.concatenate(rings)
        return (
            float(allpts[:, 0].min()),
            float(allpts[:, 1].min()),
            float(allpts[:, 0].max()),
            float(allpts[:, 1].max()),
        )


def _ring(path: str, where: str, raw: Any) -> FloatArray:
    if not isinstance(raw, list) or len(raw) < 4:
        raise InputError(f"{path}: {where}: a ring needs at least 4 positions [lon, lat]")
    try:
        arr = np.asarray([[float(p[0]), float(p[1])] for p in raw], dtype=np.float64)
    except (TypeError, ValueError, IndexError):
        raise InputError(f"{path}: {where}: positions must be [lon, lat] numbers") from None
    if not np.isfinite(arr).all() or (np.abs(arr[:, 0]) > 180).any() or (np.abs(arr[:, 1]) > 90).any():
        raise InputError(f"{path}: {where}: coordinates out of range (lon ±180, lat ±90)")
    return arr


def load_areas(path: Path, *, max_bytes: int = 64 * 1024 * 1024, max_vertices: int = 200_000) -> list[Area]:
    """Areas from a GeoJSON file: a FeatureCollection, a Feature, or a bare (Multi)Polygon.

    A feature's ``properties.name`` names the area (default ``area-<n>``); ``properties.kind`` = "port"
    (or "anchorage") turns its visits into port calls. Raises :class:`InputError` naming the feature;
    more than ``max_vertices`` positions in all are refused (simplify the polygons first).
    """
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.stat().st_size > max_bytes:
        raise InputError(f"{path}: larger than {max_bytes} bytes")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not valid GeoJSON: {exc}") from None
    if not isinstance(doc, dict):
        raise InputError(f"{path}: GeoJSON must be an object")
    if doc.get("type") == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise InputError(f"{path}: FeatureCollection without a features list")
    elif doc.get("type") == "Feature":
        features = [doc]
    else:
        features = [{"type": "Feature", "properties": {}, "geometry": doc}]
    areas: list[Area] = []
    vertices = 0
    for n, feat in enumerate(features):
        where = f"feature {n}"
        if not isinstance(feat, dict) or not isinstance(feat.get("geometry"), dict):
            raise InputError(f"{path}: {where}: not a Feature with a geometry")
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            raise InputError(f"{path}: {where}: properties must be an object")
        name = str(props.get("name") or f"area-{n}")[:200]
        kind = "port" if str(props.get("kind", "")).lower() in {"port", "anchorage"} else "area"
        geom = feat["geometry"]
        gtype, coords = geom.get("type"), geom.get("coordinates")
        if gtype == "Polygon":
            polys = [coords]
        elif gtype == "MultiPolygon":
            polys = coords
        else:
            raise InputError(f"{path}: {where} ({name}): geometry {gtype!r} is not a Polygon or MultiPolygon")
        if not isinstance(polys, list) or not polys:
            raise InputError(f"{path}: {where} ({name}): empty coordinates")
        parsed: list[list[FloatArray]] = []
        for k, poly in enumerate(polys):
            if not isinstance(poly, list) or not poly:
                raise InputError(f"{path}: {where} ({name}): polygon {k} has no rings")
            parsed.append([_ring(str(path), f"{where} ({name}) polygon {k}", ring) for ring in poly])
            vertices += sum(len(r) for r in parsed[-1])
            if vertices > max_vertices:
                raise InputError(
                    f"{path}: {where} ({name}): more than {max_vertices} positions in all; simplify"
                )
        areas.append(Area(name=name, kind=kind, polygons=parsed))
    return areas


def points_in_area(area: Area, lat: FloatArray, lon: FloatArray) -> npt.NDArray[np.bool_]:
    """Whether each point lies inside the area (even-odd rule over all rings; holes excluded)."""
    inside = np.zeros(len(lat), dtype=np.bool_)
    x0, y0, x1, y1 = area.bbox
    cand = np.flatnonzero((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1))
    if cand.size == 0:
        return inside
    px, py = lon[cand], lat[cand]
    for poly in area.polygons:
        odd = np.zeros(cand.size, dtype=np.bool_)
        for ring in poly:
            xs, ys = ring[:, 0], ring[:, 1]
            xe, ye = np.roll(xs, -1), np.roll(ys, -1)
            for k in range(len(xs)):
                xa, ya, xb, yb = xs[k], ys[k], xe[k], ye[k]
                if ya == yb:
                    continue
                crosses = (ya > py) != (yb > py)
                xint = xa + (py - ya) * (xb - xa) / (yb - ya)
                odd ^= crosses & (px < xint)
        inside[cand] |= odd
    return inside
