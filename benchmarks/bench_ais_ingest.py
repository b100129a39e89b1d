"""AIS ingest benchmark: CSV and Parquet positions/s into the store, NMEA decode messages/s.

    .venv/bin/python benchmarks/bench_ais_ingest.py [--positions 10000000] [--nmea 1000000]

The real MarineCadastre sample (99,999 positions of 2022-01-03) is replicated and time-shifted by one day
per copy (MMSIs kept) to ``--positions`` rows, written as CSV and Parquet into a temporary directory, and
ingested with :func:`vigil.maritime.tabular.ingest_table` (Polars lazy scan streamed to Parquet). The
straightforward pandas ingest (``read_csv`` + per-column cleaning + ``to_parquet``) is timed on the same
files. For NMEA, the real positions are encoded as type 1/18 sentences with pyais' encoder, with NMEA 4.0
tag-block times, and decoded by the vectorized decoder and, on a slice (``--pyais``), by pyais one
message at a time. Prints a Markdown table with the machine and the date.
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

import polars as pl

from vigil.maritime.nmea import decode_lines, decode_reference, lines_from_bytes
from vigil.maritime.store import AisStore
from vigil.maritime.tabular import ingest_table

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "ais"
    / "marinecadastre_2022-01-03_first99999.csv.gz"
)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _replicate(sample: pl.DataFrame, n: int) -> pl.DataFrame:
    copies = -(-n // sample.height)
    ts = pl.col("BaseDateTime").str.to_datetime("%Y-%m-%dT%H:%M:%S")
    frames = [
        sample.with_columns((ts + pl.duration(days=i)).dt.strftime("%Y-%m-%dT%H:%M:%S").alias("BaseDateTime"))
        for i in range(copies)
    ]
    return pl.concat(frames).head(n)


def _pandas_ingest(csv_path: Path, out: Path) -> int:
    import pandas as pd

    df = pd.read_csv(csv_path, dtype=str)
    clean = pd.DataFrame(
        {
            "mmsi": pd.to_numeric(df["MMSI"], errors="coerce").astype("Int64"),
            "ts": pd.to_datetime(df["BaseDateTime"], errors="coerce", utc=True),
            "lat": pd.to_numeric(df["LAT"], errors="coerce"),
            "lon": pd.to_numeric(df["LON"], errors="coerce"),
            "sog": pd.to_numeric(df["SOG"], errors="coerce").astype("float32"),
            "cog": pd.to_numeric(df["COG"], errors="coerce").astype("float32"),
            "heading": pd.to_numeric(df["Heading"], errors="coerce").astype("float32"),
            "nav_status": pd.to_numeric(df["Status"], errors="coerce").astype("Int16"),
        }
    )
    clean.loc[clean["lat"].abs() > 90, "lat"] = None
    clean.loc[clean["lon"].abs() > 180, "lon"] = None
    clean.loc[clean["sog"] >= 102.3, "sog"] = None
    clean.loc[clean["heading"] >= 360, "heading"] = None
    clean = clean.dropna(subset=["mmsi", "ts"])
    clean.to_parquet(out)
    return len(clean)


def _nmea_lines(sample: pl.DataFrame, n: int) -> bytes:
    from pyais.encode import encode_dict

    rows = (
        sample.select("MMSI", "BaseDateTime", "LAT", "LON", "SOG", "COG", "Heading", "TransceiverClass")
        .with_columns(pl.col("BaseDateTime").str.to_datetime("%Y-%m-%dT%H:%M:%S").dt.epoch("s"))
        .to_dicts()
    )
    # encode each real position once; copies differ only by the tag-block time (one day later per copy)
    encoded: list[tuple[int, str]] = []
    for row in rows[:n]:
        kind = 18 if row["TransceiverClass"] == "B" else 1
        heading = int(float(row["Heading"] or 511))
        msg = {
            "type": kind,
            "mmsi": int(row["MMSI"]),
            "lat": float(row["LAT"]),
            "lon": float(row["LON"]),
            "speed": min(float(row["SOG"] or 102.3), 102.3),
            "course": float(row["COG"] or 360) % 360.1,
            "heading": heading if 0 <= heading <= 511 else 511,
        }
        encoded.append((row["BaseDateTime"], encode_dict(msg)[0]))
    out: list[str] = []
    copy = 0
    while len(out) < n:
        shift = 86_400 * copy
        out.extend(
            f"\\s:bench,c:{epoch + shift}*00\\{sentence}" for epoch, sentence in encoded[: n - len(out)]
        )
        copy += 1
    return ("\n".join(out) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--positions", type=int, default=10_000_000, help="rows of the CSV/Parquet files")
    parser.add_argument("--nmea", type=int, default=1_000_000, help="NMEA sentences to decode")
    parser.add_argument(
        "--pyais", type=int, default=100_000, help="sentences decoded by pyais for comparison"
    )
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--skip-pandas", action="store_true")
    args = parser.parse_args()
    sample = pl.read_csv(args.sample, infer_schema=False)
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="vigil-bench-ais-") as tmp_name:
        tmp = Path(tmp_name)
        t = time.perf_counter()
        big = _replicate(sample, args.positions)
        csv_path, pq_path = tmp / "positions.csv", tmp / "positions.parquet"
        big.write_csv(csv_path)
        big.write_parquet(pq_path)
        del big
        rows.append(
            (
                f"generate {args.positions:,} positions (CSV {csv_path.stat().st_size / 1e6:,.0f} MB, "
                f"Parquet {pq_path.stat().st_size / 1e6:,.0f} MB)",
                f"{time.perf_counter() - t:.1f} s",
            )
        )
        for fmt, path in (("csv", csv_path), ("parquet", pq_path)):
            store = AisStore(tmp / f"store-{fmt}")
            t = time.perf_counter()
            report = ingest_table(path, store, fmt)
            dt = time.perf_counter() - t
            rows.append(
                (
                    f"vigil ingest {fmt}: {report.positions:,} positions (+ {report.static:,} static)",
                    f"{dt:.1f} s = {report.positions / dt:,.0f} positions/s",
                )
            )
        if not args.skip_pandas:
            t = time.perf_counter()
            count = _pandas_ingest(csv_path, tmp / "pandas.parquet")
            dt = time.perf_counter() - t
            rows.append(
                (
                    f"pandas ingest csv (read_csv, clean, to_parquet): {count:,}",
                    f"{dt:.1f} s = {count / dt:,.0f} positions/s",
                )
            )
        t = time.perf_counter()
        data = _nmea_lines(sample, args.nmea)
        rows.append(
            (f"encode {args.nmea:,} NMEA sentences with pyais (setup)", f"{time.perf_counter() - t:.1f} s")
        )
        t = time.perf_counter()
        result = decode_lines(lines_from_bytes(data))
        dt = time.perf_counter() - t
        assert result.report.rejected == {}, result.report.rejected
        rows.append(
            (
                f"vigil NMEA decode (vectorized): {result.report.messages:,} messages",
                f"{dt:.2f} s = {result.report.messages / dt:,.0f} messages/s",
            )
        )
        head = data.split(b"\n", args.pyais)[: args.pyais]
        lines = [line.decode() for line in head]
        t = time.perf_counter()
        decoded = decode_reference(lines)
        dt = time.perf_counter() - t
        rows.append(
            (
                f"pyais decode, one message at a time: {len(decoded):,} messages",
                f"{dt:.2f} s = {len(decoded) / dt:,.0f} messages/s",
            )
        )
    rows.append(("peak RSS of the process (MB)", f"{_peak_mb():,.0f}"))
    cpu = platform.processor() or platform.machine()
    machine = f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    print(f"\n## bench_ais_ingest — {datetime.date.today().isoformat()} — {machine}\n")
    print("| measure | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
