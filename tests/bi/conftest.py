"""Superset (bi/) serving the fixture warehouse on 127.0.0.1, set up the way `make bi` sets it up.

The first run installs bi/.venv with `make bi-setup` (a few minutes, once per clone); later runs find it in place.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
sys.path[:0] = [str(TESTS), str(TESTS / "dbt")]

from support.fixture_serving import build_fixture_warehouse  # noqa: E402
from support.superset import Superset, Warehouse  # noqa: E402

from orchestration.publish import publish  # noqa: E402

BI_PYTHON = REPO / "bi" / ".venv" / "bin" / "python"
ADMIN, PASSWORD = "admin", "bi-test-password"


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    root = tmp_path_factory.mktemp("bi_warehouse")
    working, serving = build_fixture_warehouse(root, themed=True), root / "ror.duckdb"
    publish(working, serving, "snapshot-0")
    return Warehouse(working, serving)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_healthy(url: str, server: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"Superset exited with {server.returncode} before it answered")
        try:
            if requests.get(f"{url}/health", timeout=10).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still loading the app
            pass
        time.sleep(1)
    raise TimeoutError(f"Superset did not answer {url}/health within {timeout:.0f} s")


@pytest.fixture(scope="session")
def superset(warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Superset]:
    subprocess.run(["make", "-s", "bi-setup"], cwd=REPO, check=True, capture_output=True, timeout=1800)
    env = {
        **os.environ,
        "ROR_BI_HOME": str(tmp_path_factory.mktemp("superset_home")),
        "ROR_BI_ADMIN_PASSWORD": PASSWORD,
    }
    script = REPO / "bi" / "superset_ror.py"
    subprocess.run([BI_PYTHON, script, "setup", "--serving-file", warehouse.serving], env=env, check=True, timeout=600)
    port = _free_port()
    log = (tmp_path_factory.getbasetemp() / "superset.log").open("w")
    server = subprocess.Popen(
        [BI_PYTHON, script, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, server, timeout=180)
        yield Superset(url, ADMIN, PASSWORD)
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
