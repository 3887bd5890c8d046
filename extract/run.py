"""Run the extractors: each platform with accounts and credentials fetches what is new into the landing folder.

A platform without accounts, switched off, or without its credentials is skipped with one line that says what would
enable it. Within a platform each stream (account, channel, subreddit, query) fails alone and is named in the report;
a platform stopped by its credentials, a budget or a limit says why, and the other platforms still run, so the
landing folder and whatever else was delivered keep flowing into the warehouse.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import ModuleType

from extract import bluesky, reddit, x, youtube
from extract.config import ExtractSetup
from extract.extraction import (
    BudgetExhausted,
    ExtractError,
    Extraction,
    ExtractReport,
    LimitReached,
    PlatformStopped,
    ReadBudget,
)
from extract.landing import PageWriter
from extract.limits import LimitPolicy
from extract.state import ExtractState, StateBusy

EXTRACTORS: dict[str, ModuleType] = {"x": x, "youtube": youtube, "reddit": reddit, "bluesky": bluesky}


def skip_reason(setup: ExtractSetup, platform: str) -> str | None:
    """Why ``platform`` is not extracted, in words that say what to set; None when it is."""
    settings = getattr(setup.config, platform)
    if not settings.enabled:
        return f"switched off (extract.{platform}.enabled: false)"
    has_listings = platform == "reddit" and (settings.subreddits or settings.search_terms)
    if not setup.accounts_on(platform) and not has_listings:
        return f"no {platform} account under brands[].accounts or brands[].competitors in the configuration file"
    missing = [name for name in EXTRACTORS[platform].CREDENTIALS if setup.secrets.get(name) is None]
    if missing:
        return f"set {' and '.join(missing)} (environment or extract.secrets_file) to enable it"
    return None


def run_extractor(
    setup: ExtractSetup,
    platform: str,
    *,
    landing_dir: Path,
    now: datetime | None = None,
    log: Callable[[str], None] = print,
    pause: Callable[[float], None] = time.sleep,
) -> ExtractReport:
    """Extract one platform into ``landing_dir``, its state beside the pages it lands (extract.state). ``pause``
    waits out a rate-limit window (see Extraction.wait)."""
    reason = skip_reason(setup, platform)
    if reason is not None:
        report = ExtractReport(platform, status="skipped", message=reason)
        log(report.line())
        return report
    writer = PageWriter(landing_dir)
    try:
        with ExtractState.open(writer.platform_folder(platform)) as state:
            report = _extract(setup, platform, state, writer, now, log, pause)
    except StateBusy as busy:
        report = ExtractReport(platform, status="failed", message=str(busy))
    log(report.line())
    return report


def _extract(setup, platform, state, writer, now, log, pause) -> ExtractReport:
    module = EXTRACTORS[platform]
    settings = getattr(setup.config, platform)
    accounts = setup.accounts_on(platform)
    extraction = Extraction(
        platform,
        setup.config,
        request_budget=settings.request_budget,
        state=state,
        writer=writer,
        credential_variables=module.CREDENTIALS,
        limits=getattr(module, "LIMITS", LimitPolicy()),
        read_budget=_read_budget(module, settings),
        now=now,
        pause=pause,
        log=log,
    )
    report = extraction.report
    report.accounts = len(accounts)
    try:
        module.extract(setup, extraction, accounts)
    except PlatformStopped as error:
        report.status = _stopped_status(error)
        where = f" (stopped at {extraction.current_stream})" if extraction.current_stream else ""
        report.message = f"{error}{where}"
    except ExtractError as error:  # outside any stream: the platform as a whole
        report.status, report.message = "failed", str(error)
    if report.failed_streams:
        if report.status == "ok":
            report.status = "failed" if len(report.failed_streams) == report.streams else "partial"
        failed = f"{len(report.failed_streams)} of {report.streams} streams failed: " + "; ".join(report.failed_streams)
        report.message = f"{report.message}; {failed}" if report.message else failed
    report.requests = extraction.budget.used
    return report


def _stopped_status(error: PlatformStopped) -> str:
    if isinstance(error, BudgetExhausted):
        return "budget_exhausted"
    if isinstance(error, LimitReached):
        return "limited"
    return "failed"


def _read_budget(module: ModuleType, settings) -> ReadBudget | None:
    count = getattr(module, "billed_reads", None)
    if count is None:
        return None
    return ReadBudget(settings.monthly_post_budget, settings.price_per_post_usd, count)
