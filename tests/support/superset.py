"""What the Superset tests share (tests/bi on the serving file, tests/cluster on the cluster's Spark SQL endpoint):
the warehouse Superset reads, a Superset set up and served the way `make bi` does it, and what the browser reads off
its dashboards."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import requests
import yaml

REPO = Path(__file__).resolve().parents[2]
BI_PYTHON = REPO / "bi" / ".venv" / "bin" / "python"
SUPERSET_ROR = REPO / "bi" / "superset_ror.py"
DASHBOARDS = REPO / "bi" / "assets" / "dashboards"
ADMIN, PASSWORD = "admin", "bi-test-password"

# Superset 6.1's published front end draws a telemetry pixel from this host in its navigation bar, whatever the
# configuration says. bi/superset_config.py's Content-Security-Policy blocks it (that block is the only console error
# and the only failed request the browser may report); every other request must stay on the Superset server.
TELEMETRY_PIXEL = "https://apachesuperset.gateway.scarf.sh/"
# Superset's own batched UI event log: a beacon in flight when the test opens the next dashboard is aborted by the
# navigation (seen on a loaded machine); it carries no chart data.
UI_EVENT_LOG = "/superset/log/"
CHART_DATA = "/api/v1/chart/data"
# Superset saves a dashboard's label colours once its charts have drawn (seen on a loaded machine after networkidle):
# opening the next dashboard may abort that save; it carries no chart data either.
DASHBOARD_COLOURS = "/colors?mark_updated="

CHARTS_STATE = """() => [...document.querySelectorAll('[data-test-chart-id]')].map(chart => ({
    name: chart.getAttribute('data-test-chart-name'),
    error: /error/i.test(chart.innerText),
    tableRows: [...chart.querySelectorAll('tbody tr')]
        .map(row => [...row.querySelectorAll('td')].map(cell => cell.innerText)),
    tableHeaders: [...chart.querySelectorAll('thead th')].map(th => th.innerText.trim()),
    paintedPixels: [...chart.querySelectorAll('canvas')].map(canvas => {
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) painted += pixels[i] > 0;
        return painted;
    }).reduce((a, b) => a + b, 0)}))"""
# Every chart has drawn: a canvas, a table row, or a table's "No results".
CHARTS_DRAWN = """n => { const charts = [...document.querySelectorAll('[data-test-chart-id]')];
    return charts.length === n
        && charts.every(c => c.querySelector('canvas, tbody tr') || /No results/.test(c.innerText)); }"""
FILTER_BAR_TEXT = "() => document.querySelector('[data-test=\"filter-bar\"]').innerText"


@dataclass(frozen=True)
class Warehouse:
    working: Path
    serving: Path


@dataclass(frozen=True)
class Superset:
    url: str
    user: str
    password: str


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


@contextmanager
def serve_superset(warehouse_args: list[str], home: Path, log: Path) -> Iterator[Superset]:
    """Superset on 127.0.0.1 set up on the warehouse `make bi` would give it (``--serving-file PATH`` or
    ``--spark-endpoint URI``), its metadata in ``home``; bi/.venv is installed first (`make bi-setup`: minutes once
    per clone, then nothing)."""
    subprocess.run(["make", "-s", "bi-setup"], cwd=REPO, check=True, capture_output=True, timeout=1800)
    env = {**os.environ, "ROR_BI_HOME": str(home), "ROR_BI_ADMIN_PASSWORD": PASSWORD}
    subprocess.run([BI_PYTHON, SUPERSET_ROR, "setup", *warehouse_args], env=env, check=True, timeout=600)
    port = _free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [BI_PYTHON, SUPERSET_ROR, "serve", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(url, server, timeout=180)
            yield Superset(url, ADMIN, PASSWORD)
        finally:
            server.terminate()
            server.wait(timeout=60)


def dashboards() -> dict[str, int]:
    """Slug -> number of charts, from the dashboards as code."""
    boards = {}
    for path in sorted(DASHBOARDS.glob("*.yaml")):
        board = yaml.safe_load(path.read_text())
        boards[board["slug"]] = sum(
            1 for node in board["position"].values() if isinstance(node, dict) and node.get("type") == "CHART"
        )
    return boards


def filtered(brand_name: str, period: tuple[str, str]) -> str:
    """The query string of a dashboard with its brand (by name, as the filter lists brands) and period filters applied
    (Superset's rison URL state)."""
    time_range = f"'{period[0]} : {period[1]}'"
    brand = f"'{brand_name}'"
    state = (
        f"(NATIVE_FILTER-brand:(extraFormData:(filters:!((col:brand_name,op:IN,val:!({brand})))),"
        f"filterState:(value:!({brand})),id:NATIVE_FILTER-brand,ownState:()),"
        f"NATIVE_FILTER-period:(extraFormData:(time_range:{time_range}),filterState:(value:{time_range}),"
        "id:NATIVE_FILTER-period,ownState:()))"
    )
    return "?native_filters=" + quote(state, safe="")


def table(charts: list[dict], name: str) -> list[dict[str, str]]:
    """A table chart's shown rows (CHARTS_STATE), by column header."""
    (chart,) = [c for c in charts if c["name"] == name]
    return [dict(zip(chart["tableHeaders"], row, strict=True)) for row in chart["tableRows"]]


def log_in(page: object, superset: Superset) -> None:
    page.fill("#username", superset.user)
    page.fill("#password", superset.password)
    page.click("[data-test=login-button]")
    page.wait_for_function("() => !location.pathname.startsWith('/login')", timeout=90_000)
    page.wait_for_load_state("networkidle")  # the welcome page's own requests, before the test leaves it


def record_failures(page: object) -> list[str]:
    """Every request of the page that fails or is answered with an error status, from now on. A chart query the
    dashboard cancels because the filters' state arrived after it started is no failure, nor an aborted save of its
    colours."""
    failed: list[str] = []
    page.on(
        "requestfailed",
        lambda r: (
            None
            if r.failure == "net::ERR_ABORTED" and (CHART_DATA in r.url or DASHBOARD_COLOURS in r.url)
            else failed.append(r.url)
        ),
    )
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return failed
