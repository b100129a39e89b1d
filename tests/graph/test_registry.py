"""User-supplied company data: the statements table (CSV, XLSX, Parquet) and FtM JSON lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vigil.errors import InputError
from vigil.graph.build import network_parties
from vigil.graph.missions import load_missions, mission_id
from vigil.graph.network import build_graph, paths_to_designated
from vigil.graph.registry import load_stored_registries, read_registry, store_registry
from vigil.model.party import Designation, Name, Party

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "registry" / "companies.csv"
OMM = "ofac_sdn_advanced:17068"
R = "registry:companies:"


def _omm() -> Party:
    return Party(
        OMM,
        "ofac_sdn_advanced",
        "Organization",
        names=[Name("Ocean Maritime Management Company Limited")],
        designations=[Designation("ofac", "17068")],
    )


def test_example_registry_reads_every_fact() -> None:
    parties = {p.id: p for p in read_registry(EXAMPLE)}
    assert set(parties) == {R + "C1", R + "C2", R + "C3", R + "C4", R + "person:lim-chol-min"}
    c1 = parties[R + "C1"]
    assert c1.primary_name == "SEA STAR SHIPPING LTD" and c1.source == "registry:companies"
    assert [(r.kind, r.target, r.share) for r in c1.relations] == [("owned_or_controlled_by", R + "C2", 60.0)]
    assert [(r.kind, r.target) for r in parties[R + "C2"].relations] == [("owned_or_controlled_by", OMM)]
    officer = parties[R + "person:lim-chol-min"]
    assert officer.schema == "Person"
    assert sorted(r.target for r in officer.relations if r.target) == [R + "C1", R + "C3"]


def test_example_registry_in_the_network() -> None:
    graph = build_graph([_omm(), *load_missions(), *read_registry(EXAMPLE)])
    # C3 and C1 share a phone written two ways and an officer
    kinds = {d["kind"] for d in graph.get_edge_data(R + "C3", R + "C1").values()}
    assert kinds == {"owned_or_controlled_by", "shared_phone", "shared_officer"}
    report = paths_to_designated(graph, R + "C1", max_hops=3)
    assert report.shortest is not None and report.shortest.nodes == [R + "C1", R + "C2", OMM]
    assert report.exposure == 0.5  # two ownership hops of 60 % and 55 %: 0.5 ** 1 * 1.0
    # C3 holds only 30 % of C1: the weak link weighs 30 / 50 = 0.6
    assert paths_to_designated(graph, R + "C3", max_hops=3).exposure == pytest.approx(0.25 * 0.6)
    # C4 is linked to the DPRK embassy in Singapore, which is a node but not designated
    mission = mission_id("Singapore", "Singapore")
    assert graph.has_edge(R + "C4", mission) and not graph.nodes[mission]["designated"]
    assert paths_to_designated(graph, R + "C4").exposure == 0.0


def test_formats_agree(tmp_path: Path) -> None:
    import csv

    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    with EXAMPLE.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(tmp_path / "companies.xlsx")
    table = pa.table({name: [r[i] for r in rows[1:]] for i, name in enumerate(rows[0])})
    pq.write_table(table, tmp_path / "companies.parquet")
    expected = sorted(p.to_dict().__repr__() for p in read_registry(EXAMPLE))
    for name in ("companies.xlsx", "companies.parquet"):
        got = read_registry(tmp_path / name)
        # evidence names the source file's row only when the row has no source column value
        assert sorted(p.to_dict().__repr__() for p in got) == expected, name


def test_ftm_json_lines(tmp_path: Path) -> None:
    entities = [
        {"id": "c1", "schema": "Company", "properties": {"name": ["ALPHA CO"], "phone": ["+65 6123 4567"]}},
        {"id": "c2", "schema": "Company", "properties": {"name": ["BETA CO"], "phone": ["6561234567"]}},
        {"id": "p1", "schema": "Person", "properties": {"name": ["RI SONG"]}},
        {
            "id": "o1",
            "schema": "Ownership",
            "properties": {"owner": ["c2"], "asset": ["c1"], "percentage": ["51"]},
        },
        {
            "id": "o2",
            "schema": "Ownership",
            "properties": {"owner": [OMM], "asset": ["c2"], "percentage": ["50"]},
        },
        {"id": "d1", "schema": "Directorship", "properties": {"director": ["p1"], "organization": ["c1"]}},
    ]
    path = tmp_path / "case.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in entities) + "\n", encoding="utf-8")
    parties = {p.id: p for p in read_registry(path)}
    assert set(parties) == {"registry:case:c1", "registry:case:c2", "registry:case:p1"}
    assert [(r.kind, r.target, r.share) for r in parties["registry:case:c1"].relations] == [
        ("owned_or_controlled_by", "registry:case:c2", 51.0)
    ]
    assert [(r.kind, r.target) for r in parties["registry:case:p1"].relations] == [
        ("director_of", "registry:case:c1")
    ]
    graph = build_graph([_omm(), *parties.values()])
    assert paths_to_designated(graph, "registry:case:c1").shortest.nodes == [  # type: ignore[union-attr]
        "registry:case:c1",
        "registry:case:c2",
        OMM,
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("entity_id,value\nC1,x\n", "missing column(s) attribute"),
        (
            "entity_id,entity_name,attribute,value\nC1,A,colour,red\n",
            "row 2, column 'attribute': unknown 'colour'",
        ),
        ("entity_id,entity_name,attribute,value,share\nC1,A,shareholder,B,abc\n", "row 2, column 'share'"),
        ("entity_id,entity_name,attribute,value,share\nC1,A,shareholder,B,150\n", "at most 100"),
        ("entity_id,entity_name,attribute,value\nC1,,phone,123456\n", "no name given"),
        ("entity_id,entity_name,attribute,value,target_id\nC1,A,shareholder,B,C9\n", "'C9' is not an entity"),
        ("entity_id,entity_name,attribute,value\n,A,phone,123\n", "row 2, column 'entity_id': empty"),
        ("entity_id,entity_name,schema,attribute,value\nC1,A,Planet,phone,1\n", "column 'schema'"),
        ("entity_id,entity_name,attribute,value\n", "no rows"),
    ],
)
def test_bad_tables_name_row_and_column(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.csv") as caught:
        read_registry(path)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 1: not JSON"),
        ('{"schema": "Company"}', "needs id and schema"),
        ('{"id": "x", "schema": "Company", "properties": {"name": "A"}}', "must map names to lists"),
        ('{"id": "o", "schema": "Ownership", "properties": {"owner": ["a"]}}', "needs asset and owner"),
    ],
)
def test_bad_ftm_names_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.jsonl") as caught:
        read_registry(path)
    assert message in str(caught.value)


def test_other_inputs_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_registry(tmp_path / "missing.csv")
    (tmp_path / "x.txt").write_text("a", encoding="utf-8")
    with pytest.raises(InputError, match="unknown format"):
        read_registry(tmp_path / "x.txt")
    (tmp_path / "fake.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match=r"fake\.xlsx"):
        read_registry(tmp_path / "fake.xlsx")
    (tmp_path / "latin.csv").write_bytes("entity_id,attribute,value\nC1,name,Caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_registry(tmp_path / "latin.csv")


def test_store_and_load(tmp_path: Path) -> None:
    parties = read_registry(EXAMPLE, name="Case 7/2026")
    assert parties[0].source == "registry:case-7-2026"
    stored = store_registry(tmp_path, parties)
    assert stored.name == "case-7-2026.jsonl"
    again = load_stored_registries(tmp_path)
    assert [p.to_dict() for p in again] == [p.to_dict() for p in parties]
    everything = network_parties([_omm()], tmp_path)
    assert len(everything) == 1 + len(load_missions()) + len(parties)
