"""Encounters and dark gaps on Spark equal the local detectors on the real MarineCadastre sample.

99,999 positions of 2022-01-03 (10,631 MMSIs). With the published ``gfw`` preset the sample holds
323 dark gaps of 12 h and more and no encounter; with looser thresholds (2 km, 20 min, under
30 knots, 5-minute marks) it holds 66 encounters, which exercise every step of rule 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from vigil.errors import InputError
from vigil.maritime.events import detect_all
from vigil.maritime.presets import Preset, get_preset
from vigil.maritime.store import AisStore
from vigil.spark.ais import detect_events, read_positions

pytestmark = pytest.mark.slow

COLUMNS = ["event_id", "type", "preset", "mmsi", "track", "mmsi_b", "track_b", "start", "end", "area"]
NUMBERS = ["duration_s", "lat", "lon", "distance_m"]


@pytest.fixture(scope="module")
def ais_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> AisStore:
    from vigil.maritime.tabular import ingest_table

    store = AisStore(tmp_path_factory.mktemp("spark-ais") / "store")
    ingest_table(shared_data / "ais" / "marinecadastre_2022-01-03_first99999.csv.gz", store, "csv")
    return store


def _compare(spark: Any, store: AisStore, preset: Preset) -> pl.DataFrame:
    local = detect_all(store.positions(), preset, types=("encounter", "gap"))
    events = detect_events(read_positions(spark, str(store.path / "positions")), preset)
    got = pl.from_arrow(events.toArrow())
    assert isinstance(got, pl.DataFrame)
    assert got.height == local.height
    assert got.select(COLUMNS).to_dicts() == local.select(COLUMNS).to_dicts()  # same events, same order
    for column in NUMBERS:
        assert got[column].to_list() == pytest.approx(local[column].to_list(), abs=1e-9, nan_ok=True)
    return local


def test_gaps_with_the_gfw_preset_equal_local(spark: Any, ais_store: AisStore) -> None:
    local = _compare(spark, ais_store, get_preset("gfw"))
    assert local.height == 323 and set(local["type"]) == {"gap"}


def test_encounters_with_looser_thresholds_equal_local(spark: Any, ais_store: AisStore) -> None:
    preset = get_preset("gfw").replace(
        encounter_min_duration_s=1_200,
        encounter_max_median_speed_kn=30.0,
        encounter_distance_m=2_000.0,
        resample_s=300,
        gap_min_s=3_600,
    )
    local = _compare(spark, ais_store, preset)
    counts = dict(local.group_by("type").len().iter_rows())
    assert counts == {"encounter": 66, "gap": 327}


def test_other_event_types_are_refused(spark: Any, ais_store: AisStore) -> None:
    positions = read_positions(spark, str(ais_store.path / "positions"))
    with pytest.raises(InputError, match="loitering"):
        detect_events(positions, get_preset("gfw"), types=("loitering",))
