from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from vigil.cli import graph as graph_cli
from vigil.model.party import Address, Designation, Name, Party, Relation


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


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "registry" / "companies.csv"


def _lists() -> list[Party]:
    return [
        Party(
            "ofac_sdn_advanced:17068",
            "ofac_sdn_advanced",
            "Organization",
            names=[Name("OCEAN MARITIME MANAGEMENT COMPANY LIMITED")],
            designations=[Designation("ofac", "17068")],
            addresses=[Address("Donghung-dong, Central District, Pyongyang")],
        ),
        Party(
            "t:9",
            "t",
            "Organization",
            names=[Name("SAME ADDRESS CO")],
            addresses=[Address("DONGHUNG DONG CENTRAL DISTRICT PYONGYANG")],
        ),
    ]


def test_registry_workflow(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VIGIL_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(graph_cli, "_load_parties", _lists)
    runner = CliRunner()
    loaded = runner.invoke(_app(), ["graph", "registry", "load", str(EXAMPLE), "--json"])
    assert loaded.exit_code == 0, loaded.output
    assert json.loads(loaded.output)["entities"] == 5
    listed = runner.invoke(_app(), ["graph", "registry", "list", "--json"])
    assert json.loads(listed.output) == [{"name": "companies", "entities": 5}]

    paths = runner.invoke(_app(), ["graph", "paths", "SEA STAR SHIPPING LTD", "--json"])
    assert paths.exit_code == 0, paths.output
    data = json.loads(paths.output)
    assert data["shortest"]["nodes"] == [
        "registry:companies:C1",
        "registry:companies:C2",
        "ofac_sdn_advanced:17068",
    ]
    assert data["exposure"] == 0.5

    # registry shareholdings: C2 is 55 % held by OMM, C1 60 % by C2; C3 only 30 % by C1
    owned = runner.invoke(_app(), ["graph", "ownership", "--json"])
    assert owned.exit_code == 0, owned.output
    blocked = {b["entity"]: b for b in json.loads(owned.output)["blocked"]}
    assert set(blocked) == {"registry:companies:C2", "registry:companies:C1"}
    assert blocked["registry:companies:C1"]["chains"] == [
        [
            ["ofac_sdn_advanced:17068", "registry:companies:C2", 55.0],
            ["registry:companies:C2", "registry:companies:C1", 60.0],
        ]
    ]
    text = runner.invoke(_app(), ["graph", "ownership"]).output
    assert "SEA STAR SHIPPING LTD (registry:companies:C1): 60 % held by blocked owners" in text

    clusters = runner.invoke(_app(), ["graph", "clusters", "--json", "--min-designated", "1"])
    assert clusters.exit_code == 0, clusters.output
    found = json.loads(clusters.output)
    assert [m["id"] for m in found[0]["members"]] == ["ofac_sdn_advanced:17068", "t:9"]

    out = tmp_path / "net.jsonl"
    exported = runner.invoke(_app(), ["graph", "export", str(out), "--format", "ftm"])
    assert exported.exit_code == 0, exported.output
    assert sum(1 for _ in out.open(encoding="utf-8")) > 2 + 57 + 5
    bad = runner.invoke(_app(), ["graph", "export", str(out), "--format", "dot"])
    assert bad.exit_code == 2 and "graphml, ftm" in bad.output

    removed = runner.invoke(_app(), ["graph", "registry", "remove", "companies"])
    assert removed.exit_code == 0
    assert runner.invoke(_app(), ["graph", "registry", "remove", "companies"]).exit_code == 2
    gone = runner.invoke(_app(), ["graph", "paths", "SEA STAR SHIPPING LTD"])
    assert gone.exit_code == 2


def test_registry_load_reports_bad_rows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VIGIL_HOME", str(tmp_path / "home"))
    path = tmp_path / "bad.csv"
    path.write_text("entity_id,entity_name,attribute,value\nC1,A,colour,red\n", encoding="utf-8")
    result = CliRunner().invoke(_app(), ["graph", "registry", "load", str(path)])
    assert result.exit_code == 2
    assert "row 2, column 'attribute'" in result.output
