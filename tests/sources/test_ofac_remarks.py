"""The OFAC legacy remarks parser: typed pieces, leftovers kept, never raises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.model import ID_KINDS, RELATION_KINDS
from vigil.sources.ofac_remarks import (
    ID_LABELS,
    ParsedRemarks,
    is_imo_number,
    ofac_date,
    parse_date_value,
    parse_labelled,
    parse_place,
    parse_remarks,
)

SAMPLE = (
    "DOB 01 Jan 1960; alt. DOB circa 1961; DOB 1960 to 1962; POB Pyongyang, Korea, North; "
    "nationality Korea, North; citizen China; Passport 123 (Korea, North) issued 01 Feb 2010 expires 2020; "
    "Vessel Registration Identification IMO 8712362; alt. Vessel Registration Identification IMO 9187629; "
    "Digital Currency Address - XBT 12t9YDPgwueZ9NyMgw519p7AA8isjr6SMw; "
    "alt. Digital Currency Address - ETH 0x7F367cC41522cE07553e823bf3be79A889DEbe1B; "
    "Linked To: KOREA MINING DEVELOPMENT TRADING CORPORATION; Email Address x@y.kp; Website www.x.kp; "
    "SWIFT/BIC KKBCKPPY; Gender Male; Additional Sanctions Information - Subject to Secondary Sanctions; "
    "Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and 510.210; "
    "Vessel Flag Korea, North; Former Vessel Flag Tanzania; Vessel Type Cargo; GRT 1200; Call Sign HMZF; "
    "MMSI 445112000; Vessel Year of Build 1999; Aircraft Model IL-62M; Aircraft Operator Air Koryo; "
    "Aircraft Manufacture Date Apr 1994; "
    "Phone Number 850 2 381 8221; Title Major General; Organization Established Date 17 Dec 2016; "
    "Some free text the parser does not know; a.k.a. 'KOMID'."
)


def test_sample_pieces() -> None:
    r = parse_remarks(SAMPLE)
    assert [(d.kind, d.start, d.end) for d in r.birth_dates] == [
        ("exact", "1960-01-01", None),
        ("circa", "1961", None),
        ("range", "1960", "1962"),
    ]
    assert r.birth_places[0].city == "Pyongyang" and r.birth_places[0].country == "kp"
    assert r.nationalities == ["kp"] and r.citizenships == ["cn"]
    passport = next(i for i in r.identifiers if i.kind == "passport")
    assert (passport.value, passport.country, passport.issued, passport.expires) == (
        "123",
        "kp",
        "2010-02-01",
        "2020",
    )
    assert [i.value for i in r.identifiers if i.kind == "imo"] == ["8712362", "9187629"]
    crypto = [(i.chain, i.value) for i in r.identifiers if i.kind == "crypto"]
    assert crypto == [
        ("XBT", "12t9YDPgwueZ9NyMgw519p7AA8isjr6SMw"),
        ("ETH", "0x7F367cC41522cE07553e823bf3be79A889DEbe1B"),
    ]
    assert r.relations[0].kind == "linked_to"
    assert r.relations[0].target_name == "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    kinds = {i.kind for i in r.identifiers}
    assert {"email", "website", "bic", "mmsi", "call_sign", "phone"} <= kinds
    assert r.gender == "male"
    assert len(r.measures) == 2
    assert r.vessel is not None
    assert (r.vessel.flag, r.vessel.former_flags, r.vessel.vessel_type) == ("kp", ["tz"], "Cargo")
    assert (r.vessel.gross_tonnage, r.vessel.call_sign, r.vessel.mmsi, r.vessel.imo) == (
        "1200",
        "HMZF",
        "445112000",
        "8712362",
    )
    assert r.vessel.year_built == "1999"
    assert r.aircraft is not None
    assert (r.aircraft.model, r.aircraft.operator, r.aircraft.year_built) == (
        "IL-62M",
        "Air Koryo",
        "1994-04",
    )
    assert r.titles == ["Major General"]
    assert r.incorporation_dates[0].start == "2016-12-17"
    assert [(n.full, n.kind, n.quality) for n in r.names] == [("KOMID", "aka", "weak")]
    assert r.leftover == ["Some free text the parser does not know"]
    assert r.leftover_text == "Some free text the parser does not know"


def test_vocabulary_tables_use_model_kinds() -> None:
    assert set(ID_LABELS.values()) <= ID_KINDS
    assert "linked_to" in RELATION_KINDS


def test_dates() -> None:
    assert ofac_date("05 Apr 1948") == "1948-04-05"
    assert ofac_date("Sep 1938.") == "1938-09"
    assert ofac_date("1946") == "1946"
    assert ofac_date("32 Jan 1990") is None
    assert ofac_date("nonsense") is None
    v = parse_date_value("circa 1979-1982")
    assert (v.kind, v.start, v.end, v.note) == ("range", "1979", "1982", "circa")
    v = parse_date_value("01 Dec 1952 to 31 Dec 1952")
    assert (v.kind, v.start, v.end) == ("range", "1952-12-01", "1952-12-31")
    assert parse_date_value("sometime in the sixties").kind == "text"


def test_place_with_comma_country() -> None:
    p = parse_place("Chongjin, Korea, North")
    assert (p.city, p.country, p.country_text) == ("Chongjin", "kp", "Korea, North")
    p = parse_place("Culiacan, Sinaloa, Mexico")
    assert (p.city, p.region, p.country) == ("Culiacan", "Sinaloa", "mx")
    assert parse_place("Shati").country is None


def test_linked_to_period_heuristic() -> None:
    r = parse_remarks("Linked To: FUZHOU HONGLONG OCEAN FISHING CO., LTD.; Linked To: HIZBALLAH.")
    assert [x.target_name for x in r.relations] == ["FUZHOU HONGLONG OCEAN FISHING CO., LTD.", "HIZBALLAH"]


def test_parenthesised_segment_and_null() -> None:
    assert parse_remarks("(Linked To: HAMAS)").relations[0].target_name == "HAMAS"
    assert parse_remarks("-0- ").leftover == []
    assert parse_remarks(None).identifiers == []


def test_truncated_tail_is_not_parsed() -> None:
    text = f"Digital Currency Address - XBT 1{'A' * 33}; alt. Digital Currency Address - XBT 1Gq"
    r = parse_remarks(text, truncated=True)
    assert [i.value for i in r.identifiers] == ["1AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]
    assert r.truncated_tail == "alt. Digital Currency Address - XBT 1Gq"
    # Closed by ";": the cut fell between segments, nothing is lost.
    r = parse_remarks(text[: text.index(";") + 1], truncated=True)
    assert r.truncated_tail is None and len(r.identifiers) == 1


def test_vessel_registration_without_imo_prefix() -> None:
    assert is_imo_number("8606173") and not is_imo_number("8606174")
    r = parse_remarks("Vessel Registration Identification 8606173; Vessel Registration Identification 12345")
    assert [(i.kind, i.value) for i in r.identifiers] == [("imo", "8606173"), ("registration", "12345")]


def test_parse_labelled_xml_ids() -> None:
    into = ParsedRemarks()
    parse_labelled("Passport", "PS 472330208", into, country="Korea, North", expires="04 Jul 2017")
    parse_labelled("Digital Currency Address - XBT", "1ABC", into)
    parse_labelled("Vessel Registration Identification", "IMO 8712362", into)
    parse_labelled("Gender", "Female", into)
    parse_labelled("Unheard Of Label", "42", into)
    assert next((i.kind, i.value, i.country, i.expires) for i in into.identifiers) == (
        "passport",
        "PS 472330208",
        "kp",
        "2017-07-04",
    )
    assert [(i.kind, i.chain) for i in into.identifiers][1:] == [("crypto", "XBT"), ("imo", None)]
    assert into.gender == "female"
    assert into.leftover == ["Unheard Of Label 42"]


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    r = parse_remarks(text)
    r2 = parse_remarks(text, truncated=True)
    assert isinstance(r.leftover, list) and isinstance(r2.leftover, list)


_LABELS = st.sampled_from(
    [*sorted(ID_LABELS), "DOB", "POB", "Linked To:", "a.k.a.", "Digital Currency Address -", "alt."]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_LABELS, st.text(max_size=30)), max_size=6))
def test_never_raises_on_labelled_junk(parts: list[tuple[str, str]]) -> None:
    text = "; ".join(f"{label} {value}" for label, value in parts)
    parse_remarks(text)
    into = ParsedRemarks()
    for label, value in parts:
        parse_labelled(label, value, into, country=value, issued=value, expires=value)
