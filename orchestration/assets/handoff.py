"""The hand-off to a larger engine: the warehouse's inputs as Parquet, read by dbt's `spark` target."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from orchestration.assets.configuration import config_key
from orchestration.assets.ingest import RAW_TABLES, raw_key
from orchestration.handoff import export_parquet
from orchestration.names import HANDOFF_GROUP, WAREHOUSE_STEP_TAGS
from orchestration.resources import WarehouseResource
from ror_config.tables import TABLE_SCHEMAS


@asset(
    op_tags=WAREHOUSE_STEP_TAGS,
    key=AssetKey([HANDOFF_GROUP, "parquet"]),
    deps=[
        *(raw_key(table) for table in RAW_TABLES),
        AssetKey(["enrichment", "text_enrichment"]),
        *(config_key(table) for table in TABLE_SCHEMAS),
    ],
    group_name=HANDOFF_GROUP,
    kinds={"duckdb", "parquet"},
    description="Every raw, enrichment and config table as Parquet (<warehouse>.parquet/<schema>/<table>/), replaced "
    "whole and atomically: the same inputs for dbt on Spark (target spark, ROR_PARQUET_DIR). Not in the refresh "
    "job (a one-machine deployment does not need it): materialize it, or run the ror_handoff job, after a refresh. "
    "Not partitioned: it exports every table whole.",
)
def parquet_handoff(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    with warehouse.connect(read_only=True) as con:
        exported = export_parquet(con, warehouse.handoff_path)
    context.log.info(f"exported {len(exported)} tables to {warehouse.handoff_path}")
    return MaterializeResult(
        metadata={
            "path": str(warehouse.handoff_path),
            "tables": len(exported),
            **{f"rows.{table.schema}.{table.name}": table.rows for table in exported},
        }
    )
