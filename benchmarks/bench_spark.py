"""Spark benchmark: screening names and detecting AIS events, local engine vs Spark local[1] / local[2].

    .venv/bin/python benchmarks/bench_spark.py [--names 10000000] [--positions 10000000] \\
        [--masters local[1],local[2]] [--driver-memory 8g]

Names: the synthetic customer base of benchmarks/customers.py (mostly not listed, a few close to
listed names), screened against every bundled list (the snapshot), by ``ScreeningService.screen_file``
on every core and by ``vigil.spark.screening.screen_table`` on each master. Positions: the real
MarineCadastre sample (99,999 positions of 2022-01-03) repeated day after day (copy ``i`` shifted by
``i`` days) up to ``--positions``, the encounter and gap detectors of the ``gfw`` preset, by
``vigil.maritime.events.detect_all`` and by ``vigil.spark.ais.detect_events``. Each Spark run
also checks its output against the local one (row counts, hits, events). Prints a Markdown table
with the machine and the date.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = (
    Path(os.environ.get("VIGIL_SHARED_DATA", HERE.parent.parent / "shared" / "data"))
    / "ais"
    / "marinecadastre_2022-01-03_first99999.csv.gz"
)


def _names(path: Path, count: int) -> Path:
    sys.path.insert(0, str(HERE))
    from customers import write_customers  # type: ignore[import-not-found]

    return write_customers(path, count)  # type: ignore[no-any-return]


def _positions(folder: Path, count: int) -> int:
    """The MarineCadastre sample repeated with a one-day shift until ``count`` rows, one file per copy."""
    import polars as pl

    from vigil.maritime.store import AisStore
    from vigil.maritime.tabular import ingest_table

    store = AisStore(folder.parent / "sample-store")
    ingest_table(SAMPLE, store, "csv")
    sample = store.positions().collect()
    folder.mkdir(parents=True, exist_ok=True)
    written = copy = 0
    while written < count:
        part = sample.head(count - written).with_columns(pl.col("ts") + pl.duration(days=copy))
        part.write_parquet(folder / f"part-{copy:05d}.parquet")
        written += part.height
        copy += 1
    return written


def _session(master: str, memory: str, partitions: int) -> object:
    from vigil.spark.session import get_session

    spark = get_session(
        master,
        app_name="vigil-bench",
        config={
            "spark.ui.enabled": "false",
            "spark.driver.memory": memory,
            "spark.sql.shuffle.partitions": str(partitions),
            "spark.ui.showConsoleProgress": "false",
        },
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--names", type=int, default=10_000_000)
    parser.add_argument("--positions", type=int, default=10_000_000)
    parser.add_argument("--masters", default="local[1],local[2]")
    parser.add_argument("--driver-memory", default="8g")
    parser.add_argument("--skip-local", action="store_true", help="Do not time the local engine.")
    args = parser.parse_args()
    masters = [m.strip() for m in args.masters.split(",") if m.strip()]

    import polars as pl
    import pyarrow.dataset as ds

    from vigil.lists.snapshot import ensure_snapshot
    from vigil.maritime.events import detect_all
    from vigil.maritime.presets import get_preset
    from vigil.screening.files import ColumnMapping
    from vigil.screening.service import ScreeningService
    from vigil.spark.ais import detect_events, read_positions
    from vigil.spark.screening import screen_table
    from vigil.store import open_store

    work = Path(tempfile.mkdtemp(prefix="vigil-bench-spark-"))
    results: dict[str, dict[str, str]] = {}
    try:
        started = time.perf_counter()
        names = _names(work / "customers.parquet", args.names)
        positions = work / "positions"
        npos = _positions(positions, args.positions)
        print(
            f"inputs ready in {time.perf_counter() - started:.0f} s: {args.names:,} names, {npos:,} positions"
        )
        mapping = ColumnMapping(id_column="id", type_column="type", dob_column="dob")
        preset = get_preset("gfw")
        with open_store(f"sqlite:///{work / 'vigil.sqlite3'}") as store:
            ensure_snapshot(store)
            service = ScreeningService(store, workers=os.cpu_count() or 1)
            started = time.perf_counter()
            matcher = service.matcher()
            index_s = time.perf_counter() - started
            expected_hits: int | None = None
            expected_events: int | None = None
            if not args.skip_local:
                started = time.perf_counter()
                summary = service.screen_file(names, work / "local.parquet", mapping)
                seconds = time.perf_counter() - started
                expected_hits = summary.hits
                results["screen names"] = {"local": f"{seconds:,.1f} s ({summary.rows / seconds:,.0f}/s)"}
                started = time.perf_counter()
                events = detect_all(
                    pl.scan_parquet(str(positions / "*.parquet")), preset, types=("encounter", "gap")
                )
                seconds = time.perf_counter() - started
                expected_events = events.height
                results["AIS encounters + gaps"] = {"local": f"{seconds:,.1f} s ({npos / seconds:,.0f}/s)"}
            for master in masters:
                cores = master[master.find("[") + 1 : master.find("]")] if "[" in master else "?"
                partitions = max(2, 4 * (int(cores) if cores.isdigit() else os.cpu_count() or 1))
                spark = _session(master, args.driver_memory, partitions)
                out = work / f"spark-{cores}"
                started = time.perf_counter()
                result = screen_table(spark, matcher, str(names), str(out), mapping, mode="overwrite")
                seconds = time.perf_counter() - started
                if expected_hits is not None and result.hits != expected_hits:
                    raise SystemExit(f"{master}: {result.hits} hits, the local engine found {expected_hits}")
                results.setdefault("screen names", {})[master] = (
                    f"{seconds:,.1f} s ({result.rows / seconds:,.0f}/s)"
                )
                started = time.perf_counter()
                frame = detect_events(read_positions(spark, str(positions)), preset)
                frame.write.mode("overwrite").parquet(str(work / f"events-{cores}"))
                seconds = time.perf_counter() - started
                count = ds.dataset(str(work / f"events-{cores}")).count_rows()
                if expected_events is not None and count != expected_events:
                    raise SystemExit(f"{master}: {count} events, the local detectors found {expected_events}")
                results.setdefault("AIS encounters + gaps", {})[master] = (
                    f"{seconds:,.1f} s ({npos / seconds:,.0f}/s)"
                )
                spark.stop()  # type: ignore[attr-defined]
                shutil.rmtree(out, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    cpu = platform.processor() or platform.machine()
    machine = f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"\n## bench_spark — {datetime.date.today().isoformat()} — {machine}\n")
    print(f"{args.names:,} names (match index built in {index_s:.1f} s), {npos:,} AIS positions\n")
    columns = ["local", *masters]
    print("| task | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for task, cells in results.items():
        print(f"| {task} | " + " | ".join(cells.get(c, "-") for c in columns) + " |")


if __name__ == "__main__":
    main()
