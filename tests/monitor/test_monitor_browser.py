"""/ui/monitor in a real headless Chromium: the scorecard table, the timeline SVG and the filter form.

Reuses the server and browser helpers of tests/web/test_ui_browser.py (real app under uvicorn,
real UN list imported, keys made by ``vigil keys add``). A screenshot lands in test-artifacts/ui/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.test_ui_browser import CHROMIUM, DATA, SHOTS, _key, _page, _serve, _vigil, browser

pytest.importorskip("playwright.sync_api")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
    pytest.mark.skipif(not DATA.exists(), reason="needs the UN list files"),
]

__all__ = ["browser"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("vigil-monitor-home")
    _vigil(home, "lists", "import", "un_sc", str(DATA / "2026-02-27" / "UN_consolidated.xml"))
    keys = {"vic": _key(home, "vic", "viewer")}
    with _serve(home) as url:
        yield {"url": url, "home": str(home), **keys}


def test_monitor_page_table_chart_and_filter(browser: object, server: dict[str, str]) -> None:
    page = _page(browser, server, "vic")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
    page.goto(server["url"] + "/ui/monitor?from=2016&to=2017")  # type: ignore[attr-defined]
    table = page.locator("#scorecard")  # type: ignore[attr-defined]
    assert table.locator("tbody tr").count() == 11
    malaysia = table.locator("tr[data-state=MYS]")
    assert "yes" in malaysia.inner_text() and "2021-03-21" in malaysia.inner_text()
    assert table.locator("tr[data-state=BRN] td.v-unknown").count() >= 9
    svg = page.locator("svg.monitor-timeline")  # type: ignore[attr-defined]
    assert svg.is_visible()
    assert svg.locator(".ev-nuclear_test").count() == 3  # 2016-01, 2016-09, 2017-09
    assert svg.locator(".ev-designations").count() > 0 and svg.locator(".ev-missile_test").count() > 20
    before = svg.locator(".ev").count()
    assert before == int(svg.get_attribute("data-marks") or 0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(SHOTS) / "monitor.png"), full_page=True)  # type: ignore[attr-defined]

    # Filter: only ICBM missile tests.
    page.check("input[name=kind][value=missile_test]")  # type: ignore[attr-defined]
    page.check("input[name=missile_type][value=ICBM]")  # type: ignore[attr-defined]
    page.click("form.monitor-filters button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**missile_type=ICBM**")  # type: ignore[attr-defined]
    svg = page.locator("svg.monitor-timeline")  # type: ignore[attr-defined]
    icbm = svg.locator(".ev").count()
    assert 0 < icbm < before
    assert svg.locator(".ev-missile_test[data-type=ICBM]").count() == icbm
    assert page.locator("strong[data-count=nuclear_test]").inner_text() == "0"  # type: ignore[attr-defined]
    assert page.is_checked("input[name=missile_type][value=ICBM]")  # type: ignore[attr-defined]
    assert not errors, errors  # no CSP violation or script error
    assert not page.context.outside  # type: ignore[attr-defined]
