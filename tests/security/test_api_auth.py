"""Authentication and roles for EVERY endpoint, request-size and rate limits, secrets kept out of logs.

The matrix is built from the app's route table, not from a hand-kept list of URLs: an endpoint
added without a role check answers an anonymous request with something other than 401 and
fails here. The expected least role of each endpoint follows one policy:

- ``GET /health`` and the API docs are public;
- reading (``GET``) needs a viewer key (anonymous viewers, when enabled, never read alerts,
  customers, the allowlist or the audit log);
- screening (``POST /match/{dataset}``, ``POST /crypto/screen``) needs a viewer;
- ``POST /lists/update`` needs an admin;
- every other write needs a reviewer.

An endpoint that deliberately departs from this must be added to the tables below, which
makes the decision visible in review.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Route

from tests.security.conftest import SecureApi
from vigil.store.keys import ROLES

PUBLIC = {("GET", "/health")}
DOCS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
#: Writes a viewer may make (they screen, they change nothing).
VIEWER_WRITES = {
    ("POST", "/match/{dataset}"),
    ("POST", "/crypto/screen"),
    ("POST", "/graph/ownership"),  # computes over the edges sent; stores nothing
}
#: Endpoints only an admin may call.
ADMIN_ONLY = {("POST", "/lists/update")}
#: What anonymous viewers (``VIGIL_ALLOW_ANONYMOUS=viewer``) must be able to do: screen, read lists.
ANONYMOUS_SCREENING = {("POST", "/match/{dataset}"), ("GET", "/search"), ("GET", "/lists")}
#: Reads that need a key even when anonymous viewers are allowed.
KEY_READ_PREFIXES = ("/alerts", "/customers", "/allowlist", "/audit")


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # the route's template, e.g. /alerts/{alert_id}
    url: str  # with its path parameters filled in
    has_body: bool

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    def least_role(self) -> str | None:
        if self.key in PUBLIC:
            return None
        if self.key in ADMIN_ONLY:
            return "admin"
        if self.method == "GET" or self.key in VIEWER_WRITES:
            return "viewer"
        return "reviewer"

    def anonymous_viewer_may(self) -> bool:
        return self.least_role() == "viewer" and not self.path.startswith(KEY_READ_PREFIXES)


def _fill(route: APIRoute) -> str:
    url = route.path
    for param in route.dependant.path_params:
        annotation = param.field_info.annotation
        url = url.replace("{" + param.name + "}", "1" if annotation is int else "x")
    return re.sub(r"\{[^}]+\}", "x", url)


def all_routes(app: Any) -> list[Any]:
    """The app's routes with their full paths, routers included (FastAPI >= 0.16x nests them lazily)."""
    from fastapi import routing

    flatten = getattr(routing, "_iter_included_route_candidates", None)
    return list(flatten(app.routes)) if flatten is not None else list(app.routes)


def api_endpoints(api: SecureApi) -> list[Endpoint]:
    """Every JSON API endpoint of the app (the web UI under /ui has its own test below)."""
    found = []
    for route in all_routes(api.app):
        if not isinstance(route, APIRoute) or route.path.startswith("/ui"):
            continue
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            found.append(Endpoint(method, route.path, _fill(route), route.dependant.body_params != []))
    assert len(found) >= 20, "the route table looks empty"
    return found


def _call(api: SecureApi, endpoint: Endpoint, role: str | None, body: Any = None, **headers: str) -> Any:
    return api.client.request(
        endpoint.method, endpoint.url, json=body, headers={**api.headers(role), **headers}
    )


@pytest.fixture
def api(make_secure_api: Callable[..., SecureApi]) -> SecureApi:
    return make_secure_api(rate_limit=1_000_000)


def test_the_matrix_covers_every_route_of_the_app(api: SecureApi) -> None:
    endpoints = {e.key for e in api_endpoints(api)}
    for special in PUBLIC | VIEWER_WRITES | ADMIN_ONLY:
        assert special in endpoints, f"{special} is in the policy tables but no longer in the app"
    # Everything the app serves is either an API endpoint, a docs page, the UI or static files.
    for route in all_routes(api.app):
        path = getattr(route, "path", "")
        assert isinstance(route, APIRoute) or path in DOCS or path.startswith("/ui"), path


def test_anonymous_and_invalid_keys_get_401_everywhere_but_health(api: SecureApi) -> None:
    checked = 0
    for endpoint in api_endpoints(api):
        body = {} if endpoint.has_body else None
        for headers in ({}, {"Authorization": "Bearer vgl_not_a_key"}, {"X-API-Key": "x" * 64}):
            response = _call(api, endpoint, None, body, **headers)
            where = f"{endpoint.method} {endpoint.url} {list(headers)}"
            if endpoint.least_role() is None:
                assert response.status_code == 200 or headers, where
                continue
            assert response.status_code == 401, f"{where}: {response.status_code} {response.text[:200]}"
            assert response.json()["error"] == "Unauthorized", where
            checked += 1
    assert checked >= 60


@pytest.mark.slow
def test_each_role_gets_403_above_its_rank_and_passes_at_or_above(api: SecureApi) -> None:
    for endpoint in api_endpoints(api):
        needed = endpoint.least_role()
        if needed is None:
            continue
        for role in ("viewer", "reviewer", "admin"):
            where = f"{role} {endpoint.method} {endpoint.url}"
            if ROLES.index(role) < ROLES.index(needed):  # type: ignore[arg-type]
                response = _call(api, endpoint, role, {} if endpoint.has_body else None)
                assert response.status_code == 403, f"{where}: {response.status_code} {response.text[:200]}"
                assert response.json()["error"] == "Forbidden", where
            elif role == needed or endpoint.method != "GET":  # higher roles on reads: same code path
                # A body that fails validation: auth passed if the answer is not 401/403,
                # and nothing (a list download, a deletion...) is actually done.
                body = "not an object" if endpoint.has_body else None
                response = _call(api, endpoint, role, body)
                assert response.status_code not in (401, 403), f"{where}: {response.status_code}"
                assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"


@pytest.mark.slow
def test_anonymous_viewers_never_read_alerts_customers_or_audit(
    make_secure_api: Callable[..., SecureApi],
) -> None:
    api = make_secure_api(allow_anonymous="viewer", rate_limit=1_000_000)
    for endpoint in api_endpoints(api):
        if endpoint.least_role() is None:
            continue
        body = ("not an object" if endpoint.has_body else None) if endpoint.anonymous_viewer_may() else {}
        response = _call(api, endpoint, None, body)
        where = f"anonymous {endpoint.method} {endpoint.url}: {response.status_code}"
        if endpoint.key in ANONYMOUS_SCREENING:
            assert response.status_code not in (401, 403), where
        elif not endpoint.anonymous_viewer_may():
            assert response.status_code in (401, 403), where
        # Other reads may admit anonymous viewers or (stricter) ask for a key: both are safe.


def test_writes_leave_nothing_behind_when_refused(api: SecureApi) -> None:
    before = (api.store.audit_head(), api.store.count_alerts(), len(api.store.versions()))
    for endpoint in api_endpoints(api):
        if endpoint.method != "GET" and endpoint.least_role() != "viewer":
            _call(api, endpoint, None, {})
            _call(api, endpoint, "viewer", {})
    assert (api.store.audit_head(), api.store.count_alerts(), len(api.store.versions())) == before


# ---------------------------------------------------------------- web UI


def ui_routes(api: SecureApi) -> Iterator[tuple[str, str]]:
    for route in all_routes(api.app):
        path = getattr(route, "path", "")
        if not path.startswith("/ui") or not isinstance(route, Route | APIRoute):
            continue
        for method in sorted((route.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, path


UI_PUBLIC = {
    ("GET", "/ui/login"),
    ("POST", "/ui/login"),
    ("POST", "/ui/logout"),
    ("GET", "/ui"),
    ("GET", "/ui/"),
}


def test_every_ui_page_and_form_needs_a_session(api: SecureApi) -> None:
    checked = 0
    for method, path in ui_routes(api):
        if (method, path) in UI_PUBLIC or path.startswith("/ui/static"):
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        form = {"data": {"csrf": "x"}, "files": {"file": ("c.csv", b"name\nx\n")}} if method == "POST" else {}
        response = api.client.request(method, url, follow_redirects=False, **form)  # type: ignore[arg-type]
        where = f"{method} {url}: {response.status_code}"
        # 422: the form was refused before the handler (and its session check) ran at all.
        assert response.status_code in (303, 307, 401, 403, 422), where
        if response.status_code in (303, 307):
            assert response.headers["location"].startswith("/ui/login"), where
        checked += 1
    assert checked >= 10


def _ui_login(api: SecureApi, role: str) -> str:
    response = api.client.post("/ui/login", data={"key": api.keys[role]}, follow_redirects=False)
    assert response.status_code == 303
    cookie = response.cookies.get("vigil_session") or next(iter(response.cookies.values()))
    api.client.cookies.clear()
    return str(cookie)


#: UI forms above the viewer role (their API twins are in the policy above).
UI_FORMS = {
    "/ui/alerts/{alert_id}": "reviewer",
    "/ui/alerts/{alert_id}/allow": "reviewer",
    "/ui/allowlist/{allow_id}/revoke": "reviewer",
    "/ui/lists/update": "admin",
}


def test_ui_forms_refuse_roles_below_theirs_even_with_a_valid_csrf_token(api: SecureApi) -> None:
    from vigil.web.session import COOKIE

    routes = set(ui_routes(api))
    signer = api.app.state.vigil_ui_signer
    for role in ("viewer", "reviewer"):
        cookie = _ui_login(api, role)
        api.client.cookies.set(COOKIE, cookie)
        for path, needed in UI_FORMS.items():
            assert ("POST", path) in routes, path
            url = re.sub(r"\{[^}]+\}", "1", path)
            allowed = ROLES.index(role) >= ROLES.index(needed)  # type: ignore[arg-type]
            if allowed and needed == "admin":
                continue  # would download the lists
            response = api.client.post(
                url,
                data={"csrf": signer.csrf(cookie), "decision": "false_positive", "reason": "x"},
                follow_redirects=False,
            )
            where = f"{role} POST {url}: {response.status_code}"
            # The control: the same token passes for a role high enough, so a 403 is the role check.
            assert (response.status_code != 403) if allowed else (response.status_code == 403), where
        api.client.cookies.clear()


# ---------------------------------------------------------------- limits


def test_every_endpoint_with_a_body_refuses_an_oversized_one(
    make_secure_api: Callable[..., SecureApi],
) -> None:
    api = make_secure_api(max_request_bytes=4_096, rate_limit=1_000_000)
    big = {"padding": "x" * 10_000}
    posts = [e for e in api_endpoints(api) if e.has_body]
    assert posts
    for endpoint in posts:
        for role in (None, "admin"):
            response = _call(api, endpoint, role, big)
            assert response.status_code == 413, f"{endpoint.method} {endpoint.url} as {role}"
    login = api.client.post("/ui/login", data={"key": "x" * 10_000}, follow_redirects=False)
    assert login.status_code == 413


def test_guessing_keys_is_rate_limited_per_client(make_secure_api: Callable[..., SecureApi]) -> None:
    api = make_secure_api(rate_limit=5)
    statuses = [
        api.client.get("/lists", headers={"Authorization": f"Bearer vgl_guess_{i}"}).status_code
        for i in range(8)
    ]
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429] * 3
    # UI logins with wrong keys share the same per-address budget.
    assert api.client.post("/ui/login", data={"key": "vgl_guess"}, follow_redirects=False).status_code == 429


def test_anonymous_requests_are_rate_limited(make_secure_api: Callable[..., SecureApi]) -> None:
    api = make_secure_api(rate_limit=4, allow_anonymous="viewer")
    statuses = [api.client.get("/lists").status_code for _ in range(6)]
    assert statuses == [200] * 4 + [429] * 2


# ---------------------------------------------------------------- secrets in logs


def test_no_key_cookie_or_signing_secret_in_logs_or_error_bodies(
    make_secure_api: Callable[..., SecureApi], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api = make_secure_api(rate_limit=1_000_000)
    created = api.store.create_key("late-key", "reviewer")
    secrets = [*api.keys.values(), created.plain]
    bodies: list[str] = []
    for key in secrets:
        bodies.append(api.client.get("/lists", headers={"Authorization": f"Bearer {key}"}).text)
        bodies.append(api.client.get("/audit/verify", headers={"X-API-Key": key}).text)
    wrong = api.keys["admin"][:-4] + "zzzz"  # a near miss must not be echoed either
    bodies.append(api.client.get("/lists", headers={"Authorization": f"Bearer {wrong}"}).text)
    bodies.append(api.client.get(f"/lists?api_key={api.keys['viewer']}").text)
    cookie = _ui_login(api, "reviewer")
    api.client.cookies.set("vigil_session", cookie)
    bodies.append(api.client.get("/ui/screen").text)
    api.client.cookies.clear()
    bodies.append(api.client.post("/ui/login", data={"key": wrong}).text)
    api.store.revoke_key(created.key.id)
    bodies.append(api.client.get("/lists", headers={"Authorization": f"Bearer {created.plain}"}).text)

    from vigil.web.session import load_secret

    signing = load_secret(api.settings.home)
    # Records of the server side (the test's own HTTP client, httpx, logs its URLs: not the server).
    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    logged = "\n".join(f"{r.getMessage()} {r.__dict__} {r.exc_text or ''}" for r in server)
    assert "login" in logged or "request" in logged, "nothing was logged: the test would prove nothing"
    for secret in [*secrets, wrong, cookie]:
        assert secret not in logged, "a key or session cookie was logged"
    assert signing.hex() not in logged and repr(signing) not in logged
    for body in bodies:
        for secret in [*secrets, wrong]:
            assert secret not in body, "a key was echoed in a response"


def test_huge_numbers_in_paths_and_queries_are_client_errors(api: SecureApi) -> None:
    """Found by schemathesis: ``GET /alerts/9223372036854775808`` overflowed SQLite's integer and
    ``GET /customers?offset=21392200511920820224`` overflowed ``islice`` (both were 500s).

    Each integer path or query parameter of every endpoint gets a number past 64 bits, one at a
    time (the others left valid, so the huge one reaches the handler).
    """
    huge = str(2**63 + 12345)
    assert api.client.get(f"/alerts/{huge}", headers=api.headers("viewer")).status_code == 422
    assert api.client.get(f"/customers?offset={huge}", headers=api.headers("viewer")).status_code == 200
    checked = 0
    for route in all_routes(api.app):
        if not isinstance(route, APIRoute) or route.path.startswith("/ui"):
            continue
        ints = [p.name for p in route.dependant.path_params if p.field_info.annotation is int]
        queries = [
            p.name for p in route.dependant.query_params if p.field_info.annotation in (int, int | None)
        ]
        for method in route.methods - {"HEAD", "OPTIONS"}:
            if (method, route.path) in NETWORK_ENDPOINTS:
                continue
            body = "not an object" if route.dependant.body_params else None
            for where, name in [("path", n) for n in ints] + [("query", n) for n in queries]:
                url = route.path.replace("{" + name + "}", huge) if where == "path" else route.path
                url = re.sub(r"\{[^}]+\}", "1", url)
                params = {name: huge} if where == "query" else {}
                response = api.client.request(
                    method, url, params=params, json=body, headers=api.headers("admin")
                )
                assert response.status_code < 500, (
                    f"{method} {url} {params}: {response.status_code} {response.text}"
                )
                checked += 1
    assert checked >= 5


NETWORK_ENDPOINTS = {("POST", "/lists/update")}
