"""The store contract, run on every backend (see conftest.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from tests.store.factories import make_list, make_party
from vigil.errors import InputError, NotFoundError, StoreError
from vigil.model import Party
from vigil.store import Store, open_store
from vigil.store.migrations import MIGRATIONS

TABLES = ("list_version", "party_blob", "version_party", "party_group")


def row_counts(store: Store) -> dict[str, int]:
    return {table: int(store._query(f"SELECT COUNT(*) FROM {table}")[0][0]) for table in TABLES}


def dicts(parties: Sequence[Party]) -> list[dict[str, Any]]:
    return [p.to_dict() for p in sorted(parties, key=lambda p: p.id)]


def first_version() -> list[Party]:
    return [make_party("KPi.001"), make_party("KPi.002"), make_party("KPi.003")]


def second_version() -> list[Party]:
    # KPi.001 removed, KPi.002 re-dated, KPi.003 unchanged, KPi.004 added.
    return [
        make_party("KPi.002", listed_on="2017-08-05"),
        make_party("KPi.003"),
        make_party("KPi.004"),
    ]


def import_two(store: Store) -> tuple[int, int]:
    v1 = store.import_version(
        make_list(first_version()), origin="https://un.example/1.xml", content_hash="h1"
    )
    v2 = store.import_version(
        make_list(second_version(), published="2024-02-01"), origin="/tmp/2.xml", content_hash="h2"
    )
    return v1.version.id, v2.version.id


# ---------------------------------------------------------------- import


def test_import_creates_version(store: Store) -> None:
    parties = [*first_version(), make_party("KPe.001", schema="Organization")]
    result = store.import_version(
        make_list(parties),
        origin="https://un.example/list.xml",
        content_hash="abc",
        fetched_at="2024-01-02T03:04:05Z",
    )
    assert result.created
    version = result.version
    assert version.source == "un_sc"
    assert version.published == "2024-01-01"
    assert version.fetched_at == "2024-01-02T03:04:05Z"
    assert version.imported_at.endswith("Z")
    assert version.origin == "https://un.example/list.xml"
    assert version.content_hash == "abc"
    assert version.party_count == 4
    assert version.counts == {"Organization": 1, "Person": 3}
    assert store.versions() == [version]
    assert store.latest_version("un_sc") == version
    assert store.get_version(version.id) == version
    assert store.sources() == ["un_sc"]
    assert dicts(list(store.parties(version.id))) == dicts(parties)
    assert store.party("un_sc:KPi.002").to_dict() == parties[1].to_dict()


def test_parties_round_trip_every_field(store: Store) -> None:
    party = make_party("KPi.010", imo="9191773", cross_refs=["uk:DPR0001"])
    party.raw = {"COMMENTS1": 'ünïcode 김정은 "quoted"'}
    party.notes = ["a note"]
    version = store.import_version(make_list([party]), origin="x", content_hash="h").version
    assert store.party(party.id, version.id) == party


def test_reimport_same_hash_is_noop(store: Store) -> None:
    first = store.import_version(make_list(first_version()), origin="a", content_hash="same")
    counts = row_counts(store)
    again = store.import_version(make_list(second_version()), origin="b", content_hash="same")
    assert not again.created
    assert again.version == first.version
    assert store.versions() == [first.version]
    assert row_counts(store) == counts
    # The same bytes under another source are another list's version.
    other = store.import_version(
        make_list([make_party("X1", "uk_ofsi")], source="uk_ofsi"), origin="c", content_hash="same"
    )
    assert other.created


def test_unchanged_parties_are_stored_once(store: Store) -> None:
    store.import_version(make_list(first_version()), origin="a", content_hash="h1")
    blobs = row_counts(store)["party_blob"]
    store.import_version(make_list(second_version()), origin="b", content_hash="h2")
    # Only the re-dated KPi.002 and the new KPi.004 add blobs.
    assert row_counts(store)["party_blob"] == blobs + 2


def test_import_rejects_bad_input(store: Store) -> None:
    with pytest.raises(InputError, match="twice"):
        store.import_version(make_list([make_party("A"), make_party("A")]), origin="x", content_hash="h")
    with pytest.raises(InputError, match="belongs to source"):
        store.import_version(make_list([make_party("A", "other")]), origin="x", content_hash="h")
    with pytest.raises(InputError):
        store.import_version(make_list([make_party("A")]), origin="x", content_hash="")
    assert store.versions() == []


def test_empty_version(store: Store) -> None:
    store.import_version(make_list(first_version()), origin="a", content_hash="h1")
    empty = store.import_version(make_list([]), origin="b", content_hash="h2").version
    assert empty.party_count == 0
    assert list(store.current_parties()) == []
    assert store.diff_latest("un_sc").summary() == {"added": 0, "removed": 3, "changed": 0, "unchanged": 0}


# ---------------------------------------------------------------- versions and reads


def test_versions_newest_first(store: Store) -> None:
    v1, v2 = import_two(store)
    v3 = store.import_version(
        make_list([make_party("X1", "uk_ofsi")], source="uk_ofsi"), origin="c", content_hash="h3"
    ).version.id
    assert [v.id for v in store.versions()] == [v3, v2, v1]
    assert [v.id for v in store.versions("un_sc")] == [v2, v1]
    assert store.versions("nothing") == []
    assert store.latest_version("nothing") is None
    assert store.sources() == ["uk_ofsi", "un_sc"]
    with pytest.raises(NotFoundError):
        store.get_version(999)


def test_current_parties_returns_latest_versions_only(store: Store) -> None:
    import_two(store)
    store.import_version(
        make_list([make_party("X1", "uk_ofsi", authority="uk")], source="uk_ofsi"),
        origin="c",
        content_hash="h3",
    )
    current = list(store.current_parties())
    assert sorted(p.id for p in current) == ["uk_ofsi:X1", "un_sc:KPi.002", "un_sc:KPi.003", "un_sc:KPi.004"]
    redated = next(p for p in current if p.id == "un_sc:KPi.002")
    assert redated.designations[0].listed_on == "2017-08-05"
    assert [p.id for p in store.current_parties(["uk_ofsi"])] == ["uk_ofsi:X1"]
    assert list(store.current_parties(["unknown"])) == []


def test_parties_of_an_old_version_stay_readable(store: Store) -> None:
    v1, _v2 = import_two(store)
    assert dicts(list(store.parties(v1))) == dicts(first_version())
    with pytest.raises(NotFoundError):
        store.parties(12345)


def test_parties_are_paged_and_survive_an_import_meanwhile(store: Store) -> None:
    many = [make_party(f"P{i:05d}", aliases=0) for i in range(4500)]  # more than two pages
    version = store.import_version(make_list(many), origin="a", content_hash="h1").version
    seen = []
    for i, party in enumerate(store.parties(version.id)):
        if i == 10:
            store.import_version(make_list(many[:5]), origin="b", content_hash="h2")
        seen.append(party.id)
    assert seen == sorted(p.id for p in many)


def test_party_lookup(store: Store) -> None:
    v1, v2 = import_two(store)
    assert store.party("un_sc:KPi.002").designations[0].listed_on == "2017-08-05"
    assert store.party("un_sc:KPi.002", v1).designations[0].listed_on == "2016-03-02"
    # Removed from the latest version: the newest version holding it answers.
    assert store.party("un_sc:KPi.001").id == "un_sc:KPi.001"
    with pytest.raises(NotFoundError):
        store.party("un_sc:KPi.001", v2)
    with pytest.raises(NotFoundError):
        store.party("un_sc:nope")
    with pytest.raises(NotFoundError):
        store.party("un_sc:KPi.002", 999)


# ---------------------------------------------------------------- diffs


def test_diff_shows_added_removed_changed(store: Store) -> None:
    v1, v2 = import_two(store)
    diff = store.diff(v1, v2)
    assert diff.source == "un_sc"
    assert diff.old is not None and diff.old.id == v1
    assert diff.new.id == v2
    assert diff.summary() == {"added": 1, "removed": 1, "changed": 1, "unchanged": 1}
    (added,) = diff.added
    assert (added.party_id, added.change, added.fields, added.before) == ("un_sc:KPi.004", "added", [], None)
    assert added.after is not None and added.after.id == "un_sc:KPi.004"
    (removed,) = diff.removed
    assert (removed.party_id, removed.change, removed.after) == ("un_sc:KPi.001", "removed", None)
    assert removed.before is not None
    (changed,) = diff.changed
    assert changed.party_id == "un_sc:KPi.002"
    assert changed.change == "changed"
    assert changed.fields == ["designations[0].listed_on"]
    assert changed.before is not None and changed.before.designations[0].listed_on == "2016-03-02"
    assert changed.after is not None and changed.after.designations[0].listed_on == "2017-08-05"
    assert store.diff_latest("un_sc") == diff


def test_diff_latest_with_one_version_adds_everything(store: Store) -> None:
    store.import_version(make_list(first_version()), origin="a", content_hash="h1")
    diff = store.diff_latest("un_sc")
    assert diff.old is None
    assert [c.party_id for c in diff.added] == ["un_sc:KPi.001", "un_sc:KPi.002", "un_sc:KPi.003"]
    assert diff.summary() == {"added": 3, "removed": 0, "changed": 0, "unchanged": 0}
    with pytest.raises(NotFoundError):
        store.diff_latest("nothing")


def test_diff_needs_one_source(store: Store) -> None:
    v1, v2 = import_two(store)
    uk = store.import_version(
        make_list([make_party("X1", "uk_ofsi")], source="uk_ofsi"), origin="c", content_hash="h3"
    ).version.id
    with pytest.raises(InputError, match="different lists"):
        store.diff(v1, uk)
    with pytest.raises(NotFoundError):
        store.diff(v1, 999)
    reverse = store.diff(v2, v1)
    assert [c.party_id for c in reverse.added] == ["un_sc:KPi.001"]
    assert store.diff(v1, v1).summary() == {"added": 0, "removed": 0, "changed": 0, "unchanged": 3}


# ---------------------------------------------------------------- cross-list groups


def test_group_of_joins_parties_across_sources(store: Store) -> None:
    un = [
        make_party("KPi.001"),
        make_party("KPi.002"),
        make_party("KPe.900", schema="Vessel", aliases=0, imo="9191773"),
    ]
    uk = [
        make_party("DPR0001", "uk_ofsi", authority="uk", cross_refs=["un:KPi.001"]),
        make_party("DPR0002", "uk_ofsi", authority="uk", cross_refs=["un:KPi.999"]),  # cites nobody stored
        make_party("VSL01", "uk_ofsi", authority="uk", schema="Vessel", aliases=0, imo="9191773"),
    ]
    store.import_version(make_list(un), origin="a", content_hash="u1")
    store.import_version(make_list(uk, source="uk_ofsi"), origin="b", content_hash="k1")

    group = store.group_of("uk_ofsi:DPR0001")
    assert [p.id for p in group] == ["uk_ofsi:DPR0001", "un_sc:KPi.001"]
    assert [p.id for p in store.group_of("un_sc:KPi.001")] == ["uk_ofsi:DPR0001", "un_sc:KPi.001"]
    assert [p.id for p in store.group_of("uk_ofsi:VSL01")] == ["uk_ofsi:VSL01", "un_sc:KPe.900"]
    assert [p.id for p in store.group_of("uk_ofsi:DPR0002")] == ["uk_ofsi:DPR0002"]
    assert [p.id for p in store.group_of("un_sc:KPi.002")] == ["un_sc:KPi.002"]
    assert store._query("SELECT group_id FROM party_group WHERE party_id = ?", ("uk_ofsi:DPR0001",)) == [
        ("un:KPi.001",)
    ]
    with pytest.raises(NotFoundError):
        store.group_of("nobody")

    # Groups follow the current versions: the UN list drops KPi.001, the UK row is alone.
    store.import_version(make_list(un[1:]), origin="c", content_hash="u2")
    assert [p.id for p in store.group_of("uk_ofsi:DPR0001")] == ["uk_ofsi:DPR0001"]
    with pytest.raises(NotFoundError):
        store.group_of("un_sc:KPi.001")


# ---------------------------------------------------------------- atomicity


def _assert_unchanged(store: Store, before_versions: list[Any], before_counts: dict[str, int]) -> None:
    assert store.versions() == before_versions
    assert row_counts(store) == before_counts
    orphans = store._query(
        "SELECT COUNT(*) FROM version_party WHERE version_id NOT IN (SELECT id FROM list_version)"
    )
    assert orphans == [(0,)]
    assert sorted(p.id for p in store.current_parties()) == [
        "un_sc:KPi.001",
        "un_sc:KPi.002",
        "un_sc:KPi.003",
    ]


def test_failed_insert_midway_leaves_previous_state(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.import_version(make_list(first_version()), origin="a", content_hash="h1")
    before_versions, before_counts = store.versions(), row_counts(store)
    original = store._bulk_insert

    def half_then_fail(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], **kw: Any) -> None:
        if table == "version_party":
            original(table, columns, rows[: len(rows) // 2], **kw)
            raise RuntimeError("disk on fire")
        original(table, columns, rows, **kw)

    monkeypatch.setattr(store, "_bulk_insert", half_then_fail)
    big = second_version() + [make_party(f"N{i:04d}") for i in range(50)]
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.import_version(make_list(big), origin="b", content_hash="h2")
    _assert_unchanged(store, before_versions, before_counts)

    # The store stays usable, and the same content imports cleanly afterwards.
    monkeypatch.undo()
    assert store.import_version(make_list(big), origin="b", content_hash="h2").created


def test_failed_regrouping_leaves_previous_state(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.import_version(make_list(first_version()), origin="a", content_hash="h1")
    before_versions, before_counts = store.versions(), row_counts(store)

    def fail() -> None:
        raise StoreError("regrouping failed")

    monkeypatch.setattr(store, "_rebuild_groups", fail)
    with pytest.raises(StoreError):
        store.import_version(make_list(second_version()), origin="b", content_hash="h2")
    _assert_unchanged(store, before_versions, before_counts)


def test_database_error_midway_is_a_store_error(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.import_version(make_list(first_version()), origin="a", content_hash="h1")
    before_versions, before_counts = store.versions(), row_counts(store)
    # A real constraint violation from the database, after rows were written:
    # the first party row points at a blob that does not exist.
    original = store._bulk_insert

    def dangling(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], **kw: Any) -> None:
        if table == "version_party":
            rows = [(*rows[0][:2], "0" * 64, *rows[0][3:]), *rows[1:]]
        original(table, columns, rows, **kw)

    monkeypatch.setattr(store, "_bulk_insert", dangling)
    with pytest.raises(StoreError):
        store.import_version(make_list(second_version()), origin="b", content_hash="h2")
    _assert_unchanged(store, before_versions, before_counts)


class ExplodingParty(Party):
    def to_dict(self) -> dict[str, Any]:
        raise ValueError("cannot serialise")


def test_party_that_cannot_serialise_writes_nothing(store: Store) -> None:
    store.import_version(make_list(first_version()), origin="a", content_hash="h1")
    before_versions, before_counts = store.versions(), row_counts(store)
    bad = ExplodingParty(id="un_sc:BAD", source="un_sc", schema="Person")
    with pytest.raises(ValueError, match="cannot serialise"):
        store.import_version(make_list([*second_version(), bad]), origin="b", content_hash="h2")
    _assert_unchanged(store, before_versions, before_counts)


# ---------------------------------------------------------------- lifecycle


def test_reopen_keeps_data_and_migrations(store_url: str) -> None:
    with open_store(store_url) as store:
        v1, v2 = import_two(store)
        migrations = store._query("SELECT version, name FROM schema_migrations")
        assert migrations == [(m.number, m.name) for m in MIGRATIONS]
        assert migrations[0] == (1, "versioned list store")
    with open_store(store_url) as store:
        assert [v.id for v in store.versions()] == [v2, v1]
        assert store._query("SELECT COUNT(*) FROM schema_migrations") == [(len(MIGRATIONS),)]
        assert store.diff(v1, v2).summary()["changed"] == 1


def test_newer_schema_is_refused(store_url: str) -> None:
    with open_store(store_url) as store:
        store._query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')")
    with pytest.raises(StoreError, match="newer"):
        open_store(store_url)


def test_closed_store_refuses_use(store_url: str) -> None:
    store = open_store(store_url)
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.versions()
