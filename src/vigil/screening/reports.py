"""Screening reports for examiners: what was screened, against which list version, and why each alert closed.

Examiners ask for the list version, the threshold and the reason behind every closed alert
(Wolfsberg Group guidance on sanctions screening, 2019; OFAC compliance framework, 2019). A
:class:`Report` gathers exactly that from the store, as plain dataclasses:

- the runs: kind, when, who, algorithm and thresholds, the list versions used (source, version
  id, publisher date, content hash, origin), and their counts;
- the alerts with every disposition: status, decision, reason, reviewer, the second reviewer
  where four eyes applied, the time to decision; open alerts by age;
- allowlist changes, decisions per reviewer;
- the audit chain's verification and its head (seq, hash), an anchor to keep outside the store.

:func:`batch_report` covers one run and what became of its alerts; :func:`period_report` covers
every run and every review action between two dates (UTC, both inclusive), with statuses as they
stood at the end of the period. :meth:`Report.to_html` renders a self-contained page (inline CSS,
no external resource, autoescaped); :meth:`Report.to_pdf` a PDF.

PDF fonts: no font ships with Vigil. A Unicode font is looked up at run time in the system font
folders: DejaVu Sans (Debian ``fonts-dejavu-core``) for Latin, Cyrillic and Greek text, and for
Korean and Chinese characters NanumGothic (``fonts-nanum``) or Noto Sans CJK (``fonts-noto-cjk``).
Without a Korean font, Hangul is romanized (Revised Romanization) and the PDF says so; without
any Unicode font the PDF falls back to Helvetica with every name transliterated.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import jinja2

import vigil
from vigil.errors import InputError, NotFoundError, StoreError
from vigil.names.korean import is_hangul_syllable, romanize
from vigil.store.base import Store
from vigil.store.workflow import ACTIVE_STATUSES, Alert, ScreeningRun

__all__ = [
    "AgeBucket",
    "AlertEntry",
    "AllowChange",
    "AuditSummary",
    "DispositionEntry",
    "FontFile",
    "PdfFonts",
    "Report",
    "ReviewerActivity",
    "RunEntry",
    "RunTotals",
    "VersionEntry",
    "batch_report",
    "find_pdf_fonts",
    "font_dirs",
    "period_report",
    "transliterate",
]

_IN_CHUNK = 500
_ALERT_COLUMNS = (
    "id, run_id, customer_id, query, party_id, group_id, score, explanation, list_versions, "
    "kind, status, status_reason, created_at, updated_at, row_version"
)
_RUN_COLUMNS = "id, kind, started_at, finished_at, actor, params, list_versions, counts"
_ALLOW_COLUMNS = (
    "id, customer_id, group_id, party_hash, reason, created_by, created_at, expires_at, "
    "revoked_at, revoked_reason"
)
#: Statuses an alert never leaves.
CLOSED_STATUSES: frozenset[str] = frozenset(
    {"closed_true_match", "closed_false_positive", "delisted", "allowlisted"}
)
#: Age buckets of open alerts: (label, upper bound in days, exclusive; None = no bound).
AGE_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("under 1 day", 1),
    ("1-7 days", 7),
    ("7-30 days", 30),
    ("30-90 days", 90),
    ("90 days or more", None),
)
DECISION_KINDS: tuple[str, ...] = ("true_match", "false_positive", "escalate", "confirm", "reject")


# ---------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class VersionEntry:
    """One list version a run screened against (``missing`` if the store no longer has it)."""

    id: int
    source: str
    published: str | None
    fetched_at: str | None
    imported_at: str | None
    origin: str | None
    content_hash: str | None
    party_count: int | None
    used_by_runs: tuple[int, ...] = ()
    imported_in_period: bool = False
    missing: bool = False


@dataclass(frozen=True, slots=True)
class RunEntry:
    """One screening run with its parameters and its counts, normalised across run kinds.

    ``rows_screened`` is the run's ``rows`` (a file), ``customers`` (the monitored base) or
    ``queries`` (a single screening). A count the run did not record is None; all of them are
    None while the run is unfinished. ``alerts_suppressed`` comes from the audit log (items
    skipped because an allowlist entry covered them).
    """

    id: int
    kind: str
    started_at: str
    finished_at: str | None
    actor: str
    algorithm: str | None
    thresholds: dict[str, float]
    params: dict[str, Any]
    list_versions: dict[str, int]
    counts: dict[str, Any]
    rows_screened: int | None
    rows_with_hits: int | None
    hits: int | None
    alerts_created: int | None
    alerts_updated: int | None
    rows_skipped: int | None
    alerts_suppressed: int = 0
    in_scope: bool = True

    @property
    def duration(self) -> timedelta | None:
        if self.finished_at is None:
            return None
        return _parse(self.finished_at) - _parse(self.started_at)


@dataclass(frozen=True, slots=True)
class RunTotals:
    """The counts of the runs in scope, summed (None counts count as 0; ``unfinished`` runs listed)."""

    runs: int
    rows_screened: int
    rows_with_hits: int
    hits: int
    alerts_created: int
    alerts_updated: int
    alerts_suppressed: int
    rows_skipped: int
    unfinished: tuple[int, ...]
    runs_by_kind: dict[str, int]


@dataclass(frozen=True, slots=True)
class DispositionEntry:
    """One reviewer decision, with the status move the audit log recorded for it."""

    id: int
    alert_id: int
    decision: str
    reason: str
    reviewer: str
    at: str
    from_status: str | None
    to_status: str | None
    four_eyes: bool


@dataclass(frozen=True, slots=True)
class AlertEntry:
    """One alert as the report shows it.

    ``status`` is the status at the report's ``as_of`` time (the end of the period);
    ``current_status`` the status when the report was made. ``decision`` is the closing
    outcome (``true_match``, ``false_positive``, or the system's ``allowlisted`` /
    ``delisted``), with its ``reason``, the reviewer who ``decided_by`` and, for a true match
    confirmed under four eyes, the ``second_reviewer``; ``time_to_decision`` runs from the
    alert's creation to its closing.
    """

    id: int
    run_id: int
    kind: str
    customer_id: str | None
    customer_name: str
    party_id: str
    group_id: str
    listed_name: str
    score: float
    list_versions: dict[str, int]
    thresholds: dict[str, float]
    algorithm: str | None
    explanation: str
    created_at: str
    status: str
    current_status: str
    decision: str | None
    reason: str | None
    decided_by: str | None
    second_reviewer: str | None
    decided_at: str | None
    time_to_decision: timedelta | None
    dispositions: tuple[DispositionEntry, ...]
    raised_in_scope: bool
    updated_in_scope: bool

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_STATUSES


@dataclass(frozen=True, slots=True)
class AgeBucket:
    """How many alerts were open at ``as_of`` with an age in this bucket."""

    label: str
    count: int
    alert_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class AllowChange:
    """An allowlist entry added, revoked or expired within the report's window."""

    allow_id: int
    action: Literal["added", "revoked", "expired"]
    at: str
    actor: str | None
    customer_id: str
    group_id: str
    party_hash: str
    reason: str
    expires_at: str | None


@dataclass(frozen=True, slots=True)
class ReviewerActivity:
    """Decisions one reviewer recorded within the report's scope, by decision."""

    reviewer: str
    total: int
    by_decision: dict[str, int]


@dataclass(frozen=True, slots=True)
class AuditSummary:
    """The audit chain's verification and its heads.

    ``head`` is the last record when the report was made; ``period_head`` the last record
    at the end of the report's window: keep them outside the store, and pass one to
    :meth:`~vigil.store.workflow.WorkflowStore.audit_verify` as ``anchor`` later.
    """

    ok: bool
    records: int
    first_bad_seq: int | None
    problem: str | None
    head: tuple[int, str] | None
    period_head: tuple[int, str] | None


@dataclass(slots=True)
class Report:
    """A screening report's data; render it with :meth:`to_html` or :meth:`to_pdf`."""

    kind: Literal["batch", "period"]
    title: str
    scope: str
    window_start: str
    window_end: str
    as_of: str
    generated_at: str
    generated_by: str | None
    vigil_version: str
    runs: list[RunEntry]
    related_runs: list[RunEntry]
    versions: list[VersionEntry]
    totals: RunTotals
    alerts: list[AlertEntry]
    status_counts: dict[str, int]
    open_by_age: list[AgeBucket]
    allow_changes: list[AllowChange]
    reviewers: list[ReviewerActivity]
    audit: AuditSummary
    notes: list[str] = field(default_factory=list)

    @property
    def dispositions(self) -> list[DispositionEntry]:
        """Every decision on the report's alerts, oldest first."""
        return sorted((d for a in self.alerts for d in a.dispositions), key=lambda d: (d.at, d.id))

    @property
    def open_total(self) -> int:
        return sum(b.count for b in self.open_by_age)

    def to_html(self) -> str:
        """A self-contained HTML page (inline CSS; no script, font or image is fetched)."""
        template = _jinja_env().get_template("reports/report.html")
        return template.render(report=self)

    def to_pdf(self, *, fonts: PdfFonts | None = None) -> bytes:
        """The report as a PDF (A4 landscape); ``fonts`` default to :func:`find_pdf_fonts`."""
        return _PdfWriter(self, fonts or find_pdf_fonts()).render()


# ---------------------------------------------------------------------- helpers


def _parse(stamp: str) -> datetime:
    value = datetime.fromisoformat(stamp)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def format_stamp(stamp: str | None) -> str:
    """``2026-02-27T10:11:12.000000Z`` as ``2026-02-27 10:11:12 UTC`` (empty for None)."""
    if not stamp:
        return ""
    try:
        return _parse(stamp).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except ValueError:
        return stamp


def short_stamp(stamp: str | None) -> str:
    """``2026-02-27T10:11:12.000000Z`` as ``2026-02-27 10:11:12`` (UTC implied; empty for None)."""
    return format_stamp(stamp).removesuffix(" UTC")


def format_duration(value: timedelta | None) -> str:
    """A duration as ``3d 04:05:06`` / ``04:05:06`` (empty for None)."""
    if value is None:
        return ""
    seconds = max(int(value.total_seconds()), 0)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days}d {clock}" if days else clock


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _rows(store: Store, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    # The workflow API has no listing of runs, dispositions or audit events by time: read the
    # tables with the store's portable SQL (``?`` placeholders, on every backend).
    return store._query(sql, params)


def _in_rows(
    store: Store, sql: str, values: Sequence[Any], params: Sequence[Any] = ()
) -> list[tuple[Any, ...]]:
    """``sql`` holds one ``{marks}``: run it for chunks of ``values`` (followed by ``params``)."""
    out: list[tuple[Any, ...]] = []
    for chunk in _chunks(list(values)):
        out += _rows(store, sql.format(marks=_marks(len(chunk))), (*chunk, *params))
    return out


def _int_or_none(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _run_from_row(row: Sequence[Any]) -> ScreeningRun:
    return ScreeningRun(
        id=int(row[0]),
        kind=row[1],
        started_at=row[2],
        finished_at=row[3],
        actor=row[4],
        params=json.loads(row[5]),
        list_versions=json.loads(row[6]),
        counts=json.loads(row[7]) if row[7] is not None else None,
    )


def _thresholds(params: Mapping[str, Any]) -> dict[str, float]:
    raw = params.get("thresholds")
    out: dict[str, float] = {}
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            try:
                out[str(key)] = float(value)
            except (TypeError, ValueError):
                continue
    elif isinstance(raw, int | float):
        out["all"] = float(raw)
    if "threshold" in params and isinstance(params["threshold"], int | float):
        out.setdefault("all", float(params["threshold"]))
    return out


def _run_entry(run: ScreeningRun, suppressed: int, *, in_scope: bool) -> RunEntry:
    counts = dict(run.counts or {})
    finished = run.counts is not None
    screened = next((counts[k] for k in ("rows", "customers", "queries") if k in counts), None)

    def count(key: str) -> int | None:
        return _int_or_none(counts.get(key)) if finished else None

    params = dict(run.params)
    algorithm = params.get("algorithm")
    return RunEntry(
        id=run.id,
        kind=run.kind,
        started_at=run.started_at,
        finished_at=run.finished_at,
        actor=run.actor,
        algorithm=str(algorithm) if algorithm is not None else None,
        thresholds=_thresholds(params),
        params={k: v for k, v in params.items() if k not in ("algorithm", "thresholds")},
        list_versions={str(k): int(v) for k, v in run.list_versions.items()},
        counts=counts,
        rows_screened=_int_or_none(screened) if finished else None,
        rows_with_hits=count("rows_with_hits"),
        hits=count("hits"),
        alerts_created=count("alerts_created"),
        alerts_updated=count("alerts_updated"),
        rows_skipped=count("rows_skipped"),
        alerts_suppressed=suppressed,
        in_scope=in_scope,
    )


def _totals(runs: Sequence[RunEntry]) -> RunTotals:
    def total(name: str) -> int:
        return sum(int(getattr(r, name) or 0) for r in runs)

    return RunTotals(
        runs=len(runs),
        rows_screened=total("rows_screened"),
        rows_with_hits=total("rows_with_hits"),
        hits=total("hits"),
        alerts_created=total("alerts_created"),
        alerts_updated=total("alerts_updated"),
        alerts_suppressed=total("alerts_suppressed"),
        rows_skipped=total("rows_skipped"),
        unfinished=tuple(r.id for r in runs if r.finished_at is None),
        runs_by_kind=dict(sorted(Counter(r.kind for r in runs).items())),
    )


@dataclass(slots=True)
class _Event:
    seq: int
    at: str
    actor: str
    action: str
    alert_id: int
    payload: dict[str, Any]


def _alert_events(store: Store, alert_ids: Sequence[int]) -> dict[int, list[_Event]]:
    """The audit events of these alerts (raise, update, dispose, close), oldest first."""
    subjects = [f"alert:{a}" for a in alert_ids]
    rows = _in_rows(
        store,
        'SELECT seq, "at", actor, action, subject, payload FROM audit_log WHERE subject IN ({marks}) '
        "AND action IN ('alert.raise', 'alert.update', 'alert.dispose', 'alert.close')",
        subjects,
    )
    out: dict[int, list[_Event]] = {}
    for seq, at, actor, action, subject, payload in rows:
        alert_id = int(str(subject).split(":", 1)[1])
        out.setdefault(alert_id, []).append(
            _Event(int(seq), at, actor, action, alert_id, json.loads(payload))
        )
    for events in out.values():
        events.sort(key=lambda e: e.seq)
    return out


class _Names:
    """Listed parties' names, read from the version an alert was raised against."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.cache: dict[tuple[str, int | None], str] = {}

    def name(self, party_id: str, versions: Mapping[str, int]) -> str:
        source = party_id.split(":", 1)[0]
        version = versions.get(source)
        key = (party_id, version)
        if key not in self.cache:
            try:
                self.cache[key] = self.store.party(party_id, version).primary_name
            except (NotFoundError, StoreError):
                try:
                    self.cache[key] = self.store.party(party_id).primary_name
                except (NotFoundError, StoreError):
                    self.cache[key] = ""
        return self.cache[key]


def _outcome(
    events: Sequence[_Event], dispositions: Sequence[DispositionEntry]
) -> tuple[str | None, str | None, str | None, str | None, str | None]:
    """(decision, reason, decided_by, second_reviewer, decided_at) of the event that closed the alert."""
    by_id = {d.id: d for d in dispositions}
    for event in events:
        to = event.payload.get("to")
        if to not in CLOSED_STATUSES:
            continue
        if event.action == "alert.close":
            return str(to), event.payload.get("reason"), event.actor, None, event.at
        disposition = by_id.get(_int_or_none(event.payload.get("disposition_id")) or -1)
        if disposition is None:
            return str(to), event.payload.get("reason"), event.actor, None, event.at
        if disposition.decision == "confirm":
            proposals = [d for d in dispositions if d.decision == "true_match" and d.id < disposition.id]
            if proposals:
                proposal = proposals[-1]
                reason = proposal.reason
                if disposition.reason and disposition.reason != proposal.reason:
                    reason = f"{proposal.reason} (confirmed: {disposition.reason})"
                return "true_match", reason, proposal.reviewer, disposition.reviewer, disposition.at
            return "true_match", disposition.reason, disposition.reviewer, None, disposition.at
        decision = "true_match" if to == "closed_true_match" else "false_positive"
        return decision, disposition.reason, disposition.reviewer, None, disposition.at
    return None, None, None, None, None


def _explanation_text(explanation: Mapping[str, Any]) -> str:
    text = explanation.get("text")
    if isinstance(text, str) and text.strip():
        return text.strip()
    parts = [f"{k}: {v}" for k, v in sorted(explanation.items()) if isinstance(v, str | int | float)]
    return "; ".join(parts)


class _Builder:
    """Reads one report's data from the store."""

    def __init__(self, store: Store, now: datetime | None) -> None:
        self.store = store
        self.now = (now or datetime.now(UTC)).astimezone(UTC)
        self.names = _Names(store)
        self.runs: dict[int, ScreeningRun] = {}

    def run(self, run_id: int) -> ScreeningRun:
        if run_id not in self.runs:
            self.runs[run_id] = self.store.get_run(run_id)
        return self.runs[run_id]

    def alerts(self, ids: Iterable[int]) -> list[Alert]:
        wanted = sorted(set(ids))
        rows = _in_rows(self.store, f"SELECT {_ALERT_COLUMNS} FROM alert WHERE id IN ({{marks}})", wanted)
        alerts = [self.store._alert(row) for row in rows]
        return sorted(alerts, key=lambda a: a.id)

    def dispositions(self, alert_ids: Sequence[int], before: str) -> dict[int, list[tuple[Any, ...]]]:
        rows = _in_rows(
            self.store,
            "SELECT id, alert_id, decision, reason, reviewer, created_at FROM disposition "
            "WHERE alert_id IN ({marks}) AND created_at < ?",
            alert_ids,
            (before,),
        )
        out: dict[int, list[tuple[Any, ...]]] = {}
        for row in sorted(rows, key=lambda r: int(r[0])):
            out.setdefault(int(row[1]), []).append(row)
        return out

    def entries(
        self, alerts: Sequence[Alert], as_of: str, raised: set[int], updated: set[int]
    ) -> list[AlertEntry]:
        ids = [a.id for a in alerts]
        events = _alert_events(self.store, ids)
        rows = self.dispositions(ids, as_of)
        out: list[AlertEntry] = []
        for alert in alerts:
            alert_events = [e for e in events.get(alert.id, []) if e.at < as_of]
            moves = {
                _int_or_none(e.payload.get("disposition_id")): e
                for e in alert_events
                if e.action == "alert.dispose"
            }
            dispositions = tuple(
                DispositionEntry(
                    id=int(r[0]),
                    alert_id=alert.id,
                    decision=r[2],
                    reason=r[3],
                    reviewer=r[4],
                    at=r[5],
                    from_status=moves[int(r[0])].payload.get("from") if int(r[0]) in moves else None,
                    to_status=moves[int(r[0])].payload.get("to") if int(r[0]) in moves else None,
                    four_eyes=bool(moves[int(r[0])].payload.get("four_eyes"))
                    if int(r[0]) in moves
                    else False,
                )
                for r in rows.get(alert.id, [])
            )
            status: str = alert.status
            if alert.updated_at >= as_of:  # changed after the window: replay the audit log
                status = "open"
                for event in alert_events:
                    if event.action in ("alert.dispose", "alert.close") and event.payload.get("to"):
                        status = str(event.payload["to"])
            decision, reason, decided_by, second, decided_at = _outcome(alert_events, dispositions)
            run = self.run(alert.run_id)
            out.append(
                AlertEntry(
                    id=alert.id,
                    run_id=alert.run_id,
                    kind=alert.kind,
                    customer_id=alert.customer_id,
                    customer_name=str(alert.query.get("name") or ""),
                    party_id=alert.party_id,
                    group_id=alert.group_id,
                    listed_name=str(alert.explanation.get("matched_name") or "")
                    or self.names.name(alert.party_id, alert.list_versions),
                    score=alert.score,
                    list_versions=dict(alert.list_versions),
                    thresholds=_thresholds(run.params),
                    algorithm=str(run.params["algorithm"]) if "algorithm" in run.params else None,
                    explanation=_explanation_text(alert.explanation),
                    created_at=alert.created_at,
                    status=status,
                    current_status=alert.status,
                    decision=decision,
                    reason=reason,
                    decided_by=decided_by,
                    second_reviewer=second,
                    decided_at=decided_at,
                    time_to_decision=(_parse(decided_at) - _parse(alert.created_at)) if decided_at else None,
                    dispositions=dispositions,
                    raised_in_scope=alert.id in raised,
                    updated_in_scope=alert.id in updated,
                )
            )
        return out

    def versions(self, runs: Sequence[RunEntry], imported: Sequence[int] = ()) -> list[VersionEntry]:
        users: dict[int, list[int]] = {}
        for run in runs:
            for version_id in run.list_versions.values():
                users.setdefault(int(version_id), []).append(run.id)
        for version_id in imported:
            users.setdefault(version_id, [])
        out: list[VersionEntry] = []
        for version_id in sorted(users):
            run_ids = tuple(sorted(set(users[version_id])))
            try:
                v = self.store.get_version(version_id)
            except NotFoundError:
                source = next(
                    (s for r in runs for s, i in r.list_versions.items() if i == version_id), "unknown"
                )
                out.append(
                    VersionEntry(
                        version_id, source, None, None, None, None, None, None, run_ids, missing=True
                    )
                )
                continue
            out.append(
                VersionEntry(
                    id=v.id,
                    source=v.source,
                    published=v.published,
                    fetched_at=v.fetched_at,
                    imported_at=v.imported_at,
                    origin=v.origin,
                    content_hash=v.content_hash,
                    party_count=v.party_count,
                    used_by_runs=run_ids,
                    imported_in_period=version_id in imported,
                )
            )
        return out

    def allow_changes(self, start: str, end: str) -> list[AllowChange]:
        rows = _rows(
            self.store,
            f"SELECT {_ALLOW_COLUMNS} FROM allowlist WHERE (created_at >= ? AND created_at < ?) "
            "OR (revoked_at >= ? AND revoked_at < ?) OR (expires_at >= ? AND expires_at < ?) ORDER BY id",
            (start, end, start, end, start, end),
        )
        revokers = {
            str(subject): actor
            for actor, subject in _rows(
                self.store,
                "SELECT actor, subject FROM audit_log WHERE action = 'allow.revoke' "
                'AND "at" >= ? AND "at" < ?',
                (start, end),
            )
        }
        out: list[AllowChange] = []
        for aid, cid, gid, phash, reason, by, created, expires, revoked, revoked_reason in rows:
            allow_id = int(aid)
            if start <= created < end:
                out.append(AllowChange(allow_id, "added", created, by, cid, gid, phash, reason, expires))
            if revoked is not None and start <= revoked < end:
                actor = revokers.get(f"allow:{allow_id}")
                out.append(
                    AllowChange(
                        allow_id, "revoked", revoked, actor, cid, gid, phash, revoked_reason or "", expires
                    )
                )
            if expires is not None and start <= expires < end and (revoked is None or revoked > expires):
                out.append(AllowChange(allow_id, "expired", expires, None, cid, gid, phash, reason, expires))
        return sorted(out, key=lambda c: (c.at, c.allow_id))

    def audit(self, end: str) -> AuditSummary:
        result = self.store.audit_verify()
        rows = _rows(
            self.store, 'SELECT seq, hash FROM audit_log WHERE "at" < ? ORDER BY seq DESC LIMIT 1', (end,)
        )
        period_head = (int(rows[0][0]), str(rows[0][1])) if rows else None
        return AuditSummary(
            ok=result.ok,
            records=result.records,
            first_bad_seq=result.first_bad_seq,
            problem=result.problem,
            head=self.store.audit_head(),
            period_head=period_head,
        )

    def suppressed(self, run_ids: Sequence[int]) -> Counter[int]:
        """Items each run skipped because an allowlist entry covered them (from the audit log)."""
        counts: Counter[int] = Counter()
        wanted = set(run_ids)
        if not wanted:
            return counts
        starts = _in_rows(
            self.store,
            "SELECT MIN(seq) FROM audit_log WHERE action = 'run.start' AND subject IN ({marks})",
            [f"run:{r}" for r in sorted(wanted)],
        )
        first = min((int(r[0]) for r in starts if r[0] is not None), default=None)
        if first is None:
            return counts
        for (payload,) in _rows(
            self.store, "SELECT payload FROM audit_log WHERE action = 'alert.suppress' AND seq > ?", (first,)
        ):
            run_id = _int_or_none(json.loads(payload).get("run_id"))
            if run_id in wanted:
                counts[run_id] += 1
        return counts

    def report(
        self,
        *,
        kind: Literal["batch", "period"],
        title: str,
        scope: str,
        start: str,
        end: str,
        runs: list[ScreeningRun],
        alert_ids: set[int],
        raised: set[int],
        updated: set[int],
        backlog: list[Alert],
        imported: Sequence[int],
        generated_by: str | None,
    ) -> Report:
        as_of = min(end, _stamp(self.now))
        suppressed = self.suppressed([r.id for r in runs])
        run_entries = [_run_entry(r, suppressed.get(r.id, 0), in_scope=True) for r in runs]
        scoped = {r.id for r in runs}
        alerts = self.alerts(alert_ids)
        entries = self.entries(alerts, as_of, raised, updated)
        related_ids = sorted({a.run_id for a in alerts} - scoped)
        related = [_run_entry(self.run(r), 0, in_scope=False) for r in related_ids]
        backlog_entries = self.entries([a for a in backlog if a.id not in alert_ids], as_of, set(), set())
        open_alerts = [a for a in [*entries, *backlog_entries] if a.status in ACTIVE_STATUSES]
        buckets: dict[str, list[int]] = {label: [] for label, _ in AGE_BUCKETS}
        for alert in open_alerts:
            age = (_parse(as_of) - _parse(alert.created_at)).total_seconds() / 86_400
            label = next(lb for lb, bound in AGE_BUCKETS if bound is None or age < bound)
            buckets[label].append(alert.id)
        reviewers: dict[str, Counter[str]] = {}
        for alert in entries:
            for d in alert.dispositions:
                if d.at >= start:
                    reviewers.setdefault(d.reviewer, Counter())[d.decision] += 1
        versions = self.versions([*run_entries, *related], imported)
        notes: list[str] = []
        if any(v.missing for v in versions):
            notes.append("A list version a run used is no longer in the store.")
        report = Report(
            kind=kind,
            title=title,
            scope=scope,
            window_start=start,
            window_end=end,
            as_of=as_of,
            generated_at=_stamp(self.now),
            generated_by=generated_by,
            vigil_version=vigil.__version__,
            runs=run_entries,
            related_runs=related,
            versions=versions,
            totals=_totals(run_entries),
            alerts=entries,
            status_counts=dict(sorted(Counter(a.status for a in entries).items())),
            open_by_age=[AgeBucket(label, len(ids), tuple(sorted(ids))) for label, ids in buckets.items()],
            allow_changes=self.allow_changes(start, as_of),
            reviewers=[
                ReviewerActivity(name, sum(c.values()), {k: c[k] for k in DECISION_KINDS if c[k]})
                for name, c in sorted(reviewers.items(), key=lambda item: item[0].casefold())
            ],
            audit=self.audit(as_of),
            notes=notes,
        )
        if not report.audit.ok:
            report.notes.append(f"The audit chain does not verify: {report.audit.problem}")
        return report


def _scoped_events(store: Store, run_id: int) -> tuple[set[int], set[int]]:
    """(created, updated) alert ids of one run, from its audit events between run.start and run.finish."""
    bounds = _rows(
        store,
        "SELECT action, seq FROM audit_log WHERE subject = ? AND action IN ('run.start', 'run.finish')",
        (f"run:{run_id}",),
    )
    seqs = {action: int(seq) for action, seq in bounds}
    created = {int(r[0]) for r in _rows(store, "SELECT id FROM alert WHERE run_id = ?", (run_id,))}
    if "run.start" not in seqs:
        return created, set()
    last = seqs.get("run.finish")
    sql = "SELECT subject, payload FROM audit_log WHERE action = 'alert.update' AND seq > ?"
    params: list[Any] = [seqs["run.start"]]
    if last is not None:
        sql += " AND seq < ?"
        params.append(last)
    updated: set[int] = set()
    for subject, payload in _rows(store, sql, params):
        if _int_or_none(json.loads(payload).get("run_id")) == run_id:
            updated.add(int(str(subject).split(":", 1)[1]))
    return created, updated


# ---------------------------------------------------------------------- public API


def batch_report(
    store: Store, run_id: int, *, generated_by: str | None = None, now: datetime | None = None
) -> Report:
    """The report of one screening run: its lists and thresholds, its counts, and what became of its alerts.

    Its alerts are those the run raised and those it updated; their dispositions and statuses
    are as they stand now. Allowlist changes are those since the run started.
    :class:`~vigil.errors.NotFoundError` if there is no such run.
    """
    builder = _Builder(store, now)
    run = builder.run(run_id)
    created, updated = _scoped_events(store, run_id)
    alerts = created | updated
    return builder.report(
        kind="batch",
        title=f"Screening run {run.id} ({run.kind})",
        scope=f"Run {run.id}, started {format_stamp(run.started_at)} by {run.actor}, and the alerts it "
        "raised or updated, with their reviews up to the time of this report.",
        start=run.started_at,
        end=_stamp(builder.now),
        runs=[run],
        alert_ids=alerts,
        raised=created,
        updated=updated,
        backlog=[],  # the run's own alerts are all in the report
        imported=(),
        generated_by=generated_by,
    )


def period_report(
    store: Store,
    start: date,
    end: date,
    *,
    generated_by: str | None = None,
    now: datetime | None = None,
) -> Report:
    """The report of a period, ``start`` to ``end`` inclusive (UTC days).

    Runs started in the period (with their counts summed); alerts raised, updated, decided or
    closed in the period, with their status at the end of the period; every alert open at the
    end of the period, by age; list versions imported or used; allowlist changes; decisions
    per reviewer; the audit head at the end of the period. :class:`~vigil.errors.InputError`
    if ``end`` is before ``start``.
    """
    if isinstance(start, datetime) or isinstance(end, datetime):
        start, end = (d.date() if isinstance(d, datetime) else d for d in (start, end))
    if end < start:
        raise InputError(f"the period ends ({end}) before it starts ({start})")
    builder = _Builder(store, now)
    lo = _stamp(_day_start(start))
    hi = _stamp(_day_start(end + timedelta(days=1)))
    runs = [
        _run_from_row(row)
        for row in _rows(
            store,
            f"SELECT {_RUN_COLUMNS} FROM screening_run WHERE started_at >= ? AND started_at < ? ORDER BY id",
            (lo, hi),
        )
    ]
    builder.runs.update({r.id: r for r in runs})
    raised: set[int] = set()
    updated: set[int] = set()
    touched: set[int] = set()
    for action, subject in _rows(
        store,
        'SELECT action, subject FROM audit_log WHERE "at" >= ? AND "at" < ? '
        "AND action IN ('alert.raise', 'alert.update', 'alert.dispose', 'alert.close')",
        (lo, hi),
    ):
        alert_id = int(str(subject).split(":", 1)[1])
        touched.add(alert_id)
        if action == "alert.raise":
            raised.add(alert_id)
        elif action == "alert.update":
            updated.add(alert_id)
    # Every alert open at the end of the period: created before it, and active now or changed since.
    as_of = min(hi, _stamp(builder.now))
    backlog_ids = [
        int(r[0])
        for r in _rows(
            store,
            "SELECT id FROM alert WHERE created_at < ? AND (status IN "
            "('open', 'pending_confirmation', 'escalated') OR updated_at >= ?)",
            (as_of, as_of),
        )
    ]
    backlog = builder.alerts(set(backlog_ids) - touched)
    imported = [v.id for v in store.versions() if lo <= _stamp(_parse(v.imported_at)) < hi]
    label = f"{start.isoformat()} to {end.isoformat()}"
    return builder.report(
        kind="period",
        title=f"Screening report {label}",
        scope=f"Every screening run started and every alert raised, updated, decided or closed from "
        f"{start.isoformat()} 00:00 UTC to {end.isoformat()} 24:00 UTC; statuses as they stood at the "
        "end of the period.",
        start=lo,
        end=hi,
        runs=runs,
        alert_ids=touched,
        raised=raised,
        updated=updated,
        backlog=backlog,
        imported=imported,
        generated_by=generated_by,
    )


# ---------------------------------------------------------------------- HTML


@lru_cache(maxsize=1)
def _jinja_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("vigil.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["stamp"] = format_stamp
    env.filters["duration"] = format_duration
    env.filters["label"] = _label
    env.filters["score"] = lambda v: f"{float(v):.3f}"
    env.filters["versions"] = _versions_text
    env.filters["thresholds"] = _thresholds_text
    env.filters["num"] = lambda v: "" if v is None else f"{v:,}"
    return env


def _label(value: str | None) -> str:
    return (value or "").replace("_", " ")


def _versions_text(versions: Mapping[str, int]) -> str:
    return ", ".join(f"{source} v{vid}" for source, vid in sorted(versions.items()))


def _thresholds_text(thresholds: Mapping[str, float]) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in sorted(thresholds.items())) or "default"


# ---------------------------------------------------------------------- PDF fonts


@dataclass(frozen=True, slots=True)
class FontFile:
    """A font file, with the index of the face inside a collection (``.ttc``)."""

    path: Path
    index: int = 0


@dataclass(frozen=True, slots=True)
class PdfFonts:
    """The fonts a PDF is set in: ``latin`` for text, ``cjk`` for Hangul and Hanja (None if absent).

    With no ``latin`` font the PDF uses the core Helvetica font and transliterates.
    """

    latin: FontFile | None = None
    latin_bold: FontFile | None = None
    cjk: FontFile | None = None
    cjk_bold: FontFile | None = None

    @property
    def korean(self) -> bool:
        return self.cjk is not None or self.latin_has_cjk

    @property
    def latin_has_cjk(self) -> bool:
        return self.latin is not None and self.latin == self.cjk


#: Latin font files looked for, best first: (regular, bold) file names.
LATIN_FONTS: tuple[tuple[str, str], ...] = (
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),  # Debian/Ubuntu fonts-dejavu-core
    ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),  # fonts-noto-core
    ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),  # fonts-liberation
    ("Arial.ttf", "Arial Bold.ttf"),  # macOS
    ("arial.ttf", "arialbd.ttf"),  # Windows
)
#: Korean (Hangul and Hanja) font files, best first: ((regular, face index), (bold, face index)).
CJK_FONTS: tuple[tuple[tuple[str, int], tuple[str, int]], ...] = (
    (("NanumGothic.ttf", 0), ("NanumGothicBold.ttf", 0)),  # fonts-nanum
    (("NotoSansCJK-Regular.ttc", 1), ("NotoSansCJK-Bold.ttc", 1)),  # fonts-noto-cjk (face 1 = KR)
    (("NotoSansCJKkr-Regular.otf", 0), ("NotoSansCJKkr-Bold.otf", 0)),  # Noto CJK KR, single files
    (("NotoSansKR-Regular.otf", 0), ("NotoSansKR-Bold.otf", 0)),
    (("malgun.ttf", 0), ("malgunbd.ttf", 0)),  # Windows
    (("AppleSDGothicNeo.ttc", 0), ("AppleSDGothicNeo.ttc", 6)),  # macOS
)


def font_dirs() -> list[Path]:
    """The standard font folders of this system that exist."""
    home = Path.home()
    candidates = [
        home / ".local/share/fonts",
        home / ".fonts",
        Path("/usr/local/share/fonts"),
        Path("/usr/share/fonts"),
    ]
    if sys.platform == "darwin":
        candidates += [home / "Library/Fonts", Path("/Library/Fonts"), Path("/System/Library/Fonts")]
    if sys.platform == "win32":
        candidates.append(Path(os.path.expandvars(r"%WINDIR%\Fonts")))
    return [d for d in candidates if d.is_dir()]


@lru_cache(maxsize=8)
def _font_index(dirs: tuple[Path, ...]) -> dict[str, Path]:
    """File name -> first path found, walking ``dirs`` in order."""
    found: dict[str, Path] = {}
    for base in dirs:
        for root, _subdirs, files in os.walk(base):
            for name in files:
                found.setdefault(name, Path(root) / name)
    return found


def find_pdf_fonts(dirs: Sequence[Path] | None = None) -> PdfFonts:
    """Look for the PDF fonts in ``dirs`` (default :func:`font_dirs`); see the module docstring."""
    index = _font_index(tuple(dirs if dirs is not None else font_dirs()))
    latin = latin_bold = cjk = cjk_bold = None
    for regular, bold in LATIN_FONTS:
        if regular in index:
            latin = FontFile(index[regular])
            latin_bold = FontFile(index[bold]) if bold in index else None
            break
    for (regular_name, regular_index), (bold_name, bold_index) in CJK_FONTS:
        if regular_name in index:
            cjk = FontFile(index[regular_name], regular_index)
            cjk_bold = FontFile(index[bold_name], bold_index) if bold_name in index else None
            break
    if latin is None and cjk is not None:
        latin, latin_bold = cjk, cjk_bold
    return PdfFonts(latin=latin, latin_bold=latin_bold, cjk=cjk, cjk_bold=cjk_bold)


def _is_cjk(ch: str) -> bool:
    return is_hangul_syllable(ch) or unicodedata.name(ch, "").startswith(("CJK", "HANGUL"))


def _has_hangul_or_han(text: str) -> bool:
    return any(_is_cjk(ch) for ch in text)


def transliterate(text: str, *, only: Callable[[str], bool] | None = None) -> str:
    """Text a font without Hangul can show: Hangul romanized (Revised), other letters folded to ASCII.

    By default every character outside Latin-1 is replaced (for the core PDF fonts); with
    ``only``, just the characters it accepts.
    """
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            word = romanize("".join(run), "rr")
            out.append(word[:1].upper() + word[1:])
            run.clear()

    for ch in text:
        if is_hangul_syllable(ch):
            run.append(ch)
            continue
        flush()
        if (only is None and ord(ch) < 256) or (only is not None and not only(ch)):
            out.append(ch)
            continue
        folded = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if folded and all(ord(c) < 128 for c in folded):
            out.append(folded)
            continue
        try:
            from normality import ascii_text

            ascii_form = ascii_text(ch) or "?"
        except ImportError:
            ascii_form = "?"
        out.append(str(ascii_form))
    flush()
    return "".join(out)


# ---------------------------------------------------------------------- PDF


class _PdfWriter:
    """Lays a report out with fpdf2: A4 landscape, one table per section."""

    FAMILY = "vigil"

    def __init__(self, report: Report, fonts: PdfFonts) -> None:
        from fpdf import FPDF

        self.report = report
        self.fonts = fonts
        self.unicode = fonts.latin is not None
        writer = self

        class _Doc(FPDF):
            def header(self) -> None:
                writer._header()

            def footer(self) -> None:
                writer._footer()

        self.pdf = _Doc(orientation="L", unit="mm", format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=14)
        self.pdf.set_margins(12, 12, 12)
        self.pdf.alias_nb_pages()
        self.pdf.set_title(report.title)
        self.pdf.set_creator(f"Vigil {report.vigil_version}")
        self.pdf.set_author(report.generated_by or "Vigil")
        self._load_fonts()

    # -------------------------------------------------------------- fonts and text

    def _load_fonts(self) -> None:
        fonts = self.fonts
        if fonts.latin is None:
            self.family = "helvetica"
            return
        self.family = self.FAMILY
        pdf = self.pdf
        pdf.add_font(self.FAMILY, "", str(fonts.latin.path), collection_font_number=fonts.latin.index)
        bold = fonts.latin_bold or fonts.latin
        pdf.add_font(self.FAMILY, "B", str(bold.path), collection_font_number=bold.index)
        if fonts.cjk is not None and not fonts.latin_has_cjk:
            pdf.add_font("vigilcjk", "", str(fonts.cjk.path), collection_font_number=fonts.cjk.index)
            cjk_bold = fonts.cjk_bold or fonts.cjk
            pdf.add_font("vigilcjk", "B", str(cjk_bold.path), collection_font_number=cjk_bold.index)
            pdf.set_fallback_fonts(["vigilcjk"], exact_match=False)

    def text(self, value: Any) -> str:
        """Text the loaded fonts can show (transliterated where they cannot)."""
        text = "" if value is None else str(value)
        if not self.unicode:
            return transliterate(text)
        if not self.fonts.korean and _has_hangul_or_han(text):
            return transliterate(text, only=_is_cjk)
        return text

    # -------------------------------------------------------------- page furniture

    def _header(self) -> None:
        pdf = self.pdf
        pdf.set_font(self.family, "", 7.5)
        pdf.set_text_color(90, 90, 90)
        pdf.cell(0, 4, self.text(f"Vigil screening report - {self.report.title}"), align="L")
        pdf.set_x(pdf.l_margin)
        pdf.cell(0, 4, self.text(f"Generated {format_stamp(self.report.generated_at)}"), align="R")
        pdf.ln(6)
        pdf.set_text_color(0, 0, 0)

    def _footer(self) -> None:
        pdf = self.pdf
        pdf.set_y(-10)
        pdf.set_font(self.family, "", 7.5)
        pdf.set_text_color(90, 90, 90)
        head = self.report.audit.head
        anchor = f"Audit head: seq {head[0]}, {head[1]}" if head else "Audit log empty"
        pdf.cell(0, 4, self.text(anchor), align="L")
        pdf.set_x(pdf.l_margin)
        pdf.cell(0, 4, f"Page {pdf.page_no()}/{{nb}}", align="R")
        pdf.set_text_color(0, 0, 0)

    # -------------------------------------------------------------- building blocks

    def heading(self, title: str) -> None:
        pdf = self.pdf
        if pdf.get_y() > pdf.h - 55:
            pdf.add_page()
        pdf.ln(3)
        pdf.set_font(self.family, "B", 12)
        pdf.set_text_color(20, 50, 90)
        pdf.cell(0, 7, self.text(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.set_font(self.family, "", 8.5)

    def paragraph(self, text: str, size: float = 8.5) -> None:
        self.pdf.set_font(self.family, "", size)
        self.pdf.multi_cell(0, 4.5, self.text(text), new_x="LMARGIN", new_y="NEXT")

    def pairs(self, rows: Sequence[tuple[str, Any]]) -> None:
        self.table(["", ""], [[k, v] for k, v in rows], widths=(55, 218), header=False)

    def table(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        widths: Sequence[float],
        header: bool = True,
        size: float = 7.5,
    ) -> None:
        from fpdf.fonts import FontFace

        pdf = self.pdf
        pdf.set_font(self.family, "", size)
        if not rows:
            self.paragraph("None.", size)
            return
        head_style = FontFace(emphasis="BOLD", fill_color=(225, 232, 242))
        with pdf.table(
            col_widths=tuple(widths),
            width=sum(widths),
            align="LEFT",
            text_align="LEFT",
            line_height=size * 0.5,
            headings_style=head_style,
            first_row_as_headings=header,
            padding=1,
            borders_layout="SINGLE_TOP_LINE" if header else "NONE",
            v_align="TOP",
        ) as table:
            if header:
                heading = table.row()
                for title in headings:
                    heading.cell(self.text(title))
            for values in rows:
                row = table.row()
                for i, value in enumerate(values):
                    if i == 0 and not header:
                        row.cell(self.text(value), style=FontFace(emphasis="BOLD"))
                    else:
                        row.cell(self.text(value))
        pdf.ln(1)

    # -------------------------------------------------------------- document

    def render(self) -> bytes:
        report = self.report
        pdf = self.pdf
        pdf.add_page()
        pdf.set_font(self.family, "B", 16)
        pdf.multi_cell(0, 8, self.text(report.title), new_x="LMARGIN", new_y="NEXT")
        self.paragraph(report.scope, 9)
        pdf.ln(1)
        self.pairs(
            [
                ("Window", f"{format_stamp(report.window_start)} to {format_stamp(report.window_end)}"),
                ("Times", "UTC throughout"),
                ("Statuses as of", format_stamp(report.as_of)),
                ("Generated", f"{format_stamp(report.generated_at)} by {report.generated_by or 'Vigil'}"),
                ("Software", f"Vigil {report.vigil_version}"),
                (
                    "Audit chain",
                    ("verified, " if report.audit.ok else "DOES NOT VERIFY, ")
                    + f"{report.audit.records:,} records"
                    + ("" if report.audit.ok else f": {report.audit.problem}"),
                ),
                ("Audit head (anchor)", _head_text(report.audit.head)),
                ("Audit head at window end", _head_text(report.audit.period_head)),
            ]
        )
        notes = list(report.notes)
        if not self.unicode:
            notes.append(
                "No Unicode font was found on this system: names are transliterated to Latin letters "
                "(install fonts-dejavu-core and fonts-nanum for original scripts)."
            )
        elif not self.fonts.korean:
            notes.append(
                "No Korean font was found on this system: Hangul is romanized (Revised Romanization) "
                "in this PDF (install fonts-nanum or fonts-noto-cjk for original scripts)."
            )
        for note in notes:
            self.paragraph(f"Note: {note}")

        self.heading("Totals")
        t = report.totals
        kinds = ", ".join(f"{k} {v}" for k, v in t.runs_by_kind.items())
        self.table(
            [
                "Runs",
                "Rows screened",
                "Rows with hits",
                "Hits",
                "Alerts created",
                "Alerts updated",
                "Suppressed (allowlist)",
                "Rows skipped",
                "Unfinished runs",
            ],
            [
                [
                    f"{t.runs} ({kinds})" if kinds else t.runs,
                    f"{t.rows_screened:,}",
                    f"{t.rows_with_hits:,}",
                    f"{t.hits:,}",
                    f"{t.alerts_created:,}",
                    f"{t.alerts_updated:,}",
                    f"{t.alerts_suppressed:,}",
                    f"{t.rows_skipped:,}",
                    ", ".join(str(r) for r in t.unfinished) or "none",
                ]
            ],
            widths=(40, 28, 28, 24, 28, 28, 32, 28, 37),
        )

        self.heading("Screening runs")
        self._runs(report.runs)
        if report.related_runs:
            self.heading("Earlier runs that raised alerts reviewed here")
            self._runs(report.related_runs)

        self.heading("List versions")
        self.table(
            [
                "Version",
                "Source",
                "Published",
                "Imported",
                "Parties",
                "Content hash (SHA-256)",
                "Origin",
                "Runs",
            ],
            [
                [
                    f"{v.id}" + (" (missing)" if v.missing else ""),
                    v.source,
                    short_stamp(v.published),
                    short_stamp(v.imported_at) + (" (in period)" if v.imported_in_period else ""),
                    "" if v.party_count is None else f"{v.party_count:,}",
                    v.content_hash or "",
                    v.origin or "",
                    ", ".join(str(r) for r in v.used_by_runs),
                ]
                for v in report.versions
            ],
            widths=(16, 20, 30, 34, 16, 62, 75, 20),
        )

        self.heading(f"Alerts ({len(report.alerts)})")
        if report.status_counts:
            self.paragraph(
                "By status: " + ", ".join(f"{_label(k)} {v}" for k, v in report.status_counts.items())
            )
        self.table(
            [
                "Alert",
                "Customer",
                "Listed party",
                "Score",
                "Run / lists / threshold",
                "Status",
                "Decision and reason",
                "Reviewer / second",
                "Decided / time",
            ],
            [
                [
                    f"{a.id}\n{a.kind}",
                    f"{a.customer_id or 'ad hoc'}\n{a.customer_name}",
                    f"{a.party_id}\n{a.listed_name}",
                    f"{a.score:.3f}",
                    f"run {a.run_id}\n{_versions_text(a.list_versions)}\n{_thresholds_text(a.thresholds)}",
                    _label(a.status),
                    f"{_label(a.decision)}: {a.reason}" if a.decision else "",
                    "\n".join(x for x in (a.decided_by, a.second_reviewer) if x),
                    f"{short_stamp(a.decided_at)}\n{format_duration(a.time_to_decision)}"
                    if a.decided_at
                    else "",
                ]
                for a in report.alerts
            ],
            widths=(14, 34, 44, 13, 34, 22, 56, 26, 30),
        )

        self.heading("Decisions")
        self.table(
            ["Alert", "At", "Decision", "Status move", "Reviewer", "Four eyes", "Reason"],
            [
                [
                    d.alert_id,
                    short_stamp(d.at),
                    _label(d.decision),
                    f"{_label(d.from_status)} -> {_label(d.to_status)}" if d.to_status else "",
                    d.reviewer,
                    "yes" if d.four_eyes else "",
                    d.reason,
                ]
                for d in report.dispositions
            ],
            widths=(14, 34, 26, 52, 32, 16, 99),
        )

        self.heading(f"Open alerts by age ({report.open_total} open at {format_stamp(report.as_of)})")
        self.table(
            ["Age", "Alerts", "Alert ids"],
            [
                [
                    b.label,
                    b.count,
                    ", ".join(str(i) for i in b.alert_ids[:60]) + (" ..." if len(b.alert_ids) > 60 else ""),
                ]
                for b in report.open_by_age
            ],
            widths=(40, 20, 213),
        )

        self.heading("Allowlist changes")
        self.table(
            ["Entry", "Change", "At", "By", "Customer", "Listed group", "Reason", "Expires"],
            [
                [
                    c.allow_id,
                    c.action,
                    short_stamp(c.at),
                    c.actor or "",
                    c.customer_id,
                    c.group_id,
                    c.reason,
                    short_stamp(c.expires_at) or "never",
                ]
                for c in report.allow_changes
            ],
            widths=(14, 18, 34, 28, 30, 34, 81, 34),
        )

        self.heading("Reviewer activity")
        self.table(
            ["Reviewer", "Decisions", *[_label(k) for k in DECISION_KINDS]],
            [
                [r.reviewer, r.total, *[r.by_decision.get(k, "") for k in DECISION_KINDS]]
                for r in report.reviewers
            ],
            widths=(60, 25, 38, 38, 38, 37, 37),
        )
        # fontTools warns about hinting tables it drops while subsetting: nothing to act on.
        subset_log = logging.getLogger("fontTools.subset")
        level = subset_log.level
        subset_log.setLevel(logging.ERROR)
        try:
            return bytes(pdf.output())
        finally:
            subset_log.setLevel(level)

    def _runs(self, runs: Sequence[RunEntry]) -> None:
        self.table(
            [
                "Run",
                "Kind",
                "Started / finished",
                "By",
                "Algorithm",
                "Thresholds",
                "List versions",
                "Screened",
                "With hits",
                "Hits",
                "Created",
                "Updated",
                "Skipped",
            ],
            [
                [
                    r.id,
                    r.kind,
                    f"{short_stamp(r.started_at)}\n{short_stamp(r.finished_at) or 'unfinished'}",
                    r.actor,
                    r.algorithm or "",
                    _thresholds_text(r.thresholds),
                    _versions_text(r.list_versions),
                    _num(r.rows_screened),
                    _num(r.rows_with_hits),
                    _num(r.hits),
                    _num(r.alerts_created),
                    _num(r.alerts_updated),
                    _num(r.rows_skipped),
                ]
                for r in runs
            ],
            widths=(11, 17, 36, 24, 20, 40, 28, 18, 16, 14, 16, 17, 16),
        )


def _num(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _head_text(head: tuple[int, str] | None) -> str:
    return f"seq {head[0]}, hash {head[1]}" if head else "none"
