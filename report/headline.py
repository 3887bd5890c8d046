"""The headline block: this period against the previous one, each measure with an arrow that says whether the move is
good news, and the biggest movers in a sentence each."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from report import queries
from report.labels import duration, interaction_kind, message_excerpt, money, percent, platform_name
from report.queries import BrandProfile, Period, Warehouse


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    kind: str  # rate (a ratio shown in %), roi (a ratio shown in %), minutes, count, money
    better: int  # +1: up is good, -1: down is good, 0: neither
    explain: str


MEASURES = [
    Measure(
        "net_sentiment",
        "Net sentiment",
        "rate",
        1,
        "share of positive minus share of negative audience interactions",
    ),
    Measure(
        "brand_response_rate",
        "Questions and complaints answered",
        "rate",
        1,
        "share the brand's own accounts answered",
    ),
    Measure(
        "median_first_response_minutes",
        "Median time to first reply",
        "minutes",
        -1,
        "to a question or complaint, wall clock",
    ),
    Measure("referral_actions", "Referral actions", "count", 1, "recommendations, shout-outs and shares"),
    Measure("audience_interactions", "Audience interactions", "count", 0, "comments, replies, mentions, shares"),
    Measure("cash_roi", "Cash ROI", "roi", 1, "(revenue - ad spend) / ad spend, in percent"),
    Measure("cost_per_crm_lead", "Cost per CRM lead", "money", -1, "ad spend / leads in the CRM"),
    Measure("spend", "Ad spend", "money", 0, "paid social"),
    Measure("revenue", "Revenue", "money", 1, "deals closed in the CRM"),
]


@dataclass(frozen=True)
class Move:
    measure: Measure
    now: float | None
    before: float | None

    @property
    def change(self) -> float | None:
        if self.now is None or self.before is None:
            return None
        return self.now - self.before

    @property
    def relative(self) -> float | None:
        if self.change is None or not self.before:
            return None
        return self.change / abs(self.before)

    @property
    def tone(self) -> str:
        if not self.change or self.measure.better == 0:
            return "flat" if not self.change else "neutral"
        return "good" if self.change * self.measure.better > 0 else "bad"


def _formatter(measure: Measure, currency: str | None) -> Callable[[float | None], str]:
    return {
        "rate": lambda v: percent(v, 1),
        "roi": lambda v: percent(v),
        "minutes": duration,
        "count": lambda v: "–" if v is None else f"{v:,.0f}",
        "money": lambda v: money(v, currency, 2 if v is not None and abs(v) < 100 else 0),
    }[measure.kind]


def _change_text(move: Move) -> str:
    if move.change is None:
        return "no comparison"
    if move.measure.kind in ("rate", "roi"):
        return f"{move.change * 100:+,.1f} points"
    return "no change" if move.relative is None and not move.change else f"{(move.relative or 0) * 100:+,.0f}%"


def moves(wh: Warehouse, brand: str, period: Period) -> list[Move] | None:
    data = queries.headline(wh, brand, period)
    if data.empty:
        return None
    rows = {row["period"]: row for row in data.frame.iter_rows(named=True)}
    return [Move(m, rows["this"].get(m.key), rows["previous"].get(m.key)) for m in MEASURES]


def spike_explanations(wh: Warehouse, brand: str, period: Period, themes_per_day: int = 3) -> dict[date, str]:
    """Per negative spike day of the period, the themes most over-represented that day: "'late delivery' x4.1"."""
    found = queries.spike_themes(wh, brand, period)
    if found.empty:
        return {}
    return {
        day: ", ".join(
            f"'{row['theme_label']}' x{row['lift']:.1f}" for row in rows.head(themes_per_day).iter_rows(named=True)
        )
        for (day,), rows in found.frame.group_by("activity_date", maintain_order=True)
    }


# a spike's example is read in a line of the headline or a hover box: shorter than a full example message
SPIKE_EXAMPLE_CHARS = 140


def spike_example_quotes(wh: Warehouse, brand: str, period: Period) -> dict[date, str]:
    """Per negative spike day of the period, one message of its leading theme as a reader quotes it:
    '"Still waiting for my order" (reply on X)'."""
    found = queries.spike_examples(wh, brand, period)
    return {
        row["activity_date"]: f"\u201c{message_excerpt(row['message_text'], SPIKE_EXAMPLE_CHARS)}\u201d "
        f"({interaction_kind(row['interaction_type'])} on {platform_name(row['platform'])})"
        for row in ([] if found.empty else found.frame.iter_rows(named=True))
    }


def _spike_sentences(wh: Warehouse, brand: str, period: Period) -> list[str]:
    examples = spike_example_quotes(wh, brand, period)
    return [
        f'<li class="bad">Negative spike on {day.strftime("%b")} {day.day}: {html.escape(themes)}.'
        + (f' For example: <span class="quote">{html.escape(examples[day])}</span>' if day in examples else "")
        + "</li>"
        for day, themes in spike_explanations(wh, brand, period).items()
    ]


def _theme_sentences(wh: Warehouse, brand: str, period: Period) -> list[str]:
    found = queries.theme_movers(wh, brand, period)
    return [
        f"<li>People talked {'more' if row['now'] > row['before'] else 'less'} about "
        f"'{html.escape(row['theme_label'])}': {row['now']:,} interactions, was {row['before']:,}.</li>"
        for row in ([] if found.empty else found.frame.iter_rows(named=True))
    ]


def headline_html(wh: Warehouse, brand: BrandProfile, period: Period) -> str:
    found = moves(wh, brand.brand_id, period)
    if found is None:
        return ""
    tiles = []
    for move in found:
        show = _formatter(move.measure, brand.currency)
        arrow = "" if move.change is None or not move.change else ("▲" if move.change > 0 else "▼")
        tiles.append(
            f'<div class="tile {move.tone}"><div class="label">{html.escape(move.measure.label)}</div>'
            f'<div class="value">{html.escape(show(move.now))}</div>'
            f'<div class="change">{arrow} {html.escape(_change_text(move))} '
            f'<span class="was">(was {html.escape(show(move.before))})</span></div>'
            f'<div class="explain">{html.escape(move.measure.explain)}</div></div>'
        )
    movers = sorted(
        (m for m in found if m.relative is not None and m.measure.better != 0 and m.change),
        key=lambda m: abs(m.relative),
        reverse=True,
    )[:3]
    sentences = (
        [
            f'<li class="{m.tone}">{html.escape(m.measure.label)} {"rose" if m.change > 0 else "fell"} from '
            f"{html.escape(_formatter(m.measure, brand.currency)(m.before))} to "
            f"{html.escape(_formatter(m.measure, brand.currency)(m.now))} ({html.escape(_change_text(m))}): "
            f"{'good news' if m.tone == 'good' else 'worth a look'}.</li>"
            for m in movers
        ]
        + _theme_sentences(wh, brand.brand_id, period)
        + _spike_sentences(wh, brand.brand_id, period)
    )
    previous = period.previous()
    return (
        f'<section class="headline wide" id="headline"><h2>This period against the previous one</h2>'
        f'<p class="what">{period} against {previous}. ▲▼ say which way a measure moved; green is good news, red '
        f"is worth a look. Rates and ROI are in percent, their changes in percentage points.</p>"
        f'<div class="tiles">{"".join(tiles)}</div>'
        + (f'<h3>Biggest movers and why</h3><ul class="movers">{"".join(sentences)}</ul>' if sentences else "")
        + "</section>"
    )
