"""open_store: URL schemes, lazy optional drivers, defaults."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from vigil.errors import ConfigurationError
from vigil.store import SQLiteStore, open_store
from vigil.store.postgres_store import split_schema
from vigil.store.urls import file_path


def test_importing_the_store_does_not_import_optional_drivers() -> None:
    code = "import sys, vigil.store; print(sorted({'duckdb', 'psycopg', 'pyarrow'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:////abs/dir/v.sqlite3", "/abs/dir/v.sqlite3"),
        ("sqlite:///rel/v.sqlite3", "rel/v.sqlite3"),
        ("sqlite://", ":memory:"),
        ("sqlite:///:memory:", ":memory:"),
        ("duckdb:////a%20b/v.duckdb", "/a b/v.duckdb"),
    ],
)
def test_file_urls(url: str, path: str) -> None:
    assert file_path(url) == path


def test_home_is_expanded() -> None:
    assert file_path("sqlite:///~/v.sqlite3") == str(Path.home() / "v.sqlite3")


@pytest.mark.parametrize("url", ["sqlite:/x", "sqlite:x", "sqlite://host/x", "sqlite:///x?mode=ro"])
def test_bad_file_urls(url: str) -> None:
    with pytest.raises(ConfigurationError):
        open_store(url)


def test_unknown_scheme() -> None:
    with pytest.raises(ConfigurationError, match="unknown store URL scheme"):
        open_store("mysql://localhost/x")


def test_postgres_schema_parameter() -> None:
    assert split_schema("postgresql://u@h:5432/db?schema=s1&sslmode=disable") == (
        "postgresql://u@h:5432/db?sslmode=disable",
        "s1",
    )
    assert split_schema("postgresql://u@h/db") == ("postgresql://u@h/db", None)


def test_default_url_comes_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIL_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("VIGIL_DATABASE_URL", raising=False)
    with open_store() as store:
        assert isinstance(store, SQLiteStore)
        assert store.path == str(tmp_path / "home" / "vigil.sqlite3")
    assert (tmp_path / "home" / "vigil.sqlite3").exists()


def test_memory_store_works() -> None:
    with open_store("sqlite://") as store:
        assert store.versions() == []


def test_sqlite_runs_in_wal_with_full_sync(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'v.sqlite3'}") as store:
        assert store._query("PRAGMA journal_mode") == [("wal",)]
        assert store._query("PRAGMA synchronous") == [(2,)]  # FULL
        assert store._query("PRAGMA foreign_keys") == [(1,)]
