"""dbt layer: staging -> intermediate -> marts, built by dagster-dbt; dbt tests surface as asset checks."""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
from dagster import AssetCheckResult, AssetExecutionContext, AssetKey, BackfillPolicy, Failure, Output
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_args import dbt_build_args, dbt_build_env
from orchestration.dbt_project import project_fingerprint, ror_dbt_project
from orchestration.executor import WAREHOUSE_STEP_TAGS
from orchestration.failures import explain_dbt_failure
from orchestration.mart_metadata import failing_rows_metadata, mart_metadata
from orchestration.partitions import daily_partitions
from orchestration.progress import progress_line
from orchestration.resources import ConfigFileResource, WarehouseResource
from ror_config.tables import changed_since_last_build, record_build

# Tag a run with ror/full_refresh=true (the UI's launchpad, or `ror refresh --full-refresh`) to rebuild incremental
# models from scratch.
FULL_REFRESH_TAG = "ror/full_refresh"


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


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the dbt process started inside, and restore them after: dagster-dbt passes dbt
    a copy of this process's environment and takes no environment of its own."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _query_working_database(working_path: str):
    def query(sql: str) -> tuple[list[str], list[tuple]]:
        with duckdb.connect(working_path, read_only=True) as con:
            cursor = con.execute(sql)
            return [column[0] for column in cursor.description], cursor.fetchall()

    return query


@dbt_assets(
    op_tags=WAREHOUSE_STEP_TAGS,
    manifest=ror_dbt_project.manifest_path,
    project=ror_dbt_project,
    dagster_dbt_translator=RorDbtTranslator(),
    partitions_def=daily_partitions,
    # One dbt invocation for a whole backfill range: per-partition runs collide on dbt's temporary tables.
    backfill_policy=BackfillPolicy.single_run(),
)
def ror_dbt_models(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, ror_config: ConfigFileResource
):
    window = context.partition_time_window
    project_hash = project_fingerprint(Path(ror_dbt_project.project_dir))
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
    # dbt's profile reads this run's working database, and the two windowed models the partition, from there
    with _environment(dbt_build_env(warehouse.working_path, window.start.date(), window.end.date())):
        invocation = dbt.cli(args, context=context, raise_on_error=False)
    # Mart outputs and failed tests wait for the end of the dbt run: dbt holds the working database's only write
    # connection until then, and their previews, row counts and failing rows are read from it.
    marts: list[Output] = []
    failed_tests: list[AssetCheckResult] = []
    for event in invocation.stream():
        if isinstance(event, Output) and event.output_name.startswith("marts__"):
            marts.append(event)
        elif isinstance(event, AssetCheckResult) and not event.passed:
            failed_tests.append(event)
        else:
            yield event
    with warehouse.connect(read_only=True) as con:
        for event in marts:
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
