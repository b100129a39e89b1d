"""Track cleaning and segmentation: implausible jumps split an MMSI, overlapping segments are flagged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from vigil.errors import InputError
from vigil.maritime.presets import PRESETS
from vigil.maritime.simulate import load_marinecadastre
from vigil.maritime.tracks import clean_positions, segment_tracks

T0 = datetime(2024, 3, 1, tzinfo=UTC)
GFW = PRESETS["gfw"]


def _frame(rows: list[tuple[int, float, float, float, float | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "mmsi": [r[0] for r in rows],
            "ts": [T0 + timedelta(seconds=r[1]) for r in rows],
            "lat": [r[2] for r in rows],
            "lon": [r[3] for r in rows],
            "sog": [r[4] for r in rows],
        },
        schema={
            "mmsi": pl.Int64,
            "ts": pl.Datetime("us", "UTC"),
            "lat": pl.Float64,
            "lon": pl.Float64,
            "sog": pl.Float32,
        },
    )


def test_cleaning_drops_unavailable_positions_and_duplicates() -> None:
    df = _frame(
        [
            (1, 0, 91.0, 10.0, 1.0),  # AIS "not available" latitude
            (1, 60, 10.0, 181.0, 1.0),  # AIS "not available" longitude
            (1, 120, 10.0, 10.0, 102.3),  # speed not available -> null
            (1, 120, 10.0, 10.0, 102.3),  # exact duplicate
            (1, 180, float("nan"), 10.0, 1.0),
        ]
    )
    clean = clean_positions(df)
    assert clean.height == 1
    assert clean["sog"][0] is None


def test_missing_column_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="missing column"):
        clean_positions(pl.DataFrame({"mmsi": [1], "ts": [T0], "lat": [1.0]}))


def test_two_ships_on_one_mmsi_are_two_overlapping_segments() -> None:
    rows = []
    for i in range(40):  # ship A near 30N 140E, ship B 300 km east, interleaved every minute
        rows.append((445_000_001, i * 120, 30.0 + i * 0.0005, 140.0, 10.0))
        rows.append((445_000_001, i * 120 + 60, 30.0, 143.1 + i * 0.0005, 10.0))
    pos, overlaps = segment_tracks(clean_positions(_frame(rows)), GFW)
    assert sorted(pos["track"].unique().to_list()) == [0, 1]
    assert overlaps.height == 1
    row = overlaps.row(0, named=True)
    assert row["n_a"] == 40 and row["n_b"] == 40
    assert 290_000 < row["median_distance_m"] < 310_000


def test_a_single_outlier_is_not_reported_as_spoofing() -> None:
    rows = [(1, i * 60, 10.0 + i * 1e-4, 20.0, 5.0) for i in range(30)]
    rows.append((1, 15 * 60 + 5, 40.0, 60.0, 5.0))  # one glitch far away
    pos, overlaps = segment_tracks(clean_positions(_frame(rows)), GFW)
    assert pos.filter(pl.col("track") == 0).height == 30
    assert overlaps.height == 0


def test_crossing_the_antimeridian_is_one_track() -> None:
    rows = [(7, i * 600, 50.0, 179.95 + i * 0.01 - (360.0 if 179.95 + i * 0.01 > 180 else 0.0), 9.0)
            for i in range(12)]  # fmt: skip
    pos, overlaps = segment_tracks(clean_positions(_frame(rows)), GFW)
    assert pos["track"].max() == 0 and overlaps.height == 0


def test_real_traffic_is_mostly_one_track_per_vessel(marinecadastre_csv: Path) -> None:
    pos, overlaps = segment_tracks(clean_positions(load_marinecadastre(marinecadastre_csv)), GFW)
    split = pos.filter(pl.col("track") > 0)["mmsi"].n_unique()
    assert split <= 0.01 * pos["mmsi"].n_unique()
    assert overlaps.height <= split


def test_a_default_mmsi_shared_by_many_ships_stays_bounded() -> None:
    # 30 ships 2° apart all broadcasting MMSI 0-like 111111111: 30 segments, pairs among the 20 largest only.
    rows = [(111_111_111, i * 30 + s, -40.0 + 2.0 * s, 10.0, 5.0) for i in range(10) for s in range(30)]
    pos, overlaps = segment_tracks(clean_positions(_frame(rows)), GFW)
    assert pos["track"].n_unique() == 30
    assert overlaps.height == 20 * 19 // 2
    assert overlaps["n_segments"].unique().to_list() == [30]
