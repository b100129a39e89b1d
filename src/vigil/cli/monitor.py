"""`vigil monitor ...`: implementation scorecard, DPRK timeline, exports and the user's own rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from vigil.errors import InputError, VigilError

__all__ = ["register"]

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
StatesOpt = Annotated[
    list[str] | None,
    typer.Option("--state", help="A state (name or ISO code); repeat or separate with commas."),
]


def _fail(console: Any, exc: VigilError) -> None:
    console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True, markup=True)
    raise typer.Exit(code=2)


def _report(region: str, states: list[str] | None, flt: Any = None) -> Any:
    from vigil.lists.snapshot import ensure_snapshot
    from vigil.monitor.service import monitor_report
    from vigil.settings import get_settings
    from vigil.store import open_store

    settings = get_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    with open_store(settings.database_url) as store:
        ensure_snapshot(store)
        return monitor_report(settings.home, store, region=region, states=states or (), flt=flt)


def _filter(
    start: str | None,
    end: str | None,
    kinds: list[str] | None,
    types: list[str] | None,
    outcomes: list[str] | None,
    states: list[str] | None = None,
) -> Any:
    from vigil.monitor.timeline import TimelineFilter

    return TimelineFilter.parse(start, end, kinds or (), types or (), outcomes or (), states or ())


def register(app: typer.Typer, console: Any, err_console: Any) -> None:
    """Add ``vigil monitor ...`` to the ``vigil`` app."""
    monitor_app = typer.Typer(
        help="Implementation monitor: per-state scorecard and the DPRK timeline.", no_args_is_help=True
    )
    app.add_typer(monitor_app, name="monitor")

    @monitor_app.command("scorecard")
    def scorecard(
        region: Annotated[str, typer.Option("--region", help="Region of states (asean).")] = "asean",
        states: StatesOpt = None,
        as_json: JsonFlag = False,
    ) -> None:
        """Per state: reports per resolution, DPRK mission, visa regime, enforcement cases.

        Cells with no data say "unknown" (never no or zero); --json gives each cell's source.
        Example: vigil monitor scorecard --region asean
        Example: vigil monitor scorecard --state DEU --state China
        """
        try:
            report = _report(region, states)
        except VigilError as exc:
            _fail(err_console, exc)
        card = report.scorecard
        if as_json:
            console.print_json(json.dumps(card.to_dict()))
            return
        reports = Table(
            title="Implementation reports submitted, per resolution",
            caption="yes / no / ? (unknown: no data, which is not no)",
        )
        reports.add_column("state")
        for res in card.resolutions:
            reports.add_column(res, justify="center")
        for s in card.states:
            reports.add_row(s.iso3, *[_short(s.reports[r].value) for r in card.resolutions])
        console.print(reports)
        table = Table(title="Scorecard (unknown = no data, not no)")
        table.add_column("state", overflow="fold")
        for column in ("reports", "DPRK mission", "visa regime", "enforcement"):
            table.add_column(column, overflow="fold")
        for s in card.states:
            table.add_row(
                f"{s.name} ({s.iso3})",
                s.reports_summary.value,
                s.mission.value,
                s.visa.value,
                s.enforcement.value,
            )
        console.print(table)
        console.print("Sources and confidence of every cell: vigil monitor scorecard --json", highlight=False)

    def _short(value: str) -> str:
        return "?" if value == "unknown" else value

    @monitor_app.command("timeline")
    def timeline(
        start: Annotated[
            str | None, typer.Option("--from", help="First date (YYYY, YYYY-MM or YYYY-MM-DD).")
        ] = None,
        end: Annotated[
            str | None, typer.Option("--to", help="Last date (YYYY, YYYY-MM or YYYY-MM-DD).")
        ] = None,
        kinds: Annotated[
            list[str] | None,
            typer.Option(
                "--kind",
                help="missile_test, nuclear_test, resolution, designations, enforcement (repeatable).",
            ),
        ] = None,
        types: Annotated[
            list[str] | None, typer.Option("--missile-type", help="SRBM, ICBM, SLBM ... (repeatable).")
        ] = None,
        outcomes: Annotated[
            list[str] | None, typer.Option("--outcome", help="success, failure or unknown (repeatable).")
        ] = None,
        event_states: Annotated[
            list[str] | None,
            typer.Option("--state", help="Enforcement events of these states only (name or ISO code)."),
        ] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """Tests, resolutions, designation waves and enforcement events on one time axis.

        Example: vigil monitor timeline --from 2016
        Example: vigil monitor timeline --from 2017 --to 2017 --kind missile_test --missile-type ICBM
        """
        try:
            report = _report("asean", None, _filter(start, end, kinds, types, outcomes, event_states))
        except VigilError as exc:
            _fail(err_console, exc)
        tl = report.timeline
        if as_json:
            console.print_json(json.dumps(tl.to_dict()))
            return
        table = Table(title=f"Timeline ({len(tl.events)} events)")
        for column in ("date", "kind", "event", "confidence"):
            table.add_column(column)
        for e in tl.events:
            table.add_row(e.date, e.kind, e.label, e.confidence)
        console.print(table)
        after = Table(title="UN designations after each resolution (until the next one)")
        for column in ("resolution", "adopted", "on adoption day", "until next"):
            after.add_column(column)
        for a in tl.designations_after:
            after.add_row(a["resolution"], a["adopted"], str(a["on_adoption"]), str(a["until_next"]))
        console.print(after)
        console.print(f"designations from: {tl.designations_source}", highlight=False)

    @monitor_app.command("export")
    def export(
        output: Annotated[Path, typer.Argument(help="File to write: .pdf or .html.")],
        region: Annotated[str, typer.Option("--region", help="Region of states (asean).")] = "asean",
        states: StatesOpt = None,
        start: Annotated[str | None, typer.Option("--from", help="First date of the timeline.")] = None,
        end: Annotated[str | None, typer.Option("--to", help="Last date of the timeline.")] = None,
        kinds: Annotated[list[str] | None, typer.Option("--kind", help="Event kinds to keep.")] = None,
    ) -> None:
        """Write the scorecard and the timeline as one PDF or HTML document.

        Example: vigil monitor export monitor.pdf --from 2016
        """
        try:
            suffix = output.suffix.casefold()
            if suffix not in (".pdf", ".html", ".htm"):
                raise InputError(f"{output}: the file name must end in .pdf or .html")
            report = _report(region, states, _filter(start, end, kinds, None, None))
            if suffix == ".pdf":
                output.write_bytes(report.to_pdf())
            else:
                output.write_text(report.to_html(), encoding="utf-8")
        except VigilError as exc:
            _fail(err_console, exc)
        except OSError as exc:
            _fail(err_console, InputError(f"{output}: cannot write ({exc.strerror})"))
        console.print(f"wrote {output}", highlight=False)

    @monitor_app.command("add")
    def add(
        file: Annotated[Path, typer.Argument(help="CSV file with the columns of one data set (see docs).")],
        dataset: Annotated[
            str | None, typer.Option("--dataset", help="Data set (default: the one the header matches).")
        ] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """Add or correct rows (a new report, a new test ...); every row needs sources and confidence.

        Rows are validated first (dates, ISO codes, vocabularies); a file with any error changes
        nothing. Accepted rows are kept in $VIGIL_HOME/monitor/ and override bundled rows with the
        same key. Example: vigil monitor add my_reports.csv
        """
        from vigil.monitor.data import add_user_file
        from vigil.settings import get_settings

        try:
            result = add_user_file(get_settings().home, file, dataset)
        except VigilError as exc:
            _fail(err_console, exc)
        if as_json:
            console.print_json(json.dumps(result.to_dict()))
            return
        console.print(
            f"{result.dataset}: {result.added} row(s) accepted ({result.overrides_bundled} replace "
            f"bundled rows, {result.replaced_user} replace earlier rows of yours); kept in {result.path}",
            highlight=False,
        )

    @monitor_app.command("datasets")
    def datasets(as_json: JsonFlag = False) -> None:
        """The data sets a user file may add to, with their key and required columns."""
        from vigil.monitor.data import DATASETS

        rows: list[dict[str, Any]] = [
            {
                "dataset": d.name,
                "file": d.file,
                "title": d.title,
                "key": list(d.key),
                "required": list(d.required),
                "columns": d.columns(),
            }
            for d in DATASETS.values()
        ]
        if as_json:
            console.print_json(json.dumps(rows))
            return
        table = Table(title="Monitor data sets (user files use exactly these columns)")
        for column in ("dataset", "title", "key", "required", "columns"):
            table.add_column(column)
        for r in rows:
            table.add_row(
                r["dataset"],
                r["title"],
                ", ".join(r["key"]),
                ", ".join(r["required"]),
                ", ".join(r["columns"]),
            )
        console.print(table)
