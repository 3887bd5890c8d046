"""The best and worst moments of the period, with example messages, and the brand's top posts: what was said (the
mart's message_text, contact details masked), where, when, and a link to open it on the platform. No author is
named: a forwarded report quotes messages, not people."""

from __future__ import annotations

import html
from datetime import date

from report import queries
from report.charts import ReportContext
from report.labels import day_label, interaction_kind, message_excerpt, percent, platform_name, public_link


def _link(platform: str, native_id: str, is_post: bool, permalink: str | None = None) -> str:
    url = public_link(platform, native_id, is_post, permalink)
    if url is None:
        return f'<span class="nolink">no public link for {html.escape(platform_name(platform))}</span>'
    return f'<a href="{html.escape(url)}" rel="noopener noreferrer">open on {html.escape(platform_name(platform))}</a>'


def _flags(row: dict) -> str:
    flags = [name for name in ("question", "complaint", "praise") if row.get(f"is_{name}")]
    emotion = row.get("emotion_label")
    return ", ".join(([emotion] if emotion else []) + flags)


def quoted(text: str | None) -> str:
    """A message's words as a quote on the page, or what stands in for a message without text."""
    excerpt = message_excerpt(text)
    if excerpt is None:
        return '<span class="nolink">no text</span>'
    return f'<q class="message">{html.escape(excerpt)}</q>'


def message_html(row: dict, meta: str) -> str:
    """One example message: its words, then what it is, where and when (``meta``, already escaped) and its link."""
    link = _link(row["platform"], row["interaction_id"], row["interaction_type"] == "post", row.get("permalink"))
    return f'{quoted(row["message_text"])}<span class="meta">{meta} · {link}</span>'


def _examples(ctx: ReportContext, day: date, sentiment: str) -> str:
    found = queries.example_messages(ctx.wh, ctx.brand_id, day, sentiment)
    if found.empty:
        return "<p class='note'>No example message that day.</p>"
    items = []
    for row in found.frame.iter_rows(named=True):
        kind = interaction_kind(row["interaction_type"]).capitalize()
        time = row["created_at_utc"].strftime("%H:%M UTC")
        flags = _flags(row)
        meta = f"{html.escape(kind)} on {html.escape(platform_name(row['platform']))} at {time}" + (
            f" ({html.escape(flags)})" if flags else ""
        )
        items.append(f'<li class="example">{message_html(row, meta)}</li>')
    return f'<ul class="examples">{"".join(items)}</ul>'


def moments_html(ctx: ReportContext) -> str:
    days = queries.daily_net_sentiment(ctx.wh, ctx.brand_id, ctx.period)
    if days.empty:
        return ""
    worst, best = days.frame.row(0, named=True), days.frame.row(-1, named=True)
    moments = [("Best day", best, "positive", "good")]
    if worst["activity_date"] != best["activity_date"]:  # one day alone is not both
        moments.append(("Worst day", worst, "negative", "bad"))
    blocks = []
    for title, day, sentiment, tone in moments:
        blocks.append(
            f'<div class="moment {tone}"><h3>{title}: {html.escape(day_label(day["activity_date"]))}</h3>'
            f"<p>Net sentiment {percent(day['net_sentiment'])} over {day['scored']:,} scored interactions. "
            f"The clearest {sentiment} messages that day:</p>{_examples(ctx, day['activity_date'], sentiment)}</div>"
        )
    return (
        '<section class="moments wide" id="moments"><h2>Best and worst moments</h2>'
        '<p class="what">The days of the period with the highest and lowest net sentiment (days with at least '
        f"{queries.MOMENT_MIN_SCORED} scored interactions), and the audience messages that weighed most, as written "
        "(e-mail addresses and phone numbers masked; long ones cut: open them on the platform to read them whole).</p>"
        f'<div class="pair">{"".join(blocks)}</div></section>'
    )


def top_posts_html(ctx: ReportContext) -> str:
    found = queries.top_posts(ctx.wh, ctx.brand_id, ctx.period)
    if found.empty:
        return ""
    rows = []
    for row in found.frame.iter_rows(named=True):
        post = {**row, "interaction_id": row["post_id"], "interaction_type": "post"}
        rows.append(
            f"<tr><td>{html.escape(row['created_at_utc'].strftime('%d %b %Y'))}</td>"
            f"<td>{html.escape(platform_name(row['platform']))}</td>"
            f"<td class='post'>{message_html(post, html.escape(row['campaign_name'] or 'no campaign'))}</td>"
            f"<td class='num'>{row['engagements']:,}</td><td class='num'>{row['audience_comments_and_replies']:,}</td>"
            f"<td class='num'>{row['amplifications']:,}</td><td class='num'>{row['applause']:,}</td></tr>"
        )
    return (
        '<section class="top-posts wide" id="top-posts"><h2>Top posts</h2>'
        "<p class='what'>The brand's own posts of the period that drew the most engagement from the audience, each "
        "with its campaign and a link to open it.</p>"
        "<table><thead><tr><th>Posted</th><th>Platform</th><th>Post</th><th class='num'>Engagements</th>"
        "<th class='num'>Comments and replies</th><th class='num'>Shares and quotes</th><th class='num'>Likes</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )
