import pytest

from vigil.lists.snapshot import snapshot_dir
from vigil.model import Party
from vigil.sources.registry import get_source


@pytest.fixture(scope="session")
def ofac_parties() -> list[Party]:
    """The bundled OFAC advanced XML snapshot, parsed once (about 10 s)."""
    parsed = get_source("ofac_sdn_advanced").parse({"main": snapshot_dir() / "sdn_advanced.xml.bz2"})
    return parsed.parties


@pytest.fixture(scope="session")
def crypto_parties(ofac_parties: list[Party]) -> list[Party]:
    return [p for p in ofac_parties if any(i.kind == "crypto" for i in p.identifiers)]
