"""`vigil screen`, `screen-file`, `compare`, `customers`, `alerts`, `allow`, `audit`: the daily work."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from vigil.errors import InputError, VigilError
from vigil.lists.snapshot import ensure_snapshot
from vigil.match.algorithms import ALGORITHMS, DEFAULT_ALGORITHM
from vigil.match.engine import DEFAULT_THRESHOLDS, MatchConfig
from vigil.match.types import Explanation, Hit, Query
from vigil.screening.files import ColumnMapping
from vigil.screening.service import ScreeningService
from vigil.settings import get_settings
from vigil.store import open_store
from vigil.store.base import Store
from vigil.store.workflow import Alert

__all__ = ["register"]

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
TypeOption = Annotated[
    str | None, typer.Option("--type", "-t", help="person, organization or vessel (default: any).")
]
AlgorithmOption = Annotated[
    str, typer.Option("--algorithm", help=f"Matching algorithm: {', '.join(sorted(ALGORITHMS))}.")
]
ThresholdOption = Annotated[
    float | None,
    typer.Option(help=f"Alert threshold for every kind (default per kind: {DEFAULT_THRESHOLDS})."),
]

_TYPES = {
    "person": "Person",
    "individual": "Person",
    "organization": "Organization",
    "organisation": "Organization",
    "company": "Organization",
    "entity": "Organization",
    "vessel": "Vessel",
    "ship": "Vessel",
}

customers_app = typer.Typer(help="The monitored customer base: load, list.", no_args_is_help=True)
alerts_app = typer.Typer(help="Alert review: list, show, dispose.", no_args_is_help=True)
allow_app = typer.Typer(help="The allowlist of cleared customer / listed party pairs.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log: verify, read.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys and their roles (viewer, reviewer, admin).", no_args_is_help=True)


def _schema(value: str | None) -> str | None:
    if value is None:
        return None
    schema = _TYPES.get(value.strip().lower())
    if schema is None:
        raise InputError(f"unknown type {value!r}: use person, organization or vessel")
    return schema


def _store() -> Store:
    settings = get_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    return open_store(settings.database_url)


def _service(store: Store, algorithm: str = DEFAULT_ALGORITHM, workers: int = 1) -> ScreeningService:
    ensure_snapshot(store)
    settings = get_settings()
    return ScreeningService(
        store, config=MatchConfig(algorithm=algorithm), cache_dir=settings.home / "cache", workers=workers
    )


def _actor() -> str:
    return os.environ.get("USER") or "cli"


def _hit_dict(hit: Hit) -> dict[str, Any]:
    return {
        "party_id": hit.party_id,
        "score": round(hit.score, 4),
        "matched_name": hit.matched_name,
        "schema": hit.schema,
        "refs": hit.refs,
        "party_ids": hit.party_ids,
        "explanation": _explanation_dict(hit.explanation),
    }


def _explanation_dict(explanation: Explanation) -> dict[str, Any]:
    return {
        "text": explanation.text(),
        "method": explanation.method,
        "name_score": round(explanation.name_score, 4),
        "features": {k: round(v, 4) for k, v in explanation.features.items()},
        "aligned": [
            {"query": a.query, "listed": a.listed, "similarity": round(a.similarity, 4), "rule": a.rule}
            for a in explanation.aligned
        ],
        "unmatched_query": explanation.unmatched_query,
        "unmatched_listed": explanation.unmatched_listed,
        "notes": explanation.notes,
    }


def _fail(console: Any, exc: VigilError) -> None:
    console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _print_rows(
    console: Any, title: str, rows: list[dict[str, Any]], columns: tuple[str, ...], as_json: bool
) -> None:
    """Rows as JSON, or as a table of ``columns`` (empty cells for None)."""
    if as_json:
        console.print_json(json.dumps(rows))
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(str(row[c]) if row[c] is not None else "" for c in columns))
    console.print(table)


def register(app: typer.Typer, console: Any, err_console: Any) -> None:
    """Add the screening commands to the ``vigil`` app."""

    @app.command("screen")
    def screen(
        name: Annotated[str, typer.Argument(help="The name to screen, in any script.")],
        schema: TypeOption = None,
        dob: Annotated[str | None, typer.Option(help="Date of birth: 1964, 1964-07 or 1964-07-17.")] = None,
        country: Annotated[str | None, typer.Option(help="Country (name or ISO code).")] = None,
        identifier: Annotated[
            list[str] | None, typer.Option("--id", help="An identifier: IMO, passport, BIC, wallet address.")
        ] = None,
        limit: Annotated[int, typer.Option(help="At most this many hits.")] = 10,
        threshold: ThresholdOption = None,
        algorithm: AlgorithmOption = DEFAULT_ALGORITHM,
        as_json: JsonFlag = False,
    ) -> None:
        """Screen one name against every loaded list: ranked hits with explanations.

        Example: vigil screen "Kim Jong-un" --type person --dob 1984
        Example: vigil screen 김정은
        """
        try:
            query = Query(
                name=name,
                schema=_schema(schema),
                dob=dob,
                country=country,
                identifiers=list(identifier or []),
            )
            with _store() as store:
                service = _service(store, algorithm)
                hits = service.screen(query, limit=limit, threshold=threshold, actor=_actor())
                versions = service.list_versions()
        except VigilError as exc:
            _fail(err_console, exc)
        if as_json:
            console.print_json(
                json.dumps({"query": name, "list_versions": versions, "hits": [_hit_dict(h) for h in hits]})
            )
            return
        if not hits:
            console.print(f"No hits for {name!r} at the alert threshold.", highlight=False)
            return
        table = Table(title=f"Hits for {name!r}", show_lines=True)
        for column in ("score", "listed name", "authorities", "explanation"):
            table.add_column(column, overflow="fold")
        for hit in hits:
            table.add_row(f"{hit.score:.2f}", hit.matched_name, "\n".join(hit.refs), hit.explanation.text())
        console.print(table)

    @app.command("compare")
    def compare(
        first: Annotated[str | None, typer.Argument(help="The first name (the query).")] = None,
        second: Annotated[str | None, typer.Argument(help="The second name (as listed).")] = None,
        schema: TypeOption = None,
        pairs: Annotated[
            Path | None,
            typer.Option(
                help="A CSV of labelled pairs (columns first, second, optional type): JSON lines out."
            ),
        ] = None,
        algorithm: AlgorithmOption = DEFAULT_ALGORITHM,
        as_json: JsonFlag = False,
    ) -> None:
        """Score one pair of names and explain why they do or do not meet (or a CSV of pairs).

        Example: vigil compare "Gim Jeong-eun" "KIM JONG UN" --type person
        Example: vigil compare --pairs labelled.csv > scores.jsonl
        """
        import csv

        from vigil.match.algorithms import get_algorithm
        from vigil.match.prepare import prepare_name, schema_class

        def score(a: str, b: str, type_text: str | None) -> Any:
            kind = schema_class(_schema(type_text))
            listed_kind = "person" if kind == "any" else kind
            return get_algorithm(algorithm)(
                prepare_name(a, kind), prepare_name(b, listed_kind), listed_kind, None
            )

        try:
            if pairs is not None:
                with pairs.open(encoding="utf-8-sig", newline="") as handle:
                    reader = csv.DictReader(handle)
                    if reader.fieldnames is None or not {"first", "second"} <= set(reader.fieldnames):
                        raise InputError(f"{pairs}: needs the columns first and second (optional: type)")
                    for row in reader:
                        result = score(row["first"] or "", row["second"] or "", row.get("type") or schema)
                        line = {"first": row["first"], "second": row["second"], **_explanation_dict(result)}
                        typer.echo(json.dumps(line, ensure_ascii=False))
                return
            if first is None or second is None:
                raise InputError("give two names, or --pairs FILE")
            explanation = score(first, second, schema)
        except VigilError as exc:
            _fail(err_console, exc)
        if as_json:
            console.print_json(
                json.dumps({"first": first, "second": second, **_explanation_dict(explanation)})
            )
            return
        console.print(f"score {explanation.name_score:.3f}", highlight=False)
        console.print(explanation.text(), highlight=False)

    @app.command("screen-file")
    def screen_file(
        source: Annotated[Path, typer.Argument(help="Customer file: .csv, .xlsx, .parquet or .jsonl.")],
        out: Annotated[Path, typer.Option("--out", "-o", help="Results: .jsonl, .csv, .xlsx or .parquet.")],
        name_column: Annotated[str, typer.Option(help="Column holding the name.")] = "name",
        id_column: Annotated[str | None, typer.Option(help="Column holding the row id.")] = None,
        type_column: Annotated[
            str | None, typer.Option(help="Column: person / organization / vessel.")
        ] = None,
        dob_column: Annotated[str | None, typer.Option(help="Column holding the date of birth.")] = None,
        country_column: Annotated[str | None, typer.Option(help="Column holding the country.")] = None,
        imo_column: Annotated[str | None, typer.Option(help="Column holding an IMO number.")] = None,
        id_columns: Annotated[
            list[str] | None,
            typer.Option("--identifier-column", help="More identifier columns (passport, wallet)."),
        ] = None,
        address_column: Annotated[
            str | None,
            typer.Option(
                "--address-column",
                help="Column holding a wallet address: validated and screened exactly.",
            ),
        ] = None,
        threshold: ThresholdOption = None,
        limit: Annotated[int, typer.Option(help="At most this many hits per row.")] = 10,
        alerts: Annotated[
            bool, typer.Option("--alerts", help="Raise alerts for the hits (row id = customer).")
        ] = False,
        workers: Annotated[int, typer.Option(help="Processes to screen on (default: every core).")] = 0,
        algorithm: AlgorithmOption = DEFAULT_ALGORITHM,
        as_json: JsonFlag = False,
    ) -> None:
        """Screen every row of a customer file; write the hits with their explanations.

        Example: vigil screen-file customers.csv --out results.xlsx --id-column customer_id --dob-column dob
        """
        mapping = ColumnMapping(
            name_column=name_column,
            id_column=id_column,
            type_column=type_column,
            dob_column=dob_column,
            country_column=country_column,
            imo_column=imo_column,
            identifier_columns=tuple(id_columns or ()),
            address_column=address_column,
        )
        try:
            with _store() as store:
                service = _service(store, algorithm, workers=workers or os.cpu_count() or 1)
                service.matcher()
                columns = [
                    TextColumn("[progress.description]{task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]} rows/s"),
                    TimeElapsedColumn(),
                    TimeRemainingColumn(),
                ]
                with Progress(*columns, console=err_console, disable=as_json) as progress:
                    task = progress.add_task(f"screening {source.name}", total=None, rate="-")

                    def advance(count: int) -> None:
                        progress.advance(task, count)
                        elapsed = progress.tasks[0].elapsed or 0.0
                        done = progress.tasks[0].completed
                        progress.update(task, rate=f"{done / elapsed:,.0f}" if elapsed else "-")

                    summary = service.screen_file(
                        source,
                        out,
                        mapping,
                        threshold=threshold,
                        limit=limit,
                        raise_alerts=alerts,
                        actor=_actor(),
                        progress=advance,
                    )
        except VigilError as exc:
            _fail(err_console, exc)
        data = {
            "run": summary.run_id,
            "rows": summary.rows,
            "rows_with_hits": summary.rows_with_hits,
            "hits": summary.hits,
            "alerts_created": summary.alerts_created,
            "rows_skipped": summary.report.rows_skipped,
            "seconds": round(summary.seconds, 2),
            "output": str(summary.output),
        }
        if as_json:
            console.print_json(json.dumps(data))
            return
        console.print(
            f"run {summary.run_id}: {summary.rows:,} rows screened, {summary.rows_with_hits:,} with hits "
            f"({summary.hits:,} hits), {summary.alerts_created:,} alerts raised, "
            f"{summary.report.rows_skipped:,} rows skipped, {summary.seconds:.1f} s -> {out}",
            highlight=False,
        )
        if summary.report.rows_skipped:
            err_console.print(summary.report.summary(), highlight=False)

    @customers_app.command("load")
    def customers_load(
        source: Annotated[Path, typer.Argument(help="Customer file: .csv, .xlsx, .parquet or .jsonl.")],
        id_column: Annotated[str, typer.Option(help="Column holding the customer id.")] = "id",
        name_column: Annotated[str, typer.Option(help="Column holding the name.")] = "name",
        type_column: Annotated[
            str | None, typer.Option(help="Column: person / organization / vessel.")
        ] = None,
        dob_column: Annotated[str | None, typer.Option(help="Column holding the date of birth.")] = None,
        country_column: Annotated[str | None, typer.Option(help="Column holding the country.")] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """Add or update monitored customers (by id) and screen them against the current lists.

        Every later list import re-screens them against what changed.

        Example: vigil customers load customers.csv --id-column customer_id --dob-column dob
        """
        mapping = ColumnMapping(
            name_column=name_column,
            id_column=id_column,
            type_column=type_column,
            dob_column=dob_column,
            country_column=country_column,
        )
        try:
            with _store() as store:
                upserted, summary = _service(store, workers=os.cpu_count() or 1).load_customers(
                    source, mapping, actor=_actor()
                )
        except VigilError as exc:
            _fail(err_console, exc)
        data = {
            "added": upserted.added,
            "updated": upserted.updated,
            "unchanged": upserted.unchanged,
            "alerts_created": 0 if summary is None else len(summary.alerts_created),
        }
        if as_json:
            console.print_json(json.dumps(data))
        else:
            console.print(", ".join(f"{k}: {v:,}" for k, v in data.items()), highlight=False)

    @customers_app.command("list")
    def customers_list(limit: Annotated[int, typer.Option()] = 50, as_json: JsonFlag = False) -> None:
        """The monitored customers.

        Example: vigil customers list --limit 20
        """
        try:
            with _store() as store:
                rows = []
                for customer in store.iter_customers():
                    rows.append(
                        {
                            "id": customer.id,
                            "name": customer.name,
                            "schema": customer.schema,
                            "dob": customer.dob,
                        }
                    )
                    if len(rows) >= limit:
                        break
        except VigilError as exc:
            _fail(err_console, exc)
        _print_rows(console, "Monitored customers", rows, ("id", "name", "schema", "dob"), as_json)

    def _alert_dict(alert: Alert) -> dict[str, Any]:
        return {
            "id": alert.id,
            "status": alert.status,
            "customer_id": alert.customer_id,
            "query": alert.query.get("name"),
            "party_id": alert.party_id,
            "group_id": alert.group_id,
            "score": alert.score,
            "kind": alert.kind,
            "created_at": alert.created_at,
            "row_version": alert.row_version,
            "list_versions": alert.list_versions,
            "explanation": alert.explanation.get("text"),
            "dispositions": [
                {"decision": d.decision, "reason": d.reason, "reviewer": d.reviewer, "at": d.created_at}
                for d in alert.dispositions
            ],
        }

    @alerts_app.command("list")
    def alerts_list(
        status: Annotated[
            str | None, typer.Option(help="open, pending_confirmation, escalated, closed_...")
        ] = None,
        min_score: Annotated[float | None, typer.Option(help="Only alerts scoring at least this.")] = None,
        limit: Annotated[int, typer.Option()] = 50,
        as_json: JsonFlag = False,
    ) -> None:
        """The alert queue, newest first.

        Example: vigil alerts list --status open
        """
        try:
            with _store() as store:
                alerts = store.list_alerts(status=status, min_score=min_score, limit=limit)
        except VigilError as exc:
            _fail(err_console, exc)
        if as_json:
            console.print_json(json.dumps([_alert_dict(a) for a in alerts]))
            return
        table = Table(title="Alerts")
        for column in ("id", "status", "customer", "query", "listed", "score", "created"):
            table.add_column(column, overflow="fold")
        for alert in alerts:
            table.add_row(
                str(alert.id),
                alert.status,
                alert.customer_id or "",
                str(alert.query.get("name", "")),
                str(alert.explanation.get("matched_name", alert.party_id)),
                f"{alert.score:.2f}",
                alert.created_at[:19],
            )
        console.print(table)

    @alerts_app.command("show")
    def alerts_show(alert_id: Annotated[int, typer.Argument()], as_json: JsonFlag = False) -> None:
        """One alert with its evidence and dispositions.

        Example: vigil alerts show 12
        """
        try:
            with _store() as store:
                alert = store.get_alert(alert_id)
        except VigilError as exc:
            _fail(err_console, exc)
        data = _alert_dict(alert)
        if as_json:
            console.print_json(json.dumps(data))
            return
        for key, value in data.items():
            console.print(f"[bold]{key}[/]: {value}", highlight=False, soft_wrap=True)

    @alerts_app.command("dispose")
    def alerts_dispose(
        alert_id: Annotated[int, typer.Argument()],
        decision: Annotated[
            str, typer.Argument(help="true_match, false_positive, escalate, confirm or reject.")
        ],
        reason: Annotated[str, typer.Option(help="Why: an examiner will read it.")],
        reviewer: Annotated[str, typer.Option(help="Who decides.")],
        four_eyes: Annotated[
            bool, typer.Option("--four-eyes/--no-four-eyes", help="A true match needs a second reviewer.")
        ] = True,
        as_json: JsonFlag = False,
    ) -> None:
        """Record a decision on an alert (a true match waits for a second reviewer's confirm).

        Example: vigil alerts dispose 12 false_positive --reason "DOB differs" --reviewer ana
        """
        try:
            with _store() as store:
                current = store.get_alert(alert_id)
                alert = store.dispose(
                    alert_id,
                    decision,  # type: ignore[arg-type]
                    reason,
                    reviewer,
                    expected_row_version=current.row_version,
                    four_eyes=four_eyes,
                )
        except VigilError as exc:
            _fail(err_console, exc)
        if as_json:
            console.print_json(json.dumps(_alert_dict(alert)))
        else:
            console.print(f"alert {alert.id}: {alert.status}", highlight=False)

    @allow_app.command("add")
    def allow_add(
        customer_id: Annotated[str, typer.Argument()],
        group_id: Annotated[str, typer.Argument(help="The listed party's group, e.g. un:KPi.033.")],
        reason: Annotated[str, typer.Option()],
        reviewer: Annotated[str, typer.Option()],
        expires: Annotated[str | None, typer.Option(help="ISO date the entry expires (recommended).")] = None,
    ) -> None:
        """Clear a customer / listed party pair until the party changes or the entry expires.

        Example: vigil allow add C-17 un:KPi.033 --reason "other person" --reviewer ana --expires 2027-06-30
        """
        try:
            with _store() as store:
                hashes = store.group_hashes([group_id])
                if group_id not in hashes:
                    raise InputError(f"no listed group {group_id!r} in the current lists")
                entry = store.add_allow(customer_id, group_id, hashes[group_id], reason, reviewer, expires)
        except VigilError as exc:
            _fail(err_console, exc)
        console.print(f"allowlist entry {entry.id} added", highlight=False)

    @allow_app.command("list")
    def allow_list(as_json: JsonFlag = False) -> None:
        """Valid allowlist entries.

        Example: vigil allow list
        """
        try:
            with _store() as store:
                entries = store.list_allow()
        except VigilError as exc:
            _fail(err_console, exc)
        rows = [
            {
                "id": e.id,
                "customer": e.customer_id,
                "group": e.group_id,
                "reason": e.reason,
                "by": e.created_by,
                "expires": e.expires_at,
            }
            for e in entries
        ]
        _print_rows(
            console, "Allowlist", rows, ("id", "customer", "group", "reason", "by", "expires"), as_json
        )

    @allow_app.command("revoke")
    def allow_revoke(
        entry_id: Annotated[int, typer.Argument()],
        reason: Annotated[str, typer.Option()],
        reviewer: Annotated[str, typer.Option()],
    ) -> None:
        """Revoke an allowlist entry.

        Example: vigil allow revoke 3 --reason "customer data changed" --reviewer ana
        """
        try:
            with _store() as store:
                store.revoke_allow(entry_id, reason, actor=reviewer)
        except VigilError as exc:
            _fail(err_console, exc)
        console.print(f"allowlist entry {entry_id} revoked", highlight=False)

    @audit_app.command("verify")
    def audit_verify(
        anchor: Annotated[
            str | None,
            typer.Option(
                help="A head kept elsewhere earlier, as SEQ:HASH (printed by this command): also finds "
                "the newest records deleted, or the chain recomputed, since then."
            ),
        ] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """Check the audit log's hash chain: any changed, deleted or reordered record is found.

        A chain alone cannot show that its newest records were cut off; keep the printed head
        somewhere else and pass it back with --anchor. Exits with code 1 when the chain is broken.

        Example: vigil audit verify
        Example: vigil audit verify --anchor 1842:9f2c…
        """
        anchored: tuple[int, str] | None = None
        if anchor is not None:
            seq_text, _, digest = anchor.partition(":")
            if not seq_text.strip().isdigit() or not digest.strip():
                _fail(err_console, InputError(f"--anchor {anchor!r}: expected SEQ:HASH, e.g. 1842:9f2c…"))
            anchored = (int(seq_text), digest.strip())
        try:
            with _store() as store:
                report = store.audit_verify(anchored)
                head = store.audit_head()
        except VigilError as exc:
            _fail(err_console, exc)
        data = {
            "ok": report.ok,
            "records": report.records,
            "first_bad_seq": report.first_bad_seq,
            "problem": report.problem,
            "head": None if head is None else {"seq": head[0], "hash": head[1]},
        }
        if as_json:
            console.print_json(json.dumps(data))
        elif report.ok:
            console.print(
                f"audit log intact: {report.records:,} records; head "
                + (
                    "none" if head is None else f"{head[0]}:{head[1]} (keep it elsewhere; --anchor checks it)"
                ),
                highlight=False,
            )
        else:
            console.print(
                f"[bold red]audit log broken[/] at record {report.first_bad_seq}: {report.problem}",
                highlight=False,
            )
        if not report.ok:
            raise typer.Exit(code=1)

    @audit_app.command("log")
    def audit_log(
        since: Annotated[int, typer.Option(help="Records after this sequence number.")] = 0,
        limit: Annotated[int, typer.Option()] = 50,
        action: Annotated[str | None, typer.Option(help="Only this action, e.g. alert.dispose.")] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """Read the audit log.

        Example: vigil audit log --action alert.dispose
        """
        try:
            with _store() as store:
                records = store.audit_records(since_seq=since, limit=limit, action=action)
        except VigilError as exc:
            _fail(err_console, exc)
        rows = [
            {
                "seq": r.seq,
                "at": r.at,
                "actor": r.actor,
                "action": r.action,
                "subject": r.subject,
                "payload": r.payload,
            }
            for r in records
        ]
        if as_json:
            console.print_json(json.dumps(rows))
            return
        table = Table(title="Audit log")
        for column in ("seq", "at", "actor", "action", "subject"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(
                str(row["seq"]),
                str(row["at"])[:19],
                str(row["actor"]),
                str(row["action"]),
                str(row["subject"]),
            )
        console.print(table)

    @app.command("report")
    def report(
        out: Annotated[Path, typer.Option("--out", "-o", help="Report file: .html or .pdf.")],
        run: Annotated[int | None, typer.Option(help="One screening run (batch report).")] = None,
        start: Annotated[
            str | None, typer.Option("--from", help="First day of a period report (YYYY-MM-DD).")
        ] = None,
        end: Annotated[
            str | None, typer.Option("--to", help="Last day of a period report (YYYY-MM-DD).")
        ] = None,
    ) -> None:
        """The screening report an examiner asks for: list versions, thresholds, counts, alerts and decisions.

        Example: vigil report --run 12 --out run-12.pdf
        Example: vigil report --from 2026-11-01 --to 2026-11-30 --out november.html
        """
        from datetime import date

        from vigil.screening.reports import batch_report, period_report

        try:
            if out.suffix.lower() not in (".html", ".pdf"):
                raise InputError(f"{out}: the report is written as .html or .pdf")
            with _store() as store:
                if run is not None:
                    built = batch_report(store, run, generated_by=_actor())
                elif start is not None and end is not None:
                    try:
                        first, last = date.fromisoformat(start), date.fromisoformat(end)
                    except ValueError as exc:
                        raise InputError(f"--from/--to must be YYYY-MM-DD: {exc}") from None
                    built = period_report(store, first, last, generated_by=_actor())
                else:
                    raise InputError("give --run, or --from and --to")
            if out.suffix.lower() == ".pdf":
                out.write_bytes(built.to_pdf())
            else:
                out.write_text(built.to_html(), encoding="utf-8")
        except VigilError as exc:
            _fail(err_console, exc)
        console.print(f"report written to {out}", highlight=False)

    @app.command("serve")
    def serve(
        host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
        workers: Annotated[int, typer.Option(help="Server processes (one per core serves most load).")] = 1,
    ) -> None:
        """Serve the REST API and the web UI (at /ui).

        Clients authenticate with API keys made by `vigil keys add`.

        Example: vigil serve --port 8000
        """
        from vigil.api.serve import serve as run_server

        settings = get_settings()
        settings.home.mkdir(parents=True, exist_ok=True)
        with _store() as store:
            ensure_snapshot(store)
            # Build the match index once here, so the server processes load it from the cache.
            _service(store).matcher()
        run_server(settings, host=host, port=port, workers=workers)

    @keys_app.command("add")
    def keys_add(
        name: Annotated[str, typer.Argument(help="Who uses the key (shown in the audit log).")],
        role: Annotated[str, typer.Option(help="viewer, reviewer or admin.")] = "viewer",
        as_json: JsonFlag = False,
    ) -> None:
        """Create an API key; the key is shown once, only its hash is stored.

        Example: vigil keys add ana --role reviewer
        """
        try:
            with _store() as store:
                issued = store.create_key(name, role, actor=_actor())
        except VigilError as exc:
            _fail(err_console, exc)
        if as_json:
            console.print_json(
                json.dumps({"id": issued.key.id, "name": name, "role": role, "key": issued.plain})
            )
        else:
            console.print(f"key {issued.key.id} for {name} ({role}): {issued.plain}", highlight=False)
            err_console.print("Store it now: it is not shown again.")

    @keys_app.command("list")
    def keys_list(as_json: JsonFlag = False) -> None:
        """Valid API keys (never the keys themselves).

        Example: vigil keys list
        """
        try:
            with _store() as store:
                keys = store.list_keys()
        except VigilError as exc:
            _fail(err_console, exc)
        rows = [{"id": k.id, "name": k.name, "role": k.role, "created_at": k.created_at} for k in keys]
        _print_rows(console, "API keys", rows, ("id", "name", "role", "created_at"), as_json)

    @keys_app.command("revoke")
    def keys_revoke(key_id: Annotated[int, typer.Argument()]) -> None:
        """Revoke an API key at once.

        Example: vigil keys revoke 3
        """
        try:
            with _store() as store:
                store.revoke_key(key_id, actor=_actor())
        except VigilError as exc:
            _fail(err_console, exc)
        console.print(f"key {key_id} revoked", highlight=False)

    app.add_typer(keys_app, name="keys")
    app.add_typer(customers_app, name="customers")
    app.add_typer(alerts_app, name="alerts")
    app.add_typer(allow_app, name="allow")
    app.add_typer(audit_app, name="audit")
