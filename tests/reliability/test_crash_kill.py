"""SIGKILL at random moments during a list import, a screening batch and a disposition.

Extends tests/store/test_crash_safety.py (a few kills of one big SQLite import, subprocesses)
to many kills (100 per scenario and backend; ``VIGIL_QUICK=1``: 10; ``VIGIL_CRASH_TRIALS=<n>``)
of the three kinds of write a user makes, on SQLite and PostgreSQL. The writer is a forked
child holding its own store connection; the parent kills it after a random delay spread over
the operation's measured duration (and a bit past it, so some kills land after the commit).

After every kill the store is reopened and must show exactly the state before the operation
or exactly the state after it, never a mix: the list version with all its parties or none,
all alerts of a batch or none, the disposition together with the alert's new status and row
version or neither. The audit log must verify against the head taken before the operation
(no record lost or altered) and hold exactly the records of what committed. The store stays
writable: the next trial writes on top of it.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.store.factories import bulk_list
from vigil.store import Store, open_store
from vigil.store.workflow import AlertItem, Customer

QUICK = os.environ.get("VIGIL_QUICK", "").strip() not in ("", "0")
TRIALS = int(os.environ.get("VIGIL_CRASH_TRIALS") or (10 if QUICK else 100))
IMPORT_PARTIES = 250
BATCH = 100

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL"),
]


# ---------------------------------------------------------------- the killing


def run_in_child(url: str, work: Callable[[Store], None], kill_after: float | None) -> tuple[bool, float]:
    """Fork; the child opens ``url`` and runs ``work``; kill it ``kill_after`` s after it starts.

    Returns (finished, seconds): whether the child reported success before the kill, and how
    long the work ran (up to the kill). A child that fails by itself (an exception, not the
    kill) fails the test: it must not pass for a kill that left the store untouched.
    """
    ready_r, ready_w = os.pipe()
    done_r, done_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            os.close(ready_r)
            os.close(done_r)
            store = open_store(url)
            os.write(ready_w, b"r")
            work(store)
            os.write(done_w, b"d")
            store.close()
            code = 0
        except BaseException:
            os.write(done_w, b"e")
        finally:
            os._exit(code)
    os.close(ready_w)
    os.close(done_w)
    reaped = False
    try:
        assert os.read(ready_r, 1) == b"r", "the child failed before starting its work"
        started = time.perf_counter()
        if kill_after is not None:
            time.sleep(kill_after)
            os.kill(pid, signal.SIGKILL)  # not reaped yet: the pid is still our child's
        _, status = os.waitpid(pid, 0)
        reaped = True
        elapsed = time.perf_counter() - started
        os.set_blocking(done_r, False)
        try:
            outcome = os.read(done_r, 1)
        except BlockingIOError:
            outcome = b""
        assert outcome != b"e", "the child's work raised an exception (not the kill)"
        if kill_after is None:
            assert os.waitstatus_to_exitcode(status) == 0, "the child failed"
        return outcome == b"d", elapsed
    finally:
        os.close(ready_r)
        os.close(done_r)
        if not reaped:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


@dataclass
class Scenario:
    """One kind of write: ``prepare`` returns its work for trial n; ``observe`` the state to compare."""

    name: str
    work: Callable[[int], Callable[[Store], None]]
    observe: Callable[[Store, int], Any]
    # (before, after, trial) -> True if ``after`` is the complete result of trial's work on ``before``
    applied: Callable[[Any, Any, int], bool]
    audit_records: int  # audit records one completed work appends


def count(store: Store, table: str, where: str = "", params: tuple[Any, ...] = ()) -> int:
    return int(store._query(f"SELECT COUNT(*) FROM {table} {where}", params)[0][0])


def audit_count(store: Store) -> int:
    head = store.audit_head()
    return 0 if head is None else head[0]


def hammer(url: str, scenario: Scenario, record: Callable[[str, object], None]) -> None:
    # Calibrate: how long does one operation take here, unkilled?
    finished, duration = run_in_child(url, scenario.work(0), kill_after=None)
    assert finished
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    outcomes = {"before": 0, "after": 0}
    for trial in range(1, TRIALS + 1):
        with open_store(url) as store:
            before = scenario.observe(store, trial)
            head = store.audit_head()
            records = audit_count(store)
        delay = rng.uniform(0.0, duration * 1.3)
        finished, _ = run_in_child(url, scenario.work(trial), kill_after=delay)
        context = f"{scenario.name} seed={seed} trial={trial} delay={delay:.3f}s of {duration:.3f}s"
        with open_store(url) as store:
            if url.startswith("sqlite"):
                assert store._query("PRAGMA integrity_check") == [("ok",)], context
            after = scenario.observe(store, trial)
            if after == before:
                assert not finished, f"{context}: reported done but nothing committed"
                outcomes["before"] += 1
                expected_records = records
            else:
                assert scenario.applied(before, after, trial), f"{context}: half-applied {before} -> {after}"
                outcomes["after"] += 1
                expected_records = records + scenario.audit_records
            report = store.audit_verify(anchor=head)
            assert report.ok, f"{context}: {report}"
            assert audit_count(store) == expected_records, f"{context}: audit records"
    assert outcomes["before"] + outcomes["after"] == TRIALS
    if TRIALS >= 20:  # the kills really landed on both sides of the commit
        assert outcomes["before"] and outcomes["after"], outcomes
    record(f"crash_{scenario.name}", f"seed={seed} {outcomes} op={duration:.3f}s")


# ---------------------------------------------------------------- scenarios


def import_scenario() -> Scenario:
    def work(trial: int) -> Callable[[Store], None]:
        def run(store: Store) -> None:
            parsed = bulk_list(IMPORT_PARTIES, listed_on=f"{2000 + trial % 25}-01-{1 + trial // 25:02d}")
            store.import_version(parsed, origin=f"trial {trial}", content_hash=f"h{trial}")

        return run

    def observe(store: Store, trial: int) -> Any:
        versions = store.versions("bulk")
        current = list(store.current_parties(["bulk"]))
        return (
            [(v.content_hash, v.party_count) for v in versions],
            len(current),
            sorted({p.designations[0].listed_on for p in current}),
            count(store, "version_party"),
        )

    def applied(before: Any, after: Any, trial: int) -> bool:
        versions, parties, listed, links = after
        return (
            versions == [(f"h{trial}", IMPORT_PARTIES), *before[0]]
            and parties == IMPORT_PARTIES
            and len(listed) == 1
            and links == before[3] + IMPORT_PARTIES
        )

    return Scenario("import", work, observe, applied, audit_records=1)


def batch_work(trial: int) -> Callable[[Store], None]:
    """A screening batch: the customers' upsert, then one run raising an alert per customer."""

    def run(store: Store) -> None:
        customers = [Customer(id=f"t{trial}-{i}", name=f"Kim Chol {trial} {i}") for i in range(BATCH)]
        store.upsert_customers(customers, actor="batch")
        screening = store.start_run("batch", actor="batch", params={"trial": trial})
        store.raise_alerts(
            screening.id,
            [
                AlertItem(
                    customer_id=c.id,
                    query={"name": c.name},
                    party_id="un_sc:KPi.001",
                    group_id="un:KPi.001",
                    score=0.9,
                    explanation={"method": "crash-test"},
                    list_versions={"un_sc": 1},
                )
                for c in customers
            ],
        )
        store.finish_run(screening.id, counts={"alerts": BATCH})

    return run


def batch_state(store: Store, trial: int) -> tuple[int, int, int, int]:
    prefix = (f"t{trial}-%",)
    return (
        count(store, "customer", "WHERE id LIKE ?", prefix),
        count(store, "alert", "WHERE customer_id LIKE ?", prefix),
        count(store, "screening_run"),
        count(store, "screening_run", "WHERE finished_at IS NOT NULL"),
    )


def batch_steps(before: tuple[int, int, int, int]) -> list[tuple[tuple[int, int, int, int], int]]:
    """The states a batch may leave (its four transactions, each whole or absent, in order),
    with the audit records each has added: one per upsert call, per run start, per alert, per run end."""
    _, _, runs, finished = before
    return [
        (before, 0),
        ((BATCH, 0, runs, finished), 1),
        ((BATCH, 0, runs + 1, finished), 2),
        ((BATCH, BATCH, runs + 1, finished), 2 + BATCH),
        ((BATCH, BATCH, runs + 1, finished + 1), 3 + BATCH),
    ]


def dispose_scenario() -> Scenario:
    def work(trial: int) -> Callable[[Store], None]:
        def run(store: Store) -> None:
            alert_id = trial + 1
            store.dispose(
                alert_id, "false_positive", f"trial {trial}: different dob", "ann", expected_row_version=1
            )

        return run

    def observe(store: Store, trial: int) -> Any:
        alert = store.get_alert(trial + 1)
        return (
            alert.status,
            alert.row_version,
            len(alert.dispositions),
            count(store, "disposition"),
            len(store.audit_records(action="alert.dispose", limit=100_000)),
        )

    def applied(before: Any, after: Any, trial: int) -> bool:
        return after == ("closed_false_positive", 2, 1, before[3] + 1, before[4] + 1) and before[:3] == (
            "open",
            1,
            0,
        )

    return Scenario("dispose", work, observe, applied, audit_records=1)


# ---------------------------------------------------------------- tests


def test_sigkill_during_list_imports(url: str, record_property: Callable[[str, object], None]) -> None:
    with open_store(url) as store:
        store.import_version(bulk_list(IMPORT_PARTIES), origin="seed", content_hash="h-seed")
    hammer(url, import_scenario(), record_property)


def test_sigkill_during_screening_batches(url: str, record_property: Callable[[str, object], None]) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    finished, duration = run_in_child(url, batch_work(0), kill_after=None)
    assert finished
    outcomes: dict[int, int] = {}
    for trial in range(1, TRIALS + 1):
        with open_store(url) as store:
            before = batch_state(store, trial)
            head = store.audit_head()
            records = audit_count(store)
        delay = rng.uniform(0.0, duration * 1.3)
        done, _ = run_in_child(url, batch_work(trial), kill_after=delay)
        context = f"batch seed={seed} trial={trial} delay={delay:.3f}s of {duration:.3f}s"
        with open_store(url) as store:
            if url.startswith("sqlite"):
                assert store._query("PRAGMA integrity_check") == [("ok",)], context
            after = batch_state(store, trial)
            steps = batch_steps(before)
            states = [state for state, _ in steps]
            assert after in states, f"{context}: half-applied {before} -> {after}"
            step = states.index(after)
            assert not done or step == len(steps) - 1, context
            report = store.audit_verify(anchor=head)
            assert report.ok, f"{context}: {report}"
            expected = records + steps[step][1]
            assert audit_count(store) == expected, (
                f"{context}: {audit_count(store)} audit records, not {expected}"
            )
        outcomes[step] = outcomes.get(step, 0) + 1
    if TRIALS >= 20:
        assert len(outcomes) >= 2, outcomes
    record_property("crash_batch", f"seed={seed} steps={dict(sorted(outcomes.items()))} op={duration:.3f}s")


def test_sigkill_during_dispositions(url: str, record_property: Callable[[str, object], None]) -> None:
    with open_store(url) as store:
        screening = store.start_run("batch", actor="seed")
        items = [
            AlertItem(
                customer_id=f"d{i}",
                query={"name": f"Ri {i}"},
                party_id="un_sc:KPi.033",
                group_id="un:KPi.033",
                score=0.95,
                explanation={},
                list_versions={"un_sc": 1},
            )
            for i in range(TRIALS + 2)
        ]
        store.upsert_customers(
            [Customer(id=f"d{i}", name=f"Ri {i}") for i in range(TRIALS + 2)], actor="seed"
        )
        created = store.raise_alerts(screening.id, items).created
        assert created == list(range(1, TRIALS + 3))
    hammer(url, dispose_scenario(), record_property)
