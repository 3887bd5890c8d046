"""Superset on the cluster's Spark SQL endpoint: after the cluster refresh (`both_runs`, conftest.py), Superset set up
the way `. .cluster/env && make bi` sets it up reads the marts through the Thrift endpoint (hive://, PyHive), and
every dashboard of bi/assets draws in headless Chromium, with nothing fetched from outside, showing the figures of
the marts the cluster built (read with DuckDB from the cluster run's serving file, Spark's marts copied back)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import duckdb
import pytest
import requests
from support.superset import Superset, every_dashboard_drawn, superset_served, table

pytestmark = pytest.mark.cluster

# A chart's first query waits for the Thrift server's executors (dynamic allocation, none while it idles).
CHART_TIMEOUT_MS = 300_000


@pytest.fixture(scope="module")
def superset_on_spark(both_runs: tuple, superset_set_up: tuple[Path, Future]) -> Iterator[Superset]:
    """Superset served once the cluster's refresh has built the marts, on the set-up done beside it (conftest.py)."""
    home, set_up = superset_set_up
    set_up.result()
    with superset_served(home, home / "superset.log") as superset:
        yield superset


def _brand_and_period(serving: Path) -> tuple[str, str, tuple[str, str]]:
    """The brand with the most audience interactions (its id and its name, which the demo's brands do not share),
    and the first month of its scorecard."""
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select count(distinct brand_name) = count(*) from marts.brands").fetchone() == (True,)
        brand, name, month, next_month = con.execute(
            "select brand_id, brand_name, min(activity_month), min(activity_month) + interval 1 month "
            "from marts.ror_scorecard join marts.brands using (brand_id) "
            "where brand_id = (select brand_id from marts.fct_interactions where is_audience "
            "group by all order by count(*) desc, brand_id limit 1) group by all"
        ).fetchone()
    return brand, name, (month.isoformat(), next_month.date().isoformat())


def _expected(serving: Path, brand: str, period: tuple[str, str]) -> dict[str, list[tuple]]:
    """What the cluster's marts hold for the brand and period, read with DuckDB from the serving file its refresh
    published (Spark's marts, copied back)."""
    with duckdb.connect(str(serving), read_only=True) as con:
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
            ).fetchone()[0],
        }


def _percent(value: float | None) -> str:
    """A rate or ROI as the scorecard table shows it: a whole percentage, N/A where the mart has none."""
    return "N/A" if value is None else f"{value:,.0%}"


def _warehouse_connection(superset: Superset) -> str:
    """The SQLAlchemy backend of the dashboards' database, as Superset's API shows it."""
    session = requests.Session()
    token = session.post(
        f"{superset.url}/api/v1/security/login",
        json={"username": superset.user, "password": superset.password, "provider": "db", "refresh": False},
        timeout=30,
    ).json()["access_token"]
    session.headers["Authorization"] = f"Bearer {token}"
    (database,) = session.get(f"{superset.url}/api/v1/database/", timeout=30).json()["result"]
    return database["backend"]


def test_every_dashboard_draws_the_cluster_s_marts_through_the_spark_endpoint(
    superset_on_spark: Superset, both_runs: tuple, tmp_path: Path
) -> None:
    superset = superset_on_spark
    assert _warehouse_connection(superset) == "hive"
    serving = both_runs[1]
    brand, brand_name, period = _brand_and_period(serving)
    expected = _expected(serving, brand, period)
    assert expected["scorecard"] and expected["advocates"] and expected["interactions"] > 0
    shown = every_dashboard_drawn(superset, brand_name, period, tmp_path, CHART_TIMEOUT_MS)

    # The figures shown are the marts' for that brand and period, in the units the DuckDB dashboards show them in.
    scorecard = table(shown.charts["ror-scorecard"], "Scorecard by month")
    assert [
        (row["Month"], int(row["Engagers"]), row["Net sentiment (%)"], row["Cash ROI (%)"]) for row in scorecard
    ] == [
        (month, engagers, _percent(sentiment), _percent(roi))
        for month, engagers, sentiment, roi in expected["scorecard"]
    ]
    assert {row["Brand"] for row in scorecard} == {brand_name}
    assert all(brand_name in text for text in shown.filter_bars.values()), shown.filter_bars
    advocates = table(shown.charts["ror-advocacy"], "Advocates of the brand, ranked over all time")
    assert [(row["Handle"],) for row in advocates] == expected["advocates"][:10]
    themes = table(shown.charts["ror-themes"], "Themes of the period")
    assert {(row["Theme"], int(row["Interactions"])) for row in themes} == set(expected["themes"])
    interactions = table(shown.charts["ror-scorecard"], "Interactions behind the charts")
    assert len(interactions) == min(10, expected["interactions"])  # 10 a page
    assert all(period[0] <= row["Created (UTC)"][:10] < period[1] for row in interactions)
