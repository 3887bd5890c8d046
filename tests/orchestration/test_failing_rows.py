"""A failed dbt test shows the rows it failed on: the check's metadata carries a sample of what the test's compiled
SQL selects (dbt stores no failures: storing them cost every test a drop and a create in every refresh)."""

from __future__ import annotations

import duckdb

from orchestration.mart_metadata import FAILING_ROWS_SAMPLE, failing_rows_metadata

NOT_NULL_PLATFORM = "select * from interactions where platform is null"


def _interactions(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "create table interactions as select i as interaction_id, "
        "case when i % 3 = 0 then null else 'secret-handle' end as platform from range(60) t(i)"
    )


def test_a_failed_tests_metadata_samples_the_rows_its_sql_selects() -> None:
    warnings: list[str] = []
    with duckdb.connect() as con:
        _interactions(con)
        sample = failing_rows_metadata(con, "not_null_interactions_platform", NOT_NULL_PLATFORM, warnings.append)
    table = sample["failing_rows_sample"].value
    assert "`dbt test --select not_null_interactions_platform --store-failures`" in table
    rows = [line for line in table.splitlines() if line.startswith("| ") and "interaction_id" not in line]
    assert len(rows) == FAILING_ROWS_SAMPLE  # 20 failing rows, a sample of them shown
    assert rows[0] == "| 0 |  |"
    assert warnings == []


def test_a_test_dbt_compiled_no_sql_for_adds_nothing() -> None:
    with duckdb.connect() as con:
        assert failing_rows_metadata(con, "not_null_interactions_platform", None, print) == {}


def test_a_sample_that_cannot_be_taken_warns_without_quoting_a_value() -> None:
    warnings: list[str] = []
    with duckdb.connect() as con:
        _interactions(con)
        sample = failing_rows_metadata(
            con, "numeric_platform", "select cast(platform as integer) as p from interactions", warnings.append
        )
    assert sample == {}
    (warning,) = warnings
    assert "numeric_platform" in warning and "ConversionException" in warning
    assert "secret-handle" not in warning
