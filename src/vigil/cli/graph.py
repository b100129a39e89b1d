"""`vigil graph paths`, `vigil graph ownership`: paths to designated parties and the OFAC 50 % rule."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import typer

from vigil.errors import InputError, VigilError
from vigil.model.party import Party

__all__ = ["register"]

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
_TRUE = {"1", "true", "yes", "y", "x", "blocked"}


def _load_parties() -> Iterable[Party]:
    from vigil.lists.snapshot import ensure_snapshot
    from vigil.settings import get_settings
    from vigil.store import open_store

    settings = get_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    with open_store(settings.database_url) as store:
        ensure_snapshot(store)
        return list(store.current_parties())


def _fail(console: Any, exc: VigilError) -> None:
    console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def read_ownership_csv(path: Path, blocked_column: str) -> tuple[list[Any], set[str]]:
    """Edges and blocked ids from a CSV with columns ``owner,owned,share`` (+ ``blocked_column``).

    A row whose ``blocked_column`` is truthy (1, true, yes, x, blocked) marks its owner as blocked.
    :class:`InputError` naming the line on a missing column or a share that is not a number.
    """
    from vigil.graph.ownership import OwnershipEdge

    if not path.is_file():
        raise InputError(f"{path}: no such file")
    edges: list[OwnershipEdge] = []
    blocked: set[str] = set()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"owner", "owned", "share"} - set(reader.fieldnames or ())
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        if blocked_column not in (reader.fieldnames or ()):
            raise InputError(f"{path}: no column {blocked_column!r} marks the blocked owners")
        for line, row in enumerate(reader, start=2):
            owner, owned = (row["owner"] or "").strip(), (row["owned"] or "").strip()
            if not owner or not owned:
                raise InputError(f"{path}:{line}: owner and owned must not be empty")
            try:
                share = float((row["share"] or "").strip().rstrip("%"))
            except ValueError:
                raise InputError(f"{path}:{line}: share {row['share']!r} is not a number") from None
            edges.append(OwnershipEdge(owner, owned, share))
            if (row.get(blocked_column) or "").strip().casefold() in _TRUE:
                blocked.add(owner)
    return edges, blocked


def register(app: typer.Typer, console: Any, err_console: Any) -> None:
    """Add ``vigil graph ...`` to the ``vigil`` app."""
    graph_app = typer.Typer(
        help="Ownership and relationship networks of listed parties.", no_args_is_help=True
    )
    app.add_typer(graph_app, name="graph")

    @graph_app.command("paths")
    def paths(
        name_or_id: Annotated[
            str, typer.Argument(help="A party id (ofac_sdn_advanced:19577) or exact name.")
        ],
        max_hops: Annotated[int, typer.Option("--max-hops", min=1, max=6, help="Longest path, in hops.")] = 3,
        k: Annotated[int, typer.Option("--k", min=1, max=20, help="How many best paths to show.")] = 3,
        as_json: JsonFlag = False,
    ) -> None:
        """Paths from a party to designated parties through relations and shared attributes.

        Example: vigil graph paths "JIN TENG" --max-hops 2
        """
        from vigil.graph.network import build_graph, paths_to_designated, resolve_party

        try:
            graph = build_graph(_load_parties())
            start = resolve_party(graph, name_or_id)
            report = paths_to_designated(graph, start, max_hops=max_hops, k=k)
        except VigilError as exc:
            _fail(err_console, exc)
        if as_json:
            console.print_json(json.dumps(report.to_dict()))
            return
        name = graph.nodes[start].get("name", start)
        console.print(f"{name} ({start}): exposure {report.exposure:g}", highlight=False)
        if not report.paths:
            console.print(f"no designated party within {max_hops} hop(s)", highlight=False)
        for number, path in enumerate(report.paths, start=1):
            console.print(f"path {number}: {len(path.hops)} hop(s), score {path.score:g}", highlight=False)
            for hop in path.hops:
                target = graph.nodes[hop.target]
                flag = " [designated]" if target.get("designated") else ""
                why = "; ".join(f"{e['evidence']} ({e['direction']})" for e in hop.evidence)
                console.print(
                    f"  -> {target.get('name', hop.target)} ({hop.target}){flag}: {why}",
                    highlight=False,
                    markup=False,
                )

    @graph_app.command("ownership")
    def ownership(
        file: Annotated[Path, typer.Argument(help="CSV with columns owner,owned,share (percent).")],
        blocked_column: Annotated[
            str, typer.Option("--blocked-column", help="Column marking rows whose owner is blocked.")
        ] = "blocked",
        as_json: JsonFlag = False,
    ) -> None:
        """Apply the OFAC 50 % rule: which entities are blocked through ownership by blocked owners.

        Example: vigil graph ownership holdings.csv --blocked-column owner_sdn
        """
        from vigil.graph.ownership import apply_fifty_percent_rule

        try:
            edges, blocked = read_ownership_csv(file, blocked_column)
            result = apply_fifty_percent_rule(edges, blocked)
        except VigilError as exc:
            _fail(err_console, exc)
        if as_json:
            data = {"blocked_owners": sorted(blocked), "blocked": [b.to_dict() for b in result.values()]}
            console.print_json(json.dumps(data))
            return
        console.print(f"{len(blocked)} blocked owner(s); {len(result)} entity(ies) blocked by the 50 % rule")
        for entity in result.values():
            console.print(f"{entity.entity}: {entity.share:g} % held by blocked owners", highlight=False)
            for chain in entity.chains:
                text = " -> ".join([chain[0].owner] + [f"{e.owned} ({e.share:g} %)" for e in chain])
                console.print(f"  {text}", highlight=False)
