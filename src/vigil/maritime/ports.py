"""Ports and anchorages: a user-supplied CSV list (``name, lat, lon[, radius_m]``) or the bundled one.

The bundled list (``vigil/data/maritime/ports_dprk_region.csv``, see its SOURCES.md) holds the DPRK's
ports and the neighbouring ports named in UN Panel of Experts reports. For other waters supply your own:
any CSV with the columns ``name``, ``lat``, ``lon`` and optionally ``radius_m`` (metres, default 5,000)
and ``kind`` (port or anchorage). Distances are haversine metres (:mod:`vigil.maritime.geo`).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from vigil.errors import InputError
from vigil.maritime.geo import EARTH_RADIUS_M, FloatArray, to_ecef

__all__ = ["BUNDLED_PORTS", "DEFAULT_RADIUS_M", "PortIndex", "load_ports"]

DEFAULT_RADIUS_M = 5_000.0
BUNDLED_PORTS = "ports_dprk_region.csv"
_MAX_ROWS = 1_000_000


@dataclass(frozen=True, slots=True)
class Port:
    name: str
    lat: float
    lon: float
    radius_m: float
    kind: str = "port"


def _float(path: Path, line: int, column: str, raw: str | None) -> float:
    try:
        value = float((raw or "").strip())
    except ValueError:
        raise InputError(f"{path}:{line}: column {column}: {raw!r} is not a number") from None
    if not math.isfinite(value):
        raise InputError(f"{path}:{line}: column {column}: {raw!r} is not finite")
    return value


def load_ports(path: Path | None = None) -> PortIndex:
    """Read a ports CSV (``None``: the bundled DPRK-region list). Errors name the file, line and column."""
    if path is None:
        ref = resources.files("vigil") / "data" / "maritime" / BUNDLED_PORTS
        with resources.as_file(ref) as real:
            return load_ports(Path(real))
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    ports: list[Port] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            fields = {f.strip().lower() for f in (reader.fieldnames or ())}
            missing = {"name", "lat", "lon"} - fields
            if missing:
                raise InputError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
            for line, raw in enumerate(reader, start=2):
                if line > _MAX_ROWS:
                    raise InputError(f"{path}: more than {_MAX_ROWS} rows")
                row = {(k or "").strip().lower(): v for k, v in raw.items()}
                name = (row.get("name") or "").strip()
                if not name:
                    raise InputError(f"{path}:{line}: column name is empty")
                lat = _float(path, line, "lat", row.get("lat"))
                lon = _float(path, line, "lon", row.get("lon"))
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    raise InputError(f"{path}:{line}: lat/lon {lat}, {lon} out of range")
                radius = DEFAULT_RADIUS_M
                if (row.get("radius_m") or "").strip():
                    radius = _float(path, line, "radius_m", row.get("radius_m"))
                    if not 0 < radius <= 200_000:
                        raise InputError(f"{path}:{line}: column radius_m: {radius} not in (0, 200000]")
                kind = (row.get("kind") or "port").strip().lower() or "port"
                ports.append(Port(name[:200], lat, lon, radius, kind))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise InputError(f"{path}: malformed CSV: {exc}") from None
    return PortIndex(ports)


class PortIndex:
    """Nearest-port look-ups over many points at once (a k-d tree on Earth-centred coordinates)."""

    def __init__(self, ports: list[Port]) -> None:
        self.ports = ports
        if ports:
            lat = np.array([p.lat for p in ports], dtype=np.float64)
            lon = np.array([p.lon for p in ports], dtype=np.float64)
            self.lat, self.lon = lat, lon
            self.radius = np.array([p.radius_m for p in ports], dtype=np.float64)
            self._tree: cKDTree | None = cKDTree(np.column_stack(to_ecef(lat, lon)))
        else:
            self._tree = None

    def __len__(self) -> int:
        return len(self.ports)

    def nearest(self, lat: FloatArray, lon: FloatArray) -> tuple[np.ndarray, FloatArray]:
        """Index of the nearest port (−1 if none) and its great-circle distance in metres (inf if none)."""
        n = len(lat)
        if self._tree is None or n == 0:
            return np.full(n, -1, dtype=np.int64), np.full(n, np.inf)
        chord, idx = self._tree.query(np.column_stack(to_ecef(lat, lon)), k=1, workers=2)
        # chord c ↔ great-circle distance 2R·asin(c / 2R): the nearest by chord is the nearest on the sphere.
        dist = 2.0 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.asarray(chord) / (2.0 * EARTH_RADIUS_M)))
        return np.asarray(idx, dtype=np.int64), np.asarray(dist, dtype=np.float64)

    def distance(self, lat: FloatArray, lon: FloatArray) -> FloatArray:
        """Distance in metres to the nearest port (inf when the list is empty)."""
        return self.nearest(lat, lon)[1]
