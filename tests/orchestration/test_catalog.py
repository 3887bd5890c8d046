"""What the Dagster UI's asset catalog shows after a refresh: every asset of the refresh job materialised by that run,
none of them split into day partitions that the run did not fill (issue 29: every mart read "0% filled" when the
data's days were not the run's); a day given on the command line is the run's window, in the run's config."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterInstance

from orchestration.assets.dbt import DBT_ASSETS_NAME, RefreshWindow
from orchestration.build import build_definitions
from orchestration.cli.launcher import refresh_run_config
from orchestration.names import HANDOFF_GROUP
from orchestration.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ROR = Path(sys.executable).with_name("ror")


def refresh_job_keys(settings: Settings) -> set[AssetKey]:
    graph = build_definitions(settings).resolve_asset_graph()
    return {key for key in graph.get_all_asset_keys() if graph.get(key).group_name != HANDOFF_GROUP}


@pytest.mark.slow
def test_after_a_refresh_the_instance_holds_every_asset_materialised_whole_by_that_run(tmp_path: Path) -> None:
    landing, serving, home = tmp_path / "landing", tmp_path / "wh" / "ror.duckdb", tmp_path / "dagster"
    shutil.copytree(FIXTURES / "x_twitter_v2", landing / "x")
    refresh = subprocess.run(
        [ROR, "refresh", "--landing", landing, "--warehouse", serving, "--partition", "2026-08-01"],
        env={**os.environ, "DAGSTER_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert refresh.returncode == 0, refresh.stdout[-3000:] + refresh.stderr[-3000:]

    keys = refresh_job_keys(Settings(landing_dir=landing, serving_path=serving, dagster_home=home))
    with DagsterInstance.from_config(str(home)) as instance:
        (run,) = instance.get_runs()
        assert run.run_config["ops"][DBT_ASSETS_NAME]["config"] == {"first_day": "2026-08-01", "last_day": "2026-08-01"}
        assert "dagster/partition" not in run.tags
        latest = {key: instance.get_latest_materialization_event(key) for key in keys}
        assert [key.to_user_string() for key, event in latest.items() if event is None] == []
        assert {event.run_id for event in latest.values()} == {run.run_id}
        assert {event.asset_materialization.partition for event in latest.values()} == {None}
        for mart in ("fct_interactions", "sentiment_trend", "ror_scorecard"):
            assert instance.get_materialized_partitions(AssetKey(["marts", mart])) == set()


def test_the_command_lines_day_or_range_is_the_runs_window_and_no_day_is_none(location_settings):
    def window(run_config: dict) -> RefreshWindow:
        return RefreshWindow(**run_config.get("ops", {}).get(DBT_ASSETS_NAME, {}).get("config", {}))

    assert window(refresh_run_config(location_settings, quiet=True)).days() is None
    day = window(refresh_run_config(location_settings, quiet=True, partition="2026-08-01")).days()
    assert [d.isoformat() for d in day] == ["2026-08-01", "2026-08-02"]
    days = window(refresh_run_config(location_settings, quiet=True, partition="2026-08-01", until="2026-08-31")).days()
    assert [d.isoformat() for d in days] == ["2026-08-01", "2026-09-01"]


@pytest.mark.parametrize(
    ("first_day", "last_day", "says"),
    [
        (None, "2026-08-01", "no first_day"),
        ("2026-08-02", "2026-08-01", "after its last_day"),
        ("2026-8-1x", None, "YYYY-MM-DD"),
    ],
)
def test_a_window_given_in_the_launchpad_that_makes_no_sense_fails_the_run_saying_why(first_day, last_day, says):
    from dagster import Failure

    with pytest.raises(Failure) as failure:
        RefreshWindow(first_day=first_day, last_day=last_day).days()
    assert says in failure.value.description
