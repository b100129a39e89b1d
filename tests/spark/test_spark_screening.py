"""Batch screening and delta re-screening on Spark give the local engine's results, row for row.

The customers are the labelled evaluation queries of benchmarks/sets (variants of UN names,
hard negatives, cross-list names, Hangul names): 3,744 rows of which about 1,700 hit the UN list.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from vigil.errors import InputError
from vigil.lists.importing import import_files
from vigil.screening.files import ColumnMapping
from vigil.screening.service import ScreeningService
from vigil.spark.screening import delta_lists, rescreen_table, screen_table
from vigil.store import open_store
from vigil.store.base import Store

pytestmark = pytest.mark.slow

SETS = Path(__file__).resolve().parents[2] / "benchmarks" / "sets"
MAPPING = ColumnMapping(id_column="cid", type_column="type", dob_column="dob", country_column="country")


def _customers() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name in ("variants", "hard_negatives", "cross_list", "korean_script"):
        with (SETS / f"{name}.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                rows.append(
                    {
                        "cid": row["case_id"],
                        "name": row["query"],
                        "type": row["query_schema"],
                        "dob": row["query_dob"],
                        "country": row["query_country"],
                    }
                )
    # What a real file holds too: a blank row, a row without a name, a number as the id.
    rows.insert(10, {"cid": "", "name": "", "type": "", "dob": "", "country": ""})
    rows.insert(20, {"cid": "NO-NAME", "name": "  ", "type": "Person", "dob": "", "country": ""})
    return rows


@pytest.fixture(scope="module")
def un_store(tmp_path_factory: pytest.TempPathFactory, lists_dir: Path) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("spark-store")
    with open_store(f"sqlite:///{folder / 'vigil.sqlite3'}") as store:
        import_files(store, "un_sc", [lists_dir / "un/2026-02-27/UN_consolidated.xml"])
        yield store


def _read(path: Path) -> list[dict[str, Any]]:
    return ds.dataset(str(path), format="parquet").to_table().to_pylist()


def test_screening_a_folder_equals_screen_file(spark: Any, un_store: Store, tmp_path: Path) -> None:
    rows = _customers()
    whole = tmp_path / "customers.parquet"
    pq.write_table(pa.Table.from_pylist(rows), whole)
    # The same rows as two files of a folder, as Spark jobs usually write them.
    folder = tmp_path / "customers"
    folder.mkdir()
    half = len(rows) // 2
    pq.write_table(pa.Table.from_pylist(rows[:half]), folder / "part-0.parquet", row_group_size=400)
    pq.write_table(pa.Table.from_pylist(rows[half:]), folder / "part-1.parquet", row_group_size=400)

    service = ScreeningService(un_store)
    local = service.screen_file(whole, tmp_path / "local.parquet", MAPPING)
    assert local.report.rows_skipped == 1 and local.rows_with_hits > 1_500

    summary = screen_table(
        spark, service.matcher(), str(folder), str(tmp_path / "spark"), MAPPING, partitions=3
    )
    expected = pq.read_table(tmp_path / "local.parquet").to_pylist()
    got = _read(tmp_path / "spark")
    assert (summary.rows, summary.rows_with_hits, summary.hits) == (
        local.rows,
        local.rows_with_hits,
        local.hits,
    )
    assert [r["row"] for r in got] == [r["row"] for r in expected]  # written in input order
    assert got == expected  # same hits, ranks, scores, refs, explanations
    assert len(list((tmp_path / "spark").glob("part-*.parquet"))) >= 2


def test_screening_one_file_with_a_threshold_a_limit_and_wallets(
    spark: Any, un_store: Store, tmp_path: Path
) -> None:
    rows = _customers()[:600]
    # A wallet column: an invalid address is reported as such, a valid unlisted one gives nothing.
    for number, row in enumerate(rows):
        row["wallet"] = ["", "0xnot-an-address", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"][number % 3]
    source = tmp_path / "customers.parquet"
    pq.write_table(pa.Table.from_pylist(rows), source, row_group_size=100)
    mapping = ColumnMapping(
        id_column="cid",
        type_column="type",
        dob_column="dob",
        country_column="country",
        address_column="wallet",
    )
    service = ScreeningService(un_store)
    service.screen_file(source, tmp_path / "local.parquet", mapping, threshold=0.7, limit=2)
    screen_table(
        spark,
        service.matcher(),
        str(source),
        str(tmp_path / "out"),
        mapping,
        threshold=0.7,
        limit=2,
        crypto=service.crypto_lists(),
    )
    expected = pq.read_table(tmp_path / "local.parquet").to_pylist()
    assert any(h["party_id"] == "" for r in expected for h in r["hits"])  # the invalid addresses
    assert _read(tmp_path / "out") == expected
    with pytest.raises(InputError, match="already exists"):
        screen_table(spark, service.matcher(), str(source), str(tmp_path / "out"), MAPPING)


def test_a_bad_date_of_birth_names_file_row_and_column(spark: Any, un_store: Store, tmp_path: Path) -> None:
    source = tmp_path / "bad.parquet"
    rows = [{"cid": "1", "name": "Kim Jong Un", "type": "person", "dob": "1984-01-08", "country": "kp"}] * 3
    rows.append({"cid": "4", "name": "Ri Won Ho", "type": "person", "dob": "31/31/1964", "country": "kp"})
    pq.write_table(pa.Table.from_pylist(rows), source)
    matcher = ScreeningService(un_store).matcher()
    with pytest.raises(InputError, match=r"bad\.parquet, row 4, column 'dob': invalid date of birth"):
        screen_table(spark, matcher, str(source), str(tmp_path / "out"), MAPPING)
    with pytest.raises(InputError, match=r"column 'customer' \(id_column\) not found"):
        screen_table(spark, matcher, str(source), str(tmp_path / "out2"), ColumnMapping(id_column="customer"))


# ---------------------------------------------------------------------------------- re-screening


def _alerts_of(store: Store, ids: list[int]) -> set[tuple[Any, ...]]:
    result = set()
    for alert_id in ids:
        alert = store.get_alert(alert_id)
        result.add((alert.customer_id, alert.kind, alert.group_id, alert.party_id, alert.score))
    return result


def test_delta_rescreening_equals_the_local_rescreen(spark: Any, lists_dir: Path, tmp_path: Path) -> None:
    rows = [r for r in _customers() if r["name"].strip() and r["cid"]][:1_500]
    rows.append(
        {
            "cid": "C-001",
            "name": "Abdul Rahim Hamdan Dagalo",
            "type": "Person",
            "dob": "1972-01-01",
            "country": "sd",
        }
    )  # first listed by the UN on 2026-02-27 (SDi.008)
    base = tmp_path / "base.parquet"
    pq.write_table(pa.Table.from_pylist(rows), base, row_group_size=300)
    with open_store(f"sqlite:///{tmp_path / 'vigil.sqlite3'}") as store:
        service = ScreeningService(store)
        service.load_customers(base, MAPPING, screen=False)
        first, initial = service.import_and_rescreen("un_sc", [lists_dir / "un/2026-01-28/un.xml"])
        second, update = service.import_and_rescreen(
            "un_sc", [lists_dir / "un/2026-02-27/UN_consolidated.xml"]
        )
        assert initial is not None and update is not None and update.groups_screened == 4

        # A first import: every designation is new, so the whole base is screened against it.
        delta = delta_lists(store, None, first.version.id)
        rescreen_table(spark, delta, str(base), str(tmp_path / "first"), MAPPING)
        got = {
            (r["customer_id"], r["kind"], r["group_id"], r["party_id"], r["score"])
            for r in _read(tmp_path / "first")
        }
        expected = _alerts_of(store, initial.alerts_created + initial.alerts_updated)
        assert len(expected) > 500 and got == expected

        # The update of 2026-02-27: four Sudan designations added, the new one found.
        delta = delta_lists(store, first.version.id, second.version.id)
        assert len(delta.touched) == 4
        summary = rescreen_table(spark, delta, str(base), str(tmp_path / "second"), MAPPING)
        got = {
            (r["customer_id"], r["kind"], r["group_id"], r["party_id"], r["score"])
            for r in _read(tmp_path / "second")
        }
        assert got == _alerts_of(store, update.alerts_created + update.alerts_updated)
        assert ("C-001", "name") in {(g[0], g[1]) for g in got}
        assert summary.groups_screened == 4 and summary.alerts == len(got)
