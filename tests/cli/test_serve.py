"""`vigil serve` as an operator starts it: a real server on loopback, a key made with `vigil keys`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "VIGIL_HOME": str(home)}
    env.pop("VIGIL_DATABASE_URL", None)
    return env


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, lists_dir: Path) -> Iterator[tuple[str, str]]:
    home = tmp_path_factory.mktemp("serve")
    vigil = [sys.executable, "-m", "vigil.cli.main"]
    imported = subprocess.run(
        [*vigil, "lists", "import", "un_sc", str(lists_dir / "un/2026-02-27/UN_consolidated.xml")],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert imported.returncode == 0, imported.stderr
    made = subprocess.run(
        [*vigil, "keys", "add", "ana", "--role", "reviewer", "--json"],
        env=_env(home),
        capture_output=True,
        text=True,
    )
    key = json.loads(made.stdout)["key"]
    port = _free_port()
    process = subprocess.Popen(
        [*vigil, "serve", "--port", str(port)],
        env=_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            pytest.fail("vigil serve did not come up")
        yield base, key
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_match_over_http_with_a_key(server: tuple[str, str]) -> None:
    base, key = server
    body = {
        "queries": {
            "q1": {"schema": "Person", "properties": {"name": ["Ri Won Ho"], "birthDate": ["1964-07-17"]}}
        }
    }
    anonymous = httpx.post(f"{base}/match/default", json=body, timeout=60)
    assert anonymous.status_code == 401
    response = httpx.post(
        f"{base}/match/default", json=body, headers={"Authorization": f"Bearer {key}"}, timeout=60
    )
    assert response.status_code == 200, response.text
    results = response.json()["responses"]["q1"]["results"]
    assert results[0]["match"] is True
    assert "un:KPi.033" in results[0]["refs"]
