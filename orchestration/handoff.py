"""The hand-off to another engine: the warehouse's inputs exported as Parquet, which Spark (or any engine) reads.

dbt reads three kinds of input: the raw tables, the enrichment cache and the configuration tables. Each table of
those schemas becomes one folder ``<root>/<schema>/<table>/`` holding one Parquet file (a folder, not a file, so
that an engine writing many files per table reads the same layout). The export is replaced whole and atomically:
it is written beside the old one and swapped in by rename, so a reader never sees half an export.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

HANDOFF_SCHEMAS = ("raw", "enrichment", "config")


@dataclass(frozen=True)
class ExportedTable:
    schema: str
    name: str
    rows: int


def _quote(identifier: str) -> str:
    """Quote a name read from the catalog (never from configuration or file contents)."""
    return '"' + identifier.replace('"', '""') + '"'


def export_parquet(con: duckdb.DuckDBPyConnection, root: Path) -> list[ExportedTable]:
    """Write every table of schemas raw, enrichment and config of the warehouse ``con`` opens under ``root``."""
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = root.with_name(f".{root.name}.exporting")
    previous = root.with_name(f".{root.name}.previous")
    for leftover in (staging, previous):
        shutil.rmtree(leftover, ignore_errors=True)  # an export killed half-way: never swapped in
    exported: list[ExportedTable] = []
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_type = 'BASE TABLE' and table_schema in (select unnest(?)) order by all",
        [list(HANDOFF_SCHEMAS)],
    ).fetchall()
    for schema, table in tables:
        folder = staging / schema / table
        folder.mkdir(parents=True)
        source = f"{_quote(schema)}.{_quote(table)}"
        # The path is a bound parameter: no SQL text is built from it.
        con.execute(f"copy (select * from {source}) to ? (format parquet)", [str(folder / "part-0.parquet")])
        (rows,) = con.execute(f"select count(*) from {source}").fetchone()
        exported.append(ExportedTable(schema, table, rows))
    if root.exists():
        os.replace(root, previous)
    os.replace(staging, root)
    shutil.rmtree(previous, ignore_errors=True)
    return exported
