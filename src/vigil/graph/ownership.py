"""The OFAC 50 % rule over ownership edges. Pure, no I/O.

An entity owned 50 % or more, directly or indirectly, individually or in the aggregate,
by one or more blocked persons is itself blocked; the rule cascades down ownership chains.

Here: an entity is blocked when the shares held in it by blocked owners add up to at least
the threshold (50 %). A blocked owner is either one of the given ``blocked`` ids or an
entity this rule has already blocked, so the whole share of a blocked subsidiary counts
(not a product of percentages). The rule is applied round by round until nothing changes;
the set of blocked entities only grows, so this terminates on any graph, cycles included.
The share reported for an entity is what blocked owners held in it when it became blocked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from vigil.errors import InputError

__all__ = [
    "BlockedEntity",
    "OwnershipEdge",
    "apply_fifty_percent_rule",
    "blocked_rounds",
    "validate_edges",
]

_EPSILON = 1e-9
MAX_CHAINS = 20  # evidence chains kept per entity; chains multiply along paths


@dataclass(frozen=True, slots=True)
class OwnershipEdge:
    """``owner`` holds ``share`` percent of ``owned``."""

    owner: str
    owned: str
    share: float

    def __str__(self) -> str:
        return f"{self.owner} -> {self.owned} ({self.share:g} %)"


class BlockedEntity:
    """An entity blocked by the rule.

    ``share`` is the aggregate share held by blocked owners when it became blocked;
    ``contributions`` the direct edges from blocked owners that make it up; ``chains`` (up
    to :data:`MAX_CHAINS`) ownership chains, each running from an originally blocked id down
    to this entity; ``round`` the iteration (1 = owned by the given blocked ids directly) in
    which it became blocked. Chains are given, or traced by ``tracer`` when first read (a
    chain is as long as the cascade is deep, so they are built only for what is read).
    """

    __slots__ = ("_chains", "_tracer", "contributions", "entity", "round", "share")

    def __init__(
        self,
        entity: str,
        share: float,
        round: int,
        contributions: list[OwnershipEdge] | None = None,
        chains: list[tuple[OwnershipEdge, ...]] | None = None,
        *,
        tracer: Callable[[BlockedEntity], list[tuple[OwnershipEdge, ...]]] | None = None,
    ) -> None:
        self.entity = entity
        self.share = share
        self.round = round
        self.contributions = contributions if contributions is not None else []
        self._chains = chains
        self._tracer = tracer

    @property
    def chains(self) -> list[tuple[OwnershipEdge, ...]]:
        if self._chains is None:
            self._chains = self._tracer(self) if self._tracer is not None else []
        return self._chains

    def _key(self) -> tuple[object, ...]:
        return (self.entity, self.share, self.round, self.contributions, self.chains)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BlockedEntity) and self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"BlockedEntity(entity={self.entity!r}, share={self.share!r}, round={self.round!r}, "
            f"contributions={self.contributions!r})"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "entity": self.entity,
            "share": self.share,
            "round": self.round,
            "contributions": [[e.owner, e.owned, e.share] for e in self.contributions],
            "chains": [[[e.owner, e.owned, e.share] for e in chain] for chain in self.chains],
        }


def validate_edges(edges: Iterable[OwnershipEdge]) -> list[OwnershipEdge]:
    """The edges as a list; :class:`InputError` naming the edge when a share is not in (0, 100]
    or when the shares held in one entity add up to more than 100 %."""
    result = list(edges)
    _check(result, *_arrays(result)[:3])
    return result


def _arrays(
    edges: list[OwnershipEdge],
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any], dict[str, int]]:
    index: dict[str, int] = {}
    owner = np.fromiter(
        (index.setdefault(e.owner, len(index)) for e in edges), dtype=np.int64, count=len(edges)
    )
    owned = np.fromiter(
        (index.setdefault(e.owned, len(index)) for e in edges), dtype=np.int64, count=len(edges)
    )
    share = np.fromiter((e.share for e in edges), dtype=np.float64, count=len(edges))
    return owner, owned, share, index


def _check(
    edges: list[OwnershipEdge],
    owner: np.ndarray[Any, Any],
    owned: np.ndarray[Any, Any],
    share: np.ndarray[Any, Any],
) -> None:
    """Vectorized checks; the error names the first offending edge in input order."""
    bad = (owner == owned) | ~((share > 0.0) & (share <= 100.0 + _EPSILON))
    if bad.any():
        edge = edges[int(np.flatnonzero(bad)[0])]
        if edge.owner == edge.owned:
            raise InputError(f"ownership edge {edge}: an entity cannot own itself")
        raise InputError(f"ownership edge {edge}: share must be above 0 and at most 100 %")
    size = int(max(owner.max(initial=-1), owned.max(initial=-1))) + 1
    totals = np.bincount(owned, weights=share, minlength=size)
    if (totals > 100.0 + _EPSILON).any():
        running: dict[str, float] = defaultdict(float)
        for edge in edges:
            running[edge.owned] += edge.share
            if running[edge.owned] > 100.0 + _EPSILON:
                raise InputError(
                    f"ownership edge {edge}: shares held in {edge.owned} add up to "
                    f"{running[edge.owned]:g} %, over 100 %"
                )


def blocked_rounds(
    owner: np.ndarray[Any, Any],
    owned: np.ndarray[Any, Any],
    share: np.ndarray[Any, Any],
    origin: np.ndarray[Any, Any],
    size: int,
    threshold: float = 50.0,
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The 50 % rule on integer ids ``0 .. size-1``: for each entity the round in which it
    became blocked (0 for the ``origin`` ids, -1 if never) and the share held by blocked owners
    at that moment.

    Level by level: the edges leaving the entities blocked in the previous round add their
    shares to what their owned entities hold from blocked owners; those reaching the threshold
    are blocked in this round. Each edge is read once, so the cost grows linearly with the
    number of edges, however deep the chains or cyclic the graph.
    """
    order = np.argsort(owner, kind="stable")
    sorted_owned, sorted_share = owned[order], share[order]
    indptr = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=size), out=indptr[1:])
    rounds = np.full(size, -1, dtype=np.int32)
    held = np.zeros(size, dtype=np.float64)
    at_block = np.zeros(size, dtype=np.float64)
    frontier = np.unique(origin)
    rounds[frontier] = 0
    level = 0
    while frontier.size:
        level += 1
        starts, ends = indptr[frontier], indptr[frontier + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        if not total:
            break
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        targets = sorted_owned[offsets]
        np.add.at(held, targets, sorted_share[offsets])
        candidates = np.unique(targets)
        candidates = candidates[(rounds[candidates] < 0) & (held[candidates] + _EPSILON >= threshold)]
        rounds[candidates] = level
        at_block[candidates] = held[candidates]
        frontier = candidates
    return rounds, at_block


def apply_fifty_percent_rule(
    edges: Iterable[OwnershipEdge], blocked: Iterable[str], threshold: float = 50.0
) -> dict[str, BlockedEntity]:
    """The entities newly blocked by the rule, by id, in the order they became blocked
    (round by round, by id within a round).

    The given ``blocked`` ids are never in the result. :class:`InputError` on bad edges
    (see :func:`validate_edges`). Runs on arrays (:func:`blocked_rounds`): linear in the
    number of edges.
    """
    checked = list(edges)
    owner, owned, share, index = _arrays(checked)
    _check(checked, owner, owned, share)
    origin_ids = set(blocked)
    origin = np.array(sorted(index[b] for b in origin_ids if b in index), dtype=np.int64)
    rounds, at_block = blocked_rounds(owner, owned, share, origin, len(index), threshold)
    names = list(index)
    newly = np.flatnonzero(rounds > 0)
    order = sorted(newly.tolist(), key=lambda i: (int(rounds[i]), names[i]))
    incoming: dict[int, list[int]] = defaultdict(list)
    wanted = rounds[owned] > 0
    for position in np.flatnonzero(wanted).tolist():
        incoming[int(owned[position])].append(position)
    result: dict[str, BlockedEntity] = {}

    def trace(entity: BlockedEntity) -> list[tuple[OwnershipEdge, ...]]:
        # depth-first up the contributions, in their order; every branch ends at an origin
        # (rounds fall strictly), so the first MAX_CHAINS leaves are the first chains.
        # A chain is a linked list (edge, rest) until emitted: O(depth) per chain.
        chains: list[tuple[OwnershipEdge, ...]] = []
        stack: list[tuple[OwnershipEdge, Any]] = [(e, None) for e in reversed(entity.contributions)]
        while stack and len(chains) < MAX_CHAINS:
            edge, below = stack.pop()
            link = (edge, below)
            if edge.owner in origin_ids:
                chain: list[OwnershipEdge] = []
                cursor: Any = link
                while cursor is not None:
                    chain.append(cursor[0])
                    cursor = cursor[1]
                chains.append(tuple(chain))
            else:
                stack.extend((e, link) for e in reversed(result[edge.owner].contributions))
        return chains

    for node in order:
        level = int(rounds[node])
        contributions = [checked[p] for p in incoming[node] if 0 <= int(rounds[owner[p]]) < level]
        name = names[node]
        result[name] = BlockedEntity(
            name, round(float(at_block[node]), 9), level, contributions, tracer=trace
        )
    return result
