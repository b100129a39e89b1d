"""Fixtures of the reliability tests: a fresh store URL on SQLite and on PostgreSQL.

PostgreSQL uses ``VIGIL_TEST_POSTGRES_URL`` (default: the local test server) with a fresh
schema per test, dropped afterwards; skipped if the default server is unreachable, failed if
the variable is set and the server is not there (as in tests/store).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.store.conftest import DEFAULT_POSTGRES_URL, _with_param


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'vigil.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    base = os.environ.get("VIGIL_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    try:
        admin = psycopg.connect(base, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("VIGIL_TEST_POSTGRES_URL"):
            pytest.fail(f"PostgreSQL at VIGIL_TEST_POSTGRES_URL is unreachable: {exc}")
        pytest.skip(f"no PostgreSQL server at {base}: {exc}")
    schema = f"vigil_crash_{uuid.uuid4().hex[:12]}"
    try:
        yield _with_param(base, "schema", schema)
    finally:
        admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        admin.close()
