"""`vigil lists update` against a local HTTP server serving the real official files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vigil.errors import FetchError
from vigil.lists.fetch import update_lists
from vigil.settings import get_settings
from vigil.store.base import Store


def _settings(tmp_path: Path, **urls: str) -> object:
    env = {"VIGIL_HOME": str(tmp_path), "VIGIL_FETCH_TIMEOUT": "10"}
    env.update({f"VIGIL_LIST_URL_{k.upper()}": v for k, v in urls.items()})
    return get_settings(env)


def test_update_downloads_and_imports_the_un_list(
    store: Store, http_server: tuple[str, Path], lists_dir: Path, tmp_path: Path
) -> None:
    base, root = http_server
    shutil.copy(lists_dir / "un/2026-01-28/un.xml", root / "consolidated.xml")
    settings = _settings(tmp_path, un_sc=f"{base}/consolidated.xml")
    [outcome] = update_lists(store, settings, ["un_sc"])  # type: ignore[arg-type]
    assert outcome.created
    assert outcome.version.published is not None and outcome.version.published.startswith("2026-01-28")
    assert outcome.version.party_count == 726 + 273
    assert outcome.version.origin == f"{base}/consolidated.xml"

    # The publisher's file changes: a new version, and the diff shows the Sudan additions.
    shutil.copy(lists_dir / "un/2026-02-27/UN_consolidated.xml", root / "consolidated.xml")
    [second] = update_lists(store, settings, ["un_sc"])  # type: ignore[arg-type]
    assert second.created and second.version.party_count == 730 + 273
    diff = store.diff_latest("un_sc")
    assert len(diff.added) >= 4
    assert any(c.party_id.startswith("un_sc:SDi.") for c in diff.added)

    # Same file again: a no-op.
    [third] = update_lists(store, settings, ["un_sc"])  # type: ignore[arg-type]
    assert not third.created and third.version.id == second.version.id


def test_network_failure_keeps_previous_version(
    store: Store, http_server: tuple[str, Path], lists_dir: Path, tmp_path: Path
) -> None:
    base, root = http_server
    shutil.copy(lists_dir / "un/2026-01-28/un.xml", root / "consolidated.xml")
    update_lists(store, _settings(tmp_path, un_sc=f"{base}/consolidated.xml"), ["un_sc"])  # type: ignore[arg-type]
    before = store.versions("un_sc")

    with pytest.raises(FetchError, match="404"):
        update_lists(store, _settings(tmp_path, un_sc=f"{base}/missing.xml"), ["un_sc"])  # type: ignore[arg-type]
    # A port nobody listens on.
    with pytest.raises(FetchError, match="cannot download"):
        update_lists(store, _settings(tmp_path, un_sc="http://127.0.0.1:9/consolidated.xml"), ["un_sc"])  # type: ignore[arg-type]
    assert store.versions("un_sc") == before


def test_bad_download_is_refused_and_previous_version_kept(
    store: Store, http_server: tuple[str, Path], lists_dir: Path, tmp_path: Path
) -> None:
    base, root = http_server
    shutil.copy(lists_dir / "un/2026-01-28/un.xml", root / "consolidated.xml")
    update_lists(store, _settings(tmp_path, un_sc=f"{base}/consolidated.xml"), ["un_sc"])  # type: ignore[arg-type]
    before = store.versions("un_sc")
    parties_before = sum(1 for _ in store.parties(before[0].id))

    data = (lists_dir / "un/2026-02-27/UN_consolidated.xml").read_bytes()
    (root / "truncated.xml").write_bytes(data[: len(data) // 2])
    (root / "error-page.xml").write_text("<html><body>Service unavailable</body></html>")
    for name in ("truncated.xml", "error-page.xml"):
        with pytest.raises(FetchError, match="previous version kept"):
            update_lists(store, _settings(tmp_path, un_sc=f"{base}/{name}"), ["un_sc"])  # type: ignore[arg-type]
    assert store.versions("un_sc") == before
    assert sum(1 for _ in store.parties(before[0].id)) == parties_before


def test_download_over_the_size_limit_is_refused(
    store: Store, http_server: tuple[str, Path], lists_dir: Path, tmp_path: Path
) -> None:
    base, root = http_server
    shutil.copy(lists_dir / "un/2026-01-28/un.xml", root / "consolidated.xml")
    env = {
        "VIGIL_HOME": str(tmp_path),
        "VIGIL_MAX_LIST_BYTES": "100000",
        "VIGIL_LIST_URL_UN_SC": f"{base}/consolidated.xml",
    }
    with pytest.raises(FetchError, match="limit"):
        update_lists(store, get_settings(env), ["un_sc"])
    assert store.versions("un_sc") == []
