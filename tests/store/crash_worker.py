"""Run by test_crash_safety: import a large version into a store, to be SIGKILLed midway.

Usage: python -m tests.store.crash_worker URL COUNT. Prints "ready" just before the
import starts and "done" after it committed.
"""

from __future__ import annotations

import sys

from tests.store.factories import bulk_list
from vigil.store import open_store

NEW_LISTED_ON = "2020-01-01"


def main() -> None:
    url, count = sys.argv[1], int(sys.argv[2])
    # Every party changes, so the import writes a full set of new blobs too.
    parsed = bulk_list(count, listed_on=NEW_LISTED_ON)
    store = open_store(url)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    store.import_version(parsed, origin="crash-worker", content_hash="h2")
    store.close()
    sys.stdout.write("done\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
