"""Landing folder -> detected, read, validated files -> raw tables, one report per file.

A batch never stops at a bad file: an unrecognised file is reported with the formats that were expected, a reader
error becomes a failed report with its message, and the batch goes on. Without a connection the batch is a dry run
that reads every file and changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from ingest.base import ExportFormat, ReadResult
from ingest.detect import explain
from ingest.schema import conform
from ingest.warehouse import FileLoad, ManifestEntry, file_already_loaded, load_file, record_file, utc_now

log = logging.getLogger(__name__)

MAX_REPORTED_REASONS = 5


@dataclass
class FileReport:
    file: str  # path relative to the landing folder (as given when it lies outside)
    detected_format: str | None
    # loaded | skipped | duplicate_file | unrecognised | failed, as in raw.file_manifest; and, never written there:
    # dry_run (read without a connection), refused (resolves outside the landing folder), missing (a given path that
    # does not exist). skipped: a known layout the warehouse deliberately does not use, the message says why.
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
) -> list[FileReport]:
    """Detect, read and (when ``con`` is given) load every file under ``paths``; one FileReport per file.

    Directories are walked recursively (hidden files and folders, e.g. ``.DS_Store`` or ``.part`` uploads, are
    skipped). Paths that resolve outside ``landing_root``, symlinks included, are refused. ``con`` must already hold
    the raw schema (``ingest.warehouse.ensure_raw_schema``).
    """
    root = Path(landing_root).resolve()
    reports = []
    for path, refusal in _files_under(paths, root):
        if refusal:
            report = FileReport(file=str(path), detected_format=None, status="refused", message=refusal)
        elif not path.is_file():
            report = FileReport(file=str(path), detected_format=None, status="missing", message="no such file")
        else:
            report = _ingest_file(path, relative=path.relative_to(root).as_posix(), con=con, batch_id=batch_id)
        (log.warning if report.status in ("unrecognised", "failed", "refused") else log.info)("%s", report.to_dict())
        reports.append(report)
    return reports


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


def file_sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _ingest_file(path: Path, *, relative: str, con: duckdb.DuckDBPyConnection | None, batch_id: str) -> FileReport:
    sha256, size = file_sha256(path)

    def entry(status: str, fmt: str | None, message: str | None) -> ManifestEntry:
        return ManifestEntry(relative, sha256, size, fmt, status, message, batch_id, utc_now())

    if con is not None and (earlier := file_already_loaded(con, sha256)):
        message = f"same content as {earlier}, already loaded"
        record_file(con, entry("duplicate_file", None, message))
        return FileReport(relative, None, "duplicate_file", message=message, sha256=sha256)

    detection = explain(path)
    if detection.format is None:
        if con is not None:
            record_file(con, entry("unrecognised", None, detection.reason))
        return FileReport(relative, None, "unrecognised", message=detection.reason, sha256=sha256)

    fmt = detection.format
    if fmt.skipped_because:
        message = f"a known layout the warehouse does not load: {fmt.skipped_because}"
        if con is not None:
            record_file(con, entry("skipped", fmt.name, message))
        return FileReport(relative, fmt.name, "skipped", message=message, sha256=sha256)

    progress = FileLoad()
    try:
        if con is None:
            _dry_run(_checked_chunks(fmt, path), progress)
        else:
            load_file(con, _checked_chunks(fmt, path), entry("loaded", fmt.name, None), progress=progress)
    except Exception as error:  # one broken file must not stop the batch
        message = f"{type(error).__name__}: {error}; nothing from this file was loaded"
        if con is not None:
            record_file(con, entry("failed", fmt.name, message))
        return FileReport(relative, fmt.name, "failed", message=message, sha256=sha256)

    return FileReport(
        relative,
        fmt.name,
        "loaded" if con is not None else "dry_run",
        rows_read=progress.rows_read,
        rows_accepted=progress.rows_accepted,
        rows_quarantined=progress.rows_quarantined,
        first_reasons=progress.quarantine_reasons[:MAX_REPORTED_REASONS],
        rows_inserted=progress.rows_inserted if con is not None else None,
        sha256=sha256,
    )


def _checked_chunks(fmt: ExportFormat, path: Path) -> Iterator[ReadResult]:
    """The reader's chunks, each checked against the reader contract (nothing lost silently)."""
    for chunk in fmt.read(path):
        if chunk.rows_read != chunk.rows_accepted + chunk.rows_quarantined:
            raise RuntimeError(
                f"reader {fmt.name} miscounted: {chunk.rows_read} rows read but {chunk.rows_accepted} accepted"
                f" + {chunk.rows_quarantined} quarantined"
            )
        yield chunk


def _dry_run(chunks: Iterable[ReadResult], progress: FileLoad) -> None:
    for chunk in chunks:
        progress.count(chunk)
        for entity, frame in chunk.frames.items():
            conform(frame, entity)  # the same shape errors a real load would hit
