"""Canonical JSON of a party: the stored form, and the input of its content hash."""

from __future__ import annotations

import json

from vigil.model import Party

__all__ = ["party_json"]


def party_json(party: Party) -> str:
    """``party.to_dict()`` as compact JSON with sorted keys (stable, hashable)."""
    return json.dumps(party.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
