"""Customer files in (CSV, XLSX, Parquet, JSON lines) and screening results out, on crafted files."""

from __future__ import annotations

import csv
import datetime as dt
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vigil.errors import InputError
from vigil.match.types import AlignedToken, Explanation, Hit, Query
from vigil.screening.files import (
    FLAT_COLUMNS,
    ColumnMapping,
    InputRecord,
    ReadReport,
    ResultWriter,
    neutralize_formula,
    parse_dob,
    read_records,
)

HEADER = ["customer_id", "name", "type", "dob", "country", "imo", "passport"]
ROWS = [
    ["C1", "Kim Jong Un", "individual", "1984-01-08", "KP", "", "PS123"],
    ["C2", "Korea Mining Development Trading Corp", "company", "", "KP", "", ""],
    ["C3", "Chon Ma San", "ship", "", "", "IMO 8660313", ""],
    ["C4", "Ri Pyong Chol", "", "1948", "", "", ""],
]
MAPPING = ColumnMapping(
    id_column="customer_id",
    type_column="type",
    dob_column="dob",
    country_column="country",
    imo_column="imo",
    identifier_columns=("passport",),
)
EXPECTED = [
    (
        "C1",
        Query(
            name="Kim Jong Un",
            schema="Person",
            dob="1984-01-08",
            country="KP",
            identifiers=["PS123"],
            id="C1",
        ),
    ),
    (
        "C2",
        Query(name="Korea Mining Development Trading Corp", schema="Organization", country="KP", id="C2"),
    ),
    ("C3", Query(name="Chon Ma San", schema="Vessel", identifiers=["IMO 8660313"], id="C3")),
    ("C4", Query(name="Ri Pyong Chol", dob="1948", id="C4")),
]


# ---------------------------------------------------------------------------
# Writing customer files in each input format
# ---------------------------------------------------------------------------


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[Any]], *, title_rows: int = 0) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for index in range(title_rows):
        sheet.append([f"Customer export, page header {index + 1}"] if index == 0 else [])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def write_parquet(path: Path, rows: list[list[str]]) -> Path:
    header, *data = rows
    columns = {name: [row[i] or None for row in data] for i, name in enumerate(header)}
    pq.write_table(pa.table(columns), path)
    return path


def write_jsonl(path: Path, rows: list[list[str]]) -> Path:
    header, *data = rows
    with path.open("w", encoding="utf-8") as handle:
        for row in data:
            handle.write(json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False) + "\n")
    return path


WRITERS: dict[str, Callable[[Path, list[list[str]]], Path]] = {
    ".csv": write_csv,
    ".xlsx": write_xlsx,
    ".parquet": write_parquet,
    ".jsonl": write_jsonl,
    ".ndjson": write_jsonl,
}


def customer_file(tmp_path: Path, suffix: str, rows: list[list[str]]) -> Path:
    return WRITERS[suffix](tmp_path / f"customers{suffix}", rows)


def read_all(path: Path, mapping: ColumnMapping = MAPPING, **options: Any) -> list[InputRecord]:
    return list(read_records(path, mapping, **options))


def error_of(path: Path, mapping: ColumnMapping = MAPPING, **options: Any) -> str:
    with pytest.raises(InputError) as caught:
        read_all(path, mapping, **options)
    message = str(caught.value)
    assert str(path) in message, message
    return message


# ---------------------------------------------------------------------------
# Reading: round trips
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", list(WRITERS))
def test_every_input_format_yields_the_customers(tmp_path: Path, suffix: str) -> None:
    path = customer_file(tmp_path, suffix, [HEADER, *ROWS])
    report = ReadReport()
    records = list(read_records(path, MAPPING, report=report))
    assert [(r.id, r.query) for r in records] == EXPECTED
    first_row = {".csv": 2, ".xlsx": 2, ".parquet": 1, ".jsonl": 1, ".ndjson": 1}[suffix]
    assert [r.row for r in records] == list(range(first_row, first_row + len(ROWS)))
    assert records[2].raw == dict(zip(HEADER, ROWS[2], strict=True))
    assert report.rows_read == report.rows_yielded == len(ROWS)
    assert report.rows_skipped == 0
    assert report.columns == HEADER


@pytest.mark.parametrize("suffix", list(WRITERS))
def test_without_id_column_the_row_number_is_the_id(tmp_path: Path, suffix: str) -> None:
    path = customer_file(tmp_path, suffix, [["name"], ["Kim Jong Un"], ["Ri Pyong Chol"]])
    records = read_all(path, ColumnMapping())
    assert [r.id for r in records] == [str(r.row) for r in records]
    assert [r.query.id for r in records] == [r.id for r in records]
    assert [r.query.name for r in records] == ["Kim Jong Un", "Ri Pyong Chol"]


def test_xlsx_header_found_below_title_rows_and_rows_are_spreadsheet_rows(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "shifted.xlsx", [HEADER, *ROWS], title_rows=3)
    report = ReadReport()
    records = list(read_records(path, MAPPING, report=report))
    assert [r.id for r in records] == ["C1", "C2", "C3", "C4"]
    assert [r.row for r in records] == [5, 6, 7, 8]  # header on row 4
    assert report.header_row == 4
    assert report.sheet == "Sheet"


def test_xlsx_picks_the_sheet_holding_the_name_column(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Instructions"
    workbook.active.append(["Fill in the second sheet"])
    data = workbook.create_sheet("Customers")
    data.append(["Name", "Date of birth"])
    data.append(["Kim Jong Un", dt.datetime(1984, 1, 8)])
    data.append([None, None])
    data.append(["Ri Pyong Chol", 1948])
    path = tmp_path / "two-sheets.xlsx"
    workbook.save(path)
    mapping = ColumnMapping(name_column="NAME", dob_column=" date  of birth ")
    records = read_all(path, mapping)
    assert [(r.row, r.query.name, r.query.dob) for r in records] == [
        (2, "Kim Jong Un", "1984-01-08"),
        (4, "Ri Pyong Chol", "1948"),
    ]


def test_cp1252_csv(tmp_path: Path) -> None:
    rows = [["name", "country"], ["Société Générale Müller’s", "FR"], ["Pjöngjang Trading", "KP"]]
    path = write_csv(tmp_path / "legacy.csv", rows, encoding="cp1252")
    report = ReadReport()
    records = list(read_records(path, ColumnMapping(country_column="country"), report=report))
    assert [r.query.name for r in records] == ["Société Générale Müller’s", "Pjöngjang Trading"]
    assert (report.format, report.encoding, report.delimiter) == ("csv", "cp1252", ",")


def test_utf8_csv_with_bom_and_korean_names(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bom.csv", [["name"], ["김정은"]], encoding="utf-8-sig")
    assert [r.query.name for r in read_all(path, ColumnMapping())] == ["김정은"]


@pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
def test_csv_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    # Commas inside the names must not fool the sniffer of a semicolon file.
    rows = [["id", "name", "dob"], ["1", "KIM, Jong Un", "08/01/1984"], ["2", "RI, Pyong Chol", "1948"]]
    path = write_csv(tmp_path / "customers.csv", rows, delimiter=delimiter)
    records = read_all(path, ColumnMapping(id_column="id", dob_column="dob"))
    assert [(r.id, r.query.name, r.query.dob) for r in records] == [
        ("1", "KIM, Jong Un", "1984-01-08"),
        ("2", "RI, Pyong Chol", "1948"),
    ]


def test_csv_header_below_a_title_line(tmp_path: Path) -> None:
    path = tmp_path / "titled.csv"
    path.write_text("Export of 2025-01-01\nid;name\n7;Kim Jong Un\n", encoding="utf-8")
    records = read_all(path, ColumnMapping(id_column="id"))
    assert [(r.row, r.id, r.query.name) for r in records] == [(3, "7", "Kim Jong Un")]


def test_tsv_extension_reads_tab_separated(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "customers.tsv", [["name", "dob"], ["Kim Jong Un", "1984"]], delimiter="\t")
    assert [r.query.dob for r in read_all(path, ColumnMapping(dob_column="dob"))] == ["1984"]


@pytest.mark.parametrize(
    ("value", "schema"),
    [
        ("person", "Person"),
        ("Individual", "Person"),
        ("ORGANIZATION", "Organization"),
        ("organisation", "Organization"),
        ("Company", "Organization"),
        ("entity", "Organization"),
        ("Vessel", "Vessel"),
        (" ship ", "Vessel"),
        ("", None),
    ],
)
def test_type_mapping(tmp_path: Path, value: str, schema: str | None) -> None:
    path = write_csv(tmp_path / "types.csv", [["name", "kind"], ["Chon Ma San", value]])
    [record] = read_all(path, ColumnMapping(type_column="kind"))
    assert record.query.schema == schema


def test_unknown_type_names_row_column_and_value(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "types.csv", [["name", "kind"], ["A", "person"], ["B", "aircraft"]])
    message = error_of(path, ColumnMapping(type_column="kind"))
    assert "row 3" in message
    assert "column 'kind'" in message
    assert "'aircraft'" in message


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("1964-07-17", "1964-07-17"),
        ("1964-07-17T00:00:00", "1964-07-17"),
        ("1964-07-17 00:00:00", "1964-07-17"),
        ("1964-07", "1964-07"),
        ("1964", "1964"),
        ("17/07/1964", "1964-07-17"),
        ("7/7/1964", "1964-07-07"),
        (" 01/12/1950 ", "1950-12-01"),
    ],
)
def test_dob_formats(tmp_path: Path, text: str, iso: str) -> None:
    assert parse_dob(text) == iso
    path = write_csv(tmp_path / "dob.csv", [["name", "dob"], ["Kim", text]])
    [record] = read_all(path, ColumnMapping(dob_column="dob"))
    assert record.query.dob == iso


@pytest.mark.parametrize(
    "text", ["07/17/1964", "31/02/1964", "1964-13-01", "17.07.1964", "sometime", "1700", "3000-01-01", "64"]
)
def test_invalid_dob_names_file_row_and_column(tmp_path: Path, text: str) -> None:
    assert parse_dob(text) is None
    path = write_csv(tmp_path / "dob.csv", [["name", "Birth date"], ["Kim", "1964"], ["Ri", text]])
    message = error_of(path, ColumnMapping(dob_column="birth date"))
    assert "row 3" in message
    assert "column 'Birth date'" in message
    assert repr(text) in message


def test_invalid_dob_in_xlsx_names_the_spreadsheet_row(tmp_path: Path) -> None:
    rows = [["name", "dob"], ["Kim", "1964"], ["Ri", "32/01/1990"]]
    path = write_xlsx(tmp_path / "dob.xlsx", rows, title_rows=2)
    message = error_of(path, ColumnMapping(dob_column="dob"))
    assert "row 5" in message
    assert "column 'dob'" in message


# ---------------------------------------------------------------------------
# Reading: skipped rows and errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", list(WRITERS))
def test_empty_names_are_skipped_and_counted(tmp_path: Path, suffix: str) -> None:
    rows = [["id", "name"], ["1", "Kim Jong Un"], ["2", "  "], ["3", ""], ["4", "Ri Pyong Chol"]]
    path = customer_file(tmp_path, suffix, rows)
    report = ReadReport()
    records = list(read_records(path, ColumnMapping(id_column="id"), report=report))
    assert [r.id for r in records] == ["1", "4"]
    assert report.rows_read == 4
    assert report.rows_yielded == 2
    assert report.skipped == {"empty name": 2}
    assert report.rows_skipped == 2
    assert len(report.skipped_rows["empty name"]) == 2
    assert "2 skipped (empty name: 2)" in report.summary()


def test_blank_rows_are_passed_over_not_skipped(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("name\nKim\n\n,\nRi\n", encoding="utf-8")
    report = ReadReport()
    records = list(read_records(path, ColumnMapping(), report=report))
    assert [(r.row, r.query.name) for r in records] == [(2, "Kim"), (5, "Ri")]
    assert report.blank_rows == 2
    assert report.rows_skipped == 0


@pytest.mark.parametrize("suffix", list(WRITERS))
def test_missing_name_column_lists_the_columns_found(tmp_path: Path, suffix: str) -> None:
    path = customer_file(tmp_path, suffix, [["customer", "birth"], ["Kim", "1964"]])
    message = error_of(path, ColumnMapping())
    assert "'name'" in message
    assert "'customer', 'birth'" in message


def test_missing_mapped_column_is_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [["name", "dob"], ["Kim", "1964"]])
    message = error_of(path, ColumnMapping(dob_column="dob", country_column="nationality"))
    assert "'nationality' (country_column)" in message
    assert "'name', 'dob'" in message


@pytest.mark.parametrize("suffix", list(WRITERS))
def test_huge_field_names_row_and_column(tmp_path: Path, suffix: str) -> None:
    rows = [["name", "notes"], ["Kim", "ok"], ["Ri", "x" * 20_000]]
    path = customer_file(tmp_path, suffix, rows)
    message = error_of(path, ColumnMapping())
    row = {".csv": 3, ".xlsx": 3, ".parquet": 2, ".jsonl": 2, ".ndjson": 2}[suffix]
    assert f"row {row}" in message
    assert "column 'notes'" in message
    assert "20,000 characters" in message


def test_field_past_the_csv_readers_own_limit_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text("name,notes\nKim,ok\nRi," + "x" * 200_000 + "\n", encoding="utf-8")
    message = error_of(path, ColumnMapping())
    assert "row 3" in message
    assert "limit" in message


def test_max_field_is_configurable(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [["name"], ["Kim Jong Un"]])
    assert len(read_all(path, ColumnMapping(), max_field=11)) == 1
    assert "row 2, column 'name'" in error_of(path, ColumnMapping(), max_field=10)


@pytest.mark.parametrize("suffix", list(WRITERS))
def test_file_over_max_bytes_is_refused(tmp_path: Path, suffix: str) -> None:
    path = customer_file(tmp_path, suffix, [HEADER, *ROWS])
    message = error_of(path, max_bytes=100)
    assert "larger than the limit of 100 bytes" in message


@pytest.mark.parametrize("suffix", list(WRITERS))
def test_binary_junk_is_refused(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"junk{suffix}"
    path.write_bytes(bytes(range(256)) * 64)
    error_of(path)


def test_binary_csv_names_the_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "junk.csv"
    path.write_bytes(b"name\nKim\x00\x01\x02\n")
    message = error_of(path, ColumnMapping())
    assert "byte 0x00 at byte offset 8" in message


def test_csv_neither_utf8_nor_cp1252_names_the_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"name\nM\xfcller\nabc\x81\n")  # 0xfc: not UTF-8; 0x81: undefined in cp1252
    message = error_of(path, ColumnMapping())
    assert "offset 6" in message  # the first byte that is not UTF-8
    assert "offset 15" in message  # the first byte that is not cp1252


def test_a_csv_that_is_really_xlsx_is_refused(tmp_path: Path) -> None:
    xlsx = write_xlsx(tmp_path / "real.xlsx", [["name"], ["Kim"]])
    path = tmp_path / "renamed.csv"
    path.write_bytes(xlsx.read_bytes())
    message = error_of(path, ColumnMapping())
    assert "XLSX" in message


def test_utf16_csv_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "utf16.csv", [["name"], ["Kim"]], encoding="utf-16")
    assert "UTF-16" in error_of(path, ColumnMapping())


def test_xlsx_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "fake.xlsx", [["name"], ["Kim"]])
    assert "not a valid XLSX" in error_of(path, ColumnMapping())


def test_xlsx_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 << 20))
    assert path.stat().st_size < 1 << 20
    assert "zip bomb" in error_of(path, ColumnMapping())


def test_xlsx_expanding_past_max_bytes_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "big.xlsx", [["name"], *[[f"Customer {i}"] for i in range(2000)]])
    size = path.stat().st_size
    message = error_of(path, ColumnMapping(), max_bytes=size + 1)
    assert "expands to" in message


def test_jsonl_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"name": "Kim"}\n\n{"name": "Ri"\n', encoding="utf-8")
    assert "line 3" in error_of(path, ColumnMapping())
    path.write_text('{"name": "Kim"}\n["Ri"]\n', encoding="utf-8")
    message = error_of(path, ColumnMapping())
    assert "line 2" in message
    assert "expected a JSON object" in message


def test_jsonl_values_of_any_json_type_become_text(tmp_path: Path) -> None:
    path = tmp_path / "types.jsonl"
    path.write_text('{"name": "Kim", "id": 12, "dob": 1964, "vip": true, "tags": ["a"], "x": null}\n')
    [record] = read_all(path, ColumnMapping(id_column="id", dob_column="dob"))
    assert record.id == "12"
    assert record.query.dob == "1964"
    assert record.raw == {"name": "Kim", "id": "12", "dob": "1964", "vip": "true", "tags": '["a"]', "x": ""}


def test_parquet_with_typed_columns(tmp_path: Path) -> None:
    path = tmp_path / "typed.parquet"
    table = pa.table(
        {
            "name": ["Kim Jong Un", "Ri Pyong Chol"],
            "id": pa.array([101, 102], pa.int64()),
            "dob": pa.array([dt.date(1984, 1, 8), None], pa.date32()),
        }
    )
    pq.write_table(table, path)
    records = read_all(path, ColumnMapping(id_column="id", dob_column="dob"))
    assert [(r.id, r.query.dob) for r in records] == [("101", "1984-01-08"), ("102", None)]


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "customers.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0junk")
    message = error_of(path, ColumnMapping())
    assert "unsupported" in message


def test_missing_file(tmp_path: Path) -> None:
    assert "cannot open" in error_of(tmp_path / "absent.csv", ColumnMapping())


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert "empty" in error_of(path, ColumnMapping())


def test_large_parquet_streams_every_row(tmp_path: Path) -> None:
    count = 200_000
    path = tmp_path / "large.parquet"
    schema = pa.schema([("id", pa.string()), ("name", pa.string()), ("country", pa.string())])
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, count, 50_000):
            numbers = range(start, start + 50_000)
            writer.write_table(
                pa.table(
                    {
                        "id": [f"C{n}" for n in numbers],
                        "name": [f"Customer {n}" for n in numbers],
                        "country": ["KP"] * len(numbers),
                    },
                    schema=schema,
                )
            )
    report = ReadReport()
    seen = 0
    last: InputRecord | None = None
    for record in read_records(path, ColumnMapping(id_column="id", country_column="country"), report=report):
        seen += 1
        last = record
    assert seen == count == report.rows_yielded
    assert last is not None
    assert (last.row, last.id, last.query.name) == (count, f"C{count - 1}", f"Customer {count - 1}")


# ---------------------------------------------------------------------------
# Writing results
# ---------------------------------------------------------------------------


def make_hit(party_id: str, score: float, name: str, refs: list[str]) -> Hit:
    explanation = Explanation(
        method="vigil-v1",
        name_score=score,
        aligned=[AlignedToken(query="kim", listed="kim", similarity=1.0, rule="exact")],
        features={"name": score, "dob": 0.05},
    )
    return Hit(
        party_id=party_id, score=score, matched_name=name, schema="Person", explanation=explanation, refs=refs
    )


HIT_A = make_hit("vgl-kp-1", 0.987654321, "KIM JONG UN", ["un:KPi.033", "ofac:12345"])
HIT_B = make_hit("vgl-kp-2", 0.81234, "KIM JONG IL", ["uk:DPR0123", "eu:EU.123.45"])


def record(row: int, name: str, **query: Any) -> InputRecord:
    return InputRecord(row=row, id=f"C{row}", query=Query(name=name, **query), raw={"name": name})


RESULTS: list[tuple[InputRecord, list[Hit]]] = [
    (record(2, "Kim Jong Un", schema="Person", dob="1984-01-08", country="KP"), [HIT_A, HIT_B]),
    (record(3, "Acme Trading Ltd", schema="Organization"), []),
    (record(4, "Kim Jong Il"), [HIT_B]),
]


def write_results(path: Path, results: list[tuple[InputRecord, list[Hit]]] = RESULTS, **options: Any) -> Path:
    with ResultWriter(path, **options) as writer:
        for input_record, hits in results:
            writer.write(input_record, hits)
    return path


def read_flat(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))
    workbook = openpyxl.load_workbook(path, read_only=True)
    header, *rows = workbook.active.iter_rows(values_only=True)
    workbook.close()
    # Trailing empty cells are not stored, so short rows are padded.
    return [dict(zip(header, [*row, *[None] * (len(header) - len(row))], strict=True)) for row in rows]


def read_nested(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return list(pq.read_table(path).to_pylist())


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_nested_outputs_keep_every_row_with_its_hits(tmp_path: Path, suffix: str) -> None:
    path = write_results(tmp_path / f"results{suffix}")
    results = read_nested(path)
    assert [(r["row"], r["id"], r["name"], r["type"], r["dob"], r["country"]) for r in results] == [
        (2, "C2", "Kim Jong Un", "Person", "1984-01-08", "KP"),
        (3, "C3", "Acme Trading Ltd", "Organization", None, None),
        (4, "C4", "Kim Jong Il", None, None, None),
    ]
    first = results[0]["hits"]
    assert [hit["party_id"] for hit in first] == ["vgl-kp-1", "vgl-kp-2"]
    assert first[0] == {
        "rank": 1,
        "party_id": "vgl-kp-1",
        "score": 0.9877,
        "refs": ["un:KPi.033", "ofac:12345"],
        "matched_name": "KIM JONG UN",
        "schema": "Person",
        "explanation": HIT_A.explanation.text(),
    }
    assert first[1]["refs"] == ["uk:DPR0123", "eu:EU.123.45"]
    assert first[1]["score"] == 0.8123
    assert results[1]["hits"] == []
    assert len(results[2]["hits"]) == 1


def test_parquet_hits_are_a_list_of_structs_in_row_groups(tmp_path: Path) -> None:
    many = [(record(n, f"Customer {n}"), [HIT_A] if n % 2 else []) for n in range(2, 27)]
    path = write_results(tmp_path / "results.parquet", many, row_group_size=10)
    parquet = pq.ParquetFile(path)
    hits_type = parquet.schema_arrow.field("hits").type
    assert pa.types.is_list(hits_type)
    assert pa.types.is_struct(hits_type.value_type)
    assert pa.types.is_list(hits_type.value_type.field("refs").type)
    assert parquet.metadata.num_row_groups == 3
    assert parquet.metadata.num_rows == 25


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_flat_outputs_have_a_row_per_hit_and_one_for_rows_without(tmp_path: Path, suffix: str) -> None:
    path = write_results(tmp_path / f"results{suffix}")
    rows = read_flat(path)
    assert list(rows[0]) == list(FLAT_COLUMNS)
    blank: Any = "" if suffix == ".csv" else None
    keys = [(str(r["row"]), r["id"], str(r["hit_rank"]), r["party_id"]) for r in rows]
    assert keys == [
        ("2", "C2", "1", "vgl-kp-1"),
        ("2", "C2", "2", "vgl-kp-2"),
        ("3", "C3", str(blank), blank),
        ("4", "C4", "1", "vgl-kp-2"),
    ]
    first = rows[0]
    assert float(first["score"]) == 0.9877
    assert first["refs"] == "un:KPi.033; ofac:12345"
    assert first["matched_name"] == "KIM JONG UN"
    assert first["explanation"] == HIT_A.explanation.text()
    assert first["dob"] == "1984-01-08"
    assert rows[2]["explanation"] == blank
    assert rows[2]["type"] == "Organization"


HOSTILE = ['=HYPERLINK("http://x","y")', "@SUM(1)", "+1+2", "-2+3", "\tcmd", "\r=cmd"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_formula_cells_are_neutralized(tmp_path: Path, suffix: str) -> None:
    evil_hit = make_hit("vgl-x", 0.9, "=cmd|' /C calc'!A0", [])
    results = [(record(n, name), [evil_hit]) for n, name in enumerate(HOSTILE, start=2)]
    path = write_results(tmp_path / f"results{suffix}", results)
    rows = read_flat(path)
    assert [row["name"] for row in rows] == ["'" + name for name in HOSTILE]
    assert rows[0]["name"] == '\'=HYPERLINK("http://x","y")'
    assert rows[1]["name"] == "'@SUM(1)"
    assert {row["matched_name"] for row in rows} == {"'=cmd|' /C calc'!A0"}
    if suffix == ".xlsx":
        workbook = openpyxl.load_workbook(path)
        cells = [cell for row in workbook.active.iter_rows() for cell in row]
        assert not any(cell.data_type == "f" for cell in cells)


def test_neutralize_formula_leaves_plain_text_alone() -> None:
    assert neutralize_formula("Kim Jong Un") == "Kim Jong Un"
    assert neutralize_formula("'quoted") == "'quoted"
    assert neutralize_formula("") == ""
    assert neutralize_formula("=1+1") == "'=1+1"


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".xlsx", ".parquet"])
def test_a_crash_mid_write_leaves_no_output_under_the_final_name(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"results{suffix}"
    with pytest.raises(RuntimeError), ResultWriter(path, row_group_size=1) as writer:
        for input_record, hits in RESULTS:
            writer.write(input_record, hits)
        raise RuntimeError("matcher crashed")
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []  # the temporary file is gone too


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_crash_keeps_the_previous_output_intact(tmp_path: Path, suffix: str) -> None:
    path = write_results(tmp_path / f"results{suffix}")
    before = path.read_bytes()
    with pytest.raises(RuntimeError), ResultWriter(path) as writer:
        writer.write(*RESULTS[0])
        raise RuntimeError("matcher crashed")
    assert path.read_bytes() == before


def test_output_appears_only_on_close(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    writer = ResultWriter(path)
    writer.write(*RESULTS[0])
    assert not path.exists()
    writer.close()
    assert path.exists()
    assert (writer.records_written, writer.hits_written) == (1, 2)
    with pytest.raises(ValueError, match="closed"):
        writer.write(*RESULTS[0])


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".xlsx", ".parquet"])
def test_empty_output_is_a_valid_file(tmp_path: Path, suffix: str) -> None:
    path = write_results(tmp_path / f"results{suffix}", [])
    assert path.exists()
    if suffix in (".csv", ".xlsx"):
        assert read_flat(path) == []
    else:
        assert read_nested(path) == []


def test_unsupported_output_extension_and_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unsupported output file type"):
        ResultWriter(tmp_path / "results.txt")
    with pytest.raises(InputError, match="does not exist"):
        ResultWriter(tmp_path / "absent" / "results.csv")


def test_csv_output_reads_back_as_a_customer_file(tmp_path: Path) -> None:
    path = write_results(tmp_path / "results.csv")
    records = read_all(path, ColumnMapping(id_column="id", dob_column="dob"))
    names = [r.query.name for r in records]
    assert names == ["Kim Jong Un", "Kim Jong Un", "Acme Trading Ltd", "Kim Jong Il"]
