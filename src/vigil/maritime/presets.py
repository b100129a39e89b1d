"""Detector presets: the published parameters, named, so a result can say which rules produced it.

``gfw`` — Global Fishing Watch's published event definitions (see FIELD-NOTES.md, "Maritime parameters",
and GFW's encounter, loitering and AIS-gap methods):

- encounters: positions resampled every 10 minutes; two vessels within **500 m** for at least **2 h**,
  median speed under **2 knots**, at least **10 km** from a port or anchorage; runs of one pair less than
  **4 h** apart are merged;
- loitering: hourly buckets with average speed under **2 knots** joined; at least **4 h** (GFW's carrier
  rule); at least **20 nm** from shore (here: from the supplied ports and anchorages);
- gaps: GFW keeps gaps of 6 h or more but calls only gaps of **12 h** or more "likely intentional";
  12 h is the default here (gaps under 12 h are unreliable);
- spoofing / shared identity: GFW splits an MMSI's track where motion is implausible (≈ 30 knots between
  fixes). The default here is **50 knots** (fast craft exceed 30 knots) with a 1 km allowance for noise.

``sts`` — tanker ship-to-ship transfer: both vessels under **1 knot** within a few hundred metres for hours
(the pattern the UN Panel of Experts documents for DPRK oil transfers). Same distance, duration and port
rules as ``gfw``; loitering also under 1 knot.

Dark rendezvous has no published parameters (no open tool detects it); its defaults are ours and
documented in docs/maritime-events.md.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from vigil.errors import InputError

__all__ = ["PRESETS", "Preset", "get_preset"]


@dataclass(frozen=True, slots=True)
class Preset:
    """Every threshold of the detectors. Distances in metres, durations in seconds, speeds in knots."""

    name: str
    # Track segmentation (spoofing / shared identity).
    max_speed_kn: float = 50.0
    jump_slack_m: float = 1_000.0
    min_segment_fixes: int = 3
    # Encounters.
    resample_s: int = 600
    max_interp_gap_s: int = 3_600
    encounter_distance_m: float = 500.0
    encounter_min_duration_s: int = 7_200
    encounter_max_median_speed_kn: float = 2.0
    encounter_merge_gap_s: int = 14_400
    encounter_min_port_distance_m: float = 10_000.0
    # Loitering.
    loiter_bucket_s: int = 3_600
    loiter_max_speed_kn: float = 2.0
    loiter_min_duration_s: int = 14_400
    loiter_min_port_distance_m: float = 20 * 1852.0
    # Gaps.
    gap_min_s: int = 43_200
    gap_min_port_distance_m: float = 0.0
    # Dark rendezvous.
    rendezvous_max_distance_m: float = 20_000.0
    rendezvous_min_overlap_s: int = 21_600
    rendezvous_min_port_distance_m: float = 10_000.0
    rendezvous_max_partners: int = 3
    # Port calls (circles of the ports list).
    port_call_min_duration_s: int = 3_600

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name != "name" and (
                not isinstance(value, int | float) or not value >= 0 or value == float("inf")
            ):
                raise InputError(f"preset {self.name}: {f.name} must be a finite number ≥ 0, not {value!r}")
        for positive in (
            "resample_s",
            "loiter_bucket_s",
            "max_interp_gap_s",
            "gap_min_s",
            "min_segment_fixes",
        ):
            if getattr(self, positive) <= 0:
                raise InputError(f"preset {self.name}: {positive} must be greater than 0")
        for distance in ("encounter_distance_m", "rendezvous_max_distance_m"):
            if getattr(self, distance) < 7:
                raise InputError(f"preset {self.name}: {distance} must be at least 7 m")

    def replace(self, **changes: float | int | str) -> Preset:
        """A copy with some thresholds changed (unknown names raise :class:`InputError`)."""
        names = {f.name for f in dataclasses.fields(self)}
        unknown = set(changes) - names
        if unknown:
            raise InputError(f"unknown preset parameter(s): {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, float | int | str]:
        return dataclasses.asdict(self)


PRESETS: dict[str, Preset] = {
    "gfw": Preset(name="gfw"),
    "sts": Preset(name="sts", encounter_max_median_speed_kn=1.0, loiter_max_speed_kn=1.0),
}


def get_preset(name: str) -> Preset:
    """The preset of that name, or :class:`InputError` listing the known ones."""
    try:
        return PRESETS[name]
    except KeyError:
        raise InputError(f"unknown preset {name!r}; known: {', '.join(sorted(PRESETS))}") from None
