"""Crypto benchmark: batch address lookups per second and exposure over a 10M-transfer graph.

    .venv/bin/python benchmarks/bench_crypto.py [--transfers 10000000] [--lookups 2000000]

Prints a Markdown table with the machine and the date.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from vigil.crypto.exposure import compute_exposure, load_transfers
from vigil.crypto.screening import AddressIndex
from vigil.lists.snapshot import snapshot_dir
from vigil.sources.registry import get_source


def _hex_addresses(rng: np.random.Generator, n: int) -> pa.Array:
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    raw = rng.integers(0, 16, size=(n, 40), dtype=np.uint8)
    buf = np.empty((n, 42), dtype=np.uint8)
    buf[:, 0], buf[:, 1] = ord("0"), ord("x")
    buf[:, 2:] = digits[raw]
    offsets = np.arange(0, 42 * (n + 1), 42, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(buf.tobytes())])


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transfers", type=int, default=10_000_000)
    parser.add_argument("--addresses", type=int, default=2_000_000)
    parser.add_argument("--lookups", type=int, default=2_000_000)
    args = parser.parse_args()
    rng = np.random.default_rng(8)
    rows: list[tuple[str, str]] = []

    parsed = get_source("ofac_sdn_advanced").parse({"main": snapshot_dir() / "sdn_advanced.xml.bz2"})
    index = AddressIndex.from_parties(parsed.parties)
    listed = index.keys

    # Lookups: random hex queries with 0.1 % listed addresses mixed in.
    queries = _hex_addresses(rng, args.lookups).to_pylist()
    for i in rng.choice(args.lookups, size=args.lookups // 1000, replace=False).tolist():
        queries[i] = listed[i % len(listed)]
    array = pa.array(queries, pa.string())
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        batch = index.lookup_batch(array, validate=False)
        best = max(best, len(queries) / (time.perf_counter() - start))
    rows.append(("designated addresses indexed", f"{len(index):,}"))
    rows.append(
        (f"batch lookups/s ({args.lookups:,} queries, {batch.counts()['match']:,} hits)", f"{best:,.0f}")
    )
    sample = array.slice(0, 100_000)
    start = time.perf_counter()
    index.lookup_batch(sample, validate=True)
    rows.append(
        (
            "batch lookups/s with validation of every query",
            f"{len(sample) / (time.perf_counter() - start):,.0f}",
        )
    )

    # Exposure: a random graph, 20 designated senders, times over two years.
    n, m = args.addresses, args.transfers
    nodes = _hex_addresses(rng, n)
    designated = rng.choice(n, size=20, replace=False)
    src = rng.integers(0, n, size=m, dtype=np.int32)
    src[: m // 1000] = designated[rng.integers(0, 20, size=m // 1000)]
    dst = rng.integers(0, n, size=m, dtype=np.int32)
    t0 = int(datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC).timestamp())
    table = pa.table(
        {
            "tx_id": pa.array(np.arange(m).astype(str)),
            "from": pa.DictionaryArray.from_arrays(pa.array(src), nodes),
            "to": pa.DictionaryArray.from_arrays(pa.array(dst), nodes),
            "asset": pa.DictionaryArray.from_arrays(pa.array(np.zeros(m, np.int32)), pa.array(["ETH"])),
            "amount": pa.array(rng.exponential(100.0, size=m)),
            "time": pa.array(t0 + rng.integers(0, 2 * 365 * 86400, size=m), pa.int64()),
        }
    )
    designated_keys = nodes.take(pa.array(designated))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "transfers.parquet"
        pq.write_table(table, path)
        del table
        mem_before = _peak_mb()
        start = time.perf_counter()
        graph = load_transfers(path)
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        result = compute_exposure(graph, designated_keys, max_hops=3, window_days=365)
        computed = time.perf_counter() - start
        start = time.perf_counter()
        out = result.to_table()  # reads the tx ids of the evidence paths from the file
        tabled = time.perf_counter() - start
    reached = int((result.hops > 0).sum())
    rows.append((f"exposure: read + encode {m:,} transfers (Parquet)", f"{loaded:.1f} s"))
    rows.append(("exposure: hops (3) + haircut/poison (365-day window)", f"{computed:.1f} s"))
    rows.append(
        (f"exposure: result table ({out.num_rows:,} rows, {reached:,} within 3 hops)", f"{tabled:.1f} s")
    )
    rows.append(("peak RSS of the process (MB)", f"{_peak_mb():,.0f} (before exposure: {mem_before:,.0f})"))

    cpu = platform.processor() or platform.machine()
    machine = f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    print(f"\n## bench_crypto — {datetime.date.today().isoformat()} — {machine}\n")
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
