"""A list of full size (24,000 parties, 80,000 names) on every backend: whole, deduplicated across versions.

Speed is measured in benchmarks/bench_store.py, never asserted here.
"""

from __future__ import annotations

import pytest

from tests.store.factories import bulk_list
from vigil.store import Store

COUNT = 24_000


@pytest.mark.slow
def test_large_import_and_read(store: Store) -> None:
    parsed = bulk_list(COUNT)
    assert sum(len(p.names) for p in parsed.parties) == 80_000

    store.import_version(parsed, origin="bulk", content_hash="h1")
    assert sum(1 for _ in store.current_parties()) == COUNT

    # A second version changing 1% of the parties stores only those 240 new blobs.
    changed = bulk_list(COUNT)
    for party in changed.parties[::100]:
        party.designations[0].listed_on = "2020-01-01"
    store.import_version(changed, origin="bulk", content_hash="h2")
    assert store._query("SELECT COUNT(*) FROM party_blob") == [(COUNT + 240,)]
    assert store.diff_latest("bulk").summary() == {
        "added": 0,
        "removed": 0,
        "changed": 240,
        "unchanged": COUNT - 240,
    }
