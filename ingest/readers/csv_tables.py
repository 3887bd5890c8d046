"""CSV exports: every column read as a string, recognised by header, validated by per-row reason expressions."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import polars as pl

from ingest.base import ExportFormat, ReadResult, Sample, register_skipped
from ingest.readers.quarantine import split_quarantine
from ingest.readers.text_files import decode_bytes, text_encoding


def read_csv(path: Path) -> pl.DataFrame:
    """A CSV file with every column as a string, plus ``_source_line`` (1-based data row, header excluded).

    Quoted fields may hold line breaks and bare carriage returns; any encoding ``decode_bytes`` knows is accepted.
    Empty fields become nulls so "missing" has one spelling, quoted ones (``""``) included: spreadsheet tools and
    connectors quote every field, and no reader tells an empty quoted value from an absent one.
    """
    data = Path(path).read_bytes()
    if _needs_transcoding(data):  # polars reads only UTF-8 (a UTF-8 BOM is fine)
        data = decode_bytes(data).encode("utf-8")
    if not data.strip():
        raise ValueError("empty file")
    frame = pl.read_csv(
        io.BytesIO(data),
        infer_schema=False,
        empty_string_is_null=True,
        row_index_name="_source_line",
        row_index_offset=1,
    )
    # empty_string_is_null covers unquoted empty fields only; a quoted "" still reads as ""
    return frame.with_columns(pl.col(pl.String).replace("", None), pl.col("_source_line").cast(pl.Int64))


def _needs_transcoding(data: bytes) -> bool:
    if text_encoding(data[:4096]).startswith("utf-16"):
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def csv_header(text: str) -> list[str]:
    """Column names of the first line of a CSV sample (lowercased, unquoted, trimmed)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip("\r")
    if not first:
        return []
    return [name.strip().lower() for name in next(csv.reader([first]))]


def read_csv_lowercase(path: Path) -> pl.DataFrame:
    """``read_csv`` with lowercased, trimmed column names (Fivetran and most tools differ only in case)."""
    frame = read_csv(path)
    return frame.rename({name: name.strip().lower() for name in frame.columns if name != "_source_line"})


def header_sniffer(
    required: Iterable[str],
    *,
    any_of: Iterable[str] = (),
    excluded: Iterable[str] = (),
    allowed: Iterable[str] | None = None,
) -> Callable[[Sample], bool]:
    """A sniff that claims a CSV whose header has every ``required`` column, at least one of ``any_of`` (when given),
    none of the ``excluded`` ones and, when ``allowed`` is given, nothing outside it (for tables whose columns are too
    common to tell apart otherwise)."""
    required_set, any_of_set, excluded_set = set(required), set(any_of), set(excluded)
    allowed_set = None if allowed is None else set(allowed) | required_set | any_of_set

    def sniff(sample: Sample) -> bool:
        header = set(csv_header(sample.text))
        return (
            required_set <= header
            and (not any_of_set or bool(any_of_set & header))
            and not (excluded_set & header)
            and (allowed_set is None or header <= allowed_set)
        )

    return sniff


def csv_table_format(
    *,
    name: str,
    description: str,
    required: Iterable[str],
    build: Callable[[pl.DataFrame], ReadResult],
    any_of: Iterable[str] = (),
    excluded: Iterable[str] = (),
    allowed: Iterable[str] | None = None,
    priority: int = 40,
) -> ExportFormat:
    """An ExportFormat for one connector table in CSV, recognised by its header (see ``header_sniffer``). ``build``
    turns the whole file (lowercased columns, ``_source_line``) into a result."""

    def read(path: Path) -> Iterator[ReadResult]:
        yield build(read_csv_lowercase(path))

    sniff = header_sniffer(required, any_of=any_of, excluded=excluded, allowed=allowed)
    return ExportFormat(name=name, description=description, sniff=sniff, read=read, priority=priority)


def skip_csv_table(name: str, description: str, why: str, required: Iterable[str], **header: Iterable[str]) -> None:
    """Register a connector table the warehouse deliberately does not load, recognised by its header like
    ``csv_table_format``: its files are reported as skipped with ``why``."""
    register_skipped(name, description, why, header_sniffer(required, **header))


def not_integer(column: str) -> pl.Expr:
    """Reason expression: a string column holds something that is not a whole number ("12", "12.0" are fine)."""
    as_float = pl.col(column).str.strip_chars().cast(pl.Float64, strict=False)
    bad = pl.col(column).is_not_null() & (as_float.is_null() | (as_float != as_float.floor()))
    return pl.when(bad).then(pl.lit(f"{column} is not a whole number"))


def integer_column(column: str) -> pl.Expr:
    """A string column of counts as Int64 ("12" and "12.0" both give 12); check with ``not_integer`` first."""
    text = pl.col(column).str.strip_chars()
    return pl.coalesce(text.cast(pl.Int64, strict=False), text.cast(pl.Float64, strict=False).cast(pl.Int64)).alias(
        column
    )


def not_number(column: str) -> pl.Expr:
    """Reason expression: a string column holds something that is not a number."""
    bad = pl.col(column).is_not_null() & pl.col(column).str.strip_chars().cast(pl.Float64, strict=False).is_null()
    return pl.when(bad).then(pl.lit(f"{column} is not a number"))


def ensure_columns(frame: pl.DataFrame, columns: Iterable[str]) -> pl.DataFrame:
    """Add the optional string columns a file lacks (as nulls), so one set of expressions reads every variant."""
    absent = [name for name in columns if name not in frame.columns]
    return frame.with_columns(pl.lit(None, pl.String).alias(name) for name in absent)


def csv_result(format_name: str, entity: str, raw: pl.DataFrame, reason: pl.Expr, build: list[pl.Expr]) -> ReadResult:
    """The usual CSV reader: quarantine rows with a reason, map the rest with ``build`` onto ``entity``."""
    good, entries = split_quarantine(raw, reason)
    frame = good.select(*build, "_source_line")
    return ReadResult(
        format=format_name,
        frames={entity: frame},
        quarantine=entries,
        rows_read=raw.height,
        rows_accepted=good.height,
    )
