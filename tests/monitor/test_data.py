"""The bundled implementation data and the user's own rows: validation that names row and column."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from vigil.errors import InputError
from vigil.monitor.data import DATASETS, add_user_file, country_iso3, load_data
from vigil.monitor.scorecard import build_scorecard

NIR_HEADER = "state,iso3,resolution,status,report_date,document_symbol,coverage,sources,confidence,notes\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_rows_match_the_shared_data(shared_data: Path) -> None:
    data = load_data()
    for dataset in DATASETS.values():
        with (shared_data / "implementation" / dataset.file).open(encoding="utf-8") as handle:
            assert len(data[dataset.name]) == sum(1 for _ in csv.DictReader(handle)), dataset.name
    assert len(data["missile_tests"]) == 339
    assert len(data["nuclear_tests"]) == 6


def test_every_known_row_keeps_its_source_and_confidence() -> None:
    data = load_data()
    for name, records in data.records.items():
        for r in records:
            if name == "nir" and r.get("status").startswith("unknown"):
                continue  # an unknown cell has nothing to cite
            assert r.confidence, (name, r.line)
            # A row without a source says why, at low confidence (e.g. "date from general knowledge").
            assert r.source or r.confidence.startswith("low"), (name, r.line)
    # Missile rows had no confidence column: it is derived from the upstream flag.
    early = next(r for r in data["missile_tests"] if r.get("test_id") == "1")
    assert early.confidence.startswith("medium")
    assert "CNS" in early.source


def test_country_names_of_the_curated_files_resolve() -> None:
    data = load_data()
    assert {country_iso3(r.get("state")) for r in data["nir"]} == {r.get("iso3") for r in data["nir"]}
    assert all(country_iso3(r.get("host_country")) for r in data["missions"])
    assert country_iso3("Lao PDR") == "LAO" and country_iso3("Atlantis") is None


def test_a_user_report_replaces_the_unknown_cell(tmp_path: Path) -> None:
    home = tmp_path / "home"
    before = build_scorecard(load_data(home), ["BRN"]).states[0]
    assert before.reports["2397"].value == "unknown"
    file = _write(
        tmp_path / "brunei.csv",
        NIR_HEADER + "Brunei Darussalam,BRN,2397,submitted,2018-04-20,S/AC.49/2018/99,2397,"
        "https://example.org/nir,high,checked against the 1718 Committee page\n",
    )
    result = add_user_file(home, file)
    assert (result.dataset, result.added, result.overrides_bundled) == ("nir", 1, 1)
    after = build_scorecard(load_data(home), ["BRN"]).states[0]
    cell = after.reports["2397"]
    assert (cell.value, cell.origin, cell.confidence) == ("yes", "user", "high")
    assert "S/AC.49/2018/99" in cell.detail and cell.source == "https://example.org/nir"
    assert after.reports_summary.value == "1 of 9 (8 unknown)"
    # Adding the same key again replaces the user's earlier row instead of duplicating it.
    again = add_user_file(
        home,
        _write(
            tmp_path / "b2.csv",
            NIR_HEADER + "Brunei Darussalam,BRN,2397,not_submitted,,,,https://example.org/x,medium,\n",
        ),
    )
    assert again.replaced_user == 1
    assert build_scorecard(load_data(home), ["BRN"]).states[0].reports["2397"].value == "no"


def test_a_new_missile_test_joins_the_timeline(tmp_path: Path) -> None:
    from vigil.monitor.timeline import TimelineFilter, build_timeline

    home = tmp_path / "home"
    columns = DATASETS["missile_tests"].columns()
    row = dict.fromkeys(columns, "")
    row.update(
        test_id="9001",
        date="2026-05-01",
        missile_name="Hwasong-20",
        missile_type="ICBM",
        outcome="success",
        sources="https://example.org/launch",
        confidence="low (press report)",
    )
    path = tmp_path / "tests.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerow(row)
    assert add_user_file(home, path).dataset == "missile_tests"
    timeline = build_timeline(load_data(home), TimelineFilter.parse("2026-05", "2026-05"))
    assert [e.label for e in timeline.events] == ["Hwasong-20 (ICBM)"]
    assert timeline.events[0].origin == "user"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "Brunei Darussalam,BRN,2397,submitted,2018-02-30,,,https://x,high,",
            "line 3|:3: column 'report_date'",
        ),
        ("Brunei Darussalam,BRX,2397,submitted,2018-02-01,,,https://x,high,", ":3: column 'iso3'"),
        ("Brunei Darussalam,KHM,2397,submitted,2018-02-01,,,https://x,high,", ":3: column 'iso3'"),
        ("Brunei Darussalam,BRN,2397,sent,2018-02-01,,,https://x,high,", ":3: column 'status'"),
        (
            "Brunei Darussalam,BRN,2397,submitted,2018-02-01,,,,high,",
            ":3: column 'sources' must not be empty",
        ),
        ("Brunei Darussalam,BRN,2397,submitted,2018-02-01,,,https://x,sure,", ":3: column 'confidence'"),
        ("Brunei Darussalam,BRN,twenty,submitted,2018-02-01,,,https://x,high,", ":3: column 'resolution'"),
        ("Brunei Darussalam,BRN,2397,submitted,2099-01-01,,,https://x,high,", "in the future"),
        ("Brunei Darussalam,BRN,2397,submitted", ":3: 4 fields"),
        (
            "Brunei Darussalam,BRN,2375,submitted,2018-02-01,,,https://x,high,",
            ":3: same iso3/resolution as line 2",
        ),
    ],
)
def test_a_bad_row_is_named_and_changes_nothing(tmp_path: Path, line: str, message: str) -> None:
    home = tmp_path / "home"
    good = "Brunei Darussalam,BRN,2375,submitted,2018-01-05,,,https://example.org/ok,medium,\n"
    add_user_file(home, _write(tmp_path / "first.csv", NIR_HEADER + good))
    kept = (home / "monitor" / "asean_nir_submissions.csv").read_bytes()
    bad = _write(tmp_path / "bad.csv", NIR_HEADER + good + line + "\n")
    with pytest.raises(InputError) as caught:
        add_user_file(home, bad)
    text = str(caught.value)
    assert "bad.csv" in text
    assert any(part in text for part in message.split("|")), text
    assert (home / "monitor" / "asean_nir_submissions.csv").read_bytes() == kept
    # No temporary file is left behind (the lock file is the only other entry).
    assert sorted(p.name for p in (home / "monitor").iterdir()) == [".lock", "asean_nir_submissions.csv"]


def test_headers_and_hostile_files_are_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    cases = {
        "empty.csv": b"",
        "binary.csv": b"state,iso3\x00\x01\x02",
        "latin1.csv": "state,iso3\nViệt\n".encode("utf-16"),
        "other.csv": b"name,owner,share\nA,B,50\n",
        "missing.csv": NIR_HEADER.replace(",notes", "").encode() + b"x,BRN,2397,submitted,,,,u,high\n",
        "header_only.csv": NIR_HEADER.encode(),
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(InputError) as caught:
            add_user_file(home, path)
        assert name in str(caught.value)
    with pytest.raises(InputError, match="missing column"):
        add_user_file(home, tmp_path / "missing.csv", "nir")
    with pytest.raises(InputError, match="no monitor data set"):
        add_user_file(home, tmp_path / "other.csv", "nope")
    assert not (home / "monitor").exists()


def test_concurrent_adds_keep_every_row(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    home = tmp_path / "home"
    states = [("Cambodia", "KHM"), ("Indonesia", "IDN"), ("Malaysia", "MYS"), ("Thailand", "THA")]
    files = []
    for i, (name, code) in enumerate(states):
        files.append(
            _write(
                tmp_path / f"{code}.csv",
                NIR_HEADER + f"{name},{code},2087,submitted,2014-0{i + 1}-02,,,"
                "https://example.org/r,medium,\n",
            )
        )
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda f: add_user_file(home, f), files))
    data = load_data(home)
    assert data.user_rows["nir"] == 4
    card = {s.iso3: s for s in build_scorecard(data, [c for _, c in states]).states}
    assert all(card[c].reports["2087"].value == "yes" for _, c in states)


def test_a_hand_broken_user_file_is_named_at_load(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "monitor").mkdir(parents=True)
    broken = home / "monitor" / "asean_nir_submissions.csv"
    broken.write_text(NIR_HEADER + "Brunei Darussalam,BRN,2397,maybe,,,,https://x,high,\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"asean_nir_submissions.csv:2: column 'status'"):
        load_data(home)


def test_html_export_is_self_contained() -> None:
    from vigil.monitor.export import MonitorReport
    from vigil.monitor.timeline import TimelineFilter, build_timeline

    data = load_data()
    report = MonitorReport(
        build_scorecard(data, ["MYS", "SGP"]), build_timeline(data, TimelineFilter.parse("2017"))
    )
    html = report.to_html()
    assert "<script" not in html and "http-equiv" not in html
    assert not [m for m in ("<link", 'src="http', "url(") if m in html]
    assert "S/AC.49/2016/54" in html and "<svg" in html
