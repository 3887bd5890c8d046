"""The report's charts: plotly figures from the extracts of report.queries, each with a one-line caption that says
what it shows and which mart columns it reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import plotly.express as px
import plotly.graph_objects as go
import polars as pl

from report import queries
from report.queries import Extract, Period, Warehouse

TEMPLATE = "plotly_white"
EMOTIONS = ["anger", "joy", "optimism", "sadness"]


@dataclass
class Chart:
    key: str
    title: str
    caption: str
    source: str
    figure: go.Figure | None
    note: str = ""


def _missing_note(extract: Extract, what: str) -> str:
    if extract.missing:
        return f"Not in this warehouse: {', '.join(extract.missing)}."
    return f"No {what} for this brand and period."


def _style(fig: go.Figure, height: int = 360) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        margin={"l": 50, "r": 20, "t": 30, "b": 40},
        legend={"orientation": "h", "y": -0.2},
        font={"family": "system-ui, sans-serif"},
    )
    return fig


def net_sentiment(wh: Warehouse, brand: str, period: Period) -> Chart:
    data = queries.net_sentiment(wh, brand, period)
    chart = Chart(
        "net_sentiment",
        "Net sentiment over time",
        "Rolling 7-day net sentiment (% positive - % negative) per platform; red dots are days with a "
        "negative-sentiment spike.",
        "marts.sentiment_trend.net_sentiment_7d, is_negative_spike (campaign_scope = 'account')",
        None,
    )
    if data.empty:
        chart.note = _missing_note(data, "scored interactions")
        return chart
    frame = data.frame.with_columns(series=pl.col("platform") + " " + pl.col("account_id").cast(pl.Utf8))
    fig = px.line(
        frame,
        x="activity_date",
        y="net_sentiment_7d",
        color="series",
        labels={"activity_date": "", "net_sentiment_7d": "net sentiment (7-day)", "series": ""},
    )
    spikes = frame.filter(pl.col("is_negative_spike"))
    if not spikes.is_empty():
        fig.add_trace(
            go.Scatter(
                x=spikes["activity_date"].to_list(),
                y=spikes["net_sentiment_7d"].to_list(),
                mode="markers",
                name="negative spike",
                marker={"color": "#d62728", "size": 11, "symbol": "circle-open", "line": {"width": 3}},
            )
        )
    fig.add_hline(y=0, line_dash="dot", line_color="#999")
    chart.figure = _style(fig)
    left_out = int(frame["interactions_not_scored_language"].sum())
    chart.caption += f" Left out: {left_out:,} interactions in languages the models do not score."
    return chart


def emotion_mix(wh: Warehouse, brand: str, period: Period) -> Chart:
    data = queries.emotion_mix(wh, brand, period)
    chart = Chart(
        "emotion_mix",
        "Emotion mix by week",
        "Share of emotion-labelled audience interactions per ISO week, all platforms together.",
        "marts.sentiment_trend_weekly.{anger,joy,optimism,sadness}_interactions",
        None,
    )
    if data.empty:
        chart.note = _missing_note(data, "emotion-labelled interactions")
        return chart
    weekly = (
        data.frame.group_by("week_start_date")
        .agg(pl.col(f"{e}_interactions").sum() for e in EMOTIONS)
        .unpivot(index="week_start_date", variable_name="emotion", value_name="interactions")
        .with_columns(pl.col("emotion").str.replace("_interactions", ""))
        .sort("week_start_date")
    )
    fig = px.bar(
        weekly,
        x="week_start_date",
        y="interactions",
        color="emotion",
        color_discrete_map={"anger": "#d62728", "joy": "#f2b701", "optimism": "#2ca02c", "sadness": "#1f77b4"},
        labels={"week_start_date": "week", "interactions": "share of interactions (%)"},
    )
    fig.update_layout(barmode="stack", barnorm="percent")
    chart.figure = _style(fig)
    return chart


def engagement_rates(wh: Warehouse, brand: str, period: Period) -> Chart:
    data = queries.engagement_rates(wh, brand, period)
    chart = Chart(
        "engagement_rates",
        "Engagement quality per owned post",
        "Spread of the daily conversation, amplification and applause rates per owned post, by platform.",
        "marts.engagement_quality.conversation_rate_per_post, amplification_rate_per_post, applause_rate_per_post",
        None,
    )
    if data.empty:
        chart.note = _missing_note(data, "owned posts")
        return chart
    rates = ["conversation_rate_per_post", "amplification_rate_per_post", "applause_rate_per_post"]
    long = (
        data.frame.unpivot(index=["activity_date", "platform"], on=rates, variable_name="rate", value_name="value")
        .drop_nulls("value")
        .with_columns(pl.col("rate").str.replace("_rate_per_post", ""))
    )
    fig = px.box(long, x="rate", y="value", color="platform", labels={"rate": "", "value": "per owned post"})
    chart.figure = _style(fig)
    return chart


def response_times(wh: Warehouse, brand: str, period: Period) -> Chart:
    data = queries.response_times(wh, brand, period)
    previous = period.previous()
    chart = Chart(
        "response_times",
        "Response times, this period against the previous one",
        f"Median and p90 minutes to the brand's first reply to a question or complaint per day; the shaded "
        f"band is the previous period ({previous}).",
        "marts.responsiveness.median_first_response_minutes, p90_first_response_minutes",
        None,
    )
    if data.empty:
        chart.note = _missing_note(data, "answered questions or complaints")
        return chart
    long = (
        data.frame.unpivot(
            index=["activity_date", "platform"],
            on=["median_first_response_minutes", "p90_first_response_minutes"],
            variable_name="measure",
            value_name="minutes",
        )
        .drop_nulls("minutes")
        .with_columns(series=pl.col("platform") + " " + pl.col("measure").str.replace("_first_response_minutes", ""))
    )
    fig = px.line(
        long,
        x="activity_date",
        y="minutes",
        color="series",
        line_dash="measure",
        labels={"activity_date": "", "minutes": "minutes to first reply", "series": "", "measure": ""},
    )
    fig.add_vrect(
        x0=previous.start,
        x1=previous.end,
        fillcolor="#888",
        opacity=0.12,
        line_width=0,
        annotation_text="previous period",
        annotation_position="top left",
    )
    chart.figure = _style(fig)
    return chart


def service_levels(wh: Warehouse, brand: str, period: Period) -> Chart:
    data = queries.service_levels(wh, brand, period)
    chart = Chart(
        "service_levels",
        "Service levels against target",
        "Left: share of the day's messages answered within their response target (business minutes, "
        "pending ones left out) and, as bars, the messages unanswered and past their target at the end of "
        "each day. Right: median and p90 first response in business minutes (support hours only), the "
        "median in wall-clock minutes dotted, and the brand's targets as dashed lines.",
        "marts.service_levels.within_target_rate, overdue_backlog_at_day_end, "
        "median_first_response_business_minutes, p90_first_response_business_minutes, "
        "median_first_response_wall_clock_minutes, min_target_business_minutes, max_target_business_minutes",
        None,
    )
    if data.empty:
        chart.note = _missing_note(data, "audience messages")
        return chart
    from plotly.subplots import make_subplots

    frame = data.frame.with_columns(series=pl.col("platform") + " " + pl.col("account_id").fill_null("(brand)"))
    fig = make_subplots(
        rows=1,
        cols=2,
        specs=[[{"secondary_y": True}, {}]],
        subplot_titles=("answered within target", "first response, business minutes"),
    )
    for (series,), rows in frame.group_by("series", maintain_order=True):
        shares = rows.drop_nulls("within_target_rate")
        fig.add_trace(
            go.Scatter(
                x=shares["activity_date"].to_list(),
                y=shares["within_target_rate"].to_list(),
                mode="lines+markers",
                name=f"{series} within target",
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Bar(
                x=rows["activity_date"].to_list(),
                y=rows["overdue_backlog_at_day_end"].to_list(),
                name=f"{series} overdue backlog",
                opacity=0.35,
            ),
            row=1,
            col=1,
            secondary_y=True,
        )
        for column, label, dash in (
            ("median_first_response_business_minutes", "median", "solid"),
            ("p90_first_response_business_minutes", "p90", "dash"),
            ("median_first_response_wall_clock_minutes", "median wall clock", "dot"),
        ):
            times = rows.drop_nulls(column)
            fig.add_trace(
                go.Scatter(
                    x=times["activity_date"].to_list(),
                    y=times[column].to_list(),
                    mode="lines",
                    line={"dash": dash},
                    name=f"{series} {label}",
                ),
                row=1,
                col=2,
            )
    targets = frame.select(
        pl.concat_list("min_target_business_minutes", "max_target_business_minutes")
        .explode()
        .drop_nulls()
        .unique()
        .sort()
    )
    for target in targets.to_series().to_list():
        fig.add_hline(
            y=target,
            line_dash="dash",
            line_color="#d62728",
            row=1,
            col=2,
            annotation_text=f"target {target} min",
            annotation_position="top left",
        )
    fig.update_yaxes(
        title_text="share within target", tickformat=".0%", range=[0, 1.05], row=1, col=1, secondary_y=False
    )
    fig.update_yaxes(title_text="overdue backlog", row=1, col=1, secondary_y=True, rangemode="tozero")
    fig.update_yaxes(title_text="business minutes", row=1, col=2, rangemode="tozero")
    chart.figure = _style(fig, height=400)
    return chart


def community_growth(wh: Warehouse, brand: str, period: Period) -> Chart:
    data = queries.community_growth(wh, brand, period)
    chart = Chart(
        "community_growth",
        "Community growth",
        "New and returning engagers per month and platform.",
        "marts.community_growth.new_engagers, returning_engagers",
        None,
    )
    if data.empty:
        chart.note = _missing_note(data, "engagers")
        return chart
    long = data.frame.unpivot(
        index=["activity_month", "platform"],
        on=["new_engagers", "returning_engagers"],
        variable_name="engagers",
        value_name="people",
    )
    fig = px.bar(
        long,
        x="activity_month",
        y="people",
        color="engagers",
        facet_col="platform",
        barmode="stack",
        labels={"activity_month": "", "engagers": ""},
    )
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
    chart.figure = _style(fig)
    return chart


def cohort_retention(wh: Warehouse, brand: str, period: Period) -> Chart:
    data = queries.cohort_retention(wh, brand, period)
    chart = Chart(
        "cohort_retention",
        "Cohort retention",
        "Share of each month's first-time engagers who engage again N months later, per platform.",
        "marts.community_cohorts.retention_rate by cohort_month x months_since_first_engagement",
        None,
    )
    if data.empty:
        chart.note = _missing_note(data, "cohorts")
        return chart
    frame = data.frame.with_columns(pl.col("cohort_month").cast(pl.Utf8).str.slice(0, 7))
    fig = px.density_heatmap(
        frame,
        x="months_since_first_engagement",
        y="cohort_month",
        z="retention_rate",
        facet_col="platform",
        histfunc="avg",
        text_auto=".0%",
        color_continuous_scale="Blues",
        range_color=[0, 1],
        labels={
            "months_since_first_engagement": "months since first engagement",
            "cohort_month": "cohort",
            "retention_rate": "retained",
        },
    )
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
    fig.update_xaxes(dtick=1)
    chart.figure = _style(fig)
    return chart


def advocacy_ladder(wh: Warehouse, brand: str, period: Period) -> Chart:
    data = queries.advocacy_ladder(wh, brand, period)
    chart = Chart(
        "advocacy_ladder",
        "Advocacy ladder",
        "People on each rung in the latest month of the period: engager -> repeat -> advocate -> lead -> customer.",
        "marts.advocacy_monthly.engagers, ladder_repeat_engagers, advocates, advocate_leads, advocate_customers",
        None,
    )
    if data.empty:
        chart.note = _missing_note(data, "engagers")
        return chart
    row = data.frame.row(0, named=True)
    rungs = pl.DataFrame(
        {
            "rung": ["engagers", "repeat engagers", "advocates", "advocate leads", "advocate customers"],
            "people": [
                row["engagers"],
                row["ladder_repeat_engagers"],
                row["advocates"],
                row["advocate_leads"],
                row["advocate_customers"],
            ],
        }
    )
    fig = px.funnel(rungs, x="people", y="rung", labels={"rung": ""})
    fig.update_layout(title={"text": f"month of {row['activity_month']}", "font": {"size": 12}})
    chart.figure = _style(fig)
    return chart


def top_advocates(wh: Warehouse, brand: str, period: Period) -> Chart:
    data = queries.top_advocates(wh, brand)
    chart = Chart(
        "top_advocates",
        "Top advocates",
        "The brand's ten highest-ranked advocates (all time) and their referral actions.",
        "marts.advocacy.referral_actions, positive_interactions, advocacy_rank (is_advocate)",
        None,
    )
    if data.empty:
        chart.note = _missing_note(data, "advocates")
        return chart
    frame = data.frame.with_columns(
        who=pl.coalesce(pl.col("handle"), pl.lit("(no handle)")) + " (" + pl.col("platform") + ")",
        kind=pl.when(pl.col("is_employee")).then(pl.lit("employee")).otherwise(pl.lit("audience")),
    )
    fig = px.bar(
        frame,
        x="referral_actions",
        y="who",
        color="kind",
        orientation="h",
        hover_data=["positive_interactions", "interactions", "advocacy_rank"],
        labels={"who": "", "referral_actions": "referral actions", "kind": ""},
    )
    fig.update_yaxes(categoryorder="array", categoryarray=frame["who"].reverse().to_list())
    chart.figure = _style(fig)
    return chart


def cost_per_lead(wh: Warehouse, brand: str, period: Period) -> Chart:
    by_channel = queries.channel_cost_per_lead(wh, brand, period)
    by_campaign = queries.campaign_costs(wh, brand, period)
    chart = Chart(
        "cost_per_lead",
        "Cost per lead by channel and campaign",
        "Left: cost per CRM lead per channel and month. Right: each campaign's spend against the CRM leads "
        "it brought in the period (steeper = cheaper leads; bubble size = revenue).",
        "marts.ror_scorecard.cost_per_crm_lead; marts.cost_per_lead.spend, crm_leads, revenue",
        None,
    )
    if by_channel.empty and by_campaign.empty:
        chart.note = _missing_note(by_channel if by_channel.missing else by_campaign, "ad spend or leads")
        return chart
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=("cost per CRM lead by channel", "campaigns"))
    if not by_channel.empty:
        for channel, rows in by_channel.frame.drop_nulls("cost_per_crm_lead").group_by("channel", maintain_order=True):
            fig.add_trace(
                go.Bar(x=rows["activity_month"].to_list(), y=rows["cost_per_crm_lead"].to_list(), name=str(channel[0])),
                row=1,
                col=1,
            )
    if not by_campaign.empty:
        campaigns = (
            by_campaign.frame.group_by("channel", "utm_campaign", "campaign_name")
            .agg(pl.col("spend", "crm_leads", "revenue").sum())
            .sort("spend", descending=True)
        )
        fig.add_trace(
            go.Scatter(
                x=campaigns["spend"].to_list(),
                y=campaigns["crm_leads"].to_list(),
                mode="markers+text",
                text=campaigns["campaign_name"].fill_null(campaigns["utm_campaign"]).to_list(),
                textposition="top center",
                marker={
                    "size": (campaigns["revenue"].fill_null(0) ** 0.5).to_list(),
                    "sizemode": "area",
                    "sizemin": 6,
                    "sizeref": max(1.0, float((campaigns["revenue"].fill_null(0) ** 0.5).max() or 1) / 40),
                },
                name="campaigns",
            ),
            row=1,
            col=2,
        )
        fig.update_xaxes(title_text="spend", row=1, col=2)
        fig.update_yaxes(title_text="CRM leads", row=1, col=2)
    fig.update_layout(barmode="group")
    chart.figure = _style(fig, height=400)
    return chart


def ror_beside_roi(wh: Warehouse, brand: str, period: Period) -> Chart:
    data = queries.ror_beside_roi(wh, brand, period)
    chart = Chart(
        "ror_beside_roi",
        "ROR beside ROI",
        "Relationship measures (net sentiment, response rate, referral rate) beside return on ad spend "
        "(cash: revenue closed that month; lead cohort: revenue of the leads that month's spend brought), per "
        "channel and month.",
        "marts.ror_scorecard.net_sentiment, brand_response_rate, referral_rate, cash_roi, lead_cohort_roi",
        None,
    )
    if data.empty:
        chart.note = _missing_note(data, "scorecard months")
        return chart
    measures = ["net_sentiment", "brand_response_rate", "referral_rate", "cash_roi", "lead_cohort_roi"]
    long = data.frame.unpivot(
        index=["activity_month", "channel"], on=measures, variable_name="measure", value_name="value"
    ).drop_nulls("value")
    fig = px.bar(
        long,
        x="activity_month",
        y="value",
        color="channel",
        facet_col="measure",
        facet_col_wrap=5,
        barmode="group",
        labels={"activity_month": "", "value": ""},
    )
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
    fig.update_yaxes(matches=None, showticklabels=True)
    chart.figure = _style(fig, height=380)
    return chart


CHARTS: list[Callable[[Warehouse, str, Period], Chart]] = [
    net_sentiment,
    emotion_mix,
    engagement_rates,
    response_times,
    service_levels,
    community_growth,
    cohort_retention,
    advocacy_ladder,
    top_advocates,
    cost_per_lead,
    ror_beside_roi,
]
