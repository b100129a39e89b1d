"""The network on the real bundled OFAC snapshot, checked against the reference relationship table."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from vigil.graph.network import build_graph, paths_to_designated, resolve_party
from vigil.model.party import Party
from vigil.sources.registry import get_source

SNAPSHOT = (
    Path(__file__).resolve().parents[2] / "src" / "vigil" / "data" / "snapshot" / "sdn_advanced.xml.bz2"
)
P = "ofac_sdn_advanced:"
# parsing the whole OFAC advanced XML takes most of a minute on a busy 2-core machine
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def parties() -> list[Party]:
    return get_source("ofac_sdn_advanced").parse({"main": SNAPSHOT}).parties


@pytest.fixture(scope="module")
def graph(parties: list[Party]) -> nx.MultiDiGraph[str]:
    return build_graph(parties)


def test_dprk_relation_counts_equal_reference(parties: list[Party], shared_data: Path) -> None:
    reference = shared_data / "reference"
    with (reference / "ofac_dprk_relationships.csv").open(newline="") as handle:
        expected = Counter(row["relation"] for row in csv.DictReader(handle))
    # the DPRK-linked parties are the uids of the reference attribute table (668 parties)
    with (reference / "ofac_dprk_party_attributes.csv").open(newline="") as handle:
        dprk = {P + row["uid"] for row in csv.DictReader(handle)}
    assert len(dprk) == 668
    got = Counter(
        relation.text
        for party in parties
        for relation in party.relations
        if party.id in dprk or relation.target in dprk
    )
    assert got == expected
    assert sum(got.values()) == 259


def test_relation_edges_carry_evidence(graph: nx.MultiDiGraph[str]) -> None:
    edges = graph.get_edge_data(P + "19577", P + "17068")  # JIN TENG -> Ocean Maritime Management
    assert edges is not None
    (edge,) = edges.values()
    assert edge["kind"] == "owned_or_controlled_by"
    assert edge["evidence"] == "Owned or Controlled By"
    assert edge["source"] == "ofac_sdn_advanced"
    assert graph.nodes[P + "17068"]["designated"] is True


def test_vessel_owner_parent_chain_is_found(graph: nx.MultiDiGraph[str]) -> None:
    # HAPPINESS I -> owned by Hokoul SAL Offshore -> owned by Al-Bazzal Muhammad Qasim
    vessel, owner, parent = P + "15055", P + "27328", P + "26122"
    report = paths_to_designated(graph, vessel, max_hops=3, k=3, targets={parent})
    assert report.shortest is not None
    assert report.shortest.nodes == [vessel, owner, parent]
    kinds = [[e["kind"] for e in hop.evidence] for hop in report.shortest.hops]
    assert kinds == [["owned_or_controlled_by"], ["owned_or_controlled_by"]]
    assert [hop.evidence[0]["direction"] for hop in report.shortest.hops] == ["forward", "forward"]
    assert report.shortest.score == 0.5
    assert report.exposure == 0.5


def test_dprk_vessel_default_targets(graph: nx.MultiDiGraph[str]) -> None:
    report = paths_to_designated(graph, resolve_party(graph, "JIN TENG"))
    assert report.shortest is not None
    assert report.shortest.nodes == [P + "19577", P + "17068"]
    assert report.exposure == 1.0
    assert 1 <= len(report.paths) <= 3
    assert all(len(p.nodes) - 1 <= 3 for p in report.paths)


def test_every_profile_relationship_is_an_edge(parties: list[Party], graph: nx.MultiDiGraph[str]) -> None:
    # OFAC's advanced XML carries 8,194 profile relationships; each becomes one edge of its kind
    expected = Counter(r.kind for p in parties for r in p.relations)
    got = Counter(d["kind"] for _u, _v, d in graph.edges(data=True) if not d["kind"].startswith("shared_"))
    assert got == expected
    assert sum(got.values()) == 8194
    assert got["owned_or_controlled_by"] == 4632 and got["acting_for"] == 1348


def test_dprk_edges_by_relation_type_equal_reference(graph: nx.MultiDiGraph[str], shared_data: Path) -> None:
    reference = shared_data / "reference"
    with (reference / "ofac_dprk_relationships.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    with (reference / "ofac_dprk_party_attributes.csv").open(newline="") as handle:
        dprk = {P + row["uid"] for row in csv.DictReader(handle)}
    got = Counter(
        d["text"]
        for u, v, d in graph.edges(data=True)
        if not d["kind"].startswith("shared_") and (u in dprk or v in dprk)
    )
    assert got == Counter(row["relation"] for row in rows)
    assert got == {
        "Owned or Controlled By": 128,
        "Acting for or on behalf of": 73,
        "Providing support to": 43,
        "Leader or official of": 15,
    }
    # and each reference row is an edge between the same two parties
    for row in rows:
        assert graph.has_edge(P + row["from_uid"], P + row["to_uid"]), row


def test_dprk_individual_to_bank_path(graph: nx.MultiDiGraph[str]) -> None:
    # RA Kyong-Su acts for TANCHON COMMERCIAL BANK (reference row 1): one hop, weight 0.8
    report = paths_to_designated(graph, P + "15656", max_hops=1, k=5, targets={P + "9346"})
    assert report.shortest is not None and report.shortest.nodes == [P + "15656", P + "9346"]
    assert report.shortest.hops[0].evidence[0]["evidence"] == "Acting for or on behalf of"
    assert report.exposure == 0.8
