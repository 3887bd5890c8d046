"""The same job, the same marts, on the cluster in a box (`make test-cluster` starts it, runs these, stops it).

`ror refresh` is pointed at the cluster by configuration alone, the two variables the cluster's `env` file exports:
DAGSTER_HOME (the instance in PostgreSQL) and ROR_DEPLOYMENT (steps on the Celery workers, dbt on the Spark cluster,
the run submitted to the instance's queue, which the cluster's dagster-daemon launches).
The same demo exports are refreshed once on this machine alone (DuckDB) and once on the cluster; every published
mart must agree: keys and exact columns (text, integers, dates, booleans, money as DECIMAL(18,2)) equal, doubles
within one unit of their documented rounding (6 places for rates, shares and means, 2 for minutes), as
tests/dbt/test_spark_matches_duckdb.py compares dbt's two engines.

The cluster run is also the fault test: the worker process scoring the first hash bucket is killed (SIGKILL) while
it scores. Its task is acknowledged only when it ends, so Celery puts it back in the queue and a worker runs the step
again; the run must still succeed, and publish the same marts. One cluster refresh costs minutes on 2 cores: one run
answers both questions.

Skipped, with the reason, when no cluster is up (`make cluster-up`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus
from support.runs import ROR, refresh

from benchmarks.marts_digest import RUN_LOGS, RUN_SPECIFIC_COLUMNS
from cluster.__main__ import DEFAULT_FOLDER
from cluster.services import CELERY_WORKERS, Layout, running_pid, status
from generators import write_demo_config, write_demo_exports

LAYOUT = Layout(Path(os.environ.get("ROR_CLUSTER_DIR", DEFAULT_FOLDER)).resolve())
PYTHON = Path(os.sys.executable)
SCORING_STEP = "enrichment__text_enrichment.score_bucket"
# How long the cluster refresh may take on a loaded 2-core machine, and how long its first scoring step may take to
# start (the steps before it: configuration, extract, ingest, the pending texts' export).
REFRESH_SECONDS, SCORING_START_SECONDS = 1800, 900

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(
        not all(status(LAYOUT, PYTHON).values()), reason=f"no cluster is up in {LAYOUT.root}: make cluster-up"
    ),
]


def _tolerance(column: str) -> float:
    """One unit in the column's last documented place: the engines may round a tie differently."""
    return 1.01e-2 if "minutes" in column else 1.01e-6


def _cluster_env() -> dict[str, str]:
    """This process's environment with the cluster's `env` file applied: what `. .cluster/env` gives a shell."""
    exported = {}
    for line in LAYOUT.env_file.read_text().splitlines():
        if line.startswith("export "):
            name, value = line.removeprefix("export ").split("=", 1)
            exported[name] = value
    return {**os.environ, **exported}


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


def _process_group(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[2])
    except (OSError, IndexError, ValueError):
        return None


def _a_celery_worker_s(pid: int | None) -> bool:
    """True when ``pid`` is a process of one of the cluster's Celery workers (their process groups): the test kills
    nothing else."""
    workers = {running_pid(LAYOUT, f"celery-worker-{index + 1}") for index in range(CELERY_WORKERS)}
    return pid is not None and _process_group(pid) in workers - {None}


def _kill_a_scoring_step(instance: DagsterInstance, earlier_runs: set[str], refresh: subprocess.Popen) -> tuple:
    """Wait for the new run's first scoring step to start on a worker, and SIGKILL the worker process that runs it
    before it ends: (run id, step key, the killed pid)."""
    deadline = time.monotonic() + SCORING_START_SECONDS
    while time.monotonic() < deadline and refresh.poll() is None:
        for run in instance.get_runs(limit=5):
            if run.run_id in earlier_runs:
                continue
            for record in instance.all_logs(run.run_id, of_type=DagsterEventType.STEP_START):
                event = record.dagster_event
                if event.step_key.startswith(SCORING_STEP) and _a_celery_worker_s(event.pid):
                    os.kill(event.pid, signal.SIGKILL)
                    return run.run_id, event.step_key, event.pid
        time.sleep(0.1)
    pytest.fail("no scoring step started on the cluster's workers")


@pytest.fixture(scope="module")
def both_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str, str, int]:
    """The single-machine run's serving file, the cluster run's, and the cluster run's id, the step whose worker
    process was killed and that process's pid."""
    root = tmp_path_factory.mktemp("cluster")
    landing = root / "landing"
    write_demo_exports(landing, days=3)
    config = write_demo_config(root / "ror.yaml")
    here = {**os.environ, "DAGSTER_HOME": str(root / "dagster_home")}
    refresh(landing, root / "here" / "ror.duckdb", here, config)
    cluster_env = _cluster_env()
    there = root / "cluster" / "ror.duckdb"
    with DagsterInstance.from_config(cluster_env["DAGSTER_HOME"]) as instance:
        earlier_runs = {run.run_id for run in instance.get_runs()}
        command = [ROR, "refresh", "--landing", landing, "--warehouse", there, "--config", config]
        with subprocess.Popen(
            command, env=cluster_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as ror:
            try:
                run_id, killed_step, killed_pid = _kill_a_scoring_step(instance, earlier_runs, ror)
                output, _ = ror.communicate(timeout=REFRESH_SECONDS)
            finally:
                if ror.poll() is None:
                    ror.kill()
        assert ror.returncode == 0, output[-6000:]
    return root / "here" / "ror.duckdb", there, run_id, killed_step, killed_pid


def test_the_cluster_run_scored_on_the_workers_and_built_on_spark(both_runs):
    _, _, run_id, _, _ = both_runs
    with DagsterInstance.from_config(_cluster_env()["DAGSTER_HOME"]) as instance:
        messages = [record.user_message for record in instance.all_logs(run_id)]
        # `ror refresh` submitted it to the instance's queue; the cluster's dagster-daemon launched it
        assert instance.all_logs(run_id, of_type=DagsterEventType.RUN_ENQUEUED), "the run did not go through the queue"
        assert instance.all_logs(run_id, of_type=DagsterEventType.RUN_DEQUEUED)
    submitted = [m for m in messages if m.startswith("Submitting celery task for step")]
    assert any("score_bucket" in m for m in submitted), "the scoring steps did not run on the Celery workers"
    assert any("ror_dbt_models" in m for m in submitted)
    assert (LAYOUT.spark_warehouse / "marts.db").is_dir(), "dbt did not build on the Spark cluster"


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


def test_a_step_whose_worker_was_killed_ran_again_on_a_worker_and_the_run_succeeded(both_runs):
    """The marts of that run are compared above; here, what the Postgres-backed instance shows of it."""
    _, _, run_id, killed_step, killed_pid = both_runs
    with DagsterInstance.from_config(_cluster_env()["DAGSTER_HOME"]) as instance:
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
