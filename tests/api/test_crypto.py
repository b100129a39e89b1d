"""``POST /crypto/screen``: validated per chain, screened exactly, never matching an invalid address."""

from __future__ import annotations

from tests.api.conftest import Api
from vigil.lists.importing import import_files
from vigil.lists.snapshot import snapshot_dir

LAZARUS_ETH = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"


def test_designated_address_hits_and_invalid_is_reported(api: Api) -> None:
    import_files(api.store, "ofac_sdn_advanced", [snapshot_dir() / "sdn_advanced.xml.bz2"])
    flipped = LAZARUS_ETH.replace("B716B", "b716B")  # one letter's case: the EIP-55 checksum breaks
    body = {"addresses": [{"address": LAZARUS_ETH}, {"address": flipped}, {"address": "not an address"}]}
    response = api.post("viewer", "/crypto/screen", json=body)
    assert response.status_code == 200, response.text
    hit, broken, junk = response.json()["results"]
    assert hit["status"] == "match"
    assert any("Lazarus" in listing["name"] for listing in hit["listings"])
    assert broken["status"] == "invalid" and broken["listings"] == []
    assert junk["status"] == "invalid"


def test_anonymous_cannot_screen(api: Api) -> None:
    assert api.post(None, "/crypto/screen", json={"addresses": []}).status_code == 401
