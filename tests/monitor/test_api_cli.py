"""The monitor through the API, the web page (server-rendered) and the CLI, over a real UN list."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from vigil.api import create_app
from vigil.settings import Settings
from vigil.store import open_store


@pytest.fixture
def client(un_store_path: Path, tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    with open_store(f"sqlite:///{un_store_path}") as store:
        key = store.create_key("vera", "viewer").plain
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{un_store_path}")
    with TestClient(create_app(settings)) as test_client:
        yield test_client, key


def test_api_scorecard_timeline_and_export(client: tuple[TestClient, str]) -> None:
    http, key = client
    auth = {"Authorization": f"Bearer {key}"}
    assert http.get("/monitor/scorecard").status_code == 401
    card = http.get("/monitor/scorecard", headers=auth).json()
    malaysia = next(s for s in card["states"] if s["iso3"] == "MYS")
    assert malaysia["reports"]["2270"]["value"] == "yes" and malaysia["reports"]["2270"]["source"]
    assert malaysia["reports"]["1718"] == {**malaysia["reports"]["1718"], "value": "unknown", "known": False}
    one = http.get("/monitor/scorecard", params={"state": "DEU"}, headers=auth).json()
    assert [s["iso3"] for s in one["states"]] == ["DEU"]
    assert http.get("/monitor/scorecard", params={"state": "Atlantis"}, headers=auth).status_code == 400
    timeline = http.get(
        "/monitor/timeline", params={"from": "2016", "kind": "nuclear_test"}, headers=auth
    ).json()
    assert timeline["counts"]["nuclear_test"] == 3 and timeline["counts"]["missile_test"] == 0
    assert timeline["designations_source"].startswith("UN list in the store")
    assert http.get("/monitor/timeline", params={"from": "2016-13"}, headers=auth).status_code == 400
    singapore = http.get(
        "/monitor/timeline", params={"kind": "enforcement", "state": "SGP"}, headers=auth
    ).json()
    assert singapore["counts"]["enforcement"] == 8
    assert {e["state"] for e in singapore["events"]} == {"Singapore"}
    pdf = http.get(
        "/monitor/export",
        params={"format": "pdf", "from": "2017-09", "to": "2017-09", "state": "MYS"},
        headers=auth,
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    html = http.get(
        "/monitor/export",
        params={"format": "html", "from": "2017", "to": "2017", "state": "MYS"},
        headers=auth,
    )
    assert "<svg" in html.text and "Malaysia" in html.text


def _login(http: TestClient, key: str) -> None:
    response = http.post("/ui/login", data={"key": key, "next": "/ui/monitor"}, follow_redirects=False)
    assert response.status_code == 303


def test_web_page_renders_table_chart_and_filter(client: tuple[TestClient, str]) -> None:
    http, key = client
    assert http.get("/ui/monitor", follow_redirects=False).status_code in (303, 307)
    _login(http, key)
    page = http.get("/ui/monitor", params={"from": "2017", "to": "2017"})
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert 'id="scorecard"' in page.text and "Timor-Leste" in page.text
    assert len(re.findall(r'class="ev ev-nuclear_test"', page.text)) == 1
    assert len(re.findall(r'<tr data-kind="nuclear_test">', page.text)) == 1  # the table beside the chart
    only = http.get("/ui/monitor", params=[("from", "2017"), ("to", "2017"), ("kind", "resolution")])
    assert (
        len(re.findall(r'class="ev ev-', only.text))
        == len(re.findall(r'class="ev ev-resolution"', only.text))
        > 0
    )
    bad = http.get("/ui/monitor", params={"from": "last week"})
    assert bad.status_code == 400 and "is not a date" in bad.text
    pdf = http.get("/ui/monitor/export.pdf", params={"from": "2017-09", "to": "2017-09", "state": "MYS"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert http.get("/ui/static/monitor/monitor.css").status_code == 200


def test_cli_scorecard_timeline_add_export(un_store_path: Path, tmp_path: Path) -> None:
    from vigil.cli.main import app

    env = {"VIGIL_HOME": str(tmp_path / "home"), "VIGIL_DATABASE_URL": f"sqlite:///{un_store_path}"}
    runner = CliRunner()
    done = runner.invoke(app, ["monitor", "scorecard", "--json"], env=env)
    assert done.exit_code == 0, done.output
    assert [s["iso3"] for s in json.loads(done.output)["states"]][:2] == ["BRN", "KHM"]
    table = runner.invoke(app, ["monitor", "scorecard"], env={**env, "COLUMNS": "100"})
    assert table.exit_code == 0, table.output
    brunei = next(line for line in table.output.splitlines() if "BRN" in line)
    assert "?" in brunei and "no " not in brunei  # no data is shown as unknown, never as no
    assert "unknown: no data, which is not no" in table.output
    done = runner.invoke(
        app, ["monitor", "timeline", "--from", "2016", "--kind", "nuclear_test", "--json"], env=env
    )
    assert done.exit_code == 0, done.output
    assert [e["date"] for e in json.loads(done.output)["events"]] == [
        "2016-01-06",
        "2016-09-09",
        "2017-09-03",
    ]
    done = runner.invoke(
        app, ["monitor", "timeline", "--kind", "enforcement", "--state", "Viet Nam", "--json"], env=env
    )
    assert {e["state"] for e in json.loads(done.output)["events"]} == {"Viet Nam"}
    done = runner.invoke(app, ["monitor", "datasets", "--json"], env=env)
    assert (
        "sources" in next(d for d in json.loads(done.output) if d["dataset"] == "missile_tests")["required"]
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "state,iso3,resolution,status,report_date,document_symbol,coverage,sources,confidence,notes\n"
        "Lao PDR,LAO,2397,submitted,2019-31-01,,,https://example.org,high,\n",
        encoding="utf-8",
    )
    done = runner.invoke(app, ["monitor", "add", str(bad)], env=env)
    assert done.exit_code == 2 and "bad.csv:2: column 'report_date'" in done.output.replace("\n", "")
    good = tmp_path / "good.csv"
    good.write_text(bad.read_text(encoding="utf-8").replace("2019-31-01", "2019-01-31"), encoding="utf-8")
    done = runner.invoke(app, ["monitor", "add", str(good), "--json"], env=env)
    assert done.exit_code == 0 and json.loads(done.output)["added"] == 1
    done = runner.invoke(app, ["monitor", "scorecard", "--state", "LAO", "--json"], env=env)
    assert json.loads(done.output)["states"][0]["reports"]["2397"]["origin"] == "user"
    out = tmp_path / "monitor.pdf"
    done = runner.invoke(
        app,
        ["monitor", "export", str(out), "--from", "2017-09", "--to", "2017-09", "--state", "MYS"],
        env=env,
    )
    assert done.exit_code == 0, done.output
    assert out.read_bytes().startswith(b"%PDF")
