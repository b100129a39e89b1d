"""`vigil ais detect`, `vigil ais simulate`, `vigil ais evaluate`: AIS events, a simulator, its scores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from vigil.errors import InputError, VigilError

__all__ = ["register_detect"]

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
StoreOption = Annotated[
    Path | None, typer.Option("--store", help="AIS store directory (default $VIGIL_HOME/ais).")
]


def _fail(console: Any, exc: VigilError) -> None:
    console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _parse_set(values: list[str]) -> dict[str, float | int]:
    out: dict[str, float | int] = {}
    for item in values:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--set {item!r}: expected name=value, e.g. gap_min_s=21600")
        try:
            out[name.strip()] = int(raw) if raw.strip().lstrip("-").isdigit() else float(raw)
        except ValueError:
            raise InputError(f"--set {item!r}: {raw!r} is not a number") from None
    return out


def register_detect(ais_app: typer.Typer, console: Any, err_console: Any) -> None:
    """Add the detector commands."""

    @ais_app.command("detect")
    def detect(
        preset: Annotated[
            str, typer.Option("--preset", help="gfw (Global Fishing Watch) or sts (tanker STS).")
        ] = "gfw",
        store: StoreOption = None,
        ports: Annotated[
            Path | None,
            typer.Option(
                "--ports", help="Ports CSV: name,lat,lon[,radius_m] (default: the bundled DPRK-region list)."
            ),
        ] = None,
        no_ports: Annotated[bool, typer.Option("--no-ports", help="Use no ports list at all.")] = False,
        areas: Annotated[
            Path | None,
            typer.Option(
                "--areas", help="GeoJSON polygons (properties.name, properties.kind = port for port calls)."
            ),
        ] = None,
        types: Annotated[
            str | None, typer.Option("--types", help="Comma-separated event types (default all).")
        ] = None,
        overrides: Annotated[
            list[str] | None,
            typer.Option("--set", help="Override a threshold, e.g. --set gap_min_s=21600 (repeatable)."),
        ] = None,
        limit: Annotated[int, typer.Option("--limit", help="Events to show.")] = 20,
        as_json: JsonFlag = False,
    ) -> None:
        """Detect encounters, loitering, dark gaps, dark rendezvous, identity overlaps, port calls and area
        entries in the store's positions; store them (Parquet in <store>/events/<preset>.parquet).

        Example: vigil ais detect --preset sts --store ./ais --areas dprk_waters.geojson
        """
        from rich.table import Table

        from vigil.maritime.events import EVENT_TYPES, detect_all, write_events
        from vigil.maritime.geo import load_areas
        from vigil.maritime.ports import load_ports
        from vigil.maritime.presets import get_preset
        from vigil.maritime.store import AisStore

        try:
            chosen = get_preset(preset)
            if overrides:
                chosen = chosen.replace(**_parse_set(overrides))
            wanted = tuple(t.strip() for t in types.split(",")) if types else EVENT_TYPES
            unknown = set(wanted) - set(EVENT_TYPES)
            if unknown:
                raise InputError(
                    f"--types: unknown {', '.join(sorted(unknown))}; known: {', '.join(EVENT_TYPES)}"
                )
            port_index = None if no_ports else load_ports(ports)
            area_list = load_areas(areas) if areas else []
            ais = AisStore(store)
            events = detect_all(ais.positions(), chosen, port_index, area_list, wanted)
            path = write_events(events, ais.events_dir, chosen.name, chosen.as_dict())
        except VigilError as exc:
            _fail(err_console, exc)
        counts = {t: events.filter(events["type"] == t).height for t in wanted}
        if as_json:
            shown = events.head(limit).with_columns(
                events["start"].head(limit).dt.to_string("%Y-%m-%dT%H:%M:%SZ"),
                events["end"].head(limit).dt.to_string("%Y-%m-%dT%H:%M:%SZ"),
            )
            rows = [{**r, "evidence": json.loads(r["evidence"])} for r in shown.to_dicts()]
            payload = {"preset": chosen.as_dict(), "file": str(path), "counts": counts, "events": rows}
            console.print_json(json.dumps(payload, default=str))
            return
        console.print(f"{events.height:,} events with preset [bold]{chosen.name}[/] → {path}")
        summary = Table("type", "events")
        for t, c in counts.items():
            summary.add_row(t, f"{c:,}")
        console.print(summary)
        table = Table("type", "mmsi", "mmsi_b", "start", "hours", "lat", "lon", "distance m", "area")
        for r in events.head(limit).iter_rows(named=True):
            table.add_row(
                r["type"], str(r["mmsi"]), "" if r["mmsi_b"] is None else str(r["mmsi_b"]),
                r["start"].strftime("%Y-%m-%d %H:%M"), f"{r['duration_s'] / 3600:.1f}",
                f"{r['lat']:.4f}", f"{r['lon']:.4f}",
                "" if r["distance_m"] is None else f"{r['distance_m']:,.0f}", r["area"] or "",
            )  # fmt: skip
        if events.height:
            console.print(table)

    @ais_app.command("simulate")
    def simulate_cmd(
        store: StoreOption = None,
        background: Annotated[
            Path | None,
            typer.Option("--background", help="MarineCadastre CSV of real traffic to inject into."),
        ] = None,
        seed: Annotated[int, typer.Option("--seed")] = 7,
        n_each: Annotated[int, typer.Option("--n-each", help="Scenarios of each kind.")] = 3,
        truth: Annotated[
            Path | None, typer.Option("--truth", help="Write the truth table here (CSV).")
        ] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """Plant known encounters, gaps, dark rendezvous and spoofed identities into real traffic and
        write the positions into the store (try `vigil ais detect` on it afterwards).

        Example: vigil ais simulate --store ./sim --background marinecadastre.csv.gz --truth truth.csv
        """
        from vigil.maritime.simulate import load_marinecadastre, simulate
        from vigil.maritime.store import AisStore

        try:
            bg = load_marinecadastre(background) if background else None
            sim = simulate(bg, seed=seed, n_each=n_each)
            AisStore(store).append_positions(sim.positions)
            if truth:
                sim.truth.with_columns(sim.truth["presets"].list.join("|")).write_csv(truth)
        except VigilError as exc:
            _fail(err_console, exc)
        except OSError as exc:
            _fail(err_console, InputError(f"cannot write: {exc}"))
        info = {"positions": sim.positions.height, "background": sim.background_rows,
                "injected_vessels": len(sim.injected_mmsis), "truth_rows": sim.truth.height}  # fmt: skip
        if as_json:
            console.print_json(json.dumps(info))
        else:
            console.print(", ".join(f"{k.replace('_', ' ')}: {v:,}" for k, v in info.items()))

    @ais_app.command("evaluate")
    def evaluate_cmd(
        background: Annotated[
            Path | None,
            typer.Option("--background", help="MarineCadastre CSV of real traffic to inject into."),
        ] = None,
        seed: Annotated[int, typer.Option("--seed")] = 7,
        n_each: Annotated[int, typer.Option("--n-each", help="Scenarios of each kind.")] = 3,
        as_json: JsonFlag = False,
    ) -> None:
        """Precision and recall of every detector, per preset, on simulated events in real traffic."""
        from rich.table import Table

        from vigil.maritime.evaluate import evaluate
        from vigil.maritime.ports import load_ports
        from vigil.maritime.presets import PRESETS
        from vigil.maritime.simulate import load_marinecadastre, simulate

        try:
            bg = load_marinecadastre(background) if background else None
            sim = simulate(bg, seed=seed, n_each=n_each)
            results = [evaluate(sim, p, load_ports()) for p in PRESETS.values()]
        except VigilError as exc:
            _fail(err_console, exc)
        if as_json:
            console.print_json(json.dumps({r.preset: r.scores.to_dicts() for r in results}))
            return
        for r in results:
            table = Table("type", "expected", "found", "recall", "false alarms", "precision",
                          title=f"preset {r.preset}")  # fmt: skip
            for s in r.scores.iter_rows(named=True):
                table.add_row(
                    s["type"], str(s["expected"]), str(s["found"]),
                    "—" if s["recall"] is None else f"{s['recall']:.2f}", str(s["false_positives"]),
                    "—" if s["precision"] is None else f"{s['precision']:.2f}",
                )  # fmt: skip
            console.print(table)
