"""The hash-chained audit log: its format, tamper detection and concurrent appends, on every backend."""

from __future__ import annotations

import hashlib
import json
import random
import threading
from collections.abc import Callable
from typing import Any

import pytest

from tests.store.factories import make_list, make_party
from vigil.store import Store, open_store
from vigil.store.workflow import GENESIS_HASH, AlertItem, AuditReport, Customer

COLUMNS = 'seq, "at", actor, action, subject, payload, prev_hash, hash'


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def expected_hash(prev: str, seq: int, at: str, actor: str, action: str, subject: str, payload: Any) -> str:
    """The documented formula, written out independently of the implementation."""
    body = canonical(
        {"seq": seq, "at": at, "actor": actor, "action": action, "subject": subject, "payload": payload}
    )
    return hashlib.sha256((prev + body).encode()).hexdigest()


def fill(store: Store, rounds: int = 6) -> None:
    """A realistic mix of audited changes (about 10 records per round)."""
    store.import_version(make_list([make_party("KPi.001")]), origin="a", content_hash="h1")
    for i in range(rounds):
        store.upsert_customers([Customer(id=f"c{i}", name=f"김 철 {i}")], actor="sync")
        run = store.start_run("batch", actor="ann", params={"threshold": 0.8}, list_versions={"un_sc": 1})
        created = store.raise_alerts(
            run.id,
            [
                AlertItem(
                    customer_id=f"c{i}",
                    query={"name": f"김 철 {i}"},
                    party_id="un_sc:KPi.001",
                    group_id="un:KPi.001",
                    score=0.8 + i / 100,
                    explanation={"method": "m", "name_score": 0.8},
                    list_versions={"un_sc": 1},
                ),
                AlertItem(
                    customer_id=f"c{i}",
                    query={"name": "x"},
                    party_id="un_sc:KPi.002",
                    group_id="un:KPi.002",
                    score=0.7,
                    explanation={},
                    list_versions={"un_sc": 1},
                    kind="crypto",
                ),
            ],
        ).created
        store.dispose(created[0], "false_positive", f"dob differs ({i})", "ann", expected_row_version=1)
        entry = store.add_allow(f"c{i}", "un:KPi.001", "h", "different person", "bob")
        store.revoke_allow(entry.id, "re-review", actor="lead")
        store.finish_run(run.id, counts={"alerts": 2})


def rows(store: Store) -> list[tuple[Any, ...]]:
    return store._query(f"SELECT {COLUMNS} FROM audit_log ORDER BY seq")


# ---------------------------------------------------------------- format


def test_chain_format_is_the_documented_one(store: Store) -> None:
    assert store.audit_head() is None
    assert store.audit_verify() == AuditReport(ok=True, records=0)
    fill(store, rounds=2)
    stored = rows(store)
    assert [int(r[0]) for r in stored] == list(range(1, len(stored) + 1))
    prev = GENESIS_HASH
    for seq, at, actor, action, subject, payload, prev_hash, digest in stored:
        assert prev_hash == prev
        assert payload == canonical(json.loads(payload))
        assert digest == expected_hash(prev, int(seq), at, actor, action, subject, json.loads(payload))
        assert at.endswith("Z")
        prev = digest
    assert store.audit_head() == (len(stored), prev)
    assert store.audit_verify(anchor=store.audit_head()) == AuditReport(ok=True, records=len(stored))


def test_reading_records(store: Store) -> None:
    fill(store, rounds=3)
    everything = store.audit_records(limit=10_000)
    assert [r.seq for r in everything] == list(range(1, len(everything) + 1))
    assert [r.seq for r in store.audit_records(since_seq=5, limit=3)] == [6, 7, 8]
    disposals = store.audit_records(action="alert.dispose")
    assert len(disposals) == 3
    assert {r.actor for r in disposals} == {"ann"}
    subject = disposals[0].subject
    assert [r.action for r in store.audit_records(subject=subject)] == ["alert.raise", "alert.dispose"]
    assert everything[0].action == "list.import" and everything[0].prev_hash == GENESIS_HASH


# ---------------------------------------------------------------- tampering


class _Undo(Exception):
    """Raised to roll back a tampering transaction."""


Tamper = Callable[[Store, int, int], None]


def _set(store: Store, seq: int, **values: Any) -> None:
    columns = ", ".join(f'"{k}" = ?' for k in values)
    store._query(f"UPDATE audit_log SET {columns} WHERE seq = ?", (*values.values(), seq))


def _change_payload(store: Store, seq: int, last: int) -> None:
    payload = json.loads(store._query("SELECT payload FROM audit_log WHERE seq = ?", (seq,))[0][0])
    key = sorted(payload)[0] if payload else "added"
    payload[key] = "tampered" if payload.get(key) != "tampered" else "tampered again"
    _set(store, seq, payload=canonical(payload))


def _change_payload_spacing(store: Store, seq: int, last: int) -> None:
    payload = json.loads(store._query("SELECT payload FROM audit_log WHERE seq = ?", (seq,))[0][0])
    _set(store, seq, payload=json.dumps(payload, sort_keys=True))  # same content, other bytes


def _change_actor(store: Store, seq: int, last: int) -> None:
    _set(store, seq, actor="mallory")


def _change_time(store: Store, seq: int, last: int) -> None:
    _set(store, seq, at="2020-01-01T00:00:00.000000Z")


def _delete(store: Store, seq: int, last: int) -> None:
    store._query("DELETE FROM audit_log WHERE seq = ?", (seq,))


def _swap_content(store: Store, seq: int, last: int) -> None:
    other = seq + 1 if seq < last else seq - 1
    fields: tuple[str, ...] = ("at", "actor", "action", "subject", "payload")
    a, b = (
        store._query('SELECT "at", actor, action, subject, payload FROM audit_log WHERE seq = ?', (s,))[0]
        for s in (seq, other)
    )
    if tuple(a) == tuple(b):  # identical content: swap whole records instead
        fields = (*fields, "prev_hash", "hash")
        a, b = (
            store._query(
                'SELECT "at", actor, action, subject, payload, prev_hash, hash FROM audit_log WHERE seq = ?',
                (s,),
            )[0]
            for s in (seq, other)
        )
    _set(store, seq, **dict(zip(fields, b, strict=True)))
    _set(store, other, **dict(zip(fields, a, strict=True)))


def _swap_records(store: Store, seq: int, last: int) -> None:
    """Reorder: two whole records (hashes included) change places."""
    other = seq + 1 if seq < last else seq - 1
    cols = 'SELECT "at", actor, action, subject, payload, prev_hash, hash FROM audit_log WHERE seq = ?'
    fields = ("at", "actor", "action", "subject", "payload", "prev_hash", "hash")
    a, b = (store._query(cols, (s,))[0] for s in (seq, other))
    _set(store, seq, **dict(zip(fields, b, strict=True)))
    _set(store, other, **dict(zip(fields, a, strict=True)))


def _edit_hash(store: Store, seq: int, last: int) -> None:
    digest = store._query("SELECT hash FROM audit_log WHERE seq = ?", (seq,))[0][0]
    _set(store, seq, hash=("0" if digest[0] != "0" else "1") + digest[1:])


def _insert(store: Store, seq: int, last: int) -> None:
    """A forged record slipped in before ``seq``: later ones renumbered, its own hash correct."""
    later = store._query(f"SELECT {COLUMNS} FROM audit_log WHERE seq >= ? ORDER BY seq", (seq,))
    store._query("DELETE FROM audit_log WHERE seq >= ?", (seq,))
    prev = later[0][6]
    at = later[0][1]
    payload = {"note": "forged"}
    forged = (seq, at, "mallory", "allow.add", "allow:999", canonical(payload), prev)
    forged_hash = expected_hash(prev, seq, at, "mallory", "allow.add", "allow:999", payload)
    marks = ", ".join("?" * 8)
    store._query(f"INSERT INTO audit_log ({COLUMNS}) VALUES ({marks})", (*forged, forged_hash))
    for row in later:
        store._query(f"INSERT INTO audit_log ({COLUMNS}) VALUES ({marks})", (int(row[0]) + 1, *row[1:]))


TAMPERS: dict[str, Tamper] = {
    "change payload": _change_payload,
    "reformat payload": _change_payload_spacing,
    "change actor": _change_actor,
    "change time": _change_time,
    "delete": _delete,
    "swap content": _swap_content,
    "swap records": _swap_records,
    "edit hash": _edit_hash,
    "insert": _insert,
}


def _tampered_report(
    store: Store, tamper: Tamper, seq: int, last: int, anchor: tuple[int, str]
) -> AuditReport:
    report: AuditReport | None = None
    with pytest.raises(_Undo), store._write():
        tamper(store, seq, last)
        report = store.audit_verify(anchor=anchor)
        raise _Undo
    assert report is not None
    return report


def test_every_tampering_is_detected(store: Store) -> None:
    fill(store, rounds=5)
    head = store.audit_head()
    assert head is not None
    last = head[0]
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    picked = sorted({1, last, *rng.sample(range(1, last + 1), 12)})
    detected = 0
    for seq in picked:
        for name, tamper in TAMPERS.items():
            report = _tampered_report(store, tamper, seq, last, head)
            context = f"seed={seed} seq={seq} tamper={name}: {report}"
            assert not report.ok, context
            assert report.problem, context
            assert report.first_bad_seq is not None, context
            # Found at the tampered record, or (a swap with the one before) just there.
            assert report.first_bad_seq in (seq - 1, seq, seq + 1), context
            detected += 1
    assert detected == len(picked) * len(TAMPERS)
    # Every tampering was rolled back: the log is intact.
    assert store.audit_verify(anchor=head) == AuditReport(ok=True, records=last)


def test_truncation_and_recomputed_chains_need_an_anchor(store: Store) -> None:
    fill(store, rounds=1)
    head = store.audit_head()
    assert head is not None
    last = head[0]

    def recompute_after_edit(s: Store, seq: int, _: int) -> None:
        _change_payload(s, seq, last)
        prev = s._query("SELECT prev_hash FROM audit_log WHERE seq = ?", (seq,))[0][0]
        for row in s._query(f"SELECT {COLUMNS} FROM audit_log WHERE seq >= ? ORDER BY seq", (seq,)):
            digest = expected_hash(prev, int(row[0]), row[1], row[2], row[3], row[4], json.loads(row[5]))
            _set(s, int(row[0]), prev_hash=prev, hash=digest)
            prev = digest

    for tamper in (_delete, recompute_after_edit):
        report = _tampered_report(store, tamper, last, last, head)
        assert not report.ok
        with pytest.raises(_Undo), store._write():
            tamper(store, last, last)
            # Without an anchor a consistent chain cannot tell (documented limitation).
            assert store.audit_verify().ok
            raise _Undo
    # The anchor also catches a log truncated before it.
    with pytest.raises(_Undo), store._write():
        store._query("DELETE FROM audit_log WHERE seq >= ?", (last - 2,))
        report = store.audit_verify(anchor=head)
        assert not report.ok and report.first_bad_seq == last - 2
        raise _Undo


def test_import_audit_is_in_the_import_transaction(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.import_version(make_list([make_party("KPi.001")]), origin="a", content_hash="h1", actor="updater")
    again = store.import_version(make_list([make_party("KPi.001")]), origin="a", content_hash="h1")
    assert not again.created  # nothing imported, nothing audited

    real_append = store._audit_append

    def append_then_fail(records: Any) -> None:
        real_append(records)
        raise RuntimeError("crash after the audit record (simulated)")

    monkeypatch.setattr(store, "_audit_append", append_then_fail)
    with pytest.raises(RuntimeError, match="simulated"):
        store.import_version(make_list([make_party("KPi.002")]), origin="b", content_hash="h2")
    monkeypatch.undo()
    assert [v.content_hash for v in store.versions()] == ["h1"]
    [record] = store.audit_records()
    assert (record.actor, record.action, record.subject) == ("updater", "list.import", "list_version:1")
    assert record.payload["party_count"] == 1
    assert record.payload["content_hash"] == "h1"
    assert record.payload["source"] == "un_sc"


# ---------------------------------------------------------------- concurrency


def test_concurrent_appends_keep_one_chain(store_url: str) -> None:
    if store_url.startswith("duckdb"):
        pytest.skip("a DuckDB file has one writing process")
    writers, each = 6, 12
    with open_store(store_url):
        pass  # migrate once, before the writers race
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            with open_store(store_url) as own:
                barrier.wait()
                for i in range(each):
                    if i % 3 == 0:
                        own.upsert_customers([Customer(id=f"w{n}-{i}", name="X")], actor=f"w{n}")
                    elif i % 3 == 1:
                        own.start_run("monitor", actor=f"w{n}")
                    else:
                        own.add_allow(f"w{n}", f"g{i}", "h", "r", f"w{n}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    with open_store(store_url) as store:
        report = store.audit_verify()
        assert report == AuditReport(ok=True, records=writers * each)
        by_actor: dict[str, int] = {}
        for record in store.audit_records(limit=10_000):
            by_actor[record.actor] = by_actor.get(record.actor, 0) + 1
        assert by_actor == {f"w{n}": each for n in range(writers)}
