"""The refresh job, its daily schedule and the landing-folder sensor."""

from __future__ import annotations

import hashlib
import json

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    build_schedule_from_partitioned_job,
    define_asset_job,
    in_process_executor,
    sensor,
)

from orchestration.assets.extract import PULL_TAG
from orchestration.assets.handoff import HANDOFF_GROUP
from orchestration.executor import ror_refresh_executor
from orchestration.instance import WAREHOUSE_TAG, holder_is_dead, mark_run_abandoned
from orchestration.landing import landing_files, split_settled
from orchestration.partitions import daily_partitions
from orchestration.settings import Settings
from orchestration.warehouse_lock import current_holder, lock_path_for

REFRESH_JOB_NAME = "ror_refresh"
HANDOFF_JOB_NAME = "ror_handoff"

# The enrichment's buckets score in parallel worker processes when ROR_ENRICH_WORKERS > 1, while the steps that open
# the warehouse run one at a time (DuckDB allows a single writer per file): orchestration/executor.py. The warehouse
# tag lets the instance's run queue hold back a second run of the same warehouse until the first ends
# (orchestration/instance.py).
ror_refresh_job = define_asset_job(
    REFRESH_JOB_NAME,
    selection=AssetSelection.all() - AssetSelection.groups(HANDOFF_GROUP),
    partitions_def=daily_partitions,
    executor_def=ror_refresh_executor,
    tags={WAREHOUSE_TAG: str(Settings.from_env().serving_path)},
    description="Ingest new exports, enrich new texts, build every dbt model and test, publish the marts.",
)

# The Parquet hand-off for dbt on Spark (orchestration/handoff.py), after a refresh, when a larger engine builds.
ror_handoff_job = define_asset_job(
    HANDOFF_JOB_NAME,
    selection=AssetSelection.groups(HANDOFF_GROUP),
    executor_def=in_process_executor,
    tags={WAREHOUSE_TAG: str(Settings.from_env().serving_path)},
    description="Export every raw, enrichment and config table as Parquet for dbt's spark target.",
)

daily_refresh_schedule = build_schedule_from_partitioned_job(
    ror_refresh_job,
    name="daily_ror_refresh",
    hour_of_day=2,
    minute_of_hour=0,
    default_status=DefaultScheduleStatus.RUNNING,
    description="Each day at 02:00 UTC, refresh the day's partition.",
)


@sensor(
    job=ror_refresh_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts a refresh when new or changed export files land and have settled, once per set of files. "
    "Also marks failed a refresh whose process died holding the warehouse.",
)
def landing_files_sensor(context: SensorEvaluationContext):
    settings = Settings.from_env()
    _mark_dead_writer_failed(context, settings)
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    # Pages the extractors landed were ingested by the run that pulled them.
    delivered = [f for f in landing_files(settings.landing_dir) if not f.extracted]
    settled, changing = split_settled(delivered, settings.settle_seconds)
    new_files = sorted(f.relative for f in settled if seen.get(f.relative) != f.signature)
    if not new_files:
        waiting = f" ({len(changing)} still changing)" if changing else ""
        return SkipReason(f"no new settled export files{waiting}")
    # A file still changing keeps the signature it was last taken with, so it counts as new once it settles.
    cursor = {f.relative: f.signature for f in settled}
    cursor |= {f.relative: seen[f.relative] for f in changing if f.relative in seen}
    context.update_cursor(json.dumps(cursor, sort_keys=True))
    run_key = hashlib.sha256(json.dumps({n: cursor[n] for n in new_files}).encode()).hexdigest()[:16]
    partition_key = daily_partitions.get_last_partition_key()
    # Files were delivered: ingest them without pulling from the APIs (the daily schedule pulls).
    tags = {"ror/new_files": str(len(new_files)), PULL_TAG: "false"}
    return RunRequest(run_key=run_key, partition_key=partition_key, tags=tags)


def _mark_dead_writer_failed(context: SensorEvaluationContext, settings: Settings) -> None:
    """The lock file still names a writer whose process is gone: its run would stay STARTED in the UI forever."""
    holder = current_holder(lock_path_for(settings.working_path))
    if holder is not None and holder_is_dead(holder):
        if mark_run_abandoned(context.instance, holder, found_by="the landing sensor"):
            context.log.warning(f"Marked run {holder.run_id} failed: its process {holder.pid} is gone")
