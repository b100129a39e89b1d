"""The alert endpoints over PostgreSQL: the same API, a store passed in, a fresh schema dropped after."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import RI_WON_HO, UN_FILE, issue_keys
from vigil.api import create_app
from vigil.lists.importing import import_files
from vigil.settings import Settings
from vigil.store import open_store
from vigil.store.base import Store

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_store(shared_data: Path) -> Iterator[Store]:
    import psycopg
    from psycopg import sql

    base = os.environ.get("VIGIL_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    try:
        admin = psycopg.connect(base, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("VIGIL_TEST_POSTGRES_URL"):
            pytest.fail(f"PostgreSQL at VIGIL_TEST_POSTGRES_URL is unreachable: {exc}")
        pytest.skip(f"no PostgreSQL server at {base}: {exc}")
    schema = f"vigil_api_{uuid.uuid4().hex[:12]}"
    try:
        with open_store(f"{base}{'&' if '?' in base else '?'}schema={schema}") as store:
            import_files(store, "un_sc", [shared_data / UN_FILE])
            yield store
    finally:
        admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        admin.close()


def test_alert_endpoints_over_postgres(postgres_store: Store, tmp_path: Path) -> None:
    keys = issue_keys(postgres_store)
    settings = Settings(home=tmp_path, database_url="postgresql://unused")
    app = create_app(settings, store=postgres_store)
    alice = {"Authorization": f"Bearer {keys['alice']}"}
    bob = {"X-API-Key": keys["bob"]}
    with TestClient(app) as client:
        loaded = client.post(
            "/customers", json=[{"id": "C-002", "name": "Ri Won Ho", "schema": "Person"}], headers=alice
        ).json()
        [alert_id] = loaded["alerts_created"]
        page = client.get("/alerts", params={"status": "open", "source": "un_sc"}, headers=bob).json()
        assert page["total"] == 1 and page["alerts"][0]["party_id"] == RI_WON_HO

        decide = {"decision": "true_match", "reason": "same passport", "expected_row_version": 1}
        assert client.post(f"/alerts/{alert_id}/dispositions", json=decide, headers=alice).status_code == 200
        stale = client.post(f"/alerts/{alert_id}/dispositions", json=decide, headers=bob)
        assert stale.status_code == 409
        confirm = {"decision": "confirm", "reason": "checked", "expected_row_version": 2}
        closed = client.post(f"/alerts/{alert_id}/dispositions", json=confirm, headers=bob).json()
        assert closed["status"] == "closed_true_match"
        assert client.get(f"/alerts/{alert_id}", headers=bob).json()["row_version"] == 3
        assert client.get("/audit/verify", headers=bob).json()["ok"] is True
    # The store passed in stays open: it is the caller's.
    assert postgres_store.get_alert(alert_id).status == "closed_true_match"
