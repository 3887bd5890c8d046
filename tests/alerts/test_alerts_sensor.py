"""The alerts of a real Dagster run: its check evaluations read back from the instance, sent by the run-status
sensors (and by ``alert_after_run``, which ``ror refresh`` calls) to a webhook started here."""

from __future__ import annotations

import json

import duckdb
import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    DagsterEventType,
    DagsterInstance,
    Definitions,
    asset,
    asset_check,
    build_run_status_sensor_context,
    define_asset_job,
)

from orchestration.alerts_sensor import alert_after_run, build_alert_sensors
from orchestration.jobs import REFRESH_JOB_NAME
from orchestration.settings import Settings

SECRET_ROW_VALUE = "Zelda Marker zelda.marker@example.com"


@asset
def interactions() -> None:
    return None


@asset_check(asset=interactions, blocking=True)
def not_null_interactions_id() -> AssetCheckResult:
    return AssetCheckResult(
        passed=False, metadata={"dagster_dbt/failed_row_count": 4, "failing_rows_sample": SECRET_ROW_VALUE}
    )


@asset_check(asset=interactions)
def interactions_freshness() -> AssetCheckResult:
    return AssetCheckResult(passed=False, severity=AssetCheckSeverity.WARN)


@pytest.fixture
def finished_refresh():
    """A run of a job named like the refresh, whose blocking check failed and whose warning check warned."""
    defs = Definitions(
        assets=[interactions],
        asset_checks=[not_null_interactions_id, interactions_freshness],
        jobs=[define_asset_job(REFRESH_JOB_NAME)],
    )
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def(REFRESH_JOB_NAME).execute_in_process(instance=instance, raise_on_error=False)
        yield instance, result


@pytest.fixture
def configured(tmp_path, httpserver, monkeypatch) -> Settings:
    """A configuration with a webhook, and a serving file with one published volume spike."""
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    config = tmp_path / "ror.yaml"
    config.write_text(f"alerts: {{webhook: {{url: '{httpserver.url_for('/hook')}'}}}}\n", encoding="utf-8")
    serving = tmp_path / "ror.duckdb"
    with duckdb.connect(str(serving)) as con:
        con.execute(
            "create schema marts; create table marts.sentiment_trend as select date '2026-10-21' as activity_date, "
            "'x' as platform, 'acme' as brand_id, ? as account_id, 'account' as campaign_scope, "
            "false as is_negative_spike, true as is_volume_spike, 3 as sentiment_scored_interactions, "
            "250 as audience_interactions, 0.1 as negative_share",
            [SECRET_ROW_VALUE],
        )
    monkeypatch.setenv("ROR_WAREHOUSE", str(serving))
    monkeypatch.setenv("ROR_CONFIG", str(config))
    return Settings.from_env()


def texts(httpserver) -> list[str]:
    return [json.loads(request.get_data())["text"] for request, _ in httpserver.log]


def test_a_refresh_sends_its_failed_blocking_check_and_spikes_once(finished_refresh, configured, httpserver):
    instance, result = finished_refresh

    report = alert_after_run(instance, result.run_id, configured)
    rerun = alert_after_run(instance, result.run_id, configured)

    assert report.failures == [] and rerun.sent == []
    assert [text.split(": ", 1)[1] for text in texts(httpserver)] == [
        "check not_null_interactions_id on interactions failed: 4 failing rows; the serving file keeps the last "
        "good data.",
        "audience volume spike (250 interactions) for brand acme on x on 2026-10-21.",
    ]
    assert SECRET_ROW_VALUE not in json.dumps(texts(httpserver))


def test_the_sensor_sends_after_a_refresh_stopped_by_its_check_and_ignores_other_jobs(
    finished_refresh, configured, httpserver
):
    instance, result = finished_refresh
    assert not result.success  # the blocking check stopped it
    [record] = instance.get_records_for_run(result.run_id, of_type=DagsterEventType.RUN_FAILURE).records
    event = record.event_log_entry.dagster_event
    run = instance.get_run_by_id(result.run_id)
    _, sensor = build_alert_sensors(configured)

    other_job = run._replace(job_name="some_other_job")
    sensor(build_run_status_sensor_context(sensor.name, event, instance, other_job))
    assert len(httpserver.log) == 0

    sensor(build_run_status_sensor_context(sensor.name, event, instance, run))
    assert len(httpserver.log) == 2


def test_without_alerts_configured_nothing_is_read_or_sent(finished_refresh, tmp_path, monkeypatch):
    instance, result = finished_refresh
    monkeypatch.setenv("ROR_WAREHOUSE", str(tmp_path / "missing.duckdb"))
    monkeypatch.delenv("ROR_CONFIG", raising=False)

    report = alert_after_run(instance, result.run_id, Settings.from_env())

    assert (report.sent, report.failures) == ([], [])
    assert list(tmp_path.iterdir()) == []
