"""`vigil ais ingest`, `vigil vessels …` (being written)."""

from __future__ import annotations

from typing import Any

import typer

__all__ = ["register_ingest"]


def register_ingest(ais_app: typer.Typer, vessels_app: typer.Typer, console: Any, err_console: Any) -> None:
    """Add the ingest and vessel commands."""
