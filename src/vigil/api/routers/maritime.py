"""Maritime endpoints: designated and flagged vessels, their identity over time, tracks and AIS events.

- ``GET /vessels`` — search vessels by IMO number, MMSI or name; without a query, the vessels with
  identity findings (most severe first).
- ``GET /vessels/{key}`` — one vessel: list records and designations, every identity it broadcast
  (identity timeline), the identity findings with their evidence, and its stored AIS events.
- ``GET /vessels/{key}/track`` — its positions as GeoJSON: one LineString per track segment (split
  where the motion is implausible), thinned to at most ``max_points`` fixes, and its events.
- ``GET /ais/events`` — stored events, filtered by type, MMSI, time and preset.
- ``POST /ais/detect`` — run the event detectors over the AIS store and store the events (reviewer).

Every endpoint needs an API key, even when anonymous viewers may screen names: the AIS store holds
the user's own data, like the customer base.

A vessel ``key`` is a valid IMO number (``9388027`` or ``IMO 9388027``), a nine-digit MMSI, a list
record id (``ofac_sdn_advanced:54813``) or a ship name. The AIS store is ``$VIGIL_HOME/ais`` (what
``vigil ais ingest`` fills by default); the vessel registry comes from the current list versions of
the app's store. Both are cached per list version and per set of AIS files, so repeated requests do
not rebuild them. The web UI (``/ui/vessels``) uses the functions of this module too.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar

import polars as pl
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from vigil.api.auth import KeyViewer, Reviewer
from vigil.api.context import ApiContext, context_of
from vigil.errors import InputError, NotFoundError
from vigil.maritime.events import EVENT_TYPES, detect_all, read_events, write_events
from vigil.maritime.identity import check_identities, describe_vessel, list_record_findings
from vigil.maritime.ports import load_ports
from vigil.maritime.presets import PRESETS, get_preset
from vigil.maritime.store import AisStore
from vigil.maritime.tracks import clean_positions, segment_tracks
from vigil.maritime.vessels import VesselRegistry, identity_timeline, vessel_name_key
from vigil.names.identifiers import normalize_imo, normalize_mmsi

__all__ = ["Maritime", "maritime_of", "router"]

log = logging.getLogger(__name__)
router = APIRouter(tags=["maritime"])

_T = TypeVar("_T")
_SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1}
#: The most fixes a track request may ask for (the default is 2,000).
MAX_TRACK_POINTS = 20_000
#: The most events listed with one vessel.
MAX_VESSEL_EVENTS = 500
#: The most other ships (of encounters and dark rendezvous) drawn with a vessel's track.
MAX_PARTNERS = 10
#: How long before and after a shared event the other ship's track is drawn.
PARTNER_MARGIN = timedelta(hours=6)


# ---------------------------------------------------------------------- the cached state


class Maritime:
    """Registry, identity timeline, findings and events of one app, cached until their inputs change.

    Every method runs on the app's store thread (see :meth:`ApiContext.run`), so the caches need
    no lock and the list store is used from its own thread.
    """

    def __init__(self, context: ApiContext) -> None:
        self.context = context
        self.ais = AisStore(context.settings.home / "ais")
        self._cache: dict[str, tuple[object, Any]] = {}

    def _cached(self, name: str, key: object, build: Callable[[], _T]) -> _T:
        hit = self._cache.get(name)
        if hit is not None and hit[0] == key:
            value: _T = hit[1]
            return value
        value = build()
        self._cache[name] = (key, value)
        return value

    # inputs and their identities

    def _versions_key(self) -> tuple[tuple[str, int], ...]:
        store = self.context.store
        latest: dict[str, int] = {}
        for version in store.versions():
            latest[version.source] = max(latest.get(version.source, 0), version.id)
        return tuple(sorted(latest.items()))

    @staticmethod
    def _files_key(files: list[Path]) -> tuple[tuple[str, int, int], ...]:
        out = []
        for path in files:
            try:
                stat = path.stat()
            except OSError:
                continue
            out.append((path.name, stat.st_size, stat.st_mtime_ns))
        return tuple(out)

    def _static_key(self) -> object:
        return self._files_key(self.ais.static_files())

    def _events_key(self) -> object:
        directory = self.ais.path / "events"
        return self._files_key(sorted(directory.glob("*.parquet")) if directory.is_dir() else [])

    # the cached values

    def registry(self) -> VesselRegistry:
        """Designated vessels of the current list versions (kept in ``$VIGIL_HOME/cache`` as Parquet)."""
        key = self._versions_key()
        return self._cached("registry", key, lambda: self._load_registry(key))

    def _load_registry(self, key: tuple[tuple[str, int], ...]) -> VesselRegistry:
        digest = hashlib.sha256(repr(key).encode()).hexdigest()[:16]
        cache = self.context.settings.home / "cache" / f"vessels-{digest}.parquet"
        if cache.is_file():
            try:
                return VesselRegistry(pl.read_parquet(cache))
            except (OSError, pl.exceptions.PolarsError):
                log.warning("vessel registry cache unreadable; rebuilding", extra={"path": str(cache)})
        started = time.perf_counter()
        registry = VesselRegistry.from_parties(self.context.store.current_parties())
        log.info(
            "vessel registry built",
            extra={"records": len(registry), "seconds": time.perf_counter() - started},
        )
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(".tmp")
            registry.listed.write_parquet(tmp)
            tmp.replace(cache)
            for old in cache.parent.glob("vessels-*.parquet"):  # registries of earlier list versions
                if old != cache:
                    old.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("vessel registry cache not written", extra={"error": str(exc)})
        return registry

    def timeline(self) -> pl.DataFrame:
        """Every identity broadcast in the AIS store, with first and last seen."""
        return self._cached("timeline", self._static_key(), lambda: identity_timeline(self.ais.static()))

    def findings(self) -> list[dict[str, Any]]:
        """Identity findings over the whole AIS store and the lists, as dictionaries."""
        key = (self._versions_key(), self._static_key())

        def build() -> list[dict[str, Any]]:
            registry = self.registry()
            timeline = self.timeline()
            found = check_identities(registry, timeline) if timeline.height else []
            found.extend(list_record_findings(registry))
            return [f.to_dict() for f in found]

        return self._cached("findings", key, build)

    def events(self) -> pl.DataFrame:
        """Every stored event, ``evidence`` still as JSON text."""
        return self._cached("events", self._events_key(), lambda: read_events(self.ais.events_dir))

    def summary(self) -> pl.DataFrame:
        """One row per vessel (IMO when known, else MMSI, else list record) with its findings."""
        key = (self._versions_key(), self._static_key())
        return self._cached("summary", key, self._build_summary)

    def _build_summary(self) -> pl.DataFrame:
        registry = self.registry()
        timeline = self.timeline()
        ais = (
            timeline.sort("last_seen")
            .group_by("mmsi")
            .agg(
                pl.col("imo").drop_nulls().last(),
                pl.col("name").drop_nulls().last(),
                pl.col("name").drop_nulls().unique().alias("names"),
                pl.col("flag").drop_nulls().last(),
                pl.col("first_seen").min(),
                pl.col("last_seen").max(),
            )
            .with_columns(
                pl.when(pl.col("imo").is_not_null())
                .then(pl.col("imo").cast(pl.Utf8))
                .otherwise(pl.col("mmsi").cast(pl.Utf8))
                .alias("key")
            )
            .group_by("key")
            .agg(
                pl.col("imo").drop_nulls().first(),
                pl.col("mmsi").sort().alias("mmsis"),
                pl.col("name").sort_by("last_seen").last(),
                pl.col("names").explode().drop_nulls().unique().sort(),
                pl.col("flag").sort_by("last_seen").last(),
                pl.col("first_seen").min(),
                pl.col("last_seen").max(),
            )
            .with_columns(pl.lit(True).alias("in_ais"))
        )
        listed = (
            registry.listed.with_columns(
                pl.when(pl.col("imo").is_not_null())
                .then(pl.col("imo").cast(pl.Utf8))
                .otherwise(pl.col("record_id"))
                .alias("key"),
                pl.format("{}:{}", "authority", pl.coalesce("reference", "record_id")).alias("designation"),
            )
            .group_by("key")
            .agg(
                pl.col("imo").drop_nulls().first().alias("listed_imo"),
                pl.col("name").first().alias("listed_name"),
                pl.col("names").explode().drop_nulls().unique().sort().alias("listed_names"),
                pl.col("flag").drop_nulls().first().alias("listed_flag"),
                pl.col("designation").unique().sort().alias("designations"),
                pl.col("dprk").any(),
            )
        )
        both = ais.join(listed, on="key", how="full", coalesce=True)
        both = both.with_columns(
            pl.coalesce("imo", "listed_imo").alias("imo"),
            pl.coalesce("name", "listed_name").alias("name"),
            pl.concat_list(pl.col("names").fill_null([]), pl.col("listed_names").fill_null([]))
            .list.unique()
            .list.sort()
            .alias("names"),
            pl.coalesce("listed_flag", "flag").alias("flag"),
            pl.col("flag").alias("mid_flag"),
            pl.col("mmsis").fill_null(pl.lit([], dtype=pl.List(pl.Int64))),
            pl.col("designations").fill_null(pl.lit([], dtype=pl.List(pl.Utf8))),
            pl.col("dprk").fill_null(False),
            pl.col("in_ais").fill_null(False),
        ).drop("listed_imo", "listed_names", "listed_flag")
        # findings per vessel key
        mmsi_key = dict(ais.select("mmsis", "key").explode("mmsis").iter_rows())
        keys = set(both["key"].to_list())
        counts: dict[str, list[int]] = {}
        for finding in self.findings():
            for key in _finding_keys(finding, mmsi_key, keys):
                entry = counts.setdefault(key, [0, 0])
                entry[0] += 1
                entry[1] = max(entry[1], _SEVERITY_RANK.get(str(finding.get("severity")), 0))
        found = pl.DataFrame(
            {
                "key": list(counts),
                "findings": [c[0] for c in counts.values()],
                "severity_rank": [c[1] for c in counts.values()],
            },
            schema={"key": pl.Utf8, "findings": pl.Int64, "severity_rank": pl.Int64},
        )
        both = both.join(found, on="key", how="left").with_columns(
            pl.col("findings").fill_null(0), pl.col("severity_rank").fill_null(0)
        )
        search = pl.Series(
            "search",
            [
                "|".join(k for k in (vessel_name_key(n) for n in names) if k)
                for names in both["names"].to_list()
            ],
            dtype=pl.Utf8,
        )
        # most severe first; among equals, ships seen on AIS (something to look at), then DPRK-linked ones
        return both.with_columns(search).sort(
            ["severity_rank", "in_ais", "dprk", "findings", "key"], descending=[True, True, True, True, False]
        )

    # vessels

    def search(
        self, q: str | None, *, flagged: bool, limit: int, offset: int
    ) -> tuple[int, list[dict[str, Any]]]:
        """Vessels matching ``q`` (IMO, MMSI or part of a name); without ``q``, flagged ones."""
        rows = self.summary()
        text = (q or "").strip()
        if text:
            imo = normalize_imo(text)
            mmsi = normalize_mmsi(text) if imo is None else None
            if imo is not None:
                rows = rows.filter(pl.col("imo") == int(imo))
            elif mmsi is not None:
                rows = rows.filter(pl.col("mmsis").list.contains(int(mmsi)))
            else:
                key = vessel_name_key(text)
                if key is None:
                    raise InputError(f"q: {q!r} is neither an IMO number, an MMSI nor a name")
                rows = rows.filter(pl.col("search").str.contains(key, literal=True))
        if flagged or not text:
            rows = rows.filter(pl.col("findings") > 0)
        total = rows.height
        names = {rank: name for name, rank in _SEVERITY_RANK.items()}
        out = []
        for row in rows.slice(offset, limit).drop("search").to_dicts():
            row["severity"] = names.get(row.pop("severity_rank"))
            out.append(_jsonable(row))
        return total, out

    def resolve(self, key: str) -> str:
        """The query :func:`describe_vessel` understands for a vessel key (record ids become IMO or name)."""
        text = key.strip()
        if not text or len(text) > 200:
            raise InputError(
                "key: give an IMO number, an MMSI, a list record id or a ship name (≤ 200 characters)"
            )
        if ":" in text and normalize_imo(text) is None:
            records = self.registry().listed.filter(pl.col("record_id") == text)
            if records.height:
                row = records.row(0, named=True)
                return str(row["imo"]) if row["imo"] is not None else str(row["name"])
        return text

    def vessel(self, key: str) -> dict[str, Any]:
        """Everything known about one vessel, with its MMSIs and stored events."""
        query = self.resolve(key)
        try:
            detail = describe_vessel(self.registry(), self.timeline(), query)
        except NotFoundError:
            detail = self._positions_only(query)
        mmsis = sorted(
            {int(i["mmsi"]) for i in detail["ais_identities"] if i.get("mmsi") is not None}
            | (
                {int(m) for m in [normalize_mmsi(query)] if m is not None}
                if detail["as"] == "mmsi"
                else set()
            )
        )
        # the MMSIs the lists give a ship identified by its IMO number count too (it may have
        # sent positions under a listed MMSI without any static report in this store)
        listed = (
            {int(r["mmsi"]) for r in detail["list_records"] if r.get("mmsi")}
            if detail["as"] == "imo"
            else set()
        )
        tracked = sorted(set(mmsis) | listed)
        events = self.events_of(tracked)
        detail["findings"].sort(
            key=lambda f: (-_SEVERITY_RANK.get(f.get("severity", ""), 0), f.get("kind", ""))
        )
        return {
            "key": key,
            **detail,
            "mmsis": mmsis,
            "tracked_mmsis": tracked,
            "events_total": events.height,
            "events_by_type": dict(sorted(events.group_by("type").len().iter_rows()))
            if events.height
            else {},
            "events": [_event_dict(e) for e in events.head(MAX_VESSEL_EVENTS).to_dicts()],
        }

    def _positions_only(self, query: str) -> dict[str, Any]:
        """An MMSI that sent positions but no identity report (no name, no IMO): still a vessel."""
        mmsi = normalize_mmsi(query)
        if mmsi is None or not self.ais.position_files():
            raise NotFoundError(f"no vessel {query!r} in the lists or the AIS store")
        seen = self.ais.positions().filter(pl.col("mmsi") == int(mmsi)).select(pl.len()).collect().item()
        if not seen:
            raise NotFoundError(f"no vessel {query!r} in the lists or the AIS store (tried it as mmsi)")
        return {
            "query": query,
            "as": "mmsi",
            "list_records": [],
            "designations": [],
            "ais_identities": [],
            "findings": [],
        }

    def events_of(self, mmsis: list[int]) -> pl.DataFrame:
        if not mmsis:
            return self.events().clear()
        events = self.events()
        return events.filter(pl.col("mmsi").is_in(mmsis) | pl.col("mmsi_b").is_in(mmsis)).sort(
            "start", "event_id"
        )

    def track(
        self,
        key: str,
        *,
        start: datetime | None,
        end: datetime | None,
        max_points: int,
        with_events: bool,
    ) -> dict[str, Any]:
        """The vessel's track segments (and events) as a GeoJSON FeatureCollection.

        With events, the other ship of each encounter and dark rendezvous is drawn too (``kind`` =
        ``partner``), from :data:`PARTNER_MARGIN` before to :data:`PARTNER_MARGIN` after its events
        with this vessel, for at most :data:`MAX_PARTNERS` ships.
        """
        detail = self.vessel(key)
        mmsis: list[int] = detail["tracked_mmsis"]
        events = self.events_of(mmsis) if with_events else None
        collection = track_geojson(
            self.ais, mmsis, start=start, end=end, max_points=max_points, events=events, vessel=key
        )
        if events is None or events.height == 0:
            return collection
        pairs = events.filter(pl.col("type").is_in(["encounter", "dark_rendezvous"]))
        windows: dict[int, tuple[datetime, datetime]] = {}
        for row in pairs.iter_rows(named=True):
            other = row["mmsi_b"] if row["mmsi"] in mmsis else row["mmsi"]
            if other is None or other in mmsis:
                continue
            first, last = windows.get(other, (row["start"], row["end"]))
            windows[other] = (min(first, row["start"]), max(last, row["end"]))
        for other, (first, last) in sorted(windows.items())[:MAX_PARTNERS]:
            partner = track_geojson(
                self.ais,
                [other],
                start=first - PARTNER_MARGIN,
                end=last + PARTNER_MARGIN,
                max_points=max(2, max_points // 4),
            )
            for feature in partner["features"]:
                feature["properties"]["kind"] = "partner"
                collection["features"].append(feature)
        collection["properties"]["partners"] = sorted(windows)[:MAX_PARTNERS]
        return collection


def maritime_of(request: Request) -> Maritime:
    """The app's :class:`Maritime` (made on first use)."""
    state = request.app.state
    maritime: Maritime | None = getattr(state, "vigil_maritime", None)
    if maritime is None:
        maritime = Maritime(context_of(request))
        state.vigil_maritime = maritime
    return maritime


# ---------------------------------------------------------------------- pure helpers


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _utc(moment: datetime | None) -> datetime | None:
    """A time as UTC: a time without a zone is taken as UTC (AIS times are UTC)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _finding_keys(finding: dict[str, Any], mmsi_key: dict[int, str], keys: set[str]) -> set[str]:
    vessel = finding.get("vessel") or {}
    out: set[str] = set()
    imo = vessel.get("imo")
    if imo is not None and str(imo) in keys:
        out.add(str(imo))
    mmsi = vessel.get("mmsi")
    for m in mmsi if isinstance(mmsi, list) else [mmsi]:
        if m is not None and int(m) in mmsi_key:
            out.add(mmsi_key[int(m)])
    ship = vessel.get("ship")
    if isinstance(ship, str) and ":" in ship:
        kind, value = ship.split(":", 1)
        if kind == "imo" and value in keys:
            out.add(value)
        elif kind == "mmsi" and value.isdigit() and int(value) in mmsi_key:
            out.add(mmsi_key[int(value)])
    return out


_EVENT_TITLES = {
    "encounter": "Encounter",
    "loitering": "Loitering",
    "gap": "Dark gap",
    "dark_rendezvous": "Dark rendezvous",
    "identity_overlap": "Overlapping tracks (shared identity?)",
    "port_call": "Port call",
    "area_entry": "Area entry",
}


def _event_dict(row: dict[str, Any]) -> dict[str, Any]:
    """A stored event as JSON: evidence parsed, times ISO, and a one-line summary."""
    out: dict[str, Any] = _jsonable(dict(row))
    try:
        out["evidence"] = json.loads(row.get("evidence") or "{}")
    except (TypeError, ValueError):
        out["evidence"] = {"raw": row.get("evidence")}
    hours = (row.get("duration_s") or 0) / 3600
    other = f" with MMSI {row['mmsi_b']}" if row.get("mmsi_b") is not None else ""
    where = f" at {row['area']}" if row.get("area") else ""
    distance = f", {row['distance_m']:,.0f} m" if isinstance(row.get("distance_m"), float) else ""
    out["title"] = _EVENT_TITLES.get(str(row.get("type")), str(row.get("type")))
    out["summary"] = f"{out['title']} of MMSI {row.get('mmsi')}{other}{where}: {hours:.1f} h{distance}"
    return out


def _event_feature(row: dict[str, Any]) -> dict[str, Any]:
    event = _event_dict(row)
    point = [round(float(row["lon"]), 5), round(float(row["lat"]), 5)]
    geometry: dict[str, Any] = {"type": "Point", "coordinates": point}
    back = event["evidence"].get("reappeared_at") if isinstance(event["evidence"], dict) else None
    if row.get("type") == "gap" and isinstance(back, list) and len(back) == 2 and None not in back:
        geometry = {"type": "LineString", "coordinates": [point, [round(back[1], 5), round(back[0], 5)]]}
    return {"type": "Feature", "geometry": geometry, "properties": {"kind": "event", **event}}


def track_geojson(
    ais: AisStore,
    mmsis: list[int],
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    max_points: int = 2_000,
    events: pl.DataFrame | None = None,
    vessel: str | None = None,
) -> dict[str, Any]:
    """The fixes of ``mmsis`` as GeoJSON LineStrings, one per track segment, thinned to ``max_points``.

    Segments are those of :func:`vigil.maritime.tracks.segment_tracks` with the ``gfw`` preset
    (a fix that could not be reached from the previous one at 50 knots starts or joins another
    segment). Thinning keeps every ``step``-th fix of each segment, ``step = ceil(fixes / max_points)``,
    and always the first and last fix of each segment, so the drawn line starts and ends where
    the vessel did. Coordinates are ``[lon, lat]`` rounded to 5 decimals (about 1 m).
    """
    if max_points < 2:
        raise InputError("max_points: at least 2")
    start, end = _utc(start), _utc(end)
    if start is not None and end is not None and end < start:
        raise InputError("end: must not be before start")
    lf = ais.positions().filter(pl.col("mmsi").is_in(mmsis))
    if start is not None:
        lf = lf.filter(pl.col("ts") >= start)
    if end is not None:
        lf = lf.filter(pl.col("ts") <= end)
    positions, _overlaps = segment_tracks(clean_positions(lf), PRESETS["gfw"])
    total = positions.height
    step = max(1, math.ceil(total / max_points))
    features: list[dict[str, Any]] = []
    drawn_total = 0
    if total:
        positions = positions.sort("mmsi", "track", "t_us").with_columns(
            pl.int_range(pl.len()).over("mmsi", "track").alias("i"),
            pl.len().over("mmsi", "track").alias("n"),
        )
        kept = positions.filter((pl.col("i") % step == 0) | (pl.col("i") == pl.col("n") - 1))
        for (mmsi, segment), rows in kept.group_by(["mmsi", "track"], maintain_order=True):
            coords = [
                [round(lon, 5), round(lat, 5)] for lon, lat in zip(rows["lon"], rows["lat"], strict=True)
            ]
            drawn_total += len(coords)
            geometry: dict[str, Any] = (
                {"type": "LineString", "coordinates": coords}
                if len(coords) > 1
                else {"type": "Point", "coordinates": coords[0]}
            )
            features.append(
                {
                    "type": "Feature",
                    "geometry": geometry,
                    "properties": {
                        "kind": "segment",
                        "mmsi": int(mmsi),
                        "segment": int(segment),
                        "fixes": int(rows["n"][0]),
                        "drawn": len(coords),
                        "start": rows["ts"][0].isoformat(),
                        "end": rows["ts"][-1].isoformat(),
                    },
                }
            )
    if events is not None:
        for row in events.head(MAX_VESSEL_EVENTS).to_dicts():
            if row.get("lat") is not None and row.get("lon") is not None:
                features.append(_event_feature(row))
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {
            "vessel": vessel,
            "mmsis": mmsis,
            "fixes": total,
            "drawn": drawn_total,
            "downsampled": step > 1,
            "max_points": max_points,
        },
    }


def filter_events(
    events: pl.DataFrame,
    *,
    types: list[str] | None = None,
    mmsi: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    preset: str | None = None,
) -> pl.DataFrame:
    """Events of the given types and preset, involving ``mmsi``, overlapping ``[start, end]``."""
    for kind in types or []:
        if kind not in EVENT_TYPES:
            raise InputError(f"type: unknown event type {kind!r}; known: {', '.join(EVENT_TYPES)}")
    if preset is not None and preset not in PRESETS:
        raise InputError(f"preset: unknown preset {preset!r}; known: {', '.join(sorted(PRESETS))}")
    start, end = _utc(start), _utc(end)
    if start is not None and end is not None and end < start:
        raise InputError("end: must not be before start")
    if types:
        events = events.filter(pl.col("type").is_in(types))
    if mmsi is not None:
        events = events.filter((pl.col("mmsi") == mmsi) | (pl.col("mmsi_b") == mmsi))
    if start is not None:
        events = events.filter(pl.col("end") >= start)
    if end is not None:
        events = events.filter(pl.col("start") <= end)
    if preset is not None:
        events = events.filter(pl.col("preset") == preset)
    return events


# ---------------------------------------------------------------------- bodies


class VesselSummaryOut(BaseModel):
    key: str = Field(description="The vessel's key: its IMO number, else its MMSI, else its list record id.")
    imo: int | None
    mmsis: list[int] = Field(description="MMSIs seen broadcasting this identity in the AIS store.")
    name: str | None = Field(description="The name last broadcast on AIS, else the listed name.")
    listed_name: str | None = Field(description="The name the lists give the vessel, if listed.")
    names: list[str] = Field(description="Every name broadcast or listed (aliases included).")
    flag: str | None = Field(description="Listed flag if any, else the country of the MMSI (MID).")
    mid_flag: str | None = Field(description="Country of the last MMSI's Maritime Identification Digits.")
    designations: list[str] = Field(description="authority:reference of every list record with this IMO.")
    dprk: bool = Field(description="A list record ties it to the DPRK programmes or flag.")
    in_ais: bool
    first_seen: str | None
    last_seen: str | None
    findings: int = Field(description="Identity findings about this vessel.")
    severity: str | None = Field(description="The most severe finding: high, medium or low.")


class VesselListOut(BaseModel):
    total: int
    vessels: list[VesselSummaryOut]


class VesselOut(BaseModel):
    key: str
    query: str
    as_: str = Field(alias="as", description="How the key was read: imo, mmsi or name.")
    mmsis: list[int] = Field(description="MMSIs seen broadcasting this vessel's identity.")
    tracked_mmsis: list[int] = Field(
        description="MMSIs whose positions and events are shown: those seen, plus (IMO key) the listed ones."
    )
    designations: list[str]
    list_records: list[dict[str, Any]]
    ais_identities: list[dict[str, Any]] = Field(
        description="The identity timeline: one row per identity broadcast, with first and last seen."
    )
    findings: list[dict[str, Any]] = Field(
        description="Identity findings, each with its evidence and sources."
    )
    events_total: int
    events_by_type: dict[str, int]
    events: list[dict[str, Any]] = Field(
        description=f"Stored events of its MMSIs (at most {MAX_VESSEL_EVENTS})."
    )


class EventsOut(BaseModel):
    total: int
    events: list[dict[str, Any]]


class DetectIn(BaseModel):
    preset: str = Field(default="gfw", max_length=20, description="gfw or sts.")
    types: list[str] | None = Field(
        default=None, max_length=len(EVENT_TYPES), description="Event types to detect (default all)."
    )
    ports: bool = Field(default=True, description="Use the bundled ports and anchorages list.")


class DetectOut(BaseModel):
    preset: str
    positions: int
    events: int
    by_type: dict[str, int]
    file: str
    seconds: float


# ---------------------------------------------------------------------- endpoints


@router.get("/vessels", response_model=VesselListOut, summary="Search vessels, or list the flagged ones")
async def vessels(
    request: Request,
    principal: KeyViewer,
    q: Annotated[str | None, Query(max_length=200, description="IMO number, MMSI or part of a name.")] = None,
    flagged: Annotated[bool, Query(description="Only vessels with identity findings.")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> VesselListOut:
    """Vessels of the lists and of the AIS store whose IMO, MMSI or name matches ``q``.

    Without ``q``: the vessels with identity findings, most severe first."""
    maritime = maritime_of(request)
    total, rows = await maritime.context.run(maritime.search, q, flagged=flagged, limit=limit, offset=offset)
    return VesselListOut(total=total, vessels=[VesselSummaryOut.model_validate(r) for r in rows])


@router.get("/vessels/{key}", response_model=VesselOut, summary="One vessel: identity timeline and findings")
async def vessel(request: Request, key: str, principal: KeyViewer) -> VesselOut:
    """List records and designations, every identity broadcast (with first and last seen), the
    identity findings with their evidence, and the stored events of the vessel's MMSIs."""
    maritime = maritime_of(request)
    return VesselOut.model_validate(await maritime.context.run(maritime.vessel, key))


@router.get("/vessels/{key}/track", summary="A vessel's track and events as GeoJSON")
async def vessel_track(
    request: Request,
    key: str,
    principal: KeyViewer,
    start: datetime | None = None,
    end: datetime | None = None,
    max_points: Annotated[int, Query(ge=2, le=MAX_TRACK_POINTS)] = 2_000,
    events: Annotated[bool, Query(description="Add the vessel's stored events as features.")] = True,
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection: one LineString per track segment (``properties.kind`` =
    ``segment``), thinned to ``max_points`` fixes, and one feature per event (``kind`` = ``event``;
    a dark gap is a line from where it went dark to where it reappeared)."""
    maritime = maritime_of(request)
    return await maritime.context.run(
        maritime.track, key, start=start, end=end, max_points=max_points, with_events=events
    )


@router.get("/ais/events", response_model=EventsOut, summary="Stored AIS events")
async def ais_events(
    request: Request,
    principal: KeyViewer,
    type: Annotated[list[str] | None, Query(description="Event type(s): " + ", ".join(EVENT_TYPES))] = None,
    mmsi: Annotated[int | None, Query(ge=0, le=999_999_999)] = None,
    start: Annotated[datetime | None, Query(description="Events ending at or after this time.")] = None,
    end: Annotated[datetime | None, Query(description="Events starting at or before this time.")] = None,
    preset: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> EventsOut:
    """Events stored by the detectors (``vigil ais detect`` or ``POST /ais/detect``), each with its
    evidence, in order of start time."""
    maritime = maritime_of(request)

    def select() -> EventsOut:
        found = filter_events(maritime.events(), types=type, mmsi=mmsi, start=start, end=end, preset=preset)
        page = found.sort("start", "event_id").slice(offset, limit)
        return EventsOut(total=found.height, events=[_event_dict(e) for e in page.to_dicts()])

    return await maritime.context.run(select)


@router.post("/ais/detect", response_model=DetectOut, summary="Run the event detectors on the AIS store")
async def ais_detect(request: Request, body: DetectIn, principal: Reviewer) -> DetectOut:
    """Detect events over every position in the AIS store with one preset and store them
    (replacing the previous run of that preset). Large stores take time: the CLI is meant for those."""
    preset = get_preset(body.preset)
    for kind in body.types or []:
        if kind not in EVENT_TYPES:
            raise InputError(f"types: unknown event type {kind!r}; known: {', '.join(EVENT_TYPES)}")
    maritime = maritime_of(request)

    def run() -> DetectOut:
        started = time.perf_counter()
        if not maritime.ais.position_files():
            raise NotFoundError("the AIS store holds no positions; ingest some first (vigil ais ingest)")
        positions = maritime.ais.positions()
        found = detect_all(
            positions,
            preset,
            ports=load_ports() if body.ports else None,
            types=tuple(body.types) if body.types else EVENT_TYPES,
        )
        path = write_events(found, maritime.ais.events_dir, preset.name)
        count = int(positions.select(pl.len()).collect().item())
        by_type = dict(sorted(found.group_by("type").len().iter_rows())) if found.height else {}
        log.info("ais detect", extra={"preset": preset.name, "events": found.height, "by": principal.name})
        return DetectOut(
            preset=preset.name,
            positions=count,
            events=found.height,
            by_type=by_type,
            file=path.name,
            seconds=round(time.perf_counter() - started, 3),
        )

    return await maritime.context.run(run)
