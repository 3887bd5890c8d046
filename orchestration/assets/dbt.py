"""dbt layer: staging -> intermediate -> marts, built by dagster-dbt; dbt tests surface as asset checks."""

import json
import os
from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey, BackfillPolicy
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_project import ror_dbt_project
from orchestration.partitions import daily_partitions
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
    # Unit tests check the SQL against fixed inputs, not the data: they run in CI (tests/dbt), not in every refresh,
    # as dbt recommends; in a refresh they were a third of dbt's time.
    args = ["build", "--vars", json.dumps(dbt_vars), "--exclude", "test_type:unit"]
    if context.run.tags.get(FULL_REFRESH_TAG) == "true":
        args.append("--full-refresh")
    yield from dbt.cli(args, context=context).stream()
