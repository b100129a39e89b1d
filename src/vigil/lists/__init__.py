"""Managing official lists: importing files as versions, the bundled snapshot, updates from publishers."""

from vigil.lists.importing import ImportOutcome, import_files
from vigil.lists.snapshot import ensure_snapshot, load_snapshot, snapshot_manifest

__all__ = ["ImportOutcome", "ensure_snapshot", "import_files", "load_snapshot", "snapshot_manifest"]
