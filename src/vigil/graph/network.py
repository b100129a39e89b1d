"""A network of listed parties and the paths from a party to designated ones.

:func:`build_graph` makes a :class:`networkx.MultiDiGraph`:

- one node per party id, with ``name``, ``schema``, ``source`` and ``designated`` (the
  party carries a designation, or its id is in the ``designated`` set given);
- one edge per resolved list relation, from the party that holds it to its target, with
  ``kind``, ``text``, ``share``, ``source`` and ``evidence`` (the source's wording);
- shared-attribute edges between parties with the same normalized address, phone, e-mail,
  passport, IMO company number or website: ``kind="shared_<attribute>"``, ``value``, added
  in both directions (the link has no direction). Values shared by more than
  :data:`MAX_SHARED` parties (generic addresses) are skipped: they link nothing specific.

:func:`paths_to_designated` searches the graph as undirected (a link is evidence either
way; each hop says which way the underlying edge runs).

Exposure score of a path of ``h`` hops (documented formula)::

    score = DECAY ** (h - 1) * min(weight(hop) for hop in path)

with ``DECAY = 0.5`` and the weight of a hop the best weight among its parallel edges:
1.0 for ownership/control (``owned_or_controlled_by``, ``owner_of``), 0.8 for other list
relations, 0.5 for a shared attribute. A direct ownership link scores 1.0, a company two
ownership hops away 0.5, a shared phone number one hop away 0.5. The party's exposure is
the best score of its paths (0.0 when none is found within ``max_hops``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice, pairwise
from typing import Any

import networkx as nx

from vigil.errors import NotFoundError
from vigil.model.groups import imo_number
from vigil.model.party import Party
from vigil.names.normalize import normalize_text

__all__ = [
    "DECAY",
    "Hop",
    "PathResult",
    "PathsReport",
    "build_graph",
    "paths_to_designated",
    "resolve_party",
]

DECAY = 0.5
MAX_SHARED = 25
OWNERSHIP_KINDS = frozenset({"owned_or_controlled_by", "owner_of"})
SHARED_ID_KINDS = {"passport": "passport", "imo_company": "imo_company", "email": "email"}
SHARED_ID_KINDS.update({"phone": "phone", "website": "website"})


def _weight(kind: str) -> float:
    if kind in OWNERSHIP_KINDS:
        return 1.0
    if kind.startswith("shared_"):
        return 0.5
    return 0.8


def _norm_value(attribute: str, value: str) -> str | None:
    text = value.strip().casefold()
    if attribute == "phone":
        digits = re.sub(r"\D", "", text)
        return digits if len(digits) >= 6 else None
    if attribute == "website":
        text = re.sub(r"^(https?://)?(www\.)?", "", text).rstrip("/")
        return text or None
    if attribute == "email":
        return text or None
    if attribute == "imo_company":
        return imo_number(value) or (re.sub(r"\D", "", text) or None)
    if attribute == "passport":
        compact = re.sub(r"[^0-9a-z]", "", text)
        return compact if len(compact) >= 5 else None
    return normalize_text(value)


def _shared_keys(party: Party) -> set[tuple[str, str]]:
    keys: set[tuple[str, str]] = set()
    for ident in party.identifiers:
        attribute = SHARED_ID_KINDS.get(ident.kind)
        if attribute is None:
            continue
        value = _norm_value(attribute, ident.value)
        if value:
            keys.add((attribute, value))
    for address in party.addresses:
        value = normalize_text(address.full)
        # an address that is no more than a country or a city links nothing specific
        if value and len(value.split()) >= 3:
            keys.add(("address", value))
    return keys


def build_graph(parties: Iterable[Party], designated: set[str] | None = None) -> nx.MultiDiGraph[str]:
    """The network of ``parties`` (see the module docstring)."""
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    holders: dict[tuple[str, str], list[str]] = defaultdict(list)
    relations: list[tuple[str, Any]] = []
    for party in parties:
        flag = bool(party.designations) if designated is None else party.id in designated
        graph.add_node(
            party.id, name=party.primary_name, schema=party.schema, source=party.source, designated=flag
        )
        relations.extend((party.id, relation) for relation in party.relations)
        for key in _shared_keys(party):
            holders[key].append(party.id)
    for party_id, relation in relations:
        if relation.target is None or relation.target not in graph:
            continue
        graph.add_edge(
            party_id,
            relation.target,
            kind=relation.kind,
            text=relation.text,
            share=relation.share,
            source=graph.nodes[party_id]["source"],
            evidence=relation.text or relation.kind,
        )
    for (attribute, value), ids in holders.items():
        if len(ids) < 2 or len(ids) > MAX_SHARED:
            continue
        for i, first in enumerate(ids):
            for second in ids[i + 1 :]:
                for a, b in ((first, second), (second, first)):
                    graph.add_edge(
                        a, b, kind=f"shared_{attribute}", value=value, evidence=f"same {attribute}: {value}"
                    )
    return graph


@dataclass(slots=True)
class Hop:
    """One step of a path: from ``source`` to ``target``, with the edges that link them.

    ``evidence`` lists each parallel edge as a dict (``kind``, ``evidence``, ``direction``:
    ``forward`` when the underlying edge runs source -> target, ``backward`` otherwise).
    """

    source: str
    target: str
    weight: float
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "weight": self.weight,
            "evidence": self.evidence,
        }


@dataclass(slots=True)
class PathResult:
    nodes: list[str]
    hops: list[Hop]
    score: float

    @property
    def target(self) -> str:
        return self.nodes[-1]

    def to_dict(self) -> dict[str, Any]:
        return {"nodes": self.nodes, "score": self.score, "hops": [h.to_dict() for h in self.hops]}


@dataclass(slots=True)
class PathsReport:
    start: str
    shortest: PathResult | None
    paths: list[PathResult]
    exposure: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "exposure": self.exposure,
            "shortest": self.shortest.to_dict() if self.shortest else None,
            "paths": [p.to_dict() for p in self.paths],
        }


def _hop(graph: nx.MultiDiGraph[str], a: str, b: str) -> Hop:
    evidence: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for u, v, direction in ((a, b, "forward"), (b, a, "backward")):
        for data in (graph.get_edge_data(u, v) or {}).values():
            kind = str(data["kind"])
            if kind.startswith("shared_"):
                if (kind, str(data.get("value"))) in seen:
                    continue
                seen.add((kind, str(data.get("value"))))
                direction = "both"
            item = {"kind": kind, "evidence": data.get("evidence"), "direction": direction}
            for extra in ("share", "source"):
                if data.get(extra) is not None:
                    item[extra] = data[extra]
            evidence.append(item)
    weight = max((_weight(str(e["kind"])) for e in evidence), default=0.0)
    return Hop(a, b, weight, evidence)


def _path(graph: nx.MultiDiGraph[str], nodes: list[str]) -> PathResult:
    hops = [_hop(graph, a, b) for a, b in pairwise(nodes)]
    score = DECAY ** (len(hops) - 1) * min(h.weight for h in hops)
    return PathResult(list(nodes), hops, round(score, 6))


def paths_to_designated(
    graph: nx.MultiDiGraph[str],
    start: str,
    max_hops: int = 3,
    k: int = 3,
    targets: set[str] | Callable[[str], bool] | None = None,
) -> PathsReport:
    """The shortest path from ``start`` to a designated party and up to ``k`` best paths.

    Targets are the designated nodes other than ``start``, or ``targets`` (ids or a test).
    Paths have at most ``max_hops`` hops and visit no node twice; the best are those with the
    highest score (module docstring), shorter first on ties. :class:`NotFoundError` if
    ``start`` is not in the graph.
    """
    if start not in graph:
        raise NotFoundError(f"{start}: not in the graph")
    is_target: Callable[[str], bool]
    if targets is None:
        is_target = lambda node: node != start and bool(graph.nodes[node].get("designated"))  # noqa: E731
    elif isinstance(targets, set):
        wanted = targets
        is_target = lambda node: node != start and node in wanted  # noqa: E731
    else:
        is_target = targets
    undirected: nx.Graph[str] = nx.Graph(graph.to_undirected(as_view=True))
    distances = nx.single_source_shortest_path_length(undirected, start, cutoff=max_hops)
    reachable = sorted((d, n) for n, d in distances.items() if n != start and is_target(n))
    candidates: list[PathResult] = []
    for _distance, target in reachable:
        # paths come shortest first; a few per target are enough to rank k overall
        for nodes in islice(nx.shortest_simple_paths(undirected, start, target), k):
            if len(nodes) - 1 > max_hops:
                break
            # a path through another target is reported as the shorter path to that target
            if any(is_target(n) for n in nodes[1:-1]) and targets is None:
                continue
            candidates.append(_path(graph, nodes))
    shortest = min(candidates, key=lambda p: (len(p.nodes), -p.score, p.nodes), default=None)
    best = sorted(candidates, key=lambda p: (-p.score, len(p.nodes), p.nodes))[:k]
    return PathsReport(start, shortest, best, best[0].score if best else 0.0)


def resolve_party(graph: nx.MultiDiGraph[str], name_or_id: str) -> str:
    """The node id for a party id or a name (normalized exact match on the primary name).

    :class:`NotFoundError` when nothing matches.
    """
    if name_or_id in graph:
        return name_or_id
    for node in graph.nodes:
        if str(node).endswith(f":{name_or_id}"):
            return str(node)
    wanted = normalize_text(name_or_id)
    matches = sorted(n for n, data in graph.nodes(data=True) if normalize_text(data.get("name")) == wanted)
    if not matches:
        raise NotFoundError(f"{name_or_id}: no party with this id or name")
    return str(matches[0])
