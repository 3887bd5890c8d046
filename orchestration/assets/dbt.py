"""dbt layer: staging -> intermediate -> marts, built by dagster-dbt; dbt tests surface as asset checks."""

import json
import os
from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey, BackfillPolicy, Output
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_project import ror_dbt_project
from orchestration.mart_metadata import mart_metadata
from orchestration.partitions import daily_partitions
from orchestration.progress import progress_line
from orchestration.resources import WarehouseResource

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


@dbt_assets(
    manifest=ror_dbt_project.manifest_path,
    project=ror_dbt_project,
    dagster_dbt_translator=RorDbtTranslator(),
    partitions_def=daily_partitions,
    # One dbt invocation for a whole backfill range: per-partition runs collide on dbt's temporary tables.
    backfill_policy=BackfillPolicy.single_run(),
)
def ror_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    # dbt's profile reads the working database from ROR_WORK_DB: point it at this run's warehouse resource.
    os.environ["ROR_WORK_DB"] = str(warehouse.working_path)
    window = context.partition_time_window
    dbt_vars = {"min_date": window.start.date().isoformat(), "max_date": window.end.date().isoformat()}
    args = ["build", "--vars", json.dumps(dbt_vars)]
    if context.run.tags.get(FULL_REFRESH_TAG) == "true":
        args.append("--full-refresh")
    nodes = len(context.selected_asset_keys) + len(context.selected_asset_check_keys)
    context.log.info(progress_line("dbt", 0, nodes, "nodes"))
    # Mart outputs wait for the end of the dbt run: dbt holds the working database's only write connection until then,
    # and their preview and row counts are read from it.
    marts: list[Output] = []
    for event in dbt.cli(args, context=context).stream():
        if isinstance(event, Output) and event.output_name.startswith("marts__"):
            marts.append(event)
        else:
            yield event
    with warehouse.connect(read_only=True) as con:
        for event in marts:
            yield event.with_metadata({**event.metadata, **mart_metadata(con, event.output_name.removeprefix("marts__"))})
