"""Sustained load on loopback: many concurrent clients screening and reviewing for a set duration.

    .venv/bin/python benchmarks/bench_load.py [--clients 50] [--duration 600] [--workers 2]
                                              [--max-requests 5000000] [--lists un|all]

Starts ``vigil serve`` on a free loopback port over a fresh VIGIL_HOME holding the bundled
snapshot (``--lists un``: its UN list only, quicker to start), loads customers named like
listed parties through ``POST /customers`` so that real alerts exist, and gives every client
its own reviewer key. Then each client, on one keep-alive connection, loops until the
duration or the request budget is spent, over a fixed mix:

- 60 % ``POST /match/default`` (one yente-shaped query, a distinct synthetic name each time);
- 20 % ``GET /alerts?status=open&limit=50``;
- 20 % a review: ``GET /alerts/{id}`` then, if the alert is still undecided,
  ``POST /alerts/{id}/dispositions`` with the row version just read (escalate an open alert,
  clear an escalated one). Several clients often pick the same alert: the losers must get
  409 (a stale row version), never a lost or doubled decision.

An error is a transport failure or timeout, a 5xx, or any status other than 200 (and 409 for
a disposition). After the run the store is checked: every alert's dispositions number exactly
its row version minus one and exactly the decisions the clients were told succeeded, the
audit log holds one ``alert.dispose`` record per disposition and verifies.

Prints the latency percentiles per endpoint (ms), requests per second and the error count;
exits 1 if there was any error or inconsistency.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from customers import customer_rows  # noqa: E402

from vigil.store import Store, open_store  # noqa: E402

MIX = (("match", 60), ("alerts", 20), ("review", 20))
NEXT_DECISION = {"open": "escalate", "escalated": "false_positive"}


@dataclass
class LoadStats:
    """What a run measured: latencies (ms) per endpoint, errors, and decisions acknowledged."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    decided: Counter[int] = field(default_factory=Counter)  # alert id -> 200 answers to dispositions
    conflicts: int = 0
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def add(self, endpoint: str, ms: float, status: int) -> None:
        with self.lock:
            self.latencies.setdefault(endpoint, []).append(ms)
            self.statuses[(endpoint, status)] += 1


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))] if ordered else 0.0


def run_load(
    base: str,
    keys: list[str],
    names: list[str],
    alert_ids: list[int],
    *,
    clients: int,
    duration: float,
    max_requests: int,
    seed: int = 1,
) -> LoadStats:
    """Run ``clients`` threads against ``base`` for ``duration`` s or ``max_requests`` in all."""
    stats = LoadStats()
    budget = [max_requests]
    budget_lock = threading.Lock()
    deadline = time.monotonic() + duration
    host, port = base.removeprefix("http://").split(":")
    weights = [w for _, w in MIX]
    kinds = [k for k, _ in MIX]

    def take() -> bool:
        with budget_lock:
            if budget[0] <= 0 or time.monotonic() >= deadline:
                return False
            budget[0] -= 1
            return True

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        headers = {"Authorization": f"Bearer {keys[n % len(keys)]}", "Content-Type": "application/json"}
        connection: http.client.HTTPConnection | None = None

        def call(endpoint: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
            nonlocal connection
            if connection is None:
                connection = http.client.HTTPConnection(host, int(port), timeout=60)
                connection.connect()
                assert connection.sock is not None
                connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            payload = None if body is None else json.dumps(body).encode()
            started = time.perf_counter()
            try:
                connection.request(method, path, body=payload, headers=headers)
                response = connection.getresponse()
                data = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                connection = None
                stats.add(endpoint, (time.perf_counter() - started) * 1000, 0)
                with stats.lock:
                    stats.errors.append(f"{method} {path}: {type(exc).__name__}: {exc}")
                return 0, None
            stats.add(endpoint, (time.perf_counter() - started) * 1000, status)
            try:
                parsed = json.loads(data) if data else None
            except ValueError:
                parsed = None
            return status, parsed

        def error(what: str) -> None:
            with stats.lock:
                stats.errors.append(what)

        i = 0
        while take():
            i += 1
            kind = rng.choices(kinds, weights)[0]
            if kind == "review" and not alert_ids:
                kind = "alerts"
            if kind == "match":
                name = names[(n * 7919 + i) % len(names)]
                query = {"queries": {"q": {"schema": "Person", "properties": {"name": [name]}}}}
                status, _ = call("POST /match", "POST", "/match/default", query)
                if status != 200:
                    error(f"POST /match/default -> {status}")
            elif kind == "alerts":
                status, _ = call("GET /alerts", "GET", "/alerts?status=open&limit=50")
                if status != 200:
                    error(f"GET /alerts -> {status}")
            else:
                alert_id = rng.choice(alert_ids)
                status, alert = call("GET /alerts/{id}", "GET", f"/alerts/{alert_id}")
                if status != 200 or alert is None:
                    error(f"GET /alerts/{alert_id} -> {status}")
                    continue
                decision = NEXT_DECISION.get(alert["status"])
                if decision is None:
                    continue  # decided already: a reviewer moves on
                body = {
                    "decision": decision,
                    "reason": f"load client {n}, request {i}",
                    "expected_row_version": alert["row_version"],
                }
                status, _ = call("POST /dispositions", "POST", f"/alerts/{alert_id}/dispositions", body)
                if status == 200:
                    with stats.lock:
                        stats.decided[alert_id] += 1
                elif status == 409:
                    with stats.lock:
                        stats.conflicts += 1
                else:
                    error(f"POST /alerts/{alert_id}/dispositions -> {status}")
        if connection is not None:
            connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 300)
    stats.seconds = time.perf_counter() - started
    if any(t.is_alive() for t in threads):
        stats.errors.append("a client did not finish within the duration plus 300 s")
    return stats


def check_decisions(store: Store, stats: LoadStats, alert_ids: list[int]) -> list[str]:
    """Problems found in the store after a run: lost or doubled dispositions, a broken audit chain."""
    problems = []
    total = 0
    for alert_id in alert_ids:
        alert = store.get_alert(alert_id)
        total += len(alert.dispositions)
        if len(alert.dispositions) != alert.row_version - 1:
            problems.append(
                f"alert {alert_id}: {len(alert.dispositions)} dispositions, row version {alert.row_version}"
            )
        if len(alert.dispositions) != stats.decided[alert_id]:
            problems.append(
                f"alert {alert_id}: {len(alert.dispositions)} dispositions stored, "
                f"{stats.decided[alert_id]} acknowledged to clients"
            )
    recorded = len(store.audit_records(action="alert.dispose", limit=10_000_000))
    if recorded != total:
        problems.append(f"{recorded} alert.dispose audit records for {total} dispositions")
    report = store.audit_verify()
    if not report.ok:
        problems.append(f"audit log broken: {report}")
    return problems


def prepare(store: Store, clients: int, alerts: int) -> tuple[list[str], list[str]]:
    """Reviewer keys (one per client) and customer rows named like listed parties (to raise alerts)."""
    keys = [store.create_key(f"load-{n}", "reviewer").plain for n in range(clients)]
    listed = [p.primary_name for p in store.current_parties() if p.schema == "Person" and p.primary_name]
    return keys, listed[:alerts]


def load_customers(base: str, key: str, names: list[str]) -> list[int]:
    """Add customers named like listed people through the API; the ids of the alerts raised."""
    import httpx

    alert_ids: list[int] = []
    headers = {"Authorization": f"Bearer {key}"}
    for start in range(0, len(names), 100):
        chunk = [
            {"id": f"L-{start + i}", "name": name, "schema": "Person"}
            for i, name in enumerate(names[start : start + 100])
        ]
        response = httpx.post(f"{base}/customers", json=chunk, headers=headers, timeout=600)
        response.raise_for_status()
        alert_ids.extend(response.json()["alerts_created"])
    return alert_ids


def report(stats: LoadStats, problems: list[str]) -> None:
    print("| endpoint | requests | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for endpoint, values in sorted(stats.latencies.items()):
        print(
            f"| {endpoint} | {len(values):,} | {percentile(values, 50):.1f} | {percentile(values, 95):.1f} "
            f"| {percentile(values, 99):.1f} | {max(values):.1f} |"
        )
    rate = stats.requests / max(stats.seconds, 1e-9)
    print(
        f"\n{stats.requests:,} requests in {stats.seconds:.1f} s ({rate:,.0f} req/s); "
        f"errors: {len(stats.errors)}; stale-version conflicts (409, expected): {stats.conflicts}; "
        f"dispositions acknowledged: {sum(stats.decided.values())}; store problems: {len(problems)}"
    )
    for line in [*stats.errors[:10], *problems[:10]]:
        print("  ", line)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of load (default 600)")
    parser.add_argument("--max-requests", type=int, default=5_000_000, help="stop after this many requests")
    parser.add_argument("--workers", type=int, default=2, help="vigil serve --workers")
    parser.add_argument("--alerts", type=int, default=400, help="customers loaded to raise alerts")
    parser.add_argument("--lists", choices=["un", "all"], default="all", help="bundled lists to load")
    args = parser.parse_args()
    import httpx

    from vigil.lists.importing import import_files
    from vigil.lists.snapshot import load_snapshot, snapshot_dir, snapshot_manifest

    names = [row[1] for row in customer_rows(20_000)]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "VIGIL_HOME": tmp, "VIGIL_RATE_LIMIT": "0"}
        env.pop("VIGIL_DATABASE_URL", None)
        url = f"sqlite:///{Path(tmp) / 'vigil.sqlite3'}"
        with open_store(url) as store:
            if args.lists == "all":
                load_snapshot(store)
            else:
                un = next(e for e in snapshot_manifest() if e.source == "un_sc")
                import_files(store, "un_sc", {r: snapshot_dir() / n for r, n in un.files.items()})
            keys, listed = prepare(store, args.clients, args.alerts)
        vigil = [sys.executable, "-m", "vigil.cli.main"]
        subprocess.run([*vigil, "screen", "warm up"], env=env, check=True, capture_output=True)
        port = _free_port()
        server = subprocess.Popen(
            [*vigil, "serve", "--port", str(port), "--workers", str(args.workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(480):
                try:
                    if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.5)
            alert_ids = load_customers(base, keys[0], listed)
            # Warm every worker's match index before measuring.
            run_load(
                base, keys, names, [], clients=args.workers * 2, duration=120, max_requests=args.workers * 20
            )
            print(
                f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
                f"{date.today()}; vigil serve --workers {args.workers}; {args.clients} clients for "
                f"{args.duration:.0f} s (budget {args.max_requests:,} requests); {len(alert_ids)} alerts\n"
            )
            stats = run_load(
                base,
                keys,
                names,
                alert_ids,
                clients=args.clients,
                duration=args.duration,
                max_requests=args.max_requests,
            )
        finally:
            server.terminate()
            server.wait(timeout=60)
        with open_store(url) as store:
            problems = check_decisions(store, stats, alert_ids)
    report(stats, problems)
    sys.exit(1 if stats.errors or problems else 0)


if __name__ == "__main__":
    main()
