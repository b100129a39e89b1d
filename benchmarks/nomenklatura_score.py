"""Score benchmark cases with OpenSanctions' nomenklatura matchers (benchmark-only tool).

nomenklatura is NOT a Vigil dependency: run this with the separate benchmark venv::

    python3 -m venv .venv-bench && .venv-bench/bin/pip install nomenklatura
    .venv-bench/bin/python benchmarks/nomenklatura_score.py --algorithms logic-v1,logic-v2 \
        < cases.jsonl > scores.jsonl

Input, one JSON object a line:
    {"case_id": ..., "query": <FtM entity dict>, "candidates": [<FtM entity dicts with "id">]}
Output, one line per case and algorithm:
    {"case_id": ..., "algorithm": "logic-v2", "scores": {"<candidate id>": score | null}}

Each algorithm uses its own default scoring config. A candidate (or query) that cannot be
parsed or scored gets ``null``; errors are counted and the throughput is reported on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from typing import Any

from followthemoney import model
from nomenklatura.matching import get_algorithm

MAX_ERRORS_SHOWN = 5


def make_entity(data: dict[str, Any], uid: str) -> Any:
    """Build an FtM entity under a case-unique id.

    nomenklatura memoizes name analysis per entity, and entities hash by id only, so reusing
    an id (e.g. every query called "q") across cases would silently return stale names.
    """
    return model.get_proxy({**data, "id": uid})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--algorithms", default="logic-v1,logic-v2", help="comma-separated names")
    args = parser.parse_args()

    algorithms = []
    for name in args.algorithms.split(","):
        algorithm = get_algorithm(name.strip())
        if algorithm is None:
            parser.error(f"unknown algorithm: {name!r}")
        algorithms.append((algorithm, algorithm.default_config()))

    # Warm up once (logic-v2 builds its name tagger on first use, several seconds) so that
    # the throughput below measures scoring only.
    started = time.perf_counter()
    warm = {"schema": "Person", "properties": {"name": ["Warm Up"]}}
    for algorithm, config in algorithms:
        algorithm.compare(make_entity(warm, "warm:q"), make_entity(warm, "warm:r"), config)
    print(f"warm-up: {time.perf_counter() - started:.1f}s", file=sys.stderr)

    pairs: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    cases = 0

    def report_error(kind: str, where: str, exc: BaseException) -> None:
        errors[kind] += 1
        if sum(errors.values()) <= MAX_ERRORS_SHOWN:
            print(f"error ({kind}) {where}: {type(exc).__name__}: {exc}", file=sys.stderr)

    for line_no, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
            case_id = case.get("case_id")
            raw_candidates = case.get("candidates") or []
        except (ValueError, AttributeError) as exc:
            report_error("bad line", f"line {line_no}", exc)
            continue
        cases += 1
        prefix = f"case{line_no}:"

        try:
            query = make_entity(case["query"], prefix + "query")
        except Exception as exc:
            report_error("bad query", f"case {case_id!r}", exc)
            query = None

        candidates: dict[str, Any] = {}
        for index, raw in enumerate(raw_candidates):
            cand_id = str(raw.get("id", index)) if isinstance(raw, dict) else str(index)
            try:
                candidates[cand_id] = make_entity(raw, f"{prefix}{index}:{cand_id}")
            except Exception as exc:
                report_error("bad candidate", f"case {case_id!r} candidate {cand_id!r}", exc)
                candidates[cand_id] = None

        for algorithm, config in algorithms:
            scores: dict[str, float | None] = {}
            for cand_id, candidate in candidates.items():
                scores[cand_id] = None
                if query is None or candidate is None:
                    continue
                started = time.perf_counter()
                try:
                    scores[cand_id] = float(algorithm.compare(query, candidate, config).score)
                except Exception as exc:
                    report_error(algorithm.NAME, f"case {case_id!r} candidate {cand_id!r}", exc)
                seconds[algorithm.NAME] += time.perf_counter() - started
                pairs[algorithm.NAME] += 1
            record = {"case_id": case_id, "algorithm": algorithm.NAME, "scores": scores}
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")

    print(f"cases: {cases}", file=sys.stderr)
    for algorithm, _config in algorithms:
        name = algorithm.NAME
        rate = pairs[name] / seconds[name] if seconds[name] else 0.0
        print(f"{name}: {pairs[name]} pairs in {seconds[name]:.2f}s = {rate:.0f} pairs/s", file=sys.stderr)
    print(f"errors: {sum(errors.values())} {dict(errors)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
