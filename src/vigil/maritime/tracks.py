"""Track preparation and segmentation: one MMSI's fixes split where the motion is implausible.

Rules (exact; :mod:`vigil.maritime.events` states them all again in one place):

1. **Cleaning.** Rows with a null ``mmsi``, ``ts``, ``lat`` or ``lon``, a non-finite coordinate,
   ``|lat| > 90`` or ``|lon| > 180`` are dropped. ``sog`` outside ``[0, 102.3)`` knots becomes null
   (102.3 = "not available"). Exact duplicates of ``(mmsi, ts, lat, lon)`` keep one row. Rows are sorted by
   ``(mmsi, ts, lat, lon)``; times are whole microseconds since the Unix epoch (UTC).
2. **Plausible step.** A step from fix *p* to a later-or-equal fix *q* is plausible when
   ``haversine(p, q) <= max_speed_kn × 1852/3600 × (t_q − t_p in s) + jump_slack_m``
   (defaults 50 knots and 1,000 m: GFW splits at ≈ 30 knots; the slack absorbs position noise).
3. **Segments.** An MMSI whose consecutive steps are all plausible is one segment, ``track = 0``.
   Otherwise its fixes are assigned in time order: a fix joins, among the open segments whose last fix
   it can be reached from plausibly, the one with the most fixes so far (ties: the most recent last fix,
   then the nearer, then the lower number); if none, it opens a new segment numbered 0, 1, 2 … in order
   of creation. A fix of a segment with fewer than ``min_segment_fixes`` fixes (default 3) whose MMSI has
   a segment of at least that many is an **outlier** (a GPS glitch); ``outlier`` marks it.
4. **Overlapping segments** (possible spoofing or two ships sharing one MMSI): two segments of one MMSI,
   each of at least ``min_segment_fixes`` fixes (default 3), whose time spans ``[first, last]`` overlap
   (``max(first) < min(last)``). Smaller segments are isolated outliers and are not reported. Of an MMSI
   with more such segments, only the 20 with the most fixes (ties: lower number) are paired.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from vigil.errors import InputError
from vigil.maritime.geo import EARTH_RADIUS_M, KNOT_MS, haversine_m
from vigil.maritime.presets import Preset

__all__ = ["MAX_SEGMENTS", "REQUIRED_COLUMNS", "clean_positions", "segment_tracks"]

REQUIRED_COLUMNS = ("mmsi", "ts", "lat", "lon")
MAX_SEGMENTS = 20
"""Per MMSI, only the largest segments are paired (rule 4), so a default MMSI cannot explode the output."""


def clean_positions(positions: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    """The cleaned, sorted positions (rule 1) with columns ``mmsi, ts, t_us, lat, lon, sog``.

    ``positions`` follows the AIS store schema (extra columns are ignored; ``sog`` may be absent).
    Raises :class:`InputError` when a required column is missing.
    """
    lf = positions.lazy()
    names = lf.collect_schema().names()
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise InputError(f"positions: missing column(s) {', '.join(missing)}")
    sog = pl.col("sog").cast(pl.Float64) if "sog" in names else pl.lit(None, dtype=pl.Float64)
    lf = lf.select(
        pl.col("mmsi").cast(pl.Int64),
        pl.col("ts").cast(pl.Datetime("us", "UTC")),
        pl.col("lat").cast(pl.Float64),
        pl.col("lon").cast(pl.Float64),
        sog.alias("sog"),
    )
    lf = lf.filter(
        pl.col("mmsi").is_not_null()
        & pl.col("ts").is_not_null()
        & pl.col("lat").is_finite()
        & pl.col("lon").is_finite()
        & (pl.col("lat").abs() <= 90.0)
        & (pl.col("lon").abs() <= 180.0)
    ).with_columns(
        pl.when((pl.col("sog") >= 0.0) & (pl.col("sog") < 102.3)).then(pl.col("sog")).alias("sog"),
        pl.col("ts").dt.epoch("us").alias("t_us"),
    )
    df = lf.sort(["mmsi", "t_us", "lat", "lon"]).collect()
    if df.height:
        same = (
            (df["mmsi"] == df["mmsi"].shift(1))
            & (df["t_us"] == df["t_us"].shift(1))
            & (df["lat"] == df["lat"].shift(1))
            & (df["lon"] == df["lon"].shift(1))
        ).fill_null(False)
        if same.any():
            df = df.filter(~same)
    return df.select("mmsi", "ts", "t_us", "lat", "lon", "sog")


def _plausible(dist_m: np.ndarray, dt_s: np.ndarray, preset: Preset) -> np.ndarray:
    return np.asarray(dist_m <= preset.max_speed_kn * KNOT_MS * dt_s + preset.jump_slack_m)


def _assign(t: np.ndarray, lat: np.ndarray, lon: np.ndarray, preset: Preset) -> np.ndarray:
    """Rule 3 for one MMSI with at least one implausible step (a plain loop: such MMSIs are rare)."""
    seg = np.empty(len(t), dtype=np.int32)
    last_t: list[float] = []
    last_lat: list[float] = []
    last_lon: list[float] = []
    count: list[int] = []
    speed = preset.max_speed_kn * KNOT_MS
    for i in range(len(t)):
        best = -1
        if last_t:
            lt = np.asarray(last_t)
            d = haversine_m(np.asarray(last_lat), np.asarray(last_lon), lat[i], lon[i])
            ok = d <= speed * (t[i] - lt) + preset.jump_slack_m
            if ok.any():
                cand = np.flatnonzero(ok)
                # most fixes, then most recent last fix, then nearer, then lower number
                order = np.lexsort((cand, d[cand], -lt[cand], -np.asarray(count)[cand]))
                best = int(cand[order[0]])
        if best < 0:
            best = len(last_t)
            last_t.append(0.0)
            last_lat.append(0.0)
            last_lon.append(0.0)
            count.append(0)
        last_t[best], last_lat[best], last_lon[best] = float(t[i]), float(lat[i]), float(lon[i])
        count[best] += 1
        seg[i] = best
    return seg


def segment_tracks(clean: pl.DataFrame, preset: Preset) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Add the ``track`` and ``outlier`` columns (rules 2–3) and return ``(positions, overlaps)``.

    ``overlaps`` has one row per overlapping segment pair (rule 4): ``mmsi, track, track_b, start, end,
    n_a, n_b, first_a, last_a, first_b, last_b, median_distance_m`` with times in µs.
    """
    n = clean.height
    mmsi = clean["mmsi"].to_numpy()
    t_s = clean["t_us"].to_numpy() / 1e6
    lat = clean["lat"].to_numpy()
    lon = clean["lon"].to_numpy()
    track = np.zeros(n, dtype=np.int32)
    if n > 1:
        same = mmsi[1:] == mmsi[:-1]
        dt = t_s[1:] - t_s[:-1]
        # Cheap bound first: the great-circle distance is at most R·(|Δlat| + |Δlon|) (along a meridian,
        # then a parallel); only steps that bound cannot clear get the exact haversine.
        dlon = np.abs(np.mod(lon[1:] - lon[:-1] + 540.0, 360.0) - 180.0)
        bound = EARTH_RADIUS_M * np.radians(np.abs(lat[1:] - lat[:-1]) + dlon)
        check = np.flatnonzero(same & ~_plausible(bound, dt, preset))
        bad = np.zeros(n - 1, dtype=np.bool_)
        d = haversine_m(lat[check], lon[check], lat[check + 1], lon[check + 1])
        bad[check] = ~_plausible(d, dt[check], preset)
        if bad.any():
            starts = np.flatnonzero(np.r_[True, ~same])
            ends = np.r_[starts[1:], n]
            bad_mmsi = np.unique(mmsi[1:][bad])
            first = starts[np.searchsorted(mmsi[starts], bad_mmsi)]
            for s in first.tolist():
                e = int(ends[np.searchsorted(starts, s)])
                track[s:e] = _assign(t_s[s:e], lat[s:e], lon[s:e], preset)
    out = clean.with_columns(pl.Series("track", track, dtype=pl.Int32))
    if int(track.max(initial=0)) > 0:
        size = pl.len().over("mmsi", "track")
        out = out.with_columns(
            ((size < preset.min_segment_fixes) & (size.max().over("mmsi") >= preset.min_segment_fixes)).alias(
                "outlier"
            )
        )
    else:
        out = out.with_columns(pl.lit(False).alias("outlier"))
    return out, _overlaps(out, preset)


def _overlaps(pos: pl.DataFrame, preset: Preset) -> pl.DataFrame:
    multi = pos.filter(pl.col("track").max().over("mmsi") > 0)
    schema = {
        "mmsi": pl.Int64, "track": pl.Int32, "track_b": pl.Int32, "start_us": pl.Int64, "end_us": pl.Int64,
        "n_a": pl.UInt32, "n_b": pl.UInt32, "first_a": pl.Int64, "last_a": pl.Int64, "first_b": pl.Int64,
        "last_b": pl.Int64, "median_distance_m": pl.Float64, "lat_a": pl.Float64, "lon_a": pl.Float64,
        "lat_b": pl.Float64, "lon_b": pl.Float64, "n_segments": pl.UInt32,
    }  # fmt: skip
    if multi.height == 0:
        return pl.DataFrame(schema=schema)
    segs = (
        multi.group_by("mmsi", "track")
        .agg(
            pl.len().alias("n"),
            pl.col("t_us").min().alias("first"),
            pl.col("t_us").max().alias("last"),
            pl.col("lat").median().alias("lat"),
            pl.col("lon").median().alias("lon"),
        )
        .with_columns(pl.len().over("mmsi").cast(pl.UInt32).alias("n_segments"))
        .filter(pl.col("n") >= preset.min_segment_fixes)
    )
    # A default or shared MMSI may split into many segments: only its MAX_SEGMENTS largest are paired.
    segs = segs.sort(["mmsi", "n", "track"], descending=[False, True, False]).filter(
        pl.int_range(pl.len()).over("mmsi") < MAX_SEGMENTS
    )
    pairs = (
        segs.join(segs, on="mmsi", suffix="_b")
        .filter(pl.col("track") < pl.col("track_b"))
        .filter(pl.max_horizontal("first", "first_b") < pl.min_horizontal("last", "last_b"))
        .with_columns(
            pl.max_horizontal("first", "first_b").alias("start_us"),
            pl.min_horizontal("last", "last_b").alias("end_us"),
        )
    )
    if pairs.height == 0:
        return pl.DataFrame(schema=schema)
    # Distance between the two segments at matching times: each fix of segment a inside the overlap against
    # the latest fix of segment b at or before it; the median of those distances.
    a = (
        pairs.select("mmsi", "track", "track_b", "start_us", "end_us")
        .join(multi.select("mmsi", "track", "t_us", "lat", "lon"), on=["mmsi", "track"])
        .filter(pl.col("t_us").is_between(pl.col("start_us"), pl.col("end_us")))
        .sort("t_us")
    )
    b = multi.select(
        "mmsi",
        pl.col("track").alias("track_b"),
        "t_us",
        pl.col("lat").alias("lat_b"),
        pl.col("lon").alias("lon_b"),
    ).sort("t_us")
    m = a.join_asof(
        b, on="t_us", by=["mmsi", "track_b"], strategy="backward", check_sortedness=False
    ).drop_nulls("lat_b")
    m = m.with_columns(
        pl.Series(
            "d",
            haversine_m(
                m["lat"].to_numpy(), m["lon"].to_numpy(), m["lat_b"].to_numpy(), m["lon_b"].to_numpy()
            ),
        )
    )
    med = m.group_by("mmsi", "track", "track_b").agg(pl.col("d").median().alias("median_distance_m"))
    out = pairs.join(med, on=["mmsi", "track", "track_b"], how="left").select(
        "mmsi", "track", "track_b", "start_us", "end_us",
        pl.col("n").alias("n_a"), "n_b", pl.col("first").alias("first_a"), pl.col("last").alias("last_a"),
        "first_b", "last_b", "median_distance_m", pl.col("lat").alias("lat_a"), pl.col("lon").alias("lon_a"),
        "lat_b", "lon_b", "n_segments",
    )  # fmt: skip
    return out.select([pl.col(c).cast(t) for c, t in schema.items()]).sort("mmsi", "track", "track_b")
