"""Hand-made parties and lists for store tests (independent of the list parsers)."""

from __future__ import annotations

import zlib

from vigil.model import DateValue, Designation, Identifier, Name, Party, VesselInfo
from vigil.sources.base import ParsedList


def make_party(
    ref: str,
    source: str = "un_sc",
    *,
    listed_on: str = "2016-03-02",
    authority: str = "un",
    name: str | None = None,
    aliases: int = 2,
    cross_refs: list[str] | None = None,
    schema: str = "Person",
    imo: str | None = None,
) -> Party:
    """A party ``<source>:<ref>`` listed by ``authority`` under ``ref``."""
    full = name or f"KIM {ref.upper()}"
    names = [Name(full=full, kind="primary", script="Latn", first="KIM", last=ref)]
    names += [Name(full=f"{full} ALIAS {i}", kind="aka", quality="good") for i in range(aliases)]
    party = Party(
        id=f"{source}:{ref}",
        source=source,
        schema=schema,
        names=names,
        designations=[
            Designation(authority=authority, reference=ref, programmes=["DPRK"], listed_on=listed_on)
        ],
        cross_refs=list(cross_refs or []),
    )
    if schema == "Person":
        party.gender = "male"
        party.birth_dates = [DateValue(kind="exact", start="1964-07-17")]
        party.nationalities = ["kp"]
        party.identifiers = [Identifier(kind="passport", value=f"P{zlib.crc32(ref.encode()) % 10**8:08d}")]
    if imo is not None:
        party.identifiers.append(Identifier(kind="imo", value=f"IMO {imo}"))
        party.vessel = VesselInfo(flag="kp", imo=imo)
    return party


def make_list(
    parties: list[Party], source: str = "un_sc", published: str | None = "2024-01-01"
) -> ParsedList:
    return ParsedList(source=source, published=published, parties=parties)


def bulk_list(count: int, source: str = "bulk", *, listed_on: str = "2016-03-02") -> ParsedList:
    """``count`` parties with about 3.33 names each (80,000 names for 24,000 parties)."""
    parties = [
        make_party(f"B{i:06d}", source, listed_on=listed_on, aliases=3 if i % 3 == 0 else 2)
        for i in range(count)
    ]
    return make_list(parties, source)
