"""The ROR report: one self-contained HTML page per brand, in the words and units a marketing lead forwards, drawn by a
real browser with no network; its PDF; and each warehouse's reports in a folder of their own."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pytest
from support.browser import chromium_path, open_page

from orchestration.cli import EXIT_INPUT, main
from report import Period, PeriodWithoutDataError, UnknownBrandError, queries, write_reports
from report.charts import ReportContext, cohort_retention, net_sentiment, service_levels
from report.pdf import ChromiumMissingError
from report.queries import BrandProfile, Warehouse
from report.render import SECTIONS

FIXTURE_PERIOD = Period(date(2026, 2, 1), date(2026, 3, 10))
OUTSIDE_THE_DATA = Period(date(2030, 1, 1), date(2030, 1, 31))
# what a column name or a raw platform id looks like on a page
SNAKE_CASE = re.compile(r"(?<![@\w])[a-z0-9]+(?:_[a-z0-9]+)+\b")  # a public @handle may have one
RAW_ID = re.compile(r"\b\d{12,}\b")
# the page's own words: quoted messages (links, hashtags, order numbers as people wrote them) are left out
VISIBLE_TEXT = """() => [...document.querySelectorAll('q.message, .quote')].map(q => q.innerText)
    .reduce((text, quote) => text.replace(quote, ''), document.body.innerText) + '\\n' +
    [...document.querySelectorAll('svg text')].map(t => t.textContent).join('\\n')"""


def test_one_report_per_brand_each_chart_citing_its_mart(serving_file: Path, tmp_path: Path) -> None:
    reports = write_reports(serving_file, tmp_path, period=FIXTURE_PERIOD)
    with duckdb.connect(str(serving_file), read_only=True) as con:
        brands = sorted(b for (b,) in con.execute("select distinct brand_id from marts.ror_scorecard").fetchall())
    assert sorted(r.brand for r in reports) == brands
    page = reports[0].path.read_text()
    assert len(re.findall(r'<section id="section-[a-z_]+"', page)) == len(SECTIONS)
    assert len(re.findall(r'data-source="marts\.[a-z_]+\.', page)) == len(SECTIONS)
    # Nothing is fetched: no external scripts, styles or images.
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=", page)


def test_the_report_names_the_brand_as_configured_and_its_money_in_its_currency(
    serving_file: Path, tmp_path: Path
) -> None:
    (report,) = write_reports(serving_file, tmp_path, brand="northwind", period=FIXTURE_PERIOD)
    page = report.path.read_text()
    assert "<h1>Return on Relationship: Northwind Coffee</h1>" in page
    assert "£" in page and "GBP" in page  # the fixture configuration gives northwind currency: GBP
    assert "ROI" in page and "in percent" in page


def test_a_brand_without_a_configured_currency_says_so(serving_file: Path) -> None:
    with duckdb.connect(str(serving_file), read_only=True) as con:
        profile = Warehouse(con).brand_profile("lumen")
    assert profile == BrandProfile("lumen", "Lumen Bikes", None)


def test_unknown_brand_names_the_known_ones(serving_file: Path, tmp_path: Path) -> None:
    with pytest.raises(UnknownBrandError, match="known brands: "):
        write_reports(serving_file, tmp_path, brand="no-such-brand")


def test_a_mart_without_a_column_leaves_its_chart_out_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.sentiment_trend as select date '2026-03-01' as activity_date, 'acme' brand_id")
        wh = Warehouse(con)
        chart = net_sentiment(ReportContext(wh, wh.brand_profile("acme"), FIXTURE_PERIOD, {}))
    assert chart.figure is None
    assert "does not have the data for this chart" in chart.note


def _cohort_cells(serving_file: Path, period: Period) -> dict[str, dict[str, list]]:
    """platform panel -> cohort row label -> retention per month after (None: not happened)."""
    with duckdb.connect(str(serving_file), read_only=True) as con:
        wh = Warehouse(con)
        chart = cohort_retention(ReportContext(wh, wh.brand_profile("northwind"), period, {}))
    assert chart.figure is not None
    titles = [annotation.text for annotation in chart.figure.layout.annotations]
    return {
        title: {label: list(row) for label, row in zip(heatmap.y, heatmap.z, strict=True)}
        for title, heatmap in zip(titles, chart.figure.data, strict=False)
    }


def test_cohort_months_not_yet_happened_are_blank_not_zero(serving_file: Path) -> None:
    # northwind on X: a February cohort seen again in March, a March cohort with no April yet
    cells = _cohort_cells(serving_file, FIXTURE_PERIOD)["X"]
    assert cells == {"Feb 2026": [1.0, 1.0], "Mar 2026": [1.0, None]}  # monthly cohorts, labelled by month


def test_cohorts_stop_at_the_end_of_the_period(serving_file: Path) -> None:
    cells = _cohort_cells(serving_file, Period(date(2026, 2, 1), date(2026, 2, 28)))["X"]
    assert cells == {"Feb 2026": [1.0]}


def test_a_period_outside_the_data_is_refused_saying_where_the_data_is(
    serving_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(PeriodWithoutDataError, match=r"2030-01-01 and 2030-01-31: the warehouse holds data from 2026"):
        write_reports(serving_file, tmp_path / "out", period=OUTSIDE_THE_DATA)
    assert not (tmp_path / "out").exists()
    argv = ["report", "--warehouse", str(serving_file), "--out", str(tmp_path), "--from", "2030-01-01"]
    assert main([*argv, "--to", "2030-01-31"]) == EXIT_INPUT
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "holds data from 2026-02-15 to 2026-03-10; choose --from and --to inside it" in line


def test_a_brand_without_data_in_a_period_others_have_gets_a_banner(serving_file: Path, tmp_path: Path) -> None:
    february = Period(date(2026, 2, 1), date(2026, 2, 28))  # the fixture's Lumen Bikes starts in March
    pages = {report.brand: report.path.read_text() for report in write_reports(serving_file, tmp_path, period=february)}
    assert 'id="no-data">No data for Lumen Bikes between 2026-02-01 and 2026-02-28' in pages["lumen"]
    assert 'id="no-data"' not in pages["northwind"]


def test_every_section_reads_only_the_period(serving_file: Path) -> None:
    with duckdb.connect(str(serving_file), read_only=True) as con:
        wh = Warehouse(con)
        inside = [
            reader(wh, "northwind", FIXTURE_PERIOD) for reader in (queries.cohort_retention, queries.top_advocates)
        ]
        outside = [
            reader(wh, "northwind", OUTSIDE_THE_DATA) for reader in (queries.cohort_retention, queries.top_advocates)
        ]
    assert not inside[0].empty
    assert all(extract.empty and not extract.missing for extract in outside)


def test_report_draws_every_chart_in_headless_chromium_in_plain_words(serving_file: Path, tmp_path: Path) -> None:
    (report,) = write_reports(serving_file, tmp_path, brand="northwind", period=FIXTURE_PERIOD)
    assert report.charts_drawn >= 6, "the fixture warehouse should feed most charts"
    screenshot = tmp_path / "report.png"  # docs/report.png is retaken by `make screenshots`, never by a test
    with open_page(report.path.as_uri(), screenshot=screenshot) as (page, problems):
        sections = page.evaluate(
            """() => [...document.querySelectorAll('section[data-chart]')].map(s => ({
                id: s.id, state: s.dataset.chart,
                svgs: s.querySelectorAll('svg.main-svg').length,
                marks: s.querySelectorAll('g.trace, g.heatmaplayer image, g.hm image').length}))"""
        )
        text = page.evaluate(VISIBLE_TEXT)
        headline = page.locator("#headline .tile").count()
    assert problems.console_errors == []
    assert problems.failed_requests == []
    drawn = [s for s in sections if s["state"] == "drawn"]
    assert len(drawn) == report.charts_drawn
    assert all(s["svgs"] > 0 and s["marks"] > 0 for s in drawn), drawn
    assert screenshot.stat().st_size > 10_000
    assert headline >= 6
    assert "Northwind Coffee" in text and "How to read ROR beside ROI" in text
    assert SNAKE_CASE.findall(text) == []
    assert RAW_ID.findall(text) == []


def test_pdf_pages_print_from_chromium(serving_file: Path, tmp_path: Path) -> None:
    chromium_path()  # skips with how to install it when the machine has no Chromium
    (report,) = write_reports(serving_file, tmp_path, brand="northwind", period=FIXTURE_PERIOD, pdf=True)
    assert report.pdf == report.path.with_suffix(".pdf")
    content = report.pdf.read_bytes()
    assert content.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", content)) >= 1


def test_without_chromium_the_pdf_error_says_how_to_get_it(
    serving_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "no-browsers"))
    with pytest.raises(ChromiumMissingError, match="apt-get install chromium"):
        write_reports(serving_file, tmp_path, brand="northwind", period=FIXTURE_PERIOD, pdf=True)
    assert list(tmp_path.glob("*.html")), "the HTML is written even when the PDF cannot be"


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
        wh = Warehouse(con)
        chart = net_sentiment(ReportContext(wh, wh.brand_profile("acme"), FIXTURE_PERIOD, {}))
    assert chart.figure is not None
    assert chart.caption.endswith("Left out: 3 interactions in languages the models do not score.")


def test_service_level_targets_in_hours_also_say_their_minutes_on_the_minutes_axis(serving_file: Path) -> None:
    with duckdb.connect(str(serving_file), read_only=True) as con:
        wh = Warehouse(con)
        chart = service_levels(ReportContext(wh, wh.brand_profile("northwind"), FIXTURE_PERIOD, {}))
    targets = [a.text for a in chart.figure.layout.annotations if a.text.startswith("target ")]
    assert targets and all(re.fullmatch(r"target (\d+ min|[\d.]+ (h|days) \([\d,]+ min\))", t) for t in targets), (
        targets
    )
