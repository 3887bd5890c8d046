"""dbt layer: staging -> intermediate -> marts, built by dagster-dbt; dbt tests surface as asset checks.

Not partitioned: every run builds each model whole or incrementally, whatever days its data holds, so the catalog shows
each model as materialised by its latest run. A run can be given a window of days (``RefreshWindow``, run config) that
the two windowed incremental models re-derive: `ror refresh --partition DAY` and `ror backfill --from --to` give one.
"""

from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Config,
    Failure,
    Output,
)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from pydantic import Field

from orchestration.dbt_args import dbt_build_args, refresh_window
from orchestration.dbt_project import project_fingerprint
from orchestration.dbt_test_descriptions import describe_dbt_test
from orchestration.failures import compiled_code_by_node, explain_dbt_failure
from orchestration.handoff import export_parquet
from orchestration.mart_metadata import failing_rows_metadata, mart_metadata
from orchestration.names import FULL_REFRESH_TAG, WAREHOUSE_STEP_TAGS
from orchestration.progress import progress_line
from orchestration.resources import ConfigFileResource, WarehouseResource
from orchestration.spark_marts import declared_columns, load_spark_marts
from ror_config.tables import changed_since_last_build, record_build

DBT_ASSETS_NAME = "ror_dbt_models"


class RefreshWindow(Config):
    """The days a run re-derives in fct_interactions (sentiment_trend: from the first day on), with lookback_days
    before them for late data. Empty, as the schedule, the sensor and `ror refresh` leave it: from lookback_days
    before the newest day loaded. Whatever the window, every thread that received anything new since the last run is
    re-derived."""

    first_day: str | None = Field(default=None, description="First day to re-derive, YYYY-MM-DD (UTC).")
    last_day: str | None = Field(default=None, description="Last day, YYYY-MM-DD, inclusive; empty: first_day.")

    def days(self) -> tuple[date, date] | None:
        """[first day, the day after the last) as dbt's min_date and max_date; None when no window is given."""
        if self.first_day is None:
            if self.last_day is not None:
                raise Failure(description="The refresh window has a last_day but no first_day: give both, or neither.")
            return None
        first, last = _day(self.first_day, "first_day"), _day(self.last_day or self.first_day, "last_day")
        if first > last:
            raise Failure(description=f"The refresh window's first_day {first} is after its last_day {last}.")
        return first, last + timedelta(days=1)


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Failure(description=f"The refresh window's {field} is not a day: write it as YYYY-MM-DD.") from None


def refresh_window_run_config(first_day: str, last_day: str) -> dict:
    """The run config that gives a run of the refresh job a window of days (`ror refresh --partition`, backfill)."""
    return {"ops": {DBT_ASSETS_NAME: {"config": {"first_day": first_day, "last_day": last_day}}}}


class RorDbtTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        # A source is the Python asset that writes its table: raw.interactions <- AssetKey(["raw", "interactions"]).
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "configuration"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"

    def get_asset_check_spec(
        self, asset_spec: AssetSpec, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        relation = ".".join(spec.asset_key.path)
        return spec._replace(description=describe_dbt_test(manifest["nodes"][unique_id], relation))


def _query_working_database(working_path: str):
    def query(sql: str) -> tuple[list[str], list[tuple]]:
        with duckdb.connect(working_path, read_only=True) as con:
            cursor = con.execute(sql)
            return [column[0] for column in cursor.description], cursor.fetchall()

    return query


def build_dbt_assets(project: DbtProject) -> AssetsDefinition:
    """Every dbt model, seed and test of the project's manifest (parsed for the warehouse by dbt_project_for)."""

    @dbt_assets(
        op_tags=WAREHOUSE_STEP_TAGS,
        name=DBT_ASSETS_NAME,
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=RorDbtTranslator(),
    )
    def ror_dbt_models(
        context: AssetExecutionContext,
        dbt: DbtCliResource,
        warehouse: WarehouseResource,
        ror_config: ConfigFileResource,
        config: RefreshWindow,
    ):
        yield from build_with_dbt(context, dbt, warehouse, ror_config, Path(project.project_dir), config.days())

    return ror_dbt_models


def build_with_dbt(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    ror_config: ConfigFileResource,
    project_dir: Path,
    days: tuple[date, date] | None,
):
    """`dbt build` into the working database (``days``: the window the windowed models re-derive, RefreshWindow.days),
    then the marts' and failed tests' metadata read from it."""
    project_hash = project_fingerprint(project_dir)
    with warehouse.connect() as con:
        # Incremental models keep rows derived from the configuration of their last build: a changed configuration
        # (brands, accounts, campaigns, vars) rebuilds them from scratch instead of mixing two configurations; so does
        # an upgraded dbt project, whose incremental models may expect columns the old tables lack.
        changed = changed_since_last_build(con, project_hash)
    if changed:
        context.log.info("the configuration or the dbt project changed since the last build: rebuilding incrementals")
    full_refresh = changed or context.run.tags.get(FULL_REFRESH_TAG) == "true"
    config_vars = dict(ror_config.load().vars.given())
    if warehouse.spark_warehouse_dir is not None:
        # dbt on the deployment's Spark cluster reads the warehouse's inputs from the Parquet hand-off
        # (macros/parquet_sources.sql)
        config_vars["ror_parquet_dir"] = str(warehouse.handoff_path)
    args = dbt_build_args(config_vars, full_refresh)
    nodes = len(context.selected_asset_keys) + len(context.selected_asset_check_keys)
    context.log.info(progress_line("dbt", 0, nodes, "nodes"))
    # dbt's profile (in the warehouse's dbt folder) names the working database; the two windowed models read the
    # run's window from it. One target folder per warehouse, reused: its partial-parse file saves dbt a full parse.
    # Mart outputs and failed tests wait for the end of the dbt run: dbt holds the working database's only write
    # connection until then, and their previews, row counts and failing rows are read from it. Every output after
    # the first mart's waits too, in dbt's order: Dagster takes a multi-asset's outputs in dependency order only, and
    # a model built on a mart (int_spike_theme_lift on fct_interactions) must not come out before it.
    deferred: list[Output] = []
    failed_tests: list[AssetCheckResult] = []
    with refresh_window(warehouse.connect, days):
        if warehouse.spark_warehouse_dir is not None:
            with warehouse.connect(read_only=True) as con:
                export_parquet(con, warehouse.handoff_path)
        invocation = dbt.cli(args, context=context, raise_on_error=False, target_path=warehouse.dbt_folder / "target")
        for event in invocation.stream():
            if isinstance(event, Output) and (deferred or event.output_name.startswith("marts__")):
                deferred.append(event)
            elif isinstance(event, AssetCheckResult) and not event.passed:
                failed_tests.append(event)
            else:
                yield event
    if warehouse.spark_warehouse_dir is not None:
        with warehouse.connect() as con:
            load_spark_marts(con, Path(warehouse.spark_warehouse_dir), declared_columns(invocation.manifest))
    with warehouse.connect(read_only=True) as con:
        for event in deferred:
            if not event.output_name.startswith("marts__"):
                yield event
                continue
            table = event.output_name.removeprefix("marts__")
            yield event.with_metadata({**event.metadata, **mart_metadata(con, table, context.log.warning)})
        try:
            run_results = invocation.get_artifact("run_results.json")
        except FileNotFoundError:  # dbt stopped before running any node (a project or profile error)
            run_results = {}
        # On Spark the tests' SQL names the cluster's tables, not the working database's.
        compiled_sql = {} if warehouse.spark_warehouse_dir is not None else compiled_code_by_node(run_results)
        for check in failed_tests:
            unique_id = check.metadata["unique_id"].value
            sample = failing_rows_metadata(
                con, unique_id.split(".")[2], compiled_sql.get(unique_id), context.log.warning
            )
            yield check._replace(metadata={**check.metadata, **sample})
    if not invocation.is_successful():
        explanation = explain_dbt_failure(
            run_results, _query_working_database(str(warehouse.working_path)), str(warehouse.working_path)
        )
        raise Failure(description=explanation)
    with warehouse.connect() as con:
        record_build(con, project_hash)
