"""One parametrized store fixture: every store test runs on SQLite, DuckDB and PostgreSQL.

PostgreSQL tests use ``VIGIL_TEST_POSTGRES_URL`` (default: the local test server); each
test gets a fresh random schema, dropped afterwards. If that variable is unset and the
default server is unreachable, the PostgreSQL cases are skipped; if it is set, they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from vigil.store import Store, open_store

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("duckdb", id="duckdb"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def _postgres_base_url() -> str:
    return os.environ.get("VIGIL_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def _with_param(url: str, key: str, value: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{key}={value}"


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, empty store of each backend."""
    backend = request.param
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'vigil.sqlite3'}"
        return
    if backend == "duckdb":
        yield f"duckdb:///{tmp_path / 'vigil.duckdb'}"
        return

    import psycopg
    from psycopg import sql

    base = _postgres_base_url()
    try:
        admin = psycopg.connect(base, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("VIGIL_TEST_POSTGRES_URL"):
            pytest.fail(f"PostgreSQL at VIGIL_TEST_POSTGRES_URL is unreachable: {exc}")
        pytest.skip(f"no PostgreSQL server at {base}: {exc}")
    schema = f"vigil_test_{uuid.uuid4().hex[:12]}"
    try:
        yield _with_param(base, "schema", schema)
    finally:
        admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        admin.close()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A fresh store of each backend, closed after the test."""
    with open_store(store_url) as opened:
        yield opened
