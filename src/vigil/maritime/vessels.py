"""The vessel registry: designated ships from the lists, and the identities ships broadcast on AIS.

Two tables, both Polars DataFrames:

- :attr:`VesselRegistry.listed` — one row per list record of schema ``Vessel`` (OFAC, UK, …), plus the
  UN Panel-of-Experts documented cases bundled in ``vigil/data/maritime/`` (identities and dates from
  the UN narrative of the 1718 Committee designations of 2018-03-30). Columns: ``record_id, source,
  authority, reference, name, names (all names, aliases included), name_keys (normalized), imo, mmsi,
  flag, former_flags, call_sign, vessel_type, length, gross_tonnage, year_built, owner, programmes,
  listed_on, un_refs, dprk``. ``imo`` is the check-digit-valid IMO number or null.
- :func:`identity_timeline` — from AIS static reports: one row per (mmsi, imo, name, callsign, flag,
  ship_type, length, width) combination with ``first_seen``, ``last_seen`` and ``reports``. ``flag`` is
  the country of the MMSI's Maritime Identification Digits (AIS carries no flag field).

A vessel is identified across lists by its IMO number; records without one stay on their own.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import polars as pl

from vigil.maritime.store import AisStore
from vigil.model.party import Party
from vigil.names.identifiers import normalize_imo, normalize_mmsi
from vigil.names.normalize import normalize_text

__all__ = [
    "GENERIC_NAMES",
    "VesselRegistry",
    "identity_timeline",
    "is_generic_name",
    "mid_table",
    "un_documented_cases",
    "vessel_name_key",
]

_PREFIX = re.compile(r"^(?:m ?v|m ?t|s ?s|f ?v|mv|mt|motor vessel|motor tanker)\s+")

#: Names too common to point at one ship (normalized keys, spaces removed).
GENERIC_NAMES = frozenset(
    {
        "unknown",
        "test",
        "none",
        "noname",
        "na",
        "tug",
        "barge",
        "pilot",
        "fishing",
        "fishingvessel",
        "fishingboat",
        "sailboat",
        "sailing",
        "yacht",
        "cargo",
        "tanker",
        "vessel",
        "ship",
        "boat",
        "dredge",
        "ferry",
        "patrol",
        "police",
        "coastguard",
        "sar",
        "rescue",
        "tender",
        "workboat",
        "buoy",
        "aton",
        "pleasurecraft",
        "private",
        "towing",
        "dive",
        "diving",
        "research",
        "survey",
        "navy",
        "warship",
    }
)

_DPRK_PROGRAMMES = ("DPRK", "NKSPEA", "NORTH KOREA", "1718")


def vessel_name_key(name: str | None) -> str | None:
    """A ship name reduced for comparison: normalized, ``M/V``-type prefixes dropped, spaces removed.

    ``"M/V CHON MYONG 1"``, ``"Chon Myong 1"`` and ``"CHONMYONG1"`` all give ``"chonmyong1"``.
    """
    text = normalize_text(name)
    if text is None:
        return None
    text = _PREFIX.sub("", text)
    key = text.replace(" ", "")
    return key or None


def is_generic_name(key: str | None) -> bool:
    """True for names that cannot single out a ship: short (< 4 characters), only digits, or generic."""
    if not key:
        return True
    return len(key) < 4 or key.isdigit() or key in GENERIC_NAMES or key.rstrip("0123456789") in GENERIC_NAMES


@lru_cache(maxsize=1)
def mid_table() -> dict[int, str]:
    """MID (first three MMSI digits) -> ISO country code of the flag administration."""
    from vigil.names._data import load_table

    return {int(mid): country for mid, country in load_table("mmsi_mid.csv")}


def _resource_csv(name: str) -> list[dict[str, str]]:
    ref = resources.files("vigil").joinpath("data", "maritime", name)
    text = ref.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines))


@lru_cache(maxsize=1)
def un_documented_cases() -> tuple[dict[str, str], ...]:
    """The bundled UN-documented DPRK vessel cases (ship, event, dates, IMO, UN entity references)."""
    return tuple(_resource_csv("un_1718_documented_vessel_cases.csv"))


_LISTED_SCHEMA: dict[str, Any] = {
    "record_id": pl.Utf8,
    "source": pl.Utf8,
    "authority": pl.Utf8,
    "reference": pl.Utf8,
    "name": pl.Utf8,
    "names": pl.List(pl.Utf8),
    "name_keys": pl.List(pl.Utf8),
    "imo": pl.Int64,
    "mmsi": pl.Int64,
    "flag": pl.Utf8,
    "former_flags": pl.List(pl.Utf8),
    "call_sign": pl.Utf8,
    "vessel_type": pl.Utf8,
    "length": pl.Float32,
    "gross_tonnage": pl.Utf8,
    "year_built": pl.Utf8,
    "owner": pl.Utf8,
    "programmes": pl.List(pl.Utf8),
    "listed_on": pl.Utf8,
    "un_refs": pl.List(pl.Utf8),
    "dprk": pl.Boolean,
}


def _float(text: str | None) -> float | None:
    if not text:
        return None
    match = re.search(r"\d+(?:\.\d+)?", text)
    return float(match.group(0)) if match else None


def _party_rows(party: Party) -> Iterable[dict[str, Any]]:
    vessel = party.vessel
    imo_text = vessel.imo if vessel else None
    if imo_text is None:
        imo_text = next((i.value for i in party.identifiers if i.kind == "imo"), None)
    imo = normalize_imo(imo_text)
    mmsi = normalize_mmsi(vessel.mmsi if vessel else None)
    names = [n.full for n in party.names if n.full]
    keys = sorted({k for k in (vessel_name_key(n) for n in names) if k})
    un_refs = sorted(
        {r.target_ref for r in party.relations if r.target_ref}
        | {c.split(":", 1)[1] for c in party.cross_refs if c.startswith("un:")}
    )
    for designation in party.designations or []:
        programmes = list(designation.programmes)
        text = " ".join([*programmes, designation.regime or "", designation.remarks or ""]).upper()
        dprk = any(p in text for p in _DPRK_PROGRAMMES) or (vessel is not None and vessel.flag == "kp")
        yield {
            "record_id": party.id,
            "source": party.source,
            "authority": designation.authority,
            "reference": designation.reference,
            "name": party.primary_name,
            "names": names,
            "name_keys": keys,
            "imo": int(imo) if imo else None,
            "mmsi": int(mmsi) if mmsi else None,
            "flag": vessel.flag if vessel else None,
            "former_flags": list(vessel.former_flags) if vessel else [],
            "call_sign": vessel.call_sign if vessel else None,
            "vessel_type": vessel.vessel_type if vessel else None,
            "length": _float(party.raw.get("Length of ship")),
            "gross_tonnage": vessel.gross_tonnage if vessel else None,
            "year_built": vessel.year_built if vessel else None,
            "owner": vessel.owner if vessel else None,
            "programmes": programmes,
            "listed_on": designation.listed_on,
            "un_refs": un_refs,
            "dprk": dprk,
        }


def _case_rows() -> list[dict[str, Any]]:
    """One registry row per vessel of the UN-documented cases (authority ``un``, reference = UN refs)."""
    rows: dict[str, dict[str, Any]] = {}
    for case in un_documented_cases():
        imo = normalize_imo(case.get("ofac_imo"))
        key = imo or case["vessel_name"]
        refs = [r for r in (case.get("un_entity_refs") or "").split(";") if r]
        row = rows.get(key)
        if row is None:
            rows[key] = {
                "record_id": f"un_1718_cases:{key}",
                "source": "un_1718_cases",
                "authority": "un",
                "reference": ";".join(refs) or None,
                "name": case["vessel_name"],
                "names": [case["vessel_name"]],
                "name_keys": [k for k in [vessel_name_key(case["vessel_name"])] if k],
                "imo": int(imo) if imo else None,
                "mmsi": None,
                "flag": "kp" if "Korea" in (case.get("ofac_flag") or "") else None,
                "former_flags": [],
                "call_sign": None,
                "vessel_type": None,
                "length": None,
                "gross_tonnage": None,
                "year_built": None,
                "owner": None,
                "programmes": ["UN 1718"],
                "listed_on": "2018-03-30",
                "un_refs": refs,
                "dprk": True,
            }
        else:
            row["un_refs"] = sorted(set(row["un_refs"]) | set(refs))
            row["reference"] = ";".join(row["un_refs"]) or None
    return list(rows.values())


@dataclass
class VesselRegistry:
    """Designated vessels from the lists, looked up by IMO, MMSI or name."""

    listed: pl.DataFrame

    @classmethod
    def from_parties(cls, parties: Iterable[Party], *, include_un_cases: bool = True) -> VesselRegistry:
        """Build from list records (only parties of schema ``Vessel`` are used)."""
        rows = [row for p in parties if p.schema == "Vessel" for row in _party_rows(p)]
        if include_un_cases:
            rows.extend(_case_rows())
        return cls(pl.DataFrame(rows, schema=_LISTED_SCHEMA))

    @classmethod
    def load(cls) -> VesselRegistry:
        """From the current list versions of the configured store (the bundled snapshot on first run)."""
        from vigil.lists.snapshot import ensure_snapshot
        from vigil.settings import get_settings
        from vigil.store import open_store

        settings = get_settings()
        settings.home.mkdir(parents=True, exist_ok=True)
        with open_store(settings.database_url) as store:
            ensure_snapshot(store)
            return cls.from_parties(store.current_parties())

    def __len__(self) -> int:
        return self.listed.height

    def designated_imos(self) -> set[int]:
        """Every IMO number on any list."""
        return set(self.listed["imo"].drop_nulls().to_list())

    def by_imo(self, imo: int | str) -> pl.DataFrame:
        """The list records of one IMO number (empty if none)."""
        value = normalize_imo(str(imo))
        if value is None:
            return self.listed.clear()
        return self.listed.filter(pl.col("imo") == int(value))

    def by_mmsi(self, mmsi: int | str) -> pl.DataFrame:
        return self.listed.filter(pl.col("mmsi") == int(mmsi))

    def by_name(self, name: str) -> pl.DataFrame:
        """Records whose name or an alias has the same :func:`vessel_name_key`."""
        key = vessel_name_key(name)
        if key is None:
            return self.listed.clear()
        return self.listed.filter(pl.col("name_keys").list.contains(key))

    def name_index(self) -> pl.DataFrame:
        """(name_key, record_id, imo, name) for every non-generic name of every record."""
        exploded = self.listed.select("record_id", "imo", "name", "name_keys").explode("name_keys")
        exploded = exploded.rename({"name_keys": "name_key"}).drop_nulls("name_key").unique()
        generic = [k for k in exploded["name_key"].unique().to_list() if is_generic_name(k)]
        return exploded.filter(~pl.col("name_key").is_in(generic))


def _mid_frame() -> pl.DataFrame:
    table = mid_table()
    return pl.DataFrame(
        {"mid": list(table), "flag": list(table.values())}, schema={"mid": pl.Int64, "flag": pl.Utf8}
    )


def identity_timeline(static: pl.LazyFrame | pl.DataFrame | AisStore) -> pl.DataFrame:
    """Every identity a ship broadcast, with when it was first and last seen.

    Partial static reports (class B type 24 part A carries only the name, part B no name) are completed
    from the same MMSI's previous report before grouping.
    """
    if isinstance(static, AisStore):
        static = static.static()
    frame = static.lazy() if isinstance(static, pl.DataFrame) else static
    cols = ["imo", "name", "callsign", "ship_type", "length", "width"]
    partial = pl.col("name").is_null() | (
        pl.col("callsign").is_null() & pl.col("ship_type").is_null() & pl.col("length").is_null()
    )
    filled = frame.sort("mmsi", "ts").with_columns(
        [
            pl.when(partial).then(pl.col(c).forward_fill().over("mmsi")).otherwise(pl.col(c)).alias(c)
            for c in cols
        ]
    )
    timeline = (
        filled.with_columns((pl.col("mmsi") // 1_000_000).alias("mid"))
        .join(_mid_frame().lazy(), on="mid", how="left")
        .group_by(
            ["mmsi", "imo", "name", "callsign", "flag", "ship_type", "length", "width"], maintain_order=True
        )
        .agg(
            pl.col("ts").min().alias("first_seen"),
            pl.col("ts").max().alias("last_seen"),
            pl.len().alias("reports"),
        )
        .sort("mmsi", "first_seen")
    ).collect()
    names = timeline["name"].drop_nulls().unique().to_list()
    keys = [vessel_name_key(n) for n in names]
    return timeline.with_columns(
        pl.col("name").replace_strict(names, keys, default=None, return_dtype=pl.Utf8).alias("name_key")
    )
