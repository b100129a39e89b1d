"""OFAC classic sdnList XML (SDN.XML / CONSOLIDATED.XML) against the real consolidated file."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from vigil.errors import ListCountError, ListFormatError
from vigil.sources.base import ParsedList
from vigil.sources.ofac_csv import CONS_CSV
from vigil.sources.ofac_xml import CONS_XML, SDN_XML, parse_ofac_xml

NS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML"


@pytest.fixture(scope="module")
def cons_xml_path(lists_dir: Path) -> Path:
    return lists_dir / "ofac" / "cons" / "2026-01-08" / "ofac.xml"


@pytest.fixture(scope="module")
def cons_xml(cons_xml_path: Path) -> ParsedList:
    return CONS_XML.parse({"xml": cons_xml_path})


def test_sources_metadata() -> None:
    assert SDN_XML.key == "ofac_sdn_xml" and SDN_XML.files[0].url.endswith("/SDN.XML")
    assert CONS_XML.key == "ofac_cons_xml" and CONS_XML.files[0].url.endswith("/CONSOLIDATED.XML")
    assert SDN_XML.authority == CONS_XML.authority == "ofac"


def test_cons_xml_counts(cons_xml: ParsedList) -> None:
    assert cons_xml.published == "2026-01-08"
    assert cons_xml.declared == {"records": 442}
    assert cons_xml.parsed == {"records": 442, "Person": 79, "Organization": 363}
    assert cons_xml.warnings == []
    dprk = [p for p in cons_xml.parties if any(t.startswith("DPRK") for t in p.designations[0].programmes)]
    assert dprk == []


def test_cons_xml_record(cons_xml: ParsedList) -> None:
    haniya = next(p for p in cons_xml.parties if p.designations[0].reference == "9639")
    assert haniya.id == "ofac_cons_xml:9639"
    primary = haniya.names[0]
    assert (primary.full, primary.first, primary.last) == (
        "HANIYA, Ismail Abdul Salah",
        "Ismail Abdul Salah",
        "HANIYA",
    )
    assert {(n.full, n.quality) for n in haniya.names[1:]} == {
        ("HANIYA, Ismail", "good"),
        ("HANIYYA, Ismaeel", "good"),
    }
    assert haniya.birth_dates[0].start == "1962" and haniya.birth_places[0].text == "Shati"
    d = haniya.designations[0]
    assert (d.authority, d.programmes, d.list_name) == ("ofac", ["NS-PLC"], "Consolidated (non-SDN) List")


def test_cons_xml_relations_and_ids(cons_xml: ParsedList) -> None:
    zahhar = next(p for p in cons_xml.parties if p.designations[0].reference == "9647")
    assert [r.target_name for r in zahhar.relations] == ["HAMAS"]  # from "(Linked To: HAMAS)"
    assert zahhar.gender == "male"
    weak = [n for n in zahhar.names if n.quality == "weak"]
    assert weak and all(n.first and n.last for n in weak)
    kinds = {i.kind for p in cons_xml.parties for i in p.identifiers}
    assert {"tax_id", "registration", "website", "email", "bic"} <= kinds
    assert sum(1 for p in cons_xml.parties for m in p.designations[0].measures) > 300


def test_cons_xml_agrees_with_cons_csv(cons_xml: ParsedList, lists_dir: Path) -> None:
    """The XML (2026-01-08) and CSV (2025-12-19) of the consolidated list describe the same 442 records."""
    d = lists_dir / "ofac" / "cons" / "2025-12-19"
    csv_list = CONS_CSV.parse(
        {
            "sdn": d / "cons_prim.csv",
            "add": d / "cons_add.csv",
            "alt": d / "cons_alt.csv",
            "comments": d / "cons_comments.csv",
        }
    )
    xml = {p.designations[0].reference: p for p in cons_xml.parties}
    csv_ = {p.designations[0].reference: p for p in csv_list.parties}
    assert set(xml) == set(csv_)
    same_names = sum(1 for k in xml if {n.full for n in xml[k].names} == {n.full for n in csv_[k].names})
    assert same_names >= 440
    same_ids = sum(
        1
        for k in xml
        if {(i.kind, i.value) for i in xml[k].identifiers} == {(i.kind, i.value) for i in csv_[k].identifiers}
    )
    assert same_ids >= 440


def test_cons_xml_speed(cons_xml_path: Path) -> None:
    start = time.perf_counter()
    CONS_XML.parse({"xml": cons_xml_path})
    assert time.perf_counter() - start < 5.0


def _write(tmp_path: Path, body: str, *, count: int | None = 1, ns: str = NS, root: str = "sdnList") -> Path:
    header = "<publshInformation><Publish_Date>01/08/2026</Publish_Date>"
    header += f"<Record_Count>{count}</Record_Count>" if count is not None else ""
    header += "</publshInformation>"
    xmlns = f' xmlns="{ns}"' if ns else ""
    path = tmp_path / "sdn.xml"
    path.write_text(f'<?xml version="1.0"?><{root}{xmlns}>{header}{body}</{root}>', encoding="utf-8")
    return path


VESSEL = (
    "<sdnEntry><uid>17069</uid><lastName>CHONG CHON GANG</lastName><sdnType>Vessel</sdnType>"
    "<programList><program>DPRK</program></programList>"
    "<idList><id><uid>1</uid><idType>Vessel Registration Identification</idType>"
    "<idNumber>IMO 7937317</idNumber></id>"
    "<id><uid>2</uid><idType>Digital Currency Address - XBT</idType><idNumber>1ABCDEF</idNumber></id>"
    "<id><uid>3</uid><idType>Passport</idType><idNumber>PS 472330208</idNumber>"
    "<idCountry>Korea, North</idCountry>"
    "<issueDate>05 Jul 2012</issueDate><expirationDate>04 Jul 2017</expirationDate></id></idList>"
    "<vesselInfo><callSign>HMZF</callSign><vesselType>General Cargo</vesselType>"
    "<vesselFlag>Korea, North</vesselFlag><vesselOwner>OCEAN MARITIME MANAGEMENT</vesselOwner>"
    "<tonnage>6700</tonnage><grossRegisteredTonnage>6500</grossRegisteredTonnage></vesselInfo>"
    "<remarks>Linked To: OCEAN MARITIME MANAGEMENT COMPANY, LIMITED.</remarks></sdnEntry>"
)


@pytest.mark.parametrize("ns", [NS, "http://tempuri.org/sdnList.xsd", ""])
def test_vessel_entry_any_known_namespace(tmp_path: Path, ns: str) -> None:
    result = parse_ofac_xml(
        {"xml": _write(tmp_path, VESSEL, ns=ns)}, source_key="ofac_sdn_xml", list_name="SDN List"
    )
    assert result.warnings == []
    (party,) = result.parties
    assert party.schema == "Vessel" and party.vessel is not None
    v = party.vessel
    assert (v.imo, v.flag, v.call_sign, v.vessel_type, v.gross_tonnage) == (
        "7937317",
        "kp",
        "HMZF",
        "General Cargo",
        "6500",
    )
    assert v.owner == "OCEAN MARITIME MANAGEMENT" and party.raw["vessel_tonnage"] == "6700"
    ids = {(i.kind, i.value, i.chain) for i in party.identifiers}
    assert {("imo", "7937317", None), ("crypto", "1ABCDEF", "XBT"), ("call_sign", "HMZF", None)} <= ids
    passport = next(i for i in party.identifiers if i.kind == "passport")
    assert (passport.country, passport.issued, passport.expires) == ("kp", "2012-07-05", "2017-07-04")
    assert party.relations[0].target_name == "OCEAN MARITIME MANAGEMENT COMPANY, LIMITED"


def test_unknown_namespace_warns(tmp_path: Path) -> None:
    result = parse_ofac_xml({"xml": _write(tmp_path, VESSEL, ns="urn:other")}, source_key="x", list_name="x")
    assert len(result.parties) == 1 and "unknown sdnList namespace" in result.warnings[0]


def test_count_error(tmp_path: Path) -> None:
    with pytest.raises(ListCountError, match="Record_Count is 2"):
        parse_ofac_xml({"xml": _write(tmp_path, VESSEL, count=2)}, source_key="x", list_name="x")


def test_missing_header_warns(tmp_path: Path) -> None:
    path = tmp_path / "sdn.xml"
    path.write_text(f'<sdnList xmlns="{NS}">{VESSEL}</sdnList>', encoding="utf-8")
    result = parse_ofac_xml({"xml": path}, source_key="x", list_name="x")
    assert result.published is None and result.declared == {} and "no publshInformation" in result.warnings[0]


def test_wrong_root_refused(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="not an OFAC sdnList"):
        parse_ofac_xml({"xml": _write(tmp_path, VESSEL, root="Sanctions")}, source_key="x", list_name="x")


def test_other_xml_refused(lists_dir: Path) -> None:
    with pytest.raises(ListFormatError, match="not an OFAC sdnList"):
        CONS_XML.parse({"xml": lists_dir / "un" / "2026-02-27" / "UN_consolidated.xml"})


def test_csv_given_as_xml(lists_dir: Path) -> None:
    with pytest.raises(ListFormatError):
        CONS_XML.parse({"xml": lists_dir / "ofac" / "cons" / "2025-12-19" / "cons_prim.csv"})


def test_malformed_and_hostile(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(f'<sdnList xmlns="{NS}"><sdnEntry><uid>1</uid></sdnList>', encoding="utf-8")
    with pytest.raises(ListFormatError, match="line"):
        CONS_XML.parse({"xml": path})
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><sdnList>&a;</sdnList>', encoding="utf-8"
    )
    with pytest.raises(ListFormatError):
        CONS_XML.parse({"xml": path})
    path.write_bytes(b"")
    with pytest.raises(ListFormatError):
        CONS_XML.parse({"xml": path})


def test_entry_without_uid(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="without uid"):
        parse_ofac_xml(
            {"xml": _write(tmp_path, "<sdnEntry><lastName>X</lastName></sdnEntry>")},
            source_key="x",
            list_name="x",
        )
