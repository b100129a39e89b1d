"""A synthetic customer base for speed measurements: realistic names, made deterministically.

Names are recombined from the labelled sets' non-listed and variant queries (ASEAN, Chinese and
Korean people; companies with legal forms), so they look like what a bank in Manila, Bangkok or
Jakarta screens: mostly not listed, a few close to listed names.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _pools() -> tuple[list[list[str]], list[list[str]]]:
    people: list[list[str]] = []
    companies: list[list[str]] = []
    for name in ("hard_negatives", "variants", "cross_list"):
        with (HERE / "sets" / f"{name}.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                words = row["query"].split()
                if not words or not row["query"].isascii():
                    continue
                (people if row["query_schema"] == "Person" else companies).append(words)
    return people, companies


def customer_rows(count: int, seed: int = 20261128) -> list[tuple[str, str, str, str]]:
    """``count`` rows of (id, name, type, dob): three people to one company, every name distinct."""
    rng = random.Random(seed)
    people, companies = _pools()
    seen: set[str] = set()
    rows = []
    while len(rows) < count:
        if len(rows) % 4 == 3:
            a, b = rng.choice(companies), rng.choice(companies)
            name = " ".join(a[: max(1, len(a) // 2)] + b[len(b) // 2 :])
            kind, dob = "organization", ""
        else:
            a, b = rng.choice(people), rng.choice(people)
            name = " ".join(a[:1] + b[1:])
            kind, dob = (
                "person",
                f"{rng.randint(1940, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            )
        if name in seen:
            name = f"{name} {rng.choice(people)[-1]}"
            if name in seen:
                continue
        seen.add(name)
        rows.append((f"C{len(rows):08d}", name, kind, dob))
    return rows


def write_customers(path: Path, count: int) -> Path:
    """Write ``count`` customers to ``path`` (.csv or .parquet)."""
    rows = customer_rows(count)
    if path.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = list(zip(*rows, strict=True))
        table = pa.table({k: list(v) for k, v in zip(("id", "name", "type", "dob"), columns, strict=True)})
        pq.write_table(table, path)
    else:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "name", "type", "dob"])
            writer.writerows(rows)
    return path
