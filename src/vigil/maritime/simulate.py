"""A seeded AIS simulator: vessel tracks with known events, injected into real background traffic.

There is no labelled AIS data set for ship-to-ship transfers or dark rendezvous, so Vigil builds one
honestly: it plants scenarios whose outcome is known into real traffic (by default the 99,999
MarineCadastre positions of 2022-01-03 off the US coasts), runs the detectors, and counts what they find
(:mod:`vigil.maritime.evaluate`).

Scenarios (``n_each`` of each, placed at least 80 km apart in open-sea boxes of the Gulf of Mexico, the
Atlantic off the Carolinas and the Pacific off California, starting between 2 h and 24 h after
2022-01-03 00:00 UTC; every vessel reports every 60–180 s with 5 m position noise and 0.1 knot speed
noise, 3 % of its reports lost, and one ship in five has one position thrown 30–100 km off; injected
MMSIs start with the DPRK MID 445 and never collide with the background):

``encounter_sts``   two ships sail in at 10 knots and drift together 50–300 m apart at 0.2–0.8 knots for
                    3–6 h, then leave: an encounter for ``gfw`` and ``sts``; loitering for both.
``encounter_gfw``   the same at 1.2–1.8 knots: an encounter for ``gfw`` only (``sts`` wants < 1 knot).
``near_far``        side by side 700–1,200 m apart at 0.5 knots for 4–6 h: no encounter (> 500 m).
``near_short``      50–300 m apart at 0.5 knots for only 60–80 min: no encounter (< 2 h).
``gap``             sails at 10 knots, goes dark for 13–20 h while moving on at 8 knots, reappears: a gap.
``short_gap``       the same with 6–9 h of silence: no gap at the 12 h default (GFW would keep it at 6 h).
``rendezvous``      two ships approach from opposite sides, go dark 1–4 km apart within 2 h of each other
                    for 14–18 h, meet unseen, and reappear 1–4 km apart: a dark rendezvous and two gaps.
``spoof``           two ships 150–400 km apart broadcast the same MMSI, interleaved, for 10–14 h: an
                    identity overlap.
``loiter``          one ship drifts at 0.3–0.8 knots for 6–8 h: loitering for both presets.

Not planted by default (:data:`HARD_SCENARIOS`, pass ``scenarios=SCENARIOS + HARD_SCENARIOS``):

``encounter_sparse`` an ``encounter_sts`` of 4–6 h seen by sparse (satellite-like) AIS, one fix every
                    40–70 min: a real transfer that the default 1 h interpolation limit mostly misses.

The truth table lists, per scenario, each event that must be found (``presets`` = which presets must
find it, ``required``) and each that must not (``presets`` empty).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

from vigil.errors import InputError
from vigil.maritime.geo import KNOT_MS

__all__ = ["HARD_SCENARIOS", "SCENARIOS", "Simulation", "load_marinecadastre", "simulate"]

SCENARIOS = (
    "encounter_sts",
    "encounter_gfw",
    "near_far",
    "near_short",
    "gap",
    "short_gap",
    "rendezvous",
    "spoof",
    "loiter",
)
HARD_SCENARIOS = ("encounter_sparse",)
"""Scenarios left out by default: real encounters the default parameters are expected to miss."""
T0 = datetime(2022, 1, 3, tzinfo=UTC)
_M_PER_DEG = math.pi * 6_371_008.8 / 180.0
# Open-sea boxes (lat0, lat1, lon0, lon1).
_BOXES = ((25.5, 27.5, -93.0, -86.5), (31.0, 33.5, -77.0, -73.5), (30.0, 32.5, -124.5, -121.0))

POSITION_COLUMNS: dict[str, pl.DataType] = {
    "mmsi": pl.Int64(),
    "ts": pl.Datetime("us", "UTC"),
    "lat": pl.Float64(),
    "lon": pl.Float64(),
    "sog": pl.Float32(),
    "cog": pl.Float32(),
    "heading": pl.Float32(),
    "nav_status": pl.Int16(),
}
TRUTH_SCHEMA: dict[str, pl.DataType] = {
    "scenario": pl.String(),
    "type": pl.String(),
    "mmsi": pl.Int64(),
    "mmsi_b": pl.Int64(),
    "start": pl.Datetime("us", "UTC"),
    "end": pl.Datetime("us", "UTC"),
    "presets": pl.List(pl.String),
    "required": pl.Boolean(),
    "note": pl.String(),
}


def load_marinecadastre(path: Path) -> pl.DataFrame:
    """Positions from a US MarineCadastre CSV (``MMSI, BaseDateTime, LAT, LON, SOG, COG, Heading, Status``).

    A small reader for the background traffic; ``vigil ais ingest`` is the full one.
    """
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        raw = pl.read_csv(path, infer_schema_length=0)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"{path}: cannot read as CSV: {exc}") from None
    missing = {"MMSI", "BaseDateTime", "LAT", "LON"} - set(raw.columns)
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(sorted(missing))}")

    def num(name: str, dtype: pl.DataType) -> pl.Expr:
        if name not in raw.columns:
            return pl.lit(None, dtype=dtype)
        return pl.col(name).cast(dtype, strict=False)

    return raw.select(
        num("MMSI", pl.Int64()).alias("mmsi"),
        pl.col("BaseDateTime")
        .str.to_datetime(strict=False, time_unit="us")
        .dt.replace_time_zone("UTC")
        .alias("ts"),
        num("LAT", pl.Float64()).alias("lat"),
        num("LON", pl.Float64()).alias("lon"),
        num("SOG", pl.Float32()).alias("sog"),
        num("COG", pl.Float32()).alias("cog"),
        pl.when(num("Heading", pl.Float32()) < 360).then(num("Heading", pl.Float32())).alias("heading"),
        num("Status", pl.Int16()).alias("nav_status"),
    ).drop_nulls(["mmsi", "ts"])


@dataclass
class _Ship:
    """A ship's motion; records a fix every ``interval`` seconds while transmitting."""

    rng: np.random.Generator
    mmsi: int
    t: float  # seconds after T0
    lat: float
    lon: float
    interval: float
    fixes: list[tuple[int, float, float, float, float, float]] = field(default_factory=list)
    next_fix: float = 0.0

    def _record(self, t: float, lat: float, lon: float, sog: float, cog: float) -> None:
        n = self.rng.normal(0.0, 5.0, 2)
        self.fixes.append(
            (
                self.mmsi,
                t,
                lat + n[0] / _M_PER_DEG,
                lon + n[1] / (_M_PER_DEG * math.cos(math.radians(lat))),
                max(0.0, sog + float(self.rng.normal(0.0, 0.1))),
                cog % 360.0,
            )
        )

    def move(self, duration: float, speed_kn: float, course: float, *, report: bool = True) -> None:
        """Move on a straight course (flat approximation, fine over tens of km)."""
        v = speed_kn * KNOT_MS
        vn, ve = v * math.cos(math.radians(course)), v * math.sin(math.radians(course))
        t_end = self.t + duration
        lat0, lon0, t0 = self.lat, self.lon, self.t
        coslat = math.cos(math.radians(lat0))
        if not report:
            self.next_fix = max(self.next_fix, t_end)
        while report and self.next_fix <= t_end:
            dt = self.next_fix - t0
            if dt >= 0:
                self._record(
                    self.next_fix,
                    lat0 + vn * dt / _M_PER_DEG,
                    lon0 + ve * dt / (_M_PER_DEG * coslat),
                    speed_kn,
                    course,
                )
            self.next_fix += self.interval * float(self.rng.uniform(0.8, 1.2))
        self.lat = lat0 + vn * duration / _M_PER_DEG
        self.lon = lon0 + ve * duration / (_M_PER_DEG * coslat)
        self.t = t_end

    def sail_to(self, lat: float, lon: float, speed_kn: float) -> None:
        dn = (lat - self.lat) * _M_PER_DEG
        de = (lon - self.lon) * _M_PER_DEG * math.cos(math.radians(self.lat))
        dist = math.hypot(dn, de)
        if dist > 0:
            self.move(dist / (speed_kn * KNOT_MS), speed_kn, math.degrees(math.atan2(de, dn)))


def _offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    return lat + north_m / _M_PER_DEG, lon + east_m / (_M_PER_DEG * math.cos(math.radians(lat)))


@dataclass
class Simulation:
    """The injected positions merged with the background, and the truth table of the plan."""

    positions: pl.DataFrame
    truth: pl.DataFrame
    injected_mmsis: list[int]
    background_rows: int


class _Builder:
    def __init__(self, rng: np.random.Generator, taken: set[int]) -> None:
        self.rng = rng
        self.taken = taken
        self.ships: list[_Ship] = []
        self.truth: list[dict[str, object]] = []
        self.next_mmsi = 445_100_000

    def mmsi(self) -> int:
        while self.next_mmsi in self.taken:
            self.next_mmsi += 1
        self.taken.add(self.next_mmsi)
        return self.next_mmsi

    def ship(
        self,
        t: float,
        lat: float,
        lon: float,
        mmsi: int | None = None,
        every: tuple[float, float] = (60, 180),
    ) -> _Ship:
        s = _Ship(self.rng, mmsi or self.mmsi(), t, lat, lon, float(self.rng.uniform(*every)))
        s.next_fix = t
        self.ships.append(s)
        return s

    def add(self, scenario: str, etype: str, a: int, b: int | None, start: float, end: float,
            presets: tuple[str, ...], note: str, required: bool = True) -> None:  # fmt: skip
        if b is not None and b < a:
            a, b = b, a
        self.truth.append(
            {
                "scenario": scenario, "type": etype, "mmsi": a, "mmsi_b": b,
                "start": T0.timestamp() + start, "end": T0.timestamp() + end,
                "presets": list(presets), "required": required, "note": note,
            }
        )  # fmt: skip

    def loiter_truth(self, scenario: str, m: int, start: float, dur: float, speed: float) -> None:
        presets = tuple(p for p, lim in (("gfw", 2.0), ("sts", 1.0)) if speed < lim - 0.15)
        if dur >= 5 * 3600:
            self.add(
                scenario, "loitering", m, None, start, start + dur, presets, f"slow {speed:.1f} kn", True
            )
        elif dur >= 2 * 3600:  # near 4 h, hourly buckets may or may not add up: both outcomes are right
            self.add(scenario, "loitering", m, None, start, start + dur, presets, "borderline length", False)
        else:
            self.add(scenario, "loitering", m, None, start, start + dur, (), "too short to loiter")

    # ----------------------------------------------------------- scenarios

    def pair_drift(
        self,
        name: str,
        t: float,
        lat: float,
        lon: float,
        speed: float,
        sep: float,
        dur: float,
        expect: tuple[str, ...],
        note: str,
        every: tuple[float, float] = (60, 180),
    ) -> None:
        rng = self.rng
        course = float(rng.uniform(0, 360))
        lead = 3600.0
        b_lat, b_lon = _offset(
            lat, lon, sep * math.cos(math.radians(course + 90)), sep * math.sin(math.radians(course + 90))
        )
        ships = []
        for plat, plon in ((lat, lon), (b_lat, b_lon)):
            bearing = float(rng.uniform(0, 360))
            d = 10 * KNOT_MS * lead
            slat, slon = _offset(
                plat, plon, -d * math.cos(math.radians(bearing)), -d * math.sin(math.radians(bearing))
            )
            s = self.ship(t - lead, slat, slon, every=every)
            s.sail_to(plat, plon, 10.0)
            s.t = t  # arrival, exactly
            s.move(dur, speed, course)
            s.move(3 * 3600, 10.0, float(rng.uniform(0, 360)))
            ships.append(s)
        a, b = ships[0].mmsi, ships[1].mmsi
        self.add(name, "encounter", a, b, t, t + dur, expect, note)
        for s in ships:
            if every[0] > 600:  # sparse reports leave hourly buckets empty: loitering may or may not show
                self.add(name, "loitering", s.mmsi, None, t, t + dur, ("gfw", "sts"), "sparse reports", False)
            else:
                self.loiter_truth(name, s.mmsi, t, dur, speed)

    def scenario(self, name: str, lat: float, lon: float, t: float) -> None:
        rng = self.rng
        if name == "encounter_sts":
            dur, sep, sp = rng.uniform(3, 6) * 3600, rng.uniform(50, 300), rng.uniform(0.2, 0.8)
            self.pair_drift(name, t, lat, lon, sp, sep, dur, ("gfw", "sts"), f"{sep:.0f} m, {sp:.1f} kn")
        elif name == "encounter_sparse":
            dur, sep, sp = rng.uniform(4, 6) * 3600, rng.uniform(50, 300), rng.uniform(0.2, 0.8)
            note = f"{sep:.0f} m, {sp:.1f} kn, a fix every 40–70 min"
            self.pair_drift(name, t, lat, lon, sp, sep, dur, ("gfw", "sts"), note, every=(2400, 4200))
        elif name == "encounter_gfw":
            dur, sep, sp = rng.uniform(3, 6) * 3600, rng.uniform(50, 300), rng.uniform(1.2, 1.8)
            self.pair_drift(name, t, lat, lon, sp, sep, dur, ("gfw",), f"{sep:.0f} m, {sp:.1f} kn: gfw only")
        elif name == "near_far":
            dur, sep = rng.uniform(4, 6) * 3600, rng.uniform(700, 1200)
            self.pair_drift(name, t, lat, lon, 0.5, sep, dur, (), f"{sep:.0f} m apart: too far")
        elif name == "near_short":
            dur, sep = rng.uniform(60, 80) * 60, rng.uniform(50, 300)
            self.pair_drift(name, t, lat, lon, 0.5, sep, dur, (), f"{dur / 60:.0f} min: too short")
        elif name in ("gap", "short_gap"):
            hours = rng.uniform(13, 20) if name == "gap" else rng.uniform(6, 9)
            course = float(rng.uniform(0, 360))
            s = self.ship(t, lat, lon)
            s.move(3 * 3600, 10.0, course)
            dark = s.t
            s.move(hours * 3600, 8.0, course, report=False)
            s.move(3 * 3600, 10.0, course)
            expect = ("gfw", "sts") if name == "gap" else ()
            self.add(name, "gap", s.mmsi, None, dark, dark + hours * 3600, expect, f"{hours:.1f} h dark")
        elif name == "rendezvous":
            hours = rng.uniform(14, 18)
            ships = []
            starts = []
            for side in (-1.0, 1.0):
                d_dark = rng.uniform(500, 2000)
                glat, glon = _offset(lat, lon, 0.0, side * d_dark)
                s = self.ship(t - 4 * 3600, *_offset(glat, glon, 0.0, side * 10 * KNOT_MS * 4 * 3600))
                s.sail_to(glat, glon, 10.0)
                s.t = t
                shift = float(rng.uniform(-2, 2)) * 3600
                wait = max(0.0, shift + 2 * 3600)
                s.move(wait, 0.5, 0.0)  # waits, then switches off
                self.loiter_truth(name, s.mmsi, t, wait, 0.5)
                dark_at = s.t
                s.move(hours * 3600, 0.0, 0.0, report=False)
                ships.append(s)
                starts.append((dark_at, dark_at + hours * 3600))
            for s in ships:  # both reappear 1–4 km from where they went dark
                s.lat, s.lon = _offset(
                    s.lat, s.lon, float(rng.uniform(-1500, 1500)), float(rng.uniform(-1500, 1500))
                )
                s.move(3 * 3600, 10.0, float(rng.uniform(0, 360)))
            a, b = ships
            ov = (max(starts[0][0], starts[1][0]), min(starts[0][1], starts[1][1]))
            self.add(
                name, "dark_rendezvous", a.mmsi, b.mmsi, ov[0], ov[1], ("gfw", "sts"), f"{hours:.1f} h dark"
            )
            for s, (d0, d1) in zip(ships, starts, strict=True):
                self.add(name, "gap", s.mmsi, None, d0, d1, ("gfw", "sts"), "dark for the rendezvous")
        elif name == "spoof":
            hours = rng.uniform(10, 14)
            m = self.mmsi()
            far = rng.uniform(150_000, 400_000)
            bearing = float(rng.uniform(0, 360))
            a = self.ship(t, lat, lon, m)
            b = self.ship(
                t,
                *_offset(
                    lat, lon, far * math.cos(math.radians(bearing)), far * math.sin(math.radians(bearing))
                ),
                m,
            )
            a.move(hours * 3600, 10.0, float(rng.uniform(0, 360)))
            b.move(hours * 3600, 11.0, float(rng.uniform(0, 360)))
            self.add(
                name,
                "identity_overlap",
                m,
                m,
                t,
                t + hours * 3600,
                ("gfw", "sts"),
                f"{far / 1000:.0f} km apart",
            )
        elif name == "loiter":
            dur, sp = rng.uniform(6, 8) * 3600, rng.uniform(0.3, 0.8)
            s = self.ship(t - 2 * 3600, lat, lon)
            s.move(2 * 3600, 10.0, float(rng.uniform(0, 360)))
            s.move(dur, sp, float(rng.uniform(0, 360)))
            s.move(2 * 3600, 10.0, float(rng.uniform(0, 360)))
            self.loiter_truth(name, s.mmsi, t, dur, sp)
        else:
            known = ", ".join(SCENARIOS + HARD_SCENARIOS)
            raise InputError(f"unknown scenario {name!r}; known: {known}")


def _sites(rng: np.random.Generator, n: int) -> list[tuple[float, float]]:
    """``n`` points in the open-sea boxes on an 80 km lattice, in random order."""
    cells: list[tuple[float, float]] = []
    step = 80_000 / _M_PER_DEG
    for lat0, lat1, lon0, lon1 in _BOXES:
        lat = lat0
        while lat <= lat1:
            lon = lon0
            while lon <= lon1:
                cells.append((lat, lon))
                lon += step / math.cos(math.radians(lat))
            lat += step
    if n > len(cells):
        raise InputError(f"at most {len(cells)} scenarios fit; asked for {n}")
    pick = rng.choice(len(cells), size=n, replace=False)
    return [cells[i] for i in pick.tolist()]


def simulate(
    background: pl.DataFrame | None = None,
    *,
    seed: int = 7,
    n_each: int = 3,
    scenarios: tuple[str, ...] = SCENARIOS,
    dropout: float = 0.03,
    glitches: float = 0.2,
) -> Simulation:
    """Plant ``n_each`` of every scenario (seeded) into ``background`` positions (store schema).

    Each planted fix is lost with probability ``dropout``; each planted ship, with probability
    ``glitches``, has one fix thrown 30–100 km off (a GPS glitch).
    """
    rng = np.random.default_rng(seed)
    bg = (
        background.select([pl.col(c).cast(t) if c in background.columns else pl.lit(None, dtype=t).alias(c)
                           for c, t in POSITION_COLUMNS.items()])
        if background is not None
        else pl.DataFrame(schema=POSITION_COLUMNS)
    )  # fmt: skip
    builder = _Builder(rng, set(bg["mmsi"].unique().to_list()))
    plan = [name for name in scenarios for _ in range(n_each)]
    for name, (lat, lon) in zip(plan, _sites(rng, len(plan)), strict=True):
        builder.scenario(name, lat, lon, float(rng.uniform(2, 24)) * 3600)
    rows = []
    for ship in builder.ships:
        fixes = [f for f in ship.fixes if rng.random() >= dropout]
        if fixes and rng.random() < glitches:  # one position jumps 30–100 km away (a GPS glitch)
            k = int(rng.integers(len(fixes)))
            far, bearing = rng.uniform(30_000, 100_000), rng.uniform(0, 2 * math.pi)
            m, t, lat, lon, sog, cog = fixes[k]
            fixes[k] = (m, t, *_offset(lat, lon, far * math.cos(bearing), far * math.sin(bearing)), sog, cog)
        rows.extend(fixes)
    inj = pl.DataFrame(
        {
            "mmsi": [r[0] for r in rows],
            "ts": [int((T0.timestamp() + r[1]) * 1e6) for r in rows],
            "lat": [r[2] for r in rows],
            "lon": [r[3] for r in rows],
            "sog": [r[4] for r in rows],
            "cog": [r[5] for r in rows],
        }
    ).with_columns(
        pl.from_epoch("ts", time_unit="us").dt.replace_time_zone("UTC"),
        pl.col("sog").round(1),
        pl.col("cog").round(1),
    )
    inj = inj.select([pl.col(c).cast(t) if c in inj.columns else pl.lit(None, dtype=t).alias(c)
                      for c, t in POSITION_COLUMNS.items()])  # fmt: skip
    truth = pl.DataFrame(builder.truth).with_columns(
        pl.from_epoch((pl.col("start") * 1e6).cast(pl.Int64), time_unit="us").dt.replace_time_zone("UTC"),
        pl.from_epoch((pl.col("end") * 1e6).cast(pl.Int64), time_unit="us").dt.replace_time_zone("UTC"),
    )
    truth = truth.select([pl.col(c).cast(t) for c, t in TRUTH_SCHEMA.items()])
    positions = pl.concat([bg, inj]).sort("mmsi", "ts")
    injected = sorted({s.mmsi for s in builder.ships})
    return Simulation(positions=positions, truth=truth, injected_mmsis=injected, background_rows=bg.height)
