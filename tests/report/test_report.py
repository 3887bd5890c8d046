"""The ROR report: one self-contained HTML page per brand, every chart named after its mart columns, drawn by a real
browser with no network."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest
from support.browser import open_page

from report import Period, UnknownBrandError, write_reports
from report.charts import CHARTS, net_sentiment
from report.queries import Warehouse

FIXTURE_PERIOD = Period(date(2026, 2, 1), date(2026, 3, 10))


def test_one_report_per_brand_each_chart_citing_its_mart(serving_file: Path, tmp_path: Path) -> None:
    reports = write_reports(serving_file, tmp_path, period=FIXTURE_PERIOD)
    with duckdb.connect(str(serving_file), read_only=True) as con:
        brands = sorted(b for (b,) in con.execute("select distinct brand_id from marts.ror_scorecard").fetchall())
    assert sorted(r.brand for r in reports) == brands
    page = reports[0].path.read_text()
    assert page.count("<section") == len(CHARTS)
    assert len(re.findall(r"Source: <code>marts\.[a-z_]+\.", page)) == len(CHARTS)
    # Nothing is fetched: no external scripts, styles or images.
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=", page)


def test_unknown_brand_names_the_known_ones(serving_file: Path, tmp_path: Path) -> None:
    with pytest.raises(UnknownBrandError, match="known brands: "):
        write_reports(serving_file, tmp_path, brand="no-such-brand")


def test_a_mart_without_a_column_leaves_its_chart_out_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.sentiment_trend as select date '2026-03-01' as activity_date, 'acme' brand_id")
        chart = net_sentiment(Warehouse(con), "acme", FIXTURE_PERIOD)
    assert chart.figure is None
    assert "marts.sentiment_trend.net_sentiment_7d" in chart.note


def test_report_draws_every_chart_in_headless_chromium(serving_file: Path, tmp_path: Path) -> None:
    (report,) = write_reports(serving_file, tmp_path, brand="northwind", period=FIXTURE_PERIOD)
    assert report.charts_drawn >= 6, "the fixture warehouse should feed most charts"
    # ROR_SCREENSHOT_DIR keeps the picture (the README's docs/report.png is taken this way from the demo warehouse).
    screenshot = Path(os.environ.get("ROR_SCREENSHOT_DIR", tmp_path)) / "report.png"
    with open_page(report.path.as_uri(), screenshot=screenshot) as (page, problems):
        sections = page.evaluate(
            """() => [...document.querySelectorAll('section')].map(s => ({
                id: s.id, state: s.dataset.chart,
                svgs: s.querySelectorAll('svg.main-svg').length,
                marks: s.querySelectorAll('g.trace, g.heatmaplayer image').length}))"""
        )
    assert problems.console_errors == []
    assert problems.failed_requests == []
    drawn = [s for s in sections if s["state"] == "drawn"]
    assert len(drawn) == report.charts_drawn
    assert all(s["svgs"] > 0 and s["marks"] > 0 for s in drawn), drawn
    assert screenshot.stat().st_size > 10_000


def test_net_sentiment_says_how_many_interactions_were_left_out_for_their_language(tmp_path: Path) -> None:
    path = tmp_path / "languages.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.sentiment_trend as select * from (values "
            "(date '2026-03-01', 'acme', 'x', 'A', 'account', 0.5, 0.5, false, 4, 2), "
            "(date '2026-03-02', 'acme', 'x', 'A', 'account', 0.0, 0.25, false, 2, 1)) as t(activity_date, brand_id, "
            "platform, account_id, campaign_scope, net_sentiment, net_sentiment_7d, is_negative_spike, "
            "sentiment_scored_interactions, interactions_not_scored_language)"
        )
        chart = net_sentiment(Warehouse(con), "acme", FIXTURE_PERIOD)
    assert chart.figure is not None
    assert chart.caption.endswith("Left out: 3 interactions in languages the models do not score.")
