"""The alert-review workflow, kept in the same store as the lists, on every backend.

:class:`WorkflowStore` is a mixin of :class:`~vigil.store.base.Store`: it is written
against the store's portable SQL hooks (``_query``, ``_write``, ``_bulk_insert``), so
SQLite, DuckDB and PostgreSQL all get it with no backend code. It holds:

- the **customer base** (:meth:`~WorkflowStore.upsert_customers`, soft deletes);
- **screening runs**, with their parameters and the list versions they used;
- **alerts**: at most one *active* alert (``open``, ``pending_confirmation`` or
  ``escalated``) per (customer, listed group, kind); raising again updates it;
- **dispositions**, with optimistic concurrency (``expected_row_version``) and an
  optional second reviewer (four eyes) for true matches;
- the **allowlist**: (customer, listed group) pairs cleared while the listed
  party's record keeps the content hash it had; entries expire and are revoked when
  the party changes;
- the **audit log**: every change above, and every list import, appends records in
  the same transaction as the change, each hash-chained to the one before.

The audit hash of a record is ``sha256(prev_hash + canonical_json)`` (hex), where
``canonical_json`` is the JSON object ``{"action", "actor", "at", "payload", "seq",
"subject"}`` with sorted keys, no spaces, non-ASCII kept (UTF-8). The first record's
``prev_hash`` is 64 zeros. Audit payloads carry ids, decisions and hashes, never a
customer's name or date of birth: the log cannot be edited, personal data must be
erasable. A chain proves nothing against someone who rewrites all of it: keep
:meth:`~WorkflowStore.audit_head` somewhere else (a report, a WORM store) and pass it
to :meth:`~WorkflowStore.audit_verify` as ``anchor``.

Timestamps are ISO 8601 UTC strings with microseconds (``2025-01-02T03:04:05.000006Z``),
so they sort as text.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal, get_args

from vigil.errors import ConflictError, InputError, NotFoundError, StoreError

if TYPE_CHECKING:
    from vigil.match.types import Explanation, Query

__all__ = [
    "ACTIVE_STATUSES",
    "GENESIS_HASH",
    "Alert",
    "AlertItem",
    "AlertKind",
    "AlertStatus",
    "AllowEntry",
    "AuditRecord",
    "AuditReport",
    "Customer",
    "Decision",
    "Disposition",
    "RaiseOutcome",
    "RaiseResult",
    "RunKind",
    "ScreeningRun",
    "UpsertResult",
    "WorkflowStore",
    "audit_hash",
]

RunKind = Literal["single", "batch", "rescreen", "monitor"]
AlertKind = Literal["name", "exposure", "crypto"]
AlertStatus = Literal[
    "open",
    "pending_confirmation",
    "closed_true_match",
    "closed_false_positive",
    "escalated",
    "delisted",
    "allowlisted",
]
Decision = Literal["true_match", "false_positive", "escalate", "confirm", "reject"]

RUN_KINDS: frozenset[str] = frozenset(get_args(RunKind))
ALERT_KINDS: frozenset[str] = frozenset(get_args(AlertKind))
ALERT_STATUSES: frozenset[str] = frozenset(get_args(AlertStatus))
DECISIONS: frozenset[str] = frozenset(get_args(Decision))
#: Statuses of an alert still under review: raising again updates it instead of a new one.
ACTIVE_STATUSES: tuple[str, ...] = ("open", "pending_confirmation", "escalated")
#: Statuses the system (not a reviewer) closes alerts with.
SYSTEM_CLOSE_STATUSES: frozenset[str] = frozenset({"delisted", "allowlisted"})
#: ``prev_hash`` of the first audit record.
GENESIS_HASH = "0" * 64

_BATCH = 2000  # rows per read page
_IN_CHUNK = 500  # values per IN (...) list
_MAX_AUDIT_IDS = 1000  # ids listed in one bulk audit payload
_CURRENT_IDS = "SELECT MAX(id) FROM list_version GROUP BY source"
_ACTIVE_IN = "status IN ('open', 'pending_confirmation', 'escalated')"

_CUSTOMER_COLUMNS = "id, name, schema, dob, country, identifiers, data, updated_at, deleted"
_RUN_COLUMNS = "id, kind, started_at, finished_at, actor, params, list_versions, counts"
_ALERT_COLUMNS = (
    "id, run_id, customer_id, query, party_id, group_id, score, explanation, list_versions, "
    "kind, status, status_reason, created_at, updated_at, row_version"
)
_DISPOSITION_COLUMNS = "id, alert_id, decision, reason, reviewer, created_at"
_ALLOW_COLUMNS = (
    "id, customer_id, group_id, party_hash, reason, created_by, created_at, expires_at, "
    "revoked_at, revoked_reason"
)
# "at" is a reserved word in DuckDB, so always quoted.
_AUDIT_COLUMNS = 'seq, "at", actor, action, subject, payload, prev_hash, hash'
_AUDIT_ROWS_PER_INSERT = 200  # rows per multi-row INSERT (8 parameters each)


# ---------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Customer:
    """One customer of the screened base: ``id`` is the caller's own, stable key.

    ``identifiers`` are values of any kind (passport, IMO, BIC, wallet address);
    ``data`` is free JSON-ready detail kept alongside (account, segment, addresses).
    """

    id: str
    name: str
    schema: str | None = None
    dob: str | None = None
    country: str | None = None
    identifiers: tuple[str, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)
    updated_at: str | None = None
    deleted: bool = False

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> Customer:
        """A customer from a mapping with the field names above (``id`` and ``name`` required)."""
        try:
            return cls(
                id=str(record["id"]),
                name=str(record["name"]),
                schema=record.get("schema"),
                dob=record.get("dob"),
                country=record.get("country"),
                identifiers=tuple(str(v) for v in record.get("identifiers") or ()),
                data=dict(record.get("data") or {}),
            )
        except KeyError as exc:
            raise InputError(f"a customer record needs {exc.args[0]!r}") from None


@dataclass(frozen=True, slots=True)
class UpsertResult:
    """What :meth:`WorkflowStore.upsert_customers` did, in counts."""

    added: int
    updated: int
    unchanged: int


@dataclass(frozen=True, slots=True)
class ScreeningRun:
    """One screening run. ``params`` holds thresholds and algorithm; ``counts`` is set when it finishes."""

    id: int
    kind: RunKind
    started_at: str
    finished_at: str | None
    actor: str
    params: dict[str, Any]
    list_versions: dict[str, int]
    counts: dict[str, Any] | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertItem:
    """One hit to raise as an alert.

    ``customer_id`` None is an ad hoc query: never merged with another alert, never
    allowlisted. ``group_id`` None means the party is its own group. ``query`` and
    ``explanation`` are JSON-ready mappings, or a :class:`~vigil.match.types.Query` /
    :class:`~vigil.match.types.Explanation` (stored as their fields). ``list_versions``
    maps each source screened to its version id. With ``party_hash`` (the current
    content hash of the listed group, see :meth:`WorkflowStore.group_hashes`), an
    allowlist entry only suppresses the alert if it was made for that same hash.
    """

    customer_id: str | None
    query: Mapping[str, Any] | Query
    party_id: str
    group_id: str | None
    score: float
    explanation: Mapping[str, Any] | Explanation
    list_versions: Mapping[str, int]
    kind: AlertKind = "name"
    party_hash: str | None = None


@dataclass(frozen=True, slots=True)
class RaiseOutcome:
    """What happened to one item of :meth:`WorkflowStore.raise_alerts` (``index`` in the input).

    ``action`` ``skipped`` has a ``reason``: ``allowlisted`` (``allow_id`` says by which
    entry) or ``duplicate`` (another item of the same call, with a higher score, has
    the same customer, group and kind; ``alert_id`` is that item's alert).
    """

    index: int
    action: Literal["created", "updated", "skipped"]
    alert_id: int | None
    reason: Literal["allowlisted", "duplicate"] | None = None
    allow_id: int | None = None


@dataclass(frozen=True, slots=True)
class RaiseResult:
    """The outcome of every item of one :meth:`WorkflowStore.raise_alerts` call, in input order."""

    outcomes: list[RaiseOutcome]

    @property
    def created(self) -> list[int]:
        """Ids of the alerts created."""
        return [o.alert_id for o in self.outcomes if o.action == "created" and o.alert_id is not None]

    @property
    def updated(self) -> list[int]:
        """Ids of the active alerts updated."""
        return [o.alert_id for o in self.outcomes if o.action == "updated" and o.alert_id is not None]

    @property
    def skipped(self) -> list[int]:
        """Input indexes of the items skipped."""
        return [o.index for o in self.outcomes if o.action == "skipped"]


@dataclass(frozen=True, slots=True)
class Disposition:
    """One reviewer decision on an alert."""

    id: int
    alert_id: int
    decision: Decision
    reason: str
    reviewer: str
    created_at: str


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert. ``row_version`` grows with every change: pass it back to :meth:`WorkflowStore.dispose`.

    ``status_reason`` is the reason of the latest status change. ``dispositions`` is
    filled by :meth:`WorkflowStore.get_alert` only (oldest first); listings leave it empty.
    """

    id: int
    run_id: int
    customer_id: str | None
    query: dict[str, Any]
    party_id: str
    group_id: str
    score: float
    explanation: dict[str, Any]
    list_versions: dict[str, int]
    kind: AlertKind
    status: AlertStatus
    status_reason: str | None
    created_at: str
    updated_at: str
    row_version: int
    dispositions: list[Disposition] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AllowEntry:
    """An allowlist entry: ``customer_id`` is not ``group_id`` while the party hash is ``party_hash``."""

    id: int
    customer_id: str
    group_id: str
    party_hash: str
    reason: str
    created_by: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    revoked_reason: str | None

    def is_valid(self, at: str | datetime | None = None) -> bool:
        """Whether the entry suppresses alerts at ``at`` (default now): not revoked, not expired."""
        when = _stamp(at) if at is not None else _stamp(datetime.now(UTC))
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > when)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One audit-log record; ``hash`` chains it to the record before (``prev_hash``)."""

    seq: int
    at: str
    actor: str
    action: str
    subject: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class AuditReport:
    """The result of :meth:`WorkflowStore.audit_verify`: ``records`` read, and the first problem."""

    ok: bool
    records: int
    first_bad_seq: int | None = None
    problem: str | None = None


# ---------------------------------------------------------------------- helpers


def _json(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 kept; NaN and infinities refused."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def audit_hash(prev_hash: str, seq: int, at: str, actor: str, action: str, subject: str, payload: Any) -> str:
    """The hash of one audit record (see the module docstring for the exact input)."""
    body = _json(
        {"seq": seq, "at": at, "actor": actor, "action": action, "subject": subject, "payload": payload}
    )
    return _sha(prev_hash + body)


def _stamp(value: str | datetime) -> str:
    """A timestamp in the workflow's text form; naive values are taken as UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise InputError(f"not an ISO 8601 date or timestamp: {value!r}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _required(value: str | None, what: str) -> str:
    if value is None or not str(value).strip():
        raise InputError(f"{what} is required")
    return str(value).strip()


def _as_dict(value: Any, what: str) -> dict[str, Any]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, Mapping):
        return dict(value)
    raise InputError(f"{what} must be a mapping or a dataclass, not {type(value).__name__}")


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _same_person(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


@dataclass(slots=True)
class _PreparedItem:
    index: int
    customer_id: str | None
    group_id: str
    party_id: str
    score: float
    kind: str
    query: str
    explanation: str
    list_versions: str
    party_hash: str | None


def _prepare_item(index: int, item: AlertItem) -> _PreparedItem:
    party_id = _required(item.party_id, f"alert item {index}: party_id")
    if item.kind not in ALERT_KINDS:
        raise InputError(f"alert item {index}: unknown kind {item.kind!r} (known: {sorted(ALERT_KINDS)})")
    try:
        score = float(item.score)
    except (TypeError, ValueError):
        raise InputError(f"alert item {index}: score {item.score!r} is not a number") from None
    if not math.isfinite(score):
        raise InputError(f"alert item {index}: score must be finite")
    versions = {str(k): int(v) for k, v in item.list_versions.items()}
    try:
        query = _json(_as_dict(item.query, f"alert item {index}: query"))
        explanation = _json(_as_dict(item.explanation, f"alert item {index}: explanation"))
    except (TypeError, ValueError) as exc:
        raise InputError(f"alert item {index}: not JSON-ready: {exc}") from None
    customer = item.customer_id.strip() if item.customer_id is not None else None
    return _PreparedItem(
        index=index,
        customer_id=customer or None,
        group_id=(item.group_id or "").strip() or party_id,
        party_id=party_id,
        score=score,
        kind=item.kind,
        query=query,
        explanation=explanation,
        list_versions=_json(versions),
        party_hash=item.party_hash,
    )


# ---------------------------------------------------------------------- the mixin


class WorkflowStore:
    """Customers, screening runs, alerts, dispositions, allowlist and audit log of a store.

    Every mutating method is one transaction, its audit records included: on any
    error nothing of it is written. Unknown ids raise
    :class:`~vigil.errors.NotFoundError`, bad arguments :class:`~vigil.errors.InputError`,
    a stale ``expected_row_version`` :class:`~vigil.errors.ConflictError`.
    """

    if TYPE_CHECKING:
        # Provided by vigil.store.base.Store.
        dialect: ClassVar[str]
        db_errors: ClassVar[tuple[type[BaseException], ...]]

        def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

        def _write(self) -> AbstractContextManager[None]: ...

        def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

        def _bulk_insert(
            self,
            table: str,
            columns: Sequence[str],
            rows: Sequence[Sequence[Any]],
            *,
            conflict: str | None = None,
        ) -> None: ...

    def _utcnow(self) -> datetime:
        """The clock of the workflow (tests replace it)."""
        return datetime.now(UTC)

    def _now_stamp(self) -> str:
        return _stamp(self._utcnow())

    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        try:
            for start in range(0, len(rows), _BATCH):
                self._executemany(sql, rows[start : start + _BATCH])
        except self.db_errors as exc:
            raise StoreError(f"{self.dialect} store: {exc}") from exc

    def _next_id(self, table: str) -> int:
        # Called inside a write transaction: writers are serialised, so MAX + 1 is free.
        return int(self._query(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")[0][0])

    # ------------------------------------------------------------------ customers

    def upsert_customers(self, records: Iterable[Customer], *, actor: str = "system") -> UpsertResult:
        """Add or update customers by id, in one transaction; a deleted customer comes back.

        A customer whose stored fields are equal is left alone (``unchanged``). An id
        given twice is an :class:`InputError`.
        """
        actor = _required(actor, "actor")
        now = self._now_stamp()
        added = updated = unchanged = 0
        changed_ids: list[str] = []
        digest = hashlib.sha256()
        seen: set[str] = set()
        batch: list[Customer] = []

        def flush() -> None:
            nonlocal added, updated, unchanged
            rows = {c.id: c for c in batch}
            existing: dict[str, tuple[Any, ...]] = {}
            for chunk in _chunks(list(rows)):
                for row in self._query(
                    f"SELECT {_CUSTOMER_COLUMNS} FROM customer WHERE id IN ({_marks(len(chunk))})", chunk
                ):
                    existing[row[0]] = row
            inserts: list[tuple[Any, ...]] = []
            updates: list[tuple[Any, ...]] = []
            for cid, customer in rows.items():
                values = (
                    customer.name,
                    customer.schema,
                    customer.dob,
                    customer.country,
                    _json(list(customer.identifiers)),
                    _json(dict(customer.data)),
                )
                digest.update(_json([cid, *values]).encode())
                old = existing.get(cid)
                if old is None:
                    inserts.append((cid, *values, now, 0))
                    added += 1
                elif tuple(old[1:7]) == values and not old[8]:
                    unchanged += 1
                    continue
                else:
                    updates.append((*values, now, cid))
                    updated += 1
                if len(changed_ids) < _MAX_AUDIT_IDS:
                    changed_ids.append(cid)
            self._bulk_insert("customer", [c.strip() for c in _CUSTOMER_COLUMNS.split(",")], inserts)
            self._many(
                "UPDATE customer SET name = ?, schema = ?, dob = ?, country = ?, identifiers = ?, "
                "data = ?, updated_at = ?, deleted = 0 WHERE id = ?",
                updates,
            )
            batch.clear()

        with self._write():
            for record in records:
                customer = self._check_customer(record)
                if customer.id in seen:
                    raise InputError(f"customer id {customer.id!r} occurs twice in one upsert")
                seen.add(customer.id)
                batch.append(customer)
                if len(batch) >= _BATCH:
                    flush()
            flush()
            self._audit_append(
                [
                    (
                        actor,
                        "customer.upsert",
                        "customer:*",
                        {
                            "added": added,
                            "updated": updated,
                            "unchanged": unchanged,
                            "ids": changed_ids,
                            "ids_truncated": added + updated > len(changed_ids),
                            "content_sha256": digest.hexdigest(),
                        },
                    )
                ]
            )
        return UpsertResult(added=added, updated=updated, unchanged=unchanged)

    @staticmethod
    def _check_customer(record: Customer) -> Customer:
        if not isinstance(record, Customer):
            raise InputError(f"expected a Customer, got {type(record).__name__}")
        cid = _required(record.id, "a customer's id")
        name = _required(record.name, f"customer {cid!r}: name")
        try:
            _json(dict(record.data))
        except (TypeError, ValueError) as exc:
            raise InputError(f"customer {cid!r}: data is not JSON-ready: {exc}") from None
        return dataclasses.replace(record, id=cid, name=name, identifiers=tuple(record.identifiers))

    def get_customer(self, customer_id: str, *, include_deleted: bool = False) -> Customer:
        """One customer; :class:`NotFoundError` if unknown (or deleted, unless ``include_deleted``)."""
        rows = self._query(f"SELECT {_CUSTOMER_COLUMNS} FROM customer WHERE id = ?", (customer_id,))
        if not rows or (rows[0][8] and not include_deleted):
            raise NotFoundError(f"no customer {customer_id!r}")
        return self._customer(rows[0])

    def iter_customers(self, *, include_deleted: bool = False) -> Iterator[Customer]:
        """Every customer by id, read page by page (memory stays small for any base)."""
        deleted = "" if include_deleted else " AND deleted = 0"
        last = ""
        while True:
            rows = self._query(
                f"SELECT {_CUSTOMER_COLUMNS} FROM customer WHERE id > ?{deleted} ORDER BY id LIMIT ?",
                (last, _BATCH),
            )
            for row in rows:
                yield self._customer(row)
            if len(rows) < _BATCH:
                return
            last = rows[-1][0]

    def delete_customers(self, customer_ids: Iterable[str], *, actor: str = "system") -> int:
        """Mark customers deleted (kept for the audit trail); returns how many were live."""
        actor = _required(actor, "actor")
        ids = sorted(set(customer_ids))
        now = self._now_stamp()
        with self._write():
            live: list[str] = []
            for chunk in _chunks(ids):
                live += [
                    row[0]
                    for row in self._query(
                        f"SELECT id FROM customer WHERE deleted = 0 AND id IN ({_marks(len(chunk))})", chunk
                    )
                ]
            live.sort()
            self._many(
                "UPDATE customer SET deleted = 1, updated_at = ? WHERE id = ?", [(now, c) for c in live]
            )
            if live:
                self._audit_append(
                    [
                        (
                            actor,
                            "customer.delete",
                            "customer:*",
                            {
                                "deleted": len(live),
                                "ids": live[:_MAX_AUDIT_IDS],
                                "ids_truncated": len(live) > _MAX_AUDIT_IDS,
                            },
                        )
                    ]
                )
        return len(live)

    @staticmethod
    def _customer(row: Sequence[Any]) -> Customer:
        return Customer(
            id=row[0],
            name=row[1],
            schema=row[2],
            dob=row[3],
            country=row[4],
            identifiers=tuple(json.loads(row[5])),
            data=json.loads(row[6]),
            updated_at=row[7],
            deleted=bool(row[8]),
        )

    # ------------------------------------------------------------------ runs

    def start_run(
        self,
        kind: RunKind,
        *,
        actor: str,
        params: Mapping[str, Any] | None = None,
        list_versions: Mapping[str, int] | None = None,
    ) -> ScreeningRun:
        """Open a screening run; ``params`` are its thresholds and algorithm."""
        if kind not in RUN_KINDS:
            raise InputError(f"unknown run kind {kind!r} (known: {sorted(RUN_KINDS)})")
        actor = _required(actor, "actor")
        params_json = self._checked_json(dict(params or {}), "run params")
        versions = {str(k): int(v) for k, v in (list_versions or {}).items()}
        now = self._now_stamp()
        with self._write():
            run_id = self._next_id("screening_run")
            self._query(
                f"INSERT INTO screening_run ({_RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, kind, now, None, actor, params_json, _json(versions), None),
            )
            self._audit_append(
                [
                    (
                        actor,
                        "run.start",
                        f"run:{run_id}",
                        {"kind": kind, "params": json.loads(params_json), "list_versions": versions},
                    )
                ]
            )
        return self.get_run(run_id)

    def finish_run(
        self, run_id: int, *, counts: Mapping[str, Any] | None = None, actor: str | None = None
    ) -> ScreeningRun:
        """Close a run with its counts; :class:`InputError` if it is already finished."""
        counts_json = self._checked_json(dict(counts or {}), "run counts")
        now = self._now_stamp()
        with self._write():
            run = self.get_run(run_id)
            if run.finished_at is not None:
                raise InputError(f"run {run_id} finished already at {run.finished_at}")
            self._query(
                "UPDATE screening_run SET finished_at = ?, counts = ? WHERE id = ?",
                (now, counts_json, run_id),
            )
            self._audit_append(
                [(actor or run.actor, "run.finish", f"run:{run_id}", {"counts": json.loads(counts_json)})]
            )
        return self.get_run(run_id)

    def get_run(self, run_id: int) -> ScreeningRun:
        """One run; :class:`NotFoundError` if unknown."""
        rows = self._query(f"SELECT {_RUN_COLUMNS} FROM screening_run WHERE id = ?", (run_id,))
        if not rows:
            raise NotFoundError(f"no screening run {run_id}")
        row = rows[0]
        return ScreeningRun(
            id=int(row[0]),
            kind=row[1],
            started_at=row[2],
            finished_at=row[3],
            actor=row[4],
            params=json.loads(row[5]),
            list_versions=json.loads(row[6]),
            counts=json.loads(row[7]) if row[7] is not None else None,
        )

    @staticmethod
    def _checked_json(value: Any, what: str) -> str:
        try:
            return _json(value)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{what} are not JSON-ready: {exc}") from None

    # ------------------------------------------------------------------ alerts

    def raise_alerts(
        self, run_id: int, items: Iterable[AlertItem], *, actor: str | None = None
    ) -> RaiseResult:
        """Raise alerts for hits of an unfinished run, all in one transaction.

        Per item: skipped if a valid allowlist entry covers (customer, group) (and,
        when the item carries ``party_hash``, was made for that hash); else, if the
        customer has an active alert for the group and kind, that alert's party,
        score, explanation, query and list versions are updated (its run stays the
        one that raised it; its ``row_version`` grows, so a reviewer holding the old
        one must reload); else a new ``open`` alert is created. Items of one call
        sharing (customer, group, kind) collapse onto the highest score; the others
        are skipped as ``duplicate`` (or ``allowlisted`` with it). Every created,
        updated and suppressed item is audited (``alert.raise``, ``alert.update``,
        ``alert.suppress``).
        """
        prepared = [_prepare_item(i, item) for i, item in enumerate(items)]
        now = self._now_stamp()
        outcomes: dict[int, RaiseOutcome] = {}
        with self._write():
            run = self.get_run(run_id)
            if run.finished_at is not None:
                raise InputError(f"run {run_id} is finished; start a new run to raise alerts")
            who = _required(actor or run.actor, "actor")

            # Collapse items of this call with the same key onto the best score.
            best: dict[tuple[str, str, str], _PreparedItem] = {}
            for item in prepared:
                if item.customer_id is None:
                    continue
                key = (item.customer_id, item.group_id, item.kind)
                if key not in best or item.score > best[key].score:
                    best[key] = item
            customers = sorted({k[0] for k in best})
            active = self._active_alerts(customers)
            allowed = self._valid_allow(customers, now)

            next_id = self._next_id("alert")
            inserts: list[tuple[Any, ...]] = []
            updates: list[tuple[Any, ...]] = []
            audit: list[tuple[str, str, str, dict[str, Any]]] = []
            alert_of_key: dict[tuple[str, str, str], int] = {}
            for item in prepared:
                key = (item.customer_id or "", item.group_id, item.kind)
                if item.customer_id is not None and best[key] is not item:
                    continue  # settled after the loop
                entry = None
                if item.customer_id is not None:
                    entry = self._covering(allowed.get((item.customer_id, item.group_id), []), item)
                if entry is not None:
                    outcomes[item.index] = RaiseOutcome(item.index, "skipped", None, "allowlisted", entry)
                    audit.append(
                        (
                            who,
                            "alert.suppress",
                            f"customer:{item.customer_id}",
                            {
                                "run_id": run_id,
                                "customer_id": item.customer_id,
                                "group_id": item.group_id,
                                "party_id": item.party_id,
                                "kind": item.kind,
                                "score": item.score,
                                "allow_id": entry,
                            },
                        )
                    )
                    continue
                existing = active.get(key) if item.customer_id is not None else None
                if existing is not None:
                    alert_id, old_score, old_version = existing
                    updates.append(
                        (
                            item.query,
                            item.party_id,
                            item.score,
                            item.explanation,
                            item.list_versions,
                            now,
                            alert_id,
                        )
                    )
                    outcomes[item.index] = RaiseOutcome(item.index, "updated", alert_id)
                    action, extra = "alert.update", {"old_score": old_score, "row_version": old_version + 1}
                else:
                    alert_id = next_id
                    next_id += 1
                    inserts.append(
                        (
                            alert_id,
                            run_id,
                            item.customer_id,
                            item.query,
                            item.party_id,
                            item.group_id,
                            item.score,
                            item.explanation,
                            item.list_versions,
                            item.kind,
                            "open",
                            None,
                            now,
                            now,
                            1,
                        )
                    )
                    outcomes[item.index] = RaiseOutcome(item.index, "created", alert_id)
                    action, extra = "alert.raise", {}
                if item.customer_id is not None:
                    alert_of_key[key] = alert_id
                audit.append(
                    (
                        who,
                        action,
                        f"alert:{alert_id}",
                        {
                            "run_id": run_id,
                            "customer_id": item.customer_id,
                            "party_id": item.party_id,
                            "group_id": item.group_id,
                            "kind": item.kind,
                            "score": item.score,
                            "list_versions": json.loads(item.list_versions),
                            "query_sha256": _sha(item.query),
                            "explanation_sha256": _sha(item.explanation),
                            **extra,
                        },
                    )
                )
            for item in prepared:
                if item.index not in outcomes:
                    key = (item.customer_id or "", item.group_id, item.kind)
                    winner = outcomes[best[key].index]
                    if winner.reason == "allowlisted":  # the same entry covers this item too
                        outcomes[item.index] = dataclasses.replace(winner, index=item.index)
                    else:
                        outcomes[item.index] = RaiseOutcome(
                            item.index, "skipped", alert_of_key.get(key), "duplicate"
                        )
            self._bulk_insert("alert", [c.strip() for c in _ALERT_COLUMNS.split(",")], inserts)
            self._many(
                "UPDATE alert SET query = ?, party_id = ?, score = ?, explanation = ?, list_versions = ?, "
                "updated_at = ?, row_version = row_version + 1 WHERE id = ?",
                updates,
            )
            self._audit_append(audit)
        return RaiseResult([outcomes[i] for i in range(len(prepared))])

    def _active_alerts(self, customers: Sequence[str]) -> dict[tuple[str, str, str], tuple[int, float, int]]:
        out: dict[tuple[str, str, str], tuple[int, float, int]] = {}
        for chunk in _chunks(customers):
            for aid, cid, gid, kind, score, version in self._query(
                "SELECT id, customer_id, group_id, kind, score, row_version FROM alert "
                f"WHERE {_ACTIVE_IN} AND customer_id IN ({_marks(len(chunk))})",
                chunk,
            ):
                out[(cid, gid, kind)] = (int(aid), float(score), int(version))
        return out

    def _valid_allow(
        self, customers: Sequence[str], now: str
    ) -> dict[tuple[str, str], list[tuple[int, str]]]:
        out: dict[tuple[str, str], list[tuple[int, str]]] = {}
        for chunk in _chunks(customers):
            for aid, cid, gid, phash in self._query(
                "SELECT id, customer_id, group_id, party_hash FROM allowlist "
                "WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?) "
                f"AND customer_id IN ({_marks(len(chunk))}) ORDER BY id",
                (now, *chunk),
            ):
                out.setdefault((cid, gid), []).append((int(aid), phash))
        return out

    @staticmethod
    def _covering(entries: list[tuple[int, str]], item: _PreparedItem) -> int | None:
        for allow_id, phash in reversed(entries):
            if item.party_hash is None or item.party_hash == phash:
                return allow_id
        return None

    def list_alerts(
        self,
        *,
        status: str | Iterable[str] | None = None,
        kind: str | None = None,
        min_score: float | None = None,
        customer_id: str | None = None,
        source: str | None = None,
        older_than: str | datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Alert]:
        """Alerts by id (oldest first), filtered.

        ``status`` is one status or several; ``source`` keeps alerts on a party of
        that list (party ids are ``<source>:<id>``); ``older_than`` keeps alerts
        created before that time.
        """
        if limit < 0 or offset < 0:
            raise InputError("limit and offset must not be negative")
        where, params = self._alert_filter(status, kind, min_score, customer_id, source, older_than)
        rows = self._query(
            f"SELECT {_ALERT_COLUMNS} FROM alert{where} ORDER BY id LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [self._alert(row) for row in rows]

    def count_alerts(
        self,
        *,
        status: str | Iterable[str] | None = None,
        kind: str | None = None,
        min_score: float | None = None,
        customer_id: str | None = None,
        source: str | None = None,
        older_than: str | datetime | None = None,
    ) -> int:
        """How many alerts :meth:`list_alerts` would list with these filters and no limit."""
        where, params = self._alert_filter(status, kind, min_score, customer_id, source, older_than)
        return int(self._query(f"SELECT COUNT(*) FROM alert{where}", params)[0][0])

    @staticmethod
    def _alert_filter(
        status: str | Iterable[str] | None,
        kind: str | None,
        min_score: float | None,
        customer_id: str | None,
        source: str | None,
        older_than: str | datetime | None,
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if status is not None:
            statuses = [status] if isinstance(status, str) else sorted(set(status))
            unknown = set(statuses) - ALERT_STATUSES
            if unknown or not statuses:
                raise InputError(f"unknown alert status {sorted(unknown)} (known: {sorted(ALERT_STATUSES)})")
            clauses.append(f"status IN ({_marks(len(statuses))})")
            params += statuses
        if kind is not None:
            if kind not in ALERT_KINDS:
                raise InputError(f"unknown alert kind {kind!r} (known: {sorted(ALERT_KINDS)})")
            clauses.append("kind = ?")
            params.append(kind)
        if min_score is not None:
            clauses.append("score >= ?")
            params.append(float(min_score))
        if customer_id is not None:
            clauses.append("customer_id = ?")
            params.append(customer_id)
        if source is not None:
            # substr, not LIKE: source names hold "_", a LIKE wildcard.
            clauses.append("substr(party_id, 1, ?) = ?")
            params += [len(source) + 1, f"{source}:"]
        if older_than is not None:
            clauses.append("created_at < ?")
            params.append(_stamp(older_than))
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def get_alert(self, alert_id: int) -> Alert:
        """One alert with its dispositions (oldest first); :class:`NotFoundError` if unknown."""
        rows = self._query(f"SELECT {_ALERT_COLUMNS} FROM alert WHERE id = ?", (alert_id,))
        if not rows:
            raise NotFoundError(f"no alert {alert_id}")
        dispositions = [
            Disposition(int(r[0]), int(r[1]), r[2], r[3], r[4], r[5])
            for r in self._query(
                f"SELECT {_DISPOSITION_COLUMNS} FROM disposition WHERE alert_id = ? ORDER BY id", (alert_id,)
            )
        ]
        return self._alert(rows[0], dispositions)

    @staticmethod
    def _alert(row: Sequence[Any], dispositions: list[Disposition] | None = None) -> Alert:
        return Alert(
            id=int(row[0]),
            run_id=int(row[1]),
            customer_id=row[2],
            query=json.loads(row[3]),
            party_id=row[4],
            group_id=row[5],
            score=float(row[6]),
            explanation=json.loads(row[7]),
            list_versions=json.loads(row[8]),
            kind=row[9],
            status=row[10],
            status_reason=row[11],
            created_at=row[12],
            updated_at=row[13],
            row_version=int(row[14]),
            dispositions=dispositions or [],
        )

    def dispose(
        self,
        alert_id: int,
        decision: Decision,
        reason: str,
        reviewer: str,
        *,
        expected_row_version: int,
        four_eyes: bool = False,
    ) -> Alert:
        """Record a reviewer's decision on an alert and move its status.

        ========================  ==========================  =========================
        status                    decision                    new status
        ========================  ==========================  =========================
        open, escalated           true_match                  closed_true_match, or
                                                              pending_confirmation with
                                                              ``four_eyes``
        open, escalated           false_positive              closed_false_positive
        open                      escalate                    escalated
        pending_confirmation      confirm (another reviewer)  closed_true_match
        pending_confirmation      reject                      open
        ========================  ==========================  =========================

        Anything else is an :class:`InputError`, as is an empty reason or reviewer, or
        a ``confirm`` by the reviewer who proposed the match (compared without case).
        If the alert's ``row_version`` is no longer ``expected_row_version`` (someone
        else changed it), :class:`ConflictError` and nothing is written. Returns the
        alert as it is now, with its dispositions.
        """
        if decision not in DECISIONS:
            raise InputError(f"unknown decision {decision!r} (known: {sorted(DECISIONS)})")
        reason = _required(reason, "a reason")
        reviewer = _required(reviewer, "a reviewer")
        now = self._now_stamp()
        with self._write():
            rows = self._query(f"SELECT {_ALERT_COLUMNS} FROM alert WHERE id = ?", (alert_id,))
            if not rows:
                raise NotFoundError(f"no alert {alert_id}")
            alert = self._alert(rows[0])
            if alert.row_version != expected_row_version:
                raise ConflictError(
                    f"alert {alert_id} changed since it was read (row version {alert.row_version}, "
                    f"expected {expected_row_version}); reload it and decide again"
                )
            new_status = self._transition(alert, decision, reviewer, four_eyes)
            changed = self._query(
                "UPDATE alert SET status = ?, status_reason = ?, updated_at = ?, "
                "row_version = row_version + 1 WHERE id = ? AND row_version = ? RETURNING row_version",
                (new_status, reason, now, alert_id, expected_row_version),
            )
            if not changed:  # only if the writer lock failed to serialise: never lose a decision
                raise ConflictError(f"alert {alert_id} changed while deciding; reload it and decide again")
            disposition_id = self._next_id("disposition")
            self._query(
                f"INSERT INTO disposition ({_DISPOSITION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                (disposition_id, alert_id, decision, reason, reviewer, now),
            )
            self._audit_append(
                [
                    (
                        reviewer,
                        "alert.dispose",
                        f"alert:{alert_id}",
                        {
                            "disposition_id": disposition_id,
                            "decision": decision,
                            "reason": reason,
                            "four_eyes": four_eyes,
                            "from": alert.status,
                            "to": new_status,
                            "row_version": int(changed[0][0]),
                            "customer_id": alert.customer_id,
                            "party_id": alert.party_id,
                            "group_id": alert.group_id,
                            "score": alert.score,
                            "list_versions": alert.list_versions,
                        },
                    )
                ]
            )
        return self.get_alert(alert_id)

    def _transition(self, alert: Alert, decision: str, reviewer: str, four_eyes: bool) -> str:
        status = alert.status
        if status in ("open", "escalated"):
            if decision == "true_match":
                return "pending_confirmation" if four_eyes else "closed_true_match"
            if decision == "false_positive":
                return "closed_false_positive"
            if decision == "escalate" and status == "open":
                return "escalated"
        elif status == "pending_confirmation":
            if decision == "reject":
                return "open"
            if decision == "confirm":
                rows = self._query(
                    "SELECT reviewer FROM disposition WHERE alert_id = ? AND decision = 'true_match' "
                    "ORDER BY id DESC LIMIT 1",
                    (alert.id,),
                )
                if rows and _same_person(rows[0][0], reviewer):
                    raise InputError(
                        f"alert {alert.id}: {reviewer} proposed this true match; "
                        "another reviewer must confirm it"
                    )
                return "closed_true_match"
        raise InputError(f"alert {alert.id} is {status}: a {decision!r} decision does not apply")

    def close_alerts_for_groups(
        self,
        groups: Iterable[str],
        status: Literal["delisted", "allowlisted"] = "delisted",
        reason: str = "",
        *,
        actor: str = "system",
    ) -> list[int]:
        """Close every active alert on these listed groups (e.g. parties delisted); returns their ids."""
        if status not in SYSTEM_CLOSE_STATUSES:
            raise InputError(
                f"alerts are closed by the system as {sorted(SYSTEM_CLOSE_STATUSES)}, not {status!r}"
            )
        reason = _required(reason, "a reason")
        actor = _required(actor, "actor")
        wanted = sorted(set(groups))
        now = self._now_stamp()
        with self._write():
            found: list[tuple[int, str, str]] = []
            for chunk in _chunks(wanted):
                found += [
                    (int(r[0]), r[1], r[2])
                    for r in self._query(
                        f"SELECT id, status, group_id FROM alert WHERE {_ACTIVE_IN} "
                        f"AND group_id IN ({_marks(len(chunk))})",
                        chunk,
                    )
                ]
            found.sort()
            self._close_alerts(found, status, reason, actor, now)
        return [a for a, _, _ in found]

    def _close_alerts(
        self, found: list[tuple[int, str, str]], status: str, reason: str, actor: str, now: str
    ) -> None:
        self._many(
            "UPDATE alert SET status = ?, status_reason = ?, updated_at = ?, row_version = row_version + 1 "
            "WHERE id = ?",
            [(status, reason, now, aid) for aid, _, _ in found],
        )
        self._audit_append(
            [
                (
                    actor,
                    "alert.close",
                    f"alert:{aid}",
                    {"from": old, "to": status, "reason": reason, "group_id": gid},
                )
                for aid, old, gid in found
            ]
        )

    # ------------------------------------------------------------------ allowlist

    def add_allow(
        self,
        customer_id: str,
        group_id: str,
        party_hash: str,
        reason: str,
        created_by: str,
        expires_at: str | datetime | None = None,
        *,
        close_open_alerts: bool = True,
    ) -> AllowEntry:
        """Allow (customer, listed group) while the group's content hash is ``party_hash``.

        ``expires_at`` (None: never) must lie in the future. A valid entry for the same
        pair is revoked as superseded. With ``close_open_alerts``, the pair's ``open``
        alerts close as ``allowlisted`` (alerts pending confirmation or escalated are
        left to their reviewers).
        """
        customer_id = _required(customer_id, "customer_id")
        group_id = _required(group_id, "group_id")
        party_hash = _required(party_hash, "party_hash")
        reason = _required(reason, "a reason")
        created_by = _required(created_by, "created_by")
        now = self._now_stamp()
        expires = _stamp(expires_at) if expires_at is not None else None
        if expires is not None and expires <= now:
            raise InputError(f"an allowlist entry must expire in the future, not {expires}")
        with self._write():
            allow_id = self._next_id("allowlist")
            for old in self._list_allow(customer_id, group_id, now, valid_only=True):
                self._revoke(old, f"superseded by allowlist entry {allow_id}", created_by, now)
            self._query(
                f"INSERT INTO allowlist ({_ALLOW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (allow_id, customer_id, group_id, party_hash, reason, created_by, now, expires, None, None),
            )
            self._audit_append(
                [
                    (
                        created_by,
                        "allow.add",
                        f"allow:{allow_id}",
                        {
                            "customer_id": customer_id,
                            "group_id": group_id,
                            "party_hash": party_hash,
                            "reason": reason,
                            "expires_at": expires,
                        },
                    )
                ]
            )
            if close_open_alerts:
                found = [
                    (int(r[0]), r[1], r[2])
                    for r in self._query(
                        "SELECT id, status, group_id FROM alert WHERE status = 'open' AND customer_id = ? "
                        "AND group_id = ? ORDER BY id",
                        (customer_id, group_id),
                    )
                ]
                self._close_alerts(
                    found, "allowlisted", f"allowlist entry {allow_id}: {reason}", created_by, now
                )
        return self.get_allow(allow_id)

    def get_allow(self, allow_id: int) -> AllowEntry:
        """One allowlist entry; :class:`NotFoundError` if unknown."""
        rows = self._query(f"SELECT {_ALLOW_COLUMNS} FROM allowlist WHERE id = ?", (allow_id,))
        if not rows:
            raise NotFoundError(f"no allowlist entry {allow_id}")
        return AllowEntry(*rows[0])

    def list_allow(
        self, *, customer_id: str | None = None, group_id: str | None = None, valid_only: bool = True
    ) -> list[AllowEntry]:
        """Allowlist entries by id; only those valid now (not revoked, not expired) unless told."""
        return self._list_allow(customer_id, group_id, self._now_stamp(), valid_only=valid_only)

    def _list_allow(
        self, customer_id: str | None, group_id: str | None, now: str, *, valid_only: bool
    ) -> list[AllowEntry]:
        clauses: list[str] = []
        params: list[Any] = []
        if customer_id is not None:
            clauses.append("customer_id = ?")
            params.append(customer_id)
        if group_id is not None:
            clauses.append("group_id = ?")
            params.append(group_id)
        if valid_only:
            clauses.append("revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)")
            params.append(now)
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        rows = self._query(f"SELECT {_ALLOW_COLUMNS} FROM allowlist{where} ORDER BY id", params)
        return [AllowEntry(*row) for row in rows]

    def revoke_allow(self, allow_id: int, reason: str, *, actor: str) -> AllowEntry:
        """Revoke an entry; :class:`InputError` if it is revoked already."""
        reason = _required(reason, "a reason")
        actor = _required(actor, "actor")
        now = self._now_stamp()
        with self._write():
            entry = self.get_allow(allow_id)
            if entry.revoked_at is not None:
                raise InputError(f"allowlist entry {allow_id} was revoked already at {entry.revoked_at}")
            self._revoke(entry, reason, actor, now)
        return self.get_allow(allow_id)

    def _revoke(self, entry: AllowEntry, reason: str, actor: str, now: str) -> None:
        self._query(
            "UPDATE allowlist SET revoked_at = ?, revoked_reason = ? WHERE id = ?", (now, reason, entry.id)
        )
        self._audit_append(
            [
                (
                    actor,
                    "allow.revoke",
                    f"allow:{entry.id}",
                    {"customer_id": entry.customer_id, "group_id": entry.group_id, "reason": reason},
                )
            ]
        )

    def invalidate_allow_for_changed(
        self,
        group_hashes: Mapping[str, str],
        *,
        list_version: int | None = None,
        actor: str = "system",
    ) -> list[AllowEntry]:
        """Revoke the valid entries on these groups whose ``party_hash`` differs from the new one.

        ``list_version`` (default: the newest imported) is named in the revocation
        reason, ``listed party changed in list version N``. Returns the revoked entries
        (as they are now) so the caller can screen those customers again.
        """
        actor = _required(actor, "actor")
        now = self._now_stamp()
        groups = sorted(group_hashes)
        revoked: list[int] = []
        with self._write():
            version = list_version
            if version is None:
                latest = self._query("SELECT MAX(id) FROM list_version")[0][0]
                version = int(latest) if latest is not None else None
            reason = "listed party changed" + (f" in list version {version}" if version is not None else "")
            for chunk in _chunks(groups):
                rows = self._query(
                    f"SELECT {_ALLOW_COLUMNS} FROM allowlist WHERE revoked_at IS NULL "
                    f"AND (expires_at IS NULL OR expires_at > ?) AND group_id IN ({_marks(len(chunk))}) "
                    "ORDER BY id",
                    (now, *chunk),
                )
                for row in rows:
                    entry = AllowEntry(*row)
                    if entry.party_hash != group_hashes[entry.group_id]:
                        self._revoke(entry, reason, actor, now)
                        revoked.append(entry.id)
        return [self.get_allow(i) for i in sorted(revoked)]

    def group_hashes(self, group_ids: Iterable[str] | None = None) -> dict[str, str]:
        """The content hash of listed groups in the current list versions (all groups if None).

        It is the sha256 of the group's ``party_id <TAB> record hash`` lines, sorted:
        it changes when any record of the group changes, joins or leaves the group.
        Groups not in the current versions are absent from the result.
        """
        sql = (
            "SELECT g.group_id, g.party_id, vp.blob_hash FROM party_group g "
            "JOIN version_party vp ON vp.party_id = g.party_id "
            f"WHERE vp.version_id IN ({_CURRENT_IDS})"
        )
        rows: list[tuple[Any, ...]] = []
        if group_ids is None:
            rows = self._query(sql)
        else:
            for chunk in _chunks(sorted(set(group_ids))):
                rows += self._query(f"{sql} AND g.group_id IN ({_marks(len(chunk))})", chunk)
        members: dict[str, list[str]] = {}
        for gid, pid, blob in rows:
            members.setdefault(gid, []).append(f"{pid}\t{blob}\n")
        return {gid: _sha("".join(sorted(lines))) for gid, lines in sorted(members.items())}

    # ------------------------------------------------------------------ audit log

    def _audit_append(self, records: Sequence[tuple[str, str, str, Mapping[str, Any]]]) -> None:
        """Append (actor, action, subject, payload) records; call inside the write transaction.

        The writer lock of the transaction (SQLite ``BEGIN IMMEDIATE``, PostgreSQL's
        advisory lock) serialises appends; ``seq`` being the primary key turns any
        append that would fork the chain into an error instead.
        """
        if not records:
            return
        at = self._now_stamp()
        head = self._query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        seq, prev = (int(head[0][0]), head[0][1]) if head else (0, GENESIS_HASH)
        rows: list[tuple[Any, ...]] = []
        for actor, action, subject, payload in records:
            seq += 1
            body = json.loads(_json(dict(payload)))  # exactly what verification will read back
            digest = audit_hash(prev, seq, at, actor, action, subject, body)
            rows.append((seq, at, actor, action, subject, _json(body), prev, digest))
            prev = digest
        # Multi-row VALUES, not _bulk_insert: the backends' bulk paths cannot quote "at".
        for start in range(0, len(rows), _AUDIT_ROWS_PER_INSERT):
            chunk = rows[start : start + _AUDIT_ROWS_PER_INSERT]
            values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk))
            self._query(
                f"INSERT INTO audit_log ({_AUDIT_COLUMNS}) VALUES {values}",
                [value for row in chunk for value in row],
            )

    def audit_head(self) -> tuple[int, str] | None:
        """The last record's (seq, hash): keep it outside the store to detect a rewritten log."""
        rows = self._query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        return (int(rows[0][0]), rows[0][1]) if rows else None

    def audit_records(
        self,
        since_seq: int = 0,
        limit: int = 1000,
        *,
        action: str | None = None,
        subject: str | None = None,
    ) -> list[AuditRecord]:
        """Records with ``seq > since_seq``, oldest first, optionally of one action or subject."""
        clauses: list[str] = ["seq > ?"]
        params: list[Any] = [since_seq]
        if action is not None:
            clauses.append("action = ?")
            params.append(action)
        if subject is not None:
            clauses.append("subject = ?")
            params.append(subject)
        rows = self._query(
            f"SELECT {_AUDIT_COLUMNS} FROM audit_log WHERE {' AND '.join(clauses)} ORDER BY seq LIMIT ?",
            (*params, limit),
        )
        return [AuditRecord(int(r[0]), r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7]) for r in rows]

    def audit_verify(self, anchor: tuple[int, str] | None = None) -> AuditReport:
        """Check the whole chain: numbering, links, hashes, canonical payloads.

        Detects a changed, deleted, inserted or reordered record anywhere before the
        last one. With ``anchor`` (an earlier :meth:`audit_head`), it also detects the
        loss of the records up to the anchor and a chain recomputed after tampering.
        """
        expected_seq, prev = 1, GENESIS_HASH
        count = 0
        anchor_seen = False

        def bad(seq: int, problem: str) -> AuditReport:
            return AuditReport(ok=False, records=count, first_bad_seq=seq, problem=problem)

        last = 0
        while True:
            rows = self._query(
                f"SELECT {_AUDIT_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?", (last, _BATCH)
            )
            for seq_raw, at, actor, action, subject, payload_text, prev_hash, digest in rows:
                seq = int(seq_raw)
                count += 1
                if seq != expected_seq:
                    return bad(expected_seq, f"record {expected_seq} is missing (next is {seq})")
                if prev_hash != prev:
                    return bad(seq, f"record {seq} does not link to the record before it")
                try:
                    payload = json.loads(payload_text)
                    canonical = _json(payload) == payload_text
                except (TypeError, ValueError):
                    canonical = False
                if not canonical:
                    return bad(seq, f"record {seq} has a malformed payload")
                if audit_hash(prev, seq, at, actor, action, subject, payload) != digest:
                    return bad(seq, f"record {seq} does not match its hash")
                if anchor is not None and seq == anchor[0]:
                    if digest != anchor[1]:
                        return bad(seq, f"record {seq} is not the anchored record")
                    anchor_seen = True
                prev = digest
                expected_seq += 1
            if len(rows) < _BATCH:
                break
            last = int(rows[-1][0])
        if anchor is not None and not anchor_seen:
            return bad(expected_seq, f"the anchored record {anchor[0]} is missing")
        return AuditReport(ok=True, records=count)
