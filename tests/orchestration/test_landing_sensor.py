"""The landing sensor's first tick on a fresh daemon (no cursor) starts no run for files already loaded."""

import json
import shutil
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import duckdb
from dagster import DagsterInstance

from ingest.pipeline import ingest_paths
from ingest.warehouse import ensure_raw_schema
from orchestration.build import build_definitions
from tests.support.sensors import sensor_context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# Another process's refresh: holds the warehouse's writer lock until its stdin closes.
HOLD_THE_LOCK = textwrap.dedent(
    """
    import sys
    from orchestration.warehouse_lock import warehouse_writer_lock
    with warehouse_writer_lock(sys.argv[1], command="ror refresh", wait=False):
        print("held", flush=True)
        sys.stdin.read()
    """
)


def definitions_of_a_new_warehouse(location_settings, defs, tmp_path):
    """Definitions of a warehouse of its own under ``tmp_path``, with the session's parsed dbt project copied in."""
    settings = replace(location_settings, landing_dir=tmp_path / "landing", serving_path=tmp_path / "w" / "ror.duckdb")
    settings.serving_path.parent.mkdir(parents=True)
    shutil.copytree(location_settings.dbt_folder, settings.dbt_folder)
    return settings, build_definitions(settings)


def deliver(landing: Path, name: str, fixture: str) -> Path:
    path = landing / "x" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / "x_twitter_v2" / fixture, path)
    return path


def test_a_fresh_daemon_starts_no_run_for_files_already_loaded(location_settings, defs, tmp_path):
    settings, new_defs = definitions_of_a_new_warehouse(location_settings, defs, tmp_path)
    deliver(settings.landing_dir, "page.jsonl", "two_tweets.jsonl")
    with duckdb.connect(str(settings.working_path)) as con:  # what `ror refresh` loaded before the daemon started
        ensure_raw_schema(con)
        ingest_paths([settings.landing_dir], landing_root=settings.landing_dir, con=con, batch_id="earlier")
    sensor = new_defs.get_sensor_def("landing_files_sensor")

    with DagsterInstance.ephemeral() as instance:
        first = sensor.evaluate_tick(sensor_context(new_defs, cursor=None, instance=instance))
        assert not first.run_requests, "every landing file is loaded: a run would load nothing"
        assert set(json.loads(first.cursor)) == {"x/page.jsonl"}  # not looked up again at the next tick

        deliver(settings.landing_dir, "page2.jsonl", "cotweet.jsonl")
        second = sensor.evaluate_tick(sensor_context(new_defs, cursor=first.cursor, instance=instance))
        assert len(second.run_requests) == 1
        assert second.run_requests[0].tags["ror/new_files"] == "1"


def test_while_a_refresh_writes_the_warehouse_a_new_file_queues_a_run_behind_it(location_settings, defs, tmp_path):
    settings, new_defs = definitions_of_a_new_warehouse(location_settings, defs, tmp_path)
    deliver(settings.landing_dir, "page.jsonl", "two_tweets.jsonl")
    with duckdb.connect(str(settings.working_path)) as con:
        ensure_raw_schema(con)
    sensor = new_defs.get_sensor_def("landing_files_sensor")

    with DagsterInstance.ephemeral() as instance:
        refresh = subprocess.Popen(
            [sys.executable, "-c", HOLD_THE_LOCK, str(settings.working_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert refresh.stdout.readline().strip() == "held"
            busy = sensor.evaluate_tick(sensor_context(new_defs, cursor=None, instance=instance))
        finally:
            refresh.stdin.close()
            refresh.wait(timeout=30)
        # The manifest cannot be read while the refresh writes: the file counts as new, and its run waits its turn.
        assert len(busy.run_requests) == 1
