"""The names Dagster knows this project by: jobs, groups, run tags and op tags, in one place.

Assets, the executor, the sensor and `ror` import them from here, so no module imports another for a constant.
"""

REFRESH_JOB_NAME = "ror_refresh"
HANDOFF_JOB_NAME = "ror_handoff"
EXTRACT_GROUP = "extract"
HANDOFF_GROUP = "handoff"

# Run tags.
# The serving file a run writes: the instance's run queue runs one run per value at a time (orchestration.instance).
WAREHOUSE_TAG = "ror/warehouse"
# ror/full_refresh=true (the UI's launchpad, or `ror refresh --full-refresh`) rebuilds incremental dbt models.
FULL_REFRESH_TAG = "ror/full_refresh"
# ror/pull=false (`ror refresh` without --pull, the landing-folder sensor): ingest only what was delivered.
PULL_TAG = "ror/pull"
# The rule a run's ingest step tells complete landing files by: STABILITY_CHECK, or a number of settle seconds;
# without it, the landing resource's settle_seconds (orchestration.landing).
SETTLE_TAG = "ror/settle"
STABILITY_CHECK = "stability-check"
# Tags the run `ror` starts, so that its progress bars find its events.
INVOCATION_TAG = "ror/invocation"
# How many files the landing sensor found new.
NEW_FILES_TAG = "ror/new_files"
# What a run the schedule or the sensor starts is made from (orchestration.refresh_state.RefreshInputs), read back
# when it succeeds to record the refresh state.
REFRESH_INPUTS_TAG = "ror/refresh_inputs"

# Op tags. Every op that opens a warehouse file carries WAREHOUSE_STEP_TAG: the multiprocess executor runs one of
# them at a time (DuckDB allows one writer per file), orchestration.executor. They are also in Dagster's pool
# WAREHOUSE_POOL, which an instance with a pool limit of 1 (the cluster's, cluster/services.py) runs one at a time
# across every worker: Celery has no tag limits. Without a limit (the default instance) the pool limits nothing.
WAREHOUSE_STEP_TAG = "ror/warehouse_step"
WAREHOUSE_POOL = "ror_warehouse"
WAREHOUSE_STEP_TAGS = {WAREHOUSE_STEP_TAG: "duckdb", "dagster/concurrency_key": WAREHOUSE_POOL}
TAG_CONCURRENCY_LIMITS = [{"key": WAREHOUSE_STEP_TAG, "limit": 1}]
