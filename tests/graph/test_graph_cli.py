from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from vigil.cli import graph as graph_cli
from vigil.model.party import Designation, Name, Party, Relation


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        pass

    graph_cli.register(app, Console(width=200), Console(stderr=True, width=200))
    return app


def test_ownership_command(tmp_path: Path) -> None:
    path = tmp_path / "own.csv"
    path.write_text("owner,owned,share,blocked\nA,B,60,yes\nB,C,60,\nA,C,10,yes\n", encoding="utf-8")
    result = CliRunner().invoke(_app(), ["graph", "ownership", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["blocked_owners"] == ["A"]
    assert [(b["entity"], b["share"]) for b in data["blocked"]] == [("B", 60), ("C", 70)]
    text = CliRunner().invoke(_app(), ["graph", "ownership", str(path)]).output
    assert "A -> B (60 %) -> C (60 %)" in text


def test_ownership_command_rejects_over_100(tmp_path: Path) -> None:
    path = tmp_path / "own.csv"
    path.write_text("owner,owned,share,sdn\nA,B,120,1\n", encoding="utf-8")
    result = CliRunner().invoke(_app(), ["graph", "ownership", str(path), "--blocked-column", "sdn"])
    assert result.exit_code == 2
    assert "A -> B" in result.output


def test_paths_command(monkeypatch: pytest.MonkeyPatch) -> None:
    parties = [
        Party(
            "t:1",
            "t",
            "Vessel",
            names=[Name("SHIP ONE")],
            relations=[Relation("owned_or_controlled_by", "t:2", text="Owned or Controlled By")],
        ),
        Party("t:2", "t", "Organization", names=[Name("OWNER CO")], designations=[Designation("t", "2")]),
    ]
    monkeypatch.setattr(graph_cli, "_load_parties", lambda: parties)
    result = CliRunner().invoke(_app(), ["graph", "paths", "ship one", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["exposure"] == 1.0 and data["shortest"]["nodes"] == ["t:1", "t:2"]
    text = CliRunner().invoke(_app(), ["graph", "paths", "t:1", "--max-hops", "1"]).output
    assert "OWNER CO (t:2) [designated]: Owned or Controlled By (forward)" in text
    missing = CliRunner().invoke(_app(), ["graph", "paths", "nobody"])
    assert missing.exit_code == 2
