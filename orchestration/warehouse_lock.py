"""One writer per warehouse: an exclusive lock on a file beside the working database, held for a whole run.

The lock is ``flock`` on ``<working database>.writer.lock``: the kernel drops it when the holding process exits,
however it exits (SIGKILL included), so a dead run never leaves the warehouse locked. The file records who holds it
(pid, run id, command, since when) so a second writer can say whom it is waiting for. A clean release empties the
file; a record still present when the next writer gets the lock belongs to a process that died mid-run, and is
handed to that writer so it can mark the dead run failed.

Within one process the lock is re-entrant: ``ror refresh`` takes it before the run exists, and the job's warehouse
resource joins it (and records the run id) when the run starts in the same process. With the multiprocess executor
the run's orchestrating process holds it (orchestration.executor) and the step processes it starts work under it:
``held_by_run`` tells them the lock is their run's. Readers of the serving file never touch this lock.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

# How often a waiting writer tries again, and how often it says it is still waiting.
POLL_SECONDS = 0.5
REPORT_EVERY_SECONDS = 60.0
RECORD_GRACE_SECONDS = 2.0  # how long a refusal waits for the new holder to write its record


def lock_path_for(working_path: Path) -> Path:
    return working_path.with_name(f"{working_path.name}.writer.lock")


@dataclass(frozen=True)
class LockHolder:
    pid: int
    host: str
    command: str
    since_utc: str
    run_id: str | None = None

    def describe(self) -> str:
        run = f"run {self.run_id}" if self.run_id else "a run that has not started yet"
        return f"{run} ({self.command}, pid {self.pid} on {self.host}) since {self.since_utc}"

    @classmethod
    def parse(cls, text: str) -> LockHolder | None:
        try:
            fields = json.loads(text)
            return cls(**{name: fields.get(name) for name in cls.__dataclass_fields__})
        except (ValueError, TypeError):
            return None  # an empty file (cleanly released) or one being rewritten at this instant


class WarehouseBusy(Exception):
    """Another process writes this warehouse right now."""

    def __init__(self, lock_path: Path, holder: LockHolder | None):
        self.lock_path = lock_path
        self.holder = holder
        who = holder.describe() if holder else "another process"
        super().__init__(f"The warehouse is being refreshed by {who}; lock file {lock_path}.")


@dataclass
class _HeldLock:
    fd: int
    holder: LockHolder


# Locks this process holds, by lock file: flock conflicts between two opens of the same file even in one process.
_held: dict[Path, _HeldLock] = {}


def current_holder(lock_path: Path) -> LockHolder | None:
    """Who holds the lock according to its file (None when free or unreadable); never blocks."""
    try:
        return LockHolder.parse(lock_path.read_text())
    except FileNotFoundError:
        return None


def held_by_run(working_path: Path, run_id: str) -> bool:
    """True when some process holds the warehouse's lock right now and its record names the run ``run_id``."""
    lock_path = lock_path_for(Path(working_path).resolve())
    holder = current_holder(lock_path)
    if holder is None or holder.run_id != run_id:
        return False
    fd = os.open(lock_path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True  # held: by the run named in the record, since only the holder writes the record
    finally:
        os.close(fd)  # a lock this probe took goes with its descriptor
    return False


@contextmanager
def warehouse_writer_lock(
    working_path: Path,
    *,
    command: str,
    wait: bool,
    run_id: str | None = None,
    on_wait: Callable[[LockHolder | None], None] | None = None,
    on_abandoned: Callable[[LockHolder], None] | None = None,
) -> Iterator[LockHolder]:
    """Hold the warehouse's writer lock for the block.

    ``wait=False`` raises WarehouseBusy at once when another process holds it; ``wait=True`` waits its turn, calling
    ``on_wait(holder)`` when it starts waiting and then every REPORT_EVERY_SECONDS. ``on_abandoned(holder)`` receives
    the record of a previous holder that died without releasing (its run should be marked failed). Taken again
    inside this process, the lock is joined: the run id, if given, is recorded and nothing else changes.
    """
    lock_path = lock_path_for(Path(working_path).resolve())
    held = _held.get(lock_path)
    if held is not None:
        if run_id and held.holder.run_id != run_id:
            held.holder = _record(held.fd, LockHolder(**{**asdict(held.holder), "run_id": run_id}))
        yield held.holder
        return

    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, lock_path, wait, on_wait)
        previous = LockHolder.parse(os.pread(fd, 1 << 16, 0).decode(errors="replace"))
        if previous is not None and on_abandoned is not None:
            on_abandoned(previous)
        holder = _record(
            fd,
            LockHolder(
                pid=os.getpid(),
                host=socket.gethostname(),
                command=command,
                since_utc=datetime.now(UTC).isoformat(timespec="seconds"),
                run_id=run_id,
            ),
        )
        _held[lock_path] = _HeldLock(fd, holder)
        try:
            yield holder
        finally:
            del _held[lock_path]
            os.ftruncate(fd, 0)  # an empty record means "released cleanly"
    finally:
        os.close(fd)  # closing the last descriptor releases the flock


@contextmanager
def lent_out(working_path: Path) -> Iterator[bool]:
    """Let other writers take the warehouse's lock for the block when this process holds it (a step that waits on
    something outside the warehouse, holding no connection to it), then take it back, waiting its turn. Yields
    whether it was lent: False when this process does not hold it."""
    lock_path = lock_path_for(Path(working_path).resolve())
    held = _held.get(lock_path)
    if held is None:
        yield False
        return
    os.ftruncate(held.fd, 0)  # released cleanly: whoever takes it meanwhile finds no abandoned run
    fcntl.flock(held.fd, fcntl.LOCK_UN)
    try:
        yield True
    finally:
        _acquire(held.fd, lock_path, True, None)
        _record(held.fd, held.holder)


def _acquire(fd: int, lock_path: Path, wait: bool, on_wait: Callable[[LockHolder | None], None] | None) -> None:
    next_report = 0.0
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if not wait:
                raise WarehouseBusy(lock_path, _holder_once_recorded(lock_path)) from None
        now = time.monotonic()
        if on_wait is not None and now >= next_report:
            on_wait(current_holder(lock_path))
            next_report = now + REPORT_EVERY_SECONDS
        time.sleep(POLL_SECONDS)


def _holder_once_recorded(lock_path: Path) -> LockHolder | None:
    """The holder's record, read again for a moment when it is empty: a process that has just taken the lock writes
    its record right after, so a refusal at that instant would otherwise name no one."""
    deadline = time.monotonic() + RECORD_GRACE_SECONDS
    while (holder := current_holder(lock_path)) is None and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS / 10)
    return holder


def _record(fd: int, holder: LockHolder) -> LockHolder:
    payload = json.dumps(asdict(holder)).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, payload, 0)
    os.fsync(fd)
    return holder
