"""What people talk about (the brand's themes over the period, with example messages) and how the brand stands beside
the competitors it tracks (share of voice). Theme labels and party names stand in for ids; like the best and worst
moments, the examples quote what a message says (contact details masked by the mart), where and when, and link to
it."""

from __future__ import annotations

import html
from collections.abc import Callable

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from report import queries
from report.charts import FALLBACK_COLOURS, Chart, ReportContext, _missing_note, _style
from report.labels import interaction_kind, percent, platform_name
from report.moments import message_html

THEME_COLOURS = ["#4c78a8", "#f58518", "#54a24b", "#b279a2", "#e45756", "#72b7b2", "#9d755d", "#bab0ac"]
SENTIMENT_COLOURS = {"good": "#059669", "bad": "#dc2626", "flat": "#9ca3af"}
BRAND_COLOUR = "#1d2330"


def _sentiment_colour(net: float | None) -> str:
    if net is None or net == 0:
        return SENTIMENT_COLOURS["flat"]
    return SENTIMENT_COLOURS["good"] if net > 0 else SENTIMENT_COLOURS["bad"]


def _theme_examples(ctx: ReportContext, themes: pl.DataFrame) -> str:
    found = queries.theme_examples(ctx.wh, ctx.brand_id, ctx.period, themes["theme_id"].to_list())
    examples: dict[str, list[str]] = {}
    for row in [] if found.empty else found.frame.iter_rows(named=True):
        kind = interaction_kind(row["interaction_type"]).capitalize()
        when = row["created_at_utc"].strftime("%d %b %H:%M UTC")
        tone = f", {row['sentiment_label']}" if row["sentiment_label"] else ""
        meta = f"{html.escape(kind)} on {html.escape(platform_name(row['platform']))}, {when}{html.escape(tone)}"
        examples.setdefault(row["theme_id"], []).append(f'<div class="example">{message_html(row, meta)}</div>')
    rows = []
    for theme in themes.iter_rows(named=True):
        shown = examples.get(theme["theme_id"])
        rows.append(
            f"<tr><td>{html.escape(theme['theme_label'])}</td><td class='num'>{theme['period_interactions']:,}</td>"
            f"<td class='num'>{percent(theme['period_net_sentiment'])}</td>"
            f"<td>{''.join(shown) if shown else '<span class=nolink>no example in the period</span>'}</td></tr>"
        )
    return (
        "<h3>Example messages per theme</h3><table class='themes'><thead><tr><th>Theme</th>"
        "<th class='num'>Interactions</th><th class='num'>Net sentiment</th><th>Examples</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def themes(ctx: ReportContext) -> Chart:
    data = queries.theme_weeks(ctx.wh, ctx.brand_id, ctx.period)
    chart = Chart(
        "themes",
        "What people talk about",
        f"The themes the audience raised most in the period (up to {queries.TOP_THEMES}): interactions per week "
        "(left) and net sentiment over the whole period (right: green leans positive, red negative).",
        "marts.theme_trend.audience_interactions, positive_interactions, negative_interactions, "
        "sentiment_scored_interactions; marts.dim_themes.theme_label; marts.fct_interactions.theme_id",
        None,
        wide=True,
    )
    if data.empty:
        chart.note = _missing_note(data, "themed interactions")
        return chart
    frame = data.frame
    fig = make_subplots(
        rows=1, cols=2, column_widths=[0.62, 0.38], subplot_titles=["Interactions per week", "Net sentiment"]
    )
    totals = frame.unique("theme_id", keep="first", maintain_order=True)
    for index, theme in enumerate(totals.iter_rows(named=True)):
        weeks = frame.filter(pl.col("theme_id") == theme["theme_id"])
        fig.add_trace(
            go.Scatter(
                x=weeks["week_start_date"].to_list(),
                y=weeks["audience_interactions"].to_list(),
                mode="lines+markers",
                name=theme["theme_label"],
                line={"color": THEME_COLOURS[index % len(THEME_COLOURS)]},
                customdata=[percent(v) for v in weeks["net_sentiment"].to_list()],
                hovertemplate="%{x|%d %b}: %{y:,} interactions, net sentiment %{customdata}",
            ),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Bar(
            x=totals["period_net_sentiment"].to_list(),
            y=totals["theme_label"].to_list(),
            orientation="h",
            marker_color=[_sentiment_colour(v) for v in totals["period_net_sentiment"].to_list()],
            showlegend=False,
            name="Net sentiment",
            hovertemplate="%{y}: %{x:.0%}",
        ),
        row=1,
        col=2,
    )
    fig.update_xaxes(title_text="Week starting", tickformat="%d %b", row=1, col=1)
    fig.update_yaxes(title_text="Audience interactions", row=1, col=1)
    fig.update_xaxes(title_text="Net sentiment (%)", tickformat=".0%", row=1, col=2)
    # the theme labels on the outer side: on the inner side they ran over the weekly chart at print width
    fig.update_yaxes(autorange="reversed", automargin=True, side="right", row=1, col=2)
    chart.figure = _style(fig, height=420)
    # below the axis titles, which two rows of theme names would otherwise cover
    chart.figure.update_layout(legend={"y": -0.28})
    chart.details = _theme_examples(ctx, totals)
    return chart


def share_of_voice(ctx: ReportContext) -> Chart:
    data = queries.share_of_voice(ctx.wh, ctx.brand_id, ctx.period)
    chart = Chart(
        "share_of_voice",
        "You and your competitors",
        "Each week, the brand and each competitor it tracks: its share of the public mentions of all of them, the net "
        "sentiment of those mentions, and the share of questions and complaints it answered. The brand is the dark "
        "line.",
        "marts.share_of_voice.mentions, group_mentions, positive_mentions, negative_mentions, "
        "sentiment_scored_mentions, mentions_answered, mentions_expecting_response, tracked_name",
        None,
        wide=True,
    )
    if data.empty:
        chart.note = _missing_note(data, "mentions of the brand or its competitors")
        return chart
    measures = {
        "share_of_mentions": "Share of mentions",
        "net_sentiment": "Net sentiment",
        "response_rate": "Response rate",
    }
    fig = make_subplots(rows=1, cols=3, subplot_titles=list(measures.values()))
    parties = data.frame.unique("party", keep="first", maintain_order=True)
    for index, party in enumerate(parties.iter_rows(named=True)):
        weeks = data.frame.filter(pl.col("party") == party["party"])
        is_brand = party["tracked_kind"] == "brand"
        line = {"color": BRAND_COLOUR if is_brand else FALLBACK_COLOURS[index % len(FALLBACK_COLOURS)]}
        line["width"] = 3 if is_brand else 2
        for column, (measure, title) in enumerate(measures.items(), start=1):
            fig.add_trace(
                go.Scatter(
                    x=weeks["week_start_date"].to_list(),
                    y=weeks[measure].to_list(),
                    mode="lines+markers",
                    name=party["party"] + (" (you)" if is_brand else ""),
                    legendgroup=party["party"],
                    showlegend=column == 1,
                    line=line,
                    hovertemplate=f"%{{x|%d %b}}: {title.lower()} %{{y:.0%}}",
                ),
                row=1,
                col=column,
            )
            fig.update_yaxes(title_text=f"{title} (%)", tickformat=".0%", row=1, col=column)
            fig.update_xaxes(title_text="Week starting", tickformat="%d %b", row=1, col=column)
    # shares and rates stay within 0-100%; net sentiment may go down to -100%
    fig.update_yaxes(range=[0, 1.05], row=1, col=1)
    fig.update_yaxes(range=[0, 1.05], row=1, col=3)
    chart.figure = _style(fig, height=380)
    if parties.height == 1:
        chart.caption += " No competitor is tracked for this brand yet: add its competitors to the configuration."
    return chart


CONVERSATION_CHARTS: list[Callable[[ReportContext], Chart]] = [themes, share_of_voice]
