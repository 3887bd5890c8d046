"""Hashing, detecting and reading landing files, in this process or in worker processes, handed back in landing order.

The readers are Python record by record, so one process reads one file at a time: with ``workers`` > 1, worker
processes detect and read the next files while the loading process checks and loads the ones before them. Files are
read in groups of consecutive files (``prepare_group``): a worker also computes each row's record and text hashes
(``ingest.warehouse.identified_chunks``), Python per row that would otherwise wait for the one loading process, in one
pass over the group's rows, as a year of daily exports is thousands of small files and a pass costs about the same
for one file as for a hundred. Reading has no side effects, so the outcome is the one of reading in turn; only memory
grows, by the files read ahead: at most ``READ_AHEAD_BYTES`` of them (or one group a worker, each file at most
``WHOLE_FILE_BYTES``: a larger file is streamed chunk by chunk by the loading process).
Workers are started fresh (``spawn``: a fork of a process with running threads may deadlock) and register the same
mappings as this process.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ingest.base import SNIFF_BYTES, ExportFormat, ReadResult, error_reason
from ingest.detect import explain_sample, format_named, sample_of
from ingest.plausibility import canonical_chunk
from ingest.privacy import ContactSalt, hash_in_this_process_with
from ingest.readers.generic import Mapping, register_loaded_mappings, registered_mappings
from ingest.warehouse import identified_chunks

log = logging.getLogger(__name__)

# A file up to this size is read whole by a worker and handed over; a larger one is streamed by the loading process.
WHOLE_FILE_BYTES = 32 * 1024 * 1024
# Files read ahead of the loading process: at most READ_AHEAD_GROUPS groups and READ_AHEAD_BYTES of files (a file read
# whole takes about its size as frames), and always one group a worker. The loader takes files in bursts (a batch
# fills in a moment, then loads for seconds), so the read-ahead must hold more than a batch: the workers then read the
# next batch while the loader loads this one. A read-ahead of about one batch (4 groups a worker, a week of daily
# exports) left the workers idle while the loader loaded and the loader idle while they read: one core of two.
READ_AHEAD_GROUPS = 32
READ_AHEAD_BYTES = 64 * 1024 * 1024
# A group of consecutive files read and hashed together holds at most this many files, and at most its share of the
# read-ahead bytes (READ_AHEAD_BYTES over READ_AHEAD_GROUPS).
GROUP_FILES = 32
# Fewer files than this are read in this process: starting a worker (a Python with polars) costs about a second.
MIN_FILES_FOR_WORKERS = 64


class ReaderMiscounted(RuntimeError):
    """A reader's chunk whose rows read differ from accepted + quarantined (a bug in the reader, not the file)."""


class ReadFailed(RuntimeError):
    """A file whose reading raised; the message is ``ingest.base.error_reason`` of the error (no value in it)."""


@dataclass(frozen=True)
class FileDigest:
    """A file's sha256 and size, and its first ``SNIFF_BYTES`` bytes (what detection looks at): one pass over it."""

    sha256: str
    size: int
    head: bytes


def digest_file(path: Path) -> FileDigest:
    digest, size, head = hashlib.sha256(), 0, b""
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
            head = head or block[:SNIFF_BYTES]
    return FileDigest(digest.hexdigest(), size, head)


@dataclass
class PreparedFile:
    """What hashing, detecting and reading one file gave."""

    digest: FileDigest | None  # None: the file could not be read at all (``failure`` says why)
    format_name: str | None  # None: no reader recognised it (or it could not be read)
    unrecognised_because: str = ""
    chunks: list[ReadResult] | None = None  # the file read whole, in canonical frames (None: not read here)
    failure: ReadFailed | None = None  # reading raised: the file fails with this reason

    @property
    def format(self) -> ExportFormat | None:
        return None if self.format_name is None else format_named(self.format_name)


def prepare(path: Path) -> PreparedFile:
    """Hash and detect ``path`` (from one read of its bytes) and, unless it is skipped or larger than
    ``WHOLE_FILE_BYTES``, read it whole, its rows' hashes computed."""
    return prepare_group([path])[0]


def prepare_group(paths: list[Path]) -> list[PreparedFile]:
    """``prepare`` of each of ``paths``, the record and text hashes of all their rows computed in one pass per entity;
    when that pass raises, file by file, so only the file at fault fails."""
    read = [_read(path) for path in paths]
    whole = [one for one in read if one.chunks]
    try:
        identified = iter(identified_chunks([chunk for one in whole for chunk in one.chunks]))
    except Exception:
        return [_identified_alone(one) for one in read]
    for one in whole:
        one.chunks = [next(identified) for _ in one.chunks]
    return read


def _read(path: Path) -> PreparedFile:
    """``prepare`` without the rows' hashes: the file's chunks in canonical frames."""
    try:
        digest = digest_file(path)
    except OSError as error:  # not readable, or gone since it was listed: it fails alone, the others load
        return PreparedFile(None, None, failure=ReadFailed(error_reason(error)))
    detection = explain_sample(sample_of(path, digest.head))
    fmt = detection.format
    if fmt is None:
        return PreparedFile(digest, None, unrecognised_because=detection.reason)
    try:
        if fmt.skipped_because or digest.size > WHOLE_FILE_BYTES:
            return PreparedFile(digest, fmt.name)
        return PreparedFile(digest, fmt.name, chunks=[canonical_chunk(chunk) for chunk in counted_chunks(fmt, path)])
    except Exception as error:  # one broken file must not stop the batch: it fails alone
        return PreparedFile(digest, fmt.name, failure=ReadFailed(error_reason(error)))


def _identified_alone(read: PreparedFile) -> PreparedFile:
    """A file read whole with its rows' hashes computed on its own; it fails when they cannot be."""
    if not read.chunks:
        return read
    try:
        return dataclasses.replace(read, chunks=identified_chunks(read.chunks))
    except Exception as error:
        return PreparedFile(read.digest, read.format_name, failure=ReadFailed(error_reason(error)))


def counted_chunks(fmt: ExportFormat, path: Path) -> Iterator[ReadResult]:
    """The reader's chunks, each checked against the reader contract (nothing lost silently)."""
    for chunk in fmt.read(path):
        if chunk.rows_read != chunk.rows_accepted + chunk.rows_quarantined:
            raise ReaderMiscounted(
                f"reader {fmt.name} miscounted: {chunk.rows_read} rows read but {chunk.rows_accepted} accepted"
                f" + {chunk.rows_quarantined} quarantined"
            )
        yield chunk


def prepared_files(paths: list[Path], *, workers: int, salt: ContactSalt | None = None) -> Iterator[PreparedFile]:
    """``prepare`` of each path, in order: in ``workers`` worker processes when there are enough files, which hash
    contact data with ``salt`` as this process does. A daemonic process (a Celery worker's child, where the cluster
    runs ingest) may not start processes: it reads them itself."""
    if workers < 2 or len(paths) < MIN_FILES_FOR_WORKERS or multiprocessing.current_process().daemon:
        for group, _ in _groups(paths, READ_AHEAD_BYTES):  # one group held at a time: it may take the whole bound
            yield from prepare_group(group)
    else:
        yield from _in_workers(paths, workers, salt)


def _in_workers(paths: list[Path], workers: int, salt: ContactSalt | None) -> Iterator[PreparedFile]:
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, context, initializer=_start_worker, initargs=(registered_mappings(), salt))
    most_ahead = max(READ_AHEAD_GROUPS, workers)
    groups = _groups(paths, READ_AHEAD_BYTES // most_ahead)
    ahead: deque[tuple[list[Path], Future[list[PreparedFile]] | None, int]] = deque()  # (files, their reading, bytes)
    ahead_bytes = 0
    waiting: tuple[list[Path], int] | None = None  # the next group, when the bound held it back

    def read_ahead() -> None:
        nonlocal ahead_bytes, waiting
        while len(ahead) < most_ahead:
            group, size = waiting or next(groups, (None, 0))
            if group is None:
                return
            if len(ahead) >= workers and ahead_bytes + size > READ_AHEAD_BYTES:
                waiting = group, size
                return
            waiting = None
            ahead_bytes += size
            try:
                ahead.append((group, pool.submit(prepare_group, group), size))
            except RuntimeError:  # the pool broke (a worker was killed): the rest is read here
                log.warning("the reading processes stopped: reading %s in the loading process", group[0])
                ahead.append((group, None, size))

    try:
        read_ahead()
        while ahead:
            group, future, size = ahead.popleft()
            ahead_bytes -= size
            read_ahead()
            try:
                prepared = future.result() if future is not None else prepare_group(group)
            except (
                Exception
            ) as error:  # its worker died (out of memory, killed): read them here, where each fails alone
                log.warning(
                    "a reading process stopped (%s): reading %s in the loading process", type(error).__name__, group[0]
                )
                prepared = prepare_group(group)
            yield from prepared
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _groups(paths: list[Path], most_bytes: int) -> Iterator[tuple[list[Path], int]]:
    """Consecutive ``paths`` in groups of at most ``GROUP_FILES`` files and ``most_bytes`` bytes read whole (a file
    larger than that alone), each with those bytes."""
    group: list[Path] = []
    group_bytes = 0
    for path in paths:
        size = _read_whole_bytes(path)
        if group and (len(group) >= GROUP_FILES or group_bytes + size > most_bytes):
            yield group, group_bytes
            group, group_bytes = [], 0
        group.append(path)
        group_bytes += size
    if group:
        yield group, group_bytes


def _read_whole_bytes(path: Path) -> int:
    """The bytes of ``path`` a worker reads into frames: its size, or 0 when it is streamed later (over
    ``WHOLE_FILE_BYTES``) or cannot be looked at (its reading then fails alone)."""
    try:
        size = path.stat().st_size
    except OSError:
        return 0
    return size if size <= WHOLE_FILE_BYTES else 0


def _start_worker(mappings: list[Mapping], salt: ContactSalt | None) -> None:
    # Ctrl-C reaches the whole process group: the loading process stops the run (exit 130) and then the workers, which
    # must not each print a traceback of their own
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(os.getppid(),), daemon=True).start()
    register_loaded_mappings(mappings)
    if salt is not None:
        hash_in_this_process_with(salt)  # a spawned worker starts with none: the loading process's, not the default


def _exit_with(parent: int) -> None:
    """A worker whose loading process was killed (a run terminated) stops too: its queue never closes, so it would
    otherwise wait for work for ever."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)
