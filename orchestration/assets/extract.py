"""Extraction: one asset per platform pulls what is new from its API into the landing folder, upstream of raw_exports.

The assets are cursor-driven (each run fetches what is new since the last one, whatever the partition); they share the
job's daily partitions only so that the daily schedule and a backfill run them with the rest. An extractor that is not
configured or has no credentials is skipped with one line saying which variable would enable it (and every one is, in
a run tagged ror/pull=false); one that fails reports why in its metadata and the refresh goes on with whatever is in
the landing folder.
"""

from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, BackfillPolicy, MaterializeResult, asset

from extract.config import PLATFORMS, extract_setup
from extract.extraction import ExtractReport
from extract.run import run_extractor
from orchestration.executor import WAREHOUSE_STEP_TAGS
from orchestration.partitions import daily_partitions
from orchestration.resources import ConfigFileResource, LandingResource, WarehouseResource

EXTRACT_GROUP = "extract"
# Runs tagged ror/pull=false (`ror refresh` without --pull, the landing-folder sensor) ingest only what was delivered.
PULL_TAG = "ror/pull"
NOT_PULLING = "this run does not pull (ror refresh --pull and the daily schedule do)"


def extract_key(platform: str) -> AssetKey:
    return AssetKey([EXTRACT_GROUP, platform])


def _extract_asset(platform: str) -> AssetsDefinition:
    @asset(
        op_tags=WAREHOUSE_STEP_TAGS,
        key=extract_key(platform),
        group_name=EXTRACT_GROUP,
        kinds={"python", platform},
        partitions_def=daily_partitions,
        backfill_policy=BackfillPolicy.single_run(),
        description=f"New {platform} API pages since the last run (cursor in extract.cursors), landed under "
        f"<landing>/extract/{platform}/ for raw_exports to ingest.",
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
        with warehouse.connect() as con:
            report = run_extractor(setup, platform, landing_dir=landing.path, con=con, log=_logger(context, platform))
        return MaterializeResult(metadata=report.to_dict())

    return _extract


def _logger(context: AssetExecutionContext, platform: str):
    def log(line: str) -> None:
        (context.log.warning if line.startswith(f"{platform}: failed") else context.log.info)(line)

    return log


extract_assets = [_extract_asset(platform) for platform in PLATFORMS]
EXTRACT_KEYS = [extract_key(platform) for platform in PLATFORMS]


def pull_report_lines(result) -> list[str]:
    """One line per extractor from a finished run's materializations (what `ror refresh --pull` prints)."""
    lines = []
    for platform in PLATFORMS:
        for event in result.asset_materializations_for_node(extract_key(platform).to_python_identifier()):
            report = ExtractReport(**{key: value.value for key, value in event.metadata.items()})
            lines.append(report.line())
    return lines
