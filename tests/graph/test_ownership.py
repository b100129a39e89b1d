import numpy as np
import pytest

from vigil.errors import InputError
from vigil.graph.ownership import OwnershipEdge as E
from vigil.graph.ownership import apply_fifty_percent_rule, blocked_rounds


def test_two_blocked_owners_at_25_each_aggregate_to_50() -> None:
    result = apply_fifty_percent_rule([E("A1", "C", 25), E("A2", "C", 25)], {"A1", "A2"})
    assert set(result) == {"C"}
    assert result["C"].share == 50
    assert sorted(c[0].owner for c in result["C"].chains) == ["A1", "A2"]


def test_49_percent_is_not_blocked() -> None:
    assert apply_fifty_percent_rule([E("A", "C", 49)], {"A"}) == {}


def test_unblocked_owner_does_not_count() -> None:
    assert apply_fifty_percent_rule([E("A", "C", 25), E("X", "C", 50)], {"A"}) == {}


def test_chain_60_by_60_cascades() -> None:
    result = apply_fifty_percent_rule([E("A", "B", 60), E("B", "C", 60)], {"A"})
    assert list(result) == ["B", "C"]
    assert result["B"].round == 1 and result["C"].round == 2
    assert result["C"].share == 60
    assert result["C"].chains == [(E("A", "B", 60), E("B", "C", 60))]


def test_indirect_aggregation() -> None:
    edges = [E("A", "C", 30), E("A", "B", 60), E("B", "C", 25)]
    result = apply_fifty_percent_rule(edges, {"A"})
    assert set(result) == {"B", "C"}
    assert result["C"].share == 55
    assert sorted(result["C"].chains, key=len) == [
        (E("A", "C", 30),),
        (E("A", "B", 60), E("B", "C", 25)),
    ]


def test_cycle_without_blocked_owner_blocks_nothing() -> None:
    assert apply_fifty_percent_rule([E("B", "C", 50), E("C", "B", 50)], {"A"}) == {}


def test_cycle_with_blocked_owner_terminates() -> None:
    edges = [E("B", "C", 50), E("C", "B", 50), E("A", "B", 50)]
    result = apply_fifty_percent_rule(edges, {"A"})
    assert list(result) == ["B", "C"]
    assert result["B"].share == 50  # C is blocked after B; its share in B adds no new blocking
    assert result["C"].chains == [(E("A", "B", 50), E("B", "C", 50))]


def test_originally_blocked_are_not_reported() -> None:
    assert apply_fifty_percent_rule([E("A", "B", 100)], {"A", "B"}) == {}


@pytest.mark.parametrize("share", [101.0, 0.0, -5.0])
def test_bad_share_names_the_edge(share: float) -> None:
    with pytest.raises(InputError, match="A -> B"):
        apply_fifty_percent_rule([E("A", "B", share)], {"A"})


def test_total_over_100_names_the_edge() -> None:
    with pytest.raises(InputError, match=r"X -> B .*over 100"):
        apply_fifty_percent_rule([E("A", "B", 60), E("X", "B", 50)], {"A"})


def test_three_cycle_fed_by_two_blocked_owners() -> None:
    # X1 and X2 (blocked) hold 30 % + 20 % of B; B, C, D own 60 % of each other in a ring
    edges = [E("X1", "B", 30), E("X2", "B", 20), E("B", "C", 60), E("C", "D", 60), E("D", "B", 40)]
    result = apply_fifty_percent_rule(edges, {"X1", "X2"})
    assert [(b.entity, b.round, b.share) for b in result.values()] == [
        ("B", 1, 50),
        ("C", 2, 60),
        ("D", 3, 60),
    ]
    assert result["D"].chains == [
        (E("X1", "B", 30), E("B", "C", 60), E("C", "D", 60)),
        (E("X2", "B", 20), E("B", "C", 60), E("C", "D", 60)),
    ]


def test_long_chain_cascades_to_the_end() -> None:
    n = 20_000
    edges = [E(f"N{i}", f"N{i + 1}", 51) for i in range(n)]
    result = apply_fifty_percent_rule(edges, {"N0"})
    assert len(result) == n and result[f"N{n}"].round == n
    assert len(result[f"N{n}"].chains[0]) == n


def test_threshold_is_configurable() -> None:
    edges = [E("A", "B", 30)]
    assert apply_fifty_percent_rule(edges, {"A"}) == {}
    assert set(apply_fifty_percent_rule(edges, {"A"}, threshold=25)) == {"B"}


def test_blocked_rounds_on_arrays() -> None:
    # ids 0..4: 0 blocked; 0 -> 1 (50), 1 -> 2 (30), 0 -> 2 (25), 3 -> 4 (90)
    owner = np.array([0, 1, 0, 3])
    owned = np.array([1, 2, 2, 4])
    share = np.array([50.0, 30.0, 25.0, 90.0])
    rounds, held = blocked_rounds(owner, owned, share, np.array([0]), 5)
    assert rounds.tolist() == [0, 1, 2, -1, -1]
    assert held.tolist() == [0.0, 50.0, 55.0, 0.0, 0.0]
