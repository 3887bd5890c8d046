"""What a refresh hands dbt: the `dbt build` command line (pure, so what reaches dbt is testable without running it)
and the run's window of days, written into the working database for the run's dbt invocation alone."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date

import duckdb

# Read by dbt_project/macros/refresh_window.sql.
REFRESH_WINDOW_TABLE = "config.dbt_refresh_window"


def dbt_build_args(config_vars: Mapping[str, int | float], full_refresh: bool) -> list[str]:
    """`dbt build` arguments: the configuration's vars (only when it gives any) and the refresh mode.

    The window of days is not a var (see ``refresh_window``): dbt re-parses the whole project whenever --vars differ
    from the last parse, which a window changing every day would cost every run."""
    # Unit tests check the SQL against fixed inputs, not the data: they run in CI (tests/dbt), not in every refresh,
    # as dbt recommends; in a refresh they were a third of dbt's time.
    # dbt.log (in the warehouse's dbt target folder) at info, not dbt's default debug: debug writes every SQL statement
    # and connection event, about 30 lines a node (10 MB a build), which cost about a tenth of dbt's CPU in a daily
    # refresh; info keeps each node's start, result and error.
    args = ["build", "--exclude", "test_type:unit", "--log-level-file", "info"]
    if config_vars:
        args += ["--vars", json.dumps(dict(config_vars), sort_keys=True)]
    return [*args, *(["--full-refresh"] if full_refresh else [])]


def write_refresh_window(con: duckdb.DuckDBPyConnection, min_date: date, max_date: date) -> None:
    con.execute("create schema if not exists config")
    con.execute(f"create or replace table {REFRESH_WINDOW_TABLE} (min_date varchar, max_date varchar)")
    con.execute(f"insert into {REFRESH_WINDOW_TABLE} values (?, ?)", [min_date.isoformat(), max_date.isoformat()])


def clear_refresh_window(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"drop table if exists {REFRESH_WINDOW_TABLE}")


@contextmanager
def refresh_window(connect, days: tuple[date, date] | None) -> Iterator[None]:
    """The run's window (fct_interactions and sentiment_trend re-derive the days ``min_date`` <= day < ``max_date``)
    in the working database while the block runs dbt; ``None``: no window, and dbt's own default (lookback_days
    before the newest day loaded) applies, even after a run killed mid-dbt left its window behind. dbt by hand
    afterwards sees none. ``connect`` opens the working database (closed before dbt starts)."""
    with connect() as con:
        if days is None:
            clear_refresh_window(con)
        else:
            write_refresh_window(con, *days)
    try:
        yield
    finally:
        with connect() as con:
            clear_refresh_window(con)
