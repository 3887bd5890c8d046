"""One refresh at a time, as an operator meets it: two `ror refresh` of one warehouse started at the same moment, a
third started with --wait, and the landing sensor asking for a run while they go. One runs, the other stops at once
saying which run holds the warehouse, the --wait one runs after it scoring nothing again, the sensor's run waits in the
instance's queue, and the marts equal those of a single run."""

import os
import shutil
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter
from support.run_queue import runs_the_queue_would_start, submit
from support.runs import ROR, snapshot

from orchestration.cli import EXIT_WAREHOUSE_BUSY
from orchestration.instance import WAREHOUSE_TAG
from orchestration.warehouse_lock import current_holder, lock_path_for
from tests.support.sensors import sensor_context

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LANDING_FILES = (
    "x_twitter_v2/two_tweets.jsonl",
    "x_twitter_v2/mentions_tweet.jsonl",
    "x_twitter_v2/edited.jsonl",
    "generic/canonical_interactions.csv",
)

pytestmark = pytest.mark.slow


def _start_refresh(landing: Path, serving: Path, env: dict, *flags: str) -> subprocess.Popen:
    return subprocess.Popen(
        [ROR, "refresh", "--landing", landing, "--warehouse", serving, *flags],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(condition, what: str, timeout: float = 600):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)
    return result


def _texts_encoded(instance: DagsterInstance, run_id: str) -> int:
    (event,) = [
        e
        for e in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION)
        if e.dagster_event.asset_key.path == ["enrichment", "text_enrichment"]
    ]
    return event.dagster_event.step_materialization_data.materialization.metadata["texts_encoded"].value


def test_refreshes_started_together_run_one_at_a_time_and_score_nothing_twice(tmp_path):
    from orchestration.build import build_definitions
    from orchestration.settings import Settings

    landing, serving = tmp_path / "landing", tmp_path / "serve" / "ror.duckdb"
    for name in LANDING_FILES:
        (landing / Path(name).parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / name, landing / name)
    home = tmp_path / "dagster_home"
    # The code location of `dagster dev` for this warehouse, whose landing sensor ticks below.
    defs = build_definitions(
        Settings(
            landing_dir=landing,
            serving_path=serving,
            dagster_home=home,
            settle_seconds=0,  # the fixtures were written completely just now (tests/conftest.py's ROR_SETTLE_SECONDS)
        )
    )
    env = {**os.environ, "DAGSTER_HOME": str(home)}

    # The 02:00 schedule's run and a person at the terminal, at the same moment.
    together = [_start_refresh(landing, serving, env), _start_refresh(landing, serving, env)]
    holder = _wait_for(lambda: current_holder(lock_path_for(serving.with_name("ror.work.duckdb"))), "a writer")
    waiting = _start_refresh(landing, serving, env, "--wait")

    with DagsterInstance.from_config(str(home)) as instance:
        started = RunsFilter(statuses=[DagsterRunStatus.STARTED])
        (first_run,) = _wait_for(lambda: instance.get_runs(started), "the first run to start")
        assert first_run.tags[WAREHOUSE_TAG] == str(serving)
        # The landing sensor sees the files and asks for a run: it waits in the queue behind the running refresh.
        tick = defs.get_sensor_def("landing_files_sensor").evaluate_tick(sensor_context(defs, instance=instance))
        (request,) = tick.run_requests
        sensor_run = submit(instance, {**request.tags, WAREHOUSE_TAG: str(serving)})
        assert sensor_run not in runs_the_queue_would_start(instance)

        outcomes = [process.communicate(timeout=900) + (process.returncode,) for process in together]
        ran = [o for o in outcomes if o[2] == 0]
        refused = [o for o in outcomes if o[2] == EXIT_WAREHOUSE_BUSY]
        assert len(ran) == 1 and len(refused) == 1, [o[2] for o in outcomes]
        (refusal,) = refused[0][1].strip().splitlines()
        assert f"pid {holder.pid}" in refusal and "since" in refusal and "--wait" in refusal
        single_run = snapshot(serving)  # the waiting refresh publishes only after a whole run of its own
        with duckdb.connect(str(serving), read_only=True) as con:
            assert con.execute("select distinct refresh_id from marts.refresh_log").fetchall() == [(first_run.run_id,)]

        out, err = waiting.communicate(timeout=900)
        assert waiting.returncode == 0, err[-4000:]
        assert "Waiting: the warehouse" in err and f"pid {holder.pid}" in err
        assert "Nothing new since the refresh" in " ".join(out.split())  # the refresh that waited ran nothing again
        assert snapshot(serving) == single_run

        runs = instance.get_runs()  # newest first
        cli_runs = [run for run in runs if run.run_id != sensor_run]
        assert [run.status for run in cli_runs] == [DagsterRunStatus.SUCCESS]
        assert _texts_encoded(instance, cli_runs[0].run_id) > 0
        assert runs_the_queue_would_start(instance) == {
            sensor_run
        }  # the queue lets the sensor's run go once they are done
    with duckdb.connect(str(serving.with_name("ror.work.duckdb")), read_only=True) as con:
        assert con.execute("select count(*) - count(distinct _record_hash) from raw.interactions").fetchone() == (0,)
