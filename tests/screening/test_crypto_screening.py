"""Wallet addresses in the alert workflow: screen-file --address-column and monitored customers.

Real bundled OFAC data: Lazarus Group's Ronin-bridge ETH address; an invalid one (broken
EIP-55 checksum of the same address) is reported, never matched.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from vigil.lists.snapshot import snapshot_dir
from vigil.model import Party
from vigil.screening.files import ColumnMapping
from vigil.screening.service import ScreeningService
from vigil.sources.base import ParsedList
from vigil.sources.registry import get_source
from vigil.store import open_store
from vigil.store.base import Store

LAZARUS_ETH = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"
_POS = next(i for i, c in enumerate(LAZARUS_ETH) if i > 1 and c.isalpha())
BROKEN = LAZARUS_ETH[:_POS] + LAZARUS_ETH[_POS].swapcase() + LAZARUS_ETH[_POS + 1 :]
FRESH = "0x" + "1" * 40


@pytest.fixture(scope="module")
def crypto_parties() -> list[Party]:
    parsed = get_source("ofac_sdn_advanced").parse({"main": snapshot_dir() / "sdn_advanced.xml.bz2"})
    return [p for p in parsed.parties if any(i.kind == "crypto" for i in p.identifiers)]


@pytest.fixture()
def store(tmp_path: Path, crypto_parties: list[Party]) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'vigil.sqlite3'}") as opened:
        parsed = ParsedList(source="ofac_sdn_advanced", published="2025-11-19", parties=crypto_parties)
        opened.import_version(parsed, origin="test: crypto parties only", content_hash="crypto-test")
        yield opened


def _lazarus(parties: list[Party]) -> Party:
    return next(p for p in parties if p.primary_name.upper().startswith("LAZARUS GROUP"))


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_screen_file_address_column(store: Store, tmp_path: Path, crypto_parties: list[Party]) -> None:
    source = _write(
        tmp_path / "customers.csv",
        [
            ["id", "name", "wallet"],
            ["c1", "Somchai Wongsawat", LAZARUS_ETH],
            ["c2", "Maria Santos Reyes", BROKEN],
            ["c3", "Kim Min-jun", FRESH],
            ["c4", "Park Ji-woo", ""],
            ["c5", "Lee Seo-yeon", LAZARUS_ETH.lower()],  # all lower case: valid, no checksum
        ],
    )
    out = tmp_path / "out.jsonl"
    service = ScreeningService(store)
    mapping = ColumnMapping(id_column="id", address_column="wallet")
    summary = service.screen_file(source, out, mapping, raise_alerts=True)
    results = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    lazarus = _lazarus(crypto_parties)

    hit = results["c1"]["hits"][-1]
    assert hit["party_id"] == lazarus.id and hit["score"] == 1.0
    assert hit["explanation"] == "designated digital currency address (ETH, ethereum; checksum verified)"
    assert set(lazarus.authority_refs) <= set(hit["refs"]) and hit["refs"]
    # The broken checksum is reported as invalid, with no party: never matched.
    (invalid,) = results["c2"]["hits"]
    assert invalid["party_id"] == "" and invalid["explanation"].startswith("INVALID digital currency address")
    assert results["c3"]["hits"] == [] and results["c4"]["hits"] == []
    assert results["c5"]["hits"][-1]["explanation"].endswith("(ETH, ethereum; checksum none)")

    crypto_alerts = store.list_alerts(kind="crypto", limit=100)
    assert [(a.customer_id, a.party_id) for a in crypto_alerts] == [("c1", lazarus.id), ("c5", lazarus.id)]
    assert "checksum verified" in crypto_alerts[0].explanation["text"]
    counts = store.get_run(summary.run_id).counts
    assert counts is not None and counts["address_hits"] == 2 and counts["invalid_addresses"] == 1
    # The index is built once per set of list versions.
    assert service.address_index() is service.address_index()


def test_monitored_customers_wallet_identifiers(
    store: Store, tmp_path: Path, crypto_parties: list[Party]
) -> None:
    source = _write(
        tmp_path / "customers.csv",
        [
            ["id", "name", "wallet"],
            ["m1", "Somchai Wongsawat", LAZARUS_ETH],
            ["m2", "Maria Santos Reyes", BROKEN],
            ["m3", "Kim Min-jun", FRESH],
        ],
    )
    service = ScreeningService(store)
    mapping = ColumnMapping(id_column="id", identifier_columns=("wallet",))
    _, summary = service.load_customers(source, mapping)
    assert summary is not None
    alerts = store.list_alerts(kind="crypto", limit=100)
    assert [(a.customer_id, a.party_id) for a in alerts] == [("m1", _lazarus(crypto_parties).id)]
    assert store.get_run(summary.run_id or 0).kind == "monitor"
    # Screening again updates the same alert rather than adding one.
    service.screen_customers(list(store.iter_customers()), actor="test")
    assert len(store.list_alerts(kind="crypto", limit=100)) == 1


def test_cli_screen_file_address_column(tmp_path: Path, crypto_parties: list[Party]) -> None:
    import os
    import subprocess
    import sys

    home = tmp_path / "home"
    home.mkdir()
    with open_store(f"sqlite:///{home / 'vigil.sqlite3'}") as opened:
        parsed = ParsedList(source="ofac_sdn_advanced", published="2025-11-19", parties=crypto_parties)
        opened.import_version(parsed, origin="test: crypto parties only", content_hash="crypto-test")
    source = _write(
        tmp_path / "c.csv",
        [["id", "name", "wallet"], ["c1", "Kim Min-jun", LAZARUS_ETH], ["c2", "Lee", BROKEN]],
    )
    out = tmp_path / "r.csv"
    env = {**os.environ, "VIGIL_HOME": str(home)}
    env.pop("VIGIL_DATABASE_URL", None)
    done = subprocess.run(
        [
            *(sys.executable, "-m", "vigil.cli.main", "screen-file", str(source), "--out", str(out)),
            *("--id-column", "id", "--address-column", "wallet", "--alerts", "--workers", "1", "--json"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stderr
    text = out.read_text(encoding="utf-8-sig")
    assert "designated digital currency address (ETH, ethereum; checksum verified)" in text
    assert "INVALID digital currency address" in text
    with open_store(f"sqlite:///{home / 'vigil.sqlite3'}") as opened:
        alerts = opened.list_alerts(kind="crypto", limit=10)
        assert [a.customer_id for a in alerts] == ["c1"]


def test_rescreen_raises_crypto_alert_for_a_new_designation(
    tmp_path: Path, crypto_parties: list[Party]
) -> None:
    from vigil.lists.importing import ImportOutcome

    lazarus = _lazarus(crypto_parties)
    others = [p for p in crypto_parties if p.id != lazarus.id]
    with open_store(f"sqlite:///{tmp_path / 'v.sqlite3'}") as opened:
        service = ScreeningService(opened)
        opened.import_version(
            ParsedList(source="ofac_sdn_advanced", published="2025-11-18", parties=others),
            origin="test: without Lazarus",
            content_hash="v1",
        )
        source = _write(tmp_path / "m.csv", [["id", "name", "wallet"], ["m1", "Kim Min-jun", LAZARUS_ETH]])
        service.load_customers(source, ColumnMapping(id_column="id", identifier_columns=("wallet",)))
        assert opened.list_alerts(kind="crypto", limit=10) == []
        done = opened.import_version(
            ParsedList(source="ofac_sdn_advanced", published="2025-11-19", parties=crypto_parties),
            origin="test: with Lazarus",
            content_hash="v2",
        )
        outcome = ImportOutcome(source="ofac_sdn_advanced", version=done.version, created=True, seconds=0.0)
        summary = service.rescreen_changes([outcome], actor="test")
        alerts = opened.list_alerts(kind="crypto", limit=10)
        assert [(a.customer_id, a.party_id) for a in alerts] == [("m1", lazarus.id)]
        assert opened.get_run(summary.run_id or 0).kind == "rescreen"
