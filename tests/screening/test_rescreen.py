"""Re-screening on every list update, end to end on the real UN snapshots.

A bank's vendor re-screened monthly and payments for two new designees went through in the gap
(OFAC enforcement, 2022): here the monitored base is screened against what a new version adds,
the moment it is imported.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from vigil.screening.files import ColumnMapping
from vigil.screening.service import ScreeningService
from vigil.store import open_store
from vigil.store.base import Store

CUSTOMERS = [
    ("C-001", "Abdul Rahim Hamdan Dagalo", "Person", "1972-01-01", "sd"),  # first listed 2026-02-27 (SDi.008)
    ("C-002", "Ri Won Ho", "Person", "1964-07-17", "kp"),  # UN KPi.033 since 2016
    ("C-003", "Somchai Wongsawat", "Person", "1970-03-01", "th"),
    ("C-004", "Siam Rice Export Company Limited", "Organization", "", "th"),
    ("C-005", "Maria Santos Reyes", "Person", "1985-11-23", "ph"),
]


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'vigil.sqlite3'}") as opened:
        yield opened


def _customers_file(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "name", "type", "dob", "country"])
        writer.writerows(CUSTOMERS)
    return path


MAPPING = ColumnMapping(
    id_column="customer_id", type_column="type", dob_column="dob", country_column="country"
)


def test_new_designation_raises_exactly_one_new_alert(store: Store, lists_dir: Path, tmp_path: Path) -> None:
    service = ScreeningService(store)
    service.import_and_rescreen("un_sc", [lists_dir / "un/2026-01-28/un.xml"])
    upserted, initial = service.load_customers(_customers_file(tmp_path), MAPPING)
    assert upserted.added == 5
    assert initial is not None
    before = {a.id: a for a in store.list_alerts(limit=1000)}
    # Loading the base screens it: Ri Won Ho is a UN designee since 2016; nobody else is listed yet.
    assert {a.customer_id for a in before.values()} == {"C-002"}

    outcome, summary = service.import_and_rescreen("un_sc", [lists_dir / "un/2026-02-27/UN_consolidated.xml"])
    assert outcome.created and summary is not None
    assert summary.groups_screened == 4  # the four Sudan designations added on 2026-02-27

    after = {a.id: a for a in store.list_alerts(limit=1000)}
    new = [a for alert_id, a in after.items() if alert_id not in before]
    assert [(a.customer_id, a.party_id) for a in new] == [("C-001", "un_sc:SDi.008")]
    assert new[0].list_versions["un_sc"] == outcome.version.id
    # Nothing else changed: the earlier alert is untouched.
    for alert_id, alert in before.items():
        assert after[alert_id].row_version == alert.row_version
        assert after[alert_id].status == alert.status

    # The audit log holds the import and the re-screening run, and verifies.
    actions = [r.action for r in store.audit_records(limit=10_000)]
    assert actions.count("list.import") == 2
    assert store.audit_verify().ok


def test_reimport_of_the_same_file_rescreens_nothing(store: Store, lists_dir: Path, tmp_path: Path) -> None:
    service = ScreeningService(store)
    service.import_and_rescreen("un_sc", [lists_dir / "un/2026-02-27/UN_consolidated.xml"])
    service.load_customers(_customers_file(tmp_path), MAPPING)
    outcome, summary = service.import_and_rescreen("un_sc", [lists_dir / "un/2026-02-27/UN_consolidated.xml"])
    assert not outcome.created and summary is None


def test_delisting_closes_open_alerts(store: Store, lists_dir: Path, tmp_path: Path) -> None:
    service = ScreeningService(store)
    # Going from the newer file to the older one removes the four Sudan designations.
    service.import_and_rescreen("un_sc", [lists_dir / "un/2026-02-27/UN_consolidated.xml"])
    service.load_customers(_customers_file(tmp_path), MAPPING)
    [alert] = [a for a in store.list_alerts(limit=100) if a.customer_id == "C-001"]
    assert alert.status == "open"
    _outcome, summary = service.import_and_rescreen("un_sc", [lists_dir / "un/2026-01-28/un.xml"])
    assert summary is not None and summary.alerts_delisted == [alert.id]
    assert store.get_alert(alert.id).status == "delisted"
    # The DPRK designee's alert stays open: still listed.
    assert all(a.status == "open" for a in store.list_alerts(limit=100) if a.customer_id == "C-002")
