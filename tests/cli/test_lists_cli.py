"""The `vigil lists` and `vigil party` commands, run as a user runs them (a real subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vigil.model.ftm import parties_from_ftm, read_ftm_jsonl


def _vigil(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VIGIL_HOME": str(home)}
    env.pop("VIGIL_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "vigil.cli.main", *args], capture_output=True, text=True, env=env, timeout=600
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("home")
    result = _vigil(path, "lists", "status", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["source"]: row for row in json.loads(result.stdout)}
    assert rows["un_sc"]["parties"] == 1003
    assert rows["ofac_sdn_advanced"]["parties"] == 18_367
    assert rows["uk_ofsi_conlist"]["parties"] == 4_688
    return path


def test_party_view_lists_every_authority(home: Path) -> None:
    result = _vigil(home, "party", "un:KPi.033", "--json")
    assert result.returncode == 0, result.stderr
    group = json.loads(result.stdout)
    authorities = {d["authority"] for p in group for d in p.get("designations", [])}
    assert {"un", "uk"} <= authorities
    text = _vigil(home, "party", "un:KPi.033")
    assert "RI" in text.stdout and "381310014" in text.stdout


def test_import_and_diff(home: Path, lists_dir: Path) -> None:
    result = _vigil(home, "lists", "import", "un_sc", str(lists_dir / "un/2026-01-28/un.xml"), "--json")
    assert result.returncode == 0, result.stderr
    # The older file is imported as a new version; diff newest vs the one before.
    diff = _vigil(home, "lists", "diff", "un_sc", "--json")
    assert diff.returncode == 0, diff.stderr
    data = json.loads(diff.stdout)
    assert data["summary"]["removed"] >= 4  # going back in time removes the Sudan additions
    versions = json.loads(_vigil(home, "lists", "versions", "un_sc", "--json").stdout)
    assert len(versions) == 2


def test_bad_file_gives_a_clear_error(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "consolidated.xml"
    bad.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<CONSOLIDATED_LIST>&e;</CONSOLIDATED_LIST>'
    )
    result = _vigil(home, "lists", "import", "un_sc", str(bad))
    assert result.returncode == 2
    assert "consolidated.xml" in result.stderr and "root:" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_export_ftm_round_trips(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "un.ftm.jsonl"
    result = _vigil(home, "lists", "export", "--format", "ftm", "--source", "un_sc", "--out", str(out))
    assert result.returncode == 0, result.stderr
    with out.open() as handle:
        parties = parties_from_ftm(read_ftm_jsonl(handle), source="un_sc")
    by_id = {p.id: p for p in parties}
    status = {row["source"]: row for row in json.loads(_vigil(home, "lists", "status", "--json").stdout)}
    assert len(by_id) == status["un_sc"]["parties"]
    ri = by_id["un_sc:KPi.033"]
    assert any(i.value.strip() == "381310014" for i in ri.identifiers)
    assert any(d.reference == "KPi.033" for d in ri.designations)
