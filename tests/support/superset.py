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
from support.browser import open_page

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
# The welcome page's favourite stars: on a loaded machine the page can look idle before it asks for them, and opening
# the first dashboard then aborts that request (seen at load 30); it carries no chart data either.
WELCOME_FAVOURITES = "/api/v1/dashboard/favorite_status/"

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


def set_up_superset(warehouse_args: list[str], home: Path) -> None:
    """Superset's metadata in ``home`` set up on the warehouse `make bi` would give it (``--serving-file PATH`` or
    ``--spark-endpoint URI``); bi/.venv is installed first (`make bi-setup`: minutes once per clone, then nothing)."""
    subprocess.run(["make", "-s", "bi-setup"], cwd=REPO, check=True, capture_output=True, timeout=1800)
    subprocess.run(
        [BI_PYTHON, SUPERSET_ROR, "setup", *warehouse_args], env=_superset_env(home), check=True, timeout=600
    )


def _superset_env(home: Path) -> dict[str, str]:
    return {**os.environ, "ROR_BI_HOME": str(home), "ROR_BI_ADMIN_PASSWORD": PASSWORD}


@contextmanager
def superset_served(home: Path, log: Path) -> Iterator[Superset]:
    """Superset on 127.0.0.1 as `make bi` serves it, on the metadata ``set_up_superset`` wrote in ``home``."""
    port = _free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [BI_PYTHON, SUPERSET_ROR, "serve", "--port", str(port)],
            env=_superset_env(home),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(url, server, timeout=180)
            yield Superset(url, ADMIN, PASSWORD)
        finally:
            server.terminate()
            server.wait(timeout=60)


@contextmanager
def serve_superset(warehouse_args: list[str], home: Path, log: Path) -> Iterator[Superset]:
    """``set_up_superset``, then ``superset_served``."""
    set_up_superset(warehouse_args, home)
    with superset_served(home, log) as superset:
        yield superset


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
    colours, nor the welcome page's favourite stars aborted by leaving it."""
    failed: list[str] = []
    page.on(
        "requestfailed",
        lambda r: (
            None
            if r.failure == "net::ERR_ABORTED"
            and any(part in r.url for part in (CHART_DATA, DASHBOARD_COLOURS, WELCOME_FAVOURITES))
            else failed.append(r.url)
        ),
    )
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return failed


@dataclass(frozen=True)
class DashboardsShown:
    """What the browser read off every dashboard, by slug: its charts (CHARTS_STATE) and its filter bar's text."""

    charts: dict[str, list[dict]]
    filter_bars: dict[str, str]


@contextmanager
def every_dashboard_opened(
    superset: Superset, brand_name: str, period: tuple[str, str], screenshots: Path, chart_timeout_ms: int
) -> Iterator[tuple[object, DashboardsShown]]:
    """Log in, then open every dashboard of bi/assets filtered to the brand (by name) and period in one headless
    Chromium page, a screenshot of each in ``screenshots`` (``<slug>.png``): each must draw all its charts, none with
    an error, every canvas painted or table filled. Yields the page, still open for more, and what was shown. On
    leaving, the page must have seen no console error, no failed request and no request leaving the Superset server,
    Superset's telemetry pixel aside (TELEMETRY_PIXEL)."""
    with open_page(f"{superset.url}/login/", width=1400) as (page, problems):
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        failed = record_failures(page)
        log_in(page, superset)
        shown = DashboardsShown({}, {})
        for slug, charts in dashboards().items():
            page.goto(f"{superset.url}/superset/dashboard/{slug}/{filtered(brand_name, period)}")
            page.wait_for_function(CHARTS_DRAWN, arg=charts, timeout=chart_timeout_ms)
            page.wait_for_load_state("networkidle")
            drawn = shown.charts[slug] = page.evaluate(CHARTS_STATE)
            shown.filter_bars[slug] = page.evaluate(FILTER_BAR_TEXT)
            page.screenshot(path=str(screenshots / f"{slug}.png"), full_page=True)
            assert len(drawn) == charts, (slug, drawn)
            assert [c["name"] for c in drawn if c["error"]] == [], (slug, drawn)
            assert all(c["paintedPixels"] > 1000 or c["tableRows"] for c in drawn), (slug, drawn)
        yield page, shown
    console_errors = [e for e in problems.console_errors if TELEMETRY_PIXEL not in e]
    assert console_errors == [], console_errors
    failures = [r for r in failed if TELEMETRY_PIXEL not in r and UI_EVENT_LOG not in r]
    assert failures == [], failures
    outside = {r for r in requested if not r.startswith((superset.url, "data:", "blob:", TELEMETRY_PIXEL))}
    assert outside == set(), outside


def every_dashboard_drawn(
    superset: Superset, brand_name: str, period: tuple[str, str], screenshots: Path, chart_timeout_ms: int
) -> DashboardsShown:
    """``every_dashboard_opened``, and nothing more on the page."""
    with every_dashboard_opened(superset, brand_name, period, screenshots, chart_timeout_ms) as (_, shown):
        return shown
