"""``/graph/...``: the network of listed parties, DPRK missions and loaded registries.

The graph is built from the current list versions and the stored registries on first use and
kept until either changes (see :func:`vigil.graph.build.load_network`); the first request after
a list import therefore takes a few seconds longer.
"""

from __future__ import annotations

from typing import Annotated, Any

import networkx as nx
from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from vigil.api.auth import Viewer
from vigil.api.context import ApiContext, Context
from vigil.names.normalize import normalize_text

__all__ = ["router", "search_nodes"]

router = APIRouter(tags=["graph"])


def network(context: ApiContext) -> nx.MultiDiGraph[str]:
    """The current network; call on the store thread."""
    from vigil.graph.build import load_network

    store = context.store
    return load_network(store.current_parties(), context.settings.home, context.service.list_versions())


def search_nodes(graph: nx.MultiDiGraph[str], text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Nodes whose id equals ``text`` or whose normalized name contains it; designated first,
    then exact names, then shorter names."""
    wanted = normalize_text(text)
    if not wanted:
        return []
    found: list[tuple[tuple[int, int, int, str], dict[str, Any]]] = []
    for node, data in graph.nodes(data=True):
        name = normalize_text(data.get("name")) or ""
        if node != text and wanted not in name:
            continue
        rank = (
            0 if node == text else 1,
            0 if data.get("designated") else 1,
            0 if name == wanted else 1,
            name,
        )
        found.append(
            (
                rank,
                {
                    "id": node,
                    "name": data.get("name", node),
                    "schema": data.get("schema"),
                    "source": data.get("source"),
                    "designated": bool(data.get("designated")),
                },
            )
        )
    found.sort(key=lambda item: item[0])
    return [item for _rank, item in found[:limit]]


class EvidenceOut(BaseModel):
    kind: str
    evidence: str | None = None
    direction: str = Field(description="forward, backward (as the underlying edge runs) or both")
    share: float | None = None
    source: str | None = None


class HopOut(BaseModel):
    source: str
    target: str
    weight: float
    evidence: list[EvidenceOut]


class PathOut(BaseModel):
    nodes: list[str]
    score: float
    hops: list[HopOut]


class NodeOut(BaseModel):
    id: str
    name: str
    schema_: str | None = Field(default=None, alias="schema")
    source: str | None = None
    designated: bool = False
    degree: int | None = None


class PathsOut(BaseModel):
    start: str
    exposure: float = Field(description="Best path score: 0.5 ** (hops - 1) * weakest link weight")
    shortest: PathOut | None
    paths: list[PathOut]
    nodes: list[NodeOut] = Field(description="Every node on the paths, with its name")


class EdgeOut(BaseModel):
    source: str
    target: str
    weight: float
    evidence: list[EvidenceOut]


class NeighboursOut(BaseModel):
    node: NodeOut
    neighbours: list[NodeOut]
    edges: list[EdgeOut]
    total_neighbours: int


class ClusterOut(BaseModel):
    size: int
    designated_touched: int
    members: list[dict[str, Any]]
    designated_members: list[dict[str, Any]]
    designated_neighbours: list[dict[str, Any]]
    shared: list[dict[str, Any]]


class OwnershipEdgeIn(BaseModel):
    owner: str = Field(min_length=1, max_length=500)
    owned: str = Field(min_length=1, max_length=500)
    share: float = Field(description="Percent held, above 0 and at most 100.")


class OwnershipIn(BaseModel):
    edges: list[OwnershipEdgeIn] = Field(max_length=1_000_000)
    blocked: list[str] = Field(max_length=1_000_000, description="Ids of the blocked owners.")
    threshold: float = Field(default=50.0, gt=0, le=100)


class BlockedOut(BaseModel):
    entity: str
    share: float
    round: int
    contributions: list[tuple[str, str, float]]
    chains: list[list[tuple[str, str, float]]]


class OwnershipOut(BaseModel):
    blocked: list[BlockedOut]


def _node(graph: nx.MultiDiGraph[str], node: str) -> dict[str, Any]:
    data = graph.nodes[node]
    return {
        "id": node,
        "name": data.get("name", node),
        "schema": data.get("schema"),
        "source": data.get("source"),
        "designated": bool(data.get("designated")),
    }


@router.get("/graph/paths", response_model=PathsOut, summary="Paths from a party to designated parties")
async def graph_paths(
    context: Context,
    principal: Viewer,
    party: Annotated[str, Query(min_length=1, max_length=300, description="Party id or exact name.")],
    max_hops: Annotated[int, Query(ge=1, le=6)] = 3,
    k: Annotated[int, Query(ge=1, le=20)] = 3,
) -> dict[str, Any]:
    """The shortest path and the ``k`` best paths (at most ``max_hops`` hops) from the party to
    designated parties, each hop with the evidence of every edge, and the exposure score."""
    from vigil.graph.network import paths_to_designated, resolve_party

    def run() -> dict[str, Any]:
        graph = network(context)
        start = resolve_party(graph, party)
        report = paths_to_designated(graph, start, max_hops=max_hops, k=k).to_dict()
        nodes = {start}
        for path in [report["shortest"], *report["paths"]]:
            if path:
                nodes.update(path["nodes"])
        report["nodes"] = [_node(graph, n) for n in sorted(nodes)]
        return report

    return await context.run(run)


@router.get("/graph/neighbours", response_model=NeighboursOut, summary="A party's direct neighbours")
async def graph_neighbours(
    context: Context,
    principal: Viewer,
    party: Annotated[str, Query(min_length=1, max_length=300, description="Party id or exact name.")],
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """The party and its neighbours (strongest links first), with every edge's evidence."""
    from vigil.graph.network import neighbourhood, resolve_party

    def run() -> dict[str, Any]:
        graph = network(context)
        return neighbourhood(graph, resolve_party(graph, party), limit=limit)

    return await context.run(run)


@router.get("/graph/search", response_model=list[NodeOut], summary="Find network nodes by name")
async def graph_search(
    context: Context,
    principal: Viewer,
    q: Annotated[str, Query(min_length=2, max_length=200, description="Part of a name, or an id.")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[dict[str, Any]]:
    """Nodes (list parties, missions, registry entities) whose name contains ``q``."""
    return await context.run(lambda: search_nodes(network(context), q, limit))


@router.get("/graph/clusters", response_model=list[ClusterOut], summary="Clusters of shared attributes")
async def graph_clusters(
    context: Context,
    principal: Viewer,
    min_designated: Annotated[int, Query(ge=0, le=1000)] = 1,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> list[dict[str, Any]]:
    """Groups of parties sharing addresses, phones, e-mails, passports, IMO company numbers,
    websites or officers, ranked by how many designated parties they touch."""
    from vigil.graph.clusters import find_clusters

    def run() -> list[dict[str, Any]]:
        graph = network(context)
        return [c.to_dict(graph) for c in find_clusters(graph, min_designated=min_designated, limit=limit)]

    return await context.run(run)


@router.post("/graph/ownership", response_model=OwnershipOut, summary="Apply the OFAC 50 % rule")
async def graph_ownership(body: OwnershipIn, principal: Viewer) -> dict[str, Any]:
    """Which entities are blocked because blocked owners hold, directly or indirectly, in the
    aggregate, at least the threshold; each with the chains from a blocked owner."""
    from vigil.graph.ownership import OwnershipEdge, apply_fifty_percent_rule

    def run() -> dict[str, Any]:
        edges = [OwnershipEdge(e.owner, e.owned, e.share) for e in body.edges]
        result = apply_fifty_percent_rule(edges, body.blocked, body.threshold)
        return {"blocked": [b.to_dict() for b in result.values()]}

    return await run_in_threadpool(run)
