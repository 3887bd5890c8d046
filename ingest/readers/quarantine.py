"""Quarantine entries: where a bad record is (``row N``, ``line N $.path``), why, and the record itself (truncated).

A reason names the field and the problem, never the value: values may be personal (see ``ingest.privacy``)."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

import polars as pl

from ingest.privacy import protect_contact_fields, protect_text

MAX_RAW_RECORD_CHARS = 10_000  # raw.quarantine keeps this much of an offending record


def quarantined(
    locator: str, reason: str, raw_record: Any, *, keep: Collection[str] | None = None
) -> tuple[str, str, str]:
    """A ReadResult.quarantine entry: where (e.g. "line 12"), why, and the record as text (truncated). A record given
    as a dict has its contact fields hashed or redacted first (``ingest.privacy.protect_contact_fields``; ``keep``:
    the allow-list of a contact source), one given as text its e-mail addresses (nothing of it from a contact
    source)."""
    if isinstance(raw_record, dict):  # values cut to what is kept anyway before they are scanned for contact data
        cut = {
            name: value[:MAX_RAW_RECORD_CHARS] if isinstance(value, str) else value
            for name, value in raw_record.items()
        }
        raw_record = protect_contact_fields(cut, keep=keep)
    elif isinstance(raw_record, str):
        raw_record = protect_text(raw_record[:MAX_RAW_RECORD_CHARS], keep=keep)
    elif keep is not None:
        raw_record = protect_text("", keep=keep)
    raw = raw_record if isinstance(raw_record, str) else json.dumps(raw_record, ensure_ascii=False, default=str)
    return locator, reason, raw[:MAX_RAW_RECORD_CHARS]


def row_locator(source_line: int) -> str:
    return f"row {source_line}"


def line_locator(line_number: int, json_path: str | None = None) -> str:
    return f"line {line_number}" if json_path is None else f"line {line_number} {json_path}"


def split_quarantine(
    frame: pl.DataFrame, reason: pl.Expr, *, keep: Collection[str] | None = None
) -> tuple[pl.DataFrame, list[tuple[str, str, str]]]:
    """Split a frame by a per-row ``reason`` expression (null = the row is fine).

    Returns the good rows and, for the others, quarantine entries ("row N", reason, the source row as JSON). The frame
    must carry ``_source_line``; columns starting with ``_`` (helpers) and empty values are left out of the raw record,
    and contact fields (emails, phones, names of people) are hashed or redacted in it (``keep``: the allow-list of a
    contact source, see ``quarantined``).
    """
    checked = frame.with_columns(reason.alias("__reason"))
    bad = checked.filter(pl.col("__reason").is_not_null())
    entries = [
        quarantined(
            row_locator(row["_source_line"]),
            row["__reason"],
            {name: value for name, value in row.items() if not name.startswith("_") and value is not None},
            keep=keep,
        )
        for row in bad.to_dicts()
    ]
    return checked.filter(pl.col("__reason").is_null()).drop("__reason"), entries


def first_reason(*checks: pl.Expr) -> pl.Expr:
    """The first non-null of several reason expressions (each ``pl.when(problem).then(message)``)."""
    return pl.coalesce(*checks) if checks else pl.lit(None, pl.String)


def missing(column: str) -> pl.Expr:
    """Reason expression: the column is null or blank."""
    return pl.when(pl.col(column).is_null() | (pl.col(column).cast(pl.String).str.strip_chars() == "")).then(
        pl.lit(f"missing required field {column}")
    )
