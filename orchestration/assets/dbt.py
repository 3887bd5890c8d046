"""dbt layer: staging -> intermediate -> marts, built by dagster-dbt; dbt tests surface as asset checks."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    Failure,
    Output,
    PartitionsDefinition,
)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.dbt_args import dbt_build_args, refresh_window
from orchestration.dbt_project import project_fingerprint
from orchestration.failures import explain_dbt_failure
from orchestration.mart_metadata import failing_rows_metadata, mart_metadata
from orchestration.names import FULL_REFRESH_TAG, WAREHOUSE_STEP_TAGS
from orchestration.progress import progress_line
from orchestration.resources import ConfigFileResource, WarehouseResource
from ror_config.tables import changed_since_last_build, record_build


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


def _query_working_database(working_path: str):
    def query(sql: str) -> tuple[list[str], list[tuple]]:
        with duckdb.connect(working_path, read_only=True) as con:
            cursor = con.execute(sql)
            return [column[0] for column in cursor.description], cursor.fetchall()

    return query


def build_dbt_assets(project: DbtProject, partitions: PartitionsDefinition) -> AssetsDefinition:
    """Every dbt model, seed and test of the project's manifest (parsed for the warehouse by dbt_project_for)."""

    @dbt_assets(
        op_tags=WAREHOUSE_STEP_TAGS,
        name="ror_dbt_models",
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=RorDbtTranslator(),
        partitions_def=partitions,
        # One dbt invocation for a whole backfill range: per-partition runs collide on dbt's temporary tables.
        backfill_policy=BackfillPolicy.single_run(),
    )
    def ror_dbt_models(
        context: AssetExecutionContext,
        dbt: DbtCliResource,
        warehouse: WarehouseResource,
        ror_config: ConfigFileResource,
    ):
        yield from build_with_dbt(context, dbt, warehouse, ror_config, Path(project.project_dir))

    return ror_dbt_models


def build_with_dbt(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    ror_config: ConfigFileResource,
    project_dir: Path,
):
    """`dbt build` of the run's partition window into the working database, then the marts' and failed tests' metadata
    read from it."""
    window = context.partition_time_window
    project_hash = project_fingerprint(project_dir)
    with warehouse.connect() as con:
        # Incremental models keep rows derived from the configuration of their last build: a changed configuration
        # (brands, accounts, campaigns, vars) rebuilds them from scratch instead of mixing two configurations; so does
        # an upgraded dbt project, whose incremental models may expect columns the old tables lack.
        changed = changed_since_last_build(con, project_hash)
    if changed:
        context.log.info("the configuration or the dbt project changed since the last build: rebuilding incrementals")
    full_refresh = changed or context.run.tags.get(FULL_REFRESH_TAG) == "true"
    args = dbt_build_args(ror_config.load().vars.given(), full_refresh)
    nodes = len(context.selected_asset_keys) + len(context.selected_asset_check_keys)
    context.log.info(progress_line("dbt", 0, nodes, "nodes"))
    # dbt's profile (in the warehouse's dbt folder) names the working database; the two windowed models read the
    # partition from it. One target folder per warehouse, reused: its partial-parse file saves dbt a full parse.
    # Mart outputs and failed tests wait for the end of the dbt run: dbt holds the working database's only write
    # connection until then, and their previews, row counts and failing rows are read from it. Every output after
    # the first mart's waits too, in dbt's order: Dagster takes a multi-asset's outputs in dependency order only, and
    # a model built on a mart (int_spike_theme_lift on fct_interactions) must not come out before it.
    deferred: list[Output] = []
    failed_tests: list[AssetCheckResult] = []
    with refresh_window(warehouse.connect, window.start.date(), window.end.date()):
        invocation = dbt.cli(args, context=context, raise_on_error=False, target_path=warehouse.dbt_folder / "target")
        for event in invocation.stream():
            if isinstance(event, Output) and (deferred or event.output_name.startswith("marts__")):
                deferred.append(event)
            elif isinstance(event, AssetCheckResult) and not event.passed:
                failed_tests.append(event)
            else:
                yield event
    with warehouse.connect(read_only=True) as con:
        for event in deferred:
            if not event.output_name.startswith("marts__"):
                yield event
                continue
            table = event.output_name.removeprefix("marts__")
            yield event.with_metadata({**event.metadata, **mart_metadata(con, table)})
        for check in failed_tests:
            test = invocation.manifest["nodes"].get(check.metadata["unique_id"].value, {})
            sample = failing_rows_metadata(con, test.get("schema", ""), test.get("alias", "")) if test else {}
            yield check._replace(metadata={**check.metadata, **sample})
    if not invocation.is_successful():
        try:
            run_results = invocation.get_artifact("run_results.json")
        except FileNotFoundError:  # dbt stopped before running any node (a project or profile error)
            run_results = {}
        explanation = explain_dbt_failure(
            run_results, _query_working_database(str(warehouse.working_path)), str(warehouse.working_path)
        )
        raise Failure(description=explanation)
    with warehouse.connect() as con:
        record_build(con, project_hash)
