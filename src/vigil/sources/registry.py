"""The registry of official-list sources, looked up by key.

Modules are imported on first use, so listing the registry is cheap and a source whose
parser needs an optional library does not break the others.
"""

from __future__ import annotations

import importlib
from functools import cache

from vigil.errors import InputError
from vigil.sources.base import Source

__all__ = ["SOURCE_KEYS", "all_sources", "get_source"]

#: key -> "module:attribute" of its :class:`Source`.
_SOURCES: dict[str, str] = {
    "un_sc": "vigil.sources.un:SOURCE",
    "ofac_sdn_advanced": "vigil.sources.ofac_advanced:SOURCE",
    "ofac_sdn_csv": "vigil.sources.ofac_csv:SDN_CSV",
    "ofac_cons_csv": "vigil.sources.ofac_csv:CONS_CSV",
    "ofac_sdn_xml": "vigil.sources.ofac_xml:SDN_XML",
    "ofac_cons_xml": "vigil.sources.ofac_xml:CONS_XML",
    "uk_ofsi_conlist": "vigil.sources.uk_ofsi:SOURCE",
    "uk_fcdo_ods": "vigil.sources.uk_fcdo:ODS_SOURCE",
    "uk_fcdo_xml": "vigil.sources.uk_fcdo:XML_SOURCE",
    "eu_fsf": "vigil.sources.eu:SOURCE",
}

SOURCE_KEYS: tuple[str, ...] = tuple(_SOURCES)


@cache
def get_source(key: str) -> Source:
    """The source registered under ``key``; InputError naming the known keys otherwise."""
    target = _SOURCES.get(key)
    if target is None:
        raise InputError(f"unknown list source {key!r}; known: {', '.join(SOURCE_KEYS)}")
    module_name, attribute = target.split(":")
    source = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(source, Source) or source.key != key:
        raise TypeError(f"{target} is not the Source {key!r}")
    return source


def all_sources() -> list[Source]:
    return [get_source(key) for key in SOURCE_KEYS]
