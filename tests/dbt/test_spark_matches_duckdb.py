"""The same dbt project on Apache Spark gives the same marts as on DuckDB (`make test-spark` runs just this).

One fixture warehouse (tests/fixtures/raw/, both batches) is exported as Parquet by the pipeline's hand-off
(orchestration.handoff); DuckDB builds from its own tables, Spark (the `spark` target: a local pyspark session) from
the Parquet files. `dbt build` on Spark runs every model, seed, data test and unit test. Then every mart is compared
row by row: keys and exact columns (text, integers, dates, booleans, money as DECIMAL(18,2)) equal, doubles equal
to their documented rounding (rates, shares and means to 6 places, minutes to 2).

Skipped, with the reason, where Java or the `spark` extra (pip install -e .[spark]) is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dbt.cli.main import dbtRunner
from fixture_warehouse import load_batches

from orchestration.handoff import export_parquet

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


def _tolerance(column: str) -> float:
    """One unit in the column's last documented place (minutes: 2 places, rates, shares, means: 6): the engines may
    round a value at a tie differently after adding doubles in another order."""
    return 1.01e-2 if "minutes" in column else 1.01e-6


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark comparison skipped: no Java runtime on PATH"),
    pytest.mark.skipif(
        find_spec("pyspark") is None or find_spec("dbt.adapters.spark") is None,
        reason="Spark comparison skipped: the spark extra is not installed (pip install -e .[spark])",
    ),
]


def _dbt_args(target_dir: Path) -> list[str]:
    return [
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target_dir),
        "--log-path",
        str(target_dir / "logs"),
    ]


# Opened with dbt-duckdb's configuration: dbt, run in this process, may still hold the file open.
def _mart_tables(duckdb_path: Path) -> list[str]:
    with duckdb.connect(str(duckdb_path)) as con:
        rows = con.sql(
            "select table_name from information_schema.tables where table_schema = 'marts' order by all"
        ).fetchall()
    return [name for (name,) in rows]


def _frame(con: duckdb.DuckDBPyConnection, query: str, scratch: Path) -> pl.DataFrame:
    """A query's result as a polars frame, through Parquet (the venv has no pyarrow)."""
    con.execute(f"copy ({query}) to '{scratch}' (format parquet)")
    return pl.read_parquet(scratch)


def _duckdb_mart(duckdb_path: Path, table: str, scratch: Path) -> pl.DataFrame:
    with duckdb.connect(str(duckdb_path)) as con:
        return _frame(con, f"select * from marts.{table}", scratch / f"duckdb_{table}.parquet")


def _spark_mart(warehouse_dir: Path, table: str, schema: pl.Schema, scratch: Path) -> pl.DataFrame:
    """A Spark mart read from its Parquet files (a partitioned table keeps its partition column in folder names)."""
    files = str(warehouse_dir / "marts.db" / table / "**" / "*.parquet").replace("'", "''")
    with duckdb.connect() as con:
        query = f"select * from read_parquet('{files}', hive_partitioning = true, union_by_name = true)"
        frame = _frame(con, query, scratch / f"spark_{table}.parquet")
    return frame.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])


def _naive_utc(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col(name).dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("spark_vs_duckdb")
    duckdb_path, parquet_dir, spark_dir = root / "warehouse.duckdb", root / "parquet", root / "spark"
    load_batches(duckdb_path, {1, 2})
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        export_parquet(con, parquet_dir)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ROR_WORK_DB", str(duckdb_path))
        result = dbtRunner().invoke(["build", "--exclude", "test_type:unit", *_dbt_args(root / "target_duckdb")])
        assert result.success, f"dbt build on DuckDB failed: {result.exception or result.result}"
    # Spark runs in its own process: its JVM and session end with it.
    spark_env = {
        **os.environ,
        "ROR_PARQUET_DIR": str(parquet_dir),
        "ROR_SPARK_DIR": str(spark_dir),
        "ROR_WORK_DB": str(duckdb_path),
        "ROR_SPARK_CATALOG": "in-memory",
    }
    dbt = Path(sys.executable).with_name("dbt")
    completed = subprocess.run(
        [str(dbt), "build", "--target", "spark", *_dbt_args(root / "target_spark")],
        env=spark_env,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert completed.returncode == 0, f"dbt build on Spark failed:\n{completed.stdout[-8000:]}"
    return duckdb_path, spark_dir / "warehouse"


def test_spark_builds_every_mart(built: tuple[Path, Path]) -> None:
    duckdb_path, spark_warehouse = built
    marts = _mart_tables(duckdb_path)
    assert len(marts) >= 14
    assert sorted(path.name for path in (spark_warehouse / "marts.db").iterdir()) == marts


# Marts the fixture leaves empty, and where their SQL meets both engines instead.
EMPTY_ON_THE_FIXTURE = {
    # 34 interactions make no spike: the mart's unit tests (hand-computed lifts and ranks) run in the Spark build too,
    # and tests/dbt/test_spike_explanations.py builds a planted spike on DuckDB
    "spike_explanations",
}


def test_marts_are_equal_on_both_engines(built: tuple[Path, Path], tmp_path: Path) -> None:
    duckdb_path, spark_warehouse = built
    for table in _mart_tables(duckdb_path):
        expected = _naive_utc(_duckdb_mart(duckdb_path, table, tmp_path))
        actual = _naive_utc(_spark_mart(spark_warehouse, table, expected.schema, tmp_path))
        exact = [name for name, dtype in expected.schema.items() if dtype not in (pl.Float64, pl.Float32)]
        doubles = [name for name in expected.columns if name not in exact]
        assert expected.height > 0 or table in EMPTY_ON_THE_FIXTURE, f"{table}: the fixture fills every mart"
        expected, actual = expected.sort(exact, nulls_last=True), actual.sort(exact, nulls_last=True)
        assert actual.select(exact).rows() == expected.select(exact).rows(), f"{table}: keys or exact columns differ"
        for name in doubles:
            both = pl.DataFrame({"duckdb": expected[name], "spark": actual[name]})
            differing = both.filter(
                (pl.col("duckdb").is_null() != pl.col("spark").is_null())
                | ((pl.col("duckdb") - pl.col("spark")).abs() > _tolerance(name))
            )
            assert differing.is_empty(), f"{table}.{name} differs beyond its rounding:\n{differing}"
