"""The metadata each mart's materialization carries is read with queries over the marts: they are run here against
tables built from the marts' dbt contracts, so a column renamed in dbt fails a test, not silently the UI's summary."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.mart_metadata import HEADLINES, _error_without_values, mart_metadata

MARTS = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts"
SECRET = "alice@example.com"


def contracts() -> dict[str, list[tuple[str, str]]]:
    """mart -> its (column, data type) pairs, for every mart whose dbt contract is enforced."""
    found = {}
    for path in sorted(MARTS.rglob("_*__models.yml")):
        for model in yaml.safe_load(path.read_text("utf-8"))["models"]:
            if (model.get("config") or {}).get("contract", {}).get("enforced"):
                found[model["name"]] = [(column["name"], column["data_type"]) for column in model["columns"]]
    return found


def create_mart(con: duckdb.DuckDBPyConnection, name: str, columns: list[tuple[str, str]]) -> None:
    con.execute("create schema if not exists marts")
    ddl = ", ".join(f'"{column}" {"varchar" if kind == "string" else kind}' for column, kind in columns)
    con.execute(f'create table marts."{name}" ({ddl})')


@pytest.fixture
def marts_from_contracts() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name, columns in contracts().items():
        create_mart(con, name, columns)
    yield con
    con.close()


def test_every_summary_reads_a_mart_with_an_enforced_contract():
    assert set(HEADLINES) <= set(contracts())


@pytest.mark.parametrize("mart", sorted(contracts()))
def test_every_marts_metadata_query_answers_against_its_contract(marts_from_contracts, mart):
    warnings: list[str] = []
    metadata = mart_metadata(marts_from_contracts, mart, warnings.append)
    assert warnings == []
    assert metadata["dagster/row_count"] == 0 and "preview" in metadata
    assert ("summary" in metadata) == (mart in HEADLINES)


def test_a_renamed_column_leaves_the_summary_out_with_a_warning_naming_the_query_and_no_value():
    con = duckdb.connect()
    columns = [("roi" if column == "cash_roi" else column, kind) for column, kind in contracts()["ror_scorecard"]]
    create_mart(con, "ror_scorecard", columns)
    names = [column for column, _ in columns]
    values = [SECRET if kind == "string" else None for _, kind in columns]
    con.execute(f"insert into marts.ror_scorecard ({', '.join(names)}) values ({', '.join('?' * len(names))})", values)

    warnings: list[str] = []
    metadata = mart_metadata(con, "ror_scorecard", warnings.append)

    assert "summary" not in metadata and metadata["dagster/row_count"] == 1
    (warning,) = warnings
    assert "marts.ror_scorecard" in warning and HEADLINES["ror_scorecard"][0] in warning and "cash_roi" in warning
    assert SECRET not in warning


def test_an_error_that_would_quote_a_value_is_named_by_its_kind_alone():
    with pytest.raises(duckdb.ConversionException) as raised:
        duckdb.connect().execute(f"select '{SECRET}'::integer")
    assert SECRET in str(raised.value)
    assert _error_without_values(raised.value) == "ConversionException"
