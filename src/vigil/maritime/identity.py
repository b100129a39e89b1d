"""Identity checks: explainable findings about the identities ships broadcast on AIS.

Every finding says what was seen (``kind``), on which ship (``vessel``: MMSI and/or IMO and name),
the evidence (the AIS values and the list records they were compared with), the time range of the
AIS reports involved, and the sources (list records, AIS store). Checks:

``designated_imo``
    A ship broadcast an IMO number that a list designates (any list, any programme).
``designated_name``
    A ship broadcast a name whose normalized key (:func:`~vigil.maritime.vessels.vessel_name_key`)
    equals a designated ship's name or alias, while its IMO differs or is absent. Generic names
    (short, digits only, ``TUG``, ``FISHING VESSEL`` …) and names used by three or more MMSIs in the AIS
    data are never matched. Names of DPRK-linked ships always count; names of other designated ships only
    when the ship broadcasts no IMO and the name has at least six characters. Weaker than an IMO match:
    a name alone does not identify a ship.
``mid_flag_mismatch``
    The MMSI's country (its first three digits, the MID; DPRK is 445) differs from the flag the lists
    give the ship with that IMO number; also a listed MMSI whose MID contradicts the listed flag.
``dprk_mmsi``
    An MMSI with the DPRK MID 445 (any ship reporting as DPRK-flagged is of interest).
``unallocated_mid``
    An MMSI whose MID is not allocated to any administration (a made-up identity).
``imo_multiple_mmsi``
    One IMO number broadcast by two MMSIs whose periods of use overlap in time.
``identity_changes``
    Within ``window_days``, a ship (one IMO, or one MMSI without IMO) changed name or flag (MID country)
    at least ``min_changes`` times — renames and flag hops.
``dimension_mismatch`` / ``type_mismatch``
    The AIS length (A+B) differs from the listed length by more than 10 % and 5 m, or the AIS ship type
    category (tanker 80–89, cargo 70–79, fishing 30, passenger 60–69, tug 31/32/52) contradicts the
    listed vessel type.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from vigil.maritime.vessels import VesselRegistry, is_generic_name, mid_table

__all__ = ["CHECKS", "Finding", "check_identities", "list_record_findings", "type_category"]

CHECKS = (
    "designated_imo",
    "designated_name",
    "mid_flag_mismatch",
    "dprk_mmsi",
    "unallocated_mid",
    "imo_multiple_mmsi",
    "identity_changes",
    "dimension_mismatch",
    "type_mismatch",
)
_SEVERITY = {
    "designated_imo": "high",
    "imo_multiple_mmsi": "high",
    "mid_flag_mismatch": "high",
    "designated_name": "medium",
    "dprk_mmsi": "medium",
    "identity_changes": "medium",
    "dimension_mismatch": "medium",
    "type_mismatch": "low",
    "unallocated_mid": "low",
}


@dataclass
class Finding:
    """One explainable identity finding."""

    kind: str
    vessel: dict[str, Any]
    explanation: str
    evidence: dict[str, Any] = field(default_factory=dict)
    start: datetime | None = None
    end: datetime | None = None
    sources: list[str] = field(default_factory=list)

    @property
    def severity(self) -> str:
        return _SEVERITY.get(self.kind, "low")

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "vessel": self.vessel,
            "explanation": self.explanation,
            "evidence": _jsonable(self.evidence),
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "sources": self.sources,
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def type_category(code: int | None = None, text: str | None = None) -> str | None:
    """Broad ship category from an AIS ship type code or from a list's vessel type text."""
    if code is not None:
        if 80 <= code <= 89:
            return "tanker"
        if 70 <= code <= 79:
            return "cargo"
        if code == 30:
            return "fishing"
        if 60 <= code <= 69:
            return "passenger"
        if code in (31, 32, 52):
            return "tug"
        return None
    if text:
        lower = text.lower()
        for words, category in (
            (("tanker", "oil", "lpg", "lng", "chemical"), "tanker"),
            (("cargo", "bulk", "container", "general", "reefer", "ro-ro", "carrier"), "cargo"),
            (("fishing", "trawler"), "fishing"),
            (("passenger", "ferry", "cruise"), "passenger"),
            (("tug",), "tug"),
        ):
            if any(w in lower for w in words):
                return category
    return None


def _records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    keep = [
        "record_id",
        "authority",
        "reference",
        "name",
        "imo",
        "mmsi",
        "flag",
        "vessel_type",
        "length",
        "programmes",
        "listed_on",
        "un_refs",
    ]
    return (
        frame.select([c for c in keep if c in frame.columns])
        .unique("record_id", maintain_order=True)
        .to_dicts()
    )


def _refs(records: list[dict[str, Any]]) -> list[str]:
    return sorted({f"{r['authority']}:{r['reference'] or r['record_id']}" for r in records})


def _vessel(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in ("mmsi", "imo", "name") if row.get(k) is not None}


def _span(rows: pl.DataFrame) -> tuple[datetime | None, datetime | None]:
    """First and last time seen over timeline rows."""
    first, last = rows["first_seen"].min(), rows["last_seen"].max()
    return (first if isinstance(first, datetime) else None, last if isinstance(last, datetime) else None)


def _country(mmsi: int) -> str | None:
    return mid_table().get(mmsi // 1_000_000) if 100_000_000 <= mmsi <= 999_999_999 else None


def check_identities(
    registry: VesselRegistry,
    timeline: pl.DataFrame,
    *,
    window_days: int = 365,
    min_changes: int = 2,
    store_label: str = "ais",
    name_all: bool = False,
) -> list[Finding]:
    """Run every check on an identity timeline (:func:`~vigil.maritime.vessels.identity_timeline`).

    Name matches are reported against DPRK-linked records always; against other designated ships only
    when the ship broadcasts no IMO number and (unless ``name_all``) the name has six characters or more.
    """
    findings: list[Finding] = []
    listed = registry.listed
    src = f"ais:{store_label}"
    # designated IMO broadcast
    designated = timeline.filter(pl.col("imo").is_in(list(registry.designated_imos())))
    for (imo,), rows in designated.group_by(["imo"], maintain_order=True):
        records = _records(listed.filter(pl.col("imo") == imo))
        for mmsi_rows in rows.partition_by("mmsi", maintain_order=True):
            first = mmsi_rows.row(0, named=True)
            names = sorted({n for n in mmsi_rows["name"].to_list() if n})
            findings.append(
                Finding(
                    "designated_imo",
                    _vessel(first),
                    f"MMSI {first['mmsi']} broadcast IMO {imo}, designated as {records[0]['name']}"
                    f" ({', '.join(_refs(records))}); names broadcast: {', '.join(names) or 'none'}",
                    {
                        "broadcast_names": names,
                        "list_records": records,
                        "reports": int(mmsi_rows["reports"].sum()),
                    },
                    *_span(mmsi_rows),
                    [src, *_refs(records)],
                )
            )
    # designated name with another or no IMO
    index = registry.name_index()
    named = timeline.filter(pl.col("name_key").is_not_null()).join(index, on="name_key", suffix="_listed")
    named = named.filter(pl.col("imo").is_null() | (pl.col("imo") != pl.col("imo_listed").fill_null(-1)))
    named = named.filter(~pl.col("imo").is_in(list(registry.designated_imos())).fill_null(False))
    # a name used by several ships in the AIS data is common, not an identity
    crowded = set(
        timeline.group_by("name_key")
        .agg(pl.col("mmsi").n_unique().alias("n"))
        .filter(pl.col("n") >= 3)["name_key"]
        .to_list()
    )
    dprk_ids = set(listed.filter(pl.col("dprk"))["record_id"].to_list())
    for (mmsi, key), rows in named.group_by(["mmsi", "name_key"], maintain_order=True):
        if is_generic_name(str(key)) or key in crowded:
            continue
        ids = rows["record_id"].unique().to_list()
        # names of DPRK-linked ships always count; other designated names only when no IMO is broadcast
        if rows["imo"].is_not_null().any() and not dprk_ids.intersection(ids):
            continue
        if not name_all and not dprk_ids.intersection(ids) and len(str(key)) < 6:
            continue
        records = _records(listed.filter(pl.col("record_id").is_in(ids)))
        first = rows.row(0, named=True)
        listed_imos = sorted({r["imo"] for r in records if r["imo"]})
        findings.append(
            Finding(
                "designated_name",
                _vessel(first),
                f"MMSI {mmsi} broadcast the name {first['name']!r}, the name of designated "
                f"{', '.join(sorted({r['name'] for r in records}))}"
                f" (IMO {', '.join(map(str, listed_imos)) or '?'});"
                f" broadcast IMO {first['imo'] or 'none'} — a name alone does not identify a ship",
                {"broadcast_imo": first["imo"], "name_key": key, "list_records": records},
                *_span(rows),
                [src, *_refs(records)],
            )
        )
    # per MMSI: MID checks
    mmsis = timeline.group_by("mmsi").agg(
        pl.col("first_seen").min(),
        pl.col("last_seen").max(),
        pl.col("name").drop_nulls().first(),
        pl.col("imo").drop_nulls().first(),
    )
    for row in mmsis.sort("mmsi").iter_rows(named=True):
        mmsi = int(row["mmsi"])
        if mmsi // 1_000_000 == 445:
            findings.append(
                Finding(
                    "dprk_mmsi",
                    _vessel(row),
                    f"MMSI {mmsi} carries the DPRK MID 445: the ship reports as DPRK-flagged",
                    {"mid": 445},
                    row["first_seen"],
                    row["last_seen"],
                    [src],
                )
            )
        elif 200_000_000 <= mmsi <= 799_999_999 and _country(mmsi) is None:
            findings.append(
                Finding(
                    "unallocated_mid",
                    _vessel(row),
                    f"MMSI {mmsi}: MID {mmsi // 1_000_000} is allocated to no administration",
                    {"mid": mmsi // 1_000_000},
                    row["first_seen"],
                    row["last_seen"],
                    [src],
                )
            )
    # MID country vs listed flag, for ships broadcasting a listed IMO
    flagged = timeline.filter(pl.col("imo").is_not_null()).join(
        listed.filter(pl.col("flag").is_not_null()).select(
            "imo", pl.col("flag").alias("listed_flag"), "record_id"
        ),
        on="imo",
    )
    flagged = flagged.filter(pl.col("flag").is_not_null() & (pl.col("flag") != pl.col("listed_flag")))
    for (mmsi, imo), rows in flagged.group_by(["mmsi", "imo"], maintain_order=True):
        records = _records(listed.filter(pl.col("record_id").is_in(rows["record_id"].unique().to_list())))
        first = rows.row(0, named=True)
        flags = sorted({r["flag"] for r in records if r["flag"]})
        findings.append(
            Finding(
                "mid_flag_mismatch",
                _vessel(first),
                f"MMSI {mmsi} (MID {int(mmsi) // 1_000_000} = {first['flag']}) broadcast IMO {imo},"
                " which the lists"
                f" give the flag {', '.join(flags)}",
                {"mid_country": first["flag"], "listed_flags": flags, "list_records": records},
                *_span(rows),
                [src, *_refs(records)],
            )
        )
    findings.extend(_overlaps(timeline, src))
    findings.extend(_changes(timeline, src, window_days, min_changes))
    findings.extend(_dimensions(registry, timeline, src))
    return findings


def _overlaps(timeline: pl.DataFrame, src: str) -> list[Finding]:
    spans = (
        timeline.filter(pl.col("imo").is_not_null())
        .group_by("imo", "mmsi")
        .agg(pl.col("first_seen").min(), pl.col("last_seen").max(), pl.col("name").drop_nulls().first())
    )
    pairs = spans.join(spans, on="imo", suffix="_b").filter(
        (pl.col("mmsi") < pl.col("mmsi_b"))
        & (pl.col("first_seen") <= pl.col("last_seen_b"))
        & (pl.col("first_seen_b") <= pl.col("last_seen"))
    )
    out = []
    for row in pairs.sort("imo", "mmsi", "mmsi_b").iter_rows(named=True):
        start = max(row["first_seen"], row["first_seen_b"])
        end = min(row["last_seen"], row["last_seen_b"])
        out.append(
            Finding(
                "imo_multiple_mmsi",
                {"imo": row["imo"], "mmsi": [row["mmsi"], row["mmsi_b"]]},
                f"IMO {row['imo']} was broadcast by MMSI {row['mmsi']} ({row['name']})"
                f" and MMSI {row['mmsi_b']}"
                f" ({row['name_b']}) at overlapping times: one of them is not that ship",
                {
                    "spans": [
                        [row["mmsi"], row["first_seen"], row["last_seen"]],
                        [row["mmsi_b"], row["first_seen_b"], row["last_seen_b"]],
                    ]
                },
                start,
                end,
                [src],
            )
        )
    return out


def _changes(timeline: pl.DataFrame, src: str, window_days: int, min_changes: int) -> list[Finding]:
    """Renames and flag hops per ship (IMO when known, else MMSI) within a sliding window."""
    out = []
    keyed = timeline.with_columns(
        pl.when(pl.col("imo").is_not_null())
        .then(pl.format("imo:{}", pl.col("imo")))
        .otherwise(pl.format("mmsi:{}", pl.col("mmsi")))
        .alias("ship")
    )
    window = timedelta(days=window_days)
    for (ship,), rows in keyed.sort("first_seen").group_by(["ship"], maintain_order=True):
        if rows.height < 2:
            continue
        seq = rows.select("first_seen", "last_seen", "name_key", "name", "flag", "mmsi").to_dicts()
        changes: list[dict[str, Any]] = []
        for prev, cur in itertools.pairwise(seq):
            change: dict[str, Any] = {"at": cur["first_seen"], "mmsi": cur["mmsi"]}
            if prev["name_key"] and cur["name_key"] and prev["name_key"] != cur["name_key"]:
                change["name"] = [prev["name"], cur["name"]]
            if prev["flag"] and cur["flag"] and prev["flag"] != cur["flag"]:
                change["flag"] = [prev["flag"], cur["flag"]]
            if "name" in change or "flag" in change:
                changes.append(change)
        best: list[dict[str, Any]] = []
        for i in range(len(changes)):
            inside = [c for c in changes[i:] if c["at"] - changes[i]["at"] <= window]
            if len(inside) > len(best):
                best = inside
        if len(best) >= min_changes:
            text = "; ".join(
                f"{c['at']:%Y-%m-%d}: "
                + ", ".join(f"{what} {c[what][0]} → {c[what][1]}" for what in ("name", "flag") if what in c)
                for c in best
            )
            out.append(
                Finding(
                    "identity_changes",
                    {"ship": ship, "mmsi": sorted(set(rows["mmsi"].to_list()))},
                    f"{ship}: {len(best)} identity changes (renames, flag hops)"
                    f" within {window_days} days: {text}",
                    {"changes": best},
                    best[0]["at"],
                    best[-1]["at"],
                    [src],
                )
            )
    return out


def _dimensions(registry: VesselRegistry, timeline: pl.DataFrame, src: str) -> list[Finding]:
    out = []
    listed = registry.listed.filter(pl.col("imo").is_not_null())
    joined = timeline.filter(pl.col("imo").is_not_null()).join(
        listed.select(
            "imo",
            "record_id",
            "authority",
            "reference",
            pl.col("name").alias("listed_name"),
            pl.col("length").alias("listed_length"),
            "vessel_type",
        ),
        on="imo",
    )
    seen: set[tuple[Any, ...]] = set()
    for row in joined.iter_rows(named=True):
        length, ref_length = row["length"], row["listed_length"]
        where = f"{row['authority']}:{row['reference'] or row['record_id']}"
        if length and ref_length and abs(length - ref_length) > max(5.0, 0.1 * ref_length):
            key = ("dim", row["mmsi"], row["imo"], length)
            if key not in seen:
                seen.add(key)
                out.append(
                    Finding(
                        "dimension_mismatch",
                        _vessel(row),
                        f"MMSI {row['mmsi']} broadcast IMO {row['imo']} with length {length:g} m;"
                        f" {where} gives"
                        f" {ref_length:g} m for {row['listed_name']}",
                        {"ais_length": length, "listed_length": ref_length, "record": where},
                        row["first_seen"],
                        row["last_seen"],
                        [src, where],
                    )
                )
        ais_cat = type_category(code=row["ship_type"])
        list_cat = type_category(text=row["vessel_type"])
        if ais_cat and list_cat and ais_cat != list_cat:
            key = ("type", row["mmsi"], row["imo"], row["ship_type"])
            if key not in seen:
                seen.add(key)
                out.append(
                    Finding(
                        "type_mismatch",
                        _vessel(row),
                        f"MMSI {row['mmsi']} broadcast IMO {row['imo']}"
                        f" as ship type {row['ship_type']} ({ais_cat});"
                        f" {where} lists {row['listed_name']} as {row['vessel_type']!r} ({list_cat})",
                        {
                            "ais_ship_type": row["ship_type"],
                            "listed_type": row["vessel_type"],
                            "record": where,
                        },
                        row["first_seen"],
                        row["last_seen"],
                        [src, where],
                    )
                )
    return out


def list_record_findings(registry: VesselRegistry) -> list[Finding]:
    """Checks on the lists alone: a listed MMSI whose MID contradicts the listed flag."""
    out = []
    rows = registry.listed.filter(pl.col("mmsi").is_not_null() & pl.col("flag").is_not_null())
    for row in rows.unique("record_id", maintain_order=True).iter_rows(named=True):
        country = _country(int(row["mmsi"]))
        if country and country != row["flag"]:
            where = f"{row['authority']}:{row['reference'] or row['record_id']}"
            out.append(
                Finding(
                    "mid_flag_mismatch",
                    _vessel(row),
                    f"{where} lists {row['name']} with MMSI {row['mmsi']} (MID country {country}) and flag"
                    f" {row['flag']}",
                    {"mid_country": country, "listed_flag": row["flag"], "record": where},
                    None,
                    None,
                    [where],
                )
            )
    return out


def describe_vessel(registry: VesselRegistry, timeline: pl.DataFrame, query: str) -> dict[str, Any]:
    """Everything known about one ship: list records, AIS identities and findings.

    ``query`` is an IMO number (check digit validated), a nine-digit MMSI or a name (matched by its
    normalized key against names, aliases and broadcast names). Raises :class:`NotFoundError` when
    neither the lists nor the AIS data know it.
    """
    from vigil.errors import NotFoundError
    from vigil.maritime.vessels import vessel_name_key
    from vigil.names.identifiers import normalize_imo, normalize_mmsi

    text = query.strip()
    imo = normalize_imo(text)
    mmsi = normalize_mmsi(text) if imo is None else None
    if imo is not None:
        kind = "imo"
        records = registry.by_imo(imo)
        mmsis = timeline.filter(pl.col("imo") == int(imo))["mmsi"].unique().to_list()
    elif mmsi is not None:
        kind = "mmsi"
        records = registry.by_mmsi(mmsi)
        mmsis = [int(mmsi)]
    else:
        kind = "name"
        key = vessel_name_key(text)
        records = registry.by_name(text)
        mmsis = timeline.filter(pl.col("name_key") == key)["mmsi"].unique().to_list() if key else []
    imos = set(records["imo"].drop_nulls().to_list())
    imos |= set(timeline.filter(pl.col("mmsi").is_in(mmsis))["imo"].drop_nulls().to_list())
    if imos and kind != "imo":
        records = pl.concat([records, registry.listed.filter(pl.col("imo").is_in(list(imos)))]).unique(
            "record_id", maintain_order=True
        )
    if kind == "imo" or imos:
        mmsis = sorted(set(mmsis) | set(timeline.filter(pl.col("imo").is_in(list(imos)))["mmsi"].to_list()))
    rows = timeline.filter(pl.col("mmsi").is_in(mmsis)).sort("first_seen")
    if records.height == 0 and rows.height == 0:
        raise NotFoundError(f"no vessel {query!r} in the lists or the AIS store (tried it as {kind})")
    findings = check_identities(registry, rows) if rows.height else []
    findings.extend(f for f in list_record_findings(VesselRegistry(records)))
    return {
        "query": query,
        "as": kind,
        "list_records": _jsonable(_records(records)),
        "designations": _refs(_records(records)),
        "ais_identities": _jsonable(rows.drop("name_key").to_dicts()),
        "findings": [f.to_dict() for f in findings],
    }
