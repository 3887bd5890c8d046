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

import csv
import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

SNIFF_BYTES = 64 * 1024


class RecordProblem(ValueError):
    """What is wrong with a record, in words the project wrote: it names the field and the problem, never a value,
    so ``error_reason`` passes it on as it is (readers raise it; a plain ValueError may come from a parser)."""


# What reading one record may raise on bad content: the record is quarantined, the rest of its file loads.
RECORD_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError)

# Fixed descriptions of the errors whose messages may quote the data (polars quotes the row it could not parse, a
# database error the value it refused, int() and fromisoformat() the text they were given), most specific first.
_DESCRIPTIONS: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
    (pl.exceptions.PolarsError, "the data does not have the expected shape or types"),
    (duckdb.Error, "the database refused the data"),
    (csv.Error, "malformed CSV"),
    (UnicodeError, "bytes that are not text in the file's encoding"),
    (KeyError, "a field the record needs is missing"),
    ((TypeError, AttributeError), "a field holds a value of an unexpected type"),
    (IndexError, "a list is shorter than expected"),
    ((ValueError, ArithmeticError), "a value that cannot be converted"),
    (MemoryError, "out of memory"),
)


def error_reason(error: BaseException) -> str:
    """A reason fit for a table, a log or Dagster: never the message text of a parser or database, which may quote
    the record (contact data, texts). Errors the project raises (``RecordProblem``, any exception class defined in
    ``ingest``) keep their message, which is written not to quote values; a malformed JSON document keeps the
    ``json`` module's fixed message and position; any other error becomes its class and a fixed description."""
    if isinstance(error, RecordProblem) or type(error).__module__.split(".")[0] == "ingest":
        return str(error)
    if isinstance(error, json.JSONDecodeError):  # "Expecting value: line 1 column 5 (char 4)": no value in it
        return f"malformed JSON: {error}"
    if isinstance(error, OSError):
        return f"{type(error).__name__}: the file cannot be read ({error.strerror or 'no reason given'})"
    description = next((text for kinds, text in _DESCRIPTIONS if isinstance(error, kinds)), "an unexpected error")
    return f"{type(error).__name__}: {description}"


@dataclass(frozen=True)
class Sample:
    """The start of a file, decoded for sniffing."""

    path: Path
    head: bytes  # the first SNIFF_BYTES bytes
    text: str  # head decoded (BOM-aware), '' when it is not text

    @property
    def first_line(self) -> str:
        return self.text.split("\n", 1)[0].strip("\r")

    @functools.cached_property
    def document(self) -> object | None:
        """The text parsed as JSON when it holds a whole document, else None (a large file cut at 64 KB): parsed once
        for all the sniffers that ask. Read it, never change it: the next sniffer gets the same object."""
        try:
            return json.loads(self.text)
        except ValueError:
            return None


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
