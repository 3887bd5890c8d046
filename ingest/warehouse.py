"""The raw layer in DuckDB: one append-only table per canonical entity, plus the quarantine and the file manifest.

Loading is idempotent at two levels. A file whose sha256 the manifest already lists as loaded is skipped. Inside a
file, a record whose ``_record_hash`` (sha256 over its canonical columns) is already in its table is not inserted
again, so the same record in two files lands once, while a corrected record (same id, new version or content) is a
new row: raw keeps history and dbt staging picks the newest. Each file's raw rows, quarantine and manifest row land in
one transaction (small files share it with the others of their batch), so a crash mid-file leaves nothing
half-loaded. Frames reach DuckDB through the Arrow C stream
interface (no SQL is built from file contents; table names come from ``ingest.schema``).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import polars as pl

from ingest.base import ReadResult
from ingest.plausibility import check_chunks
from ingest.schema import (
    CHUNK,
    ENTITIES,
    FILE_MANIFEST,
    PROVENANCE,
    QUARANTINE,
    RECORD_HASH,
    TEXT_HASH,
    UTC_TIME,
    conform,
)
from ingest.text import text_hash_expr

RAW_SCHEMA = "raw"
STAGING_SCHEMA = "ingest_staging"  # per-file staging tables, dropped once the file is loaded (see load_file)
BOOKKEEPING_TABLES = {"quarantine": QUARANTINE, "file_manifest": FILE_MANIFEST}
REASONS_KEPT = 5  # distinct quarantine reasons a FileLoad remembers for the report
_TEMPORAL_TEXT = {pl.Date: "%Y-%m-%d", UTC_TIME: "%Y-%m-%dT%H:%M:%S%.6fZ"}


def duckdb_type(dtype: pl.DataType) -> str:
    """The DuckDB column type for a canonical polars dtype."""
    if dtype == UTC_TIME:
        return "TIMESTAMPTZ"
    if isinstance(dtype, pl.List):
        return f"{duckdb_type(dtype.inner)}[]"
    simple = {pl.String: "VARCHAR", pl.Int64: "BIGINT", pl.Float64: "DOUBLE", pl.Boolean: "BOOLEAN", pl.Date: "DATE"}
    for polars_type, sql_type in simple.items():
        if dtype == polars_type:
            return sql_type
    raise TypeError(f"no DuckDB type for {dtype}")


def raw_table_columns() -> dict[str, dict[str, pl.DataType]]:
    """Every raw table and its columns: entities (canonical columns + provenance), quarantine, file manifest."""
    tables = {entity: {**schema, **PROVENANCE} for entity, schema in ENTITIES.items()}
    return {**tables, **BOOKKEEPING_TABLES}


# A column added to a table that already holds rows is filled from the columns it replaces, so rows loaded before
# the change keep their meaning without re-reading their files: (table, new column) -> (old columns needed, SQL).
COLUMN_BACKFILLS: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    # Creatives' UTM tags were parsed by the reader into utm_* columns; now dbt reads them from link_urls.
    ("ad_objects", "link_urls"): (
        ("utm_source", "utm_medium", "utm_campaign", "utm_content"),
        "case when coalesce(utm_source, utm_medium, utm_campaign, utm_content) is not null then ['?' || concat_ws('&',"
        " 'utm_source=' || utm_source, 'utm_medium=' || utm_medium, 'utm_campaign=' || utm_campaign,"
        " 'utm_content=' || utm_content)] end",
    ),
    # Files loaded before first_seen_at existed were first seen when their first manifest row was written.
    ("file_manifest", "first_seen_at"): (("_ingested_at",), "_ingested_at"),
}


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create schema ``raw`` and every raw table; add columns that a newer ``ingest.schema`` introduced (filled by
    ``COLUMN_BACKFILLS`` where an older column held the same information).

    A column whose type no longer matches the contract is an error rather than a silent cast.
    """
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    for table, columns in raw_table_columns().items():
        column_sql = ", ".join(f'"{name}" {duckdb_type(dtype)}' for name, dtype in columns.items())
        con.execute(f"CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.{table} ({column_sql})")
        existing = dict(
            con.execute(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_schema = ? AND table_name = ?",
                [RAW_SCHEMA, table],
            ).fetchall()
        )
        for name, dtype in columns.items():
            wanted = duckdb_type(dtype)
            if name not in existing:
                con.execute(f'ALTER TABLE {RAW_SCHEMA}.{table} ADD COLUMN "{name}" {wanted}')
                old_columns, backfill = COLUMN_BACKFILLS.get((table, name), ((), ""))
                if backfill and set(old_columns) <= set(existing):
                    con.execute(f'UPDATE {RAW_SCHEMA}.{table} SET "{name}" = {backfill}')
            elif _normalised_type(existing[name]) != _normalised_type(wanted):
                raise TypeError(f"{RAW_SCHEMA}.{table}.{name} is {existing[name]}, the contract says {wanted}")


def _normalised_type(sql_type: str) -> str:
    return sql_type.upper().replace("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ")


class _ArrowStream:
    """Hands a polars frame to DuckDB through the Arrow PyCapsule stream (no pyarrow needed)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        return self._frame.__arrow_c_stream__(requested_schema)


@functools.cache  # built once per entity: building a polars expression costs more than hashing a small file's rows
def record_hash_expr(entity: str) -> pl.Expr:
    """sha256 (hex) over the canonical columns of ``entity``: the identity of a record in its raw table.

    Timestamps and dates are written in a fixed text format first, so the hash does not depend on how a library
    happens to serialise them.
    """
    columns = []
    for name, dtype in ENTITIES[entity].items():
        column = pl.col(name)
        if dtype in _TEMPORAL_TEXT:
            column = column.dt.to_string(_TEMPORAL_TEXT[dtype])
        columns.append(column.alias(name))
    return pl.struct(columns).struct.json_encode().map_batches(_sha256_hex, return_dtype=pl.String)


def _sha256_hex(texts: pl.Series) -> pl.Series:
    return pl.Series([hashlib.sha256(text.encode("utf-8")).hexdigest() for text in texts], dtype=pl.String)


def strip_nul_characters(frame: pl.DataFrame) -> pl.DataFrame:
    """NUL characters carry no meaning in social text and trip tools downstream; every string column loses them."""
    return frame.with_columns(*_WITHOUT_NUL)


_WITHOUT_NUL = (
    pl.col(pl.String).str.replace_all("\x00", "", literal=True),
    pl.col(pl.List(pl.String)).list.eval(pl.element().str.replace_all("\x00", "", literal=True)),
)


def identity_columns(frame: pl.DataFrame, entity: str) -> pl.DataFrame:
    """Per row of a canonical frame, what its raw row will be keyed by: ``RECORD_HASH`` (the ``_record_hash`` of its
    stored values, NUL characters stripped) and for interactions ``TEXT_HASH`` (its ``text_hash``). Both hashes are
    Python per row, most of the loader's cost per row: the reading processes compute them (``identified_chunk``)."""
    canonical = strip_nul_characters(conform(frame, entity))
    if entity == "interactions":
        # one definition of the text hash whatever the reader did: it keys the enrichment cache
        canonical = canonical.with_columns(text_hash_expr("text").alias("text_hash"))
    text_hash = [pl.col("text_hash").alias(TEXT_HASH)] if entity == "interactions" else []
    return canonical.select(record_hash_expr(entity).alias(RECORD_HASH), *text_hash)


def identified_chunk(chunk: ReadResult) -> ReadResult:
    """``chunk`` (in canonical frames) with ``identity_columns`` added to every frame that lacks them."""
    return identified_chunks([chunk])[0]


def identified_chunks(chunks: list[ReadResult]) -> list[ReadResult]:
    """``identified_chunk`` of many chunks (``canonical_chunk``: each entity's frames share one schema), computed in
    one pass per entity over all their rows: a row's hashes depend on its own values only, and one pass over a
    hundred small files costs what one file costs. Raises what a frame's rows raise (the caller then tries each
    chunk alone, so only the file at fault fails)."""
    frames = [dict(chunk.frames) for chunk in chunks]
    unhashed: dict[str, list[int]] = {}  # entity -> the chunks whose frame of it lacks the hashes
    for index, chunk in enumerate(chunks):
        for entity, frame in chunk.frames.items():
            if RECORD_HASH not in frame.columns:
                unhashed.setdefault(entity, []).append(index)
    for entity, owners in unhashed.items():
        pieces = [frames[index][entity] for index in owners]
        identities = identity_columns(pl.concat(pieces, how="vertical"), entity)
        offset = 0
        for index, piece in zip(owners, pieces, strict=True):
            frames[index][entity] = piece.hstack(identities.slice(offset, piece.height))
            offset += piece.height
    return [dataclasses.replace(chunk, frames=chunk_frames) for chunk, chunk_frames in zip(chunks, frames, strict=True)]


def with_provenance(
    frame: pl.DataFrame, entity: str, *, source_file: str | pl.Expr, batch_id: str, ingested_at: datetime | pl.Expr
) -> pl.DataFrame:
    """Canonical columns + provenance, one row per distinct record (first occurrence wins). ``source_file`` and
    ``ingested_at`` are one file's, or expressions giving each row its file's (the rows of many files at once). The
    record and text hashes are the frame's ``identity_columns`` when it carries them, else computed here."""
    if RECORD_HASH not in frame.columns:
        frame = frame.hstack(identity_columns(frame, entity))
    canonical = strip_nul_characters(conform(frame, entity))  # conform keeps _source_line and the identity columns
    if entity == "interactions":
        canonical = canonical.with_columns(pl.col(TEXT_HASH).alias("text_hash"))
    source_line = pl.col("_source_line") if "_source_line" in canonical.columns else pl.lit(None)
    hashed = canonical.with_columns(
        _as_expr(source_file, pl.String).alias("_source_file"),
        source_line.cast(pl.Int64).alias("_source_line"),
        pl.col(RECORD_HASH).alias("_record_hash"),
        pl.lit(batch_id, pl.String).alias("_batch_id"),
        _as_expr(ingested_at, UTC_TIME).alias("_ingested_at"),
    )
    if entity == "people":
        # a profile without a response time was observed when its file landed; filled after hashing, so the same
        # profile in two files is still one record
        hashed = hashed.with_columns(pl.col("observed_at").fill_null(pl.col("_ingested_at")))
    return hashed.select(*ENTITIES[entity], *PROVENANCE).unique("_record_hash", keep="first", maintain_order=True)


def _as_expr(value: object, dtype: pl.DataType) -> pl.Expr:
    return value if isinstance(value, pl.Expr) else pl.lit(value, dtype)


def _append(
    con: duckdb.DuckDBPyConnection, target: str, frame: pl.DataFrame, *, skip_known_in: tuple[str, ...] = ()
) -> int:
    """Insert a frame into ``target`` through an Arrow scan, leaving out records whose ``_record_hash`` is already in
    any table of ``skip_known_in``. Returns the number of rows inserted."""
    if frame.is_empty():
        return 0
    view = "_ingest_chunk"
    con.register(view, _ArrowStream(frame))
    try:
        known = " AND ".join(
            f"NOT EXISTS (SELECT 1 FROM {table} AS known WHERE known._record_hash = {view}._record_hash)"
            for table in skip_known_in
        )
        inserted = con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {view}{' WHERE ' + known if known else ''}")
        return int(inserted.fetchone()[0])
    finally:
        con.unregister(view)


def _append_new_records(con: duckdb.DuckDBPyConnection, target: str, frame: pl.DataFrame) -> dict[str, int]:
    """Insert the records of ``frame`` whose ``_record_hash`` ``target`` does not hold yet (one anti-join for the
    whole frame); returns the rows inserted per ``_source_file``."""
    if frame.is_empty():
        return {}
    view = "_ingest_batch"
    con.register(view, _ArrowStream(frame))
    try:
        inserted = con.execute(
            f"INSERT INTO {target} BY NAME SELECT * FROM {view} WHERE NOT EXISTS "
            f"(SELECT 1 FROM {target} AS known WHERE known._record_hash = {view}._record_hash) RETURNING _source_file"
        ).fetchall()
    finally:
        con.unregister(view)
    per_file: dict[str, int] = {}
    for (source_file,) in inserted:
        per_file[source_file] = per_file.get(source_file, 0) + 1
    return per_file


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.begin()
    try:
        yield
    except BaseException:
        rollback(con)
        raise
    con.commit()


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Undo the open transaction after an error, which the caller then re-raises. A failure that already ended the
    transaction (a failed commit, a full disk) leaves nothing to undo: the rollback's own error ("no transaction is
    active") must not replace the one that says what went wrong."""
    with suppress(duckdb.Error):
        con.rollback()


def loaded_contents(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """sha256 -> the source file under which that content was loaded, for every loaded file (one query per batch of
    files, not one per file)."""
    rows = con.execute(
        f"SELECT sha256, arg_min(source_file, _ingested_at) FROM {RAW_SCHEMA}.file_manifest"
        " WHERE status = 'loaded' GROUP BY sha256"
    ).fetchall()
    return dict(rows)


def first_seen_times(con: duckdb.DuckDBPyConnection) -> dict[str, datetime]:
    """sha256 -> when that content was first seen, for every file the manifest lists (whatever its outcome)."""
    rows = con.execute(
        f"SELECT sha256, min(coalesce(first_seen_at, _ingested_at)) FROM {RAW_SCHEMA}.file_manifest GROUP BY sha256"
    ).fetchall()
    return dict(rows)


@dataclass
class FileLoad:
    """What loading one file did, counted as the chunks went in."""

    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    rows_inserted: int = 0  # raw rows actually added (records already present are not inserted again)
    quarantine_reasons: list[str] = field(default_factory=list)  # distinct, in order of first appearance, capped

    def count(self, chunk: ReadResult) -> None:
        self.rows_read += chunk.rows_read
        self.rows_accepted += chunk.rows_accepted
        self.rows_quarantined += chunk.rows_quarantined
        for _, reason, _ in chunk.quarantine:
            if len(self.quarantine_reasons) < REASONS_KEPT and reason not in self.quarantine_reasons:
                self.quarantine_reasons.append(reason)


@dataclass(frozen=True)
class ManifestEntry:
    source_file: str
    sha256: str | None  # None for a refused file (outside the landing folder: never read)
    size_bytes: int | None
    detected_format: str | None
    status: str
    message: str | None
    batch_id: str
    ingested_at: datetime
    first_seen_at: datetime | None = None  # when the content was first seen (None: now, at ingested_at)


def quarantine_frame(chunk: ReadResult, *, source_file: str, batch_id: str, ingested_at: datetime) -> pl.DataFrame:
    return pl.DataFrame(_quarantine_rows(chunk, source_file, batch_id, ingested_at), schema=QUARANTINE)


def _quarantine_rows(chunk: ReadResult, source_file: str, batch_id: str, ingested_at: datetime) -> list[dict]:
    return [
        {
            "source_file": source_file,
            "locator": locator,
            "detected_format": chunk.format,
            "reason": reason,
            "raw_record": raw.replace("\x00", ""),
            "_batch_id": batch_id,
            "_ingested_at": ingested_at,
        }
        for locator, reason, raw in chunk.quarantine
    ]


@dataclass
class PendingFile:
    """A file read whole whose rows wait to be loaded with others' (``load_files``); ``progress`` holds its counts."""

    entry: ManifestEntry
    progress: FileLoad


def raw_batch(files: list[tuple[ManifestEntry, ReadResult | None, datetime]]) -> tuple[list[PendingFile], RawFrames]:
    """Files read whole, each (manifest entry, its one chunk in canonical frames (``canonical_chunk``) or None when
    it held no rows, when its content was first seen), checked for plausibility and given provenance together: one
    pass per entity for the whole batch, not one per file (a year of daily exports is thousands of small files).

    Returns each file's counts and the raw tables' rows of all of them (records repeated in the batch left in: the
    loader keeps the first). Raises what a file's rows raise; the caller then tries the files one by one.
    """
    whole = [(entry, chunk, first_seen) for entry, chunk, first_seen in files if chunk is not None]
    identified = identified_chunks([chunk for _, chunk, _ in whole])
    read = [(entry, chunk, first_seen) for (entry, _, first_seen), chunk in zip(whole, identified, strict=True)]
    frames, checked = check_chunks([chunk for _, chunk, _ in read], [first_seen for _, _, first_seen in read])
    source_file = _of_chunk(pl.String, [entry.source_file for entry, _, _ in read])
    ingested_at = _of_chunk(UTC_TIME, [entry.ingested_at for entry, _, _ in read])
    batch_id = files[0][0].batch_id if files else ""
    raw: RawFrames = {
        entity: [with_provenance(frame, entity, source_file=source_file, batch_id=batch_id, ingested_at=ingested_at)]
        for entity, frame in frames.items()
    }
    quarantine = [
        row
        for (entry, _, _), chunk in zip(read, checked, strict=True)
        for row in _quarantine_rows(chunk, entry.source_file, entry.batch_id, entry.ingested_at)
    ]
    if quarantine:
        raw["quarantine"] = [pl.DataFrame(quarantine, schema=QUARANTINE)]
    progress = {entry.source_file: FileLoad() for entry, _, _ in files}
    for (entry, _, _), chunk in zip(read, checked, strict=True):
        progress[entry.source_file].count(chunk)
    return [PendingFile(entry, progress[entry.source_file]) for entry, _, _ in files], raw


def _of_chunk(dtype: pl.DataType, values: list[object]) -> pl.Expr:
    """Per row of a batch, the value of its chunk (``CHUNK`` indexes ``values``)."""
    return pl.lit(pl.Series(values, dtype=dtype)).gather(pl.col(CHUNK))


# raw table -> frames of rows for it (entities with provenance, or quarantine entries), each with _source_file
# (quarantine: source_file) naming the file a row came from
RawFrames = dict[str, list[pl.DataFrame]]


def only_files(frames: RawFrames, source_files: set[str]) -> RawFrames:
    """The rows of ``frames`` that came from ``source_files``."""
    kept: RawFrames = {}
    for table, table_frames in frames.items():
        column = "source_file" if table == "quarantine" else "_source_file"
        rows = [frame.filter(pl.col(column).is_in(list(source_files))) for frame in table_frames]
        kept[table] = [frame for frame in rows if frame.height]
    return kept


def load_files(con: duckdb.DuckDBPyConnection, files: list[PendingFile], frames: RawFrames) -> None:
    """Load several files read whole in ONE transaction: their raw rows (``frames``, as ``raw_batch`` gives them),
    quarantine and manifest rows.

    The outcome is the one of loading them one after the other: a record already in raw, or in an earlier file of the
    batch, is not inserted again (each file's ``progress.rows_inserted`` counts what it added). A landing folder of
    daily exports is thousands of small files, and per-file transactions cost more than the rows: one commit and one
    de-duplication against each raw table per batch instead of per file (fsync and a scan of the raw table's hashes).
    If the transaction fails nothing of the batch is written; the caller may retry the files one by one.
    """
    with _transaction(con):
        for table, table_frames in frames.items():
            if not table_frames:
                continue
            batch = pl.concat(table_frames, how="vertical")
            if table == "quarantine":
                _append(con, f"{RAW_SCHEMA}.quarantine", batch)
                continue
            # the first file holding a record keeps it, as when the files load in turn
            batch = batch.unique("_record_hash", keep="first", maintain_order=True)
            inserted = _append_new_records(con, f"{RAW_SCHEMA}.{table}", batch)
            for pending in files:
                pending.progress.rows_inserted += inserted.get(pending.entry.source_file, 0)
        manifest = manifest_frame_of([(pending.entry, pending.progress) for pending in files])
        _append(con, f"{RAW_SCHEMA}.file_manifest", manifest)


def load_file(
    con: duckdb.DuckDBPyConnection, chunks: Iterable[ReadResult], entry: ManifestEntry, *, progress: FileLoad
) -> FileLoad:
    """Load every chunk of one file; its raw rows, quarantine and manifest row land in ONE transaction.

    A file of one chunk (most files: a chunk holds up to ingest.base's chunk size of rows) goes straight into ``raw``
    in that transaction (``load_files``). Larger files first go to staging tables (schema ``ingest_staging``, one
    short transaction per chunk, already without the records raw or the staging table hold), then a single
    transaction copies them into ``raw`` and writes the manifest row. DuckDB keeps every row appended inside an open
    transaction in memory, so appending chunk after chunk inside the final transaction would make memory grow with
    the file; one INSERT ... SELECT does not. A crash before that transaction commits leaves raw untouched (the
    staging tables are dropped and rebuilt on the next load).

    ``progress`` is filled in as chunks arrive, so a caller knows how far a file got when a chunk raises; the
    exception is re-raised.
    """
    counted = _counted(chunks, progress)
    first = next(counted, None)
    second = next(counted, None)
    if second is None:
        frames = _raw_frames(first, entry) if first is not None else {}
        raw = {table: [frame] for table, frame in frames.items() if not frame.is_empty()}
        load_files(con, [PendingFile(entry, progress)], raw)
        return progress
    staged: list[str] = []
    try:
        for chunk in itertools.chain((first, second), counted):
            with _transaction(con):
                for table, frame in _raw_frames(chunk, entry).items():
                    if frame.is_empty():
                        continue
                    if table not in staged:
                        _create_staging(con, table)
                        staged.append(table)
                    skip = () if table == "quarantine" else (f"{RAW_SCHEMA}.{table}", f"{STAGING_SCHEMA}.{table}")
                    inserted = _append(con, f"{STAGING_SCHEMA}.{table}", frame, skip_known_in=skip)
                    progress.rows_inserted += 0 if table == "quarantine" else inserted
        with _transaction(con):
            for table in staged:
                con.execute(f"INSERT INTO {RAW_SCHEMA}.{table} BY NAME SELECT * FROM {STAGING_SCHEMA}.{table}")
            _append(con, f"{RAW_SCHEMA}.file_manifest", manifest_frame(entry, progress))
    finally:
        for table in staged:
            con.execute(f"DROP TABLE IF EXISTS {STAGING_SCHEMA}.{table}")
    return progress


def _counted(chunks: Iterable[ReadResult], progress: FileLoad) -> Iterator[ReadResult]:
    """The chunks, each counted in ``progress`` as it is read (before it is loaded)."""
    for chunk in chunks:
        progress.count(chunk)
        yield chunk


def _raw_frames(chunk: ReadResult, entry: ManifestEntry) -> dict[str, pl.DataFrame]:
    """One chunk's rows as the raw tables take them: each entity with provenance, and its quarantine entries."""
    frames = {
        entity: with_provenance(
            frame, entity, source_file=entry.source_file, batch_id=entry.batch_id, ingested_at=entry.ingested_at
        )
        for entity, frame in chunk.frames.items()
    }
    frames["quarantine"] = quarantine_frame(
        chunk, source_file=entry.source_file, batch_id=entry.batch_id, ingested_at=entry.ingested_at
    )
    return frames


def _create_staging(con: duckdb.DuckDBPyConnection, table: str) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {STAGING_SCHEMA}")
    con.execute(f"CREATE OR REPLACE TABLE {STAGING_SCHEMA}.{table} AS SELECT * FROM {RAW_SCHEMA}.{table} LIMIT 0")


def manifest_frame(entry: ManifestEntry, counts: FileLoad | None) -> pl.DataFrame:
    return manifest_frame_of([(entry, counts)])


def manifest_frame_of(files: list[tuple[ManifestEntry, FileLoad | None]]) -> pl.DataFrame:
    """The manifest rows of several files, one frame."""
    return pl.DataFrame(
        [
            {
                "source_file": entry.source_file,
                "sha256": entry.sha256,
                "size_bytes": entry.size_bytes,
                "detected_format": entry.detected_format,
                "status": entry.status,
                "message": entry.message,
                "rows_read": counts.rows_read if counts else 0,
                "rows_accepted": counts.rows_accepted if counts else 0,
                "rows_quarantined": counts.rows_quarantined if counts else 0,
                "_batch_id": entry.batch_id,
                "_ingested_at": entry.ingested_at,
                "first_seen_at": entry.first_seen_at or entry.ingested_at,
            }
            for entry, counts in files
        ],
        schema=FILE_MANIFEST,
    )


def record_file(con: duckdb.DuckDBPyConnection, entry: ManifestEntry, counts: FileLoad | None = None) -> bool:
    """Write a manifest row for a file that did not load (skipped, duplicate, unrecognised, failed).

    The same file seen again with the same outcome is not logged again, so a file left in the landing folder does not
    add a row on every scheduled run. Returns whether a row was written.
    """
    seen = con.execute(
        f"SELECT 1 FROM {RAW_SCHEMA}.file_manifest WHERE sha256 IS NOT DISTINCT FROM ? AND status = ?"
        " AND source_file = ? AND message IS NOT DISTINCT FROM ? LIMIT 1",
        [entry.sha256, entry.status, entry.source_file, entry.message],
    ).fetchone()
    if seen:
        return False
    _append(con, f"{RAW_SCHEMA}.file_manifest", manifest_frame(entry, counts))
    return True


def utc_now() -> datetime:
    return datetime.now(UTC)
