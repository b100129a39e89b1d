"""Development figures on bench/korean_script_names_dev.csv: do Hangul, Han and katakana names meet the
romanized names of the party they refer to?

A row counts as *exact* when one of the query's candidate key sequences equals one of a listed name's,
and as *aligned* when the keys agree up to word order or one sequence is a contiguous run (>= 2
syllables) of the other. Entities are also compared on their core organisation tokens. The figures
are printed (pytest -s) and held above floors so that regressions show.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from vigil.names.korean import korean_keys
from vigil.names.orgs import org_core_keys, org_tokens


def _listed_names(shared: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    un: dict[str, list[str]] = defaultdict(list)
    with (shared / "reference" / "un_sc_consolidated_dprk_1718.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            un[row["un_ref"]].append(row["name"])
            un[row["un_ref"]].extend(a.strip().strip('"') for a in row["aliases"].split(";") if a.strip())
    ofac: dict[str, list[str]] = defaultdict(list)
    with (shared / "reference" / "ofac_dprk_party_attributes.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["attribute"] in ("name", "alias"):
                ofac[row["uid"]].append(row["value"])
    return un, ofac


def _contains(long: tuple[str, ...], short: tuple[str, ...]) -> bool:
    n = len(short)
    return n >= 2 and any(long[i : i + n] == short for i in range(len(long) - n + 1))


def _strip(keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(k for k in keys if not k.startswith("="))


def classify(query: str, listed: list[str]) -> str:
    q_cands = [_strip(k) for k in korean_keys(query)]
    q_cands = [k for k in q_cands if k]
    l_cands = [_strip(k) for name in listed for k in korean_keys(name)]
    l_cands = [k for k in l_cands if k]
    if any(q == lc for q in q_cands for lc in l_cands):
        return "exact"
    for q in q_cands:
        for lc in l_cands:
            if sorted(q) == sorted(lc) or _contains(lc, q) or _contains(q, lc):
                return "aligned"
    q_core = set(org_tokens(query).core)
    if q_core:
        for name in listed:
            core = set(org_tokens(name).core)
            if core and (core == q_core or (len(q_core & core) >= 2 and len(q_core & core) >= len(core) - 1)):
                return "org"
    q_keys = _strip(org_core_keys(query))
    for name in listed:
        l_keys = _strip(org_core_keys(name))
        short, long = sorted((q_keys, l_keys), key=len)
        if short and (short == long or (len(short) >= max(3, len(long) // 2) and _contains(long, short))):
            return "org"
    return "none"


def test_devset_figures(shared_data: Path) -> None:
    bench = shared_data / "bench" / "korean_script_names_dev.csv"
    if not bench.exists():
        pytest.skip("no dev set")
    un, ofac = _listed_names(shared_data)
    table: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    misses: list[str] = []
    with bench.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            listed = list(un.get(row["expected_un_ref"], [])) + list(ofac.get(row["expected_ofac_id"], []))
            verdict = classify(row["query_name"], listed) if listed else "no-listed-name"
            table[(row["script"], row["party_type"])][verdict] += 1
            if verdict in ("none",):
                misses.append(f"{row['query_id']} {row['query_name']} -> {listed[:3]}")
    print("\nscript/party            n  exact  aligned  org  none")
    totals: dict[str, int] = defaultdict(int)
    for (script, party), counts in sorted(table.items()):
        n = sum(counts.values())
        print(
            f"{script:13} {party:7} {n:4} {counts['exact']:6} {counts['aligned']:8} {counts['org']:4}"
            f" {counts['none']:5}"
        )
        for k, v in counts.items():
            totals[f"{script}/{party}/{k}"] += v
    for miss in misses:
        print("  miss:", miss)
    persons_ok = sum(
        v for k, v in totals.items() if "/person/" in k and k.rsplit("/", 1)[1] in ("exact", "aligned")
    )
    persons = sum(v for k, v in totals.items() if "/person/" in k)
    assert persons_ok / persons >= 0.85
