import json
import os
import subprocess
import sys
from pathlib import Path

from vigil.model import Party
from vigil.sources.base import ParsedList
from vigil.store import open_store

RUNNER = (
    "import typer, rich.console as c; from vigil.cli.crypto import register; app = typer.Typer(); "
    "register(app, c.Console(width=200), c.Console(stderr=True)); app()"
)
LAZARUS_ETH = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VIGIL_HOME": str(home)}
    env.pop("VIGIL_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", RUNNER, "crypto", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_cli_check_screen_exposure(tmp_path: Path, crypto_parties: list[Party]) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with open_store(f"sqlite:///{home / 'vigil.sqlite3'}") as store:
        parsed = ParsedList(source="ofac_sdn_advanced", published="2025-11-19", parties=crypto_parties)
        store.import_version(parsed, origin="test: crypto parties only", content_hash="crypto-test")

    done = _run(home, "check", LAZARUS_ETH, "--json")
    assert done.returncode == 1, done.stderr  # a hit exits 1
    data = json.loads(done.stdout)
    assert data["status"] == "match" and data["validation"]["checksum"] == "verified"
    assert any("LAZARUS" in item["name"].upper() for item in data["listings"])
    assert data["listings"][0]["refs"]

    done = _run(home, "check", "0x" + "1" * 40)
    assert done.returncode == 0 and "no_match" in done.stdout

    wallets = tmp_path / "wallets.csv"
    wallets.write_text(f"customer,address\nc1,{LAZARUS_ETH.lower()}\nc2,junk\nc3,{'0x' + '1' * 40}\n")
    out = tmp_path / "screened.csv"
    done = _run(home, "screen", str(wallets), "--column", "address", "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    lines = out.read_text().splitlines()
    assert '"match"' in lines[1] and "LAZARUS" in lines[1].upper() and '"invalid"' in lines[2]

    transfers = tmp_path / "transfers.csv"
    transfers.write_text(
        "tx_id,from,to,asset,amount,time\n"
        f"t1,{LAZARUS_ETH},0x{'a' * 40},ETH,10,2025-01-01T00:00:00Z\n"
        f"t2,0x{'a' * 40},0x{'b' * 40},ETH,5,2025-01-02T00:00:00Z\n"
    )
    exposure = tmp_path / "exposure.csv"
    done = _run(home, "exposure", str(transfers), "--out", str(exposure), "--max-hops", "3", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["designated_in_graph"] == 1
    text = exposure.read_text()
    assert "t1 > t2" in text

    # --alerts: one exposure alert per address within --max-hops, in a run of kind monitor.
    done = _run(home, "exposure", str(transfers), "--out", str(exposure), "--alerts", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["alerts_created"] == 2
    with open_store(f"sqlite:///{home / 'vigil.sqlite3'}") as store:
        alerts = {a.customer_id: a for a in store.list_alerts(kind="exposure", limit=100)}
        assert set(alerts) == {"0x" + "a" * 40, "0x" + "b" * 40}
        far = alerts["0x" + "b" * 40]
        assert store.get_run(far.run_id).kind == "monitor"
        assert far.explanation["hops"] == 2 and far.explanation["path"] == ["t1", "t2"]
        assert far.explanation["haircut_share"] == 1.0 and far.explanation["poison_share"] == 1.0
        assert far.explanation["designated_address"] == LAZARUS_ETH.lower()
        lazarus = next(p for p in crypto_parties if p.primary_name.upper().startswith("LAZARUS GROUP"))
        assert far.party_id == lazarus.id and "t1 > t2" in far.explanation["text"]
