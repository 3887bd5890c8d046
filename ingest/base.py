"""What every export reader returns, and the registry that detects formats by content.

A reader module registers an ``ExportFormat``: a ``sniff`` that looks at the start of a file (never its name) and a
``read`` that turns the file into canonical frames plus quarantined records, yielded in chunks so a large file streams
with bounded memory (a small file yields one chunk). ``rows_read`` counts the source records of a chunk (lines of a
JSONL file, data rows of a CSV, items of a JSON document's list; where one line holds many objects, as a twarc2 page
does, each object, and a line that cannot be parsed counts once), and must equal ``rows_accepted +
rows_quarantined``: nothing is lost silently. ``ingest.pipeline`` fails a file whose chunks do not add up.

A layout the warehouse knows but deliberately does not use (CRM owners, audience demographics, compliance events) is
registered with ``register_skipped`` and a reason, so every file ends as loaded, skipped (with why), unrecognised (with
what was expected) or failed (with its error).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class Sample:
    """The start of a file, decoded for sniffing."""

    path: Path
    head: bytes  # the first SNIFF_BYTES bytes
    text: str  # head decoded (BOM-aware), '' when it is not text

    @property
    def first_line(self) -> str:
        return self.text.split("\n", 1)[0].strip("\r")


@dataclass
class ReadResult:
    format: str
    frames: dict[str, pl.DataFrame]  # entity name (ingest.schema.ENTITIES) -> canonical frame with _source_line
    quarantine: list[tuple[str, str, str]] = field(default_factory=list)  # (locator, reason, raw record)
    rows_read: int = 0
    rows_accepted: int = 0

    @property
    def rows_quarantined(self) -> int:
        return len(self.quarantine)


@dataclass(frozen=True)
class ExportFormat:
    name: str  # e.g. "x_api_v2"
    description: str  # what the file looks like, shown when a file is unrecognised
    sniff: Callable[[Sample], bool]
    read: Callable[[Path], Iterator[ReadResult]]
    priority: int = 100  # lower is tried first: specific formats before generic ones
    # non-empty for a known layout the warehouse deliberately does not use: why (the file is reported as skipped and
    # never read)
    skipped_because: str = ""


REGISTRY: list[ExportFormat] = []


def _nothing_to_read(path: Path) -> Iterator[ReadResult]:
    yield from ()


def register_skipped(name: str, description: str, why: str, sniff: Callable[[Sample], bool]) -> ExportFormat:
    """Register a layout the warehouse recognises but deliberately does not load (owners, demographics, ...): its
    files end as ``skipped`` with ``why``, not as unrecognised. Tried after every reader of the same priority."""
    return register(ExportFormat(name, description, sniff, _nothing_to_read, priority=190, skipped_because=why))


def register(fmt: ExportFormat) -> ExportFormat:
    REGISTRY.append(fmt)
    REGISTRY.sort(key=lambda f: f.priority)
    return fmt
