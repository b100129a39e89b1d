"""API keys in the store, on every backend: shown once, stored hashed, revoked at once, audited."""

from __future__ import annotations

import pytest

from tests.store.conftest import store, store_url  # noqa: F401  (the every-backend fixtures)
from vigil.errors import InputError, NotFoundError
from vigil.store.base import Store
from vigil.store.keys import KEY_PREFIX, hash_key


def test_key_lifecycle(store: Store) -> None:  # noqa: F811
    issued = store.create_key("alice", "reviewer", actor="admin@bank")
    assert issued.plain.startswith(KEY_PREFIX) and len(issued.plain) > 40
    assert store.check_key(issued.plain) == "reviewer"
    assert store.identify_key(issued.plain) == issued.key
    assert store.check_key(issued.plain + "x") is None
    assert store.check_key("") is None
    stored = store._query("SELECT key_hash FROM api_key")
    assert stored == [(hash_key(issued.plain),)]

    other = store.create_key("bob", "viewer")
    assert [k.name for k in store.list_keys()] == ["alice", "bob"]
    revoked = store.revoke_key(issued.key.id, actor="admin@bank")
    assert revoked.revoked_at is not None
    assert store.check_key(issued.plain) is None
    assert store.check_key(other.plain) == "viewer"
    assert [k.name for k in store.list_keys()] == ["bob"]
    assert [k.name for k in store.list_keys(include_revoked=True)] == ["alice", "bob"]
    with pytest.raises(InputError):
        store.revoke_key(issued.key.id)
    with pytest.raises(NotFoundError):
        store.revoke_key(999)

    records = store.audit_records(limit=100)
    assert [(r.action, r.actor) for r in records] == [
        ("key.create", "admin@bank"),
        ("key.create", "system"),
        ("key.revoke", "admin@bank"),
    ]
    assert all(
        issued.plain not in str(r.payload) and hash_key(issued.plain) not in str(r.payload) for r in records
    )
    assert store.audit_verify().ok


def test_bad_names_and_roles_are_refused(store: Store) -> None:  # noqa: F811
    with pytest.raises(InputError):
        store.create_key(" ", "viewer")
    with pytest.raises(InputError):
        store.create_key("carol", "root")
    assert store.list_keys(include_revoked=True) == []
