"""A vessel page in a real headless Chromium: the map draws the track offline, from this server only.

The server is the real app under uvicorn (``tests/web/test_ui_browser.py``'s helpers) over a
``VIGIL_HOME`` holding the lists' vessel records, the real MarineCadastre AIS sample and its events.
Every request the page makes is recorded; any request to another host fails the test (and is
aborted, so nothing leaves the machine). Screenshots land in ``test-artifacts/ui/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.maritime.test_api_maritime import ENERGY_PUMA_MMSI, build_maritime_home
from vigil.maritime.events import read_events
from vigil.maritime.store import AisStore
from vigil.model.party import Party

ui_browser = pytest.importorskip("tests.web.test_ui_browser")
browser = ui_browser.browser  # the module's Chromium fixture, reused

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not ui_browser.CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, vessel_parties: list[Party], marinecadastre_csv: Path
) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("maritime-browser") / "home"
    keys = build_maritime_home(home, vessel_parties, marinecadastre_csv, plant=("spoof", "encounter_sts"))
    with ui_browser._serve(home) as url:
        yield {"url": url, "home": str(home), "vic": keys["viewer"]}


def _open(browser: object, server: dict[str, str], path: str, **options: object) -> tuple[object, list[str]]:
    """Log in as the viewer, record every request, open ``path`` and wait until the map settled."""
    page = ui_browser._page(browser, server, "vic", **options)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))  # type: ignore[attr-defined]
    page.goto(server["url"] + path)  # type: ignore[attr-defined]
    return page, requested


def test_vessel_map_draws_land_track_and_events_offline(browser: object, server: dict[str, str]) -> None:
    page, requested = _open(browser, server, "/ui/vessels/9388027")
    page.wait_for_selector("#vessel-map[data-state]", timeout=30_000)  # type: ignore[attr-defined]
    ui_browser._shot(page, "20-vessel-map")
    assert page.get_attribute("#vessel-map", "data-state") == "drawn", page.inner_text("#vessel-map-status")  # type: ignore[attr-defined]
    # the track is an SVG path with points, the land a canvas with something painted on it
    track = page.locator("path.vessel-track")  # type: ignore[attr-defined]
    assert track.count() == 1
    d = track.get_attribute("d")
    # a straight run: Leaflet simplifies collinear fixes away, so check the drawn line's extent instead
    assert d and re.fullmatch(r"M-?\d+ -?\d+(L-?\d+ -?\d+)+", d), d
    box = track.bounding_box()
    assert box["width"] + box["height"] > 20  # about 2.6 km of track at zoom 9 (the coast in view)
    assert page.locator("path.track-start").count() == 1  # type: ignore[attr-defined]
    painted = page.evaluate(  # type: ignore[attr-defined]
        """() => { const c = document.querySelector('.leaflet-land-pane canvas');
                   if (!c) return 0;
                   const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i]) n++; return n; }"""
    )
    assert painted > 1000  # the Louisiana coast is in view of this Gulf of Mexico track
    assert "1 track segment(s), 17 fixes drawn" in page.inner_text("#vessel-map-status")  # type: ignore[attr-defined]
    # the facts are also in the tables
    assert "ENERGY PUMA" in page.inner_text("#timeline")  # type: ignore[attr-defined]
    assert "MANASLU" in page.inner_text("#findings")  # type: ignore[attr-defined]
    page.locator("path.vessel-track").click()  # type: ignore[attr-defined]
    page.locator(".map-popup").wait_for()  # type: ignore[attr-defined]
    page.wait_for_function("() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'")  # type: ignore[attr-defined]
    assert f"MMSI {ENERGY_PUMA_MMSI}" in page.inner_text(".map-popup")  # type: ignore[attr-defined]
    ui_browser._shot(page, "21-vessel-map-popup")
    assert requested and all(url.startswith(server["url"] + "/") for url in requested), requested
    assert page.context.outside == []  # type: ignore[attr-defined]
    assert any(url.endswith("/land-50m.geojson") for url in requested)
    page.context.close()  # type: ignore[attr-defined]


def test_event_popups_show_their_evidence(browser: object, server: dict[str, str]) -> None:
    events = read_events(AisStore(Path(server["home"]) / "ais").events_dir)
    gap = events.filter(events["type"] == "gap").row(0, named=True)
    page, requested = _open(browser, server, f"/ui/vessels/{gap['mmsi']}")
    page.wait_for_selector("#vessel-map[data-state=drawn]", timeout=30_000)  # type: ignore[attr-defined]
    marker = page.locator("path.event-gap-end").first  # type: ignore[attr-defined]
    marker.wait_for()
    marker.click(force=True)
    popup = page.locator(".map-popup").first  # type: ignore[attr-defined]
    popup.wait_for()
    page.wait_for_function("() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'")  # type: ignore[attr-defined]
    text = popup.inner_text()
    assert "Dark gap" in text and "went dark at" in text and "reappeared at" in text
    ui_browser._shot(page, "22-vessel-gap")
    assert all(url.startswith(server["url"] + "/") for url in requested), requested
    page.context.close()  # type: ignore[attr-defined]


def test_vessel_page_without_javascript_keeps_the_tables(browser: object, server: dict[str, str]) -> None:
    page, _requested = _open(browser, server, "/ui/vessels/9388027", java_script_enabled=False)
    assert not page.locator("#vessel-map").is_visible()  # type: ignore[attr-defined]
    assert "The map needs JavaScript" in page.inner_text("main")  # type: ignore[attr-defined]
    assert "ENERGY PUMA" in page.inner_text("#timeline")  # type: ignore[attr-defined]
    ui_browser._shot(page, "23-vessel-no-js")
    page.context.close()  # type: ignore[attr-defined]


def test_vessels_list_leads_to_the_vessel_page(browser: object, server: dict[str, str]) -> None:
    page, requested = _open(browser, server, "/ui/vessels")
    rows = page.locator("#vessels tbody tr")  # type: ignore[attr-defined]
    assert rows.count() > 10
    ui_browser._shot(page, "19-vessels")
    page.fill("#q", "energy puma")  # type: ignore[attr-defined]
    page.press("#q", "Enter")  # type: ignore[attr-defined]
    page.wait_for_url("**q=energy+puma**")  # type: ignore[attr-defined]
    page.locator("#vessels a", has_text="ENERGY PUMA").click()  # type: ignore[attr-defined]
    page.wait_for_url("**/ui/vessels/9388027")  # type: ignore[attr-defined]
    assert "MANASLU" in page.inner_text("h1")  # type: ignore[attr-defined]
    assert all(url.startswith(server["url"] + "/") for url in requested), requested
    page.context.close()  # type: ignore[attr-defined]


def test_shared_identity_draws_two_tracks_and_a_transfer_links_both_ships(
    browser: object, server: dict[str, str]
) -> None:
    """Planted (simulated) ships: two ships on MMSI 445100000, a transfer between 445100001 and 445100002."""
    events = read_events(AisStore(Path(server["home"]) / "ais").events_dir)
    overlap = events.filter(events["type"] == "identity_overlap").row(0, named=True)
    page, requested = _open(browser, server, f"/ui/vessels/{overlap['mmsi']}")
    page.wait_for_selector("#vessel-map[data-state=drawn]", timeout=30_000)  # type: ignore[attr-defined]
    assert page.locator("path.vessel-track").count() >= 2  # type: ignore[attr-defined]
    assert page.locator("path.event-identity_overlap").count() >= 1  # type: ignore[attr-defined]
    colours = {
        page.locator("path.vessel-track").nth(i).get_attribute("stroke")  # type: ignore[attr-defined]
        for i in range(2)
    }
    assert len(colours) == 2  # each segment its own colour
    ui_browser._shot(page, "24-vessel-shared-identity")
    encounter = events.filter(events["type"] == "encounter").row(0, named=True)
    page.goto(server["url"] + f"/ui/vessels/{encounter['mmsi']}")  # type: ignore[attr-defined]
    page.wait_for_selector("#vessel-map[data-state=drawn]", timeout=30_000)  # type: ignore[attr-defined]
    page.locator("path.event-encounter").first.click(force=True)  # type: ignore[attr-defined]
    popup = page.locator(".map-popup").first  # type: ignore[attr-defined]
    popup.wait_for()
    page.wait_for_function("() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'")  # type: ignore[attr-defined]
    assert "Encounter" in popup.inner_text() and str(encounter["mmsi_b"]) in popup.inner_text()
    assert page.locator("path.partner-track").count() >= 1  # type: ignore[attr-defined]  # the other ship
    ui_browser._shot(page, "25-vessel-encounter")
    page.locator(f"#events a[href='/ui/vessels/{encounter['mmsi_b']}']").click()  # type: ignore[attr-defined]
    page.wait_for_url(f"**/ui/vessels/{encounter['mmsi_b']}")  # type: ignore[attr-defined]
    assert all(url.startswith(server["url"] + "/") for url in requested), requested
    page.context.close()  # type: ignore[attr-defined]
