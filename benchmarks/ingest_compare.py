"""Compare every raw table (entities, quarantine, file manifest) of two warehouses row for row; exit 0 when the same.

    python -m benchmarks.ingest_compare /tmp/old.duckdb /tmp/new.duckdb

Meant for two ``benchmarks.ingest_folder --database`` runs of the same landing folder by two versions of ``ingest``:
a faster ingest must give the same rows. The columns that record when or in which batch a row was loaded differ by
construction and are left out (``_batch_id``, ``_ingested_at``, ``first_seen_at``, and people's ``observed_at``, which
is the load time for a profile without a response time); everything else is compared as a multiset (EXCEPT ALL both
ways), so a row lost, added or changed shows as a difference.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

LOAD_TIME_COLUMNS = {"_batch_id", "_ingested_at", "first_seen_at"}


def compared_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    columns = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = 'a' AND schema_name = 'raw'"
        " AND table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    left_out = LOAD_TIME_COLUMNS | ({"observed_at"} if table == "people" else set())
    return [name for (name,) in columns if name not in left_out]


def compare(first: Path, second: Path) -> list[tuple[str, int, int, int, int]]:
    """(table, rows in first, rows in second, rows only in first, rows only in second) for every raw table."""
    con = duckdb.connect()
    con.execute("ATTACH ? AS a (READ_ONLY)", [str(first)])
    con.execute("ATTACH ? AS b (READ_ONLY)", [str(second)])
    tables = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'a' AND schema_name = 'raw' ORDER BY 1"
    ).fetchall()
    found = []
    for (table,) in tables:
        kept = ", ".join(f'"{name}"' for name in compared_columns(con, table))
        counts = [con.execute(f"SELECT count(*) FROM {side}.raw.{table}").fetchone()[0] for side in ("a", "b")]
        only = [
            con.execute(
                f"SELECT count(*) FROM (SELECT {kept} FROM {one}.raw.{table}"
                f" EXCEPT ALL SELECT {kept} FROM {other}.raw.{table})"
            ).fetchone()[0]
            for one, other in (("a", "b"), ("b", "a"))
        ]
        found.append((table, *counts, *only))
    con.close()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    args = parser.parse_args(argv)
    different = 0
    for table, rows_first, rows_second, only_first, only_second in compare(args.first, args.second):
        same = rows_first == rows_second and only_first == only_second == 0
        different += not same
        flag = "" if same else "  <-- DIFFERENT"
        print(f"{table:24} {rows_first:>9} {rows_second:>9} only-first {only_first} only-second {only_second}{flag}")
    print("SAME" if not different else f"DIFFERENT in {different} tables")
    return 0 if not different else 1


if __name__ == "__main__":
    raise SystemExit(main())
