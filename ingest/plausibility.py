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
from ingest.schema import ENTITIES, UTC_TIME, conform

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
    """``chunk`` without its implausible rows, which join its quarantine.

    Each quarantined row moves one record from accepted to quarantined (where one record gave more rows than were
    accepted, rows read grows by the rest), so ``rows_read = rows_accepted + rows_quarantined`` still holds.
    """
    frames: dict[str, pl.DataFrame] = {}
    entries: list[tuple[str, str, str]] = []
    for entity, frame in chunk.frames.items():
        canonical = conform(frame, entity)
        checked = canonical.with_columns(implausible_reason(entity, first_seen).alias(_REASON))
        bad = checked.filter(pl.col(_REASON).is_not_null())
        if bad.is_empty():
            frames[entity] = canonical
            continue
        # values cut to what the quarantine keeps before they become Python objects: a row may hold a huge text
        kept = bad.with_columns(pl.col(pl.String).exclude(_REASON).str.slice(0, MAX_RAW_RECORD_CHARS))
        entries.extend(_entry(row) for row in kept.to_dicts())
        frames[entity] = checked.filter(pl.col(_REASON).is_null()).drop(_REASON)
    if not entries:
        return chunk
    accepted = max(chunk.rows_accepted - len(entries), 0)
    quarantine = [*chunk.quarantine, *entries]
    return dataclasses.replace(
        chunk, frames=frames, quarantine=quarantine, rows_accepted=accepted, rows_read=accepted + len(quarantine)
    )


def implausible_reason(entity: str, first_seen: datetime) -> pl.Expr:
    """Per row: why the canonical row of ``entity`` is implausible, or null when it is fine."""
    return first_reason(*_timestamp_checks(entity, first_seen), *_value_checks(entity))


def _timestamp_checks(entity: str, first_seen: datetime) -> list[pl.Expr]:
    schema = ENTITIES[entity]
    source = "crm" if "crm" in schema else "platform"
    latest = first_seen + FUTURE_TOLERANCE
    checks = []
    for column in (*TIMESTAMPS.get(entity, ()), *PAST_ONLY.get(entity, ())):
        too_early = f"{column} before the platform existed"
        checks.append(pl.when(pl.col(column) < _earliest(source, schema[column])).then(pl.lit(too_early)))
        if column in TIMESTAMPS.get(entity, ()):
            bound = pl.lit(latest.date() if schema[column] == pl.Date else latest, schema[column])
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
