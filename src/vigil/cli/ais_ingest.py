"""`vigil ais ingest`, `vigil vessels check`, `vigil vessels show`: AIS into the store, identity checks."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer

from vigil.errors import VigilError

__all__ = ["register_ingest"]

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
StoreOption = Annotated[
    Path | None, typer.Option("--store", "--ais", help="AIS store directory (default $VIGIL_HOME/ais).")
]


def _fail(console: Any, exc: VigilError) -> None:
    console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _timeline(store_path: Path | None) -> Any:
    from vigil.maritime.store import AisStore
    from vigil.maritime.vessels import identity_timeline

    return identity_timeline(AisStore(store_path))


def register_ingest(ais_app: typer.Typer, vessels_app: typer.Typer, console: Any, err_console: Any) -> None:
    """Add the ingest and vessel commands."""

    @ais_app.command("ingest")
    def ingest(
        files: Annotated[
            list[Path], typer.Argument(help="NMEA logs, MarineCadastre CSV (.csv/.csv.gz), Parquet.")
        ],
        store: Annotated[
            Path | None, typer.Option("--store", help="AIS store directory (default $VIGIL_HOME/ais).")
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="auto, nmea, csv or parquet.")] = "auto",
        as_json: JsonFlag = False,
    ) -> None:
        """Decode AIS files into the store: positions and static (identity) reports as Parquet.

        Bad checksums, garbage lines and rows without MMSI/time are counted with line numbers, not fatal.

        Example: vigil ais ingest ais_2022-01-03.nmea.gz marinecadastre.csv.gz --store ./ais
        """
        from rich.table import Table

        from vigil.maritime.ingest import ingest_files
        from vigil.maritime.store import AisStore

        try:
            target = AisStore(store)
            summaries = ingest_files(list(files), target, fmt)
        except VigilError as exc:
            _fail(err_console, exc)
        if as_json:
            console.print_json(
                json.dumps({"store": str(target.path), "files": [s.to_dict() for s in summaries]})
            )
            return
        table = Table(title=f"AIS ingest into {target.path}")
        for column in (
            "file",
            "format",
            "decoder",
            "lines/rows",
            "positions",
            "static",
            "vessels",
            "rejected",
            "seconds",
        ):
            table.add_column(column, justify="left" if column in ("file", "format", "decoder") else "right")
        for s in summaries:
            r = s.report
            table.add_row(
                s.path,
                s.format,
                r.decoder,
                f"{r.lines:,}",
                f"{r.positions:,}",
                f"{r.static:,}",
                f"{s.vessels:,}",
                f"{sum(r.rejected.values()):,}",
                f"{s.seconds:.2f}",
            )
        console.print(table)
        for s in summaries:
            for reason, count in sorted(s.report.rejected.items()):
                lines = ", ".join(map(str, s.report.examples.get(reason, [])))
                console.print(f"  {s.path}: {count:,} rejected — {reason} (lines {lines})", highlight=False)
            for what, count in sorted(s.report.nulled.items()):
                console.print(f"  {s.path}: {count:,} values set to null — {what}", highlight=False)
            if s.report.other_types:
                others = ", ".join(f"type {k}: {v:,}" for k, v in sorted(s.report.other_types.items()))
                console.print(f"  {s.path}: other message types skipped — {others}", highlight=False)

    @vessels_app.command("check")
    def check(
        ais: StoreOption = None,
        window_days: Annotated[int, typer.Option(help="Window for renames and flag hops, in days.")] = 365,
        min_changes: Annotated[int, typer.Option(help="Identity changes within the window to report.")] = 2,
        kind: Annotated[list[str] | None, typer.Option("--kind", help="Only these finding kinds.")] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """Check the identities ships broadcast on AIS against the designated vessels of the lists.

        Findings: designated IMO or name broadcast, MMSI country (MID) against the listed flag, one IMO on
        several MMSIs at once, renames and flag hops, dimensions or type unlike the listed ship.

        Example: vigil vessels check --ais ./ais --json
        """
        from vigil.maritime.identity import check_identities, list_record_findings
        from vigil.maritime.vessels import VesselRegistry

        try:
            registry = VesselRegistry.load()
            timeline = _timeline(ais)
            findings = list_record_findings(registry) + check_identities(
                registry, timeline, window_days=window_days, min_changes=min_changes
            )
        except VigilError as exc:
            _fail(err_console, exc)
        if kind:
            findings = [f for f in findings if f.kind in kind]
        if as_json:
            console.print_json(
                json.dumps(
                    {
                        "identities": timeline.height,
                        "listed_records": len(registry),
                        "findings": [f.to_dict() for f in findings],
                    }
                )
            )
            return
        counts = Counter(f.kind for f in findings)
        console.print(
            f"{len(registry):,} listed vessel records; {timeline.height:,} AIS identities; "
            f"{len(findings):,} findings ({', '.join(f'{k}: {v}' for k, v in counts.most_common())})",
            highlight=False,
        )
        for f in findings:
            when = f" [{f.start:%Y-%m-%d %H:%M} – {f.end:%Y-%m-%d %H:%M}]" if f.start and f.end else ""
            console.print(f"[{f.severity}] {f.kind}: {f.explanation}{when}", highlight=False, markup=False)

    @vessels_app.command("show")
    def show(
        query: Annotated[str, typer.Argument(help="IMO number, MMSI or vessel name.")],
        ais: StoreOption = None,
        as_json: JsonFlag = False,
    ) -> None:
        """Everything known about one ship: list records and designations, AIS identity timeline, findings.

        Example: vigil vessels show 8712362
        """
        from rich.table import Table

        from vigil.maritime.identity import describe_vessel
        from vigil.maritime.vessels import VesselRegistry

        try:
            result = describe_vessel(VesselRegistry.load(), _timeline(ais), query)
        except VigilError as exc:
            _fail(err_console, exc)
        if as_json:
            console.print_json(json.dumps(result, default=str))
            return
        console.print(
            f"{query} (as {result['as']}): designations {', '.join(result['designations']) or 'none'}",
            highlight=False,
        )
        for r in result["list_records"]:
            console.print(
                f"  {r['authority']} {r['reference']}: {r['name']} IMO {r['imo']} flag {r['flag']}"
                f" type {r['vessel_type']} listed {r['listed_on']} programmes "
                f"{', '.join(r['programmes'] or [])} UN {', '.join(r['un_refs'] or []) or '-'}",
                highlight=False,
                markup=False,
            )
        if result["ais_identities"]:
            table = Table(title="AIS identities")
            columns = (
                "mmsi",
                "imo",
                "name",
                "callsign",
                "flag",
                "ship_type",
                "length",
                "width",
                "first_seen",
                "last_seen",
                "reports",
            )
            for column in columns:
                table.add_column(column)
            for row in result["ais_identities"]:
                table.add_row(*["" if row.get(c) is None else str(row.get(c)) for c in columns])
            console.print(table)
        for f in result["findings"]:
            console.print(f"[{f['severity']}] {f['kind']}: {f['explanation']}", highlight=False, markup=False)
