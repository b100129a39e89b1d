"""``/graph/...`` over a real store (the UN consolidated list of 2026-02-27) and a loaded registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from vigil.api import create_app
from vigil.graph.registry import read_registry, store_registry
from vigil.lists.importing import import_files
from vigil.settings import Settings
from vigil.store import open_store

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "registry" / "companies.csv"
UN_FILE = Path("lists/un/2026-02-27/UN_consolidated.xml")
pytestmark = pytest.mark.slow  # imports the UN list (about 20 s on a busy machine)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[tuple[TestClient, str]]:
    root = tmp_path_factory.mktemp("graph-api")
    url = f"sqlite:///{root / 'vigil.sqlite3'}"
    with open_store(url) as store:
        import_files(store, "un_sc", [shared_data / UN_FILE])
        key = store.create_key("vera", "viewer").plain
    home = root / "home"
    # a registry company held 60 % by the UN-listed KOREA SAMJONG SHIPPING (KPe.064)
    table = root / "case.csv"
    table.write_text(
        "entity_id,entity_name,attribute,value,share,target_id\n"
        "A,ALPHA SHIPPING,shareholder,KOREA SAMJONG SHIPPING,60,un_sc:KPe.064\n"
        "A,ALPHA SHIPPING,phone,+65 6000 0001,,\n"
        "B,BETA TRADING,phone,6560000001,,\n",
        encoding="utf-8",
    )
    store_registry(home, read_registry(table))
    with TestClient(create_app(Settings(home=home, database_url=url))) as test_client:
        yield test_client, key


def _get(client: tuple[TestClient, str], url: str, **params: Any) -> Any:
    test_client, key = client
    return test_client.get(url, params=params, headers={"Authorization": f"Bearer {key}"})


def test_paths_from_a_registry_company(client: tuple[TestClient, str]) -> None:
    response = _get(client, "/graph/paths", party="BETA TRADING", max_hops=2)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["shortest"]["nodes"] == ["registry:case:B", "registry:case:A", "un_sc:KPe.064"]
    hops = data["shortest"]["hops"]
    assert hops[0]["evidence"][0]["kind"] == "shared_phone"
    assert hops[1]["evidence"][0]["share"] == 60.0
    assert data["exposure"] == 0.25
    names = {n["id"]: n for n in data["nodes"]}
    assert names["un_sc:KPe.064"]["designated"] is True


def test_un_relations_are_edges(client: tuple[TestClient, str]) -> None:
    data = _get(client, "/graph/neighbours", party="un_sc:KPe.064").json()
    kinds = {e["kind"] for edge in data["edges"] for e in edge["evidence"]}
    assert kinds == {"owned_or_controlled_by"}  # ALPHA SHIPPING's registry shareholding
    assert data["node"]["name"].upper() == "KOREA SAMJONG SHIPPING"
    # the UN record of GBAE says it changed its name to KPe.027: a linked_to edge with the wording
    gbae = _get(client, "/graph/neighbours", party="un_sc:KPe.007").json()
    (edge,) = [e for e in gbae["edges"] if e["target"] == "un_sc:KPe.027"]
    assert edge["evidence"][0]["kind"] == "linked_to"
    assert "Changed name as Ministry of Atomic Energy Industry" in edge["evidence"][0]["evidence"]


def test_search_clusters_and_errors(client: tuple[TestClient, str]) -> None:
    found = _get(client, "/graph/search", q="alpha ship").json()
    assert [n["id"] for n in found] == ["registry:case:A"]
    missions = _get(client, "/graph/search", q="Embassy, Jakarta").json()
    assert missions[0]["id"] == "dprk_mission:indonesia-jakarta"
    clusters = _get(client, "/graph/clusters", min_designated=0, limit=500).json()
    assert any({m["id"] for m in c["members"]} == {"registry:case:A", "registry:case:B"} for c in clusters)
    missing = _get(client, "/graph/paths", party="NOBODY AT ALL")
    assert missing.status_code == 404
    test_client, _key = client
    assert test_client.get("/graph/paths", params={"party": "x"}).status_code in (401, 403)


def test_ownership_endpoint(client: tuple[TestClient, str]) -> None:
    test_client, key = client
    body = {
        "edges": [
            {"owner": "A1", "owned": "C", "share": 25},
            {"owner": "A2", "owned": "C", "share": 25},
            {"owner": "C", "owned": "D", "share": 60},
        ],
        "blocked": ["A1", "A2"],
    }
    response = test_client.post("/graph/ownership", json=body, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    blocked = response.json()["blocked"]
    assert [(b["entity"], b["share"], b["round"]) for b in blocked] == [("C", 50.0, 1), ("D", 60.0, 2)]
    assert blocked[1]["chains"] == [
        [["A1", "C", 25.0], ["C", "D", 60.0]],
        [["A2", "C", 25.0], ["C", "D", 60.0]],
    ]
    body["edges"][0]["share"] = 120  # type: ignore[index]
    bad = test_client.post("/graph/ownership", json=body, headers={"Authorization": f"Bearer {key}"})
    assert bad.status_code == 400 and "A1 -> C" in bad.text
