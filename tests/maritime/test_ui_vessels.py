"""The vessel pages without a browser: what a reader without JavaScript gets, and hostile AIS text.

Same real data as ``test_api_maritime.py``: the lists' vessel records, the MarineCadastre sample
and its ``gfw`` events.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient

from tests.maritime.test_api_maritime import ENERGY_PUMA_MMSI, build_maritime_home
from vigil.api import create_app
from vigil.maritime.events import read_events
from vigil.maritime.store import AisStore
from vigil.model.party import Party
from vigil.settings import Settings

pytestmark = pytest.mark.slow  # the OFAC vessel records take a minute to parse

HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


@pytest.fixture(scope="module")
def home(
    tmp_path_factory: pytest.TempPathFactory, vessel_parties: list[Party], marinecadastre_csv: Path
) -> tuple[Path, dict[str, str]]:
    home = tmp_path_factory.mktemp("maritime-ui") / "home"
    keys = build_maritime_home(home, vessel_parties, marinecadastre_csv)
    # a ship broadcasting markup as its name (AIS text is whatever the transmitter says)
    AisStore(home / "ais").append_static(
        pl.DataFrame(
            {
                "mmsi": [367000001],
                "ts": [datetime(2022, 1, 3, 12, tzinfo=UTC)],
                "name": [HOSTILE],
                "callsign": ["<b>X</b>"],
                "source": ["tests"],
            }
        )
    )
    return home, keys


def _login(client: TestClient, key: str) -> None:
    response = client.post("/ui/login", data={"key": key, "next": "/ui/vessels"}, follow_redirects=False)
    assert response.status_code == 303


@pytest.fixture(scope="module")
def client(home: tuple[Path, dict[str, str]]) -> Iterator[TestClient]:
    path, keys = home
    settings = Settings(home=path, database_url=f"sqlite:///{path / 'vigil.sqlite3'}")
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        _login(client, keys["viewer"])
        yield client


def test_vessels_page_lists_flagged_vessels_and_searches(client: TestClient) -> None:
    page = client.get("/ui/vessels")
    assert page.status_code == 200
    assert 'href="/ui/vessels/9388027"' in page.text and "ofac:54813" in page.text
    assert (
        'aria-current="page"' in page.text.split('href="/ui/vessels"', 1)[1][:30]
    )  # the nav entry is active
    found = client.get("/ui/vessels", params={"q": "energy puma"})
    assert "1 vessel(s) matching" in found.text and "listed as MANASLU" in found.text


def test_vessel_page_holds_the_facts_as_tables_without_javascript(client: TestClient) -> None:
    page = client.get("/ui/vessels/9388027")
    assert page.status_code == 200
    html = page.text
    timeline = html.split('id="timeline"', 1)[1].split("</table>", 1)[0]
    assert "ENERGY PUMA" in timeline and "2AVT7" in timeline and str(ENERGY_PUMA_MMSI) in timeline
    findings = html.split('id="findings"', 1)[1].split("</table>", 1)[0]
    assert "designated imo" in findings and "MANASLU" in findings and "ofac:54813" in findings
    records = html.split('id="records"', 1)[1].split("</table>", 1)[0]
    assert 'href="/ui/party/ofac_sdn_advanced%3A54813"' in records
    # the map: served from here, data from the session-authenticated JSON, no inline script
    assert 'data-src="/ui/vessels/9388027/track.json"' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert all(
        src.startswith("/ui/static/") for src in re.findall(r'(?:src|href)="(/[^"]*\.(?:js|css))"', html)
    )
    assert not re.search(r'(?:src|href)="https?://', html)
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_vessel_events_table_links_the_other_ship(
    client: TestClient, home: tuple[Path, dict[str, str]]
) -> None:
    events = read_events(AisStore(home[0] / "ais").events_dir).filter(pl.col("type") == "dark_rendezvous")
    assert events.height > 0
    event = events.row(0, named=True)
    page = client.get(f"/ui/vessels/{event['mmsi']}")
    table = page.text.split('id="events"', 1)[1].split("</table>", 1)[0]
    assert "Dark rendezvous" in table and f'href="/ui/vessels/{event["mmsi_b"]}"' in table
    assert f"{event['lat']:.4f}, {event['lon']:.4f}" in table


def test_track_json_needs_the_session_and_is_geojson(
    client: TestClient, home: tuple[Path, dict[str, str]]
) -> None:
    data = client.get(f"/ui/vessels/{ENERGY_PUMA_MMSI}/track.json").json()
    assert data["type"] == "FeatureCollection" and data["properties"]["fixes"] == 17
    path, _keys = home
    settings = Settings(home=path, database_url=f"sqlite:///{path / 'vigil.sqlite3'}")
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as anonymous:
        refused = anonymous.get(f"/ui/vessels/{ENERGY_PUMA_MMSI}/track.json")
        assert refused.status_code == 401 and refused.json()["error"] == "Unauthorized"
        assert anonymous.get("/ui/vessels", follow_redirects=False).status_code == 303  # to the login page


def test_hostile_names_are_shown_as_text(client: TestClient) -> None:
    page = client.get("/ui/vessels/367000001")
    assert page.status_code == 200
    assert HOSTILE not in page.text and "<script>alert(2)" not in page.text
    assert "&lt;img src=x onerror=" in page.text and "&lt;b&gt;X&lt;/b&gt;" in page.text


def test_unknown_vessel_is_a_404_page(client: TestClient) -> None:
    page = client.get("/ui/vessels/NO SUCH SHIP ANYWHERE")
    assert page.status_code == 404 and "NO SUCH SHIP ANYWHERE" in page.text


def test_land_layer_is_small_and_plain_geojson() -> None:
    from vigil.web import vessels_ui

    land = Path(vessels_ui.__file__).parent / "static" / "maritime" / "land-50m.geojson"
    assert land.stat().st_size < 1_500_000
    head = land.read_text(encoding="utf-8")[:200]
    assert head.startswith('{"type":"FeatureCollection"')
