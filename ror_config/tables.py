"""The configuration as tables in the working database (schema ``config``), which dbt reads as the source ``config``.

Every table is replaced whole on every load, with fixed column types, so an empty list is an empty table dbt can read.
``config.warehouse_hash`` holds one row: the digest of what dbt reads (``RorConfig.warehouse_hash``);
``config.dbt_build_state`` the digest the last successful dbt build used, so a changed configuration is noticed.
"""

from __future__ import annotations

from contextlib import suppress

import duckdb
import polars as pl

from ror_config.models import WEEKDAYS, RorConfig

CONFIG_SCHEMA = "config"

TABLE_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "brands": {"brand_id": pl.String, "brand_name": pl.String, "currency": pl.String},
    "owned_accounts": {"brand_id": pl.String, "platform": pl.String, "account_id": pl.String, "handle": pl.String},
    "employees": {
        "brand_id": pl.String,
        "platform": pl.String,
        "person_id": pl.String,
        "handle": pl.String,
        "role": pl.String,
    },
    "campaigns": {"brand_id": pl.String, "utm_campaign": pl.String, "campaign_name": pl.String, "channel": pl.String},
    # one row per open weekday (ISO: 1 = Monday); times in minutes after local midnight
    "support_hours": {
        "brand_id": pl.String,
        "time_zone": pl.String,
        "iso_day_of_week": pl.String,
        "opens_minute": pl.String,
        "closes_minute": pl.String,
    },
    "support_holidays": {"brand_id": pl.String, "holiday_date": pl.String},
    "response_targets": {
        "brand_id": pl.String,
        "platform": pl.String,
        "message_kind": pl.String,
        "target_business_minutes": pl.String,
    },
    "ad_action_types": {"platform": pl.String, "action_type": pl.String, "counts_as": pl.String},
    # one row per account of each competitor a brand tracks (share of voice)
    "competitor_accounts": {
        "brand_id": pl.String,
        "competitor_id": pl.String,
        "competitor_name": pl.String,
        "platform": pl.String,
        "account_id": pl.String,
        "handle": pl.String,
    },
    "warehouse_hash": {"config_hash": pl.String},
}


def config_tables(config: RorConfig) -> dict[str, pl.DataFrame]:
    """One frame per table of schema ``config``, with the columns of ``TABLE_SCHEMAS`` whatever the lists hold."""
    rows: dict[str, list[dict]] = {
        "brands": [{"brand_id": b.id, "brand_name": b.name, "currency": b.currency} for b in config.brands],
        "owned_accounts": [{"brand_id": b.id, **account.model_dump()} for b in config.brands for account in b.accounts],
        "employees": [{"brand_id": b.id, **employee.model_dump()} for b in config.brands for employee in b.employees],
        "campaigns": [
            {
                "brand_id": b.id,
                "utm_campaign": campaign.utm_campaign,
                "campaign_name": campaign.name or campaign.utm_campaign,
                "channel": campaign.channel,
            }
            for b in config.brands
            for campaign in b.campaigns
        ],
        "support_hours": [
            {
                "brand_id": b.id,
                "time_zone": b.support_hours.time_zone,
                "iso_day_of_week": str(WEEKDAYS.index(day) + 1),
                "opens_minute": str(b.support_hours.opens),
                "closes_minute": str(b.support_hours.closes),
            }
            for b in config.brands
            if b.support_hours is not None
            for day in b.support_hours.days
        ],
        "support_holidays": [
            {"brand_id": b.id, "holiday_date": holiday.isoformat()}
            for b in config.brands
            if b.support_hours is not None
            for holiday in sorted(set(b.support_hours.holidays))
        ],
        "response_targets": [
            {
                "brand_id": b.id,
                "platform": target.platform,
                "message_kind": target.kind,
                "target_business_minutes": str(target.business_minutes),
            }
            for b in config.brands
            for target in b.response_targets
        ],
        "ad_action_types": [row.model_dump() for row in config.ad_action_types],
        "competitor_accounts": [
            {
                "brand_id": b.id,
                "competitor_id": competitor.id,
                "competitor_name": competitor.name,
                **account.model_dump(),
            }
            for b in config.brands
            for competitor in b.competitors
            for account in competitor.accounts
        ],
        "warehouse_hash": [{"config_hash": config.warehouse_hash()}],
    }
    return {name: pl.DataFrame(rows[name], schema=schema, orient="row") for name, schema in TABLE_SCHEMAS.items()}


def write_config_tables(con: duckdb.DuckDBPyConnection, config: RorConfig) -> dict[str, int]:
    """Replace schema ``config`` with this configuration, in one transaction; rows per table."""
    frames = config_tables(config)
    con.execute("begin")
    try:
        con.execute(f"create schema if not exists {CONFIG_SCHEMA}")
        for name, frame in frames.items():
            # All text columns and a few rows: plain DDL and inserts (no Arrow needed).
            columns = ", ".join(f"{column} varchar" for column in frame.columns)
            con.execute(f"create or replace table {CONFIG_SCHEMA}.{name} ({columns})")
            if frame.height:
                placeholders = ", ".join("?" for _ in frame.columns)
                con.executemany(f"insert into {CONFIG_SCHEMA}.{name} values ({placeholders})", frame.rows())
        con.execute("commit")
    except BaseException:
        with suppress(duckdb.Error):  # a failed commit has ended the transaction: raise its error, not the rollback's
            con.execute("rollback")
        raise
    return {name: frame.height for name, frame in frames.items()}


BUILD_STATE_TABLE = f"{CONFIG_SCHEMA}.dbt_build_state"


def changed_since_last_build(con: duckdb.DuckDBPyConnection, project_hash: str) -> bool:
    """True when the configuration in schema config or the dbt project (``project_hash``) differs from the one the last
    successful dbt build used (or no build recorded them): incremental models then hold rows derived from another
    configuration, or in a shape an upgraded model no longer reads (a new column, a new watermark)."""
    _ensure_build_state(con)
    (current,) = con.execute(f"select max(config_hash) from {CONFIG_SCHEMA}.warehouse_hash").fetchone()
    built = con.execute(f"select max(config_hash), max(project_hash) from {BUILD_STATE_TABLE}").fetchone()
    return built != (current, project_hash)


def record_build(con: duckdb.DuckDBPyConnection, project_hash: str) -> None:
    """Remember that dbt built everything from the configuration now in schema config and this dbt project."""
    _ensure_build_state(con)
    con.execute(f"delete from {BUILD_STATE_TABLE}")
    con.execute(
        f"insert into {BUILD_STATE_TABLE} (config_hash, project_hash, built_at) "
        f"select config_hash, ?, now() from {CONFIG_SCHEMA}.warehouse_hash",
        [project_hash],
    )


def _ensure_build_state(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create table if not exists {BUILD_STATE_TABLE} (config_hash varchar, built_at timestamptz)")
    # Warehouses built before the project was recorded: a null project hash, so their next build is a full one.
    con.execute(f"alter table {BUILD_STATE_TABLE} add column if not exists project_hash varchar")
