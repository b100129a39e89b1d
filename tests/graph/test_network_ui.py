"""The network page in a real headless Chromium: search, paths with evidence, the Cytoscape graph
(expanding a node, reading an edge's evidence) and no Content-Security-Policy violation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.test_ui_browser import CHROMIUM, DATA, _key, _page, _serve, _shot, _vigil
from tests.web.test_ui_browser import browser as browser  # the module-scoped Chromium fixture

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
    pytest.mark.skipif(not DATA.exists(), reason="needs the UN list files"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("vigil-network")
    _vigil(home, "lists", "import", "un_sc", str(DATA / "2026-02-27" / "UN_consolidated.xml"))
    table = home / "case.csv"
    table.write_text(
        "entity_id,entity_name,attribute,value,share,target_id\n"
        "A,ALPHA SHIPPING,shareholder,KOREA SAMJONG SHIPPING,60,un_sc:KPe.064\n"
        "A,ALPHA SHIPPING,phone,+65 6000 0001,,\n"
        "B,BETA TRADING,phone,6560000001,,\n",
        encoding="utf-8",
    )
    _vigil(home, "graph", "registry", "load", str(table))
    keys = {"vic": _key(home, "vic", "viewer")}
    with _serve(home) as url:
        yield {"url": url, "home": str(home), **keys}


def test_network_page(browser: object, server: dict[str, str]) -> None:
    page = _page(browser, server, "vic")
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)  # type: ignore[attr-defined]
    page.goto(server["url"] + "/ui/network?q=beta")  # type: ignore[attr-defined]
    assert page.locator("nav a[aria-current=page]").inner_text() == "Network"  # type: ignore[attr-defined]
    with page.expect_response(lambda r: "/ui/network/neighbours.json" in r.url) as answer:  # type: ignore[attr-defined]
        page.click("text=BETA TRADING")  # type: ignore[attr-defined]
    assert answer.value.status == 200
    # server-rendered paths: BETA shares a phone with ALPHA, which KOREA SAMJONG SHIPPING holds 60 % of
    path = page.locator(".network-path").first  # type: ignore[attr-defined]
    assert "2 hop(s), score 0.25" in path.inner_text()
    assert "same phone: 6560000001" in path.inner_text()
    assert "shareholder KOREA SAMJONG SHIPPING (60 %)" in path.inner_text()
    assert page.locator("#exposure").inner_text() == "0.25"  # type: ignore[attr-defined]

    # the graph: Cytoscape draws into canvases; BETA and ALPHA are there
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => { const b = document.getElementById('network-graph');"
        " return b._cyreg && b._cyreg.cy.nodes().length === 2 && b.querySelector('canvas'); }"
    )

    def click(element_id: str, kind: str = "node") -> None:
        x, y = page.evaluate(  # type: ignore[attr-defined]
            "([id, kind]) => { const box = document.getElementById('network-graph');"
            " const cy = box._cyreg.cy; const el = cy.getElementById(id);"
            " const p = kind === 'node' ? el.renderedPosition() : el.renderedMidpoint();"
            " const r = box.getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }",
            [element_id, kind],
        )
        page.mouse.click(x, y)  # type: ignore[attr-defined]

    # clicking ALPHA expands its neighbours: the designated KOREA SAMJONG SHIPPING appears
    with page.expect_response(lambda r: "neighbours.json?party=registry%3Acase%3AA" in r.url):  # type: ignore[attr-defined]
        click("registry:case:A")
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => document.getElementById('network-graph')._cyreg.cy"
        ".getElementById('un_sc:KPe.064').length === 1"
    )
    # clicking the ALPHA - KOREA SAMJONG edge shows its evidence
    edge = "|".join(sorted(["registry:case:A", "un_sc:KPe.064"]))
    page.evaluate("() => document.getElementById('network-graph')._cyreg.cy.fit()")  # type: ignore[attr-defined]
    click(edge, "edge")
    evidence = page.locator("#network-evidence-body")  # type: ignore[attr-defined]
    evidence.get_by_text("owned_or_controlled_by (forward)").wait_for()
    assert "shareholder KOREA SAMJONG SHIPPING (60 %)" in evidence.inner_text()
    _shot(page, "network")
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    assert page.context.outside == []  # type: ignore[attr-defined]


def test_network_page_without_a_match(browser: object, server: dict[str, str]) -> None:
    page = _page(browser, server, "vic")
    page.goto(server["url"] + "/ui/network?q=zzzz%20no%20such")  # type: ignore[attr-defined]
    assert "No party in the network matches" in page.locator("main").inner_text()  # type: ignore[attr-defined]
    page.goto(server["url"] + "/ui/network?party=nobody%20at%20all")  # type: ignore[attr-defined]
    assert "no party with this id or name" in page.locator("main").inner_text()  # type: ignore[attr-defined]


def test_assets_are_local_and_documented() -> None:
    folder = Path(__file__).resolve().parents[2] / "src" / "vigil" / "web" / "static" / "graph"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "3.35.0" in readme and "MIT" in readme
    assert "Permission is hereby granted" in (folder / "cytoscape.LICENSE").read_text(encoding="utf-8")
    script = (folder / "cytoscape.min.js").read_text(encoding="utf-8")
    assert "new Function(" not in script and "eval(" not in script
    assert 'setAttribute("style"' not in script
