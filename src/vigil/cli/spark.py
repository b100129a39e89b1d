"""`vigil spark …`: screening, re-screening, the 50 % rule and AIS detectors on Apache Spark.

Every command runs in local mode (``--master local[4]``) or, under ``spark-submit``, on the
cluster it was submitted to (see docs/spark.md). Inputs and outputs are Parquet, local paths or
any Hadoop-compatible URI (``hdfs://``, ``s3a://``, ``abfss://``). pyspark is imported only when
one of these commands runs.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vigil.cli.screening import AlgorithmOption, ThresholdOption
from vigil.errors import VigilError
from vigil.match.algorithms import DEFAULT_ALGORITHM
from vigil.screening.files import ColumnMapping

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["register"]

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
MasterOption = Annotated[
    str | None,
    typer.Option(
        "--master",
        help="Spark master (local[4], yarn, spark://host:7077); default: spark-submit's, else local[*].",
    ),
]
OverwriteFlag = Annotated[bool, typer.Option("--overwrite", help="Replace OUTPUT if it exists.")]
PartitionsOption = Annotated[
    int | None,
    typer.Option("--partitions", min=1, help="Number of tasks and output files (default: Spark's)."),
]


def _fail(console: Any, exc: VigilError) -> None:
    console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _session(master: str | None) -> SparkSession:
    from vigil.spark.session import get_session

    spark = get_session(master, app_name="vigil")
    spark.sparkContext.setLogLevel("WARN")
    return spark


def _mode(overwrite: bool) -> str:
    return "overwrite" if overwrite else "errorifexists"


def register(app: typer.Typer, console: Any, err_console: Any) -> None:
    """Add ``vigil spark ...`` to the ``vigil`` app."""
    spark_app = typer.Typer(
        help="Scale-out on Apache Spark: same answers as the local engine.", no_args_is_help=True
    )
    app.add_typer(spark_app, name="spark")

    def mapping_of(
        name_column: str,
        id_column: str | None,
        type_column: str | None,
        dob_column: str | None,
        country_column: str | None,
        imo_column: str | None,
        id_columns: list[str] | None,
        address_column: str | None = None,
    ) -> ColumnMapping:
        return ColumnMapping(
            name_column=name_column,
            id_column=id_column,
            type_column=type_column,
            dob_column=dob_column,
            country_column=country_column,
            imo_column=imo_column,
            identifier_columns=tuple(id_columns or ()),
            address_column=address_column,
        )

    @spark_app.command("screen")
    def screen(
        source: Annotated[str, typer.Argument(help="Customer table: a Parquet file, folder or URI.")],
        output: Annotated[str, typer.Argument(help="Results: a Parquet folder or URI (written by Spark).")],
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
                "--address-column", help="Column holding a wallet address: validated, screened exactly."
            ),
        ] = None,
        threshold: ThresholdOption = None,
        limit: Annotated[int, typer.Option(min=1, help="At most this many hits per row.")] = 10,
        algorithm: AlgorithmOption = DEFAULT_ALGORITHM,
        master: MasterOption = None,
        partitions: PartitionsOption = None,
        overwrite: OverwriteFlag = False,
        as_json: JsonFlag = False,
    ) -> None:
        """Screen every row of a Parquet customer table on Spark; the rows of `vigil screen-file`.

        The lists are the current versions in the store of this machine (VIGIL_HOME), as for
        screen-file; the match index is built once here and broadcast to the workers.

        Example: vigil spark screen customers.parquet results/ --id-column customer_id --master local[4]
        """
        from vigil.cli.screening import _service, _store
        from vigil.spark.screening import local_path, screen_table

        mapping = mapping_of(
            name_column,
            id_column,
            type_column,
            dob_column,
            country_column,
            imo_column,
            id_columns,
            address_column,
        )
        try:
            with _store() as store:
                service = _service(store, algorithm)
                matcher = service.matcher()
                crypto = service.crypto_lists() if address_column is not None else None
            spark = _session(master)
            summary = screen_table(
                spark,
                matcher,
                local_path(source),
                local_path(output),
                mapping,
                threshold=threshold,
                limit=limit,
                crypto=crypto,
                partitions=partitions,
                mode=_mode(overwrite),
            )
        except VigilError as exc:
            _fail(err_console, exc)
        data = {
            "rows": summary.rows,
            "rows_with_hits": summary.rows_with_hits,
            "hits": summary.hits,
            "seconds": round(summary.seconds, 2),
            "output": summary.output,
        }
        if as_json:
            console.print_json(json.dumps(data))
            return
        console.print(
            f"{summary.rows:,} rows screened, {summary.rows_with_hits:,} with hits ({summary.hits:,} hits) "
            f"in {summary.seconds:.1f} s -> {summary.output}",
            highlight=False,
        )

    @spark_app.command("rescreen")
    def rescreen(
        base: Annotated[str, typer.Argument(help="Monitored customers: a Parquet file, folder or URI.")],
        output: Annotated[str, typer.Argument(help="Alerts: a Parquet folder or URI.")],
        new: Annotated[int, typer.Option("--new", help="Id of the new list version (vigil lists versions).")],
        old: Annotated[
            int | None,
            typer.Option("--old", help="Id of the version it replaced (default: none, first import)."),
        ] = None,
        name_column: Annotated[str, typer.Option(help="Column holding the name.")] = "name",
        id_column: Annotated[str | None, typer.Option(help="Column holding the customer id.")] = None,
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
        algorithm: AlgorithmOption = DEFAULT_ALGORITHM,
        master: MasterOption = None,
        partitions: PartitionsOption = None,
        overwrite: OverwriteFlag = False,
        as_json: JsonFlag = False,
    ) -> None:
        """Re-screen a monitored base against only what list version NEW changed from OLD.

        Writes one row per alert the local re-screening would raise; prints the delisted groups.

        Example: vigil spark rescreen base.parquet alerts/ --old 3 --new 5 --id-column customer_id
        """
        from vigil.cli.screening import _store
        from vigil.match.engine import MatchConfig
        from vigil.spark.screening import delta_lists, local_path, rescreen_table

        mapping = mapping_of(
            name_column, id_column, type_column, dob_column, country_column, imo_column, id_columns
        )
        try:
            with _store() as store:
                delta = delta_lists(store, old, new, MatchConfig(algorithm=algorithm))
            spark = _session(master)
            summary = rescreen_table(
                spark,
                delta,
                local_path(base),
                local_path(output),
                mapping,
                partitions=partitions,
                mode=_mode(overwrite),
            )
        except VigilError as exc:
            _fail(err_console, exc)
        data = {
            "customers": summary.customers,
            "groups_screened": summary.groups_screened,
            "alerts": summary.alerts,
            "delisted_groups": summary.delisted_groups,
            "seconds": round(summary.seconds, 2),
            "output": summary.output,
        }
        if as_json:
            console.print_json(json.dumps(data))
            return
        console.print(
            f"{summary.customers:,} customers screened against {summary.groups_screened:,} changed "
            f"group(s): {summary.alerts:,} alert(s) -> {summary.output}; "
            f"{len(summary.delisted_groups):,} group(s) delisted",
            highlight=False,
        )

    @spark_app.command("ownership")
    def ownership(
        edges: Annotated[
            str, typer.Argument(help="Parquet edge table with columns owner, owned, share (percent).")
        ],
        output: Annotated[str, typer.Argument(help="Blocked entities: a Parquet folder or URI.")],
        blocked_column: Annotated[
            str | None,
            typer.Option("--blocked-column", help="Edge column marking rows whose owner is blocked."),
        ] = None,
        blocked_file: Annotated[
            str | None, typer.Option("--blocked", help="Parquet table of blocked ids (column id).")
        ] = None,
        threshold: Annotated[
            float, typer.Option(min=0.0, max=100.0, help="Share that blocks, percent.")
        ] = 50.0,
        master: MasterOption = None,
        overwrite: OverwriteFlag = False,
        as_json: JsonFlag = False,
    ) -> None:
        """Apply the OFAC 50 % rule on Spark: the entities blocked through ownership by blocked owners.

        Example: vigil spark ownership holdings.parquet blocked/ --blocked sdn_ids.parquet
        """
        from vigil.errors import InputError
        from vigil.spark.ownership import fifty_percent_rule, read_edges
        from vigil.spark.screening import local_path

        try:
            if blocked_column is None and blocked_file is None:
                raise InputError("give the blocked owners: --blocked-column COLUMN and/or --blocked FILE")
            spark = _session(master)
            frame, marked = read_edges(spark, local_path(edges), blocked_column=blocked_column)
            ids = []
            if marked is not None:
                ids.append(marked)
            if blocked_file is not None:
                table = spark.read.parquet(local_path(blocked_file))
                if "id" not in table.columns:
                    raise InputError(
                        f"{blocked_file}: no column 'id'; columns found: {', '.join(table.columns)}"
                    )
                ids.append(table.select(table["id"].cast("string").alias("id")))
            blocked = ids[0] if len(ids) == 1 else ids[0].unionByName(ids[1])
            result = fifty_percent_rule(spark, frame, blocked, threshold)
            result.blocked.write.mode(_mode(overwrite)).parquet(local_path(output))
            count = spark.read.parquet(local_path(output)).count()
        except VigilError as exc:
            _fail(err_console, exc)
        data = {"blocked": count, "rounds": result.rounds, "output": local_path(output)}
        if as_json:
            console.print_json(json.dumps(data))
            return
        console.print(
            f"{count:,} entity(ies) blocked by the {threshold:g} % rule in {result.rounds} round(s) "
            f"-> {data['output']}",
            highlight=False,
        )

    @spark_app.command("ais-detect")
    def ais_detect(
        positions: Annotated[
            str, typer.Argument(help="AIS positions: Parquet (an AIS store's positions/ folder) or URI.")
        ],
        output: Annotated[str, typer.Argument(help="Events: a Parquet folder or URI.")],
        preset: Annotated[
            str, typer.Option("--preset", help="gfw (Global Fishing Watch) or sts (tanker STS).")
        ] = "gfw",
        types: Annotated[
            str, typer.Option("--types", help="Comma-separated: encounter, gap.")
        ] = "encounter,gap",
        overrides: Annotated[
            list[str] | None,
            typer.Option("--set", help="Override a threshold, e.g. --set gap_min_s=21600 (repeatable)."),
        ] = None,
        master: MasterOption = None,
        overwrite: OverwriteFlag = False,
        as_json: JsonFlag = False,
    ) -> None:
        """Detect encounters and dark gaps on Spark: the events of `vigil ais detect` (no ports list).

        Example: vigil spark ais-detect ~/.vigil/ais/positions events/ --preset sts --master local[4]
        """
        from vigil.cli.ais_detect import _parse_set
        from vigil.maritime.presets import get_preset
        from vigil.spark.ais import detect_events, read_positions
        from vigil.spark.screening import local_path
        from vigil.spark.session import raise_job_error

        try:
            chosen = get_preset(preset)
            if overrides:
                chosen = chosen.replace(**_parse_set(overrides))
            spark = _session(master)
            events = detect_events(
                read_positions(spark, local_path(positions)),
                chosen,
                [t.strip() for t in types.split(",") if t.strip()],
            )
            try:
                events.write.mode(_mode(overwrite)).parquet(local_path(output))
                written = spark.read.parquet(local_path(output))
                counts = {r["type"]: int(r["count"]) for r in written.groupBy("type").count().collect()}
            except Exception as exc:
                raise_job_error(exc)
                raise
        except VigilError as exc:
            _fail(err_console, exc)
        data = {"preset": chosen.name, "events": counts, "output": local_path(output)}
        if as_json:
            console.print_json(json.dumps(data))
            return
        shown = ", ".join(f"{count:,} {kind}" for kind, count in sorted(counts.items())) or "no event"
        console.print(f"{shown} -> {data['output']}", highlight=False)
