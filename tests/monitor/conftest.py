"""A store with the real UN consolidated list (2026-02-27) imported once per session, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vigil.lists.importing import import_files
from vigil.store import open_store

UN_FILE = Path("lists/un/2026-02-27/UN_consolidated.xml")


@pytest.fixture(scope="session")
def un_store_template(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    path = tmp_path_factory.mktemp("monitor-template") / "vigil.sqlite3"
    with open_store(f"sqlite:///{path}") as store:
        import_files(store, "un_sc", [shared_data / UN_FILE])
    return path


@pytest.fixture
def un_store_path(un_store_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "vigil.sqlite3"
    shutil.copy(un_store_template, path)
    return path
