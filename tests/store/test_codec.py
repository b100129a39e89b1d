"""Party.to_dict() (a direct walk of the fields, the store's serialised form) agrees with a plain
reference built on dataclasses.asdict, and parties round-trip through from_dict."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.store.factories import make_party
from vigil.model import (
    Address,
    AircraftInfo,
    DateValue,
    Designation,
    Identifier,
    Name,
    Party,
    Place,
    Relation,
    VesselInfo,
)
from vigil.store.codec import party_json


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: p
            for k, v in value.items()
            if not ((p := _prune(v)) is None or p is False or p == [] or p == {})
        }
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def reference(party: Party) -> str:
    """The plain reference: asdict's deep copy, then drop None/False/[]/{}."""
    return json.dumps(_prune(asdict(party)), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def rich_party() -> Party:
    return Party(
        id="un_sc:KPi.001",
        source="un_sc",
        schema="Person",
        names=[
            Name(full="김정은", kind="primary", script="Hang", original_script=True, parts=["김", "정은"]),
            Name(full="", kind="aka", quality="low", parts=[]),
        ],
        gender="male",
        birth_dates=[DateValue(kind="range", start="1960", end="1965"), DateValue(kind="text", text="")],
        birth_places=[Place(text="Pyongyang", country="kp")],
        nationalities=["kp", ""],
        identifiers=[Identifier(kind="passport", value="0", chain=None)],
        addresses=[Address(full="Pyongyang")],
        vessel=VesselInfo(former_flags=[]),
        aircraft=AircraftInfo(),
        designations=[Designation(authority="un", reference="KPi.001", measures=["asset freeze"])],
        relations=[
            Relation(kind="linked_to", target_ref="KPe.001", share=0.0),
            Relation(kind="family", share=50.5),
        ],
        cross_refs=["uk:DPR1"],
        notes=['\u0000 odd "quote"'],
        raw={"EMPTY": "", "K": "v"},
    )


def test_rich_party_serialises_like_to_dict() -> None:
    assert party_json(rich_party()) == reference(rich_party())
    assert party_json(make_party("KPi.2", imo="9191773")) == reference(make_party("KPi.2", imo="9191773"))
    assert party_json(Party(id="x", source="s", schema="Person")) == reference(
        Party(id="x", source="s", schema="Person")
    )


def test_round_trip_through_from_dict() -> None:
    party = rich_party()
    assert Party.from_dict(party.to_dict()).to_dict() == party.to_dict()


texts = st.one_of(st.none(), st.text(max_size=5))
names = st.builds(
    Name,
    full=st.text(max_size=8),
    kind=st.sampled_from(["primary", "aka"]),
    quality=texts,
    original_script=st.booleans(),
    parts=st.lists(st.text(max_size=3), max_size=2),
)
dates = st.builds(DateValue, kind=st.sampled_from(["exact", "text"]), start=texts, text=texts)
designations = st.builds(
    Designation,
    authority=st.text(max_size=3),
    reference=texts,
    listed_on=texts,
    programmes=st.lists(st.text(max_size=3), max_size=2),
)
relations = st.builds(Relation, kind=st.text(max_size=3), share=st.one_of(st.none(), st.floats(-1e3, 1e3)))


@given(
    names=st.lists(names, max_size=3),
    dates=st.lists(dates, max_size=2),
    designations=st.lists(designations, max_size=2),
    relations=st.lists(relations, max_size=2),
    notes=st.lists(st.text(max_size=5), max_size=2),
    raw=st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
    gender=texts,
    vessel=st.one_of(st.none(), st.builds(VesselInfo, imo=texts, former_flags=st.lists(st.text(max_size=2)))),
)
def test_any_party_serialises_like_to_dict(**fields: Any) -> None:
    party = Party(
        id="p",
        source="s",
        schema="Person",
        names=fields["names"],
        birth_dates=fields["dates"],
        designations=fields["designations"],
        relations=fields["relations"],
        notes=fields["notes"],
        raw=fields["raw"],
        gender=fields["gender"],
        vessel=fields["vessel"],
    )
    assert party_json(party) == reference(party)
    assert Party.from_dict(party.to_dict()).to_dict() == party.to_dict()
