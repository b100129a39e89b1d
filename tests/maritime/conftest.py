"""Fixtures of the maritime tests: the real MarineCadastre sample, the real list vessels."""

from __future__ import annotations

from pathlib import Path

import pytest

from vigil.maritime.store import AisStore
from vigil.model.party import Party


@pytest.fixture(scope="session")
def marinecadastre_csv(shared_data: Path) -> Path:
    """The real MarineCadastre export (99,999 positions of 2022-01-03, 10,631 MMSIs), gzip CSV."""
    return shared_data / "ais" / "marinecadastre_2022-01-03_first99999.csv.gz"


@pytest.fixture(scope="session")
def marinecadastre_store(tmp_path_factory: pytest.TempPathFactory, marinecadastre_csv: Path) -> AisStore:
    """An AIS store holding the MarineCadastre sample (read-only for tests: copy before writing)."""
    from vigil.maritime.tabular import ingest_table

    store = AisStore(tmp_path_factory.mktemp("ais") / "store")
    ingest_table(marinecadastre_csv, store, "csv")
    return store


@pytest.fixture(scope="session")
def vessel_parties() -> list[Party]:
    """Parties of schema Vessel of the bundled OFAC (advanced XML) and UK OFSI snapshot files."""
    from vigil.lists.snapshot import snapshot_dir
    from vigil.sources.registry import get_source

    base = snapshot_dir()
    parties: list[Party] = []
    for key, name in (("ofac_sdn_advanced", "sdn_advanced.xml.bz2"), ("uk_ofsi_conlist", "ConList.xlsx")):
        parsed = get_source(key).parse({"main": base / name})
        parties.extend(p for p in parsed.parties if p.schema == "Vessel")
    return parties


@pytest.fixture(scope="session")
def registry(vessel_parties: list[Party]):  # type: ignore[no-untyped-def]
    from vigil.maritime.vessels import VesselRegistry

    return VesselRegistry.from_parties(vessel_parties)
