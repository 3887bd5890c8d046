"""Running `ror refresh` the way a user does, and reading what a BI tool would see."""

import subprocess
import sys
from pathlib import Path

import duckdb

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


# The ingest audit lists every batch, re-runs included: it is a log, not a measure that must stay put. Likewise the
# bookkeeping columns that say when this warehouse loaded or scored a row differ between two warehouses built from the
# same files at different times.
RUN_LOGS = ("ingest_audit",)
LOAD_TIME_COLUMNS = (
    "column_name not like '%loaded_at_utc' and column_name not in ('ingested_at_utc', 'enriched_at_utc')"
)


def _comparable(value: object) -> object:
    """Floats to 9 decimals: DuckDB's parallel sums of doubles may differ in the last bits from run to run."""
    return round(value, 9) if isinstance(value, float) else value


def snapshot(serving: Path) -> dict[str, list[tuple]]:
    """Every mart's rows without the refresh id, sorted: what a BI tool would see."""
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
                    f"and column_name <> 'refresh_id' and {LOAD_TIME_COLUMNS} order by column_index",
                    [table],
                ).fetchall()
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'select {select} from marts."{table}"').fetchall()
            snapshot[table] = sorted((tuple(_comparable(v) for v in row) for row in rows), key=repr)
    return snapshot
