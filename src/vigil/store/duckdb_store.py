"""The DuckDB backend: an embedded analytical database file.

A DuckDB file can be opened for writing by one process at a time. Bulk inserts go
through Arrow tables, DuckDB's fast path (its ``executemany`` runs row by row).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import duckdb
import pyarrow as pa

from vigil.errors import StoreError
from vigil.store.base import Store
from vigil.store.urls import file_path

__all__ = ["DuckDBStore"]


class DuckDBStore(Store):
    """A store in one DuckDB file (``":memory:"`` for a throwaway one)."""

    dialect: ClassVar[str] = "duckdb"
    db_errors: ClassVar[tuple[type[BaseException], ...]] = (duckdb.Error,)

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = duckdb.connect(self.path)
        except duckdb.Error as exc:
            raise StoreError(f"cannot open DuckDB store {self.path}: {exc}") from exc
        super().__init__()

    @classmethod
    def from_url(cls, url: str) -> DuckDBStore:
        """Open ``duckdb:///relative/path``, ``duckdb:////absolute/path`` or ``duckdb://`` (memory)."""
        return cls(file_path(url))

    def _execute(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        # DML returns its row count as a row; the workflow never reads results of DML.
        rows: list[tuple[Any, ...]] = self._conn.execute(sql, list(params)).fetchall()
        return rows

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._conn.executemany(sql, [list(row) for row in rows])

    def _bulk_insert(
        self,
        table: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        conflict: str | None = None,
    ) -> None:
        if not rows:
            return
        data = pa.table({name: [row[i] for row in rows] for i, name in enumerate(columns)})
        names = ", ".join(columns)
        sql = f"INSERT INTO {table} ({names}) SELECT {names} FROM _vigil_rows"
        if conflict is not None:
            sql += f" ON CONFLICT ({conflict}) DO NOTHING"
        try:
            self._conn.register("_vigil_rows", data)
            try:
                self._conn.execute(sql)
            finally:
                self._conn.unregister("_vigil_rows")
        except duckdb.Error as exc:
            raise StoreError(f"duckdb store: {exc}") from exc

    def _begin(self) -> None:
        self._conn.execute("BEGIN TRANSACTION")

    def _commit(self) -> None:
        self._conn.execute("COMMIT")

    def _rollback(self) -> None:
        self._conn.execute("ROLLBACK")

    def _close(self) -> None:
        self._conn.close()
