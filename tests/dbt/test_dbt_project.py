"""A real `dbt build` of dbt_project/ over a small hand-written warehouse (tests/fixtures/raw/).

One module-scoped warehouse goes through the life of a deployment: batch 1 is loaded and built, batch 2 (late replies,
an edit, a re-enrichment, new days) is appended and built incrementally, the daily sentiment mart is rerun for one
late partition (as Dagster does), then everything is rebuilt with --full-refresh. The incremental marts must equal the
full-refresh marts, and the marts must hold the hand-checked values below (the arithmetic is in each test).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner
from fixture_warehouse import load_batches

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
MARTS = (
    "fct_interactions",
    "fct_owned_posts",
    "engagement_quality",
    "responsiveness",
    "fct_message_service_levels",
    "service_levels",
    "sentiment_trend",
    "sentiment_trend_weekly",
    "community_growth",
    "community_cohorts",
    "advocacy",
    "advocacy_monthly",
    "cost_per_lead",
    "ror_scorecard",
    "engagement_revenue_segments",
    "ingest_audit",
    "share_of_voice",
)
# the incremental models below the marts, compared like the marts: a stale row there may not show in any mart
INCREMENTAL_INTERMEDIATES = (
    "staging.stg_social__interactions",
    "intermediate.int_interaction_mentions_unnested",
    "intermediate.int_interactions_attributed",
    "intermediate.int_people_linked",
    "intermediate.int_brand_responses_matched",
)


@dataclass(frozen=True)
class BuiltWarehouse:
    path: Path
    target_dir: Path
    batch_1_marts: dict[str, list[tuple]]
    incremental_marts: dict[str, list[tuple]]
    partition_rerun_marts: dict[str, list[tuple]]
    full_refresh_marts: dict[str, list[tuple]]
    batch_1_intermediates: dict[str, list[tuple]]
    incremental_intermediates: dict[str, list[tuple]]
    full_refresh_intermediates: dict[str, list[tuple]]


def run_dbt(*args: str, target_dir: Path) -> None:
    result = dbtRunner().invoke(
        [
            *args,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target_dir),
            "--log-path",
            str(target_dir / "logs"),
        ]
    )
    assert result.success, f"dbt {' '.join(args)} failed: {result.exception or result.result}"


def snapshot_marts(path: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path)) as con:
        return {table: con.sql(f"select * from marts.{table} order by all").fetchall() for table in MARTS}


def snapshot_intermediates(path: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path)) as con:
        return {table: con.sql(f"select * from {table} order by all").fetchall() for table in INCREMENTAL_INTERMEDIATES}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltWarehouse]:
    root = tmp_path_factory.mktemp("dbt_fixture")
    path, target_dir = root / "warehouse.duckdb", root / "target"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ROR_WORK_DB", str(path))
        load_batches(path, {1})
        run_dbt("build", target_dir=target_dir)
        batch_1, batch_1_intermediates = snapshot_marts(path), snapshot_intermediates(path)
        load_batches(path, {2})
        run_dbt("build", "--exclude", "test_type:unit", target_dir=target_dir)
        incremental, incremental_intermediates = snapshot_marts(path), snapshot_intermediates(path)
        # nothing new loaded: sentiment_trend recomputes only 2026-03-06 (min_date - lookback_days 3) .. 03-10, whose
        # 28-day and trailing windows reach back to February; the monthly marts rebuild March and keep February;
        # fct_owned_posts rebuilds the posts created 03-06 .. 03-09 and keeps the others
        run_dbt(
            "run",
            "--select",
            "sentiment_trend",
            "advocacy_monthly",
            "ror_scorecard",
            "fct_owned_posts",
            "--vars",
            '{"min_date": "2026-03-09", "max_date": "2026-03-10"}',
            target_dir=target_dir,
        )
        partition_rerun = snapshot_marts(path)
        run_dbt("build", "--full-refresh", "--exclude", "test_type:unit", target_dir=target_dir)
        yield BuiltWarehouse(
            path,
            target_dir,
            batch_1,
            incremental,
            partition_rerun,
            snapshot_marts(path),
            batch_1_intermediates,
            incremental_intermediates,
            snapshot_intermediates(path),
        )


def query(warehouse: BuiltWarehouse, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse.path)) as con:
        return con.sql(sql).fetchall()


def test_incremental_run_equals_full_refresh(warehouse: BuiltWarehouse) -> None:
    # batch 2 touches rows outside the lookback window (a brand reply to a 7-day-old complaint, an edit of an old
    # reply, a re-enrichment of a February text): the thread rule must re-derive them
    for table in MARTS:
        assert warehouse.incremental_marts[table] == warehouse.full_refresh_marts[table], table


def test_incremental_intermediates_equal_full_refresh(warehouse: BuiltWarehouse) -> None:
    for table in INCREMENTAL_INTERMEDIATES:
        assert warehouse.incremental_intermediates[table] == warehouse.full_refresh_intermediates[table], table


def test_a_new_version_that_mentions_nothing_drops_the_old_mentions(warehouse: BuiltWarehouse) -> None:
    # batch 2 brings t103 version 1 without the mention of alice_brews that version 0 had: the incremental run must
    # delete the old row, though no row of the new version replaces it
    def t103_mentions(intermediates: dict[str, list[tuple]]) -> list[str]:
        return [row[2] for row in intermediates["intermediate.int_interaction_mentions_unnested"] if row[0] == "x:t103"]

    assert t103_mentions(warehouse.batch_1_intermediates) == ["alice_brews"]
    assert t103_mentions(warehouse.incremental_intermediates) == []


def test_an_older_version_loaded_late_is_not_kept(warehouse: BuiltWarehouse) -> None:
    # batch 2 loads t105 version 0 again (a re-export), after batch 1 loaded its versions 0 and 1: version 1 stays
    def t105_version(intermediates: dict[str, list[tuple]]) -> list[int]:
        return [row[3] for row in intermediates["staging.stg_social__interactions"] if row[0] == "x:t105"]

    assert t105_version(warehouse.incremental_intermediates) == [1]


def test_batch_2_changes_sentiment_days_before_the_lookback_window(warehouse: BuiltWarehouse) -> None:
    # batch 1's newest day is 2026-03-06, so the lookback window (3 days) of the batch-2 run starts on 03-03; the
    # re-enrichment of February's t052 still changes the sentiment of earlier days (not only the bookkeeping
    # interactions_loaded_at_utc, the last column), which the incremental run must have recomputed
    def days_before_window(marts: dict[str, list[tuple]]) -> list[tuple]:
        return [row[:-1] for row in marts["sentiment_trend"] if row[0] < date(2026, 3, 3)]

    assert days_before_window(warehouse.batch_1_marts) != days_before_window(warehouse.full_refresh_marts)


def test_sentiment_partition_rerun_equals_full_refresh(warehouse: BuiltWarehouse) -> None:
    # the rerun replaced its days with rolling and trailing windows read from days it did not recompute
    assert warehouse.partition_rerun_marts["sentiment_trend"] == warehouse.full_refresh_marts["sentiment_trend"]


def test_monthly_partition_rerun_equals_full_refresh(warehouse: BuiltWarehouse) -> None:
    # March rebuilt on top of the February kept from the incremental run (its advocates' CRM status and employee
    # columns recomputed and compared, its first-month nulls kept), and the posts of the window rebuilt on top of the
    # others: the same rows as a full refresh
    for table in ("advocacy_monthly", "ror_scorecard", "fct_owned_posts"):
        assert warehouse.partition_rerun_marts[table] == warehouse.full_refresh_marts[table], table


def test_marts_have_expected_row_counts(warehouse: BuiltWarehouse) -> None:
    counts = {table: len(rows) for table, rows in warehouse.full_refresh_marts.items()}
    assert counts["fct_interactions"] == 34  # 30 distinct ids in batch 1 (t105 has two versions) + 4 new in batch 2
    assert counts["fct_owned_posts"] == 5  # t050, t101, t114, t201 on x; f301 on facebook
    assert counts["engagement_quality"] == 5  # one day-account-campaign per post here
    assert counts["ingest_audit"] == 3  # one row per file per batch in the manifest
    # lumen x, account scope: 2026-03-03 .. 2026-03-10 (the newest date) = 8 days, days without interactions included
    assert query(
        warehouse,
        "select count(*), count(*) filter (where audience_interactions = 0) from marts.sentiment_trend "
        "where account_id = '1500000000000000002' and campaign_scope = 'account'",
    ) == [(8, 5)]


def test_fct_interactions_versions_enrichment_and_late_response(warehouse: BuiltWarehouse) -> None:
    rows = query(
        warehouse,
        "select interaction_id, record_version, sentiment_label, model_version, is_substantive, "
        "first_brand_response_minutes, brand_responses from marts.fct_interactions "
        "where interaction_id in ('t052', 't102', 't105', 't107') order by interaction_id",
    )
    assert rows == [
        ("t052", 0, "neutral", "v2", True, None, 0),  # re-enriched by the newer model v2
        ("t102", 0, "neutral", "v1", True, 30.0, 2),  # two brand replies (10:00, 11:00): the first counts
        ("t105", 1, "negative", "v1", True, 7 * 24 * 60.0, 1),  # edited; answered a week later (batch 2)
        ("t107", 1, "positive", "v2", False, None, 0),  # "nice!!" (edit in batch 2) is not substantive
    ]


def test_engagement_quality_for_the_autumn_blend_post(warehouse: BuiltWarehouse) -> None:
    # t101 on 2026-03-02: audience replies t102, t105, t106, t107, t118 = 5; amplifications = greatest(2 records
    # (t108 share, t109 quote), 5 + 1 counters) = 6; applause = like_count 40; engagements 51; followers on
    # 2026-03-02 (page metrics) 1012; impressions 2000; substantive 4 of 5 enriched (t107 "nice!!" is not); thoughtful
    # 4 (thread has brand replies); affinity: positive t106, t107, t109, t118 of 6 scored (t102 neutral, t105 negative).
    (row,) = query(
        warehouse,
        "select owned_posts, audience_comments_and_replies, amplifications, applause, engagements, "
        "engagement_rate_by_followers, engagement_rate_by_impressions, engagement_rate_by_reach, "
        "meaningful_comment_share, thoughtful_replies, affinity_rating, sentiment_scored_audience_interactions "
        "from marts.engagement_quality where activity_date = '2026-03-02' and platform = 'x'",
    )
    # rates are rounded to 6 decimal places (the documented precision)
    assert row == (1, 5, 6, 40, 51, round(51 / 1012, 6), round(51 / 2000, 6), None, 0.8, 4, round(4 / 6, 6), 6)


def test_a_post_is_in_the_campaign_of_its_first_link_carrying_utm_campaign(warehouse: BuiltWarehouse) -> None:
    # f301 (Facebook) has no URL in its text; of its two links only the second carries utm_campaign=nw_barista_club
    assert query(
        warehouse,
        "select post_id, utm_campaign, campaign_name, campaign_channel from marts.fct_owned_posts "
        "where platform = 'facebook'",
    ) == [("f301", "nw_barista_club", "Barista Club (organic)", "organic_social")]
    # its thread inherits the campaign: comment f302, brand reply f303, reactions f304 and f305
    assert query(
        warehouse,
        "select interaction_id, utm_campaign from marts.fct_interactions where platform = 'facebook' order by 1",
    ) == [(f"f30{n}", "nw_barista_club") for n in range(1, 6)]
    assert query(
        warehouse, "select utm_campaign, owned_posts from marts.engagement_quality where platform = 'facebook'"
    ) == [("nw_barista_club", 1)]
    # campaign series of the Facebook page: 2026-03-02 (first audience interaction) .. 2026-03-10 (newest date) = 9
    # days; audience interactions f302, f304 (03-02) and f305 (03-03) = 3
    assert query(
        warehouse,
        "select count(*), sum(audience_interactions) from marts.sentiment_trend "
        "where platform = 'facebook' and campaign_scope = 'campaign' and utm_campaign = 'nw_barista_club'",
    ) == [(9, 3)]


def test_responsiveness_and_sentiment_spine(warehouse: BuiltWarehouse) -> None:
    # northwind x 2026-03-02: question t102 answered in 30 min, complaint t105 answered in 10080 min
    assert query(
        warehouse,
        "select questions_or_complaints_received, questions_or_complaints_answered, brand_response_rate, "
        "median_first_response_minutes from marts.responsiveness "
        "where activity_date = '2026-03-02' and account_id = '1500000000000000001'",
    ) == [(2, 2, 1.0, (30 + 10080) / 2)]
    # lumen 2026-03-05: no interactions, still a row with zero counts and null shares
    assert query(
        warehouse,
        "select audience_interactions, positive_share, net_sentiment from marts.sentiment_trend "
        "where activity_date = '2026-03-05' and account_id = '1500000000000000002' and campaign_scope = 'account'",
    ) == [(0, None, None)]


def test_service_levels_count_business_minutes_against_the_targets(warehouse: BuiltWarehouse) -> None:
    # northwind (fixture_config.yaml: Europe/London, Mon-Fri 09:00-18:00; GMT in March = UTC), x 2026-03-02:
    # question t102 09:30 -> 10:00 = 30 business minutes (target 240: within); complaint t105 Mon 12:00 -> next Mon
    # 12:00 = 6 h + 4 x 9 h + 3 h = 2700 (target 60: breached); wall clock 30 and 10080 as in responsiveness.
    # Backlog at the end of the day: t105 (overdue 13:00) and the unanswered t051 (Sun 02-15) and t052 (Mon 02-16).
    assert query(
        warehouse,
        "select median_first_response_business_minutes, median_first_response_wall_clock_minutes, "
        "answered_within_target, target_breached, within_target_rate, overdue_backlog_at_day_end "
        "from marts.service_levels where activity_date = '2026-03-02' and account_id = '1500000000000000001'",
    ) == [((30 + 2700) / 2, (30 + 10080) / 2, 1, 1, 0.5, 3)]
    # lumen has no support hours: open 24x7, business minutes = wall-clock minutes (t202: one day)
    assert query(
        warehouse,
        "select median_first_response_business_minutes, median_first_response_wall_clock_minutes "
        "from marts.service_levels where activity_date = '2026-03-03' and account_id = '1500000000000000002'",
    ) == [(1440.0, 1440.0)]


def test_advocacy_and_ladder(warehouse: BuiltWarehouse) -> None:
    # carol: positive t051, t106, t110, t119 (4 of 5 scored; the share t108 has no text), referrals t108 (share),
    # t110 (shout-out), t119 (recommendation + shout-out) -> advocate, rank 1 at northwind
    assert query(
        warehouse,
        "select positive_interactions, referral_actions, is_advocate, advocacy_rank, is_lead from marts.advocacy "
        "where person_key = 'x:9003' and brand_id = 'northwind'",
    ) == [(4, 3, True, 1, True)]
    # Alice on x and Alice on facebook are two people; only the x account links to her CRM contact
    assert query(
        warehouse,
        "select person_key, contact_key from marts.advocacy where handle like 'alice%' and brand_id = 'northwind' "
        "order by person_key",
    ) == [("facebook:7001", None), ("x:9001", "hubspot:ct1")]


def test_cost_per_lead_keeps_leads_apart_from_purchases(warehouse: BuiltWarehouse) -> None:
    rows = query(
        warehouse,
        "select activity_date::varchar, brand_id, spend, ad_platform_leads, ad_platform_purchases, "
        "cost_per_ad_platform_lead, crm_leads, cost_per_crm_lead, revenue, cash_roi, lead_cohort_revenue, "
        "lead_cohort_roi from marts.cost_per_lead where channel = 'paid_social' order by activity_date, brand_id",
    )
    assert rows == [
        # ad_1: lead 4 and the same 4 again as the pixel lead (lead wins by precedence: 4, not 8); the pixel purchase
        # and omni_purchase report one purchase (omni_purchase wins: 1); contact ct1 became a lead that day, and its
        # deal (120, closed 03-04) is that day's lead-cohort revenue: (120 - 50) / 50 = 1.4
        (
            "2026-03-02",
            "northwind",
            Decimal("50.00"),
            4.0,
            1.0,
            12.5,
            1,
            50.0,
            Decimal("0.00"),
            -1.0,
            Decimal("120.00"),
            1.4,
        ),
        # ad_2: spend 40 with no lead action -> cost per ad lead null; contact ct6 -> 40 per CRM lead
        (
            "2026-03-03",
            "lumen",
            Decimal("40.00"),
            0.0,
            0.0,
            None,
            1,
            40.0,
            Decimal("0.00"),
            -1.0,
            Decimal("0.00"),
            -1.0,
        ),
        # ad_1's re-export (spend 35) replaces the first export (30); 2 lead_grouped actions; contact ct2
        (
            "2026-03-03",
            "northwind",
            Decimal("35.00"),
            2.0,
            0.0,
            17.5,
            1,
            35.0,
            Decimal("0.00"),
            -1.0,
            Decimal("0.00"),
            -1.0,
        ),
        # ct1's deal (120) closes on 03-04: revenue without ad data -> cash ROI null
        ("2026-03-04", "northwind", None, None, None, None, 0, None, Decimal("120.00"), None, Decimal("0.00"), None),
    ]


def test_docs_generate_offline(warehouse: BuiltWarehouse) -> None:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ROR_WORK_DB", str(warehouse.path))
        run_dbt("docs", "generate", target_dir=warehouse.target_dir)
    assert (warehouse.target_dir / "catalog.json").stat().st_size > 0
    assert (warehouse.target_dir / "index.html").exists()
