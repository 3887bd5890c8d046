"""The refresh job, its daily schedule and the landing-folder sensor of one warehouse.

The job is not partitioned: a run ingests every new file whatever days it holds and rebuilds the marts, so a day
partition would say nothing true about what is filled. The schedule and the sensor give no window of days (dbt
re-derives from lookback_days before the newest day loaded); `ror refresh --partition` and `ror backfill` give one
as run config (orchestration.assets.dbt.RefreshWindow).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    ExecutorDefinition,
    JobDefinition,
    RunRequest,
    ScheduleDefinition,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    in_process_executor,
    sensor,
)

from orchestration.instance import holder_is_dead, mark_run_abandoned
from orchestration.landing import SETTLED_STATUSES, LandingFile, files_not_loaded, landing_files, split_settled
from orchestration.names import (
    HANDOFF_GROUP,
    HANDOFF_JOB_NAME,
    NEW_FILES_TAG,
    PULL_TAG,
    REFRESH_JOB_NAME,
    WAREHOUSE_TAG,
)
from orchestration.resources import LandingResource
from orchestration.settings import working_database_for
from orchestration.warehouse_lock import WarehouseBusy, current_holder, lock_path_for, warehouse_writer_lock


@dataclass(frozen=True)
class Jobs:
    refresh: JobDefinition  # an unresolved asset job until Definitions resolves it
    handoff: JobDefinition
    schedule: ScheduleDefinition
    sensor: SensorDefinition


def build_jobs(serving_path: str, refresh_executor: ExecutorDefinition) -> Jobs:
    """The jobs of the warehouse at ``serving_path``, tagged with it so that the instance's run queue holds back a
    second run of the same warehouse until the first ends (orchestration/instance.py)."""
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
    schedule = ScheduleDefinition(
        name="daily_ror_refresh",
        job=refresh,
        cron_schedule="0 2 * * *",
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.RUNNING,
        description="Each day at 02:00 UTC, refresh the warehouse: pull from the APIs, ingest what landed, rebuild "
        "and publish the marts.",
    )
    sensor = _landing_files_sensor(refresh, working_database_for(Path(serving_path)))
    return Jobs(refresh, handoff, schedule, sensor)


def _landing_files_sensor(refresh, working_path: Path) -> SensorDefinition:
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
        tags = {NEW_FILES_TAG: str(len(new_files)), PULL_TAG: "false"}
        return RunRequest(run_key=run_key, tags=tags)

    return landing_files_sensor


def loaded_files_left_out(working_path: Path, files: list[LandingFile]) -> list[LandingFile]:
    """``files`` less those the warehouse has loaded (or skipped: a run would skip them again) and that were not
    written to since (the ingest step's rule, orchestration.landing.files_not_loaded). While a refresh holds the
    warehouse, or with no working database or manifest yet, every file is new (a run then queues behind the refresh)."""
    if not files or not working_path.exists():
        return files
    # Read under the writer lock: a reader open when a run's dbt opens the working database would fail that run.
    try:
        with warehouse_writer_lock(working_path, command="the landing sensor", wait=False):
            with duckdb.connect(str(working_path), read_only=True) as con:
                return files_not_loaded(con, files, SETTLED_STATUSES)
    except WarehouseBusy:
        return files
    except duckdb.CatalogException:  # a warehouse no refresh has ingested into yet
        return files
    except duckdb.IOException as error:  # opened for writing outside a refresh (dbt by hand)
        if "lock" in str(error).lower():
            return files
        raise


def _mark_dead_writer_failed(context: SensorEvaluationContext, working_path: Path) -> None:
    """The lock file still names a writer whose process is gone: its run would stay STARTED in the UI forever."""
    holder = current_holder(lock_path_for(working_path))
    if holder is not None and holder_is_dead(holder):
        if mark_run_abandoned(context.instance, holder, found_by="the landing sensor"):
            context.log.warning(f"Marked run {holder.run_id} failed: its process {holder.pid} is gone")
