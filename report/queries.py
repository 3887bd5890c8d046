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


@dataclass(frozen=True)
class BrandProfile:
    brand_id: str
    name: str
    currency: str | None


# the marts whose days say which period has data
DATED_TABLES = (("sentiment_trend", "activity_date"), ("cost_per_lead", "activity_date"))


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

    def query(self, needs: dict[str, list[str]], sql: str, params: list | None = None) -> Extract:
        """Rows of ``sql`` (written in this module, values in ``params``) once every table and column it ``needs``
        exists; else no rows and what is missing."""
        missing = []
        for table, columns in needs.items():
            present = self.columns.get(table, set())
            missing += (
                [f"{SCHEMA}.{table}"] if not present else [f"{SCHEMA}.{table}.{c}" for c in columns if c not in present]
            )
        if missing:
            return Extract(None, missing)
        cursor = self.con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        frame = pl.DataFrame(cursor.fetchall(), schema=names, orient="row", infer_schema_length=None)
        return Extract(frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64)))

    def brand_profile(self, brand: str) -> BrandProfile:
        """The brand's display name and currency from marts.brands (the configuration); its id when not there."""
        found = self.query(
            {"brands": ["brand_id", "brand_name", "currency"]},
            f"select brand_name, currency from {SCHEMA}.brands where brand_id = ?",
            [brand],
        )
        if found.empty:
            return BrandProfile(brand, brand, None)
        name, currency = found.frame.row(0)
        return BrandProfile(brand, name or brand, currency)

    def data_span(self) -> Period | None:
        """The first and last day with sentiment or cost data, in the whole warehouse."""
        spans = [
            self.con.execute(f'select min({column})::date, max({column})::date from {SCHEMA}."{table}"').fetchone()
            for table, column in DATED_TABLES
            if column in self.columns.get(table, set())
        ]
        spans = [span for span in spans if span[0] is not None]
        if not spans:
            return None
        return Period(min(span[0] for span in spans), max(span[1] for span in spans))

    def has_brand_data(self, brand: str, period: Period) -> bool:
        """Whether any dated mart holds a row of ``brand`` in ``period``."""
        for table, column in DATED_TABLES:
            if {column, "brand_id"} <= self.columns.get(table, set()):
                (found,) = self.con.execute(
                    f'select count(*) > 0 from {SCHEMA}."{table}" where brand_id = ? and {column} between ? and ?',
                    [brand, period.start, period.end],
                ).fetchone()
                if found:
                    return True
        return False

    def brands(self) -> list[str]:
        for table in ("ror_scorecard", "sentiment_trend", "fct_interactions"):
            if "brand_id" in self.columns.get(table, set()):
                rows = self.con.execute(
                    f'select distinct brand_id from {SCHEMA}."{table}" where brand_id is not null order by 1'
                ).fetchall()
                return [brand for (brand,) in rows]
        return []

    def default_period(self) -> Period | None:
        span = self.data_span()
        if span is None:
            return None
        return Period(span.end - timedelta(days=DEFAULT_PERIOD_DAYS - 1), span.end)


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
    """The cohorts of the twelve months up to the period's end, each followed only to the period's end: a month after
    it has not happened (for this report) and is no row, not a zero."""
    return wh.select(
        "community_cohorts",
        [
            "cohort_month",
            "activity_month",
            "months_since_first_engagement",
            "platform",
            "account_id",
            "cohort_size",
            "active_engagers",
        ],
        "brand_id = ? and cohort_month between date_trunc('month', ?::date) - interval 11 month and ? "
        "and activity_month <= ?",
        [brand, period.end, period.end, period.end],
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


def top_advocates(wh: Warehouse, brand: str, period: Period, limit: int = 10) -> Extract:
    """The brand's advocates (marts.advocacy) ranked by their referral actions in the period (fct_interactions)."""
    return wh.query(
        {
            "advocacy": ["brand_id", "platform", "person_id", "handle", "is_advocate", "is_employee"],
            "fct_interactions": ["brand_id", "platform", "author_id", "created_date", "is_referral_action"],
        },
        f"""select any_value(advocates.handle) as handle, advocates.platform,
               any_value(advocates.is_employee) as is_employee,
               count(*) filter (where interactions.is_referral_action) as referral_actions,
               count(*) as interactions
        from {SCHEMA}.advocacy as advocates
        join {SCHEMA}.fct_interactions as interactions
          on interactions.brand_id = advocates.brand_id and interactions.platform = advocates.platform
         and interactions.author_id = advocates.person_id
        where advocates.brand_id = ? and advocates.is_advocate and interactions.created_date between ? and ?
        group by advocates.platform, advocates.person_id
        having count(*) filter (where interactions.is_referral_action) > 0
        order by referral_actions desc, interactions desc, handle
        limit {int(limit)}""",
        [brand, period.start, period.end],
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


def account_handles(wh: Warehouse, brand: str) -> Extract:
    """The public handle of each of the brand's own accounts, as its own posts show it."""
    return wh.query(
        {"fct_interactions": ["brand_id", "platform", "author_id", "author_handle", "is_brand_author"]},
        f"""select platform, author_id as account_id, max(author_handle) as handle
        from {SCHEMA}.fct_interactions
        where brand_id = ? and is_brand_author and author_handle is not null
        group by platform, author_id""",
        [brand],
    )


def headline(wh: Warehouse, brand: str, period: Period) -> Extract:
    """The headline sums for the period and the one before it, one row each (``this`` and ``previous``): counts
    summed over the days, the median response over the messages themselves. Ratios are taken of the sums, as the
    marts define them."""
    previous = period.previous()
    return wh.query(
        {
            "sentiment_trend": [
                "brand_id",
                "activity_date",
                "campaign_scope",
                "audience_interactions",
                "sentiment_scored_interactions",
                "positive_interactions",
                "negative_interactions",
            ],
            "responsiveness": [
                "brand_id",
                "activity_date",
                "questions_or_complaints_received",
                "questions_or_complaints_answered",
            ],
            "fct_interactions": [
                "brand_id",
                "created_date",
                "is_audience_message",
                "is_question",
                "is_complaint",
                "first_brand_response_minutes",
                "is_referral_action",
            ],
            "cost_per_lead": ["brand_id", "activity_date", "spend", "crm_leads", "revenue"],
        },
        f"""with periods as (
            select 'this' as period, ?::date as first_day, ?::date as last_day
            union all select 'previous', ?::date, ?::date
        ),
        sentiment as (
            select periods.period, sum(audience_interactions) as audience_interactions,
                   sum(sentiment_scored_interactions) as scored, sum(positive_interactions) as positive,
                   sum(negative_interactions) as negative
            from periods join {SCHEMA}.sentiment_trend as days
              on days.activity_date between periods.first_day and periods.last_day
            where days.brand_id = ? and days.campaign_scope = 'account'
            group by periods.period
        ),
        responses as (
            select periods.period, sum(questions_or_complaints_received) as received,
                   sum(questions_or_complaints_answered) as answered
            from periods join {SCHEMA}.responsiveness as days
              on days.activity_date between periods.first_day and periods.last_day
            where days.brand_id = ?
            group by periods.period
        ),
        messages as (
            select periods.period,
                   quantile_cont(first_brand_response_minutes, 0.5) filter (
                       where is_audience_message and (coalesce(is_question, false) or coalesce(is_complaint, false))
                   ) as median_first_response_minutes,
                   count(*) filter (where is_referral_action) as referral_actions
            from periods join {SCHEMA}.fct_interactions as interactions
              on interactions.created_date between periods.first_day and periods.last_day
            where interactions.brand_id = ?
            group by periods.period
        ),
        money as (
            select periods.period, sum(spend) as spend, sum(crm_leads) as crm_leads, sum(revenue) as revenue
            from periods join {SCHEMA}.cost_per_lead as days
              on days.activity_date between periods.first_day and periods.last_day
            where days.brand_id = ?
            group by periods.period
        )
        select periods.period, sentiment.audience_interactions,
               (sentiment.positive - sentiment.negative) / nullif(sentiment.scored, 0) as net_sentiment,
               responses.answered / nullif(responses.received, 0) as brand_response_rate,
               messages.median_first_response_minutes, messages.referral_actions,
               money.spend, money.crm_leads, money.spend / nullif(money.crm_leads, 0) as cost_per_crm_lead,
               money.revenue, (money.revenue - money.spend) / nullif(money.spend, 0) as cash_roi
        from periods
        left join sentiment using (period) left join responses using (period)
        left join messages using (period) left join money using (period)""",
        [
            period.start,
            period.end,
            previous.start,
            previous.end,
            brand,
            brand,
            brand,
            brand,
        ],
    )


def daily_net_sentiment(wh: Warehouse, brand: str, period: Period) -> Extract:
    """The brand's net sentiment per day (all its accounts), on days with enough scored interactions to mean
    something: the best and worst moments are picked from these."""
    return wh.query(
        {
            "sentiment_trend": [
                "brand_id",
                "activity_date",
                "campaign_scope",
                "sentiment_scored_interactions",
                "positive_interactions",
                "negative_interactions",
            ]
        },
        f"""select activity_date, sum(sentiment_scored_interactions) as scored,
               (sum(positive_interactions) - sum(negative_interactions)) / sum(sentiment_scored_interactions)
                   as net_sentiment
        from {SCHEMA}.sentiment_trend
        where brand_id = ? and campaign_scope = 'account' and activity_date between ? and ?
        group by activity_date
        having sum(sentiment_scored_interactions) >= {MOMENT_MIN_SCORED}
        order by net_sentiment, activity_date""",
        [brand, period.start, period.end],
    )


# a day with fewer scored interactions is not a "moment": two happy replies make a 100% day
MOMENT_MIN_SCORED = 5


def example_messages(wh: Warehouse, brand: str, day: date, sentiment: str, limit: int = 3) -> Extract:
    """The audience's clearest ``sentiment`` interactions of one day: what they say (contact details masked by the
    mart), platform, kind, labels and the permalink or id for a link. No author: a forwarded report names no one."""
    probability = "p_positive" if sentiment == "positive" else "p_negative"
    return wh.query(
        {
            "fct_interactions": [
                "brand_id",
                "created_date",
                "created_at_utc",
                "platform",
                "interaction_id",
                "interaction_type",
                "is_audience",
                "sentiment_label",
                "emotion_label",
                "is_question",
                "is_complaint",
                "is_praise",
                "message_text",
                "permalink",
                probability,
            ]
        },
        f"""select created_at_utc, platform, interaction_id, interaction_type, emotion_label,
               is_question, is_complaint, is_praise, message_text, permalink
        from {SCHEMA}.fct_interactions
        where brand_id = ? and created_date = ? and is_audience and sentiment_label = ?
        -- one message per text: a copy-paste wave shows once
        qualify row_number() over (
            partition by message_text order by {probability} desc, created_at_utc, interaction_id
        ) = 1
        order by {probability} desc, created_at_utc, interaction_id
        limit {int(limit)}""",
        [brand, day, sentiment],
    )


def top_posts(wh: Warehouse, brand: str, period: Period, limit: int = 5) -> Extract:
    """The brand's own posts of the period with the most audience engagement, with what each says and its permalink
    (the post's row of fct_interactions)."""
    return wh.query(
        {
            "fct_owned_posts": [
                "brand_id",
                "created_date",
                "created_at_utc",
                "platform",
                "post_id",
                "campaign_name",
                "engagements",
                "audience_comments_and_replies",
                "amplifications",
                "applause",
            ],
            "fct_interactions": ["platform", "interaction_id", "message_text", "permalink"],
        },
        f"""select posts.created_at_utc, posts.platform, posts.post_id, posts.campaign_name, posts.engagements,
               posts.audience_comments_and_replies, posts.amplifications, posts.applause,
               interactions.message_text, interactions.permalink
        from {SCHEMA}.fct_owned_posts as posts
        left join {SCHEMA}.fct_interactions as interactions
            on posts.platform = interactions.platform and posts.post_id = interactions.interaction_id
        where posts.brand_id = ? and posts.created_date between ? and ? and posts.engagements > 0
        order by posts.engagements desc, posts.created_at_utc, posts.post_id
        limit {int(limit)}""",
        [brand, period.start, period.end],
    )


def engagement_totals(wh: Warehouse, brand: str, period: Period) -> Extract:
    """Owned posts and the audience's answers to them per platform, this period and the one before."""
    previous = period.previous()
    return wh.query(
        {
            "engagement_quality": [
                "brand_id",
                "activity_date",
                "platform",
                "owned_posts",
                "audience_comments_and_replies",
                "amplifications",
                "applause",
            ]
        },
        f"""select case when activity_date >= ? then 'this' else 'previous' end as period, platform,
               sum(owned_posts) as owned_posts, sum(audience_comments_and_replies) as comments,
               sum(amplifications) as amplifications, sum(applause) as applause
        from {SCHEMA}.engagement_quality
        where brand_id = ? and activity_date between ? and ?
        group by all order by platform, period desc""",
        [period.start, brand, previous.start, period.end],
    )


# the themes the report shows: the period's biggest by volume, each with a few example messages
TOP_THEMES = 6
THEME_EXAMPLES = 2


def theme_weeks(wh: Warehouse, brand: str, period: Period) -> Extract:
    """The brand's TOP_THEMES themes of the period by audience volume, week by week (all platforms together), with
    their labels (dim_themes) and net sentiment as a ratio of the weeks' sums."""
    return wh.query(
        {
            "theme_trend": [
                "week_start_date",
                "brand_id",
                "theme_id",
                "audience_interactions",
                "brand_audience_interactions",
                "sentiment_scored_interactions",
                "positive_interactions",
                "negative_interactions",
            ],
            "dim_themes": ["theme_id", "theme_label"],
        },
        f"""with weeks as (
            select week_start_date, theme_id, sum(audience_interactions) as audience_interactions,
                   sum(sentiment_scored_interactions) as scored, sum(positive_interactions) as positive,
                   sum(negative_interactions) as negative
            from {SCHEMA}.theme_trend
            where brand_id = ? and week_start_date between ? and ?
            group by week_start_date, theme_id
        ),
        top as (
            select theme_id, sum(audience_interactions) as period_interactions,
                   (sum(positive) - sum(negative)) / nullif(sum(scored), 0) as period_net_sentiment
            from weeks group by theme_id having sum(audience_interactions) > 0
            order by period_interactions desc, theme_id limit {TOP_THEMES}
        )
        select weeks.week_start_date, weeks.theme_id, coalesce(themes.theme_label, 'Unnamed theme') as theme_label,
               weeks.audience_interactions,
               (weeks.positive - weeks.negative) / nullif(weeks.scored, 0) as net_sentiment,
               top.period_interactions, top.period_net_sentiment
        from weeks join top using (theme_id) left join {SCHEMA}.dim_themes as themes using (theme_id)
        order by top.period_interactions desc, weeks.theme_id, weeks.week_start_date""",
        [brand, period.start - timedelta(days=6), period.end],
    )


def theme_examples(wh: Warehouse, brand: str, period: Period, theme_ids: list[str]) -> Extract:
    """THEME_EXAMPLES audience messages of the period per theme, the most clearly scored first: what they say
    (contact details masked by the mart), kind, platform, time and the permalink or id for a link."""
    return wh.query(
        {
            "fct_interactions": [
                "brand_id",
                "created_date",
                "created_at_utc",
                "platform",
                "interaction_id",
                "interaction_type",
                "is_audience",
                "theme_id",
                "sentiment_label",
                "message_text",
                "permalink",
                "p_positive",
                "p_negative",
            ]
        },
        f"""with clearest as (
            select theme_id, created_at_utc, platform, interaction_id, interaction_type, sentiment_label,
                   message_text, permalink, greatest(coalesce(p_positive, 0), coalesce(p_negative, 0)) as clarity
            from {SCHEMA}.fct_interactions
            where brand_id = ? and created_date between ? and ? and is_audience and list_contains(?, theme_id)
            -- one message per text: a copy-paste wave shows once
            qualify row_number() over (
                partition by theme_id, message_text order by clarity desc, created_at_utc, interaction_id
            ) = 1
        )
        select theme_id, created_at_utc, platform, interaction_id, interaction_type, sentiment_label, message_text,
               permalink
        from clearest
        qualify row_number() over (
            partition by theme_id order by clarity desc, created_at_utc, interaction_id
        ) <= {THEME_EXAMPLES}
        order by theme_id, created_at_utc""",
        [brand, period.start, period.end, theme_ids],
    )


def share_of_voice(wh: Warehouse, brand: str, period: Period) -> Extract:
    """The brand and each competitor it tracks, week by week (all platforms together): share of the group's
    mentions, net sentiment and response rate, each a ratio of the weeks' sums as share_of_voice defines them."""
    return wh.query(
        {
            "share_of_voice": [
                "week_start_date",
                "brand_id",
                "tracked_id",
                "tracked_kind",
                "tracked_name",
                "mentions",
                "group_mentions",
                "sentiment_scored_mentions",
                "positive_mentions",
                "negative_mentions",
                "mentions_expecting_response",
                "mentions_answered",
            ]
        },
        f"""select week_start_date, tracked_kind, coalesce(any_value(tracked_name), tracked_id) as party,
               sum(mentions) as mentions,
               sum(mentions) / nullif(sum(group_mentions), 0) as share_of_mentions,
               (sum(positive_mentions) - sum(negative_mentions)) / nullif(sum(sentiment_scored_mentions), 0)
                   as net_sentiment,
               sum(mentions_answered) / nullif(sum(mentions_expecting_response), 0) as response_rate
        from {SCHEMA}.share_of_voice
        where brand_id = ? and week_start_date between ? and ?
        group by week_start_date, tracked_kind, tracked_id
        order by tracked_kind, party, week_start_date""",
        [brand, period.start - timedelta(days=6), period.end],
    )


def spike_themes(wh: Warehouse, brand: str, period: Period) -> Extract:
    """The themes that explain each negative spike day of the period (spike_explanations, labelled ones only), the
    most over-represented first, across the brand's accounts."""
    return wh.query(
        {
            "spike_explanations": [
                "activity_date",
                "brand_id",
                "spike_kind",
                "theme_rank",
                "theme_label",
                "theme_interactions",
                "lift",
            ]
        },
        f"""select activity_date, theme_label, max(lift) as lift, sum(theme_interactions) as theme_interactions
        from {SCHEMA}.spike_explanations
        where brand_id = ? and spike_kind = 'negative' and activity_date between ? and ? and theme_label is not null
        group by activity_date, theme_label
        order by activity_date, lift desc, theme_label""",
        [brand, period.start, period.end],
    )


def spike_examples(wh: Warehouse, brand: str, period: Period) -> Extract:
    """Per negative spike day of the period, one message that shows what happened: the first example interaction of
    the day's most over-represented labelled theme (spike_explanations), with its words from fct_interactions."""
    return wh.query(
        {
            "spike_explanations": [
                "activity_date",
                "brand_id",
                "spike_kind",
                "theme_label",
                "lift",
                "example_interaction_key_1",
            ],
            "fct_interactions": ["interaction_key", "platform", "interaction_type", "message_text"],
        },
        f"""select spikes.activity_date, interactions.platform, interactions.interaction_type,
               interactions.message_text
        from {SCHEMA}.spike_explanations as spikes
        join {SCHEMA}.fct_interactions as interactions
            on spikes.example_interaction_key_1 = interactions.interaction_key
        where spikes.brand_id = ? and spikes.spike_kind = 'negative' and spikes.activity_date between ? and ?
            and spikes.theme_label is not null and interactions.message_text is not null
        qualify row_number() over (
            partition by spikes.activity_date
            order by spikes.lift desc, spikes.theme_label, spikes.example_interaction_key_1
        ) = 1
        order by spikes.activity_date""",
        [brand, period.start, period.end],
    )


def theme_movers(wh: Warehouse, brand: str, period: Period, limit: int = 2) -> Extract:
    """The themes whose audience volume changed most against the previous period, by week as theme_weeks reads them."""
    previous = period.previous()
    return wh.query(
        {
            "theme_trend": ["week_start_date", "brand_id", "theme_id", "audience_interactions"],
            "dim_themes": ["theme_id", "theme_label"],
        },
        f"""with totals as (
            select theme_id,
                   coalesce(sum(audience_interactions) filter (where week_start_date >= ?), 0) as now,
                   coalesce(sum(audience_interactions) filter (where week_start_date < ?), 0) as before
            from {SCHEMA}.theme_trend
            where brand_id = ? and week_start_date between ? and ?
            group by theme_id
        )
        select themes.theme_label, totals.now, totals.before
        from totals join {SCHEMA}.dim_themes as themes using (theme_id)
        where totals.now <> totals.before and themes.theme_label is not null
        order by abs(totals.now - totals.before) desc, themes.theme_label
        limit {int(limit)}""",
        [*[period.start - timedelta(days=6)] * 2, brand, previous.start - timedelta(days=6), period.end],
    )
