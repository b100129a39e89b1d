"""Batch screening throughput and re-screening after a list update, on a synthetic customer base.

    .venv/bin/python benchmarks/bench_screening.py --customers 1000000          # all measurements
    .venv/bin/python benchmarks/bench_screening.py --customers 100000 --skip-full

1. ``vigil screen-file`` on N names (Parquet in, Parquet out), as a user runs it: rows/s and the
   peak memory of the process. The lists are the bundled snapshot, the index already cached.
2. Delta re-screening: N monitored customers, the UN list of 2026-01-28 current; importing the
   2026-02-27 list re-screens them against only the added designations. Compared with a full
   re-screen of the same base against every current list.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from customers import customer_rows, write_customers  # noqa: E402

from vigil.lists.importing import import_files  # noqa: E402
from vigil.match.engine import Matcher  # noqa: E402
from vigil.screening.service import ScreeningService  # noqa: E402
from vigil.store import open_store  # noqa: E402
from vigil.store.workflow import Customer  # noqa: E402


def screen_file(home: Path, count: int, workers: int) -> str:
    source = write_customers(home / "customers.parquet", count)
    env = {**os.environ, "VIGIL_HOME": str(home)}
    vigil = [sys.executable, "-m", "vigil.cli.main"]
    subprocess.run([*vigil, "lists", "status"], env=env, check=True, capture_output=True)
    subprocess.run([*vigil, "screen", "warm up the index cache"], env=env, check=True, capture_output=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(
        [
            *vigil,
            "screen-file",
            str(source),
            "--out",
            str(home / "results.parquet"),
            "--id-column",
            "id",
            "--type-column",
            "type",
            "--dob-column",
            "dob",
            "--workers",
            str(workers),
            "--json",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    return (
        f"| `vigil screen-file` {count:,} names, Parquet → Parquet, {workers} worker(s) | {seconds:.1f} s | "
        f"{count / seconds:,.0f} rows/s | peak RSS {peak:,.0f} MiB (largest process) |"
    )


def rescreen(folder: Path, count: int, lists: Path, workers: int, full: bool) -> list[str]:
    lines = []
    with open_store(f"sqlite:///{folder / 'rescreen.sqlite3'}") as store:
        service = ScreeningService(store, workers=workers)
        import_files(store, "un_sc", [lists / "un/2026-01-28/un.xml"])
        customers = [
            Customer(
                id=i, name=n, schema=t.capitalize() if t != "organization" else "Organization", dob=d or None
            )
            for i, n, t, d in customer_rows(count)
        ]
        started = time.perf_counter()
        store.upsert_customers(customers)
        lines.append(
            f"| store {count:,} monitored customers (upsert) | {time.perf_counter() - started:.1f} s | | |"
        )
        started = time.perf_counter()
        outcome = import_files(store, "un_sc", [lists / "un/2026-02-27/UN_consolidated.xml"])
        imported = time.perf_counter() - started
        started = time.perf_counter()
        summary = service.rescreen_changes([outcome])
        delta = time.perf_counter() - started
        lines.append(
            f"| import UN 2026-02-27 | {imported:.1f} s | | |\n"
            f"| **delta re-screen** of {count:,} customers against the {summary.groups_screened} added "
            f"designations ({workers} workers) | {delta:.1f} s | {count / delta:,.0f} customers/s | "
            f"{len(summary.alerts_created)} alerts |"
        )
        if full:
            matcher: Matcher = service.matcher()
            started = time.perf_counter()
            result = service.screen_customers(
                list(store.iter_customers()), actor="bench", kind="rescreen", matcher=matcher
            )
            seconds = time.perf_counter() - started
            lines.append(
                f"| full re-screen of {count:,} customers against every current list ({workers} workers) | "
                f"{seconds:.1f} s | {count / seconds:,.0f} customers/s | "
                f"{len(result.alerts_created)} alerts |"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shared", type=Path, default=HERE.parents[1] / "shared" / "data")
    parser.add_argument("--skip-file", action="store_true")
    parser.add_argument("--skip-full", action="store_true")
    args = parser.parse_args()
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {date.today()}\n"
    )
    print("| measurement | time | rate | notes |\n|---|---:|---:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.skip_file:
            home = folder / "home"
            home.mkdir()
            print(screen_file(home, args.customers, args.workers), flush=True)
        for line in rescreen(folder, args.customers, args.shared / "lists", args.workers, not args.skip_full):
            print(line, flush=True)


if __name__ == "__main__":
    main()
