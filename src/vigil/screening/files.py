"""Customer files in and screening results out, for batch screening.

Reading (:func:`read_records`) streams :class:`InputRecord` objects from a customer file
whose extension picks the format:

- ``.csv`` / ``.tsv``: UTF-8 (with or without BOM), else cp1252; the delimiter (``,`` ``;``
  tab ``|``) is the one that splits a line of the first ten into cells holding the name column.
- ``.xlsx``: the first worksheet whose first ten rows hold the name column; the zip container is
  vetted (size, compression ratio) before openpyxl opens it.
- ``.parquet``: read in record batches, so millions of rows stream in flat memory.
- ``.jsonl`` / ``.ndjson``: one JSON object per line; the first object's keys act as the header.

``InputRecord.row`` is the number a user looks for: the spreadsheet row for XLSX and for CSV
(the record number counting the header and any title or blank rows, as a spreadsheet shows it),
the line number for JSON lines, the 1-based row index for Parquet. Column names in the mapping
are matched case-insensitively, ignoring surrounding and repeated whitespace.

Writing (:class:`ResultWriter`) puts one result per input row into ``.jsonl``, ``.parquet``
(hits nested as ``list<struct>``), ``.csv`` or ``.xlsx`` (one row per hit, and one row with empty
hit columns for an input row without hits). Output goes to a temporary file next to the final
one and is renamed on :meth:`ResultWriter.close`, so a crash never leaves a half-written file
under the final name. Text cells of CSV/XLSX that a spreadsheet would run as a formula are
neutralized (:func:`neutralize_formula`).

Every problem with a customer file is an :class:`vigil.errors.InputError` whose message names
the file and, where known, the row and the column.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from vigil.errors import InputError, ListFormatError
from vigil.match.types import Hit, Query
from vigil.sources.safe_io import check_zip_archive

__all__ = [
    "DEFAULT_MAX_FIELD",
    "DEFAULT_MAX_INPUT_BYTES",
    "DEFAULT_ROW_GROUP_SIZE",
    "FLAT_COLUMNS",
    "INPUT_FORMATS",
    "OUTPUT_FORMATS",
    "ColumnMapping",
    "InputRecord",
    "ReadReport",
    "ResultWriter",
    "neutralize_formula",
    "parse_dob",
    "read_records",
]

log = logging.getLogger(__name__)

DEFAULT_MAX_INPUT_BYTES = 1 << 30
"""The largest customer file accepted (bytes on disk; for XLSX also the expanded size)."""
DEFAULT_MAX_FIELD = 10_000
"""The longest cell accepted, in characters."""
DEFAULT_ROW_GROUP_SIZE = 10_000
"""Input rows per Parquet row group when writing results."""

HEADER_SEARCH_ROWS = 10
_BATCH_ROWS = 10_000
_SKIP_WARNINGS = 10  # skipped rows logged one by one per reason; the rest only counted
_CSV_DELIMITERS = (",", ";", "\t", "|")
_MAX_COLUMNS = 16_384  # as many as a spreadsheet holds


# ---------------------------------------------------------------------------
# Public records
# ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ColumnMapping:
    """Which columns of a customer file hold what.

    ``identifier_columns`` are extra identifier columns (passport, crypto address, BIC...);
    their values and the IMO number join ``Query.identifiers``. ``address_column`` is checked
    to exist and kept in ``InputRecord.raw`` for later use.
    """

    name_column: str = "name"
    id_column: str | None = None
    type_column: str | None = None
    dob_column: str | None = None
    country_column: str | None = None
    imo_column: str | None = None
    identifier_columns: tuple[str, ...] = ()
    address_column: str | None = None

    def __post_init__(self) -> None:
        if not self.name_column.strip():
            raise ValueError("ColumnMapping.name_column must not be empty")
        if isinstance(self.identifier_columns, str):
            raise TypeError("ColumnMapping.identifier_columns is a tuple of column names, not a string")

    def configured_columns(self) -> list[tuple[str, str]]:
        """(mapping field, column name) of every column configured, the name column first."""
        pairs = [("name_column", self.name_column)]
        for attr in ("id_column", "type_column", "dob_column", "country_column", "imo_column"):
            value = getattr(self, attr)
            if value is not None:
                pairs.append((attr, value))
        pairs.extend(("identifier_columns", column) for column in self.identifier_columns)
        if self.address_column is not None:
            pairs.append(("address_column", self.address_column))
        return pairs


@dataclass(slots=True)
class InputRecord:
    """One customer row made ready to screen.

    ``row`` is the row number the user sees (see the module docstring), ``id`` the value of the
    id column or, without one (or when blank), the row number as text; ``raw`` the original row,
    every cell as text (blank cells as ``""``).
    """

    row: int
    id: str
    query: Query
    raw: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True, kw_only=True)
class ReadReport:
    """What reading a customer file did; filled in while :func:`read_records` is iterated.

    ``format`` is the reader used (``csv``, ``xlsx``, ``parquet``, ``jsonl``); ``encoding`` and
    ``delimiter`` are set for CSV, ``sheet`` for XLSX. ``rows_read`` counts data rows that were
    not blank; ``skipped`` maps a reason (``empty name``) to the number of rows skipped for it
    and ``skipped_rows`` to their first row numbers.
    """

    path: str = ""
    format: str = ""
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = None
    columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_yielded: int = 0
    blank_rows: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    skipped_rows: dict[str, list[int]] = field(default_factory=dict)

    @property
    def rows_skipped(self) -> int:
        return sum(self.skipped.values())

    def skip(self, reason: str, row: int) -> None:
        count = self.skipped.get(reason, 0) + 1
        self.skipped[reason] = count
        if count <= _SKIP_WARNINGS:
            self.skipped_rows.setdefault(reason, []).append(row)
            log.warning("row skipped", extra={"path": self.path, "row": row, "reason": reason})

    def summary(self) -> str:
        """One line a person can read: ``1,000 rows read, 998 to screen, 2 skipped (empty name: 2)``."""
        text = f"{self.rows_read:,} rows read, {self.rows_yielded:,} to screen"
        if self.skipped:
            reasons = ", ".join(f"{reason}: {count:,}" for reason, count in sorted(self.skipped.items()))
            text += f", {self.rows_skipped:,} skipped ({reasons})"
        return text


# ---------------------------------------------------------------------------
# Field values
# ---------------------------------------------------------------------------

_SCHEMAS = {
    "person": "Person",
    "individual": "Person",
    "organization": "Organization",
    "organisation": "Organization",
    "company": "Organization",
    "entity": "Organization",
    "vessel": "Vessel",
    "ship": "Vessel",
}

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})")
_YEAR = re.compile(r"\d{4}")
_DAY_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_EARLIEST_YEAR = 1800


def parse_dob(text: str) -> str | None:
    """A date of birth as an ISO prefix (``1964``, ``1964-07``, ``1964-07-17``), or None if invalid.

    Accepted: a year (``1964``), an ISO year-month (``1964-07``), an ISO date (``1964-07-17``,
    optionally followed by a time, which is dropped) and a day-first date ``dd/mm/yyyy``
    (``17/07/1964``, ``7/7/1964``). US month-first dates are not accepted: ``07/17/1964`` is
    invalid. Dates must exist, lie after 1800 and not in the future.
    """
    text = text.strip()
    today = dt.date.today()
    year = month = day = None
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _YEAR_MONTH.fullmatch(text):
        year, month = int(match.group(1)), int(match.group(2))
    elif _YEAR.fullmatch(text):
        year = int(text)
    if year is None or not _EARLIEST_YEAR <= year <= today.year:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12 or (year, month) > (today.year, today.month):
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    return None if date > today else date.isoformat()


def _cell_text(value: Any) -> str:
    """Any cell value of XLSX, Parquet or JSON as the text a user would read."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value) if value == value else ""  # NaN is blank
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return json.dumps(value, ensure_ascii=False, default=str)


def _header_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _header_names(cells: list[str]) -> list[str]:
    """Header cells as unique column names: blanks become ``column N``, repeats ``name (2)``."""
    names: list[str] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells, start=1):
        base = cell.strip() or f"column {index}"
        name, count = base, 1
        while name in seen:
            count += 1
            name = f"{base} ({count})"
        seen.add(name)
        names.append(name)
    return names


def _row_dict(names: list[str], values: list[str]) -> dict[str, str]:
    raw = dict(zip(names, values, strict=False))
    if len(values) > len(names):
        for index in range(len(names), len(values)):
            if values[index].strip():
                raw[f"column {index + 1}"] = values[index]
    else:
        for name in names[len(values) :]:
            raw[name] = ""
    return raw


# ---------------------------------------------------------------------------
# Reading: shared state, header resolution and record building
# ---------------------------------------------------------------------------


def _where(path: Path, row: int | None = None, column: str | None = None) -> str:
    place = str(path)
    if row is not None:
        place += f", row {row}"
    if column is not None:
        place += f", column {column!r}"
    return place


def _listing(columns: list[str]) -> str:
    shown = ", ".join(repr(column) for column in columns[:50] if column)
    if len(columns) > 50:
        shown += f", … ({len(columns)} in all)"
    return shown or "none"


@dataclass(slots=True)
class _Resolved:
    name: str
    id: str | None
    type: str | None
    dob: str | None
    country: str | None
    imo: str | None
    identifiers: tuple[str, ...]


@dataclass(slots=True)
class _ReadState:
    path: Path
    mapping: ColumnMapping
    report: ReadReport
    max_bytes: int
    max_field: int
    columns: _Resolved | None = None

    def set_header(self, names: list[str], *, where: str = "", header_row: int | None = None) -> None:
        """Resolve the mapping against the header; every configured column must be present."""
        self.report.columns = list(names)
        self.report.header_row = header_row
        by_key: dict[str, str] = {}
        for name in names:
            by_key.setdefault(_header_key(name), name)
        found: dict[str, str] = {}
        missing: list[str] = []
        for attr, column in self.mapping.configured_columns():
            actual = by_key.get(_header_key(column))
            if actual is None:
                missing.append(f"{column!r} ({attr})")
            else:
                found[column] = actual
        if missing:
            raise InputError(
                f"{self.path}: column{'s' if len(missing) > 1 else ''} {', '.join(missing)} not found"
                f"{where}; columns found: {_listing(names)}"
            )

        def pick(column: str | None) -> str | None:
            return None if column is None else found[column]

        mapping = self.mapping
        self.columns = _Resolved(
            name=found[mapping.name_column],
            id=pick(mapping.id_column),
            type=pick(mapping.type_column),
            dob=pick(mapping.dob_column),
            country=pick(mapping.country_column),
            imo=pick(mapping.imo_column),
            identifiers=tuple(found[column] for column in mapping.identifier_columns),
        )

    def build(self, row: int, raw: dict[str, str]) -> InputRecord | None:
        """The record of one data row, None for a blank or skipped row (counted in the report)."""
        columns = self.columns
        assert columns is not None, "a reader yields rows only after set_header()"
        blank = True
        for column, value in raw.items():
            if len(value) > self.max_field:
                raise InputError(
                    f"{_where(self.path, row, column)}: field of {len(value):,} characters is longer "
                    f"than the limit of {self.max_field:,}"
                )
            if blank and value.strip():
                blank = False
        if blank:
            self.report.blank_rows += 1
            return None
        self.report.rows_read += 1
        name = " ".join(raw.get(columns.name, "").split())
        if not name:
            self.report.skip("empty name", row)
            return None
        schema = None
        if columns.type is not None:
            value = raw.get(columns.type, "").strip()
            if value:
                schema = _SCHEMAS.get(value.casefold())
                if schema is None:
                    raise InputError(
                        f"{_where(self.path, row, columns.type)}: unknown type {value!r} "
                        "(expected person/individual, organization/organisation/company/entity, "
                        "vessel/ship, or blank)"
                    )
        dob = None
        if columns.dob is not None:
            value = raw.get(columns.dob, "").strip()
            if value:
                dob = parse_dob(value)
                if dob is None:
                    raise InputError(
                        f"{_where(self.path, row, columns.dob)}: invalid date of birth {value!r} "
                        "(expected YYYY-MM-DD, YYYY-MM, YYYY or dd/mm/yyyy)"
                    )
        country = None
        if columns.country is not None:
            country = raw.get(columns.country, "").strip() or None
        identifiers: list[str] = []
        for source in (columns.imo, *columns.identifiers):
            if source is not None:
                value = raw.get(source, "").strip()
                if value:
                    identifiers.append(value)
        record_id = str(row)
        if columns.id is not None:
            record_id = raw.get(columns.id, "").strip() or record_id
        query = Query(
            name=name, schema=schema, dob=dob, country=country, identifiers=identifiers, id=record_id
        )
        self.report.rows_yielded += 1
        return InputRecord(row=row, id=record_id, query=query, raw=raw)


def _check_file(path: Path, max_bytes: int) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot open: {exc.strerror or exc}") from exc
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    if size == 0:
        raise InputError(f"{path}: file is empty")
    if size > max_bytes:
        raise InputError(f"{path}: file of {size:,} bytes is larger than the limit of {max_bytes:,} bytes")


_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an XLSX workbook?)"),
    (b"\xd0\xcf\x11\xe0", "a legacy Excel .xls (OLE2) file; save it as .xlsx or CSV"),
    (b"PAR1", "a Parquet file"),
    (b"%PDF", "a PDF document"),
    (b"\xff\xfe", "UTF-16 text; save it as UTF-8"),
    (b"\xfe\xff", "UTF-16 text; save it as UTF-8"),
)


def _refuse_other_formats(path: Path, head: bytes, expected: str) -> None:
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise InputError(f"{path}: expected {expected}, but the file is {what}")


# ---------------------------------------------------------------------------
# Reading: one function per format, yielding (row number, raw row)
# ---------------------------------------------------------------------------

Rows = Generator[tuple[int, dict[str, str]], None, None]

# Control bytes no text file holds (tab, LF, VT, FF, CR and the DOS end-of-file 0x1A allowed).
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x19\x1b-\x1f]")
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_UTF8_BOM = codecs.BOM_UTF8


def _text_encoding(path: Path) -> str:
    """``utf-8-sig`` or ``cp1252`` for a text file, after refusing binary data; one streaming pass.

    A control byte refuses the file as binary. UTF-8 validity is checked with an incremental
    decoder; cp1252 accepts every byte but five, so its check is a byte search.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_error: int | None = None
    cp1252_error: int | None = None
    offset = 0
    with path.open("rb") as handle:
        head = handle.read(8)
        _refuse_other_formats(path, head, "CSV text")
        handle.seek(0)
        if head.startswith(_UTF8_BOM):
            handle.seek(len(_UTF8_BOM))
            offset = len(_UTF8_BOM)
        while chunk := handle.read(1 << 20):
            control = _CONTROL_BYTES.search(chunk)
            if control is not None:
                where = offset + control.start()
                raise InputError(
                    f"{path}: not a text file (binary byte 0x{chunk[control.start()]:02x} at byte "
                    f"offset {where:,})"
                )
            if cp1252_error is None and (bad := _CP1252_UNDEFINED.search(chunk)) is not None:
                cp1252_error = offset + bad.start()
            if utf8_error is None:
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    utf8_error = offset - pending + exc.start
            offset += len(chunk)
        if utf8_error is None:
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as exc:
                utf8_error = offset - pending + exc.start
    if utf8_error is None:
        return "utf-8-sig"
    if cp1252_error is None:
        return "cp1252"
    raise InputError(
        f"{path}: not valid text in UTF-8 (bad byte at offset {utf8_error:,}) "
        f"nor in cp1252 (bad byte at offset {cp1252_error:,})"
    )


def _sniff_delimiter(sample: str, name_key: str) -> str:
    """The delimiter that splits one of the first lines into cells holding the name column.

    Failing that, the candidate seen most often in the first non-blank line (comma on a tie).
    """
    lines = [line for line in sample.splitlines() if line.strip()][:HEADER_SEARCH_ROWS]
    for line in lines:
        for delimiter in _CSV_DELIMITERS:
            cells = next(csv.reader([line], delimiter=delimiter), [])
            if any(_header_key(cell) == name_key for cell in cells):
                return delimiter
    if not lines:
        return ","
    counts = {delimiter: lines[0].count(delimiter) for delimiter in _CSV_DELIMITERS}
    best = max(_CSV_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > 0 else ","


def _find_header(
    state: _ReadState, rows: Iterator[tuple[int, list[str]]]
) -> tuple[int, list[str]] | list[tuple[int, list[str]]]:
    """The header (row number, cells) among the first rows; or the rows seen, when not found."""
    name_key = _header_key(state.mapping.name_column)
    seen: list[tuple[int, list[str]]] = []
    for number, cells in rows:
        if any(_header_key(cell) == name_key for cell in cells):
            return number, cells
        seen.append((number, cells))
        if len(seen) >= HEADER_SEARCH_ROWS:
            break
    return seen


def _columns_seen(seen: list[tuple[int, list[str]]], where: str) -> str:
    """``columns found in sheet 'X' (row 1): 'a', 'b'`` from the first non-blank row seen."""
    for number, cells in seen:
        if any(cell.strip() for cell in cells):
            return f"columns found{where} (row {number}): {_listing([cell.strip() for cell in cells])}"
    return f"no columns found{where}"


def _no_name_column(state: _ReadState, found: list[str]) -> InputError:
    return InputError(
        f"{state.path}: no name column {state.mapping.name_column!r} in the first "
        f"{HEADER_SEARCH_ROWS} rows; {'; '.join(found)}"
    )


def _read_csv(state: _ReadState) -> Rows:
    path = state.path
    encoding = _text_encoding(path)
    with path.open("r", encoding=encoding, newline="") as handle:
        delimiter = _sniff_delimiter(handle.read(1 << 16), _header_key(state.mapping.name_column))
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter)
        numbered = enumerate(reader, start=1)
        number = 0
        try:
            found = _find_header(state, numbered)
            if isinstance(found, list):
                raise _no_name_column(state, [_columns_seen(found, "")])
            header_row, cells = found
            names = _header_names(cells)
            state.report.format = "csv"
            state.report.encoding = encoding
            state.report.delimiter = delimiter
            state.set_header(names, where=f" in header row {header_row}", header_row=header_row)
            number = header_row
            for number, values in numbered:
                if len(values) > _MAX_COLUMNS:
                    raise InputError(
                        f"{_where(path, number)}: {len(values):,} cells, more than the limit of "
                        f"{_MAX_COLUMNS:,} columns (the wrong delimiter?)"
                    )
                yield number, _row_dict(names, values)
        except csv.Error as exc:
            if "field limit" in str(exc):
                # The csv module stops a field at its own (process-wide) limit before max_field
                # can be checked, so the column is not known here.
                limit = csv.field_size_limit()
                raise InputError(
                    f"{_where(path, number + 1)}: a field is longer than the CSV reader's limit of "
                    f"{limit:,} characters (and the limit of {state.max_field:,})"
                ) from exc
            raise InputError(f"{_where(path, number + 1)}: malformed CSV: {exc}") from exc


def _read_xlsx(state: _ReadState) -> Rows:
    path = state.path
    try:
        # The zip is vetted (declared sizes, compression ratios) before openpyxl expands anything.
        check_zip_archive(path, max_bytes=state.max_bytes)
    except ListFormatError as exc:
        raise InputError(str(exc)) from exc
    import openpyxl  # deferred: heavy import, only needed for this format

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types on a broken package
        raise InputError(f"{path}: not a readable XLSX workbook: {exc}") from exc
    sheet_name = ""
    number = 0
    try:
        tried: list[str] = []
        chosen = None
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # declared dimensions may be wrong; read what is there
            head = (
                (number, [_cell_text(value) for value in values])
                for number, values in enumerate(
                    sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1
                )
            )
            found = _find_header(state, head)
            if isinstance(found, tuple):
                chosen = sheet, found
                break
            tried.append(_columns_seen(found, f" in sheet {sheet.title!r}"))
        if chosen is None:
            if not tried:
                raise InputError(f"{path}: the workbook has no worksheet")
            raise _no_name_column(state, tried)
        sheet, (header_row, cells) = chosen
        sheet_name = sheet.title
        names = _header_names(cells)
        state.report.format = "xlsx"
        state.report.sheet = sheet_name
        state.set_header(
            names, where=f" in sheet {sheet_name!r}, header row {header_row}", header_row=header_row
        )
        number = header_row
        for number, values in enumerate(
            sheet.iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1
        ):
            yield number, _row_dict(names, [_cell_text(value) for value in values])
    except InputError:
        raise
    except Exception as exc:  # malformed sheet XML surfaces from deep inside openpyxl
        raise InputError(
            f"{path}: unreadable sheet data in sheet {sheet_name!r} near row {number + 1}: {exc}"
        ) from exc
    finally:
        workbook.close()


def _read_parquet(state: _ReadState) -> Rows:
    import pyarrow as pa  # deferred: only needed for this format
    import pyarrow.parquet as pq

    path = state.path
    with path.open("rb") as handle:
        head = handle.read(4)
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(size - 4, 0))  # a file under 4 bytes cannot seek to -4 from its end
        tail = handle.read(4)
    if size < 8 or head != b"PAR1" or tail != b"PAR1":
        raise InputError(f"{path}: not a Parquet file (no PAR1 magic bytes)")
    number = 0
    try:
        parquet = pq.ParquetFile(path)
        names = _header_names(list(parquet.schema_arrow.names))
        state.report.format = "parquet"
        state.set_header(names)
        for batch in parquet.iter_batches(batch_size=_BATCH_ROWS):
            columns = [[_cell_text(value) for value in column.to_pylist()] for column in batch.columns]
            for values in zip(*columns, strict=True):
                number += 1
                yield number, dict(zip(names, values, strict=True))
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:  # a text column may hold non-UTF-8 bytes
        raise InputError(f"{_where(path, number + 1)}: unreadable Parquet data: {exc}") from exc


def _read_jsonl(state: _ReadState) -> Rows:
    path = state.path
    # A line may hold many fields, each up to max_field characters (up to 4 UTF-8 bytes each).
    max_line = max(1 << 20, state.max_field * 4 * 64)
    offset = 0
    names: list[str] | None = None
    with path.open("rb") as handle:
        _refuse_other_formats(path, handle.read(8), "JSON lines")
        handle.seek(0)
        for number, line in enumerate(iter(lambda: handle.readline(max_line + 1), b""), start=1):
            if len(line) > max_line:
                raise InputError(f"{path}, line {number}: line longer than {max_line:,} bytes")
            start = len(_UTF8_BOM) if number == 1 and line.startswith(_UTF8_BOM) else 0
            try:
                text = line[start:].decode("utf-8")
            except UnicodeDecodeError as exc:
                bad = offset + start + exc.start
                message = f"not valid UTF-8 (bad byte at offset {bad:,})"
                raise InputError(f"{path}, line {number}: {message}") from exc
            offset += len(line)
            if not text.strip():
                state.report.blank_rows += 1
                continue
            try:
                value = json.loads(text)
            except ValueError as exc:
                raise InputError(f"{path}, line {number}: not valid JSON: {exc}") from exc
            if not isinstance(value, dict):
                raise InputError(
                    f"{path}, line {number}: expected a JSON object, found {type(value).__name__}"
                )
            raw = {str(key): _cell_text(cell) for key, cell in value.items()}
            if names is None:
                names = list(raw)
                state.report.format = "jsonl"
                state.set_header(names, where=f" in the first object (line {number})", header_row=number)
            yield number, raw
    if names is None:
        raise InputError(f"{path}: no JSON object found")


_READERS: dict[str, Callable[[_ReadState], Rows]] = {
    ".csv": _read_csv,
    ".tsv": _read_csv,
    ".xlsx": _read_xlsx,
    ".parquet": _read_parquet,
    ".jsonl": _read_jsonl,
    ".ndjson": _read_jsonl,
}
INPUT_FORMATS = tuple(_READERS)


def read_records(
    path: Path | str,
    mapping: ColumnMapping,
    *,
    max_bytes: int = DEFAULT_MAX_INPUT_BYTES,
    max_field: int = DEFAULT_MAX_FIELD,
    report: ReadReport | None = None,
) -> Iterator[InputRecord]:
    """Stream the customer records of a file; its extension picks the format.

    Nothing is read until iteration starts, and every problem is raised from the iteration as
    an :class:`InputError` naming the file and, where known, the row and the column: a file
    over ``max_bytes``, binary data, a file of another format than its extension says, a missing
    mapped column (the message lists the columns found), a cell over ``max_field`` characters,
    an unknown type or an invalid date of birth (see :func:`parse_dob`). Blank rows are passed
    over; rows with an empty name are skipped, counted and logged in ``report``.
    """
    path = Path(path)
    if report is None:
        report = ReadReport()
    report.path = str(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(
            f"{path}: unsupported customer file type {path.suffix or '(none)'!r} "
            f"(supported: {', '.join(INPUT_FORMATS)})"
        )
    _check_file(path, max_bytes)
    state = _ReadState(path=path, mapping=mapping, report=report, max_bytes=max_bytes, max_field=max_field)
    rows = reader(state)
    try:
        for number, raw in rows:
            record = state.build(number, raw)
            if record is not None:
                yield record
    finally:
        rows.close()  # the file is closed as soon as the caller stops, not when collected
    if report.skipped:
        log.warning("rows skipped", extra={"path": str(path), "summary": report.summary()})
    log.info(
        "customer file read",
        extra={"path": str(path), "rows": report.rows_read, "screened": report.rows_yielded},
    )


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_XLSX_CELL_LIMIT = 32_767

FLAT_COLUMNS = (
    "row",
    "id",
    "name",
    "type",
    "dob",
    "country",
    "hit_rank",
    "party_id",
    "score",
    "refs",
    "matched_name",
    "hit_schema",
    "explanation",
)


def neutralize_formula(text: str) -> str:
    """Text made safe for a spreadsheet cell: a leading ``= + - @`` tab or CR gets a ``'`` before it.

    This is OWASP's guidance against CSV/formula injection: the cell then shows as text
    instead of running as a formula (``=HYPERLINK(...)``, ``@SUM(...)``).
    """
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _result(record: InputRecord, hits: list[Hit]) -> dict[str, Any]:
    query = record.query
    return {
        "row": record.row,
        "id": record.id,
        "name": query.name,
        "type": query.schema,
        "dob": query.dob,
        "country": query.country,
        "hits": [
            {
                "rank": rank,
                "party_id": hit.party_id,
                "score": round(hit.score, 4),
                "refs": list(hit.refs),
                "matched_name": hit.matched_name,
                "schema": hit.schema,
                "explanation": hit.explanation.text(),
            }
            for rank, hit in enumerate(hits, start=1)
        ],
    }


def _flat_rows(result: dict[str, Any]) -> Iterator[list[Any]]:
    """One list of cells per hit (one with empty hit cells when none), in ``FLAT_COLUMNS`` order."""
    head = [result[key] for key in ("row", "id", "name", "type", "dob", "country")]
    if not result["hits"]:
        yield [*head, None, None, None, None, None, None, None]
        return
    for hit in result["hits"]:
        yield [
            *head,
            hit["rank"],
            hit["party_id"],
            hit["score"],
            "; ".join(hit["refs"]),
            hit["matched_name"],
            hit["schema"],
            hit["explanation"],
        ]


class _Sink:
    """One output format: ``write`` results to the temporary path, ``finish`` or ``discard``."""

    def __init__(self, path: Path, row_group_size: int) -> None:
        self.path = path

    def write(self, result: dict[str, Any]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError

    def discard(self) -> None:
        raise NotImplementedError


class _JsonlSink(_Sink):
    def __init__(self, path: Path, row_group_size: int) -> None:
        super().__init__(path, row_group_size)
        self.handle: IO[str] = path.open("w", encoding="utf-8", newline="\n")

    def write(self, result: dict[str, Any]) -> None:
        self.handle.write(json.dumps(result, ensure_ascii=False) + "\n")

    def finish(self) -> None:
        self.handle.close()

    def discard(self) -> None:
        self.handle.close()


class _CsvSink(_Sink):
    def __init__(self, path: Path, row_group_size: int) -> None:
        super().__init__(path, row_group_size)
        # A BOM, so that spreadsheet programs read the UTF-8 (Korean names) as UTF-8.
        self.handle: IO[str] = path.open("w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.handle)
        self.writer.writerow(FLAT_COLUMNS)

    def write(self, result: dict[str, Any]) -> None:
        for cells in _flat_rows(result):
            self.writer.writerow(
                ["" if c is None else neutralize_formula(c) if isinstance(c, str) else c for c in cells]
            )

    def finish(self) -> None:
        self.handle.close()

    def discard(self) -> None:
        self.handle.close()


class _XlsxSink(_Sink):
    def __init__(self, path: Path, row_group_size: int) -> None:
        super().__init__(path, row_group_size)
        import openpyxl  # deferred: heavy import, only needed for this format
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        self.illegal = ILLEGAL_CHARACTERS_RE
        # write_only streams rows to disk; memory stays flat whatever the number of rows.
        self.workbook = openpyxl.Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet("results")
        self.sheet.append(list(FLAT_COLUMNS))

    def _cell(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        # openpyxl refuses control characters, and Excel cells hold at most 32,767 characters.
        text = self.illegal.sub("", value)[:_XLSX_CELL_LIMIT]
        return neutralize_formula(text)

    def write(self, result: dict[str, Any]) -> None:
        for cells in _flat_rows(result):
            self.sheet.append([self._cell(value) for value in cells])

    def finish(self) -> None:
        self.workbook.save(self.path)

    def discard(self) -> None:
        # Saving is openpyxl's one public way to end a write-only sheet and delete the spool
        # file it keeps in the system temporary folder; the partial file is then deleted.
        self.workbook.save(self.path)


def result_arrow_schema() -> Any:
    """The Arrow schema of a results row (one row per input row, its hits nested), for Parquet
    results here and for the Spark backend's output, which must be the same."""
    import pyarrow as pa  # deferred: only needed for Parquet

    hit = pa.struct(
        [
            ("rank", pa.int32()),
            ("party_id", pa.string()),
            ("score", pa.float64()),
            ("refs", pa.list_(pa.string())),
            ("matched_name", pa.string()),
            ("schema", pa.string()),
            ("explanation", pa.string()),
        ]
    )
    return pa.schema(
        [
            ("row", pa.int64()),
            ("id", pa.string()),
            ("name", pa.string()),
            ("type", pa.string()),
            ("dob", pa.string()),
            ("country", pa.string()),
            ("hits", pa.list_(hit)),
        ]
    )


class _ParquetSink(_Sink):
    def __init__(self, path: Path, row_group_size: int) -> None:
        super().__init__(path, row_group_size)
        import pyarrow as pa  # deferred: only needed for this format
        import pyarrow.parquet as pq

        self.pa = pa
        self.schema = result_arrow_schema()
        self.row_group_size = row_group_size
        self.buffer: list[dict[str, Any]] = []
        self.writer = pq.ParquetWriter(str(path), self.schema)

    def _flush(self) -> None:
        if self.buffer:
            table = self.pa.Table.from_pylist(self.buffer, schema=self.schema)
            self.writer.write_table(table, row_group_size=self.row_group_size)
            self.buffer = []

    def write(self, result: dict[str, Any]) -> None:
        self.buffer.append(result)
        if len(self.buffer) >= self.row_group_size:
            self._flush()

    def finish(self) -> None:
        self._flush()
        self.writer.close()

    def discard(self) -> None:
        self.writer.close()


_SINKS: dict[str, type[_Sink]] = {
    ".jsonl": _JsonlSink,
    ".csv": _CsvSink,
    ".xlsx": _XlsxSink,
    ".parquet": _ParquetSink,
}
OUTPUT_FORMATS = tuple(_SINKS)


class ResultWriter:
    """Screening results written to ``path``, in the format its extension names.

    Each input row gives one result: its row number, id and query (name, type, dob, country)
    with its hits (rank, party id, score to 4 decimals, the authorities' reference numbers,
    the matched listed name, the listed party's schema and the explanation). In ``.jsonl`` and
    ``.parquet`` the hits are a nested list; in ``.csv`` and ``.xlsx`` (columns
    ``FLAT_COLUMNS``) each hit is a row with its ``hit_rank`` and an input row without hits is
    one row with empty hit columns, refs joined with ``"; "``.

    Rows go to a temporary file in the same folder (readable by its owner only: it holds
    customer data), renamed to ``path`` by :meth:`close`. Leaving a ``with`` block on an
    exception, or calling :meth:`abort`, deletes the temporary file and leaves any earlier file
    at ``path`` untouched.
    """

    def __init__(self, path: Path | str, *, row_group_size: int = DEFAULT_ROW_GROUP_SIZE) -> None:
        self.path = Path(path)
        sink_class = _SINKS.get(self.path.suffix.lower())
        if sink_class is None:
            raise InputError(
                f"{self.path}: unsupported output file type {self.path.suffix or '(none)'!r} "
                f"(supported: {', '.join(OUTPUT_FORMATS)})"
            )
        if row_group_size < 1:
            raise ValueError("row_group_size must be at least 1")
        folder = self.path.parent
        if not folder.is_dir():
            raise InputError(f"{self.path}: output folder {str(folder)!r} does not exist")
        try:
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{self.path.name}.", suffix=".partial")
        except OSError as exc:
            raise InputError(f"{self.path}: cannot write in {str(folder)!r}: {exc.strerror or exc}") from exc
        os.close(handle)
        self.temporary = Path(temporary)
        self.records_written = 0
        self.hits_written = 0
        self._closed = False
        try:
            self._sink = sink_class(self.temporary, row_group_size)
        except BaseException:
            self.temporary.unlink(missing_ok=True)
            raise

    def write(self, record: InputRecord, hits: list[Hit]) -> None:
        """Add the result of one input row (``hits`` best first; empty when nothing matched)."""
        if self._closed:
            raise ValueError(f"ResultWriter for {self.path} is closed")
        self._sink.write(_result(record, hits))
        self.records_written += 1
        self.hits_written += len(hits)

    def close(self) -> None:
        """Finish the file and move it to its final name (replacing any file there)."""
        if self._closed:
            return
        try:
            self._sink.finish()
            descriptor = os.open(self.temporary, os.O_RDONLY)
            try:
                os.fsync(descriptor)  # the data is on disk before the name points at it
            finally:
                os.close(descriptor)
            os.replace(self.temporary, self.path)
        except BaseException:
            self.abort()
            raise
        self._closed = True
        log.info(
            "screening results written",
            extra={"path": str(self.path), "records": self.records_written, "hits": self.hits_written},
        )

    def abort(self) -> None:
        """Drop everything written so far: no file appears (or changes) under the final name."""
        if self._closed:
            return
        self._closed = True
        try:
            self._sink.discard()
        except Exception:  # the partial file is deleted below whatever state its writer is in
            log.debug("discarding partial output failed", exc_info=True)
        self.temporary.unlink(missing_ok=True)

    def __enter__(self) -> ResultWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
