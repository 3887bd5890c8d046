"""Headless Chromium for the browser tests: Debian's `chromium`, driven by Playwright.

Playwright cannot download its own browser here (no network at run time), so it drives the system Chromium through
``executable_path``. When Chromium is missing the setup installs it with apt-get (as root); when that is impossible
the tests skip with a message that says how to install it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser")


def chromium_path() -> str:
    """The system Chromium, installed with apt-get when missing; skips the test when neither works."""
    for name in CHROMIUM_NAMES:
        if found := shutil.which(name):
            return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], capture_output=True, timeout=600)
        for name in CHROMIUM_NAMES:
            if found := shutil.which(name):
                return found
    pytest.skip("headless Chromium is not installed and could not be installed: run `apt-get install -y chromium`")


@dataclass
class PageProblems:
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)


@contextmanager
def open_page(url: str, screenshot: Path | None = None, width: int = 1400) -> Iterator[tuple[object, PageProblems]]:
    """A loaded page and every console error and failed request seen while it loaded."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = chromium_path()
    problems = PageProblems()
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.on("console", lambda m: problems.console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: problems.console_errors.append(str(error)))
            page.on("requestfailed", lambda request: problems.failed_requests.append(request.url))
            page.goto(url, wait_until="load")
            page.wait_for_timeout(500)  # let charts finish their first draw
            if screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=True)
            yield page, problems
        finally:
            browser.close()
