"""Fuzzing customer files (in) and result files (out).

In: CSV/TSV, XLSX, JSONL and Parquet files built from a valid sample with hostile cells, and
byte-mutated copies of each, must give records or an :class:`InputError` naming the file;
never another exception. Out: whatever text a customer file or a listed name holds, no cell
of a CSV or XLSX result starts with ``= + - @``, tab or carriage return (formula injection),
and no XLSX cell is a formula.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given
from hypothesis import strategies as st

from tests.screening.test_files import HEADER, MAPPING, ROWS, make_hit
from tests.security.fuzzing import FUZZ, NASTY, byte_mutations, only_vigil_errors
from vigil.errors import InputError
from vigil.match.types import Query
from vigil.screening.files import InputRecord, ResultWriter, read_records

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _mutated_rows(data: st.DataObject) -> list[list[str]]:
    rows = [list(HEADER), *(list(r) for r in ROWS)]
    for _ in range(data.draw(st.integers(1, 6))):
        r = data.draw(st.integers(0 if data.draw(st.integers(0, 9)) == 0 else 1, len(rows) - 1))
        c = data.draw(st.integers(0, len(HEADER) - 1))
        rows[r][c] = data.draw(NASTY)
    return rows


def _csv_bytes(rows: list[list[str]], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode("utf-8", "surrogatepass")


def _xlsx_bytes(rows: list[list[str]]) -> bytes:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _jsonl_bytes(rows: list[list[str]]) -> bytes:
    header, *body = rows
    lines = [json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False) for row in body]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def _parquet_bytes(rows: list[list[str]]) -> bytes:
    header, *body = rows
    names = list(dict.fromkeys(header))  # parquet needs distinct column names
    table = pa.table({n: [row[header.index(n)] for row in body] for n in names})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


BUILDERS = {
    ".csv": _csv_bytes,
    ".tsv": lambda rows: _csv_bytes(rows, "\t"),
    ".xlsx": _xlsx_bytes,
    ".jsonl": _jsonl_bytes,
    ".parquet": _parquet_bytes,
}


_SEEDS: dict[str, bytes] = {}


def _seed(suffix: str) -> bytes:
    """The valid sample in each format, built once (XLSX embeds the time: it must not change mid-run)."""
    if suffix not in _SEEDS:
        _SEEDS[suffix] = BUILDERS[suffix]([list(HEADER), *(list(r) for r in ROWS)])
    return _SEEDS[suffix]


def _read(suffix: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"customers{suffix}"
        path.write_bytes(content)

        def run() -> None:
            for record in read_records(path, MAPPING, max_field=4096):
                assert record.query.name.strip()

        error = only_vigil_errors(run)
        if error is not None:
            assert isinstance(error, InputError), repr(error)
            assert str(path) in str(error) or path.name in str(error), str(error)


def test_samples_are_valid() -> None:
    rows = [list(HEADER), *(list(r) for r in ROWS)]
    for suffix, build in BUILDERS.items():
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"customers{suffix}"
            path.write_bytes(build(rows))
            assert len(list(read_records(path, MAPPING))) == len(ROWS), suffix


@FUZZ
@given(suffix=st.sampled_from(sorted(BUILDERS)), data=st.data())
def test_customer_files_with_hostile_cells(suffix: str, data: st.DataObject) -> None:
    rows = _mutated_rows(data)
    try:
        content = BUILDERS[suffix](rows)
    except (pa.ArrowException, UnicodeEncodeError):  # the writer itself refuses: not a file
        return
    _read(suffix, content)


@FUZZ
@given(suffix=st.sampled_from(sorted(BUILDERS)), data=st.data())
def test_customer_files_byte_mutated(suffix: str, data: st.DataObject) -> None:
    _read(suffix, data.draw(byte_mutations(_seed(suffix))))


@FUZZ
@given(suffix=st.sampled_from(sorted(BUILDERS)), raw=st.binary(max_size=400))
def test_customer_files_random_bytes(suffix: str, raw: bytes) -> None:
    _read(suffix, raw)


def test_gigantic_field_is_refused_with_its_place(tmp_path: Path) -> None:
    """A 5 MB name cell is refused naming the file and the row (not read into a match query)."""
    rows = [list(HEADER), *(list(r) for r in ROWS)]
    rows[2][1] = "A" * 5_000_000
    path = tmp_path / "customers.csv"
    path.write_bytes(_csv_bytes(rows))
    error = only_vigil_errors(lambda: list(read_records(path, MAPPING)))
    assert isinstance(error, InputError)
    message = str(error)
    assert "customers.csv" in message and "row 3" in message, message


def test_gigantic_line_without_newlines_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes(b"name,customer_id\n" + b'"' + b"x" * 30_000_000)
    error = only_vigil_errors(lambda: list(read_records(path, MAPPING)))
    assert isinstance(error, InputError), error


# ---------------------------------------------------------------- formula injection in results

FORMULA_TEXT = st.one_of(
    NASTY,
    st.builds(lambda p, t: p + t, st.sampled_from(FORMULA_STARTS), st.text(max_size=20)),
)


@FUZZ
@given(
    suffix=st.sampled_from([".csv", ".xlsx"]),
    ident=FORMULA_TEXT,
    name=FORMULA_TEXT,
    country=FORMULA_TEXT,
    matched=FORMULA_TEXT,
    ref=FORMULA_TEXT,
    party=FORMULA_TEXT,
)
def test_no_result_cell_can_run_as_a_formula(
    suffix: str, ident: str, name: str, country: str, matched: str, ref: str, party: str
) -> None:
    record = InputRecord(
        row=2, id=ident, query=Query(name=name or "x", country=country or None), raw={"name": name}
    )
    hit = make_hit(party or "p", 0.9, matched, [ref, "un:KPi.033"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"results{suffix}"
        try:
            with ResultWriter(path) as writer:
                writer.write(record, [hit])
        except InputError:
            return  # e.g. a cell over XLSX's limit: refused, nothing written
        cells: list[object] = []
        if suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as handle:
                for row in csv.reader(handle):
                    cells.extend(row)
        else:
            workbook = openpyxl.load_workbook(path)
            sheet = workbook.active
            assert sheet is not None
            for xl_row in sheet.iter_rows():
                for cell in xl_row:
                    assert cell.data_type != "f", cell.value
                    cells.append(cell.value)
    for value in cells:
        if isinstance(value, str):
            assert not value.startswith(FORMULA_STARTS), value


def test_regressions_found_by_the_fuzzers(tmp_path: Path) -> None:
    """Each was an unhandled exception before: now an InputError naming the file."""
    tiny = tmp_path / "tiny.parquet"
    tiny.write_bytes(b"PA")  # OSError: seek before the start of the file
    bad_text = tmp_path / "bad-text.parquet"
    rows = [list(HEADER), *(list(r) for r in ROWS)]
    header, *body = rows
    buffer = io.BytesIO()
    pq.write_table(
        pa.table({n: [r[header.index(n)] for r in body] for n in header}), buffer, compression="none"
    )
    data = buffer.getvalue()
    assert data.count(b"Kim Jong Un") >= 1
    bad_text.write_bytes(data.replace(b"Kim Jong Un", b"\x80im Jong Un"))  # UnicodeDecodeError
    for path in (tiny, bad_text):
        error = only_vigil_errors(lambda path=path: list(read_records(path, MAPPING)))  # type: ignore[misc]
        assert isinstance(error, InputError) and path.name in str(error), error
