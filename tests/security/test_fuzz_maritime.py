"""Fuzzing the AIS parsers: hostile NMEA lines and CSV exports are counted as rejects, never a crash.

NMEA: valid sentences (encoded with pyais, with and without tag blocks, single- and multi-part)
are mutated character by character and field by field, mixed with random text and bytes, and
decoded by :func:`vigil.maritime.nmea.decode_lines` (and :func:`lines_from_bytes` for raw
bytes). Tabular: the first rows of the real MarineCadastre export with hostile cells, and
byte-mutated copies, are ingested into an AIS store by :func:`ingest_table`. The only error
allowed is a :class:`vigil.errors.VigilError` (e.g. an InputError for a file that is not CSV).
"""

from __future__ import annotations

import csv
import gzip
import io
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from pyais.encode import encode_dict

from tests.conftest import SHARED_DATA
from tests.security.fuzzing import FUZZ, NASTY, byte_mutations, only_vigil_errors
from vigil.maritime.nmea import decode_lines, lines_from_bytes
from vigil.maritime.store import AisStore
from vigil.maritime.tabular import ingest_table

T0 = 1_641_168_000
SEEDS: list[str] = [
    *encode_dict({"type": 1, "mmsi": 445123456, "lat": 39.0, "lon": 125.7, "speed": 0.4, "course": 90.0}),
    *encode_dict({"type": 18, "mmsi": 366000001, "lat": 30.0, "lon": -88.0}),
    *encode_dict(
        {"type": 5, "mmsi": 445000002, "shipname": "PAEK MA", "imo": 9066978, "callsign": "HMXX"}, seq_id=1
    ),
    *encode_dict({"type": 24, "mmsi": 445000003, "partno": 0, "shipname": "CHON MA SAN"}),
]  # fmt: skip
SEEDS += [f"\\s:test,c:{T0 + i}*00\\{s}" for i, s in enumerate(SEEDS)]


@st.composite
def nmea_lines(draw: st.DrawFn) -> list[str]:
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        line = draw(st.sampled_from(SEEDS))
        how = draw(st.sampled_from(["keep", "field", "chars", "bytes", "random"]))
        if how == "field":
            parts = line.split(",")
            parts[draw(st.integers(0, len(parts) - 1))] = draw(NASTY)
            line = ",".join(parts)
        elif how == "chars":
            at = draw(st.integers(0, len(line)))
            line = line[:at] + draw(st.text(max_size=5)) + line[at + draw(st.integers(0, 5)) :]
        elif how == "bytes":
            line = draw(byte_mutations(line.encode())).decode("latin-1")
        elif how == "random":
            line = draw(NASTY)
        lines.append(line)
    return lines


@FUZZ
@given(lines=nmea_lines())
def test_nmea_lines_never_crash_the_decoder(lines: list[str]) -> None:
    def run() -> None:
        result = decode_lines(lines)
        assert result.report.lines == len(lines)

    only_vigil_errors(run)


@FUZZ
@given(data=st.data())
def test_nmea_bytes_never_crash_the_decoder(data: st.DataObject) -> None:
    seed = "\r\n".join(SEEDS).encode()
    raw = data.draw(st.one_of(byte_mutations(seed), st.binary(max_size=400)))
    only_vigil_errors(lambda: decode_lines(lines_from_bytes(raw)))


def _csv_seed() -> list[list[str]]:
    with gzip.open(SHARED_DATA / "ais" / "marinecadastre_2022-01-03_first99999.csv.gz", "rt") as handle:
        reader = csv.reader(handle)
        return [row for _, row in zip(range(8), reader, strict=False)]


_ROWS: list[list[str]] | None = None


def _rows() -> list[list[str]]:
    global _ROWS
    if _ROWS is None:
        _ROWS = _csv_seed()
    return [list(r) for r in _ROWS]


def _ingest(content: bytes, suffix: str = ".csv") -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"ais{suffix}"
        path.write_bytes(content)
        store = AisStore(Path(folder) / "store")
        only_vigil_errors(lambda: ingest_table(path, store, "parquet" if suffix == ".parquet" else "csv"))


@FUZZ
@given(data=st.data())
def test_ais_csv_with_hostile_cells(data: st.DataObject) -> None:
    rows = _rows()
    for _ in range(data.draw(st.integers(1, 8))):
        r = data.draw(st.integers(0 if data.draw(st.integers(0, 9)) == 0 else 1, len(rows) - 1))
        c = data.draw(st.integers(0, len(rows[r]) - 1))
        rows[r][c] = data.draw(
            st.one_of(
                NASTY, st.sampled_from(["1e309", "-1e309", "nan", "inf", "9" * 40, "2022-02-30T25:61:61"])
            )
        )
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    _ingest(buffer.getvalue().encode("utf-8", "surrogatepass"))


@FUZZ
@given(data=st.data(), packed=st.booleans())
def test_ais_csv_byte_mutations(data: st.DataObject, packed: bool) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(_rows())
    seed = buffer.getvalue().encode()
    if packed:
        seed = gzip.compress(seed, mtime=0)
    _ingest(data.draw(byte_mutations(seed)))


@FUZZ
@given(raw=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".parquet"]))
def test_ais_tables_of_random_bytes(raw: bytes, suffix: str) -> None:
    _ingest(raw, suffix)
