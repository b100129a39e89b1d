"""Monitor benchmark: validating and merging a large user file, scorecard, timeline, SVG, HTML and PDF.

    .venv/bin/python benchmarks/bench_monitor.py [--rows 20000] [--repeat 5]

``--rows`` user missile-test rows (the most one file may hold) are generated, validated and merged
into a temporary ``VIGIL_HOME``; the timeline is then built over bundled + user rows. Prints a
Markdown table with the machine and the date.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import platform
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vigil.monitor.chart import layout_chart, to_svg
from vigil.monitor.data import DATASETS, add_user_file, load_data
from vigil.monitor.export import MonitorReport
from vigil.monitor.scorecard import build_scorecard, resolve_states
from vigil.monitor.timeline import TimelineFilter, build_timeline


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _best(repeat: int, func: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def _user_file(path: Path, rows: int) -> None:
    columns = DATASETS["missile_tests"].columns()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        for i in range(rows):
            row = dict.fromkeys(columns, "")
            day = datetime.date(2000, 1, 1) + datetime.timedelta(days=i % 9000)
            row.update(
                test_id=str(100_000 + i),
                date=day.isoformat(),
                missile_name=f"Test-{i}",
                missile_type=("SRBM", "ICBM", "IRBM", "SLBM")[i % 4],
                outcome=("success", "failure", "unknown")[i % 3],
                apogee_km=str(100 + i % 900),
                sources="https://example.org/benchmark",
                confidence="low (synthetic)",
            )
            writer.writerow(row)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--rows", type=int, default=20_000, help="user rows to validate and merge (max 20,000)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per measure; the best is reported")
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        user = Path(tmp) / "tests.csv"
        _user_file(user, args.rows)
        seconds, _ = _best(1, lambda: add_user_file(home, user))
        rows.append((f"validate + merge {args.rows:,} user rows (atomic write)", f"{seconds:.2f} s"))
        rows.append(("  rows per second", f"{args.rows / seconds:,.0f}"))
        seconds, data = _best(args.repeat, lambda: load_data(home))
        rows.append(("load bundled + user data", f"{seconds * 1000:.0f} ms"))
        states = resolve_states("asean")
        seconds, card = _best(args.repeat, lambda: build_scorecard(data, states))
        rows.append(("scorecard, 11 ASEAN states", f"{seconds * 1000:.1f} ms"))
        seconds, timeline = _best(args.repeat, lambda: build_timeline(data))
        rows.append((f"timeline, all {len(timeline.events):,} events", f"{seconds * 1000:.0f} ms"))
        seconds, svg = _best(args.repeat, lambda: to_svg(layout_chart(timeline.events)))
        rows.append((f"chart layout + SVG ({len(svg) / 1e6:.1f} MB)", f"{seconds * 1000:.0f} ms"))
        small = build_timeline(load_data(), TimelineFilter.parse("2016", "2017"))
        report = MonitorReport(card, small)
        seconds, _html = _best(args.repeat, report.to_html)
        rows.append(("HTML export, bundled data 2016-2017", f"{seconds * 1000:.0f} ms"))
        seconds, pdf = _best(max(1, args.repeat // 2), report.to_pdf)
        rows.append((f"PDF export, bundled data 2016-2017 ({len(pdf) / 1e3:,.0f} kB)", f"{seconds:.2f} s"))
    rows.append(("peak RSS of the process (MB)", f"{_peak_mb():,.0f}"))
    cpu = platform.processor() or platform.machine()
    machine = f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    print(f"\n## bench_monitor — {datetime.date.today().isoformat()} — {machine}\n")
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
