"""What the Dagster UI shows on each mart's materialization (its row count, a markdown preview of its latest rows and
a few headline figures) and on each failed dbt test (a sample of the rows it failed on), read from the working
database after dbt has finished with it."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
from dagster import MetadataValue

from orchestration.failures import sample_of_failing_rows

PREVIEW_ROWS = 10
PREVIEW_COLUMNS = 10
FAILING_ROWS_SAMPLE = 10
# Date columns, most specific first: the preview shows the latest rows by the first one a mart has.
TIME_COLUMNS = (
    "activity_date",
    "week_start_date",
    "activity_month",
    "cohort_month",
    "created_at_utc",
    "last_seen_at_utc",
    "ingested_at_utc",
)
# mart -> (label, SQL over that mart's latest period): figures already computed by dbt, only picked out here. Each
# query runs in tests against a mart built from its dbt contract (tests/orchestration/test_mart_metadata.py), so a
# renamed column fails a test, not the summary.
HEADLINES = {
    "ror_scorecard": (
        "latest month, all channels",
        "select activity_month, brand_id, channel, net_sentiment, brand_response_rate, referral_rate, cash_roi "
        "from marts.ror_scorecard where activity_month = (select max(activity_month) from marts.ror_scorecard) "
        "order by brand_id, channel",
    ),
    "responsiveness": (
        "latest day",
        "select activity_date, platform, brand_id, brand_response_rate, median_first_response_minutes, "
        "message_response_rate "
        "from marts.responsiveness where activity_date = (select max(activity_date) from marts.responsiveness) "
        "order by brand_id, platform",
    ),
    "advocacy_monthly": (
        "latest month",
        "select activity_month, brand_id, engagers, advocates, referral_rate, viral_coefficient "
        "from marts.advocacy_monthly where activity_month = (select max(activity_month) from marts.advocacy_monthly) "
        "order by brand_id",
    ),
}


def _markdown(columns: list[str], rows: list[tuple]) -> str:
    def cell(value) -> str:
        text = "" if value is None else (f"{value:.4g}" if isinstance(value, float) else str(value))
        return text.replace("|", "\\|").replace("\n", " ")[:60]

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def mart_metadata(con: duckdb.DuckDBPyConnection, table: str, warn: Callable[[str], None]) -> dict[str, object]:
    """Row count, preview and headline figures of marts.<table>; whatever the mart lacks is left out. A headline query
    the mart no longer answers is left out too, and ``warn`` says which (never with a row's values)."""
    columns = [
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ? "
            "order by ordinal_position",
            [table],
        ).fetchall()
    ]
    if not columns:
        return {}
    quoted = f'marts."{table}"'
    (rows,) = con.execute(f"select count(*) from {quoted}").fetchone()
    order = next((c for c in TIME_COLUMNS if c in columns), None)
    shown = columns[:PREVIEW_COLUMNS]
    preview = con.execute(
        f"select {', '.join(f'{chr(34)}{c}{chr(34)}' for c in shown)} from {quoted}"
        + (f' order by "{order}" desc nulls last' if order else "")
        + f" limit {PREVIEW_ROWS}"
    ).fetchall()
    metadata: dict[str, object] = {
        "dagster/row_count": rows,
        "preview": MetadataValue.md(
            f"Latest {len(preview)} rows{f' by {order}' if order else ''}"
            f"{f', first {PREVIEW_COLUMNS} of {len(columns)} columns' if len(columns) > PREVIEW_COLUMNS else ''}:\n\n"
            + _markdown(shown, preview)
        ),
    }
    if table in HEADLINES:
        label, sql = HEADLINES[table]
        try:
            cursor = con.execute(sql)
            names = [d[0] for d in cursor.description]
            metadata["summary"] = MetadataValue.md(f"{label}:\n\n" + _markdown(names, cursor.fetchall()))
        except duckdb.Error as error:
            warn(f"No summary on marts.{table}: its query ({label}) failed: {_error_without_values(error)}")
    return metadata


def _error_without_values(error: duckdb.Error) -> str:
    """DuckDB's words for an error about the query's names (a column or table it lacks), which quote no data; only the
    kind of any other error (a conversion error quotes the value it could not convert)."""
    if isinstance(error, duckdb.BinderException | duckdb.CatalogException | duckdb.ParserException):
        return str(error).splitlines()[0]
    return type(error).__name__


def failing_rows_metadata(
    con: duckdb.DuckDBPyConnection, test_name: str, compiled_sql: str | None, warn: Callable[[str], None]
) -> dict[str, object]:
    """A sample of the rows a dbt test failed on: its compiled SQL selects them (dbt counts that query's rows), so the
    sample is that query cut to a few rows. Nothing when dbt compiled no SQL (the test errored before running); the
    failure itself is reported by dagster-dbt either way."""
    if not compiled_sql:
        return {}
    try:
        cursor = con.execute(sample_of_failing_rows(compiled_sql, FAILING_ROWS_SAMPLE))
    except duckdb.Error as error:
        warn(f"No sample of the failing rows of dbt test {test_name}: its query failed: {_error_without_values(error)}")
        return {}
    columns = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    return {
        "failing_rows_sample": MetadataValue.md(
            f"First {len(rows)} failing rows (all of them: `dbt test --select {test_name} --store-failures` keeps "
            f"them in schema dbt_test__audit):\n\n" + _markdown(columns, rows)
        )
    }
