"""What the landing folder holds, and which of its files have settled (nothing has written to them for a while).

A file still being copied in changes size and modification time; ingesting it then would load its first half. The
sensor and the ingest step only take files left untouched for ``settle_seconds`` and leave the others for a later
tick or run. The change time counts too: `cp -p` and `rsync -t` set an old modification time on a fresh copy.
Pages the API extractors land are renamed into place whole, so they are settled the moment they appear.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from extract.landing import EXTRACT_FOLDER


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
            stat = path.stat()
            found.append(
                LandingFile(
                    path=path,
                    relative=path.relative_to(landing_dir).as_posix(),
                    size=stat.st_size,
                    mtime_ns=stat.st_mtime_ns,
                    last_change=max(stat.st_mtime, stat.st_ctime),
                )
            )
    return found


def split_settled(
    files: list[LandingFile], settle_seconds: float, now: float | None = None
) -> tuple[list[LandingFile], list[LandingFile]]:
    """(settled, still changing) files."""
    now = time.time() if now is None else now
    settled = [f for f in files if f.settled(settle_seconds, now)]
    return settled, [f for f in files if not f.settled(settle_seconds, now)]
