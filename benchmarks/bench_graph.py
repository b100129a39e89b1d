"""Network benchmark: the OFAC 50 % rule over a generated ownership graph and path queries.

    .venv/bin/python benchmarks/bench_graph.py [--edges 1000000] [--parties 100000] [--queries 200]

Targets (issue 6): the 50 % rule over 1,000,000 ownership edges in at most 30 s; a 3-hop path
query on a 100,000-party graph in at most 100 ms. The 50 % rule is also timed at 1/8, 1/4 and
1/2 of ``--edges`` so the table shows whether the cost grows linearly (seconds per million
edges should stay flat). Prints a Markdown table with the machine and the date.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import statistics
import time

import numpy as np

from vigil.graph.network import build_graph, paths_to_designated, undirected_adjacency
from vigil.graph.ownership import OwnershipEdge, apply_fifty_percent_rule
from vigil.model.party import Designation, Identifier, Name, Party, Relation


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ownership_graph(edges: int, rng: np.random.Generator) -> tuple[list[OwnershipEdge], set[str]]:
    """``edges`` ownership edges: each company has 1 to 3 owners among the companies created
    before it (so chains run deep) plus 1 % random back edges (cycles); shares per company sum
    to at most 100 %; 1 % of the entities are blocked from the start."""
    companies = max(2, edges // 2)
    owners_per = rng.integers(1, 4, size=companies)
    result: list[OwnershipEdge] = []
    for owned in range(1, companies):
        k = int(owners_per[owned])
        chosen = set(rng.integers(max(0, owned - 1000), owned, size=k).tolist())
        shares = rng.dirichlet(np.ones(len(chosen))) * rng.uniform(40, 100)
        for owner, share in zip(sorted(chosen), shares.tolist(), strict=True):
            result.append(OwnershipEdge(f"E{owner}", f"E{owned}", max(0.01, round(share - 0.005, 2))))
        if len(result) >= edges:
            break
    blocked = {f"E{i}" for i in rng.choice(companies, size=max(1, companies // 100), replace=False).tolist()}
    return result[:edges], blocked


def party_graph(parties: int, rng: np.random.Generator) -> list[Party]:
    """``parties`` companies: each owned by one of 2 random others, 1 in 20 sharing a phone
    with a few others, 1 % designated (about 3 links per party)."""
    result: list[Party] = []
    phones = rng.integers(0, parties // 20 + 1, size=parties)
    for i in range(parties):
        relations = [
            Relation("owned_or_controlled_by", target=f"p:{int(t)}", share=float(rng.integers(10, 100)))
            for t in rng.integers(0, parties, size=2).tolist()
            if t != i
        ]
        identifiers = [Identifier("phone", f"+65 6{int(phones[i]):07d}")] if i % 20 == 0 else []
        designations = [Designation("bench", str(i))] if i % 100 == 0 else []
        result.append(
            Party(
                f"p:{i}",
                "bench",
                "Company",
                names=[Name(f"COMPANY {i}")],
                relations=relations,
                identifiers=identifiers,
                designations=designations,
            )
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--parties", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--hops", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(6)
    rows: list[tuple[str, str]] = []

    for fraction in (8, 4, 2, 1):
        size = args.edges // fraction
        edges, blocked = ownership_graph(size, rng)
        started = time.perf_counter()
        result = apply_fifty_percent_rule(edges, blocked)
        seconds = time.perf_counter() - started
        depth = max((b.round for b in result.values()), default=0)
        rows.append(
            (
                f"50 % rule, {len(edges):,} edges ({len(blocked):,} blocked at start)",
                f"{seconds:.2f} s ({seconds / len(edges) * 1e6:.2f} s per million edges); "
                f"{len(result):,} blocked, {depth} rounds",
            )
        )

    started = time.perf_counter()
    graph = build_graph(party_graph(args.parties, rng))
    undirected_adjacency(graph)
    rows.append(
        (
            f"build graph, {args.parties:,} parties",
            f"{time.perf_counter() - started:.1f} s; {graph.number_of_edges():,} edges",
        )
    )
    starts = [f"p:{int(i)}" for i in rng.integers(0, args.parties, size=args.queries).tolist()]
    times: list[float] = []
    found = 0
    for start in starts:
        began = time.perf_counter()
        report = paths_to_designated(graph, start, max_hops=args.hops, k=3)
        times.append((time.perf_counter() - began) * 1000)
        found += bool(report.paths)
    times.sort()
    rows.append(
        (
            f"{args.hops}-hop path query (k=3), {args.queries} random starts",
            f"median {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, "
            f"max {times[-1]:.1f} ms; {found} with a path",
        )
    )
    rows.append(("peak memory", f"{_peak_mb():.0f} MiB"))

    machine = f"{platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}"
    print(f"\n## bench_graph — {datetime.date.today().isoformat()} — {machine}\n")
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
