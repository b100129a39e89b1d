"""AIS event detectors: encounters, loitering, dark gaps, dark rendezvous, identity overlaps, port calls and
area entries — vectorized over a polars frame of positions, deterministic row for row.

Input: positions in the AIS store schema of :mod:`vigil.maritime.store` (``mmsi, ts, lat, lon, sog``
are used), as a polars DataFrame or LazyFrame. Output: one frame of :data:`EVENT_SCHEMA`, sorted by
``(type, start, mmsi, track, mmsi_b, track_b, area, event_id)`` with nulls first. All thresholds come from a
:class:`~vigil.maritime.presets.Preset` (``gfw`` or ``sts``). The rules below are the specification; a
reimplementation (e.g. on Spark) that follows them gets the same events.

Conventions
-----------
- Times are integer microseconds since the Unix epoch (UTC), ``t``; seconds are ``t / 1e6``.
- ``d(p, q)`` is the haversine distance in metres on a sphere of radius 6,371,008.8 m
  (:mod:`vigil.maritime.geo`); a knot is 1852/3600 m/s.
- "Port distance" is ``d`` to the nearest entry of the ports list (point, not radius); with no list it
  is +∞ and every port rule passes.
- A median of an even count is the mean of the two middle values (Spark: ``percentile(x, 0.5)``).

0. Cleaning and segmentation — :mod:`vigil.maritime.tracks` rules 1–4: cleaned fixes sorted by
   ``(mmsi, t, lat, lon)``, each with a segment number ``track`` and an ``outlier`` flag; a *track* is
   ``(mmsi, track)``.

1. Encounters (``encounter``)
   a. Marks. Marks are the instants ``k × resample_s`` (default 600 s; ``k`` an integer). For each pair of
      consecutive fixes ``p, q`` of one track (sorted by ``t``) with ``0 < t_q − t_p ≤ max_interp_gap_s``
      (default 3,600 s), every ``k`` with ``t_p ≤ k × resample_s × 1e6 < t_q`` gives a mark of that track,
      linearly interpolated with ``f = (k × resample_s × 1e6 − t_p) / (t_q − t_p)``:
      ``lat = lat_p + f (lat_q − lat_p)``; ``lon = wrap(lon_p + f × Δ)`` with
      ``Δ = ((lon_q − lon_p + 540) mod 360) − 180`` and ``wrap(x) = ((x + 180) mod 360) − 180``
      (mod the non-negative remainder); speed = ``sog_p + f (sog_q − sog_p)`` if both are known, else the
      known one, else the implied speed ``d(p, q) / (t_q − t_p) s`` in knots. No mark is made across a
      longer silence, across segments, or at the very last fix of a track.
   b. Marks with port distance ``< encounter_min_port_distance_m`` (10 km) are dropped.
   c. Close pairs: two marks of the same ``k`` and of different MMSIs with ``d ≤ encounter_distance_m``
      (500 m). The pair is oriented so that ``mmsi < mmsi_b`` (vessel *a* is the lower MMSI).
   d. Runs: for one pair of tracks, a maximal sequence of close pairs at consecutive ``k``. A run is kept
      when ``(k_last − k_first) × resample_s ≥ encounter_min_duration_s`` (2 h: at least 13 marks) and the
      median speed of *a* over the run's marks and the median speed of *b* are both
      ``< encounter_max_median_speed_kn`` (gfw 2 knots, sts 1 knot).
   e. Merging: kept runs of one pair of tracks, in order of ``k_first``, join one event while
      ``(k_first − previous k_last) × resample_s < encounter_merge_gap_s`` (4 h).
   f. The event: ``start = k_first × resample_s``, ``end = k_last × resample_s`` of its first and last run;
      ``lat, lon`` = vessel *a*'s mark at ``start``; ``distance_m`` = median of the close-pair distances
      of its runs; evidence: runs, marks, min/median distance, median speeds of *a* and *b* over its
      marks, both positions at start and end.

2. Loitering (``loitering``) — per track: buckets ``h = floor(t / (loiter_bucket_s × 1e6))`` (1 h) with
   the mean ``lat``, mean ``lon`` and mean of the known ``sog`` of the bucket's fixes. A bucket is slow when
   that mean speed is known and ``< loiter_max_speed_kn`` (gfw 2, sts 1) and its mean position has port
   distance ``≥ loiter_min_port_distance_m`` (20 nm). A run of slow buckets at consecutive ``h`` is an
   event when ``(h_last − h_first + 1) × loiter_bucket_s ≥ loiter_min_duration_s`` (4 h);
   ``start = h_first × bucket``, ``end = (h_last + 1) × bucket``; ``lat, lon`` = first bucket's mean;
   ``distance_m`` = ``d`` between the first and last bucket means (how far it drifted).

3. Dark gaps (``gap``) — per MMSI (all its segments together, since the identity fell silent; outlier
   fixes of rule 0 left out, so a glitch cannot move where it went dark): two consecutive fixes with
   ``t_q − t_p ≥ gap_min_s × 1e6`` (12 h) and port distance of ``p`` ``≥ gap_min_port_distance_m``
   (default 0, i.e. all). ``start = t_p``, ``end = t_q``, ``lat, lon`` = ``p`` (where it went dark);
   ``distance_m = d(p, q)``; evidence: where it reappeared, implied speed ``d / (t_q − t_p)`` in knots,
   port distances at both ends, the tracks of ``p`` and ``q``.

4. Dark rendezvous (``dark_rendezvous``) — two gaps (rule 3 without its port filter) of different MMSIs
   with ``d(p_a, p_b) ≤ rendezvous_max_distance_m`` (20 km; where they went dark),
   ``d(q_a, q_b) ≤ rendezvous_max_distance_m`` (where they reappeared), an overlap
   ``min(end) − max(start) ≥ rendezvous_min_overlap_s`` (6 h), and both ``p`` at port distance
   ``≥ rendezvous_min_port_distance_m`` (10 km). A gap (identified by ``mmsi, start``) that passes these
   tests with more than ``rendezvous_max_partners`` (3) other gaps is in a crowd — a harbour or an anchorage
   the ports list lacks — and none of its pairs is reported. Oriented ``mmsi < mmsi_b``; ``start, end`` = the
   overlap; ``lat, lon`` = ``p_a``; ``distance_m = d(p_a, p_b)``.

5. Identity overlaps (``identity_overlap``) — :mod:`vigil.maritime.tracks` rule 4; ``mmsi_b = mmsi``;
   ``track < track_b`` are the two segments, ``start, end`` the overlap of their time spans, ``lat, lon`` the
   median position of segment ``track``, ``distance_m`` the median over the fixes of ``track`` inside the
   overlap of ``d`` to the latest earlier-or-equal fix of ``track_b``.

6. Port calls (``port_call``) and area entries (``area_entry``) — per track, in time order, outlier fixes
   left out.
   Ports list: a fix is at the port nearest to it when within that port's ``radius_m``. Areas (GeoJSON):
   a fix is inside a polygon by the even-odd rule (holes excluded). A visit is a maximal run of
   consecutive fixes at the same port / inside the same area; ``start``/``end`` = first/last fix of the
   run. Port calls (ports list, or areas of ``kind`` port/anchorage) need ``end − start ≥
   port_call_min_duration_s`` (1 h); area entries have no minimum. ``area`` = the port or area name,
   ``lat, lon`` = first fix in it, ``distance_m`` = min distance to the port point (port list only).

The ``evidence`` column is JSON with values rounded for reading (distances to 0.1 m, positions to
1e-5°, speeds to 0.01 knot); compare the other columns when checking a reimplementation.

Event ids: ``"{type}:{mmsi}:{track}:{mmsi_b}:{track_b}:{floor(start / 1e6)}"`` (null parts empty) and,
for port calls and area entries, ``":{area}"`` appended; ``track`` numbers come from the segmentation.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

from vigil.errors import StoreError
from vigil.maritime.geo import KNOT_MS, Area, grid_pairs, haversine_m, points_in_area
from vigil.maritime.ports import PortIndex
from vigil.maritime.presets import Preset
from vigil.maritime.tracks import clean_positions, segment_tracks

__all__ = [
    "EVENT_SCHEMA",
    "EVENT_TYPES",
    "detect_all",
    "detect_encounters",
    "detect_gaps",
    "detect_loitering",
    "detect_rendezvous",
    "detect_visits",
    "prepare",
    "read_events",
    "write_events",
]

EVENT_TYPES = (
    "encounter",
    "loitering",
    "gap",
    "dark_rendezvous",
    "identity_overlap",
    "port_call",
    "area_entry",
)

EVENT_SCHEMA: dict[str, pl.DataType] = {
    "event_id": pl.String(),
    "type": pl.String(),
    "preset": pl.String(),
    "mmsi": pl.Int64(),
    "track": pl.Int32(),
    "mmsi_b": pl.Int64(),
    "track_b": pl.Int32(),
    "start": pl.Datetime("us", "UTC"),
    "end": pl.Datetime("us", "UTC"),
    "duration_s": pl.Float64(),
    "lat": pl.Float64(),
    "lon": pl.Float64(),
    "distance_m": pl.Float64(),
    "area": pl.String(),
    "evidence": pl.String(),
}
_SORT = ["type", "start", "mmsi", "track", "mmsi_b", "track_b", "area", "event_id"]
_CHUNK_MARKS = 3_000_000


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=EVENT_SCHEMA)


def _finish(df: pl.DataFrame, etype: str, preset: Preset, evidence: Sequence[str]) -> pl.DataFrame:
    """Fill the common columns: type, preset, ids, times, evidence JSON; cast to the schema; sort."""
    if df.height == 0:
        return _empty()
    cols = df.columns
    for name in ("mmsi_b", "track_b", "area", "distance_m"):
        if name not in cols:
            df = df.with_columns(pl.lit(None, dtype=EVENT_SCHEMA[name]).alias(name))
    ev = [c for c in evidence if c in df.columns]
    df = df.with_columns(
        pl.lit(etype).alias("type"),
        pl.lit(preset.name).alias("preset"),
        ((pl.col("end_us") - pl.col("start_us")) / 1e6).alias("duration_s"),
        pl.from_epoch(pl.col("start_us"), time_unit="us").dt.replace_time_zone("UTC").alias("start"),
        pl.from_epoch(pl.col("end_us"), time_unit="us").dt.replace_time_zone("UTC").alias("end"),
        pl.struct(ev).struct.json_encode().alias("evidence") if ev else pl.lit("{}").alias("evidence"),
    )
    parts = [
        pl.lit(etype),
        pl.col("mmsi").cast(pl.String),
        pl.col("track").cast(pl.String),
        pl.col("mmsi_b").cast(pl.String).fill_null(""),
        pl.col("track_b").cast(pl.String).fill_null(""),
        (pl.col("start_us") // 1_000_000).cast(pl.String),
    ]
    if etype in ("port_call", "area_entry"):
        parts.append(pl.col("area").fill_null(""))
    df = df.with_columns(pl.concat_str(parts, separator=":").alias("event_id"))
    return df.select([pl.col(c).cast(t) for c, t in EVENT_SCHEMA.items()]).sort(_SORT, nulls_last=False)


def prepare(positions: pl.LazyFrame | pl.DataFrame, preset: Preset) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cleaned and segmented positions (rule 0) and the identity-overlap pairs."""
    return segment_tracks(clean_positions(positions), preset)


def _by_track(pos: pl.DataFrame) -> pl.DataFrame:
    if pos.height and bool((pos["track"] > 0).any()):
        return pos.sort(["mmsi", "track", "t_us"], maintain_order=True)
    return pos


# ---------------------------------------------------------------- encounters


def _marks(pos: pl.DataFrame, preset: Preset) -> dict[str, np.ndarray]:
    pos = _by_track(pos)
    mmsi = pos["mmsi"].to_numpy()
    track = pos["track"].to_numpy()
    t = pos["t_us"].to_numpy()
    lat = pos["lat"].to_numpy()
    lon = pos["lon"].to_numpy()
    sog = pos["sog"].to_numpy(allow_copy=True).astype(np.float64)  # nulls -> nan
    step = int(preset.resample_s) * 1_000_000
    if len(t) < 2:
        return {k: np.empty(0) for k in ("mmsi", "track", "tid", "k", "lat", "lon", "speed")}
    dt = t[1:] - t[:-1]
    ok = (
        (mmsi[1:] == mmsi[:-1]) & (track[1:] == track[:-1]) & (dt > 0) & (dt <= preset.max_interp_gap_s * 1e6)
    )
    p = np.flatnonzero(ok)
    k_lo = -((-t[p]) // step)  # ceil
    k_hi = -((-t[p + 1]) // step)
    cnt = k_hi - k_lo
    has = cnt > 0
    p, k_lo, cnt = p[has], k_lo[has], cnt[has]
    rep = np.repeat(np.arange(len(p)), cnt)
    first = np.cumsum(cnt) - cnt
    k = k_lo[rep] + (np.arange(len(rep)) - first[rep])
    a = p[rep]
    b = a + 1
    f = (k * step - t[a]) / (t[b] - t[a])
    mlat = lat[a] + f * (lat[b] - lat[a])
    dlon = np.mod(lon[b] - lon[a] + 540.0, 360.0) - 180.0
    mlon = np.mod(lon[a] + f * dlon + 180.0, 360.0) - 180.0
    sa, sb = sog[a], sog[b]
    implied = haversine_m(lat[a], lon[a], lat[b], lon[b]) / ((t[b] - t[a]) / 1e6) / KNOT_MS
    speed = np.where(
        np.isnan(sa),
        np.where(np.isnan(sb), implied, sb),
        np.where(np.isnan(sb), sa, sa + f * (sb - sa)),
    )
    # Dense track number in (mmsi, track) order.
    tid = np.cumsum(np.r_[True, (mmsi[1:] != mmsi[:-1]) | (track[1:] != track[:-1])]) - 1
    return {
        "mmsi": mmsi[a],
        "track": track[a],
        "tid": tid[a],
        "k": k,
        "lat": mlat,
        "lon": mlon,
        "speed": speed,
    }


def _close_pairs(m: dict[str, np.ndarray], preset: Preset) -> pl.DataFrame:
    k = m["k"]
    order = np.argsort(k, kind="stable")
    ks = k[order]
    frames: list[pl.DataFrame] = []
    start = 0
    n = len(ks)
    while start < n:
        stop = min(n, start + _CHUNK_MARKS)
        if stop < n:  # never split one mark instant across chunks
            stop = int(np.searchsorted(ks, ks[stop], side="left"))
            if stop <= start:
                stop = int(np.searchsorted(ks, ks[start], side="right"))
        idx = order[start:stop]
        i, j = grid_pairs(ks[start:stop], m["lat"][idx], m["lon"][idx], preset.encounter_distance_m)
        i, j = idx[i], idx[j]
        diff = m["mmsi"][i] != m["mmsi"][j]
        i, j = i[diff], j[diff]
        d = haversine_m(m["lat"][i], m["lon"][i], m["lat"][j], m["lon"][j])
        close = d <= preset.encounter_distance_m
        i, j, d = i[close], j[close], d[close]
        swap = m["mmsi"][i] > m["mmsi"][j]
        a = np.where(swap, j, i)
        b = np.where(swap, i, j)
        frames.append(pl.DataFrame({"a": a, "b": b, "d": d}))
        start = stop
    return (
        pl.concat(frames) if frames else pl.DataFrame(schema={"a": pl.Int64, "b": pl.Int64, "d": pl.Float64})
    )


def detect_encounters(pos: pl.DataFrame, preset: Preset, ports: PortIndex | None = None) -> pl.DataFrame:
    """Rule 1 on prepared positions (see :func:`prepare`)."""
    m = _marks(pos, preset)
    if len(m["k"]) and ports is not None and len(ports):
        keep = ports.distance(m["lat"], m["lon"]) >= preset.encounter_min_port_distance_m
        m = {key: v[keep] for key, v in m.items()}
    if len(m["k"]) < 2:
        return _empty()
    pairs = _close_pairs(m, preset)
    if pairs.height == 0:
        return _empty()
    a, b, d = pairs["a"].to_numpy(), pairs["b"].to_numpy(), pairs["d"].to_numpy()
    # Runs shorter than the minimum duration cannot qualify: drop them before the costly part (numpy).
    pk = m["tid"][a] * (int(m["tid"].max()) + 1) + m["tid"][b]
    kk = m["k"][a]
    order = np.lexsort((kk, pk))
    a, b, d, pk, kk = a[order], b[order], d[order], pk[order], kk[order]
    run = np.cumsum(np.r_[True, (pk[1:] != pk[:-1]) | (kk[1:] != kk[:-1] + 1)]) - 1
    need = -(-preset.encounter_min_duration_s // preset.resample_s) + 1
    long = np.bincount(run)[run] >= need
    a, b, d = a[long], b[long], d[long]
    if len(a) == 0:
        return _empty()
    close = pl.DataFrame(
        {
            "mmsi": m["mmsi"][a], "track": m["track"][a], "mmsi_b": m["mmsi"][b], "track_b": m["track"][b],
            "k": m["k"][a], "d": d,
            "lat_a": m["lat"][a], "lon_a": m["lon"][a], "lat_b": m["lat"][b], "lon_b": m["lon"][b],
            "speed_a": m["speed"][a], "speed_b": m["speed"][b],
        }
    ).sort(["mmsi", "track", "mmsi_b", "track_b", "k"])  # fmt: skip
    key = ["mmsi", "track", "mmsi_b", "track_b"]
    new_pair = pl.any_horizontal([pl.col(c) != pl.col(c).shift(1) for c in key]).fill_null(True)
    close = close.with_columns(
        (new_pair | (pl.col("k") != pl.col("k").shift(1) + 1).fill_null(True)).cum_sum().alias("run")
    )
    step = preset.resample_s
    runs = (
        close.group_by("run", maintain_order=True)
        .agg(
            *[pl.col(c).first() for c in key],
            pl.col("k").first().alias("k_first"),
            pl.col("k").last().alias("k_last"),
            pl.col("speed_a").median().alias("med_a"),
            pl.col("speed_b").median().alias("med_b"),
        )
        .filter(
            ((pl.col("k_last") - pl.col("k_first")) * step >= preset.encounter_min_duration_s)
            & (pl.col("med_a") < preset.encounter_max_median_speed_kn)
            & (pl.col("med_b") < preset.encounter_max_median_speed_kn)
        )
        .sort([*key, "k_first"])
    )
    if runs.height == 0:
        return _empty()
    new_event = pl.any_horizontal([pl.col(c) != pl.col(c).shift(1) for c in key]).fill_null(True)
    runs = runs.with_columns(
        (
            new_event
            | (
                (pl.col("k_first") - pl.col("k_last").shift(1)) * step >= preset.encounter_merge_gap_s
            ).fill_null(True)
        )
        .cum_sum()
        .alias("event")
    )
    marks = close.join(runs.select("run", "event"), on="run", how="inner").sort([*key, "k"])
    ev = marks.group_by("event", maintain_order=True).agg(
        *[pl.col(c).first() for c in key],
        (pl.col("k").first() * step * 1_000_000).alias("start_us"),
        (pl.col("k").last() * step * 1_000_000).alias("end_us"),
        pl.col("lat_a").first().alias("lat"),
        pl.col("lon_a").first().alias("lon"),
        pl.col("d").median().alias("distance_m"),
        pl.col("run").n_unique().alias("runs"),
        pl.len().alias("close_marks"),
        pl.col("d").min().round(1).alias("min_distance_m"),
        pl.col("d").median().round(1).alias("median_distance_m"),
        pl.col("speed_a").median().round(2).alias("median_speed_kn_a"),
        pl.col("speed_b").median().round(2).alias("median_speed_kn_b"),
        pl.concat_list(pl.col("lat_a").first().round(5), pl.col("lon_a").first().round(5)).alias("start_a"),
        pl.concat_list(pl.col("lat_b").first().round(5), pl.col("lon_b").first().round(5)).alias("start_b"),
        pl.concat_list(pl.col("lat_a").last().round(5), pl.col("lon_a").last().round(5)).alias("end_a"),
        pl.concat_list(pl.col("lat_b").last().round(5), pl.col("lon_b").last().round(5)).alias("end_b"),
    )
    return _finish(
        ev,
        "encounter",
        preset,
        [
            "runs", "close_marks", "min_distance_m", "median_distance_m", "median_speed_kn_a",
            "median_speed_kn_b", "start_a", "start_b", "end_a", "end_b",
        ],
    )  # fmt: skip


# ---------------------------------------------------------------- loitering


def _group_means(values: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the non-NaN values of each group (groups start at ``starts``), and their count.

    Sums run in row order (numpy ``reduceat``), so the result does not depend on threads.
    """
    known = ~np.isnan(values)
    total = np.add.reduceat(np.where(known, values, 0.0), starts)
    count = np.add.reduceat(known.astype(np.int64), starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan), count


def detect_loitering(pos: pl.DataFrame, preset: Preset, ports: PortIndex | None = None) -> pl.DataFrame:
    """Rule 2 on prepared positions."""
    if pos.height == 0:
        return _empty()
    pos = _by_track(pos)
    bucket = preset.loiter_bucket_s * 1_000_000
    mmsi, track = pos["mmsi"].to_numpy(), pos["track"].to_numpy()
    h = pos["t_us"].to_numpy() // bucket
    brk = np.r_[True, (mmsi[1:] != mmsi[:-1]) | (track[1:] != track[:-1]) | (h[1:] != h[:-1])]
    st = np.flatnonzero(brk)
    lat, _ = _group_means(pos["lat"].to_numpy(), st)
    lon, _ = _group_means(pos["lon"].to_numpy(), st)
    speed, _ = _group_means(pos["sog"].to_numpy(allow_copy=True).astype(np.float64), st)
    fixes = np.diff(np.r_[st, pos.height])
    bm, bt, bh = mmsi[st], track[st], h[st]
    with np.errstate(invalid="ignore"):
        slow = speed < preset.loiter_max_speed_kn  # NaN (no known speed) is not slow
    if ports is not None and len(ports):
        slow &= ports.distance(lat, lon) >= preset.loiter_min_port_distance_m
    sel = np.flatnonzero(slow)
    if sel.size == 0:
        return _empty()
    bm, bt, bh, lat, lon, speed, fixes = bm[sel], bt[sel], bh[sel], lat[sel], lon[sel], speed[sel], fixes[sel]
    rs = np.flatnonzero(np.r_[True, (bm[1:] != bm[:-1]) | (bt[1:] != bt[:-1]) | (bh[1:] != bh[:-1] + 1)])
    re = np.r_[rs[1:], sel.size] - 1
    buckets = re - rs + 1
    keep = buckets * preset.loiter_bucket_s >= preset.loiter_min_duration_s
    rs, re, buckets = rs[keep], re[keep], buckets[keep]
    if rs.size == 0:
        return _empty()
    sums = np.cumsum(np.r_[0.0, speed])
    mean_speed = (sums[re + 1] - sums[rs]) / buckets
    nfix = np.cumsum(np.r_[0, fixes])
    ev = pl.DataFrame(
        {
            "mmsi": bm[rs], "track": bt[rs], "start_us": bh[rs] * bucket, "end_us": (bh[re] + 1) * bucket,
            "lat": lat[rs], "lon": lon[rs], "lat_last": lat[re], "lon_last": lon[re],
            "distance_m": haversine_m(lat[rs], lon[rs], lat[re], lon[re]),
            "buckets": buckets, "fixes": nfix[re + 1] - nfix[rs], "mean_speed_kn": np.round(mean_speed, 2),
        }
    ).with_columns(
        pl.concat_list(pl.col("lat").round(5), pl.col("lon").round(5)).alias("first_position"),
        pl.concat_list(pl.col("lat_last").round(5), pl.col("lon_last").round(5)).alias("last_position"),
    )  # fmt: skip
    return _finish(
        ev, "loitering", preset, ["buckets", "fixes", "mean_speed_kn", "first_position", "last_position"]
    )


# ---------------------------------------------------------------- gaps and rendezvous


def _gaps(pos: pl.DataFrame, preset: Preset, ports: PortIndex | None) -> pl.DataFrame:
    if "outlier" in pos.columns and bool(pos["outlier"].any()):
        pos = pos.filter(~pl.col("outlier"))
    mmsi = pos["mmsi"].to_numpy()
    t = pos["t_us"].to_numpy()
    cols = {
        "mmsi": pl.Int64,
        "track": pl.Int32,
        "track_after": pl.Int32,
        "start_us": pl.Int64,
        "end_us": pl.Int64,
        "lat": pl.Float64,
        "lon": pl.Float64,
        "lat_after": pl.Float64,
        "lon_after": pl.Float64,
        "distance_m": pl.Float64,
        "port_m": pl.Float64,
        "port_after_m": pl.Float64,
    }
    if len(t) < 2:
        return pl.DataFrame(schema=cols)
    g = np.flatnonzero((mmsi[1:] == mmsi[:-1]) & (t[1:] - t[:-1] >= preset.gap_min_s * 1_000_000))
    lat, lon = pos["lat"].to_numpy(), pos["lon"].to_numpy()
    track = pos["track"].to_numpy()
    p, q = g, g + 1
    port_p = np.full(len(g), np.inf)
    port_q = np.full(len(g), np.inf)
    if ports is not None and len(ports) and len(g):
        port_p = ports.distance(lat[p], lon[p])
        port_q = ports.distance(lat[q], lon[q])
    return pl.DataFrame(
        {
            "mmsi": mmsi[p], "track": track[p], "track_after": track[q], "start_us": t[p], "end_us": t[q],
            "lat": lat[p], "lon": lon[p], "lat_after": lat[q], "lon_after": lon[q],
            "distance_m": haversine_m(lat[p], lon[p], lat[q], lon[q]),
            "port_m": port_p, "port_after_m": port_q,
        },
        schema=cols,
    )  # fmt: skip


def detect_gaps(pos: pl.DataFrame, preset: Preset, ports: PortIndex | None = None) -> pl.DataFrame:
    """Rule 3 on prepared positions (sorted by ``mmsi, t``)."""
    g = _gaps(pos, preset, ports).filter(pl.col("port_m") >= preset.gap_min_port_distance_m)
    if g.height == 0:
        return _empty()
    g = g.with_columns(
        (pl.col("distance_m") / ((pl.col("end_us") - pl.col("start_us")) / 1e6) / KNOT_MS)
        .round(2)
        .alias("implied_speed_kn"),
        ((pl.col("end_us") - pl.col("start_us")) / 3.6e9).round(2).alias("hours"),
        pl.concat_list(pl.col("lat_after").round(5), pl.col("lon_after").round(5)).alias("reappeared_at"),
        pl.concat_list(pl.col("lat").round(5), pl.col("lon").round(5)).alias("went_dark_at"),
        pl.when(pl.col("port_m").is_finite()).then(pl.col("port_m").round(0)).alias("port_distance_m"),
        pl.when(pl.col("port_after_m").is_finite())
        .then(pl.col("port_after_m").round(0))
        .alias("port_distance_after_m"),
    )
    return _finish(
        g,
        "gap",
        preset,
        [
            "went_dark_at",
            "reappeared_at",
            "hours",
            "implied_speed_kn",
            "port_distance_m",
            "port_distance_after_m",
            "track_after",
        ],
    )


_DAY_US = 86_400 * 1_000_000


_RENDEZVOUS_CHUNK = 1_000_000


def _rendezvous_pairs(
    g: pl.DataFrame, preset: Preset
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gap pairs passing rule 4 (indices into ``g``, and the two distances), crowds removed.

    Index: two gaps overlap by ``O`` or more exactly when their shortened spans ``[start, end − O]``
    intersect, and then both spans contain ``x = max(start_a, start_b)``. Each gap is listed in every UTC day
    touched by its shortened span, and a pair is taken from the day holding ``x`` only, so it is seen once.
    Days are processed in chunks; a gap already over the partner limit drops its later pairs (exact: counts
    only grow).
    """
    lat, lon = g["lat"].to_numpy(), g["lon"].to_numpy()
    lat2, lon2 = g["lat_after"].to_numpy(), g["lon_after"].to_numpy()
    t0, t1 = g["start_us"].to_numpy(), g["end_us"].to_numpy()
    mm = g["mmsi"].to_numpy()
    lim = preset.rendezvous_max_distance_m
    cap = preset.rendezvous_max_partners
    empty_i = np.empty(0, dtype=np.int64)
    empty_f = np.empty(0, dtype=np.float64)
    last = t1 - preset.rendezvous_min_overlap_s * 1_000_000
    ok = np.flatnonzero(last >= t0)
    if ok.size < 2:
        return empty_i, empty_i, empty_f, empty_f
    d0 = t0[ok] // _DAY_US
    cnt = last[ok] // _DAY_US - d0 + 1
    rep = np.repeat(np.arange(ok.size), cnt)
    first = np.cumsum(cnt) - cnt
    day = d0[rep] + (np.arange(rep.size) - first[rep])
    idx = ok[rep]
    order = np.argsort(day, kind="stable")
    day, idx = day[order], idx[order]
    partners = np.zeros(g.height, dtype=np.int64)
    out: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    start = 0
    while start < day.size:
        stop = min(day.size, start + _RENDEZVOUS_CHUNK)
        if stop < day.size:  # whole days only
            stop = int(np.searchsorted(day, day[stop], side="left"))
            if stop <= start:
                stop = int(np.searchsorted(day, day[start], side="right"))
        cday, cidx = day[start:stop], idx[start:stop]
        a, b = grid_pairs(cday - cday[0], lat[cidx], lon[cidx], lim)
        i, j = cidx[a], cidx[b]
        keep = (np.maximum(t0[i], t0[j]) // _DAY_US == cday[a]) & (mm[i] != mm[j])
        i, j = i[keep], j[keep]
        keep = (
            np.minimum(t1[i], t1[j]) - np.maximum(t0[i], t0[j]) >= preset.rendezvous_min_overlap_s * 1_000_000
        )
        i, j = i[keep], j[keep]
        d_dark = haversine_m(lat[i], lon[i], lat[j], lon[j])
        d_re = haversine_m(lat2[i], lon2[i], lat2[j], lon2[j])
        keep = (d_dark <= lim) & (d_re <= lim)
        i, j, d_dark, d_re = i[keep], j[keep], d_dark[keep], d_re[keep]
        partners += np.bincount(np.concatenate([i, j]), minlength=g.height)
        keep = (partners[i] <= cap) & (partners[j] <= cap)
        out.append((i[keep], j[keep], d_dark[keep], d_re[keep]))
        start = stop
    i = np.concatenate([o[0] for o in out])
    j = np.concatenate([o[1] for o in out])
    d_dark = np.concatenate([o[2] for o in out])
    d_re = np.concatenate([o[3] for o in out])
    # A crowd is a harbour or an anchorage, not a rendezvous: each gap may pair with at most
    # rendezvous_max_partners others.
    keep = (partners[i] <= cap) & (partners[j] <= cap)
    return i[keep], j[keep], d_dark[keep], d_re[keep]


def detect_rendezvous(pos: pl.DataFrame, preset: Preset, ports: PortIndex | None = None) -> pl.DataFrame:
    """Rule 4 on prepared positions."""
    g = _gaps(pos, preset, ports)
    # The port rule concerns each gap alone: apply it before pairing.
    g = g.filter(pl.col("port_m") >= preset.rendezvous_min_port_distance_m)
    if g.height < 2:
        return _empty()
    mm = g["mmsi"].to_numpy()
    i, j, d_dark, d_re = _rendezvous_pairs(g, preset)
    swap = mm[i] > mm[j]
    i, j = np.where(swap, j, i), np.where(swap, i, j)
    a = g.select(pl.all().gather(pl.Series(i, dtype=pl.Int64)))
    b = g.select(pl.all().gather(pl.Series(j, dtype=pl.Int64))).rename(lambda c: f"{c}_b")
    pr = pl.concat([a, b], how="horizontal").with_columns(
        pl.Series("d_dark", d_dark),
        pl.Series("d_reappear", d_re),
        pl.max_horizontal("start_us", "start_us_b").alias("ov_start"),
        pl.min_horizontal("end_us", "end_us_b").alias("ov_end"),
    )
    if pr.height == 0:
        return _empty()
    ev = pr.select(
        "mmsi",
        "track",
        "mmsi_b",
        pl.col("track_b"),
        pl.col("ov_start").alias("start_us"),
        pl.col("ov_end").alias("end_us"),
        "lat",
        "lon",
        pl.col("d_dark").alias("distance_m"),
        pl.col("d_dark").round(1).alias("dark_distance_m"),
        pl.col("d_reappear").round(1).alias("reappear_distance_m"),
        pl.struct(
            pl.col("start_us").alias("dark_us"),
            pl.col("end_us").alias("reappear_us"),
            pl.concat_list(pl.col("lat").round(5), pl.col("lon").round(5)).alias("went_dark_at"),
            pl.concat_list(pl.col("lat_after").round(5), pl.col("lon_after").round(5)).alias("reappeared_at"),
        ).alias("gap_a"),
        pl.struct(
            pl.col("start_us_b").alias("dark_us"),
            pl.col("end_us_b").alias("reappear_us"),
            pl.concat_list(pl.col("lat_b").round(5), pl.col("lon_b").round(5)).alias("went_dark_at"),
            pl.concat_list(pl.col("lat_after_b").round(5), pl.col("lon_after_b").round(5)).alias(
                "reappeared_at"
            ),
        ).alias("gap_b"),
    )
    return _finish(
        ev, "dark_rendezvous", preset, ["dark_distance_m", "reappear_distance_m", "gap_a", "gap_b"]
    )


def _identity(overlaps: pl.DataFrame, preset: Preset) -> pl.DataFrame:
    if overlaps.height == 0:
        return _empty()
    ev = overlaps.with_columns(
        pl.col("lat_a").alias("lat"),
        pl.col("lon_a").alias("lon"),
        pl.col("median_distance_m").alias("distance_m"),
        pl.col("mmsi").alias("mmsi_b"),
        pl.concat_list(pl.col("lat_b").round(5), pl.col("lon_b").round(5)).alias("position_b"),
        pl.concat_list(pl.col("lat_a").round(5), pl.col("lon_a").round(5)).alias("position_a"),
    )
    return _finish(
        ev,
        "identity_overlap",
        preset,
        ["n_a", "n_b", "first_a", "last_a", "first_b", "last_b", "position_a", "position_b", "n_segments"],
    )


# ---------------------------------------------------------------- port calls and areas


def _visits(pos: pl.DataFrame, label: np.ndarray, names: list[str], etype: str, min_s: int,
            preset: Preset, dist: np.ndarray | None = None) -> pl.DataFrame:  # fmt: skip
    """Runs of consecutive fixes of one track with the same label ≥ 0 (pos sorted by track, t)."""
    sel = label >= 0
    if not sel.any():
        return _empty()
    f = pos.with_columns(
        pl.Series("label", label),
        pl.Series("dist", dist if dist is not None else np.full(len(label), np.nan)),
    )
    f = f.with_columns(pl.int_range(pl.len()).alias("row"))
    f = f.filter(pl.col("label") >= 0)
    key = ["mmsi", "track", "label"]
    new = pl.any_horizontal([pl.col(c) != pl.col(c).shift(1) for c in key]).fill_null(True)
    f = f.with_columns(
        (new | (pl.col("row") != pl.col("row").shift(1) + 1).fill_null(True)).cum_sum().alias("run")
    )
    ev = (
        f.group_by("run", maintain_order=True)
        .agg(
            pl.col("mmsi").first(),
            pl.col("track").first(),
            pl.col("label").first(),
            pl.col("t_us").first().alias("start_us"),
            pl.col("t_us").last().alias("end_us"),
            pl.col("lat").first(),
            pl.col("lon").first(),
            pl.col("lat").last().alias("lat_last"),
            pl.col("lon").last().alias("lon_last"),
            pl.len().alias("fixes"),
            pl.col("dist").min().alias("distance_m"),
            pl.col("row").first().alias("first_row"),
        )
        .filter((pl.col("end_us") - pl.col("start_us")) >= min_s * 1_000_000)
    )
    if ev.height == 0:
        return _empty()
    mm = pos["mmsi"].to_numpy()
    tr = pos["track"].to_numpy()
    fr = ev["first_row"].to_numpy()
    prev = fr - 1
    ok = prev >= 0
    ok[ok] = (mm[prev[ok]] == mm[fr[ok]]) & (tr[prev[ok]] == tr[fr[ok]])
    ev = ev.with_columns(
        pl.Series("area", np.asarray(names, dtype=object)[ev["label"].to_numpy()], dtype=pl.String),
        pl.Series("inside_at_first_fix", ~ok),
        pl.concat_list(pl.col("lat").round(5), pl.col("lon").round(5)).alias("first_position"),
        pl.concat_list(pl.col("lat_last").round(5), pl.col("lon_last").round(5)).alias("last_position"),
        pl.when(pl.col("distance_m").is_nan()).then(None).otherwise(pl.col("distance_m")).alias("distance_m"),
    )
    return _finish(ev, etype, preset, ["fixes", "first_position", "last_position", "inside_at_first_fix"])


def detect_visits(
    pos: pl.DataFrame, preset: Preset, ports: PortIndex | None = None, areas: Sequence[Area] = ()
) -> pl.DataFrame:
    """Rule 6: port calls (ports list, port-kind areas) and area entries."""
    if "outlier" in pos.columns and bool(pos["outlier"].any()):
        pos = pos.filter(~pl.col("outlier"))
    pos = _by_track(pos)
    lat, lon = pos["lat"].to_numpy(), pos["lon"].to_numpy()
    out: list[pl.DataFrame] = []
    if ports is not None and len(ports) and pos.height:
        idx, dist = ports.nearest(lat, lon)
        at = np.where(dist <= ports.radius[idx], idx, -1)
        out.append(
            _visits(
                pos,
                at,
                [p.name for p in ports.ports],
                "port_call",
                preset.port_call_min_duration_s,
                preset,
                dist,
            )
        )
    for area in areas:
        inside = points_in_area(area, lat, lon)
        label = np.where(inside, 0, -1)
        if area.kind == "port":
            out.append(_visits(pos, label, [area.name], "port_call", preset.port_call_min_duration_s, preset))
        else:
            out.append(_visits(pos, label, [area.name], "area_entry", 0, preset))
    return _concat(out)


def _concat(frames: Sequence[pl.DataFrame]) -> pl.DataFrame:
    frames = [f for f in frames if f.height]
    if not frames:
        return _empty()
    return pl.concat(frames).sort(_SORT, nulls_last=False)


def detect_all(
    positions: pl.LazyFrame | pl.DataFrame,
    preset: Preset,
    ports: PortIndex | None = None,
    areas: Sequence[Area] = (),
    types: Sequence[str] = EVENT_TYPES,
) -> pl.DataFrame:
    """Every event type asked for, on raw positions: one frame of :data:`EVENT_SCHEMA`, sorted."""
    pos, overlaps = prepare(positions, preset)
    out: list[pl.DataFrame] = []
    if "identity_overlap" in types:
        out.append(_identity(overlaps, preset))
    if "encounter" in types:
        out.append(detect_encounters(pos, preset, ports))
    if "loitering" in types:
        out.append(detect_loitering(pos, preset, ports))
    if "gap" in types:
        out.append(detect_gaps(pos, preset, ports))
    if "dark_rendezvous" in types:
        out.append(detect_rendezvous(pos, preset, ports))
    if "port_call" in types or "area_entry" in types:
        v = detect_visits(pos, preset, ports, areas)
        out.append(v.filter(pl.col("type").is_in(list(types))))
    return _concat(out)


# ---------------------------------------------------------------- storage


def write_events(
    events: pl.DataFrame, events_dir: Path, name: str, parameters: dict[str, float | int | str] | None = None
) -> Path:
    """Write ``events`` to ``events_dir/<name>.parquet`` atomically (temporary file, fsync, rename).

    ``parameters`` (e.g. ``preset.as_dict()``) are kept in the file's key-value metadata under ``vigil``.
    """
    if not name or any(c in name for c in "/\\\0") or name.startswith("."):
        raise StoreError(f"bad events file name {name!r}")
    events_dir.mkdir(parents=True, exist_ok=True)
    target = events_dir / f"{name}.parquet"
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=events_dir)
    os.close(fd)
    try:
        events.write_parquet(
            tmp,
            metadata={
                "vigil": json.dumps({"kind": "ais-events", "name": name, "parameters": parameters or {}})
            },
        )
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise StoreError(f"{target}: could not write events: {exc}") from exc
    return target


def read_events(events_dir: Path, name: str | None = None) -> pl.DataFrame:
    """Stored events (one file by name, or all ``*.parquet`` of the directory), sorted."""
    files = [events_dir / f"{name}.parquet"] if name else sorted(events_dir.glob("*.parquet"))
    files = [f for f in files if f.is_file()]
    if not files:
        return _empty()
    return pl.concat([pl.read_parquet(f).select(list(EVENT_SCHEMA)) for f in files]).sort(
        _SORT, nulls_last=False
    )
