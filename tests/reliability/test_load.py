"""A short bounded load run in CI: 50 clients for 5 seconds on loopback, zero errors, no lost decision.

The same load as benchmarks/bench_load.py (which the lead runs for 10 minutes on an idle
machine), against a real uvicorn server on a loopback port in this process, over a SQLite store
of the bundled UN list with real alerts. Every request must succeed (200; 409 for a
disposition that lost a race), and afterwards every alert's dispositions must match the row
version and the decisions acknowledged to the clients, one audit record each, chain intact.
"""

from __future__ import annotations

import importlib.util
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import httpx
import pytest
import uvicorn

from vigil.api import create_app
from vigil.lists.importing import import_files
from vigil.lists.snapshot import snapshot_dir, snapshot_manifest
from vigil.settings import Settings
from vigil.store import open_store

REPO_ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 50
SECONDS = 5.0
MAX_REQUESTS = 20_000

pytestmark = pytest.mark.slow


def _bench() -> ModuleType:
    path = REPO_ROOT / "benchmarks" / "bench_load.py"
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location("bench_load", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_fifty_clients_for_five_seconds_without_errors(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    bench = _bench()
    url = f"sqlite:///{tmp_path / 'vigil.sqlite3'}"
    with open_store(url) as store:
        un = next(e for e in snapshot_manifest() if e.source == "un_sc")
        import_files(store, "un_sc", {r: snapshot_dir() / n for r, n in un.files.items()})
        keys, listed = bench.prepare(store, CLIENTS, 120)
    settings = Settings(home=tmp_path / "home", database_url=url, rate_limit=0)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        alert_ids = bench.load_customers(base, keys[0], listed)
        assert len(alert_ids) >= 50
        names = [f"Customer {i} Trading" if i % 2 else f"Kim Chol {i}" for i in range(5_000)]
        stats = bench.run_load(
            base, keys, names, alert_ids, clients=CLIENTS, duration=SECONDS, max_requests=MAX_REQUESTS
        )
    finally:
        server.should_exit = True
        thread.join(timeout=60)
    assert stats.errors == [], stats.errors[:10]
    assert stats.requests >= CLIENTS, "the run did too little to prove anything"
    assert {endpoint for endpoint, _ in stats.statuses} >= {"POST /match", "GET /alerts", "GET /alerts/{id}"}
    with open_store(url) as store:
        problems = bench.check_decisions(store, stats, alert_ids)
    assert problems == []
    assert sum(stats.decided.values()) > 0
    record_property(
        "load",
        f"{stats.requests} requests in {stats.seconds:.1f}s, {stats.conflicts} conflicts (409), 0 errors",
    )


def test_many_reviewers_on_one_alert_one_decision_each_version(tmp_path: Path) -> None:
    """12 reviewers race on the same alert through the HTTP API: each row version is decided once."""
    bench = _bench()
    url = f"sqlite:///{tmp_path / 'vigil.sqlite3'}"
    with open_store(url) as store:
        un = next(e for e in snapshot_manifest() if e.source == "un_sc")
        import_files(store, "un_sc", {r: snapshot_dir() / n for r, n in un.files.items()})
        keys, listed = bench.prepare(store, 12, 3)
    settings = Settings(home=tmp_path / "home", database_url=url, rate_limit=0, four_eyes=False)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        alert_ids = bench.load_customers(base, keys[0], listed)
        target = alert_ids[0]
        barrier = threading.Barrier(len(keys))
        answers: list[int] = []
        lock = threading.Lock()

        def reviewer(key: str) -> None:
            with httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60
            ) as client:
                barrier.wait()
                response = client.post(
                    f"/alerts/{target}/dispositions",
                    json={"decision": "escalate", "reason": "race", "expected_row_version": 1},
                )
                with lock:
                    answers.append(response.status_code)

        threads = [threading.Thread(target=reviewer, args=(k,)) for k in keys]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        server.should_exit = True
        thread.join(timeout=60)
    assert sorted(answers) == [200] + [409] * (len(keys) - 1)
    with open_store(url) as store:
        alert = store.get_alert(target)
        assert alert.status == "escalated" and alert.row_version == 2
        assert len(alert.dispositions) == 1
        assert len(store.audit_records(action="alert.dispose")) == 1
        assert store.audit_verify().ok
