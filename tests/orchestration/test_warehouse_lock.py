"""One writer per warehouse: a second writer is refused with who holds it, or waits; a killed holder leaves no lock but
a record from which its run is marked failed."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRunStatus, RunsFilter
from dagster._core.test_utils import create_run_for_test

from orchestration.cli import EXIT_WAREHOUSE_BUSY
from orchestration.instance import holder_is_dead, mark_run_abandoned
from orchestration.warehouse_lock import (
    LockHolder,
    WarehouseBusy,
    current_holder,
    held_by_run,
    lock_path_for,
    warehouse_writer_lock,
)
from tests.support.sensors import sensor_context

ROR = Path(sys.executable).with_name("ror")

# Takes the lock as run `run-a`, says so, and holds it until killed or until its stdin closes.
HOLDER = textwrap.dedent(
    """
    import sys
    from orchestration.warehouse_lock import warehouse_writer_lock
    run_id = sys.argv[2] if len(sys.argv) > 2 else "run-a"
    with warehouse_writer_lock(sys.argv[1], command="ror refresh", wait=False, run_id=run_id):
        print("held", flush=True)
        sys.stdin.read()
    """
)


@pytest.fixture
def working(tmp_path) -> Path:
    return tmp_path / "serve" / "ror.work.duckdb"


@pytest.fixture
def other_process_holds(working):
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(working)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "held"
    yield process
    if process.poll() is None:
        process.stdin.close()
        process.wait(timeout=30)


def test_the_landing_sensor_marks_the_run_of_a_killed_writer_failed_at_its_next_tick(
    tmp_path, location_settings, defs_with
):

    serving = location_settings.serving_path  # the session's warehouse folder: its dbt project is parsed already
    defs = defs_with(landing_dir=tmp_path / "landing")
    with DagsterInstance.ephemeral() as instance:
        run = create_run_for_test(instance, job_name="ror_refresh", status=DagsterRunStatus.STARTED)
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(serving.with_name("ror.work.duckdb")), run.run_id],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout.readline().strip() == "held"
        sensor = defs.get_sensor_def("landing_files_sensor")
        context = sensor_context(defs, instance=instance)
        sensor.evaluate_tick(context)
        assert instance.get_run_by_id(run.run_id).status == DagsterRunStatus.STARTED  # alive: left alone

        holder.kill()
        holder.wait(timeout=30)
        sensor.evaluate_tick(context)
        assert instance.get_run_by_id(run.run_id).status == DagsterRunStatus.FAILURE
        assert "Found by the landing sensor" in instance.all_logs(run.run_id)[-1].message


def test_step_processes_know_the_lock_is_held_for_their_run(working, other_process_holds):
    # what a step process of the multiprocess executor asks before it works under its run's lock
    assert held_by_run(working, "run-a")
    assert not held_by_run(working, "run-b")
    other_process_holds.stdin.close()
    other_process_holds.wait(timeout=30)
    assert not held_by_run(working, "run-a")


def test_a_second_writer_is_refused_at_once_naming_the_run_that_holds_it(working, other_process_holds):
    with pytest.raises(WarehouseBusy) as refused:
        with warehouse_writer_lock(working, command="ror refresh", wait=False):
            pytest.fail("two writers held the warehouse at once")
    holder = refused.value.holder
    assert (holder.run_id, holder.pid, holder.command) == ("run-a", other_process_holds.pid, "ror refresh")
    assert "run run-a" in str(refused.value) and holder.since_utc in str(refused.value)


def test_a_waiting_writer_starts_when_the_holder_ends_and_finds_no_abandoned_run(working, other_process_holds):
    waited_for: list[LockHolder | None] = []
    abandoned: list[LockHolder] = []
    acquired = threading.Event()

    def second_writer() -> None:
        with warehouse_writer_lock(
            working, command="ror refresh", wait=True, on_wait=waited_for.append, on_abandoned=abandoned.append
        ):
            acquired.set()

    thread = threading.Thread(target=second_writer)
    thread.start()
    _eventually(lambda: waited_for)
    assert not acquired.is_set()
    assert waited_for[0].run_id == "run-a"
    other_process_holds.stdin.close()  # the first run ends cleanly
    thread.join(timeout=60)
    assert acquired.is_set()
    assert abandoned == []  # a clean release leaves no record behind
    assert current_holder(lock_path_for(working)) is None


def test_a_killed_holder_leaves_the_lock_free_and_its_record_to_the_next_writer(working, other_process_holds):
    other_process_holds.send_signal(signal.SIGKILL)
    other_process_holds.wait(timeout=30)
    stale = current_holder(lock_path_for(working))
    assert stale.run_id == "run-a" and holder_is_dead(stale)

    abandoned: list[LockHolder] = []
    with warehouse_writer_lock(working, command="ror refresh", wait=False, on_abandoned=abandoned.append) as holder:
        assert holder.pid == os.getpid()
        assert not holder_is_dead(holder)
    assert [h.run_id for h in abandoned] == ["run-a"]


def test_the_lock_is_joined_inside_one_process_and_records_the_run(working):
    with warehouse_writer_lock(working, command="ror refresh", wait=False) as outer:
        assert outer.run_id is None
        with warehouse_writer_lock(working, command="dagster run", wait=False, run_id="run-b") as inner:
            assert inner.run_id == "run-b"
            assert current_holder(lock_path_for(working)).run_id == "run-b"
        assert current_holder(lock_path_for(working)).command == "ror refresh"


def test_the_run_of_a_dead_holder_is_marked_failed_with_the_reason(tmp_path):
    with DagsterInstance.ephemeral() as instance:
        started = create_run_for_test(instance, job_name="ror_refresh", status=DagsterRunStatus.STARTED)
        finished = create_run_for_test(instance, job_name="ror_refresh", status=DagsterRunStatus.SUCCESS)
        dead = LockHolder(pid=123, host="h", command="ror refresh", since_utc="2026-01-01T02:00:00+00:00")

        assert mark_run_abandoned(instance, LockHolder(**{**dead.__dict__, "run_id": started.run_id}), "test")
        assert not mark_run_abandoned(instance, LockHolder(**{**dead.__dict__, "run_id": finished.run_id}), "test")
        assert instance.get_run_by_id(started.run_id).status == DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(finished.run_id).status == DagsterRunStatus.SUCCESS
        failure = instance.all_logs(started.run_id)[-1]
        assert "pid 123" in failure.message and "died" in failure.message


@pytest.mark.parametrize(
    "command",
    [["refresh"], ["backfill", "--from", "2026-01-01", "--to", "2026-01-02"], ["ingest", "{landing}"]],
    ids=lambda command: command[0],
)
def test_a_second_ror_command_stops_at_once_with_one_line_when_another_run_holds_the_warehouse(
    tmp_path, working, other_process_holds, command
):
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "export.csv").write_text("a,b\n1,2\n")
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home")}
    if command[0] != "ingest":
        command = [*command, "--landing", str(landing)]
    result = subprocess.run(
        [ROR, *[part.format(landing=landing) for part in command], "--warehouse", working.with_name("ror.duckdb")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == EXIT_WAREHOUSE_BUSY
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "run run-a" in lines[0] and "since" in lines[0] and "--wait" in lines[0]
    assert not working.exists()  # nothing was written


def test_a_run_launched_from_the_ui_waits_inside_the_job_for_the_warehouse(tmp_path, working, other_process_holds):
    from dagster import materialize

    from orchestration.assets.ingest import raw_exports
    from orchestration.resources import ConfigFileResource, LandingResource, WarehouseResource

    (tmp_path / "landing").mkdir()
    resources = {
        "warehouse": WarehouseResource(serving_path=str(working.with_name("ror.duckdb"))),
        "landing": LandingResource(landing_dir=str(tmp_path / "landing")),
        "ror_config": ConfigFileResource(),
    }
    with DagsterInstance.ephemeral() as instance:
        outcome = {}
        run = threading.Thread(
            target=lambda: outcome.update(result=materialize([raw_exports], instance=instance, resources=resources))
        )
        run.start()

        def waiting_messages() -> list[str]:
            return [e.message for e in instance.all_logs(run_id) if "Waiting for the warehouse" in e.message]

        (run_id,) = [
            r.run_id for r in _eventually(lambda: instance.get_runs(RunsFilter(statuses=[DagsterRunStatus.STARTED])))
        ]
        (message,) = _eventually(waiting_messages)
        assert "run run-a" in message
        assert not working.exists()  # nothing written while it waits
        other_process_holds.stdin.close()
        run.join(timeout=120)
        assert outcome["result"].success and working.exists()
        assert current_holder(lock_path_for(working)) is None


def _eventually(condition, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)
    return result


def test_a_connection_waits_for_duckdbs_file_lock_left_by_a_lingering_child(tmp_path):
    """After a SIGKILL of only `ror`, its dbt child can hold DuckDB's file lock a moment longer: wait, don't fail."""
    import subprocess
    import sys
    import time

    from orchestration.resources import WarehouseResource

    warehouse = WarehouseResource(serving_path=str(tmp_path / "ror.duckdb"), file_lock_wait_seconds=30)
    holder_script = (
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(3)"
    )
    lingering = subprocess.Popen(
        [sys.executable, "-c", holder_script, str(warehouse.working_path)], stdout=subprocess.PIPE, text=True
    )
    assert lingering.stdout.readline().strip() == "held"
    started = time.monotonic()
    with warehouse.connect() as con:
        assert con.execute("select 42").fetchone() == (42,)
    assert time.monotonic() - started >= 1  # it did wait for the other process
    lingering.wait(timeout=30)


def test_a_connection_still_fails_when_the_file_lock_is_never_released(tmp_path):
    import subprocess
    import sys

    import duckdb
    import pytest

    from orchestration.resources import WarehouseResource

    warehouse = WarehouseResource(serving_path=str(tmp_path / "ror.duckdb"), file_lock_wait_seconds=2)
    holder_script = (
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(30)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", holder_script, str(warehouse.working_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(duckdb.IOException, match="lock"):
            with warehouse.connect():
                pass
    finally:
        holder.kill()
        holder.wait()


def test_a_writer_refused_the_instant_the_holder_took_the_lock_still_names_it(working):
    """The holder takes the lock, then writes its record: a refusal in between waits for the record, not 'another
    process' (two refreshes started at the same moment)."""
    import fcntl
    import json

    lock_path = lock_path_for(working.resolve())
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    record = {"pid": 4242, "host": "here", "command": "ror refresh", "since_utc": "2026-12-06T22:00:00+00:00"}
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # taken, its record not written yet
        writer = threading.Timer(0.3, lambda: os.pwrite(fd, json.dumps(record).encode(), 0))
        writer.start()
        with pytest.raises(WarehouseBusy) as refused:
            with warehouse_writer_lock(working, command="ror refresh", wait=False):
                pytest.fail("two writers held the warehouse at once")
        writer.join()
    finally:
        os.close(fd)
    assert refused.value.holder is not None and refused.value.holder.pid == 4242
    assert "pid 4242" in str(refused.value)
