"""Serving layer: the marts, published to the file BI tools read, by atomic replace."""

from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, asset

from orchestration.names import WAREHOUSE_STEP_TAGS
from orchestration.publish import publish
from orchestration.resources import WarehouseResource


def build_serving_asset(dbt_models: AssetsDefinition) -> AssetsDefinition:
    """The serving file, published after every dbt model."""

    @asset(
        op_tags=WAREHOUSE_STEP_TAGS,
        # The manifest dependency lets its blocking row-accounting check stop publication.
        deps=[dbt_models, AssetKey(["raw", "file_manifest"])],
        group_name="serving",
        kinds={"duckdb"},
        description="The serving DuckDB file: every table of schema marts plus marts.refresh_log and "
        "marts.column_docs, swapped in atomically. BI tools connect to this file read-only. Not partitioned: each run "
        "publishes the whole of every mart.",
    )
    def serving_warehouse(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        published = publish(
            warehouse.working_path, Path(warehouse.serving_path), context.run_id, warehouse.publish_duckdb_limits
        )
        return MaterializeResult(
            metadata={
                "serving_path": warehouse.serving_path,
                "refresh_id": context.run_id,
                "tables": len(published),
                **{f"rows.{table.name}": table.rows for table in published},
            }
        )

    return serving_warehouse
