"""The spike warning's words (orchestration/spike_text.py) on a real DuckDB: themes by rank with their lift, a spike
without explanation, and a warehouse where dbt has not built spike_explanations yet."""

from __future__ import annotations

from datetime import date

import duckdb

from orchestration.spike_text import describe_spikes, spike_line

SPIKES = [(date(2026, 10, 12), "x", "acme", "100"), (date(2026, 10, 13), "x", "acme", "100")]


def test_a_line_names_the_themes_by_label_and_lift():
    themes = [("late delivery", 4.0833), ("refund", 2.66)]
    assert spike_line("negative", date(2026, 10, 12), "x", "acme", themes) == (
        "negative spike on Oct 12 (x, acme): 'late delivery' x4.1, 'refund' x2.7"
    )
    assert (
        spike_line("volume", date(2026, 3, 5), "x", "acme", [])
        == "volume spike on Mar 5 (x, acme): no theme stands out"
    )


def test_describe_spikes_reads_the_explanations_of_each_spike_of_its_kind():
    with duckdb.connect() as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.spike_explanations (activity_date date, platform varchar, account_id varchar, "
            "spike_kind varchar, theme_rank bigint, theme_id varchar, theme_label varchar, lift double)"
        )
        con.execute(
            "insert into marts.spike_explanations values "
            "('2026-10-12', 'x', '100', 'negative', 2, 'theme-0002', 'refund', 2.7), "
            "('2026-10-12', 'x', '100', 'negative', 1, 'theme-0001', 'late delivery', 4.1), "
            "('2026-10-12', 'x', '100', 'volume', 1, 'theme-0003', 'great coffee', 3.0), "
            "('2026-10-12', 'x', '200', 'negative', 1, 'theme-0003', 'great coffee', 3.0), "
            "('2026-10-13', 'x', '100', 'negative', 1, 'theme-0009', null, 1.5)"
        )
        assert describe_spikes(con, "is_negative_spike", SPIKES) == (
            "negative spike on Oct 12 (x, acme): 'late delivery' x4.1, 'refund' x2.7\n"
            "negative spike on Oct 13 (x, acme): 'theme-0009' x1.5"
        )
        assert describe_spikes(con, "is_negative_spike", []) == ""


def test_before_the_mart_is_built_a_spike_is_named_without_themes():
    with duckdb.connect() as con:
        assert describe_spikes(con, "is_volume_spike", SPIKES[:1]) == (
            "volume spike on Oct 12 (x, acme): no theme stands out"
        )
