"""Running `ror refresh` the way a user does, and reading what a BI tool would see."""

import subprocess
import sys
from pathlib import Path

import duckdb

from benchmarks.marts_digest import RUN_LOGS, RUN_SPECIFIC_COLUMNS

ROR = Path(sys.executable).with_name("ror")


def refresh(
    landing: Path, serving: Path, env: dict[str, str], config: Path | None = None
) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [ROR, "refresh", "--landing", landing, "--warehouse", serving, *(["--config", config] if config else [])],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    return result


def snapshot(serving: Path) -> dict[str, list[tuple]]:
    """Every mart's rows without the refresh id and load times (``RUN_SPECIFIC_COLUMNS``), sorted: what a BI tool
    would see. Values are compared bit for bit: money is decimal and rates are rounded in dbt, so two builds from the
    same files must agree exactly."""
    with duckdb.connect(str(serving), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute("select table_name from marts.refresh_log order by 1").fetchall()
            if t not in RUN_LOGS
        ]
        snapshot = {}
        for table in tables:
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ? "
                    f"and {RUN_SPECIFIC_COLUMNS} order by column_index",
                    [table],
                ).fetchall()
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'select {select} from marts."{table}"').fetchall()
            snapshot[table] = sorted(rows, key=repr)
    return snapshot
