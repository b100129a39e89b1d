"""Fuzzing every official-list parser: hostile files give a clear ListFormatError, never a crash.

Each parser gets two kinds of generated input from a small valid seed in its own format:
field mutations (text nodes, attributes or cells replaced by hostile text: dates that do not
exist, control characters, formula prefixes, huge numbers, Hangul, markup) and byte mutations
(flips, inserts, deletions, truncation, duplicated spans). The only acceptable failure is a
:class:`vigil.errors.VigilError` with a message; anything else (KeyError, ValueError,
lxml's XMLSyntaxError, zipfile.BadZipFile...) fails the test with the generated input.

The number of cases comes from the profile in :mod:`tests.security.fuzzing`
(``VIGIL_FUZZ=nightly`` for 10,000 per test).
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
from hypothesis import given
from hypothesis import strategies as st

from tests.security.fuzzing import (
    FUZZ,
    NASTY,
    byte_mutations,
    csv_cells,
    only_vigil_errors,
    xml_field_mutations,
)
from tests.sources import test_eu, test_ofac_advanced, test_ofac_xml, test_uk_fcdo, test_uk_ofsi, test_un
from vigil.sources.base import ParsedList
from vigil.sources.registry import get_source

# ---------------------------------------------------------------- seeds (valid, small)

UN_SEED = test_un._minimal(
    test_un._individual(
        "KPi.001",
        extra="<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1970-01-01</DATE>"
        "</INDIVIDUAL_DATE_OF_BIRTH><INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT>"
        "<NUMBER>472310082</NUMBER></INDIVIDUAL_DOCUMENT>"
        "<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Kim Chol</ALIAS_NAME></INDIVIDUAL_ALIAS>",
    )
)
EU_SEED = test_eu.HANDMADE
OFAC_ADVANCED_SEED = test_ofac_advanced._document(
    test_ofac_advanced._party(
        "1",
        features=test_ofac_advanced._feature(
            "8", test_ofac_advanced._period(("1970-01-01", "1970-01-01"), ("1970-01-01", "1970-01-01"))
        ),
    )
)
OFAC_XML_HEADER = (
    '<?xml version="1.0"?><sdnList xmlns="{ns}"><publshInformation><Publish_Date>01/08/2026</Publish_Date>'
    "<Record_Count>1</Record_Count></publshInformation>{body}</sdnList>"
)
OFAC_XML_SEED = OFAC_XML_HEADER.format(ns=test_ofac_xml.NS, body=test_ofac_xml.VESSEL)
UK_FCDO_XML_SEED = test_uk_fcdo.XML
UK_FCDO_ODS_ROWS = (
    '<table:table table:name="UK_Sanction_List">'
    + test_uk_fcdo.HEADER_ROW
    + test_uk_fcdo._cells("DPR0001", "1", "KIM CHOL", test_uk_fcdo.DPRK, "Individual", "UN", "01/02/2020",
                          "Asset freeze, Travel Ban")
    + "</table:table>"
)  # fmt: skip
CSV_ROWS = {
    "sdn": [["1", "KIM, Jong Un", "individual", "DPRK3", "-0-", "-0-", "-0-", "-0-", "-0-", "-0-", "-0-",
             "DOB 08 Jan 1984; Passport 123456; a.k.a. 'KIM, Jong'."]],
    "add": [["1", "1", "Pyongyang", "-0-", "Korea, North", "-0-"]],
    "alt": [["1", "1", "aka", "KIM Jong-un", "-0-"]],
}  # fmt: skip


def _write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    if isinstance(data, str):
        path.write_bytes(data.encode("utf-8", "surrogatepass"))
    else:
        path.write_bytes(data)
    return path


def _parse(key: str, files: Callable[[Path], dict[str, Path]]) -> None:
    source = get_source(key)
    with tempfile.TemporaryDirectory() as folder:

        def run() -> None:
            result = source.parse(files(Path(folder)))
            assert isinstance(result, ParsedList)

        only_vigil_errors(run)


def _single(key: str, name: str, data: str | bytes) -> None:
    _parse(key, lambda folder: {get_source(key).files[0].role: _write(folder, name, data)})


XML_SEEDS = {
    "un_sc": UN_SEED,
    "eu_fsf": EU_SEED,
    "ofac_sdn_advanced": OFAC_ADVANCED_SEED,
    "ofac_sdn_xml": OFAC_XML_SEED,
    "uk_fcdo_xml": UK_FCDO_XML_SEED,
}


def test_seeds_are_valid() -> None:
    """The fuzzers start from files each parser accepts (else they would test nothing)."""
    with tempfile.TemporaryDirectory() as folder:
        for key, seed in XML_SEEDS.items():
            source = get_source(key)
            parsed = source.parse({source.files[0].role: _write(Path(folder), f"{key}.xml", seed)})
            assert parsed.parties, key
        assert _ofsi_parse(
            Path(folder), [test_uk_ofsi.HEADER, test_uk_ofsi.ROW_A, test_uk_ofsi.ROW_B]
        ).parties
        assert _fcdo_ods_parse(Path(folder), UK_FCDO_ODS_ROWS).parties
        files = {
            role: _write(Path(folder), f"{role}.csv", _plain_csv(rows)) for role, rows in CSV_ROWS.items()
        }
        assert get_source("ofac_sdn_csv").parse(files).parties


# ---------------------------------------------------------------- XML sources


@FUZZ
@given(key=st.sampled_from(sorted(XML_SEEDS)), data=st.data())
def test_xml_field_mutations(key: str, data: st.DataObject) -> None:
    mutated = data.draw(xml_field_mutations(XML_SEEDS[key]))
    _single(key, "list.xml", mutated)


@FUZZ
@given(key=st.sampled_from(sorted(XML_SEEDS)), data=st.data())
def test_xml_byte_mutations(key: str, data: st.DataObject) -> None:
    mutated = data.draw(byte_mutations(XML_SEEDS[key].encode()))
    _single(key, "list.xml", mutated)


@FUZZ
@given(key=st.sampled_from(sorted(XML_SEEDS)), raw=st.binary(max_size=300))
def test_xml_sources_on_random_bytes(key: str, raw: bytes) -> None:
    _single(key, "list.xml", raw)


@FUZZ
@given(
    key=st.sampled_from(sorted(XML_SEEDS)),
    suffix=st.sampled_from([".bz2", ".gz", ".xz"]),
    data=st.data(),
)
def test_compressed_xml_with_corrupt_streams(key: str, suffix: str, data: st.DataObject) -> None:
    """Lists may come compressed: a damaged stream is a ListFormatError too."""
    import bz2
    import gzip
    import lzma

    compress = {".bz2": bz2.compress, ".gz": lambda b: gzip.compress(b, mtime=0), ".xz": lzma.compress}[
        suffix
    ]
    packed = compress(XML_SEEDS[key].encode())
    _single(key, f"list.xml{suffix}", data.draw(byte_mutations(packed)))


# ---------------------------------------------------------------- OFAC CSV (three files)


def _plain_csv(rows: list[list[str]]) -> str:
    return (
        "\r\n".join(",".join(f'"{c}"' if "," in c or " " in c else c for c in row) for row in rows) + "\r\n"
    )


@FUZZ
@given(role=st.sampled_from(sorted(CSV_ROWS)), quote=st.booleans(), data=st.data())
def test_ofac_csv_cell_mutations(role: str, quote: bool, data: st.DataObject) -> None:
    texts = {r: _plain_csv(rows) for r, rows in CSV_ROWS.items()}
    texts[role] = data.draw(csv_cells(CSV_ROWS[role], quote=quote))
    for key in ("ofac_sdn_csv", "ofac_cons_csv"):
        _parse(key, lambda folder: {r: _write(folder, f"{r}.csv", t) for r, t in texts.items()})


@FUZZ
@given(role=st.sampled_from(sorted(CSV_ROWS)), data=st.data())
def test_ofac_csv_byte_mutations(role: str, data: st.DataObject) -> None:
    raw: dict[str, bytes] = {r: _plain_csv(rows).encode("cp1252") for r, rows in CSV_ROWS.items()}
    raw[role] = data.draw(byte_mutations(raw[role]))
    _parse("ofac_sdn_csv", lambda folder: {r: _write(folder, f"{r}.csv", t) for r, t in raw.items()})


# ---------------------------------------------------------------- UK OFSI (XLSX, CSV)


def _ofsi_parse(folder: Path, rows: list[list[str | None]]) -> ParsedList:
    path = test_uk_ofsi._xlsx(folder / "ConList.xlsx", rows)
    return get_source("uk_ofsi_conlist").parse({"main": path})


def _ofsi_rows(data: st.DataObject) -> list[list[str | None]]:
    rows = [list(test_uk_ofsi.HEADER), list(test_uk_ofsi.ROW_A), list(test_uk_ofsi.ROW_B)]
    for _ in range(data.draw(st.integers(1, 6))):
        r = data.draw(st.integers(0 if data.draw(st.integers(0, 9)) == 0 else 1, 2))
        c = data.draw(st.integers(0, len(rows[r]) - 1))
        rows[r][c] = data.draw(NASTY)
    return rows


def _xlsx_safe(rows: list[list[str | None]]) -> list[list[str | None]]:
    """openpyxl itself refuses control characters in cells; a real file cannot hold them either."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return [[None if v is None else ILLEGAL_CHARACTERS_RE.sub("", v) for v in row] for row in rows]


@FUZZ
@given(data=st.data())
def test_uk_ofsi_xlsx_cell_mutations(data: st.DataObject) -> None:
    rows = _xlsx_safe(_ofsi_rows(data))
    with tempfile.TemporaryDirectory() as folder:
        only_vigil_errors(lambda: _ofsi_parse(Path(folder), rows))


@FUZZ
@given(data=st.data())
def test_uk_ofsi_csv_cell_mutations(data: st.DataObject) -> None:
    rows = _ofsi_rows(data)
    text = test_uk_ofsi._csv_text(rows)
    _single("uk_ofsi_conlist", "ConList.csv", text)


_XLSX_SEED: bytes | None = None


def _xlsx_seed() -> bytes:
    global _XLSX_SEED
    if _XLSX_SEED is None:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        assert sheet is not None
        for row in (test_uk_ofsi.HEADER, test_uk_ofsi.ROW_A, test_uk_ofsi.ROW_B):
            sheet.append(list(row))
        buffer = io.BytesIO()
        workbook.save(buffer)
        _XLSX_SEED = buffer.getvalue()
    return _XLSX_SEED


def _zip_member_mutations(data: st.DataObject, seed: bytes) -> bytes:
    """A zip whose members' contents are byte-mutated (the container stays readable)."""
    source = zipfile.ZipFile(io.BytesIO(seed))
    names = source.namelist()
    target_name = data.draw(st.sampled_from(names))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            content = source.read(name)
            if name == target_name:
                content = data.draw(byte_mutations(content))
            target.writestr(
                zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0)), content, zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


@FUZZ
@given(data=st.data(), whole=st.booleans())
def test_uk_ofsi_xlsx_byte_mutations(data: st.DataObject, whole: bool) -> None:
    seed = _xlsx_seed()
    mutated = data.draw(byte_mutations(seed)) if whole else _zip_member_mutations(data, seed)
    _single("uk_ofsi_conlist", "ConList.xlsx", mutated)


# ---------------------------------------------------------------- UK FCDO (ODS)


def _fcdo_ods_parse(folder: Path, body: str) -> ParsedList:
    path = test_uk_fcdo._ods(folder / "UK_Sanctions_List.ods", body)
    return get_source("uk_fcdo_ods").parse({"main": path})


@FUZZ
@given(data=st.data())
def test_uk_fcdo_ods_field_mutations(data: st.DataObject) -> None:
    content = data.draw(
        xml_field_mutations(test_uk_fcdo.CONTENT_HEAD + UK_FCDO_ODS_ROWS + test_uk_fcdo.CONTENT_TAIL)
    )
    body = content[len(test_uk_fcdo.CONTENT_HEAD) : -len(test_uk_fcdo.CONTENT_TAIL)]
    with tempfile.TemporaryDirectory() as folder:
        only_vigil_errors(lambda: _fcdo_ods_parse(Path(folder), body))


def _ods_seed() -> bytes:
    """A valid ODS, with fixed member times so every run of a test case sees the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", test_uk_fcdo.CONTENT_HEAD + UK_FCDO_ODS_ROWS + test_uk_fcdo.CONTENT_TAIL),
        ):
            archive.writestr(
                zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0)), text, zipfile.ZIP_DEFLATED
            )
    return buffer.getvalue()


@FUZZ
@given(data=st.data(), whole=st.booleans())
def test_uk_fcdo_ods_byte_mutations(data: st.DataObject, whole: bool) -> None:
    seed = _ods_seed()
    mutated = data.draw(byte_mutations(seed)) if whole else _zip_member_mutations(data, seed)
    _single("uk_fcdo_ods", "UK_Sanctions_List.ods", mutated)
