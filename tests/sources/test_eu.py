"""The EU Financial Sanctions Files parser: the one real record we have, plus hand-made ones.

The hand-made records follow the published FSF 1.1 structure; their values are invented
except where they repeat the UN's public data for KPi.033.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vigil.errors import ListCountError, ListFormatError
from vigil.model import Party
from vigil.sources import eu

EXCERPT = "eu/2024-12-11/export-excerpt.xml"

HANDMADE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<export xmlns="http://eu.europa.ec/fpi/fsd/export"
    generationDate="2026-02-20T18:00:00.000+01:00" globalFileId="1">
  <sanctionEntity designationDetails="Ministry of State Security official supporting KOMID."
      unitedNationId="KPi.033" euReferenceNumber="EU.4221.10" logicalId="90001">
    <remark>UN listing date: 30.11.2016.</remark>
    <regulation regulationType="amendment" organisationType="council" publicationDate="2017-08-31"
        entryIntoForceDate="2017-08-31" numberTitle="2017/1509 (OJ L224)" programme="PRK" logicalId="5001">
      <publicationUrl>https://eur-lex.europa.eu/example/2017-1509</publicationUrl>
    </regulation>
    <regulation regulationType="amendment" organisationType="commission" publicationDate="2016-12-06"
        entryIntoForceDate="2016-12-07" numberTitle="2016/2215 (OJ L334)" programme="PRK" logicalId="5002">
      <publicationUrl>https://eur-lex.europa.eu/example/2016-2215</publicationUrl>
    </regulation>
    <subjectType code="person" classificationCode="P"/>
    <nameAlias firstName="Won Ho" middleName="" lastName="RI" wholeName="RI Won Ho"
        function="Ministry of State Security official"
        gender="M" title="" nameLanguage="" strong="true" regulationLanguage="en" logicalId="7001">
      <regulationSummary regulationType="amendment" publicationDate="2016-12-06"
          numberTitle="2016/2215 (OJ L334)" publicationUrl="https://eur-lex.europa.eu/example/2016-2215"/>
    </nameAlias>
    <nameAlias firstName="" middleName="" lastName="" wholeName="Ri Wonho" function="" title=""
        nameLanguage="" strong="false" regulationLanguage="en" logicalId="7002"/>
    <nameAlias firstName="" middleName="" lastName="" wholeName="리원호" function="" title=""
        nameLanguage="KO" strong="true" regulationLanguage="en" logicalId="7003"/>
    <citizenship region="" countryIso2Code="KP" countryDescription="NORTH KOREA"
        regulationLanguage="en" logicalId="7004"/>
    <birthdate circa="false" calendarType="GREGORIAN" city="" zipCode="" birthdate="1964-07-17"
        dayOfMonth="17" monthOfYear="7" year="1964" region="" place="" countryIso2Code="00"
        countryDescription="UNKNOWN" regulationLanguage="en" logicalId="7005"/>
    <identification diplomatic="false" knownExpired="false" knownFalse="false" reportedLost="false"
        revokedByIssuer="false" issuedBy="" latinNumber="" nameOnDocument="" number="381310014" region=""
        countryIso2Code="KP" countryDescription="NORTH KOREA" identificationTypeCode="passport"
        identificationTypeDescription="National passport" validTo="2021-07-16" regulationLanguage="en"
        logicalId="7006">
      <remark>passport of the DPRK</remark>
    </identification>
  </sanctionEntity>
  <sanctionEntity designationDetails="" unitedNationId="" euReferenceNumber="EU.9999.1" logicalId="90002">
    <regulation regulationType="amendment" organisationType="council" publicationDate="2020-03-01"
        entryIntoForceDate="2020-03-02" numberTitle="2020/300 (OJ L60)" programme="PRK" logicalId="5003"/>
    <subjectType code="enterprise" classificationCode="E"/>
    <nameAlias wholeName="Example Trading Corporation" strong="true" logicalId="7101"/>
    <address city="Pyongyang" street="Sosong Street" poBox="12" zipCode="" region="Central District" place=""
        asAtListingTime="true" countryIso2Code="KP" countryDescription="NORTH KOREA" logicalId="7102">
      <remark>head office</remark>
      <contactInfo key="PHONE" value="+850 2 000 0000"/>
      <contactInfo key="OTHER" value="telex 0000"/>
    </address>
    <identification number="RC-12345" identificationTypeCode="regnumber"
        identificationTypeDescription="Registration Number" countryIso2Code="KP" logicalId="7103"/>
    <additionalInformation key="type of entity" value="trading company"/>
  </sanctionEntity>
  <sanctionEntity logicalId="90003" unitedNationId="" futureAttribute="kept">
    <regulation publicationDate="2021-05-05" numberTitle="2021/700" programme="PRK"/>
    <subjectType code="person" classificationCode="P"/>
    <nameAlias wholeName="Example Person" gender="F" strong="true"/>
    <birthdate circa="true" year="1970" countryIso2Code="00"/>
    <birthdate yearRangeFrom="1968" yearRangeTo="1972" city="Wonsan" countryIso2Code="KP"/>
    <identification identificationTypeCode="id" latinNumber="ID-77" knownFalse="true" countryIso2Code="00"/>
    <futureElement>something new</futureElement>
  </sanctionEntity>
</export>
"""


def _write(tmp_path: Path, content: str | bytes, name: str = "eu.xml") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


@pytest.fixture
def handmade(tmp_path: Path) -> dict[str, Party]:
    result = eu.parse({"main": _write(tmp_path, HANDMADE)})
    assert result.published == "2026-02-20T18:00:00.000+01:00"
    assert result.declared == {"person": 2, "enterprise": 1}
    assert result.parsed == result.declared
    return {p.id: p for p in result.parties}


def test_real_excerpt(lists_dir: Path) -> None:
    result = eu.parse({"main": lists_dir / EXCERPT})
    assert result.source == "eu_fsf"
    assert result.published == "2024-12-11T21:24:35.826+01:00"
    assert result.declared == {"person": 1} == result.parsed
    assert result.warnings == []
    [party] = result.parties
    assert party.id == "eu_fsf:13"
    assert party.schema == "Person"
    assert party.primary_name == "Saddam Hussein Al-Tikriti"
    assert (party.names[0].first, party.names[0].last) == ("Saddam", "Hussein Al-Tikriti")
    assert [(n.full, n.kind, n.quality, n.lang) for n in party.names[1:]] == [
        ("Abu Ali", "aka", "good", None),
        ("Abou Ali", "aka", "good", "fr"),
    ]
    assert party.gender == "male"
    assert party.citizenships == ["iq"]
    [birth] = party.birth_dates
    assert (birth.kind, birth.start) == ("exact", "1937-04-28")
    [place] = party.birth_places
    assert (place.city, place.country) == ("al-Awja, near Tikrit", "iq")
    [designation] = party.designations
    assert designation.authority == "eu"
    assert designation.reference == "13"
    assert designation.programmes == ["IRQ"]
    assert designation.legal_basis == ["1210/2003 (OJ L169)"]
    assert designation.listed_on == "2003-07-08"
    assert designation.remarks == "UNSC RESOLUTION 1483"
    assert party.cross_refs == []
    assert party.raw["regulation[0]@entryIntoForceDate"] == "2003-07-07"
    assert Party.from_dict(party.to_dict()).to_dict() == party.to_dict()


def test_dprk_person_with_un_reference_and_passport(handmade: dict[str, Party]) -> None:
    party = handmade["eu_fsf:90001"]
    assert party.schema == "Person"
    assert party.cross_refs == ["un:KPi.033"]
    assert party.primary_name == "RI Won Ho"
    assert (party.names[0].first, party.names[0].last) == ("Won Ho", "RI")
    names = {n.full: n for n in party.names}
    assert names["Ri Wonho"].quality == "weak"
    assert (names["리원호"].script, names["리원호"].lang) == ("Hang", "ko")
    assert party.positions == ["Ministry of State Security official"]
    assert party.gender == "male"
    assert party.citizenships == ["kp"]
    assert [(d.kind, d.start) for d in party.birth_dates] == [("exact", "1964-07-17")]
    assert party.birth_places == []  # "00"/UNKNOWN is no place
    [passport] = party.identifiers
    assert (passport.kind, passport.value, passport.country, passport.expires) == (
        "passport",
        "381310014",
        "kp",
        "2021-07-16",
    )
    assert passport.type_text == "National passport"
    assert passport.note == "passport of the DPRK"
    designation = party.designations[0]
    assert designation.programmes == ["PRK"]
    assert designation.legal_basis == ["2017/1509 (OJ L224)", "2016/2215 (OJ L334)"]
    assert designation.listed_on == "2016-12-06"  # the earliest act
    assert designation.last_updated == "2017-08-31"
    assert designation.other_refs == ["eu_ref:EU.4221.10"]
    assert designation.narrative == "Ministry of State Security official supporting KOMID."
    assert designation.remarks == "UN listing date: 30.11.2016."


def test_entity_with_address(handmade: dict[str, Party]) -> None:
    party = handmade["eu_fsf:90002"]
    assert party.schema == "Organization"
    [address] = party.addresses
    assert (address.street, address.city, address.region, address.country) == (
        "Sosong Street",
        "Pyongyang",
        "Central District",
        "kp",
    )
    assert address.note is not None
    assert "head office" in address.note and "PO box 12" in address.note and "telex 0000" in address.note
    assert ("phone", "+850 2 000 0000") in [(i.kind, i.value) for i in party.identifiers]
    assert ("registration", "RC-12345") in [(i.kind, i.value) for i in party.identifiers]
    assert party.raw["additionalInformation:type of entity"] == "trading company"
    assert party.cross_refs == []


def test_dates_flags_and_unknown_fields(handmade: dict[str, Party]) -> None:
    party = handmade["eu_fsf:90003"]
    assert party.gender == "female"
    assert [(d.kind, d.start, d.end) for d in party.birth_dates] == [
        ("circa", "1970", None),
        ("range", "1968", "1972"),
    ]
    assert [(p.city, p.country) for p in party.birth_places] == [("Wonsan", "kp")]
    [document] = party.identifiers
    assert (document.kind, document.value, document.country) == ("national_id", "ID-77", None)
    assert document.note is not None and "knownFalse" in document.note
    assert party.raw["futureElement"] == "something new"
    assert party.raw["sanctionEntity[0]@futureAttribute"] == "kept"
    assert party.designations[0].listed_on == "2021-05-05"


def test_source_metadata() -> None:
    source = eu.SOURCE
    assert (source.key, source.authority, source.format) == ("eu_fsf", "eu", "xml")
    assert [f.role for f in source.files] == ["main"]
    assert source.files[0].url.endswith("xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw")
    assert source.parse is eu.parse


# --- bad input ------------------------------------------------------------------------------------


def test_un_file_is_refused(lists_dir: Path) -> None:
    with pytest.raises(ListFormatError, match="not an EU Financial Sanctions Files export"):
        eu.parse({"main": lists_dir / "un/2026-02-27/UN_consolidated.xml"})


def test_record_without_logical_id_is_a_count_error(tmp_path: Path) -> None:
    content = HANDMADE.replace('logicalId="90003" ', "")
    with pytest.raises(ListCountError, match="parsed 1 of 2 person"):
        eu.parse({"main": _write(tmp_path, content)})


def test_truncated_and_empty(tmp_path: Path) -> None:
    truncated = _write(tmp_path, HANDMADE[: len(HANDMADE) // 2], "truncated.xml")
    with pytest.raises(ListFormatError) as info:
        eu.parse({"main": truncated})
    assert str(truncated) in str(info.value) and info.value.location is not None
    with pytest.raises(ListFormatError, match="empty"):
        eu.parse({"main": _write(tmp_path, b"", "empty.xml")})


def test_xxe_is_refused(tmp_path: Path) -> None:
    content = HANDMADE.replace(
        '<export xmlns="http://eu.europa.ec/fpi/fsd/export"',
        '<!DOCTYPE export [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<export xmlns="http://eu.europa.ec/fpi/fsd/export"',
    ).replace('wholeName="Example Person"', 'wholeName="&xxe;"')
    with pytest.raises(ListFormatError, match="DOCTYPE") as info:
        eu.parse({"main": _write(tmp_path, content)})
    assert "root:" not in str(info.value)


def test_non_utf8_bytes(tmp_path: Path) -> None:
    content = HANDMADE.encode().replace(b"Example Person", b"Exampl\xe9 \xff")
    with pytest.raises(ListFormatError) as info:
        eu.parse({"main": _write(tmp_path, content)})
    assert info.value.location is not None and "line" in info.value.location
