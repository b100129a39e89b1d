"""The HM Treasury OFSI Consolidated List parser, on the real ConList.xlsx and crafted bad files."""

from __future__ import annotations

import csv
import re
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest

from vigil.errors import ListCountError, ListFormatError
from vigil.model import DateValue, Party
from vigil.model.vocab import ID_KINDS, NAME_KINDS, NAME_QUALITIES, RELATION_KINDS, SCHEMAS
from vigil.sources import uk_ofsi
from vigil.sources.base import ParsedList

CONLIST = "uk/ofsi/2025-04-14/ConList.xlsx"
DPRK = "Democratic People's Republic of Korea"


@pytest.fixture(scope="module")
def conlist_path(lists_dir: Path) -> Path:
    return lists_dir / CONLIST


@pytest.fixture(scope="module")
def parsed(conlist_path: Path) -> tuple[ParsedList, float]:
    start = time.perf_counter()
    result = uk_ofsi.parse({"main": conlist_path})
    return result, time.perf_counter() - start


@pytest.fixture(scope="module")
def result(parsed: tuple[ParsedList, float]) -> ParsedList:
    return parsed[0]


@pytest.fixture(scope="module")
def sheet_rows(conlist_path: Path) -> list[dict[str, str | None]]:
    """The sheet read independently of the parser (openpyxl, header on row 2)."""
    workbook = openpyxl.load_workbook(conlist_path, read_only=True)
    rows = list(workbook["Data"].iter_rows(values_only=True))
    workbook.close()
    header = [str(h) for h in rows[1]]
    return [dict(zip(header, row, strict=False)) for row in rows[2:] if any(row)]


@pytest.fixture(scope="module")
def by_id(result: ParsedList) -> dict[str, Party]:
    return {party.id: party for party in result.parties}


def _dprk(result: ParsedList) -> list[Party]:
    return [p for p in result.parties if any(d.regime == DPRK for d in p.designations)]


# --- the real file --------------------------------------------------------------------------


def test_counts_and_date(result: ParsedList, parsed: tuple[ParsedList, float]) -> None:
    assert result.source == "uk_ofsi_conlist"
    assert result.published == "2025-04-14"
    assert result.declared == {"groups": 4688, "rows": 18798}
    assert result.parsed == {"groups": 4688, "rows": 18798, "Individual": 3663, "Entity": 1010, "Ship": 15}
    assert result.warnings == []
    assert parsed[1] < 15.0, f"parse took {parsed[1]:.1f}s"


def test_ids_and_vocabularies(result: ParsedList) -> None:
    ids = [p.id for p in result.parties]
    assert len(ids) == len(set(ids))
    for party in result.parties:
        assert party.id.startswith("uk_ofsi_conlist:")
        assert party.schema in SCHEMAS
        assert party.names, party.id
        assert party.names[0].kind == "primary" or all(n.kind != "primary" for n in party.names)
        for name in party.names:
            assert name.kind in NAME_KINDS
            assert name.quality is None or name.quality in NAME_QUALITIES
        assert all(i.kind in ID_KINDS for i in party.identifiers)
        assert all(r.kind in RELATION_KINDS for r in party.relations)
        assert all(d.authority == "uk" for d in party.designations)
        assert party.designations[0].other_refs[0] == party.id.replace("uk_ofsi_conlist:", "ofsi_group:")
        Party.from_dict(party.to_dict())  # round-trips


def test_dprk_groups(result: ParsedList, sheet_rows: list[dict[str, str | None]]) -> None:
    dprk = _dprk(result)
    assert Counter(p.schema for p in dprk) == {"Person": 138, "Organization": 86, "Vessel": 15}
    dprk_rows = [r for r in sheet_rows if r["Regime"] == DPRK]
    assert len(dprk_rows) == 789
    assert {f"uk_ofsi_conlist:{r['Group ID']}" for r in dprk_rows} == {p.id for p in dprk}
    assert all(p.designations[0].reference.startswith("DPR") for p in dprk if p.designations[0].reference)
    assert all(any(d.reference for d in p.designations) for p in dprk)


def test_dprk_un_cross_refs(result: ParsedList, sheet_rows: list[dict[str, str | None]]) -> None:
    dprk = _dprk(result)
    with_un = [p for p in dprk if p.cross_refs]
    assert len(with_un) == 155
    refs = [ref for p in with_un for ref in p.cross_refs]
    assert len(refs) == len(set(refs)) == 155  # one UN entry per UK group
    assert Counter(ref[3:6] for ref in refs) == {"KPi": 80, "KPe": 75}
    un_groups = {p.id.split(":")[1] for p in with_un}
    assert sum(1 for r in sheet_rows if r["Regime"] == DPRK and r["Group ID"] in un_groups) == 495


def test_ri_won_ho(result: ParsedList) -> None:
    [party] = [p for p in result.parties if "un:KPi.033" in p.cross_refs]
    assert party.id == "uk_ofsi_conlist:13418"
    assert party.schema == "Person"
    assert party.primary_name == "RI WON HO"
    name = party.names[0]
    assert (name.first, name.last, name.parts) == ("RI", "WON HO", ["RI", "WON HO"])
    assert party.birth_dates == [DateValue(kind="exact", start="1964-07-17")]
    assert [(i.kind, i.value) for i in party.identifiers] == [("passport", "381310014")]
    assert party.positions == ["DPRK Ministry of State Security Official"]
    [designation] = party.designations
    assert designation.reference == "DPR0270"
    assert designation.regime == DPRK
    assert designation.listed_on == "2016-12-09"
    assert designation.last_updated == "2020-12-31"
    assert designation.other_refs == ["ofsi_group:13418"]
    assert designation.remarks is not None and "stationed in Syria" in designation.remarks
    assert party.raw["UK Sanctions List Date Designated"] == "2016-11-30"


def test_dprk_ships(
    result: ParsedList, by_id: dict[str, Party], sheet_rows: list[dict[str, str | None]]
) -> None:
    # independent extraction: the IMO label in Other Information of DPRK ship rows
    expected: set[str] = set()
    for row in sheet_rows:
        if row["Regime"] == DPRK and row["Group Type"] == "Ship":
            expected.update(re.findall(r"\(IMO number\):\s*(\d{7})", str(row["Other Information"])))
    assert len(expected) == 15
    ships = [p for p in _dprk(result) if p.schema == "Vessel"]
    assert len(ships) == 15
    assert {p.vessel.imo for p in ships if p.vessel} == expected
    for ship in ships:
        assert ship.vessel is not None and ship.vessel.flag == "kp"
        assert [i.value for i in ship.identifiers if i.kind == "imo"] == [ship.vessel.imo]
        # the owner's UN ref is a relation of the ship, never the ship's own cross-ref
        assert ship.cross_refs == []
        [owner] = [r for r in ship.relations if r.kind == "owned_or_controlled_by"]
        assert owner.target_ref is not None and re.fullmatch(r"KPe\.\d{3}", owner.target_ref)
        assert owner.target in by_id
        assert f"un:{owner.target_ref}" in by_id[owner.target].cross_refs
    sam_jong_2 = by_id["uk_ofsi_conlist:13651"]
    assert sam_jong_2.primary_name == "SAM JONG 2"
    assert sam_jong_2.vessel is not None
    assert (sam_jong_2.vessel.imo, sam_jong_2.vessel.vessel_type, sam_jong_2.vessel.year_built) == (
        "7408873",
        "Oil tanker",
        "1975",
    )
    assert sam_jong_2.vessel.former_flags == ["ru"]
    assert sam_jong_2.relations[0].target_ref == "KPe.064"
    assert sam_jong_2.relations[0].target == "uk_ofsi_conlist:13635"
    assert sam_jong_2.raw["Length of ship"] == "80"


def test_group_rows_kept(result: ParsedList, sheet_rows: list[dict[str, str | None]]) -> None:
    # groups whose rows disagree on DOB keep every distinct DOB
    dobs: dict[str, set[str]] = {}
    for row in sheet_rows:
        if row["DOB"]:
            dobs.setdefault(str(row["Group ID"]), set()).add(str(row["DOB"]))
    varied = {gid: values for gid, values in dobs.items() if len(values) > 1}
    assert len(varied) > 100
    by_group = {p.id.split(":")[1]: p for p in result.parties}
    for gid, values in varied.items():
        assert len(by_group[gid].birth_dates) == len(values), gid
    # a group listed under two regimes has one designation per regime
    multi = [p for p in result.parties if len({d.regime for d in p.designations}) > 1]
    assert len(multi) == 15


def test_names_and_scripts(result: ParsedList) -> None:
    originals = [n for p in result.parties for n in p.names if n.original_script]
    scripts = Counter(n.script for n in originals)
    assert scripts["Cyrl"] > 2000 and scripts["Arab"] > 500 and scripts["Hani"] > 10
    assert any(n.script == "Hang" for n in originals)
    kinds = Counter((n.kind, n.note) for p in result.parties for n in p.names if not n.original_script)
    assert kinds[("aka", "primary name variation")] > 1000
    assert kinds[("fka", None)] > 0
    assert Counter(p.gender for p in result.parties)["female"] > 100


# --- the CSV form of the list -----------------------------------------------------------------


def test_csv_form_matches_xlsx(tmp_path: Path, conlist_path: Path, by_id: dict[str, Party]) -> None:
    workbook = openpyxl.load_workbook(conlist_path, read_only=True)
    rows = list(workbook["Data"].iter_rows(values_only=True))
    workbook.close()
    target = tmp_path / "ConList.csv"
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Last Updated", "14/04/2025"])
        writer.writerow(rows[1])
        for row in rows[2:]:
            if row[31] == DPRK:  # the Regime column
                writer.writerow(["" if v is None else v for v in row])
    result = uk_ofsi.parse({"main": target})
    assert result.published == "2025-04-14"
    assert result.parsed["groups"] == 239 and result.parsed["rows"] == 789
    for party in result.parties:
        assert party.to_dict() == by_id[party.id].to_dict()


# --- bad input ------------------------------------------------------------------------------

HEADER = [
    "Name 6", "Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Title", "Name Non-Latin Script",
    "Non-Latin Script Type", "Non-Latin Script Language", "DOB", "Town of Birth", "Country of Birth",
    "Nationality", "Passport Number", "Passport Details", "National Identification Number",
    "National Identification Details", "Position", "Address 1", "Address 2", "Address 3", "Address 4",
    "Address 5", "Address 6", "Post/Zip Code", "Country", "Other Information", "Group Type", "Alias Type",
    "Alias Quality", "Regime", "Listed On", "UK Sanctions List Date Designated", "Last Updated", "Group ID",
]  # fmt: skip


def _row(**values: str) -> list[str | None]:
    return [values.get(column.replace(" ", "_").replace("/", "_").replace("-", "_")) for column in HEADER]


ROW_A = _row(
    Name_6="KIM",
    Name_1="Chol",
    DOB="00/00/1970",
    Other_Information="(UK Sanctions List Ref):DPR9999. (UN Ref):KPi.999. Test.",
    Group_Type="Individual",
    Alias_Type="Primary name",
    Regime=DPRK,
    Listed_On="01/02/2020",
    Last_Updated="03/04/2021",
    Group_ID="1",
)
ROW_B = _row(
    Name_6="KIM CHOL SU",
    DOB="00/05/1971",
    Name_Non_Latin_Script="김철",
    Group_Type="Individual",
    Alias_Type="AKA",
    Alias_Quality="Low quality",
    Regime=DPRK,
    Group_ID="1",
)


def _xlsx(path: Path, rows: Sequence[Sequence[str | None]], sheet: str = "Data") -> Path:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet
    for row in rows:
        worksheet.append(list(row))
    workbook.save(path)
    return path


def test_shifted_header_and_small_group(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "ConList.xlsx", [[None], ["Last Updated 14/04/2025"], [None], HEADER, ROW_A, ROW_B]
    )
    result = uk_ofsi.parse({"main": path})
    assert result.published == "2025-04-14"
    assert result.declared == {"groups": 1, "rows": 2}
    [party] = result.parties
    assert party.cross_refs == ["un:KPi.999"]
    assert [d.start for d in party.birth_dates] == ["1970", "1971-05"]
    assert [(n.full, n.kind, n.quality, n.script, n.original_script) for n in party.names] == [
        ("Chol KIM", "primary", None, "Latn", False),
        ("KIM CHOL SU", "aka", "low", "Latn", False),
        ("김철", "aka", "low", "Hang", True),
    ]
    assert party.designations[0].reference == "DPR9999"
    assert party.designations[0].listed_on == "2020-02-01"


def test_missing_header(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "ConList.xlsx", [["Last Updated", "14/04/2025"], ["Name", "Group"], ROW_A])
    with pytest.raises(ListFormatError, match=r"sheet Data, rows 1-10.*Group ID"):
        uk_ofsi.parse({"main": path})


def test_missing_sheet(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "ConList.xlsx", [HEADER, ROW_A], sheet="Sheet1")
    with pytest.raises(ListFormatError, match="sheet 'Data' not found"):
        uk_ofsi.parse({"main": path})


def test_header_without_data(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "ConList.xlsx", [["Last Updated", "14/04/2025"], HEADER])
    with pytest.raises(ListFormatError, match="no data rows"):
        uk_ofsi.parse({"main": path})


def test_empty_and_not_zip(tmp_path: Path) -> None:
    empty = tmp_path / "ConList.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(ListFormatError):
        uk_ofsi.parse({"main": empty})
    html = tmp_path / "page.xlsx"
    html.write_text("<html><body>Service unavailable</body></html>")
    with pytest.raises(ListFormatError, match="zip"):
        uk_ofsi.parse({"main": html})


def test_zip_bomb_refused(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "ConList.xlsx", [HEADER, ROW_A])
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                # 64 MiB of whitespace inside the sheet: compresses about 1000x
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (64 << 20), 1)
            target.writestr(info.filename, data)
    with pytest.raises(ListFormatError, match="zip bomb"):
        uk_ofsi.parse({"main": bomb})


def test_count_error_on_nameless_group(tmp_path: Path) -> None:
    nameless = _row(Group_Type="Entity", Alias_Type="Primary name", Regime=DPRK, Group_ID="2")
    path = _xlsx(tmp_path / "ConList.xlsx", [["Last Updated", "14/04/2025"], HEADER, ROW_A, nameless])
    with pytest.raises(ListCountError, match="1 of 2 groups"):
        uk_ofsi.parse({"main": path})


def _csv_text(rows: Sequence[Sequence[str | None]]) -> str:
    buffer = [",".join('"' + (v or "") + '"' for v in row) for row in rows]
    return "\r\n".join(buffer) + "\r\n"


def test_csv_detected_by_content(tmp_path: Path) -> None:
    path = tmp_path / "download.bin"  # no telling suffix
    path.write_text(_csv_text([["Last Updated", "14/04/2025"], HEADER, ROW_A]), encoding="utf-8")
    result = uk_ofsi.parse({"main": path})
    assert result.published == "2025-04-14"
    assert [p.primary_name for p in result.parties] == ["Chol KIM"]


def test_csv_wrong_encoding(tmp_path: Path) -> None:
    text = _csv_text([["Last Updated", "14/04/2025"], HEADER, ROW_A, ROW_B])
    utf16 = tmp_path / "ConList.csv"
    utf16.write_bytes(text.encode("utf-16"))
    with pytest.raises(ListFormatError, match="UTF-16"):
        uk_ofsi.parse({"main": utf16})
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(text.encode("utf-8").replace("김철".encode(), b"\x81\x8d\x90"))
    with pytest.raises(ListFormatError, match="not valid text"):
        uk_ofsi.parse({"main": garbage})


# --- helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17/07/1964", DateValue(kind="exact", start="1964-07-17")),
        ("00/07/1964", DateValue(kind="exact", start="1964-07")),
        ("00/00/1964", DateValue(kind="exact", start="1964")),
        ("dd/mm/1964", DateValue(kind="exact", start="1964")),
        ("07/1964", DateValue(kind="exact", start="1964-07")),
        ("1964", DateValue(kind="exact", start="1964")),
        ("31/02/1964", DateValue(kind="text", text="31/02/1964")),
        ("circa 1964", DateValue(kind="text", text="circa 1964")),
    ],
)
def test_parse_uk_date(text: str, expected: DateValue) -> None:
    assert uk_ofsi.parse_uk_date(text) == expected


def test_split_numbered() -> None:
    assert uk_ofsi.split_numbered("(1) Mullah (2) Maulavi") == ["Mullah", "Maulavi"]
    assert uk_ofsi.split_numbered("+7 (727) 228 2487") == ["+7 (727) 228 2487"]
    assert uk_ofsi.split_numbered("(1) +7 (2) 228 (3) x") == ["+7", "228", "x"]
