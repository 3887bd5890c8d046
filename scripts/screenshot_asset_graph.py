"""Take docs/asset-graph.png: the Dagster UI's global asset graph of this project, drawn by headless Chromium.

Starts the Dagster webserver alone (no daemon, so no sensor or schedule starts a run) on the project's instance, opens
the global asset lineage (one box per group, the groups left to right in data-flow order), waits until every group is
drawn and saves the graph's part of the page at twice the screen resolution. Run after `make demo`, so the graph
shows the demo's materializations:

    .venv/bin/python scripts/screenshot_asset_graph.py [--dagster-home .dagster_home] [--out docs/asset-graph.png]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
MARGIN = 24  # CSS pixels of canvas kept around the outermost group boxes
GROUPS = ("configuration", "raw", "enrichment", "staging", "intermediate", "marts", "serving", "report")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, what: str, how_to_see_why: str, timeout: float = 300) -> None:
    """Until ``url`` answers; stops the script (saying so) when ``server`` exits first or the time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"{what} exited with {server.returncode}; {how_to_see_why} to see why.")
        try:
            with urllib.request.urlopen(url, timeout=10):
                return
        except (urllib.error.URLError, TimeoutError):
            time.sleep(1)
    raise SystemExit(f"{what} did not answer within {timeout:.0f} s.")


def screenshot(dagster_home: Path, out: Path, width: int, height: int) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Headless Chromium is missing: run `apt-get install -y chromium`.")
    subprocess.run([sys.executable, "-m", "orchestration.instance", str(dagster_home)], cwd=ROOT, check=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            Path(sys.executable).with_name("dagster-webserver"),
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=ROOT,
        env={**os.environ, "DAGSTER_HOME": str(dagster_home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"{url}/server_info", server, "The Dagster webserver", "run `make dev`")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=2)
            page.goto(f"{url}/asset-groups", wait_until="networkidle")
            group_boxes = page.locator("svg foreignObject")
            for group in GROUPS:  # each group box shows its name once the graph is laid out
                group_boxes.filter(has_text=group).first.wait_for(timeout=120_000)
            page.wait_for_timeout(2000)  # the layout animates into place
            skip = page.get_by_role("button", name="Skip")  # the UI's one-time community dialog
            if skip.count():
                skip.click()
            # the zoom controls float over the graph's right edge
            page.add_style_tag(
                content="[class*=SVGViewport_zoomSlider], [class*=SVGViewport_iconButton] { visibility: hidden; }"
            )
            boxes = [box for box in (node.bounding_box() for node in group_boxes.all()) if box]
            left, top = min(b["x"] for b in boxes) - MARGIN, min(b["y"] for b in boxes) - MARGIN
            right = max(b["x"] + b["width"] for b in boxes) + MARGIN
            bottom = max(b["y"] + b["height"] for b in boxes) + MARGIN
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out), clip={"x": left, "y": top, "width": right - left, "height": bottom - top})
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=60)
    print(f"Wrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--dagster-home", type=Path, default=Path(os.environ.get("DAGSTER_HOME", ROOT / ".dagster_home"))
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "asset-graph.png")
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=700)
    args = parser.parse_args()
    screenshot(args.dagster_home.resolve(), args.out.resolve(), args.width, args.height)


if __name__ == "__main__":
    main()
