"""Fixtures of the security tests: an API app over a real SQLite store of the bundled snapshot.

Importing :mod:`tests.security.fuzzing` registers the hypothesis profiles (``vigil-fuzz-ci``,
``vigil-fuzz-nightly``); fuzz tests apply them per test, so other folders keep their own
settings. The store holds the bundled UN list (``VIGIL_FUZZ=nightly``: the whole bundled
snapshot, UN + OFAC + UK, about a minute to import), copied per test.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.security import fuzzing
from vigil.api import create_app
from vigil.lists.importing import import_files
from vigil.lists.snapshot import snapshot_dir, snapshot_manifest
from vigil.settings import Settings
from vigil.store import open_store
from vigil.store.base import Store

ROLES_KEYS = {"admin": "admin", "reviewer": "reviewer", "viewer": "viewer"}


@pytest.fixture(scope="session")
def snapshot_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store holding the bundled snapshot (only its UN list outside nightly runs)."""
    path = tmp_path_factory.mktemp("security-store") / "vigil.sqlite3"
    with open_store(f"sqlite:///{path}") as store:
        for entry in snapshot_manifest():
            if entry.source != "un_sc" and not fuzzing.NIGHTLY:
                continue
            files = {role: snapshot_dir() / name for role, name in entry.files.items()}
            import_files(store, entry.source, files, origin=f"bundled snapshot: {entry.origin}")
    return path


@dataclass
class SecureApi:
    """An app over its own copy of the snapshot store, a client, and one key per role."""

    app: FastAPI
    client: TestClient
    store: Store
    keys: dict[str, str]
    settings: Settings

    def headers(self, role: str | None) -> dict[str, str]:
        return {} if role is None else {"Authorization": f"Bearer {self.keys[role]}"}


@pytest.fixture(scope="session")
def shared_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One VIGIL_HOME for every app of the session: the match index is built once and cached there."""
    return tmp_path_factory.mktemp("security-home")


@pytest.fixture
def make_secure_api(
    snapshot_template: Path, shared_home: Path, tmp_path: Path
) -> Iterator[Callable[..., SecureApi]]:
    opened: list[SecureApi] = []
    entered_flags: list[bool] = []

    def make(*, enter: bool = True, **changes: Any) -> SecureApi:
        """A new app; ``enter=False`` leaves its lifespan to the caller (another client)."""
        path = tmp_path / f"vigil{len(opened)}.sqlite3"
        shutil.copy(snapshot_template, path)
        settings = replace(Settings(home=shared_home, database_url=f"sqlite:///{path}"), **changes)
        store = open_store(settings.database_url)
        keys = {role: store.create_key(f"sec-{role}", role).plain for role in ("admin", "reviewer", "viewer")}  # type: ignore[arg-type]
        app = create_app(settings)
        client = TestClient(app, raise_server_exceptions=False)
        if enter:
            client.__enter__()
        api = SecureApi(app=app, client=client, store=store, keys=keys, settings=settings)
        opened.append(api)
        entered_flags.append(enter)
        return api

    yield make
    for api, entered in zip(opened, entered_flags, strict=True):
        if entered:
            api.client.__exit__(None, None, None)
        api.store.close()
