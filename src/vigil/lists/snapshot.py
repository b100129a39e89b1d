"""The list snapshot that ships inside the package, so Vigil works offline on first run.

``vigil/data/snapshot/manifest.json`` names, per source, the bundled files (official
files, compressed), their roles, the sha256 of the official file and where it came from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from vigil.lists.importing import ImportOutcome, import_files
from vigil.store.base import Store

__all__ = ["SnapshotEntry", "ensure_snapshot", "load_snapshot", "snapshot_dir", "snapshot_manifest"]


@dataclass(frozen=True, kw_only=True)
class SnapshotEntry:
    source: str
    published: str
    files: dict[str, str]  # role -> bundled file name
    sha256: dict[str, str]  # role -> sha256 of the decompressed official file
    origin: str


def snapshot_dir() -> Path:
    return Path(str(resources.files("vigil") / "data" / "snapshot"))


def snapshot_manifest() -> list[SnapshotEntry]:
    data: list[dict[str, Any]] = json.loads((snapshot_dir() / "manifest.json").read_text())
    return [SnapshotEntry(**entry) for entry in data]


def load_snapshot(store: Store) -> list[ImportOutcome]:
    """Import every bundled list not yet in the store (already-imported ones are no-ops)."""
    base = snapshot_dir()
    outcomes = []
    for entry in snapshot_manifest():
        files = {role: base / name for role, name in entry.files.items()}
        outcomes.append(import_files(store, entry.source, files, origin=f"bundled snapshot: {entry.origin}"))
    return outcomes


def ensure_snapshot(store: Store) -> list[ImportOutcome]:
    """On first run (an empty store) load the bundled snapshot; otherwise do nothing."""
    if store.versions():
        return []
    return load_snapshot(store)
