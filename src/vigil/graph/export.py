"""Exporting the network: GraphML (for Gephi, yEd, Cytoscape desktop) and FollowTheMoney JSON lines.

GraphML keeps every node (``name``, ``schema``, ``source``, ``designated``) and every edge
(``kind``, ``evidence``, ``share``, ``value``, ``source``); attributes that are empty are left out.

FollowTheMoney: one entity per node, with id ``vigil.<escaped party id>`` (the id Vigil's list
export gives the same party, so both files join), schema from the node, ``name`` and the topic
``sanction`` when designated; one link entity per edge: ``Ownership`` (owner, asset, percentage)
for ownership, ``Directorship`` for directors and officers, ``UnknownLink`` (subject, object,
role = the evidence) for everything else; a shared attribute is written once per pair.
"""

from __future__ import annotations

import hashlib
import json
from typing import IO, Any

import networkx as nx

from vigil.model.ftm import _eid

__all__ = ["FORMATS", "write_ftm", "write_graphml"]

FORMATS = ("graphml", "ftm")
_SCHEMATA = {"Person", "Company", "Organization", "LegalEntity", "Vessel", "Airplane", "PublicBody"}


def write_graphml(graph: nx.MultiDiGraph[str], handle: IO[bytes]) -> None:
    """Write ``graph`` as GraphML to a binary handle."""
    plain: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        plain.add_node(node, **{k: v for k, v in data.items() if v is not None and not k.startswith("_")})
    for u, v, key, data in graph.edges(keys=True, data=True):
        plain.add_edge(u, v, key=key, **{k: v for k, v in data.items() if v is not None})
    nx.write_graphml(plain, handle)


def _link_id(*parts: Any) -> str:
    return "vigil-net." + hashlib.sha1(json.dumps(parts, default=str).encode()).hexdigest()[:24]


def write_ftm(graph: nx.MultiDiGraph[str], handle: IO[str]) -> int:
    """Write ``graph`` as FtM JSON lines to a text handle; returns the number of entities."""
    count = 0

    def emit(entity: dict[str, Any]) -> None:
        nonlocal count
        handle.write(json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n")
        count += 1

    for node, data in graph.nodes(data=True):
        schema = str(data.get("schema") or "LegalEntity")
        props: dict[str, list[str]] = {"name": [str(data.get("name") or node)]}
        if data.get("designated"):
            props["topics"] = ["sanction"]
        emit(
            {
                "id": _eid(node),
                "schema": schema if schema in _SCHEMATA else "LegalEntity",
                "properties": props,
            }
        )
    done: set[tuple[str, str, str]] = set()
    for u, v, data in graph.edges(data=True):
        kind = str(data["kind"])
        evidence = str(data.get("evidence") or kind)
        if kind.startswith("shared_"):
            pair = (min(u, v), max(u, v), evidence)
            if pair in done:
                continue
            done.add(pair)
        link: dict[str, Any]
        if kind in ("owned_or_controlled_by", "owner_of"):
            owner, asset = (v, u) if kind == "owned_or_controlled_by" else (u, v)
            props = {"owner": [_eid(owner)], "asset": [_eid(asset)], "role": [evidence]}
            if data.get("share") is not None:
                props["percentage"] = [f"{float(data['share']):g}"]
            link = {"schema": "Ownership", "properties": props}
        elif kind in ("director_of", "officer_of"):
            link = {
                "schema": "Directorship",
                "properties": {"director": [_eid(u)], "organization": [_eid(v)], "role": [evidence]},
            }
        else:
            link = {
                "schema": "UnknownLink",
                "properties": {"subject": [_eid(u)], "object": [_eid(v)], "role": [evidence]},
            }
        link["id"] = _link_id(u, v, kind, evidence)
        emit(link)
    return count
