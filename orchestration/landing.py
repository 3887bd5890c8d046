"""What the landing folder holds, and which of its files are complete (nothing is writing to them any more).

A file still being copied in changes size and modification time; ingesting it then would load its first half. Two
rules tell a complete file, one per caller:

- The sensor and the runs it, the schedule or the UI start take only files left untouched for the landing
  resource's ``settle_seconds`` (ROR_SETTLE_SECONDS, a minute by default) and leave the others for a later tick or
  run. The change time counts too: `cp -p` and `rsync -t` set an old modification time on a fresh copy.
- `ror refresh` and `ror backfill`, run by a person who has just copied the files, look twice instead
  (``split_stable``): a file whose size and modification time stay the same over ``STABILITY_CHECK_SECONDS`` is
  complete; a file still growing is left and named.

Pages the API extractors land are renamed into place whole, so they are complete the moment they appear.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from extract.landing import EXTRACT_FOLDER

# How long `ror refresh` watches a file written moments ago before taking it as complete.
STABILITY_CHECK_SECONDS = 1.5


@dataclass(frozen=True)
class LandingFile:
    path: Path
    relative: str
    size: int
    mtime_ns: int
    last_change: float  # seconds since the epoch of the last write or metadata change

    @property
    def signature(self) -> str:
        return f"{self.size}:{self.mtime_ns}"

    @property
    def extracted(self) -> bool:
        """Landed by an API extractor (tmp file + rename), not delivered by a person or another tool."""
        return self.relative.split("/", 1)[0] == EXTRACT_FOLDER

    def settled(self, settle_seconds: float, now: float) -> bool:
        return self.extracted or now - self.last_change >= settle_seconds


def _landing_file(path: Path, landing_dir: Path) -> LandingFile | None:
    try:
        stat = path.stat()
    except FileNotFoundError:  # deleted or renamed away between the listing and now
        return None
    return LandingFile(
        path=path,
        relative=path.relative_to(landing_dir).as_posix(),
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
        last_change=max(stat.st_mtime, stat.st_ctime),
    )


def landing_files(landing_dir: Path) -> list[LandingFile]:
    """Every regular file under the landing folder, skipping hidden files and folders as ingest does."""
    if not landing_dir.is_dir():
        return []
    found = []
    for folder, subfolders, names in os.walk(landing_dir):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(names):
            path = Path(folder) / name
            if name.startswith(".") or not path.is_file():
                continue
            if (file := _landing_file(path, landing_dir)) is not None:
                found.append(file)
    return found


def split_settled(
    files: list[LandingFile], settle_seconds: float, now: float | None = None
) -> tuple[list[LandingFile], list[LandingFile]]:
    """(settled, still changing) files."""
    now = time.time() if now is None else now
    settled = [f for f in files if f.settled(settle_seconds, now)]
    return settled, [f for f in files if not f.settled(settle_seconds, now)]


def split_stable(
    files: list[LandingFile],
    landing_dir: Path,
    seconds: float = STABILITY_CHECK_SECONDS,
    now: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[list[LandingFile], list[LandingFile]]:
    """(complete, still changing) files by looking twice: a file modified within the last ``seconds`` is looked at
    again after ``seconds``; it is complete when its size and modification time have not moved. Files modified
    earlier are complete without waiting (the same rule over a longer look)."""
    now = time.time() if now is None else now
    recent = [f for f in files if not f.extracted and now - f.mtime_ns / 1e9 < seconds]
    if not recent:
        return list(files), []
    sleep(seconds)
    changed = set()
    for file in recent:
        again = _landing_file(file.path, landing_dir)
        if again is None or again.signature != file.signature:
            changed.add(file.relative)
    return [f for f in files if f.relative not in changed], [f for f in files if f.relative in changed]


# raw.file_manifest statuses of a file ingest need not open again while it stays the same.
LOADED_STATUSES = ("loaded", "duplicate_file")
# ... and of a file a run would change nothing for: also a known layout the warehouse does not use (SOURCE.txt).
SETTLED_STATUSES = (*LOADED_STATUSES, "skipped")


def files_not_loaded(con, files: list[LandingFile], statuses: tuple[str, ...] = LOADED_STATUSES) -> list[LandingFile]:
    """The files ingest must look at: all but those loaded before (or found to repeat a loaded file's content) under
    the same relative path and size, and not written to since. ``statuses``: what counts as loaded."""
    loaded: dict[tuple[str, int], datetime] = {
        (source_file, size): loaded_at
        for source_file, size, loaded_at in con.execute(
            "select source_file, size_bytes, max(_ingested_at) from raw.file_manifest "
            "where list_contains(?, status) group by source_file, size_bytes",
            [list(statuses)],
        ).fetchall()
    }
    pending = []
    for file in files:
        loaded_at = loaded.get((file.relative, file.size))
        if loaded_at is None or file.last_change >= loaded_at.timestamp():
            pending.append(file)
    return pending
