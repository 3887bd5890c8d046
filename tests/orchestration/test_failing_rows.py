"""A failed dbt test shows the rows it failed on: dbt keeps them as a view (`store_failures_as: view`), and the check's
metadata carries a sample of that view."""

from __future__ import annotations

import duckdb
import yaml

from orchestration.mart_metadata import FAILING_ROWS_SAMPLE, failing_rows_metadata
from orchestration.settings import DBT_PROJECT_DIR


def test_the_dbt_project_keeps_every_data_tests_failing_rows_as_a_view() -> None:
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    assert project["data_tests"]["+store_failures_as"] == "view"


def test_a_failed_tests_metadata_samples_its_failing_rows() -> None:
    with duckdb.connect() as con:
        con.execute("create schema dbt_test__audit")
        con.execute(
            "create table interactions as select i as interaction_id, "
            "case when i % 3 = 0 then null else 'x' end as platform from range(60) t(i)"
        )
        con.execute(
            "create view dbt_test__audit.not_null_interactions_platform as "
            "select * from interactions where platform is null"
        )
        sample = failing_rows_metadata(con, "dbt_test__audit", "not_null_interactions_platform")
    table = sample["failing_rows_sample"].value
    assert '`select * from "dbt_test__audit"."not_null_interactions_platform"`' in table
    rows = [line for line in table.splitlines() if line.startswith("| ") and "interaction_id" not in line]
    assert len(rows) == FAILING_ROWS_SAMPLE  # 20 failing rows, a sample of them shown
    assert rows[0] == "| 0 |  |"


def test_a_test_without_stored_failures_adds_nothing() -> None:
    with duckdb.connect() as con:
        assert failing_rows_metadata(con, "dbt_test__audit", "not_null_interactions_platform") == {}
