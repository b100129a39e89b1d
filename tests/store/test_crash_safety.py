"""A real kill: SIGKILL an importing process at random moments; reopening never shows half a version."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.store.crash_worker import NEW_LISTED_ON
from tests.store.factories import bulk_list
from vigil.store import open_store

REPO_ROOT = Path(__file__).resolve().parents[2]
COUNT = 20_000
TRIALS = 5

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")]


def _run_and_kill(url: str, delay: float) -> str:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.store.crash_worker", url, str(COUNT)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        return proc.stdout.read().strip()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_sigkill_during_import_never_leaves_a_partial_version(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    template = tmp_path / "template.sqlite3"
    with open_store(f"sqlite:///{template}") as store:
        store.import_version(bulk_list(COUNT), origin="seed", content_hash="h1")
    assert not Path(f"{template}-wal").exists() or Path(f"{template}-wal").stat().st_size == 0

    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    outcomes = []
    for trial in range(TRIALS):
        path = tmp_path / f"trial{trial}.sqlite3"
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
        # Spread the kills over the whole import (about 1-2 s here), sometimes after it.
        delay = rng.uniform(0.0, 2.5)
        finished = _run_and_kill(url, delay) == "done"
        context = f"seed={seed} trial={trial} delay={delay:.2f}s"

        with open_store(url) as store:
            assert store._query("PRAGMA integrity_check") == [("ok",)], context
            versions = store.versions("bulk")
            assert [v.content_hash for v in versions] in (["h1"], ["h2", "h1"]), context
            current = list(store.current_parties())
            assert len(current) == COUNT, context
            counts = {
                table: store._query(f"SELECT COUNT(*) FROM {table}")[0][0]
                for table in ("version_party", "party_blob", "party_group")
            }
            if len(versions) == 2:
                outcomes.append("new")
                assert versions[0].party_count == COUNT, context
                assert {p.designations[0].listed_on for p in current} == {NEW_LISTED_ON}, context
                assert counts == {"version_party": 2 * COUNT, "party_blob": 2 * COUNT, "party_group": COUNT}
            else:
                outcomes.append("old")
                assert not finished, context
                assert {p.designations[0].listed_on for p in current} == {"2016-03-02"}, context
                # Nothing of the killed transaction survives, not even its blobs.
                assert counts == {"version_party": COUNT, "party_blob": COUNT, "party_group": COUNT}, context
            # The store is writable again after the crash.
            assert store.import_version(bulk_list(3, source="after"), origin="x", content_hash="h3").created
    assert len(outcomes) == TRIALS
    # Which state each kill left (e.g. old, new, old...), kept in the JUnit report.
    record_property("crash_outcomes", f"seed={seed} {outcomes}")
