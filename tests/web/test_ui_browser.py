"""The screening desk driven in a real headless Chromium (Debian's ``chromium``, via Playwright).

The server is the real app (``create_app`` + ``mount_ui``) under uvicorn on a free loopback port,
over a fresh ``VIGIL_HOME`` with the real UN lists imported and keys made by ``vigil keys add``.
Screenshots of every page land in ``test-artifacts/ui/``.
"""

from __future__ import annotations

import csv
import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
DATA = Path(os.environ.get("VIGIL_SHARED_DATA", "/work/shared/data")) / "lists" / "un"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "ui"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
    pytest.mark.skipif(not DATA.exists(), reason="needs the UN list files"),
]


def _vigil(home: Path, *args: str) -> str:
    env = {**os.environ, "VIGIL_HOME": str(home)}
    env.pop("VIGIL_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "vigil.cli.main", *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def _key(home: Path, name: str, role: str) -> str:
    data = json.loads(_vigil(home, "keys", "add", name, "--role", role, "--json"))
    key: str = data["key"]
    return key


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _serve(home: Path, **env_extra: str) -> Iterator[str]:
    """The real app with the UI under uvicorn on a free loopback port; yields its base URL."""
    import uvicorn

    from vigil.api.app import create_app
    from vigil.settings import get_settings
    from vigil.web.ui import mount_ui

    env = {
        k: v
        for k, v in os.environ.items()
        if k != "VIGIL_DATABASE_URL" and not k.startswith("VIGIL_LIST_URL_")
    }
    env["VIGIL_HOME"] = str(home)
    env.update(env_extra)
    app = create_app(get_settings(env))
    mount_ui(app)
    port = _free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


def _customers(home: Path, *rows: tuple[str, str]) -> None:
    customers = home / "customers.csv"
    with customers.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "dob"])
        for customer_id, name in rows:
            writer.writerow([customer_id, name, ""])
    _vigil(home, "customers", "load", str(customers))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("vigil-home")
    _vigil(home, "lists", "import", "un_sc", str(DATA / "2026-01-28" / "un.xml"))
    _vigil(home, "lists", "import", "un_sc", str(DATA / "2026-02-27" / "UN_consolidated.xml"))
    keys = {
        "ana": _key(home, "ana", "reviewer"),
        "ben": _key(home, "ben", "reviewer"),
        "vic": _key(home, "vic", "viewer"),
    }
    _customers(home, ("C-1", "Kim Jong Sik"), ("C-2", "Maria Santos"), ("C-3", "Mun Chong Chol"))
    with _serve(home) as url:
        yield {"url": url, "home": str(home), **keys}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def publisher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A real HTTP server on loopback serving a temporary folder (empty at first)."""
    folder = tmp_path_factory.mktemp("publisher")
    handler = functools.partial(_Quiet, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{httpd.server_address[1]}", "folder": str(folder)}
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def update_server(
    tmp_path_factory: pytest.TempPathFactory, publisher: dict[str, str]
) -> Iterator[dict[str, str]]:
    """A second app holding only the January UN list; its UN URL points at ``publisher``."""
    home = tmp_path_factory.mktemp("vigil-update-home")
    _vigil(home, "lists", "import", "un_sc", str(DATA / "2026-01-28" / "un.xml"))
    keys = {
        "ada": _key(home, "ada", "admin"),
        "ana": _key(home, "ana", "reviewer"),
        "vic": _key(home, "vic", "viewer"),
    }
    _customers(home, ("C-1", "Kim Jong Sik"), ("C-2", "Maria Santos"))
    with _serve(home, VIGIL_LIST_URL_UN_SC=publisher["url"] + "/UN_consolidated.xml") as url:
        yield {"url": url, "home": str(home), **keys}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _page(browser: object, server: dict[str, str], who: str, **options: object) -> object:
    """A new browser context logged in as ``who``; requests leaving the server fail the test."""
    context = browser.new_context(viewport={"width": 1366, "height": 860}, **options)  # type: ignore[attr-defined]
    outside: list[str] = []

    def route(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith(server["url"]):
            route.continue_()  # type: ignore[attr-defined]
        else:
            outside.append(url)
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", route)
    context.outside = outside
    page = context.new_page()
    page.goto(server["url"] + "/ui/screen")
    assert "/ui/login" in page.url
    page.fill("#key", server[who])
    page.press("#key", "Enter")
    page.wait_for_url("**/ui/screen")
    return page


def _shot(page: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_login_rejects_a_bad_key_and_keeps_no_key_in_cookie(browser: object, server: dict[str, str]) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(server["url"] + "/ui/login")
    page.fill("#key", "vigil_not-a-key")
    page.click("button[type=submit]")
    assert "not valid" in page.inner_text("[role=alert]")
    _shot(page, "00-login-error")
    page.fill("#key", server["vic"])
    page.click("button[type=submit]")
    page.wait_for_url("**/ui/screen")
    cookies = context.cookies()
    session = next(c for c in cookies if c["name"] == "vigil_session")
    assert session["httpOnly"] and server["vic"] not in session["value"]
    context.close()


def test_screen_romanized_and_hangul_then_open_the_party(browser: object, server: dict[str, str]) -> None:
    page = _page(browser, server, "vic")
    page.fill("#q", "Mun Chong Chol")  # typing, no submit: results arrive as you type
    row = page.locator("#results-body tr").first
    row.wait_for()
    page.locator("#results-body a", has_text="MUN").first.wait_for()
    assert "un:KPi.012" in row.inner_text()
    assert "name" in row.locator("td.why").inner_text()
    _shot(page, "01-screen-romanized")
    frame_before = page.locator(".results-frame").bounding_box()
    page.fill("#q", "문정철")
    page.wait_for_url("**q=%EB%AC%B8**")  # the address bar follows, so the result can be shared
    page.locator("#screen-status", has_text="result").wait_for()
    page.locator("#results-body a", has_text="MUN").first.wait_for()
    assert page.locator(".results-frame").bounding_box() == frame_before  # no layout shift
    _shot(page, "02-screen-hangul")
    page.locator("#results-body a").first.click()
    page.wait_for_url("**/ui/party/**")
    assert "MUN CHO'NG-CH'O'L" in page.inner_text("h1")
    body = page.inner_text("main")
    assert "KPi.012" in body and "names" in body.lower()
    _shot(page, "03-party")
    assert page.context.outside == []  # type: ignore[attr-defined]
    page.context.close()


def test_screen_without_javascript(browser: object, server: dict[str, str]) -> None:
    page = _page(browser, server, "vic", java_script_enabled=False)
    page.fill("#q", "Kim Jong Sik")
    page.press("#q", "Enter")
    page.wait_for_url("**q=Kim+Jong+Sik**")
    assert "un:KPi.066" in page.inner_text("#results-body")
    page.context.close()


def test_viewer_cannot_dispose(browser: object, server: dict[str, str]) -> None:
    page = _page(browser, server, "vic")
    page.goto(server["url"] + "/ui/alerts")
    page.locator("tbody a").first.click()
    page.wait_for_url("**/ui/alerts/*")
    assert page.locator("form.decide button").is_disabled()
    assert page.locator("input[value=false_positive]").is_disabled()
    assert "only reviewers" in page.inner_text("main")
    _shot(page, "05-alert-viewer")
    # Forcing the form past the disabled fieldset is refused by the server.
    page.evaluate("document.querySelector('form.decide fieldset').disabled = false")
    page.check("input[value=false_positive]")
    page.fill("#reason", "trying")
    page.click("form.decide button")
    assert "reviewer" in page.inner_text("[role=alert]")
    page.context.close()


def test_review_and_close_an_alert_with_four_eyes(browser: object, server: dict[str, str]) -> None:
    page = _page(browser, server, "ana")
    page.goto(server["url"] + "/ui/alerts")
    _shot(page, "04-alerts")
    link = page.locator("tbody tr", has_text="Kim Jong Sik").locator("a").first
    link.click()
    page.wait_for_url("**/ui/alerts/*")
    alert_url = page.url
    body = page.inner_text("main")
    assert "Screened" in body and "Listed" in body and "KIM JONG SIK" in body
    _shot(page, "06-alert-reviewer")
    page.check("input[value=true_match]")
    page.fill("#reason", "Same name; DPRK national per KYC file.")
    page.click("form.decide button")
    page.wait_for_url("**done=pending_confirmation")
    assert "pending confirmation" in page.inner_text("h1")
    # The same reviewer cannot confirm their own match.
    page.check("input[value=confirm]")
    page.fill("#reason", "confirming my own")
    page.click("form.decide button")
    assert page.locator("[role=alert]").count() == 1
    page.context.close()

    second = _page(browser, server, "ben")
    second.goto(alert_url)
    second.check("input[value=confirm]")
    second.fill("#reason", "Checked the evidence: confirmed.")
    second.click("form.decide button")
    second.wait_for_url("**done=closed_true_match")
    assert "closed true match" in second.inner_text("h1")
    _shot(second, "07-alert-closed")
    second.goto(server["url"] + "/ui/allowlist")
    _shot(second, "08-allowlist")
    second.goto(server["url"] + "/ui/audit?action=alert.dispose")
    assert "Chain verified" in second.inner_text(".verify")
    assert second.locator("tbody tr").count() >= 2
    _shot(second, "09-audit")
    second.context.close()


def test_list_diff(browser: object, server: dict[str, str]) -> None:
    page = _page(browser, server, "vic")
    page.goto(server["url"] + "/ui/lists")
    _shot(page, "10-lists")
    page.click("button:has-text('Show the changes')")
    page.wait_for_url("**/diff**")
    summary = page.inner_text(".summary")
    assert "added" in summary and "changed" in summary
    assert page.locator("li.add ins").count() >= 1
    _shot(page, "11-diff")
    page.context.close()


def test_batch_upload_and_download(browser: object, server: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "payments.csv"
    source.write_text(
        "ref,full_name,birth_date\nP1,Kim Jong Sik,\nP2,Maria Santos,\nP3,문정철,\n", encoding="utf-8"
    )
    page = _page(browser, server, "ana")
    page.goto(server["url"] + "/ui/batch")
    page.set_input_files("#file", str(source))
    page.click("form button:has-text('Upload')")
    page.wait_for_url("**/ui/batch/*")
    assert page.locator("#name_column").input_value() == "full_name"
    assert page.locator("#id_column").input_value() == "ref"
    _shot(page, "12-batch-map")
    page.click("button:has-text('Screen the file')")
    page.locator("#batch-download a").wait_for(state="visible")
    _shot(page, "13-batch-done")
    with page.expect_download() as info:
        page.click("#batch-download a")
    saved = tmp_path / "results.csv"
    info.value.save_as(str(saved))
    text = saved.read_text(encoding="utf-8-sig")
    assert "KPi.066" in text and "KPi.012" in text and "P2" in text
    page.goto(server["url"] + "/ui/batch")
    assert "payments.csv" in page.inner_text("tbody")
    _shot(page, "14-batch-list")
    page.context.close()


def test_narrow_screen(browser: object, server: dict[str, str]) -> None:
    page = _page(browser, server, "vic")
    page.set_viewport_size({"width": 390, "height": 800})
    page.fill("#q", "Kim Jong Sik")
    page.locator("#results-body tr").first.wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400
    _shot(page, "15-screen-narrow")
    # Keyboard: the skip link is the first stop and lands on the content.
    page.goto(server["url"] + "/ui/lists")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.context.close()


def _csrf(page: object) -> str:
    token: str = page.locator("form.who input[name=csrf]").input_value()  # type: ignore[attr-defined]
    return token


def test_admin_updates_the_lists(
    browser: object, update_server: dict[str, str], publisher: dict[str, str]
) -> None:
    page = _page(browser, update_server, "ada")
    page.goto(update_server["url"] + "/ui/lists")
    assert page.locator("form.update-lists button").is_visible()
    # The publisher has no file yet: the download fails and the January version stays current.
    page.click("button:has-text('Update lists')")
    page.wait_for_url("**/ui/lists/update")
    error = page.inner_text(".update-result [role=alert]")
    assert "HTTP 404" in error and "previous version" in error
    assert page.locator("tr.current td", has_text="1").count() >= 1
    _shot(page, "16-lists-update-failed")
    # The February file is published: a new version is imported and the customers re-screened.
    shutil.copy(
        DATA / "2026-02-27" / "UN_consolidated.xml", Path(publisher["folder"]) / "UN_consolidated.xml"
    )
    page.goto(update_server["url"] + "/ui/lists")
    page.click("button:has-text('Update lists')")
    page.wait_for_url("**/ui/lists/update")
    row = page.locator(".update-result tbody tr").first
    assert "new version" in row.inner_text()
    assert "un_sc" in row.inner_text()
    assert "Re-screened" in page.inner_text(".rescreen")
    assert page.locator(".update-result [role=alert]").count() == 0
    _shot(page, "17-lists-updated")
    page.click("a.diff-link")
    page.wait_for_url("**/diff**")
    summary = page.inner_text(".summary")
    assert "added" in summary and "changed" in summary
    _shot(page, "18-lists-update-diff")
    # Again: nothing changed, nothing imported.
    page.goto(update_server["url"] + "/ui/lists")
    page.click("button:has-text('Update lists')")
    page.wait_for_url("**/ui/lists/update")
    assert "no change" in page.inner_text(".update-result tbody tr")
    assert page.locator("a.diff-link").count() == 0
    assert page.context.outside == []  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.parametrize("who", ["vic", "ana"])
def test_only_admins_update_the_lists(browser: object, update_server: dict[str, str], who: str) -> None:
    page = _page(browser, update_server, who)
    page.goto(update_server["url"] + "/ui/lists")
    assert page.locator("button:has-text('Update lists')").count() == 0
    answer = page.request.post(  # type: ignore[attr-defined]
        update_server["url"] + "/ui/lists/update", form={"csrf": _csrf(page)}
    )
    assert answer.status == 403
    assert "admin" in answer.text()
    page.context.close()


def test_update_needs_the_csrf_token(browser: object, update_server: dict[str, str]) -> None:
    page = _page(browser, update_server, "ada")
    answer = page.request.post(update_server["url"] + "/ui/lists/update", form={"csrf": "forged"})  # type: ignore[attr-defined]
    assert answer.status == 403
    page.context.close()


def test_allowlist_from_a_false_positive_then_revoke(browser: object, server: dict[str, str]) -> None:
    page = _page(browser, server, "ana")
    page.goto(server["url"] + "/ui/alerts")
    page.locator("tbody tr", has_text="Mun Chong Chol").locator("a").first.click()
    page.wait_for_url("**/ui/alerts/*")
    alert_url = page.url.split("?")[0]
    assert page.locator("form.allow").count() == 0  # only after a false-positive decision
    page.check("input[value=false_positive]")
    page.fill("#reason", "Different person: born 1990, KYC passport checked.")
    page.click("form.decide button")
    page.wait_for_url("**done=closed_false_positive")
    expires = page.locator("#allow-expires").input_value()
    assert expires[:4].isdigit() and int(expires[:4]) >= time.gmtime().tm_year + 1  # a year ahead
    page.fill("#allow-reason", "Known customer, not the listed person.")
    page.click("form.allow button")
    page.wait_for_url("**allowed=*")
    assert "Allowlisted" in page.inner_text("main")
    _shot(page, "19-alert-allowlisted")

    viewer = _page(browser, server, "vic")
    viewer.goto(alert_url)
    assert viewer.locator("form.allow").count() == 0
    answer = viewer.request.post(  # type: ignore[attr-defined]
        alert_url + "/allow", form={"csrf": _csrf(viewer), "reason": "x", "expires": ""}
    )
    assert answer.status == 403
    viewer.goto(server["url"] + "/ui/allowlist")
    assert "C-3" in viewer.inner_text("tbody")
    assert viewer.locator("form.revoke").count() == 0
    entry_id = viewer.locator("tbody tr", has_text="C-3").locator("td").first.inner_text()
    answer = viewer.request.post(  # type: ignore[attr-defined]
        server["url"] + f"/ui/allowlist/{entry_id}/revoke", form={"csrf": _csrf(viewer), "reason": "x"}
    )
    assert answer.status == 403
    viewer.context.close()

    page.goto(server["url"] + "/ui/allowlist")
    row = page.locator("tbody tr", has_text="C-3")
    _shot(page, "20-allowlist-entry")
    row.locator("input[name=reason]").fill("Customer relationship ended.")
    row.locator("button:has-text('Revoke')").click()
    page.wait_for_url("**revoked=*")
    assert "revoked" in page.inner_text("[role=status]")
    assert page.locator("tbody tr", has_text="C-3").count() == 0
    page.goto(server["url"] + "/ui/allowlist?all=true")
    assert "Customer relationship ended." in page.locator("tbody tr", has_text="C-3").inner_text()
    _shot(page, "21-allowlist-revoked")
    page.context.close()


def teardown_module() -> None:
    shutil.rmtree(SHOTS / "tmp", ignore_errors=True)
