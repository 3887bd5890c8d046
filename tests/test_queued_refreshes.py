"""`ror refresh` on a deployment whose runs go through the instance's run queue (`runs: queue`, the cluster's): two
refreshes of one warehouse submitted at the same moment, a real dagster-daemon launching them from the code location
one at a time (QueuedRunCoordinator, one run at a time). The second waits QUEUED until the first ends, both succeed and
print their summaries, the instance shows both runs' true states, and the marts are those of a refresh in its own
process on the default instance."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRunStatus
from support.runs import ROR, snapshot

from orchestration.cli.queued import WORKSPACE_FILE
from orchestration.instance import open_instance
from orchestration.names import WAREHOUSE_TAG

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LANDING_FILES = (
    "x_twitter_v2/two_tweets.jsonl",
    "x_twitter_v2/mentions_tweet.jsonl",
    "generic/canonical_interactions.csv",
)
DAEMON = Path(sys.executable).with_name("dagster-daemon")
# The instance of the test: SQLite, Dagster's run queue letting one run go at a time, looked at every second.
QUEUED_INSTANCE = """telemetry:
  enabled: false
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: 1
    dequeue_interval_seconds: 1
"""
RUNNING = (DagsterRunStatus.STARTING, DagsterRunStatus.STARTED)

pytestmark = pytest.mark.slow


@pytest.fixture
def queued_instance(tmp_path: Path):
    """DAGSTER_HOME with the run queue, a deployment file sending `ror refresh`'s runs through it, and a
    dagster-daemon on it, whose own code location watches an empty landing folder (its sensor starts nothing)."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(QUEUED_INSTANCE)
    with open_instance(home):  # its storage made before the daemon starts, as `make cluster-up` has it
        pass
    deployment = tmp_path / "deployment.yaml"
    deployment.write_text("runs: queue\n")
    location = tmp_path / "location"
    (location / "landing").mkdir(parents=True)
    log = tmp_path / "daemon.log"
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "ROR_WAREHOUSE": str(location / "ror.duckdb"),
        "ROR_LANDING_DIR": str(location / "landing"),
    }
    with log.open("wb") as out:
        daemon = subprocess.Popen(
            [DAEMON, "run", "-w", WORKSPACE_FILE],
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its code server and run workers stop with it
        )
    try:
        yield home, deployment, log
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()


def _refresh(landing: Path, serving: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [ROR, "refresh", "--landing", landing, "--warehouse", serving],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_refreshes_submitted_together_wait_in_the_queue_and_give_the_marts_of_one_run(tmp_path, queued_instance):
    home, deployment, daemon_log = queued_instance
    landing, serving = tmp_path / "landing", tmp_path / "serve" / "ror.duckdb"
    for name in LANDING_FILES:
        (landing / Path(name).parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / name, landing / name)
    queued_env = {**os.environ, "DAGSTER_HOME": str(home), "ROR_DEPLOYMENT": str(deployment)}
    together = [_refresh(landing, serving, queued_env), _refresh(landing, serving, queued_env)]
    # The same files refreshed in `ror`'s own process on the default instance, meanwhile: the marts to expect.
    alone_env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "alone_home")}
    alone_serving = tmp_path / "alone" / "ror.duckdb"
    alone = _refresh(landing, alone_serving, alone_env)

    seen_waiting = False
    with DagsterInstance.from_config(str(home)) as instance:
        while any(process.poll() is None for process in together):
            runs = instance.get_runs()
            running = [run for run in runs if run.status in RUNNING]
            assert len(running) <= 1, "two refreshes of one warehouse ran at once"
            seen_waiting |= bool(running) and any(run.status == DagsterRunStatus.QUEUED for run in runs)
            time.sleep(0.2)
        outcomes = [process.communicate() + (process.returncode,) for process in together]
        for out, err, code in outcomes:
            assert code == 0, f"{out[-3000:]}\n{err[-3000:]}\n{daemon_log.read_text()[-3000:]}"
            assert "Refresh succeeded" in " ".join(out.split())
        assert seen_waiting, "the second run never waited in the queue while the first ran"
        assert any("Queued: run" in err for _, err, _ in outcomes)

        records = sorted(instance.get_run_records(), key=lambda record: record.start_time)
        assert [record.dagster_run.status for record in records] == [DagsterRunStatus.SUCCESS] * 2
        assert {record.dagster_run.tags[WAREHOUSE_TAG] for record in records} == {str(serving)}
        first, second = records
        assert second.start_time >= first.end_time  # started once the first had ended

    out, err = alone.communicate(timeout=900)
    assert alone.returncode == 0, err[-3000:]
    assert snapshot(serving) == snapshot(alone_serving)


def test_a_refresh_interrupted_while_queued_cancels_its_run_and_says_no_daemon_would_start_it(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(QUEUED_INSTANCE)
    with open_instance(home):  # its storage made before the daemon starts, as `make cluster-up` has it
        pass
    deployment = tmp_path / "deployment.yaml"
    deployment.write_text("runs: queue\n")
    landing = tmp_path / "landing" / "generic"
    landing.mkdir(parents=True)
    shutil.copy(FIXTURES / "generic" / "canonical_interactions.csv", landing)
    env = {**os.environ, "DAGSTER_HOME": str(home), "ROR_DEPLOYMENT": str(deployment)}
    refresh = _refresh(landing.parent, tmp_path / "serve" / "ror.duckdb", env)
    said = ""
    while "No dagster-daemon is running" not in said:  # no daemon: the run stays queued
        line = refresh.stderr.readline()
        assert line, f"ror ended before its run was queued: {said[-3000:]}"
        said += line
    refresh.send_signal(signal.SIGINT)
    refresh.communicate(timeout=120)
    assert refresh.returncode == 130
    with DagsterInstance.from_config(str(home)) as instance:
        assert [run.status for run in instance.get_runs()] == [DagsterRunStatus.CANCELED]
