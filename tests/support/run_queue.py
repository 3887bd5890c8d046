"""The instance's run queue as the daemon sees it: which queued runs it would start now."""

from dagster import DagsterInstance, DagsterRunStatus
from dagster._core.remote_origin import RegisteredCodeLocationOrigin, RemoteJobOrigin, RemoteRepositoryOrigin
from dagster._core.test_utils import create_run_for_test
from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import QueuedRunCoordinatorDaemon

# Queued runs name where their job comes from; the queue only reads their tags.
JOB_ORIGIN = RemoteJobOrigin(
    RemoteRepositoryOrigin(RegisteredCodeLocationOrigin("ror"), "__repository__"), "ror_refresh"
)


def submit(instance: DagsterInstance, tags: dict[str, str], status=DagsterRunStatus.QUEUED) -> str:
    """A run of the refresh job as the schedule, the sensor or the UI submits it (or, STARTED, as `ror refresh`
    runs it in its own process, outside the queue)."""
    run = create_run_for_test(instance, job_name="ror_refresh", status=status, tags=tags, remote_job_origin=JOB_ORIGIN)
    return run.run_id


def runs_the_queue_would_start(instance: DagsterInstance) -> set[str]:
    daemon = QueuedRunCoordinatorDaemon(interval_seconds=1)
    return {run.run_id for run in daemon._get_runs_to_dequeue(instance, instance.get_concurrency_config(), None)}
