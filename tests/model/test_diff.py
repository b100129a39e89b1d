"""diff_parties: the changed field paths between two versions of a party."""

from __future__ import annotations

import copy

from vigil.model import DateValue, Designation, Name, Party, VesselInfo
from vigil.model.diff import diff_parties


def base() -> Party:
    return Party(
        id="un_sc:KPi.033",
        source="un_sc",
        schema="Person",
        names=[Name(full="RI SU YONG"), Name(full="RI SOO YONG", kind="aka")],
        birth_dates=[DateValue(kind="exact", start="1964-07-17")],
        nationalities=["kp"],
        designations=[
            Designation(authority="un", reference="KPi.033", listed_on="2016-03-02", programmes=["DPRK"]),
            Designation(authority="un", reference="KPi.033x", listed_on="2017-01-01"),
        ],
        raw={"COMMENTS1": "old"},
    )


def test_identical_parties_have_no_changes() -> None:
    assert diff_parties(base(), base()) == []


def test_empty_and_absent_are_the_same() -> None:
    a, b = base(), base()
    b.gender = None
    b.titles = []
    assert diff_parties(a, b) == []


def test_element_key_of_a_list_of_records() -> None:
    after = base()
    after.designations[0].listed_on = "2017-08-05"
    after.designations[1].remarks = "new remark"
    assert diff_parties(base(), after) == ["designations[0].listed_on", "designations[1].remarks"]


def test_list_of_records_changing_length_is_reported_whole() -> None:
    after = base()
    after.names.insert(0, Name(full="NEW NAME", kind="aka"))
    assert diff_parties(base(), after) == ["names"]


def test_same_length_names_are_compared_element_wise() -> None:
    after = base()
    after.names[1].quality = "low"
    assert diff_parties(base(), after) == ["names[1].quality"]


def test_scalar_lists_and_scalars_are_whole_fields() -> None:
    after = base()
    after.nationalities = ["kp", "ru"]
    after.gender = "male"
    after.birth_dates = []
    # Paths follow the field order of Party.
    assert diff_parties(base(), after) == ["gender", "birth_dates", "nationalities"]


def test_nested_records_and_raw() -> None:
    before = base()
    before.vessel = VesselInfo(flag="kp", imo="9191773")
    after = copy.deepcopy(before)
    assert after.vessel is not None
    after.vessel.flag = "pa"
    after.raw = {"COMMENTS1": "new", "EXTRA": "x"}
    assert diff_parties(before, after) == ["vessel.flag", "raw.COMMENTS1", "raw.EXTRA"]


def test_record_appearing_is_the_whole_field() -> None:
    after = base()
    after.vessel = VesselInfo(imo="9191773")
    assert diff_parties(base(), after) == ["vessel"]
    assert diff_parties(after, base()) == ["vessel"]


def test_nested_list_inside_an_element() -> None:
    after = base()
    after.designations[0].programmes = ["DPRK", "DPRK3"]
    assert diff_parties(base(), after) == ["designations[0].programmes"]
