"""Tampering with the audit log is detected in 100 % of cases: every record, every field, every kind.

Extends tests/store/test_audit.py (a random sample of records, one edit per kind) to an
exhaustive run over a real log: the bundled UN list imported, customers loaded, a batch run
raising alerts, dispositions with four eyes, allowlist entries added and revoked. For EVERY
record: each column changed (seq, time, actor, action, subject, payload, prev_hash, hash),
each top-level payload value changed, the record deleted, swapped with its neighbour (content
only, and whole rows with their hashes) and a forged record inserted before it. Each tampering
runs in a transaction that is rolled back, so every case starts from the intact log.

``store.audit_verify(anchor=head)`` must fail at the tampered record (or its swapped
neighbour) every time. Without an anchor, the same holds for every case except deleting the
LAST record, which a hash chain alone cannot tell from a log that simply ended there (the
documented limitation; keep the head somewhere else, see docs/SECURITY.md). ``vigil audit
verify`` is the command users run: it is checked on one case of each kind.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.store.test_audit import COLUMNS, canonical, expected_hash
from vigil.lists.importing import import_files
from vigil.lists.snapshot import snapshot_dir, snapshot_manifest
from vigil.store import Store, open_store
from vigil.store.workflow import AlertItem, AuditReport, Customer

REPO_ROOT = Path(__file__).resolve().parents[2]
FIELDS = ("seq", "at", "actor", "action", "subject", "payload", "prev_hash", "hash")

pytestmark = pytest.mark.slow


class _Undo(Exception):
    """Raised to roll back a tampering transaction."""


def real_log(store: Store) -> None:
    """The audit trail of a day's work, written through the store's own API."""
    un = next(e for e in snapshot_manifest() if e.source == "un_sc")
    import_files(store, "un_sc", {r: snapshot_dir() / n for r, n in un.files.items()}, origin="snapshot")
    store.upsert_customers(
        [
            Customer(id=f"C-{i}", name=name)
            for i, name in enumerate(["Ri Won Ho", "Kim Chol", "Pak Ung Chol"])
        ],
        actor="loader",
    )
    run = store.start_run("batch", actor="ann", params={"threshold": 0.8}, list_versions={"un_sc": 1})
    ids = store.raise_alerts(
        run.id,
        [
            AlertItem(
                customer_id=f"C-{i}",
                query={"name": f"customer {i}"},
                party_id=f"un_sc:KPi.0{30 + i}",
                group_id=f"un:KPi.0{30 + i}",
                score=0.8 + i / 50,
                explanation={"method": "vigil-v1", "name_score": 0.9},
                list_versions={"un_sc": 1},
            )
            for i in range(3)
        ],
    ).created
    store.finish_run(run.id, counts={"alerts": 3})
    store.dispose(
        ids[0], "true_match", "same passport PD472310082", "ann", expected_row_version=1, four_eyes=True
    )
    store.dispose(ids[0], "confirm", "agree", "bob", expected_row_version=2)
    store.dispose(ids[1], "false_positive", "date of birth differs", "bob", expected_row_version=1)
    store.dispose(ids[2], "escalate", "unclear; ask the branch", "ann", expected_row_version=1)
    entry = store.add_allow("C-1", "un:KPi.031", "h", "different person, checked", "bob")
    store.revoke_allow(entry.id, "re-review after list change", actor="lead")
    store.upsert_customers([Customer(id="C-0", name="Ri Won-ho", country="KP")], actor="loader")
    store.delete_customers(["C-2"], actor="loader")
    store.create_key("carol", "reviewer")


def _set(store: Store, where_seq: int, **values: Any) -> None:
    columns = ", ".join(f'"{k}" = ?' for k in values)
    store._query(f"UPDATE audit_log SET {columns} WHERE seq = ?", (*values.values(), where_seq))


def _row(store: Store, seq: int) -> tuple[Any, ...]:
    return tuple(store._query(f"SELECT {COLUMNS} FROM audit_log WHERE seq = ?", (seq,))[0])


def _other(value: Any, field: str) -> Any:
    """A different value of the same kind, as a tamperer would write it."""
    if field == "seq":
        return int(value) + 100_000
    if field in ("prev_hash", "hash"):
        return ("0" if value[0] != "0" else "1") + value[1:]
    if field == "at":
        return (
            "2020-01-01T00:00:00.000000Z"
            if value != "2020-01-01T00:00:00.000000Z"
            else "2021-01-01T00:00:00Z"
        )
    if field == "payload":
        payload = json.loads(value)
        payload["note"] = "added later"
        return canonical(payload)
    return f"{value}-x"


Tamper = Callable[[Store, int, int], None]


def tampers(store: Store, last: int) -> list[tuple[str, int, Tamper, tuple[int, ...]]]:
    """(description, seq, tamper, the seqs where detection may point) for the whole log."""
    cases: list[tuple[str, int, Tamper, tuple[int, ...]]] = []
    for seq in range(1, last + 1):
        row = dict(zip(FIELDS, _row(store, seq), strict=True))
        for field in FIELDS:

            def change(s: Store, n: int, _: int, field: str = field, value: Any = row[field]) -> None:
                _set(s, n, **{field: _other(value, field)})

            cases.append((f"change {field}", seq, change, (seq,)))
        for key in json.loads(row["payload"]):

            def change_key(s: Store, n: int, _: int, key: str = key, text: str = row["payload"]) -> None:
                payload = json.loads(text)
                old = payload[key]
                payload[key] = "tampered" if old != "tampered" else "tampered again"
                if isinstance(old, int | float) and not isinstance(old, bool):
                    payload[key] = old + 1  # a figure changed, as an examiner would fear
                _set(s, n, payload=canonical(payload))

            cases.append((f"change payload[{key}]", seq, change_key, (seq,)))

        def reformat(s: Store, n: int, _: int, text: str = row["payload"]) -> None:
            _set(s, n, payload=json.dumps(json.loads(text), sort_keys=True))  # same content, other bytes

        cases.append(("reformat payload", seq, reformat, (seq,)))

        def delete(s: Store, n: int, _: int) -> None:
            s._query("DELETE FROM audit_log WHERE seq = ?", (n,))

        cases.append(("delete", seq, delete, (seq,)))
        if seq < last:

            def swap_content(s: Store, n: int, _: int) -> None:
                fields = ("at", "actor", "action", "subject", "payload")
                a, b = (
                    s._query(
                        'SELECT "at", actor, action, subject, payload FROM audit_log WHERE seq = ?', (k,)
                    )[0]
                    for k in (n, n + 1)
                )
                _set(s, n, **dict(zip(fields, b, strict=True)))
                _set(s, n + 1, **dict(zip(fields, a, strict=True)))

            def swap_rows(s: Store, n: int, _: int) -> None:
                fields = FIELDS[1:]
                a, b = (_row(s, k)[1:] for k in (n, n + 1))
                _set(s, n, **dict(zip(fields, b, strict=True)))
                _set(s, n + 1, **dict(zip(fields, a, strict=True)))

            cases.append(("swap content with next", seq, swap_content, (seq, seq + 1)))
            cases.append(("swap rows with next", seq, swap_rows, (seq, seq + 1)))

        def insert(s: Store, n: int, _: int) -> None:
            later = s._query(f"SELECT {COLUMNS} FROM audit_log WHERE seq >= ? ORDER BY seq", (n,))
            s._query("DELETE FROM audit_log WHERE seq >= ?", (n,))
            prev, at = later[0][6], later[0][1]
            payload = {"note": "forged"}
            digest = expected_hash(prev, n, at, "mallory", "allow.add", "allow:999", payload)
            marks = ", ".join("?" * 8)
            forged = (n, at, "mallory", "allow.add", "allow:999", canonical(payload), prev, digest)
            s._query(f"INSERT INTO audit_log ({COLUMNS}) VALUES ({marks})", forged)
            for r in reversed(later):
                s._query(f"INSERT INTO audit_log ({COLUMNS}) VALUES ({marks})", (int(r[0]) + 1, *r[1:]))

        cases.append(("insert before", seq, insert, (seq, seq + 1)))
    return cases


def _report(store: Store, tamper: Tamper, seq: int, last: int, anchor: tuple[int, str] | None) -> AuditReport:
    report: AuditReport | None = None
    with pytest.raises(_Undo), store._write():
        tamper(store, seq, last)
        report = store.audit_verify(anchor=anchor)
        raise _Undo
    assert report is not None
    return report


def test_every_tampering_of_every_record_is_detected(url: str) -> None:
    with open_store(url) as store:
        real_log(store)
        head = store.audit_head()
        assert head is not None
        last = head[0]
        assert last >= 15, last
        cases = tampers(store, last)
        detected = missed_without_anchor = 0
        for name, seq, tamper, where in cases:
            context = f"{name} at record {seq} of {last}"
            report = _report(store, tamper, seq, last, head)
            assert not report.ok, context
            assert report.problem, context
            assert report.first_bad_seq in where, f"{context}: reported at {report.first_bad_seq}"
            detected += 1
            plain = _report(store, tamper, seq, last, None)
            if name == "delete" and seq == last:
                assert plain.ok  # the documented limitation: only an anchor catches a cut tail
                missed_without_anchor += 1
                continue
            assert not plain.ok and plain.first_bad_seq in where, f"{context} (no anchor): {plain}"
        assert detected == len(cases) >= last * 12
        assert missed_without_anchor == 1
        # Every tampering was rolled back: the log is intact.
        assert store.audit_verify(anchor=head) == AuditReport(ok=True, records=last)


def _cli_verify(url: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VIGIL_DATABASE_URL": url, "VIGIL_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "vigil.cli.main", "audit", "verify", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=REPO_ROOT,
    )


def test_vigil_audit_verify_reports_each_kind_of_tampering(tmp_path: Path) -> None:
    """The command users run: exit code 1 and the first bad record, for one case of each kind."""
    template = tmp_path / "template.sqlite3"
    with open_store(f"sqlite:///{template}") as store:
        real_log(store)
        head = store.audit_head()
        assert head is not None
        last = head[0]
    intact = _cli_verify(f"sqlite:///{template}", tmp_path)
    assert intact.returncode == 0, intact.stderr
    assert json.loads(intact.stdout)["ok"] is True
    target = last // 2
    kinds = ("change payload", "delete", "swap rows with next")
    for kind in kinds:
        path = tmp_path / f"{kind.replace(' ', '-')}.sqlite3"
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
        with open_store(url) as store:
            _, seq, tamper, where = next(c for c in tampers(store, last) if c[0] == kind and c[1] == target)
            with store._write():
                tamper(store, seq, last)
        result = _cli_verify(url, tmp_path)
        assert result.returncode == 1, f"{kind}: {result.stdout} {result.stderr}"
        data = json.loads(result.stdout)
        assert data["ok"] is False and data["first_bad_seq"] in where, f"{kind}: {data}"


def test_vigil_audit_verify_anchor_finds_the_newest_records_cut_off(tmp_path: Path) -> None:
    """A chain cut short still links: only a head kept elsewhere (``--anchor SEQ:HASH``) shows the loss."""
    path = tmp_path / "log.sqlite3"
    url = f"sqlite:///{path}"
    with open_store(url) as store:
        real_log(store)
        head = store.audit_head()
        assert head is not None
        with store._write():
            store._execute("DELETE FROM audit_log WHERE seq >= ?", (head[0] - 1,))
    plain = _cli_verify(url, tmp_path)
    assert plain.returncode == 0 and json.loads(plain.stdout)["ok"] is True
    env = {**os.environ, "VIGIL_DATABASE_URL": url, "VIGIL_HOME": str(tmp_path)}
    anchored = subprocess.run(
        [
            sys.executable,
            "-m",
            "vigil.cli.main",
            "audit",
            "verify",
            "--json",
            "--anchor",
            f"{head[0]}:{head[1]}",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=REPO_ROOT,
    )
    assert anchored.returncode == 1, anchored.stdout + anchored.stderr
    assert f"anchored record {head[0]} is missing" in json.loads(anchored.stdout)["problem"]
    bad = subprocess.run(
        [sys.executable, "-m", "vigil.cli.main", "audit", "verify", "--anchor", "latest"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=REPO_ROOT,
    )
    assert bad.returncode == 2 and "SEQ:HASH" in bad.stderr
