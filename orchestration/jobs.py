"""The refresh job, its daily schedule and the landing-folder sensor of one warehouse.

A refresh with nothing new does no work however it starts (orchestration.refresh_state): the daily schedule skips its
tick ("Nothing new since the refresh of ...") when every landing file is loaded and nothing else changed since the
last successful refresh, unless the configuration pulls from a platform's API (only the pull can tell whether there is
something new). The landing sensor starts a run only for new files. A run either of them starts carries what it is
made from (REFRESH_INPUTS_TAG), and ``refresh_state_sensor`` records the refresh state when it succeeds, as `ror
refresh` does after its own run, so the next tick (or `ror refresh`) can skip.

The job is not partitioned: a run ingests every new file whatever days it holds and rebuilds the marts, so a day
partition would say nothing true about what is filled. The schedule and the sensor give no window of days (dbt
re-derives from lookback_days before the newest day loaded); `ror refresh --partition` and `ror backfill` give one
as run config (orchestration.assets.dbt.RefreshWindow).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import duckdb
from dagster import (
    AssetSelection,
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    ExecutorDefinition,
    JobDefinition,
    RunRequest,
    RunStatusSensorContext,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    in_process_executor,
    run_status_sensor,
    schedule,
    sensor,
)

from orchestration.instance import holder_is_dead, mark_run_abandoned
from orchestration.landing import SETTLED_STATUSES, LandingFile, files_not_loaded, landing_files, split_settled
from orchestration.names import (
    HANDOFF_GROUP,
    HANDOFF_JOB_NAME,
    NEW_FILES_TAG,
    PULL_TAG,
    REFRESH_INPUTS_TAG,
    REFRESH_JOB_NAME,
    WAREHOUSE_TAG,
)
from orchestration.refresh_state import RefreshInputs, record_refresh, refresh_inputs, unchanged_since_last_refresh
from orchestration.resources import LandingResource
from orchestration.settings import Settings
from orchestration.warehouse_lock import WarehouseBusy, current_holder, lock_path_for, warehouse_writer_lock
from ror_config import ConfigError

T = TypeVar("T")


@dataclass(frozen=True)
class Jobs:
    refresh: JobDefinition  # an unresolved asset job until Definitions resolves it
    handoff: JobDefinition
    schedule: ScheduleDefinition
    sensor: SensorDefinition
    refresh_state_sensor: SensorDefinition


def build_jobs(settings: Settings, refresh_executor: ExecutorDefinition) -> Jobs:
    """The jobs of the warehouse ``settings`` name, tagged with its serving path so that the instance's run queue holds
    back a second run of the same warehouse until the first ends (orchestration/instance.py)."""
    serving_path = str(settings.serving_path)
    # The enrichment's buckets score in parallel worker processes when the run has more than one worker, while the
    # steps that open the warehouse run one at a time (DuckDB allows a single writer per file): orchestration/executor.
    refresh = define_asset_job(
        REFRESH_JOB_NAME,
        selection=AssetSelection.all() - AssetSelection.groups(HANDOFF_GROUP),
        executor_def=refresh_executor,
        tags={WAREHOUSE_TAG: serving_path},
        description="Ingest new exports, enrich new texts, build every dbt model and test, publish the marts.",
    )
    # The Parquet hand-off for dbt on Spark (orchestration/handoff.py), after a refresh, when a larger engine builds.
    handoff = define_asset_job(
        HANDOFF_JOB_NAME,
        selection=AssetSelection.groups(HANDOFF_GROUP),
        executor_def=in_process_executor,
        tags={WAREHOUSE_TAG: serving_path},
        description="Export every raw, enrichment and config table as Parquet for dbt's spark target.",
    )
    schedule = _daily_schedule(refresh, settings)
    sensor = _landing_files_sensor(refresh, settings)
    return Jobs(refresh, handoff, schedule, sensor, _refresh_state_sensor(refresh, settings))


def _inputs_tags(settings: Settings) -> dict[str, str]:
    """The tag that lets ``refresh_state_sensor`` record the run's refresh state; none when the inputs cannot be read
    (a configuration file gone: the run reports it)."""
    try:
        return {REFRESH_INPUTS_TAG: refresh_inputs(settings).to_tag()}
    except OSError:
        return {}


def pulls_from_an_api(settings: Settings) -> bool:
    """Whether a run would pull from some platform's API (orchestration.assets.extract); an unreadable configuration
    counts as yes: the run reports it."""
    from extract.config import load_extract_setup  # the extractors' clients: not at the code location's start
    from extract.run import EXTRACTORS, skip_reason

    try:
        setup = load_extract_setup(settings.config_path)
    except (ConfigError, OSError, ValueError):  # the run reports what is wrong with the configuration
        return True
    return any(skip_reason(setup, platform) is None for platform in EXTRACTORS)


def _daily_schedule(refresh, settings: Settings) -> ScheduleDefinition:
    @schedule(
        name="daily_ror_refresh",
        job=refresh,
        cron_schedule="0 2 * * *",
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.RUNNING,
        description="Each day at 02:00 UTC, refresh the warehouse: pull from the APIs, ingest what landed, rebuild "
        "and publish the marts. Skips the day when nothing is new since the last refresh and nothing is pulled.",
    )
    def daily_ror_refresh(context: ScheduleEvaluationContext):
        tags = _inputs_tags(settings)
        if tags and settings.working_path.exists() and not pulls_from_an_api(settings):
            inputs = RefreshInputs.from_tag(tags[REFRESH_INPUTS_TAG])
            last = read_when_free(
                settings.working_path, "the daily schedule", lambda: unchanged_since_last_refresh(settings, inputs)
            )
            if last is not None:
                return SkipReason(
                    f"Nothing new since the refresh of {last.refreshed_at:%Y-%m-%d %H:%M} UTC (run {last.run_id})"
                )
        return RunRequest(tags=tags)

    return daily_ror_refresh


def _refresh_state_sensor(refresh, settings: Settings) -> SensorDefinition:
    @run_status_sensor(
        name="refresh_state_sensor",
        run_status=DagsterRunStatus.SUCCESS,
        monitored_jobs=[refresh],
        default_status=DefaultSensorStatus.RUNNING,
        description="Records what a successful run of the schedule or the landing sensor was made from, so that the "
        "next tick or `ror refresh` with nothing new does no work (orchestration.refresh_state).",
    )
    def refresh_state_sensor(context: RunStatusSensorContext):
        tag = context.dagster_run.tags.get(REFRESH_INPUTS_TAG)
        if tag is None:  # `ror refresh` records its own runs; a run asking for work by name records nothing
            return SkipReason("the run carries no refresh inputs")
        run_id = context.dagster_run.run_id
        recorded = read_when_free(
            settings.working_path,
            "the refresh state sensor",
            lambda: record_refresh(settings, RefreshInputs.from_tag(tag), run_id) or True,
            when_busy=False,
        )
        if not recorded:  # the next run's success records the state instead
            return SkipReason(f"another run writes the warehouse: the state of run {run_id} is not recorded")
        context.log.info(f"recorded the refresh state of run {run_id}")
        return None

    return refresh_state_sensor


def _landing_files_sensor(refresh, settings: Settings) -> SensorDefinition:
    working_path = settings.working_path

    # The warehouse by its path, not its resource: the resource would take the writer lock the sensor only reads.
    @sensor(
        job=refresh,
        minimum_interval_seconds=60,
        default_status=DefaultSensorStatus.RUNNING,
        description="Starts a refresh when new or changed export files land and have settled, once per set of files. "
        "Also marks failed a refresh whose process died holding the warehouse.",
    )
    def landing_files_sensor(context: SensorEvaluationContext, landing: LandingResource):
        _mark_dead_writer_failed(context, working_path)
        seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
        # Pages the extractors landed were ingested by the run that pulled them.
        delivered = [f for f in landing_files(landing.path) if not f.extracted]
        settled, changing = split_settled(delivered, landing.settle_seconds)
        unseen = [f for f in settled if seen.get(f.relative) != f.signature]
        # A fresh daemon has no cursor: files a refresh already loaded are not new (that run would load nothing).
        new_files = sorted(f.relative for f in loaded_files_left_out(working_path, unseen))
        # A file still changing keeps the signature it was last taken with, so it counts as new once it settles.
        cursor = {f.relative: f.signature for f in settled}
        cursor |= {f.relative: seen[f.relative] for f in changing if f.relative in seen}
        if not new_files:
            if unseen:
                context.update_cursor(json.dumps(cursor, sort_keys=True))
            waiting = f" ({len(changing)} still changing)" if changing else ""
            return SkipReason(f"no new settled export files{waiting}")
        context.update_cursor(json.dumps(cursor, sort_keys=True))
        run_key = hashlib.sha256(json.dumps({n: cursor[n] for n in new_files}).encode()).hexdigest()[:16]
        # Files were delivered: ingest them without pulling from the APIs (the daily schedule pulls).
        tags = {NEW_FILES_TAG: str(len(new_files)), PULL_TAG: "false", **_inputs_tags(settings)}
        return RunRequest(run_key=run_key, tags=tags)

    return landing_files_sensor


def loaded_files_left_out(working_path: Path, files: list[LandingFile]) -> list[LandingFile]:
    """``files`` less those the warehouse has loaded (or skipped: a run would skip them again) and that were not
    written to since (the ingest step's rule, orchestration.landing.files_not_loaded). While a refresh holds the
    warehouse, or with no working database or manifest yet, every file is new (a run then queues behind the refresh)."""
    if not files or not working_path.exists():
        return files

    def not_loaded() -> list[LandingFile]:
        with duckdb.connect(str(working_path), read_only=True) as con:
            return files_not_loaded(con, files, SETTLED_STATUSES)

    return read_when_free(working_path, "the landing sensor", not_loaded, when_busy=files)


def read_when_free(working_path: Path, command: str, read: Callable[[], T], when_busy: T = None) -> T:
    """``read()`` of the warehouse under its writer lock, or ``when_busy`` while a refresh (or dbt by hand) holds it:
    a reader open when a run's dbt opens the working database would fail that run. ``when_busy`` also for a
    warehouse no refresh has ingested into yet."""
    try:
        with warehouse_writer_lock(working_path, command=command, wait=False):
            return read()
    except WarehouseBusy:
        return when_busy
    except duckdb.CatalogException:  # no manifest yet
        return when_busy
    except duckdb.IOException as error:  # opened for writing outside a refresh (dbt by hand)
        if "lock" in str(error).lower():
            return when_busy
        raise


def _mark_dead_writer_failed(context: SensorEvaluationContext, working_path: Path) -> None:
    """The lock file still names a writer whose process is gone: its run would stay STARTED in the UI forever."""
    holder = current_holder(lock_path_for(working_path))
    if holder is not None and holder_is_dead(holder):
        if mark_run_abandoned(context.instance, holder, found_by="the landing sensor"):
            context.log.warning(f"Marked run {holder.run_id} failed: its process {holder.pid} is gone")
