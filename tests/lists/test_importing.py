"""Importing list files as versions: no-op on re-import, diffs between the real UN snapshots, bad input."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from vigil.errors import InputError, ListFormatError
from vigil.lists.importing import import_files
from vigil.store.base import Store


def test_un_versions_and_diff(store: Store, lists_dir: Path) -> None:
    first = import_files(store, "un_sc", [lists_dir / "un/2026-01-28/un.xml"])
    second = import_files(store, "un_sc", [lists_dir / "un/2026-02-27/UN_consolidated.xml"])
    assert first.created and second.created
    again = import_files(store, "un_sc", [lists_dir / "un/2026-02-27/UN_consolidated.xml"])
    assert not again.created and again.version.id == second.version.id
    assert len(store.versions("un_sc")) == 2

    diff = store.diff(first.version.id, second.version.id)
    added_regimes = Counter(c.party_id.split(":")[1][:2] for c in diff.added)
    # Sudan's individuals go from 5 to 9 between the two snapshots.
    assert added_regimes["SD"] >= 4
    # The DPRK entries are identical in both.
    assert not [c for c in diff.added + diff.removed + diff.changed if c.party_id.split(":")[1][:2] == "KP"]
    for change in diff.changed:
        assert change.fields, f"{change.party_id} changed but no field is named"


def test_wrong_file_for_source_is_refused_and_nothing_stored(store: Store, lists_dir: Path) -> None:
    with pytest.raises(ListFormatError) as info:
        import_files(store, "un_sc", [lists_dir / "eu/2024-12-11/export-excerpt.xml"])
    assert "export-excerpt.xml" in str(info.value)
    assert store.versions() == []


def test_empty_and_truncated_files(store: Store, lists_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.xml"
    data = (lists_dir / "un/2026-02-27/UN_consolidated.xml").read_bytes()
    truncated.write_bytes(data[: len(data) // 3])
    for path in (empty, truncated):
        with pytest.raises(ListFormatError) as info:
            import_files(store, "un_sc", [path])
        assert path.name in str(info.value)
    assert store.versions() == []


def test_unknown_source_and_missing_file(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown list source"):
        import_files(store, "nope", [tmp_path / "x.xml"])
    with pytest.raises(InputError, match="no such file"):
        import_files(store, "un_sc", [tmp_path / "x.xml"])
