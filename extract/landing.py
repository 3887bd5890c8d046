"""Pages into the landing folder: one file per API response, written atomically, named by its content.

A page goes to ``<landing>/extract/<platform>/<account>/<stream>/<fetched day>-<sha256 prefix>.json``. The bytes are the
response body exactly as the API sent it, so the ingest readers detect and read it like any other export. It is
written to a hidden temporary file and renamed into place: ingest skips hidden files and never sees half a page. A page
whose content was already landed in that folder (a look-back or a resumed run fetching it again) is not written twice.
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import UTC, datetime
from pathlib import Path

EXTRACT_FOLDER = "extract"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def safe_name(value: str) -> str:
    """A path component from an account id, handle or DID (``did:plc:x`` -> ``did_plc_x``)."""
    return _UNSAFE.sub("_", value).strip("._") or "_"


class PageWriter:
    def __init__(self, landing_dir: Path) -> None:
        self.root = Path(landing_dir) / EXTRACT_FOLDER
        self._landed: dict[Path, set[str]] = {}

    def platform_folder(self, platform: str) -> Path:
        return self.root / safe_name(platform)

    def folder(self, platform: str, account: str, stream: str) -> Path:
        return self.platform_folder(platform) / safe_name(account) / safe_name(stream)

    def write(self, platform: str, account: str, stream: str, body: bytes) -> Path | None:
        """The landed file, or None when the same page is already there."""
        folder = self.folder(platform, account, stream)
        digest = hashlib.sha256(body).hexdigest()[:20]
        landed = self._landed_in(folder)
        if digest in landed:
            return None
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{digest}.json"
        temporary = folder / f".{target.name}.part"
        with open(temporary, "wb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        landed.add(digest)
        return target

    def _landed_in(self, folder: Path) -> set[str]:
        if folder not in self._landed:
            self._landed[folder] = (
                {path.stem.rsplit("-", 1)[-1] for path in folder.glob("*.json")} if folder.is_dir() else set()
            )
        return self._landed[folder]
