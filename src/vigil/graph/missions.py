"""DPRK diplomatic missions and trade offices abroad, as network nodes.

The table ``vigil/data/implementation/dprk_missions_abroad.csv`` (sources in ``SOURCES.md`` beside
it: the ROK foreign ministry's list of December 2023 and other public pages) gives one row per
mission: host country, city, type (embassy, consulate, permanent mission ...), status (open or
closed) and how sure the sources are. Each row becomes a :class:`~vigil.model.party.Party` with
id ``dprk_mission:<country>-<city>`` (lower case, hyphenated), schema ``PublicBody``, its city
and host country as address, and no designation: a mission is a place where networks meet, not
a designated party. Registry data may point at a mission by this id (``target_id``).

The sources give cities, not street addresses, so mission addresses are never used for
shared-address links (a whole capital city links nothing specific).
"""

from __future__ import annotations

import csv
import io
import re
from importlib import resources

from vigil.model.party import Address, Name, Party

__all__ = ["MISSION_SOURCE", "load_missions", "mission_id"]

MISSION_SOURCE = "dprk_mission"


def mission_id(country: str, city: str) -> str:
    """The node id of the mission in ``city`` (``dprk_mission:cambodia-phnom-penh``)."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{country} {city}".casefold()).strip("-")
    return f"{MISSION_SOURCE}:{slug}"


def load_missions() -> list[Party]:
    """Every mission of the bundled table, open and closed (``raw['status']`` says which)."""
    table = resources.files("vigil").joinpath("data", "implementation", "dprk_missions_abroad.csv")
    parties: list[Party] = []
    seen: set[str] = set()
    text = table.read_text(encoding="utf-8")
    for row in csv.DictReader(io.StringIO(text, newline="")):
        country = (row.get("host_country") or "").strip()
        city = (row.get("city") or "").strip()
        if not country:
            continue
        pid = mission_id(country, city or country)
        if pid in seen:
            continue
        seen.add(pid)
        kind = (row.get("mission_type") or "Mission").strip()
        status = (row.get("status") or "").strip()
        place = ", ".join(part for part in (city, country) if part)
        parties.append(
            Party(
                id=pid,
                source=MISSION_SOURCE,
                schema="PublicBody",
                names=[Name(f"DPRK {kind}, {place}")],
                addresses=[Address(full=place, city=city or None, country_text=country)],
                notes=[n for n in ((row.get("notes") or "").strip(),) if n],
                raw={
                    "mission_type": kind,
                    "status": status,
                    "status_as_of": (row.get("status_as_of") or "").strip(),
                    "asean": (row.get("asean") or "").strip(),
                    "confidence": (row.get("confidence") or "").strip(),
                    "sources": (row.get("sources") or "").strip(),
                },
            )
        )
    return parties
