"""Publish the marts to the serving DuckDB file by atomic replace, and open it the way a BI reader may.

DuckDB allows one writer or many readers per file, never both, so BI tools read a separate serving file. We build a
complete new file next to it and ``os.replace`` it over the old one: readers that already opened the old file keep
reading it (the inode lives on until they close), new connections see the new file, nobody ever sees half a refresh.
Every published table carries the same ``refresh_id``; ``marts.refresh_log`` records what was published and
``marts.column_docs`` carries each column's documented formula.

bi/superset_config.py loads this file by path into Superset's own venv: keep its imports to duckdb and the standard
library.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PUBLISHED_SCHEMA = "marts"
# BI tools embed older DuckDB releases (Evidence's Node DuckDB 1.4, the Metabase and DBeaver drivers): a file written
# in DuckDB 2.0's default storage format is unreadable to them, so the serving file uses the 1.x format.
SERVING_STORAGE_VERSION = "v1.0.0"
# What a BI reader may do with the serving file: read it, nothing more. External access off: no read_text, read_csv,
# glob or read_parquet of other files, no ATTACH of another database, no COPY, INSTALL or LOAD from disk. The
# configuration locked: no SET, RESET or PRAGMA turns that back on. bi/assets/databases/ror_warehouse.yaml gives a
# Superset of your own the same settings.
SERVING_READER_CONFIG = {"enable_external_access": False, "lock_configuration": True}
# The columns that publishing itself adds (dbt documents every other one): listed in column_docs like the rest.
REFRESH_ID_DOC = (
    "The refresh that published this row: the same on every table of one publication "
    "(marts.refresh_log says when it was published)."
)
PUBLICATION_DOCS = {
    "refresh_log": {
        "refresh_id": "The refresh that published the tables (the refresh_id on their every row).",
        "published_at": "When that refresh swapped the serving file in (UTC).",
        "table_name": "A published table of schema marts.",
        "row_count": "Its number of rows at publication.",
    },
    "column_docs": {
        "table_name": "A published table of schema marts.",
        "column_name": "One of its columns.",
        "description": "The column's documented meaning and formula, with its denominator for a rate.",
    },
}


@dataclass(frozen=True)
class PublishedTable:
    name: str
    rows: int


def _quote(identifier: str) -> str:
    """Quote an identifier (a table name from the catalog, the serving file's name): no name can break out of it."""
    return '"' + identifier.replace('"', '""') + '"'


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables and views of schema marts in the attached working database."""
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = 'work' and table_schema = ? order by table_name",
        [PUBLISHED_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def _column_comments(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    rows = con.execute(
        "select column_name, comment from duckdb_columns() where database_name = 'work' and schema_name = ? "
        "and table_name = ? and comment is not null",
        [PUBLISHED_SCHEMA, table],
    ).fetchall()
    return [(column, comment) for column, comment in rows]


def _drop_killed_publications(serving_path: Path) -> None:
    """Delete what a publication killed half-way left: its staging file and that file's write-ahead log.

    Neither was ever swapped in, so no reader has them open; left behind, they would pile up beside the served file.
    """
    for staging in serving_path.parent.glob(f".{serving_path.name}.*.publishing"):
        staging.unlink()
    for write_ahead_log in serving_path.parent.glob(f".{serving_path.name}.*.publishing.wal"):
        write_ahead_log.unlink()


def open_serving(serving_path: Path | str) -> duckdb.DuckDBPyConnection:
    """Open the served file as it is now, read-only, in a connection that can read it and nothing else.

    Each call opens its own in-memory DuckDB and attaches the file (read-only, under its usual catalog name, as its
    default database) before turning external access off and locking the configuration. Opening the file directly
    would not do: DuckDB keeps one instance per path and process, so while any connection of the process is open,
    every new one would join it and keep reading the refresh that was served when the first one opened.
    """
    serving_path = Path(serving_path)
    # The catalog is named as when DuckDB opens the file directly (its stem; temp, system and main get "_db"), for SQL
    # that qualifies tables with it. So does memory here: the in-memory database holds that name until detached.
    catalog = _quote(serving_path.stem + ("_db" if serving_path.stem in {"memory", "temp", "system", "main"} else ""))
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach ? as {catalog} (read_only)", [str(serving_path)])
        con.execute(f"use {catalog}")
        con.execute("detach memory")  # the empty in-memory database: readers list the same catalogs as on the file
        for setting, value in SERVING_READER_CONFIG.items():  # the lock comes last: it freezes every setting
            con.execute(f"set {setting} = {str(value).lower()}")
    except BaseException:
        con.close()
        raise
    return con


def publish(
    working_path: Path, serving_path: Path, refresh_id: str, duckdb_limits: Mapping[str, str] | None = None
) -> list[PublishedTable]:
    """Copy every table of schema ``marts`` from the working database into a fresh serving file, atomically, under
    ``duckdb_limits`` (Settings.duckdb_limits: the warehouse's whole limit, as dbt's; None: DuckDB's defaults)."""
    serving_path.parent.mkdir(parents=True, exist_ok=True)
    _drop_killed_publications(serving_path)
    staging_path = serving_path.with_name(f".{serving_path.name}.{refresh_id}.publishing")
    published: list[PublishedTable] = []
    docs: list[tuple[str, str, str]] = []
    published_at = datetime.now(UTC)
    storage = {"storage_compatibility_version": SERVING_STORAGE_VERSION}
    # imported here: Superset's venv loads this file by path without the project (see the module docstring)
    from orchestration.duckdb_connection import connect_with_limits

    with connect_with_limits(staging_path, {**(duckdb_limits or {}), **storage}) as serving:
        # The working database is attached read-only by a bound parameter: no SQL text is built from paths.
        serving.execute("attach ? as work (read_only)", [str(working_path)])
        serving.execute(f"create schema {PUBLISHED_SCHEMA}")
        for table in mart_tables(serving):
            source, target = f"work.{PUBLISHED_SCHEMA}.{_quote(table)}", f"{PUBLISHED_SCHEMA}.{_quote(table)}"
            serving.execute(f"create table {target} as select *, ?::varchar as refresh_id from {source}", [refresh_id])
            docs.extend((table, column, comment) for column, comment in _column_comments(serving, table))
            docs.append((table, "refresh_id", REFRESH_ID_DOC))
            (rows,) = serving.execute(f"select count(*) from {target}").fetchone()
            published.append(PublishedTable(table, rows))
        serving.execute("detach work")
        serving.execute(
            f"create table {PUBLISHED_SCHEMA}.refresh_log "
            "(refresh_id varchar, published_at timestamptz, table_name varchar, row_count bigint)"
        )
        serving.executemany(
            f"insert into {PUBLISHED_SCHEMA}.refresh_log values (?, ?, ?, ?)",
            [(refresh_id, published_at, t.name, t.rows) for t in published],
        )
        # Column docs (dbt descriptions persisted as comments) as a plain table, which every BI tool can show.
        serving.execute(
            f"create table {PUBLISHED_SCHEMA}.column_docs "
            "(table_name varchar, column_name varchar, description varchar)"
        )
        docs += [(table, column, doc) for table, columns in PUBLICATION_DOCS.items() for column, doc in columns.items()]
        serving.executemany(f"insert into {PUBLISHED_SCHEMA}.column_docs values (?, ?, ?)", docs)
        serving.execute("checkpoint")
    os.replace(staging_path, serving_path)
    return published
