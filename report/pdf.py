"""Print the HTML reports to PDF with headless Chromium (driven by Playwright), A4, every block kept on one page.

Playwright cannot download a browser at run time here: it drives the system Chromium (Debian's `chromium`), or the
one `playwright install chromium` put in its cache.
"""

from __future__ import annotations

import shutil
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
# A4 with the print stylesheet's 12 mm margins leaves 186 mm (703 CSS px) of width; the page is laid out wider and
# scaled down, so two charts side by side in a block keep readable proportions.
PRINT_SCALE = 0.75
PRINTABLE_WIDTH_PX = 703
PAGE_MARGINS = {side: "12mm" for side in ("top", "right", "bottom", "left")}
HOW_TO_GET_CHROMIUM = (
    "the PDF needs Chromium: install it with `sudo apt-get install chromium` (Debian, Ubuntu) or "
    "`.venv/bin/playwright install chromium`, then run the command again (the HTML reports are written)"
)


class ChromiumMissingError(RuntimeError):
    def __init__(self, detail: str = ""):
        super().__init__(HOW_TO_GET_CHROMIUM + (f" ({detail})" if detail else ""))


def _system_chromium() -> str | None:
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def print_pdfs(pages: list[Path]) -> list[Path]:
    """A PDF beside each HTML page (same name, .pdf); ChromiumMissingError when no Chromium can be started."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise ChromiumMissingError("playwright is not installed") from error
    written = []
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=_system_chromium(), args=["--no-sandbox", "--disable-gpu"]
            )
        except PlaywrightError as error:
            raise ChromiumMissingError(str(error).splitlines()[0]) from None
        try:
            page = browser.new_page(viewport={"width": round(PRINTABLE_WIDTH_PX / PRINT_SCALE), "height": 1200})
            for html_path in pages:
                page.goto(html_path.resolve().as_uri(), wait_until="load")
                page.emulate_media(media="print")
                # redraw every chart at the print layout's width before printing
                page.evaluate(
                    "() => Promise.all([...document.querySelectorAll('.js-plotly-plot')]"
                    ".map(div => Plotly.Plots.resize(div)))"
                )
                pdf_path = html_path.with_suffix(".pdf")
                temporary = pdf_path.with_suffix(".pdf.partial")
                page.pdf(
                    path=str(temporary), format="A4", print_background=True, scale=PRINT_SCALE, margin=PAGE_MARGINS
                )
                temporary.replace(pdf_path)
                written.append(pdf_path)
        finally:
            browser.close()
    return written
