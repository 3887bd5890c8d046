"""Extraction: one asset per platform pulls what is new from its API into the landing folder, upstream of raw_exports.

The assets are cursor-driven (each run fetches what is new since the last one), so not partitioned. An extractor
that is not configured or has no credentials is skipped with one line saying which variable would enable it (and every
one is, in a run tagged ror/pull=false); one that fails, wholly or for some of its streams, says why in its metadata
and the refresh goes on with whatever is in the landing folder.

Extraction opens no warehouse file (its state lives beside the pages it lands: extract.state), so a rate-limit wait
lends the warehouse's writer lock to other writers and takes it back afterwards.
"""

import math
import time
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    asset,
)

from extract.config import PLATFORMS, extract_setup
from extract.extraction import ExtractReport
from extract.limits import RateLimited
from extract.run import run_extractor
from orchestration.names import EXTRACT_GROUP, PULL_TAG, WAREHOUSE_STEP_TAGS
from orchestration.resources import ConfigFileResource, LandingResource, WarehouseResource
from orchestration.warehouse_lock import held_by_run, lent_out

NOT_PULLING = "this run does not pull (ror refresh --pull and the daily schedule do)"
QUIET_STATUSES = ("ok", "skipped")


def extract_key(platform: str) -> AssetKey:
    return AssetKey([EXTRACT_GROUP, platform])


def _extract_asset(platform: str) -> AssetsDefinition:
    @asset(
        op_tags=WAREHOUSE_STEP_TAGS,  # scheduled with the warehouse's steps, one at a time
        key=extract_key(platform),
        group_name=EXTRACT_GROUP,
        kinds={"python", platform},
        description=f"New {platform} API pages since the last run, landed under <landing>/extract/{platform}/ for "
        f"raw_exports to ingest (where each stream left off: <landing>/extract/{platform}/.state.duckdb).",
    )
    def _extract(
        context: AssetExecutionContext,
        ror_config: ConfigFileResource,
        landing: LandingResource,
        warehouse: WarehouseResource,
    ) -> MaterializeResult:
        if context.run.tags.get(PULL_TAG) == "false":
            report = ExtractReport(platform, status="skipped", message=NOT_PULLING)
            context.log.info(report.line())
            return MaterializeResult(metadata=report.to_dict())
        setup = extract_setup(ror_config.load(), Path(ror_config.config_path) if ror_config.config_path else None)
        report = run_extractor(
            setup,
            platform,
            landing_dir=landing.path,
            log=_logger(context, platform),
            pause=wait_without_the_warehouse(warehouse.working_path, context.run.run_id),
        )
        return MaterializeResult(metadata=report.to_dict())

    return _extract


def wait_without_the_warehouse(working_path: Path, run_id: str):
    """How an extractor waits for a rate-limit window in a run: with the warehouse's writer lock lent to other writers
    meanwhile. A step process of a multiprocess run (workers > 1) cannot lend the lock its orchestrating
    process holds: it does not wait, the platform stops, and the next run resumes where it stopped."""

    def pause(seconds: float) -> None:
        with lent_out(working_path) as lent:
            if not lent and held_by_run(working_path, run_id):
                raise RateLimited(
                    f"waiting {math.ceil(seconds)} s for the rate-limit window would hold the warehouse (this run's "
                    "steps run in worker processes, which cannot lend its lock)"
                )
            time.sleep(seconds)

    return pause


def _logger(context: AssetExecutionContext, platform: str):
    def log(line: str) -> None:
        quiet = any(line.startswith(f"{platform}: {status}") for status in QUIET_STATUSES)
        (context.log.info if quiet else context.log.warning)(line)

    return log


def build_extract_assets() -> list[AssetsDefinition]:
    return [_extract_asset(platform) for platform in PLATFORMS]


EXTRACT_KEYS = [extract_key(platform) for platform in PLATFORMS]


def pull_report_lines(result) -> list[str]:
    """One line per extractor from a finished run's materializations (what `ror refresh --pull` prints)."""
    lines = []
    for platform in PLATFORMS:
        for event in result.asset_materializations_for_node(extract_key(platform).to_python_identifier()):
            report = ExtractReport(**{key: value.value for key, value in event.metadata.items()})
            lines.append(report.line())
    return lines
