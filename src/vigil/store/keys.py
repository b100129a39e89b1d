"""API keys of the REST service, kept in the store: only their sha256 is ever written.

:class:`KeyStore` is a mixin of :class:`~vigil.store.base.Store`, written over the same
portable hooks as the workflow, so every backend has it. A key is shown once, when it is
created (:meth:`KeyStore.create_key`); afterwards the store can only tell whether a key
presented is valid (:meth:`KeyStore.check_key`). Keys are revoked, never deleted, and both
creation and revocation are audited (``key.create``, ``key.revoke``) without the key or
its hash.

A key's ``name`` says who uses it (a person or a system): it is the actor the API records
in the audit log and in dispositions, so two keys of one name count as one reviewer for
the four-eyes rule.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

from vigil.errors import InputError, NotFoundError

__all__ = ["KEY_PREFIX", "ROLES", "ApiKey", "IssuedKey", "KeyStore", "Role", "hash_key"]

Role = Literal["viewer", "reviewer", "admin"]
#: Roles from least to most rights: each role may do what the ones before it may.
ROLES: tuple[Role, ...] = get_args(Role)
#: Every key starts with this, so a leaked key is recognisable by secret scanners.
KEY_PREFIX = "vigil_"

_KEY_COLUMNS = "id, name, role, created_at, revoked_at"


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A stored API key (without the key): ``revoked_at`` None while it is valid."""

    id: int
    name: str
    role: Role
    created_at: str
    revoked_at: str | None


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A key just created: ``plain`` is the key itself, shown this once and never stored."""

    key: ApiKey
    plain: str


def hash_key(plain: str) -> str:
    """The stored form of a key: sha256, hex."""
    return hashlib.sha256(plain.encode()).hexdigest()


class KeyStore:
    """API keys of a store: create, list, revoke, check."""

    if TYPE_CHECKING:
        # Provided by vigil.store.base.Store and vigil.store.workflow.WorkflowStore.
        def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

        def _write(self) -> AbstractContextManager[None]: ...

        def _now_stamp(self) -> str: ...

        def _next_id(self, table: str) -> int: ...

        def _audit_append(self, records: Sequence[tuple[str, str, str, Mapping[str, Any]]]) -> None: ...

    def create_key(self, name: str, role: str, *, actor: str = "system") -> IssuedKey:
        """Create a key for ``name`` with ``role``; the plain key is in the result, and only there."""
        name = (name or "").strip()
        if not name:
            raise InputError("an API key needs a name (who uses it)")
        if role not in ROLES:
            raise InputError(f"unknown role {role!r} (known: {', '.join(ROLES)})")
        plain = KEY_PREFIX + secrets.token_urlsafe(32)
        now = self._now_stamp()
        with self._write():
            key_id = self._next_id("api_key")
            self._query(
                f"INSERT INTO api_key ({_KEY_COLUMNS}, key_hash) VALUES (?, ?, ?, ?, ?, ?)",
                (key_id, name, role, now, None, hash_key(plain)),
            )
            self._audit_append([(actor, "key.create", f"api_key:{key_id}", {"name": name, "role": role})])
        return IssuedKey(key=self.get_key(key_id), plain=plain)

    def get_key(self, key_id: int) -> ApiKey:
        """One key's record; :class:`NotFoundError` if unknown."""
        rows = self._query(f"SELECT {_KEY_COLUMNS} FROM api_key WHERE id = ?", (key_id,))
        if not rows:
            raise NotFoundError(f"no API key {key_id}")
        return self._key(rows[0])

    def list_keys(self, *, include_revoked: bool = False) -> list[ApiKey]:
        """Keys by id; only valid ones unless ``include_revoked``."""
        where = "" if include_revoked else " WHERE revoked_at IS NULL"
        return [
            self._key(row) for row in self._query(f"SELECT {_KEY_COLUMNS} FROM api_key{where} ORDER BY id")
        ]

    def revoke_key(self, key_id: int, *, actor: str = "system") -> ApiKey:
        """Revoke a key at once; :class:`InputError` if it is revoked already."""
        now = self._now_stamp()
        with self._write():
            key = self.get_key(key_id)
            if key.revoked_at is not None:
                raise InputError(f"API key {key_id} was revoked already at {key.revoked_at}")
            self._query("UPDATE api_key SET revoked_at = ? WHERE id = ?", (now, key_id))
            self._audit_append(
                [(actor, "key.revoke", f"api_key:{key_id}", {"name": key.name, "role": key.role})]
            )
        return self.get_key(key_id)

    def identify_key(self, plain: str) -> ApiKey | None:
        """The valid key ``plain`` is, or None (unknown, revoked, or not a key at all)."""
        if not plain or not plain.startswith(KEY_PREFIX):
            return None
        rows = self._query(
            f"SELECT {_KEY_COLUMNS} FROM api_key WHERE key_hash = ? AND revoked_at IS NULL",
            (hash_key(plain),),
        )
        return self._key(rows[0]) if rows else None

    def check_key(self, plain: str) -> Role | None:
        """The role of a valid key, or None."""
        key = self.identify_key(plain)
        return None if key is None else key.role

    @staticmethod
    def _key(row: Sequence[Any]) -> ApiKey:
        return ApiKey(id=int(row[0]), name=row[1], role=row[2], created_at=row[3], revoked_at=row[4])
