"""The AIS store contract: Parquet batches, exact schemas, atomic writes, clear errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from vigil.errors import InputError
from vigil.maritime.store import POSITIONS_SCHEMA, STATIC_SCHEMA, AisStore


def _positions(n: int = 3) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "mmsi": [445000001] * n,
            "ts": [datetime(2022, 1, 3, 0, 0, i) for i in range(n)],
            "lat": [39.0 + i for i in range(n)],
            "lon": [125.0] * n,
        }
    )


def test_empty_store_scans_with_the_contract_schema(tmp_path: Path) -> None:
    store = AisStore(tmp_path / "ais")
    assert store.positions().collect().schema == pl.Schema(POSITIONS_SCHEMA)
    assert store.static().collect().schema == pl.Schema(STATIC_SCHEMA)
    assert store.positions().collect().height == 0


def test_append_positions_casts_to_schema_and_fills_optional_columns(tmp_path: Path) -> None:
    store = AisStore(tmp_path / "ais")
    path = store.append_positions(_positions())
    assert path is not None and path.parent == store.positions_dir and path.suffix == ".parquet"
    frame = store.positions().collect()
    assert frame.schema == pl.Schema(POSITIONS_SCHEMA)
    assert frame["sog"].null_count() == 3
    # naive times are taken as UTC
    assert frame["ts"][0] == datetime(2022, 1, 3, tzinfo=UTC)
    # no temporary files are left behind
    assert [p.name for p in store.positions_dir.iterdir()] == [path.name]


def test_batches_add_up_and_aware_times_are_converted(tmp_path: Path) -> None:
    store = AisStore(tmp_path)
    store.append_positions(_positions(2))
    later = _positions(1).with_columns(pl.col("ts").dt.replace_time_zone("Asia/Pyongyang"))
    store.append_positions(later)
    frame = store.positions().sort("ts").collect()
    assert frame.height == 3
    assert len(store.position_files()) == 2
    # 00:00 in Pyongyang (UTC+9) is 15:00 the day before in UTC
    assert frame["ts"][0] == datetime(2022, 1, 2, 15, tzinfo=UTC)


def test_text_and_epoch_times(tmp_path: Path) -> None:
    store = AisStore(tmp_path)
    store.append_static(pl.DataFrame({"mmsi": [1], "ts": ["2022-01-03T00:00:00"], "name": ["X"]}))
    store.append_static(pl.DataFrame({"mmsi": [2], "ts": [1641168000], "imo": [8712362]}))
    frame = store.static().sort("mmsi").collect()
    assert frame["ts"].to_list() == [datetime(2022, 1, 3, tzinfo=UTC)] * 2
    assert frame["source"].to_list() == ["unknown", "unknown"]
    assert frame.schema == pl.Schema(STATIC_SCHEMA)


def test_missing_or_bad_columns_are_input_errors(tmp_path: Path) -> None:
    store = AisStore(tmp_path)
    with pytest.raises(InputError, match="lat, lon"):
        store.append_positions(pl.DataFrame({"mmsi": [1], "ts": [datetime(2022, 1, 1)]}))
    with pytest.raises(InputError, match="cannot be converted"):
        store.append_positions(_positions(1).with_columns(pl.lit("north").alias("lat")))
    assert store.position_files() == []


def test_empty_batch_writes_nothing_and_events_dir_exists(tmp_path: Path) -> None:
    store = AisStore(tmp_path / "s")
    assert store.append_positions(_positions(0)) is None
    assert store.events_dir.is_dir() and store.events_dir == tmp_path / "s" / "events"


def test_store_path_must_be_a_directory(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="not a directory"):
        AisStore(tmp_path / "file")


def test_default_store_is_under_vigil_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VIGIL_HOME", str(tmp_path))
    assert AisStore().path == tmp_path / "ais"
