"""The API over a real store: the UN consolidated list of 2026-02-27 and an EU excerpt.

The lists are imported once per session into a template SQLite file; each test gets its own
copy, its own keys and its own app (so no state leaks between tests).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from vigil.api import create_app
from vigil.lists.importing import import_files
from vigil.settings import Settings
from vigil.store import open_store
from vigil.store.base import Store

UN_FILE = Path("lists/un/2026-02-27/UN_consolidated.xml")
EU_FILE = Path("lists/eu/2024-12-11/export-excerpt.xml")
RI_WON_HO = "un_sc:KPi.033"


@dataclass
class Api:
    """A running app, a store connection of the test's own on the same file, and keys by role."""

    client: TestClient
    store: Store
    keys: dict[str, str]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}

    def get(self, who: str | None, url: str, **kwargs: Any) -> Any:
        headers = self.auth(who) if who is not None else {}
        return self.client.get(url, headers=headers, **kwargs)

    def post(self, who: str | None, url: str, **kwargs: Any) -> Any:
        headers = self.auth(who) if who is not None else {}
        return self.client.post(url, headers=headers, **kwargs)


@pytest.fixture(scope="session")
def template_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    path = tmp_path_factory.mktemp("api-template") / "vigil.sqlite3"
    with open_store(f"sqlite:///{path}") as store:
        import_files(store, "un_sc", [shared_data / UN_FILE])
        import_files(store, "eu_fsf", [shared_data / EU_FILE])
    return path


@pytest.fixture
def store_path(template_store: Path, tmp_path: Path) -> Path:
    path = tmp_path / "vigil.sqlite3"
    shutil.copy(template_store, path)
    return path


@pytest.fixture
def settings(store_path: Path, tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", database_url=f"sqlite:///{store_path}")


def issue_keys(store: Store) -> dict[str, str]:
    return {
        "admin": store.create_key("root", "admin").plain,
        "alice": store.create_key("alice", "reviewer").plain,
        "bob": store.create_key("bob", "reviewer").plain,
        "viewer": store.create_key("vera", "viewer").plain,
    }


@pytest.fixture
def make_api(settings: Settings) -> Iterator[Callable[..., Api]]:
    """Start an app over the test's store copy, with settings changed by keyword."""
    opened: list[tuple[TestClient, Store]] = []

    def make(**changes: Any) -> Api:
        store = open_store(settings.database_url)
        keys = issue_keys(store)
        client = TestClient(create_app(replace(settings, **changes)))
        client.__enter__()
        opened.append((client, store))
        return Api(client=client, store=store, keys=keys)

    yield make
    for client, store in opened:
        client.__exit__(None, None, None)
        store.close()


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    return make_api()
