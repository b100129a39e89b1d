"""The OFAC 50 % rule over ownership edges. Pure, no I/O.

An entity owned 50 % or more, directly or indirectly, individually or in the aggregate,
by one or more blocked persons is itself blocked; the rule cascades down ownership chains.

Here: an entity is blocked when the shares held in it by blocked owners add up to at least
the threshold (50 %). A blocked owner is either one of the given ``blocked`` ids or an
entity this rule has already blocked, so the whole share of a blocked subsidiary counts
(not a product of percentages). The rule is applied round by round until nothing changes;
the set of blocked entities only grows, so this terminates on any graph, cycles included.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from vigil.errors import InputError

__all__ = ["BlockedEntity", "OwnershipEdge", "apply_fifty_percent_rule", "validate_edges"]

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


@dataclass(slots=True)
class BlockedEntity:
    """An entity blocked by the rule.

    ``share`` is the aggregate share held by blocked owners; ``contributions`` the direct
    edges from blocked owners that make it up; ``chains`` ownership chains, each running
    from an originally blocked id down to this entity; ``round`` the iteration (1 = owned by
    the given blocked ids directly) in which it became blocked.
    """

    entity: str
    share: float
    round: int
    contributions: list[OwnershipEdge] = field(default_factory=list)
    chains: list[tuple[OwnershipEdge, ...]] = field(default_factory=list)

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
    totals: dict[str, float] = defaultdict(float)
    for edge in result:
        if edge.owner == edge.owned:
            raise InputError(f"ownership edge {edge}: an entity cannot own itself")
        if not (0.0 < edge.share <= 100.0 + _EPSILON):
            raise InputError(f"ownership edge {edge}: share must be above 0 and at most 100 %")
        totals[edge.owned] += edge.share
        if totals[edge.owned] > 100.0 + _EPSILON:
            raise InputError(
                f"ownership edge {edge}: shares held in {edge.owned} add up to "
                f"{totals[edge.owned]:g} %, over 100 %"
            )
    return result


def apply_fifty_percent_rule(
    edges: Iterable[OwnershipEdge], blocked: Iterable[str], threshold: float = 50.0
) -> dict[str, BlockedEntity]:
    """The entities newly blocked by the rule, by id, in the order they became blocked.

    The given ``blocked`` ids are never in the result. :class:`InputError` on bad edges
    (see :func:`validate_edges`).
    """
    checked = validate_edges(edges)
    owners_of: dict[str, list[OwnershipEdge]] = defaultdict(list)
    for edge in checked:
        owners_of[edge.owned].append(edge)
    origin = set(blocked)
    result: dict[str, BlockedEntity] = {}
    round_ = 0
    while True:
        round_ += 1
        is_blocked = origin | result.keys()
        newly: list[BlockedEntity] = []
        for owned in sorted(owners_of):
            if owned in is_blocked:
                continue
            contributions = [e for e in owners_of[owned] if e.owner in is_blocked]
            share = sum(e.share for e in contributions)
            if contributions and share + _EPSILON >= threshold:
                newly.append(BlockedEntity(owned, round(share, 9), round_, contributions))
        if not newly:
            return result
        for entity in newly:
            chains: list[tuple[OwnershipEdge, ...]] = []
            for edge in entity.contributions:
                if edge.owner in origin:
                    chains.append((edge,))
                else:
                    chains.extend((*chain, edge) for chain in result[edge.owner].chains)
            entity.chains = chains[:MAX_CHAINS]
            result[entity.entity] = entity
