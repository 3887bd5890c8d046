"""The Dagster instance the project runs on: DAGSTER_HOME/dagster.yaml, written by `ror` and `make dev`.

Runs of the refresh job carry the tag ``ror/warehouse`` (the serving file they write); the run queue lets one run per
tag value be in progress, so the schedule, the sensor and the UI queue behind each other instead of colliding. Run
monitoring fails runs that never start. A run whose process died after starting is marked failed by the next writer
of its warehouse or by the landing sensor's next tick (orchestration/resources.py), from the warehouse lock's record.

Usage: ``python -m orchestration.instance DAGSTER_HOME`` (what `make dev` runs).
"""

from __future__ import annotations

import fcntl
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.names import WAREHOUSE_TAG
from orchestration.warehouse_lock import LockHolder

if TYPE_CHECKING:  # `ror` writes the instance's file before it knows whether it will run anything
    from dagster import DagsterInstance

MANAGED_MARKER = "# Written by ror-warehouse (orchestration/instance.py)."
# What earlier versions wrote: upgraded in place, it was never edited by hand.
LEGACY_CONTENT = "telemetry:\n  enabled: false\n"

INSTANCE_CONFIG = f"""{MANAGED_MARKER} Delete this line to keep hand edits; it is rewritten otherwise.
telemetry:
  enabled: false
concurrency:
  runs:
    # One refresh per warehouse at a time; the others wait in the queue.
    tag_concurrency_limits:
      - key: "{WAREHOUSE_TAG}"
        value:
          applyLimitPerUniqueValue: true
        limit: 1
run_monitoring:
  enabled: true
  start_timeout_seconds: 300
  cancel_timeout_seconds: 300
  poll_interval_seconds: 60
"""


def write_instance_config(dagster_home: Path) -> Path:
    """Create DAGSTER_HOME and its dagster.yaml, or bring the project's own file up to date; a file someone wrote by
    hand (no marker line) is left alone."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    current = config.read_text() if config.exists() else None
    if current in (None, LEGACY_CONTENT) or (current.startswith(MANAGED_MARKER) and current != INSTANCE_CONFIG):
        config.write_text(INSTANCE_CONFIG)
    return config


# Held while a process opens the instance: see ``open_instance``.
OPENING_LOCK = ".ror-opening.lock"


@contextmanager
def open_instance(dagster_home: Path) -> Iterator[DagsterInstance]:
    """The instance of DAGSTER_HOME, opened while no other `ror` process opens it.

    Opening a SQLite instance creates and stamps its databases the first time; two processes doing so at the same
    moment (two refreshes submitted together on a fresh DAGSTER_HOME) can each stamp a schema revision, and every
    later open then fails on alembic's "more than one head". Opening one at a time leaves one to create, the rest to
    find them made."""
    from dagster import DagsterInstance

    dagster_home.mkdir(parents=True, exist_ok=True)
    with (dagster_home / OPENING_LOCK).open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        instance = DagsterInstance.from_config(str(dagster_home))
        fcntl.flock(lock, fcntl.LOCK_UN)
    with instance:
        yield instance


# A run in one of these states (DagsterRunStatus values) whose process is gone will never leave it by itself.
_UNFINISHED = ("STARTING", "STARTED", "CANCELING")


def mark_run_abandoned(instance: DagsterInstance, holder: LockHolder, found_by: str) -> bool:
    """Mark the run of a writer that died holding the warehouse lock as failed, with the reason; True if marked."""
    run = instance.get_run_by_id(holder.run_id) if holder.run_id else None
    if run is None or run.status.value not in _UNFINISHED:
        return False
    instance.report_run_failed(
        run,
        f"The process running this refresh ({holder.command}, pid {holder.pid} on {holder.host}, since "
        f"{holder.since_utc}) died without finishing; the kernel released its warehouse lock. Found by {found_by}. "
        "The next refresh resumes from what it had stored.",
    )
    return True


def holder_is_dead(holder: LockHolder) -> bool:
    """True when the recorded holder ran on this machine and its process no longer exists."""
    if holder.host != socket.gethostname():
        return False
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


if __name__ == "__main__":
    print(write_instance_config(Path(sys.argv[1]).resolve()))
