"""Clusters: groups of parties tied together by shared attributes (address, phone, e-mail,
passport, IMO company number, website, officer), ranked by how many designated parties they touch.

A cluster is a connected component of the graph restricted to ``shared_*`` edges, with at least
two members. It *touches* a designated party when the party is a member, or is one list or
registry relation away from a member (owner, subsidiary, linked to, director). Clusters are
ranked by the number of designated parties touched, then by size; the shared values that hold
each cluster together are its evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

__all__ = ["Cluster", "find_clusters"]


@dataclass(slots=True)
class Cluster:
    """One cluster: its members, the designated parties it touches, and the shared values."""

    members: list[str]
    designated_members: list[str]
    designated_touched: list[str]
    shared: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self, graph: nx.MultiDiGraph[str] | None = None) -> dict[str, Any]:
        def named(ids: list[str]) -> list[dict[str, Any]]:
            if graph is None:
                return [{"id": i} for i in ids]
            return [{"id": i, "name": graph.nodes[i].get("name", i)} for i in ids]

        return {
            "size": len(self.members),
            "designated_touched": len(self.designated_touched),
            "members": named(self.members),
            "designated_members": named(self.designated_members),
            "designated_neighbours": named(
                sorted(set(self.designated_touched) - set(self.designated_members))
            ),
            "shared": self.shared,
        }


def find_clusters(
    graph: nx.MultiDiGraph[str], min_designated: int = 0, limit: int | None = None
) -> list[Cluster]:
    """The clusters of ``graph`` touching at least ``min_designated`` designated parties, best
    ranked first (module docstring), at most ``limit``."""
    shared: nx.Graph[str] = nx.Graph()
    values: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for u, v, data in graph.edges(data=True):
        kind = str(data["kind"])
        if not kind.startswith("shared_") or u > v:
            continue
        shared.add_edge(u, v)
        values.setdefault((u, v), set()).add((kind[len("shared_") :], str(data.get("value"))))
    nodes = graph.nodes
    clusters: list[Cluster] = []
    for component in nx.connected_components(shared):
        members = sorted(component)
        designated = [m for m in members if nodes[m].get("designated")]
        touched = set(designated)
        for member in members:
            for other in list(graph.successors(member)) + list(graph.predecessors(member)):
                if other in component or not nodes[other].get("designated"):
                    continue
                kinds = {d["kind"] for d in (graph.get_edge_data(member, other) or {}).values()}
                kinds |= {d["kind"] for d in (graph.get_edge_data(other, member) or {}).values()}
                if any(not str(k).startswith("shared_") for k in kinds):
                    touched.add(other)
        if len(touched) < min_designated:
            continue
        evidence: dict[tuple[str, str], set[str]] = {}
        for a, b in shared.subgraph(component).edges():
            for item in values.get((min(a, b), max(a, b)), ()):
                evidence.setdefault(item, set()).update((a, b))
        clusters.append(
            Cluster(
                members,
                designated,
                sorted(touched),
                [
                    {"attribute": attribute, "value": value, "parties": sorted(ids)}
                    for (attribute, value), ids in sorted(evidence.items())
                ],
            )
        )
    clusters.sort(key=lambda c: (-len(c.designated_touched), -len(c.members), c.members[0]))
    return clusters if limit is None else clusters[:limit]
