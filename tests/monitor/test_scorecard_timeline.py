"""Scorecard cells, timeline events and the designations after each resolution, on the real data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vigil.errors import InputError
from vigil.monitor.chart import layout_chart, to_svg
from vigil.monitor.data import ASEAN, load_data
from vigil.monitor.scorecard import StateCard, build_scorecard, resolve_states
from vigil.monitor.service import un_parties
from vigil.monitor.timeline import TimelineFilter, build_timeline, waves_from_bundled
from vigil.store import open_store


@pytest.fixture(scope="module")
def card() -> dict[str, StateCard]:
    scorecard = build_scorecard(load_data(), resolve_states("asean"))
    return {s.iso3: s for s in scorecard.states}


def test_asean_by_default_with_the_report_columns() -> None:
    scorecard = build_scorecard(load_data(), resolve_states(None))
    assert [s.iso3 for s in scorecard.states] == list(ASEAN)
    assert scorecard.resolutions == ["1718", "1874", "2087", "2094", "2270", "2321", "2371", "2375", "2397"]


def test_known_cells_carry_their_source(card: dict[str, StateCard]) -> None:
    malaysia = card["MYS"]
    report = malaysia.reports["2270"]
    assert report.value == "yes" and "S/AC.49/2016/54" in report.detail
    assert "docslib.org" in report.source and report.confidence == "high"
    mission = malaysia.mission
    assert mission.value == "no" and "2021-03-21" in mission.detail
    assert malaysia.visa.value.startswith("visa required")
    assert malaysia.enforcement.value == "6 recorded"


def test_unknown_is_never_no_or_zero(card: dict[str, StateCard]) -> None:
    brunei = card["BRN"]
    assert {c.value for c in brunei.reports.values()} == {"unknown"}
    assert brunei.reports_summary.value == "unknown"
    assert brunei.visa.value == "unknown"
    assert brunei.enforcement.value == "unknown"  # none recorded is not zero
    assert card["IDN"].reports_summary.value == "1 of 9 (8 unknown)"
    timor = card["TLS"]  # joined ASEAN in 2025: no curated row at all
    assert {c.value for c in timor.reports.values()} == {"unknown"}


def test_any_state_on_request() -> None:
    scorecard = build_scorecard(load_data(), resolve_states(None, ["Germany", "chn"]))
    germany, china = scorecard.states
    assert germany.iso3 == "DEU" and germany.mission.value == "yes" and "Berlin" in germany.mission.detail
    assert china.mission.value == "yes"
    assert germany.visa.value == "unknown" and germany.reports_summary.value == "unknown"
    with pytest.raises(InputError, match="Atlantis"):
        resolve_states(None, ["Atlantis"])
    with pytest.raises(InputError, match="unknown region"):
        resolve_states("mercosur")


def test_timeline_filter_by_date_kind_type_and_outcome() -> None:
    data = load_data()
    everything = build_timeline(data)
    assert everything.counts()["nuclear_test"] == 6
    since_2016 = build_timeline(data, TimelineFilter.parse("2016"))
    assert since_2016.counts()["nuclear_test"] == 3
    assert min(e.day.isoformat() for e in since_2016.events) >= "2016-01-01"
    icbm_2017 = build_timeline(
        data, TimelineFilter.parse("2017", "2017", ["missile_test"], ["icbm"], ["success"])
    )
    assert icbm_2017.events and {e.category for e in icbm_2017.events} == {"ICBM"}
    assert {e.day.year for e in icbm_2017.events} == {2017}
    assert {e.outcome for e in icbm_2017.events} == {"success"}
    for bad in (("2016-13",), ("soon",), ("2018", "2016")):
        with pytest.raises(InputError):
            TimelineFilter.parse(*bad)
    with pytest.raises(InputError, match="unknown event kind"):
        TimelineFilter.parse(kinds=["parade"])


def test_designations_after_each_resolution_from_the_bundled_list() -> None:
    timeline = build_timeline(load_data())
    after = {a["resolution"]: a for a in timeline.designations_after}
    assert after["2270"]["on_adoption"] == 28 and after["2270"]["until_next"] == 28
    assert after["2397"]["on_adoption"] == 17
    assert after["2407"]["on_adoption"] == 0 and after["2407"]["until_next"] == 22  # 2018-03-30 wave
    assert sum(w.total for w in waves_from_bundled()) == 155
    assert sum(a["until_next"] for a in timeline.designations_after) == 155


def test_designation_waves_come_from_the_list_store(un_store_path: Path) -> None:
    with open_store(f"sqlite:///{un_store_path}") as store:
        parties, label = un_parties(store)
    assert parties is not None and label is not None and "un_sc version" in label
    timeline = build_timeline(load_data(), parties=parties, parties_version=label)
    assert timeline.designations_source.startswith("UN list in the store")
    waves = [e for e in timeline.events if e.kind == "designations"]
    by_day = {e.day.isoformat(): e.count for e in waves}
    assert by_day["2016-03-02"] == 28  # resolution 2270's annexes
    assert "annex of resolution 2270" in next(e for e in waves if e.date == "2016-03-02").detail


def test_svg_chart_has_one_mark_per_event_and_is_csp_safe() -> None:
    timeline = build_timeline(load_data(), TimelineFilter.parse("2016", "2018"))
    svg = to_svg(layout_chart(timeline.events, timeline.filter.start, timeline.filter.end))
    marks = re.findall(r'class="ev ev-(\w+)"', svg)
    assert len(marks) == len(timeline.events)
    assert marks.count("nuclear_test") == 3
    assert "<script" not in svg and "style=" not in svg and "href" not in svg
    # Tooltips name the date and the event.
    assert "<title>2017-09-03: Nuclear test 6" in svg
