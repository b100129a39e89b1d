"""The timeline: DPRK tests, Security Council resolutions, designation waves and enforcement events.

Every event has a ``kind``:

- ``missile_test`` — one row per missile of the missile-tests data (CNS database and its
  continuation); ``category`` is the missile type (SRBM, ICBM ...), ``outcome`` success, failure
  or unknown.
- ``nuclear_test`` — the six nuclear tests.
- ``resolution`` — resolutions and vetoed drafts; ``category`` is the resolution's category.
- ``designations`` — a *wave*: every UN DPRK designation (references ``KPi.*``/``KPe.*``) with the
  same listing date, from the UN list in the store when one is loaded, otherwise from the bundled
  ``un_1718_designations.csv`` (UN list of 2020-11-30; no UN DPRK listing since 2018-03-30).
- ``enforcement`` — the enforcement and relationship events; ``state`` is the state.

Partial dates (``2014-06``) are placed on their first day and keep their ``precision``.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Any

from vigil.errors import InputError
from vigil.model.party import Party
from vigil.monitor.data import MonitorData, Record, country_iso3, parse_date

__all__ = [
    "KINDS",
    "DesignationWave",
    "Event",
    "Timeline",
    "TimelineFilter",
    "build_timeline",
    "designations_after_resolutions",
    "waves_from_bundled",
    "waves_from_parties",
]

#: Event kinds, in the order of the chart's lanes.
KINDS: tuple[str, ...] = ("missile_test", "nuclear_test", "resolution", "designations", "enforcement")
KIND_LABELS = {
    "missile_test": "Missile tests",
    "nuclear_test": "Nuclear tests",
    "resolution": "UNSC resolutions",
    "designations": "UN designations",
    "enforcement": "Enforcement events",
}


@dataclass(frozen=True)
class Event:
    """One dated event on the timeline, with the source and confidence of its row."""

    day: date
    date: str
    precision: str
    kind: str
    label: str
    detail: str = ""
    category: str = ""
    outcome: str = ""
    state: str = ""
    source: str = ""
    confidence: str = ""
    origin: str = ""
    count: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "day": self.day.isoformat(),
            "precision": self.precision,
            "kind": self.kind,
            "label": self.label,
            "detail": self.detail,
            "category": self.category,
            "outcome": self.outcome,
            "state": self.state,
            "source": self.source,
            "confidence": self.confidence,
            "origin": self.origin,
            "count": self.count,
        }


@dataclass(frozen=True)
class DesignationWave:
    """The UN DPRK designations of one listing date."""

    day: date
    individuals: int
    entities: int
    references: list[str]
    names: list[str]

    @property
    def total(self) -> int:
        return self.individuals + self.entities


def _is_dprk_reference(reference: str | None) -> bool:
    return bool(reference) and str(reference).upper().startswith(("KPI.", "KPE."))


def waves_from_parties(parties: Iterable[Party]) -> list[DesignationWave]:
    """Designation waves from UN list parties (``un_sc``): DPRK references grouped by listing date."""
    groups: dict[date, list[tuple[str, str, bool]]] = defaultdict(list)
    for party in parties:
        if party.source != "un_sc":
            continue
        for designation in party.designations:
            if not _is_dprk_reference(designation.reference):
                continue
            parsed = parse_date(designation.listed_on)
            if parsed is None:
                continue
            reference = str(designation.reference)
            groups[parsed[0]].append((reference, party.primary_name, reference.upper().startswith("KPI.")))
    return _waves(groups)


def waves_from_bundled() -> list[DesignationWave]:
    """Designation waves from the bundled ``un_1718_designations.csv`` (UN list of 2020-11-30)."""
    text = resources.files("vigil").joinpath("data", "implementation", "un_1718_designations.csv")
    groups: dict[date, list[tuple[str, str, bool]]] = defaultdict(list)
    for row in csv.DictReader(io.StringIO(text.read_text(encoding="utf-8"))):
        parsed = parse_date(row.get("listed_on"))
        reference = (row.get("un_reference") or "").strip()
        if parsed is None or not _is_dprk_reference(reference):
            continue
        groups[parsed[0]].append((reference, row.get("name") or "", row.get("kind") == "individual"))
    return _waves(groups)


def _waves(groups: dict[date, list[tuple[str, str, bool]]]) -> list[DesignationWave]:
    waves = []
    for day in sorted(groups):
        items = sorted(groups[day])
        waves.append(
            DesignationWave(
                day=day,
                individuals=sum(1 for i in items if i[2]),
                entities=sum(1 for i in items if not i[2]),
                references=[i[0] for i in items],
                names=[i[1] for i in items],
            )
        )
    return waves


@dataclass(frozen=True)
class TimelineFilter:
    """Which events to keep. Empty sets keep everything; ``start``/``end`` are inclusive.

    ``categories`` and ``outcomes`` narrow the missile tests only (by missile type and outcome);
    ``states`` narrows the enforcement events only (ISO alpha-3 codes).
    """

    start: date | None = None
    end: date | None = None
    kinds: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    outcomes: frozenset[str] = frozenset()
    states: frozenset[str] = frozenset()

    @classmethod
    def parse(
        cls,
        start: str | None = None,
        end: str | None = None,
        kinds: Sequence[str] = (),
        categories: Sequence[str] = (),
        outcomes: Sequence[str] = (),
        states: Sequence[str] = (),
    ) -> TimelineFilter:
        """A filter from user text; :class:`InputError` naming the value that is wrong."""
        first = _bound(start, "from", end=False)
        last = _bound(end, "to", end=True)
        if first is not None and last is not None and first > last:
            raise InputError(f"from {start} is after to {end}")
        kind_set = _split(kinds)
        unknown = kind_set - set(KINDS)
        if unknown:
            raise InputError(
                f"unknown event kind(s) {', '.join(sorted(unknown))} (known: {', '.join(KINDS)})"
            )
        outcome_set = _split(outcomes)
        if outcome_set - {"success", "failure", "unknown"}:
            raise InputError("outcome must be success, failure or unknown")
        state_codes = set()
        for text in _split(states):
            code = country_iso3(text)
            if code is None:
                raise InputError(f"state {text!r} is not a known country name or ISO code")
            state_codes.add(code)
        return cls(
            first,
            last,
            frozenset(kind_set),
            frozenset(c.casefold() for c in _split(categories)),
            frozenset(outcome_set),
            frozenset(state_codes),
        )

    def keep(self, event: Event) -> bool:
        if self.start is not None and event.day < self.start:
            return False
        if self.end is not None and event.day > self.end:
            return False
        if self.kinds and event.kind not in self.kinds:
            return False
        if event.kind == "missile_test":
            if self.categories and event.category.casefold() not in self.categories:
                return False
            if self.outcomes and event.outcome not in self.outcomes:
                return False
        return not (
            self.states and event.kind == "enforcement" and country_iso3(event.state) not in self.states
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "kinds": sorted(self.kinds),
            "missile_types": sorted(self.categories),
            "outcomes": sorted(self.outcomes),
            "states": sorted(self.states),
        }


def _split(values: Sequence[str]) -> set[str]:
    return {part.strip().casefold() for value in values for part in value.split(",") if part.strip()}


def _bound(text: str | None, name: str, *, end: bool) -> date | None:
    if text is None or not text.strip():
        return None
    value = text.strip()
    parsed = parse_date(value)
    if parsed is None or len(value) not in (4, 7, 10):
        raise InputError(f"{name} {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    day, precision = parsed
    if not end:
        return day
    if precision == "year":
        return date(day.year, 12, 31)
    if precision == "month":
        following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)
    return day


@dataclass(frozen=True)
class Timeline:
    """The events kept by a filter, oldest first, and the designations after each resolution."""

    events: list[Event]
    designations_after: list[dict[str, Any]]
    designations_source: str
    filter: TimelineFilter = field(default_factory=TimelineFilter)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(KINDS, 0)
        for event in self.events:
            counts[event.kind] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "filter": self.filter.to_dict(),
            "counts": self.counts(),
            "designations_source": self.designations_source,
            "designations_after_resolutions": self.designations_after,
            "events": [e.to_dict() for e in self.events],
        }


def _event(record: Record, column: str, kind: str, label: str, **values: Any) -> Event | None:
    parsed = parse_date(record.get(column))
    if parsed is None:
        return None
    return Event(
        day=parsed[0],
        date=record.get(column),
        precision=parsed[1],
        kind=kind,
        label=label,
        source=record.source,
        confidence=record.confidence,
        origin=record.origin,
        **values,
    )


def _adopted(resolutions: Sequence[Record]) -> list[tuple[date, str, str]]:
    adopted = []
    for r in resolutions:
        parsed = parse_date(r.get("adoption_date"))
        if parsed is None or not r.get("resolution")[:1].isdigit():
            continue
        if r.get("category").casefold().startswith("failed"):
            continue
        adopted.append((parsed[0], r.get("resolution"), r.get("category")))
    return sorted(adopted)


def _instrument(day: date, adopted: Sequence[tuple[date, str, str]]) -> str:
    same = [number for when, number, _category in adopted if when == day]
    return f"annex of resolution {same[0]}" if same else "1718 Committee decision"


def designations_after_resolutions(
    resolutions: Sequence[Record], waves: Sequence[DesignationWave]
) -> list[dict[str, Any]]:
    """For each adopted resolution: designations listed on its adoption day (its annexes) and
    from its adoption until the next resolution was adopted (that day excluded)."""
    adopted = _adopted(resolutions)
    out = []
    for i, (day, number, category) in enumerate(adopted):
        following = adopted[i + 1][0] if i + 1 < len(adopted) else None
        on_day = sum(w.total for w in waves if w.day == day)
        until = [w for w in waves if w.day >= day and (following is None or w.day < following)]
        out.append(
            {
                "resolution": number,
                "category": category,
                "adopted": day.isoformat(),
                "next_adopted": following.isoformat() if following else None,
                "on_adoption": on_day,
                "until_next": sum(w.total for w in until),
                "individuals": sum(w.individuals for w in until),
                "entities": sum(w.entities for w in until),
            }
        )
    return out


def all_events(data: MonitorData, waves: Sequence[DesignationWave], waves_source: str) -> list[Event]:
    """Every event of the data and the designation waves, oldest first."""
    events: list[Event | None] = []
    for r in data["missile_tests"]:
        name = r.get("missile_name") or "missile"
        events.append(
            _event(
                r,
                "date",
                "missile_test",
                f"{name} ({r.get('missile_type') or 'type unknown'})",
                detail=", ".join(
                    b
                    for b in (
                        r.get("facility_name"),
                        f"apogee {r.get('apogee_km')} km" if r.get("apogee_km") else "",
                        f"range {r.get('distance_km')} km" if r.get("distance_km") else "",
                        r.get("flag"),
                    )
                    if b
                ),
                category=r.get("missile_type") or "Unknown",
                outcome=(r.get("outcome") or "unknown").casefold(),
            )
        )
    for r in data["nuclear_tests"]:
        events.append(
            _event(
                r,
                "date",
                "nuclear_test",
                f"Nuclear test {r.get('test_no')}",
                detail=", ".join(
                    b
                    for b in (
                        r.get("site"),
                        f"mb {r.get('body_wave_magnitude_mb')}" if r.get("body_wave_magnitude_mb") else "",
                        f"yield {r.get('yield_estimate_kt')} kt" if r.get("yield_estimate_kt") else "",
                        r.get("dprk_claim"),
                    )
                    if b
                ),
                category="nuclear",
            )
        )
    adopted = _adopted(data["resolutions"])
    for r in data["resolutions"]:
        number = r.get("resolution")
        label = f"Resolution {number}" if number[:1].isdigit() else number.capitalize()
        events.append(
            _event(
                r,
                "adoption_date",
                "resolution",
                label,
                detail=", ".join(
                    b for b in (r.get("trigger_event"), r.get("key_measures_summary"), r.get("vote")) if b
                ),
                category=r.get("category"),
            )
        )
    for wave in waves:
        shown = ", ".join(wave.names[:5]) + (
            f" and {len(wave.names) - 5} more" if len(wave.names) > 5 else ""
        )
        events.append(
            Event(
                day=wave.day,
                date=wave.day.isoformat(),
                precision="day",
                kind="designations",
                label=f"{wave.total} UN designation(s)",
                detail=f"{wave.individuals} individual(s), {wave.entities} entity(ies); "
                f"{_instrument(wave.day, adopted)}: {shown}",
                category=_instrument(wave.day, adopted),
                source=waves_source,
                confidence="high",
                origin="list store" if waves_source.startswith("UN list in the store") else "bundled",
                count=wave.total,
            )
        )
    for r in data["enforcement"]:
        events.append(
            _event(
                r,
                "date",
                "enforcement",
                f"{r.get('state')}: {r.get('event_type')}",
                detail=r.get("summary"),
                category=r.get("event_type"),
                state=r.get("state"),
            )
        )
    kept = [e for e in events if e is not None]
    order = {kind: i for i, kind in enumerate(KINDS)}
    kept.sort(key=lambda e: (e.day, order[e.kind], e.label))
    return kept


def build_timeline(
    data: MonitorData,
    flt: TimelineFilter | None = None,
    *,
    parties: Iterable[Party] | None = None,
    parties_version: str | None = None,
) -> Timeline:
    """The timeline under ``flt``. Designations come from ``parties`` (the current UN list of the
    store) when they hold UN DPRK designations, else from the bundled designations file."""
    flt = flt or TimelineFilter()
    waves = waves_from_parties(parties) if parties is not None else []
    if waves:
        source = "UN list in the store" + (f" ({parties_version})" if parties_version else "")
    else:
        waves = waves_from_bundled()
        source = "un_1718_designations.csv (UN Consolidated List of 2020-11-30, bundled)"
    events = [e for e in all_events(data, waves, source) if flt.keep(e)]
    after = designations_after_resolutions(data["resolutions"], waves)
    if flt.start is not None or flt.end is not None:
        after = [
            a
            for a in after
            if (flt.start is None or a["adopted"] >= flt.start.isoformat())
            and (flt.end is None or a["adopted"] <= flt.end.isoformat())
        ]
    return Timeline(events, after, source, flt)
