"""`vigil ais …` and `vigil vessels …`: AIS ingest and event detection, vessel identity checks.

The two command groups are made here; the commands live beside them:
:mod:`vigil.cli.ais_ingest` (ingest, vessels) and :mod:`vigil.cli.ais_detect` (detectors).
"""

from __future__ import annotations

from typing import Any

import typer

from vigil.cli.ais_detect import register_detect
from vigil.cli.ais_ingest import register_ingest

__all__ = ["register"]


def register(app: typer.Typer, console: Any, err_console: Any) -> None:
    ais_app = typer.Typer(
        help="AIS positions: ingest, detect events (encounters, gaps, loitering …).", no_args_is_help=True
    )
    vessels_app = typer.Typer(
        help="Vessel identity: registry from the lists and AIS, identity checks.", no_args_is_help=True
    )
    app.add_typer(ais_app, name="ais")
    app.add_typer(vessels_app, name="vessels")
    register_ingest(ais_app, vessels_app, console, err_console)
    register_detect(ais_app, console, err_console)
