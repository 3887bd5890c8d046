"""The one timestamp parser of every reader: ``parse_utc`` for a value in Python, ``utc_column`` / ``bad_timestamp``
for a string column (the usual ISO spellings parsed by polars, the rest through ``parse_utc``, so both accept the
same inputs), and ISO dates."""

from __future__ import annotations

import math
import re
from contextlib import suppress
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from ingest.base import RecordProblem, error_reason
from ingest.schema import UTC_TIME

_EPOCH_SECONDS = re.compile(r"[+-]?\d+(\.\d+)?")

_FALLBACK_FORMATS = (
    "%a %b %d %H:%M:%S %z %Y",  # Twitter v1: "Wed Oct 10 20:19:24 +0000 2018"
    "%Y-%m-%d %H:%M:%S",  # single-digit hours, as some Fivetran tables write them: "2024-12-30 3:15:52"
    "%Y-%m-%d %H:%M:%S.%f",
)


def _zone(assume_zone: str | tzinfo) -> tzinfo:
    if isinstance(assume_zone, tzinfo):
        return assume_zone
    try:
        return ZoneInfo(assume_zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise RecordProblem(f"unknown time zone {assume_zone!r}") from error


def parse_utc(value: Any, *, assume_zone: str | tzinfo | None = None) -> datetime:
    """A timezone-aware UTC datetime from an ISO 8601 string (``Z`` or offset, also Graph API ``+0000``), epoch seconds
    (number or numeric string), an old Twitter v1 date, or a datetime.

    A timestamp without a zone is ambiguous: it raises unless the caller states the zone the export uses
    (``assume_zone="UTC"`` for Fivetran tables, which land in UTC without saying so).
    """
    if type(value) is str and value[-1:] == "Z" and value[:1].isdigit():  # the usual API spelling: parsed at once
        with suppress(ValueError):  # else the general path below, which says what is wrong
            return datetime.fromisoformat(value).astimezone(UTC)  # what the general path does with it, sooner
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, bool) or value is None:
        raise RecordProblem("not a timestamp (missing or true/false)")
    elif isinstance(value, int | float):
        parsed = _from_epoch(float(value), value)
    elif isinstance(value, str):
        parsed = _parse_timestamp_text(value.strip())
    else:
        raise RecordProblem(f"not a timestamp (a {type(value).__name__})")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        if assume_zone is None:
            raise RecordProblem("timestamp has no time zone (naive) and no zone was assumed for this export")
        parsed = parsed.replace(tzinfo=_zone(assume_zone))
    return parsed.astimezone(UTC)


def _from_epoch(seconds: float, original: Any) -> datetime:
    if not math.isfinite(seconds):
        raise RecordProblem("not a timestamp (not a finite number)")
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise RecordProblem("epoch seconds out of range") from error


def _parse_timestamp_text(text: str) -> datetime:
    if not text:
        raise RecordProblem("empty timestamp")
    if _EPOCH_SECONDS.fullmatch(text):
        return _from_epoch(float(text), text)
    if text.upper().endswith(" UTC"):  # "2024-01-01 10:00:00 UTC", as BigQuery and some warehouses write it
        return _parse_timestamp_text(text[:-4].strip()).replace(tzinfo=UTC)
    try:  # Python 3.11 reads ISO 8601 with Z, +00:00, +0000 and any number of fractional digits
        return datetime.fromisoformat(text[:-1] + "Z" if text.endswith("z") else text)
    except ValueError:
        pass
    for layout in _FALLBACK_FORMATS:
        try:
            return datetime.strptime(text, layout)
        except ValueError:
            continue
    raise RecordProblem(
        "unparseable timestamp (expected ISO 8601 with a zone, epoch seconds or a Twitter date such as"
        " Wed Oct 10 20:19:24 +0000 2018)"
    )


def parse_utc_or_none(value: Any, *, assume_zone: str | tzinfo | None = None) -> datetime | None:
    """``parse_utc`` where a missing value (None or blank string) is allowed and gives None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_utc(value, assume_zone=assume_zone)


_AWARE_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%z",)  # offsets: +00:00, +0000, -05:00

_ZULU_FORMATS = ("%Y-%m-%dT%H:%M:%S%.fZ",)

# Fivetran and most database exports; a bare date is its midnight
_NAIVE_FORMATS = ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d")


def _native_utc(column: str, assume_zone: str | None) -> pl.Expr:
    """The common spellings parsed by polars itself (fast); anything else stays null for ``parse_utc``."""
    text = pl.col(column).str.strip_chars()
    candidates = [text.str.to_datetime(fmt, time_unit="us", time_zone="UTC", strict=False) for fmt in _AWARE_FORMATS]
    candidates += [
        text.str.to_datetime(fmt, time_unit="us", strict=False).dt.replace_time_zone("UTC") for fmt in _ZULU_FORMATS
    ]
    if assume_zone is not None:
        candidates += [
            text.str.to_datetime(fmt, time_unit="us", strict=False)
            .dt.replace_time_zone(assume_zone, ambiguous="earliest", non_existent="null")
            .dt.convert_time_zone("UTC")
            for fmt in _NAIVE_FORMATS
        ]
    return pl.coalesce(candidates)


def _unparsed(batch: pl.Series) -> tuple[pl.Series, pl.Series, list[int]]:
    """(raw, natively parsed, positions that still need parse_utc) of a struct batch {raw, native}."""
    raw, native = batch.struct.field("raw"), batch.struct.field("native")
    pending = (native.is_null() & raw.is_not_null() & (raw.str.strip_chars() != "")).arg_true().to_list()
    return raw, native, pending


def utc_column(column: str, *, assume_zone: str | None = None) -> pl.Expr:
    """A string column parsed like ``parse_utc`` into the canonical UTC type; unparseable values become null.

    The usual ISO spellings are parsed by polars; only the rest (epoch seconds, Twitter v1 dates, odd spacing) go
    through Python. Pair it with ``bad_timestamp`` to quarantine the rows that did not parse.
    """

    def fill(batch: pl.Series) -> pl.Series:
        raw, native, pending = _unparsed(batch)
        if not pending:
            return native
        values = []
        for position in pending:
            try:
                values.append(parse_utc(raw[position], assume_zone=assume_zone))
            except ValueError:
                values.append(None)
        return native.scatter(pending, pl.Series(values, dtype=UTC_TIME))

    both = pl.struct(pl.col(column).alias("raw"), _native_utc(column, assume_zone).alias("native"))
    return both.map_batches(fill, return_dtype=UTC_TIME).alias(column)


def invalid_timestamp_reason(value: str | None, *, assume_zone: str | None = None) -> str | None:
    """The error message ``parse_utc`` gives for a non-blank value, or None when it parses (or is blank)."""
    try:
        parse_utc_or_none(value, assume_zone=assume_zone)
    except ValueError as error:
        return error_reason(error)
    return None


def bad_timestamp(column: str, *, assume_zone: str | None = None) -> pl.Expr:
    """Reason expression: a non-blank value that ``parse_utc`` rejects, with parse_utc's own message."""

    def reasons(batch: pl.Series) -> pl.Series:
        raw, native, pending = _unparsed(batch)
        found: list[str | None] = [None] * len(raw)
        for position in pending:
            problem = invalid_timestamp_reason(raw[position], assume_zone=assume_zone)
            found[position] = None if problem is None else f"{column}: {problem}"
        return pl.Series(found, dtype=pl.String)

    both = pl.struct(pl.col(column).alias("raw"), _native_utc(column, assume_zone).alias("native"))
    return both.map_batches(reasons, return_dtype=pl.String)


def bad_date(column: str) -> pl.Expr:
    """Reason expression: a non-blank value that is not an ISO date (YYYY-MM-DD)."""
    parsed = pl.col(column).str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    return pl.when(pl.col(column).is_not_null() & parsed.is_null()).then(pl.lit(f"{column} is not a date (YYYY-MM-DD)"))


def date_column(column: str) -> pl.Expr:
    return pl.col(column).str.strip_chars().str.to_date("%Y-%m-%d", strict=False).alias(column)
