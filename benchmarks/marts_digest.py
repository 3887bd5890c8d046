"""A fingerprint of every mart, to say whether two versions built the same marts from the same input.

Computed in DuckDB (a row count and the sum of each row's hash per table) so a 1M-interaction warehouse is compared
without reading its rows into Python. Hashes are of the stored values, so doubles are compared bit for bit. Left out,
as in the tests' mart snapshots (tests/support/runs.py): the refresh id, the columns that say when this warehouse
loaded or scored a row, and the two logs: the ingest audit (batches) and the refresh log (runs).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

RUN_LOGS = ("ingest_audit", "refresh_log")
RUN_SPECIFIC_COLUMNS = (
    "column_name <> 'refresh_id' and column_name not like '%loaded_at_utc' "
    "and column_name not in ('ingested_at_utc', 'enriched_at_utc')"
)


def marts_digest(database: Path, schema: str = "marts") -> dict[str, tuple[int, int]]:
    """Per table of ``schema``: (rows, sum of row hashes)."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = ? order by 1", [schema]
            ).fetchall()
            if t not in RUN_LOGS
        ]
        digest = {}
        for table in tables:
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from duckdb_columns() where schema_name = ? and table_name = ? "
                    f"and {RUN_SPECIFIC_COLUMNS} order by column_index",
                    [schema, table],
                ).fetchall()
            ]
            hashed = ", ".join(f'"{c}"' for c in columns)
            rows, total = con.execute(
                f'select count(*), coalesce(sum(hash({hashed})), 0) from "{schema}"."{table}"'
            ).fetchone()
            digest[table] = (int(rows), int(total))
    return digest


def differing_marts(first: dict[str, tuple[int, int]], second: dict[str, tuple[int, int]]) -> list[str]:
    """Tables whose rows differ, or that only one side has."""
    return sorted(t for t in first.keys() | second.keys() if first.get(t) != second.get(t))
