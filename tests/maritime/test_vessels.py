"""The vessel registry (real OFAC/UK records, UN-documented cases) and the identity checks."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from vigil.errors import NotFoundError
from vigil.maritime.identity import check_identities, describe_vessel, list_record_findings, type_category
from vigil.maritime.store import AisStore
from vigil.maritime.vessels import VesselRegistry, identity_timeline, is_generic_name, vessel_name_key

T0 = datetime(2022, 1, 3, tzinfo=UTC)

# the registry fixture parses the bundled OFAC and UK files (about 25 s)
pytestmark = pytest.mark.slow


def _static(rows: list[dict[str, Any]], tmp_path: Path) -> pl.DataFrame:
    store = AisStore(tmp_path / "ais")
    store.append_static(pl.DataFrame(rows))
    return identity_timeline(store)


def _kinds(findings: list[Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in findings:
        out[f.kind] = out.get(f.kind, 0) + 1
    return out


def test_name_keys_and_generic_names() -> None:
    assert vessel_name_key("M/V CHON MYONG 1") == vessel_name_key("Chon-Myong 1") == "chonmyong1"
    assert vessel_name_key("  ") is None
    assert is_generic_name("tug") and is_generic_name("123") and is_generic_name("abc")
    assert is_generic_name(vessel_name_key("FISHING VESSEL"))
    assert not is_generic_name("paekma")


def test_registry_holds_every_ofac_vessel(registry: VesselRegistry) -> None:
    ofac = registry.listed.filter(pl.col("source") == "ofac_sdn_advanced")
    assert ofac["record_id"].n_unique() == 1370
    dprk = ofac.filter(pl.col("dprk"))
    assert dprk["record_id"].n_unique() >= 105
    assert dprk.filter(pl.col("flag") == "kp")["imo"].null_count() == 0
    assert set(registry.listed["source"].unique()) == {
        "ofac_sdn_advanced",
        "uk_ofsi_conlist",
        "un_1718_cases",
    }


def test_every_un_documented_case_is_found_with_its_designations(
    registry: VesselRegistry, shared_data: Path
) -> None:
    with (shared_data / "ais" / "un_1718_documented_vessel_cases.csv").open() as handle:
        cases = list(csv.DictReader(handle))
    assert len(cases) == 21
    for case in cases:
        records = registry.by_imo(case["ofac_imo"])
        assert records.height, case["vessel_name"]
        ofac = records.filter(pl.col("authority") == "ofac")
        assert ofac["reference"].to_list() == [case["ofac_sdn_uid"]], case["vessel_name"]
        assert ofac["listed_on"][0] == case["ofac_first_listed"]
        un = records.filter(pl.col("authority") == "un")
        assert set(case["un_entity_refs"].split(";")) <= set(un["un_refs"][0]), case["vessel_name"]
        assert vessel_name_key(case["vessel_name"]) in {k for keys in records["name_keys"] for k in keys}


def test_designated_imo_and_flag_mismatch(registry: VesselRegistry, tmp_path: Path) -> None:
    timeline = _static(
        [
            {"mmsi": 352000001, "ts": T0, "imo": 9066978, "name": "OCEAN STAR", "ship_type": 80},
            {
                "mmsi": 352000001,
                "ts": T0 + timedelta(hours=5),
                "imo": 9066978,
                "name": "OCEAN STAR",
                "ship_type": 80,
            },
        ],
        tmp_path,
    )
    findings = check_identities(registry, timeline)
    kinds = _kinds(findings)
    assert kinds["designated_imo"] == 1 and kinds["mid_flag_mismatch"] == 1
    hit = next(f for f in findings if f.kind == "designated_imo")
    assert hit.vessel == {"mmsi": 352000001, "imo": 9066978, "name": "OCEAN STAR"}
    assert "PAEK MA" in hit.explanation.upper() and "ofac:23737" in hit.sources
    assert (hit.start, hit.end) == (T0, T0 + timedelta(hours=5))
    flag = next(f for f in findings if f.kind == "mid_flag_mismatch")
    assert flag.evidence["mid_country"] == "pa" and flag.evidence["listed_flags"] == ["kp"]
    assert json.dumps([f.to_dict() for f in findings])  # serialisable for the API


def test_designated_name_without_imo_but_not_generic_names(registry: VesselRegistry, tmp_path: Path) -> None:
    timeline = _static(
        [
            {"mmsi": 412000001, "ts": T0, "name": "CHONMYONG 1"},
            {"mmsi": 412000002, "ts": T0, "name": "TUG"},
        ],
        tmp_path,
    )
    findings = [f for f in check_identities(registry, timeline) if f.kind == "designated_name"]
    assert [f.vessel["mmsi"] for f in findings] == [412000001]
    assert "a name alone does not identify a ship" in findings[0].explanation


def test_one_imo_on_two_mmsis_at_once(registry: VesselRegistry, tmp_path: Path) -> None:
    rows = [
        {"mmsi": m, "ts": T0 + timedelta(hours=h), "imo": 9000003, "name": "A"}
        for m, h in ((538000001, 0), (538000001, 10), (538000002, 5), (538000002, 20), (538000003, 30))
    ]
    findings = [
        f for f in check_identities(registry, _static(rows, tmp_path)) if f.kind == "imo_multiple_mmsi"
    ]
    assert len(findings) == 1
    assert findings[0].vessel == {"imo": 9000003, "mmsi": [538000001, 538000002]}
    assert (findings[0].start, findings[0].end) == (T0 + timedelta(hours=5), T0 + timedelta(hours=10))


def test_renames_and_flag_hops_within_window(registry: VesselRegistry, tmp_path: Path) -> None:
    rows = [
        {"mmsi": 636000001, "ts": T0, "imo": 9000015, "name": "SUN ONE"},
        {"mmsi": 636000001, "ts": T0 + timedelta(days=30), "imo": 9000015, "name": "MOON TWO"},
        {"mmsi": 667000001, "ts": T0 + timedelta(days=60), "imo": 9000015, "name": "STAR THREE"},
    ]
    timeline = _static(rows, tmp_path)
    (found,) = [f for f in check_identities(registry, timeline) if f.kind == "identity_changes"]
    # day 30: renamed; day 60: renamed and reflagged (new MMSI, MID 636 Liberia -> 667 Sierra Leone)
    assert [sorted(k for k in c if k in ("name", "flag")) for c in found.evidence["changes"]] == [
        ["name"],
        ["flag", "name"],
    ]
    assert found.evidence["changes"][1]["flag"] == ["lr", "sl"]
    assert found.vessel["ship"] == "imo:9000015"
    assert not [
        f for f in check_identities(registry, timeline, window_days=10) if f.kind == "identity_changes"
    ]


def test_dimensions_type_and_mid_checks(registry: VesselRegistry, tmp_path: Path) -> None:
    # UK lists CHON MYONG 1 (IMO 8712362) as an 82 m oil tanker
    timeline = _static(
        [
            {
                "mmsi": 445000001,
                "ts": T0,
                "imo": 8712362,
                "name": "CHON MYONG 1",
                "length": 150.0,
                "ship_type": 70,
            },
            {"mmsi": 399000003, "ts": T0, "name": "NOBODY"},
        ],
        tmp_path,
    )
    kinds = _kinds(check_identities(registry, timeline))
    assert kinds["dimension_mismatch"] == 1 and kinds["type_mismatch"] == 1
    assert kinds["dprk_mmsi"] == 1 and kinds["unallocated_mid"] == 1
    assert "mid_flag_mismatch" not in kinds  # 445 is the DPRK flag the lists give
    assert type_category(code=84) == "tanker" and type_category(text="Crude Oil Tanker") == "tanker"


def test_list_records_with_contradicting_mmsi(registry: VesselRegistry) -> None:
    findings = list_record_findings(registry)
    assert findings and all(f.kind == "mid_flag_mismatch" for f in findings)
    assert all(f.evidence["mid_country"] != f.evidence["listed_flag"] for f in findings)


def test_describe_vessel_by_imo_mmsi_and_name(registry: VesselRegistry, tmp_path: Path) -> None:
    timeline = _static([{"mmsi": 445000001, "ts": T0, "imo": 8712362, "name": "CHON MYONG 1"}], tmp_path)
    by_imo = describe_vessel(registry, timeline, "IMO 8712362")
    assert {"ofac:23726", "uk:DPR0096", "un:KPe.056"} <= set(by_imo["designations"])
    assert by_imo["ais_identities"][0]["mmsi"] == 445000001
    assert describe_vessel(registry, timeline, "445000001")["designations"] == by_imo["designations"]
    assert describe_vessel(registry, timeline, "Chon Myong 1")["designations"] == by_imo["designations"]
    with pytest.raises(NotFoundError):
        describe_vessel(registry, timeline, "NO SUCH SHIP XYZ")


def test_real_ais_sample_against_the_lists(registry: VesselRegistry, marinecadastre_store: AisStore) -> None:
    timeline = identity_timeline(marinecadastre_store)
    assert timeline["mmsi"].n_unique() == 10_631
    findings = check_identities(registry, timeline)
    designated = [f for f in findings if f.kind == "designated_imo"]
    assert designated
    listed = registry.designated_imos()
    assert all(f.vessel["imo"] in listed for f in designated)
    # no DPRK ship in US waters on 2022-01-03
    assert not [f for f in findings if f.kind == "dprk_mmsi"]


@pytest.mark.slow
def test_cli_vessels_show_and_check(tmp_path: Path) -> None:
    env = {**os.environ, "VIGIL_HOME": str(tmp_path / "home")}
    env.pop("VIGIL_DATABASE_URL", None)
    ais = tmp_path / "ais"
    AisStore(ais).append_static(
        pl.DataFrame({"mmsi": [352000001], "ts": [T0], "imo": [9066978], "name": ["X"]})
    )

    def vigil(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "vigil.cli.main", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
        )

    shown = vigil("vessels", "show", "9066978", "--ais", str(ais), "--json")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert "ofac:23737" in data["designations"] and data["ais_identities"][0]["mmsi"] == 352000001
    checked = vigil("vessels", "check", "--ais", str(ais), "--json", "--kind", "designated_imo")
    assert checked.returncode == 0, checked.stderr
    assert [f["vessel"]["mmsi"] for f in json.loads(checked.stdout)["findings"]] == [352000001]
    missing = vigil("vessels", "show", "NO SUCH SHIP XYZ", "--ais", str(ais))
    assert missing.returncode == 2 and "no vessel" in missing.stdout + missing.stderr


def test_empty_ais_store_gives_no_findings(registry: VesselRegistry, tmp_path: Path) -> None:
    timeline = identity_timeline(AisStore(tmp_path / "empty"))
    assert timeline.height == 0
    assert check_identities(registry, timeline) == []
