"""`vigil ais simulate`, `vigil ais detect` and `vigil ais evaluate`, run as a user runs them (subprocess)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

pytestmark = pytest.mark.slow  # each command is a fresh interpreter


def _vigil(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VIGIL_HOME": str(home), "COLUMNS": "200"}
    env.pop("VIGIL_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "vigil.cli.main", *args], capture_output=True, text=True, env=env, timeout=600
    )


def test_simulate_then_detect_finds_the_planted_transfers(tmp_path: Path, marinecadastre_csv: Path) -> None:
    store, truth = tmp_path / "ais", tmp_path / "truth.csv"
    sim = _vigil(tmp_path, "ais", "simulate", "--store", str(store), "--background", str(marinecadastre_csv),
                 "--n-each", "1", "--truth", str(truth), "--json")  # fmt: skip
    assert sim.returncode == 0, sim.stderr
    assert json.loads(sim.stdout)["background"] == 99_999
    planted = [r for r in csv.DictReader(truth.open()) if r["type"] == "encounter" and "sts" in r["presets"]]
    assert len(planted) == 1

    out = _vigil(
        tmp_path, "ais", "detect", "--preset", "sts", "--store", str(store), "--json", "--limit", "500"
    )
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["preset"]["encounter_max_median_speed_kn"] == 1.0
    found = {(e["mmsi"], e["mmsi_b"]) for e in payload["events"] if e["type"] == "encounter"}
    assert (int(planted[0]["mmsi"]), int(planted[0]["mmsi_b"])) in found
    stored = pl.read_parquet(store / "events" / "sts.parquet")
    assert stored.height == sum(payload["counts"].values())


def test_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "ports.csv"
    bad.write_text("name,lat\nX,1\n")
    out = _vigil(tmp_path, "ais", "detect", "--store", str(tmp_path / "ais"), "--ports", str(bad))
    assert out.returncode == 2
    assert "missing column(s) lon" in out.stdout + out.stderr
    out = _vigil(tmp_path, "ais", "detect", "--store", str(tmp_path / "ais"), "--preset", "tanker")
    assert out.returncode == 2 and "known: gfw, sts" in out.stdout + out.stderr
