"""The report's "What people talk about" (themes, with example messages) and "You and your competitors" (share of
voice), and the negative spikes that name their themes: drawn in a real browser, in labels and names, never ids."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
from support.browser import open_page
from test_report import FIXTURE_PERIOD, OUTSIDE_THE_DATA, RAW_ID, SNAKE_CASE, VISIBLE_TEXT

from report import queries, write_reports
from report.charts import ReportContext, net_sentiment
from report.conversation import themes
from report.headline import headline_html, spike_example_quotes, spike_explanations
from report.queries import Warehouse

SECTION_TEXT = "(id) => document.getElementById(id).innerText"


def test_themes_and_competitors_draw_in_headless_chromium_with_labels_not_ids(
    serving_file: Path, tmp_path: Path
) -> None:
    with duckdb.connect(str(serving_file), read_only=True) as con:
        labels = dict(con.execute("select theme_id, theme_label from marts.dim_themes").fetchall())
        parties = {
            n
            for (n,) in con.execute(
                "select tracked_name from marts.share_of_voice where brand_id = 'northwind'"
            ).fetchall()
        }
    (report,) = write_reports(serving_file, tmp_path, brand="northwind", period=FIXTURE_PERIOD)
    with open_page(report.path.as_uri(), screenshot=tmp_path / "report.png") as (page, problems):
        states = {
            key: page.evaluate(f"() => document.getElementById('section-{key}').dataset.chart")
            for key in ("themes", "share_of_voice")
        }
        marks = {key: page.locator(f"#section-{key} g.trace").count() for key in ("themes", "share_of_voice")}
        themes_text = page.evaluate(SECTION_TEXT, "section-themes")
        voice_text = page.evaluate(SECTION_TEXT, "section-share_of_voice")
        svg_text = page.evaluate(VISIBLE_TEXT)
        examples = page.locator("#section-themes table.themes tbody tr").count()
    assert problems.console_errors == [] and problems.failed_requests == []
    assert states == {"themes": "drawn", "share_of_voice": "drawn"}
    assert all(count > 0 for count in marks.values()), marks
    assert "What people talk about" in themes_text and "You and your competitors" in voice_text
    assert any(label in themes_text for label in labels.values())
    assert not any(theme_id in svg_text for theme_id in labels if theme_id not in labels.values())
    assert 0 < examples <= queries.TOP_THEMES
    assert parties and all(party in svg_text for party in parties)
    assert SNAKE_CASE.findall(svg_text) == []
    assert RAW_ID.findall(svg_text) == []


def test_themes_and_share_of_voice_read_only_the_period(serving_file: Path) -> None:
    with duckdb.connect(str(serving_file), read_only=True) as con:
        wh = Warehouse(con)
        inside = [read(wh, "northwind", FIXTURE_PERIOD) for read in (queries.theme_weeks, queries.share_of_voice)]
        outside = [read(wh, "northwind", OUTSIDE_THE_DATA) for read in (queries.theme_weeks, queries.share_of_voice)]
        examples = queries.theme_examples(wh, "northwind", OUTSIDE_THE_DATA, ["t1"])
    assert not any(extract.empty for extract in inside)
    assert all(extract.empty and not extract.missing for extract in outside + [examples])


def test_share_of_voice_sums_the_platforms_before_dividing(serving_file: Path) -> None:
    with duckdb.connect(str(serving_file), read_only=True) as con:
        week, party, mentions, group = con.execute(
            "select week_start_date, tracked_id, sum(mentions), sum(group_mentions) from marts.share_of_voice "
            "where brand_id = 'northwind' and week_start_date between ? and ? and group_mentions > 0 "
            "group by all order by 1, 2 limit 1",
            [FIXTURE_PERIOD.start, FIXTURE_PERIOD.end],
        ).fetchone()
        voice = queries.share_of_voice(Warehouse(con), "northwind", FIXTURE_PERIOD).frame
    (row,) = (
        voice.filter((voice["week_start_date"] == week) & (voice["mentions"] == mentions)).head(1).iter_rows(named=True)
    )
    assert row["share_of_mentions"] == mentions / group, party


def _spiky_warehouse(path: Path) -> Warehouse:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        "create table marts.sentiment_trend as select * from (values "
        "(date '2026-03-01', 'acme', 'x', 'A', 'account', 0.5, 0.5, false, 4, 0), "
        "(date '2026-03-02', 'acme', 'x', 'A', 'account', -0.6, -0.1, true, 10, 0)) as t(activity_date, brand_id, "
        "platform, account_id, campaign_scope, net_sentiment, net_sentiment_7d, is_negative_spike, "
        "sentiment_scored_interactions, interactions_not_scored_language)"
    )
    con.execute(
        "create table marts.spike_explanations as select * from (values "
        "(date '2026-03-02', 'acme', 'negative', 1, 'late delivery', 4, 4.1, 'x:late1'), "
        "(date '2026-03-02', 'acme', 'negative', 2, 'refund', 3, 2.0, 'x:refund1'), "
        "(date '2026-03-02', 'acme', 'volume', 1, 'new menu', 9, 7.0, 'x:menu1')) "
        "as t(activity_date, brand_id, spike_kind, theme_rank, theme_label, theme_interactions, lift, "
        "example_interaction_key_1)"
    )
    con.execute(
        "create table marts.fct_interactions as select * from (values "
        "('x:late1', 'x', 'mention', 'Still no parcel after 9 days <sigh>'), ('x:refund1', 'x', 'reply', 'Refund?'), "
        "('x:menu1', 'x', 'mention', 'New menu!')) as t(interaction_key, platform, interaction_type, message_text)"
    )
    return Warehouse(con)


def test_negative_spike_markers_and_the_headline_name_the_themes_behind_them(tmp_path: Path) -> None:
    wh = _spiky_warehouse(tmp_path / "spiky.duckdb")
    ctx = ReportContext(wh, wh.brand_profile("acme"), FIXTURE_PERIOD, {})
    chart = net_sentiment(ctx)
    (marker,) = [trace for trace in chart.figure.data if trace.name == "Negative spike"]
    # the leading theme's example message, escaped for plotly's HTML hover text
    assert list(marker.customdata) == [
        "'late delivery' x4.1, 'refund' x2.0"
        "<br>e.g. \u201cStill no parcel after 9 days &lt;sigh&gt;\u201d (mention on X)"
    ]
    assert spike_explanations(wh, "acme", FIXTURE_PERIOD) == {date(2026, 3, 2): "'late delivery' x4.1, 'refund' x2.0"}
    # the headline's spike sentence quotes the same message
    assert spike_example_quotes(wh, "acme", FIXTURE_PERIOD) == {
        date(2026, 3, 2): "\u201cStill no parcel after 9 days <sigh>\u201d (mention on X)"
    }


def test_a_spike_day_outside_the_period_is_not_explained(tmp_path: Path) -> None:
    wh = _spiky_warehouse(tmp_path / "spiky.duckdb")
    assert queries.spike_themes(wh, "acme", OUTSIDE_THE_DATA).empty
    assert queries.spike_themes(wh, "acme", FIXTURE_PERIOD).frame["activity_date"].to_list() == [date(2026, 3, 2)] * 2


def test_the_headline_says_which_themes_moved(serving_file: Path) -> None:
    with duckdb.connect(str(serving_file), read_only=True) as con:
        wh = Warehouse(con)
        (label, now) = con.execute(
            "select theme_label, sum(trend.audience_interactions) from marts.theme_trend as trend "
            "join marts.dim_themes using (theme_id) where trend.brand_id = 'northwind' "
            "and week_start_date between ? and ? "
            "group by all order by 2 desc, 1 limit 1",
            [FIXTURE_PERIOD.start - timedelta(days=6), FIXTURE_PERIOD.end],
        ).fetchone()
        headline = headline_html(wh, wh.brand_profile("northwind"), FIXTURE_PERIOD)
    # the fixture has no themed interaction before the period: every theme is new
    assert f"People talked more about '{label}': {now:,} interactions, was 0." in headline


def test_theme_labels_stand_on_the_outer_side_of_the_sentiment_bars(serving_file: Path) -> None:
    """At print width, labels on the inner side ran over the weekly chart beside them."""
    with duckdb.connect(str(serving_file), read_only=True) as con:
        wh = Warehouse(con)
        chart = themes(ReportContext(wh, wh.brand_profile("northwind"), FIXTURE_PERIOD, {}))
    (bars,) = [trace for trace in chart.figure.data if trace.type == "bar"]
    assert chart.figure.layout[bars.yaxis.replace("y", "yaxis")].side == "right"
