"""Network exposure alerts: a monitored customer, not listed, within reach of a designated party."""

from __future__ import annotations

from pathlib import Path

from vigil.graph.build import link_customers
from vigil.graph.missions import load_missions
from vigil.graph.network import build_graph
from vigil.graph.registry import read_registry
from vigil.model.party import Designation, Name, Party
from vigil.screening.service import ScreeningService
from vigil.store import open_store
from vigil.store.workflow import Customer

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "registry" / "companies.csv"
OMM = "ofac_sdn_advanced:17068"


def test_exposure_alerts_with_the_path(tmp_path: Path) -> None:
    omm = Party(OMM, "ofac_sdn_advanced", "Organization", names=[Name("OCEAN MARITIME MANAGEMENT CO")])
    omm.designations.append(Designation("ofac", "17068"))
    graph = build_graph([omm, *load_missions(), *read_registry(EXAMPLE)])
    customers = [
        Customer("K1", "Sea Star Shipping Ltd."),  # by exact normalized registry name
        Customer("K2", "anything", data={"network_id": "registry:companies:C3"}),  # by id
        Customer("K3", "Namsan Trading Pte Ltd"),  # in the network, no designated party near
        Customer("K4", "Ocean Maritime Management Co", data={"network_id": OMM}),  # listed itself
        Customer("K5", "Nobody Ltd"),  # not in the network
    ]
    links = link_customers(graph, customers)
    assert links == {
        "K1": "registry:companies:C1",
        "K2": "registry:companies:C3",
        "K3": "registry:companies:C4",
        "K4": OMM,
    }
    with open_store(f"sqlite:///{tmp_path / 'vigil.sqlite3'}") as store:
        store.upsert_customers(customers)
        service = ScreeningService(store)
        summary = service.raise_network_exposure_alerts(graph, links, max_hops=2, actor="test")
        alerts = store.list_alerts(kind="exposure")
        assert [(a.customer_id, a.party_id, a.score) for a in alerts] == [("K1", OMM, 0.5)]
        assert summary.alerts_created == [alerts[0].id]
        explanation = alerts[0].explanation
        assert explanation["method"] == "network" and explanation["hops"] == 2
        assert explanation["path"]["nodes"] == ["registry:companies:C1", "registry:companies:C2", OMM]
        assert "shareholder GOLDEN RIVER TRADING CO (60 %)" in explanation["text"]
        # three hops reach K2's company (30 % of C1); the same run again updates, not duplicates
        again = service.raise_network_exposure_alerts(graph, links, max_hops=3, min_score=0.1, actor="test")
        assert len(again.alerts_created) == 1 and again.alerts_updated == [alerts[0].id]
        scores = {a.customer_id: a.score for a in store.list_alerts(kind="exposure")}
        assert scores == {"K1": 0.5, "K2": 0.15}
