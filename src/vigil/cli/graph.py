"""`vigil graph ...`: the network of listed parties, DPRK missions and loaded registries.

``paths`` (to designated parties), ``ownership`` (the OFAC 50 % rule), ``clusters`` (shared
attributes), ``export`` (GraphML, FollowTheMoney), ``registry load|list|remove`` (user company
data), ``screen`` (network exposure alerts for the monitored customers).
"""

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
NoMissions = Annotated[
    bool, typer.Option("--no-missions", help="Leave the DPRK missions abroad out of the network.")
]
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


def _home() -> Path:
    from vigil.settings import get_settings

    return get_settings().home


def _network(missions: bool = True) -> Any:
    """The graph of the current lists, the missions (``missions``) and the stored registries."""
    from vigil.graph.build import network_parties
    from vigil.graph.network import build_graph

    return build_graph(network_parties(_load_parties(), _home(), missions=missions))


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
        help="Ownership and relationship networks of listed parties, missions and registries.",
        no_args_is_help=True,
    )
    app.add_typer(graph_app, name="graph")
    registry_app = typer.Typer(help="User-supplied company data (registry extracts).", no_args_is_help=True)
    graph_app.add_typer(registry_app, name="registry")

    @graph_app.command("paths")
    def paths(
        name_or_id: Annotated[
            str, typer.Argument(help="A party id (ofac_sdn_advanced:19577) or exact name.")
        ],
        max_hops: Annotated[int, typer.Option("--max-hops", min=1, max=6, help="Longest path, in hops.")] = 3,
        k: Annotated[int, typer.Option("--k", min=1, max=20, help="How many best paths to show.")] = 3,
        no_missions: NoMissions = False,
        as_json: JsonFlag = False,
    ) -> None:
        """Paths from a party to designated parties through relations and shared attributes.

        Example: vigil graph paths "JIN TENG" --max-hops 2
        """
        from vigil.graph.network import paths_to_designated, resolve_party

        try:
            graph = _network(not no_missions)
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
        file: Annotated[
            Path | None,
            typer.Argument(
                help="CSV with columns owner,owned,share (percent). Without it: the ownership "
                "shares of the loaded lists and registries, with the designated parties as blocked."
            ),
        ] = None,
        blocked_column: Annotated[
            str, typer.Option("--blocked-column", help="Column marking rows whose owner is blocked.")
        ] = "blocked",
        as_json: JsonFlag = False,
    ) -> None:
        """Apply the OFAC 50 % rule: which entities are blocked through ownership by blocked owners.

        Example: vigil graph ownership holdings.csv --blocked-column owner_sdn
        """
        from vigil.graph.ownership import apply_fifty_percent_rule

        names: dict[str, str] = {}
        try:
            if file is not None:
                edges, blocked = read_ownership_csv(file, blocked_column)
            else:
                from vigil.graph.build import ownership_edges

                graph = _network(False)
                edges = ownership_edges(graph)
                blocked = {n for n, d in graph.nodes(data=True) if d.get("designated")}
                names = {str(n): str(d.get("name", n)) for n, d in graph.nodes(data=True)}
            result = apply_fifty_percent_rule(edges, blocked)
        except VigilError as exc:
            _fail(err_console, exc)
        if file is None:
            blocked = {e.owner for e in edges if e.owner in blocked}
        if as_json:
            data = {"blocked_owners": sorted(blocked), "blocked": [b.to_dict() for b in result.values()]}
            console.print_json(json.dumps(data))
            return
        console.print(f"{len(blocked)} blocked owner(s); {len(result)} entity(ies) blocked by the 50 % rule")

        def label(node: str) -> str:
            return f"{names[node]} ({node})" if node in names else node

        for entity in result.values():
            console.print(
                f"{label(entity.entity)}: {entity.share:g} % held by blocked owners",
                highlight=False,
                markup=False,
            )
            for chain in entity.chains:
                text = " -> ".join(
                    [label(chain[0].owner)] + [f"{label(e.owned)} ({e.share:g} %)" for e in chain]
                )
                console.print(f"  {text}", highlight=False, markup=False)

    @graph_app.command("clusters")
    def clusters(
        min_designated: Annotated[
            int, typer.Option("--min-designated", min=0, help="Only clusters touching this many designated.")
        ] = 1,
        limit: Annotated[int, typer.Option("--limit", min=1, help="How many clusters to show.")] = 20,
        no_missions: NoMissions = False,
        as_json: JsonFlag = False,
    ) -> None:
        """Groups of parties sharing addresses, phones, e-mails, passports, IMO company numbers,
        websites or officers, ranked by how many designated parties they touch.

        Example: vigil graph clusters --min-designated 2 --limit 10
        """
        from vigil.graph.clusters import find_clusters

        try:
            graph = _network(not no_missions)
            found = find_clusters(graph, min_designated=min_designated, limit=limit)
        except VigilError as exc:
            _fail(err_console, exc)
        if as_json:
            console.print_json(json.dumps([c.to_dict(graph) for c in found]))
            return
        if not found:
            console.print("no cluster", highlight=False)
        for number, cluster in enumerate(found, start=1):
            console.print(
                f"cluster {number}: {len(cluster.members)} parties, "
                f"{len(cluster.designated_touched)} designated touched",
                highlight=False,
            )
            for member in cluster.members:
                flag = " [designated]" if graph.nodes[member].get("designated") else ""
                console.print(
                    f"  {graph.nodes[member].get('name', member)} ({member}){flag}",
                    highlight=False,
                    markup=False,
                )
            for item in cluster.shared:
                console.print(
                    f"  same {item['attribute']}: {item['value']} ({len(item['parties'])} parties)",
                    highlight=False,
                    markup=False,
                )

    @graph_app.command("export")
    def export(
        output: Annotated[Path, typer.Argument(help="File to write.")],
        fmt: Annotated[
            str, typer.Option("--format", help="graphml or ftm (FollowTheMoney JSON lines).")
        ] = "graphml",
        no_missions: NoMissions = False,
    ) -> None:
        """Write the whole network as GraphML or FollowTheMoney JSON lines.

        Example: vigil graph export network.graphml --format graphml
        """
        from vigil.graph.export import FORMATS, write_ftm, write_graphml

        try:
            if fmt not in FORMATS:
                raise InputError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
            graph = _network(not no_missions)
            if fmt == "graphml":
                with output.open("wb") as binary:
                    write_graphml(graph, binary)
            else:
                with output.open("w", encoding="utf-8") as text:
                    write_ftm(graph, text)
        except VigilError as exc:
            _fail(err_console, exc)
        except OSError as exc:
            _fail(err_console, InputError(f"{output}: cannot write: {exc.strerror}"))
        console.print(
            f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges written to {output} ({fmt})",
            highlight=False,
        )

    @registry_app.command("load")
    def registry_load(
        file: Annotated[Path, typer.Argument(help="Statements table (.csv/.xlsx/.parquet) or FtM .jsonl.")],
        name: Annotated[
            str | None, typer.Option("--name", help="Registry name (default: the file name).")
        ] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """Check a registry file and keep it, so the network includes its companies and links.

        Example: vigil graph registry load examples/registry/companies.csv
        """
        from vigil.graph.registry import read_registry, store_registry

        try:
            parties = read_registry(file, name)
            stored = store_registry(_home(), parties)
        except VigilError as exc:
            _fail(err_console, exc)
        relations = sum(len(p.relations) for p in parties)
        if as_json:
            console.print_json(
                json.dumps(
                    {
                        "source": parties[0].source,
                        "entities": len(parties),
                        "links": relations,
                        "file": str(stored),
                    }
                )
            )
            return
        console.print(
            f"{parties[0].source}: {len(parties)} entities, {relations} links, kept in {stored}",
            highlight=False,
        )

    @registry_app.command("list")
    def registry_list(as_json: JsonFlag = False) -> None:
        """The registries kept for the network."""
        from vigil.graph.registry import registry_dir

        folder = registry_dir(_home())
        files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
        rows = [
            {"name": f.stem, "entities": sum(1 for line in f.open(encoding="utf-8") if line.strip())}
            for f in files
        ]
        if as_json:
            console.print_json(json.dumps(rows))
            return
        if not rows:
            console.print("no registry loaded", highlight=False)
        for row in rows:
            console.print(f"registry:{row['name']}: {row['entities']} entities", highlight=False)

    @registry_app.command("remove")
    def registry_remove(name: Annotated[str, typer.Argument(help="Registry name (as listed).")]) -> None:
        """Forget a loaded registry."""
        from vigil.graph.registry import registry_dir

        target = registry_dir(_home()) / f"{name.removeprefix('registry:')}.jsonl"
        if "/" in name or not target.is_file():
            _fail(err_console, InputError(f"no registry named {name!r} (see vigil graph registry list)"))
        target.unlink()
        console.print(f"registry:{target.stem} removed", highlight=False)

    @graph_app.command("screen")
    def screen(
        max_hops: Annotated[
            int, typer.Option("--max-hops", min=1, max=6, help="Alert within this many hops.")
        ] = 2,
        min_score: Annotated[
            float, typer.Option("--min-score", min=0.0, max=1.0, help="Lowest exposure score that alerts.")
        ] = 0.0,
        as_json: JsonFlag = False,
    ) -> None:
        """Raise network exposure alerts: monitored customers not listed themselves but within
        --max-hops of a designated party. A customer is a network node through its
        data.network_id, or by exact name of a registry entity.

        Example: vigil graph screen --max-hops 2
        """
        from vigil.graph.build import link_customers, network_parties
        from vigil.graph.network import build_graph
        from vigil.lists.snapshot import ensure_snapshot
        from vigil.screening.service import ScreeningService
        from vigil.settings import get_settings
        from vigil.store import open_store

        settings = get_settings()
        settings.home.mkdir(parents=True, exist_ok=True)
        try:
            with open_store(settings.database_url) as store:
                ensure_snapshot(store)
                graph = build_graph(network_parties(store.current_parties(), settings.home))
                links = link_customers(graph, store.iter_customers())
                summary = ScreeningService(store).raise_network_exposure_alerts(
                    graph, links, max_hops=max_hops, min_score=min_score
                )
        except VigilError as exc:
            _fail(err_console, exc)
        data = {
            "run_id": summary.run_id,
            "customers_linked": len(links),
            "alerts_created": summary.alerts_created,
            "alerts_updated": summary.alerts_updated,
        }
        if as_json:
            console.print_json(json.dumps(data))
            return
        console.print(
            f"run {summary.run_id}: {len(links)} customer(s) in the network; "
            f"{len(summary.alerts_created)} alert(s) created, {len(summary.alerts_updated)} updated",
            highlight=False,
        )
