"""The bundled snapshot: loads offline on first run, whole and exact, and groups parties across lists."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

import vigil
from vigil.lists.snapshot import ensure_snapshot, load_snapshot, snapshot_dir, snapshot_manifest
from vigil.model import Party
from vigil.sources.safe_io import open_list_file
from vigil.store import open_store
from vigil.store.base import Store


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("snapshot") / "vigil.sqlite3"
    with open_store(f"sqlite:///{path}") as store:
        outcomes = ensure_snapshot(store)
        assert [o.source for o in outcomes] == [e.source for e in snapshot_manifest()]
        yield store


def test_bundled_files_are_the_official_files() -> None:
    for entry in snapshot_manifest():
        for role, name in entry.files.items():
            path = snapshot_dir() / name
            assert path.is_file(), f"{name} missing from the package"
            digest = hashlib.sha256()
            with open_list_file(path) as handle:
                digest.update(handle.read())
            assert digest.hexdigest() == entry.sha256[role], f"{name} is not the official file"


def test_snapshot_counts(loaded: Store) -> None:
    counts = {key: loaded.latest_version(key) for key in loaded.sources()}
    assert counts["un_sc"] is not None and counts["un_sc"].party_count == 730 + 273
    assert counts["ofac_sdn_advanced"] is not None and counts["ofac_sdn_advanced"].party_count == 18_367
    assert counts["uk_ofsi_conlist"] is not None and counts["uk_ofsi_conlist"].party_count == 4_688
    published = {key: v.published[:10] for key, v in counts.items() if v is not None and v.published}
    assert published == {
        "un_sc": "2026-02-27",
        "ofac_sdn_advanced": "2025-11-19",
        "uk_ofsi_conlist": "2025-04-14",
    }


def test_loading_again_is_a_no_op(loaded: Store) -> None:
    before = loaded.versions()
    outcomes = load_snapshot(loaded)
    assert not any(o.created for o in outcomes)
    assert loaded.versions() == before
    assert ensure_snapshot(loaded) == []


def _dprk_un(parties: list[Party]) -> list[Party]:
    return [p for p in parties if p.source == "un_sc" and p.id.split(":")[1][:3] in ("KPi", "KPe")]


def test_every_un_dprk_entry_has_its_uk_counterpart(loaded: Store) -> None:
    un = _dprk_un(list(loaded.current_parties(["un_sc"])))
    assert len(un) == 155
    missing = []
    for party in un:
        sources = {p.source for p in loaded.group_of(party.id)}
        if "uk_ofsi_conlist" not in sources:
            missing.append(party.id)
    assert missing == []


def test_party_view_shows_every_authority(loaded: Store) -> None:
    group = loaded.group_of("un_sc:KPi.033")
    refs = {ref for p in group for ref in p.authority_refs}
    assert "un:KPi.033" in refs
    assert any(ref.startswith("uk:DPR") for ref in refs)


def test_uk_ships_group_with_ofac_vessels_by_imo(loaded: Store) -> None:
    uk_ships = [
        p
        for p in loaded.current_parties(["uk_ofsi_conlist"])
        if p.schema == "Vessel" and any("Korea" in (d.regime or "") for d in p.designations)
    ]
    assert len(uk_ships) == 15
    grouped = Counter("ofac_sdn_advanced" in {q.source for q in loaded.group_of(p.id)} for p in uk_ships)
    # Every UK-listed DPRK ship is also an OFAC SDN vessel with the same IMO number.
    assert grouped[True] == 15, grouped


def test_store_does_not_need_shared_data(loaded: Store, lists_dir: Path) -> None:
    # Every bundled file lives inside the installed package, none in ../shared.
    package = Path(vigil.__file__).resolve().parent
    for entry in snapshot_manifest():
        for name in entry.files.values():
            path = (snapshot_dir() / name).resolve()
            assert package in path.parents and path.is_file()
            assert lists_dir.resolve() not in path.parents
    assert all(v.origin.startswith("bundled snapshot") for v in loaded.versions())
