"""The FCDO UK Sanctions List parsers: the real summary ODS and a hand-made XML."""

from __future__ import annotations

import shutil
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from vigil.errors import ListCountError, ListFormatError
from vigil.model import DateValue, Identifier, Party
from vigil.model.vocab import ID_KINDS, RELATION_KINDS, SCHEMAS
from vigil.sources import uk_fcdo, uk_ofsi
from vigil.sources.base import ParsedList

ODS = "uk/fcdo/2025-08-11/FCDO_SL_Mon_Aug 11 2025.ods"
CONLIST = "uk/ofsi/2025-04-14/ConList.xlsx"
DPRK = "Democratic People's Republic of Korea"
BLANK_NAMES = {"uk_fcdo_ods:BEL0174", "uk_fcdo_ods:RUS1467"}


@pytest.fixture(scope="module")
def ods_path(lists_dir: Path) -> Path:
    return lists_dir / ODS


@pytest.fixture(scope="module")
def ods_parsed(ods_path: Path) -> tuple[ParsedList, float]:
    start = time.perf_counter()
    result = uk_fcdo.parse_ods({"main": ods_path})
    return result, time.perf_counter() - start


@pytest.fixture(scope="module")
def ods(ods_parsed: tuple[ParsedList, float]) -> ParsedList:
    return ods_parsed[0]


@pytest.fixture(scope="module")
def conlist(lists_dir: Path) -> ParsedList:
    return uk_ofsi.parse({"main": lists_dir / CONLIST})


def _dprk(result: ParsedList) -> list[Party]:
    return [p for p in result.parties if any(d.regime == DPRK for d in p.designations)]


# --- ODS ------------------------------------------------------------------------------------


def test_ods_counts(ods: ParsedList, ods_parsed: tuple[ParsedList, float]) -> None:
    assert ods.source == "uk_fcdo_ods"
    assert ods.published == "2025-08-11"  # from the file name
    assert ods.declared == {"rows": 5302}
    assert ods.parsed == {"rows": 5302, "Individual": 3754, "Entity": 1087, "Ship": 461}
    # two real rows have a blank Name cell: kept (they still link by group), and reported
    assert [w.split(": ", 1)[1] for w in ods.warnings] == [
        "BEL0174 has an empty Name",
        "RUS1467 has an empty Name",
    ]
    assert ods_parsed[1] < 15.0


def test_ods_records(ods: ParsedList) -> None:
    for party in ods.parties:
        assert party.id == f"uk_fcdo_ods:{party.designations[0].reference}"
        assert party.schema in SCHEMAS
        assert (len(party.names) == 1 and party.names[0].kind == "primary") or party.id in BLANK_NAMES
        [designation] = party.designations
        assert designation.authority == "uk"
        assert designation.listed_on is not None and len(designation.listed_on) == 10
        assert set(party.raw["designation_source"].split("|")) <= {"UN", "UK"}  # "UK|UN" exists
        assert "-" not in designation.measures
    first = next(p for p in ods.parties if p.id == "uk_fcdo_ods:DPR0001")
    assert first.primary_name == "An Jong Hyuk"
    assert first.designations[0].other_refs == ["ofsi_group:13590"]
    assert first.designations[0].measures == [
        "Asset freeze",
        "Director Disqualification Sanction",
        "Travel Ban",
    ]
    assert first.designations[0].listed_on == "2020-12-31"


def test_ods_dprk(ods: ParsedList) -> None:
    dprk = _dprk(ods)
    assert len(dprk) == 261
    assert Counter(p.schema for p in dprk) == {"Person": 138, "Organization": 86, "Vessel": 37}
    assert Counter(p.raw["designation_source"] for p in dprk) == {"UN": 192, "UK": 69}


def test_ods_links_to_conlist(ods: ParsedList, conlist: ParsedList) -> None:
    conlist_dprk = {p.id.split(":")[1]: p for p in _dprk(conlist)}
    with_group = [p for p in _dprk(ods) if p.designations[0].other_refs]
    without_group = [p for p in _dprk(ods) if not p.designations[0].other_refs]
    assert len(with_group) == 239
    assert len(without_group) == 22 and all(p.schema == "Vessel" for p in without_group)
    for party in with_group:
        group_id = party.designations[0].other_refs[0].split(":")[1]
        assert group_id in conlist_dprk, party.id
        # the FCDO Unique ID is the ConList's "(UK Sanctions List Ref)"
        assert f"uk:{party.designations[0].reference}" in conlist_dprk[group_id].authority_refs
    assert {p.designations[0].other_refs[0] for p in with_group} == {
        f"ofsi_group:{gid}" for gid in conlist_dprk
    }


def test_ods_published_unknown_without_dated_name(tmp_path: Path, ods_path: Path) -> None:
    copy = tmp_path / "UK_Sanctions_List.ods"
    shutil.copyfile(ods_path, copy)
    result = uk_fcdo.parse_ods({"main": copy})
    assert result.published is None
    assert any("no date in the file name" in w for w in result.warnings)


def test_date_from_filename() -> None:
    assert uk_fcdo.date_from_filename("FCDO_SL_Mon_Aug 11 2025.ods") == "2025-08-11"
    assert uk_fcdo.date_from_filename("UK_Sanctions_List_2025-08-11.ods") == "2025-08-11"
    assert uk_fcdo.date_from_filename("FCDO_SL_11-08-2025.ods") == "2025-08-11"
    assert uk_fcdo.date_from_filename("UK_Sanctions_List.ods") is None


CONTENT_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
)
CONTENT_TAIL = "</office:spreadsheet></office:body></office:document-content>"


def _cells(*values: str | None) -> str:
    out = []
    for value in values:
        if value is None:
            out.append("<table:table-cell/>")
        else:
            out.append(
                f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
            )
    return "<table:table-row>" + "".join(out) + "</table:table-row>"


HEADER_ROW = _cells(
    "Unique ID", "OFSI Group ID", "Name", "Regime Name", "Type", "Designation source", "Date Designated",
    "Sanctions Imposed",
)  # fmt: skip


def _ods(path: Path, body: str, *, head: str = CONTENT_HEAD) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", head + body + CONTENT_TAIL)
    return path


def test_ods_handmade_with_filler(tmp_path: Path) -> None:
    body = (
        '<table:table table:name="UK_Sanction_List">'
        '<table:table-row><table:table-cell table:number-columns-repeated="3"/></table:table-row>'
        + HEADER_ROW
        + _cells("DPR0001", None, "KIM<text:s text:c=\"2\"/>Chol", DPRK, "Individual", "UN", "01-02-2020",
                 "Asset freeze, Travel Ban")
        + '<table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
        "</table:table>"
        '<table:table table:name="Other">' + _cells("ignored") + "</table:table>"
    )  # fmt: skip
    result = uk_fcdo.parse_ods({"main": _ods(tmp_path / "FCDO_SL_Mon_Aug 11 2025.ods", body)})
    [party] = result.parties
    assert party.primary_name == "KIM  Chol"  # <text:s text:c="2"/> is two spaces
    assert party.designations[0].other_refs == []
    assert party.designations[0].measures == ["Asset freeze", "Travel Ban"]
    assert party.designations[0].listed_on == "2020-02-01"


def test_ods_bad_inputs(tmp_path: Path) -> None:
    not_zip = tmp_path / "a.ods"
    not_zip.write_text("Unique ID,Name\n")
    with pytest.raises(ListFormatError, match="zip"):
        uk_fcdo.parse_ods({"main": not_zip})

    no_content = tmp_path / "b.ods"
    with zipfile.ZipFile(no_content, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    with pytest.raises(ListFormatError, match=r"content\.xml"):
        uk_fcdo.parse_ods({"main": no_content})

    no_header = _ods(
        tmp_path / "c.ods", '<table:table table:name="T">' + _cells("a", "b") * 12 + "</table:table>"
    )
    with pytest.raises(ListFormatError, match=r"table T, rows 1-10"):
        uk_fcdo.parse_ods({"main": no_header})

    doctype = _ods(
        tmp_path / "d.ods",
        '<table:table table:name="T">' + HEADER_ROW + "</table:table>",
        head='<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + CONTENT_HEAD.split("?>", 1)[1],
    )
    with pytest.raises(ListFormatError, match="DOCTYPE"):
        uk_fcdo.parse_ods({"main": doctype})

    broken = _ods(tmp_path / "e.ods", '<table:table table:name="T">' + HEADER_ROW + "<table:table-row>")
    with pytest.raises(ListFormatError, match=r"malformed content\.xml"):
        uk_fcdo.parse_ods({"main": broken})

    bomb = _ods(tmp_path / "f.ods", '<table:table table:name="T">' + " " * (64 << 20) + "</table:table>")
    with pytest.raises(ListFormatError, match="zip bomb"):
        uk_fcdo.parse_ods({"main": bomb})

    missing_id = _ods(
        tmp_path / "g.ods",
        '<table:table table:name="T">'
        + HEADER_ROW
        + _cells(None, "1", "X", DPRK, "Entity")
        + "</table:table>",
    )
    with pytest.raises(ListCountError, match="0 of 1 rows"):
        uk_fcdo.parse_ods({"main": missing_id})


# --- XML ------------------------------------------------------------------------------------

XML = """<?xml version="1.0" encoding="utf-8"?>
<Designations xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <DateGenerated>11/08/2025</DateGenerated>
  <Designation>
    <LastUpdated>31/12/2020</LastUpdated>
    <DateDesignated>30/11/2016</DateDesignated>
    <UniqueID>DPR0270</UniqueID>
    <OFSIGroupID>13418</OFSIGroupID>
    <UNReferenceNumber>KPi.033</UNReferenceNumber>
    <Names>
      <Name><Name1>RI</Name1><Name6>WON HO</Name6><NameType>Primary Name</NameType></Name>
      <Name><Name1>Ri</Name1><Name6>Won-ho</Name6><NameType>Primary name variation</NameType></Name>
      <Name><Name6>RI WON-HO</Name6><NameType>Alias</NameType>
        <AliasStrength>Good quality a.k.a</AliasStrength></Name>
    </Names>
    <NonLatinNames><NonLatinName><NameNonLatinScript>리원호</NameNonLatinScript>
      <NonLatinScriptType>Hangul</NonLatinScriptType><NonLatinScriptLanguage>Korean</NonLatinScriptLanguage>
    </NonLatinName></NonLatinNames>
    <RegimeName>The Democratic People's Republic of Korea (Sanctions) (EU Exit) Regulations 2019</RegimeName>
    <IndividualEntityShip>Individual</IndividualEntityShip>
    <DesignationSource>UN</DesignationSource>
    <SanctionsImposed>Asset freeze|Travel Ban</SanctionsImposed>
    <OtherInformation>Ri Won Ho is a DPRK Ministry of State Security Official stationed in Syria.
    </OtherInformation>
    <UKStatementofReasons>Supports KOMID.</UKStatementofReasons>
    <Addresses><Address><AddressLine6>Damascus</AddressLine6><AddressCountry>Syria</AddressCountry>
    </Address></Addresses>
    <IndividualDetails>
      <Individual>
        <DOBs><DOB>17/07/1964</DOB><DOB>dd/mm/1965</DOB></DOBs>
        <Nationalities><Nationality>North Korea</Nationality></Nationalities>
        <PassportDetails><Passport><PassportNumber>381310014</PassportNumber>
          <PassportAdditionalInformation>Expires 2021</PassportAdditionalInformation>
        </Passport></PassportDetails>
        <Positions><Position>DPRK Ministry of State Security Official</Position></Positions>
        <Genders><Gender>Male</Gender></Genders>
        <BirthDetails><Location><TownOfBirth>Pyongyang</TownOfBirth>
          <CountryOfBirth>North Korea</CountryOfBirth></Location></BirthDetails>
      </Individual>
    </IndividualDetails>
  </Designation>
  <Designation>
    <UniqueID>DPR0189</UniqueID>
    <OFSIGroupID>11000</OFSIGroupID>
    <UNReferenceNumber>KPe.018</UNReferenceNumber>
    <Names><Name><Name6>SECOND ACADEMY OF NATURAL SCIENCES</Name6><NameType>Primary Name</NameType>
    </Name></Names>
    <RegimeName>The Democratic People's Republic of Korea (Sanctions) (EU Exit) Regulations 2019</RegimeName>
    <IndividualEntityShip>Entity</IndividualEntityShip>
    <DesignationSource>UN</DesignationSource>
    <SanctionsImposedIndicators><AssetFreeze>true</AssetFreeze><TravelBan>false</TravelBan></SanctionsImposedIndicators>
    <PhoneNumbers><PhoneNumber>+850 2 18111</PhoneNumber></PhoneNumbers>
    <EntityDetails><Entity>
      <TypeOfEntities><TypeOfEntity>Research institute</TypeOfEntity></TypeOfEntities>
      <Subsidiaries><Subsidiary>Tangun Trading Corporation</Subsidiary></Subsidiaries>
    </Entity></EntityDetails>
  </Designation>
  <Designation>
    <UniqueID>DPR0100</UniqueID>
    <OFSIGroupID>13651</OFSIGroupID>
    <Names><Name><Name6>SAM JONG 2</Name6><NameType>Primary Name</NameType></Name>
      <Name><Name6>AKTIVA</Name6><NameType>Alias</NameType></Name></Names>
    <RegimeName>The Democratic People's Republic of Korea (Sanctions) (EU Exit) Regulations 2019</RegimeName>
    <IndividualEntityShip>Ship</IndividualEntityShip>
    <DesignationSource>UN</DesignationSource>
    <OtherInformation>Listed as asset of Korea Samjong Shipping (OFSI ID: 13635,
      UN Reference Number: UN Ref KPe.064)</OtherInformation>
    <ShipDetails><Ship>
      <IMONumbers><IMONumber>IMO 7408873</IMONumber></IMONumbers>
      <CurrentOwnerOperators><CurrentOwnerOperator>Korea Samjong Shipping</CurrentOwnerOperator>
      </CurrentOwnerOperators>
      <CurrentBelievedFlagOfShips><CurrentBelievedFlagOfShip>North Korea</CurrentBelievedFlagOfShip>
      </CurrentBelievedFlagOfShips>
      <PreviousFlags><PreviousFlag>Russia</PreviousFlag></PreviousFlags>
      <TypeOfShipDetails><TypeOfShip>Oil tanker</TypeOfShip></TypeOfShipDetails>
      <TonnageOfShipDetails><TonnageOfShip>1676</TonnageOfShip></TonnageOfShipDetails>
      <LengthOfShipDetails><LengthOfShip>80</LengthOfShip></LengthOfShipDetails>
      <YearsBuilt><YearBuilt>1975</YearBuilt></YearsBuilt>
    </Ship></ShipDetails>
  </Designation>
</Designations>
"""


@pytest.fixture(scope="module")
def xml_result(tmp_path_factory: pytest.TempPathFactory) -> ParsedList:
    path = tmp_path_factory.mktemp("fcdo") / "UK_Sanctions_List.xml"
    path.write_text(XML, encoding="utf-8")
    return uk_fcdo.parse_xml({"main": path})


def test_xml_list(xml_result: ParsedList) -> None:
    assert xml_result.source == "uk_fcdo_xml"
    assert xml_result.published == "2025-08-11"
    assert xml_result.declared == {"designations": 3}
    assert xml_result.parsed == {"designations": 3, "Individual": 1, "Entity": 1, "Ship": 1}
    for party in xml_result.parties:
        assert party.schema in SCHEMAS
        assert all(i.kind in ID_KINDS for i in party.identifiers)
        assert all(r.kind in RELATION_KINDS for r in party.relations)
        assert party.to_dict() == Party.from_dict(party.to_dict()).to_dict()


def test_xml_person(xml_result: ParsedList) -> None:
    person = xml_result.parties[0]
    assert person.id == "uk_fcdo_xml:DPR0270"
    assert person.schema == "Person"
    assert person.cross_refs == ["un:KPi.033"]
    assert [(n.full, n.kind, n.quality, n.script, n.original_script) for n in person.names] == [
        ("RI WON HO", "primary", None, "Latn", False),
        ("Ri Won-ho", "aka", None, "Latn", False),
        ("RI WON-HO", "aka", "good", "Latn", False),
        ("리원호", "aka", None, "Hang", True),
    ]
    assert person.names[1].note == "primary name variation"
    assert person.names[3].lang == "ko"
    assert person.birth_dates == [
        DateValue(kind="exact", start="1964-07-17"),
        DateValue(kind="exact", start="1965"),
    ]
    assert person.identifiers == [Identifier(kind="passport", value="381310014", note="Expires 2021")]
    assert person.nationalities == ["kp"]
    assert person.gender == "male"
    assert person.birth_places[0].city == "Pyongyang" and person.birth_places[0].country == "kp"
    assert person.addresses[0].full == "Damascus, Syria" and person.addresses[0].country == "sy"
    [designation] = person.designations
    assert designation.reference == "DPR0270"
    assert designation.other_refs == ["ofsi_group:13418"]
    assert designation.listed_on == "2016-11-30" and designation.last_updated == "2020-12-31"
    assert designation.measures == ["Asset freeze", "Travel Ban"]
    assert designation.narrative == "Supports KOMID."
    assert designation.remarks is not None and "Syria" in designation.remarks
    assert person.raw == {"designation_source": "UN"}


def test_xml_entity(xml_result: ParsedList) -> None:
    entity = xml_result.parties[1]
    assert entity.schema == "Organization"
    assert entity.cross_refs == ["un:KPe.018"]
    assert entity.designations[0].measures == ["Asset freeze"]  # from the indicators
    assert [(i.kind, i.value) for i in entity.identifiers] == [("phone", "+850 2 18111")]
    assert [(r.kind, r.target_name) for r in entity.relations] == [("owner_of", "Tangun Trading Corporation")]
    # an element without a model field is kept by path
    assert entity.raw["EntityDetails/Entity/TypeOfEntities/TypeOfEntity"] == "Research institute"


def test_xml_ship(xml_result: ParsedList) -> None:
    ship = xml_result.parties[2]
    assert ship.schema == "Vessel"
    assert ship.cross_refs == []  # the owner's UN ref is not the ship's
    assert ship.identifiers == [Identifier(kind="imo", value="IMO 7408873", type_text="IMONumber")]
    assert ship.vessel is not None
    assert ship.vessel.imo == "7408873"
    assert (ship.vessel.flag, ship.vessel.former_flags) == ("kp", ["ru"])
    assert (ship.vessel.vessel_type, ship.vessel.gross_tonnage, ship.vessel.year_built) == (
        "Oil tanker",
        "1676",
        "1975",
    )
    assert ship.vessel.owner == "Korea Samjong Shipping"
    [owner] = ship.relations
    assert (owner.kind, owner.target_ref, owner.target_name) == (
        "owned_or_controlled_by",
        "KPe.064",
        "Korea Samjong Shipping",
    )
    assert ship.raw["ShipDetails/Ship/LengthOfShipDetails/LengthOfShip"] == "80"


def test_xml_bad_inputs(tmp_path: Path) -> None:
    no_id = tmp_path / "a.xml"
    no_id.write_text(XML.replace("<UniqueID>DPR0189</UniqueID>", ""), encoding="utf-8")
    with pytest.raises(ListCountError, match="2 of 3"):
        uk_fcdo.parse_xml({"main": no_id})

    other = tmp_path / "b.xml"
    other.write_text('<?xml version="1.0"?><CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>')
    # safe_io names the elements it looked for when a file has none of them
    with pytest.raises(ListFormatError, match=r"no element .*Designation"):
        uk_fcdo.parse_xml({"main": other})

    hostile = tmp_path / "c.xml"
    hostile.write_text(
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]>'
        "<Designations><Designation><UniqueID>&x;</UniqueID></Designation></Designations>"
    )
    with pytest.raises(ListFormatError, match="DOCTYPE"):
        uk_fcdo.parse_xml({"main": hostile})

    empty = tmp_path / "d.xml"
    empty.write_text("")
    with pytest.raises(ListFormatError):
        uk_fcdo.parse_xml({"main": empty})
