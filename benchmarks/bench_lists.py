"""Time each list import (seconds, peak memory) and the full bundled-snapshot load.

Each measurement runs in a fresh subprocess so its peak RSS is its own.

    .venv/bin/python benchmarks/bench_lists.py [--shared ../shared/data] [--backend sqlite|duckdb|postgres]

Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from vigil.store import open_store
url, mode, source, files = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
start = time.perf_counter()
with open_store(url) as store:
    if mode == "snapshot":
        from vigil.lists.snapshot import load_snapshot
        parties = sum(o.version.party_count for o in load_snapshot(store))
    elif mode == "parse":
        from vigil.sources.registry import get_source
        parsed = get_source(source).parse({k: Path(v) for k, v in files.items()})
        parties = len(parsed.parties)
    else:
        from vigil.lists.importing import import_files
        parties = import_files(store, source, {k: Path(v) for k, v in files.items()}).version.party_count
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mib": peak, "parties": parties}))
"""


def run(url: str, mode: str, source: str, files: dict[str, str]) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, url, mode, source, json.dumps(files)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def store_url(backend: str, folder: Path, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / name}.sqlite3"
    if backend == "duckdb":
        return f"duckdb:///{folder / name}.duckdb"
    base = os.environ.get("VIGIL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    return f"{base}?schema=bench_{name}_{os.getpid()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "duckdb", "postgres"])
    args = parser.parse_args()
    lists = args.shared / "lists"
    cases = [
        ("un_sc", {"main": lists / "un/2026-02-27/UN_consolidated.xml"}),
        ("ofac_sdn_advanced", {"main": lists / "ofac/advanced/2025-11-19/sdn_advanced.xml.bz2"}),
        (
            "ofac_sdn_csv",
            {
                "sdn": lists / "ofac/sdn/2021-07-07-coherent/sdn.csv",
                "add": lists / "ofac/sdn/2021-07-07-coherent/add.csv",
                "alt": lists / "ofac/sdn/2021-07-07-coherent/alt.csv",
                "comments": lists / "ofac/sdn/2021-07-07-coherent/sdn_comments.csv",
            },
        ),
        ("ofac_cons_xml", {"xml": lists / "ofac/cons/2026-01-08/ofac.xml"}),
        ("uk_ofsi_conlist", {"main": lists / "uk/ofsi/2025-04-14/ConList.xlsx"}),
        ("uk_fcdo_ods", {"main": lists / "uk/fcdo/2025-08-11/FCDO_SL_Mon_Aug 11 2025.ods"}),
    ]
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"backend {args.backend}; {date.today().isoformat()}\n"
    )
    print("| list | parties | parse s | parse peak MiB | import s (parse + store) | import peak MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for source, files in cases:
            str_files = {k: str(v) for k, v in files.items()}
            parse = run(store_url(args.backend, folder, f"p_{source}"), "parse", source, str_files)
            full = run(store_url(args.backend, folder, f"i_{source}"), "import", source, str_files)
            print(
                f"| {source} | {int(full['parties']):,} | {parse['seconds']:.2f} | {parse['peak_mib']:.0f} "
                f"| {full['seconds']:.2f} | {full['peak_mib']:.0f} |"
            )
        snap = run(store_url(args.backend, folder, "snapshot"), "snapshot", "", {})
        print(
            "| **bundled snapshot** (UN + OFAC advanced + UK ConList), first run "
            f"| {int(snap['parties']):,} | | "
            f"| {snap['seconds']:.2f} | {snap['peak_mib']:.0f} |"
        )


if __name__ == "__main__":
    main()
