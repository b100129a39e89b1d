"""`vigil ais detect` (being written)."""

from __future__ import annotations

from typing import Any

import typer

__all__ = ["register_detect"]


def register_detect(ais_app: typer.Typer, console: Any, err_console: Any) -> None:
    """Add the detector commands."""
