"""dbt on a deployment's Spark cluster builds its models as Parquet tables in Spark's warehouse folder; the refresh
copies the marts, and the intermediate tables the checks read (orchestration/checks.py), into the working database,
so that publishing, the marts' metadata and the checks read them as after a build on DuckDB
(orchestration.assets.dbt)."""

from __future__ import annotations

from pathlib import Path

import duckdb

# The dbt schemas copied back; Spark keeps database `x` in folder `x.db` of its warehouse, one folder per table
# (partitions in sub-folders).
COPIED_SCHEMAS = ("intermediate", "marts")


def _quote(identifier: str) -> str:
    """Quote a table name read from Spark's warehouse folder: no name can break out of it."""
    return '"' + identifier.replace('"', '""') + '"'


def load_spark_marts(con: duckdb.DuckDBPyConnection, spark_warehouse: Path) -> list[str]:
    """Replace schemas intermediate and marts of the working database ``con`` with every table of Spark's databases
    of those names under ``spark_warehouse``, in one transaction; the tables' qualified names. A partitioned table's
    partition column comes from its folder names (hive partitioning)."""
    loaded = []
    con.execute("begin")
    for schema in COPIED_SCHEMAS:
        folder = spark_warehouse / f"{schema}.db"
        tables = sorted(path.name for path in folder.iterdir() if path.is_dir()) if folder.is_dir() else []
        con.execute(f"drop schema if exists {schema} cascade")
        con.execute(f"create schema {schema}")
        for table in tables:
            files = str(folder / table / "**" / "*.parquet")
            con.execute(
                f"create table {schema}.{_quote(table)} as select * from "
                "read_parquet(?, hive_partitioning = true, union_by_name = true)",
                [files],
            )
            loaded.append(f"{schema}.{table}")
    con.execute("commit")
    return loaded
