"""The maritime endpoints over real data: the vessel records of the bundled OFAC and UK lists, the
real MarineCadastre AIS sample (99,999 positions of 2022-01-03) and the events the detectors find in it.

The sample holds ships that later lists designate: MMSI 235063337 broadcast ``ENERGY PUMA`` with
IMO 9388027, which OFAC lists (record 54813) as the tanker ``MANASLU``.
"""

from __future__ import annotations

import itertools
import shutil
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient

from vigil.api import create_app
from vigil.maritime.events import detect_all, write_events
from vigil.maritime.ingest import ingest_file
from vigil.maritime.ports import load_ports
from vigil.maritime.presets import get_preset
from vigil.maritime.simulate import simulate
from vigil.maritime.store import AisStore
from vigil.model.party import Party
from vigil.settings import Settings
from vigil.sources.base import ParsedList
from vigil.store import open_store

pytestmark = pytest.mark.slow  # parsing the bundled OFAC list for its vessels takes a minute

ENERGY_PUMA_MMSI = 235063337
MANASLU_IMO = 9388027


def build_maritime_home(
    home: Path, parties: list[Party], ais_csv: Path, plant: tuple[str, ...] = ()
) -> dict[str, str]:
    """A ``VIGIL_HOME`` with the lists' vessel records, the AIS sample and its ``gfw`` events; keys by role.

    The list store holds one version per source made of that source's vessel records only (the
    other records play no part in the maritime pages and would make the fixture slow to build).
    ``plant`` adds one ship (or pair) of each named scenario of :mod:`vigil.maritime.simulate`
    (seeded; MMSIs 445100000 and up) to the real traffic before the events are detected.
    """
    home.mkdir(parents=True, exist_ok=True)
    by_source: dict[str, list[Party]] = defaultdict(list)
    for party in parties:
        by_source[party.source].append(party)
    with open_store(f"sqlite:///{home / 'vigil.sqlite3'}") as store:
        for source, members in sorted(by_source.items()):
            store.import_version(
                ParsedList(source=source, published=None, parties=members),
                origin="tests: vessel records of the bundled snapshot",
                content_hash=f"tests-vessels-{source}-{len(members)}",
            )
        keys = {
            "admin": store.create_key("ada", "admin").plain,
            "reviewer": store.create_key("rex", "reviewer").plain,
            "viewer": store.create_key("vic", "viewer").plain,
        }
    ais = AisStore(home / "ais")
    ingest_file(ais_csv, ais, "csv")
    if plant:
        planted = simulate(None, n_each=1, scenarios=plant)
        ais.append_positions(planted.positions)
    write_events(detect_all(ais.positions(), get_preset("gfw"), load_ports()), ais.events_dir, "gfw")
    return keys


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, vessel_parties: list[Party], marinecadastre_csv: Path
) -> tuple[Path, dict[str, str]]:
    home = tmp_path_factory.mktemp("maritime-api") / "home"
    return home, build_maritime_home(home, vessel_parties, marinecadastre_csv)


class Client:
    def __init__(self, client: TestClient, keys: dict[str, str]) -> None:
        self.client = client
        self.keys = keys

    def get(self, url: str, who: str | None = "viewer", **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.keys[who]}"} if who else {}
        return self.client.get(url, headers=headers, **kwargs)

    def post(self, url: str, who: str | None = "viewer", **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.keys[who]}"} if who else {}
        return self.client.post(url, headers=headers, **kwargs)


@pytest.fixture(scope="module")
def api(built: tuple[Path, dict[str, str]]) -> Iterator[Client]:
    home, keys = built
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'vigil.sqlite3'}")
    with TestClient(create_app(settings)) as client:
        yield Client(client, keys)


@pytest.fixture(scope="module")
def raw(marinecadastre_csv: Path) -> pl.DataFrame:
    """The sample read independently of the product's ingest."""
    return pl.read_csv(marinecadastre_csv, infer_schema_length=10_000)


def test_flagged_vessels_put_a_designated_imo_broadcast_first(api: Client) -> None:
    body = api.get("/vessels").json()
    assert body["total"] > 10
    assert all(v["findings"] > 0 for v in body["vessels"])
    ranks = [{"high": 3, "medium": 2, "low": 1}[v["severity"]] for v in body["vessels"]]
    assert ranks == sorted(ranks, reverse=True)  # most severe first
    manaslu = next(
        v for v in api.get("/vessels", params={"limit": 500}).json()["vessels"] if v["key"] == "9388027"
    )
    assert manaslu["mmsis"] == [ENERGY_PUMA_MMSI]
    assert manaslu["name"] == "ENERGY PUMA" and manaslu["listed_name"] == "MANASLU"
    assert "ofac:54813" in manaslu["designations"]
    assert manaslu["severity"] == "high"
    assert manaslu["mid_flag"] == "gb"  # MID 235 is the United Kingdom; OFAC gives Panama


@pytest.mark.parametrize("q", ["9388027", "IMO 9388027", "235063337", "energy puma", "Manaslu"])
def test_search_by_imo_mmsi_broadcast_or_listed_name(api: Client, q: str) -> None:
    keys = [v["key"] for v in api.get("/vessels", params={"q": q}).json()["vessels"]]
    assert "9388027" in keys


def test_search_with_a_bad_check_digit_finds_no_imo(api: Client) -> None:
    body = api.get("/vessels", params={"q": "9388028"}).json()
    assert all(v["imo"] != 9388028 for v in body["vessels"])


def test_un_documented_case_is_a_vessel_with_its_designations(api: Client) -> None:
    body = api.get("/vessels", params={"q": "8712362"}).json()  # CHON MYONG 1, UN KPe.056
    assert body["total"] == 1
    vessel = body["vessels"][0]
    assert vessel["dprk"] and not vessel["in_ais"]
    assert any(d.startswith("ofac:") for d in vessel["designations"])
    assert any("KPe.056" in d for d in vessel["designations"])


def test_vessel_shows_identity_timeline_findings_and_records(api: Client) -> None:
    for key in ("9388027", "235063337", "ofac_sdn_advanced:54813"):
        response = api.get(f"/vessels/{key}")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["mmsis"] == [ENERGY_PUMA_MMSI]
        # positions sent under the MMSI OFAC gives the ship (352002116) would be shown too
        expected = [ENERGY_PUMA_MMSI] if key == str(ENERGY_PUMA_MMSI) else [ENERGY_PUMA_MMSI, 352002116]
        assert body["tracked_mmsis"] == expected
        (identity,) = body["ais_identities"]
        assert identity["name"] == "ENERGY PUMA" and identity["callsign"] == "2AVT7"
        assert identity["imo"] == MANASLU_IMO and identity["flag"] == "gb"
        kinds = {f["kind"] for f in body["findings"]}
        assert "designated_imo" in kinds
        designated = next(f for f in body["findings"] if f["kind"] == "designated_imo")
        assert "MANASLU" in designated["explanation"]
        assert designated["evidence"]["list_records"][0]["record_id"] == "ofac_sdn_advanced:54813"
        assert [r["name"] for r in body["list_records"]] == ["MANASLU"]


def test_track_is_every_fix_in_time_order_and_thinning_keeps_the_ends(api: Client, raw: pl.DataFrame) -> None:
    fixes = raw.filter(pl.col("MMSI") == ENERGY_PUMA_MMSI).sort("BaseDateTime")
    full = api.get(f"/vessels/{ENERGY_PUMA_MMSI}/track").json()
    assert full["type"] == "FeatureCollection"
    segments = [f for f in full["features"] if f["properties"]["kind"] == "segment"]
    assert len(segments) == 1  # a tanker at 10 knots never jumps
    line = segments[0]["geometry"]["coordinates"]
    assert line == [
        [round(lon, 5), round(lat, 5)] for lon, lat in zip(fixes["LON"], fixes["LAT"], strict=True)
    ]
    assert full["properties"]["fixes"] == fixes.height and not full["properties"]["downsampled"]
    thin = api.get(f"/vessels/{ENERGY_PUMA_MMSI}/track", params={"max_points": 5}).json()
    coords = thin["features"][0]["geometry"]["coordinates"]
    assert len(coords) <= 6 and coords[0] == line[0] and coords[-1] == line[-1]
    assert thin["properties"]["downsampled"] and thin["properties"]["fixes"] == fixes.height


def test_track_time_window(api: Client, raw: pl.DataFrame) -> None:
    body = api.get(
        f"/vessels/{ENERGY_PUMA_MMSI}/track",
        params={"start": "2022-01-03T00:05:00Z", "end": "2022-01-03T00:10:00Z"},
    ).json()
    fixes = raw.filter(
        (pl.col("MMSI") == ENERGY_PUMA_MMSI)
        & (pl.col("BaseDateTime") >= "2022-01-03T00:05:00")
        & (pl.col("BaseDateTime") <= "2022-01-03T00:10:00")
    )
    assert body["properties"]["fixes"] == fixes.height > 0
    naive = api.get(  # a time without a zone is UTC, like every AIS time
        f"/vessels/{ENERGY_PUMA_MMSI}/track",
        params={"start": "2022-01-03T00:05:00", "end": "2022-01-03T00:10:00"},
    ).json()
    assert naive["properties"]["fixes"] == fixes.height
    assert api.get("/ais/events", params={"start": "2022-01-03T23:00:00"}).status_code == 200


def test_gap_events_have_their_evidence_and_draw_where_the_ship_went_dark(
    api: Client, raw: pl.DataFrame
) -> None:
    body = api.get("/ais/events", params={"type": "gap", "preset": "gfw", "limit": 1000}).json()
    assert body["total"] > 100
    for event in body["events"]:
        assert event["type"] == "gap" and event["duration_s"] >= 12 * 3600
        assert event["evidence"]["went_dark_at"] == [round(event["lat"], 5), round(event["lon"], 5)]
    # one ship: the event matches its own fixes in the raw file
    event = body["events"][0]
    mmsi = event["mmsi"]
    own = raw.filter(pl.col("MMSI") == mmsi).sort("BaseDateTime")
    times = own["BaseDateTime"].str.to_datetime().dt.replace_time_zone("UTC").to_list()
    assert any(b - a >= timedelta(hours=12) for a, b in itertools.pairwise(times))
    track = api.get(f"/vessels/{mmsi}/track").json()
    gaps = [
        f
        for f in track["features"]
        if f["properties"]["kind"] == "event" and f["properties"]["type"] == "gap"
    ]
    assert gaps and gaps[0]["geometry"]["type"] == "LineString"
    assert gaps[0]["geometry"]["coordinates"][0] == [round(event["lon"], 5), round(event["lat"], 5)]


def test_event_filters_and_pages(api: Client) -> None:
    everything = api.get("/ais/events", params={"limit": 1000}).json()
    assert everything["total"] == len(everything["events"]) or everything["total"] > 1000
    mmsi = everything["events"][0]["mmsi"]
    mine = api.get("/ais/events", params={"mmsi": mmsi}).json()["events"]
    assert mine and all(mmsi in (e["mmsi"], e["mmsi_b"]) for e in mine)
    late = api.get("/ais/events", params={"start": "2022-01-03T23:00:00Z"}).json()["events"]
    assert all(e["end"] >= "2022-01-03T23:00:00" for e in late)
    first = api.get("/ais/events", params={"limit": 3}).json()["events"]
    second = api.get("/ais/events", params={"limit": 3, "offset": 3}).json()["events"]
    assert [e["event_id"] for e in first + second] == [e["event_id"] for e in everything["events"][:6]]
    both = api.get("/ais/events", params=[("type", "gap"), ("type", "dark_rendezvous")]).json()
    by_type = {
        t: api.get("/ais/events", params={"type": t}).json()["total"] for t in ("gap", "dark_rendezvous")
    }
    assert both["total"] == sum(by_type.values())


def test_bad_input_is_refused_clearly(api: Client) -> None:
    bad = api.get("/ais/events", params={"type": "teleport"})
    assert (
        bad.status_code == 400 and "teleport" in bad.json()["detail"] and "encounter" in bad.json()["detail"]
    )
    assert api.get("/ais/events", params={"preset": "nope"}).status_code == 400
    wrong = api.get("/ais/events", params={"start": "2022-01-04T00:00:00Z", "end": "2022-01-03T00:00:00Z"})
    assert wrong.status_code == 400
    assert api.get(f"/vessels/{ENERGY_PUMA_MMSI}/track", params={"max_points": 1}).status_code == 422
    missing = api.get("/vessels/NO SUCH SHIP ANYWHERE")
    assert missing.status_code == 404 and "NO SUCH SHIP" in missing.json()["detail"]
    assert api.get("/vessels/" + "x" * 300).status_code in (400, 404)
    assert api.get("/vessels", who=None).status_code == 401


def test_detect_needs_a_reviewer_and_stores_its_events(
    built: tuple[Path, dict[str, str]], vessel_parties: list[Party], tmp_path: Path
) -> None:
    home, keys = built
    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    settings = Settings(home=copy, database_url=f"sqlite:///{copy / 'vigil.sqlite3'}")
    with TestClient(create_app(settings)) as client:
        api = Client(client, keys)
        assert api.post("/ais/detect", json={"preset": "sts"}).status_code == 403
        assert api.post("/ais/detect", who="reviewer", json={"preset": "warp"}).status_code == 400
        done = api.post("/ais/detect", who="reviewer", json={"preset": "sts", "types": ["gap"]})
        assert done.status_code == 200, done.text
        result = done.json()
        assert result["positions"] == 99_999 and result["file"] == "sts.parquet"
        stored = api.get("/ais/events", params={"preset": "sts", "limit": 1}).json()
        assert stored["total"] == result["events"] == result["by_type"]["gap"]
        gfw = api.get("/ais/events", params={"preset": "gfw", "type": "gap"}).json()["total"]
        assert gfw == result["events"]  # the gap rule has no speed threshold: both presets agree


def test_ais_data_needs_a_key_even_when_anonymous_viewers_may_screen(
    built: tuple[Path, dict[str, str]],
) -> None:
    home, keys = built
    settings = Settings(
        home=home, database_url=f"sqlite:///{home / 'vigil.sqlite3'}", allow_anonymous="viewer"
    )
    with TestClient(create_app(settings)) as client:
        api = Client(client, keys)
        for url in ("/vessels", "/vessels/9388027", f"/vessels/{ENERGY_PUMA_MMSI}/track", "/ais/events"):
            assert api.get(url, who=None).status_code == 401, url
        assert api.get("/vessels").status_code == 200


def test_planted_spoofing_and_transfer_show_on_the_track(
    built: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """Two ships on one MMSI 150-400 km apart, and a ship-to-ship transfer, planted in the real traffic."""
    home, keys = built
    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    planted = simulate(None, n_each=1, scenarios=("spoof", "encounter_sts"))
    AisStore(copy / "ais").append_positions(planted.positions)
    truth = {row["scenario"]: row for row in planted.truth.to_dicts() if row["required"]}
    settings = Settings(home=copy, database_url=f"sqlite:///{copy / 'vigil.sqlite3'}")
    with TestClient(create_app(settings)) as client:
        api = Client(client, keys)
        assert api.post("/ais/detect", who="reviewer", json={"preset": "sts"}).status_code == 200
        spoofed = truth["spoof"]["mmsi"]
        track = api.get(f"/vessels/{spoofed}/track").json()  # no identity report: positions only
        segments = [f for f in track["features"] if f["properties"]["kind"] == "segment"]
        assert (
            len(segments) >= 2
            and sum(s["properties"]["fixes"] for s in segments) == track["properties"]["fixes"]
        )
        assert sorted(s["properties"]["fixes"] for s in segments)[-2] > 50  # two real tracks, not one outlier
        overlaps = [f for f in track["features"] if f["properties"].get("type") == "identity_overlap"]
        assert overlaps and overlaps[0]["properties"]["preset"] == "sts"
        a, b = truth["encounter_sts"]["mmsi"], truth["encounter_sts"]["mmsi_b"]
        vessel = api.get(f"/vessels/{a}").json()
        (encounter,) = [e for e in vessel["events"] if e["type"] == "encounter"]
        assert encounter["mmsi_b"] == b and encounter["distance_m"] <= 500
        assert encounter["start"] < truth["encounter_sts"]["end"].isoformat()
        assert encounter["end"] > truth["encounter_sts"]["start"].isoformat()
        # the other ship is drawn around the encounter
        drawn = api.get(f"/vessels/{a}/track").json()
        partner = [f for f in drawn["features"] if f["properties"]["kind"] == "partner"]
        assert drawn["properties"]["partners"] == [b] and partner
        assert all(f["properties"]["mmsi"] == b for f in partner)
