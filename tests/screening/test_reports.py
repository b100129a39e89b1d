"""Screening reports for examiners, built from a real store on the real UN list.

Examiners ask for the list version, the threshold and the reason behind every closed alert
(Wolfsberg Group, 2019; OFAC compliance framework, 2019): each of these must be in the HTML and
in the PDF. The store's clock is set, so statuses at the end of a period are known exactly.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from vigil.errors import InputError
from vigil.lists.importing import import_files
from vigil.screening.reports import (
    PdfFonts,
    Report,
    batch_report,
    find_pdf_fonts,
    period_report,
    transliterate,
)
from vigil.store import ListVersion, open_store
from vigil.store.base import Store
from vigil.store.workflow import AlertItem

SCRIPT_NAME = "<script>alert(1)</script>"
HANGUL_NAME = "황석하"  # HWANG SOK-HWA, UN KPi.003 (tests/../shared/data/bench)
NOW = datetime(2026, 5, 1, tzinfo=UTC)
PARAMS = {"algorithm": "vigil-v1", "thresholds": {"person": 0.8, "org": 0.85}, "input": "customers.csv"}

TRUE_MATCH_REASON = "Same name, DOB 1958 and nationality as UN KPi.003"
CONFIRM_REASON = "Passport copy checked against the UN narrative"
FALSE_POSITIVE_REASON = "Different company: Thai registry extract, no DPRK link"
ALLOW_REASON = "Cleared after registry check; re-review on list change"
ESCALATE_REASON = "Name matches, date of birth unknown: to the compliance head"
CLOSE_REASON = "Passport shows DOB 1990-05-01: a different person"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def at(self, *args: int) -> None:
        self.now = datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@dataclass
class World:
    store: Store
    version: ListVersion
    run1: int
    run2: int
    true_match: int
    false_positive: int
    escalated: int


def _item(customer_id: str, name: str, party: str, score: float, versions: dict[str, int]) -> AlertItem:
    ref = party.split(":", 1)[1]
    return AlertItem(
        customer_id=customer_id,
        query={"name": name, "id": customer_id},
        party_id=party,
        group_id=f"un:{ref}",
        score=score,
        explanation={"text": f"name similarity {score:.2f}", "method": "vigil-v1"},
        list_versions=versions,
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, lists_dir: Path) -> Iterator[World]:
    path = tmp_path_factory.mktemp("reports") / "vigil.sqlite3"
    with open_store(f"sqlite:///{path}") as store:
        clock = Clock(datetime(2026, 3, 1, 8, 0, tzinfo=UTC))
        store._utcnow = clock  # type: ignore[method-assign]
        outcome = import_files(store, "un_sc", [lists_dir / "un/2026-02-27/UN_consolidated.xml"])
        versions = {"un_sc": outcome.version.id}

        clock.at(2026, 3, 2, 9, 0)
        run1 = store.start_run("batch", actor="analyst.lim", params=PARAMS, list_versions=versions)
        raised = store.raise_alerts(
            run1.id,
            [
                _item("C-001", HANGUL_NAME, "un_sc:KPi.003", 0.93, versions),
                _item("C-002", SCRIPT_NAME, "un_sc:KPe.001", 0.81, versions),
                _item("C-003", "Ri Won Ho", "un_sc:KPi.033", 0.97, versions),
            ],
        )
        true_match, false_positive, escalated = raised.created
        clock.at(2026, 3, 2, 9, 5)
        store.finish_run(
            run1.id,
            counts={
                "rows": 40,
                "rows_with_hits": 3,
                "hits": 3,
                "alerts_created": 3,
                "alerts_updated": 0,
                "rows_skipped": 1,
            },
        )

        clock.at(2026, 3, 3, 10, 0)
        alert = store.get_alert(true_match)
        store.dispose(
            true_match,
            "true_match",
            TRUE_MATCH_REASON,
            "alice",
            expected_row_version=alert.row_version,
            four_eyes=True,
        )
        clock.at(2026, 3, 4, 11, 0)
        alert = store.get_alert(false_positive)
        store.dispose(
            false_positive,
            "false_positive",
            FALSE_POSITIVE_REASON,
            "bob",
            expected_row_version=alert.row_version,
        )
        clock.at(2026, 3, 4, 11, 30)
        hashes = store.group_hashes(["un:KPe.001"])
        store.add_allow(
            "C-002", "un:KPe.001", hashes["un:KPe.001"], ALLOW_REASON, "bob", "2027-03-04T00:00:00Z"
        )
        clock.at(2026, 3, 5, 12, 0)
        alert = store.get_alert(escalated)
        store.dispose(escalated, "escalate", ESCALATE_REASON, "alice", expected_row_version=alert.row_version)

        # A re-screening: C-003's escalated alert is updated, C-002 is suppressed by the allowlist.
        clock.at(2026, 3, 10, 6, 0)
        run2 = store.start_run("rescreen", actor="system", params=PARAMS, list_versions=versions)
        again = store.raise_alerts(
            run2.id,
            [
                _item("C-002", SCRIPT_NAME, "un_sc:KPe.001", 0.81, versions),
                _item("C-003", "Ri Won Ho", "un_sc:KPi.033", 0.98, versions),
            ],
        )
        assert again.updated == [escalated]
        assert again.outcomes[0].reason == "allowlisted"
        clock.at(2026, 3, 10, 6, 1)
        store.finish_run(run2.id, counts={"customers": 3, "alerts_created": 0, "alerts_updated": 1})

        # April: the second reviewer confirms the true match; the escalation is closed.
        clock.at(2026, 4, 2, 14, 0)
        alert = store.get_alert(true_match)
        store.dispose(true_match, "confirm", CONFIRM_REASON, "bob", expected_row_version=alert.row_version)
        clock.at(2026, 4, 3, 9, 0)
        alert = store.get_alert(escalated)
        store.dispose(
            escalated, "false_positive", CLOSE_REASON, "carol", expected_row_version=alert.row_version
        )

        yield World(store, outcome.version, run1.id, run2.id, true_match, false_positive, escalated)


@pytest.fixture(scope="module")
def run_report(world: World) -> Report:
    return batch_report(world.store, world.run1, generated_by="examiner copy", now=NOW)


@pytest.fixture(scope="module")
def march(world: World) -> Report:
    return period_report(world.store, date(2026, 3, 1), date(2026, 3, 31), now=NOW)


@pytest.fixture(scope="module")
def run_pdf_text(run_report: Report) -> str:
    return _pdf_text(run_report.to_pdf())


def _pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text is not checked")
    # -raw keeps fpdf2's order: the lines of one table cell come one after another.
    result = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def _squash(text: str) -> str:
    return "".join(text.split())


# ---------------------------------------------------------------------- data


def test_batch_report_holds_what_an_examiner_asks_for(world: World, run_report: Report) -> None:
    report = run_report
    assert report.kind == "batch"
    [run] = report.runs
    assert (run.id, run.kind, run.actor, run.algorithm) == (world.run1, "batch", "analyst.lim", "vigil-v1")
    assert run.thresholds == {"person": 0.8, "org": 0.85}
    assert run.params == {"input": "customers.csv"}
    assert (run.rows_screened, run.rows_with_hits, run.hits, run.alerts_created, run.rows_skipped) == (
        40,
        3,
        3,
        3,
        1,
    )
    [version] = report.versions
    assert version.id == world.version.id
    assert version.source == "un_sc"
    assert version.content_hash == world.version.content_hash
    assert version.published == world.version.published
    assert version.origin is not None and version.origin.endswith("UN_consolidated.xml")
    assert version.used_by_runs == (world.run1,)

    alerts = {a.id: a for a in report.alerts}
    assert set(alerts) == {world.true_match, world.false_positive, world.escalated}
    confirmed = alerts[world.true_match]
    assert confirmed.status == "closed_true_match"
    assert confirmed.decision == "true_match"
    assert confirmed.decided_by == "alice"
    assert confirmed.second_reviewer == "bob"
    assert confirmed.reason is not None and TRUE_MATCH_REASON in confirmed.reason
    assert CONFIRM_REASON in confirmed.reason
    assert confirmed.time_to_decision == timedelta(days=31, hours=5)  # 2 March 09:00 to 2 April 14:00
    assert confirmed.listed_name == "HWANG SOK-HWA"
    assert confirmed.list_versions == {"un_sc": world.version.id}
    assert [(d.decision, d.four_eyes, d.to_status) for d in confirmed.dispositions] == [
        ("true_match", True, "pending_confirmation"),
        ("confirm", False, "closed_true_match"),
    ]
    cleared = alerts[world.false_positive]
    assert (cleared.decision, cleared.reason, cleared.decided_by, cleared.second_reviewer) == (
        "false_positive",
        FALSE_POSITIVE_REASON,
        "bob",
        None,
    )
    assert cleared.customer_name == SCRIPT_NAME
    closed = alerts[world.escalated]
    assert (closed.decision, closed.decided_by, closed.reason) == ("false_positive", "carol", CLOSE_REASON)

    assert report.open_total == 0
    assert [(c.action, c.customer_id, c.group_id, c.actor) for c in report.allow_changes] == [
        ("added", "C-002", "un:KPe.001", "bob")
    ]
    activity = {r.reviewer: r.by_decision for r in report.reviewers}
    assert activity == {
        "alice": {"true_match": 1, "escalate": 1},
        "bob": {"false_positive": 1, "confirm": 1},
        "carol": {"false_positive": 1},
    }
    assert report.audit.ok
    assert report.audit.head == world.store.audit_head()
    assert world.store.audit_verify(anchor=report.audit.head).ok


def test_batch_report_of_a_rescreen_lists_updated_and_suppressed(world: World) -> None:
    report = batch_report(world.store, world.run2, now=NOW)
    [run] = report.runs
    assert run.rows_screened == 3  # a monitoring run counts customers
    assert run.alerts_suppressed == 1
    assert [(a.id, a.raised_in_scope, a.updated_in_scope) for a in report.alerts] == [
        (world.escalated, False, True)
    ]
    # The updated alert was raised by run 1: that run's thresholds are shown with it.
    assert [r.id for r in report.related_runs] == [world.run1]


def test_period_report_shows_statuses_at_the_end_of_the_period(world: World, march: Report) -> None:
    assert [r.id for r in march.runs] == [world.run1, world.run2]
    assert march.totals.runs == 2
    assert march.totals.rows_screened == 43
    assert march.totals.alerts_created == 3
    assert march.totals.alerts_updated == 1
    assert march.totals.alerts_suppressed == 1
    assert march.totals.runs_by_kind == {"batch": 1, "rescreen": 1}

    alerts = {a.id: a for a in march.alerts}
    pending = alerts[world.true_match]
    assert pending.status == "pending_confirmation"  # confirmed only on 2 April
    assert pending.current_status == "closed_true_match"
    assert pending.decision is None and pending.second_reviewer is None
    assert [d.decision for d in pending.dispositions] == ["true_match"]
    assert alerts[world.escalated].status == "escalated"
    assert alerts[world.false_positive].status == "closed_false_positive"

    assert march.open_total == 2
    by_age = {b.label: b.alert_ids for b in march.open_by_age if b.count}
    assert by_age == {"7-30 days": (world.true_match, world.escalated)}
    assert {r.reviewer: r.total for r in march.reviewers} == {"alice": 2, "bob": 1}
    assert [c.action for c in march.allow_changes] == ["added"]

    # The audit anchor of the period is its last record in March, the one that finished run 2.
    [finish] = world.store.audit_records(action="run.finish", subject=f"run:{world.run2}")
    assert march.audit.period_head == (finish.seq, finish.hash)
    assert world.store.audit_verify(anchor=march.audit.period_head).ok


def test_period_report_of_april_lists_the_reviews_and_the_runs_behind_them(world: World) -> None:
    april = period_report(world.store, date(2026, 4, 1), date(2026, 4, 30), now=NOW)
    assert april.runs == []
    assert {a.id for a in april.alerts} == {world.true_match, world.escalated}
    assert [r.id for r in april.related_runs] == [world.run1]
    assert {r.reviewer: r.by_decision for r in april.reviewers} == {
        "bob": {"confirm": 1},
        "carol": {"false_positive": 1},
    }
    assert april.open_total == 0


def test_an_empty_period_still_renders(world: World) -> None:
    empty = period_report(world.store, date(2025, 1, 1), date(2025, 1, 31), now=NOW)
    assert (empty.runs, empty.alerts, empty.allow_changes, empty.reviewers) == ([], [], [], [])
    assert empty.audit.period_head is None
    assert "No alert." in empty.to_html()
    assert empty.to_pdf().startswith(b"%PDF-")


def test_a_period_must_not_end_before_it_starts(world: World) -> None:
    with pytest.raises(InputError):
        period_report(world.store, date(2026, 3, 31), date(2026, 3, 1))


# ---------------------------------------------------------------------- HTML


def test_html_carries_versions_thresholds_and_every_decision(world: World, run_report: Report) -> None:
    html = run_report.to_html()
    assert world.version.content_hash in html
    assert "un_sc v1" in html
    assert "vigil-v1" in html
    assert "org 0.85, person 0.80" in html
    for text in (
        TRUE_MATCH_REASON,
        CONFIRM_REASON,
        FALSE_POSITIVE_REASON,
        CLOSE_REASON,
        ALLOW_REASON,
        "alice",
        "bob",
        "carol",
        "true match",
        "false positive",
        "31d 05:00:00",
        HANGUL_NAME,
        "HWANG SOK-HWA",
    ):
        assert text in html, text
    head = run_report.audit.head
    assert head is not None and head[1] in html


def test_html_escapes_customer_names(run_report: Report) -> None:
    html = run_report.to_html()
    assert SCRIPT_NAME not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()


def test_html_is_self_contained(run_report: Report) -> None:
    html = run_report.to_html().lower()
    assert "<style>" in html
    for external in ("<link", "src=", "@import", "url(", "http://", "https://"):
        assert external not in html, external
    assert "default-src 'none'" in html


# ---------------------------------------------------------------------- PDF


def test_pdf_carries_the_same_facts(world: World, run_report: Report, run_pdf_text: str) -> None:
    text = _squash(run_pdf_text)
    for fact in (
        world.version.content_hash,
        "un_sc v1",
        "vigil-v1",
        "org 0.85, person 0.80",
        TRUE_MATCH_REASON,
        CONFIRM_REASON,
        FALSE_POSITIVE_REASON,
        CLOSE_REASON,
        ALLOW_REASON,
        "alice",
        "bob",
        "carol",
        "31d 05:00:00",
        SCRIPT_NAME,
        "HWANG SOK-HWA",
    ):
        assert _squash(fact) in text, fact
    head = run_report.audit.head
    assert head is not None and f"seq{head[0]}" in text and head[1] in text


def test_pdf_shows_korean_names_or_says_it_romanized_them(run_pdf_text: str) -> None:
    text = _squash(run_pdf_text)
    if find_pdf_fonts().korean:
        assert HANGUL_NAME in text
    else:
        assert "Hwangseokha" in text
        assert "NoKoreanfontwasfound" in text


def test_pdf_without_unicode_fonts_transliterates(run_report: Report) -> None:
    text = _squash(_pdf_text(run_report.to_pdf(fonts=PdfFonts())))
    assert "Hwangseokha" in text
    assert "transliterated" in text
    assert _squash(FALSE_POSITIVE_REASON) in text
    assert HANGUL_NAME not in text


def test_fonts_are_looked_up_in_the_given_folders(tmp_path: Path) -> None:
    assert find_pdf_fonts([tmp_path]) == PdfFonts()
    found = find_pdf_fonts()
    if found.latin is not None:
        assert found.latin.path.is_file()


def test_transliteration() -> None:
    assert transliterate("황석하 Ñ") == "Hwangseokha Ñ"
    assert re.fullmatch(r"[ -~]+", transliterate("Жуков 金"))


def test_pdf_without_a_korean_font_romanizes_hangul(run_report: Report) -> None:
    found = find_pdf_fonts()
    if found.latin is None or found.latin == found.cjk:
        pytest.skip("no Latin-only Unicode font on this system")
    latin_only = PdfFonts(latin=found.latin, latin_bold=found.latin_bold)
    text = _squash(_pdf_text(run_report.to_pdf(fonts=latin_only)))
    assert "Hwangseokha" in text
    assert HANGUL_NAME not in text
    assert "NoKoreanfontwasfound" in text
    assert _squash(SCRIPT_NAME) in text
