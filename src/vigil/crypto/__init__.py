"""Digital currency addresses: per-chain validation, exact screening, transfer-graph exposure."""

from vigil.crypto.addresses import AddressCheck, check_address, match_key
from vigil.crypto.screening import AddressIndex, AddressMatch, Listing

__all__ = ["AddressCheck", "AddressIndex", "AddressMatch", "Listing", "check_address", "match_key"]
