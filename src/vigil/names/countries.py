"""Country names and codes to ISO 3166-1 alpha-2 (lower case), via rigour's territory tables."""

from __future__ import annotations

from functools import lru_cache

from rigour.territories import lookup_territory

__all__ = ["country_code"]


@lru_cache(maxsize=8192)
def country_code(text: str | None) -> str | None:
    """The ISO alpha-2 code (``kp``) of a country name or code, or None if unknown.

    >>> country_code("Democratic People's Republic of Korea")
    'kp'
    """
    if text is None:
        return None
    value = text.strip()
    if not value:
        return None
    territory = lookup_territory(value)
    if territory is None:
        return None
    return str(territory.code)
