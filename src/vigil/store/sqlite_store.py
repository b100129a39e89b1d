"""The embedded SQLite backend: the default store, one file under ``VIGIL_HOME``.

The file runs in WAL mode with ``synchronous=FULL``: a committed import survives a
power cut, and readers keep reading the previous state while an import writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from vigil.errors import StoreError
from vigil.store.base import Store
from vigil.store.urls import file_path

__all__ = ["SQLiteStore"]

#: Seconds a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT = 60.0


class SQLiteStore(Store):
    """A store in one SQLite file (``":memory:"`` for a throwaway one)."""

    dialect: ClassVar[str] = "sqlite"
    db_errors: ClassVar[tuple[type[BaseException], ...]] = (sqlite3.Error,)

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            # isolation_level=None: no implicit transactions; _begin() opens them explicitly.
            self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
            mode = self._conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite store {self.path}: {exc}") from exc
        if self.path != ":memory:" and str(mode).lower() != "wal":
            raise StoreError(f"cannot put SQLite store {self.path} in WAL mode (got {mode!r})")
        super().__init__()

    @classmethod
    def from_url(cls, url: str) -> SQLiteStore:
        """Open ``sqlite:///relative/path``, ``sqlite:////absolute/path`` or ``sqlite://`` (memory)."""
        return cls(file_path(url))

    def _table_exists(self, name: str) -> bool:
        rows = self._query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return bool(rows[0][0])

    def _execute(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        return self._conn.execute(sql, params).fetchall()

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._conn.executemany(sql, rows)

    def _begin(self) -> None:
        # IMMEDIATE takes the write lock now, so the content-hash check and the
        # version number computed next cannot race another writer.
        self._conn.execute("BEGIN IMMEDIATE")

    def _commit(self) -> None:
        self._conn.execute("COMMIT")

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def _close(self) -> None:
        self._conn.close()
