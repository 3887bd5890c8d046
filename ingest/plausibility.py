"""The plausibility stage: canonical rows whose values no platform could have produced go to quarantine.

Readers check shape (a field present, a number a number); this stage checks sense against ``ingest.limits``, on every
reader's canonical frames alike, vectorised: timestamps before the platform existed or more than a day after the file
was first seen, strings longer than any platform allows, negative or absurd counts, negative or non-finite spend. A row
that fails is quarantined on its own with the first failed check as its reason (naming the column and the limit, never
the value); the other rows of its record load.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

import polars as pl

from ingest.base import ReadResult
from ingest.limits import (
    DEFAULT_EARLIEST,
    EARLIEST,
    FUTURE_TOLERANCE,
    MAX_COUNT,
    MAX_TEXT_CHARS,
    NET_SCORE_PLATFORMS,
)
from ingest.readers.quarantine import MAX_RAW_RECORD_CHARS, first_reason, quarantined, row_locator
from ingest.schema import CHUNK, ENTITIES, UTC_TIME, conform

# Timestamps checked against both bounds, per entity. Left out: a deal's closed_at, which for an open deal is the
# expected close date and may lie ahead (it is still checked against the earliest bound, see PAST_ONLY).
TIMESTAMPS: dict[str, tuple[str, ...]] = {
    "interactions": ("created_at",),
    "people": ("account_created_at", "observed_at"),
    "ad_insights": ("date",),
    "ad_actions": ("date",),
    "ad_objects": ("updated_at",),
    "crm_contacts": ("created_at", "updated_at", "became_lead_at", "became_customer_at"),
    "crm_form_submissions": ("submitted_at",),
    "crm_forms": ("created_at", "updated_at"),
    "crm_deals": ("created_at",),
    "account_metrics": ("date",),
    "content_metrics": ("date",),
}
PAST_ONLY: dict[str, tuple[str, ...]] = {"crm_deals": ("closed_at",)}
NOT_COUNTS = {"record_version"}  # an Int64 that is a version number, not a count
_REASON = "__plausibility"


def quarantine_implausible(chunk: ReadResult, first_seen: datetime) -> ReadResult:
    """``chunk`` without its implausible rows, which join its quarantine (``check_chunks`` for one chunk)."""
    frames, (checked,) = check_chunks([canonical_chunk(chunk)], [first_seen])
    return dataclasses.replace(checked, frames={entity: frame.drop(CHUNK) for entity, frame in frames.items()})


def canonical_chunk(chunk: ReadResult) -> ReadResult:
    """``chunk`` with every frame in its entity's canonical columns and dtypes plus an Int64 ``_source_line`` (null
    where the reader set none), so the chunks of many files concatenate. Raises what ``conform`` raises for a frame
    of the wrong shape (a reader bug: its file fails)."""
    frames = {}
    for entity, frame in chunk.frames.items():
        expected = _CANONICAL_WITH_LINE[entity]
        if frame.schema != expected:
            lines = frame["_source_line"].cast(pl.Int64) if "_source_line" in frame.columns else None
            frame = conform(frame, entity).with_columns(
                lines if lines is not None else pl.lit(None, pl.Int64).alias("_source_line")
            )
        frames[entity] = frame
    return dataclasses.replace(chunk, frames=frames)


_CANONICAL_WITH_LINE = {entity: pl.Schema({**schema, "_source_line": pl.Int64}) for entity, schema in ENTITIES.items()}


def check_chunks(
    chunks: list[ReadResult], first_seen: list[datetime]
) -> tuple[dict[str, pl.DataFrame], list[ReadResult]]:
    """The plausibility checks of many chunks (``canonical_chunk``; ``first_seen[i]`` is when chunk i's file was
    first seen) in one pass per entity, not one per chunk: a year of daily exports is thousands of small files.

    Returns each entity's plausible rows of all chunks, in chunk order, with ``CHUNK`` (the index of the row's chunk),
    and each chunk with its implausible rows added to its quarantine and its counts moved (frames left out). Each
    quarantined row moves one record from accepted to quarantined (where one record gave more rows than were accepted,
    rows read grows by the rest), so ``rows_read = rows_accepted + rows_quarantined`` still holds per chunk.
    """
    by_entity: dict[str, list[pl.DataFrame]] = {}
    owners: dict[str, list[int]] = {}
    for index, chunk in enumerate(chunks):
        for entity, frame in chunk.frames.items():
            if frame.height:
                by_entity.setdefault(entity, []).append(frame)
                owners.setdefault(entity, []).append(index)
    latest = pl.lit(pl.Series([seen + FUTURE_TOLERANCE for seen in first_seen], dtype=UTC_TIME)).gather(pl.col(CHUNK))
    frames: dict[str, pl.DataFrame] = {}
    entries: dict[tuple[int, str], list[tuple[str, str, str]]] = {}
    for entity, entity_frames in by_entity.items():
        heights = [frame.height for frame in entity_frames]
        checked = (
            pl.concat(entity_frames)
            .with_columns(_repeated(owners[entity], heights).alias(CHUNK))
            .with_columns(implausible_reason(entity, latest).alias(_REASON))
        )
        bad = checked.filter(pl.col(_REASON).is_not_null())
        if not bad.is_empty():
            # values cut to what the quarantine keeps before they become Python objects: a row may hold a huge text
            kept = bad.with_columns(pl.col(pl.String).exclude(_REASON).str.slice(0, MAX_RAW_RECORD_CHARS))
            for row in kept.to_dicts():
                entries.setdefault((row[CHUNK], entity), []).append(_entry(row))
            checked = checked.filter(pl.col(_REASON).is_null())
        frames[entity] = checked.drop(_REASON)
    return frames, [_moved(index, chunk, entries) for index, chunk in enumerate(chunks)]


def _repeated(values: list[int], counts: list[int]) -> pl.Series:
    """Each of ``values`` repeated its count's times (counts above zero), as one UInt32 series."""
    repeated = pl.lit(pl.Series(values, dtype=pl.UInt32)).repeat_by(pl.lit(pl.Series(counts, dtype=pl.UInt32)))
    return pl.select(repeated.explode()).to_series()


def _moved(index: int, chunk: ReadResult, entries: dict[tuple[int, str], list[tuple[str, str, str]]]) -> ReadResult:
    """Chunk ``index`` without frames, its implausible rows (in its own entity order) joined to its quarantine."""
    found = [entry for entity in chunk.frames for entry in entries.get((index, entity), [])]
    if not found:
        return dataclasses.replace(chunk, frames={})
    accepted = max(chunk.rows_accepted - len(found), 0)
    quarantine = [*chunk.quarantine, *found]
    return dataclasses.replace(
        chunk, frames={}, quarantine=quarantine, rows_accepted=accepted, rows_read=accepted + len(quarantine)
    )


def implausible_reason(entity: str, latest: datetime | pl.Expr) -> pl.Expr:
    """Per row: why the canonical row of ``entity`` is implausible, or null when it is fine. ``latest``: the latest
    plausible time (a day after the file was first seen), one for all rows or an expression per row."""
    if isinstance(latest, datetime):
        latest = pl.lit(latest, UTC_TIME)
    return first_reason(*_timestamp_checks(entity, latest), *_value_checks(entity))


def _timestamp_checks(entity: str, latest: pl.Expr) -> list[pl.Expr]:
    schema = ENTITIES[entity]
    source = "crm" if "crm" in schema else "platform"
    checks = []
    for column in (*TIMESTAMPS.get(entity, ()), *PAST_ONLY.get(entity, ())):
        too_early = f"{column} before the platform existed"
        checks.append(pl.when(pl.col(column) < _earliest(source, schema[column])).then(pl.lit(too_early)))
        if column in TIMESTAMPS.get(entity, ()):
            bound = latest.dt.date() if schema[column] == pl.Date else latest
            too_late = f"{column} more than a day after the file was first seen"
            checks.append(pl.when(pl.col(column) > bound).then(pl.lit(too_late)))
    return checks


def _value_checks(entity: str) -> list[pl.Expr]:
    checks = []
    for column, dtype in ENTITIES[entity].items():
        if dtype == pl.String:
            too_long = pl.col(column).str.len_chars() > MAX_TEXT_CHARS
            checks.append(pl.when(too_long).then(pl.lit(f"{column} longer than {MAX_TEXT_CHARS:,} characters")))
        elif dtype == pl.Int64 and column not in NOT_COUNTS:
            negative = pl.col(column) < 0
            if entity == "interactions" and column == "like_count":  # a net vote score may be negative
                negative = negative & ~pl.col("platform").is_in(NET_SCORE_PLATFORMS)
            checks.append(pl.when(negative).then(pl.lit(f"{column} is negative")))
            checks.append(pl.when(pl.col(column).abs() > MAX_COUNT).then(pl.lit(f"{column} above {MAX_COUNT:,}")))
        elif dtype == pl.Float64:
            checks.append(pl.when(~pl.col(column).is_finite()).then(pl.lit(f"{column} is not a finite number")))
            checks.append(pl.when(pl.col(column) < 0).then(pl.lit(f"{column} is negative")))
    return checks


def _earliest(source: str, dtype: pl.DataType) -> pl.Expr:
    """The earliest plausible value of a ``dtype`` column for each row's platform (or CRM)."""
    floors = pl.col(source).replace_strict(
        list(EARLIEST), list(EARLIEST.values()), default=DEFAULT_EARLIEST, return_dtype=UTC_TIME
    )
    return floors.dt.date() if dtype == pl.Date else floors


def _entry(row: dict) -> tuple[str, str, str]:
    record = {name: value for name, value in row.items() if not name.startswith("_") and value is not None}
    line = row.get("_source_line")
    return quarantined(row_locator(line) if line is not None else "row", row[_REASON], record)
