"""The PostgreSQL backend (psycopg 3), for a shared server-side store.

The URL may carry ``?schema=name``: the store then lives in that schema (created if
missing), which lets several stores, or test runs, share one database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql as pgsql

from vigil.errors import StoreError
from vigil.store.base import Store

__all__ = ["PostgresStore", "split_schema"]


def split_schema(url: str) -> tuple[str, str | None]:
    """``url`` without its ``schema`` parameter, and that parameter (None if absent)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schemas = [value for key, value in query if key == "schema"]
    rest = [(key, value) for key, value in query if key != "schema"]
    return urlunsplit(parts._replace(query=urlencode(rest))), (schemas[-1] if schemas else None)


class PostgresStore(Store):
    """A store in a PostgreSQL database (in the schema the URL names, or the default one)."""

    dialect: ClassVar[str] = "postgresql"
    db_errors: ClassVar[tuple[type[BaseException], ...]] = (psycopg.Error,)

    def __init__(self, url: str) -> None:
        conninfo, self.schema = split_schema(url)
        try:
            # Autocommit: each read is its own snapshot; writes use explicit BEGIN/COMMIT.
            self._conn = psycopg.connect(conninfo, autocommit=True)
            if self.schema:
                name = pgsql.Identifier(self.schema)
                self._conn.execute(pgsql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(name))
                self._conn.execute(pgsql.SQL("SET search_path TO {}").format(name))
        except psycopg.Error as exc:
            raise StoreError(f"cannot open PostgreSQL store: {exc}") from exc
        self._sql_cache: dict[str, str] = {}
        super().__init__()

    @classmethod
    def from_url(cls, url: str) -> PostgresStore:
        """Open ``postgresql://user@host:port/db[?schema=name]`` (any libpq URL parameters)."""
        return cls(url)

    def _native(self, sql: str) -> str:
        # The portable SQL uses "?" and never a literal "?" or "%"; psycopg wants "%s".
        native = self._sql_cache.get(sql)
        if native is None:
            native = self._sql_cache[sql] = sql.replace("?", "%s")
        return native

    def _execute(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self._conn.cursor() as cursor:
            cursor.execute(self._native(sql), params)
            return cursor.fetchall() if cursor.description is not None else []

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._conn.cursor() as cursor:
            cursor.executemany(self._native(sql), rows)

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
        # COPY is PostgreSQL's bulk path, many times faster than INSERTs. COPY cannot
        # skip conflicts, so with a conflict key it fills a temporary table first.
        target = pgsql.Identifier(table)
        names = pgsql.SQL(", ").join(pgsql.Identifier(c) for c in columns)
        staging = pgsql.Identifier("_vigil_staging")
        try:
            with self._conn.cursor() as cursor:
                if conflict is not None:
                    cursor.execute(
                        pgsql.SQL("CREATE TEMPORARY TABLE {} (LIKE {}) ON COMMIT DROP").format(
                            staging, target
                        )
                    )
                into = staging if conflict is not None else target
                with cursor.copy(pgsql.SQL("COPY {} ({}) FROM STDIN").format(into, names)) as copy:
                    for row in rows:
                        copy.write_row(row)
                if conflict is not None:
                    cursor.execute(
                        pgsql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} ON CONFLICT ({}) DO NOTHING").format(
                            target, names, names, staging, pgsql.Identifier(conflict)
                        )
                    )
                    cursor.execute(pgsql.SQL("DROP TABLE {}").format(staging))
        except psycopg.Error as exc:
            raise StoreError(f"postgresql store: {exc}") from exc

    def _begin(self) -> None:
        self._conn.execute("BEGIN")
        # One writer per schema at a time: the content-hash check, the new version
        # number and the regrouping must not interleave with another import.
        self._conn.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()))")

    def _commit(self) -> None:
        self._conn.execute("COMMIT")

    def _rollback(self) -> None:
        self._conn.execute("ROLLBACK")

    def _close(self) -> None:
        self._conn.close()
