"""Latency of ``POST /match`` and of the alert endpoints, on loopback, at 1 and 8 concurrent clients.

    .venv/bin/python benchmarks/bench_api.py [--requests 2000] [--workers 2]

Starts ``vigil serve`` on a free loopback port over a fresh VIGIL_HOME with the bundled snapshot,
makes a reviewer key, warms the index, then runs a bounded number of requests per level: each
client keeps one connection and screens one yente-shaped query per request (distinct names from
the synthetic customer base). Prints p50/p95/p99 in milliseconds and errors.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from customers import customer_rows  # noqa: E402


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def run_level(base: str, key: str, path: str, make_body, clients: int, total: int) -> tuple[list[float], int]:  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_client = total // clients

    def work(offset: int) -> None:
        nonlocal errors
        host, port = base.removeprefix("http://").split(":")
        # The standard library's client with TCP_NODELAY: one write per request, so what is
        # measured is the server, not Nagle's algorithm meeting delayed ACKs.
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        connection.connect()
        assert connection.sock is not None
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        for i in range(per_client):
            body = make_body(offset * per_client + i)
            started = time.perf_counter()
            try:
                payload = None if body is None else json.dumps(body).encode()
                connection.request("GET" if body is None else "POST", path, body=payload, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                errors += 0 if ok else 1
        connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    names = [row[1] for row in customer_rows(args.requests * 2)]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "VIGIL_HOME": tmp, "VIGIL_RATE_LIMIT": "0"}
        env.pop("VIGIL_DATABASE_URL", None)
        vigil = [sys.executable, "-m", "vigil.cli.main"]
        subprocess.run([*vigil, "lists", "status"], env=env, check=True, capture_output=True)
        subprocess.run([*vigil, "screen", "warm up"], env=env, check=True, capture_output=True)
        made = subprocess.run(
            [*vigil, "keys", "add", "bench", "--role", "reviewer", "--json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        key = json.loads(made.stdout)["key"]
        port = _free_port()
        server = subprocess.Popen(
            [*vigil, "serve", "--port", str(port), "--workers", str(args.workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(240):
                try:
                    if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.5)

            def match_body(i: int) -> dict[str, object]:
                return {
                    "queries": {"q": {"schema": "Person", "properties": {"name": [names[i % len(names)]]}}}
                }

            run_level(base, key, "/match/default", match_body, 2, 200)  # warm every worker's index
            print(
                f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
                f"{date.today()}; vigil serve --workers {args.workers}\n"
            )
            print("| endpoint | clients | requests | p50 ms | p95 ms | p99 ms | errors | req/s |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|")
            for path, body in (
                ("/match/default", match_body),
                ("/alerts?status=open&limit=50", lambda i: None),
            ):
                for clients in (1, 8):
                    started = time.perf_counter()
                    latencies, errors = run_level(base, key, path, body, clients, args.requests)
                    seconds = time.perf_counter() - started
                    print(
                        f"| {path.split('?')[0]} | {clients} | {len(latencies):,} "
                        f"| {_percentile(latencies, 50):.1f} "
                        f"| {_percentile(latencies, 95):.1f} | {_percentile(latencies, 99):.1f} | {errors} "
                        f"| {len(latencies) / seconds:,.0f} |",
                        flush=True,
                    )
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
