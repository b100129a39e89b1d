from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from vigil.errors import InputError, NotFoundError
from vigil.graph.clusters import find_clusters
from vigil.graph.export import write_ftm, write_graphml
from vigil.graph.missions import load_missions, mission_id
from vigil.graph.network import build_graph, edge_weight, neighbourhood, paths_to_designated, resolve_party
from vigil.model.party import Address, Designation, Identifier, Name, Party, Relation, VesselInfo


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


def test_relations_resolved_by_reference_and_by_name() -> None:
    un_owner = Party("un_sc:KPe.064", "un_sc", "Organization", names=[Name("OCEAN MARITIME MANAGEMENT")])
    un_owner.designations.append(Designation("un", "KPe.064"))
    uk_owner = Party(
        "uk:1", "uk", "Organization", names=[Name("OCEAN MARITIME MANAGEMENT")], cross_refs=["un:KPe.064"]
    )
    ship = Party(
        "uk:2",
        "uk",
        "Vessel",
        names=[Name("SHIP")],
        relations=[
            Relation("owned_or_controlled_by", target_ref="KPe.064", text="Owner: KPe.064"),
            Relation(
                "owned_or_controlled_by", target_name="Ocean Maritime Management", text="Parent company"
            ),
            Relation("owner_of", target_name="Unlisted Holding Ltd", text="Subsidiary: Unlisted Holding Ltd"),
        ],
    )
    other = Party(
        "uk:3",
        "uk",
        "Organization",
        names=[Name("X")],
        relations=[Relation("linked_to", target_name="UNLISTED HOLDING LTD.", text="Linked to")],
    )
    graph = build_graph([un_owner, uk_owner, ship, other])
    # the reference and the name both resolve to the UK record (same list first)
    evidence = sorted(d["evidence"] for d in graph.get_edge_data("uk:2", "uk:1").values())
    assert evidence == [
        "Owner: KPe.064 (resolved by reference KPe.064)",
        "Parent company (resolved by name 'Ocean Maritime Management')",
    ]
    assert not graph.has_edge("uk:2", "un_sc:KPe.064")
    # an unlisted name becomes one name node shared by every mention
    node = "name:unlisted holding ltd"
    assert graph.nodes[node]["source"] == "name" and not graph.nodes[node]["designated"]
    assert graph.has_edge("uk:2", node) and graph.has_edge("uk:3", node)


def test_vessel_owner_text_links_to_the_named_party() -> None:
    owner = _party("t:owner", designated=True)
    owner.names = [Name("KOREA ANSAN SHIPPING")]
    ship = Party(
        "t:ship", "t", "Vessel", names=[Name("ANSAN 1")], vessel=VesselInfo(owner="Korea Ansan Shipping")
    )
    graph = build_graph([owner, ship])
    (edge,) = graph.get_edge_data("t:ship", "t:owner").values()
    assert edge["kind"] == "vessel_owner"
    assert paths_to_designated(graph, "t:ship").exposure == 0.8


def test_k_best_paths_are_ranked_by_score() -> None:
    # s -> a (ownership 1.0) -> t ; s ~ b (shared phone 0.5) ~ t ; s -> t' two hops via weak 20 % share
    parties = [
        _party(
            "s",
            relations=[
                Relation("owned_or_controlled_by", "a"),
                Relation("owned_or_controlled_by", "w", share=20),
            ],
        ),
        _party("a", relations=[Relation("owned_or_controlled_by", "t")]),
        _party("t", designated=True, identifiers=[Identifier("phone", "+850 2 1111111")]),
        _party("b", identifiers=[Identifier("phone", "85021111111")]),
        _party("w", relations=[Relation("owned_or_controlled_by", "u")]),
        _party("u", designated=True),
    ]
    parties[0].identifiers.append(Identifier("phone", "850 2 1111111"))
    graph = build_graph(parties)
    report = paths_to_designated(graph, "s", max_hops=2, k=5)
    got = [(p.nodes, p.score) for p in report.paths]
    # direct shared phone to t (0.5); s>a>t (0.5 ** 1 * 1.0, longer so second); s~b~t (0.5 * 0.5);
    # s>w>u through a 20 % share (0.5 * 0.4)
    assert got == [
        (["s", "t"], 0.5),
        (["s", "a", "t"], 0.5),
        (["s", "b", "t"], 0.25),
        (["s", "w", "u"], 0.2),
    ]
    assert report.shortest is not None and report.shortest.nodes == ["s", "t"]
    assert report.exposure == 0.5
    assert [p.score for p in report.paths] == sorted((p.score for p in report.paths), reverse=True)


def test_weak_share_weight() -> None:
    assert edge_weight("owned_or_controlled_by", None) == 1.0
    assert edge_weight("owned_or_controlled_by", 50) == 1.0
    assert edge_weight("owner_of", 25) == 0.5
    assert edge_weight("owner_of", 5) == 0.3
    assert edge_weight("linked_to") == 0.8
    assert edge_weight("shared_phone") == 0.5


def test_duplicate_ids_refused() -> None:
    with pytest.raises(InputError, match="appears twice"):
        build_graph([_party("a"), _party("a")])


def test_missions_are_nodes_without_shared_city_addresses() -> None:
    missions = load_missions()
    assert len(missions) == 57
    jakarta = mission_id("Indonesia", "Jakarta")
    graph = build_graph([*missions, _party("x", addresses=[Address("Jakarta, Indonesia")])])
    assert graph.nodes[jakarta]["schema"] == "PublicBody" and not graph.nodes[jakarta]["designated"]
    assert graph.degree(jakarta) == 0  # a city links nothing specific
    assert {p.raw["status"] for p in missions} >= {"open", "closed"}


def test_clusters_rank_by_designated_touched() -> None:
    parties = [
        _party("a", addresses=[Address("12 Harbour Road, Wan Chai, Hong Kong")]),
        _party("b", designated=True, addresses=[Address("12 HARBOUR ROAD WAN CHAI HONG KONG")]),
        _party(
            "c", identifiers=[Identifier("email", "x@example.org")], relations=[Relation("linked_to", "e")]
        ),
        _party("d", identifiers=[Identifier("email", "X@example.org ")]),
        _party("e", designated=True),
        _party("f", designated=True),
        _party("g", designated=True, relations=[Relation("owned_or_controlled_by", "f")]),
        _party("h", designated=True, identifiers=[Identifier("phone", "+1 555 0100 22")]),
        _party("i", identifiers=[Identifier("phone", "1555010022")]),
    ]
    parties[6].addresses.append(Address("12 Harbour Road, Wan Chai, Hong Kong"))
    graph = build_graph(parties)
    clusters = find_clusters(graph)
    assert [c.members for c in clusters] == [["a", "b", "g"], ["c", "d"], ["h", "i"]]
    assert clusters[0].designated_touched == ["b", "f", "g"]  # f owns g, a member
    assert clusters[0].shared == [
        {"attribute": "address", "value": "12 harbour road wan chai hong kong", "parties": ["a", "b", "g"]}
    ]
    assert clusters[1].designated_touched == ["e"]  # linked to e
    assert clusters[2].designated_touched == ["h"]
    assert [c.members for c in find_clusters(graph, min_designated=2)] == [["a", "b", "g"]]


def test_neighbourhood_lists_evidence() -> None:
    graph = build_graph(
        [
            _party("a", relations=[Relation("owned_or_controlled_by", "b", text="Owned By")]),
            _party("b", designated=True),
        ]
    )
    around = neighbourhood(graph, "b")
    assert around["node"]["designated"] and around["total_neighbours"] == 1
    assert around["edges"][0]["evidence"] == [
        {"kind": "owned_or_controlled_by", "evidence": "Owned By", "direction": "backward", "source": "t"}
    ]
    with pytest.raises(NotFoundError):
        neighbourhood(graph, "zz")


def test_exports(tmp_path: Path) -> None:
    import networkx as nx

    graph = build_graph(
        [
            _party("t:a", relations=[Relation("owned_or_controlled_by", "t:b", text="Owned By", share=60.0)]),
            _party("t:b", designated=True, identifiers=[Identifier("phone", "+850 2 381 4410")]),
            _party("t:c", identifiers=[Identifier("phone", "850-2-3814410")]),
        ]
    )
    with (tmp_path / "g.graphml").open("wb") as handle:
        write_graphml(graph, handle)
    back = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    assert back.number_of_nodes() == 3 and back.number_of_edges() == graph.number_of_edges()
    assert back.nodes["t:b"]["designated"] is True
    buffer = io.StringIO()
    count = write_ftm(graph, buffer)
    entities = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert count == len(entities) == 3 + 1 + 1  # 3 parties, 1 ownership, 1 shared phone (once per pair)
    ownership = next(e for e in entities if e["schema"] == "Ownership")
    assert ownership["properties"]["percentage"] == ["60"]
    assert ownership["properties"]["owner"] == ["vigil.t-3ab"]
    link = next(e for e in entities if e["schema"] == "UnknownLink")
    assert link["properties"]["role"] == ["same phone: 85023814410"]
    designated = next(e for e in entities if e["id"] == "vigil.t-3ab")
    assert designated["properties"]["topics"] == ["sanction"]
