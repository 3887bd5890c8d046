"""Alerts after every refresh, however it ran: two run-status sensors (a refresh that succeeded, one that failed) and
``alert_after_run``, which ``ror refresh`` calls itself (its runs do not pass through the daemon).

The checks' outcomes come from the run's event log, the spikes from the serving file (the last published marts);
``alerts.send_alerts`` does the rest, so a configuration without ``alerts:`` sends nothing and a channel that fails
never fails anything.
"""

from __future__ import annotations

import logging

import duckdb
from dagster import (
    DagsterEventType,
    DagsterInstance,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunStatusSensorContext,
    run_status_sensor,
)

from alerts import CheckOutcome, SendReport, Spike, read_recent_spikes, send_alerts
from orchestration.names import REFRESH_JOB_NAME
from orchestration.settings import Settings
from ror_config import ConfigError, RorConfig, load_config

log = logging.getLogger(__name__)

# dagster-dbt's count of a failed dbt test's rows (the project's own checks say theirs in `summary` and `details`).
FAILED_ROW_COUNT_KEY = "dagster_dbt/failed_row_count"


def check_outcomes(instance: DagsterInstance, run_id: str) -> list[CheckOutcome]:
    """Every asset check the run evaluated: its name, asset, result and whether it blocks publication."""
    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION).records
    outcomes = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        failed_rows = evaluation.metadata.get(FAILED_ROW_COUNT_KEY)
        outcomes.append(
            CheckOutcome(
                name=evaluation.check_name,
                asset=evaluation.asset_key.to_user_string(),
                passed=evaluation.passed,
                blocking=evaluation.severity.value == "ERROR",
                failed_rows=failed_rows.value
                if failed_rows is not None and isinstance(failed_rows.value, int)
                else None,
            )
        )
    return outcomes


def alert_after_run(instance: DagsterInstance, run_id: str, settings: Settings) -> SendReport:
    """Send the alerts of the run ``run_id`` (a refresh of ``settings``' warehouse) to the configured channels."""
    try:
        config = load_config(settings.config_path) if settings.config_path is not None else RorConfig()
    except ConfigError as error:
        log.warning("No alerts sent: the configuration file is not valid (%d problems)", len(error.problems))
        return SendReport(failures=["configuration: not valid, run `ror config check`"])
    if config.alerts.webhook is None and config.alerts.email is None:
        return SendReport()
    return send_alerts(config, check_outcomes(instance, run_id), _published_spikes(settings), settings.serving_path)


def _published_spikes(settings: Settings) -> list[Spike]:
    try:
        with duckdb.connect(str(settings.serving_path), read_only=True) as connection:
            return read_recent_spikes(connection)
    except duckdb.Error as error:
        # Nothing published yet (a first refresh that failed): the failed checks are still worth sending.
        log.warning("No spike alerts: the serving file could not be read (%s)", type(error).__name__)
        return []


def build_alert_sensors(settings: Settings) -> list:
    """The two run-status sensors of ``settings``' warehouse (a refresh that succeeded, one that failed)."""

    def alert_refresh(context: RunStatusSensorContext) -> None:
        if context.dagster_run.job_name != REFRESH_JOB_NAME:
            return
        report = alert_after_run(context.instance, context.dagster_run.run_id, settings)
        for failure in report.failures:
            context.log.warning(f"Alert not sent: {failure}")

    @run_status_sensor(
        run_status=DagsterRunStatus.SUCCESS,
        name="ror_alerts_after_refresh",
        description="Sends the spike and failed-check alerts of a finished refresh to the channels in the "
        "configuration's alerts: section (none: nothing is sent).",
        default_status=DefaultSensorStatus.RUNNING,
    )
    def alerts_after_refresh(context: RunStatusSensorContext) -> None:
        alert_refresh(context)

    @run_status_sensor(
        run_status=DagsterRunStatus.FAILURE,
        name="ror_alerts_after_failed_refresh",
        description="Sends the failed-check (and spike) alerts of a refresh that failed, e.g. stopped by a blocking "
        "check, to the channels in the configuration's alerts: section (none: nothing is sent).",
        default_status=DefaultSensorStatus.RUNNING,
    )
    def alerts_after_failed_refresh(context: RunStatusSensorContext) -> None:
        alert_refresh(context)

    return [alerts_after_refresh, alerts_after_failed_refresh]
