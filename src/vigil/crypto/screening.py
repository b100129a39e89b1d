"""Exact screening of wallet addresses against the designated addresses of the loaded lists.

:class:`AddressIndex` holds every ``Identifier`` of kind ``crypto`` of the current
parties, under its matching key (:func:`vigil.crypto.addresses.match_key`). A lookup
validates the query for its chain and then looks the key up exactly:

- ``match``: the query is a valid address and is listed;
- ``no_match``: the query is a valid address and is not listed;
- ``invalid``: the query is not a valid address: reported as such and *never* matched,
  even if its key equals a listed key (a mixed-case ``0x`` address with a broken EIP-55
  checksum is a typo, not the listed address);
- ``listed_invalid``: the query does not validate but is, character for character, an
  address the authority listed that does not validate either (OFAC lists a few such
  strings): reported with the listing and the warning;
- ``unchecked`` (batch only, ``validate=False``): not listed, validity not computed.

The batch path is vectorized: keys are computed with pyarrow compute kernels and looked
up with ``pyarrow.compute.index_in`` (a hash table), so a million queries take well under
a second; only the (rare) hits, and with ``validate=True`` the misses, are validated in
Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from vigil.crypto.addresses import KEY_PATTERN, AddressCheck, check_address, match_key
from vigil.model import Party

__all__ = ["STATUSES", "AddressIndex", "AddressMatch", "BatchLookup", "Listing", "match_keys"]

#: Status codes of :class:`BatchLookup` (index = code).
STATUSES: Final = ("no_match", "match", "invalid", "listed_invalid", "unchecked")
_NO_MATCH, _MATCH, _INVALID, _LISTED_INVALID, _UNCHECKED = range(5)


@dataclass(frozen=True, slots=True)
class Listing:
    """One designated address as an authority lists it."""

    party_id: str
    name: str
    source: str
    asset: str | None
    address: str
    valid: bool
    chain: str | None
    refs: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "party_id": self.party_id,
            "name": self.name,
            "source": self.source,
            "asset": self.asset,
            "address": self.address,
            "listed_address_valid": self.valid,
            "chain": self.chain,
            "refs": list(self.refs),
        }


@dataclass(frozen=True, slots=True)
class AddressMatch:
    """The result of screening one address."""

    address: str
    status: str
    check: AddressCheck
    listings: tuple[Listing, ...]

    @property
    def hit(self) -> bool:
        return self.status in ("match", "listed_invalid")

    def to_dict(self) -> dict[str, object]:
        return {
            "address": self.address,
            "status": self.status,
            "validation": self.check.to_dict(),
            "listings": [listing.to_dict() for listing in self.listings],
        }


@dataclass(frozen=True, slots=True)
class BatchLookup:
    """Per query: ``status`` (code into :data:`STATUSES`), ``entry`` (-1 or the index of
    the listings in :attr:`AddressIndex.entries`) and ``chain`` (validated chain or None)."""

    status: npt.NDArray[np.int8]
    entry: npt.NDArray[np.int32]
    chain: list[str | None]

    def statuses(self) -> list[str]:
        return [STATUSES[code] for code in self.status.tolist()]

    def counts(self) -> dict[str, int]:
        values = np.bincount(self.status, minlength=len(STATUSES))
        return {name: int(values[i]) for i, name in enumerate(STATUSES)}


def match_keys(addresses: pa.Array | pa.ChunkedArray) -> pa.Array:
    """:func:`~vigil.crypto.addresses.match_key` over a string array (nulls stay null)."""
    if isinstance(addresses, pa.ChunkedArray):
        addresses = addresses.combine_chunks()
    if not pa.types.is_string(addresses.type):
        addresses = addresses.cast(pa.string())
    text = pc.utf8_trim_whitespace(addresses)
    folded = pc.if_else(pc.match_substring_regex(text, KEY_PATTERN), pc.ascii_lower(text), text)
    return pc.replace_substring_regex(folded, "^bitcoincash:", "", max_replacements=1)


class AddressIndex:
    """Designated addresses by matching key. Build with :meth:`from_parties`."""

    def __init__(self, listings: Iterable[Listing]) -> None:
        by_key: dict[str, list[Listing]] = {}
        for listing in listings:
            by_key.setdefault(match_key(listing.address), []).append(listing)
        self._by_key = {key: tuple(items) for key, items in by_key.items()}
        self.keys: list[str] = list(self._by_key)
        self.entries: list[tuple[Listing, ...]] = [self._by_key[k] for k in self.keys]
        self._key_array = pa.array(self.keys, type=pa.string())
        self._verbatim = {listing.address.strip() for items in self.entries for listing in items}

    @classmethod
    def from_parties(cls, parties: Iterable[Party]) -> AddressIndex:
        listings = []
        for party in parties:
            refs = tuple(party.authority_refs)
            for ident in party.identifiers:
                if ident.kind != "crypto" or not ident.value.strip():
                    continue
                check = check_address(ident.value, ident.chain)
                listings.append(
                    Listing(
                        party_id=party.id,
                        name=party.primary_name,
                        source=party.source,
                        asset=ident.chain,
                        address=ident.value,
                        valid=check.valid,
                        chain=check.chain,
                        refs=refs,
                    )
                )
        return cls(listings)

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, address: object) -> bool:
        return isinstance(address, str) and match_key(address) in self._by_key

    def listings(self) -> list[Listing]:
        return [listing for items in self.entries for listing in items]

    def key_array(self) -> pa.Array:
        """The matching keys as a pyarrow string array (the value set of the lookups)."""
        return self._key_array

    def lookup(self, address: str, asset: str | None = None) -> AddressMatch:
        """Validate ``address`` (for the chains of ``asset``, if given) and look it up."""
        check = check_address(address, asset)
        listings = self._by_key.get(check.key, ())
        if check.valid:
            return AddressMatch(address, "match" if listings else "no_match", check, listings)
        if listings and address.strip() in self._verbatim:
            verbatim = tuple(item for item in listings if item.address.strip() == address.strip())
            return AddressMatch(address, "listed_invalid", check, verbatim)
        return AddressMatch(address, "invalid", check, ())

    def lookup_batch(
        self, addresses: Sequence[str | None] | pa.Array | pa.ChunkedArray, *, validate: bool = True
    ) -> BatchLookup:
        """Screen many addresses at once (see the module docstring for the statuses)."""
        array = addresses if isinstance(addresses, (pa.Array, pa.ChunkedArray)) else pa.array(addresses)
        keys = match_keys(array)
        found = pc.index_in(keys, value_set=self._key_array)
        entry = np.array(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int32)
        status = np.full(len(entry), _NO_MATCH if validate else _UNCHECKED, dtype=np.int8)
        chain: list[str | None] = [None] * len(entry)
        hits = np.flatnonzero(entry >= 0)
        todo = np.arange(len(entry)) if validate else hits
        if len(todo):
            texts = array.take(pa.array(todo)).to_pylist()
            for position, text in zip(todo.tolist(), texts, strict=True):
                result = self.lookup(text) if text is not None else None
                if result is None or result.status == "invalid":
                    status[position] = _INVALID
                    entry[position] = -1
                    continue
                chain[position] = result.check.chain
                status[position] = {"match": _MATCH, "listed_invalid": _LISTED_INVALID}.get(
                    result.status, _NO_MATCH
                )
                if result.status == "no_match":
                    entry[position] = -1
        return BatchLookup(status=status, entry=entry, chain=chain)
