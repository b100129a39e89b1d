"""The committed OpenAPI schema is the app's: regenerate it when the API changes.

python -m vigil.api.openapi > docs/openapi.json
"""

from __future__ import annotations

import json

import vigil.api
from tests.conftest import REPO_ROOT
from vigil.api.openapi import openapi_schema, render

COMMITTED = REPO_ROOT / "docs" / "openapi.json"


def test_committed_schema_matches_the_app() -> None:
    assert COMMITTED.is_file(), (
        "docs/openapi.json is missing: python -m vigil.api.openapi > docs/openapi.json"
    )
    committed = COMMITTED.read_text(encoding="utf-8")
    current = render(openapi_schema())
    assert json.loads(committed) == json.loads(current), (
        "docs/openapi.json is out of date: python -m vigil.api.openapi > docs/openapi.json"
    )
    assert committed == current, "docs/openapi.json is not in its generated form; regenerate it"


def test_schema_documents_every_endpoint_and_both_key_headers() -> None:
    schema = openapi_schema()
    operations = {(method.upper(), path) for path, item in schema["paths"].items() for method in item}
    assert operations == {
        ("GET", "/health"),
        ("GET", "/version"),
        ("POST", "/match/{dataset}"),
        ("GET", "/search"),
        ("GET", "/entities/{party_id}"),
        ("POST", "/crypto/screen"),
        ("GET", "/lists"),
        ("GET", "/lists/{source}/versions"),
        ("GET", "/lists/{source}/diff"),
        ("POST", "/lists/update"),
        ("GET", "/alerts"),
        ("GET", "/alerts/{alert_id}"),
        ("POST", "/alerts/{alert_id}/dispositions"),
        ("GET", "/allowlist"),
        ("POST", "/allowlist"),
        ("DELETE", "/allowlist/{allow_id}"),
        ("GET", "/customers"),
        ("POST", "/customers"),
        ("GET", "/customers/{customer_id}"),
        ("DELETE", "/customers/{customer_id}"),
        ("GET", "/audit"),
        ("GET", "/audit/verify"),
        ("GET", "/monitor/scorecard"),
        ("GET", "/monitor/timeline"),
        ("GET", "/monitor/export"),
        ("GET", "/graph/paths"),
        ("GET", "/graph/neighbours"),
        ("GET", "/graph/search"),
        ("GET", "/graph/clusters"),
        ("POST", "/graph/ownership"),
        ("GET", "/vessels"),
        ("GET", "/vessels/{key}"),
        ("GET", "/vessels/{key}/track"),
        ("GET", "/ais/events"),
        ("POST", "/ais/detect"),
    }
    assert set(schema["components"]["securitySchemes"]) == {"HTTPBearer", "APIKeyHeader"}
    assert "security" not in schema["paths"]["/health"]["get"]


def test_public_surface() -> None:
    assert vigil.api.__all__ == ["create_app"]
