"""Crash safety: SIGKILL `ror refresh` mid-ingest, mid-enrichment (two worker processes scoring), mid-dbt and
mid-publish, then run it again; the marts must equal those of an uninterrupted run, with no duplicate and no lost rows.

Both runs use the default settings (int8 encoder): a text's scores do not depend on the texts scored with it
(tests/models/test_determinism.py), so a run killed mid-enrichment ends with the same scores as an uninterrupted one.
"""

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance, DagsterRunStatus
from support.runs import ROR, refresh, snapshot

from generators import write_demo_exports

# (step whose start we wait for, seconds to wait after it starts before SIGKILL, worker processes of that run).
# Mid-enrichment, two workers score two hash buckets in their own processes (the multiprocess executor); the killed
# run's scored chunks are landed by the next one.
KILL_POINTS = [
    ("raw_exports", 0.3, 1),
    ("enrichment__text_enrichment.score_bucket[bucket_0]", 4.0, 2),
    ("ror_dbt_models", 12.0, 1),
    ("serving_warehouse", 0.0, 1),
]


def _refresh_killed_during(step: str, delay: float, landing: Path, serving: Path, env: dict) -> bool:
    """Start a refresh, SIGKILL it `delay` seconds after `step` starts; True if the kill landed before it finished."""
    process = subprocess.Popen(
        # --verbose: the run's log (with its STEP_START events) goes to stderr
        [ROR, "refresh", "--landing", landing, "--warehouse", serving, "--verbose"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    started = threading.Event()

    def watch() -> None:
        for line in process.stderr:
            if "STEP_START" in line and f'"{step}"' in line:
                started.set()
        started.set()  # the process ended without reaching the step

    threading.Thread(target=watch, daemon=True).start()
    started.wait(timeout=600)
    time.sleep(delay)
    killed = process.poll() is None
    if killed:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    return killed


@pytest.fixture(scope="module")
def demo_landing(tmp_path_factory):
    landing = tmp_path_factory.mktemp("crash") / "landing"
    write_demo_exports(landing, days=30)
    return landing


def test_killing_a_refresh_at_any_stage_then_rerunning_gives_the_uninterrupted_marts(demo_landing, tmp_path):
    reference_env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "reference_home")}
    reference = tmp_path / "reference" / "ror.duckdb"
    refresh(demo_landing, reference, reference_env)

    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "crash_home")}
    serving = tmp_path / "crashed" / "ror.duckdb"
    kills = [
        step
        for step, delay, workers in KILL_POINTS
        if _refresh_killed_during(step, delay, demo_landing, serving, {**env, "ROR_ENRICH_WORKERS": str(workers)})
    ]
    assert len(kills) >= 3, f"only {kills} were interrupted: the kill points no longer land inside their steps"
    # Two workers here, one for the reference: the split of the texts into buckets leaves every mart as it was.
    refresh(demo_landing, serving, {**env, "ROR_ENRICH_WORKERS": "2"})

    assert snapshot(serving) == snapshot(reference)
    with duckdb.connect(str(serving.with_name("ror.work.duckdb")), read_only=True) as con:
        duplicates = con.execute("select count(*) - count(distinct _record_hash) from raw.interactions").fetchone()[0]
        files_loaded_twice = con.execute(
            "select count(*) from (select sha256 from raw.file_manifest where status = 'loaded' "
            "group by sha256 having count(*) > 1)"
        ).fetchone()[0]
    assert duplicates == 0
    assert files_loaded_twice == 0
    assert not list(serving.parent.glob(".*.publishing"))
    # The instance tells the truth: every killed run was marked failed, with the reason, by the run after it.
    with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        runs = instance.get_runs()
        assert {run.status for run in runs} <= {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE}
        failed = [run for run in runs if run.status == DagsterRunStatus.FAILURE]
        assert len(failed) >= len(kills) - 1  # a kill as publication starts may land just after the run finished
        for run in failed:
            assert "died without finishing" in instance.all_logs(run.run_id)[-1].message
