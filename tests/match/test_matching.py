"""What a compliance user relies on when screening: a small hand-made universe of DPRK designees.

The records are made up for the tests (references ``KPi.T01`` ...), shaped like the UN list's:
people with dates of birth and passports, two namesakes, an entity with an alias, a vessel with
its IMO number, and a UK record of one UN designee that cites the UN reference.
"""

from __future__ import annotations

import pytest

from vigil.errors import InputError
from vigil.match.engine import DEFAULT_THRESHOLDS, MatchConfig, Matcher
from vigil.match.evidence import DOB_EXACT, DOB_MISMATCH
from vigil.match.parallel import screen_parallel
from vigil.match.types import Hit, Query
from vigil.model import DateValue, Designation, Identifier, Name, Party, VesselInfo

KIM_JONG_UN = "un_sc:KPi.T01"
KIM_JONG_UN_UK = "uk_ofsi_conlist:T0001"
RI_WON_HO = "un_sc:KPi.T02"
KIM_YONG_CHOL_1946 = "un_sc:KPi.T03"
KIM_YONG_CHOL_1962 = "un_sc:KPi.T04"
PAK_TO_CHUN = "un_sc:KPi.T05"
CHOE_RYONG_HAE = "un_sc:KPi.T06"
JONG_KYONG_THAEK = "un_sc:KPi.T07"
RYU_JIN = "un_sc:KPi.T08"
RIM_RYONG_NAM = "un_sc:KPi.T09"
KOMID = "un_sc:KPe.T01"
KWANGSON = "un_sc:KPe.T02"
SIS = "ofac_sdn_advanced:T01"
CHONG_CHON_GANG = "un_sc:KPv.T01"


def _person(
    party_id: str,
    name: str,
    dob: str,
    *,
    aliases: tuple[str, ...] = (),
    passports: tuple[str, ...] = (),
    authority: str = "un",
    cross_refs: tuple[str, ...] = (),
) -> Party:
    source, _, reference = party_id.partition(":")
    return Party(
        id=party_id,
        source=source,
        schema="Person",
        names=[Name(name), *(Name(alias, kind="aka") for alias in aliases)],
        gender="male",
        birth_dates=[DateValue("exact", dob)],
        nationalities=["kp"],
        identifiers=[Identifier("passport", number) for number in passports],
        designations=[Designation(authority, reference=reference)],
        cross_refs=list(cross_refs),
    )


def _universe() -> list[Party]:
    return [
        _person(KIM_JONG_UN, "KIM JONG UN", "1984-01-08", aliases=("김정은",)),
        # The UK's record of the same man cites his UN reference (its date of birth differs by a
        # day, so only the cross-reference can join the two).
        _person(KIM_JONG_UN_UK, "KIM Jong Un", "1984-01-09", authority="uk", cross_refs=("un:KPi.T01",)),
        _person(RI_WON_HO, "RI WON HO", "1964-07-17", passports=("381310014",)),
        _person(KIM_YONG_CHOL_1946, "KIM YONG CHOL", "1946-01-01"),
        _person(KIM_YONG_CHOL_1962, "KIM YONG CHOL", "1962-02-18"),
        _person(PAK_TO_CHUN, "PAK TO CHUN", "1944-03-09"),
        _person(CHOE_RYONG_HAE, "CHOE RYONG HAE", "1950-01-15"),
        _person(JONG_KYONG_THAEK, "JONG KYONG THAEK", "1961-01-01"),
        _person(RYU_JIN, "RYU JIN", "1965-08-07"),
        _person(RIM_RYONG_NAM, "RIM RYONG NAM", "1967-03-12"),
        Party(
            id=KOMID,
            source="un_sc",
            schema="Organization",
            names=[
                Name("KOREA MINING DEVELOPMENT TRADING CORPORATION (KOMID)"),
                Name("CHANGGWANG SINYONG CORPORATION", kind="aka"),
            ],
            countries=["kp"],
            designations=[Designation("un", reference="KPe.T01")],
        ),
        Party(
            id=KWANGSON,
            source="un_sc",
            schema="Organization",
            names=[Name("KOREA KWANGSON BANKING CORPORATION")],
            designations=[Designation("un", reference="KPe.T02")],
        ),
        Party(
            id=SIS,
            source="ofac_sdn_advanced",
            schema="Company",
            names=[Name("SIS d.o.o.")],
            designations=[Designation("ofac", reference="T01")],
        ),
        Party(
            id=CHONG_CHON_GANG,
            source="un_sc",
            schema="Vessel",
            names=[Name("CHONG CHON GANG")],
            identifiers=[Identifier("imo", "7937317")],
            vessel=VesselInfo(flag="kp", imo="7937317"),
            designations=[Designation("un", reference="KPv.T01")],
        ),
    ]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.from_parties(_universe())


def _first(hits: list[Hit]) -> Hit:
    assert hits, "no hit"
    return hits[0]


def _ids(hits: list[Hit]) -> list[str]:
    return [hit.party_id for hit in hits]


# --------------------------------------------------------------------------------------------------
# One person, many spellings


@pytest.mark.parametrize(
    "name",
    [
        "KIM JONG UN",
        "Kim Jong-un",
        "Gim Jeong-eun",
        "김정은",
        "金正恩",
        "Kim Jongun",
        "Jong Un Kim",
        "キム・ジョンウン",
    ],
)
def test_every_spelling_of_kim_jong_un_hits_him(matcher: Matcher, name: str) -> None:
    hit = _first(matcher.screen(Query(name=name, schema="Person")))
    assert hit.group == "un:KPi.T01"
    assert KIM_JONG_UN in hit.party_ids
    assert hit.score == 1.0


@pytest.mark.parametrize(
    ("spellings", "given", "party_id"),
    [
        (["RI", "Lee", "Yi", "Rhee", "리", "이"], "Won Ho", RI_WON_HO),
        (["Pak", "Park", "Bak"], "To Chun", PAK_TO_CHUN),
        (["Choe", "Choi"], "Ryong Hae", CHOE_RYONG_HAE),
        (["Jong", "Jung", "Chong", "Jeong"], "Kyong Thaek", JONG_KYONG_THAEK),
        (["Ryu", "Yu"], "Jin", RYU_JIN),
        (["Rim", "Lim", "Im"], "Ryong Nam", RIM_RYONG_NAM),
    ],
)
def test_surname_spellings_meet(matcher: Matcher, spellings: list[str], given: str, party_id: str) -> None:
    for surname in spellings:
        name = f"{surname} {given}" if surname.isascii() else surname + given
        hit = _first(matcher.screen(Query(name=name, schema="Person")))
        assert hit.party_id == party_id, name
        assert hit.score == 1.0, name


def test_a_different_given_name_is_a_different_person(matcher: Matcher) -> None:
    assert KIM_JONG_UN not in _ids(matcher.screen(Query(name="Kim Jong Il", schema="Person")))


# --------------------------------------------------------------------------------------------------
# Namesakes and dates of birth


def test_the_date_of_birth_puts_the_right_namesake_first(matcher: Matcher) -> None:
    for dob, right, other in [
        ("1962-02-18", KIM_YONG_CHOL_1962, KIM_YONG_CHOL_1946),
        ("1946-01-01", KIM_YONG_CHOL_1946, KIM_YONG_CHOL_1962),
    ]:
        hits = matcher.screen(Query(name="Kim Yong Chol", schema="Person", dob=dob), threshold=0.0)
        assert hits[0].party_id == right
        assert hits[0].explanation.features["dob exact"] == DOB_EXACT
        by_id = {hit.party_id: hit for hit in hits}
        assert by_id[other].score < hits[0].score
        assert by_id[other].explanation.features["dob mismatch"] == DOB_MISMATCH


def test_without_a_date_of_birth_both_namesakes_alert(matcher: Matcher) -> None:
    hits = matcher.screen(Query(name="KIM YONG CHOL", schema="Person"))
    assert {KIM_YONG_CHOL_1946, KIM_YONG_CHOL_1962} <= set(_ids(hits))


def test_a_clearly_different_date_of_birth_drops_below_the_threshold(matcher: Matcher) -> None:
    hits = matcher.screen(Query(name="Kim Yong Chol", schema="Person", dob="1990-05-05"))
    assert KIM_YONG_CHOL_1946 not in _ids(hits)
    assert KIM_YONG_CHOL_1962 not in _ids(hits)
    everything = matcher.screen(Query(name="Kim Yong Chol", schema="Person", dob="1990-05-05"), threshold=0)
    namesakes = [hit for hit in everything if hit.party_id in (KIM_YONG_CHOL_1946, KIM_YONG_CHOL_1962)]
    assert len(namesakes) == 2
    assert all(hit.score < DEFAULT_THRESHOLDS["person"] for hit in namesakes)


# --------------------------------------------------------------------------------------------------
# Identifiers


def test_a_passport_number_alone_finds_the_party(matcher: Matcher) -> None:
    hit = _first(matcher.screen(Query(name="", identifiers=["381310014"])))
    assert hit.party_id == RI_WON_HO
    assert hit.score == 1.0
    assert hit.explanation.method == "identifier"


@pytest.mark.parametrize("imo", ["7937317", "IMO 7937317", "IMO7937317"])
def test_an_imo_number_alone_finds_the_vessel(matcher: Matcher, imo: str) -> None:
    hit = _first(matcher.screen(Query(name="unknown ship", identifiers=[imo])))
    assert hit.party_id == CHONG_CHON_GANG
    assert hit.score == 1.0


def test_the_vessel_is_found_by_name(matcher: Matcher) -> None:
    assert _first(matcher.screen(Query(name="Chong Chon Gang", schema="Vessel"))).party_id == CHONG_CHON_GANG


# --------------------------------------------------------------------------------------------------
# Organisations


def test_legal_form_written_without_dots(matcher: Matcher) -> None:
    hit = _first(matcher.screen(Query(name="SIS DOO", schema="Company")))
    assert hit.party_id == SIS
    assert hit.score == 1.0


def test_acronym_given_in_parentheses(matcher: Matcher) -> None:
    hit = _first(matcher.screen(Query(name="KOMID", schema="Organization")))
    assert hit.party_id == KOMID
    assert hit.score >= DEFAULT_THRESHOLDS["org"]
    assert hit.explanation.method == "acronym"
    assert "acronym" in hit.explanation.aligned[0].rule
    assert "acronym" in hit.explanation.text()


def test_acronym_of_the_initials_scores_above_the_threshold(matcher: Matcher) -> None:
    explanation = matcher.compare(
        "KMDT", "KOREA MINING DEVELOPMENT TRADING CORPORATION (KOMID)", "Organization"
    )
    assert explanation.method == "acronym"
    assert explanation.name_score >= DEFAULT_THRESHOLDS["org"]


def test_acronym_of_the_initials_is_retrieved(matcher: Matcher) -> None:
    assert KOMID in _ids(matcher.screen(Query(name="KMDT", schema="Organization")))


@pytest.mark.parametrize(
    "name",
    [
        "Korea Kwangson Banking Corp.",
        "Korea Kwangson Banking Corporation",
        "KOREA KWANGSON BANKING CORP",
        "Korea Kwangson Banking Co., Ltd.",
        "Korea Kwangson Banking Company",
    ],
)
def test_legal_form_variants_meet(matcher: Matcher, name: str) -> None:
    hit = _first(matcher.screen(Query(name=name, schema="Organization")))
    assert hit.party_id == KWANGSON
    assert hit.score >= DEFAULT_THRESHOLDS["org"]


# --------------------------------------------------------------------------------------------------
# Explanations


def test_explanation_names_the_rule_and_the_aligned_syllables(matcher: Matcher) -> None:
    hit = _first(matcher.screen(Query(name="Gim Jeong-eun", schema="Person", dob="1984-01-08")))
    explanation = hit.explanation
    assert explanation.method == "korean-syllables"
    assert [(a.query, a.listed) for a in explanation.aligned] == [
        ("kim", "kim"),
        ("cong", "cong"),
        ("un", "un"),
    ]
    assert {a.rule for a in explanation.aligned} == {"same Korean syllable"}
    assert explanation.features["name"] == 1.0
    assert explanation.features["dob exact"] == DOB_EXACT
    text = explanation.text()
    assert text.startswith("korean-syllables")
    assert "kim↔kim" in text and "cong↔cong" in text and "same Korean syllable" in text
    assert "dob exact" in text


def test_explanation_of_a_partial_name_lists_what_is_missing(matcher: Matcher) -> None:
    hit = _first(matcher.screen(Query(name="Jong Un", schema="Person")))
    assert hit.party_id in (KIM_JONG_UN, KIM_JONG_UN_UK)
    assert hit.score < 1.0
    assert hit.explanation.unmatched_listed == ["kim"]
    assert "listed only: kim" in hit.explanation.text()


def test_explanation_of_a_latin_match_names_the_edit(matcher: Matcher) -> None:
    explanation = matcher.compare(
        "Korea Kwangson Bankng Corp", "KOREA KWANGSON BANKING CORPORATION", "Company"
    )
    assert explanation.method == "latin-tokens"
    misspelt = [a for a in explanation.aligned if a.query == "bankng"]
    assert [(a.listed, a.rule) for a in misspelt] == [("banking", "edit similarity (distance 1)")]
    assert "bankng↔banking" in explanation.text()
    assert "edit similarity (distance 1)" in explanation.text()


# --------------------------------------------------------------------------------------------------
# Configuration


def test_thresholds_are_configurable_per_kind(matcher: Matcher) -> None:
    partial = Query(name="Jong Un", schema="Person")  # scores between 0.8 and 1.0
    organisation = Query(name="Mining Development Trading", schema="Organization")
    assert matcher.screen(partial) and matcher.screen(organisation)
    strict_people = Matcher(
        matcher.index, MatchConfig(thresholds=(("person", 0.99), ("org", DEFAULT_THRESHOLDS["org"])))
    )
    assert strict_people.screen(partial) == []
    assert _first(strict_people.screen(organisation)).party_id == KOMID

    lenient_people = Matcher(matcher.index, MatchConfig(thresholds=(("person", 0.70),)))
    assert RI_WON_HO not in _ids(matcher.screen(Query(name="Ri Won", schema="Person")))
    assert RI_WON_HO in _ids(lenient_people.screen(Query(name="Ri Won", schema="Person")))


def test_an_unknown_algorithm_is_an_input_error(matcher: Matcher) -> None:
    with pytest.raises(InputError, match="vigil-v1"):
        Matcher(matcher.index, MatchConfig(algorithm="soundex-9000"))


def test_the_rapidfuzz_baseline_is_selectable(matcher: Matcher) -> None:
    baseline = Matcher(matcher.index, MatchConfig(algorithm="rapidfuzz"))
    hit = _first(baseline.screen(Query(name="Jong Un Kim", schema="Person")))
    assert hit.group == "un:KPi.T01"
    assert hit.explanation.method == "rapidfuzz-token-sort"
    # What vigil-v1 adds: the baseline does not know that Gim Jeong-eun is KIM JONG UN.
    hits = baseline.screen(Query(name="Gim Jeong-eun", schema="Person"))
    assert "un:KPi.T01" not in [hit.group for hit in hits]


# --------------------------------------------------------------------------------------------------
# Batches and lists


def _summary(hits: list[list[Hit]]) -> list[list[tuple[str, float, str, list[str], list[str]]]]:
    return [[(h.party_id, h.score, h.matched_name, h.refs, h.party_ids) for h in row] for row in hits]


def test_screen_parallel_returns_what_screen_batch_returns(matcher: Matcher) -> None:
    queries = [
        Query(name=name, schema=schema, dob=dob)
        for name, schema, dob in [
            ("Kim Jong-un", "Person", None),
            ("Kim Yong Chol", "Person", "1962-02-18"),
            ("Lee Won Ho", "Person", None),
            ("KOMID", "Organization", None),
            ("SIS DOO", None, None),
            ("Chong Chon Gang", "Vessel", None),
            ("Jane Doe", "Person", None),
            ("김정은", None, None),
        ]
    ]
    expected = matcher.screen_batch(queries)
    chunks = list(screen_parallel(matcher, queries, workers=2, chunk=3))
    assert len(chunks) == 3
    assert _summary([row for chunk in chunks for row in chunk]) == _summary(expected)


def test_records_of_one_party_on_several_lists_are_one_hit(matcher: Matcher) -> None:
    hits = matcher.screen(Query(name="Kim Jong Un", schema="Person"))
    groups = [hit for hit in hits if hit.group == "un:KPi.T01"]
    assert len(groups) == 1
    hit = groups[0]
    assert hit.party_id == KIM_JONG_UN  # the UN's designation represents the group
    assert sorted(hit.party_ids) == sorted([KIM_JONG_UN, KIM_JONG_UN_UK])
    assert any(ref.startswith("un:") for ref in hit.refs)
    assert any(ref.startswith("uk:") for ref in hit.refs)
    assert set(hit.refs) == {"un:KPi.T01", "uk:T0001"}
