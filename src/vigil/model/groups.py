"""Cross-list grouping: which records of different lists describe the same party. Pure, no I/O.

These rules join parties into one group (transitively, by union-find):

- a record's ``cross_refs`` entry (``un:KPi.033`` on a UK row citing its UN Ref)
  equals another record's own authority reference (:attr:`Party.authority_refs`);
- two vessels carry the same valid IMO ship number;
- two people share a name (same words in any order, case and punctuation aside) and a
  full date of birth — OFAC cites no UN references, and this is how its record of a UN
  designee is recognised;
- two DPRK-related organisations (listed under a DPRK programme or regime, or located in
  the DPRK) share their primary name (same words, case, punctuation and a trailing
  parenthesis such as "(DCB)" aside).

Names alone never join people: there are several KIM YONG CHOL.

The grouping works on :class:`GroupKeys`, the few keys of a party that matter, so a
store can keep them beside each record and regroup without reloading whole records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from vigil.model.party import Party

__all__ = ["GroupKeys", "group_keyed", "group_keys", "group_parties", "imo_number"]


@dataclass(frozen=True, slots=True)
class GroupKeys:
    """The grouping keys of one party.

    ``own`` are keys that identify the party itself (its authority references written
    ``un:KPi.033``, and ``imo:9191773`` for a vessel); ``links`` are keys of other
    records it cites (its ``cross_refs``). Keys are compared after :func:`_norm`.
    ``un_refs`` are its own UN references as written, candidates for the group id.
    """

    party_id: str
    own: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    un_refs: tuple[str, ...] = ()

    def to_list(self) -> list[list[str]]:
        """A JSON-ready form (the party id is kept separately by whoever stores this)."""
        return [list(self.own), list(self.links), list(self.un_refs)]

    @classmethod
    def from_list(cls, party_id: str, data: list[list[str]]) -> GroupKeys:
        own, links, un_refs = data
        return cls(party_id, tuple(own), tuple(links), tuple(un_refs))


def imo_number(value: str) -> str | None:
    """The 7-digit IMO ship number in ``value`` (``"IMO 9191773"`` -> ``"9191773"``).

    Only the digits are compared; None unless they are 7 with a correct check digit
    (the digits weighted 7..2, summed, modulo 10, give the last digit), so a
    placeholder such as ``0000000`` or a typo never joins two unrelated vessels.
    """
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) != 7 or digits == "0000000":
        return None
    check = sum(int(d) * w for d, w in zip(digits[:6], range(7, 1, -1), strict=True)) % 10
    return digits if check == int(digits[6]) else None


def _norm(key: str) -> str:
    # References are written by hand in the source lists: ignore case and spacing.
    return "".join(key.split()).casefold()


_ORG_SCHEMATA = frozenset({"Organization", "Company", "LegalEntity"})
_PARENTHESIS = re.compile(r"\([^)]*\)")


def _name_words(text: str) -> str:
    """The words of a name, case-folded and sorted: ``RI Won-Ho`` and ``Ri Won Ho`` give ``ho ri won``."""
    words = "".join(ch if ch.isalnum() else " " for ch in text.casefold()).split()
    return " ".join(sorted(words))


def _is_dprk(party: Party) -> bool:
    countries = [*party.countries, *party.nationalities, *(a.country or "" for a in party.addresses)]
    if any(c.lower() == "kp" for c in countries):
        return True
    for designation in party.designations:
        if (designation.reference or "").upper().startswith("KP"):
            return True
        texts = [*designation.programmes, designation.regime or ""]
        if any("DPRK" in t.upper() or "KOREA" in t.upper() for t in texts):
            return True
    return False


def group_keys(party: Party) -> GroupKeys:
    """The grouping keys of ``party`` (see :class:`GroupKeys`)."""
    own = [_norm(ref) for ref in party.authority_refs]
    if party.schema == "Vessel" or party.vessel is not None:
        candidates = [i.value for i in party.identifiers if i.kind == "imo"]
        if party.vessel is not None and party.vessel.imo:
            candidates.append(party.vessel.imo)
        for value in candidates:
            imo = imo_number(value)
            if imo is not None:
                own.append(f"imo:{imo}")
    if party.schema == "Person":
        dates = {
            d.start
            for d in party.birth_dates
            if d.kind == "exact" and d.start is not None and len(d.start) == 10
        }
        for name in party.names:
            words = _name_words(name.full)
            if words:
                own.extend(f"person:{words}|{day}" for day in sorted(dates))
    elif party.schema in _ORG_SCHEMATA and _is_dprk(party):
        for name in party.names:
            if name.kind == "primary" and not name.original_script:
                words = _name_words(_PARENTHESIS.sub(" ", name.full))
                if words:
                    own.append(f"dprk-org:{words}")
    links = [_norm(ref) for ref in party.cross_refs if ref.strip()]
    un_refs = [f"un:{d.reference}" for d in party.designations if d.authority == "un" and d.reference]
    return GroupKeys(
        party.id,
        tuple(dict.fromkeys(own)),
        tuple(dict.fromkeys(links)),
        tuple(dict.fromkeys(un_refs)),
    )


def group_keyed(keys: Iterable[GroupKeys]) -> dict[str, str]:
    """Group parties by their keys: ``{party_id: group_id}`` for every party given.

    Parties sharing an own key are joined, and a party is joined to the owner of each
    key it links to; a link nobody owns joins nothing. The group id is the smallest
    UN reference owned in the group (``un:KPi.033``), else the smallest party id.
    """
    items = list(keys)
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:  # path compression keeps later finds short
            parent[node], node = root, parent[node]
        return root

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    # Party ids and keys share one node space; the prefixes keep them apart.
    owned: set[str] = set()
    for item in items:
        parent.setdefault("p\0" + item.party_id, "p\0" + item.party_id)
        for key in item.own:
            node = "k\0" + key
            parent.setdefault(node, node)
            owned.add(node)
            union("p\0" + item.party_id, node)
    for item in items:
        for key in item.links:
            node = "k\0" + key
            if node in owned:
                union("p\0" + item.party_id, node)

    members: dict[str, list[GroupKeys]] = {}
    for item in items:
        members.setdefault(find("p\0" + item.party_id), []).append(item)
    result: dict[str, str] = {}
    for group in members.values():
        un_refs = [ref for item in group for ref in item.un_refs]
        group_id = min(un_refs) if un_refs else min(item.party_id for item in group)
        for item in group:
            result[item.party_id] = group_id
    return result


def group_parties(parties: Iterable[Party]) -> dict[str, str]:
    """Group parties across lists: ``{party_id: group_id}`` for every party given.

    See the module docstring for the rules and :func:`group_keyed` for the group id.
    A party that joins nothing is a group of its own.
    """
    return group_keyed(group_keys(p) for p in parties)
