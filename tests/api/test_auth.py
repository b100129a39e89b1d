"""Keys, roles, anonymous access, request size and rate limits."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest

from tests.api.conftest import Api
from vigil.api.errors import error_response
from vigil.api.ratelimit import RateLimiter
from vigil.errors import VigilError
from vigil.store.keys import hash_key

NAME_QUERY = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Ri Won Ho"]}}}}


def test_no_key_is_401(api: Api) -> None:
    for url in ("/alerts", "/lists", "/version"):
        response = api.get(None, url)
        assert response.status_code == 401
        assert response.json()["error"] == "Unauthorized"
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert api.post(None, "/match/default", json=NAME_QUERY).status_code == 401


def test_health_needs_no_key(api: Api) -> None:
    assert api.get(None, "/health").json() == {"status": "ok"}


def test_bad_and_revoked_keys_are_401_and_both_headers_work(api: Api) -> None:
    assert api.client.get("/lists", headers={"Authorization": "Bearer vigil_nope"}).status_code == 401
    assert api.client.get("/lists", headers={"X-API-Key": api.keys["viewer"]}).status_code == 200
    key_id = next(k.id for k in api.store.list_keys() if k.name == "vera")
    api.store.revoke_key(key_id)
    assert api.client.get("/lists", headers={"X-API-Key": api.keys["viewer"]}).status_code == 401


def test_keys_are_stored_hashed(api: Api) -> None:
    data = api.store.path  # type: ignore[attr-defined]
    with open(data, "rb") as handle:
        content = handle.read()
    for plain in api.keys.values():
        assert plain.encode() not in content
    rows = api.store._query("SELECT key_hash FROM api_key ORDER BY id")
    assert [r[0] for r in rows] == [hash_key(api.keys[w]) for w in ("admin", "alice", "bob", "viewer")]
    actions = [r.action for r in api.store.audit_records(action="key.create")]
    assert len(actions) == 4


def test_anonymous_viewer_may_screen_but_not_read_alerts(make_api: Callable[..., Api]) -> None:
    api = make_api(allow_anonymous="viewer")
    assert api.post(None, "/match/default", json=NAME_QUERY).status_code == 200
    assert api.get(None, "/lists").status_code == 200
    for url in ("/alerts", "/customers", "/audit", "/audit/verify", "/allowlist"):
        assert api.get(None, url).status_code == 401, url
    # A key that is sent must still be valid.
    assert api.client.get("/lists", headers={"X-API-Key": "vigil_forged"}).status_code == 401


def test_viewer_cannot_change_anything(api: Api) -> None:
    customer = [{"id": "C-1", "name": "Ri Won Ho", "schema": "Person"}]
    assert api.post("alice", "/customers", json=customer).status_code == 200
    alert = api.store.list_alerts()[0]
    attempts = [
        (
            "POST",
            f"/alerts/{alert.id}/dispositions",
            {"decision": "false_positive", "reason": "x", "expected_row_version": 1},
        ),
        ("POST", "/allowlist", {"customer_id": "C-1", "group_id": alert.group_id, "reason": "x"}),
        ("DELETE", "/allowlist/1", {"reason": "x"}),
        ("POST", "/customers", customer),
        ("DELETE", "/customers/C-1", None),
        ("POST", "/lists/update", None),
    ]
    for method, url, body in attempts:
        response = api.client.request(method, url, json=body, headers=api.auth("viewer"))
        assert response.status_code == 403, (method, url)
        assert response.json()["error"] == "Forbidden"
    # Reviewers may not update lists either.
    assert api.post("alice", "/lists/update").status_code == 403
    assert api.store.get_alert(alert.id).row_version == alert.row_version


def test_request_too_large_is_413(make_api: Callable[..., Api]) -> None:
    api = make_api(max_request_bytes=2_000)
    big = {
        "queries": {f"q{i}": {"schema": "Person", "properties": {"name": ["Ri Won Ho"]}} for i in range(100)}
    }
    response = api.post("viewer", "/match/default", json=big)
    assert response.status_code == 413
    assert response.json()["error"] == "RequestTooLarge"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is counted as the body streams
        yield b'{"queries": {'
        for i in range(200):
            yield f'"q{i}": {{"properties": {{"name": ["Ri Won Ho"]}}}},'.encode()
        yield b'"last": {"properties": {"name": ["x"]}}}}'

    streamed = api.client.post(
        "/match/default", content=chunks(), headers={**api.auth("viewer"), "Content-Type": "application/json"}
    )
    assert streamed.status_code == 413
    assert api.post("viewer", "/match/default", json=NAME_QUERY).status_code == 200


def test_rate_limit_is_429_per_key(make_api: Callable[..., Api]) -> None:
    api = make_api(rate_limit=3)
    statuses = [api.get("viewer", "/lists").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api.get("viewer", "/lists")
    assert limited.json()["error"] == "RateLimited"
    assert int(limited.headers["Retry-After"]) >= 1
    assert api.get("alice", "/lists").status_code == 200  # another key has its own budget


def test_rate_limiter_window_slides() -> None:
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    limiter.check("k")
    limiter.check("k")
    with pytest.raises(VigilError):
        limiter.check("k")
    now[0] = 60.5
    limiter.check("k")


def test_every_vigil_error_maps_to_its_own_status() -> None:
    import vigil.api.errors as api_errors
    import vigil.errors as core_errors

    classes = [getattr(core_errors, n) for n in core_errors.__all__] + [
        getattr(api_errors, n) for n in api_errors.__all__ if n != "error_response"
    ]
    for cls in classes:
        exc = cls("p", "m") if "ListFormat" in cls.__name__ or "ListCount" in cls.__name__ else None
        if exc is None:
            exc = cls("boom", retry_after=5) if cls.__name__ == "RateLimited" else cls("boom")
        response = error_response(exc)
        assert response.status_code == cls.http_status
        assert bytes(response.body).startswith(f'{{"error":"{cls.__name__}"'.encode())


def test_logs_hold_neither_keys_nor_customer_names(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api.post("alice", "/customers", json=[{"id": "C-7", "name": "Kim Sol Ji Unusual", "schema": "Person"}])
    api.get("alice", "/customers/C-7")
    api.post("viewer", "/match/default", json=NAME_QUERY)
    text = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "request" in text
    assert "Kim Sol Ji" not in text and "Ri Won Ho" not in text
    for plain in api.keys.values():
        assert plain not in text
