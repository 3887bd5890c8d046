"""The definitions factory: everything Dagster runs, built from one Settings value.

Nothing here reads the environment or does work at import: the code location (orchestration/definitions.py) and `ror`
(orchestration/cli.py) each read the settings once, at their edge, and call ``build_definitions``; the step processes
of a multiprocess run rebuild the same definitions from the same values (``refresh_job_for``).
"""

from __future__ import annotations

from dagster import Definitions, JobDefinition, in_process_executor

from orchestration.alerts_sensor import build_alert_sensors
from orchestration.assets.configuration import configuration_tables
from orchestration.assets.dbt import build_dbt_assets
from orchestration.assets.enrichment import text_enrichment
from orchestration.assets.extract import build_extract_assets
from orchestration.assets.handoff import parquet_handoff
from orchestration.assets.ingest import raw_exports
from orchestration.assets.publish import build_serving_asset
from orchestration.assets.report import build_report_asset
from orchestration.assets.themes import interaction_themes
from orchestration.checks import ror_checks
from orchestration.dbt_project import dbt_project_for
from orchestration.executor import refresh_executor
from orchestration.jobs import build_jobs
from orchestration.names import REFRESH_JOB_NAME
from orchestration.resources import build_resources
from orchestration.settings import Settings


def build_definitions(settings: Settings) -> Definitions:
    """The assets, checks, jobs, schedule, sensor and resources of the warehouse ``settings`` name. Parses the dbt
    project into the warehouse's dbt folder when its manifest is missing or out of date."""
    spark_conf = settings.deployment.spark_conf if settings.deployment else None
    dbt_project = dbt_project_for(
        settings.dbt_folder, settings.working_path, settings.duckdb_limits(), spark_conf=spark_conf
    )
    dbt_models = build_dbt_assets(dbt_project)
    serving = build_serving_asset(dbt_models)
    celery = settings.deployment.celery if settings.deployment else None
    jobs = build_jobs(settings, refresh_executor(settings.serving_path, settings.enrich_workers, celery))
    return Definitions(
        assets=[
            configuration_tables,
            *build_extract_assets(),
            raw_exports,
            text_enrichment,
            interaction_themes,
            dbt_models,
            serving,
            build_report_asset(),
            parquet_handoff,
        ],
        asset_checks=ror_checks,
        jobs=[jobs.refresh, jobs.handoff],
        schedules=[jobs.schedule],
        sensors=[jobs.sensor, jobs.refresh_state_sensor, *build_alert_sensors(settings)],
        resources=build_resources(settings, dbt_project),
        executor=in_process_executor,
    )


def refresh_job_for(settings_json: dict) -> JobDefinition:
    """The refresh job of these settings (Settings.to_json), for ``dagster.build_reconstructable_job``: `ror refresh`
    runs it with the job's own executor, whose step processes build it again from the same values."""
    return build_definitions(Settings.from_json(settings_json)).resolve_job_def(REFRESH_JOB_NAME)
