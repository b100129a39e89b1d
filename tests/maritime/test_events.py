"""Event detectors on hand-made tracks whose answer is known, on the real traffic, and their storage."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from vigil.errors import InputError
from vigil.maritime.events import EVENT_SCHEMA, detect_all, read_events, write_events
from vigil.maritime.geo import grid_pairs, haversine_m, load_areas
from vigil.maritime.ports import PortIndex, load_ports
from vigil.maritime.presets import PRESETS, get_preset
from vigil.maritime.simulate import load_marinecadastre
from vigil.maritime.store import AisStore

T0 = datetime(2024, 3, 1, tzinfo=UTC)
GFW, STS = PRESETS["gfw"], PRESETS["sts"]
M = 111_195.0  # metres per degree of latitude


def _track(
    mmsi: int,
    lat: float,
    lon: float,
    *,
    start_s: float,
    hours: float,
    speed_kn: float = 0.5,
    north_m: float = 0.0,
    every_s: float = 120.0,
    course_deg: float = 90.0,
) -> pl.DataFrame:
    n = int(hours * 3600 / every_s) + 1
    t = start_s + np.arange(n) * every_s
    v = speed_kn * 1852 / 3600
    east = v * (t - start_s) * math.sin(math.radians(course_deg))
    north = north_m + v * (t - start_s) * math.cos(math.radians(course_deg))
    return pl.DataFrame(
        {
            "mmsi": np.full(n, mmsi, dtype=np.int64),
            "ts": [T0 + timedelta(seconds=float(s)) for s in t],
            "lat": lat + north / M,
            "lon": lon + east / (M * math.cos(math.radians(lat))),
            "sog": np.full(n, speed_kn, dtype=np.float32),
        }
    ).with_columns(pl.col("ts").cast(pl.Datetime("us", "UTC")))


def _pair(sep_m: float, speed: float, hours: float, lat: float = 20.0, lon: float = 120.0) -> pl.DataFrame:
    return pl.concat([
        _track(111, lat, lon, start_s=0, hours=hours, speed_kn=speed),
        _track(222, lat, lon, start_s=30, hours=hours, speed_kn=speed, north_m=sep_m),
    ])  # fmt: skip


def _types(events: pl.DataFrame, kind: str) -> pl.DataFrame:
    return events.filter(pl.col("type") == kind)


def test_tanker_transfer_is_an_encounter_for_both_presets_with_evidence() -> None:
    pos = _pair(300, 0.5, 3.0)
    for preset in (GFW, STS):
        enc = _types(detect_all(pos, preset), "encounter")
        assert enc.height == 1
        row = enc.row(0, named=True)
        assert (row["mmsi"], row["mmsi_b"]) == (111, 222)
        assert row["duration_s"] >= 2 * 3600
        assert 290 < row["distance_m"] < 310
        evidence = json.loads(row["evidence"])
        assert evidence["median_speed_kn_a"] < 1 and len(evidence["start_a"]) == 2
        assert row["event_id"].startswith("encounter:111:0:222:0:")


def test_speed_between_one_and_two_knots_is_gfw_only() -> None:
    pos = _pair(200, 1.5, 3.0)
    assert _types(detect_all(pos, GFW), "encounter").height == 1
    assert _types(detect_all(pos, STS), "encounter").height == 0


@pytest.mark.parametrize(("sep", "hours"), [(600, 4.0), (300, 1.5)])
def test_too_far_or_too_short_is_no_encounter(sep: float, hours: float) -> None:
    assert _types(detect_all(_pair(sep, 0.5, hours), GFW), "encounter").height == 0


def test_encounter_near_a_port_is_excluded_only_with_the_ports_list() -> None:
    nampho = next(p for p in load_ports().ports if p.name == "Nampho")
    pos = _pair(200, 0.3, 3.0, lat=nampho.lat, lon=nampho.lon + 0.05)  # ≈ 4–5 km from the port
    assert _types(detect_all(pos, GFW, load_ports()), "encounter").height == 0
    assert _types(detect_all(pos, GFW, None), "encounter").height == 1


def test_output_is_deterministic_whatever_the_row_order() -> None:
    pos = pl.concat([_pair(250, 0.4, 5.0), _track(333, 21.0, 121.0, start_s=0, hours=30, every_s=3600 * 13)])
    a = detect_all(pos, GFW)
    assert a.height >= 3
    for seed in range(5):  # row order and thread scheduling must not change a bit
        assert a.equals(detect_all(pos.sample(fraction=1.0, shuffle=True, seed=seed), GFW))
    assert a.schema == pl.Schema(EVENT_SCHEMA)


def test_grid_pairs_finds_every_close_pair_across_cell_borders() -> None:
    rng = np.random.default_rng(1)
    n = 600
    lat = 60.0 + rng.uniform(0, 0.05, n)  # a crowded box at high latitude
    lon = 179.98 + rng.uniform(0, 0.04, n)
    lon = np.where(lon > 180, lon - 360, lon)  # across the antimeridian too
    i, j = grid_pairs(np.zeros(n, dtype=np.int64), lat, lon, 500.0)
    got = {(min(a, b), max(a, b)) for a, b in zip(i.tolist(), j.tolist(), strict=True)}
    d = haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    want = {(a, b) for a, b in zip(*np.nonzero(d <= 500.0), strict=True) if a < b}
    assert want <= got
    assert len(got) == len(i)  # each pair once


def test_dark_gap_with_where_it_went_dark_and_reappeared() -> None:
    a = _track(5, 10.0, 110.0, start_s=0, hours=2, speed_kn=10)
    b = _track(5, 10.5, 110.5, start_s=15 * 3600, hours=2, speed_kn=10)
    events = detect_all(pl.concat([a, b]), GFW)
    gaps = _types(events, "gap")
    assert gaps.height == 1
    ev = json.loads(gaps["evidence"][0])
    assert ev["hours"] == pytest.approx(13.0, abs=0.01)
    assert ev["reappeared_at"] == [pytest.approx(10.5, abs=1e-4), pytest.approx(110.5, abs=1e-4)]
    assert 2.2 < ev["implied_speed_kn"] < 2.6  # ≈ 58 km in 13 h
    shorter = GFW.replace(gap_min_s=14 * 3600)
    assert _types(detect_all(pl.concat([a, b]), shorter), "gap").height == 0


def test_dark_rendezvous_of_two_vessels() -> None:
    parts = []
    for mmsi, dx in ((41, 0.0), (42, 0.02)):
        parts.append(_track(mmsi, 12.0, 125.0 + dx, start_s=0, hours=2, speed_kn=8))
        parts.append(_track(mmsi, 12.05, 125.0 + dx, start_s=18 * 3600, hours=2, speed_kn=8))
    parts.append(_track(43, 12.0, 127.0, start_s=0, hours=2, speed_kn=8))  # went dark far away
    parts.append(_track(43, 12.05, 125.0, start_s=18 * 3600, hours=2, speed_kn=8))
    events = detect_all(pl.concat(parts), GFW)
    rv = _types(events, "dark_rendezvous")
    assert rv.select("mmsi", "mmsi_b").rows() == [(41, 42)]
    ev = json.loads(rv["evidence"][0])
    assert ev["dark_distance_m"] < 3_000 and ev["reappear_distance_m"] < 3_000
    assert _types(events, "gap").height == 3


def test_loitering_far_from_ports() -> None:
    events = detect_all(_track(9, 15.0, 115.0, start_s=0, hours=6, speed_kn=0.6), STS, load_ports())
    loit = _types(events, "loitering")
    assert loit.height == 1
    assert loit["duration_s"][0] >= 4 * 3600


def test_port_calls_and_area_entries(tmp_path: Path) -> None:
    nampho = next(p for p in load_ports().ports if p.name == "Nampho")
    pos = pl.concat([
        _track(77, nampho.lat, nampho.lon, start_s=0, hours=3, speed_kn=0.0),
        _track(77, nampho.lat, nampho.lon + 1.0, start_s=4 * 3600, hours=1, speed_kn=0.0),
    ])  # fmt: skip
    square = [[nampho.lon + 0.9, nampho.lat - 0.1], [nampho.lon + 1.1, nampho.lat - 0.1],
              [nampho.lon + 1.1, nampho.lat + 0.1], [nampho.lon + 0.9, nampho.lat + 0.1],
              [nampho.lon + 0.9, nampho.lat - 0.1]]  # fmt: skip
    gj = tmp_path / "areas.geojson"
    gj.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "box"},
                        "geometry": {"type": "Polygon", "coordinates": [square]},
                    }
                ],
            }
        )
    )
    events = detect_all(pos, GFW, load_ports(), load_areas(gj))
    calls = _types(events, "port_call")
    assert calls["area"].to_list() == ["Nampho"]
    assert calls["duration_s"][0] == pytest.approx(3 * 3600, abs=130)
    entries = _types(events, "area_entry")
    assert entries["area"].to_list() == ["box"]
    assert json.loads(entries["evidence"][0])["inside_at_first_fix"] is False


def test_bad_geojson_and_ports_name_the_place(tmp_path: Path) -> None:
    gj = tmp_path / "bad.geojson"
    gj.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "line"},
                        "geometry": {"type": "LineString", "coordinates": []},
                    }
                ],
            }
        )
    )
    with pytest.raises(InputError, match="feature 0 \\(line\\)"):
        load_areas(gj)
    csv = tmp_path / "ports.csv"
    csv.write_text("name,lat,lon\nA,10,20\nB,north,20\n")
    with pytest.raises(InputError, match=":3: column lat"):
        load_ports(csv)
    with pytest.raises(InputError, match="unknown preset"):
        get_preset("fast")
    with pytest.raises(InputError, match="resample_s must be greater than 0"):
        GFW.replace(resample_s=0)
    with pytest.raises(InputError, match="finite number"):
        GFW.replace(gap_min_s=-1)


def test_bundled_ports_cover_the_dprk() -> None:
    ports = load_ports()
    dprk = {p.name for p in ports.ports if p.lat > 37.5 and 124 < p.lon < 131}
    assert {"Nampho", "Chongjin", "Rajin", "Wonsan", "Hungnam"} <= dprk
    assert PortIndex([]).distance(np.array([1.0]), np.array([2.0]))[0] == np.inf


def test_real_traffic_and_storage_round_trip(marinecadastre_csv: Path, tmp_path: Path) -> None:
    store = AisStore(tmp_path / "ais")
    store.append_positions(load_marinecadastre(marinecadastre_csv))
    events = detect_all(store.positions(), GFW, load_ports())
    # The sample covers about 20 minutes per vessel: no encounter can last 2 h (SOURCES.md of the data).
    assert _types(events, "encounter").height == 0
    assert _types(events, "gap").height > 0
    assert events["event_id"].n_unique() == events.height
    path = write_events(events, store.events_dir, "gfw")
    assert path.name == "gfw.parquet" and not list(store.events_dir.glob(".*.tmp"))
    assert read_events(store.events_dir, "gfw").equals(events)
