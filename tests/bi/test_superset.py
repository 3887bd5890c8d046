"""Superset on the serving file: every dashboard of bi/assets draws in headless Chromium with nothing fetched from
outside, and a refresh that publishes while Superset serves gives its readers whole snapshots, old or new."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import duckdb
import pytest
import requests
from support.superset import (
    CHARTS_DRAWN,
    CHARTS_STATE,
    Superset,
    Warehouse,
    dashboards,
    every_dashboard_opened,
    filtered,
    table,
)

from orchestration.publish import publish

pytestmark = pytest.mark.slow

# Sentiment colours every dashboard gives its series (bi/assets/dashboards/*.yaml, label_colors).
NEGATIVE_RED, NEUTRAL_GREY, POSITIVE_GREEN = "#D64545", "#9E9E9E", "#2E9E5B"

INTERACTIONS_ON_ONE_PLATFORM = """platform => {
    const rows = [...document.querySelectorAll('[data-test-chart-name="Interactions behind the charts"] tbody tr')];
    return rows.length > 0 && rows.every(row => row.querySelectorAll('td')[1].innerText === platform); }"""
# a brand of the fixture warehouse as the filter bar shows it (its configured name), and a month of its data
BRAND, BRAND_NAME, PERIOD = "northwind", "Northwind Coffee", ("2026-03-01", "2026-04-01")


def _expected(serving: Path, brand: str, period: tuple[str, str]) -> dict[str, list[tuple]]:
    """What the marts hold for the brand and period, read with DuckDB directly."""
    with duckdb.connect(serving, read_only=True) as con:
        return {
            "scorecard": con.execute(
                "select strftime(activity_month, '%Y-%m'), engagers, net_sentiment, cash_roi from marts.ror_scorecard "
                "where brand_id = ? and channel = 'all' and activity_month >= ? and activity_month < ?",
                [brand, *period],
            ).fetchall(),
            "advocates": con.execute(
                "select handle from marts.advocacy where brand_id = ? and is_advocate order by advocacy_rank", [brand]
            ).fetchall(),
            "themes": con.execute(
                "select themes.theme_label, sum(trend.audience_interactions) from marts.theme_trend as trend "
                "join marts.dim_themes as themes using (theme_id) "
                "where trend.brand_id = ? and trend.week_start_date >= ? and trend.week_start_date < ? group by all",
                [brand, *period],
            ).fetchall(),
            "interactions": con.execute(
                "select count(*) from marts.fct_interactions where brand_id = ? and is_audience "
                "and created_date >= ? and created_date < ?",
                [brand, *period],
            ).fetchall(),
        }


def test_every_dashboard_draws_its_charts_for_a_brand_and_period(
    superset: Superset, warehouse: Warehouse, tmp_path: Path
) -> None:
    boards = dashboards()
    assert set(boards) == {
        "ror-scorecard",
        "ror-sentiment",
        "ror-responsiveness",
        "ror-advocacy",
        "ror-themes",
        "ror-share-of-voice",
    }
    expected = _expected(warehouse.serving, BRAND, PERIOD)
    assert expected["scorecard"] and expected["advocates"] and expected["themes"] and expected["interactions"][0][0] > 0
    screenshots = tmp_path  # the tests write nothing into the checkout; docs/bi.png is the scorecard of `make bi`
    with every_dashboard_opened(superset, BRAND_NAME, PERIOD, screenshots, chart_timeout_ms=90_000) as (page, shown):
        # Drill-down: a click on a platform's bar cross-filters the interactions table to that platform's rows.
        page.goto(f"{superset.url}/superset/dashboard/ror-responsiveness/{filtered(BRAND_NAME, PERIOD)}")
        page.wait_for_function(CHARTS_DRAWN, arg=boards["ror-responsiveness"], timeout=90_000)
        page.wait_for_load_state("networkidle")
        before = table(page.evaluate(CHARTS_STATE), "Interactions behind the charts")
        assert {row["Platform"] for row in before} == {"x", "facebook"}
        backlog_chart = page.locator('[data-test-chart-name="Overdue backlog at the end of each day"] canvas')
        backlog_chart.scroll_into_view_if_needed()
        backlog = backlog_chart.bounding_box()
        page.mouse.click(backlog["x"] + backlog["width"] * 0.45, backlog["y"] + backlog["height"] * 0.85)  # a bar of x
        page.wait_for_function(INTERACTIONS_ON_ONE_PLATFORM, arg="x", timeout=60_000)
    assert (screenshots / "ror-scorecard.png").stat().st_size > 20_000

    # The numbers shown are the marts' for that brand and period, in human units (ROI a percentage, as the report).
    scorecard = table(shown.charts["ror-scorecard"], "Scorecard by month")
    assert [
        (row["Month"], int(row["Engagers"]), row["Net sentiment (%)"], row["Cash ROI (%)"]) for row in scorecard
    ] == [
        (month, engagers, f"{sentiment:.0%}", f"{roi:,.0%}")
        for month, engagers, sentiment, roi in expected["scorecard"]
    ]
    assert {row["Brand"] for row in scorecard} == {BRAND_NAME}
    # every dashboard's brand filter shows the brand's name, never its id
    assert all(BRAND_NAME in text and BRAND not in text for text in shown.filter_bars.values()), shown.filter_bars
    advocates = table(shown.charts["ror-advocacy"], "Advocates of the brand, ranked over all time")
    assert [(row["Handle"],) for row in advocates] == expected["advocates"][:10]
    themes = table(shown.charts["ror-themes"], "Themes of the period")
    assert {(row["Theme"], int(row["Interactions"])) for row in themes} == set(expected["themes"])
    interactions = table(shown.charts["ror-scorecard"], "Interactions behind the charts")
    assert len(interactions) == min(10, expected["interactions"][0][0])  # 10 a page
    assert all(PERIOD[0] <= row["Created (UTC)"][:10] < PERIOD[1] for row in interactions)


class Api:
    """Superset's REST API as a logged-in user."""

    def __init__(self, superset: Superset) -> None:
        self.url = superset.url
        self.session = requests.Session()
        token = self.session.post(
            f"{self.url}/api/v1/security/login",
            timeout=30,
            json={
                "username": superset.user,
                "password": superset.password,
                "provider": "db",
                "refresh": False,
            },
        ).json()["access_token"]
        self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str) -> dict:
        response = self.session.get(f"{self.url}/api/v1/{path}", timeout=30)
        response.raise_for_status()
        return response.json()["result"]


def test_every_dashboard_has_brand_platform_and_period_filters_scoped_by_column(superset: Superset) -> None:
    api = Api(superset)
    columns_of_dataset: dict[int, set[str]] = {}
    for slug in dashboards():
        metadata = json.loads(api.get(f"dashboard/{slug}")["json_metadata"])
        charts = api.get(f"dashboard/{slug}/charts")
        filters = {f["name"]: f for f in metadata["native_filter_configuration"]}
        assert list(filters) == ["Brand", "Platform", "Period"], slug
        # One brand at a time, and the first one until a reader picks another: no chart adds up two brands.
        brand = filters["Brand"]["controlValues"]
        assert (brand["multiSelect"], brand["enableEmptyFilter"], brand["defaultToFirstItem"]) == (False, True, True)
        assert filters["Period"]["filterType"] == "filter_time"
        for chart in charts:
            dataset_id = int(chart["form_data"]["datasource"].split("__")[0])
            if dataset_id not in columns_of_dataset:
                columns_of_dataset[dataset_id] = {c["column_name"] for c in api.get(f"dataset/{dataset_id}")["columns"]}
            columns = columns_of_dataset[dataset_id]
            for name, column in (("Brand", "brand_name"), ("Platform", "platform")):
                excluded = chart["id"] in filters[name]["scope"]["excluded"]
                assert excluded == (column not in columns), (slug, name, chart["slice_name"])
                # A chart the filter leaves alone is named in the filter's description, with the reason.
                assert excluded == (chart["slice_name"] in filters[name]["description"]), (slug, name)
            period_excluded = chart["id"] in filters["Period"]["scope"]["excluded"]
            assert period_excluded == (chart["slice_name"] in filters["Period"]["description"]), slug
        assert metadata["cross_filters_enabled"] is True
        assert metadata["label_colors"]["Negative"] == NEGATIVE_RED
        assert metadata["label_colors"]["Positive"] == POSITIVE_GREEN
        assert metadata["label_colors"]["Neutral"] == NEUTRAL_GREY


class SqlLab(Api):
    """Superset's SQL Lab API as a logged-in user: queries run through the same read-only connection as charts."""

    def __init__(self, superset: Superset) -> None:
        super().__init__(superset)
        csrf = self.get("security/csrf_token/")
        self.session.headers.update({"X-CSRFToken": csrf, "Referer": self.url})
        (self.database_id,) = [d["id"] for d in self.get("database/") if d["database_name"] == "ROR warehouse"]

    def execute(self, sql: str) -> requests.Response:
        return self.session.post(
            f"{self.url}/api/v1/sqllab/execute/",
            timeout=60,
            json={
                "database_id": self.database_id,
                "sql": sql,
                "schema": "marts",
                "runAsync": False,
            },
        )

    def rows(self, sql: str) -> list[dict]:
        response = self.execute(sql)
        response.raise_for_status()
        return response.json()["data"]


# One query over the refresh log and three marts: a whole snapshot has a single refresh id in all of them.
SNAPSHOT_IDS = """
select string_agg(distinct refresh_id, ',' order by refresh_id) as refresh_ids
from (
    select refresh_id from marts.refresh_log
    union all select refresh_id from marts.ror_scorecard
    union all select refresh_id from marts.sentiment_trend
    union all select refresh_id from marts.advocacy_monthly
)
"""


def test_readers_see_whole_snapshots_while_a_refresh_publishes(superset: Superset, warehouse: Warehouse) -> None:
    sql_lab = SqlLab(superset)
    assert sql_lab.rows(SNAPSHOT_IDS) == [{"refresh_ids": "snapshot-0"}]
    published = ["snapshot-0"]
    seen: list[str] = []
    errors: list[str] = []
    done = threading.Event()

    def read_until_done() -> None:
        while not done.is_set():
            try:
                seen.extend(row["refresh_ids"] for row in sql_lab.rows(SNAPSHOT_IDS))
            except Exception as error:  # any failed read is what this test looks for
                errors.append(f"{type(error).__name__}: {error}")

    reader = threading.Thread(target=read_until_done)
    reader.start()
    try:
        for number in range(1, 6):
            published.append(f"snapshot-{number}")
            publish(warehouse.working, warehouse.serving, published[-1])
    finally:
        done.set()
        reader.join(timeout=120)
    assert errors == []
    assert seen, "the reader never finished a query while publishing"
    assert set(seen) <= set(published), "a read mixed refreshes or saw one that was never published"
    assert sql_lab.rows(SNAPSHOT_IDS) == [{"refresh_ids": published[-1]}]


def test_sql_lab_reads_the_marts_and_nothing_else(superset: Superset, warehouse: Warehouse) -> None:
    sql_lab = SqlLab(superset)
    refusals = {
        "select * from read_text('/etc/passwd')": "contains disallowed function",
        f"attach '{warehouse.working}' as work (read_only)": "disabled by configuration",
        "set enable_external_access = true": "configuration has been locked",
        "select * from '/etc/passwd'": "does not exist",
    }
    for sql, refusal in refusals.items():
        response = sql_lab.execute(sql)
        assert response.status_code >= 400, (sql, response.text[:300])
        assert refusal in response.text, (sql, response.text[:300])
        assert "root:" not in response.text  # nothing of /etc/passwd came back
    assert sql_lab.rows("select count(*) as tables from information_schema.tables where table_schema = 'marts'")
