"""Every read the ROR report makes from the serving warehouse, in one place.

The marts evolve, so each query names the columns it needs and asks the catalog which of them exist: a missing
table or column leaves that chart out with a note instead of failing the whole report. Nothing here computes a
metric: formulas live in dbt; the report only filters by brand and period and sums counts for display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
import polars as pl

SCHEMA = "marts"
DEFAULT_PERIOD_DAYS = 42


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


@dataclass
class Extract:
    """One chart's rows, or why there are none."""

    frame: pl.DataFrame | None
    missing: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.frame is None or self.frame.is_empty()


class Warehouse:
    """A read-only view of the serving file's marts."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        rows = con.execute(
            "select table_name, column_name from information_schema.columns where table_schema = ?", [SCHEMA]
        ).fetchall()
        self.columns: dict[str, set[str]] = {}
        for table, column in rows:
            self.columns.setdefault(table, set()).add(column)

    def select(
        self,
        table: str,
        columns: list[str],
        where: str = "true",
        params: list | None = None,
        order_by: str | None = None,
        limit: int | None = None,
    ) -> Extract:
        """Rows of marts.<table> with exactly ``columns``; any that do not exist are reported as missing.

        ``where`` and ``order_by`` are SQL written in this module (never user input); values go in ``params``.
        """
        present = self.columns.get(table, set())
        missing = [f"{SCHEMA}.{table}.{c}" for c in columns if c not in present]
        if not present:
            return Extract(None, [f"{SCHEMA}.{table}"])
        if missing:
            return Extract(None, missing)
        sql = f'select {", ".join(columns)} from {SCHEMA}."{table}" where {where}'
        if order_by:
            sql += f" order by {order_by}"
        if limit:
            sql += f" limit {int(limit)}"
        cursor = self.con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        frame = pl.DataFrame(cursor.fetchall(), schema=names, orient="row", infer_schema_length=None)
        # Money is DECIMAL in the marts (exact sums); a chart only needs floats, and plotting maths refuses decimals.
        return Extract(frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64)))

    def brands(self) -> list[str]:
        for table in ("ror_scorecard", "sentiment_trend", "fct_interactions"):
            if "brand_id" in self.columns.get(table, set()):
                rows = self.con.execute(
                    f'select distinct brand_id from {SCHEMA}."{table}" where brand_id is not null order by 1'
                ).fetchall()
                return [brand for (brand,) in rows]
        return []

    def latest_day(self) -> date | None:
        for table, column in (("sentiment_trend", "activity_date"), ("cost_per_lead", "activity_date")):
            if column in self.columns.get(table, set()):
                (latest,) = self.con.execute(f'select max({column})::date from {SCHEMA}."{table}"').fetchone()
                if latest is not None:
                    return latest
        return None

    def default_period(self) -> Period | None:
        latest = self.latest_day()
        if latest is None:
            return None
        return Period(latest - timedelta(days=DEFAULT_PERIOD_DAYS - 1), latest)


DAY_RANGE = "brand_id = ? and activity_date between ? and ?"
MONTH_RANGE = "brand_id = ? and activity_month between date_trunc('month', ?::date) and ?"
ACCOUNT_SCOPE = " and campaign_scope = 'account'"


def net_sentiment(wh: Warehouse, brand: str, period: Period) -> Extract:
    return wh.select(
        "sentiment_trend",
        [
            "activity_date",
            "platform",
            "account_id",
            "net_sentiment",
            "net_sentiment_7d",
            "is_negative_spike",
            "sentiment_scored_interactions",
            "interactions_not_scored_language",
        ],
        DAY_RANGE + ACCOUNT_SCOPE,
        [brand, period.start, period.end],
        "activity_date, platform",
    )


def emotion_mix(wh: Warehouse, brand: str, period: Period) -> Extract:
    return wh.select(
        "sentiment_trend_weekly",
        [
            "week_start_date",
            "platform",
            "anger_interactions",
            "joy_interactions",
            "optimism_interactions",
            "sadness_interactions",
        ],
        "brand_id = ? and week_start_date between ? and ?" + ACCOUNT_SCOPE,
        [brand, period.start - timedelta(days=6), period.end],
        "week_start_date",
    )


def engagement_rates(wh: Warehouse, brand: str, period: Period) -> Extract:
    return wh.select(
        "engagement_quality",
        [
            "activity_date",
            "platform",
            "conversation_rate_per_post",
            "amplification_rate_per_post",
            "applause_rate_per_post",
            "meaningful_comment_share",
        ],
        DAY_RANGE,
        [brand, period.start, period.end],
        "activity_date",
    )


def response_times(wh: Warehouse, brand: str, period: Period) -> Extract:
    previous = period.previous()
    return wh.select(
        "responsiveness",
        [
            "activity_date",
            "platform",
            "median_first_response_minutes",
            "p90_first_response_minutes",
            "questions_or_complaints_received",
        ],
        DAY_RANGE,
        [brand, previous.start, period.end],
        "activity_date, platform",
    )


def service_levels(wh: Warehouse, brand: str, period: Period) -> Extract:
    return wh.select(
        "service_levels",
        [
            "activity_date",
            "platform",
            "account_id",
            "within_target_rate",
            "answered_within_target",
            "target_breached",
            "overdue_backlog_at_day_end",
            "median_first_response_business_minutes",
            "p90_first_response_business_minutes",
            "median_first_response_wall_clock_minutes",
            "min_target_business_minutes",
            "max_target_business_minutes",
        ],
        DAY_RANGE,
        [brand, period.start, period.end],
        "activity_date, platform, account_id",
    )


def community_growth(wh: Warehouse, brand: str, period: Period) -> Extract:
    return wh.select(
        "community_growth",
        ["activity_month", "platform", "new_engagers", "returning_engagers", "net_follower_change"],
        MONTH_RANGE,
        [brand, period.start, period.end],
        "activity_month, platform",
    )


def cohort_retention(wh: Warehouse, brand: str, period: Period) -> Extract:
    return wh.select(
        "community_cohorts",
        ["cohort_month", "months_since_first_engagement", "platform", "cohort_size", "retention_rate"],
        "brand_id = ? and cohort_month <= ?",
        [brand, period.end],
        "cohort_month, months_since_first_engagement",
    )


def advocacy_ladder(wh: Warehouse, brand: str, period: Period) -> Extract:
    """The ladder in the latest month of the period (people are counted once per month in advocacy_monthly)."""
    return wh.select(
        "advocacy_monthly",
        ["activity_month", "engagers", "ladder_repeat_engagers", "advocates", "advocate_leads", "advocate_customers"],
        MONTH_RANGE,
        [brand, period.start, period.end],
        "activity_month desc",
        limit=1,
    )


def top_advocates(wh: Warehouse, brand: str, limit: int = 10) -> Extract:
    return wh.select(
        "advocacy",
        [
            "handle",
            "platform",
            "referral_actions",
            "positive_interactions",
            "interactions",
            "advocacy_rank",
            "is_employee",
        ],
        "brand_id = ? and is_advocate",
        [brand],
        "advocacy_rank",
        limit,
    )


def campaign_costs(wh: Warehouse, brand: str, period: Period) -> Extract:
    return wh.select(
        "cost_per_lead",
        [
            "activity_date",
            "channel",
            "utm_campaign",
            "campaign_name",
            "spend",
            "crm_leads",
            "ad_platform_leads",
            "revenue",
        ],
        DAY_RANGE,
        [brand, period.start, period.end],
        "activity_date",
    )


def channel_cost_per_lead(wh: Warehouse, brand: str, period: Period) -> Extract:
    return wh.select(
        "ror_scorecard",
        ["activity_month", "channel", "cost_per_crm_lead", "cost_per_ad_platform_lead"],
        MONTH_RANGE,
        [brand, period.start, period.end],
        "activity_month, channel",
    )


def ror_beside_roi(wh: Warehouse, brand: str, period: Period) -> Extract:
    return wh.select(
        "ror_scorecard",
        [
            "activity_month",
            "channel",
            "net_sentiment",
            "brand_response_rate",
            "referral_rate",
            "cash_roi",
            "lead_cohort_roi",
        ],
        MONTH_RANGE,
        [brand, period.start, period.end],
        "activity_month, channel",
    )
