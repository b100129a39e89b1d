"""Screening over the API: yente's /match shapes, any script, per-list datasets, algorithms."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import RI_WON_HO, Api


def _match(api: Api, dataset: str, query: dict[str, Any], **params: Any) -> Any:
    response = api.post("viewer", f"/match/{dataset}", json={"queries": {"q": query}}, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    return body["responses"]["q"]


def test_match_is_yente_shaped_and_finds_ri_won_ho(api: Api) -> None:
    query = {"schema": "Person", "properties": {"name": ["Ri Won Ho"], "birthDate": ["1964-07-17"]}}
    response = api.post("viewer", "/match/default", json={"queries": {"ri": query}}, params={"limit": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["limit"] == 3
    answer = body["responses"]["ri"]
    assert answer["status"] == 200
    assert answer["query"] == query
    assert answer["total"]["value"] == len(answer["results"]) >= 1
    top = answer["results"][0]
    assert top["id"] == RI_WON_HO
    assert top["match"] is True
    assert top["schema"] == "Person"
    assert top["caption"] == "RI WON HO"
    assert top["datasets"] == ["un_sc"]
    assert top["refs"] == ["un:KPi.033"]
    assert top["properties"]["passportNumber"] == ["381310014"]
    assert top["features"]["name"] == 1.0 and "dob" in " ".join(top["features"])
    assert "won" in top["explanation"]


def test_hangul_query_finds_the_romanised_designation(api: Api) -> None:
    answer = _match(api, "default", {"schema": "Person", "properties": {"name": ["리원호"]}})
    top = answer["results"][0]
    assert (top["id"], top["match"]) == (RI_WON_HO, True)


def test_identifier_alone_is_decisive(api: Api) -> None:
    answer = _match(api, "default", {"schema": "Person", "properties": {"passportNumber": ["381310014"]}})
    assert [r["id"] for r in answer["results"]] == [RI_WON_HO]


def test_dataset_restricts_results_to_one_list(api: Api) -> None:
    query = {"schema": "Person", "properties": {"name": ["Saddam Hussein Al-Tikriti"]}}
    everywhere = _match(api, "default", query, limit=10)
    eu_only = _match(api, "eu_fsf", query, limit=10)
    un_only = _match(api, "un_sc", query, limit=10)
    datasets = {d for r in everywhere["results"] for d in r["datasets"]}
    assert datasets == {"un_sc", "eu_fsf"}
    assert eu_only["results"] and all(r["datasets"] == ["eu_fsf"] for r in eu_only["results"])
    assert un_only["results"][0]["id"] == "un_sc:IQi.001"
    assert all(r["id"].startswith("un_sc:") for r in un_only["results"])


def test_unknown_or_unloaded_dataset_is_404(api: Api) -> None:
    for dataset in ("nothing", "ofac_sdn_advanced"):
        response = api.post("viewer", f"/match/{dataset}", json={"queries": {}})
        assert response.status_code == 404
        assert response.json()["error"] == "NotFoundError"


def test_threshold_decides_match_and_algorithm_comes_from_the_registry(api: Api) -> None:
    query = {"schema": "Person", "properties": {"name": ["Ri Won Ho"]}}
    strict = _match(api, "un_sc", query, threshold=1.0, algorithm="rapidfuzz")
    top = strict["results"][0]
    assert top["id"] == RI_WON_HO and top["match"] is True
    assert top["explanation"].startswith("rapidfuzz")
    bad = api.post(
        "viewer", "/match/default", json={"queries": {"q": query}}, params={"algorithm": "soundex"}
    )
    assert bad.status_code == 400
    assert bad.json()["error"] == "InputError" and "vigil-v1" in bad.json()["detail"]


def test_a_query_without_name_or_identifier_is_refused(api: Api) -> None:
    response = api.post("viewer", "/match/default", json={"queries": {"q": {"schema": "Person"}}})
    assert response.status_code == 400


def test_search_returns_hits_and_raises_no_alert(api: Api) -> None:
    response = api.get("viewer", "/search", params={"q": "RI WON HO", "schema": "Person"})
    assert response.status_code == 200
    assert response.json()["results"][0]["id"] == RI_WON_HO
    assert api.store.count_alerts() == 0


def test_entity_has_its_group_names_and_identifiers(api: Api) -> None:
    response = api.get("viewer", f"/entities/{RI_WON_HO}")
    assert response.status_code == 200
    body = response.json()
    assert body["current"] is True and body["group_id"] == "un:KPi.033"
    assert [n["name"] for n in body["names"]] == ["RI WON HO"]
    assert body["identifiers"][0]["value"] == "381310014"
    assert body["records"][0]["id"] == RI_WON_HO


def test_unknown_entity_is_404(api: Api) -> None:
    response = api.get("viewer", "/entities/un_sc:KPi.999")
    assert response.status_code == 404
    assert response.json() == {"error": "NotFoundError", "detail": "no party 'un_sc:KPi.999'"}
