"""The 50 % rule on Spark gives the local rule's blocked entities, rounds, shares and chains."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vigil.errors import InputError
from vigil.graph.ownership import OwnershipEdge, apply_fifty_percent_rule
from vigil.spark.ownership import collect_blocked, fifty_percent_rule, read_edges

pytestmark = pytest.mark.slow


def _write(path: Path, edges: list[OwnershipEdge], blocked: set[str]) -> Path:
    rows = [
        {"owner": e.owner, "owned": e.owned, "share": e.share, "blocked": e.owner in blocked} for e in edges
    ]
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=max(1, len(rows) // 3))
    return path


def _spark_rule(spark: Any, path: Path, blocked: set[str]) -> dict[str, Any]:
    edges, marked = read_edges(spark, str(path), blocked_column="blocked")
    assert marked is not None
    ids = spark.createDataFrame([(b,) for b in sorted(blocked)], "id string")
    result = fifty_percent_rule(spark, edges, ids)
    assert sorted(r["id"] for r in marked.collect()) == sorted(
        b for b in blocked if b in {e.owner for e in edges.select("owner").distinct().toLocalIterator()}
    )
    return collect_blocked(result)


def _random_holdings(seed: int, entities: int, edges: int) -> tuple[list[OwnershipEdge], set[str]]:
    """A holding structure: each company has a few owners whose shares add up to at most 100 %."""
    rng = random.Random(seed)
    names = [f"E{n:04d}" for n in range(entities)]
    result: list[OwnershipEdge] = []
    held: dict[str, float] = {}
    while len(result) < edges:
        owned = rng.choice(names)
        left = 100.0 - held.get(owned, 0.0)
        for _ in range(rng.randint(1, 4)):
            owner = rng.choice(names)
            share = round(min(left, rng.choice([10.0, 20.0, 25.0, 30.0, 33.3, 50.0, 60.0, 100.0])), 1)
            if owner == owned or share <= 0 or any(e.owner == owner and e.owned == owned for e in result):
                continue
            result.append(OwnershipEdge(owner, owned, share))
            left -= share
            held[owned] = held.get(owned, 0.0) + share
    return result, set(rng.sample(names, max(1, entities // 30)))


def _same(local: dict[str, Any], spark: dict[str, Any]) -> None:
    assert list(spark) == list(local)
    for entity, expected in local.items():
        got = spark[entity]
        assert got.round == expected.round
        assert got.share == pytest.approx(expected.share, abs=1e-9)
        assert got.contributions == expected.contributions
        assert got.chains == expected.chains


def test_random_holding_network_equals_local(spark: Any, tmp_path: Path) -> None:
    edges, blocked = _random_holdings(7, 900, 1_800)
    local = apply_fifty_percent_rule(edges, blocked)
    assert len(local) > 20 and max(b.round for b in local.values()) >= 3  # cascades happen
    _same(local, _spark_rule(spark, _write(tmp_path / "edges.parquet", edges, blocked), blocked))


CASES = [
    ([("A1", "C", 25), ("A2", "C", 25)], {"A1", "A2"}),  # two blocked owners at 25 % each
    ([("A", "C", 49)], {"A"}),  # 49 % is not enough
    ([("A", "C", 25), ("X", "C", 50)], {"A"}),  # an owner that is not blocked does not count
    ([("A", "B", 60), ("B", "C", 60)], {"A"}),  # the rule cascades
    ([("A", "C", 30), ("A", "B", 60), ("B", "C", 25)], {"A"}),  # direct and indirect add up
    ([("B", "C", 50), ("C", "B", 50), ("A", "B", 50)], {"A"}),  # a cycle terminates
    ([("A", "B", 100)], {"A", "B"}),  # the given blocked ids are not reported
    # 25 blocked owners of 2 % each: 25 chains, 20 kept, and passed on down the line
    ([*((f"O{i:02d}", "X", 2) for i in range(25)), ("X", "Y", 60)], {f"O{i:02d}" for i in range(25)}),
]


def test_rule_cases_equal_local(spark: Any, tmp_path: Path) -> None:
    """The textbook cases, each a separate network in one table (ids prefixed by case)."""
    edges = [
        OwnershipEdge(f"{n}:{o}", f"{n}:{d}", float(s))
        for n, (case, _) in enumerate(CASES)
        for o, d, s in case
    ]
    blocked = {f"{n}:{b}" for n, (_, ids) in enumerate(CASES) for b in ids}
    local = apply_fifty_percent_rule(edges, blocked)
    assert {k.split(":")[0] for k in local} == {"0", "3", "4", "5", "7"}
    assert len(local["7:X"].chains) == len(local["7:Y"].chains) == 20
    _same(local, _spark_rule(spark, _write(tmp_path / "e.parquet", edges, blocked), blocked))


@pytest.mark.parametrize(
    ("edges", "message"),
    [
        ([("A", "B", 101.0)], "A -> B"),
        ([("A", "B", 60.0), ("X", "B", 50.0)], r"X -> B .*over 100"),
        ([("A", "A", 10.0)], "cannot own itself"),
    ],
)
def test_bad_edges_name_the_edge(
    spark: Any, tmp_path: Path, edges: list[tuple[str, str, float]], message: str
) -> None:
    typed = [OwnershipEdge(o, d, s) for o, d, s in edges]
    path = _write(tmp_path / "bad.parquet", typed, {"A"})
    frame, _ = read_edges(spark, str(path))
    with pytest.raises(InputError, match=message):
        fifty_percent_rule(spark, frame, spark.createDataFrame([("A",)], "id string"))


def test_missing_column_is_named(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    pq.write_table(pa.table({"owner": ["A"], "company": ["B"], "share": [50.0]}), path)
    with pytest.raises(InputError, match=r"missing column.*owned"):
        read_edges(spark, str(path))
