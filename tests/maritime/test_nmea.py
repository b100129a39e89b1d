"""The vectorized NMEA decoder, property-tested against pyais on generated messages, and its hostile input."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyais.encode import encode_dict

from vigil.maritime.nmea import decode_lines, decode_reference, lines_from_bytes, read_nmea_file

T0 = 1641168000  # 2022-01-03T00:00:00Z
SIXBIT = "ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?"

mmsis = st.integers(min_value=0, max_value=2**30 - 1)
texts = st.text(alphabet=SIXBIT, max_size=20)


@st.composite
def position_msg(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from([1, 2, 3, 18, 19]))
    msg: dict[str, Any] = {
        "type": kind,
        "mmsi": draw(mmsis),
        "lat": draw(st.integers(-(2**26), 2**26 - 1)) / 600000,
        "lon": draw(st.integers(-(2**27), 2**27 - 1)) / 600000,
        "speed": draw(st.integers(0, 1023)) / 10,
        "course": draw(st.integers(0, 4095)) / 10,
        "heading": draw(st.integers(0, 511)),
    }
    if kind < 18:
        msg["status"] = draw(st.integers(0, 15))
    if kind == 19:
        msg.update(
            shipname=draw(texts),
            ship_type=draw(st.integers(0, 255)),
            to_bow=draw(st.integers(0, 511)),
            to_stern=draw(st.integers(0, 511)),
            to_port=draw(st.integers(0, 63)),
            to_starboard=draw(st.integers(0, 63)),
        )
    return msg


@st.composite
def static_msg(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from([5, 24]))
    msg: dict[str, Any] = {"type": kind, "mmsi": draw(mmsis)}
    dims = {
        "to_bow": draw(st.integers(0, 511)),
        "to_stern": draw(st.integers(0, 511)),
        "to_port": draw(st.integers(0, 63)),
        "to_starboard": draw(st.integers(0, 63)),
    }
    if kind == 5:
        msg.update(
            imo=draw(st.one_of(st.integers(0, 2**30 - 1), st.sampled_from([8712362, 9066978, 0]))),
            callsign=draw(st.text(alphabet=SIXBIT, max_size=7)),
            shipname=draw(texts),
            ship_type=draw(st.integers(0, 255)),
            draught=draw(st.integers(0, 255)) / 10,
            **dims,
        )
    elif draw(st.booleans()):
        msg.update(partno=0, shipname=draw(texts))
    else:
        msg.update(
            partno=1,
            ship_type=draw(st.integers(0, 255)),
            callsign=draw(st.text(alphabet=SIXBIT, max_size=7)),
            **dims,
        )
    return msg


def _sentences(msgs: list[dict[str, Any]]) -> list[str]:
    lines = []
    for i, msg in enumerate(msgs):
        for sentence in encode_dict(msg, radio_channel="B", talker_id="AI", seq_id=i % 10):
            lines.append(f"\\s:test,c:{T0 + i}*00\\{sentence}")
    return lines


def _none(value: Any) -> Any:
    return None if value in ("", 0) else value


def _valid_imo(imo: int) -> int | None:
    digits = f"{imo:07d}"
    if not 1_000_000 <= imo <= 9_999_999:
        return None
    total = sum(int(d) * w for d, w in zip(digits[:6], range(7, 1, -1), strict=True))
    return imo if total % 10 == int(digits[6]) else None


def _expected_position(d: dict[str, Any]) -> dict[str, Any]:
    lat, lon, sog, cog, hdg = d["lat"], d["lon"], d["speed"], d["course"], d["heading"]
    status = d.get("status")
    return {
        "mmsi": d["mmsi"],
        "lat": lat if abs(lat) <= 90 else None,
        "lon": lon if abs(lon) <= 180 else None,
        "sog": sog if sog < 102.3 else None,
        "cog": cog if cog < 360 else None,
        "heading": float(hdg) if hdg < 360 else None,
        "nav_status": None if status is None or int(status) == 15 else int(status),
    }


def _expected_static(d: dict[str, Any]) -> dict[str, Any]:
    length = d["to_bow"] + d["to_stern"] if "to_bow" in d else None
    width = d["to_port"] + d["to_starboard"] if "to_port" in d else None
    return {
        "mmsi": d["mmsi"],
        "imo": _valid_imo(d["imo"]) if "imo" in d else None,
        "name": _none(d.get("shipname")),
        "callsign": _none(d.get("callsign")),
        "ship_type": int(d["ship_type"]) if "ship_type" in d else None,
        "length": _none(length),
        "width": _none(width),
        "draught": _none(d.get("draught")),
    }


def _approx_equal(got: dict[str, Any], want: dict[str, Any]) -> None:
    for key, value in want.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, abs=1e-4), key
        else:
            assert got[key] == value, key


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(position_msg(), static_msg()), min_size=1, max_size=25))
def test_vectorized_decoder_agrees_with_pyais(msgs: list[dict[str, Any]]) -> None:
    lines = _sentences(msgs)
    reference = decode_reference(lines)
    assert len(reference) == len(msgs)
    result = decode_lines(lines)
    assert result.report.rejected == {}
    want_pos = [_expected_position(d) for d in reference if d["msg_type"] in (1, 2, 3, 18, 19)]
    want_sta = [_expected_static(d) for d in reference if d["msg_type"] in (5, 19, 24)]
    got_pos = result.positions.to_dicts()
    got_sta = result.static.to_dicts()
    assert len(got_pos) == len(want_pos) and len(got_sta) == len(want_sta)

    # the decoder groups by message type; compare as multisets keyed by the whole row
    def key(row: dict[str, Any]) -> str:
        return repr(
            sorted(
                (k, round(v, 4) if isinstance(v, float) else v)
                for k, v in row.items()
                if k in ("mmsi", "nav_status", "name", "callsign", "ship_type", "imo")
            )
        )

    for got_rows, want_rows in ((got_pos, want_pos), (got_sta, want_sta)):
        got_sorted = sorted(got_rows, key=key)
        for got, want in zip(got_sorted, sorted(want_rows, key=key), strict=True):
            _approx_equal(got, want)


def test_multipart_tag_blocks_prefix_and_suffix_times() -> None:
    static = encode_dict(
        {
            "type": 5,
            "mmsi": 445123456,
            "imo": 8712362,
            "shipname": "CHON MYONG 1",
            "callsign": "HMYA",
            "ship_type": 80,
            "to_bow": 60,
            "to_stern": 22,
            "to_port": 6,
            "to_starboard": 6,
            "draught": 5.4,
        },
        seq_id=3,
    )
    assert len(static) == 2
    pos = encode_dict(
        {
            "type": 1,
            "mmsi": 445123456,
            "lat": 38.7,
            "lon": 125.2,
            "speed": 0.3,
            "course": 12.5,
            "heading": 511,
            "status": 1,
        }
    )[0]
    lines = [
        f"\\g:1-2-77,c:{T0}*00\\{static[0]}",
        f"\\g:2-2-77*00\\{static[1]}",
        f"1641168060 {pos}",
        f"2022-01-03T00:02:00Z,{pos}",
        f"{pos},1641168180",
        f"{pos},2022-01-03 00:04:00",
    ]
    result = decode_lines(lines)
    assert result.report.rejected == {}
    assert result.static.row(0, named=True) | {"ts": None} == {
        "mmsi": 445123456,
        "ts": None,
        "imo": 8712362,
        "name": "CHON MYONG 1",
        "callsign": "HMYA",
        "ship_type": 80,
        "length": 82.0,
        "width": 12.0,
        "draught": pytest.approx(5.4),
        "source": "nmea",
    }
    assert result.static["ts"][0] == datetime(2022, 1, 3, tzinfo=UTC)
    assert [t.minute for t in result.positions["ts"]] == [1, 2, 3, 4]
    assert result.positions["heading"].null_count() == 4
    assert result.positions["nav_status"].to_list() == [1] * 4


def test_garbage_bad_checksums_and_missing_times_are_counted_with_line_numbers() -> None:
    good = encode_dict({"type": 1, "mmsi": 366000001, "lat": 30.0, "lon": -88.0})[0]
    bad = good[:-2] + ("00" if not good.endswith("00") else "11")
    lines = [
        f"\\c:{T0}*00\\{good}",
        "hello world",
        f"\\c:{T0}*00\\{bad}",
        good,
        "",
        f"\\c:{T0}*00\\!AIVDM,1,1,,A,\x00\x01,0*00",
        f"\\c:{T0}*00\\$GPGGA,1,2,3*6A",
        "!AIVDM,2,2,9,A,0000,0*00",
    ]
    result = decode_lines(lines)
    report = result.report
    assert result.positions.height == 1
    assert report.examples["bad checksum"][0] == 3
    assert report.examples["no timestamp (no tag block c:, no receiver-log time)"] == [4]
    assert 2 in report.examples["not an NMEA sentence"]
    assert report.lines == 8
    assert sum(report.rejected.values()) >= 5


def test_incomplete_multipart_is_rejected() -> None:
    parts = encode_dict({"type": 5, "mmsi": 445000002, "shipname": "PAEK MA", "imo": 9066978}, seq_id=1)
    result = decode_lines(
        [f"\\c:{T0}*00\\{parts[0]}", f"\\c:{T0}*00\\{parts[0]}", f"\\c:{T0}*00\\{parts[1]}"]
    )
    assert result.static.height == 1 and result.static["name"][0] == "PAEK MA"
    assert result.report.examples["incomplete multi-part message"] == [1]


def test_chunks_do_not_split_multipart_messages() -> None:
    msgs = [{"type": 5, "mmsi": 445000000 + i, "shipname": f"SHIP {i}"} for i in range(40)]
    lines = _sentences(msgs)
    result = decode_lines(lines, chunk_size=7)
    assert result.report.rejected == {}
    assert sorted(result.static["name"].to_list()) == sorted(f"SHIP {i}" for i in range(40))


def test_hostile_bytes_and_gzip_files(tmp_path: Path) -> None:
    good = encode_dict({"type": 18, "mmsi": 338000001, "lat": 33.0, "lon": -117.0, "speed": 3.0})[0]
    data = b"\xff\xfe\x00junk\r\n" + f"\\c:{T0}*00\\{good}\r\n".encode() + bytes(range(256)) + b"\n"
    series = lines_from_bytes(data)
    assert len(series) == 4  # bytes(range(256)) holds a newline too
    assert decode_lines(series).positions.height == 1
    path = tmp_path / "log.nmea.gz"
    path.write_bytes(gzip.compress(data))
    assert decode_lines(read_nmea_file(path)).positions.height == 1
    assert decode_lines(pl.Series([], dtype=pl.Utf8)).positions.height == 0


def test_sentinels_become_nulls_and_out_of_range_values_are_counted() -> None:
    na = encode_dict(
        {
            "type": 1,
            "mmsi": 1,
            "lat": 91,
            "lon": 181,
            "speed": 102.3,
            "course": 360,
            "heading": 511,
            "status": 15,
        }
    )[0]
    odd = encode_dict(
        {"type": 1, "mmsi": 2, "lat": 95, "lon": -190, "speed": 50, "course": 400, "heading": 400}
    )[0]
    result = decode_lines([f"\\c:{T0}*00\\{na}", f"\\c:{T0}*00\\{odd}"])
    row = result.positions.row(0, named=True)
    assert [row[k] for k in ("lat", "lon", "sog", "cog", "heading", "nav_status")] == [None] * 6
    assert result.report.nulled == {
        "lat out of range": 1,
        "lon out of range": 1,
        "cog out of range": 1,
        "heading out of range": 1,
    }


def test_chunked_decode_equals_whole_decode() -> None:
    msgs: list[dict[str, Any]] = []
    for i in range(60):
        msgs.append({"type": 1, "mmsi": 366000000 + i, "lat": 30 + i / 100, "lon": -88.0, "speed": 1.0})
        if i % 4 == 0:
            msgs.append({"type": 5, "mmsi": 366000000 + i, "shipname": f"VESSEL {i}", "imo": 8712362})
    lines = _sentences(msgs)
    lines.insert(17, "garbage")
    whole = decode_lines(lines)
    chunked = decode_lines(lines, chunk_size=13)
    assert chunked.positions.sort("mmsi").equals(whole.positions.sort("mmsi"))
    assert chunked.static.sort("mmsi").equals(whole.static.sort("mmsi"))
    assert chunked.report.examples == whole.report.examples == {"not an NMEA sentence": [18]}
