"""A network of listed parties (and user-supplied company data) and the paths to designated ones.

:func:`build_graph` makes a :class:`networkx.MultiDiGraph`:

- one node per party id, with ``name``, ``schema``, ``source`` and ``designated`` (the
  party carries a designation, or its id is in the ``designated`` set given). Registry
  companies (:mod:`vigil.graph.registry`) and DPRK missions (:mod:`vigil.graph.missions`) are
  parties too, from their own sources;
- one edge per list relation, from the party that holds it to its target, with ``kind``,
  ``text``, ``share``, ``source`` and ``evidence`` (the source's wording). A relation whose
  target the list gives only as a reference number (UN ``KPe.064``, cited by UK records) is
  resolved to the parties carrying that reference, preferring the same list; one given only by
  name (UK "Parent company: ...", a registry shareholder) to the parties with that normalized
  name, again preferring the same list, else to a *name node* ``name:<normalized name>`` that
  every mention of the same name shares (so two companies with the same unlisted shareholder
  meet there);
- vessel owner/operator text (``VesselInfo.owner``/``operator``) resolved the same way, as
  ``vessel_owner``/``vessel_operator`` edges, unless a list relation already links the two;
- shared-attribute edges between parties with the same normalized address, phone, e-mail,
  passport, IMO company number, website or officer (a person named as director or officer of
  both): ``kind="shared_<attribute>"``, ``value``, added in both directions (the link has no
  direction). Values shared by more than :data:`MAX_SHARED` parties (generic addresses) are
  skipped: they link nothing specific.

:func:`paths_to_designated` searches the graph as undirected (a link is evidence either
way; each hop says which way the underlying edge runs).

Exposure score of a path of ``h`` hops (documented formula)::

    score = DECAY ** (h - 1) * min(weight(hop) for hop in path)

with ``DECAY = 0.5`` and the weight of a hop the best weight among its parallel edges:
1.0 for ownership/control (``owned_or_controlled_by``, ``owner_of``) with no stated share or a
share of 50 % or more, ``max(0.3, share / 50)`` for a smaller stated share (25 % gives 0.5),
0.8 for other relations (linked to, director, vessel owner), 0.5 for a shared attribute. A
direct ownership link scores 1.0, a company two ownership hops away 0.5, a shared phone number
one hop away 0.5. The party's exposure is the best score of its paths (0.0 when none is found
within ``max_hops``).
"""

from __future__ import annotations

import heapq
import re
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import networkx as nx

from vigil.errors import InputError, NotFoundError
from vigil.model.groups import imo_number
from vigil.model.party import Party
from vigil.names.normalize import normalize_text

__all__ = [
    "DECAY",
    "MAX_SHARED",
    "Hop",
    "PathResult",
    "PathsReport",
    "build_graph",
    "edge_weight",
    "neighbourhood",
    "paths_to_designated",
    "resolve_party",
]

DECAY = 0.5
MAX_SHARED = 25
NAME_SOURCE = "name"
OWNERSHIP_KINDS = frozenset({"owned_or_controlled_by", "owner_of"})
OFFICER_KINDS = frozenset({"director_of", "officer_of"})
SHARED_ID_KINDS = {"passport": "passport", "imo_company": "imo_company", "email": "email"}
SHARED_ID_KINDS.update({"phone": "phone", "website": "website"})
MAX_NAME_TARGETS = 5  # a relation given by name links at most this many same-named parties
MAX_EXPANSIONS = 200_000  # partial paths examined by one path query, a guard on dense graphs


def edge_weight(kind: str, share: float | None = None) -> float:
    """How strongly one edge ties its two parties (module docstring)."""
    if kind in OWNERSHIP_KINDS:
        if share is None or share >= 50.0:
            return 1.0
        return max(0.3, share / 50.0)
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
    if party.source == "dprk_mission":
        return keys  # city-level addresses only
    for address in party.addresses:
        value = normalize_text(address.full)
        # an address that is no more than a country or a city links nothing specific
        if value and len(value.split()) >= 3:
            keys.add(("address", value))
    return keys


class _Resolver:
    """Finds the parties a relation points at by reference number or by name."""

    def __init__(self, parties: list[Party]) -> None:
        self.by_ref: dict[str, list[Party]] = defaultdict(list)
        self.by_name: dict[str, list[Party]] = defaultdict(list)
        for party in parties:
            refs = {d.reference.casefold() for d in party.designations if d.reference}
            refs.update(ref.split(":", 1)[-1].casefold() for ref in party.cross_refs)
            for ref in refs:
                self.by_ref[ref].append(party)
            for key in {normalize_text(n.full) for n in party.names} - {None}:
                self.by_name[str(key)].append(party)

    @staticmethod
    def _prefer(found: list[Party], source: str, holder: str) -> list[str]:
        found = [p for p in found if p.id != holder]
        same = [p.id for p in found if p.source == source]
        return sorted(same or {p.id for p in found})[:MAX_NAME_TARGETS]

    def by_reference(self, ref: str, source: str, holder: str) -> list[str]:
        return self._prefer(self.by_ref.get(ref.strip().casefold(), []), source, holder)

    def by_party_name(self, name: str, source: str, holder: str) -> list[str]:
        key = normalize_text(name)
        return self._prefer(self.by_name.get(key, []), source, holder) if key else []


def _name_node(graph: nx.MultiDiGraph[str], name: str) -> str | None:
    key = normalize_text(name)
    if not key:
        return None
    node = f"{NAME_SOURCE}:{key}"
    if node not in graph:
        graph.add_node(node, name=name.strip(), schema="LegalEntity", source=NAME_SOURCE, designated=False)
    return node


def build_graph(parties: Iterable[Party], designated: set[str] | None = None) -> nx.MultiDiGraph[str]:
    """The network of ``parties`` (see the module docstring).

    :class:`InputError` when two parties share an id.
    """
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    holders: dict[tuple[str, str], list[str]] = defaultdict(list)
    party_list = list(parties)
    for party in party_list:
        if party.id in graph:
            raise InputError(f"party id {party.id!r} appears twice; ids must be unique across lists")
        flag = bool(party.designations) if designated is None else party.id in designated
        graph.add_node(
            party.id, name=party.primary_name, schema=party.schema, source=party.source, designated=flag
        )
        for key in _shared_keys(party):
            holders[key].append(party.id)
    resolver = _Resolver(party_list)
    for party in party_list:
        linked: set[str] = set()
        for relation in party.relations:
            targets: list[str]
            how = ""
            if relation.target is not None and relation.target in graph:
                targets = [relation.target]
            elif relation.target_ref:
                targets = resolver.by_reference(relation.target_ref, party.source, party.id)
                how = f" (resolved by reference {relation.target_ref})"
            elif relation.target_name:
                targets = resolver.by_party_name(relation.target_name, party.source, party.id)
                how = f" (resolved by name {relation.target_name!r})"
                if not targets:
                    node = _name_node(graph, relation.target_name)
                    targets, how = ([node], " (named, not a listed party)") if node else ([], "")
            else:
                targets = []
            for target in targets:
                linked.add(target)
                graph.add_edge(
                    party.id,
                    target,
                    kind=relation.kind,
                    text=relation.text,
                    share=relation.share,
                    source=party.source,
                    evidence=(relation.text or relation.kind) + how,
                )
                if relation.kind in OFFICER_KINDS:
                    officer = normalize_text(party.primary_name)
                    if officer:
                        holders[("officer", officer)].append(target)
        if party.vessel is not None:
            for kind, text in (
                ("vessel_owner", party.vessel.owner),
                ("vessel_operator", party.vessel.operator),
            ):
                if not text:
                    continue
                for target in resolver.by_party_name(text, party.source, party.id):
                    if target in linked:
                        continue
                    graph.add_edge(
                        party.id,
                        target,
                        kind=kind,
                        text=text,
                        share=None,
                        source=party.source,
                        evidence=f"{kind.replace('_', ' ')}: {text} (resolved by name)",
                    )
    for (attribute, value), ids in holders.items():
        ids = sorted(set(ids))
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
    ``forward`` when the underlying edge runs source -> target, ``backward`` otherwise,
    ``both`` for a shared attribute).
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
    """A path from the start to a designated party: its node ids, hops and score."""

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
    """The answer to a path query: the shortest path, the ``k`` best, and the exposure score."""

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


def _edge_items(graph: nx.MultiDiGraph[str], a: str, b: str) -> list[dict[str, Any]]:
    evidence: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for u, v, direction in ((a, b, "forward"), (b, a, "backward")):
        for data in (graph.get_edge_data(u, v) or {}).values():
            kind = str(data["kind"])
            way = direction
            if kind.startswith("shared_"):
                if (kind, str(data.get("value"))) in seen:
                    continue
                seen.add((kind, str(data.get("value"))))
                way = "both"
            item: dict[str, Any] = {"kind": kind, "evidence": data.get("evidence"), "direction": way}
            for extra in ("share", "source"):
                if data.get(extra) is not None:
                    item[extra] = data[extra]
            evidence.append(item)
    return evidence


def _hop(graph: nx.MultiDiGraph[str], a: str, b: str) -> Hop:
    evidence = _edge_items(graph, a, b)
    weight = max((edge_weight(str(e["kind"]), e.get("share")) for e in evidence), default=0.0)
    return Hop(a, b, weight, evidence)


def _path(graph: nx.MultiDiGraph[str], nodes: list[str]) -> PathResult:
    hops = [_hop(graph, a, b) for a, b in pairwise(nodes)]
    score = DECAY ** (len(hops) - 1) * min(h.weight for h in hops)
    return PathResult(list(nodes), hops, round(score, 6))


Adjacency = dict[str, dict[str, float]]


def undirected_adjacency(graph: nx.MultiDiGraph[str]) -> Adjacency:
    """Each node's neighbours either way with the best edge weight; cached on the graph.

    Built once per graph, so a path query costs only the neighbourhood it explores, not a copy
    of the graph. The cache is dropped when the node count changes (counting edges of a
    multigraph costs a pass over all nodes): a graph that gains edges but no nodes after its
    first query must be given a fresh ``graph.graph.pop("_undirected")``.
    """
    stamp = (graph.number_of_nodes(),)
    cached = graph.graph.get("_undirected")
    if cached is not None and cached[0] == stamp:
        adjacency: Adjacency = cached[1]
        return adjacency
    adjacency = {node: {} for node in graph.nodes}
    for u, v, data in graph.edges(data=True):
        if u == v:
            continue
        weight = edge_weight(str(data["kind"]), data.get("share"))
        if adjacency[u].get(v, 0.0) < weight:
            adjacency[u][v] = weight
            adjacency[v][u] = weight
    graph.graph["_undirected"] = (stamp, adjacency)
    return adjacency


def _bfs(adjacency: Adjacency, sources: Iterable[str], limit: int) -> dict[str, int]:
    distance = dict.fromkeys(sources, 0)
    queue = deque(distance)
    while queue:
        node = queue.popleft()
        depth = distance[node]
        if depth >= limit:
            continue
        for nxt in adjacency[node]:
            if nxt not in distance:
                distance[nxt] = depth + 1
                queue.append(nxt)
    return distance


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
    highest score (module docstring), shorter first on ties. With the default targets a path
    ends at the first designated party it meets. :class:`NotFoundError` if ``start`` is not
    in the graph.

    The search is best-first over partial paths: a path's score can only fall as it grows, so
    the first ``k`` complete paths taken from the queue are the ``k`` best; it only enters
    nodes from which a target is still within the hops left.
    """
    if start not in graph:
        raise NotFoundError(f"{start}: not in the graph")
    is_target: Callable[[str], bool]
    nodes = graph.nodes
    if targets is None:
        is_target = lambda node: node != start and bool(nodes[node].get("designated"))  # noqa: E731
    elif isinstance(targets, set):
        wanted = targets
        is_target = lambda node: node != start and node in wanted  # noqa: E731
    else:
        is_target = targets
    adjacency = undirected_adjacency(graph)
    ball = _bfs(adjacency, [start], max_hops)
    found = sorted((d, n) for n, d in ball.items() if n != start and is_target(n))
    if not found:
        return PathsReport(start, None, [], 0.0)
    # distance of each node of the ball to the nearest target, moving inside the ball only
    to_target = {n: 0 for _d, n in found}
    queue = deque(to_target)
    while queue:
        node = queue.popleft()
        depth = to_target[node]
        if depth >= max_hops:
            continue
        for nxt in adjacency[node]:
            if nxt in ball and nxt not in to_target:
                to_target[nxt] = depth + 1
                queue.append(nxt)
    # best-first: (-score, hops, nodes, min weight)
    heap: list[tuple[float, int, tuple[str, ...], float]] = [(-2.0, 0, (start,), 2.0)]
    complete: list[tuple[str, ...]] = []
    expansions = 0
    while heap and len(complete) < k and expansions < MAX_EXPANSIONS:
        _neg, hops, path, low = heapq.heappop(heap)
        last = path[-1]
        if hops and is_target(last):
            complete.append(path)
            continue
        left = max_hops - hops
        for nxt, weight in adjacency[last].items():
            expansions += 1
            if nxt in path or to_target.get(nxt, max_hops + 1) > left - 1:
                continue
            new_low = min(low, weight)
            score = DECAY**hops * new_low
            heapq.heappush(heap, (-score, hops + 1, (*path, nxt), new_low))
    best = [_path(graph, list(p)) for p in complete]
    best.sort(key=lambda p: (-p.score, len(p.nodes), p.nodes))
    shortest_nodes = _shortest(adjacency, start, found[0][0], to_target)
    shortest = _path(graph, shortest_nodes)
    return PathsReport(start, shortest, best, best[0].score if best else shortest.score)


def _shortest(adjacency: Adjacency, start: str, length: int, to_target: dict[str, int]) -> list[str]:
    """A shortest path (``length`` hops) to the nearest target, taking the strongest link at
    each step among those that stay on a shortest path."""
    path = [start]
    for left in range(length, 0, -1):
        options = [
            (-w, n)
            for n, w in adjacency[path[-1]].items()
            if to_target.get(n, left) == left - 1 and n not in path
        ]
        path.append(min(options)[1])
    return path


def neighbourhood(graph: nx.MultiDiGraph[str], node: str, limit: int = 200) -> dict[str, Any]:
    """A node and its direct neighbours (at most ``limit``, strongest links first), with the
    evidence of every edge between the node and each neighbour, ready for a graph view.

    :class:`NotFoundError` if ``node`` is not in the graph.
    """
    if node not in graph:
        raise NotFoundError(f"{node}: not in the graph")
    adjacency = undirected_adjacency(graph)
    around = sorted(adjacency[node].items(), key=lambda item: (-item[1], item[0]))
    shown = [n for n, _w in around[:limit]]

    def describe(n: str) -> dict[str, Any]:
        data = graph.nodes[n]
        return {
            "id": n,
            "name": data.get("name", n),
            "schema": data.get("schema"),
            "source": data.get("source"),
            "designated": bool(data.get("designated")),
            "degree": len(adjacency[n]),
        }

    edges = [
        {"source": node, "target": n, "weight": adjacency[node][n], "evidence": _edge_items(graph, node, n)}
        for n in shown
    ]
    return {
        "node": describe(node),
        "neighbours": [describe(n) for n in shown],
        "edges": edges,
        "total_neighbours": len(around),
    }


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
