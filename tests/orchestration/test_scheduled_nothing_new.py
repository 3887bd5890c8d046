"""The daily schedule skips a day with nothing new since the last refresh, and a run the schedule or the landing
sensor starts records the refresh state when it succeeds (orchestration.jobs, orchestration.refresh_state): the same
rule as `ror refresh`, on a real Dagster instance and a real warehouse."""

import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from dagster import (
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    build_run_status_sensor_context,
    build_schedule_context,
)

from ingest.pipeline import ingest_paths
from ingest.warehouse import ensure_raw_schema
from orchestration.build import build_definitions
from orchestration.names import REFRESH_INPUTS_TAG, REFRESH_JOB_NAME
from orchestration.refresh_state import record_refresh, refresh_inputs, unchanged_since_last_refresh
from tests.support.sensors import sensor_context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TICK = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def refreshed_warehouse(location_settings, tmp_path):
    """A warehouse of its own whose landing file is loaded and whose serving file exists, as a refresh leaves them,
    and its definitions (the session's parsed dbt project copied in)."""
    config = tmp_path / "ror.yaml"
    config.write_text("brands:\n- id: acme\n  name: Acme\n")
    settings = replace(
        location_settings,
        landing_dir=tmp_path / "landing",
        serving_path=tmp_path / "w" / "ror.duckdb",
        config_path=config,
    )
    settings.serving_path.parent.mkdir(parents=True)
    shutil.copytree(location_settings.dbt_folder, settings.dbt_folder)
    deliver(settings.landing_dir, "page.jsonl", "two_tweets.jsonl")
    with duckdb.connect(str(settings.working_path)) as con:
        ensure_raw_schema(con)
        ingest_paths([settings.landing_dir], landing_root=settings.landing_dir, con=con, batch_id="earlier")
    duckdb.connect(str(settings.serving_path)).close()
    return settings, build_definitions(settings)


def deliver(landing: Path, name: str, fixture: str) -> Path:
    path = landing / "x" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / "x_twitter_v2" / fixture, path)
    return path


def tick(defs, instance):
    schedule = defs.get_schedule_def("daily_ror_refresh")
    return schedule.evaluate_tick(build_schedule_context(instance=instance, scheduled_execution_time=TICK))


def test_the_schedule_skips_a_day_with_nothing_new_and_runs_when_a_file_lands(
    location_settings, defs, tmp_path
):  # defs: the session's dbt parse
    settings, own_defs = refreshed_warehouse(location_settings, tmp_path)
    with DagsterInstance.ephemeral() as instance:
        never_refreshed = tick(own_defs, instance)
        assert len(never_refreshed.run_requests) == 1, "no refresh state yet: the day runs"

        record_refresh(settings, refresh_inputs(settings), "run-of-yesterday")
        nothing_new = tick(own_defs, instance)
        assert not nothing_new.run_requests
        assert "Nothing new since the refresh of" in nothing_new.skip_message
        assert "run-of-yesterday" in nothing_new.skip_message

        deliver(settings.landing_dir, "page2.jsonl", "cotweet.jsonl")
        new_file = tick(own_defs, instance)
        assert len(new_file.run_requests) == 1
        assert new_file.run_requests[0].tags[REFRESH_INPUTS_TAG] == refresh_inputs(settings).to_tag()


def test_the_schedule_runs_when_the_configuration_changed(
    location_settings, defs, tmp_path
):  # defs: the session's dbt parse
    settings, own_defs = refreshed_warehouse(location_settings, tmp_path)
    record_refresh(settings, refresh_inputs(settings), "run-of-yesterday")
    settings.config_path.write_text("brands:\n- id: acme\n  name: Acme Inc\n")
    with DagsterInstance.ephemeral() as instance:
        assert len(tick(own_defs, instance).run_requests) == 1


def test_the_schedule_runs_when_it_would_pull_from_an_api(location_settings, defs, tmp_path):  # defs: dbt parse
    settings, own_defs = refreshed_warehouse(location_settings, tmp_path)
    # Bluesky's public API needs no credentials: an account there is pulled every day
    settings.config_path.write_text(
        "brands:\n- id: acme\n  name: Acme\n  accounts:\n  - {platform: bluesky, handle: acme.bsky.social}\n"
    )
    record_refresh(settings, refresh_inputs(settings), "run-of-yesterday")
    assert unchanged_since_last_refresh(settings, refresh_inputs(settings)) is not None
    with DagsterInstance.ephemeral() as instance:
        assert len(tick(own_defs, instance).run_requests) == 1, "only the pull can tell whether there is something new"


def test_a_successful_run_of_the_sensor_records_the_refresh_state(
    location_settings, defs, tmp_path
):  # defs: the session's dbt parse
    settings, own_defs = refreshed_warehouse(location_settings, tmp_path)
    deliver(settings.landing_dir, "page2.jsonl", "cotweet.jsonl")
    with DagsterInstance.ephemeral() as instance:
        [request] = (
            own_defs.get_sensor_def("landing_files_sensor")
            .evaluate_tick(sensor_context(own_defs, cursor=None, instance=instance))
            .run_requests
        )
        assert REFRESH_INPUTS_TAG in request.tags
        # the run loads the new file and succeeds
        with duckdb.connect(str(settings.working_path)) as con:
            ingest_paths([settings.landing_dir], landing_root=settings.landing_dir, con=con, batch_id="the run")
        job = own_defs.resolve_job_def(REFRESH_JOB_NAME)
        run = instance.create_run_for_job(job_def=job, tags=request.tags)
        success = DagsterEvent(event_type_value=DagsterEventType.RUN_SUCCESS.value, job_name=job.name)
        state_sensor = own_defs.get_sensor_def("refresh_state_sensor")
        assert unchanged_since_last_refresh(settings, refresh_inputs(settings)) is None
        state_sensor(
            build_run_status_sensor_context(
                sensor_name=state_sensor.name, dagster_event=success, dagster_instance=instance, dagster_run=run
            )
        )
        last = unchanged_since_last_refresh(settings, refresh_inputs(settings))
        assert last is not None and last.run_id == run.run_id
        assert "Nothing new" in tick(own_defs, instance).skip_message
