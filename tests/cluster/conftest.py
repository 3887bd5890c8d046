"""The cluster in a box's tests share one refresh on it (`both_runs`: minutes on 2 cores), and run only while a cluster
is up (`make test-cluster` starts one, runs the tests marked `cluster`, stops it); without one they are skipped, with
the reason.

The refresh is pointed at the cluster by configuration alone, the variables the cluster's `env` file exports:
DAGSTER_HOME (the instance in PostgreSQL) and ROR_DEPLOYMENT (steps on the Celery workers, dbt on the Spark cluster,
the run submitted to the instance's queue, which the cluster's dagster-daemon launches).
The same demo exports are refreshed once on this machine alone (DuckDB) and once on the cluster, side by side, and
the worker process scoring the first hash bucket is killed (SIGKILL) while it scores (tests/cluster/test_same_marts.py
tells what follows from that).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from dagster import DagsterEventType, DagsterInstance
from support.runs import ROR, refresh
from support.superset import set_up_superset

from cluster.__main__ import cluster_layout
from cluster.services import CELERY_WORKERS, running_pid, status
from generators import write_demo_config, write_demo_exports

LAYOUT = cluster_layout()
PYTHON = Path(sys.executable)
SCORING_STEP = "enrichment__text_enrichment.score_bucket"
# How long the cluster refresh may take on a loaded 2-core machine, and how long its first scoring step may take to
# start (the steps before it: configuration, extract, ingest, the pending texts' export).
REFRESH_SECONDS, SCORING_START_SECONDS = 1800, 900


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test marked `cluster` is skipped, saying how to start one, when no cluster is up."""
    cluster_tests = [item for item in items if item.get_closest_marker("cluster")]
    if cluster_tests and not all(status(LAYOUT, PYTHON).values()):
        skip = pytest.mark.skip(reason=f"no cluster is up in {LAYOUT.root}: make cluster-up")
        for item in cluster_tests:
            item.add_marker(skip)


def cluster_environment() -> dict[str, str]:
    """This process's environment with the cluster's `env` file applied: what `. .cluster/env` gives a shell."""
    exported = {}
    for line in LAYOUT.env_file.read_text().splitlines():
        if line.startswith("export "):
            name, value = line.removeprefix("export ").split("=", 1)
            exported[name] = value
    return {**os.environ, **exported}


@pytest.fixture(scope="session", autouse=True)
def superset_set_up(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, Future] | None]:
    """Superset's set-up on the cluster's SQL endpoint (its metadata, the dashboards' import: minutes), started with
    the session when one of its tests opens the dashboards: it needs the endpoint, not the marts, so it runs beside
    the refreshes. (Superset's home, the set-up's future), or None."""
    opens_dashboards = any(
        "superset_on_spark" in item.fixturenames and not item.get_closest_marker("skip")
        for item in request.session.items
    )
    if not opens_dashboards:
        yield None
        return
    home = tmp_path_factory.mktemp("superset_on_spark")
    with ThreadPoolExecutor(1) as beside:
        yield (
            home,
            beside.submit(set_up_superset, ["--spark-endpoint", cluster_environment()["ROR_BI_SPARK_ENDPOINT"]], home),
        )


@pytest.fixture(scope="session")
def cluster_env() -> dict[str, str]:
    return cluster_environment()


def _process_group(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[2])
    except (OSError, IndexError, ValueError):
        return None


def _a_celery_worker_s(pid: int | None) -> bool:
    """True when ``pid`` is a process of one of the cluster's Celery workers (their process groups): the test kills
    nothing else."""
    workers = {running_pid(LAYOUT, f"celery-worker-{index + 1}") for index in range(CELERY_WORKERS)}
    return pid is not None and _process_group(pid) in workers - {None}


def _kill_a_scoring_step(instance: DagsterInstance, earlier_runs: set[str], refresh: subprocess.Popen) -> tuple:
    """Wait for the new run's first scoring step to start on a worker, and SIGKILL the worker process that runs it
    before it ends: (run id, step key, the killed pid)."""
    deadline = time.monotonic() + SCORING_START_SECONDS
    while time.monotonic() < deadline and refresh.poll() is None:
        for run in instance.get_runs(limit=5):
            if run.run_id in earlier_runs:
                continue
            for record in instance.all_logs(run.run_id, of_type=DagsterEventType.STEP_START):
                event = record.dagster_event
                if event.step_key.startswith(SCORING_STEP) and _a_celery_worker_s(event.pid):
                    os.kill(event.pid, signal.SIGKILL)
                    return run.run_id, event.step_key, event.pid
        time.sleep(0.1)
    pytest.fail("no scoring step started on the cluster's workers")


@pytest.fixture(scope="session")
def both_runs(
    cluster_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, str, str, int]:
    """The single-machine run's serving file, the cluster run's, and the cluster run's id, the step whose worker
    process was killed and that process's pid."""
    root = tmp_path_factory.mktemp("cluster")
    landing = root / "landing"
    write_demo_exports(landing, days=3)
    config = write_demo_config(root / "ror.yaml")
    here = {**os.environ, "DAGSTER_HOME": str(root / "dagster_home")}
    there = root / "cluster" / "ror.duckdb"
    with DagsterInstance.from_config(cluster_env["DAGSTER_HOME"]) as instance, ThreadPoolExecutor(1) as beside:
        earlier_runs = {run.run_id for run in instance.get_runs()}
        command = [ROR, "refresh", "--landing", landing, "--warehouse", there, "--config", config]
        with subprocess.Popen(
            command, env=cluster_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as ror:
            # The single-machine refresh runs meanwhile, for a minute or two less of the test: much of the cluster's
            # run is waiting (the queue, the task hand-offs, Spark's scheduling), not computing.
            single_machine = beside.submit(refresh, landing, root / "here" / "ror.duckdb", here, config)
            try:
                run_id, killed_step, killed_pid = _kill_a_scoring_step(instance, earlier_runs, ror)
                output, _ = ror.communicate(timeout=REFRESH_SECONDS)
            finally:
                if ror.poll() is None:
                    ror.kill()
        assert ror.returncode == 0, output[-6000:]
        single_machine.result()
    return root / "here" / "ror.duckdb", there, run_id, killed_step, killed_pid
