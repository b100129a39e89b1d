"""Alert review over the API: customers, decisions with four eyes and row versions, allowlist, audit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api.conftest import RI_WON_HO, Api

CUSTOMERS = [
    {"id": "C-002", "name": "Ri Won Ho", "schema": "Person", "dob": "1964-07-17", "country": "kp"},
    {"id": "C-003", "name": "Somchai Wongsawat", "schema": "Person", "dob": "1970-03-01", "country": "th"},
]


def _load(api: Api) -> dict[str, Any]:
    response = api.post("alice", "/customers", json=CUSTOMERS)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _alert(api: Api, alert_id: int) -> dict[str, Any]:
    response = api.get("viewer", f"/alerts/{alert_id}")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _dispose(api: Api, who: str, alert_id: int, decision: str, row_version: int) -> Any:
    body = {"decision": decision, "reason": f"{decision} by {who}", "expected_row_version": row_version}
    return api.post(who, f"/alerts/{alert_id}/dispositions", json=body)


def test_posting_customers_screens_them_and_raises_alerts(api: Api) -> None:
    body = _load(api)
    assert (body["added"], body["updated"], body["screened"]) == (2, 0, 2)
    assert len(body["alerts_created"]) == 1
    alerts = api.get("viewer", "/alerts", params={"status": "open"}).json()
    assert alerts["total"] == 1
    alert = alerts["alerts"][0]
    assert (alert["customer_id"], alert["party_id"], alert["row_version"]) == ("C-002", RI_WON_HO, 1)
    assert api.get("viewer", "/alerts", params={"source": "eu_fsf"}).json()["total"] == 0
    assert (
        api.get("viewer", "/alerts", params={"min_score": 0.99, "customer_id": "C-003"}).json()["total"] == 0
    )
    # Posting the same base again changes nothing and raises nothing new.
    again = _load(api)
    assert (again["unchanged"], again["alerts_created"]) == (2, [])
    assert [c["id"] for c in api.get("viewer", "/customers").json()["customers"]] == ["C-002", "C-003"]
    assert api.get("viewer", "/customers/C-003").json()["country"] == "th"


def test_stale_row_version_is_409_and_writes_nothing(api: Api) -> None:
    alert_id = _load(api)["alerts_created"][0]
    assert _dispose(api, "alice", alert_id, "escalate", 1).status_code == 200
    stale = _dispose(api, "bob", alert_id, "false_positive", 1)
    assert stale.status_code == 409
    assert stale.json()["error"] == "ConflictError"
    alert = _alert(api, alert_id)
    assert (alert["status"], alert["row_version"], len(alert["dispositions"])) == ("escalated", 2, 1)


def test_four_eyes_needs_a_second_reviewer(api: Api) -> None:
    alert_id = _load(api)["alerts_created"][0]
    proposed = _dispose(api, "alice", alert_id, "true_match", 1)
    assert proposed.json()["status"] == "pending_confirmation"
    own = _dispose(api, "alice", alert_id, "confirm", 2)
    assert own.status_code == 400 and "another reviewer" in own.json()["detail"]
    confirmed = _dispose(api, "bob", alert_id, "confirm", 2)
    assert confirmed.status_code == 200
    alert = confirmed.json()
    assert alert["status"] == "closed_true_match"
    assert [(d["decision"], d["reviewer"]) for d in alert["dispositions"]] == [
        ("true_match", "alice"),
        ("confirm", "bob"),
    ]


def test_without_four_eyes_one_reviewer_closes_a_true_match(make_api: Callable[..., Api]) -> None:
    api = make_api(four_eyes=False)
    alert_id = _load(api)["alerts_created"][0]
    assert _dispose(api, "alice", alert_id, "true_match", 1).json()["status"] == "closed_true_match"


def test_allowlist_suppresses_the_alert_of_a_rescreen(api: Api) -> None:
    alert_id = _load(api)["alerts_created"][0]
    group_id = _alert(api, alert_id)["group_id"]
    created = api.post(
        "alice",
        "/allowlist",
        json={"customer_id": "C-002", "group_id": group_id, "reason": "other person, checked passport"},
    )
    assert created.status_code == 201
    entry = created.json()
    assert entry["created_by"] == "alice" and entry["party_hash"]
    assert _alert(api, alert_id)["status"] == "allowlisted"

    # The customer is screened again (an update of their record): no alert comes back.
    changed = [{**CUSTOMERS[0], "data": {"segment": "retail"}}]
    rescreen = api.post("alice", "/customers", json=changed).json()
    assert (rescreen["updated"], rescreen["alerts_created"], rescreen["alerts_updated"]) == (1, [], [])
    assert api.get("viewer", "/alerts", params={"status": ["open", "escalated"]}).json()["total"] == 0
    assert [e["id"] for e in api.get("viewer", "/allowlist").json()] == [entry["id"]]

    revoked = api.client.request(
        "DELETE",
        f"/allowlist/{entry['id']}",
        json={"reason": "customer's passport renewed"},
        headers=api.auth("bob"),
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert api.get("viewer", "/allowlist").json() == []
    assert len(api.post("alice", "/customers", json=CUSTOMERS).json()["alerts_created"]) == 1


def test_allowlist_needs_a_known_customer_and_group(api: Api) -> None:
    _load(api)
    unknown_group = {"customer_id": "C-002", "group_id": "un:KPi.999", "reason": "x"}
    assert api.post("alice", "/allowlist", json=unknown_group).status_code == 404
    unknown_customer = {"customer_id": "C-404", "group_id": "un:KPi.033", "reason": "x"}
    assert api.post("alice", "/allowlist", json=unknown_customer).status_code == 404
    past = {
        "customer_id": "C-002",
        "group_id": "un:KPi.033",
        "reason": "x",
        "expires_at": "2001-01-01T00:00:00Z",
    }
    assert api.post("alice", "/allowlist", json=past).status_code == 400


def test_customer_delete(api: Api) -> None:
    _load(api)
    deleted = api.client.request("DELETE", "/customers/C-003", headers=api.auth("alice"))
    assert deleted.json() == {"deleted": 1}
    assert api.get("viewer", "/customers/C-003").status_code == 404
    assert api.client.request("DELETE", "/customers/C-003", headers=api.auth("alice")).status_code == 404


def test_audit_verifies_after_actions_and_names_the_reviewers(api: Api) -> None:
    alert_id = _load(api)["alerts_created"][0]
    _dispose(api, "alice", alert_id, "true_match", 1)
    _dispose(api, "bob", alert_id, "confirm", 2)
    verify = api.get("viewer", "/audit/verify").json()
    assert verify["ok"] is True and verify["problem"] is None
    assert verify["records"] == verify["head_seq"] > 0
    disposals = api.get("viewer", "/audit", params={"action": "alert.dispose"}).json()["records"]
    assert [(r["actor"], r["payload"]["decision"]) for r in disposals] == [
        ("alice", "true_match"),
        ("bob", "confirm"),
    ]
    page = api.get("viewer", "/audit", params={"limit": 2}).json()
    assert len(page["records"]) == 2 and page["next_since_seq"] == page["records"][-1]["seq"]
    assert api.get("viewer", "/audit", params={"since_seq": verify["head_seq"]}).json()["records"] == []


def test_unknown_alert_and_bad_filters(api: Api) -> None:
    assert api.get("viewer", "/alerts/999").status_code == 404
    assert api.get("viewer", "/alerts", params={"status": "bogus"}).status_code == 400
    bad = api.post(
        "alice",
        "/alerts/1/dispositions",
        json={"decision": "maybe", "reason": "x", "expected_row_version": 1},
    )
    assert bad.status_code == 422 and bad.json()["error"] == "ValidationError"
