"""On Spark with Parquet, the incremental models that replace interactions (fct_interactions, the mentions) build
incrementally by overwriting day partitions, and give the tables a full build gives (`make test-spark` runs this).

Batch 1 of the fixture warehouse (tests/fixtures/raw/) is built on Spark, then batch 2 arrives (late replies to old
threads, edits that drop mentions - one of them the only mention of its day -, new days) and an incremental run
overwrites the days it touches; a full build of both batches in another warehouse must give the same rows, every
column exact. Spark keeps its tables between the two runs in a Derby metastore (the `spark` target's default).

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
from fixture_warehouse import BATCH_INGESTED_AT, load_batches

from orchestration.handoff import export_parquet

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
# the models whose Spark build overwrites days, and the schema of each
DAY_PARTITIONED = {"fct_interactions": "marts", "int_interaction_mentions_unnested": "intermediate"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark incremental skipped: no Java runtime on PATH"),
    pytest.mark.skipif(
        find_spec("pyspark") is None or find_spec("dbt.adapters.spark") is None,
        reason="Spark incremental skipped: the spark extra is not installed (pip install -e .[spark])",
    ),
]


# the one interaction mentioning anyone on its day (2026-03-06), loaded with batch 1
ALONE_ON_ITS_DAY = "t116"


def _parquet_export(root: Path, batches: set[int]) -> Path:
    root.mkdir()
    duckdb_path, parquet_dir = root / "warehouse.duckdb", root / "parquet"
    load_batches(duckdb_path, batches)
    with duckdb.connect(str(duckdb_path)) as con:
        if 2 in batches:
            _edit_out_the_mentions(con, ALONE_ON_ITS_DAY)
        export_parquet(con, parquet_dir)
    return parquet_dir


def _edit_out_the_mentions(con: duckdb.DuckDBPyConnection, interaction_id: str) -> None:
    """A new version of the interaction, loaded with batch 2, that mentions nothing: its day is left without any
    mention, a partition the incremental run must remove (it writes no row there to overwrite it with)."""
    con.execute(
        "insert into raw.interactions select * replace (record_version + 1 as record_version, null as "
        "mentioned_handles, _source_line + 1000 as _source_line, _record_hash || '-edited' as _record_hash, "
        "'batch-2' as _batch_id, ? as _ingested_at) from raw.interactions where interaction_id = ?",
        [BATCH_INGESTED_AT[2], interaction_id],
    )


def _spark_build(parquet_dir: Path, spark_dir: Path, target_dir: Path, catalog: str) -> None:
    """Seeds and the models up to fct_interactions on Spark, in a process of its own (its JVM ends with it)."""
    env = {
        **os.environ,
        "ROR_PARQUET_DIR": str(parquet_dir),
        "ROR_SPARK_DIR": str(spark_dir),
        "ROR_WORK_DB": str(parquet_dir.parent / "warehouse.duckdb"),
        "ROR_SPARK_CATALOG": catalog,
    }
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt), "build", "--target", "spark", "--select", "+fct_interactions"]
    command += ["--resource-type", "seed", "--resource-type", "model"]
    command += ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    command += ["--target-path", str(target_dir), "--log-path", str(target_dir / "logs")]
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1500)
    assert completed.returncode == 0, f"dbt build on Spark failed:\n{completed.stdout[-8000:]}"


def _table(spark_dir: Path, schema: str, table: str, scratch: Path) -> pl.DataFrame:
    """A Spark table read from its Parquet files, the partition column from the folder names."""
    files = str(spark_dir / "warehouse" / f"{schema}.db" / table / "**" / "*.parquet").replace("'", "''")
    out = scratch / f"{spark_dir.name}_{table}.parquet"
    with duckdb.connect() as con:
        con.execute(
            f"copy (select * from read_parquet('{files}', hive_partitioning = true, union_by_name = true)) "
            f"to '{out}' (format parquet)"
        )
    frame = pl.read_parquet(out)
    return frame.select(sorted(frame.columns)).sort(pl.all(), nulls_last=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("spark_incremental")
    first, both = _parquet_export(root / "batch1", {1}), _parquet_export(root / "batches12", {1, 2})
    incremental_dir, full_dir = root / "spark_incremental", root / "spark_full"
    _spark_build(first, incremental_dir, root / "target_first", "hive")
    _spark_build(both, incremental_dir, root / "target_incremental", "hive")
    _spark_build(both, full_dir, root / "target_full", "in-memory")
    return incremental_dir, full_dir, root / "target_incremental"


def test_the_second_run_overwrites_day_partitions(built: tuple[Path, Path, Path]) -> None:
    _, _, target_dir = built
    for model in DAY_PARTITIONED:
        [compiled] = (target_dir / "run").rglob(f"{model}.sql")
        sql = compiled.read_text().lower()
        assert "insert overwrite table" in sql and "created_date" in sql, model


def test_incremental_equals_full_build_on_spark(built: tuple[Path, Path, Path], tmp_path: Path) -> None:
    incremental_dir, full_dir, _ = built
    for table, schema in DAY_PARTITIONED.items():
        incremental = _table(incremental_dir, schema, table, tmp_path)
        full = _table(full_dir, schema, table, tmp_path)
        assert full.height > 0, table
        assert incremental.schema == full.schema, table
        assert incremental.rows() == full.rows(), f"{table}: the incremental run differs from a full build"


def test_batch_2_changes_days_of_batch_1(built: tuple[Path, Path, Path], tmp_path: Path) -> None:
    # the comparison means something only if batch 2 rewrote days batch 1 had built: days holding rows of both loads
    incremental_dir, _, _ = built
    interactions = _table(incremental_dir, "marts", "fct_interactions", tmp_path)
    loads_per_day = interactions.group_by("created_date").agg(pl.col("ingested_at_utc").n_unique())
    assert loads_per_day.filter(pl.col("ingested_at_utc") > 1).height > 0


def test_a_day_left_without_mentions_is_removed(built: tuple[Path, Path, Path], tmp_path: Path) -> None:
    incremental_dir, _, _ = built
    mentions = _table(incremental_dir, "intermediate", "int_interaction_mentions_unnested", tmp_path)
    assert mentions.filter(pl.col("interaction_key") == f"x:{ALONE_ON_ITS_DAY}").is_empty()
    assert mentions.filter(pl.col("mentioned_handle").is_null()).is_empty()
