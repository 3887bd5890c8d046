"""dbt on a deployment's Spark cluster builds the marts as Parquet tables in Spark's warehouse folder; the refresh
copies them into the working database's schema marts, so that publishing, the marts' metadata and the checks read
them as after a build on DuckDB (orchestration.assets.dbt)."""

from __future__ import annotations

from pathlib import Path

import duckdb

# Spark keeps database `marts` in this folder of its warehouse, one folder per table (partitions in sub-folders).
SPARK_MARTS_FOLDER = "marts.db"


def _quote(identifier: str) -> str:
    """Quote a table name read from Spark's warehouse folder: no name can break out of it."""
    return '"' + identifier.replace('"', '""') + '"'


def load_spark_marts(con: duckdb.DuckDBPyConnection, spark_warehouse: Path) -> list[str]:
    """Replace schema marts of the working database ``con`` with every table of Spark's database marts under
    ``spark_warehouse``, in one transaction; the tables' names. A partitioned table's partition column comes from its
    folder names (hive partitioning)."""
    folder = spark_warehouse / SPARK_MARTS_FOLDER
    tables = sorted(path.name for path in folder.iterdir() if path.is_dir()) if folder.is_dir() else []
    con.execute("begin")
    con.execute("drop schema if exists marts cascade")
    con.execute("create schema marts")
    for table in tables:
        files = str(folder / table / "**" / "*.parquet")
        con.execute(
            f"create table marts.{_quote(table)} as select * from "
            "read_parquet(?, hive_partitioning = true, union_by_name = true)",
            [files],
        )
    con.execute("commit")
    return tables
