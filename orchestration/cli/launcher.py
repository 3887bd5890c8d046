"""Launch the refresh job on the Dagster instance and follow it: the run's process holds the warehouse's writer lock,
its events feed the progress bars, its step processes (more than one worker) build the same job from the same
settings."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from orchestration.cli.errors import EXIT_WAREHOUSE_BUSY
from orchestration.cli.summary import console
from orchestration.names import FULL_REFRESH_TAG, INVOCATION_TAG, PULL_TAG, SETTLE_TAG, STABILITY_CHECK
from orchestration.settings import Settings
from orchestration.warehouse_lock import LockHolder, WarehouseBusy, warehouse_writer_lock

# How often the progress bars look for the run's new events, and how often the last read, after the run, is tried
# again while the instance's storage is busy.
FOLLOW_EVERY_SECONDS = 0.25
FINAL_READ_ATTEMPTS = 40


@contextmanager
def writing_the_warehouse(settings: Settings, command: str, wait: bool) -> Iterator[None]:
    """Hold the warehouse's writer lock for the block, or exit at once (EXIT_WAREHOUSE_BUSY) saying who holds it."""

    def waiting(holder: LockHolder | None) -> None:
        who = holder.describe() if holder else "another process"
        print(f"Waiting: the warehouse {settings.serving_path} is being refreshed by {who}", file=sys.stderr)

    def abandoned(holder: LockHolder) -> None:
        from orchestration.instance import mark_run_abandoned, open_instance

        with open_instance(settings.dagster_home) as instance:
            if mark_run_abandoned(instance, holder, found_by=command):
                print(f"Marked run {holder.run_id} failed: its process {holder.pid} died mid-run", file=sys.stderr)

    with ExitStack() as stack:
        try:
            stack.enter_context(
                warehouse_writer_lock(
                    settings.working_path, command=command, wait=wait, on_wait=waiting, on_abandoned=abandoned
                )
            )
        except WarehouseBusy as busy:
            who = busy.holder.describe() if busy.holder else "another process"
            print(
                f"ror: the warehouse {settings.serving_path} is being refreshed by {who}; "
                "run the same command with --wait to start when it ends.",
                file=sys.stderr,
            )
            raise SystemExit(EXIT_WAREHOUSE_BUSY) from None
        yield


def run_refresh(
    settings: Settings,
    partition: str | None = None,
    full_refresh: bool = False,
    until: str | None = None,
    verbose: bool = False,
    pull: bool = False,
    settle: str = STABILITY_CHECK,
):
    """Materialize the refresh job on the real Dagster instance, as one run. ``partition`` (a day, YYYY-MM-DD) or the
    days ``partition``..``until`` are the window dbt's windowed models re-derive (none: from lookback_days before the
    newest day loaded, as the schedule does). ``settle`` is the rule the ingest step tells complete landing files by
    (orchestration.landing): a look twice, or a number of seconds.

    Returns (Dagster's result, outcome). Without ``verbose`` the run's log (tracebacks included) stays in the instance,
    a progress bar per stage follows the run's events and ``outcome`` tallies its checks (None when verbose); failures
    are explained by ``explain_failed_run``."""
    if verbose:
        return _execute(settings, partition, full_refresh, until, pull, settle, progress=None), None
    from orchestration.console import RunProgress

    # dbt's parse at load time and dagster-dbt print dbt's plain-text lines to stdout: a quiet run drops them (dbt's
    # log files and the run's events keep everything) while the bars write to the terminal's stdout directly.
    with RunProgress(console()) as progress, open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        with _worker_output_dropped():
            result = _execute(settings, partition, full_refresh, until, pull, settle, progress=progress)
    return result, progress.outcome


@contextmanager
def _worker_output_dropped() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null for the block: step processes (more than one worker) inherit it, and
    their Dagster log and import warnings would print over the bars. The run's events keep everything."""
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(null)
        os.close(saved)


def refresh_tags(full_refresh: bool, pull: bool, settle: str) -> dict[str, str]:
    """The run's tags: the rules its assets read from tags."""
    tags = {FULL_REFRESH_TAG: "true"} if full_refresh else {}
    tags[PULL_TAG] = "true" if pull else "false"
    tags[SETTLE_TAG] = settle
    return tags


def refresh_run_config(settings: Settings, quiet: bool, partition: str | None = None, until: str | None = None) -> dict:
    """The run's config: its window of days, if any (orchestration.assets.dbt.RefreshWindow), and the worker count,
    which Dagster stores with the run: the executor and the enrichment's bucket split read it there
    (orchestration.executor.run_workers)."""
    from orchestration.assets.dbt import refresh_window_run_config

    run_config: dict = {"execution": {"config": {"workers": settings.enrich_workers}}}
    if partition is not None:
        run_config |= refresh_window_run_config(partition, until or partition)
    if quiet:
        run_config["loggers"] = {"console": {"config": {"log_level": "CRITICAL"}}}
    return run_config


def _execute(
    settings: Settings, partition: str | None, full_refresh: bool, until: str | None, pull: bool, settle: str, progress
):
    from dagster import build_reconstructable_job, execute_job

    from orchestration.instance import open_instance

    tags = refresh_tags(full_refresh, pull, settle)
    run_config = refresh_run_config(settings, quiet=progress is not None, partition=partition, until=until)
    # Through execute_job, not execute_in_process: the job's own executor runs it, in worker processes when the run
    # has more than one worker (orchestration/executor.py); they build the same job from the same settings. Their
    # events reach the bars from the instance's event log.
    job = build_reconstructable_job(
        "orchestration.build", "refresh_job_for", reconstructable_args=(settings.to_json(),)
    )
    with open_instance(settings.dagster_home) as instance:
        with following(instance, progress, tags) as tags, execute_job(job, instance, run_config, tags=tags) as result:
            send_alerts(instance, settings, result.run_id)
            return result


def send_alerts(instance, settings: Settings, run_id: str) -> None:
    """The run's alerts (configuration `alerts:`; none: nothing sent): `ror refresh` runs do not pass through the
    daemon's run-status sensors. A channel that fails says so here and never fails the refresh."""
    from orchestration.alerts_sensor import alert_after_run

    for failure in alert_after_run(instance, run_id, settings).failures:
        print(f"ror: alert not sent: {failure}", file=sys.stderr)


@contextmanager
def following(instance, progress, tags: dict[str, str]) -> Iterator[dict[str, str]]:
    """Feed ``progress`` the events of the run started with the returned tags, from every process, while it runs."""
    if progress is None:
        yield tags
        return
    import threading
    import time
    import uuid

    from dagster import RunsFilter
    from sqlalchemy.exc import OperationalError

    marker = {INVOCATION_TAG: uuid.uuid4().hex}
    finished = threading.Event()
    failed: list[BaseException] = []

    def follow() -> None:
        run_id, cursor, busy_final_reads = None, None, 0
        while True:
            last_pass = finished.is_set()
            try:
                if run_id is None:
                    runs = instance.get_run_records(RunsFilter(tags=marker), limit=1)
                    run_id = runs[0].dagster_run.run_id if runs else None
                if run_id is not None:
                    connection = instance.get_records_for_run(run_id, cursor=cursor)
                    for record in connection.records:
                        progress.listen(record.event_log_entry)
                    cursor = connection.cursor
                    if connection.has_more:
                        continue
            except OperationalError:
                # The instance's storage was busy (SQLite locked by the run's own writes on a loaded machine): the
                # events are still there, read them next time. Only the last pass, after the run, gives up at length.
                busy_final_reads += last_pass
                if busy_final_reads <= FINAL_READ_ATTEMPTS:
                    time.sleep(FOLLOW_EVERY_SECONDS)
                    continue
                raise
            if last_pass:
                return
            finished.wait(FOLLOW_EVERY_SECONDS)

    def follow_or_record_failure() -> None:
        # A thread's exception would only be printed to stderr (hidden during a quiet run) and the summary would then
        # count the checks it never saw: hand it to the caller instead.
        try:
            follow()
        except BaseException as error:
            failed.append(error)

    follower = threading.Thread(target=follow_or_record_failure, name="ror-progress", daemon=True)
    follower.start()
    try:
        yield tags | marker
    finally:
        finished.set()
        follower.join()
    if failed:
        raise failed[0]
