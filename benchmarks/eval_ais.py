"""Evaluation of the AIS detectors: precision and recall per event type and preset on planted events.

    .venv/bin/python benchmarks/eval_ais.py [--seeds 1 2 3] [--n-each 4] [--background FILE]

Plants the simulator's scenarios (vigil.maritime.simulate) into the real MarineCadastre traffic, runs
every detector with each preset and prints Markdown tables: scores summed over the seeds, then the cases
where the parameters matter (the gfw-only encounters, the 6–9 h gaps under a 6 h threshold, the
near-miss pairs under a wider distance, and transfers seen by sparse AIS — HARD_SCENARIOS — under a longer
interpolation limit).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from vigil.maritime.evaluate import SCORED, evaluate
from vigil.maritime.ports import load_ports
from vigil.maritime.presets import PRESETS, Preset
from vigil.maritime.simulate import HARD_SCENARIOS, Simulation, load_marinecadastre, simulate

DEFAULT_FILE = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "ais"
    / "marinecadastre_2022-01-03_first99999.csv.gz"
)


def _found(sim: Simulation, preset: Preset, scenario: str, etype: str) -> tuple[int, int]:
    truth = sim.truth.filter((pl.col("scenario") == scenario) & (pl.col("type") == etype))
    ev = evaluate(sim, preset, load_ports()).events.filter(pl.col("type") == etype)
    got = set(ev.select("mmsi", "mmsi_b").rows()) if etype != "gap" else {(m, None) for m in ev["mmsi"]}
    want = set(truth.select("mmsi", "mmsi_b").rows())
    return len(want & got), len(want)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--background", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--n-each", type=int, default=4)
    args = parser.parse_args()
    bg = load_marinecadastre(args.background)
    totals: dict[tuple[str, str], list[int]] = {}
    background: dict[str, dict[str, int]] = {}
    sims = []
    for seed in args.seeds:
        sim = simulate(bg, seed=seed, n_each=args.n_each)
        sims.append(sim)
        for name, preset in PRESETS.items():
            r = evaluate(sim, preset, load_ports())
            for s in r.scores.iter_rows(named=True):
                acc = totals.setdefault((name, s["type"]), [0, 0, 0, 0])
                acc[0] += s["expected"]
                acc[1] += s["found"]
                acc[2] += s["true_positive_events"]
                acc[3] += s["false_positives"]
            background[name] = r.background_events
    print(f"# AIS detector evaluation — seeds {args.seeds}, {args.n_each} of each scenario per seed, "
          f"background {bg.height:,} real positions\n")  # fmt: skip
    print("| preset | event type | planted | found | recall | false alarms | precision |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name in PRESETS:
        for etype in SCORED:
            exp, hit, tp, fp = totals[(name, etype)]
            rec = f"{hit / exp:.3f}" if exp else "—"
            prec = f"{tp / (tp + fp):.3f}" if tp + fp else "—"
            print(f"| {name} | {etype} | {exp} | {hit} | {rec} | {fp} | {prec} |")
    for name, counts in background.items():
        print(f"\nUnlabelled events among background vessels only ({name}, last seed): {counts}")

    print("\n## Where the parameters matter\n")
    print("| case | parameters | planted found |")
    print("|---|---|---:|")
    cases = [
        ("encounter at 1.2–1.8 kn", "encounter_gfw", "encounter", PRESETS["gfw"], "gfw (median < 2 kn)"),
        ("encounter at 1.2–1.8 kn", "encounter_gfw", "encounter", PRESETS["sts"], "sts (median < 1 kn)"),
        ("6–9 h of silence", "short_gap", "gap", PRESETS["gfw"], "gap_min_s = 12 h (default)"),
        (
            "6–9 h of silence",
            "short_gap",
            "gap",
            PRESETS["gfw"].replace(gap_min_s=6 * 3600),
            "gap_min_s = 6 h",
        ),
        ("side by side 700–1,200 m", "near_far", "encounter", PRESETS["gfw"], "500 m (default)"),
        (
            "side by side 700–1,200 m",
            "near_far",
            "encounter",
            PRESETS["gfw"].replace(encounter_distance_m=1500.0),
            "1,500 m",
        ),
    ]
    hard = [simulate(bg, seed=seed, n_each=args.n_each, scenarios=HARD_SCENARIOS) for seed in args.seeds]
    sparse = ("transfer seen every 40–70 min", "encounter_sparse", "encounter")
    cases += [
        (*sparse, PRESETS["sts"], "max_interp_gap_s = 1 h (default)"),
        (*sparse, PRESETS["sts"].replace(max_interp_gap_s=2 * 3600), "max_interp_gap_s = 2 h"),
        (*sparse, PRESETS["sts"].replace(max_interp_gap_s=3 * 3600), "max_interp_gap_s = 3 h"),
    ]
    for label, scenario, etype, preset, desc in cases:
        hit = tot = 0
        for sim in hard if scenario in HARD_SCENARIOS else sims:
            h, t = _found(sim, preset, scenario, etype)
            hit, tot = hit + h, tot + t
        print(f"| {label} | {desc} | {hit} / {tot} |")


if __name__ == "__main__":
    main()
