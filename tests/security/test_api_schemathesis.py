"""Schemathesis over the app's own OpenAPI schema: generated requests never cause a server error.

The live schema is fuzzed (tests/api/test_openapi.py checks it equals the committed
docs/openapi.json), in-process against the ASGI app over a real SQLite store of the bundled
snapshot, as an admin (and, with ``VIGIL_FUZZ=nightly``, as a reviewer too); ``POST
/lists/update`` is left out: it would download the official lists. Every response must be
below 500, and the app must never raise instead of answering.

Examples per operation: 10 in CI, 1,000 with ``VIGIL_FUZZ=nightly``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.security.conftest import SecureApi
from tests.security.fuzzing import NIGHTLY

EXAMPLES = 1_000 if NIGHTLY else 10
#: Would reach the network (official list downloads): exercised for auth only, in test_api_auth.
NETWORK = {("POST", "/lists/update")}

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("role", ["admin", "reviewer"] if NIGHTLY else ["admin"])
def test_no_generated_request_causes_a_server_error(
    make_secure_api: Callable[..., SecureApi], role: str
) -> None:
    from schemathesis.python import asgi

    api = make_secure_api(enter=False, rate_limit=10_000_000)
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.app)
    failures: list[str] = []
    # One in-process client for the whole run: the app's lifespan (which owns the store
    # thread) starts once, as under a real server, instead of once per request.
    session = asgi.get_client(api.app).__enter__()
    try:
        operations = _fuzz_operations(schema, session, api.headers(role), failures)
    finally:
        session.__exit__(None, None, None)
    assert operations >= 20
    assert failures == [], "\n".join(failures[:10])


def _fuzz_operations(schema: Any, session: Any, headers: dict[str, str], failures: list[str]) -> int:
    """Send generated cases to every operation; return how many operations were fuzzed."""
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in NETWORK:
            continue
        operations += 1

        @settings(
            max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            where = f"{case.method} {case.formatted_path} body={case.body!r:.200} query={case.query!r:.200}"
            try:
                response = case.call(headers=headers, session=session, timeout=600)
            except Exception as exc:  # the app raised instead of answering: a 500 under a server
                failures.append(f"{where} -> {type(exc).__name__}: {exc}")
                return
            if response.status_code >= 500:
                failures.append(f"{where} -> {response.status_code}: {response.text[:300]}")

        run()
    return operations
