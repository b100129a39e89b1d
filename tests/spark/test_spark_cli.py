"""`vigil spark …` from the command line: summaries, outputs and clear errors (local[2] session)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from vigil.cli import spark as spark_cli
from vigil.lists.importing import import_files
from vigil.store import open_store

pytestmark = pytest.mark.slow


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        pass

    spark_cli.register(app, Console(width=200), Console(stderr=True, width=200))
    return app


def test_screen_command_writes_results_and_refuses_a_missing_column(
    spark: Any, tmp_path: Path, lists_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIL_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("VIGIL_DATABASE_URL", raising=False)
    (tmp_path / "home").mkdir()
    with open_store(f"sqlite:///{tmp_path / 'home' / 'vigil.sqlite3'}") as store:
        import_files(store, "un_sc", [lists_dir / "un/2026-02-27/UN_consolidated.xml"])
    source = tmp_path / "customers.parquet"
    names = ["Ri Won Ho", "Somchai Wongsawat", "KIM JONG UN", "Maria Santos Reyes"]
    pq.write_table(pa.table({"customer": [f"C{i}" for i in range(4)], "name": names}), source)
    out = tmp_path / "results"
    result = CliRunner().invoke(
        _app(), ["spark", "screen", str(source), str(out), "--id-column", "customer", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["rows"], data["rows_with_hits"]) == (4, 1)  # Kim Jong Un is not on the UN list
    rows = ds.dataset(str(out)).to_table().to_pylist()
    assert [(r["id"], [h["party_id"] for h in r["hits"]][:1]) for r in rows] == [
        ("C0", ["un_sc:KPi.033"]),
        ("C1", []),
        ("C2", []),
        ("C3", []),
    ]
    again = CliRunner().invoke(_app(), ["spark", "screen", str(source), str(out), "--id-column", "nope"])
    assert again.exit_code == 2
    assert "column 'nope' (id_column) not found" in again.output


def test_ownership_command(spark: Any, tmp_path: Path) -> None:
    edges = tmp_path / "holdings.parquet"
    pq.write_table(
        pa.table(
            {
                "owner": ["A", "B", "A"],
                "owned": ["B", "C", "C"],
                "share": [60.0, 60.0, 10.0],
                "sdn": [True, False, True],
            }
        ),
        edges,
    )
    out = tmp_path / "blocked"
    result = CliRunner().invoke(
        _app(), ["spark", "ownership", str(edges), str(out), "--blocked-column", "sdn", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["blocked"] == 2
    rows = ds.dataset(str(out)).to_table().sort_by([("round", "ascending")]).to_pylist()
    assert [(r["entity"], r["share"], r["round"]) for r in rows] == [("B", 60.0, 1), ("C", 70.0, 2)]
    missing = CliRunner().invoke(_app(), ["spark", "ownership", str(edges), str(tmp_path / "x")])
    assert missing.exit_code == 2 and "--blocked" in missing.output
