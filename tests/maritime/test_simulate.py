"""The simulator: seeded, planted into the real background without touching it, truth for every scenario."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from vigil.errors import InputError
from vigil.maritime.simulate import SCENARIOS, load_marinecadastre, simulate


def test_seeded_and_injected_into_the_real_background(marinecadastre_csv: Path) -> None:
    bg = load_marinecadastre(marinecadastre_csv)
    assert bg.height == 99_999
    a = simulate(bg, seed=11, n_each=1)
    b = simulate(bg, seed=11, n_each=1)
    assert a.positions.equals(b.positions) and a.truth.equals(b.truth)
    assert a.background_rows == 99_999
    assert not set(a.injected_mmsis) & set(bg["mmsi"].unique().to_list())
    assert all(str(m).startswith("445") for m in a.injected_mmsis)
    # The background is kept row for row.
    kept = a.positions.filter(~pl.col("mmsi").is_in(a.injected_mmsis))
    assert kept.height == bg.height
    assert set(a.truth["scenario"].unique().to_list()) == set(SCENARIOS)
    c = simulate(bg, seed=12, n_each=1)
    assert not c.positions.equals(a.positions)


def test_truth_says_what_each_preset_must_find() -> None:
    sim = simulate(None, seed=5, n_each=2)
    t = sim.truth
    gfw_only = t.filter((pl.col("scenario") == "encounter_gfw") & (pl.col("type") == "encounter"))
    assert gfw_only.height == 2 and gfw_only["presets"].to_list() == [["gfw"], ["gfw"]]
    negatives = t.filter(
        pl.col("scenario").is_in(["near_far", "near_short"]) & (pl.col("type") == "encounter")
    )
    assert negatives["presets"].list.len().max() == 0
    rv = t.filter(pl.col("type") == "dark_rendezvous")
    assert rv.height == 2 and (rv["mmsi"] < rv["mmsi_b"]).all()


def test_unknown_scenario_and_missing_file_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown scenario"):
        simulate(None, scenarios=("piracy",))
    with pytest.raises(InputError, match="no such file"):
        load_marinecadastre(tmp_path / "none.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("A,B\n1,2\n")
    with pytest.raises(InputError, match="missing column"):
        load_marinecadastre(bad)
