"""OFAC SDN advanced XML: the real 2025-11-19 list checked against reference tables, and hostile input."""

from __future__ import annotations

import bz2
import csv
from collections import Counter
from pathlib import Path

import pytest

from vigil.errors import ListCountError, ListFormatError
from vigil.model import ID_KINDS, NAME_KINDS, NAME_QUALITIES, RELATION_KINDS, SCHEMAS, Party
from vigil.sources.base import ParsedList
from vigil.sources.ofac_advanced import SOURCE, parse

ADVANCED = Path("ofac/advanced/2025-11-19/sdn_advanced.xml.bz2")
NS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML"
DPRK_PROGRAMMES = {"DPRK", "DPRK2", "DPRK3", "DPRK4", "DPRK-NKSPEA"}


@pytest.fixture(scope="module")
def parsed(lists_dir: Path) -> ParsedList:
    return parse({"main": lists_dir / ADVANCED})


@pytest.fixture(scope="module")
def by_ref(parsed: ParsedList) -> dict[str, Party]:
    return {party.id.split(":", 1)[1]: party for party in parsed.parties}


def _programmes(party: Party) -> set[str]:
    return {p for d in party.designations for p in d.programmes}


def _dprk_linked(party: Party) -> bool:
    """DPRK programmes, or an OFAC note citing the North Korea Sanctions Regulations (SOURCES.md)."""
    return bool(_programmes(party) & DPRK_PROGRAMMES) or any(
        "North Korea Sanctions Regulations" in value for value in party.raw.values()
    )


@pytest.fixture(scope="module")
def dprk(parsed: ParsedList) -> list[Party]:
    return [party for party in parsed.parties if _dprk_linked(party)]


def _reference(shared_data: Path, name: str) -> list[dict[str, str]]:
    with (shared_data / "reference" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# ------------------------------------------------------------------ the real list


def test_source_metadata() -> None:
    assert SOURCE.key == "ofac_sdn_advanced"
    assert SOURCE.authority == "ofac"
    assert SOURCE.format == "xml"
    assert [f.role for f in SOURCE.files] == ["main"]
    assert (
        SOURCE.files[0].url
        == "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN_ADVANCED.XML"
    )
    assert SOURCE.parse is parse


def test_counts_and_date(parsed: ParsedList) -> None:
    assert parsed.source == "ofac_sdn_advanced"
    assert parsed.published == "2025-11-19"
    expected = {
        "DistinctParty": 18367,
        "Entity": 9359,
        "Individual": 7303,
        "Vessel": 1370,
        "Aircraft": 335,
        "ProfileRelationship": 8194,
    }
    assert parsed.declared == expected
    assert {k: v for k, v in parsed.parsed.items() if k != "relations"} == expected
    assert parsed.parsed["relations"] == 8194
    assert len(parsed.parties) == 18367
    assert Counter(p.schema for p in parsed.parties) == {
        "Organization": 9359,
        "Person": 7303,
        "Vessel": 1370,
        "Airplane": 335,
    }
    assert parsed.warnings == []
    assert parsed.parties[0].id.startswith("ofac_sdn_advanced:")
    assert len({p.id for p in parsed.parties}) == len(parsed.parties)


def test_values_stay_in_vocabularies(parsed: ParsedList) -> None:
    for party in parsed.parties:
        assert party.schema in SCHEMAS
        assert party.names and party.names[0].kind == "primary" and not party.names[0].original_script
        assert {n.kind for n in party.names} <= NAME_KINDS
        assert {n.quality for n in party.names} <= NAME_QUALITIES
        assert {i.kind for i in party.identifiers} <= ID_KINDS
        assert {r.kind for r in party.relations} <= RELATION_KINDS
        assert party.designations[0].authority == "ofac"
        assert party.designations[0].list_name == "SDN List"
        assert party.designations[0].reference == party.id.split(":", 1)[1]
        assert party.designations[0].listed_on
        # A round trip through the model's dict form loses nothing.
        assert Party.from_dict(party.to_dict()) == party


def test_dprk_scope(dprk: list[Party]) -> None:
    # SOURCES.md: 668 DPRK-linked parties, 105 of them vessels.
    assert len(dprk) == 668
    assert Counter(p.schema for p in dprk) == {
        "Organization": 281,
        "Person": 266,
        "Vessel": 105,
        "Airplane": 16,
    }
    per_programme = Counter(prog for p in dprk for prog in _programmes(p) if prog in DPRK_PROGRAMMES)
    assert per_programme == {"DPRK4": 190, "DPRK3": 160, "DPRK2": 124, "DPRK": 69, "DPRK-NKSPEA": 2}
    # The NPWMD parties are the ones linked only by the regulations note.
    assert sum(1 for p in dprk if "NPWMD" in _programmes(p) and not _programmes(p) & DPRK_PROGRAMMES) == 130


def test_dprk_vessels_all_have_imo(dprk: list[Party]) -> None:
    vessels = [p for p in dprk if p.schema == "Vessel"]
    assert len(vessels) == 105
    for vessel in vessels:
        imos = [i.value for i in vessel.identifiers if i.kind == "imo"]
        assert imos, vessel.id
        assert vessel.vessel is not None and vessel.vessel.imo == imos[0]
        assert len(imos[0]) == 7 and imos[0].isdigit()


def test_vessels_agree_with_reference_table(shared_data: Path, by_ref: dict[str, Party]) -> None:
    rows = _reference(shared_data, "ofac_sdn_vessels.csv")
    assert len(rows) == 1370
    mismatches: Counter[str] = Counter()
    for row in rows:
        party = by_ref[row["sdn_uid"]]
        assert party.schema == "Vessel" and party.vessel is not None
        assert party.primary_name == row["name"]
        registration = row["imo"].strip().removeprefix("IMO").strip()
        listed = {i.value for i in party.identifiers if i.type_text == "Vessel Registration Identification"}
        assert not registration or registration in listed, row["sdn_uid"]
        if len(registration) == 7 and registration.isdigit():
            assert party.vessel.imo == registration
        elif registration:
            # "RS 130280" and short numbers are not IMO numbers: kept, but as registrations.
            assert party.vessel.imo is None
        if row["mmsi"]:
            assert party.vessel.mmsi == row["mmsi"]
        if row["flag"] and party.vessel.flag_text != row["flag"]:
            mismatches["flag"] += 1  # the reference joins repeated flags ("China;China")
        if row["call_sign"]:
            # ";" joins several Vessel Call Sign features (one OFAC record has "Iran" as a call sign).
            assert set(row["call_sign"].split(";")) <= {
                i.value for i in party.identifiers if i.kind == "call_sign"
            }
        if row["vessel_type"]:
            assert party.vessel.vessel_type == row["vessel_type"]
        if row["grt"]:
            assert party.vessel.gross_tonnage == row["grt"]
        if row["year_built"]:
            assert party.vessel.year_built == row["year_built"]
        if row["former_flags"]:
            assert len(party.vessel.former_flags) >= 1
        assert party.designations[0].listed_on == row["first_listed"]
        assert _programmes(party) == set(row["programs"].split(";"))
        targets = {
            f"{(r.text or '').split(' (')[0]}: {r.target_name} [{(r.target or '').split(':', 1)[1]}]"
            for r in party.relations
        }
        assert targets == {x.strip() for x in row["relationships"].split("|") if x.strip()}
    assert mismatches["flag"] <= 1
    imos = [r["imo"].strip().removeprefix("IMO").strip() for r in rows]
    with_imo = [by_ref[r["sdn_uid"]].vessel for r in rows]
    assert sum(1 for value in imos if len(value) == 7 and value.isdigit()) == sum(
        1 for vessel in with_imo if vessel is not None and vessel.imo
    )


def test_dprk_vessel_details(by_ref: dict[str, Party]) -> None:
    vessel = by_ref["17069"]  # CHONG CHON GANG, listed under DPRK in 2014
    assert vessel.primary_name == "Chong Chon Gang"
    assert vessel.vessel is not None
    assert vessel.vessel.imo == "7937317"
    assert vessel.vessel.flag == "kp"
    assert vessel.vessel.flag_text == "Democratic People's Republic of Korea"
    assert vessel.vessel.vessel_type == "General Cargo"
    assert vessel.designations[0].programmes == ["DPRK"]
    assert vessel.designations[0].listed_on == "2014-07-30"
    # No DPRK vessel carries a call sign or MMSI in this file (the reference table agrees);
    # 96 of the 105 carry a flag.
    dprk_vessels = [p for p in by_ref.values() if p.schema == "Vessel" and _dprk_linked(p)]
    assert sum(1 for p in dprk_vessels if p.vessel and p.vessel.flag) == 96
    assert not any(p.vessel and (p.vessel.call_sign or p.vessel.mmsi) for p in dprk_vessels)
    ace = by_ref["54869"]  # a vessel with every field, for the call sign and MMSI paths
    assert ace.vessel is not None
    assert (
        ace.vessel.imo,
        ace.vessel.mmsi,
        ace.vessel.call_sign,
        ace.vessel.flag,
        ace.vessel.year_built,
    ) == ("9228538", "376846000", "J8B6221", "vc", "2001")
    assert {(i.kind, i.value) for i in ace.identifiers} >= {
        ("imo", "9228538"),
        ("mmsi", "376846000"),
        ("call_sign", "J8B6221"),
    }
    assert (
        ace.relations[0].kind == "owned_or_controlled_by"
        and ace.relations[0].text == "Property in the interest of"
    )


def test_lazarus_group(parsed: ParsedList) -> None:
    matches = [p for p in parsed.parties if any(n.full.upper() == "LAZARUS GROUP" for n in p.names)]
    assert len(matches) == 1
    lazarus = matches[0]
    assert lazarus.id == "ofac_sdn_advanced:27307"
    assert lazarus.schema == "Organization"
    assert lazarus.primary_name == "Lazarus Group"
    aliases = {n.full: n for n in lazarus.names if n.kind == "aka"}
    assert {"Hidden Cobra", "Guardians of Peace", "APT-C-26", "Appleworm"} <= set(aliases)
    assert len(aliases) == 11
    assert aliases["Hidden Cobra"].quality == "weak"
    crypto = [i for i in lazarus.identifiers if i.kind == "crypto"]
    assert len(crypto) == 8
    assert {i.chain for i in crypto} == {"ETH"}
    assert "0x098B716B8Aaf21512996dC57EB0615e2383E2f96" in {i.value for i in crypto}
    assert lazarus.designations[0].programmes == ["DPRK3"]
    assert lazarus.designations[0].legal_basis == ["Executive Order 13722 (North Korea)"]
    assert lazarus.addresses[0].city == "Pyongyang" and lazarus.addresses[0].country == "kp"


def test_dprk_crypto_addresses(dprk: list[Party]) -> None:
    chains = Counter(i.chain for p in dprk for i in p.identifiers if i.kind == "crypto")
    # More than the 2024 SDN.CSV lower bound (69): the XML has no 1,000-character cut.
    assert sum(chains.values()) >= 69
    assert {"XBT", "ETH", "USDT"} <= set(chains)


def test_relations(parsed: ParsedList, by_ref: dict[str, Party]) -> None:
    relations = [(p, r) for p in parsed.parties for r in p.relations]
    assert len(relations) == 8194
    ids = {p.id for p in parsed.parties}
    assert all(r.target in ids for _, r in relations)  # every ProfileID is a DistinctParty FixedRef
    kinds = Counter(r.kind for _, r in relations)
    assert kinds["owned_or_controlled_by"] > kinds["support"] > kinds["acting_for"] > 0
    assert kinds["leader_of"] > 0 and kinds["family"] > 0 and kinds["associate"] > 0
    ra = by_ref["15656"]  # RA Kyong-Su acts for TANCHON COMMERCIAL BANK
    assert any(
        r.kind == "acting_for"
        and r.target == "ofac_sdn_advanced:9346"
        and r.text == "Acting for or on behalf of"
        for r in ra.relations
    )


def test_dprk_relations_match_reference(shared_data: Path, parsed: ParsedList, dprk: list[Party]) -> None:
    rows = _reference(shared_data, "ofac_dprk_relationships.csv")
    expected = {(r["from_uid"], r["relation"], r["to_uid"]) for r in rows}
    ours = {
        (p.id.split(":", 1)[1], (r.text or "").split(" (")[0], (r.target or "").split(":", 1)[1])
        for p in dprk
        for r in p.relations
    }
    assert ours == expected
    assert Counter(rel for _, rel, _ in ours) == {
        "Owned or Controlled By": 128,
        "Acting for or on behalf of": 73,
        "Providing support to": 43,
        "Leader or official of": 15,
    }


def test_dprk_attributes_match_reference(shared_data: Path, by_ref: dict[str, Party]) -> None:
    rows = _reference(shared_data, "ofac_dprk_party_attributes.csv")
    by_party: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        by_party.setdefault(row["uid"], {}).setdefault(row["attribute"], []).append(row["value"])
    assert len(by_party) == 668
    for uid, attributes in by_party.items():
        party = by_ref[uid]
        assert party.primary_name == attributes["name"][0]
        expected_aliases = Counter(attributes.get("alias", []))
        assert (
            Counter(n.full for n in party.names if n.kind != "primary" or n.original_script)
            == expected_aliases
        )
        assert len(party.addresses) == len(attributes.get("Location", []))
        assert set(party.titles) == set(attributes.get("Title", []))
        assert {b.text for b in party.birth_places} == set(attributes.get("Place of Birth", []))
        for attribute, values in attributes.items():
            if attribute.startswith("Digital Currency Address"):
                assert {i.value for i in party.identifiers if i.type_text == attribute} == set(values)
            elif attribute.startswith("id:"):
                listed = {i.value for i in party.identifiers} | {f"IMO {i.value}" for i in party.identifiers}
                assert set(values) <= listed, (uid, attribute)
    komid = by_ref["9345"]
    assert komid.primary_name == "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    assert {"KOMID", "CHANGGWANG SINYONG CORPORATION"} <= {n.full for n in komid.names}
    assert {(a.city, a.country) for a in komid.addresses} >= {
        ("Pyongyang", "kp"),
        ("Beijing", "cn"),
        ("Moscow", "ru"),
    }


def test_person_fields(by_ref: dict[str, Party]) -> None:
    ri = by_ref["12216"]  # RI Je-Son
    assert ri.schema == "Person"
    primary = ri.names[0]
    assert (primary.full, primary.last, primary.first, primary.parts) == (
        "RI Je-Son",
        "RI",
        "Je-Son",
        ["RI", "Je-Son"],
    )
    assert ri.birth_dates[0].kind == "exact" and ri.birth_dates[0].start == "1938"
    assert ri.nationalities == ["kp"]
    passports = [
        i for p in by_ref.values() for i in p.identifiers if i.kind == "passport" and i.country == "kp"
    ]
    assert passports and all(i.country_text == "Korea, North" for i in passports)


def test_korean_script_names(dprk: list[Party]) -> None:
    hangul = [(p, n) for p in dprk for n in p.names if n.script == "Hang"]
    assert hangul, "DPRK parties carry Hangul names"
    assert all(n.original_script for _, n in hangul)
    party, name = next((p, n) for p, n in hangul if p.id == "ofac_sdn_advanced:22986")
    assert name.full == "화려은행" and name.kind == "aka"
    assert party.names[0].full == "HANA BANKING CORPORATION LTD"
    assert any(n.script == "Hani" and n.full == "朝鲜华丽银行" for n in party.names)


def test_dates_kinds(parsed: ParsedList) -> None:
    kinds = Counter(d.kind for p in parsed.parties for d in p.birth_dates)
    assert kinds["exact"] > 7000 and kinds["range"] > 50 and kinds["circa"] > 50
    ranges = [d for p in parsed.parties for d in p.birth_dates if d.kind == "range"]
    assert all(d.start and d.end and d.start < d.end for d in ranges)
    assert sum(len(p.incorporation_dates) for p in parsed.parties) > 2000


def test_unmapped_features_kept_raw(parsed: ParsedList) -> None:
    raw_keys = Counter(k for p in parsed.parties for k in p.raw)
    assert raw_keys["feature:Secondary sanctions risk:"] > 10000
    assert raw_keys["feature:Vessel Tonnage"] == 58


# ------------------------------------------------------------------ bad input


def _write(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path


_REFS = """
  <ReferenceValueSets>
    <AliasTypeValues>
      <AliasType ID="1400">A.K.A.</AliasType><AliasType ID="1403">Name</AliasType>
    </AliasTypeValues>
    <CountryValues><Country ID="11120" ISO2="KP">Korea, North</Country></CountryValues>
    <FeatureTypeValues>
      <FeatureType ID="8" FeatureTypeGroupID="1">Birthdate</FeatureType>
      <FeatureType ID="999" FeatureTypeGroupID="1">Brand New Feature</FeatureType>
    </FeatureTypeValues>
    <ListValues><List ID="1550">SDN List</List></ListValues>
    <NamePartTypeValues><NamePartType ID="1525">Entity Name</NamePartType></NamePartTypeValues>
    <PartySubTypeValues><PartySubType ID="3" PartyTypeID="2">Unknown</PartySubType></PartySubTypeValues>
    <PartyTypeValues><PartyType ID="2">Entity</PartyType></PartyTypeValues>
    <RelationTypeValues><RelationType ID="15003">Owned or Controlled By</RelationType></RelationTypeValues>
    <SanctionsTypeValues><SanctionsType ID="1">Program</SanctionsType></SanctionsTypeValues>
    <ScriptValues><Script ID="215" ScriptCode="Latin">Latin</Script></ScriptValues>
  </ReferenceValueSets>"""


def _period(start: tuple[str, str], end: tuple[str, str], approximate: str = "false") -> str:
    def ymd(value: str) -> str:
        y, m, d = value.split("-")
        return f"<Year>{y}</Year><Month>{m}</Month><Day>{d}</Day>"

    return (
        f'<DatePeriod CalendarTypeID="1"><Start Approximate="{approximate}">'
        f"<From>{ymd(start[0])}</From><To>{ymd(start[1])}</To></Start>"
        f'<End Approximate="{approximate}">'
        f"<From>{ymd(end[0])}</From><To>{ymd(end[1])}</To></End></DatePeriod>"
    )


def _party(fixed_ref: str, subtype: str = "3", features: str = "") -> str:
    return f"""
    <DistinctParty FixedRef="{fixed_ref}"><Comment />
      <Profile ID="{fixed_ref}" PartySubTypeID="{subtype}">
        <Identity ID="{fixed_ref}0" FixedRef="{fixed_ref}" Primary="true" False="false">
          <Alias FixedRef="{fixed_ref}" AliasTypeID="1403" Primary="true" LowQuality="false">
            <DocumentedName ID="1" FixedRef="{fixed_ref}" DocNameStatusID="1"><DocumentedNamePart>
              <NamePartValue NamePartGroupID="{fixed_ref}1" ScriptID="215"
                >TEST PARTY {fixed_ref}</NamePartValue>
            </DocumentedNamePart></DocumentedName>
          </Alias>
          <NamePartGroups><MasterNamePartGroup>
            <NamePartGroup ID="{fixed_ref}1" NamePartTypeID="1525" />
          </MasterNamePartGroup></NamePartGroups>
        </Identity>{features}
      </Profile>
    </DistinctParty>"""


def _document(parties: str, relationships: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Sanctions xmlns="{NS}">\n'
        "  <DateOfIssue><Year>2025</Year><Month>1</Month><Day>2</Day></DateOfIssue>"
        f"{_REFS}\n  <Locations />\n  <IDRegDocuments />\n"
        f"  <DistinctParties>{parties}\n  </DistinctParties>\n"
        f"  <ProfileRelationships>{relationships}</ProfileRelationships>\n"
        "  <SanctionsEntries />\n</Sanctions>\n"
    )


def _feature(type_id: str, inner: str) -> str:
    return (
        f'<Feature ID="1" FeatureTypeID="{type_id}">'
        f'<FeatureVersion ID="1" ReliabilityID="1">{inner}</FeatureVersion></Feature>'
    )


def test_small_document_dates_and_raw(tmp_path: Path) -> None:
    features = "".join(
        (
            _feature("8", _period(("1946-01-01", "1946-01-01"), ("1946-12-31", "1946-12-31"))),
            _feature("8", _period(("1955-01-01", "1955-12-31"), ("1957-01-01", "1957-12-31"))),
            _feature("8", _period(("1951-01-01", "1951-01-01"), ("1951-12-31", "1951-12-31"), "true")),
            _feature("8", _period(("1962-03-01", "1962-03-31"), ("1962-03-01", "1962-03-31"))),
            _feature("8", _period(("1948-12-10", "1948-12-10"), ("1948-12-10", "1948-12-10"))),
            _feature("999", '<VersionDetail DetailTypeID="1432">something new</VersionDetail>'),
        )
    )
    path = tmp_path / "small.xml.bz2"
    path.write_bytes(bz2.compress(_document(_party("1", features=features) + _party("2")).encode()))
    result = parse({"main": path})
    assert result.published == "2025-01-02"
    party = result.parties[0]
    assert [(d.kind, d.start, d.end) for d in party.birth_dates] == [
        ("exact", "1946", None),
        ("range", "1955", "1957"),
        ("circa", "1951", None),
        ("exact", "1962-03", None),
        ("exact", "1948-12-10", None),
    ]
    assert party.raw["feature:Brand New Feature"] == "something new"
    assert result.declared == {"DistinctParty": 2, "Entity": 2}
    assert result.parties[1].designations[0].reference == "2"
    assert any("no SanctionsEntry" in w for w in result.warnings)


def test_truncated_file(tmp_path: Path, lists_dir: Path) -> None:
    with bz2.open(lists_dir / ADVANCED, "rb") as handle:
        head = handle.read(200 * 1024)
    path = tmp_path / "truncated.xml"
    path.write_bytes(head)
    with pytest.raises(ListFormatError) as info:
        parse({"main": path})
    assert str(path) in str(info.value)
    assert info.value.location is not None and info.value.location.startswith("line ")


def test_unknown_party_subtype(tmp_path: Path) -> None:
    path = _write(tmp_path / "subtype.xml", _document(_party("1") + _party("2", subtype="77")))
    with pytest.raises(ListFormatError) as info:
        parse({"main": path})
    message = str(info.value)
    assert "PartySubTypeID '77'" in message and "FixedRef=2" in message and str(path) in message
    assert info.value.location is not None and info.value.location.startswith("line ")


def test_relationship_to_unknown_profile_is_a_count_error(tmp_path: Path) -> None:
    relationship = (
        '<ProfileRelationship ID="9" From-ProfileID="404" To-ProfileID="1" RelationTypeID="15003"'
        ' Former="false"><Comment /></ProfileRelationship>'
    )
    path = _write(tmp_path / "relations.xml", _document(_party("1"), relationship))
    with pytest.raises(ListCountError, match="parsed 0 of 1 ProfileRelationship"):
        parse({"main": path})


def test_un_xml_is_refused(lists_dir: Path) -> None:
    path = lists_dir / "un/2026-02-27/UN_consolidated.xml"
    with pytest.raises(ListFormatError, match="not an OFAC advanced XML") as info:
        parse({"main": path})
    assert str(path) in str(info.value)


def test_sdn_xml_is_refused(lists_dir: Path) -> None:
    with pytest.raises(ListFormatError, match="not an OFAC advanced XML"):
        parse({"main": lists_dir / "ofac/cons/2026-01-08/ofac.xml"})


def test_xxe_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    body = (
        _document(_party("1"))
        .replace(
            '<?xml version="1.0" encoding="utf-8"?>\n',
            f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE Sanctions [<!ENTITY xxe SYSTEM "file://{secret}">]>\n',
        )
        .replace("TEST PARTY 1", "&xxe;")
    )
    path = _write(tmp_path / "xxe.xml", body)
    with pytest.raises(ListFormatError, match="DOCTYPE") as info:
        parse({"main": path})
    assert "TOP SECRET" not in str(info.value)


def test_missing_main_file() -> None:
    with pytest.raises(ListFormatError, match="main"):
        parse({})
