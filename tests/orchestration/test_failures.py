"""What reaches dbt, and how a failed blocking check is explained: the check, a sample of its rows, what to do next."""

from datetime import date
from pathlib import Path

import duckdb

from orchestration.dbt_args import REFRESH_WINDOW_TABLE, dbt_build_args, refresh_window, write_refresh_window
from orchestration.dbt_project import profile_yaml
from orchestration.failures import explain_dbt_failure, explain_row_accounting, failed_dbt_nodes


def test_dbt_args_carry_the_configuration_vars():
    args = dbt_build_args({"spike_k": 2.5, "lookback_days": 5}, False)
    assert args == [
        "build",
        "--exclude",
        "test_type:unit",  # unit tests run in CI, not on every refresh
        "--log-level-file",
        "info",  # dbt.log without every SQL statement
        "--vars",
        '{"lookback_days": 5, "spike_k": 2.5}',
    ]
    # no vars given: no --vars at all, so the build reuses the parse of `dbt parse` (vars are part of its cache key)
    assert dbt_build_args({}, True) == [
        "build",
        "--exclude",
        "test_type:unit",
        "--log-level-file",
        "info",
        "--full-refresh",
    ]


def test_the_runs_window_is_in_the_working_database_while_dbt_runs_and_gone_after(tmp_path):
    """Read by dbt_project/macros/refresh_window.sql at execution time: no environment variable, no --vars."""
    path = str(tmp_path / "work.duckdb")

    def connect():
        return duckdb.connect(path)

    with refresh_window(connect, (date(2026, 8, 1), date(2026, 8, 2))):
        with duckdb.connect(path) as con:
            assert con.execute(f"select * from {REFRESH_WINDOW_TABLE}").fetchall() == [("2026-08-01", "2026-08-02")]
    with duckdb.connect(path) as con:
        assert not con.execute("select * from duckdb_tables() where table_name = 'dbt_refresh_window'").fetchall()


def test_a_run_without_a_window_drops_the_one_a_killed_run_left_behind(tmp_path):
    """A run killed mid-dbt never cleared its window: the next run without one must not re-derive those days."""
    path = str(tmp_path / "work.duckdb")
    with duckdb.connect(path) as con:
        write_refresh_window(con, date(2026, 8, 1), date(2026, 8, 2))

    with refresh_window(lambda: duckdb.connect(path), None):
        with duckdb.connect(path) as con:
            assert not con.execute("select * from duckdb_tables() where table_name = 'dbt_refresh_window'").fetchall()


def test_the_dbt_profile_names_the_working_database_by_its_path():
    assert 'path: "/w/a \\"b\\"/ror.work.duckdb"' in profile_yaml(Path('/w/a "b"/ror.work.duckdb'), {})
    assert "env_var" not in profile_yaml(Path("/w/ror.work.duckdb"), {})


def run_results(*results: dict) -> dict:
    return {"results": list(results)}


def test_a_failed_mart_test_is_explained_with_its_offending_rows(tmp_path):
    path = str(tmp_path / "work.duckdb")
    with duckdb.connect(path) as con:
        con.execute("create table fct as select * from (values ('k1'), ('k1'), ('k2')) as t(interaction_key)")

    def query(sql):
        with duckdb.connect(path, read_only=True) as con:
            cursor = con.execute(sql)
            return [c[0] for c in cursor.description], cursor.fetchall()

    results = run_results(
        {"unique_id": "model.ror_warehouse.fct", "status": "success"},
        {"unique_id": "test.ror_warehouse.not_null_stg_x_key.abc", "status": "warn", "failures": 6},
        {
            "unique_id": "test.ror_warehouse.unique_fct_interaction_key.123",
            "status": "fail",
            "failures": 1,
            "compiled_code": "select interaction_key, count(*) as n_records from fct group by 1 having count(*) > 1",
        },
    )
    assert [r["unique_id"] for r in failed_dbt_nodes(results)] == ["test.ror_warehouse.unique_fct_interaction_key.123"]
    text = explain_dbt_failure(results, query, path)
    first_line = "Blocking check failed: dbt test unique_fct_interaction_key, 1 offending row. First rows:"
    assert text.startswith(first_line)
    assert "interaction_key='k1', n_records=2" in text
    assert "The serving file keeps the last good version." in text and path in text
    assert "not_null_stg_x_key" not in text  # a warning is not a failure


def test_a_model_error_quotes_dbt_and_row_accounting_names_the_files():
    model_error = {"unique_id": "model.ror_warehouse.fct", "status": "error", "message": "Binder Error: no column x"}
    text = explain_dbt_failure(run_results(model_error), None, "/w.duckdb")
    assert text.startswith("dbt model fct failed: Binder Error: no column x")
    assert "raw_row_accounting" in explain_row_accounting({"unbalanced_files": "x/a.jsonl"})
    assert "x/a.jsonl" in explain_row_accounting({"unbalanced_files": "x/a.jsonl"})


def test_a_model_out_of_memory_says_to_raise_duckdbs_limit_not_to_fix_the_data():
    message = (
        "Runtime Error in model int_interactions_attributed (models/intermediate/int_interactions_attributed.sql)\n"
        "  Out of Memory Error: failed to allocate data of size 32.0 KiB (1.9 GiB/2.0 GiB used)"
    )
    failed_model = "model.ror_warehouse.int_interactions_attributed"
    model_error = {"unique_id": failed_model, "status": "error", "message": message}
    text = explain_dbt_failure(run_results(model_error), None, "/w.duckdb")
    assert text.startswith("dbt model int_interactions_attributed failed: Runtime Error")
    assert "Out of Memory Error" in text and "ROR_DUCKDB_MEMORY_LIMIT=4GB" in text
    assert "fix the export" not in text
