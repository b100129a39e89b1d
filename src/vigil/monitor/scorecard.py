"""The per-state scorecard: what is known of each state's implementation, cell by cell, with sources.

Every cell says ``yes``, ``no``, a value, or ``unknown``; ``unknown`` means the data hold nothing
on it and is never shown or counted as no or zero. Each cell carries the source and confidence
of the row(s) it comes from and whether they are bundled or the user's.

Rules (see docs/monitor.md):

- **Reports per resolution**: the resolutions that ask states to report (``nir_requested`` yes or
  unclear in the resolutions data), plus any resolution a report row names. A status starting
  ``submitted`` is ``yes``; ``not_submitted`` or an inferred ``none_...`` is ``no``; anything else
  is ``unknown``. Several rows for one state and resolution (e.g. 2397 and its paragraph-8 worker
  report) are combined: ``yes`` over ``no`` over ``unknown``.
- **DPRK mission present**: the state profile if there is one; else the missions list: an open
  mission is ``yes``, only closed ones ``no (closed …)``; a state the list does not name is ``no``
  at ``medium`` confidence (the list is the ROK MOFA count of every DPRK mission, Dec 2023).
- **Visa regime** for DPRK ordinary passports: from the state profile, else ``unknown``.
- **Enforcement cases**: the number of recorded enforcement events (a lower bound: the events
  file is a curated selection); none recorded is ``unknown``, not zero.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from vigil.errors import InputError
from vigil.monitor.data import ASEAN, MonitorData, Record, country_iso3, country_name

__all__ = ["Cell", "Scorecard", "StateCard", "build_scorecard", "resolve_states"]

_RANK = {"yes": 2, "no": 1, "unknown": 0}
_LEVELS = ("low", "medium", "high")


@dataclass(frozen=True)
class Cell:
    """One scorecard cell: its ``value`` (``yes``, ``no``, ``unknown`` or a short text), a
    ``detail`` line, and the ``source``/``confidence``/``origin`` of the rows it comes from."""

    value: str
    detail: str = ""
    source: str = ""
    confidence: str = ""
    origin: str = ""

    @property
    def known(self) -> bool:
        return self.value != "unknown"

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "known": self.known,
            "detail": self.detail,
            "source": self.source,
            "confidence": self.confidence,
            "origin": self.origin,
        }


UNKNOWN_NO_DATA = Cell("unknown", "no row in the data", "", "", "")


@dataclass(frozen=True)
class StateCard:
    """The scorecard row of one state."""

    iso3: str
    name: str
    asean: bool
    reports: dict[str, Cell]
    reports_summary: Cell
    mission: Cell
    visa: Cell
    enforcement: Cell
    enforcement_events: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "iso3": self.iso3,
            "name": self.name,
            "asean": self.asean,
            "reports": {k: v.to_dict() for k, v in self.reports.items()},
            "reports_summary": self.reports_summary.to_dict(),
            "mission": self.mission.to_dict(),
            "visa": self.visa.to_dict(),
            "enforcement": self.enforcement.to_dict(),
            "enforcement_events": self.enforcement_events,
        }


@dataclass(frozen=True)
class Scorecard:
    """Scorecard rows for the states asked for; ``resolutions`` are the report columns in order."""

    resolutions: list[str]
    states: list[StateCard]

    def to_dict(self) -> dict[str, Any]:
        return {"resolutions": self.resolutions, "states": [s.to_dict() for s in self.states]}


def resolve_states(region: str | None, states: Sequence[str] = ()) -> list[str]:
    """ISO alpha-3 codes of ``states`` (names or codes), or of the region (``asean``) by default.

    :class:`InputError` naming a state that is not a known country, or an unknown region.
    """
    codes: list[str] = []
    for text in states:
        for part in text.split(","):
            if not part.strip():
                continue
            code = country_iso3(part)
            if code is None:
                raise InputError(f"state {part.strip()!r} is not a known country name or ISO code")
            if code not in codes:
                codes.append(code)
    if codes:
        return codes
    wanted = (region or "asean").strip().casefold()
    if wanted == "asean":
        return list(ASEAN)
    raise InputError(f"unknown region {region!r} (known: asean); name states with --state instead")


def _base_resolution(text: str) -> str:
    match = re.match(r"\d{3,4}", text.strip())
    return match.group(0) if match else text.strip()


def _nir_value(status: str) -> str:
    folded = status.casefold()
    if folded.startswith("submitted"):
        return "yes"
    if folded.startswith(("not_submitted", "none")):
        return "no"
    return "unknown"


def _lowest(confidences: Iterable[str]) -> str:
    found = [c for c in confidences if c]
    if not found:
        return ""
    if len(set(found)) == 1:
        return found[0]
    rank = min(
        next((i for i, level in enumerate(_LEVELS) if c.casefold().startswith(level)), 0) for c in found
    )
    return f"{_LEVELS[rank]} (lowest of {len(found)} rows)"


def _join(values: Iterable[str]) -> str:
    out: list[str] = []
    for value in values:
        if value and value not in out:
            out.append(value)
    return "; ".join(out)


def _origin(records: Sequence[Record]) -> str:
    return _join(r.origin for r in records)


def report_resolutions(data: MonitorData) -> list[str]:
    """The resolutions that ask states to report, plus any a report row names; numeric order."""
    wanted = {
        _base_resolution(r.get("resolution"))
        for r in data["resolutions"]
        if r.get("nir_requested").casefold() in ("yes", "unclear") and r.get("resolution")[:1].isdigit()
    }
    wanted |= {
        _base_resolution(r.get("resolution")) for r in data["nir"] if r.get("resolution")[:1].isdigit()
    }
    return sorted(wanted, key=lambda r: int(r) if r.isdigit() else 0)


def _report_cell(rows: Sequence[Record]) -> Cell:
    if not rows:
        return UNKNOWN_NO_DATA
    value = max((_nir_value(r.get("status")) for r in rows), key=lambda v: _RANK[v])
    details = []
    for r in rows:
        bits = [r.get("resolution"), r.get("status")]
        bits += [r.get("report_date"), r.get("document_symbol"), r.get("coverage")]
        if r.get("notes"):
            bits.append(r.get("notes"))
        details.append(", ".join(b for b in bits if b))
    return Cell(
        value,
        " | ".join(details),
        _join(r.source for r in rows),
        _lowest(r.confidence for r in rows),
        _origin(rows),
    )


def _summary_cell(cells: dict[str, Cell]) -> Cell:
    yes = sum(1 for c in cells.values() if c.value == "yes")
    no = sum(1 for c in cells.values() if c.value == "no")
    unknown = sum(1 for c in cells.values() if not c.known)
    total = len(cells)
    if unknown == total:
        return Cell("unknown", f"no report status known for any of {total} resolutions")
    value = f"{yes} of {total}" + (f" ({unknown} unknown)" if unknown else "")
    detail = f"{yes} submitted, {no} not submitted, {unknown} unknown"
    return Cell(value, detail, "", _lowest(c.confidence for c in cells.values() if c.known), "")


def _mission_cell(iso3: str, profile: Record | None, missions: Sequence[Record]) -> Cell:
    if profile is not None and profile.get("dprk_mission_in_state"):
        raw = profile.get("dprk_mission_in_state")
        value = "yes" if raw.startswith("yes") else "no" if raw.startswith("no") else "unknown"
        bits = [raw, profile.get("dprk_mission_city")]
        if profile.get("dprk_mission_closed_date"):
            bits.append(f"closed {profile.get('dprk_mission_closed_date')}")
        if profile.get("dprk_mission_status_as_of"):
            bits.append(f"as of {profile.get('dprk_mission_status_as_of')}")
        return Cell(
            value,
            ", ".join(b for b in bits if b),
            profile.source,
            profile.confidence,
            profile.origin,
        )
    here = [m for m in missions if country_iso3(m.get("host_country")) == iso3]
    if not here:
        return Cell(
            "no",
            "not among the DPRK missions listed (ROK MOFA list of every mission, Dec 2023)",
            "dprk_missions_abroad.csv (ROK MOFA status list Dec 2023; see SOURCES.md)",
            "medium (absence from the list)",
            "bundled",
        )
    open_ = [m for m in here if m.get("status").casefold().startswith("open")]
    closed = [m for m in here if m.get("status").casefold().startswith("closed")]
    if open_:
        value, used = "yes", open_
    elif closed and len(closed) == len(here):
        value, used = "no", closed
    else:
        value, used = "unknown", here
    details = []
    for m in used:
        text = f"{m.get('mission_type')}, {m.get('city')}: {m.get('status')}"
        if m.get("closed"):
            text += f" (closed {m.get('closed')})"
        details.append(text)
    return Cell(
        value,
        " | ".join(details),
        _join(m.source for m in used),
        _lowest(m.confidence for m in used),
        _origin(used),
    )


def _visa_cell(profile: Record | None) -> Cell:
    if profile is None:
        return UNKNOWN_NO_DATA
    raw = profile.get("visa_regime_for_dprk_ordinary_passports")
    if not raw or raw.casefold().startswith("unknown"):
        return Cell("unknown", "no source found on the visa regime", profile.source, "", profile.origin)
    detail = raw
    if profile.get("visa_change_date"):
        detail += f", since {profile.get('visa_change_date')}"
    return Cell(raw, detail, profile.source, profile.confidence, profile.origin)


def _enforcement_cell(events: Sequence[Record]) -> Cell:
    if not events:
        return Cell(
            "unknown",
            "none recorded in the enforcement events data (a curated selection, not a complete count)",
        )
    detail = " | ".join(f"{e.get('date')} {e.get('event_type')}" for e in events)
    return Cell(
        f"{len(events)} recorded",
        detail,
        _join(e.source for e in events),
        _lowest(e.confidence for e in events),
        _origin(events),
    )


def build_scorecard(data: MonitorData, states: Sequence[str]) -> Scorecard:
    """The scorecard rows of ``states`` (ISO alpha-3 codes, see :func:`resolve_states`)."""
    resolutions = report_resolutions(data)
    profiles = {r.get("iso3").upper(): r for r in data["profiles"]}
    cards: list[StateCard] = []
    for iso3 in states:
        rows = [r for r in data["nir"] if r.get("iso3").upper() == iso3]
        reports = {
            res: _report_cell([r for r in rows if _base_resolution(r.get("resolution")) == res])
            for res in resolutions
        }
        profile = profiles.get(iso3)
        events = sorted(
            (e for e in data["enforcement"] if country_iso3(e.get("state")) == iso3),
            key=lambda e: e.get("date"),
        )
        cards.append(
            StateCard(
                iso3=iso3,
                name=profile.get("state") if profile is not None else country_name(iso3),
                asean=iso3 in ASEAN,
                reports=reports,
                reports_summary=_summary_cell(reports),
                mission=_mission_cell(iso3, profile, data["missions"]),
                visa=_visa_cell(profile),
                enforcement=_enforcement_cell(events),
                enforcement_events=[
                    {
                        "date": e.get("date"),
                        "event_type": e.get("event_type"),
                        "summary": e.get("summary"),
                        "source": e.source,
                        "confidence": e.confidence,
                        "origin": e.origin,
                    }
                    for e in events
                ],
            )
        )
    return Scorecard(resolutions, cards)
