"""Ingest of real and hostile AIS files (MarineCadastre CSV, Parquet, NMEA) into the store, and the CLI."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from pyais.encode import encode_dict

from vigil.errors import InputError
from vigil.maritime.ingest import detect_format, ingest_file, iter_nmea_blocks
from vigil.maritime.store import POSITIONS_SCHEMA, STATIC_SCHEMA, AisStore

HEADER = (
    "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,"
    "Length,Width,Draft,Cargo,TransceiverClass"
)


def test_marinecadastre_sample_is_ingested_whole(marinecadastre_store: AisStore) -> None:
    positions = marinecadastre_store.positions().collect()
    assert positions.schema == pl.Schema(POSITIONS_SCHEMA)
    assert positions.height == 99_999
    assert positions["mmsi"].n_unique() == 10_631  # as SOURCES.md states
    first = positions.filter(pl.col("mmsi") == 367379190).sort("ts").row(0, named=True)
    assert first["ts"] == datetime(2022, 1, 3, tzinfo=UTC)
    assert (first["lat"], first["lon"], first["sog"], first["cog"]) == (
        30.3706,
        -88.56408,
        0.0,
        pytest.approx(336.2),
    )
    assert first["heading"] is None  # 511 = not available
    static = marinecadastre_store.static().collect()
    assert static.schema == pl.Schema(STATIC_SCHEMA)
    eagle = static.filter(pl.col("mmsi") == 367379190).row(0, named=True)
    assert (eagle["name"], eagle["imo"], eagle["callsign"], eagle["ship_type"]) == (
        "EAGLE",
        8207721,
        "WTD4583",
        31,
    )
    assert (eagle["length"], eagle["width"], eagle["draught"]) == (28.0, 11.0, pytest.approx(3.3))


def test_bad_rows_are_reported_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                "367379190,2022-01-03T00:00:00,30.3706,-88.56408,0.0,336.2,511,EAGLE,IMO8207721,WTD4583,31,0,28,11,3.3,52,A",
                "notanmmsi,2022-01-03T00:00:01,30,-88,0,0,0,,,,,,,,,,A",
                "367379190,yesterday,30,-88,0,0,0,,,,,,,,,,A",
                "367379190,2022-01-03T00:00:02,91,181,102.3,360,511,EAGLE,IMO1234568,,,15,,,,,A",
                "367379190,2022-01-03T00:00:03,95,-200,150,10,10,EAGLE,,,,,,,,,A",
            ]
        )
        + "\n"
    )
    store = AisStore(tmp_path / "ais")
    summary = ingest_file(path, store)
    report = summary.report
    assert summary.format == "csv"
    assert report.rejected == {"row without a valid MMSI or time": 2}
    assert report.examples["row without a valid MMSI or time"] == [3, 4]
    assert report.nulled == {"lat out of range": 1, "lon out of range": 1, "sog out of range": 1}
    rows = store.positions().sort("ts").collect().to_dicts()
    assert len(rows) == 3
    assert [rows[1][k] for k in ("lat", "lon", "sog", "cog", "heading", "nav_status")] == [None] * 6
    # IMO1234568 fails the check digit: null
    assert store.static().filter(pl.col("imo").is_not_null()).collect()["imo"].unique().to_list() == [8207721]


def test_missing_columns_and_unreadable_files_are_clear_errors(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("MMSI,LAT,LON\n1,2,3\n")
    with pytest.raises(InputError, match=r"x.csv: missing column\(s\) ts"):
        ingest_file(path, AisStore(tmp_path / "ais"))
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really parquet")
    with pytest.raises(InputError, match=r"broken\.parquet"):
        ingest_file(broken, AisStore(tmp_path / "ais"))
    with pytest.raises(InputError, match="no such file"):
        ingest_file(tmp_path / "nope.csv", AisStore(tmp_path / "ais"))
    with pytest.raises(InputError, match="unknown AIS format"):
        ingest_file(path, AisStore(tmp_path / "ais"), "xml")


def test_parquet_export_round_trip(tmp_path: Path, marinecadastre_csv: Path) -> None:
    frame = pl.read_csv(marinecadastre_csv, infer_schema=False).head(5000)
    path = tmp_path / "mc.parquet"
    frame.write_parquet(path)
    assert detect_format(path) == "parquet"
    store = AisStore(tmp_path / "ais")
    summary = ingest_file(path, store)
    assert summary.report.positions == 5000
    assert store.positions().collect().height == 5000
    assert summary.vessels == frame["MMSI"].n_unique()


def test_nmea_gzip_file(tmp_path: Path) -> None:
    lines = []
    for i in range(50):
        for s in encode_dict(
            {"type": 1, "mmsi": 445000001, "lat": 39.0 + i / 100, "lon": 125.0, "speed": 5.0}
        ):
            lines.append(f"\\s:rx,c:{1641168000 + 60 * i}*00\\{s}")
    lines.append("!AIVDM,1,1,,A,garbage,0*00")
    path = tmp_path / "feed.nmea.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    assert detect_format(path) == "nmea"
    store = AisStore(tmp_path / "ais")
    summary = ingest_file(path, store)
    assert summary.report.positions == 50 and summary.vessels == 1
    assert summary.report.examples["bad checksum"] == [51]
    assert store.positions().select(pl.col("ts").max()).collect().item() == datetime(
        2022, 1, 3, 0, 49, tzinfo=UTC
    )


@pytest.mark.slow
def test_cli_ingest_json_summary(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text(
        HEADER + "\n"
        "445123456,2022-01-03T00:00:00,39.0,125.0,0.1,0,511,CHON MYONG 1,IMO8712362,,80,1,82,12,5,,A\n"
        "bad,row\n"
    )
    env = {**os.environ, "VIGIL_HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [sys.executable, "-m", "vigil.cli.main", "ais", "ingest", str(path), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["store"] == str(tmp_path / "home" / "ais")
    (entry,) = summary["files"]
    assert (entry["positions"], entry["vessels"], entry["rejected"]) == (
        1,
        1,
        {"row without a valid MMSI or time": 1},
    )
    assert entry["rejected_lines"] == {"row without a valid MMSI or time": [3]}
    bad = subprocess.run(
        [sys.executable, "-m", "vigil.cli.main", "ais", "ingest", str(tmp_path / "missing.csv")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert bad.returncode == 2 and "no such file" in bad.stdout + bad.stderr


def test_nmea_blocks_never_split_multipart_messages(tmp_path: Path) -> None:
    lines = []
    for i in range(300):
        for s in encode_dict({"type": 5, "mmsi": 445000000 + i, "shipname": f"SHIP {i}", "imo": 8712362}):
            lines.append(f"\\c:{1641168000 + i}*00\\{s}")
        lines.append("junk")
    path = tmp_path / "multi.nmea"
    path.write_text("\n".join(lines))  # no newline at the end
    blocks = list(iter_nmea_blocks(path, block_bytes=1000))
    assert len(blocks) > 10
    assert [offset for offset, _ in blocks] == list(
        itertools.accumulate([0] + [len(b) for _, b in blocks[:-1]])
    )
    store = AisStore(tmp_path / "ais")
    summary = ingest_file(path, store)
    assert summary.report.static == 300 and summary.vessels == 300
    assert summary.report.rejected == {"not an NMEA sentence": 300}
    assert summary.report.examples["not an NMEA sentence"][:3] == [3, 6, 9]
    assert store.static().collect()["name"].n_unique() == 300
