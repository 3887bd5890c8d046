"""Asset checks beyond dbt's tests: row accounting and source freshness on the raw layer, configured accounts the
exports never reach, and the negative-sentiment and volume spikes on marts.sentiment_trend. A spike has one
definition, in dbt (sentiment_trend.is_negative_spike and is_volume_spike, with their sigma floors); the checks only
read it.

ERROR checks are blocking: a failure stops the run before publication, so the serving file keeps the last good data.
"""

from datetime import UTC, datetime, timedelta

from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, asset_check

from orchestration.names import WAREHOUSE_STEP_TAGS
from orchestration.resources import WarehouseResource
from orchestration.spike_text import describe_spikes

FRESHNESS_LIMIT = timedelta(days=1)

# raw table -> the column that says when its data happened
SOURCE_TIME_COLUMNS = {
    "interactions": "created_at",
    "ad_insights": "date",
    "crm_contacts": "created_at",
    "account_metrics": "date",
}


@asset_check(
    op_tags=WAREHOUSE_STEP_TAGS,
    asset=AssetKey(["raw", "file_manifest"]),
    blocking=True,
    description="For every ingested file: rows read = rows accepted + rows quarantined. Nothing is lost silently.",
)
def raw_row_accounting(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        files, read, accepted, quarantined, broken = con.execute(
            "select count(*), coalesce(sum(rows_read), 0), coalesce(sum(rows_accepted), 0), "
            "coalesce(sum(rows_quarantined), 0), "
            "count(*) filter (where rows_read <> rows_accepted + rows_quarantined) "
            "from raw.file_manifest where status = 'loaded'"
        ).fetchone()
        unbalanced = con.execute(
            "select source_file from raw.file_manifest "
            "where status = 'loaded' and rows_read <> rows_accepted + rows_quarantined limit 20"
        ).fetchall()
    return AssetCheckResult(
        passed=broken == 0,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "files": files,
            "rows_read": read,
            "rows_accepted": accepted,
            "rows_quarantined": quarantined,
            "unbalanced_files": ", ".join(name for (name,) in unbalanced) or "none",
        },
    )


def _freshness_check(table: str, column: str):
    @asset_check(
        op_tags=WAREHOUSE_STEP_TAGS,
        asset=AssetKey(["raw", table]),
        name=f"{table}_fresh",
        description=f"WARN when the newest raw.{table}.{column} is more than a day old (per platform or source).",
    )
    def _check(warehouse: WarehouseResource) -> AssetCheckResult:
        group = "crm" if table.startswith("crm_") else "platform"
        with warehouse.connect(read_only=True) as con:
            newest = con.execute(
                f"select {group}, max({column})::timestamptz from raw.{table} group by 1 order by 1"
            ).fetchall()
        now = datetime.now(UTC)
        stale = {source: latest for source, latest in newest if latest is None or now - latest > FRESHNESS_LIMIT}
        return AssetCheckResult(
            passed=bool(newest) and not stale,
            severity=AssetCheckSeverity.WARN,
            metadata={
                "newest_by_source": {source: str(latest) for source, latest in newest},
                "stale_sources": sorted(stale) or "none",
                "limit_hours": FRESHNESS_LIMIT.total_seconds() / 3600,
            },
        )

    return _check


freshness_checks = [_freshness_check(table, column) for table, column in SOURCE_TIME_COLUMNS.items()]


# Per configured account: interactions attributed to it, and ad or follower rows that show it (an ad account has no
# interactions of its own). An account keyed by its handle (no id known) is matched by that key.
_ACCOUNT_REACH_SQL = """
with interactions as (
    select platform, brand_account_id as account_key, count(*) as interactions
    from intermediate.int_interactions_attributed
    where brand_account_id is not null
    group by all
),
other_rows as (
    select platform, account_id as account_key, count(*) as other_rows
    from intermediate.int_ad_insights_attributed
    where account_id is not null
    group by all
    union all
    select platform, account_id, count(*)
    from intermediate.int_account_followers_daily
    where account_id is not null
    group by all
)
select
    accounts.brand_id,
    accounts.platform,
    coalesce('@' || accounts.handle, accounts.account_id) as account,
    accounts.account_key,
    accounts.account_id_origin,
    coalesce(max(interactions.interactions), 0) as interactions,
    coalesce(sum(other_rows.other_rows), 0) as other_rows
from intermediate.int_owned_accounts_resolved as accounts
left join interactions
    on accounts.platform = interactions.platform and accounts.account_key = interactions.account_key
left join other_rows
    on accounts.platform = other_rows.platform and accounts.account_key = other_rows.account_key
group by all
order by accounts.brand_id, accounts.platform, account
"""
ACCOUNTS_NAMED_IN_SUMMARY = 5


def _account_advice(origin: str, interactions: int, other_rows: int) -> str | None:
    """What is wrong with one configured account and what to do about it; None when nothing is."""
    if interactions == 0 and other_rows == 0:
        if origin == "unresolved":
            return (
                "no export mentions or shows it: check the handle's spelling and platform in the configuration, or "
                "land an export that covers it (`ror config check FILE --landing DIR` lists such accounts)"
            )
        return "no export shows it: check the account_id and platform in the configuration, or land its exports"
    if origin == "unresolved":
        return (
            f"its id is unknown (it never posts in the exports): its {interactions} mentions count, but replies to "
            "it and answers by it need the id: add its account_id to the configuration"
        )
    return None


@asset_check(
    op_tags=WAREHOUSE_STEP_TAGS,
    asset=AssetKey(["intermediate", "int_owned_accounts_resolved"]),
    additional_deps=[
        AssetKey(["intermediate", "int_interactions_attributed"]),
        AssetKey(["intermediate", "int_ad_insights_attributed"]),
        AssetKey(["intermediate", "int_account_followers_daily"]),
    ],
    description="WARN when a configured account ends the refresh with nothing attributed to it (no interaction, no ad "
    "or follower row) or with its id still unknown (given by handle, never seen posting: only its mentions count). "
    "Names each brand and account with what to do.",
)
def configured_accounts_reached(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        accounts = con.execute(_ACCOUNT_REACH_SQL).fetchall()
    flagged = [
        {
            "brand_id": brand,
            "platform": platform,
            "account": account,
            "account_key": key,
            "account_id_origin": origin,
            "interactions": interactions,
            "what_to_do": advice,
        }
        for brand, platform, account, key, origin, interactions, other_rows in accounts
        if (advice := _account_advice(origin, interactions, other_rows)) is not None
    ]
    flagged.sort(key=lambda row: row["interactions"] > 0)  # accounts with nothing at all first: named on the screen
    named = "; ".join(
        f"{row['brand_id']} {row['platform']} {row['account']}: "
        + ("nothing attributed" if row["interactions"] == 0 else "id unknown, mentions only")
        for row in flagged[:ACCOUNTS_NAMED_IN_SUMMARY]
    )
    more = f"; and {len(flagged) - ACCOUNTS_NAMED_IN_SUMMARY} more" if len(flagged) > ACCOUNTS_NAMED_IN_SUMMARY else ""
    return AssetCheckResult(
        passed=not flagged,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "configured_accounts": len(accounts),
            "accounts_flagged": len(flagged),
            "summary": f"{named}{more} (metadata `details` says what to do)" if flagged else "every account reached",
            "details": flagged,
        },
    )


SPIKE_RECENT_DAYS = 7


def _recent_spikes(warehouse: WarehouseResource, flag: str, measures: dict[str, str]) -> AssetCheckResult:
    """WARN with the account-days of the latest SPIKE_RECENT_DAYS that dbt flagged in ``flag`` (the definition lives
    in marts.sentiment_trend, once); ``measures`` (metadata name -> SQL expression) say how far off each day was."""
    columns = ", ".join(measures.values())
    with warehouse.connect(read_only=True) as con:
        spikes = con.execute(
            "with recent as (select max(activity_date) - ? as since from marts.sentiment_trend) "
            f"select activity_date, platform, brand_id, account_id, {columns} "
            "from marts.sentiment_trend, recent "
            f"where campaign_scope = 'account' and {flag} and activity_date > since "
            "order by activity_date, platform, brand_id",
            [SPIKE_RECENT_DAYS],
        ).fetchall()
        warning = describe_spikes(con, flag, [row[:4] for row in spikes])
    keys = ["date", "platform", "brand_id", "account_id", *measures]
    return AssetCheckResult(
        passed=not spikes,
        severity=AssetCheckSeverity.WARN,
        description=warning or None,
        metadata={
            "spikes": len(spikes),
            "details": [dict(zip(keys, [str(row[0]), *row[1:]], strict=True)) for row in spikes],
        },
    )


@asset_check(
    op_tags=WAREHOUSE_STEP_TAGS,
    asset=AssetKey(["marts", "sentiment_trend"]),
    description="WARN when a brand account had a negative-sentiment spike (marts.sentiment_trend.is_negative_spike: "
    "negative share above its trailing mean + k sigma, sigma at least spike_min_share_sigma) in the latest "
    f"{SPIKE_RECENT_DAYS} days of data.",
)
def negative_sentiment_spike(warehouse: WarehouseResource) -> AssetCheckResult:
    return _recent_spikes(
        warehouse,
        "is_negative_spike",
        {
            "scored_interactions": "sentiment_scored_interactions",
            "negative_share": "round(negative_share, 3)",
            "trailing_mean": "round(negative_share_trailing_mean, 3)",
            "trailing_sigma": "round(negative_share_trailing_stddev, 3)",
        },
    )


@asset_check(
    op_tags=WAREHOUSE_STEP_TAGS,
    asset=AssetKey(["marts", "sentiment_trend"]),
    description=f"WARN when a brand account had an audience volume spike (marts.sentiment_trend.is_volume_spike: "
    f"interactions above the trailing mean + k sigma, sigma at least sqrt(mean)) in the latest {SPIKE_RECENT_DAYS} "
    "days of data: a real surge or a broken export, look before you trust the marts.",
)
def audience_volume_spike(warehouse: WarehouseResource) -> AssetCheckResult:
    return _recent_spikes(
        warehouse,
        "is_volume_spike",
        {
            "audience_interactions": "audience_interactions",
            "trailing_mean": "round(volume_trailing_mean, 1)",
            "trailing_sigma": "round(volume_trailing_stddev, 1)",
        },
    )


ror_checks = [
    raw_row_accounting,
    *freshness_checks,
    configured_accounts_reached,
    negative_sentiment_spike,
    audience_volume_spike,
]
