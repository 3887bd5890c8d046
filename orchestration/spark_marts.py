"""dbt on a deployment's Spark cluster builds its models as Parquet tables in Spark's warehouse folder; the refresh
copies the marts, and the intermediate tables the checks read (orchestration/checks.py), into the working database,
so that publishing, the marts' metadata and the checks read them as after a build on DuckDB
(orchestration.assets.dbt)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb

# The dbt schemas copied back; Spark keeps database `x` in folder `x.db` of its warehouse, one folder per table
# (partitions in sub-folders).
COPIED_SCHEMAS = ("intermediate", "marts")


def _quote(identifier: str) -> str:
    """Quote a table name read from Spark's warehouse folder: no name can break out of it."""
    return '"' + identifier.replace('"', '""') + '"'


def declared_columns(manifest: Mapping) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(schema, table) -> its columns and their declared data types, for every model of the copied schemas whose YAML
    types every column (the marts' contracts): what an empty table is created with."""
    declared = {}
    for node in manifest["nodes"].values():
        columns = node.get("columns") or {}
        types = [(column["name"], column.get("data_type")) for column in columns.values()]
        if node["resource_type"] == "model" and node["schema"] in COPIED_SCHEMAS and types and all(t for _, t in types):
            declared[(node["schema"], node["alias"])] = types
    return declared


def load_spark_marts(
    con: duckdb.DuckDBPyConnection,
    spark_warehouse: Path,
    declared: Mapping[tuple[str, str], list[tuple[str, str]]] | None = None,
) -> list[str]:
    """Replace schemas intermediate and marts of the working database ``con`` with every table of Spark's databases
    of those names under ``spark_warehouse``, in one transaction; the tables' qualified names. A partitioned table's
    partition column comes from its folder names (hive partitioning). A table without rows may have no Parquet file
    at all (a partitioned one has no partition): it is created empty with its ``declared`` columns."""
    declared = declared or {}
    loaded = []
    con.execute("begin")
    for schema in COPIED_SCHEMAS:
        folder = spark_warehouse / f"{schema}.db"
        tables = sorted(path.name for path in folder.iterdir() if path.is_dir()) if folder.is_dir() else []
        con.execute(f"drop schema if exists {schema} cascade")
        con.execute(f"create schema {schema}")
        for table in tables:
            files = str(folder / table / "**" / "*.parquet")
            if not any((folder / table).rglob("*.parquet")):
                if (schema, table) not in declared:
                    raise ValueError(
                        f"{schema}.{table} on Spark has no rows and no Parquet file, and its YAML declares no data "
                        "type for every column: give its columns data types (a contract) so it can be created empty"
                    )
                columns = ", ".join(f"{_quote(name)} {data_type}" for name, data_type in declared[(schema, table)])
                con.execute(f"create table {schema}.{_quote(table)} ({columns})")
                loaded.append(f"{schema}.{table}")
                continue
            con.execute(
                f"create table {schema}.{_quote(table)} as select * from "
                "read_parquet(?, hive_partitioning = true, union_by_name = true)",
                [files],
            )
            loaded.append(f"{schema}.{table}")
    con.execute("commit")
    return loaded
