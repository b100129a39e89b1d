"""`vigil crypto check`, `screen`, `exposure`: designated wallet addresses and exposure to them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import pyarrow.compute as pc
import typer

from vigil.errors import InputError, VigilError

__all__ = ["register"]

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _index() -> Any:
    from vigil.crypto.screening import AddressIndex
    from vigil.lists.snapshot import ensure_snapshot
    from vigil.settings import get_settings
    from vigil.store import open_store

    settings = get_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    with open_store(settings.database_url) as store:
        ensure_snapshot(store)
        return AddressIndex.from_parties(store.current_parties())


def _raise_exposure_alerts(result: Any, transfers: Path) -> dict[str, object]:
    from vigil.screening.service import ScreeningService
    from vigil.settings import get_settings
    from vigil.store import open_store

    settings = get_settings()
    with open_store(settings.database_url) as store:
        done = ScreeningService(store).raise_exposure_alerts(
            result, actor="cli", params={"input": transfers.name}
        )
    return {
        "run_id": done.run_id,
        "alerts_created": len(done.alerts_created),
        "alerts_updated": len(done.alerts_updated),
    }


def _read_table(path: Path) -> pa.Table:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            return pq.read_table(path)
        import pyarrow.csv as pacsv

        return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=False))
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc


def _write_table(table: pa.Table, path: Path) -> None:
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        pq.write_table(table, path)
        return
    import pyarrow.csv as pacsv

    columns = {}
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_list(column.type):
            column = pc.binary_join(column, " > ")
        columns[name] = column
    pacsv.write_csv(pa.table(columns), path)


def _fail(console: Any, exc: VigilError) -> None:
    console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def register(app: typer.Typer, console: Any, err_console: Any) -> None:
    """Add ``vigil crypto ...`` to the ``vigil`` app."""
    crypto_app = typer.Typer(
        help="Digital currency addresses: validate, screen, exposure.", no_args_is_help=True
    )
    app.add_typer(crypto_app, name="crypto")

    @crypto_app.command("check")
    def check(
        address: Annotated[str, typer.Argument(help="A wallet address (any supported chain).")],
        asset: Annotated[str | None, typer.Option(help="Asset code (XBT, ETH, USDT, TRX ...).")] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """Validate one address for its chain and screen it against the designated addresses.

        Example: vigil crypto check 0x098B716B8Aaf21512996dC57EB0615e2383E2f96
        """
        try:
            result = _index().lookup(address, asset)
        except VigilError as exc:
            _fail(err_console, exc)
        if as_json:
            console.print_json(json.dumps(result.to_dict()))
        else:
            check_ = result.check
            validity = (
                f"valid {check_.chain} {check_.kind} address (checksum: {check_.checksum})"
                if check_.valid
                else f"NOT a valid address: {check_.reason}"
            )
            console.print(f"{address}: {validity}", highlight=False)
            console.print(f"screening: {result.status}", highlight=False)
            for listing in result.listings:
                console.print(
                    f"  listed for {listing.name} ({listing.party_id}) as {listing.asset}; "
                    f"refs: {', '.join(listing.refs)}",
                    highlight=False,
                )
        if result.hit:
            raise typer.Exit(code=1)

    @crypto_app.command("screen")
    def screen(
        file: Annotated[Path, typer.Argument(help="CSV or Parquet file with an address column.")],
        out: Annotated[Path, typer.Option("--out", help="Output file (.csv or .parquet).")],
        column: Annotated[str, typer.Option(help="The address column.")] = "address",
        validate: Annotated[bool, typer.Option(help="Validate addresses that are not listed too.")] = True,
        as_json: JsonFlag = False,
    ) -> None:
        """Screen every address of a file; writes the rows with vigil_status and the holders.

        Example: vigil crypto screen wallets.csv --column address --out screened.csv
        """
        from vigil.crypto.screening import STATUSES

        try:
            table = _read_table(file)
            if column not in table.column_names:
                raise InputError(f"{file}: no column {column!r}; columns: {', '.join(table.column_names)}")
            index = _index()
            batch = index.lookup_batch(table.column(column).cast(pa.string()), validate=validate)
            entries = index.entries
            holders: list[str | None] = []
            refs: list[str | None] = []
            for entry in batch.entry.tolist():
                if entry < 0:
                    holders.append(None)
                    refs.append(None)
                    continue
                listings = entries[entry]
                holders.append("; ".join(sorted({f"{item.name} ({item.party_id})" for item in listings})))
                refs.append("; ".join(sorted({ref for item in listings for ref in item.refs})))
            result = (
                table.append_column("vigil_status", pa.array(batch.statuses(), pa.string()))
                .append_column("vigil_chain", pa.array(batch.chain, pa.string()))
                .append_column("vigil_holders", pa.array(holders, pa.string()))
                .append_column("vigil_refs", pa.array(refs, pa.string()))
            )
            _write_table(result, out)
        except VigilError as exc:
            _fail(err_console, exc)
        counts = batch.counts()
        summary = {"rows": len(table), "out": str(out), **{k: v for k, v in counts.items() if v}}
        if as_json:
            console.print_json(json.dumps(summary))
        else:
            console.print(
                ", ".join(f"{k}: {v}" for k, v in summary.items()) + f" (statuses: {', '.join(STATUSES)})",
                highlight=False,
            )

    @crypto_app.command("exposure")
    def exposure(
        transfers: Annotated[Path, typer.Argument(help="CSV/Parquet: tx_id, from, to, asset, amount, time.")],
        out: Annotated[Path, typer.Option("--out", help="Output file (.csv or .parquet).")],
        max_hops: Annotated[int, typer.Option(help="BFS depth for hop distance and paths.")] = 3,
        window_days: Annotated[float, typer.Option(help="Only transfers in the last N days.")] = 365,
        alerts: Annotated[
            bool,
            typer.Option(
                "--alerts",
                help="Raise an exposure alert per address within --max-hops (a run of kind monitor).",
            ),
        ] = False,
        as_json: JsonFlag = False,
    ) -> None:
        """Hop distance and haircut/poison taint of every address reached from a designated one.

        Example: vigil crypto exposure transfers.parquet --out exposure.csv --max-hops 3
        """
        from vigil.crypto.exposure import compute_exposure, load_transfers

        try:
            graph = load_transfers(transfers)
            index = _index()
            result = compute_exposure(graph, index.key_array(), max_hops=max_hops, window_days=window_days)
            table = result.to_table()
            _write_table(table, out)
            raised = _raise_exposure_alerts(result, transfers) if alerts else None
        except VigilError as exc:
            _fail(err_console, exc)
        designated = int(result.designated.sum())
        summary = {
            "transfers": len(graph),
            "addresses": len(graph.nodes),
            "designated_in_graph": designated,
            "exposed_rows": table.num_rows,
            "out": str(out),
        }
        if raised is not None:
            summary.update(raised)
        if as_json:
            console.print_json(json.dumps(summary))
        else:
            console.print(", ".join(f"{k}: {v}" for k, v in summary.items()), highlight=False)
