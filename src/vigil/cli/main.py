"""The ``vigil`` command.

Examples::

    vigil lists status                 # load the bundled snapshot on first run, show what is loaded
    vigil lists diff un_sc             # what changed between the two newest UN versions
    vigil party un:KPi.033             # every authority's record of one party
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from vigil.cli.crypto import register as register_crypto
from vigil.cli.graph import register as register_graph
from vigil.cli.maritime import register as register_maritime
from vigil.cli.monitor import register as register_monitor
from vigil.cli.screening import register as register_screening
from vigil.cli.spark import register as register_spark
from vigil.errors import VigilError
from vigil.lists.fetch import DEFAULT_UPDATE_SOURCES, update_lists
from vigil.lists.importing import ImportOutcome, import_files
from vigil.lists.snapshot import ensure_snapshot, load_snapshot
from vigil.model import Party
from vigil.model.ftm import write_ftm_jsonl
from vigil.settings import get_settings
from vigil.sources.registry import SOURCE_KEYS, get_source
from vigil.store import open_store
from vigil.store.base import Store

app = typer.Typer(
    name="vigil",
    help="Vigil: official DPRK sanctions lists, screening and analytics. Run `vigil lists status` to start.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
lists_app = typer.Typer(
    help="Official sanctions lists: load, update, compare versions.", no_args_is_help=True
)
app.add_typer(lists_app, name="lists")

console = Console()
err_console = Console(stderr=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _open_store() -> Store:
    settings = get_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    return open_store(settings.database_url)


def _fail(exc: VigilError) -> None:
    err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress to stderr.")] = False,
) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr)


def _outcome_dict(outcome: ImportOutcome) -> dict[str, Any]:
    version = outcome.version
    return {
        "source": outcome.source,
        "created": outcome.created,
        "version": version.id,
        "published": version.published,
        "parties": version.party_count,
        "content_hash": version.content_hash,
        "seconds": round(outcome.seconds, 2),
        "warnings": len(outcome.warnings),
    }


def _print_outcomes(outcomes: list[ImportOutcome], as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps([_outcome_dict(o) for o in outcomes]))
        return
    for outcome in outcomes:
        data = _outcome_dict(outcome)
        state = "imported" if outcome.created else "already imported (no change)"
        console.print(
            f"{data['source']}: {state}: version {data['version']}, published {data['published']}, "
            f"{data['parties']:,} parties ({data['seconds']} s)",
            highlight=False,
        )


@lists_app.command("status")
def lists_status(as_json: JsonFlag = False) -> None:
    """Show the loaded lists (loading the bundled snapshot on first run).

    Example: vigil lists status --json
    """
    try:
        with _open_store() as store:
            loaded = ensure_snapshot(store)
            if loaded and not as_json:
                err_console.print("First run: loaded the bundled list snapshot.")
                _print_outcomes(loaded, False)
            rows = []
            for key in store.sources():
                version = store.latest_version(key)
                if version is None:
                    continue
                rows.append(
                    {
                        "source": key,
                        "version": version.id,
                        "published": version.published,
                        "imported_at": version.imported_at,
                        "parties": version.party_count,
                        "versions": len(store.versions(key)),
                        "origin": version.origin,
                    }
                )
    except VigilError as exc:
        _fail(exc)
    if as_json:
        console.print_json(json.dumps(rows))
        return
    table = Table(title="Loaded lists (latest version of each)")
    for column in ("source", "version", "published", "parties", "versions", "imported_at"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            *(
                f"{row[c]:,}" if isinstance(row[c], int) else str(row[c])
                for c in ("source", "version", "published", "parties", "versions", "imported_at")
            )
        )
    console.print(table)


@lists_app.command("sources")
def lists_sources(as_json: JsonFlag = False) -> None:
    """List every source Vigil can parse, with its publisher and official URLs.

    Example: vigil lists sources
    """
    rows: list[dict[str, Any]] = []
    for key in SOURCE_KEYS:
        source = get_source(key)
        rows.append(
            {
                "key": key,
                "authority": source.authority,
                "title": source.title,
                "publisher": source.publisher,
                "format": source.format,
                "files": {f.role: f.url for f in source.files},
            }
        )
    if as_json:
        console.print_json(json.dumps(rows))
        return
    table = Table(title="List sources")
    for column in ("key", "authority", "title", "format", "files"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["key"], row["authority"], row["title"], row["format"], "\n".join(row["files"].values())
        )
    console.print(table)


@lists_app.command("load-snapshot")
def lists_load_snapshot(as_json: JsonFlag = False) -> None:
    """Import the list snapshot bundled with Vigil (no network needed).

    Example: vigil lists load-snapshot
    """
    try:
        with _open_store() as store:
            outcomes = load_snapshot(store)
    except VigilError as exc:
        _fail(exc)
    _print_outcomes(outcomes, as_json)


@lists_app.command("import")
def lists_import(
    source: Annotated[str, typer.Argument(help=f"Source key: {', '.join(SOURCE_KEYS)}")],
    files: Annotated[list[Path], typer.Argument(help="The list file(s); ROLE=PATH to name a file's role.")],
    as_json: JsonFlag = False,
) -> None:
    """Import official list file(s) as a new version of a source.

    Example: vigil lists import un_sc consolidated.xml
    Example: vigil lists import ofac_sdn_csv sdn=SDN.CSV add=ADD.CSV alt=ALT.CSV comments=SDN_COMMENTS.CSV
    """
    paths: list[Path] | dict[str, Path]
    if all("=" in str(f) for f in files):
        paths = {str(f).split("=", 1)[0]: Path(str(f).split("=", 1)[1]) for f in files}
    else:
        paths = list(files)
    try:
        with _open_store() as store:
            outcome = import_files(store, source, paths)
    except VigilError as exc:
        _fail(exc)
    _print_outcomes([outcome], as_json)


@lists_app.command("update")
def lists_update(
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source", "-s", help=f"Source(s) to fetch (default: {', '.join(DEFAULT_UPDATE_SOURCES)})."
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Download the official lists from their publishers and import new versions.

    A failed or bad download keeps the previous version. URLs can be overridden with
    VIGIL_LIST_URL_<SOURCE> (e.g. VIGIL_LIST_URL_UN_SC) for a mirror.

    Example: vigil lists update --source un_sc
    """
    settings = get_settings()
    try:
        with _open_store() as store:
            outcomes = update_lists(store, settings, source)
    except VigilError as exc:
        _fail(exc)
    _print_outcomes(outcomes, as_json)


@lists_app.command("versions")
def lists_versions(
    source: Annotated[str | None, typer.Argument(help="Only this source.")] = None, as_json: JsonFlag = False
) -> None:
    """Every imported version, newest first.

    Example: vigil lists versions un_sc
    """
    try:
        with _open_store() as store:
            versions = store.versions(source)
    except VigilError as exc:
        _fail(exc)
    if as_json:
        console.print_json(json.dumps([asdict(v) for v in versions]))
        return
    table = Table(title="List versions")
    for column in ("id", "source", "published", "parties", "imported_at", "content_hash", "origin"):
        table.add_column(column, overflow="fold")
    for v in versions:
        table.add_row(
            str(v.id),
            v.source,
            str(v.published),
            f"{v.party_count:,}",
            v.imported_at,
            v.content_hash[:12],
            v.origin,
        )
    console.print(table)


@lists_app.command("diff")
def lists_diff(
    source: Annotated[str, typer.Argument(help="Source key, e.g. un_sc.")],
    old: Annotated[
        int | None, typer.Option("--from", help="Old version id (default: the one before --to).")
    ] = None,
    new: Annotated[int | None, typer.Option("--to", help="New version id (default: the latest).")] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many parties per change kind.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """What was added, removed and changed between two versions of a list.

    Example: vigil lists diff un_sc
    Example: vigil lists diff un_sc --from 1 --to 3 --json
    """
    try:
        with _open_store() as store:
            if old is None and new is None:
                diff = store.diff_latest(source)
            else:
                versions = store.versions(source)
                new_id = new if new is not None else versions[0].id
                if old is None:
                    older = [v.id for v in versions if v.id < new_id]
                    if not older:
                        raise VigilError(f"{source} has no version older than {new_id}")
                    old = older[0]
                diff = store.diff(old, new_id)
    except VigilError as exc:
        _fail(exc)
    changes = {"added": diff.added, "removed": diff.removed, "changed": diff.changed}
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "source": diff.source,
                    "old": None if diff.old is None else diff.old.id,
                    "new": diff.new.id,
                    "summary": diff.summary(),
                    **{
                        kind: [
                            {"party": c.party_id, "name": _change_name(c.after, c.before), "fields": c.fields}
                            for c in items[:limit]
                        ]
                        for kind, items in changes.items()
                    },
                }
            )
        )
        return
    old_text = "nothing" if diff.old is None else f"version {diff.old.id} ({diff.old.published})"
    console.print(
        f"{diff.source}: {old_text} → version {diff.new.id} ({diff.new.published})", highlight=False
    )
    console.print(", ".join(f"{k}: {v}" for k, v in diff.summary().items()), highlight=False)
    for kind, items in changes.items():
        if not items:
            continue
        table = Table(title=f"{kind} ({len(items)})")
        table.add_column("party")
        table.add_column("name")
        table.add_column("fields", overflow="fold")
        for change in items[:limit]:
            table.add_row(
                change.party_id, _change_name(change.after, change.before), ", ".join(change.fields)
            )
        console.print(table)


def _change_name(after: Party | None, before: Party | None) -> str:
    party = after if after is not None else before
    return "" if party is None else party.primary_name


@lists_app.command("export")
def lists_export(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file (.jsonl).")],
    fmt: Annotated[
        str, typer.Option("--format", help="ftm (FollowTheMoney JSON lines) or json (Vigil's model).")
    ] = "ftm",
    source: Annotated[list[str] | None, typer.Option("--source", "-s", help="Only these sources.")] = None,
) -> None:
    """Export the current version of the lists as FollowTheMoney or Vigil JSON lines.

    Example: vigil lists export --format ftm --out lists.ftm.jsonl
    """
    if fmt not in ("ftm", "json"):
        _fail(VigilError(f"unknown format {fmt!r}: use ftm or json"))
    try:
        with _open_store() as store, out.open("w", encoding="utf-8") as handle:
            parties = store.current_parties(source)
            if fmt == "ftm":
                count = write_ftm_jsonl(parties, handle)
            else:
                count = 0
                for party in parties:
                    handle.write(json.dumps(party.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
                    count += 1
    except VigilError as exc:
        _fail(exc)
    console.print(f"wrote {count:,} {'entities' if fmt == 'ftm' else 'parties'} to {out}", highlight=False)


@app.command("party")
def party_show(
    ref: Annotated[
        str, typer.Argument(help="A party id (un_sc:KPi.033) or an authority reference (un:KPi.033).")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Every authority's record of one party, side by side.

    Example: vigil party un:KPi.033
    """
    try:
        with _open_store() as store:
            ensure_snapshot(store)
            party_id = _resolve_party_id(store, ref)
            group = store.group_of(party_id)
    except VigilError as exc:
        _fail(exc)
    if as_json:
        console.print_json(json.dumps([p.to_dict() for p in group], ensure_ascii=False))
        return
    for party in group:
        _print_party(party)


def _resolve_party_id(store: Store, ref: str) -> str:
    authority = ref.partition(":")[0]
    if authority in ("un", "ofac", "uk", "eu"):
        for party in store.current_parties():
            if ref in party.authority_refs:
                return party.id
        raise VigilError(f"no party in the loaded lists has the reference {ref}")
    return ref


def _print_party(party: Party) -> None:
    table = Table(
        title=f"{party.primary_name} — {party.id} ({party.schema})", show_header=False, title_justify="left"
    )
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for d in party.designations:
        table.add_row(
            f"designation ({d.authority})",
            f"ref {d.reference}; {', '.join(d.programmes)}; listed {d.listed_on}; {'; '.join(d.legal_basis)}",
        )
        if d.narrative:
            table.add_row("narrative", d.narrative)
    for name in party.names:
        grade = ", ".join(x for x in (name.kind, name.quality, name.script) if x)
        table.add_row("name", f"{name.full}  [{grade}]")
    for date in party.birth_dates:
        table.add_row(
            "born", date.text or "..".join(x for x in (date.start, date.end) if x) + f" ({date.kind})"
        )
    if party.nationalities:
        table.add_row("nationality", ", ".join(party.nationalities))
    for ident in party.identifiers:
        table.add_row(
            ident.kind,
            f"{ident.value}"
            + (f" ({ident.chain})" if ident.chain else "")
            + (f" {ident.country}" if ident.country else ""),
        )
    for address in party.addresses:
        table.add_row("address", address.full)
    for relation in party.relations:
        table.add_row(
            "relation",
            f"{relation.kind} → {relation.target or relation.target_ref or relation.target_name} "
            f"{relation.text or ''}",
        )
    console.print(table)


register_screening(app, console, err_console)
register_crypto(app, console, err_console)
register_graph(app, console, err_console)
register_monitor(app, console, err_console)
register_maritime(app, console, err_console)
register_spark(app, console, err_console)

if __name__ == "__main__":
    app()
