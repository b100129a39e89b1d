from pathlib import Path

import pyarrow as pa
import pytest

from vigil.crypto.exposure import build_graph, compute_exposure

DAY = 86400


def _graph(rows: list[tuple[str, str, str, float, int]], asset: str = "ETH") -> pa.Table:
    return pa.table(
        {
            "tx_id": [r[0] for r in rows],
            "from": [r[1] for r in rows],
            "to": [r[2] for r in rows],
            "asset": [asset] * len(rows),
            "amount": [r[3] for r in rows],
            "time": [r[4] for r in rows],
        }
    )


CHAIN = [  # D designated. A gets 10 tainted + 30 clean, then pays B and E 20 each; B pays C 5.
    ("t1", "D", "A", 10.0, 1 * DAY),
    ("t2", "C", "A", 30.0, 2 * DAY),
    ("t3", "A", "B", 20.0, 3 * DAY),
    ("t4", "A", "E", 20.0, 4 * DAY),
    ("t5", "B", "C", 5.0, 5 * DAY),
]


def test_haircut_poison_and_hops_hand_worked() -> None:
    result = compute_exposure(build_graph(_graph(CHAIN)), ["D"])
    a, b, c, e = (result.shares(x) for x in "ABCE")
    assert a["haircut_share"] == pytest.approx(0.25)  # 10 of 40
    assert a["poison_share"] == pytest.approx(0.25)  # only t1 came from a tainted sender
    assert b["haircut"] == pytest.approx(5.0)  # 20 * 10/40
    assert e["haircut"] == pytest.approx(5.0)  # 20 * 5/20 (A kept 20, 5 tainted)
    assert c["haircut"] == pytest.approx(1.25)  # 5 * 5/20
    assert b["poison_share"] == c["poison_share"] == 1.0
    hops = {x: int(result.hops[result.node_of(x)]) for x in "DABCE"}
    assert hops == {"D": 0, "A": 1, "B": 2, "E": 2, "C": 3}
    node_c = result.node_of("C")
    assert node_c is not None
    path = result.graph.tx_labels(result.path(node_c)).to_pylist()
    assert path == ["t1", "t3", "t5"]
    table = result.to_table()
    row = table.filter(pa.compute.equal(table["address"], "C")).to_pylist()[0]
    assert row["path"] == ["t1", "t3", "t5"] and row["hops"] == 3


def test_time_order_matters_for_taint_not_for_hops() -> None:
    rows = [("t1", "A", "B", 10.0, 1 * DAY), ("t2", "D", "A", 10.0, 2 * DAY)]  # B paid before A was touched
    result = compute_exposure(build_graph(_graph(rows)), ["D"])
    assert result.hops[result.node_of("B")] == 2
    assert result.shares("B")["haircut"] == 0.0 and result.shares("B")["poison"] == 0.0


def test_overspending_sender_uses_clean_unseen_funds() -> None:
    rows = [("t1", "D", "A", 10.0, DAY), ("t2", "A", "B", 50.0, 2 * DAY), ("t3", "A", "C", 10.0, 3 * DAY)]
    result = compute_exposure(build_graph(_graph(rows)), ["D"])
    assert result.shares("B")["haircut"] == pytest.approx(10.0)  # all of A's taint went out with t2
    assert result.shares("C")["haircut"] == 0.0
    assert result.shares("C")["poison"] == 10.0


def test_cycle_terminates_and_conserves_taint() -> None:
    rows = [
        ("t1", "D", "A", 10.0, DAY),
        ("t2", "A", "B", 10.0, 2 * DAY),
        ("t3", "B", "A", 10.0, 3 * DAY),
        ("t4", "A", "B", 5.0, 4 * DAY),
    ]
    result = compute_exposure(build_graph(_graph(rows)), ["D"])
    assert result.shares("A")["haircut"] == pytest.approx(20.0)
    assert result.shares("B")["haircut"] == pytest.approx(15.0)
    assert result.hops[result.node_of("A")] == 1 and result.hops[result.node_of("B")] == 2


def test_window_and_max_hops() -> None:
    rows = [("t0", "D", "A", 10.0, 0), ("t1", "D", "B", 10.0, 400 * DAY), ("t2", "B", "C", 4.0, 401 * DAY)]
    result = compute_exposure(build_graph(_graph(rows)), ["D"], window_days=365)
    assert result.hops[result.node_of("A")] == -1 and result.shares("A")["inflow"] == 0.0
    assert result.shares("C")["haircut_share"] == 1.0
    shallow = compute_exposure(build_graph(_graph(rows)), ["D"], window_days=None, max_hops=1)
    assert shallow.hops[shallow.node_of("A")] == 1 and shallow.hops[shallow.node_of("C")] == -1
    assert shallow.shares("C")["haircut"] == pytest.approx(4.0)  # taint ignores max_hops


def test_assets_are_kept_apart_and_addresses_matched_by_key() -> None:
    d = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"
    table = pa.concat_tables(
        [
            _graph([("t1", d.lower(), "0x" + "a" * 40, 10.0, DAY)], "ETH"),
            _graph([("t2", "0x" + "B" * 40, "0x" + "A" * 40, 30.0, 2 * DAY)], "USDT"),
        ]
    )
    result = compute_exposure(build_graph(table), [d])
    assert result.shares("0x" + "a" * 40, "ETH")["haircut_share"] == 1.0
    assert result.shares("0x" + "a" * 40, "USDT")["haircut"] == 0.0
    assert result.shares("0x" + "a" * 40)["haircut_share"] == pytest.approx(0.25)


def test_iso_times_and_csv(tmp_path: Path) -> None:
    from vigil.crypto.exposure import read_transfers

    path = tmp_path / "t.csv"
    path.write_text(
        "tx_id,from,to,asset,amount,time\n"
        "t1,D,A,ETH,10,2024-01-01T00:00:00Z\n"
        "t2,A,B,ETH,5,2024-01-02 10:00:00\n"
    )
    result = compute_exposure(build_graph(read_transfers(path)), ["D"])
    assert result.shares("B")["haircut_share"] == 1.0


def _rows_of(result) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    table = result.to_table()
    return sorted(tuple(row.values()) for row in table.to_pylist())


@pytest.mark.parametrize("rows", [CHAIN, [("t1", "A", "B", 10.0, DAY), ("t2", "D", "A", 10.0, 2 * DAY)]])
def test_streamed_file_reading_gives_the_same_results(tmp_path, monkeypatch, rows) -> None:  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq

    from vigil.crypto import exposure
    from vigil.crypto.exposure import load_transfers

    expected = compute_exposure(build_graph(_graph(rows)), ["D"])
    monkeypatch.setattr(exposure, "_CHUNK", 2)  # several chunks: the global address dict grows
    table = _graph(rows)
    plain = tmp_path / "plain.parquet"
    pq.write_table(table, plain, row_group_size=3)
    encoded = tmp_path / "dict.parquet"
    pq.write_table(
        table.set_column(1, "from", table.column("from").dictionary_encode()), encoded, row_group_size=2
    )
    csv_path = tmp_path / "t.csv"
    csv_path.write_text(
        "tx_id,from,to,asset,amount,time\n"
        + "".join(f"{','.join(map(str, r[:3]))},ETH,{r[3]},{r[4]}\n" for r in rows)
    )
    for path in (plain, encoded, csv_path):
        graph = load_transfers(path)
        assert graph.tx_id is None  # transfers known by row number; ids read on demand
        result = compute_exposure(graph, ["D"])
        assert _rows_of(result) == _rows_of(expected), path
        assert (
            graph.tx_labels([4, 0, 4]).to_pylist() == [rows[4][0], rows[0][0], rows[4][0]]
            if len(rows) > 4
            else True
        )
    if rows is CHAIN:
        result = compute_exposure(load_transfers(plain), ["D"])
        node_c = result.node_of("C")
        assert node_c is not None
        assert result.graph.tx_labels(result.path(node_c)).to_pylist() == ["t1", "t3", "t5"]
