"""The daily commands as a compliance officer runs them: screen, compare, screen-file, alerts, audit."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def _vigil(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VIGIL_HOME": str(home), "USER": "officer"}
    env.pop("VIGIL_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "vigil.cli.main", *args], capture_output=True, text=True, env=env, timeout=900
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, lists_dir: Path) -> Path:
    path = tmp_path_factory.mktemp("home")
    # The UN list alone keeps this module quick; the snapshot is tested elsewhere.
    result = _vigil(path, "lists", "import", "un_sc", str(lists_dir / "un/2026-02-27/UN_consolidated.xml"))
    assert result.returncode == 0, result.stderr
    return path


def test_screen_romanized_and_hangul(home: Path) -> None:
    for name in ("RI WON HO", "Lee Won-ho", "리원호"):
        result = _vigil(home, "screen", name, "--type", "person", "--json")
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert data["hits"], name
        top = data["hits"][0]
        assert "un:KPi.033" in top["refs"]
        assert top["explanation"]["aligned"], "a reviewer sees which tokens aligned"
        assert data["list_versions"]["un_sc"] >= 1


def test_screen_dob_separates_namesakes(home: Path) -> None:
    right = json.loads(_vigil(home, "screen", "Ri Won Ho", "--dob", "1964-07-17", "--json").stdout)
    wrong = json.loads(_vigil(home, "screen", "Ri Won Ho", "--dob", "1990-01-01", "--json").stdout)
    assert right["hits"][0]["score"] > 0.99
    assert "dob exact" in right["hits"][0]["explanation"]["features"]
    assert not wrong["hits"] or wrong["hits"][0]["score"] < right["hits"][0]["score"]


def test_compare_explains_a_pair(home: Path) -> None:
    result = _vigil(home, "compare", "Gim Jeong-eun", "KIM JONG UN", "--type", "person", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["name_score"] == 1.0
    assert {a["rule"] for a in data["aligned"]} == {"same Korean syllable"}
    other = json.loads(
        _vigil(home, "compare", "KIM JONG SU", "KIM JONG UN", "--type", "person", "--json").stdout
    )
    assert other["name_score"] < 0.8 and other["unmatched_query"] == ["su"]


def test_compare_scores_labelled_pairs_in_bulk(home: Path, tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        "first,second,type\n"
        "KIM JONG UN,Gim Jeong-eun,person\n"
        "KIM JONG SU,KIM JONG UN,person\n"
        "[x] Co,[x] Company,\n",
        encoding="utf-8",
    )
    result = _vigil(home, "compare", "--pairs", str(pairs))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [round(line["name_score"], 2) for line in lines[:2]] == [1.0, 0.6]
    assert lines[2]["first"] == "[x] Co"  # text with brackets is not taken for markup


def test_screen_file_with_alerts_then_review(home: Path, tmp_path: Path) -> None:
    source = tmp_path / "customers.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "name", "dob"])
        writer.writerow(["A1", "Ri Won Ho", "1964-07-17"])
        writer.writerow(["A2", "Somchai Wongsawat", "1970-03-01"])
        writer.writerow(["A3", '=HYPERLINK("http://x","y")', ""])
    out = tmp_path / "results.csv"
    result = _vigil(
        home,
        "screen-file",
        str(source),
        "--out",
        str(out),
        "--id-column",
        "customer_id",
        "--dob-column",
        "dob",
        "--alerts",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["rows"] == 3 and summary["rows_with_hits"] == 1 and summary["alerts_created"] == 1
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["id"] for r in rows} == {"A1", "A2", "A3"}
    hit = next(r for r in rows if r["id"] == "A1")
    assert "un:KPi.033" in hit["refs"]
    assert next(r for r in rows if r["id"] == "A3")["name"].startswith("'=")  # formula neutralized

    alerts = json.loads(_vigil(home, "alerts", "list", "--status", "open", "--json").stdout)
    alert = next(a for a in alerts if a["customer_id"] == "A1")
    first = _vigil(
        home,
        "alerts",
        "dispose",
        str(alert["id"]),
        "true_match",
        "--reason",
        "same DOB, same passport",
        "--reviewer",
        "ana",
        "--json",
    )
    assert json.loads(first.stdout)["status"] == "pending_confirmation"
    same = _vigil(
        home, "alerts", "dispose", str(alert["id"]), "confirm", "--reason", "ok", "--reviewer", "ana"
    )
    assert same.returncode == 2 and "reviewer" in same.stderr
    second = _vigil(
        home,
        "alerts",
        "dispose",
        str(alert["id"]),
        "confirm",
        "--reason",
        "checked",
        "--reviewer",
        "ben",
        "--json",
    )
    assert json.loads(second.stdout)["status"] == "closed_true_match"

    report = tmp_path / "run.html"
    made = _vigil(home, "report", "--run", str(summary["run"]), "--out", str(report))
    assert made.returncode == 0, made.stderr
    html = report.read_text(encoding="utf-8")
    for fact in ("same DOB, same passport", "ana", "ben", "un_sc", "0.80"):
        assert fact in html, fact
    pdf = tmp_path / "run.pdf"
    assert _vigil(home, "report", "--run", str(summary["run"]), "--out", str(pdf)).returncode == 0
    assert pdf.read_bytes().startswith(b"%PDF")

    verify = _vigil(home, "audit", "verify", "--json")
    assert verify.returncode == 0 and json.loads(verify.stdout)["ok"]
    actions = {
        r["action"] for r in json.loads(_vigil(home, "audit", "log", "--limit", "500", "--json").stdout)
    }
    assert {"list.import", "run.start", "alert.raise", "alert.dispose"} <= actions


def test_bad_customer_file_is_a_clear_error(home: Path, tmp_path: Path) -> None:
    source = tmp_path / "customers.csv"
    source.write_text("client,full_name\n1,Kim\n")
    result = _vigil(home, "screen-file", str(source), "--out", str(tmp_path / "r.jsonl"))
    assert result.returncode == 2
    assert "customers.csv" in result.stderr and "name" in result.stderr
    assert not (tmp_path / "r.jsonl").exists()
