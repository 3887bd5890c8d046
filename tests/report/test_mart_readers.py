"""Every reader of the published marts names only columns the marts have, and every published column is documented.

The readers are the report's queries (report/queries.py), the Dagster headline figures (orchestration/mart_metadata.py)
and the Superset assets (bi/assets): a renamed or dropped mart column must move with all of them, and a reader that
still names the old column fails here instead of leaving a chart silently empty. Checked against the fixture
warehouse built by a real `dbt build` and published the way a refresh publishes it.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.mart_metadata import HEADLINES
from report import queries
from report.queries import Period, Warehouse

BI_ASSETS = Path(__file__).resolve().parents[2] / "bi" / "assets"
FIXTURE_PERIOD = Period(date(2026, 2, 1), date(2026, 3, 10))
# chart params whose values name dataset columns
COLUMN_PARAMS = {
    "subject",
    "x_axis",
    "groupby",
    "all_columns",
    "columns",
    "series",
    "granularity_sqla",
    "entity",
    "column_name",
}
SQL_WORDS = {
    "and",
    "or",
    "not",
    "null",
    "is",
    "in",
    "case",
    "when",
    "then",
    "else",
    "end",
    "as",
    "distinct",
    "true",
    "false",
    "between",
    "like",
    "asc",
    "desc",
}


def published_columns(serving_file: Path) -> dict[str, set[str]]:
    with duckdb.connect(str(serving_file), read_only=True) as con:
        rows = con.execute(
            "select table_name, column_name from information_schema.columns where table_schema = 'marts'"
        ).fetchall()
    columns: dict[str, set[str]] = {}
    for table, column in rows:
        columns.setdefault(table, set()).add(column)
    return columns


def test_the_report_queries_name_only_published_columns(serving_file: Path) -> None:
    with duckdb.connect(str(serving_file), read_only=True) as con:
        wh = Warehouse(con)
        brand = wh.brands()[0]
        readers = [
            function
            for name, function in inspect.getmembers(queries, inspect.isfunction)
            if function.__module__ == queries.__name__
            and list(inspect.signature(function).parameters)[:2] == ["wh", "brand"]
        ]
        assert readers
        missing = {}
        for reader in readers:
            arguments = {
                "period": FIXTURE_PERIOD,
                "day": FIXTURE_PERIOD.end,
                "sentiment": "negative",
                "theme_ids": ["theme-0001"],
            }
            extra = {name: value for name, value in arguments.items() if name in inspect.signature(reader).parameters}
            extract = reader(wh, brand, **extra)
            if extract.missing:
                missing[reader.__name__] = extract.missing
    assert missing == {}


def test_the_dagster_headline_figures_name_only_published_columns(serving_file: Path) -> None:
    with duckdb.connect(str(serving_file), read_only=True) as con:
        for table, (_, sql) in HEADLINES.items():
            try:
                con.execute(sql)
            except duckdb.Error as error:
                pytest.fail(f"headline of {table}: {type(error).__name__}: {error}")


def _chart_column_references(value: object, key: str | None = None) -> Iterator[str]:
    if isinstance(value, dict):
        for child_key, child in value.items():
            if child_key == "sqlExpression" and isinstance(child, str):
                yield from _sql_identifiers(child)
            else:
                yield from _chart_column_references(child, child_key)
    elif isinstance(value, list):
        for item in value:
            yield from _chart_column_references(item, key)
    elif isinstance(value, str) and key in COLUMN_PARAMS:
        yield value


def _sql_identifiers(sql: str) -> Iterator[str]:
    """Bare identifiers of a chart's SQL expression: not function names, keywords or quoted strings."""
    unquoted = re.sub(r"'[^']*'", "", sql)
    for match in re.finditer(r"\b([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()", unquoted):
        if match.group(1).lower() not in SQL_WORDS:
            yield match.group(1)


def _rendered_bi_assets(target: Path) -> Path:
    """bi/assets as `make bi` imports them (bi/superset_ror.py, loaded by path: it runs with bi/.venv's Python; this
    needs only its YAML handling): datasets with the brands' names, dashboards with their filters."""
    spec = importlib.util.spec_from_file_location("superset_ror", BI_ASSETS.parent / "superset_ror.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.render_assets(target / "ror.duckdb", target / "assets")
    return target / "assets"


def test_the_superset_assets_name_only_published_columns(serving_file: Path, tmp_path: Path) -> None:
    columns = published_columns(serving_file)
    datasets = {}
    unknown: list[str] = []
    assets = _rendered_bi_assets(tmp_path)
    for path in sorted((assets / "datasets").rglob("*.yaml")):
        dataset = yaml.safe_load(path.read_text())
        table = dataset["table_name"]
        datasets[dataset["uuid"]] = table
        if dataset["sql"]:  # a virtual dataset: the columns its query over the marts returns
            with duckdb.connect(str(serving_file), read_only=True) as con:
                columns[table] = {d[0] for d in con.execute(dataset["sql"]).description}
        unknown += [
            f"{path.name}: {table}.{c['column_name']}"
            for c in dataset["columns"]
            if c["column_name"] not in columns.get(table, set())
        ]
    charts = sorted((assets / "charts").glob("*.yaml"))
    assert charts and datasets
    for path in charts:
        chart = yaml.safe_load(path.read_text())
        table = datasets[chart["dataset_uuid"]]
        unknown += [
            f"{path.name}: {table}.{c}"
            for c in _chart_column_references(chart["params"])
            if c not in columns.get(table, set())
        ]
    assert unknown == []


def test_every_superset_dataset_with_a_brand_id_names_its_brands_as_configured(
    serving_file: Path, tmp_path: Path
) -> None:
    """The brand filter shows and filters brand_name: each dataset's rows carry the name marts.brands gives their
    brand_id, one name per brand."""
    with duckdb.connect(str(serving_file), read_only=True) as con:
        names = dict(con.execute("select brand_id, brand_name from marts.brands").fetchall())
        for path in sorted((_rendered_bi_assets(tmp_path) / "datasets").rglob("*.yaml")):
            dataset = yaml.safe_load(path.read_text())
            if not any(column["column_name"] == "brand_id" for column in dataset["columns"]):
                continue
            shown = dict(con.execute(f"select distinct brand_id, brand_name from ({dataset['sql']})").fetchall())
            assert shown and shown == {brand: names[brand] for brand in shown}, path.name
            assert len(set(shown.values())) == len(shown), path.name


def test_every_published_column_is_documented_in_column_docs(serving_file: Path) -> None:
    with duckdb.connect(str(serving_file), read_only=True) as con:
        undocumented = con.execute(
            "select columns.table_name || '.' || columns.column_name from information_schema.columns as columns "
            "left join marts.column_docs as docs "
            "on columns.table_name = docs.table_name and columns.column_name = docs.column_name "
            "where columns.table_schema = 'marts' and coalesce(trim(docs.description), '') = '' order by 1"
        ).fetchall()
    assert [name for (name,) in undocumented] == []
