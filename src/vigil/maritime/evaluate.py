"""Precision and recall of the AIS detectors on simulated events planted in real traffic.

How an event is scored (per preset, per event type), counting only events that involve an injected
vessel — the background has no labels, its events are reported as a separate, unscored count:

- an event *matches* a truth row of the same type, the same vessel(s) (``mmsi``, ``mmsi_b`` in order)
  and overlapping time (with one hour of slack on each side);
- matched to a truth the preset must find → true positive (the truth is found);
- matched to a borderline truth (``required`` false) the preset may find → neither counted;
- anything else (no truth, or a truth the preset must *not* find) → false positive;
- recall = required truths found / required truths for that preset; precision = TP / (TP + FP).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import polars as pl

from vigil.maritime.events import EVENT_TYPES, detect_all
from vigil.maritime.ports import PortIndex
from vigil.maritime.presets import Preset
from vigil.maritime.simulate import Simulation

__all__ = ["Evaluation", "evaluate"]

_SLACK = timedelta(hours=1)
SCORED = ("encounter", "loitering", "gap", "dark_rendezvous", "identity_overlap")


@dataclass
class Evaluation:
    """Scores of one preset: a table by event type, the misses and the false alarms, all events."""

    preset: str
    scores: pl.DataFrame
    missed: pl.DataFrame
    false_positives: pl.DataFrame
    events: pl.DataFrame
    background_events: dict[str, int]

    def score(self, etype: str) -> dict[str, Any]:
        rows = self.scores.filter(pl.col("type") == etype).to_dicts()
        return rows[0] if rows else {}


def evaluate(sim: Simulation, preset: Preset, ports: PortIndex | None = None) -> Evaluation:
    """Run every detector on the simulation with ``preset`` and score it against the truth table."""
    events = detect_all(sim.positions, preset, ports, types=EVENT_TYPES)
    injected = set(sim.injected_mmsis)
    inj = events.filter(pl.col("mmsi").is_in(injected) | pl.col("mmsi_b").is_in(injected))
    bg = events.filter(~(pl.col("mmsi").is_in(injected) | pl.col("mmsi_b").is_in(injected).fill_null(False)))
    truth = sim.truth.with_row_index("truth_id").to_dicts()
    by_key: dict[tuple[str, int, int | None], list[dict[str, Any]]] = {}
    for t in truth:
        by_key.setdefault((t["type"], t["mmsi"], t["mmsi_b"]), []).append(t)
    found: set[int] = set()
    fps: list[dict[str, Any]] = []
    tp: dict[str, int] = {}
    for ev in inj.to_dicts():
        etype = ev["type"]
        if etype not in SCORED:
            continue
        cands = [
            t
            for t in by_key.get((etype, ev["mmsi"], ev["mmsi_b"]), [])
            if ev["start"] <= t["end"] + _SLACK and t["start"] - _SLACK <= ev["end"]
        ]
        must = [t for t in cands if preset.name in t["presets"] and t["required"]]
        may = [t for t in cands if preset.name in t["presets"] and not t["required"]]
        if must:
            found.update(t["truth_id"] for t in must)
            tp[etype] = tp.get(etype, 0) + 1
        elif not may:
            why = "matches a truth this preset must not find" if cands else "no planted event"
            fps.append({**ev, "why": why, "scenario": cands[0]["scenario"] if cands else None})
    rows = []
    fp_frame = (
        pl.DataFrame(fps)
        if fps
        else inj.clear().with_columns(
            pl.lit(None, dtype=pl.String).alias("why"), pl.lit(None, dtype=pl.String).alias("scenario")
        )
    )
    missed = [
        t for t in truth if preset.name in t["presets"] and t["required"] and t["truth_id"] not in found
    ]
    for etype in SCORED:
        expected = sum(
            1 for t in truth if t["type"] == etype and preset.name in t["presets"] and t["required"]
        )
        negatives = sum(1 for t in truth if t["type"] == etype and not t["presets"])
        hit = sum(1 for t in truth if t["type"] == etype and t["truth_id"] in found)
        fp = sum(1 for f in fps if f["type"] == etype)
        tps = tp.get(etype, 0)
        rows.append(
            {
                "type": etype,
                "expected": expected,
                "found": hit,
                "recall": hit / expected if expected else None,
                "true_positive_events": tps,
                "false_positives": fp,
                "precision": tps / (tps + fp) if tps + fp else None,
                "planted_negatives": negatives,
            }
        )
    scores = pl.DataFrame(rows)
    missed_frame = pl.DataFrame(missed).drop("truth_id") if missed else sim.truth.clear()
    counts = dict(bg.group_by("type").len().iter_rows()) if bg.height else {}
    return Evaluation(
        preset.name, scores, missed_frame, fp_frame, events, {str(k): int(v) for k, v in counts.items()}
    )
