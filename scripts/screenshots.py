"""Retake the pictures in docs/ (`make screenshots`), never from the tests, which write nothing into the checkout.

From the demo warehouse `make demo` built (data/warehouse/ror.duckdb and the instance in .dagster_home):
docs/report.png, the report of the first demo brand drawn by headless Chromium, and docs/asset-graph.png, the Dagster
UI's asset graph (scripts/screenshot_asset_graph.py). docs/bi.png, the Superset scorecard, needs Superset running
(`make bi`), so it is named here and left as it is.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from screenshot_asset_graph import screenshot as screenshot_asset_graph  # noqa: E402

from report.pdf import HOW_TO_GET_CHROMIUM, _system_chromium  # noqa: E402
from report.render import write_reports  # noqa: E402

WAREHOUSE = ROOT / "data" / "warehouse" / "ror.duckdb"
DOCS = ROOT / "docs"


def screenshot_report(warehouse: Path, out: Path) -> None:
    chromium = _system_chromium()
    if chromium is None:
        raise SystemExit(HOW_TO_GET_CHROMIUM)
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


def main() -> None:
    if not WAREHOUSE.exists():
        raise SystemExit(f"no demo warehouse at {WAREHOUSE}: run `make demo` first")
    screenshot_report(WAREHOUSE, DOCS / "report.png")
    screenshot_asset_graph(ROOT / ".dagster_home", DOCS / "asset-graph.png", 1600, 700)
    print(f"Left {DOCS / 'bi.png'} as it is: start Superset with `make bi` and capture the ROR scorecard dashboard.")


if __name__ == "__main__":
    main()
