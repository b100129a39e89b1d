"""Loading of the packaged tables in ``vigil/data/names``: read once, cached, never written."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

__all__ = ["load_table"]


@cache
def load_table(name: str) -> tuple[tuple[str, ...], ...]:
    """The data rows of ``data/names/<name>`` (comment lines and the header skipped)."""
    ref = resources.files("vigil").joinpath("data", "names", name)
    text = ref.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    rows = list(csv.reader(lines))
    return tuple(tuple(row) for row in rows[1:])
