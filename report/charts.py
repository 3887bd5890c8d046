"""The report's charts: plotly figures from the extracts of report.queries, each with a one-line caption that says
what it shows. Readers see names and units (report.labels), never column names or ids; the mart columns a chart
reads are kept in its ``source`` (the page carries them as an attribute, for whoever checks a number)."""

from __future__ import annotations

import html
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from report import queries
from report.headline import spike_example_quotes, spike_explanations
from report.labels import (
    channel_name,
    duration,
    money_prefix,
    money_title,
    month_label,
    platform_name,
)
from report.queries import BrandProfile, Extract, Period, Warehouse

TEMPLATE = "plotly_white"
EMOTIONS = {"anger": "#d62728", "joy": "#f2b701", "optimism": "#2ca02c", "sadness": "#1f77b4"}
# one colour per platform, the same in every chart
PLATFORM_COLOURS = {
    "x": "#1d2330",
    "facebook": "#1877f2",
    "instagram": "#c13584",
    "youtube": "#ff0000",
    "reddit": "#ff4500",
    "linkedin": "#0a66c2",
    "bluesky": "#1185fe",
}
FALLBACK_COLOURS = ["#6b7280", "#9467bd", "#8c564b", "#17becf"]


@dataclass(frozen=True)
class ReportContext:
    """What every chart needs: the marts, the brand as readers know it, the period, and its accounts' names."""

    wh: Warehouse
    brand: BrandProfile
    period: Period
    account_names: dict[tuple[str, str], str]

    @property
    def brand_id(self) -> str:
        return self.brand.brand_id

    def account(self, platform: str, account_id: str | None) -> str:
        """'X @LumenBikes'; the platform alone for a brand-level row or an account whose handle no post shows."""
        handle = self.account_names.get((platform, account_id or ""))
        return f"{platform_name(platform)} @{handle}" if handle else platform_name(platform)


def account_names(wh: Warehouse, brand: str) -> dict[tuple[str, str], str]:
    handles = queries.account_handles(wh, brand)
    if handles.empty:
        return {}
    return {(row["platform"], row["account_id"]): row["handle"] for row in handles.frame.iter_rows(named=True)}


@dataclass
class Chart:
    key: str
    title: str
    caption: str
    source: str
    figure: go.Figure | None
    note: str = ""
    wide: bool = False  # panels side by side: the chart takes the page's whole width
    details: str = ""  # HTML shown under the chart (a table the figure cannot hold), built from escaped values


def _missing_note(extract: Extract, what: str) -> str:
    if extract.missing:
        return (
            f"This warehouse does not have the data for this chart yet ({len(extract.missing)} mart columns missing)."
        )
    return f"No {what} for this brand in this period."


def colour(platform: str, index: int = 0) -> str:
    return PLATFORM_COLOURS.get(platform, FALLBACK_COLOURS[index % len(FALLBACK_COLOURS)])


def _style(fig: go.Figure, height: int = 360) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        margin={"l": 60, "r": 20, "t": 40, "b": 50},
        legend={"orientation": "h", "y": -0.18, "x": 0, "title": {"text": ""}},
        font={"family": "system-ui, sans-serif", "size": 12},
        hoverlabel={"namelength": -1},
    )
    return fig


def _hover_quote(quote: str | None, width: int = 60) -> str:
    """A spike's example message for a hover box: escaped (plotly reads hover text as HTML) and wrapped in lines."""
    if quote is None:
        return ""
    return "<br>e.g. " + "<br>".join(html.escape(line) for line in textwrap.wrap(quote, width))


def net_sentiment(ctx: ReportContext) -> Chart:
    data = queries.net_sentiment(ctx.wh, ctx.brand_id, ctx.period)
    chart = Chart(
        "net_sentiment",
        "Net sentiment over time",
        "Rolling 7-day net sentiment (share of positive minus share of negative audience interactions) per account; "
        "red circles mark days with a spike of negative sentiment (hover one for the themes behind it).",
        "marts.sentiment_trend.net_sentiment_7d, is_negative_spike (campaign_scope = 'account'); "
        "marts.spike_explanations.theme_label, lift",
        None,
    )
    if data.empty:
        chart.note = _missing_note(data, "scored interactions")
        return chart
    fig = go.Figure()
    for index, ((platform, account_id), rows) in enumerate(
        data.frame.group_by("platform", "account_id", maintain_order=True)
    ):
        fig.add_trace(
            go.Scatter(
                x=rows["activity_date"].to_list(),
                y=rows["net_sentiment_7d"].to_list(),
                mode="lines",
                name=ctx.account(platform, account_id),
                line={"color": colour(platform, index)},
            )
        )
    spikes = data.frame.filter(pl.col("is_negative_spike"))
    if not spikes.is_empty():
        explained = spike_explanations(ctx.wh, ctx.brand_id, ctx.period)
        examples = spike_example_quotes(ctx.wh, ctx.brand_id, ctx.period)
        fig.add_trace(
            go.Scatter(
                x=spikes["activity_date"].to_list(),
                y=spikes["net_sentiment_7d"].to_list(),
                mode="markers",
                name="Negative spike",
                marker={"color": "#d62728", "size": 11, "symbol": "circle-open", "line": {"width": 3}},
                customdata=[
                    explained.get(day, "no theme stands out") + _hover_quote(examples.get(day))
                    for day in spikes["activity_date"].to_list()
                ],
                hovertemplate="Negative spike on %{x|%d %b}<br>%{customdata}<extra></extra>",
            )
        )
    fig.add_hline(y=0, line_dash="dot", line_color="#999")
    fig.update_yaxes(title_text="Net sentiment, 7-day (%)", tickformat=".0%")
    chart.figure = _style(fig)
    left_out = int(data.frame["interactions_not_scored_language"].sum())
    chart.caption += f" Left out: {left_out:,} interactions in languages the models do not score."
    return chart


def emotion_mix(ctx: ReportContext) -> Chart:
    data = queries.emotion_mix(ctx.wh, ctx.brand_id, ctx.period)
    chart = Chart(
        "emotion_mix",
        "Emotion mix by week",
        "Share of each emotion among the audience's emotion-labelled interactions, per week, all platforms together.",
        "marts.sentiment_trend_weekly.{anger,joy,optimism,sadness}_interactions",
        None,
    )
    if data.empty:
        chart.note = _missing_note(data, "emotion-labelled interactions")
        return chart
    weekly = data.frame.group_by("week_start_date").agg(pl.col(f"{e}_interactions").sum() for e in EMOTIONS)
    weekly = weekly.sort("week_start_date")
    fig = go.Figure(
        [
            go.Bar(
                x=weekly["week_start_date"].to_list(),
                y=weekly[f"{emotion}_interactions"].to_list(),
                name=emotion.capitalize(),
                marker_color=shade,
            )
            for emotion, shade in EMOTIONS.items()
        ]
    )
    fig.update_layout(barmode="stack", barnorm="percent")
    fig.update_xaxes(title_text="Week starting", tickformat="%d %b")
    fig.update_yaxes(title_text="Share of interactions (%)", ticksuffix="%")
    chart.figure = _style(fig)
    return chart


def engagement_per_post(ctx: ReportContext) -> Chart:
    data = queries.engagement_totals(ctx.wh, ctx.brand_id, ctx.period)
    chart = Chart(
        "engagement_per_post",
        "Engagement per owned post, this period against the previous one",
        "Audience comments and replies, shares and quotes, and likes per post the brand published, by platform; "
        f"the pale bar is the previous period ({ctx.period.previous()}).",
        "marts.engagement_quality.owned_posts, audience_comments_and_replies, amplifications, applause",
        None,
    )
    if data.empty:
        chart.note = _missing_note(data, "owned posts")
        return chart
    frame = data.frame.filter(pl.col("owned_posts") > 0)
    measures = {"comments": "Conversation", "amplifications": "Amplification", "applause": "Applause"}
    fig = make_subplots(rows=1, cols=3, subplot_titles=[f"{title} per post" for title in measures.values()])
    for period, opacity in (("previous", 0.35), ("this", 1.0)):
        rows = frame.filter(pl.col("period") == period)
        for column, (measure, _) in enumerate(measures.items(), start=1):
            fig.add_trace(
                go.Bar(
                    x=[platform_name(p) for p in rows["platform"].to_list()],
                    y=(rows[measure] / rows["owned_posts"]).round(1).to_list(),
                    marker_color=[colour(p) for p in rows["platform"].to_list()],
                    opacity=opacity,
                    name="This period" if period == "this" else "Previous period",
                    legendgroup=period,
                    showlegend=column == 1,
                    texttemplate="%{y:.1f}",
                    textposition="outside",
                    cliponaxis=False,
                ),
                row=1,
                col=column,
            )
    fig.update_layout(barmode="group")
    fig.update_yaxes(rangemode="tozero")
    chart.figure = _style(fig)
    return chart


def response_times(ctx: ReportContext) -> Chart:
    data = queries.response_times(ctx.wh, ctx.brand_id, ctx.period)
    previous = ctx.period.previous()
    chart = Chart(
        "response_times",
        "Response times, this period against the previous one",
        "Hours to the brand's first reply to a question or complaint, per day and platform: the median (solid) and "
        f"the slowest tenth (90th percentile, dotted); the shaded band is the previous period ({previous}).",
        "marts.responsiveness.median_first_response_minutes, p90_first_response_minutes",
        None,
    )
    if data.empty:
        chart.note = _missing_note(data, "answered questions or complaints")
        return chart
    frame = data.frame.group_by("activity_date", "platform").agg(
        pl.col("median_first_response_minutes", "p90_first_response_minutes").median()
    )
    fig = go.Figure()
    for index, ((platform,), rows) in enumerate(frame.sort("activity_date").group_by("platform", maintain_order=True)):
        for column, label, dash in (
            ("median_first_response_minutes", "median", "solid"),
            ("p90_first_response_minutes", "90th percentile", "dot"),
        ):
            times = rows.drop_nulls(column)
            fig.add_trace(
                go.Scatter(
                    x=times["activity_date"].to_list(),
                    y=(times[column] / 60).round(2).to_list(),
                    mode="lines",
                    line={"dash": dash, "color": colour(platform, index)},
                    name=f"{platform_name(platform)}, {label}",
                )
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
    fig.update_yaxes(title_text="Hours to first reply", rangemode="tozero")
    chart.figure = _style(fig)
    return chart


def service_levels(ctx: ReportContext) -> Chart:
    data = queries.service_levels(ctx.wh, ctx.brand_id, ctx.period)
    chart = Chart(
        "service_levels",
        "Service levels against target",
        "Per day: the share of messages answered within their response target (counted in support hours), the "
        "messages still unanswered past their target at the day's end, and the median minutes to the first reply "
        "within support hours, with the brand's targets as dashed red lines.",
        "marts.service_levels.within_target_rate, overdue_backlog_at_day_end, "
        "median_first_response_business_minutes, min_target_business_minutes, max_target_business_minutes",
        None,
    )
    if data.empty:
        chart.note = _missing_note(data, "audience messages")
        return chart
    frame = data.frame
    fig = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=("Answered within target", "Overdue at day's end", "Median first reply"),
        horizontal_spacing=0.08,
    )
    backlog = frame.group_by("activity_date").agg(pl.col("overdue_backlog_at_day_end").sum()).sort("activity_date")
    fig.add_trace(
        go.Bar(
            x=backlog["activity_date"].to_list(),
            y=backlog["overdue_backlog_at_day_end"].to_list(),
            name="Messages overdue",
            marker_color="#e45756",
            showlegend=False,
        ),
        row=1,
        col=2,
    )
    for index, ((platform, account_id), rows) in enumerate(
        frame.group_by("platform", "account_id", maintain_order=True)
    ):
        name = ctx.account(platform, account_id)
        for column, measure in ((1, "within_target_rate"), (3, "median_first_response_business_minutes")):
            values = rows.drop_nulls(measure)
            fig.add_trace(
                go.Scatter(
                    x=values["activity_date"].to_list(),
                    y=values[measure].to_list(),
                    mode="lines",
                    line={"color": colour(platform, index)},
                    name=name,
                    legendgroup=name,
                    showlegend=column == 1,
                ),
                row=1,
                col=column,
            )
    targets = frame.select(
        pl.concat_list("min_target_business_minutes", "max_target_business_minutes").explode().drop_nulls().unique()
    )
    for target in sorted(targets.to_series().to_list()):
        fig.add_hline(
            y=target,
            line_dash="dash",
            line_color="#d62728",
            row=1,
            col=3,
            # the axis counts minutes: an hour target says its minutes too
            annotation_text=f"target {duration(target)}" + (f" ({target:,.0f} min)" if target >= 90 else ""),
            annotation_position="top left",
        )
    fig.update_yaxes(title_text="Within target (%)", tickformat=".0%", range=[0, 1.05], row=1, col=1)
    fig.update_yaxes(title_text="Messages overdue (all accounts)", rangemode="tozero", row=1, col=2)
    fig.update_yaxes(title_text="Minutes (support hours)", rangemode="tozero", row=1, col=3)
    chart.figure = _style(fig, height=380)
    chart.wide = True
    return chart


def community_growth(ctx: ReportContext) -> Chart:
    data = queries.community_growth(ctx.wh, ctx.brand_id, ctx.period)
    chart = Chart(
        "community_growth",
        "Community growth",
        "People who engaged with the brand for the first time (new) and again (returning), per month and platform.",
        "marts.community_growth.new_engagers, returning_engagers",
        None,
    )
    if data.empty:
        chart.note = _missing_note(data, "engagers")
        return chart
    frame = data.frame.group_by("activity_month", "platform").agg(pl.col("new_engagers", "returning_engagers").sum())
    platforms = sorted(frame["platform"].unique().to_list())
    fig = make_subplots(rows=1, cols=len(platforms), subplot_titles=[platform_name(p) for p in platforms])
    for column, platform in enumerate(platforms, start=1):
        rows = frame.filter(pl.col("platform") == platform).sort("activity_month")
        for measure, label, shade in (
            ("new_engagers", "New engagers", "#4c78a8"),
            ("returning_engagers", "Returning engagers", "#f58518"),
        ):
            fig.add_trace(
                go.Bar(
                    x=[month_label(m) for m in rows["activity_month"].to_list()],
                    y=rows[measure].to_list(),
                    name=label,
                    marker_color=shade,
                    legendgroup=label,
                    showlegend=column == 1,
                ),
                row=1,
                col=column,
            )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title_text="People", row=1, col=1)
    chart.figure = _style(fig)
    return chart


def cohort_retention(ctx: ReportContext) -> Chart:
    data = queries.cohort_retention(ctx.wh, ctx.brand_id, ctx.period)
    chart = Chart(
        "cohort_retention",
        "Cohort retention",
        "Of the people who first engaged in a month (a row), the share who engaged again 1, 2, 3 ... months later, "
        "per platform. Blank cells are months after the end of the period.",
        "marts.community_cohorts.active_engagers, cohort_size by cohort_month x months_since_first_engagement",
        None,
    )
    if data.empty:
        chart.note = _missing_note(data, "cohorts")
        return chart
    frame = (
        data.frame.group_by("platform", "cohort_month", "months_since_first_engagement")
        .agg(pl.col("cohort_size", "active_engagers").sum())
        .with_columns(retained=pl.col("active_engagers") / pl.col("cohort_size"))
    )
    platforms = sorted(frame["platform"].unique().to_list())
    cohorts: list[date] = sorted(frame["cohort_month"].unique().to_list())
    months_after = list(range(int(frame["months_since_first_engagement"].max()) + 1))
    fig = make_subplots(
        rows=1, cols=len(platforms), subplot_titles=[platform_name(p) for p in platforms], shared_yaxes=True
    )
    for column, platform in enumerate(platforms, start=1):
        cells = {
            (row["cohort_month"], row["months_since_first_engagement"]): row["retained"]
            for row in frame.filter(pl.col("platform") == platform).iter_rows(named=True)
        }
        # a month that has not happened for a cohort is None: drawn blank, never as 0%
        z = [[cells.get((cohort, after)) for after in months_after] for cohort in cohorts]
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=months_after,
                y=[month_label(cohort) for cohort in cohorts],
                zmin=0,
                zmax=1,
                colorscale="Blues",
                texttemplate="%{z:.0%}",
                hovertemplate="%{y} cohort, %{x} months later: %{z:.0%}<extra></extra>",
                colorbar={"title": {"text": "Retained"}, "tickformat": ".0%"},
                showscale=column == len(platforms),
                hoverongaps=False,
            ),
            row=1,
            col=column,
        )
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_yaxes(title_text="First engaged in", row=1, col=1)
    # one axis title under all the panels: a title per panel overlaps its neighbour's
    fig.add_annotation(
        text="Months since first engagement",
        x=0.5,
        y=-0.16,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": 13},
    )
    chart.figure = _style(fig)
    chart.figure.update_layout(margin={"b": 70})
    return chart


def advocacy_ladder(ctx: ReportContext) -> Chart:
    data = queries.advocacy_ladder(ctx.wh, ctx.brand_id, ctx.period)
    chart = Chart(
        "advocacy_ladder",
        "Advocacy ladder",
        "People on each rung in the latest month of the period: engaged, engaged again, advocate, lead, customer.",
        "marts.advocacy_monthly.engagers, ladder_repeat_engagers, advocates, advocate_leads, advocate_customers",
        None,
    )
    if data.empty:
        chart.note = _missing_note(data, "engagers")
        return chart
    row = data.frame.row(0, named=True)
    rungs = {
        "Engaged": row["engagers"],
        "Engaged again": row["ladder_repeat_engagers"],
        "Advocates": row["advocates"],
        "Advocates who became leads": row["advocate_leads"],
        "Advocates who became customers": row["advocate_customers"],
    }
    fig = go.Figure(go.Funnel(y=list(rungs), x=list(rungs.values()), marker_color="#4c78a8"))
    fig.update_layout(title={"text": month_label(row["activity_month"]), "font": {"size": 13}})
    fig.update_yaxes(automargin=True)
    chart.figure = _style(fig)
    return chart


def top_advocates(ctx: ReportContext) -> Chart:
    data = queries.top_advocates(ctx.wh, ctx.brand_id, ctx.period)
    chart = Chart(
        "top_advocates",
        "Top advocates in the period",
        "The brand's advocates with the most referral actions (recommendations, shout-outs, shares) in the period; "
        "employees apart from the audience. Handles are public.",
        "marts.advocacy.handle, is_advocate; marts.fct_interactions.is_referral_action",
        None,
    )
    if data.empty:
        chart.note = _missing_note(data, "referral actions by advocates")
        return chart
    frame = data.frame.with_columns(
        who=pl.lit("@") + pl.coalesce(pl.col("handle"), pl.lit("(no handle)")),
        kind=pl.when(pl.col("is_employee")).then(pl.lit("Employee")).otherwise(pl.lit("Audience")),
    ).with_columns(
        who=pl.col("who") + " (" + pl.col("platform").replace_strict(PLATFORM_NAMES, default=pl.col("platform")) + ")"
    )
    fig = go.Figure()
    for kind, shade in (("Audience", "#4c78a8"), ("Employee", "#f58518")):
        rows = frame.filter(pl.col("kind") == kind)
        if not rows.is_empty():
            fig.add_trace(
                go.Bar(
                    x=rows["referral_actions"].to_list(),
                    y=rows["who"].to_list(),
                    orientation="h",
                    name=kind,
                    marker_color=shade,
                )
            )
    fig.update_yaxes(categoryorder="array", categoryarray=frame["who"].reverse().to_list(), automargin=True)
    fig.update_xaxes(title_text="Referral actions in the period")
    chart.figure = _style(fig)
    return chart


PLATFORM_NAMES = {platform: platform_name(platform) for platform in PLATFORM_COLOURS}


def cost_per_lead(ctx: ReportContext) -> Chart:
    currency = ctx.brand.currency
    by_channel = queries.channel_cost_per_lead(ctx.wh, ctx.brand_id, ctx.period)
    by_campaign = queries.campaign_costs(ctx.wh, ctx.brand_id, ctx.period)
    chart = Chart(
        "cost_per_lead",
        "Cost per lead by channel and campaign",
        f"Left: cost per CRM lead per month and channel. Right: each campaign's spend in the period, labelled with "
        f"the CRM leads it brought and their cost. Money in {currency or 'the exports currency (none configured)'}.",
        "marts.ror_scorecard.cost_per_crm_lead; marts.cost_per_lead.spend, crm_leads",
        None,
    )
    if by_channel.empty and by_campaign.empty:
        chart.note = _missing_note(by_channel if by_channel.missing else by_campaign, "ad spend or leads")
        return chart
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("Cost per CRM lead by month", "Spend by campaign in the period"),
        horizontal_spacing=0.25,
    )
    prefix = money_prefix(currency)
    if not by_channel.empty:
        for index, ((channel,), rows) in enumerate(
            by_channel.frame.drop_nulls("cost_per_crm_lead").group_by("channel", maintain_order=True)
        ):
            fig.add_trace(
                go.Bar(
                    x=[month_label(m) for m in rows["activity_month"].to_list()],
                    y=rows["cost_per_crm_lead"].to_list(),
                    name=channel_name(channel),
                    marker_color=["#4c78a8", "#f58518", "#54a24b"][index % 3],
                    texttemplate=prefix + "%{y:,.0f}",
                    textposition="outside",
                    cliponaxis=False,
                ),
                row=1,
                col=1,
            )
        fig.update_xaxes(type="category", row=1, col=1)
        fig.update_yaxes(title_text=money_title("Cost per CRM lead", currency), row=1, col=1, rangemode="tozero")
    if not by_campaign.empty:
        campaigns = (
            by_campaign.frame.with_columns(name=pl.coalesce("campaign_name", "utm_campaign", pl.lit("(no campaign)")))
            .group_by("name")
            .agg(pl.col("spend", "crm_leads").sum())
            .filter(pl.col("spend") > 0)  # organic campaigns have leads but no spend: the left panel counts them
            .sort("spend")
        )
        labels = [
            f"{leads:,} leads" + (f", {prefix}{spend / leads:,.0f} each" if leads else "")
            for spend, leads in zip(campaigns["spend"].fill_null(0), campaigns["crm_leads"].fill_null(0), strict=True)
        ]
        fig.add_trace(
            go.Bar(
                x=campaigns["spend"].to_list(),
                y=campaigns["name"].to_list(),
                orientation="h",
                text=labels,
                textposition="auto",
                name="Campaign spend",
                marker_color="#9ecae9",
                showlegend=False,
            ),
            row=1,
            col=2,
        )
        fig.update_xaxes(title_text=money_title("Spend", currency), tickprefix=prefix, row=1, col=2)
        fig.update_yaxes(automargin=True, row=1, col=2)
    fig.update_layout(barmode="group")
    chart.figure = _style(fig, height=400)
    chart.wide = True
    return chart


ROR_ROI_MEASURES = {
    "net_sentiment": "Net sentiment",
    "brand_response_rate": "Response rate",
    "referral_rate": "Referral rate",
    "cash_roi": "Cash ROI",
    "lead_cohort_roi": "Lead-cohort ROI",
}


def ror_beside_roi(ctx: ReportContext) -> Chart:
    data = queries.ror_beside_roi(ctx.wh, ctx.brand_id, ctx.period)
    chart = Chart(
        "ror_beside_roi",
        "ROR beside ROI, month by month",
        "Three relationship measures (blue) beside two returns on ad spend (orange), all channels together, all in "
        "percent: an ROI of 150% means every unit spent came back 2.5 times.",
        "marts.ror_scorecard.net_sentiment, brand_response_rate, referral_rate, cash_roi, lead_cohort_roi "
        "(channel = 'all')",
        None,
    )
    if data.empty:
        chart.note = _missing_note(data, "scorecard months")
        return chart
    rows = data.frame.filter(pl.col("channel") == "all").sort("activity_month")
    if rows.is_empty():
        chart.note = "No scorecard months for this brand in this period."
        return chart
    fig = make_subplots(
        rows=1,
        cols=len(ROR_ROI_MEASURES),
        subplot_titles=list(ROR_ROI_MEASURES.values()),
        horizontal_spacing=0.05,
    )
    for column, (measure, label) in enumerate(ROR_ROI_MEASURES.items(), start=1):
        fig.add_trace(
            go.Bar(
                x=[month_label(m) for m in rows["activity_month"].to_list()],
                y=rows[measure].to_list(),
                name=label,
                marker_color="#f58518" if measure.endswith("roi") else "#4c78a8",
                texttemplate="%{y:.0%}",
                textposition="outside",
                cliponaxis=False,
                showlegend=False,
            ),
            row=1,
            col=column,
        )
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_xaxes(type="category")
    chart.figure = _style(fig, height=340)
    chart.wide = True
    return chart


CHARTS: list[Callable[[ReportContext], Chart]] = [
    net_sentiment,
    emotion_mix,
    engagement_per_post,
    response_times,
    service_levels,
    community_growth,
    cohort_retention,
    advocacy_ladder,
    top_advocates,
    cost_per_lead,
    ror_beside_roi,
]
