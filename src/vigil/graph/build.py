"""Assembling the network from everything Vigil knows: the current lists, the DPRK missions and
the registries loaded with ``vigil graph registry load``.

:func:`network_parties` gathers the parties, :func:`load_network` builds the graph (cached per
set of inputs within one process), :func:`ownership_edges` reads the ownership edges with a
stated share out of a graph for the 50 % rule.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

import networkx as nx

from vigil.graph.missions import load_missions
from vigil.graph.network import build_graph
from vigil.graph.ownership import OwnershipEdge
from vigil.graph.registry import load_stored_registries, registry_dir
from vigil.model.party import Party
from vigil.names.normalize import normalize_text
from vigil.store.workflow import Customer

__all__ = ["link_customers", "load_network", "network_parties", "ownership_edges"]

_lock = threading.Lock()
_cache: dict[str, tuple[tuple[object, ...], nx.MultiDiGraph[str]]] = {}


def network_parties(list_parties: Iterable[Party], home: Path | None, missions: bool = True) -> list[Party]:
    """The list parties, then the missions (``missions``), then every stored registry of ``home``."""
    parties = list(list_parties)
    if missions:
        parties.extend(load_missions())
    if home is not None:
        parties.extend(load_stored_registries(home))
    return parties


def _registry_stamp(home: Path | None) -> tuple[object, ...]:
    if home is None or not registry_dir(home).is_dir():
        return ()
    return tuple(
        (file.name, file.stat().st_mtime_ns, file.stat().st_size)
        for file in sorted(registry_dir(home).glob("*.jsonl"))
    )


def load_network(
    list_parties: Iterable[Party], home: Path | None, versions: dict[str, int] | None = None
) -> nx.MultiDiGraph[str]:
    """The network of :func:`network_parties`. With ``versions`` (the current list version ids)
    the graph is kept in memory and reused until the lists or the stored registries change."""
    if versions is None:
        return build_graph(network_parties(list_parties, home))
    stamp = (tuple(sorted(versions.items())), _registry_stamp(home))
    key = str(home)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    graph = build_graph(network_parties(list_parties, home))
    with _lock:
        _cache[key] = (stamp, graph)
    return graph


def ownership_edges(graph: nx.MultiDiGraph[str]) -> list[OwnershipEdge]:
    """Ownership edges with a stated share (``owned_or_controlled_by`` runs owned -> owner,
    ``owner_of`` owner -> owned), one per owner and owned entity (the largest share stated)."""
    shares: dict[tuple[str, str], float] = {}
    for u, v, data in graph.edges(data=True):
        share = data.get("share")
        if share is None:
            continue
        if data["kind"] == "owned_or_controlled_by":
            key = (v, u)
        elif data["kind"] == "owner_of":
            key = (u, v)
        else:
            continue
        shares[key] = max(shares.get(key, 0.0), float(share))
    return [OwnershipEdge(owner, owned, share) for (owner, owned), share in sorted(shares.items())]


def link_customers(graph: nx.MultiDiGraph[str], customers: Iterable[Customer]) -> dict[str, str]:
    """Which network node each customer is: its ``data['network_id']`` when that is a node id
    (a party id or a registry id ``registry:<name>:<entity_id>``), else the one registry entity
    whose primary name equals the customer's name after normalization. Customers with no node
    or several same-named registry entities are left out (an ambiguous link proves nothing)."""
    by_name: dict[str, list[str]] = {}
    for node, data in graph.nodes(data=True):
        if str(data.get("source", "")).startswith("registry:"):
            key = normalize_text(data.get("name"))
            if key:
                by_name.setdefault(key, []).append(node)
    links: dict[str, str] = {}
    for customer in customers:
        wanted = customer.data.get("network_id") if isinstance(customer.data, dict) else None
        if isinstance(wanted, str) and wanted in graph:
            links[customer.id] = wanted
            continue
        found = by_name.get(normalize_text(customer.name) or "", [])
        if len(found) == 1:
            links[customer.id] = found[0]
    return links
