"""The store's schema, as numbered migrations applied in order when a store opens.

A migration is a list of SQL statements. Statements may use ``{tokens}`` that each
dialect fills in (:data:`DIALECT_TOKENS`), and a migration may replace its statements
for one dialect outright (``Migration.dialect_steps``) where the SQL differs more
than a token can express. Never edit a migration that has shipped: append a new one.

Tables:

- ``list_version``: one imported version of one list (a row per import);
- ``party_blob``: every distinct serialised party, keyed by the sha256 of its
  canonical JSON, so a party unchanged between versions is stored once;
- ``version_party``: which parties (by blob) a version holds, with the columns
  queries filter on and the party's cross-list grouping keys;
- ``party_group``: cross-list group of every party of the current versions,
  rebuilt in the transaction of each import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["DIALECT_TOKENS", "MIGRATIONS", "Migration", "steps_for"]


@dataclass(frozen=True, kw_only=True)
class Migration:
    """One schema step: ``number`` is its position (1, 2, ...), never reused."""

    number: int
    name: str
    steps: tuple[str, ...]
    dialect_steps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


#: Per-dialect fill-ins for ``{tokens}`` in migration SQL.
DIALECT_TOKENS: Mapping[str, Mapping[str, str]] = {
    # WITHOUT ROWID stores a text-keyed table once, in its primary key b-tree.
    "sqlite": {"key": "TEXT", "without_rowid": " WITHOUT ROWID"},
    # Bytewise collation: the same order as SQLite and DuckDB, and cheaper comparisons.
    "postgresql": {"key": 'TEXT COLLATE "C"', "without_rowid": ""},
    "duckdb": {"key": "TEXT", "without_rowid": ""},
}

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        number=1,
        name="versioned list store",
        steps=(
            """CREATE TABLE list_version (
                id INTEGER PRIMARY KEY,
                source {key} NOT NULL,
                published TEXT,
                fetched_at TEXT NOT NULL,
                imported_at TEXT NOT NULL,
                origin TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                counts TEXT NOT NULL,
                party_count INTEGER NOT NULL,
                UNIQUE (source, content_hash)
            )""",
            """CREATE TABLE party_blob (
                hash {key} PRIMARY KEY,
                data TEXT NOT NULL
            ){without_rowid}""",
            """CREATE TABLE version_party (
                version_id INTEGER NOT NULL REFERENCES list_version (id),
                party_id {key} NOT NULL,
                blob_hash {key} NOT NULL REFERENCES party_blob (hash),
                schema TEXT NOT NULL,
                primary_name TEXT NOT NULL,
                group_keys TEXT NOT NULL,
                PRIMARY KEY (version_id, party_id)
            ){without_rowid}""",
            "CREATE INDEX version_party_party_id ON version_party (party_id)",
            # No unique key: the table is emptied and refilled inside one transaction,
            # which DuckDB's eager unique checks would reject.
            """CREATE TABLE party_group (
                party_id {key} NOT NULL,
                group_id {key} NOT NULL
            )""",
            "CREATE INDEX party_group_party_id ON party_group (party_id)",
            "CREATE INDEX party_group_group_id ON party_group (group_id)",
        ),
    ),
)


def steps_for(migration: Migration, dialect: str) -> list[str]:
    """The SQL statements of ``migration`` for ``dialect``, tokens filled in."""
    steps = migration.dialect_steps.get(dialect, migration.steps)
    tokens = DIALECT_TOKENS[dialect]
    return [step.format_map(tokens) for step in steps]
