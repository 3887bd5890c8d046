"""Retake the pictures in docs/ (`make screenshots`), never from the tests, which write nothing into the checkout.

From the demo warehouse `make demo` built (data/warehouse/ror.duckdb and the instance in .dagster_home):
docs/report.png, the report of the first demo brand drawn by headless Chromium, and docs/asset-graph.png, the Dagster
UI's asset graph (scripts/screenshot_asset_graph.py), and docs/bi.png, the ROR scorecard dashboard of a Superset set
up as `make bi` sets it up (in a temporary home, on a free port) when bi/.venv is installed (`make bi-setup`); without
it docs/bi.png is left as it is, saying so.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from screenshot_asset_graph import free_port, wait_until_up  # noqa: E402
from screenshot_asset_graph import screenshot as screenshot_asset_graph  # noqa: E402

from report.pdf import HOW_TO_GET_CHROMIUM, _system_chromium  # noqa: E402
from report.render import write_reports  # noqa: E402

WAREHOUSE = ROOT / "data" / "warehouse" / "ror.duckdb"
DOCS = ROOT / "docs"
BI_PYTHON = ROOT / "bi" / ".venv" / "bin" / "python"
SCORECARD = ROOT / "bi" / "assets" / "dashboards" / "scorecard.yaml"
CHARTS_DRAWN = """n => { const charts = [...document.querySelectorAll('[data-test-chart-id]')];
    return charts.length === n
        && charts.every(c => c.querySelector('canvas, tbody tr') || /No results/.test(c.innerText)); }"""


def _chromium() -> str:
    chromium = _system_chromium()
    if chromium is None:
        raise SystemExit(HOW_TO_GET_CHROMIUM)
    return chromium


def screenshot_report(warehouse: Path, out: Path) -> None:
    chromium = _chromium()
    with tempfile.TemporaryDirectory() as folder:
        report = write_reports(warehouse, Path(folder))[0]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(report.path.as_uri(), wait_until="load")
            page.wait_for_timeout(1000)  # let the charts finish their first draw
            page.screenshot(path=str(out), full_page=True)
            browser.close()
    print(f"Wrote {out}")


def screenshot_bi(warehouse: Path, out: Path) -> None:
    """The ROR scorecard dashboard on its default filters (the first brand, every period)."""
    board = yaml.safe_load(SCORECARD.read_text(encoding="utf-8"))
    charts = sum(1 for node in board["position"].values() if isinstance(node, dict) and node.get("type") == "CHART")
    password = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "ROR_BI_HOME": home, "ROR_BI_ADMIN_PASSWORD": password}
        script = str(ROOT / "bi" / "superset_ror.py")
        subprocess.run([BI_PYTHON, script, "setup", "--serving-file", str(warehouse)], env=env, check=True)
        port = free_port()
        with (Path(home) / "superset.log").open("w") as log:
            server = subprocess.Popen(
                [BI_PYTHON, script, "serve", "--port", str(port)], env=env, stdout=log, stderr=log
            )
            url = f"http://127.0.0.1:{port}"
            try:
                wait_until_up(f"{url}/health", server, "Superset", "run `make bi`")
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
                    page = browser.new_page(viewport={"width": 1400, "height": 900})
                    page.goto(f"{url}/login/")
                    page.fill("#username", "admin")
                    page.fill("#password", password)
                    page.click("[data-test=login-button]")
                    page.wait_for_function("() => !location.pathname.startsWith('/login')", timeout=90_000)
                    page.goto(f"{url}/superset/dashboard/{board['slug']}/")
                    page.wait_for_function(CHARTS_DRAWN, arg=charts, timeout=180_000)
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=str(out), full_page=True)
                    browser.close()
            finally:
                server.terminate()
                server.wait(timeout=60)
    print(f"Wrote {out}")


def main() -> None:
    if not WAREHOUSE.exists():
        raise SystemExit(f"no demo warehouse at {WAREHOUSE}: run `make demo` first")
    screenshot_report(WAREHOUSE, DOCS / "report.png")
    screenshot_asset_graph(ROOT / ".dagster_home", DOCS / "asset-graph.png", 1600, 700)
    if BI_PYTHON.exists():
        screenshot_bi(WAREHOUSE, DOCS / "bi.png")
    else:
        print(f"Left {DOCS / 'bi.png'} as it is: Superset is not installed here (`make bi-setup` installs it).")


if __name__ == "__main__":
    main()
