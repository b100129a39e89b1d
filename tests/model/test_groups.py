"""group_parties: cross-list grouping by references and IMO numbers, on hand-made parties."""

from __future__ import annotations

import pytest

from vigil.model import Designation, Identifier, Party, VesselInfo
from vigil.model.groups import GroupKeys, group_keys, group_parties, imo_number


def party(pid: str, *, ref: tuple[str, str] | None = None, cites: list[str] | None = None) -> Party:
    source = pid.split(":")[0]
    designations = [Designation(authority=ref[0], reference=ref[1])] if ref else []
    return Party(id=pid, source=source, schema="Person", designations=designations, cross_refs=cites or [])


def vessel(pid: str, imo: str, *, schema: str = "Vessel", in_info: bool = False) -> Party:
    p = Party(id=pid, source=pid.split(":")[0], schema=schema)
    if in_info:
        p.vessel = VesselInfo(imo=imo)
    else:
        p.identifiers = [Identifier(kind="imo", value=imo)]
    return p


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9191773", "9191773"),
        ("IMO 9191773", "9191773"),
        ("IMO: 9191-773", "9191773"),
        ("9191774", None),  # wrong check digit
        ("919177", None),
        ("91917730", None),
        ("0000000", None),
        ("", None),
    ],
)
def test_imo_number(value: str, expected: str | None) -> None:
    assert imo_number(value) == expected


def test_cross_ref_joins_the_cited_record_and_uses_the_un_ref_as_group_id() -> None:
    groups = group_parties(
        [
            party("un_sc:KPi.033", ref=("un", "KPi.033")),
            party("uk_ofsi:DPR0123", ref=("uk", "DPR0123"), cites=["un:KPi.033"]),
            party("ofac:123", ref=("ofac", "123"), cites=["UN:kpi.033 "]),  # case and spaces ignored
            party("eu:9", ref=("eu", "9")),
        ]
    )
    assert groups == {
        "un_sc:KPi.033": "un:KPi.033",
        "uk_ofsi:DPR0123": "un:KPi.033",
        "ofac:123": "un:KPi.033",
        "eu:9": "eu:9",
    }


def test_joins_are_transitive() -> None:
    groups = group_parties(
        [
            party("a:1", ref=("uk", "DPR1"), cites=["un:KPi.1"]),
            party("b:1", ref=("un", "KPi.1")),
            party("c:1", ref=("eu", "E1"), cites=["uk:DPR1"]),
        ]
    )
    assert set(groups.values()) == {"un:KPi.1"}


def test_a_citation_nobody_owns_joins_nothing() -> None:
    groups = group_parties(
        [
            party("uk_ofsi:A", ref=("uk", "A"), cites=["un:KPi.999"]),
            party("ofac:B", ref=("ofac", "B"), cites=["un:KPi.999"]),
        ]
    )
    assert groups == {"uk_ofsi:A": "uk_ofsi:A", "ofac:B": "ofac:B"}


def test_group_without_un_record_takes_the_smallest_party_id() -> None:
    groups = group_parties(
        [
            party("uk_ofsi:Z", ref=("uk", "Z")),
            party("ofac:9", ref=("ofac", "9"), cites=["uk:Z"]),
        ]
    )
    assert groups == {"uk_ofsi:Z": "ofac:9", "ofac:9": "ofac:9"}


def test_vessels_sharing_a_valid_imo_are_joined() -> None:
    groups = group_parties(
        [
            vessel("un_sc:KPe.1", "IMO 9191773"),
            vessel("ofac:55", "9191773", in_info=True),
            vessel("uk_ofsi:V", "9191774"),  # invalid check digit: never joins
            vessel("eu:V", "9191774"),
            vessel("ofac:co", "9191773", schema="Company"),  # not a vessel
        ]
    )
    assert groups["un_sc:KPe.1"] == groups["ofac:55"] == "ofac:55"
    assert groups["uk_ofsi:V"] == "uk_ofsi:V"
    assert groups["eu:V"] == "eu:V"
    assert groups["ofac:co"] == "ofac:co"


def test_smallest_un_ref_names_a_group_with_two() -> None:
    groups = group_parties(
        [
            party("un_sc:KPi.002", ref=("un", "KPi.002")),
            party("un_sc:KPi.001", ref=("un", "KPi.001")),
            party("uk_ofsi:X", ref=("uk", "X"), cites=["un:KPi.002", "un:KPi.001"]),
        ]
    )
    assert set(groups.values()) == {"un:KPi.001"}


def test_every_party_is_in_the_result() -> None:
    assert group_parties([]) == {}
    assert group_parties([party("x:1")]) == {"x:1": "x:1"}


def test_group_keys_round_trip() -> None:
    keys = group_keys(party("uk_ofsi:A", ref=("uk", "A"), cites=["un:KPi.1"]))
    assert keys == GroupKeys("uk_ofsi:A", own=("uk:a",), links=("un:kpi.1",), un_refs=())
    assert GroupKeys.from_list("uk_ofsi:A", keys.to_list()) == keys
