"""AIS detector benchmark: positions per second for each detector, Vigil against a per-vessel pandas baseline.

    .venv/bin/python benchmarks/bench_ais_detect.py [--positions 10000000] [--baseline-positions 100000]

The real MarineCadastre file (99,999 positions, 2022-01-03) is replicated and shifted by one day per copy
(same MMSIs, so tracks grow longer and day-long gaps appear), with simulated encounters planted so the
encounter path has work to do. The pandas baseline (``ais_pandas_baseline.py``) runs on the first
``--baseline-positions`` rows of one copy only (planted vessels first; it is slow); its events are
compared with Vigil's on the same rows.
Prints a Markdown table with the machine and the date.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ais_pandas_baseline as baseline

from vigil.maritime.events import (
    detect_encounters,
    detect_gaps,
    detect_loitering,
    detect_rendezvous,
    detect_visits,
    prepare,
)
from vigil.maritime.ports import load_ports
from vigil.maritime.presets import PRESETS
from vigil.maritime.simulate import load_marinecadastre, simulate

DEFAULT_FILE = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "ais"
    / "marinecadastre_2022-01-03_first99999.csv.gz"
)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _replicate(base: pl.DataFrame, n: int) -> pl.DataFrame:
    copies = -(-n // base.height)
    day = datetime.timedelta(days=1)
    frames = [base.with_columns(pl.col("ts") + day * i) for i in range(copies)]
    return pl.concat(frames).head(n)


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--positions", type=int, default=10_000_000)
    parser.add_argument("--baseline-positions", type=int, default=100_000)
    parser.add_argument("--preset", default="gfw", choices=sorted(PRESETS))
    args = parser.parse_args()
    preset = PRESETS[args.preset]
    ports = load_ports()

    sim = simulate(load_marinecadastre(args.file), seed=3, n_each=2)
    data = _replicate(sim.positions, args.positions)
    n = data.height
    rows: list[tuple[str, str, str]] = []

    secs, (pos, _) = _timed(lambda: prepare(data, preset))
    rows.append(("clean + sort + segment", f"{secs:.2f} s", f"{n / secs:,.0f}"))
    for name, fn in (
        ("encounters", lambda: detect_encounters(pos, preset, ports)),
        ("gaps", lambda: detect_gaps(pos, preset, ports)),
        ("loitering", lambda: detect_loitering(pos, preset, ports)),
        ("dark rendezvous", lambda: detect_rendezvous(pos, preset, ports)),
        ("port calls", lambda: detect_visits(pos, preset, ports)),
    ):
        s, ev = _timed(fn)
        rows.append((f"{name} ({ev.height:,} events)", f"{s:.2f} s", f"{n / s:,.0f}"))
    enc_total = secs + float(rows[1][1].split()[0])
    gap_total = secs + float(rows[2][1].split()[0])
    rows.append(("encounters incl. preparation", f"{enc_total:.2f} s", f"{n / enc_total:,.0f}"))
    rows.append(("gaps incl. preparation", f"{gap_total:.2f} s", f"{n / gap_total:,.0f}"))

    # Baseline on a prefix, and Vigil on the same prefix (no ports: the baseline has none).
    # The prefix holds the planted vessels first, so both implementations have encounters to find.
    planted = pl.col("mmsi").is_in(sim.injected_mmsis)
    small = sim.positions.sort(~planted, "mmsi", "ts").head(args.baseline_positions)
    m = small.height
    pdf = small.select("mmsi", pl.col("ts").dt.epoch("us").alias("t_us"), "lat", "lon", "sog").to_pandas()
    pdf["sog"] = pdf["sog"].astype(float)
    s_enc, b_enc = _timed(lambda: baseline.encounters(pdf, preset))
    s_gap, b_gap = _timed(lambda: baseline.gaps(pdf, preset))
    s_prep, (spos, _) = _timed(lambda: prepare(small, preset))
    s_venc, v_enc = _timed(lambda: detect_encounters(spos, preset))
    s_vgap, v_gap = _timed(lambda: detect_gaps(spos, preset))
    rows.append((f"pandas baseline: encounters, {m:,} positions", f"{s_enc:.2f} s", f"{m / s_enc:,.0f}"))
    rows.append(
        (
            f"vigil: encounters incl. preparation, {m:,}",
            f"{s_prep + s_venc:.2f} s",
            f"{m / (s_prep + s_venc):,.0f}",
        )
    )
    rows.append((f"pandas baseline: gaps, {m:,} positions", f"{s_gap:.2f} s", f"{m / s_gap:,.0f}"))
    rows.append(
        (f"vigil: gaps incl. preparation, {m:,}", f"{s_prep + s_vgap:.2f} s", f"{m / (s_prep + s_vgap):,.0f}")
    )
    same_enc = len(b_enc) == v_enc.height
    same_gap = len(b_gap) == v_gap.height
    print(f"# AIS detectors — {datetime.date.today()} — {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, polars {pl.__version__}")  # fmt: skip
    print(f"\n{n:,} positions ({data['mmsi'].n_unique():,} MMSIs), preset {preset.name}\n")
    print("| step | time | positions/s |")
    print("|---|---:|---:|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} |")
    print(f"\nbaseline vs vigil on the prefix: encounters {len(b_enc)} vs {v_enc.height} "
          f"({'same' if same_enc else 'DIFFERENT'}), gaps {len(b_gap)} vs {v_gap.height} "
          f"({'same' if same_gap else 'DIFFERENT'}); peak RSS {_peak_mb():,.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
