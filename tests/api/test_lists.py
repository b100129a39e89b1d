"""The lists over the API: versions, diffs, and an update that re-screens the customer base."""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import issue_keys
from vigil.api import create_app
from vigil.lists.importing import import_files
from vigil.settings import Settings
from vigil.store import open_store

UN_BEFORE = Path("lists/un/2026-01-28/un.xml")
UN_AFTER = Path("lists/un/2026-02-27/UN_consolidated.xml")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def publisher(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real HTTP server on loopback standing in for the UN's website."""
    root = tmp_path / "www"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


def test_versions_diff_and_update_with_rescreen(
    tmp_path: Path, shared_data: Path, publisher: tuple[str, Path]
) -> None:
    url, root = publisher
    shutil.copy(shared_data / UN_AFTER, root / "consolidated.xml")
    database = f"sqlite:///{tmp_path / 'vigil.sqlite3'}"
    with open_store(database) as store:
        first = import_files(store, "un_sc", [shared_data / UN_BEFORE]).version
        keys = issue_keys(store)
    settings = Settings(
        home=tmp_path / "home", database_url=database, list_urls={"un_sc": f"{url}/consolidated.xml"}
    )
    admin = {"Authorization": f"Bearer {keys['admin']}"}
    with TestClient(create_app(settings)) as client:
        # A customer designated only in the newer list: no alert yet.
        customer = {"id": "C-001", "name": "Abdul Rahim Hamdan Dagalo", "schema": "Person", "country": "sd"}
        assert client.post("/customers", json=[customer], headers=admin).json()["alerts_created"] == []

        updated = client.post("/lists/update", json={"sources": ["un_sc"]}, headers=admin)
        assert updated.status_code == 200, updated.text
        body = updated.json()
        assert [(i["source"], i["created"]) for i in body["imports"]] == [("un_sc", True)]
        assert body["rescreen"]["groups_screened"] == 4
        assert len(body["rescreen"]["alerts_created"]) == 1
        alert = client.get(f"/alerts/{body['rescreen']['alerts_created'][0]}", headers=admin).json()
        assert (alert["customer_id"], alert["party_id"]) == ("C-001", "un_sc:SDi.008")

        listed = client.get("/lists", headers=admin).json()
        assert [(entry["source"], entry["versions"]) for entry in listed] == [("un_sc", 2)]
        versions = client.get("/lists/un_sc/versions", headers=admin).json()
        assert [v["id"] for v in versions][1] == first.id

        diff = client.get("/lists/un_sc/diff", headers=admin).json()
        assert diff["old"]["id"] == first.id and diff["new"]["id"] == versions[0]["id"]
        assert diff["summary"]["added"] == 4
        assert "un_sc:SDi.008" in [c["party_id"] for c in diff["added"]]
        assert all(c["fields"] for c in diff["changed"])
        explicit = client.get(
            "/lists/un_sc/diff", params={"from": first.id, "to": versions[0]["id"]}, headers=admin
        ).json()
        assert explicit["summary"] == diff["summary"]
        initial = client.get("/lists/un_sc/diff", params={"to": first.id}, headers=admin).json()
        assert initial["old"] is None and initial["summary"]["added"] == first.party_count

        assert client.get("/lists/un_sc/diff", params={"from": 999}, headers=admin).status_code == 404
        assert client.get("/lists/eu_fsf/versions", headers=admin).status_code == 404

        # The same file again: nothing new, nothing re-screened.
        again = client.post("/lists/update", json={"sources": ["un_sc"]}, headers=admin).json()
        assert again["imports"][0]["created"] is False and again["rescreen"] is None


def test_failed_download_is_502_and_keeps_the_version(tmp_path: Path, publisher: tuple[str, Path]) -> None:
    url, _root = publisher  # serves nothing: every file is 404
    database = f"sqlite:///{tmp_path / 'vigil.sqlite3'}"
    with open_store(database) as store:
        keys = issue_keys(store)
    settings = Settings(home=tmp_path, database_url=database, list_urls={"un_sc": f"{url}/missing.xml"})
    with TestClient(create_app(settings)) as client:
        response = client.post(
            "/lists/update", json={"sources": ["un_sc"]}, headers={"X-API-Key": keys["admin"]}
        )
        assert response.status_code == 502
        assert response.json()["error"] == "FetchError"
        assert client.get("/lists", headers={"X-API-Key": keys["admin"]}).json() == []
