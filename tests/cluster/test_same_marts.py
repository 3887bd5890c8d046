"""The same job, the same marts, on the cluster in a box (`make test-cluster` starts it, runs these, stops it).

`ror refresh` is pointed at the cluster by configuration alone, the two variables the cluster's `env` file exports:
DAGSTER_HOME (the instance in PostgreSQL) and ROR_DEPLOYMENT (steps on the Celery workers, dbt on the Spark cluster).
The same demo exports are refreshed once on this machine alone (DuckDB) and once on the cluster; every published
mart must agree: keys and exact columns (text, integers, dates, booleans, money as DECIMAL(18,2)) equal, doubles
within one unit of their documented rounding (6 places for rates, shares and means, 2 for minutes), as
tests/dbt/test_spark_matches_duckdb.py compares dbt's two engines.

Skipped, with the reason, when no cluster is up (`make cluster-up`).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dagster import DagsterInstance, DagsterRunStatus, RunsFilter
from support.runs import LOAD_TIME_COLUMNS, RUN_LOGS, refresh

from cluster.__main__ import DEFAULT_FOLDER
from cluster.services import Layout, status
from generators import write_demo_config, write_demo_exports

LAYOUT = Layout(Path(os.environ.get("ROR_CLUSTER_DIR", DEFAULT_FOLDER)).resolve())
PYTHON = Path(os.sys.executable)

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
                    f"and column_name <> 'refresh_id' and {LOAD_TIME_COLUMNS} order by column_name",
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


@pytest.fixture(scope="module")
def both_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    root = tmp_path_factory.mktemp("cluster")
    landing = root / "landing"
    write_demo_exports(landing, days=3)
    config = write_demo_config(root / "ror.yaml")
    here = {**os.environ, "DAGSTER_HOME": str(root / "dagster_home")}
    refresh(landing, root / "here" / "ror.duckdb", here, config)
    cluster_env = _cluster_env()
    refresh(landing, root / "cluster" / "ror.duckdb", cluster_env, config)
    with DagsterInstance.from_config(cluster_env["DAGSTER_HOME"]) as instance:
        (run,) = instance.get_runs(RunsFilter(statuses=[DagsterRunStatus.SUCCESS]), limit=1)
        run_id = run.run_id
    return root / "here" / "ror.duckdb", root / "cluster" / "ror.duckdb", run_id


def test_the_cluster_run_scored_on_the_workers_and_built_on_spark(both_runs):
    _, _, run_id = both_runs
    with DagsterInstance.from_config(_cluster_env()["DAGSTER_HOME"]) as instance:
        messages = [record.user_message for record in instance.all_logs(run_id)]
    submitted = [m for m in messages if m.startswith("Submitting celery task for step")]
    assert any("score_bucket" in m for m in submitted), "the scoring steps did not run on the Celery workers"
    assert any("ror_dbt_models" in m for m in submitted)
    assert (LAYOUT.spark_warehouse / "marts.db").is_dir(), "dbt did not build on the Spark cluster"


def test_the_cluster_publishes_the_marts_of_one_machine(both_runs, tmp_path):
    here, there, _ = both_runs
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
