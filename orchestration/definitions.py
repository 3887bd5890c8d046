"""The code location: `dagster dev -w workspace.yaml` loads `defs` from here."""

from dagster import Definitions, in_process_executor

from orchestration.assets.configuration import configuration_tables
from orchestration.assets.dbt import ror_dbt_models
from orchestration.assets.enrichment import text_enrichment
from orchestration.assets.extract import extract_assets
from orchestration.assets.handoff import parquet_handoff
from orchestration.assets.ingest import raw_exports
from orchestration.assets.publish import serving_warehouse
from orchestration.assets.report import ror_report
from orchestration.assets.themes import interaction_themes
from orchestration.checks import ror_checks
from orchestration.jobs import (
    REFRESH_JOB_NAME,
    daily_refresh_schedule,
    landing_files_sensor,
    ror_handoff_job,
    ror_refresh_job,
)
from orchestration.resources import build_resources
from orchestration.settings import Settings

defs = Definitions(
    assets=[
        configuration_tables,
        *extract_assets,
        raw_exports,
        text_enrichment,
        interaction_themes,
        ror_dbt_models,
        serving_warehouse,
        ror_report,
        parquet_handoff,
    ],
    asset_checks=ror_checks,
    jobs=[ror_refresh_job, ror_handoff_job],
    schedules=[daily_refresh_schedule],
    sensors=[landing_files_sensor],
    resources=build_resources(Settings.from_env()),
    executor=in_process_executor,
)


def refresh_job():
    """The refresh job, for ``dagster.reconstructable``: `ror refresh` runs it with the job's own executor, whose step
    processes load it again from here."""
    return defs.resolve_job_def(REFRESH_JOB_NAME)
