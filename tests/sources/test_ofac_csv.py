"""OFAC legacy CSV sources against the real files (see shared/data/lists/SOURCES.md)."""

from __future__ import annotations

import csv
import time
from collections import Counter
from pathlib import Path

import pytest

from vigil.errors import ListCountError, ListFormatError
from vigil.model import Party
from vigil.sources.base import ParsedList
from vigil.sources.ofac_csv import CONS_CSV, SDN_CSV, SDN_CSV_PRIMARY_ONLY, parse_ofac_csv, split_programs
from vigil.sources.ofac_remarks import parse_remarks

DPRK_PROGRAMS = {"DPRK", "DPRK2", "DPRK3", "DPRK4", "DPRK-NKSPEA"}


def _dprk(parties: list[Party]) -> list[Party]:
    return [p for p in parties if DPRK_PROGRAMS & set(p.designations[0].programmes)]


def _crypto(party: Party) -> list[tuple[str | None, str]]:
    return [(i.chain, i.value) for i in party.identifiers if i.kind == "crypto"]


@pytest.fixture(scope="module")
def coherent_files(lists_dir: Path) -> dict[str, Path]:
    d = lists_dir / "ofac" / "sdn" / "2021-07-07-coherent"
    return {
        "sdn": d / "sdn.csv",
        "add": d / "add.csv",
        "alt": d / "alt.csv",
        "comments": d / "sdn_comments.csv",
    }


@pytest.fixture(scope="module")
def coherent(coherent_files: dict[str, Path]) -> ParsedList:
    return SDN_CSV.parse(coherent_files)


@pytest.fixture(scope="module")
def sdn_2024(lists_dir: Path) -> ParsedList:
    return SDN_CSV_PRIMARY_ONLY.parse({"sdn": lists_dir / "ofac" / "sdn" / "2024-05-03" / "sdn.csv"})


@pytest.fixture(scope="module")
def cons_files(lists_dir: Path) -> dict[str, Path]:
    d = lists_dir / "ofac" / "cons" / "2025-12-19"
    return {
        "sdn": d / "cons_prim.csv",
        "add": d / "cons_add.csv",
        "alt": d / "cons_alt.csv",
        "comments": d / "cons_comments.csv",
    }


# --- the 2021-07-07 coherent set -------------------------------------------------


def test_coherent_counts(coherent: ParsedList) -> None:
    assert coherent.published is None
    assert coherent.declared == {"records": 8976}
    assert coherent.parsed == {
        "records": 8976,
        "Person": 4620,
        "Organization": 3673,
        "Vessel": 406,
        "Airplane": 277,
    }
    assert coherent.warnings == []  # every ADD/ALT/comments ent_num exists; comments join every cut


def test_coherent_joins(coherent: ParsedList) -> None:
    assert sum(len(p.addresses) for p in coherent.parties) > 8976  # 13,837 rows, a few all-null
    aliases = sum(1 for p in coherent.parties for n in p.names if n.kind != "primary" and n.quality is None)
    assert aliases == 11910
    assert all(p.id == f"ofac_sdn_csv:{p.designations[0].reference}" for p in coherent.parties)


def test_coherent_dprk(coherent: ParsedList) -> None:
    dprk = _dprk(coherent.parties)
    assert len(dprk) == 414
    assert Counter(p.schema for p in dprk) == {
        "Person": 130,
        "Organization": 162,
        "Vessel": 106,
        "Airplane": 16,
    }
    with_imo_text = [p for p in dprk if p.schema == "Vessel" and "IMO" in (p.designations[0].remarks or "")]
    assert len(with_imo_text) == 105
    # RYONG GUN BONG writes its IMO number without the "IMO" word; the check digit confirms it.
    with_imo = [p for p in dprk if p.schema == "Vessel" and any(i.kind == "imo" for i in p.identifiers)]
    assert len(with_imo) == 106
    crypto = {p.primary_name: _crypto(p) for p in dprk if _crypto(p)}
    assert sum(len(v) for v in crypto.values()) == 20 and len(crypto) == 2
    assert all(chain == "XBT" for v in crypto.values() for chain, _ in v)


def test_comments_overflow_joined(coherent: ParsedList) -> None:
    tian = next(p for p in coherent.parties if p.designations[0].reference == "28263")
    # The cut fell inside an alias ("snowsjo" + "hn'"); the join restores it and the Linked To after it.
    assert any(n.full == "snowsjohn" for n in tian.names)
    assert [r.target_name for r in tian.relations] == ["LAZARUS GROUP"]
    assert tian.relations[0].target is not None  # resolved within the list
    assert "remarks_truncated_tail" not in tian.raw


def test_relations_resolved(coherent: ParsedList) -> None:
    relations = [r for p in coherent.parties for r in p.relations]
    resolved = [r for r in relations if r.target]
    assert len(resolved) / len(relations) > 0.99


def test_korea_mining(coherent: ParsedList) -> None:
    komid = next(
        p for p in coherent.parties if p.primary_name == "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    )
    assert komid.schema == "Organization"
    assert {"NPWMD", "DPRK2"} <= set(komid.designations[0].programmes)
    assert any(n.full == "KOMID" and n.quality == "weak" for n in komid.names)
    assert any(n.full == "CHANGGWANG SINYONG CORPORATION" for n in komid.names)
    assert any(a.country == "kp" for a in komid.addresses)
    assert any(m.startswith("Secondary sanctions risk") for m in komid.designations[0].measures)


def test_dprk_vessel(coherent: ParsedList) -> None:
    vessel = next(p for p in coherent.parties if p.primary_name == "CHONG CHON GANG")
    assert vessel.schema == "Vessel" and vessel.vessel is not None
    assert vessel.vessel.imo == "7937317" and vessel.vessel.flag == "kp"
    assert vessel.vessel.flag_text == "Democratic People's Republic of Korea"
    assert vessel.vessel.vessel_type == "General Cargo"
    assert ("imo", "7937317") in [(i.kind, i.value) for i in vessel.identifiers]


def test_person_names_split(coherent: ParsedList) -> None:
    kim = next(p for p in coherent.parties if p.primary_name == "KIM, Jong Un")
    assert (kim.names[0].first, kim.names[0].last) == ("Jong Un", "KIM")
    assert kim.schema == "Person"


# --- the 2024-05-03 SDN.CSV alone -----------------------------------------------


def test_2024_counts(sdn_2024: ParsedList) -> None:
    assert sdn_2024.parsed == {
        "records": 14965,
        "Person": 6854,
        "Organization": 6884,
        "Vessel": 851,
        "Airplane": 376,
    }
    dprk = _dprk(sdn_2024.parties)
    assert len(dprk) == 484
    assert Counter(p.schema for p in dprk) == {
        "Person": 164,
        "Organization": 199,
        "Vessel": 105,
        "Airplane": 16,
    }
    tags = Counter(t for p in dprk for t in p.designations[0].programmes if t in DPRK_PROGRAMS)
    assert tags == {"DPRK": 57, "DPRK2": 111, "DPRK3": 147, "DPRK4": 174, "DPRK-NKSPEA": 2}
    assert sum(1 for p in dprk if p.relations) == 155
    assert not any("UN" in (r.target_ref or "") for p in dprk for r in p.relations)


def test_2024_dprk_crypto(sdn_2024: ParsedList) -> None:
    dprk = _dprk(sdn_2024.parties)
    chains = Counter(chain for p in dprk for chain, _ in _crypto(p))
    assert chains == {"XBT": 37, "ETH": 30, "USDT": 1, "USDC": 1}
    holders = {p.primary_name for p in dprk if _crypto(p)}
    assert holders == {
        "LAZARUS GROUP", "TIAN, Yinyin", "LI, Jiadong", "TORNADO CASH", "WU, Huihui",
        "KIM, Sang Man", "SINBAD", "SEMENOV, Roman",
    }  # fmt: skip


def test_2024_truncation(sdn_2024: ParsedList) -> None:
    # 18 remarks are at the 1,000-character limit; one ends on ";", so 17 lose a tail segment.
    truncated = [w for w in sdn_2024.warnings if "cut at 1000" in w]
    assert len(truncated) == 17
    whole_file = sum(len(_crypto(p)) for p in sdn_2024.parties)
    assert whole_file == 288  # SOURCES.md counts 294 including the 6 addresses in cut-off tails
    assert sum(len(_crypto(p)) for p in sdn_2024.parties) + 6 == sum(
        1
        for p in sdn_2024.parties
        for i in parse_remarks(p.designations[0].remarks).identifiers
        if i.kind == "crypto"
    )


def test_2024_imo(sdn_2024: ParsedList) -> None:
    dprk = _dprk(sdn_2024.parties)
    vessels = [p for p in dprk if p.schema == "Vessel"]
    assert sum(1 for p in vessels if "IMO" in (p.designations[0].remarks or "")) == 104
    vessel_imos = {
        i.value
        for p in dprk
        for i in p.identifiers
        if i.type_text == "Vessel Registration Identification IMO"
    }
    assert len(vessel_imos) == 113
    assert all(len(v) == 7 and v.isdigit() for v in vessel_imos)


def test_2024_crypto_matches_reference(sdn_2024: ParsedList, shared_data: Path) -> None:
    """Addresses read from the 2024 file are verbatim those of the 2025-11 reference extract."""
    with (shared_data / "crypto" / "ofac_sdn_digital_currency_addresses.csv").open(
        encoding="utf-8"
    ) as handle:
        reference = {(row["sdn_uid"], row["asset"], row["address"]) for row in csv.DictReader(handle)}
    ours = {(p.designations[0].reference, c or "", a) for p in sdn_2024.parties for c, a in _crypto(p)}
    assert len(ours) == 288
    tornado = next(p.designations[0].reference for p in sdn_2024.parties if p.primary_name == "TORNADO CASH")
    # Only Tornado Cash's 12 are unknown to the reference: it was delisted in March 2025.
    unknown = ours - reference
    assert {uid for uid, _, _ in unknown} == {tornado} and len(unknown) == 12
    assert len(ours & reference) == 276
    # The same entries carry 520 addresses in 2025-11: overflow into SDN_COMMENTS plus later additions.
    assert len({item for item in reference if item[0] in {uid for uid, _, _ in ours}}) == 520


def test_2024_with_newer_add_alt_warns(lists_dir: Path) -> None:
    sdn = lists_dir / "ofac" / "sdn"
    result = SDN_CSV.parse(
        {
            "sdn": sdn / "2024-05-03" / "sdn.csv",
            "add": sdn / "2026-06-02" / "add.csv",
            "alt": sdn / "2026-06-02" / "alt.csv",
        }
    )
    orphans = [w for w in result.warnings if "not in the primary file" in w]
    assert len(orphans) == 2 and all("add.csv" in w or "alt.csv" in w for w in orphans)
    dprk = _dprk(result.parties)
    with (sdn / "2026-06-02" / "add.csv").open(encoding="cp1252", newline="") as handle:
        add_ents = {row[0] for row in csv.reader(handle) if row and row[0].isdigit()}
    assert sum(1 for p in dprk if p.designations[0].reference in add_ents) == 481
    # Many ADD rows are all "-0-" (no address known): they add no Address.
    assert sum(1 for p in dprk if p.addresses) == 333


# --- SDN_COMMENTS 2025-12-24 -------------------------------------------------------


def test_cheil_credit_bank_comments(lists_dir: Path, shared_data: Path) -> None:
    path = lists_dir / "ofac" / "sdn" / "2025-12-24" / "sdn_comments.csv"
    with path.open(encoding="cp1252", newline="") as handle:
        rows = {row[0]: row[1] for row in csv.reader(handle) if len(row) == 2}
    # The row starts mid-address (its head is in SDN.CSV): the first segment is a fragment.
    parsed = parse_remarks(rows["22985"])
    addresses = [(i.chain, i.value) for i in parsed.identifiers if i.kind == "crypto"]
    assert len(addresses) == 43 and {c for c, _ in addresses} == {"USDT"}
    with (shared_data / "crypto" / "ofac_sdn_digital_currency_addresses.csv").open(
        encoding="utf-8"
    ) as handle:
        reference = {row["address"] for row in csv.DictReader(handle) if row["sdn_uid"] == "22985"}
    assert {a for _, a in addresses} <= reference
    wu = [i for i in parse_remarks(rows["42496"]).identifiers if i.kind == "crypto"]
    assert len(wu) == 4


def test_comments_join_through_source(tmp_path: Path, lists_dir: Path) -> None:
    """A primary row cut at 1,000 characters plus its comments row parses as one remarks text."""
    full = "; ".join(f"Digital Currency Address - XBT 1{'A' * 32}{n:02d}" for n in range(14))
    full += f"; alt. Digital Currency Address - XBT 1{'B' * 33}; Linked To: SOMEONE."
    head, tail = full[:1000], full[1000:]
    assert head.endswith("BBB") and tail.startswith("BBB")  # the cut falls inside an address
    (tmp_path / "sdn.csv").write_bytes(
        f'1,"X",-0- ,"DPRK3",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"{head}"\r\n\x1a'.encode("cp1252")
    )
    (tmp_path / "c.csv").write_bytes(f'1,"{tail}"\r\n'.encode("cp1252"))
    joined = parse_ofac_csv(
        {"sdn": tmp_path / "sdn.csv", "comments": tmp_path / "c.csv"},
        source_key="t",
        list_name="t",
        required=("sdn",),
    )
    party = joined.parties[0]
    assert party.designations[0].remarks == head + tail
    assert any(v.startswith("1BBBBBBB") and len(v) > 30 for _, v in _crypto(party))
    assert party.relations[0].target_name == "SOMEONE" and joined.warnings == []
    alone = parse_ofac_csv({"sdn": tmp_path / "sdn.csv"}, source_key="t", list_name="t", required=("sdn",))
    assert len(_crypto(alone.parties[0])) == len(_crypto(party)) - 1
    assert "remarks_truncated_tail" in alone.parties[0].raw and len(alone.warnings) == 1


# --- the Consolidated (non-SDN) CSV ------------------------------------------------


def test_cons_csv(cons_files: dict[str, Path]) -> None:
    result = CONS_CSV.parse(cons_files)
    assert result.declared == {"records": 442}
    assert result.parsed["records"] == 442
    assert _dprk(result.parties) == []
    assert all(p.id.startswith("ofac_cons_csv:") for p in result.parties)
    assert {p.designations[0].list_name for p in result.parties} == {"Consolidated (non-SDN) List"}
    programmes = {t for p in result.parties for t in p.designations[0].programmes}
    assert {"UKRAINE-EO13662", "RUSSIA-EO14024", "NS-PLC", "CMIC-EO13959"} <= programmes
    assert result.warnings == []


# --- performance -------------------------------------------------------------------


def test_parse_speed(coherent_files: dict[str, Path], lists_dir: Path, cons_files: dict[str, Path]) -> None:
    for parse, files in (
        (SDN_CSV.parse, coherent_files),
        (SDN_CSV_PRIMARY_ONLY.parse, {"sdn": lists_dir / "ofac" / "sdn" / "2024-05-03" / "sdn.csv"}),
        (CONS_CSV.parse, cons_files),
    ):
        start = time.perf_counter()
        parse(files)
        assert time.perf_counter() - start < 5.0


# --- bad input ---------------------------------------------------------------------

GOOD_ROW = '1,"KIM, Jong Un","individual","DPRK3",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'


def _parse_one(path: Path) -> ParsedList:
    return parse_ofac_csv({"sdn": path}, source_key="t", list_name="t", required=("sdn",))


def test_program_split() -> None:
    assert split_programs("DPRK3] [DPRK4") == ["DPRK3", "DPRK4"]
    assert split_programs("[DPRK] [DPRK2]") == ["DPRK", "DPRK2"]
    assert split_programs("CUBA") == ["CUBA"]
    assert split_programs(None) == []


def test_eof_marker_optional_and_null_variants(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(
        (GOOD_ROW + '2,"ACME",-0-,"[DPRK] [DPRK2]", -0- ,-0-,-0-,-0-,-0-,-0-,-0-,-0-\r\n').encode("cp1252")
    )
    result = _parse_one(path)
    assert [p.schema for p in result.parties] == ["Person", "Organization"]
    assert result.parties[1].designations[0].programmes == ["DPRK", "DPRK2"]
    assert result.parties[1].titles == []
    path.write_bytes((GOOD_ROW + "\x1a").encode("cp1252"))
    assert len(_parse_one(path).parties) == 1


def test_wrong_column_count(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes((GOOD_ROW + '2,"ACME",-0- ,"DPRK"\r\n').encode("cp1252"))
    with pytest.raises(ListFormatError, match=r"sdn\.csv \(line 2\).*expected 12 columns.*found 4"):
        _parse_one(path)


def test_column_count_line_counts_multiline_cells(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    multi = '2,"ACME",-0- ,"DPRK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"two\r\nlines"\r\n'
    path.write_bytes((GOOD_ROW + multi + "3,x\r\n").encode("cp1252"))
    with pytest.raises(ListFormatError, match=r"line 4"):
        _parse_one(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(b"")
    with pytest.raises(ListFormatError, match="empty"):
        _parse_one(path)
    path.write_bytes(b"\r\n\x1a")
    with pytest.raises(ListFormatError, match="empty"):
        _parse_one(path)


def test_xml_given_as_csv(tmp_path: Path, lists_dir: Path) -> None:
    with pytest.raises(ListFormatError, match="XML"):
        _parse_one(lists_dir / "ofac" / "cons" / "2026-01-08" / "ofac.xml")


def test_xlsx_given_as_csv(lists_dir: Path) -> None:
    with pytest.raises(ListFormatError, match="ZIP"):
        _parse_one(lists_dir / "uk" / "ofsi" / "2025-04-14" / "ConList.xlsx")


def test_undecodable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    # 0x81 is undefined in cp1252 and invalid UTF-8.
    path.write_bytes(
        GOOD_ROW.encode("cp1252") + b'2,"AC\x81ME",-0- ,"DPRK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    )
    with pytest.raises(ListFormatError, match="not valid text"):
        _parse_one(path)


def test_utf8_file_accepted(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(GOOD_ROW.replace("KIM", "KÏM").encode("utf-8"))
    assert _parse_one(path).parties[0].primary_name == "KÏM, Jong Un"


def test_non_numeric_ent_num(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(("x" + GOOD_ROW[1:]).encode("cp1252"))
    with pytest.raises(ListFormatError, match=r"line 1.*ent_num"):
        _parse_one(path)


def test_duplicate_ent_num_is_a_count_error(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes((GOOD_ROW + GOOD_ROW).encode("cp1252"))
    with pytest.raises(ListCountError, match="parsed 1 records but the file has 2"):
        _parse_one(path)


def test_orphan_rows_warned(tmp_path: Path) -> None:
    (tmp_path / "sdn.csv").write_bytes(GOOD_ROW.encode("cp1252"))
    (tmp_path / "add.csv").write_bytes(
        b'1,1,-0- ,"Pyongyang","Korea, North",-0- \r\n99,2,-0- ,"X","Y",-0- \r\n'
    )
    (tmp_path / "alt.csv").write_bytes(b'99,5,"aka","GHOST",-0- \r\n')
    result = SDN_CSV.parse(
        {"sdn": tmp_path / "sdn.csv", "add": tmp_path / "add.csv", "alt": tmp_path / "alt.csv"}
    )
    assert result.parties[0].addresses[0].country == "kp"
    assert len(result.warnings) == 2
    assert "add.csv: 1 rows refer to 1 ent_num" in result.warnings[0] and "99 (line 2)" in result.warnings[0]


def test_missing_required_file(tmp_path: Path) -> None:
    (tmp_path / "sdn.csv").write_bytes(GOOD_ROW.encode("cp1252"))
    with pytest.raises(ListFormatError, match="'add' file is missing"):
        SDN_CSV.parse({"sdn": tmp_path / "sdn.csv"})
