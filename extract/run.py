"""Run the extractors: each platform with accounts and credentials fetches what is new into the landing folder.

A platform without accounts, switched off, or without its credentials is skipped with one line that says what would
enable it; a platform that fails (credentials refused, the API down after retries) reports why and the others still
run, so the landing folder and whatever else was delivered keep flowing into the warehouse.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import ModuleType

import duckdb

from extract import bluesky, reddit, x, youtube
from extract.config import PLATFORMS, ExtractSetup
from extract.cursors import CursorStore
from extract.extraction import BudgetExhausted, ExtractError, Extraction, ExtractReport
from extract.landing import PageWriter

EXTRACTORS: dict[str, ModuleType] = {"x": x, "youtube": youtube, "reddit": reddit, "bluesky": bluesky}


def skip_reason(setup: ExtractSetup, platform: str) -> str | None:
    """Why ``platform`` is not extracted, in words that say what to set; None when it is."""
    settings = getattr(setup.config, platform)
    if not settings.enabled:
        return f"switched off (extract.{platform}.enabled: false)"
    has_listings = platform == "reddit" and (settings.subreddits or settings.search_terms)
    if not setup.accounts_on(platform) and not has_listings:
        return f"no {platform} account under brands[].accounts in the configuration file"
    missing = [name for name in EXTRACTORS[platform].CREDENTIALS if setup.secrets.get(name) is None]
    if missing:
        return f"set {' and '.join(missing)} (environment or extract.secrets_file) to enable it"
    return None


def run_extractor(
    setup: ExtractSetup,
    platform: str,
    *,
    landing_dir: Path,
    con: duckdb.DuckDBPyConnection,
    now: datetime | None = None,
    log: Callable[[str], None] = print,
) -> ExtractReport:
    """Extract one platform into ``landing_dir``, its cursors in ``con`` (the working database)."""
    reason = skip_reason(setup, platform)
    if reason is not None:
        report = ExtractReport(platform, status="skipped", message=reason)
        log(report.line())
        return report
    module = EXTRACTORS[platform]
    accounts = setup.accounts_on(platform)
    extraction = Extraction(
        platform,
        setup.config,
        request_budget=getattr(setup.config, platform).request_budget,
        cursors=CursorStore(con),
        writer=PageWriter(landing_dir),
        credential_variables=module.CREDENTIALS,
        now=now,
    )
    extraction.report.accounts = len(accounts)
    try:
        module.extract(setup, extraction, accounts)
    except BudgetExhausted as error:
        extraction.report.status, extraction.report.message = "budget_exhausted", str(error)
    except ExtractError as error:
        extraction.report.status, extraction.report.message = "failed", str(error)
    extraction.report.requests = extraction.budget.used
    log(extraction.report.line())
    return extraction.report


def run_extractors(
    setup: ExtractSetup,
    *,
    landing_dir: Path,
    con: duckdb.DuckDBPyConnection,
    now: datetime | None = None,
    log: Callable[[str], None] = print,
) -> list[ExtractReport]:
    return [
        run_extractor(setup, platform, landing_dir=landing_dir, con=con, now=now, log=log) for platform in PLATFORMS
    ]
