"""The versioned list store: what every backend offers, and the workflow they share.

Every import of a list is kept as a numbered :class:`ListVersion`. Parties are stored
content-addressed (one row per distinct serialised party), so a new version costs
only its changed parties plus one small row per party. The newest version of each
source is its *current* version; screening reads those.

:class:`Store` holds the whole workflow (import, reads, diffs, grouping) in portable
SQL with ``?`` placeholders. A backend is a thin adapter: it opens the connection and
fills in the hooks at the end of the class (run a statement, run a batch, begin /
commit / roll back a write transaction holding the writer lock, close).

The alert workflow and the audit log come from :class:`vigil.store.workflow.WorkflowStore`,
a mixin written over the same hooks; each import appends a ``list.import`` audit record.
"""

from __future__ import annotations

import abc
import hashlib
import json
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, ClassVar, Literal

from vigil.errors import InputError, NotFoundError, StoreError
from vigil.model import Party
from vigil.model.diff import diff_parties
from vigil.model.groups import GroupKeys, group_keyed, group_keys
from vigil.sources.base import ParsedList
from vigil.store.codec import party_json
from vigil.store.keys import KeyStore
from vigil.store.migrations import MIGRATIONS, steps_for
from vigil.store.workflow import WorkflowStore

__all__ = ["ImportResult", "ListVersion", "PartyChange", "Store", "VersionDiff"]

logger = logging.getLogger(__name__)

_VERSION_COLUMNS = "id, source, published, fetched_at, imported_at, origin, content_hash, counts, party_count"
# The latest version of every source, as a subquery (ids grow with each import).
_CURRENT_IDS = "SELECT MAX(id) FROM list_version GROUP BY source"
_BATCH = 2000  # rows per read page / per bulk insert batch
_IN_CHUNK = 500  # values per IN (...) list


@dataclass(frozen=True, slots=True)
class ListVersion:
    """One imported version of one list.

    ``published`` is the date the file states, ``fetched_at`` when it was downloaded
    and ``imported_at`` when it was stored (ISO 8601, UTC). ``origin`` is the URL or
    file path it came from, ``content_hash`` the hash of its files
    (:func:`vigil.sources.base.sha256_files`). ``counts`` are the stored parties per
    schema (``{"Person": 730, "Organization": 273}``).
    """

    id: int
    source: str
    published: str | None
    fetched_at: str
    imported_at: str
    origin: str
    content_hash: str
    counts: dict[str, int]
    party_count: int


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did: ``created`` is False when the content was already stored."""

    version: ListVersion
    created: bool


@dataclass(frozen=True, slots=True)
class PartyChange:
    """How one party differs between two versions.

    ``fields`` lists the changed paths (see :func:`vigil.model.diff.diff_parties`);
    it is empty for ``added`` and ``removed``. ``before`` is None for an added party,
    ``after`` None for a removed one.
    """

    party_id: str
    change: Literal["added", "removed", "changed"]
    fields: list[str]
    before: Party | None
    after: Party | None


@dataclass(frozen=True, slots=True)
class VersionDiff:
    """The changes from ``old`` to ``new`` (two versions of one source); ``old`` None = empty list."""

    source: str
    old: ListVersion | None
    new: ListVersion
    added: list[PartyChange] = field(default_factory=list)
    removed: list[PartyChange] = field(default_factory=list)
    changed: list[PartyChange] = field(default_factory=list)
    unchanged: int = 0

    def summary(self) -> dict[str, int]:
        """Counts: ``{"added": n, "removed": n, "changed": n, "unchanged": n}``."""
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
            "unchanged": self.unchanged,
        }


@dataclass(slots=True)
class _Prepared:
    """A version serialised in memory, ready to be written in one transaction."""

    blobs: dict[str, str]  # blob hash -> canonical JSON
    rows: list[tuple[str, str, str, str, str]]  # party_id, blob_hash, schema, primary_name, group_keys
    counts: dict[str, int]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _prepare(parsed: ParsedList) -> _Prepared:
    blobs: dict[str, str] = {}
    rows: list[tuple[str, str, str, str, str]] = []
    counts: dict[str, int] = {}
    seen: set[str] = set()
    for party in parsed.parties:
        if not party.id:
            raise InputError(f"{parsed.source}: a party has an empty id")
        if party.id in seen:
            raise InputError(f"{parsed.source}: party id {party.id!r} occurs twice in one version")
        if party.source != parsed.source:
            raise InputError(
                f"{parsed.source}: party {party.id!r} belongs to source {party.source!r}, not this list"
            )
        seen.add(party.id)
        data = party_json(party)
        digest = hashlib.sha256(data.encode()).hexdigest()
        blobs[digest] = data
        keys = json.dumps(group_keys(party).to_list(), separators=(",", ":"), ensure_ascii=False)
        rows.append((party.id, digest, party.schema, party.primary_name, keys))
        counts[party.schema] = counts.get(party.schema, 0) + 1
    return _Prepared(blobs=blobs, rows=rows, counts=dict(sorted(counts.items())))


def _load_party(data: str) -> Party:
    return Party.from_dict(json.loads(data))


class Store(WorkflowStore, KeyStore, abc.ABC):
    """A versioned store of official lists. Use as a context manager, or call :meth:`close`.

    Versions are immutable once imported. Every write is one transaction: a failure,
    or the process being killed, leaves the store as it was before the call.
    Errors of the database are raised as :class:`~vigil.errors.StoreError`; unknown
    ids as :class:`~vigil.errors.NotFoundError`.
    """

    #: Dialect name, the key of :data:`vigil.store.migrations.DIALECT_TOKENS`.
    dialect: ClassVar[str]
    #: The driver's exception types, turned into StoreError.
    db_errors: ClassVar[tuple[type[BaseException], ...]] = ()

    def __init__(self) -> None:
        """Bring the schema up to date. Backends call this once connected.

        A store object holds one connection: use it from one thread at a time.
        """
        self._closed = False
        try:
            self._migrate()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close the connection. Further calls are errors; closing twice is not."""
        if not self._closed:
            self._closed = True
            self._close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ writes

    def import_version(
        self,
        parsed: ParsedList,
        *,
        origin: str,
        content_hash: str,
        fetched_at: str | None = None,
        actor: str = "system",
    ) -> ImportResult:
        """Store ``parsed`` as the new current version of its source, in one transaction.

        If a version of the same source with the same ``content_hash`` is already
        stored, nothing is written and that version is returned with
        ``created=False``. Party ids must be unique within the version and every
        party's ``source`` must be the list's (else :class:`InputError`, nothing
        written). On any failure the transaction is rolled back: no partial version
        is ever visible and earlier versions are untouched. The import is audited
        (``list.import``, by ``actor``) in the same transaction.
        """
        if not parsed.source:
            raise InputError("a list version needs a source")
        if not content_hash:
            raise InputError(f"{parsed.source}: a list version needs a content hash")
        existing = self._find_version(parsed.source, content_hash)
        if existing is not None:
            return ImportResult(existing, created=False)

        started = time.perf_counter()
        # Serialise before the transaction: the writer lock is then held only for I/O.
        prepared = _prepare(parsed)
        imported_at = _now()
        with self._write():
            # Checked again under the writer lock: another process may just have imported it.
            existing = self._find_version(parsed.source, content_hash)
            if existing is not None:
                return ImportResult(existing, created=False)
            version_id = int(self._query("SELECT COALESCE(MAX(id), 0) + 1 FROM list_version")[0][0])
            latest = self._query("SELECT MAX(id) FROM list_version WHERE source = ?", (parsed.source,))
            previous = latest[0][0]
            self._query(
                f"INSERT INTO list_version ({_VERSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    version_id,
                    parsed.source,
                    parsed.published,
                    fetched_at or imported_at,
                    imported_at,
                    origin,
                    content_hash,
                    json.dumps(prepared.counts, sort_keys=True),
                    len(prepared.rows),
                ),
            )
            # Blobs of the previous version are known to exist; the rest may or may not.
            known: set[str] = set()
            if previous is not None:
                known = {
                    row[0]
                    for row in self._query(
                        "SELECT blob_hash FROM version_party WHERE version_id = ?", (previous,)
                    )
                }
            new_blobs = [(h, data) for h, data in prepared.blobs.items() if h not in known]
            self._bulk_insert("party_blob", ("hash", "data"), new_blobs, conflict="hash")
            self._bulk_insert(
                "version_party",
                ("version_id", "party_id", "blob_hash", "schema", "primary_name", "group_keys"),
                [(version_id, *row) for row in prepared.rows],
            )
            self._rebuild_groups()
            self._audit_append(
                [
                    (
                        actor,
                        "list.import",
                        f"list_version:{version_id}",
                        {
                            "source": parsed.source,
                            "version_id": version_id,
                            "published": parsed.published,
                            "origin": origin,
                            "content_hash": content_hash,
                            "party_count": len(prepared.rows),
                            "counts": prepared.counts,
                        },
                    )
                ]
            )
        logger.info(
            "imported %s version %d: %d parties, %d new blobs, %.2fs",
            parsed.source,
            version_id,
            len(prepared.rows),
            len(new_blobs),
            time.perf_counter() - started,
        )
        return ImportResult(self.get_version(version_id), created=True)

    def _rebuild_groups(self) -> None:
        rows = self._query(
            f"SELECT party_id, group_keys FROM version_party WHERE version_id IN ({_CURRENT_IDS})"
        )
        groups = group_keyed(GroupKeys.from_list(pid, json.loads(keys)) for pid, keys in rows)
        self._query("DELETE FROM party_group")
        self._bulk_insert("party_group", ("party_id", "group_id"), sorted(groups.items()))

    # ------------------------------------------------------------------ versions

    def versions(self, source: str | None = None) -> list[ListVersion]:
        """Stored versions, newest (last imported) first; of one source if given."""
        if source is None:
            rows = self._query(f"SELECT {_VERSION_COLUMNS} FROM list_version ORDER BY id DESC")
        else:
            rows = self._query(
                f"SELECT {_VERSION_COLUMNS} FROM list_version WHERE source = ? ORDER BY id DESC",
                (source,),
            )
        return [self._version(row) for row in rows]

    def latest_version(self, source: str) -> ListVersion | None:
        """The current (last imported) version of ``source``, or None if it has none."""
        rows = self._query(
            f"SELECT {_VERSION_COLUMNS} FROM list_version WHERE source = ? ORDER BY id DESC LIMIT 1",
            (source,),
        )
        return self._version(rows[0]) if rows else None

    def get_version(self, version_id: int) -> ListVersion:
        """The version with this id; :class:`NotFoundError` if there is none."""
        rows = self._query(f"SELECT {_VERSION_COLUMNS} FROM list_version WHERE id = ?", (version_id,))
        if not rows:
            raise NotFoundError(f"no list version {version_id}")
        return self._version(rows[0])

    def sources(self) -> list[str]:
        """The sources that have at least one version, sorted."""
        return [row[0] for row in self._query("SELECT DISTINCT source FROM list_version ORDER BY source")]

    # ------------------------------------------------------------------ parties

    def parties(self, version_id: int) -> Iterator[Party]:
        """The parties of one version, by party id; :class:`NotFoundError` if no such version.

        Parties are read page by page, so memory stays small for any list size.
        """
        self.get_version(version_id)  # raise now, not at the first next()
        return self._iter_parties([version_id])

    def current_parties(self, sources: list[str] | None = None) -> Iterator[Party]:
        """The parties of the current version of each source (of ``sources`` if given).

        The versions are fixed when this is called; an import meanwhile does not mix
        into the iteration. Ordered by source, then party id.
        """
        rows = self._query("SELECT source, MAX(id) FROM list_version GROUP BY source ORDER BY source")
        wanted = None if sources is None else set(sources)
        ids = [int(vid) for source, vid in rows if wanted is None or source in wanted]
        return self._iter_parties(ids)

    def party(self, party_id: str, version_id: int | None = None) -> Party:
        """One party: from ``version_id``, or else from the newest version that holds it.

        :class:`NotFoundError` if the party (or the version) does not exist.
        """
        if version_id is None:
            rows = self._query(
                "SELECT b.data FROM version_party vp JOIN party_blob b ON b.hash = vp.blob_hash "
                "WHERE vp.party_id = ? ORDER BY vp.version_id DESC LIMIT 1",
                (party_id,),
            )
        else:
            self.get_version(version_id)
            rows = self._query(
                "SELECT b.data FROM version_party vp JOIN party_blob b ON b.hash = vp.blob_hash "
                "WHERE vp.version_id = ? AND vp.party_id = ?",
                (version_id, party_id),
            )
        if not rows:
            where = "" if version_id is None else f" in list version {version_id}"
            raise NotFoundError(f"no party {party_id!r}{where}")
        return _load_party(rows[0][0])

    def group_of(self, party_id: str) -> list[Party]:
        """The parties of the current versions grouped with ``party_id`` (itself included).

        Grouping follows :mod:`vigil.model.groups`; the result is sorted by party id.
        :class:`NotFoundError` if the party is not in any current version.
        """
        rows = self._query("SELECT group_id FROM party_group WHERE party_id = ?", (party_id,))
        if not rows:
            raise NotFoundError(f"no party {party_id!r} in the current lists")
        members = self._query(
            "SELECT b.data FROM party_group g "
            "JOIN version_party vp ON vp.party_id = g.party_id "
            "JOIN party_blob b ON b.hash = vp.blob_hash "
            f"WHERE g.group_id = ? AND vp.version_id IN ({_CURRENT_IDS}) ORDER BY g.party_id",
            (rows[0][0],),
        )
        return [_load_party(row[0]) for row in members]

    # ------------------------------------------------------------------ diffs

    def diff(self, old_version_id: int, new_version_id: int) -> VersionDiff:
        """What changed from one version to another of the same source.

        :class:`NotFoundError` for an unknown version, :class:`InputError` if the
        two versions are of different sources.
        """
        old = self.get_version(old_version_id)
        new = self.get_version(new_version_id)
        if old.source != new.source:
            raise InputError(
                f"cannot diff versions of different lists: {old.source} ({old.id}) "
                f"and {new.source} ({new.id})"
            )
        return self._diff(old, new)

    def diff_latest(self, source: str) -> VersionDiff:
        """The changes the current version of ``source`` made to the one before it.

        With a single version, ``old`` is None and every party is ``added``.
        :class:`NotFoundError` if the source has no version.
        """
        rows = self._query(
            f"SELECT {_VERSION_COLUMNS} FROM list_version WHERE source = ? ORDER BY id DESC LIMIT 2",
            (source,),
        )
        if not rows:
            raise NotFoundError(f"no version of list {source!r}")
        new = self._version(rows[0])
        old = self._version(rows[1]) if len(rows) > 1 else None
        return self._diff(old, new)

    def _diff(self, old: ListVersion | None, new: ListVersion) -> VersionDiff:
        new_map = self._blob_map(new.id)
        old_map = self._blob_map(old.id) if old is not None else {}
        added = sorted(new_map.keys() - old_map.keys())
        removed = sorted(old_map.keys() - new_map.keys())
        common = new_map.keys() & old_map.keys()
        changed = sorted(pid for pid in common if new_map[pid] != old_map[pid])
        wanted = {new_map[p] for p in added} | {old_map[p] for p in removed}
        wanted |= {new_map[p] for p in changed} | {old_map[p] for p in changed}
        blobs = self._load_blobs(wanted)
        changes: list[PartyChange] = []
        for pid in changed:
            before, after = blobs[old_map[pid]], blobs[new_map[pid]]
            changes.append(PartyChange(pid, "changed", diff_parties(before, after), before, after))
        return VersionDiff(
            source=new.source,
            old=old,
            new=new,
            added=[PartyChange(p, "added", [], None, blobs[new_map[p]]) for p in added],
            removed=[PartyChange(p, "removed", [], blobs[old_map[p]], None) for p in removed],
            changed=changes,
            unchanged=len(common) - len(changed),
        )

    def _blob_map(self, version_id: int) -> dict[str, str]:
        rows = self._query(
            "SELECT party_id, blob_hash FROM version_party WHERE version_id = ?", (version_id,)
        )
        return {pid: h for pid, h in rows}

    def _load_blobs(self, hashes: Iterable[str]) -> dict[str, Party]:
        ordered = sorted(hashes)
        out: dict[str, Party] = {}
        for start in range(0, len(ordered), _IN_CHUNK):
            chunk = ordered[start : start + _IN_CHUNK]
            marks = ", ".join("?" * len(chunk))
            for h, data in self._query(f"SELECT hash, data FROM party_blob WHERE hash IN ({marks})", chunk):
                out[h] = _load_party(data)
        return out

    # ------------------------------------------------------------------ internals

    def _iter_parties(self, version_ids: list[int]) -> Iterator[Party]:
        # Keyset pages, each a complete statement: no cursor stays open between yields,
        # so the caller may use the store (even import) while iterating. Versions are
        # immutable, so the pages of one version are consistent with each other.
        for version_id in version_ids:
            last = ""
            while True:
                rows = self._query(
                    "SELECT vp.party_id, b.data FROM version_party vp "
                    "JOIN party_blob b ON b.hash = vp.blob_hash "
                    "WHERE vp.version_id = ? AND vp.party_id > ? ORDER BY vp.party_id LIMIT ?",
                    (version_id, last, _BATCH),
                )
                for _pid, data in rows:
                    yield _load_party(data)
                if len(rows) < _BATCH:
                    break
                last = rows[-1][0]

    def _find_version(self, source: str, content_hash: str) -> ListVersion | None:
        rows = self._query(
            f"SELECT {_VERSION_COLUMNS} FROM list_version WHERE source = ? AND content_hash = ?",
            (source, content_hash),
        )
        return self._version(rows[0]) if rows else None

    @staticmethod
    def _version(row: Sequence[Any]) -> ListVersion:
        return ListVersion(
            id=int(row[0]),
            source=row[1],
            published=row[2],
            fetched_at=row[3],
            imported_at=row[4],
            origin=row[5],
            content_hash=row[6],
            counts={str(k): int(v) for k, v in json.loads(row[7]).items()},
            party_count=int(row[8]),
        )

    def _migrate(self) -> None:
        latest = MIGRATIONS[-1].number
        if self._table_exists("schema_migrations"):
            applied = self._query("SELECT MAX(version) FROM schema_migrations")[0][0]
            if applied == latest:
                return
        with self._write():
            self._query(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            done = {int(row[0]) for row in self._query("SELECT version FROM schema_migrations")}
            if done and max(done) > latest:
                raise StoreError(
                    f"the store's schema is at migration {max(done)}, newer than this Vigil "
                    f"knows ({latest}); upgrade Vigil"
                )
            for migration in MIGRATIONS:
                if migration.number in done:
                    continue
                for step in steps_for(migration, self.dialect):
                    self._query(step)
                self._query(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.number, migration.name, _now()),
                )
                logger.info("store migration %d applied: %s", migration.number, migration.name)

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement through the backend, turning driver errors into StoreError."""
        if self._closed:
            raise StoreError("the store is closed")
        try:
            return self._execute(sql, params)
        except self.db_errors as exc:
            raise StoreError(f"{self.dialect} store: {exc}") from exc

    def _bulk_insert(
        self,
        table: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        conflict: str | None = None,
    ) -> None:
        """Insert many rows (inside the current transaction), batch by batch.

        With ``conflict`` (a key column), rows whose key exists are skipped.
        Backends with a faster bulk path override this.
        """
        if not rows:
            return
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        if conflict is not None:
            sql += f" ON CONFLICT ({conflict}) DO NOTHING"
        try:
            for start in range(0, len(rows), _BATCH):
                self._executemany(sql, rows[start : start + _BATCH])
        except self.db_errors as exc:
            raise StoreError(f"{self.dialect} store: {exc}") from exc

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction holding the backend's writer lock; rolled back on any error."""
        if self._closed:
            raise StoreError("the store is closed")
        try:
            self._begin()
        except self.db_errors as exc:
            raise StoreError(f"{self.dialect} store: cannot begin a transaction: {exc}") from exc
        try:
            yield
        except BaseException:
            self._safe_rollback()
            raise
        try:
            self._commit()
        except self.db_errors as exc:
            self._safe_rollback()
            raise StoreError(f"{self.dialect} store: commit failed, nothing written: {exc}") from exc

    def _safe_rollback(self) -> None:
        try:
            self._rollback()
        except self.db_errors:
            # The original error matters more; a failed rollback leaves the database
            # to discard the transaction itself (as after a crash).
            logger.exception("%s store: rollback failed", self.dialect)

    def _table_exists(self, name: str) -> bool:
        """Whether a table exists in the store's schema (SQL-standard catalogue)."""
        rows = self._query(
            "SELECT COUNT(*) FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_name = ?",
            (name,),
        )
        return bool(rows[0][0])

    # ------------------------------------------------------------------ backend hooks

    @classmethod
    @abc.abstractmethod
    def from_url(cls, url: str) -> Store:
        """Open the store a URL of this backend's scheme names (see :func:`vigil.store.open_store`)."""

    @abc.abstractmethod
    def _execute(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Run one statement (``?`` placeholders); return its rows, [] if it has none."""

    @abc.abstractmethod
    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one DML statement for each row."""

    @abc.abstractmethod
    def _begin(self) -> None:
        """Begin a write transaction, taking the lock that serialises writers."""

    @abc.abstractmethod
    def _commit(self) -> None:
        """Commit the current transaction."""

    @abc.abstractmethod
    def _rollback(self) -> None:
        """Roll back the current transaction."""

    @abc.abstractmethod
    def _close(self) -> None:
        """Close the connection."""
