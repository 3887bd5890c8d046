"""`ror refresh` and `ror backfill` on a deployment whose runs go through the instance's run queue (`runs: queue` in
the deployment file, orchestration.deployment; the cluster in a box writes it): the run is submitted to the queue, a
dagster-daemon launches it from the code location (workspace.yaml) once the queue lets it (one run per warehouse),
and `ror` follows it to its end with the same progress bars, closing screen and exit codes as a run in its own process
(orchestration.cli.launcher).

The code location is built from the daemon's settings, so the run carries its own: its resources' run config
(orchestration.resources.resource_config: warehouse, landing folder, configuration file, models) and its dbt profile's
folder, the warehouse's, where `ror` writes the profile before it submits. The executor takes the writer lock of the
warehouse the run config names (orchestration.executor.run_serving_path); the tag ror/warehouse queues the run behind
any other run of that warehouse. `ror` holds no lock while the run is queued or runs: it reads the refresh state
before it submits and records it after a success only when the warehouse is free.

Submitting goes through Dagster's own `dagster job launch` (the instance's run coordinator: its queue), in a child
process that loads the code location; secrets (ROR_HASH_SALT, API tokens) are read where the run runs, from the
daemon's environment.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from orchestration.cli.errors import EXIT_OK, UsageError
from orchestration.cli.launcher import following, refresh_run_config, refresh_tags, send_alerts
from orchestration.cli.summary import console, finish, print_nothing_new
from orchestration.names import REFRESH_JOB_NAME, STABILITY_CHECK, WAREHOUSE_TAG
from orchestration.refresh_state import record_refresh, refresh_inputs, unchanged_since_last_refresh
from orchestration.settings import DBT_PROJECT_DIR, PROJECT_ROOT, Settings, child_environment

# The code location a dagster-daemon loads (`dagster-daemon run -w workspace.yaml`), by its name there.
WORKSPACE_FILE = PROJECT_ROOT / "workspace.yaml"
DAGSTER = str(Path(sys.executable).with_name("dagster"))
# How often `ror` looks at the run's status while it is queued or runs.
POLL_SECONDS = 0.5
# A daemon that has not reported for this long is not running: the run stays queued until one starts.
DAEMON_SILENT_SECONDS = 60
FINISHED = ("SUCCESS", "FAILURE", "CANCELED")
# The folder under DAGSTER_HOME of the code location that submits runs (its dbt manifest): see ``submit``.
SUBMITTING_FOLDER = "ror_submitting"


def queues_runs(settings: Settings) -> bool:
    """Whether `ror refresh` submits its run to the instance's run queue (the deployment says `runs: queue`)."""
    return settings.deployment is not None and settings.deployment.queued_runs


@dataclass(frozen=True)
class QueuedRunResult:
    """A finished run as the closing screen reads it (orchestration.cli.summary): the questions `execute_job`'s
    result answers, from the run's events in the instance."""

    run_id: str
    success: bool
    all_events: list

    def get_asset_materialization_events(self) -> list:
        return [event for event in self.all_events if event.is_step_materialization]

    def get_asset_check_evaluations(self) -> list:
        return [
            event.event_specific_data for event in self.all_events if event.event_type_value == "ASSET_CHECK_EVALUATION"
        ]

    def asset_materializations_for_node(self, node_name: str) -> list:
        return [
            event.step_materialization_data.materialization
            for event in self.get_asset_materialization_events()
            if event.node_handle is not None and event.node_handle.name == node_name
        ]


def refresh_through_the_queue(
    settings: Settings, args: argparse.Namespace, settle: str, may_skip: bool, started: float
) -> int:
    """`ror refresh` through the queue: nothing runs when nothing is new (read while no run writes the warehouse),
    and a successful run's refresh state is recorded when the warehouse is free (else the next refresh runs once
    and records it), as the schedule's runs are (orchestration.jobs)."""
    from orchestration.jobs import read_when_free

    inputs = refresh_inputs(settings)
    if may_skip:
        last = read_when_free(
            settings.working_path, "ror refresh", lambda: unchanged_since_last_refresh(settings, inputs)
        )
        if last is not None:
            print_nothing_new(console(), settings, last, time.perf_counter() - started)
            return EXIT_OK
    result, outcome = run_queued(
        settings, args.partition, args.full_refresh, verbose=args.verbose, pull=args.pull, settle=settle
    )
    if result.success:
        read_when_free(settings.working_path, "ror refresh", lambda: record_refresh(settings, inputs, result.run_id))
    if args.pull:
        from orchestration.assets.extract import pull_report_lines

        print("\n".join(pull_report_lines(result)))
    return finish(settings, result, outcome, started, "Refresh", args.verbose)


def queued_run_config(settings: Settings, quiet: bool, partition: str | None, until: str | None) -> dict:
    """The run config of a run in its own process, plus everything the code location would otherwise take from the
    daemon's settings: each resource's values, whole (a resource's run config replaces every value it was built with),
    and dbt's, with the profile in this warehouse's dbt folder."""
    from orchestration.dbt_project import write_dbt_executable
    from orchestration.resources import resource_config

    resources = {name: {"config": values} for name, values in resource_config(settings).items()}
    resources["dbt"] = {
        "config": {
            "project_dir": str(DBT_PROJECT_DIR),
            "profiles_dir": str(settings.dbt_folder),
            "dbt_executable": str(write_dbt_executable(settings.dbt_folder)),
        }
    }
    return refresh_run_config(settings, quiet, partition, until) | {"resources": resources}


def run_queued(
    settings: Settings,
    partition: str | None = None,
    full_refresh: bool = False,
    until: str | None = None,
    verbose: bool = False,
    pull: bool = False,
    settle: str = STABILITY_CHECK,
) -> tuple[QueuedRunResult, object]:
    """Submit the refresh run to the instance's queue and follow it to its end: (its result, outcome) as
    orchestration.cli.launcher.run_refresh returns them. Interrupted, the run is cancelled (queued: it never starts)."""
    from orchestration.console import RunProgress
    from orchestration.dbt_project import write_profile
    from orchestration.instance import open_instance

    spark_conf = settings.deployment.spark_conf if settings.deployment else None
    write_profile(settings.dbt_folder, settings.working_path, settings.duckdb_limits(), spark_conf)
    tags = refresh_tags(full_refresh, pull, settle) | {WAREHOUSE_TAG: str(settings.serving_path)}
    run_config = queued_run_config(settings, quiet=not verbose, partition=partition, until=until)
    with open_instance(settings.dagster_home) as instance:
        if verbose:
            with following(instance, _LogLines(), tags) as tags:
                run_id = _follow_to_end(instance, settings, run_config, tags)
            outcome = None
        else:
            with RunProgress(console()) as progress, following(instance, progress, tags) as tags:
                run_id = _follow_to_end(instance, settings, run_config, tags)
            outcome = progress.outcome
        run = instance.get_run_by_id(run_id)
        events = [entry.dagster_event for entry in instance.all_logs(run_id) if entry.is_dagster_event]
        send_alerts(instance, settings, run_id)
    return QueuedRunResult(run_id, run.is_success, events), outcome


def _follow_to_end(instance, settings: Settings, run_config: dict, tags: dict[str, str]) -> str:
    run_id = submit(settings, run_config, tags)
    try:
        _wait_for_end(instance, run_id, settings.dagster_home)
    except KeyboardInterrupt:
        instance.run_coordinator.cancel_run(run_id)
        raise
    return run_id


def submit(settings: Settings, run_config: dict, tags: dict[str, str]) -> str:
    """Submit a run of the refresh job to the instance's run coordinator (`dagster job launch`); its run id.

    The launching process loads the code location for a warehouse of its own under DAGSTER_HOME, never written: the
    job is the same for every warehouse, and the warehouse's own dbt folder may be in use by a run (its dbt writes the
    manifest there). One launch at a time per instance, so that the first parses that location's dbt project and the
    others find it parsed."""
    import fcntl

    run_id = str(uuid.uuid4())
    command = [DAGSTER, "job", "launch", "-w", str(WORKSPACE_FILE), "-j", REFRESH_JOB_NAME]
    command += ["--config-json", json.dumps(run_config), "--tags", json.dumps(tags), "--run-id", run_id]
    location = settings.dagster_home / SUBMITTING_FOLDER
    location.mkdir(parents=True, exist_ok=True)
    env = child_environment(DAGSTER_HOME=str(settings.dagster_home), ROR_WAREHOUSE=str(location / "ror.duckdb"))
    with (location / "launch.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        launched = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if launched.returncode != 0:
        raise UsageError(
            f"The run could not be submitted to the run queue of the instance {settings.dagster_home}: "
            f"{_launch_error(launched.stderr)}\n"
            "Check that the deployment's services are up (make cluster-status), or run `dagster job launch` by hand."
        )
    return run_id


def _launch_error(stderr: str) -> str:
    """The line of `dagster job launch`'s traceback that says what was wrong: a config error's first, else the
    exception's."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    config_errors = [line for line in lines if line.startswith("Error 1:")]
    exceptions = [line for line in lines if re.match(r"[\w.]+(Error|Exception)\b", line)]
    return (config_errors or exceptions or lines or ["no message"])[-1]


def _wait_for_end(instance, run_id: str, dagster_home: Path) -> None:
    """Poll the run's status until it ends; say once, on stderr, that it waits in the queue, and whether no
    dagster-daemon is there to start it."""
    said_queued = False
    while (status := instance.get_run_by_id(run_id).status.value) not in FINISHED:
        if status == "QUEUED" and not said_queued:
            print(f"Queued: run {run_id} waits in the instance's run queue for its turn", file=sys.stderr)
            if not _daemon_running(instance):
                print(
                    f"No dagster-daemon is running against {dagster_home}: the run starts when one does "
                    "(make cluster-up starts one; Ctrl-C cancels the run).",
                    file=sys.stderr,
                )
            said_queued = True
        time.sleep(POLL_SECONDS)


def _daemon_running(instance) -> bool:
    heartbeats = instance.get_daemon_heartbeats().values()
    return any(time.time() - beat.timestamp < DAEMON_SILENT_SECONDS for beat in heartbeats)


class _LogLines:
    """--verbose: each event of the run, as one line of its log."""

    def listen(self, entry) -> None:
        message = entry.user_message or (entry.dagster_event.message if entry.dagster_event else None)
        if message:
            print(f"{entry.step_key or entry.job_name}: {message}", flush=True)
