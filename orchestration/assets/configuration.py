"""Configuration layer: the configuration file, loaded into the working database's schema config for dbt."""

from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, multi_asset

from orchestration.names import WAREHOUSE_STEP_TAGS
from orchestration.resources import ConfigFileResource, WarehouseResource
from ror_config import CONFIG_SCHEMA, write_config_tables
from ror_config.tables import TABLE_SCHEMAS


def config_key(table: str) -> AssetKey:
    return AssetKey([CONFIG_SCHEMA, table])


@multi_asset(
    op_tags=WAREHOUSE_STEP_TAGS,
    name="configuration_tables",
    specs=[
        AssetSpec(
            config_key(table),
            group_name="configuration",
            kinds={"duckdb"},
            description=f"{CONFIG_SCHEMA}.{table}: from the configuration file (ror_config), replaced on every run. "
            "Not partitioned: the configuration holds no days.",
        )
        for table in TABLE_SCHEMAS
    ],
    can_subset=False,
)
def configuration_tables(context: AssetExecutionContext, warehouse: WarehouseResource, ror_config: ConfigFileResource):
    """Validate the configuration file and replace schema config with it (an empty configuration: empty tables)."""
    config = ror_config.load()
    with warehouse.connect() as con:
        rows = write_config_tables(con, config)
    context.log.info(f"configuration {ror_config.config_path or '(none: no brands)'}: {rows}")
    for table, count in rows.items():
        yield MaterializeResult(
            asset_key=config_key(table),
            metadata={"row_count": count, "config_file": ror_config.config_path or "none"},
        )
