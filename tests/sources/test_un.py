"""The UN Security Council Consolidated List parser, on the real published files."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from vigil.errors import ListCountError, ListFormatError
from vigil.model import Party
from vigil.model.vocab import DATE_KINDS, ID_KINDS, NAME_KINDS, NAME_QUALITIES, RELATION_KINDS, SCHEMAS
from vigil.names.countries import country_code
from vigil.sources import un
from vigil.sources.base import ParsedList

UN_2026_02 = "un/2026-02-27/UN_consolidated.xml"
UN_2026_01 = "un/2026-01-28/un.xml"

#: Every element name the UN XML uses, each mapped by the parser or kept in Party.raw.
KNOWN_TAGS = {
    "CONSOLIDATED_LIST", "INDIVIDUALS", "ENTITIES", "INDIVIDUAL", "ENTITY", "DATAID", "VERSIONNUM",
    "FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME", "UN_LIST_TYPE", "REFERENCE_NUMBER",
    "LISTED_ON", "NAME_ORIGINAL_SCRIPT", "COMMENTS1", "GENDER", "TITLE", "DESIGNATION", "NATIONALITY",
    "LIST_TYPE", "LAST_DAY_UPDATED", "VALUE", "INDIVIDUAL_ALIAS", "ENTITY_ALIAS", "QUALITY", "ALIAS_NAME",
    "NOTE", "DATE_OF_BIRTH", "CITY_OF_BIRTH", "COUNTRY_OF_BIRTH", "INDIVIDUAL_ADDRESS", "ENTITY_ADDRESS",
    "STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY", "INDIVIDUAL_DATE_OF_BIRTH", "TYPE_OF_DATE",
    "DATE", "YEAR", "FROM_YEAR", "TO_YEAR", "INDIVIDUAL_PLACE_OF_BIRTH", "INDIVIDUAL_DOCUMENT",
    "TYPE_OF_DOCUMENT", "TYPE_OF_DOCUMENT2", "NUMBER", "ISSUING_COUNTRY", "DATE_OF_ISSUE", "CITY_OF_ISSUE",
    "COUNTRY_OF_ISSUE", "SORT_KEY", "SORT_KEY_LAST_MOD",
}  # fmt: skip


@pytest.fixture(scope="module")
def un_file(lists_dir: Path) -> Path:
    return lists_dir / UN_2026_02


@pytest.fixture(scope="module")
def parsed(un_file: Path) -> ParsedList:
    return un.parse({"main": un_file})


@pytest.fixture(scope="module")
def by_id(parsed: ParsedList) -> dict[str, Party]:
    return {p.id: p for p in parsed.parties}


def _party(by_id: dict[str, Party], ref: str) -> Party:
    return by_id[f"un_sc:{ref}"]


# --- counts and metadata ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relpath", "published", "individuals", "entities"),
    [
        (UN_2026_02, "2026-02-27T00:00:09.554Z", 730, 273),
        (UN_2026_01, "2026-01-28T00:00:11.197Z", 726, 273),
    ],
)
def test_counts_and_date_of_both_snapshots(
    lists_dir: Path, relpath: str, published: str, individuals: int, entities: int
) -> None:
    result = un.parse({"main": lists_dir / relpath})
    assert result.source == "un_sc"
    assert result.published == published
    assert result.declared == {"INDIVIDUAL": individuals, "ENTITY": entities}
    assert result.parsed == result.declared
    assert len(result.parties) == individuals + entities
    assert result.warnings == []
    refs = [p.designations[0].reference or "" for p in result.parties]
    assert sum(r.startswith("KPi.") for r in refs) == 80
    assert sum(r.startswith("KPe.") for r in refs) == 75


def test_ids_schemas_and_vocabularies(parsed: ParsedList) -> None:
    ids = [p.id for p in parsed.parties]
    assert len(ids) == len(set(ids))
    for party in parsed.parties:
        assert party.id == f"un_sc:{party.designations[0].reference}"
        assert party.source == "un_sc"
        assert party.schema in SCHEMAS
        assert party.schema == ("Person" if party.id.split(".")[0][-1] == "i" else "Organization")
        assert party.names, party.id
        assert party.names[0].kind == "primary"
        assert all(n.kind in NAME_KINDS for n in party.names)
        assert all(n.quality is None or n.quality in NAME_QUALITIES for n in party.names)
        assert all(d.kind in DATE_KINDS for d in party.birth_dates)
        assert all(i.kind in ID_KINDS and i.value for i in party.identifiers)
        assert all(r.kind in RELATION_KINDS for r in party.relations)
        assert all(isinstance(v, str) for v in party.raw.values())
        designation = party.designations[0]
        assert designation.authority == "un"
        assert designation.programmes and designation.regime == designation.programmes[0]
        assert designation.listed_on is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", designation.listed_on)
        assert any(ref.startswith("dataid:") for ref in designation.other_refs)
        assert any(ref.startswith("versionnum:") for ref in designation.other_refs)


def test_round_trip_through_dict(parsed: ParsedList) -> None:
    for party in parsed.parties:
        assert Party.from_dict(party.to_dict()).to_dict() == party.to_dict()


def test_parse_is_fast(un_file: Path, parsed: ParsedList) -> None:
    # ``parsed`` has warmed the country tables; this times the parse alone.
    start = time.perf_counter()
    un.parse({"main": un_file})
    assert time.perf_counter() - start < 2.0


def test_source_metadata() -> None:
    source = un.SOURCE
    assert source.key == "un_sc"
    assert source.authority == "un"
    assert source.format == "xml"
    assert [f.role for f in source.files] == ["main"]
    assert source.files[0].url == "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
    assert source.parse is un.parse
    assert source.publisher


# --- spot checks on DPRK entries -----------------------------------------------------------------


def test_kpi_033_ri_won_ho(by_id: dict[str, Party]) -> None:
    party = _party(by_id, "KPi.033")
    assert party.schema == "Person"
    assert party.primary_name == "RI WON HO"
    assert party.names[0].parts == ["RI", "WON HO"]
    assert party.names[0].script == "Latn"
    assert [(d.kind, d.start) for d in party.birth_dates] == [("exact", "1964-07-17")]
    assert party.nationalities == ["kp"]
    assert party.positions == ["DPRK Ministry of State Security Official"]
    [passport] = party.identifiers
    assert (passport.kind, passport.value, passport.type_text) == ("passport", "381310014", "Passport")
    designation = party.designations[0]
    assert designation.reference == "KPi.033"
    assert designation.programmes == ["DPRK"]
    assert designation.listed_on == "2016-11-30"
    assert designation.list_name == "UN List"
    assert designation.narrative is not None and "KOMID" in designation.narrative
    assert "dataid:6908555" in designation.other_refs
    assert party.authority_refs == ["un:KPi.033"]


def test_kpe_018_second_academy_and_aliases(by_id: dict[str, Party]) -> None:
    party = _party(by_id, "KPe.018")
    assert party.schema == "Organization"
    assert party.primary_name == "SECOND ACADEMY OF NATURAL SCIENCES"
    aliases = [n.full for n in party.names if n.kind == "aka"]
    assert aliases == [
        "2ND ACADEMY OF NATURAL SCIENCES",
        "CHE 2 CHAYON KWAHAKWON",
        "ACADEMY OF NATURAL SCIENCES",
        "CHAYON KWAHAK-WON",
        "NATIONAL DEFENSE ACADEMY",
        "KUKPANG KWAHAK-WON",
        "SECOND ACADEMY OF NATURAL SCIENCES RESEARCH INSTITUTE",
        "SANSRI",
    ]
    [address] = party.addresses
    assert (address.city, address.country) == ("Pyongyang", "kp")
    assert address.country_text == "Democratic People's Republic of Korea"
    assert party.designations[0].listed_on == "2013-03-07"


def test_alias_citing_another_entry_is_kept_and_noted(by_id: dict[str, Party]) -> None:
    party = _party(by_id, "KPe.021")
    [alias] = [n for n in party.names if n.kind == "aka"]
    assert alias.full == "SECOND ACADEMY OF NATURAL SCIENCES (KPE.018)"
    assert alias.note is not None and "KPe.018" in alias.note
    [relation] = party.relations
    assert (relation.kind, relation.target, relation.target_ref) == ("other", "un_sc:KPe.018", "KPe.018")
    assert party.designations[0].last_updated == "2024-01-05"


def test_between_dates_become_ranges(by_id: dict[str, Party]) -> None:
    [date] = _party(by_id, "KPi.066").birth_dates
    assert (date.kind, date.start, date.end) == ("range", "1967", "1969")


def test_dprk_alias_with_its_own_date_of_birth(by_id: dict[str, Party]) -> None:
    party = _party(by_id, "KPi.016")
    [alias] = [n for n in party.names if n.full == "Jang Hyon U"]
    assert (alias.kind, alias.quality) == ("aka", "good")
    assert alias.note is not None and "1958-02-22" in alias.note
    assert any(d.start == "1958-02-22" and d.note and "Jang Hyon U" in d.note for d in party.birth_dates)


def test_low_quality_dprk_alias(by_id: dict[str, Party]) -> None:
    names = {n.full: n for n in _party(by_id, "KPi.064").names}
    assert (names["Choe Sok Min"].kind, names["Choe Sok Min"].quality) == ("aka", "low")


def test_passport_repeated_in_three_languages_is_one_identifier(by_id: dict[str, Party]) -> None:
    [passport] = _party(by_id, "KPi.006").identifiers
    assert (passport.kind, passport.value, passport.issued) == ("passport", "381420754", "2011-12-07")
    assert passport.expires == "2016-12-07"
    assert passport.note is not None
    assert "Número de pasaporte" in passport.note and "Expires on 7 Dec. 2016" in passport.note


def test_number_with_trailing_remark_is_split(by_id: dict[str, Party]) -> None:
    values = {i.value: i for i in _party(by_id, "KPi.021").identifiers}
    assert set(values) == {"199421147", "381110042", "563210184"}
    assert values["381110042"].expires == "2016-01-25"
    assert values["381110042"].note == "Expired 25 Jan. 2016"


def test_dprk_passport_country_from_country_of_issue(by_id: dict[str, Party]) -> None:
    [passport] = _party(by_id, "KPi.008").identifiers
    assert (passport.value, passport.country) == ("645120196", "kp")


# --- spot checks on other regimes (features the DPRK entries do not use) ----------------------------


def test_original_script_names(by_id: dict[str, Party]) -> None:
    cyrillic = [n for n in _party(by_id, "QDi.290").names if n.original_script]
    assert [(n.full, n.script, n.kind) for n in cyrillic] == [("Умаров Доку Хаматович", "Cyrl", "primary")]
    arabic = [p for p in by_id.values() if any(n.original_script and n.script == "Arab" for n in p.names)]
    assert len(arabic) > 300
    # The Latin "original script" of QDe.164 is kept as such.
    assert [n.script for n in _party(by_id, "QDe.164").names if n.original_script] == ["Latn"]


def test_original_script_from_alias_note(by_id: dict[str, Party]) -> None:
    names = _party(by_id, "QDi.363").names
    extra = [n for n in names if n.full == "Абу Банат"]
    assert len(extra) == 1 and extra[0].original_script and extra[0].script == "Cyrl"
    assert [n.quality for n in names if n.full == "Abu Banat"] == ["low"]


def test_fka_and_approximate_dates(by_id: dict[str, Party]) -> None:
    fka = [n.full for n in _party(by_id, "CDe.001").names if n.kind == "fka"]
    assert "ADF/NALU" in fka
    assert ("circa", "1966") in [(d.kind, d.start) for d in _party(by_id, "CDi.014").birth_dates]


def test_dates_given_only_as_words(by_id: dict[str, Party]) -> None:
    [date] = _party(by_id, "CDi.004").birth_dates
    assert (date.kind, date.start, date.text) == ("exact", "1973-11", "Nov. 1973")
    assert ("text", "30-35 years old") in [(d.kind, d.text) for d in _party(by_id, "LYi.022").birth_dates]


def test_document_issued_abroad(by_id: dict[str, Party]) -> None:
    [passport] = [i for i in _party(by_id, "QDi.096").identifiers if i.value == "L335915"]
    assert (passport.country, passport.country_text, passport.issued) == ("tn", "Tunisia", "1996-11-08")
    assert passport.expires == "2001-11-07"
    assert passport.note is not None and "issued in Milan, Italy" in passport.note


def test_document_without_number_kept_as_note(by_id: dict[str, Party]) -> None:
    party = _party(by_id, "QDi.037")
    assert any("SSN 156-92-9858" in note for note in party.notes)
    assert all("SSN" not in i.value for i in party.identifiers)


def test_all_last_updated_values_and_time_zones_kept(by_id: dict[str, Party]) -> None:
    party = _party(by_id, "CDi.030")
    assert party.designations[0].last_updated == "2023-03-01"
    assert party.raw["LAST_DAY_UPDATED"] == "2016-10-13; 2020-08-19; 2023-03-01"
    tz = _party(by_id, "QDi.352")
    assert tz.designations[0].listed_on == "2015-04-07"
    assert tz.raw["LISTED_ON"] == "2015-04-07-04:00"


def test_relations_from_narratives(by_id: dict[str, Party]) -> None:
    owned = _party(by_id, "TAe.014").relations
    assert ("owned_or_controlled_by", "un_sc:TAi.173") in [(r.kind, r.target) for r in owned]
    family = _party(by_id, "TAi.146").relations
    assert ("family", "un_sc:TAi.040") in [(r.kind, r.target) for r in family]
    renamed = _party(by_id, "KPe.007").relations
    assert [(r.kind, r.target) for r in renamed] == [("linked_to", "un_sc:KPe.027")]
    # A cited reference that is no longer on the list stays unresolved but is kept.
    delisted = [r for r in _party(by_id, "TAi.038").relations if r.target_ref == "TAi.048"]
    assert delisted and delisted[0].target is None


def test_gender(by_id: dict[str, Party]) -> None:
    assert _party(by_id, "CDi.001").gender == "male"
    assert sum(p.gender == "female" for p in by_id.values()) == 2


# --- nothing dropped -----------------------------------------------------------------------------


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_tag_is_known(un_file: Path) -> None:
    tags = {str(el.tag) for el in etree.parse(str(un_file)).iter() if isinstance(el.tag, str)}
    assert tags <= KNOWN_TAGS, tags - KNOWN_TAGS


@pytest.mark.parametrize("relpath", [UN_2026_02, UN_2026_01])
def test_every_leaf_value_is_represented(lists_dir: Path, relpath: str) -> None:
    path = lists_dir / relpath
    by_ref = {p.designations[0].reference: p for p in un.parse({"main": path}).parties}
    missing: list[str] = []
    for record in etree.parse(str(path)).iter("INDIVIDUAL", "ENTITY"):
        ref = _ws(record.findtext("REFERENCE_NUMBER") or "")
        party = by_ref[ref]
        values = [_ws(s) for s in _strings(party.to_dict())]
        blob = "\n".join(values)
        for leaf in record.iter():
            if leaf is record or len(leaf) or not isinstance(leaf.tag, str):
                continue
            text = _ws(leaf.text or "")
            if not text or text in blob:
                continue
            tag = leaf.tag
            if tag == "QUALITY" and text.lower() in un.ALIAS_QUALITY:
                continue
            if tag == "TYPE_OF_DATE" and text in un.DATE_TYPES:
                continue
            if tag == "GENDER" and text.lower() in un.GENDERS:
                continue
            if country_code(text) in values:
                continue
            # "381110042 (Expired 25 Jan. 2016)" is split into value and note.
            pieces = re.fullmatch(r"(.*?)\s*\((.+)\)", text)
            if tag == "NUMBER" and pieces is not None and all(p in values for p in pieces.groups()):
                continue
            missing.append(f"{ref} {tag}: {text}")
    assert missing == []


# --- bad input ------------------------------------------------------------------------------------

MINIMAL_INDIVIDUAL = """
    <INDIVIDUAL>
      <DATAID>1</DATAID><VERSIONNUM>1</VERSIONNUM>
      <FIRST_NAME>TEST</FIRST_NAME><SECOND_NAME>{name}</SECOND_NAME>
      <UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
      {ref}
      <LISTED_ON>2020-01-01</LISTED_ON>
      {extra}
    </INDIVIDUAL>"""


def _minimal(*records: str, prolog: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"{prolog}"
        '<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z">\n'
        f"  <INDIVIDUALS>{''.join(records)}\n  </INDIVIDUALS>\n"
        "  <ENTITIES/>\n"
        "</CONSOLIDATED_LIST>\n"
    )


def _individual(ref: str | None, name: str = "ONE", extra: str = "") -> str:
    tag = "" if ref is None else f"<REFERENCE_NUMBER>{ref}</REFERENCE_NUMBER>"
    return MINIMAL_INDIVIDUAL.format(name=name, ref=tag, extra=extra)


def _write(tmp_path: Path, content: str | bytes, name: str = "un.xml") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def test_minimal_file(tmp_path: Path) -> None:
    path = _write(tmp_path, _minimal(_individual("KPi.901"), _individual("KPi.902", "TWO")))
    result = un.parse({"main": path})
    assert result.declared == {"INDIVIDUAL": 2, "ENTITY": 0}
    assert [p.primary_name for p in result.parties] == ["TEST ONE", "TEST TWO"]


def test_removing_one_record_from_the_middle_is_fine(tmp_path: Path, un_file: Path) -> None:
    data = un_file.read_bytes()
    starts = [m.start() for m in re.finditer(rb"<INDIVIDUAL>", data)]
    middle = starts[len(starts) // 2]
    end = data.index(b"</INDIVIDUAL>", middle) + len(b"</INDIVIDUAL>")
    path = _write(tmp_path, data[:middle] + data[end:])
    result = un.parse({"main": path})
    assert result.declared == {"INDIVIDUAL": 729, "ENTITY": 273}
    assert result.parsed == result.declared


def test_record_that_cannot_be_keyed_is_a_count_error(tmp_path: Path) -> None:
    path = _write(tmp_path, _minimal(_individual("KPi.901"), _individual(None, "NOREF")))
    with pytest.raises(ListCountError, match="parsed 1 of 2 INDIVIDUAL") as info:
        un.parse({"main": path})
    assert str(path) in str(info.value)


def test_duplicate_reference_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, _minimal(_individual("KPi.901"), _individual("KPi.901", "TWO")))
    with pytest.raises(ListFormatError, match=r"duplicate REFERENCE_NUMBER un_sc:KPi\.901"):
        un.parse({"main": path})


def test_unknown_element_is_kept_in_raw_and_warned(tmp_path: Path) -> None:
    extra = (
        "<SUBMITTED_BY>Some State</SUBMITTED_BY><INDIVIDUAL_DOCUMENT><NUMBER>X1</NUMBER>"
        "<DATE_OF_EXPIRY>2030-01-01</DATE_OF_EXPIRY></INDIVIDUAL_DOCUMENT>"
    )
    path = _write(tmp_path, _minimal(_individual("KPi.901", extra=extra)))
    result = un.parse({"main": path})
    [party] = result.parties
    assert party.raw["SUBMITTED_BY"] == "Some State"
    assert party.raw["INDIVIDUAL_DOCUMENT/DATE_OF_EXPIRY"] == "2030-01-01"
    assert [i.value for i in party.identifiers] == ["X1"]
    assert len(result.warnings) == 2


def test_truncated_file_names_file_and_line(tmp_path: Path, un_file: Path) -> None:
    data = un_file.read_bytes()
    path = _write(tmp_path, data[: len(data) // 2])
    with pytest.raises(ListFormatError) as info:
        un.parse({"main": path})
    assert not isinstance(info.value, ListCountError)
    assert str(path) in str(info.value)
    assert info.value.location is not None and info.value.location.startswith("line ")


def test_empty_file(tmp_path: Path) -> None:
    path = _write(tmp_path, b"")
    with pytest.raises(ListFormatError, match="empty") as info:
        un.parse({"main": path})
    assert str(path) in str(info.value)


@pytest.mark.parametrize("relpath", ["ofac/cons/2026-01-08/ofac.xml", "eu/2024-12-11/export-excerpt.xml"])
def test_other_lists_are_refused(lists_dir: Path, relpath: str) -> None:
    with pytest.raises(ListFormatError, match="not a UN consolidated list"):
        un.parse({"main": lists_dir / relpath})


def test_missing_role() -> None:
    with pytest.raises(ListFormatError, match="role 'main'"):
        un.parse({})


def test_xxe_is_refused(tmp_path: Path) -> None:
    prolog = '<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    path = _write(tmp_path, _minimal(_individual("KPi.901", name="&xxe;"), prolog=prolog))
    with pytest.raises(ListFormatError, match="DOCTYPE") as info:
        un.parse({"main": path})
    assert "root:" not in str(info.value)


def test_external_dtd_is_refused(tmp_path: Path) -> None:
    prolog = '<!DOCTYPE CONSOLIDATED_LIST SYSTEM "file:///etc/passwd">\n'
    path = _write(tmp_path, _minimal(_individual("KPi.901"), prolog=prolog))
    with pytest.raises(ListFormatError):
        un.parse({"main": path})


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    prolog = f"<!DOCTYPE CONSOLIDATED_LIST [{''.join(entities)}]>\n"
    path = _write(tmp_path, _minimal(_individual("KPi.901", name="&lol9;"), prolog=prolog))
    start = time.perf_counter()
    with pytest.raises(ListFormatError):
        un.parse({"main": path})
    assert time.perf_counter() - start < 5


def test_non_utf8_bytes(tmp_path: Path) -> None:
    content = _minimal(_individual("KPi.901", name="PLACEHOLDER")).encode()
    path = _write(tmp_path, content.replace(b"PLACEHOLDER", b"CAF\xe9 \xff"))
    with pytest.raises(ListFormatError) as info:
        un.parse({"main": path})
    assert str(path) in str(info.value)
    assert info.value.location is not None and "line" in info.value.location


def test_detect_script() -> None:
    assert un.detect_script("RI WON HO") == "Latn"
    assert un.detect_script("리원호") == "Hang"
    assert un.detect_script("朝鮮") == "Hani"
    assert un.detect_script("조선 朝鮮") == "Kore"
    assert un.detect_script("Умаров") == "Cyrl"
    assert un.detect_script("سيف العدل") == "Arab"
    assert un.detect_script("123") is None
    assert un.normalize_un_ref("KPE.018") == "KPe.018"
    assert un.normalize_un_ref("not a ref") is None
