"""The alert workflow (customers, runs, alerts, dispositions, allowlist), on every backend."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.store.factories import make_list, make_party
from vigil.errors import ConflictError, InputError, NotFoundError, StoreError
from vigil.match.types import AlignedToken, Explanation, Query
from vigil.store import Store, open_store
from vigil.store.migrations import MIGRATIONS
from vigil.store.workflow import AlertItem, Customer, ScreeningRun

T0 = datetime(2025, 3, 1, 9, 0, 0, tzinfo=UTC)
VERSIONS = {"un_sc": 1}


class Clock:
    """A settable clock for the store's ``_utcnow``."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock(store: Store, monkeypatch: pytest.MonkeyPatch) -> Clock:
    fixed = Clock()
    monkeypatch.setattr(store, "_utcnow", fixed)
    return fixed


def customer(cid: str, name: str = "KIM CHOL", **kwargs: Any) -> Customer:
    return Customer(id=cid, name=name, **kwargs)


def item(
    customer_id: str | None,
    group_id: str = "un:KPi.001",
    *,
    party_id: str | None = None,
    score: float = 0.9,
    kind: str = "name",
    party_hash: str | None = None,
    versions: dict[str, int] | None = None,
) -> AlertItem:
    return AlertItem(
        customer_id=customer_id,
        query={"name": "KIM CHOL", "dob": "1964"},
        party_id=party_id or f"un_sc:{group_id.split(':')[-1]}",
        group_id=group_id,
        score=score,
        explanation={"method": "vigil-v1", "name_score": score, "notes": ["hand-made"]},
        list_versions=versions or VERSIONS,
        kind=kind,  # type: ignore[arg-type]
        party_hash=party_hash,
    )


def run(store: Store, kind: str = "batch") -> ScreeningRun:
    return store.start_run(kind, actor="analyst", params={"threshold": 0.8}, list_versions=VERSIONS)  # type: ignore[arg-type]


def count(store: Store, table: str) -> int:
    return int(store._query(f"SELECT COUNT(*) FROM {table}")[0][0])


def actions(store: Store) -> list[str]:
    return [r.action for r in store.audit_records(limit=10_000)]


# ---------------------------------------------------------------- customers


def test_upsert_customers_adds_updates_and_leaves_equal_ones(store: Store) -> None:
    result = store.upsert_customers(
        [
            customer("c1", dob="1964-07-17", country="kp", identifiers=("P123",), data={"segment": "retail"}),
            customer("c2", name="ACME TRADING LTD", schema="Organization"),
        ]
    )
    assert (result.added, result.updated, result.unchanged) == (2, 0, 0)
    c1 = store.get_customer("c1")
    assert c1.name == "KIM CHOL"
    assert c1.dob == "1964-07-17"
    assert c1.country == "kp"
    assert c1.identifiers == ("P123",)
    assert c1.data == {"segment": "retail"}
    assert c1.updated_at is not None and c1.updated_at.endswith("Z")
    assert not c1.deleted

    result = store.upsert_customers(
        [
            customer("c1", dob="1964-07-17", country="kp", identifiers=("P123",), data={"segment": "retail"}),
            customer("c2", name="ACME TRADING LIMITED", schema="Organization"),
            customer("c3", name="PARK SONG"),
        ]
    )
    assert (result.added, result.updated, result.unchanged) == (1, 1, 1)
    assert store.get_customer("c2").name == "ACME TRADING LIMITED"
    records = store.audit_records(action="customer.upsert")
    assert [r.payload["added"] for r in records] == [2, 1]
    assert records[-1].payload["ids"] == ["c2", "c3"]
    assert "KIM" not in str(records[-1].payload)  # no personal data in the audit log


def test_upsert_accepts_dict_records_and_rejects_bad_ones(store: Store) -> None:
    store.upsert_customers([Customer.from_dict({"id": "d1", "name": "RI MYONG", "identifiers": ["X1"]})])
    assert store.get_customer("d1").identifiers == ("X1",)
    with pytest.raises(InputError, match="twice"):
        store.upsert_customers([customer("e1"), customer("e1")])
    with pytest.raises(InputError, match="name"):
        store.upsert_customers([customer("e2", name="  ")])
    with pytest.raises(InputError, match="id"):
        Customer.from_dict({"name": "NO ID"})
    with pytest.raises(NotFoundError):
        store.get_customer("e1")  # nothing of the failed upserts was written
    assert count(store, "customer") == 1


def test_iter_customers_streams_every_page_and_delete_is_soft(store: Store) -> None:
    total = 4100  # more than two read pages
    store.upsert_customers(customer(f"c{i:05d}", name=f"NAME {i}") for i in range(total))
    ids = [c.id for c in store.iter_customers()]
    assert ids == [f"c{i:05d}" for i in range(total)]

    assert store.delete_customers(["c00001", "c00002", "missing"], actor="ops") == 2
    assert store.delete_customers(["c00001"], actor="ops") == 0  # already deleted
    with pytest.raises(NotFoundError):
        store.get_customer("c00001")
    assert store.get_customer("c00001", include_deleted=True).deleted
    assert sum(1 for _ in store.iter_customers()) == total - 2
    assert sum(1 for _ in store.iter_customers(include_deleted=True)) == total
    assert [r.payload["ids"] for r in store.audit_records(action="customer.delete")] == [["c00001", "c00002"]]

    # Upserting a deleted customer brings it back, even with the same fields.
    result = store.upsert_customers([customer("c00001", name="NAME 1")])
    assert (result.added, result.updated) == (0, 1)
    assert not store.get_customer("c00001").deleted


# ---------------------------------------------------------------- runs


def test_runs_start_and_finish(store: Store) -> None:
    started = run(store, "rescreen")
    assert started.kind == "rescreen"
    assert started.actor == "analyst"
    assert started.params == {"threshold": 0.8}
    assert started.list_versions == VERSIONS
    assert started.finished_at is None and started.counts is None
    finished = store.finish_run(started.id, counts={"screened": 10, "alerts": 2})
    assert finished.finished_at is not None
    assert finished.counts == {"screened": 10, "alerts": 2}
    assert store.get_run(started.id) == finished
    with pytest.raises(InputError, match="finished"):
        store.finish_run(started.id)
    with pytest.raises(InputError, match="unknown run kind"):
        store.start_run("weekly", actor="x")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="actor"):
        store.start_run("single", actor=" ")
    with pytest.raises(NotFoundError):
        store.get_run(999)
    assert actions(store) == ["run.start", "run.finish"]


# ---------------------------------------------------------------- raising alerts


def test_raise_creates_then_updates_one_active_alert(store: Store) -> None:
    r1 = run(store)
    first = store.raise_alerts(r1.id, [item("c1", score=0.85), item("c2", score=0.9)])
    assert [o.action for o in first.outcomes] == ["created", "created"]
    assert len(first.created) == 2 and first.updated == [] and first.skipped == []
    a1 = store.get_alert(first.created[0])
    assert a1.status == "open"
    assert a1.row_version == 1
    assert a1.run_id == r1.id
    assert a1.customer_id == "c1"
    assert a1.group_id == "un:KPi.001"
    assert a1.party_id == "un_sc:KPi.001"
    assert a1.kind == "name"
    assert a1.query == {"name": "KIM CHOL", "dob": "1964"}
    assert a1.explanation["method"] == "vigil-v1"
    assert a1.list_versions == VERSIONS
    assert a1.dispositions == []

    # Raised again (another run, a new list version): the same alert is updated.
    r2 = run(store, "rescreen")
    again = store.raise_alerts(r2.id, [item("c1", score=0.95, party_id="ofac:123", versions={"un_sc": 2})])
    assert [o.action for o in again.outcomes] == ["updated"]
    assert again.updated == [a1.id]
    updated = store.get_alert(a1.id)
    assert updated.score == 0.95
    assert updated.party_id == "ofac:123"
    assert updated.list_versions == {"un_sc": 2}
    assert updated.row_version == 2
    assert updated.run_id == r1.id  # the run that raised it
    assert updated.created_at == a1.created_at
    assert count(store, "alert") == 2

    # Another kind for the same pair is another alert.
    other = store.raise_alerts(r2.id, [item("c1", kind="crypto")])
    assert other.created and other.created[0] not in (a1.id,)
    assert actions(store).count("alert.raise") == 3
    assert actions(store).count("alert.update") == 1


def test_escalated_and_pending_alerts_are_updated_closed_ones_are_raised_anew(store: Store) -> None:
    r = run(store)
    ids = store.raise_alerts(r.id, [item("c1"), item("c2"), item("c3")]).created
    store.dispose(ids[0], "escalate", "unclear dob", "ann", expected_row_version=1)
    store.dispose(ids[1], "true_match", "passport matches", "ann", expected_row_version=1, four_eyes=True)
    store.dispose(ids[2], "false_positive", "different person", "ann", expected_row_version=1)
    again = store.raise_alerts(r.id, [item("c1"), item("c2"), item("c3")])
    assert [o.action for o in again.outcomes] == ["updated", "updated", "created"]
    assert again.updated == ids[:2]
    assert store.get_alert(ids[0]).status == "escalated"
    assert store.get_alert(ids[1]).status == "pending_confirmation"
    assert store.get_alert(ids[2]).status == "closed_false_positive"


def test_ad_hoc_queries_and_duplicates_within_one_call(store: Store) -> None:
    r = run(store, "single")
    ad_hoc = store.raise_alerts(r.id, [item(None), item(None)])
    assert [o.action for o in ad_hoc.outcomes] == ["created", "created"]
    assert store.get_alert(ad_hoc.created[0]).customer_id is None

    result = store.raise_alerts(
        r.id,
        [
            item("c1", party_id="un_sc:KPi.001", score=0.7),
            item("c1", party_id="ofac:77", score=0.92),  # same group, better score
            item("c1", party_id="uk:DPR1", score=0.8),
        ],
    )
    assert [o.action for o in result.outcomes] == ["skipped", "created", "skipped"]
    assert [o.reason for o in result.outcomes] == ["duplicate", None, "duplicate"]
    alert_id = result.outcomes[1].alert_id
    assert result.outcomes[0].alert_id == alert_id and result.outcomes[2].alert_id == alert_id
    assert store.get_alert(alert_id).party_id == "ofac:77"  # type: ignore[arg-type]
    assert store.count_alerts(customer_id="c1") == 1


def test_raise_accepts_matcher_dataclasses(store: Store) -> None:
    r = run(store)
    explanation = Explanation(
        method="vigil-v1",
        name_score=0.91,
        aligned=[AlignedToken(query="CHOL", listed="CH'OL", similarity=0.95, rule="korean")],
        features={"dob": 0.05},
    )
    query = Query(name="KIM CHOL", dob="1964-07-17", identifiers=["P1"])
    [alert_id] = store.raise_alerts(
        r.id,
        [
            AlertItem(
                customer_id="c1",
                query=query,
                party_id="un_sc:KPi.001",
                group_id=None,
                score=0.91,
                explanation=explanation,
                list_versions=VERSIONS,
            )
        ],
    ).created
    alert = store.get_alert(alert_id)
    assert alert.group_id == "un_sc:KPi.001"  # no group: the party is its own
    assert alert.query["identifiers"] == ["P1"]
    assert alert.explanation["aligned"][0]["listed"] == "CH'OL"
    assert Explanation(**{**alert.explanation, "aligned": []}).name_score == 0.91


def test_raise_rejects_bad_input_and_closed_runs(store: Store) -> None:
    r = run(store)
    with pytest.raises(NotFoundError):
        store.raise_alerts(9999, [item("c1")])
    with pytest.raises(InputError, match="kind"):
        store.raise_alerts(r.id, [item("c1", kind="vessel")])
    with pytest.raises(InputError, match="finite"):
        store.raise_alerts(r.id, [item("c1", score=float("nan"))])
    with pytest.raises(InputError, match="party_id"):
        store.raise_alerts(r.id, [item("c1", party_id=" ")])
    store.finish_run(r.id)
    with pytest.raises(InputError, match="finished"):
        store.raise_alerts(r.id, [item("c1")])
    assert count(store, "alert") == 0


@pytest.mark.parametrize("fail_at", ["alert_update", "audit"])
def test_failure_midway_through_raise_leaves_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch, fail_at: str
) -> None:
    r = run(store)
    [existing] = store.raise_alerts(r.id, [item("c0", score=0.5)]).created
    before_alerts = count(store, "alert")
    before_audit = store.audit_head()

    real_many = store._many
    real_append = store._audit_append

    def failing_many(sql: str, rows: Any) -> None:
        real_many(sql, rows)
        if sql.startswith("UPDATE alert") and fail_at == "alert_update":
            raise StoreError("disk full (simulated)")

    def failing_append(records: Any) -> None:
        real_append(records)  # the records are written, then the transaction fails
        if fail_at == "audit":
            raise StoreError("disk full (simulated)")

    monkeypatch.setattr(store, "_many", failing_many)
    monkeypatch.setattr(store, "_audit_append", failing_append)
    with pytest.raises(StoreError, match="simulated"):
        store.raise_alerts(r.id, [item(f"c{i}", score=0.9) for i in range(50)])
    monkeypatch.undo()

    assert count(store, "alert") == before_alerts
    assert store.get_alert(existing).score == 0.5
    assert store.get_alert(existing).row_version == 1
    assert store.audit_head() == before_audit
    assert store.audit_verify().ok
    # The store still works.
    assert len(store.raise_alerts(r.id, [item(f"c{i}") for i in range(3)]).outcomes) == 3


# ---------------------------------------------------------------- listing


def test_list_alerts_filters(store: Store, clock: Clock) -> None:
    r = run(store)
    early = store.raise_alerts(
        r.id,
        [
            item("c1", "un:KPi.001", score=0.95),
            item("c2", "un:KPi.002", party_id="ofac:2", score=0.81, kind="crypto"),
        ],
    ).created
    clock.advance(days=10)
    late = store.raise_alerts(r.id, [item("c3", "un:KPi.003", party_id="un_sc:KPi.003", score=0.7)]).created
    store.dispose(early[1], "false_positive", "different wallet owner", "ann", expected_row_version=1)

    def ids(**filters: Any) -> list[int]:
        return [a.id for a in store.list_alerts(**filters)]

    assert ids() == [*early, *late]
    assert ids(status="open") == [early[0], late[0]]
    assert ids(status=["open", "closed_false_positive"]) == [*early, *late]
    assert ids(kind="crypto") == [early[1]]
    assert ids(min_score=0.8) == early
    assert ids(customer_id="c3") == late
    assert ids(source="un_sc") == [early[0], late[0]]
    assert ids(source="ofac") == [early[1]]
    assert ids(source="un") == []  # a prefix of a source is not that source
    assert ids(older_than=T0 + timedelta(days=1)) == early
    assert ids(older_than="2025-03-01") == []
    assert ids(limit=1, offset=1) == [early[1]]
    assert store.count_alerts(status="open") == 2
    assert store.count_alerts(older_than=T0 + timedelta(days=1), status="open") == 1
    with pytest.raises(InputError, match="status"):
        store.list_alerts(status="done")
    with pytest.raises(InputError, match="kind"):
        store.list_alerts(kind="vessel")
    with pytest.raises(NotFoundError):
        store.get_alert(12345)


# ---------------------------------------------------------------- dispositions


def test_dispose_false_positive_and_escalation(store: Store) -> None:
    r = run(store)
    a, b = store.raise_alerts(r.id, [item("c1"), item("c2")]).created
    closed = store.dispose(a, "false_positive", "dob 1980, listed 1964", "ann", expected_row_version=1)
    assert closed.status == "closed_false_positive"
    assert closed.status_reason == "dob 1980, listed 1964"
    assert closed.row_version == 2
    assert [(d.decision, d.reviewer, d.reason) for d in closed.dispositions] == [
        ("false_positive", "ann", "dob 1980, listed 1964")
    ]
    with pytest.raises(InputError, match="closed_false_positive"):
        store.dispose(a, "true_match", "changed my mind", "ann", expected_row_version=2)

    escalated = store.dispose(b, "escalate", "needs the passport", "ann", expected_row_version=1)
    assert escalated.status == "escalated"
    with pytest.raises(InputError, match="escalated"):
        store.dispose(b, "escalate", "again", "bob", expected_row_version=2)
    done = store.dispose(b, "true_match", "passport matches", "lead", expected_row_version=2)
    assert done.status == "closed_true_match"
    assert [d.decision for d in done.dispositions] == ["escalate", "true_match"]

    record = store.audit_records(action="alert.dispose")[-1]
    assert record.actor == "lead"
    assert record.subject == f"alert:{b}"
    assert record.payload["from"] == "escalated" and record.payload["to"] == "closed_true_match"
    assert record.payload["list_versions"] == VERSIONS  # what the decision was made against
    assert record.payload["score"] == 0.9


def test_dispose_needs_reason_reviewer_and_known_decision(store: Store) -> None:
    r = run(store)
    [a] = store.raise_alerts(r.id, [item("c1")]).created
    with pytest.raises(InputError, match="reason"):
        store.dispose(a, "false_positive", "   ", "ann", expected_row_version=1)
    with pytest.raises(InputError, match="reviewer"):
        store.dispose(a, "false_positive", "ok", "", expected_row_version=1)
    with pytest.raises(InputError, match="decision"):
        store.dispose(a, "ignore", "ok", "ann", expected_row_version=1)  # type: ignore[arg-type]
    for decision in ("confirm", "reject"):
        with pytest.raises(InputError, match="open"):
            store.dispose(a, decision, "ok", "ann", expected_row_version=1)
    with pytest.raises(NotFoundError):
        store.dispose(777, "false_positive", "ok", "ann", expected_row_version=1)
    assert count(store, "disposition") == 0
    assert store.get_alert(a).row_version == 1


def test_four_eyes(store: Store) -> None:
    r = run(store)
    [a] = store.raise_alerts(r.id, [item("c1")]).created
    pending = store.dispose(
        a, "true_match", "dob and passport match", "ann", expected_row_version=1, four_eyes=True
    )
    assert pending.status == "pending_confirmation"
    with pytest.raises(InputError, match="another reviewer"):
        store.dispose(a, "confirm", "agree", "ann", expected_row_version=2)
    with pytest.raises(InputError, match="another reviewer"):
        store.dispose(a, "confirm", "agree", " ANN ", expected_row_version=2)
    for decision in ("true_match", "false_positive", "escalate"):
        with pytest.raises(InputError, match="pending_confirmation"):
            store.dispose(a, decision, "x", "bob", expected_row_version=2)

    rejected = store.dispose(a, "reject", "the dob differs by ten years", "bob", expected_row_version=2)
    assert rejected.status == "open"
    # Proposed again by bob: now ann may confirm, bob may not.
    store.dispose(a, "true_match", "second passport matches", "bob", expected_row_version=3, four_eyes=True)
    with pytest.raises(InputError, match="another reviewer"):
        store.dispose(a, "confirm", "agree", "bob", expected_row_version=4)
    confirmed = store.dispose(a, "confirm", "agree with bob", "ann", expected_row_version=4)
    assert confirmed.status == "closed_true_match"
    assert [(d.decision, d.reviewer) for d in confirmed.dispositions] == [
        ("true_match", "ann"),
        ("reject", "bob"),
        ("true_match", "bob"),
        ("confirm", "ann"),
    ]


def test_stale_row_version_is_a_conflict(store: Store) -> None:
    r = run(store)
    [a] = store.raise_alerts(r.id, [item("c1")]).created
    store.dispose(a, "escalate", "unclear", "ann", expected_row_version=1)
    with pytest.raises(ConflictError) as caught:
        store.dispose(a, "false_positive", "looked at the old view", "bob", expected_row_version=1)
    assert caught.value.http_status == 409
    assert isinstance(caught.value, InputError)
    # A re-raise changes the evidence: a reviewer holding the older version must reload.
    store.raise_alerts(r.id, [item("c1", score=0.99)])
    with pytest.raises(ConflictError):
        store.dispose(a, "false_positive", "old evidence", "bob", expected_row_version=2)
    assert store.dispose(a, "false_positive", "new evidence", "bob", expected_row_version=3).row_version == 4
    assert count(store, "disposition") == 2


def _race(store_url: str, alert_id: int, version: int) -> list[str]:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def reviewer(name: str) -> None:
        with open_store(store_url) as own:
            barrier.wait()
            try:
                own.dispose(alert_id, "false_positive", f"{name} checked", name, expected_row_version=version)
                result = "won"
            except ConflictError:
                result = "conflict"
            except Exception as exc:  # pragma: no cover - reported by the assertion
                result = repr(exc)
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=reviewer, args=(n,)) for n in ("ann", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return sorted(outcomes)


def test_two_reviewers_at_once_one_wins(store_url: str) -> None:
    if store_url.startswith("duckdb"):
        pytest.skip("a DuckDB file has one writing process; in-process writers conflict at commit")
    rounds = 8
    with open_store(store_url) as store:
        r = run(store)
        ids = store.raise_alerts(r.id, [item(f"c{i}") for i in range(rounds)]).created
    for alert_id in ids:
        assert _race(store_url, alert_id, 1) == ["conflict", "won"]
    with open_store(store_url) as store:
        for alert_id in ids:
            alert = store.get_alert(alert_id)
            assert alert.status == "closed_false_positive"
            assert alert.row_version == 2
            assert len(alert.dispositions) == 1
        assert count(store, "disposition") == rounds
        assert len(store.audit_records(action="alert.dispose")) == rounds
        assert store.audit_verify().ok


# ---------------------------------------------------------------- closing for delisted parties


def test_close_alerts_for_groups(store: Store) -> None:
    r = run(store)
    ids = store.raise_alerts(
        r.id,
        [
            item("c1", "un:KPi.001"),
            item("c2", "un:KPi.001"),
            item("c3", "un:KPi.002"),
            item("c4", "un:KPi.001"),
        ],
    ).created
    store.dispose(ids[1], "escalate", "unclear", "ann", expected_row_version=1)
    store.dispose(ids[3], "false_positive", "not him", "ann", expected_row_version=1)
    closed = store.close_alerts_for_groups(["un:KPi.001", "un:KPi.404"], reason="delisted in UN version 7")
    assert closed == ids[:2]
    for alert_id in ids[:2]:
        alert = store.get_alert(alert_id)
        assert alert.status == "delisted"
        assert alert.status_reason == "delisted in UN version 7"
    assert store.get_alert(ids[2]).status == "open"
    assert store.get_alert(ids[3]).status == "closed_false_positive"
    assert [r.subject for r in store.audit_records(action="alert.close")] == [f"alert:{i}" for i in ids[:2]]
    with pytest.raises(InputError, match="reason"):
        store.close_alerts_for_groups(["un:KPi.002"])
    with pytest.raises(InputError, match="system"):
        store.close_alerts_for_groups(["un:KPi.002"], "closed_true_match", "x")  # type: ignore[arg-type]
    # Once delisted, a new hit raises a new alert.
    assert store.raise_alerts(r.id, [item("c1", "un:KPi.001")]).outcomes[0].action == "created"


# ---------------------------------------------------------------- allowlist


def test_allowlist_suppresses_until_it_expires(store: Store, clock: Clock) -> None:
    r = run(store)
    entry = store.add_allow(
        "c1", "un:KPi.001", "hash-1", "born 1990, listed 1964", "ann", T0 + timedelta(days=30)
    )
    assert entry.expires_at == "2025-03-31T09:00:00.000000Z"
    assert entry.is_valid(T0) and not entry.is_valid(T0 + timedelta(days=31))
    assert store.list_allow() == [entry]

    result = store.raise_alerts(r.id, [item("c1"), item("c2"), item("c1", "un:KPi.002")])
    assert [o.action for o in result.outcomes] == ["skipped", "created", "created"]
    assert result.outcomes[0].reason == "allowlisted"
    assert result.outcomes[0].allow_id == entry.id
    assert result.skipped == [0]
    [suppressed] = store.audit_records(action="alert.suppress")
    assert suppressed.payload["allow_id"] == entry.id

    clock.advance(days=30)  # the expiry instant: no longer valid
    assert store.list_allow() == []
    assert store.list_allow(valid_only=False) == [entry]
    assert store.raise_alerts(r.id, [item("c1")]).outcomes[0].action == "created"


def test_allowlist_bound_to_party_hash(store: Store) -> None:
    r = run(store)
    store.add_allow("c1", "un:KPi.001", "hash-1", "different person", "ann")
    outcomes = store.raise_alerts(
        r.id,
        [item("c1", party_hash="hash-1"), item("c1", "un:KPi.001", kind="exposure", party_hash="hash-2")],
    ).outcomes
    assert [o.action for o in outcomes] == ["skipped", "created"]
    both = store.raise_alerts(r.id, [item("c1", score=0.8), item("c1", score=0.9)]).outcomes
    assert [(o.action, o.reason) for o in both] == [("skipped", "allowlisted"), ("skipped", "allowlisted")]
    assert both[0].index == 0 and both[0].allow_id == both[1].allow_id is not None


def test_add_allow_validates_supersedes_and_closes_open_alerts(store: Store, clock: Clock) -> None:
    with pytest.raises(InputError, match="future"):
        store.add_allow("c1", "g1", "h", "r", "ann", T0 - timedelta(seconds=1))
    with pytest.raises(InputError, match="reason"):
        store.add_allow("c1", "g1", "h", "", "ann")
    with pytest.raises(InputError, match="party_hash"):
        store.add_allow("c1", "g1", "", "r", "ann")
    with pytest.raises(InputError, match="ISO"):
        store.add_allow("c1", "g1", "h", "r", "ann", "next tuesday")

    r = run(store)
    a_open, a_escalated = store.raise_alerts(
        r.id, [item("c1", "g1"), item("c1", "g1", kind="crypto")]
    ).created
    store.dispose(a_escalated, "escalate", "wallet unclear", "ann", expected_row_version=1)
    first = store.add_allow("c1", "g1", "h1", "different dob", "ann")
    assert store.get_alert(a_open).status == "allowlisted"
    assert store.get_alert(a_open).status_reason == f"allowlist entry {first.id}: different dob"
    assert store.get_alert(a_escalated).status == "escalated"  # left to its reviewer

    second = store.add_allow("c1", "g1", "h2", "reviewed again", "bob", close_open_alerts=False)
    assert store.get_allow(first.id).revoked_reason == f"superseded by allowlist entry {second.id}"
    assert store.list_allow(customer_id="c1") == [second]
    assert store.list_allow(group_id="g1", valid_only=False) == [store.get_allow(first.id), second]
    assert actions(store).count("allow.add") == 2
    assert actions(store).count("allow.revoke") == 1


def test_revoke_allow(store: Store) -> None:
    entry = store.add_allow("c1", "g1", "h1", "different person", "ann")
    revoked = store.revoke_allow(entry.id, "customer re-identified", actor="lead")
    assert revoked.revoked_at is not None
    assert revoked.revoked_reason == "customer re-identified"
    assert not revoked.is_valid()
    with pytest.raises(InputError, match="revoked already"):
        store.revoke_allow(entry.id, "again", actor="lead")
    with pytest.raises(NotFoundError):
        store.revoke_allow(999, "x", actor="lead")
    [record] = store.audit_records(action="allow.revoke")
    assert record.actor == "lead" and record.subject == f"allow:{entry.id}"
    r = run(store)
    assert store.raise_alerts(r.id, [item("c1", "g1")]).outcomes[0].action == "created"


def test_invalidate_allow_when_the_listed_party_changes(store: Store) -> None:
    v1 = store.import_version(
        make_list([make_party("KPi.001"), make_party("KPi.002")]), origin="a", content_hash="h1"
    ).version
    hashes_v1 = store.group_hashes()
    assert set(hashes_v1) == {"un:KPi.001", "un:KPi.002"}
    assert store.group_hashes(["un:KPi.002", "nope"]) == {"un:KPi.002": hashes_v1["un:KPi.002"]}

    e1 = store.add_allow("c1", "un:KPi.001", hashes_v1["un:KPi.001"], "different person", "ann")
    e2 = store.add_allow("c2", "un:KPi.002", hashes_v1["un:KPi.002"], "different person", "ann")
    e3 = store.add_allow("c3", "un:KPi.001", hashes_v1["un:KPi.001"], "different person", "ann")
    store.revoke_allow(e3.id, "manual", actor="ann")

    # Version 2 re-dates KPi.001 only.
    v2 = store.import_version(
        make_list([make_party("KPi.001", listed_on="2018-01-01"), make_party("KPi.002")]),
        origin="b",
        content_hash="h2",
    ).version
    hashes_v2 = store.group_hashes()
    assert hashes_v2["un:KPi.001"] != hashes_v1["un:KPi.001"]
    assert hashes_v2["un:KPi.002"] == hashes_v1["un:KPi.002"]

    revoked = store.invalidate_allow_for_changed(hashes_v2)
    assert [e.id for e in revoked] == [e1.id]  # not the unchanged one, not the one revoked before
    assert revoked[0].revoked_reason == f"listed party changed in list version {v2.id}"
    assert store.get_allow(e3.id).revoked_reason == "manual"
    assert [e.id for e in store.list_allow()] == [e2.id]
    assert store.invalidate_allow_for_changed(hashes_v2) == []  # idempotent
    assert (
        store.invalidate_allow_for_changed({"un:KPi.002": "other"}, list_version=v1.id)[0].revoked_reason
        == f"listed party changed in list version {v1.id}"
    )
    r = run(store)
    assert store.raise_alerts(r.id, [item("c1", party_hash=hashes_v2["un:KPi.001"])]).created


# ---------------------------------------------------------------- schema


def test_an_older_store_is_migrated(store_url: str) -> None:
    with open_store(store_url) as store:
        store.import_version(make_list([make_party("KPi.001")]), origin="a", content_hash="h1")
        # Make it look like a store of the release before the workflow.
        with store._write():
            tables = (
                "customer",
                "screening_run",
                "alert",
                "disposition",
                "allowlist",
                "audit_log",
                "api_key",
            )
            for table in tables:
                store._query(f"DROP TABLE {table}")
            store._query("DELETE FROM schema_migrations WHERE version > 1")
    with open_store(store_url) as store:
        applied = [row[0] for row in store._query("SELECT version FROM schema_migrations ORDER BY version")]
        assert applied == [m.number for m in MIGRATIONS]
        assert store.party("un_sc:KPi.001").id == "un_sc:KPi.001"
        r = run(store)
        assert store.raise_alerts(r.id, [item("c1")]).created == [1]
        assert store.audit_verify().ok


def test_every_workflow_change_is_audited(store: Store) -> None:
    store.import_version(make_list([make_party("KPi.001")]), origin="a", content_hash="h1", actor="updater")
    store.upsert_customers([customer("c1")], actor="sync")
    r = run(store)
    [a] = store.raise_alerts(r.id, [item("c1")]).created
    store.raise_alerts(r.id, [item("c1", score=0.99)])
    store.dispose(a, "false_positive", "not him", "ann", expected_row_version=2)
    e = store.add_allow("c1", "un:KPi.001", "h", "not him", "ann")
    store.raise_alerts(r.id, [item("c1")])
    store.revoke_allow(e.id, "re-check", actor="lead")
    store.finish_run(r.id, counts={"alerts": 1})
    store.delete_customers(["c1"], actor="sync")
    store.close_alerts_for_groups(["un:KPi.001"], reason="delisted")
    assert actions(store) == [
        "list.import",
        "customer.upsert",
        "run.start",
        "alert.raise",
        "alert.update",
        "alert.dispose",
        "allow.add",
        "alert.suppress",
        "allow.revoke",
        "run.finish",
        "customer.delete",
    ]
    first = store.audit_records(limit=1)[0]
    assert first.actor == "updater"
    assert first.payload["content_hash"] == "h1"
    assert store.audit_verify().ok
