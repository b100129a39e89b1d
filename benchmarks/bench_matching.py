"""Quality and speed of the matcher on the labelled sets, side by side with the field's baselines.

    .venv/bin/python benchmarks/bench_matching.py                 # vigil-v1: quality + speed
    .venv/bin/python benchmarks/bench_matching.py --baselines     # + rapidfuzz brute force, nomenklatura
    .venv/bin/python benchmarks/bench_matching.py --freeze        # rewrite benchmarks/frozen/<algorithm>.csv

The universe is the bundled snapshot (UN + OFAC SDN advanced + UK ConList), parsed with the
product's own parsers. Every run diffs its per-case outcomes against the committed frozen run and
prints the cases that changed. nomenklatura runs in its own environment (.venv-bench, see
benchmarks/nomenklatura_score.py) and scores the same candidates vigil retrieved.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rapidfuzz import fuzz, process

from vigil.lists.snapshot import snapshot_dir, snapshot_manifest
from vigil.match.engine import MatchConfig, Matcher
from vigil.match.parallel import screen_parallel
from vigil.match.types import Hit, Query
from vigil.model import Party
from vigil.model.ftm import party_to_ftm
from vigil.names.normalize import normalize
from vigil.sources.registry import get_source

HERE = Path(__file__).resolve().parent
SETS = ("cross_list", "korean_script", "variants", "hard_negatives")
RAPIDFUZZ_THRESHOLD = 85.0
NOMENKLATURA_THRESHOLD = 0.7


@dataclass
class Case:
    case_id: str
    query: Query
    expected: str
    category: str
    set_name: str


def load_universe() -> list[Party]:
    parties: list[Party] = []
    for entry in snapshot_manifest():
        files = {role: snapshot_dir() / name for role, name in entry.files.items()}
        parties.extend(get_source(entry.source).parse(files).parties)
    return parties


def load_cases(names: tuple[str, ...]) -> list[Case]:
    cases = []
    for set_name in names:
        with (HERE / "sets" / f"{set_name}.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                query = Query(
                    name=row["query"],
                    schema=row["query_schema"] or None,
                    dob=row["query_dob"] or None,
                    country=row["query_country"] or None,
                    id=row["case_id"],
                )
                cases.append(Case(row["case_id"], query, row["expected"], row["category"], set_name))
    return cases


def outcome(case: Case, hits: list[Hit]) -> dict[str, object]:
    refs_top = hits[0].refs if hits else []
    return {
        "case_id": case.case_id,
        "set": case.set_name,
        "category": case.category,
        "alerted": bool(hits),
        "found": bool(case.expected) and any(case.expected in h.refs for h in hits),
        "top1": bool(case.expected) and case.expected in refs_top,
        "alerts": len(hits),
        "top_score": round(hits[0].score, 4) if hits else 0.0,
        "top_name": hits[0].matched_name if hits else "",
    }


def summarize(rows: list[dict[str, object]], label: str) -> list[str]:
    lines = [
        f"\n#### {label}\n",
        "| set | category | cases | recall | top-1 | alerts/query | alert rate |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    groups: dict[tuple[str, str], list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        groups[(str(row["set"]), str(row["category"]))].append(row)
        groups[(str(row["set"]), "**all**")].append(row)
    for (set_name, category), items in sorted(groups.items()):
        n = len(items)
        positive = set_name != "hard_negatives"
        recall = sum(bool(r["found"]) for r in items) / n if positive else None
        top1 = sum(bool(r["top1"]) for r in items) / n if positive else None
        alerts = sum(int(r["alerts"]) for r in items) / n  # type: ignore[call-overload]
        rate = sum(bool(r["alerted"]) for r in items) / n
        lines.append(
            f"| {set_name} | {category} | {n} | {'' if recall is None else f'{recall:.1%}'} "
            f"| {'' if top1 is None else f'{top1:.1%}'} | {alerts:.2f} | {rate:.1%} |"
        )
    return lines


def run_vigil(matcher: Matcher, cases: list[Case]) -> list[dict[str, object]]:
    hits = matcher.screen_batch([c.query for c in cases])
    return [outcome(c, h) for c, h in zip(cases, hits, strict=True)]


def frozen_diff(rows: list[dict[str, object]], algorithm: str, freeze: bool) -> list[str]:
    path = HERE / "frozen" / f"{algorithm}.csv"
    fields = ["case_id", "set", "category", "alerted", "found", "top1", "alerts", "top_score", "top_name"]
    if freeze or not path.exists():
        path.parent.mkdir(exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
        return [f"\nFrozen run written to {path.relative_to(HERE.parent)}."]
    with path.open(encoding="utf-8") as handle:
        before = {r["case_id"]: r for r in csv.DictReader(handle)}
    changed = []
    for row in rows:
        old = before.get(str(row["case_id"]))
        if old is None:
            changed.append(f"- {row['case_id']}: new case")
            continue
        for key in ("alerted", "found", "top1"):
            if str(row[key]) != old[key]:
                changed.append(f"- {row['case_id']} ({row['category']}): {key} {old[key]} -> {row[key]}")
    head = f"\nAgainst the frozen run {path.relative_to(HERE.parent)}: {len(changed)} outcome changes."
    return [head, *changed[:50]]


def run_rapidfuzz(parties: list[Party], cases: list[Case]) -> tuple[list[dict[str, object]], float]:
    """Brute force: every query against every distinct listed name, token-sort ratio (the recall ceiling)."""
    names: dict[str, set[str]] = defaultdict(set)
    for party in parties:
        for name in party.names:
            key = normalize(name.full)
            if key:
                names[key].update(party.authority_refs)
    choices = list(names)
    started = time.perf_counter()
    rows = []
    for case in cases:
        query = normalize(case.query.name) or ""
        best = process.extractOne(query, choices, scorer=fuzz.token_sort_ratio)
        refs = sorted(names[best[0]]) if best else []
        alerted = best is not None and best[1] >= RAPIDFUZZ_THRESHOLD
        found = alerted and case.expected in refs
        rows.append(
            {
                "case_id": case.case_id,
                "set": case.set_name,
                "category": case.category,
                "alerted": alerted,
                "found": found,
                "top1": found,
                "alerts": int(alerted),
                "top_score": best[1] if best else 0,
                "top_name": best[0] if best else "",
            }
        )
    return rows, time.perf_counter() - started


def run_nomenklatura(
    matcher: Matcher, cases: list[Case], parties: list[Party]
) -> dict[str, list[dict[str, object]]]:
    """nomenklatura's logic-v1 and logic-v2 scoring the candidates vigil retrieved (24 names per query)."""
    python = HERE.parent / ".venv-bench" / "bin" / "python"
    if not python.exists():
        print(
            "(.venv-bench missing: skipping nomenklatura; see benchmarks/nomenklatura_score.py)",
            file=sys.stderr,
        )
        return {}
    by_id = {p.id: p for p in parties}
    from vigil.match.prepare import prepare_name, schema_class

    kinds = [schema_class(c.query.schema) for c in cases]
    prepared = [prepare_name(c.query.name, k) for c, k in zip(cases, kinds, strict=True)]
    retrieved = matcher.index.candidates(
        prepared, [None if k == "any" else k for k in kinds], matcher.config.candidates
    )
    lines = []
    refs_of: dict[str, list[str]] = {}
    for case, found in zip(cases, retrieved, strict=True):
        schema = {"Organization": "Organization", "Vessel": "Vessel"}.get(case.query.schema or "", "Person")
        props: dict[str, list[str]] = {"name": [case.query.name]}
        if case.query.dob and schema == "Person":
            props["birthDate"] = [case.query.dob]
        query = {"id": "query", "schema": schema if case.query.schema else "LegalEntity", "properties": props}
        candidates = []
        seen: set[int] = set()
        for name_number, _ in found:
            for party_number, _factor in matcher.index.names[name_number].parties:
                if party_number in seen:
                    continue
                seen.add(party_number)
                party = by_id[matcher.index.parties[party_number].id]
                entity = party_to_ftm(party)[0]
                refs_of[entity["id"]] = matcher.index.parties[party_number].refs
                candidates.append(entity)
        lines.append(json.dumps({"case_id": case.case_id, "query": query, "candidates": candidates}))
    result = subprocess.run(
        [str(python), str(HERE / "nomenklatura_score.py")],
        input="\n".join(lines),
        capture_output=True,
        text=True,
        check=True,
    )
    print(result.stderr.strip(), file=sys.stderr)
    scores: dict[str, dict[str, dict[str, float | None]]] = defaultdict(dict)
    for line in result.stdout.splitlines():
        data = json.loads(line)
        scores[data["algorithm"]][data["case_id"]] = data["scores"]
    out: dict[str, list[dict[str, object]]] = {}
    for algorithm, per_case in scores.items():
        rows = []
        for case in cases:
            alerts = [
                (s, cid)
                for cid, s in per_case.get(case.case_id, {}).items()
                if s is not None and s >= NOMENKLATURA_THRESHOLD
            ]
            alerts.sort(reverse=True)
            found = any(case.expected in refs_of[cid] for _, cid in alerts) if case.expected else False
            top1 = bool(alerts) and bool(case.expected) and case.expected in refs_of[alerts[0][1]]
            rows.append(
                {
                    "case_id": case.case_id,
                    "set": case.set_name,
                    "category": case.category,
                    "alerted": bool(alerts),
                    "found": found,
                    "top1": top1,
                    "alerts": len(alerts),
                    "top_score": alerts[0][0] if alerts else 0,
                    "top_name": "",
                }
            )
        out[algorithm] = rows
    return out


def asean_queries(count: int, seed: int = 5) -> list[Query]:
    """Distinct ASEAN-style customers: the ordinary people and companies of the hard negatives, recombined."""
    import random

    people: list[list[str]] = []
    companies: list[list[str]] = []
    with (HERE / "sets" / "hard_negatives.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["category"] == "ordinary_person":
                people.append(row["query"].split())
            elif row["category"] == "ordinary_company":
                companies.append(row["query"].split())
    rng = random.Random(seed)
    seen: set[str] = set()
    queries: list[Query] = []
    while len(queries) < count:
        if len(queries) % 4 == 3:
            a, b = rng.choice(companies), rng.choice(companies)
            name, schema, dob = " ".join(a[: max(1, len(a) // 2)] + b[len(b) // 2 :]), "Organization", None
        else:
            a, b = rng.choice(people), rng.choice(people)
            name, schema, dob = " ".join(a[:1] + b[1:]), "Person", "1980-01-01"
        if name not in seen:
            seen.add(name)
            queries.append(Query(name=name, schema=schema, dob=dob))
    return queries


def mixed_queries(count: int) -> list[Query]:
    """Distinct customers of benchmarks/customers.py (about half Korean-style names)."""
    sys.path.insert(0, str(HERE))
    from customers import customer_rows

    schemas = {"person": "Person", "organization": "Organization"}
    return [Query(name=n, schema=schemas[t], dob=d or None) for _, n, t, d in customer_rows(count)]


def speed(matcher: Matcher, queries: list[Query], workers: int) -> float:
    """Names per second end to end (prepare, retrieve, score, evidence, group)."""
    started = time.perf_counter()
    count = sum(len(chunk) for chunk in screen_parallel(matcher, queries, workers=workers, chunk=2000))
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--algorithm", default="vigil-v1")
    parser.add_argument("--baselines", action="store_true")
    parser.add_argument("--freeze", action="store_true")
    parser.add_argument("--speed-queries", type=int, default=20_000)
    args = parser.parse_args()

    started = time.perf_counter()
    parties = load_universe()
    parse_seconds = time.perf_counter() - started
    started = time.perf_counter()
    matcher = Matcher.from_parties(parties, MatchConfig(algorithm=args.algorithm))
    build_seconds = time.perf_counter() - started
    cases = load_cases(SETS)
    report = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {date.today()}",
        f"Universe: {len(parties):,} parties, {matcher.index.name_count:,} distinct names "
        f"(parse {parse_seconds:.1f} s, index build {build_seconds:.1f} s)",
    ]
    rows = run_vigil(matcher, cases)
    report += summarize(rows, f"{args.algorithm} (thresholds {dict(matcher.config.thresholds)})")
    no_dob = [
        Case(
            c.case_id,
            Query(name=c.query.name, schema=c.query.schema, country=c.query.country),
            c.expected,
            c.category,
            c.set_name,
        )
        for c in cases
        if c.set_name == "hard_negatives"
    ]
    report += summarize(
        run_vigil(matcher, no_dob), f"{args.algorithm}, hard negatives without their date of birth"
    )
    report += frozen_diff(rows, args.algorithm, args.freeze)
    if args.baselines:
        rf_rows, rf_seconds = run_rapidfuzz(parties, cases)
        report += summarize(
            rf_rows,
            f"rapidfuzz brute force, token_sort_ratio >= {RAPIDFUZZ_THRESHOLD:.0f} "
            f"({len(cases) / rf_seconds:.0f} queries/s on one core)",
        )
        for algorithm, nk_rows in run_nomenklatura(matcher, cases, parties).items():
            report += summarize(
                nk_rows, f"nomenklatura {algorithm} on vigil's candidates, threshold {NOMENKLATURA_THRESHOLD}"
            )
    if args.speed_queries:
        report.append("\n| customer base | 1 core | 2 cores |\n|---|---:|---:|")
        n = args.speed_queries
        for label, queries in (
            ("ASEAN-style", asean_queries(2 * n)),
            ("Korean-heavy mix", mixed_queries(2 * n)),
        ):
            one = speed(matcher, queries[:n], workers=1)
            two = speed(matcher, queries[n:], workers=2)
            report.append(
                f"| {label} ({n:,} distinct names each) | {one:,.0f} names/s | {two:,.0f} names/s |"
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        report.append(f"\nPeak RSS {peak:.0f} MiB; index build {build_seconds:.1f} s")
    print("\n".join(report))


if __name__ == "__main__":
    main()
