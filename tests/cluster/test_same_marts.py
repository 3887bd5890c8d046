"""The same job, the same marts, on the cluster in a box (`make test-cluster` starts it, runs these, stops it).

The refresh of the same demo exports on this machine alone (DuckDB) and on the cluster (`both_runs`, conftest.py):
every published mart must agree: keys and exact columns (text, integers, dates, booleans, money as DECIMAL(18,2))
equal, doubles within one unit of their documented rounding (6 places for rates, shares and means, 2 for minutes), as
tests/dbt/test_spark_matches_duckdb.py compares dbt's two engines.

The cluster run is also the fault test: the worker process scoring the first hash bucket is killed (SIGKILL) while
it scores. Its task is acknowledged only when it ends, so Celery puts it back in the queue and a worker runs the step
again; the run must still succeed, and publish the same marts. One cluster refresh costs minutes on 2 cores: one run
answers both questions.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus

from benchmarks.marts_digest import RUN_LOGS, RUN_SPECIFIC_COLUMNS
from cluster.__main__ import cluster_layout

pytestmark = pytest.mark.cluster


def _tolerance(column: str) -> float:
    """One unit in the column's last documented place: the engines may round a tie differently."""
    return 1.01e-2 if "minutes" in column else 1.01e-6


def _marts(serving: Path, scratch: Path) -> dict[str, pl.DataFrame]:
    """Every published mart (without the refresh id and the load times, which differ by run), through Parquet."""
    frames = {}
    with duckdb.connect(str(serving), read_only=True) as con:
        tables = [t for (t,) in con.execute("select table_name from marts.refresh_log order by 1").fetchall()]
        for table in (t for t in tables if t not in RUN_LOGS):
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ? "
                    f"and {RUN_SPECIFIC_COLUMNS} order by column_name",
                    [table],
                ).fetchall()
            ]
            path = scratch / f"{serving.parent.name}_{table}.parquet"
            select = ", ".join(f'"{c}"' for c in columns)
            con.execute(f"copy (select {select} from marts.\"{table}\") to '{path}' (format parquet)")
            frames[table] = pl.read_parquet(path)
    return frames


def _naive_utc(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col(name).dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None
    )


def test_the_cluster_run_scored_on_the_workers_and_built_on_spark(both_runs, cluster_env):
    _, _, run_id, _, _ = both_runs
    with DagsterInstance.from_config(cluster_env["DAGSTER_HOME"]) as instance:
        messages = [record.user_message for record in instance.all_logs(run_id)]
        # `ror refresh` submitted it to the instance's queue, and the cluster's dagster-daemon launched it from there
        # (it records no dequeue event: the run's next one is the launcher's "starting")
        enqueued = instance.all_logs(run_id, of_type=DagsterEventType.RUN_ENQUEUED)
        starting = instance.all_logs(run_id, of_type=DagsterEventType.RUN_STARTING)
    assert enqueued, "the run did not go through the queue"
    assert starting and enqueued[0].timestamp <= starting[0].timestamp
    submitted = [m for m in messages if m.startswith("Submitting celery task for step")]
    assert any("score_bucket" in m for m in submitted), "the scoring steps did not run on the Celery workers"
    assert any("ror_dbt_models" in m for m in submitted)
    assert (cluster_layout().spark_warehouse / "marts.db").is_dir(), "dbt did not build on the Spark cluster"


def test_the_cluster_publishes_the_marts_of_one_machine(both_runs, tmp_path):
    here, there, _, _, _ = both_runs
    expected_marts, actual_marts = _marts(here, tmp_path), _marts(there, tmp_path)
    assert sorted(actual_marts) == sorted(expected_marts)
    for table, expected in expected_marts.items():
        actual = actual_marts[table]
        assert actual.columns == expected.columns, f"{table}: the columns differ"
        expected = _naive_utc(expected)
        actual = _naive_utc(actual.select(pl.col(n).cast(t) for n, t in expected.schema.items()))
        exact = [name for name, dtype in expected.schema.items() if dtype not in (pl.Float64, pl.Float32)]
        expected, actual = expected.sort(exact, nulls_last=True), actual.sort(exact, nulls_last=True)
        assert actual.select(exact).rows() == expected.select(exact).rows(), f"{table}: keys or exact columns differ"
        for name in (n for n in expected.columns if n not in exact):
            both = pl.DataFrame({"here": expected[name], "cluster": actual[name]})
            differing = both.filter(
                (pl.col("here").is_null() != pl.col("cluster").is_null())
                | ((pl.col("here") - pl.col("cluster")).abs() > _tolerance(name))
            )
            assert differing.is_empty(), f"{table}.{name} differs beyond its rounding ({differing.height} rows)"


def test_a_step_whose_worker_was_killed_ran_again_on_a_worker_and_the_run_succeeded(both_runs, cluster_env):
    """The marts of that run are compared above; here, what the Postgres-backed instance shows of it."""
    _, _, run_id, killed_step, killed_pid = both_runs
    with DagsterInstance.from_config(cluster_env["DAGSTER_HOME"]) as instance:
        assert instance.get_run_by_id(run_id).status == DagsterRunStatus.SUCCESS
        starts = [
            record.dagster_event.pid
            for record in instance.all_logs(run_id, of_type=DagsterEventType.STEP_START)
            if record.dagster_event.step_key == killed_step
        ]
        succeeded = [
            record.dagster_event.pid
            for record in instance.all_logs(run_id, of_type=DagsterEventType.STEP_SUCCESS)
            if record.dagster_event.step_key == killed_step
        ]
    assert starts[0] == killed_pid and len(starts) >= 2, "the killed step did not start again"
    assert succeeded and succeeded[0] != killed_pid, "the killed step did not succeed in another worker process"
