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

The alert workflow (migration 2, used by :mod:`vigil.store.workflow`):

- ``customer``: the screened customer base (soft-deleted, never removed);
- ``screening_run``: one screening (single, batch, rescreen, monitor) with its
  parameters and the list versions it ran against;
- ``alert``: a hit under review, with the list versions it was raised against and a
  ``row_version`` for optimistic concurrency;
- ``disposition``: every reviewer decision on an alert;
- ``allowlist``: (customer, listed group) pairs cleared, bound to the listed party's
  content hash, with expiry and revocation;
- ``audit_log``: the hash-chained record of every change (``"at"`` is quoted: a
  reserved word in DuckDB).

API keys (migration 3, used by :mod:`vigil.store.keys`):

- ``api_key``: keys of the REST API with their role; only the sha256 of a key is
  stored, never the key itself. Keys are revoked, never deleted.

Workflow tables carry no foreign keys: rows they would reference get updated, which
DuckDB's foreign keys do not allow; the workflow checks references itself.
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


_WORKFLOW_TABLES = (
    """CREATE TABLE customer (
        id {key} PRIMARY KEY,
        name TEXT NOT NULL,
        schema TEXT,
        dob TEXT,
        country TEXT,
        identifiers TEXT NOT NULL,
        data TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE screening_run (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('single', 'batch', 'rescreen', 'monitor')),
        started_at TEXT NOT NULL,
        finished_at TEXT,
        actor TEXT NOT NULL,
        params TEXT NOT NULL,
        list_versions TEXT NOT NULL,
        counts TEXT
    )""",
    """CREATE TABLE alert (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL,
        customer_id {key},
        query TEXT NOT NULL,
        party_id {key} NOT NULL,
        group_id {key} NOT NULL,
        score DOUBLE PRECISION NOT NULL,
        explanation TEXT NOT NULL,
        list_versions TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('name', 'exposure', 'crypto')),
        status TEXT NOT NULL CHECK (status IN ('open', 'pending_confirmation', 'closed_true_match',
            'closed_false_positive', 'escalated', 'delisted', 'allowlisted')),
        status_reason TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        row_version INTEGER NOT NULL
    )""",
    "CREATE INDEX alert_subject ON alert (customer_id, group_id, kind)",
    "CREATE INDEX alert_group ON alert (group_id)",
    "CREATE INDEX alert_run ON alert (run_id)",
    "CREATE INDEX alert_status ON alert (status)",
    """CREATE TABLE disposition (
        id INTEGER PRIMARY KEY,
        alert_id INTEGER NOT NULL,
        decision TEXT NOT NULL CHECK (decision IN ('true_match', 'false_positive', 'escalate',
            'confirm', 'reject')),
        reason TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX disposition_alert ON disposition (alert_id)",
    """CREATE TABLE allowlist (
        id INTEGER PRIMARY KEY,
        customer_id {key} NOT NULL,
        group_id {key} NOT NULL,
        party_hash TEXT NOT NULL,
        reason TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT,
        revoked_reason TEXT
    )""",
    "CREATE INDEX allowlist_subject ON allowlist (customer_id, group_id)",
    "CREATE INDEX allowlist_group ON allowlist (group_id)",
    """CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        "at" TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        payload TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )""",
    "CREATE INDEX audit_log_action ON audit_log (action)",
    "CREATE INDEX audit_log_subject ON audit_log (subject)",
)

# At most one active alert per (customer, listed group, kind), enforced by the database
# where it has partial indexes (DuckDB has none: the workflow's writer lock keeps it there).
_ONE_ACTIVE_ALERT = (
    "CREATE UNIQUE INDEX alert_one_active ON alert (customer_id, group_id, kind) "
    "WHERE status IN ('open', 'pending_confirmation', 'escalated')"
)

MIGRATIONS += (
    Migration(
        number=2,
        name="alert workflow",
        steps=(*_WORKFLOW_TABLES, _ONE_ACTIVE_ALERT),
        dialect_steps={"duckdb": _WORKFLOW_TABLES},
    ),
)

MIGRATIONS += (
    Migration(
        number=3,
        name="api keys",
        steps=(
            """CREATE TABLE api_key (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('viewer', 'reviewer', 'admin')),
                key_hash {key} NOT NULL UNIQUE,
                created_at TEXT NOT NULL,
                revoked_at TEXT
            )""",
        ),
    ),
)


def steps_for(migration: Migration, dialect: str) -> list[str]:
    """The SQL statements of ``migration`` for ``dialect``, tokens filled in."""
    steps = migration.dialect_steps.get(dialect, migration.steps)
    tokens = DIALECT_TOKENS[dialect]
    return [step.format_map(tokens) for step in steps]
