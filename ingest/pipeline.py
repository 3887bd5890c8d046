"""Landing folder -> detected, read, validated files -> raw tables, one report per file.

A batch never stops at a bad file: an unrecognised file is reported with the formats that were expected, a reader
or database error becomes a failed report whose message names the error's class, never its text (which may quote a
row: ``ingest.base.error_reason``), a path outside the landing folder is recorded as refused, and the batch goes on.
Without a connection the batch is a dry run that reads every file and changes nothing.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from ingest.base import ReadResult, error_reason
from ingest.parallel import PreparedFile, counted_chunks, prepared_files
from ingest.plausibility import quarantine_implausible
from ingest.privacy import ContactSalt, current_salt, hashing_with
from ingest.schema import conform
from ingest.warehouse import (
    FileLoad,
    ManifestEntry,
    PendingFile,
    RawFrames,
    first_seen_times,
    load_file,
    load_files,
    loaded_contents,
    only_files,
    raw_batch,
    record_file,
    utc_now,
)

log = logging.getLogger(__name__)

MAX_REPORTED_REASONS = 5
# Files read whole wait, are checked and load together in one transaction (ingest.warehouse.raw_batch, load_files)
# until this many rows (the default of the batch_rows setting: what ingest holds in memory) or files wait: a year of
# daily exports is thousands of small files, and per-file work and commits cost more than their rows.
BATCH_ROWS = 50_000
BATCH_FILES = 500


@dataclass
class FileReport:
    file: str  # path relative to the landing folder (as given when it lies outside)
    detected_format: str | None
    # loaded | skipped | duplicate_file | unrecognised | failed | refused, as in raw.file_manifest (refused: resolves
    # outside the landing folder, so it is not read and has no sha256 or size); and, never written there: dry_run
    # (read without a connection), missing (a given path that does not exist). skipped: a known layout the warehouse
    # deliberately does not use, the message says why.
    status: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    first_reasons: list[str] = field(default_factory=list)  # distinct quarantine reasons, first five
    message: str = ""
    rows_inserted: int | None = None  # raw rows added (None in a dry run or when nothing was loaded)
    sha256: str | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def ingest_paths(
    paths: Iterable[Path | str],
    *,
    landing_root: Path | str,
    con: duckdb.DuckDBPyConnection | None = None,
    batch_id: str,
    on_file: Callable[[FileReport], None] | None = None,
    salt: ContactSalt | None = None,
    batch_rows: int = BATCH_ROWS,
    workers: int = 1,
) -> list[FileReport]:
    """Detect, read and (when ``con`` is given) load every file under ``paths``; one FileReport per file.

    Directories are walked recursively (hidden files and folders, e.g. ``.DS_Store`` or ``.part`` uploads, are
    skipped). Paths that resolve outside ``landing_root``, symlinks included, are refused. ``con`` must already hold
    the raw schema (``ingest.warehouse.ensure_raw_schema``). ``on_file`` is called with each file's report as soon as
    the file is done (progress display). ``batch_rows`` bounds memory: files read whole wait to load together until
    they hold this many rows (a file with more rows than a reader's chunk streams, loading chunk by chunk).
    ``workers`` > 1 detects and reads files in that many worker processes (``ingest.parallel``) while this one
    checks and loads them, in landing order, with the same outcome. ``salt`` is what emails and phone numbers are
    hashed with (``ingest.privacy.ContactSalt``), here and in the worker processes; None: the public development salt,
    with a warning when it is used.
    """
    if batch_rows < 1:
        raise ValueError(f"batch_rows must be at least 1, not {batch_rows}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    root = Path(landing_root).resolve()
    reports: list[FileReport] = []

    def done(report: FileReport) -> None:
        level = logging.WARNING if report.status in ("unrecognised", "failed", "refused") else logging.INFO
        if log.isEnabledFor(level):  # the report's dict is built only when it is logged: thousands of files a year
            log.log(level, "%s", report.to_dict())
        reports.append(report)
        if on_file is not None:
            on_file(report)

    loader = _BatchLoader(con, done, batch_rows)
    found = [(path, refusal, not refusal and path.is_file()) for path, refusal in _files_under(paths, root)]
    # spawned workers start with no salt: they get the one this process hashes with
    worker_salt = salt if salt is not None else current_salt()
    prepared = prepared_files([path for path, _, is_file in found if is_file], workers=workers, salt=worker_salt)
    with (
        nullcontext() if salt is None else hashing_with(salt),
        closing(prepared),
        nullcontext() if con is None else checkpointing_less(con),
    ):
        for path, refusal, is_file in found:
            if refusal:
                _refuse(path, refusal, root=root, loader=loader, batch_id=batch_id)
            elif not is_file:
                report = FileReport(file=str(path), detected_format=None, status="missing", message="no such file")
                loader.report(report)
            else:
                relative = path.relative_to(root).as_posix()
                _ingest_file(path, next(prepared), relative=relative, loader=loader, batch_id=batch_id)
        loader.flush()  # closing(prepared) stops the worker processes, also when a file's load raised
    return reports


# While ingest loads, DuckDB checkpoints (writes the committed rows into the database file, compressed) when the
# write-ahead log holds this much, not at its default 16 MB: a batch of small files (ingest_batch_rows rows) writes more
# than that, so every commit checkpointed, and checkpoints were half of the loading process's CPU on the 1M year
# (22 of 41 s; 6.7 s with this threshold, peak memory unchanged).
INGEST_CHECKPOINT_THRESHOLD = "256MiB"


@contextmanager
def checkpointing_less(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """``INGEST_CHECKPOINT_THRESHOLD`` for the connection's database while the block runs, then its own again (the
    next commit over it checkpoints the rest)."""
    (before,) = con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()
    con.execute(f"SET checkpoint_threshold = '{INGEST_CHECKPOINT_THRESHOLD}'")
    try:
        yield
    finally:
        con.execute("SET checkpoint_threshold = ?", [before])


@dataclass
class _ReadFile:
    """A file read whole (one chunk in canonical frames, or None when it held no rows), waiting for its batch."""

    entry: ManifestEntry
    chunk: ReadResult | None
    first_seen: datetime

    @property
    def rows(self) -> int:
        return self.chunk.rows_read if self.chunk is not None else 0


class _BatchLoader:
    """Checks and loads files read whole in batches (``raw_batch``, ``load_files``) and hands out every file's report
    in landing order.

    Without a connection (a dry run) a batch is checked and reported, not loaded. A batch whose checks or transaction
    fail is retried file by file, so one file that breaks them fails alone, as when every file had its own.
    """

    def __init__(
        self, con: duckdb.DuckDBPyConnection | None, done: Callable[[FileReport], None], batch_rows: int
    ) -> None:
        self.con = con
        self._done = done
        self._batch_rows = batch_rows
        self._loaded = loaded_contents(con) if con is not None else {}  # sha256 -> file loaded with that content
        self._first_seen = first_seen_times(con) if con is not None else {}  # sha256 -> when first seen
        self._waiting: list[FileReport | _ReadFile] = []  # reports held back behind a waiting file, in order
        self._waiting_contents: set[str | None] = set()  # sha256 of the waiting files
        self._rows = 0
        self._files = 0

    def loaded_as(self, sha256: str) -> str | None:
        """The file under which this content was loaded (or waits to be), or None."""
        if sha256 in self._waiting_contents:
            self.flush()  # its outcome decides whether this one is a duplicate
        return self._loaded.get(sha256)

    def first_seen(self, sha256: str) -> datetime:
        """When this content was first seen: recorded in the manifest, else now (kept for the rest of the batch)."""
        return self._first_seen.setdefault(sha256, utc_now())

    def report(self, report: FileReport) -> None:
        if self._files:
            self._waiting.append(report)
        else:
            self._done(report)

    def add(self, read: _ReadFile) -> None:
        self._waiting.append(read)
        self._waiting_contents.add(read.entry.sha256)
        self._rows += read.rows
        self._files += 1
        if self._rows >= self._batch_rows or self._files >= BATCH_FILES:
            self.flush()

    def loaded(self, entry: ManifestEntry) -> None:
        self._loaded.setdefault(entry.sha256, entry.source_file)

    def flush(self) -> None:
        read = [w for w in self._waiting if isinstance(w, _ReadFile)]
        pending, frames, failures = _checked_batch(read)
        if self.con is not None and pending:
            try:
                load_files(self.con, pending, frames)
            except Exception:  # one file the warehouse refuses must not fail the others: retry one by one
                for one in pending:
                    one.progress.rows_inserted = 0
                    try:
                        load_files(self.con, [one], only_files(frames, {one.entry.source_file}))
                    except Exception as error:
                        failures[one.entry.source_file] = _failure(error)
        progress = {one.entry.source_file: one.progress for one in pending}
        waiting, self._waiting, self._rows, self._files = self._waiting, [], 0, 0
        self._waiting_contents.clear()
        for item in waiting:
            if isinstance(item, FileReport):
                self._done(item)
            elif item.entry.source_file in failures:
                message = failures[item.entry.source_file]
                if self.con is not None:
                    record_file(self.con, _failed(item.entry, message))
                self._done(_report(item.entry, "failed", message=message))
            elif self.con is None:
                self._done(_report(item.entry, "dry_run", progress[item.entry.source_file]))
            else:
                self.loaded(item.entry)
                self._done(_report(item.entry, "loaded", progress[item.entry.source_file]))


def _checked_batch(read: list[_ReadFile]) -> tuple[list[PendingFile], RawFrames, dict[str, str]]:
    """(files that passed, the raw rows of those, source file -> failure message of the others): the batch checked
    together, else, when that raises, file by file so only the file at fault fails."""
    try:
        pending, frames = raw_batch([(one.entry, one.chunk, one.first_seen) for one in read])
        return pending, frames, {}
    except Exception:
        pending, frames, failures = [], {}, {}
    for one in read:
        try:
            passed, raw = raw_batch([(one.entry, one.chunk, one.first_seen)])
        except Exception as error:
            failures[one.entry.source_file] = _failure(error)
            continue
        pending.extend(passed)
        for table, table_frames in raw.items():
            frames.setdefault(table, []).extend(table_frames)
    return pending, frames, failures


def _refuse(path: Path, refusal: str, *, root: Path, loader: _BatchLoader, batch_id: str) -> None:
    """A path that resolves outside the landing folder (a symlink out of it) is not read, but it is recorded in the
    manifest as refused with why, so ``ingest_audit`` shows it, not only the log."""
    shown = os.path.relpath(path.absolute(), root) if path.absolute().is_relative_to(root) else str(path)
    if loader.con is not None:
        record_file(loader.con, ManifestEntry(shown, None, None, None, "refused", refusal, batch_id, utc_now()))
    loader.report(FileReport(file=shown, detected_format=None, status="refused", message=refusal))


def _failure(error: Exception) -> str:
    """The manifest message of a file that failed: never the error's own text, which may quote a row."""
    return f"{error_reason(error)}; nothing from this file was loaded"


def _failed(entry: ManifestEntry, message: str) -> ManifestEntry:
    return dataclasses.replace(entry, status="failed", message=message, ingested_at=utc_now())


def _report(entry: ManifestEntry, status: str, progress: FileLoad | None = None, message: str = "") -> FileReport:
    if progress is None or status == "failed":
        return FileReport(entry.source_file, entry.detected_format, status, message=message, sha256=entry.sha256)
    return FileReport(
        entry.source_file,
        entry.detected_format,
        status,
        rows_read=progress.rows_read,
        rows_accepted=progress.rows_accepted,
        rows_quarantined=progress.rows_quarantined,
        first_reasons=progress.quarantine_reasons[:MAX_REPORTED_REASONS],
        rows_inserted=progress.rows_inserted if status == "loaded" else None,
        sha256=entry.sha256,
    )


def _files_under(paths: Iterable[Path | str], root: Path) -> Iterator[tuple[Path, str]]:
    """(resolved file, refusal reason or '') for every file under ``paths``, each once, in a stable order."""
    seen: set[Path] = set()
    for given in paths:
        for candidate in _walk(Path(given)):
            resolved = candidate.resolve()
            if not resolved.is_relative_to(root):
                yield candidate, f"refused: {candidate} resolves to {resolved}, outside the landing folder {root}"
                continue
            if resolved in seen:
                continue
            seen.add(resolved)
            yield resolved, ""


def _walk(path: Path) -> Iterator[Path]:
    if not path.is_dir() or path.is_symlink():
        yield path
        return
    for folder, subfolders, files in os.walk(path):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(folder) / name


def _unreadable(relative: str, failure: Exception | None, *, loader: _BatchLoader, batch_id: str) -> None:
    """A file that could not be opened or read to its end (permissions, removed since it was listed) fails alone,
    recorded without a hash; the next run tries it again."""
    message = _failure(failure or OSError())
    if loader.con is not None:
        record_file(loader.con, ManifestEntry(relative, None, None, None, "failed", message, batch_id, utc_now()))
    loader.report(FileReport(relative, None, "failed", message=message))


def _ingest_file(path: Path, prepared: PreparedFile, *, relative: str, loader: _BatchLoader, batch_id: str) -> None:
    if prepared.digest is None:
        _unreadable(relative, prepared.failure, loader=loader, batch_id=batch_id)
        return
    sha256, size = prepared.digest.sha256, prepared.digest.size  # hashed where the file was read
    con = loader.con
    first_seen = loader.first_seen(sha256)

    def entry(status: str, fmt: str | None, message: str | None) -> ManifestEntry:
        return ManifestEntry(relative, sha256, size, fmt, status, message, batch_id, utc_now(), first_seen)

    if con is not None and (earlier := loader.loaded_as(sha256)):
        message = f"same content as {earlier}, already loaded"
        record_file(con, entry("duplicate_file", None, message))
        loader.report(FileReport(relative, None, "duplicate_file", message=message, sha256=sha256))
        return

    fmt = prepared.format
    if fmt is None:
        if con is not None:
            record_file(con, entry("unrecognised", None, prepared.unrecognised_because))
        loader.report(FileReport(relative, None, "unrecognised", message=prepared.unrecognised_because, sha256=sha256))
        return

    if fmt.skipped_because:
        message = f"a known layout the warehouse does not load: {fmt.skipped_because}"
        if con is not None:
            record_file(con, entry("skipped", fmt.name, message))
        loader.report(FileReport(relative, fmt.name, "skipped", message=message, sha256=sha256))
        return

    loaded = entry("loaded", fmt.name, None)
    try:
        if prepared.failure is not None:
            raise prepared.failure
        if prepared.chunks is not None and len(prepared.chunks) <= 1:  # read whole: it waits for its batch
            loader.add(_ReadFile(loaded, prepared.chunks[0] if prepared.chunks else None, first_seen))
            return
        loader.flush()  # a large file loads on its own, chunk by chunk, after the files before it
        chunks = prepared.chunks if prepared.chunks is not None else counted_chunks(fmt, path)
        plausible = (quarantine_implausible(chunk, first_seen) for chunk in chunks)
        progress = FileLoad()
        if con is None:
            _dry_run(plausible, progress)
            loader.report(_report(loaded, "dry_run", progress))
            return
        load_file(con, plausible, loaded, progress=progress)
    except Exception as error:  # one broken file must not stop the batch
        message = _failure(error)
        if con is not None:
            record_file(con, _failed(loaded, message))
        loader.report(_report(loaded, "failed", message=message))
        return
    loader.loaded(loaded)
    loader.report(_report(loaded, "loaded", progress))


def _dry_run(chunks: Iterable[ReadResult], progress: FileLoad) -> None:
    for chunk in chunks:
        progress.count(chunk)
        for entity, frame in chunk.frames.items():
            conform(frame, entity)  # the same shape errors a real load would hit
