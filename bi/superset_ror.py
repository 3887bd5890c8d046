"""Set up and serve Superset on the ROR marts: `setup` initialises the metadata and imports the dashboards
(bi/assets, with each dashboard's brand, platform and period filters derived from its charts' datasets, and every
dataset with a brand_id given the brand's name from marts.brands), `serve` runs it on 127.0.0.1. Runs with bi/.venv's
Python (Superset's own dependencies stay out of the project's venv).

The dashboards read the serving DuckDB file, or the marts of a Spark SQL endpoint (a Spark Thrift server, such as the
cluster in a box's: `hive://user@host:port/marts`, PyHive's dialect) given with --spark-endpoint.

    bi/.venv/bin/python bi/superset_ror.py setup --serving-file data/warehouse/ror.duckdb
    bi/.venv/bin/python bi/superset_ror.py setup --spark-endpoint hive://ror@127.0.0.1:50001/marts
    bi/.venv/bin/python bi/superset_ror.py serve --port 8088
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

BI_DIR = Path(__file__).resolve().parent
ASSETS = BI_DIR / "assets"
SERVING_FILE_PLACEHOLDER = "__SERVING_FILE__"
ADMIN = "admin"


def bi_home() -> Path:
    return Path(os.environ.get("ROR_BI_HOME", BI_DIR / ".superset")).resolve()


def superset_env() -> dict[str, str]:
    return {
        **os.environ,
        "SUPERSET_CONFIG_PATH": str(BI_DIR / "superset_config.py"),
        "ROR_BI_HOME": str(bi_home()),
        "FLASK_APP": "superset",
    }


def admin_password() -> str:
    """ROR_BI_ADMIN_PASSWORD when set; else one generated on the first setup and kept in ROR_BI_HOME."""
    if password := os.environ.get("ROR_BI_ADMIN_PASSWORD"):
        return password
    password_file = bi_home() / "admin_password"
    if not password_file.exists():
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password_file.touch(mode=0o600)
        password_file.write_text(secrets.token_urlsafe(12))
    return password_file.read_text().strip()


def _superset(*args: str) -> str:
    """Run one `superset` command; its logs are shown only when it fails."""
    done = subprocess.run(
        [str(Path(sys.executable).with_name("superset")), *args], env=superset_env(), capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"`superset {args[0]}` failed (its log is above); fix that and run `make bi` again.")
    return done.stdout + done.stderr


def _load_by_uuid(folder: Path) -> dict[str, dict[str, Any]]:
    """Every asset (chart, dataset) under the folder, by its uuid, the key the YAML files refer to each other by."""
    return {(asset := yaml.safe_load(path.read_text()))["uuid"]: asset for path in sorted(folder.rglob("*.yaml"))}


def _dashboard_charts(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """The chart nodes of a dashboard's layout, in layout order (chartId, uuid, sliceName)."""
    return [
        node["meta"] for node in dashboard["position"].values() if isinstance(node, dict) and node["type"] == "CHART"
    ]


def _has_period(chart: dict[str, Any]) -> bool:
    """A chart follows the period filter through its own time-range filter, which the dashboard's range replaces."""
    return any(f.get("operator") == "TEMPORAL_RANGE" for f in chart["params"].get("adhoc_filters", []))


def _scope(charts: list[dict[str, Any]], applies: list[bool]) -> dict[str, Any]:
    return {"rootPath": ["ROOT_ID"], "excluded": [c["chartId"] for c, a in zip(charts, applies, strict=True) if not a]}


def _not_applied(charts: list[dict[str, Any]], applies: list[bool], why: str) -> str:
    """The sentence a filter's description ends with when some charts are out of its scope."""
    left_out = [c["sliceName"] for c, a in zip(charts, applies, strict=True) if not a]
    return f" Not applied to {', '.join(left_out)}: {why}." if left_out else ""


# The brand filter shows and filters brand names (marts.brands, the configuration's names): every dataset with a
# brand_id gets a brand_name column through a join. A name two brands share is told apart by its id, so one name
# always means one brand and a chart never adds up two.
BRAND_NAMES = """select brand_id,
       case when count(*) over (partition by brand_name) > 1 then brand_name || ' (' || brand_id || ')'
            else brand_name end as brand_name
from marts.brands"""
BRAND_NAME_COLUMN = {
    "column_name": "brand_name",
    "type": "VARCHAR",
    "is_dttm": False,
    "is_active": True,
    "groupby": True,
    "filterable": True,
    "expression": None,
    "verbose_name": "Brand",
    "description": "The brand's name as configured (marts.brands).",
    "python_date_format": None,
}


def with_brand_names(dataset: dict[str, Any]) -> dict[str, Any]:
    """The dataset as a query over its mart (or over its own query) joined to the brands' names; unchanged without a
    brand_id column."""
    if not any(column["column_name"] == "brand_id" for column in dataset["columns"]):
        return dataset
    source = f"({dataset['sql']})" if dataset["sql"] else f"{dataset['schema']}.{dataset['table_name']}"
    sql = (
        f"select data.*, coalesce(brands.brand_name, data.brand_id) as brand_name\nfrom {source} as data\n"
        f"left join ({BRAND_NAMES}) as brands on data.brand_id = brands.brand_id"
    )
    return {**dataset, "sql": sql, "columns": [*dataset["columns"], BRAND_NAME_COLUMN]}


def _select_filter(name: str, column: str, required: bool, target: dict[str, Any]) -> dict[str, Any]:
    """A drop-down of the column's values in the target dataset; a required one starts on the first value."""
    return {
        "id": f"NATIVE_FILTER-{name.lower()}",
        "name": name,
        "type": "NATIVE_FILTER",
        "filterType": "filter_select",
        "targets": [{"datasetUuid": target["uuid"], "column": {"name": column}}],
        "controlValues": {
            "enableEmptyFilter": required,
            "defaultToFirstItem": required,
            "multiSelect": not required,
            "searchAllOptions": False,
            "inverseSelection": False,
        },
        # Charts wait for a required filter's first value instead of drawing every brand before it arrives.
        "requiredFirst": required,
        "defaultDataMask": {"extraFormData": {}, "filterState": {}, "ownState": {}},
        "cascadeParentIds": [],
    }


def native_filters(
    dashboard: dict[str, Any], charts: dict[str, dict[str, Any]], datasets: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The brand, platform and period filters of a dashboard, each scoped to the charts it can filter.

    Superset applies a filter to a chart by column name, and silently skips a chart whose dataset lacks the column: so
    such a chart is left out of the filter's scope and the filter's description names it and why. Brand is required
    and starts on the first brand, so no chart ever adds up the figures of two brands.
    """
    layout = _dashboard_charts(dashboard)
    chart_datasets = [datasets[charts[c["uuid"]]["dataset_uuid"]] for c in layout]
    filters = []
    for name, column, required, description in (
        ("Brand", "brand_name", True, "One brand at a time (required): no chart adds up two brands."),
        ("Platform", "platform", False, "Any number of platforms; none selected means all."),
    ):
        applies = [any(col["column_name"] == column for col in d["columns"]) for d in chart_datasets]
        marts_without = sorted(
            {f"marts.{d['table_name']}" for d, a in zip(chart_datasets, applies, strict=True) if not a}
        )
        why = f"{' and '.join(marts_without)} {'have' if len(marts_without) > 1 else 'has'} no {column} column"
        select = _select_filter(name, column, required, chart_datasets[applies.index(True)])
        select["description"] = description + _not_applied(layout, applies, why)
        select["scope"] = _scope(layout, applies)
        filters.append(select)
    period_applies = [_has_period(charts[c["uuid"]]) for c in layout]
    filters.append(
        {
            "id": "NATIVE_FILTER-period",
            "name": "Period",
            "type": "NATIVE_FILTER",
            "filterType": "filter_time",
            "description": "The days, weeks or months that start in the period."
            + _not_applied(layout, period_applies, "its mart covers all time, without dates"),
            "targets": [{}],
            "controlValues": {"enableEmptyFilter": False},
            "defaultDataMask": {"extraFormData": {}, "filterState": {}, "ownState": {}},
            "cascadeParentIds": [],
            "scope": _scope(layout, period_applies),
        }
    )
    return filters


def on_spark_endpoint(database: dict[str, Any], endpoint: str) -> dict[str, Any]:
    """The warehouse's database definition on a Spark SQL endpoint instead of the serving file: without DuckDB's
    connection arguments, and out of SQL Lab, because Spark SQL reads any file its server can (``select * from
    text.`/a/path` ``), whatever Superset's settings; the dashboards' charts query their datasets only."""
    if not endpoint.startswith("hive://"):
        raise SystemExit(f"--spark-endpoint must be a hive:// URI (hive://user@host:port/marts), not {endpoint!r}.")
    engine_params = {k: v for k, v in database["extra"]["engine_params"].items() if k != "connect_args"}
    extra = {**database["extra"], "engine_params": engine_params}
    return {**database, "sqlalchemy_uri": endpoint, "expose_in_sqllab": False, "extra": extra}


def render_assets(warehouse: Path | str, target: Path) -> None:
    """Copy bi/assets with the warehouse in the database definition (a Path: the serving file's absolute path; a str:
    the URI of a Spark SQL endpoint), the brands' names in the datasets and each dashboard's filters."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(ASSETS, target)
    database = target / "databases" / "ror_warehouse.yaml"
    if isinstance(warehouse, Path):
        database.write_text(database.read_text().replace(SERVING_FILE_PLACEHOLDER, str(warehouse)))
    else:
        spark = on_spark_endpoint(yaml.safe_load(database.read_text()), warehouse)
        database.write_text(yaml.safe_dump(spark, sort_keys=False))
    for path in sorted((target / "datasets").rglob("*.yaml")):
        path.write_text(yaml.safe_dump(with_brand_names(yaml.safe_load(path.read_text())), sort_keys=False))
    charts, datasets = _load_by_uuid(target / "charts"), _load_by_uuid(target / "datasets")
    for path in sorted((target / "dashboards").glob("*.yaml")):
        dashboard = yaml.safe_load(path.read_text())
        dashboard["metadata"]["native_filter_configuration"] = native_filters(dashboard, charts, datasets)
        path.write_text(yaml.safe_dump(dashboard, sort_keys=False))


def setup(warehouse: Path | str) -> None:
    """Initialise the metadata and import bi/assets on the warehouse (as render_assets takes it)."""
    if isinstance(warehouse, Path) and not warehouse.is_file():
        raise SystemExit(f"No serving file at {warehouse}: run `make demo` first, or point ROR_WAREHOUSE at one.")
    _superset("db", "upgrade")
    if f"username:{ADMIN} |" not in _superset("fab", "list-users"):
        _superset(
            "fab",
            "create-admin",
            "--username",
            ADMIN,
            "--firstname",
            "ROR",
            "--lastname",
            "Admin",
            "--email",
            "admin@localhost",
            "--password",
            admin_password(),
        )
    _superset("init")
    rendered = bi_home() / "assets"
    render_assets(warehouse, rendered)
    log = _superset("import-directory", "--overwrite", str(rendered))
    if "An error occurred" in log:
        sys.stderr.write(log[-4000:])
        raise SystemExit("Importing bi/assets failed (the log is above); fix the YAML and run `make bi` again.")


def serve(host: str, port: int) -> None:
    print(f"Superset on http://{host}:{port}/dashboard/list/  (user {ADMIN}, password {admin_password()})", flush=True)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    os.execve(
        str(gunicorn),
        [
            str(gunicorn),
            "--bind",
            f"{host}:{port}",
            "--workers",
            "1",
            "--threads",
            "8",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "superset.app:create_app()",
        ],
        superset_env(),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    setup_command = commands.add_parser("setup", help="initialise Superset's metadata and import bi/assets")
    warehouse = setup_command.add_mutually_exclusive_group(required=True)
    warehouse.add_argument("--serving-file", type=Path, help="the published DuckDB file")
    warehouse.add_argument("--spark-endpoint", help="a Spark SQL endpoint's marts: hive://user@host:port/marts")
    serve_command = commands.add_parser("serve", help="serve Superset")
    serve_command.add_argument("--host", default="127.0.0.1")
    serve_command.add_argument("--port", type=int, default=8088)
    args = parser.parse_args()
    if args.command == "setup":
        setup(args.spark_endpoint or args.serving_file.resolve())
    else:
        serve(args.host, args.port)


if __name__ == "__main__":
    main()
