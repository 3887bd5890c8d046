"""The refresh job, its daily schedule and the landing-folder sensor."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

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

from extract.landing import EXTRACT_FOLDER
from orchestration.assets.extract import PULL_TAG
from orchestration.partitions import daily_partitions
from orchestration.settings import Settings

REFRESH_JOB_NAME = "ror_refresh"

# One process runs the steps in order: DuckDB allows a single writer per file, and ingest, enrichment, dbt and
# publication all write the working database.
ror_refresh_job = define_asset_job(
    REFRESH_JOB_NAME,
    selection=AssetSelection.all(),
    partitions_def=daily_partitions,
    executor_def=in_process_executor,
    description="Ingest new exports, enrich new texts, build every dbt model and test, publish the marts.",
)

daily_refresh_schedule = build_schedule_from_partitioned_job(
    ror_refresh_job,
    name="daily_ror_refresh",
    hour_of_day=2,
    minute_of_hour=0,
    default_status=DefaultScheduleStatus.RUNNING,
    description="Each day at 02:00 UTC, refresh the day's partition.",
)


def landing_snapshot(landing_dir: Path) -> dict[str, str]:
    """Every regular file under the landing folder -> 'size:mtime_ns' (a changed file counts as new). Pages the
    extractors landed are left out: the run that pulled them ingested them."""
    if not landing_dir.is_dir():
        return {}
    return {
        str(path.relative_to(landing_dir)): f"{stat.st_size}:{stat.st_mtime_ns}"
        for path in sorted(landing_dir.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
        and path.relative_to(landing_dir).parts[0] != EXTRACT_FOLDER
        for stat in [path.stat()]
    }


@sensor(
    job=ror_refresh_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts a refresh when new or changed export files land, once per set of files.",
)
def landing_files_sensor(context: SensorEvaluationContext):
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    current = landing_snapshot(Settings.from_env().landing_dir)
    new_files = sorted(name for name, signature in current.items() if seen.get(name) != signature)
    if not new_files:
        return SkipReason("no new export files")
    context.update_cursor(json.dumps(current, sort_keys=True))
    run_key = hashlib.sha256(json.dumps({n: current[n] for n in new_files}).encode()).hexdigest()[:16]
    partition_key = daily_partitions.get_last_partition_key()
    # Files were delivered: ingest them without pulling from the APIs (the daily schedule pulls).
    tags = {"ror/new_files": str(len(new_files)), PULL_TAG: "false"}
    return RunRequest(run_key=run_key, partition_key=partition_key, tags=tags)
