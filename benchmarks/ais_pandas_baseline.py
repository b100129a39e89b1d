"""A straightforward per-vessel pandas implementation of the encounter and gap rules (the baseline).

It is what one writes first: a loop over vessels with pandas, then a loop over 10-minute instants. Same
rules as :mod:`vigil.maritime.events` (rules 1 and 3) with two simplifications, stated so the comparison
is honest: one track per MMSI (no segmentation) and no ports list. On traffic without implausible jumps
the events are the same; ``bench_ais_detect.py`` checks the counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vigil.maritime.geo import KNOT_MS, haversine_m
from vigil.maritime.presets import Preset


def _marks(df: pd.DataFrame, preset: Preset) -> pd.DataFrame:
    step = preset.resample_s * 1_000_000
    out = []
    for mmsi, g in df.sort_values(["mmsi", "t_us"]).groupby("mmsi", sort=True):
        t = g["t_us"].to_numpy()
        lat, lon, sog = g["lat"].to_numpy(), g["lon"].to_numpy(), g["sog"].to_numpy(dtype=float)
        for i in range(len(t) - 1):
            dt = t[i + 1] - t[i]
            if dt <= 0 or dt > preset.max_interp_gap_s * 1e6:
                continue
            k = -((-t[i]) // step)
            while k * step < t[i + 1]:
                f = (k * step - t[i]) / dt
                dlon = (lon[i + 1] - lon[i] + 540.0) % 360.0 - 180.0
                if np.isnan(sog[i]) and np.isnan(sog[i + 1]):
                    speed = haversine_m(lat[i], lon[i], lat[i + 1], lon[i + 1]) / (dt / 1e6) / KNOT_MS
                elif np.isnan(sog[i]):
                    speed = sog[i + 1]
                elif np.isnan(sog[i + 1]):
                    speed = sog[i]
                else:
                    speed = sog[i] + f * (sog[i + 1] - sog[i])
                out.append(
                    (
                        mmsi,
                        k,
                        lat[i] + f * (lat[i + 1] - lat[i]),
                        (lon[i] + f * dlon + 180.0) % 360.0 - 180.0,
                        speed,
                    )
                )
                k += 1
    return pd.DataFrame(out, columns=["mmsi", "k", "lat", "lon", "speed"])


def encounters(df: pd.DataFrame, preset: Preset) -> pd.DataFrame:
    """Encounter events ``mmsi, mmsi_b, start_k, end_k`` (rule 1 without ports and segmentation)."""
    marks = _marks(df, preset)
    cell = preset.encounter_distance_m / 111_195.0 * 1.01
    # One longitude scale for all rows: the cosine of the highest latitude keeps every cell ≥ 500 m wide.
    coslat = float(np.cos(np.radians(min(89.0, float(marks["lat"].abs().max()) if len(marks) else 0.0))))
    close = []
    for _k, g in marks.groupby("k", sort=True):
        if len(g) < 2:
            continue
        g = g.assign(cy=np.floor(g["lat"] / cell).astype(int))
        g = g.assign(cx=np.floor(g["lon"] * coslat / cell).astype(int))
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                shifted = g.assign(cy=g["cy"] + dy, cx=g["cx"] + dx)
                m = shifted.merge(g, on=["cy", "cx"], suffixes=("", "_b"))
                m = m[m["mmsi"] < m["mmsi_b"]]
                if m.empty:
                    continue
                d = haversine_m(
                    m["lat"].to_numpy(), m["lon"].to_numpy(), m["lat_b"].to_numpy(), m["lon_b"].to_numpy()
                )
                m = m[d <= preset.encounter_distance_m]
                close.append(m[["mmsi", "mmsi_b", "k", "speed", "speed_b"]])
    if not close:
        return pd.DataFrame(columns=["mmsi", "mmsi_b", "start_k", "end_k"])
    c = pd.concat(close).drop_duplicates(["mmsi", "mmsi_b", "k"]).sort_values(["mmsi", "mmsi_b", "k"])
    events = []
    step = preset.resample_s
    for (a, b), g in c.groupby(["mmsi", "mmsi_b"], sort=True):
        runs = (g["k"].diff() != 1).cumsum()
        kept = []
        for _, r in g.groupby(runs):
            k0, k1 = int(r["k"].iloc[0]), int(r["k"].iloc[-1])
            if (
                (k1 - k0) * step >= preset.encounter_min_duration_s
                and r["speed"].median() < preset.encounter_max_median_speed_kn
                and r["speed_b"].median() < preset.encounter_max_median_speed_kn
            ):
                kept.append((k0, k1))
        for k0, k1 in kept:
            if (
                events
                and events[-1][:2] == (a, b)
                and (k0 - events[-1][3]) * step < preset.encounter_merge_gap_s
            ):
                events[-1] = (a, b, events[-1][2], k1)
            else:
                events.append((a, b, k0, k1))
    return pd.DataFrame(events, columns=["mmsi", "mmsi_b", "start_k", "end_k"])


def gaps(df: pd.DataFrame, preset: Preset) -> pd.DataFrame:
    """Gap events ``mmsi, start_us, end_us, distance_m`` (rule 3 without ports)."""
    out = []
    for mmsi, g in df.sort_values(["mmsi", "t_us"]).groupby("mmsi", sort=True):
        t = g["t_us"].to_numpy()
        lat, lon = g["lat"].to_numpy(), g["lon"].to_numpy()
        for i in range(len(t) - 1):
            if t[i + 1] - t[i] >= preset.gap_min_s * 1_000_000:
                out.append((mmsi, t[i], t[i + 1], float(haversine_m(lat[i], lon[i], lat[i + 1], lon[i + 1]))))
    return pd.DataFrame(out, columns=["mmsi", "start_us", "end_us", "distance_m"])
