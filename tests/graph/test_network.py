from __future__ import annotations

from typing import Any

import pytest

from vigil.errors import NotFoundError
from vigil.graph.network import build_graph, paths_to_designated, resolve_party
from vigil.model.party import Address, Designation, Identifier, Name, Party, Relation


def _party(pid: str, designated: bool = False, **kwargs: Any) -> Party:
    designations = [Designation(authority="test", reference=pid)] if designated else []
    return Party(
        id=pid,
        source="t",
        schema="Organization",
        names=[Name(pid.upper())],
        designations=designations,
        **kwargs,
    )


def test_shared_attributes_and_relations() -> None:
    parties = [
        _party("a", identifiers=[Identifier("phone", "+850 2 381 4410")]),
        _party(
            "b",
            identifiers=[Identifier("phone", "850-2-3814410")],
            relations=[Relation("owned_or_controlled_by", "c")],
        ),
        _party("c", designated=True, addresses=[Address("Jongphyong-dong, Pyongchon District, Pyongyang")]),
        _party("d", addresses=[Address("JONGPHYONG DONG, Pyongchon district, PYONGYANG")]),
    ]
    graph = build_graph(parties)
    assert graph.nodes["c"]["designated"] and not graph.nodes["a"]["designated"]
    assert {d["kind"] for d in graph.get_edge_data("a", "b").values()} == {"shared_phone"}
    assert {d["kind"] for d in graph.get_edge_data("d", "c").values()} == {"shared_address"}

    report = paths_to_designated(graph, "a")
    assert report.shortest is not None and report.shortest.nodes == ["a", "b", "c"]
    # shared phone (0.5) then ownership (1.0): 0.5 ** 1 * 0.5
    assert report.shortest.score == 0.25
    assert report.shortest.hops[0].evidence[0]["direction"] == "both"

    assert paths_to_designated(graph, "d").exposure == 0.5
    assert paths_to_designated(graph, "a", max_hops=1).shortest is None
    assert paths_to_designated(graph, "a", max_hops=1).exposure == 0.0


def test_resolve_party() -> None:
    graph = build_graph([_party("t:1"), _party("t:2")])
    assert resolve_party(graph, "t:1") == "t:1"
    assert resolve_party(graph, "2") == "t:2"
    assert resolve_party(graph, "t 2") == "t:2"
    with pytest.raises(NotFoundError):
        resolve_party(graph, "nobody")
