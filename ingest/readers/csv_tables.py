"""CSV exports: every column read as a string, recognised by header, validated by per-row reason expressions.

A damaged row fails alone: ``read_csv_table`` parses a clean file whole with polars, and only when that parse fails
or disagrees with the file's record structure (a row with too many or too few fields, an unclosed quote) walks the
file record by record, quarantines the rows that do not parse (``line N`` and a reason that quotes no value) and
parses the others in bulk again. Before any of that, ``ingest.readers.csv_records`` cuts out every record over
``MAX_RECORD_BYTES`` unread, so memory stays bounded whatever one record's size.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ingest.base import ExportFormat, ReadResult, RecordProblem, Sample, register_skipped
from ingest.readers.csv_records import BROKEN_QUOTING, MAX_RECORD_LINES, PreparedCsv, prepare_csv
from ingest.readers.quarantine import line_locator, quarantined, split_quarantine

_NOT_A_SEPARATOR = "\x1f"  # the ASCII unit separator, to read a file's lines whole
_QUOTED = r'"[^"]*"'  # a quoted section (an escaped "" is two adjacent sections: the separators count the same)


@dataclass
class CsvTable:
    """A CSV file read as strings: ``frame`` holds the rows that parsed (with ``_source_line``, the 1-based data
    row), ``rejected`` a quarantine entry for each row that did not (wrong number of fields, broken quoting)."""

    frame: pl.DataFrame
    rejected: list[tuple[str, str, str]] = field(default_factory=list)

    def into(self, result: ReadResult) -> ReadResult:
        """``result`` (built from ``frame``) with the rejected rows added to its quarantine and rows read."""
        result.quarantine = self.rejected + result.quarantine
        result.rows_read += len(self.rejected)
        return result


def read_csv_table(path: Path, *, keep: Collection[str] | None = None) -> CsvTable:
    """A CSV file with every column as a string, plus ``_source_line`` (1-based data row, header excluded).

    Quoted fields may hold line breaks and bare carriage returns; any encoding ``decode_bytes`` knows is accepted,
    and in a UTF-8 file a line that is not UTF-8 is decoded on its own (Latin-1), so it spoils only itself. Empty
    fields become nulls so "missing" has one spelling, quoted ones (``""``) included: spreadsheet tools and
    connectors quote every field, and no reader tells an empty quoted value from an absent one. A rejected row is
    quarantined as its fields by header name, protected like any quarantined record (``keep``: see
    ``ingest.privacy.protect_contact_fields``). A record over ``MAX_RECORD_BYTES`` is quarantined with its line
    number, never read whole (``ingest.readers.csv_records``).
    """
    prepared = prepare_csv(Path(path))
    if _is_blank(prepared):
        raise RecordProblem("empty file")
    frame = _parse(prepared.source)
    # polars refuses a row with too many fields but fills a short one with nulls: only a null in the last column
    # (a short row, or an empty last field) needs the file's records counted
    if frame is None or (frame.get_column(frame.columns[-1]).has_nulls() and not _records_match(prepared, frame)):
        table = _salvage(prepared.text(), keep)
    else:
        table = CsvTable(_empty_as_null(frame))
    return _without_stand_ins(table, prepared, keep)


def read_csv(path: Path) -> pl.DataFrame:
    """The rows of ``read_csv_table`` that parsed (for callers that handle no rejected rows: tests, tools)."""
    return read_csv_table(path).frame


def _is_blank(prepared: PreparedCsv) -> bool:
    """Whether the file holds nothing but white space (read in pieces: it stops at the first other byte)."""
    if prepared.data is not None:
        return not prepared.data or prepared.data.isspace()
    with open(prepared.path, "rb") as handle:
        while piece := handle.read(1 << 16):
            if piece.strip():
                return False
    return True


def _without_stand_ins(table: CsvTable, prepared: PreparedCsv, keep: Collection[str] | None) -> CsvTable:
    """``table`` without the rows that stand in for the records cut out unread, which are quarantined instead (found
    by their mark, not their row number: the salvage may count the records before them differently)."""
    if not prepared.refused:
        return table
    first = pl.col(table.frame.columns[1])  # the file's first column (after _source_line)
    table.frame = table.frame.filter(~first.str.starts_with(prepared.stand_in_mark).fill_null(False))
    entries = [
        quarantined(line_locator(record.line), record.reason, record.head, keep=keep) for record in prepared.refused
    ]
    table.rejected = entries + table.rejected
    return table


def _parse(source: Path | io.BytesIO) -> pl.DataFrame | None:
    """The whole file parsed by polars, or None when it does not parse (its message would quote the row)."""
    try:
        return pl.read_csv(
            source,
            infer_schema=False,
            empty_string_is_null=True,
            row_index_name="_source_line",
            row_index_offset=1,
        )
    except pl.exceptions.PolarsError:
        return None


def _empty_as_null(frame: pl.DataFrame) -> pl.DataFrame:
    # empty_string_is_null covers unquoted empty fields only; a quoted "" still reads as ""
    return frame.with_columns(pl.col(pl.String).replace("", None), pl.col("_source_line").cast(pl.Int64))


def _records_match(prepared: PreparedCsv, frame: pl.DataFrame) -> bool:
    """Whether every record of the file has the header's number of fields and polars read one row per record.

    polars fills a short row with nulls in silence; this counts, without parsing in Python, the separators outside
    quotes of each record (lines inside an open quote belong to the record before).
    """
    try:  # the file's lines, as they are (no separator or quote is special)
        lines = pl.read_csv(
            prepared.source, has_header=False, separator=_NOT_A_SEPARATOR, quote_char=None, schema={"line": pl.String}
        ).with_columns(pl.col("line").fill_null(""))
    except pl.exceptions.PolarsError:  # the file holds the byte used as no separator: count in the salvage
        return False
    quotes = pl.col("line").str.count_matches('"', literal=True)
    lines = lines.with_columns(inside=((quotes.cum_sum() - quotes) % 2) == 1)  # starts inside a quoted field
    multi_line = bool(lines["inside"].any())
    unquoted = pl.col("line").str.replace_all(_QUOTED, "")
    if multi_line:  # a line that starts inside a quote is closed first, one that ends inside one is cut there
        opened = pl.when("inside").then(pl.lit('"') + pl.col("line")).otherwise("line")
        unquoted = opened.str.replace_all(_QUOTED, "").str.replace(r'"[^"]*$', "")
    records = lines.select(
        record=(~pl.col("inside")).cum_sum(),
        separators=unquoted.str.count_matches(",", literal=True),
        blank=pl.col("line").is_in(["", "\r"]),  # polars reads a blank line as a row of nulls
    )
    if multi_line:
        records = records.group_by("record", maintain_order=True).agg(pl.col("separators").sum(), pl.col("blank").all())
    records = records.slice(1)  # the header
    width = frame.width - 1  # without _source_line
    whole = records.select((pl.col("blank") | (pl.col("separators") == width - 1)).all()).item()
    return bool(whole) and records.height == frame.height


class _Lines:
    """The file's lines fed to ``csv.reader`` from a position that can be moved back after a broken record."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.position = 1  # after the header
        self.record_start = 1

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.position >= len(self.lines) or self.position - self.record_start >= MAX_RECORD_LINES:
            raise StopIteration
        line = self.lines[self.position]
        self.position += 1
        if not line.strip("\r"):
            return "\n"  # a blank line: polars reads it as a row of nulls, so it is one here too
        # only the number of fields is checked here (polars reads the values): a bare CR counts as any character
        return line.replace("\r", " ") + "\n"


def _salvage(text: str, keep: Collection[str] | None) -> CsvTable:
    """Each record on its own: those with the header's number of fields are parsed again in bulk by polars, the
    others are quarantined. A record whose quoting breaks is rejected alone and reading resumes at its next line
    (an unclosed quote must not swallow the rows after it)."""
    lines = text.removesuffix("\n").split("\n")
    header = next(csv.reader([lines[0].replace("\r", "")]))
    source = _Lines(lines)
    good_lines: list[str] = []
    good_fields: list[list[str]] = []
    good_rows: list[int] = []
    rejected: list[tuple[str, str, str]] = []
    row = 0
    reader = csv.reader(source, strict=True)
    while source.position < len(lines):
        source.record_start = start = source.position
        row += 1
        try:
            fields = next(reader)
        except csv.Error:
            rejected.append(_rejected(start, BROKEN_QUOTING, keep, header, lines[start]))
            source.position = start + 1  # the next line may be a good row the broken quote ran into
            reader = csv.reader(source, strict=True)
            continue
        if fields and len(fields) != len(header):
            reason = f"{len(fields)} fields where the header has {len(header)}"
            rejected.append(_rejected(start, reason, keep, header, fields))
            continue
        good_lines.extend(lines[start : source.position])
        good_fields.append(fields)
        good_rows.append(row)
    frame = _parse(io.BytesIO("\n".join([lines[0], *good_lines, ""]).encode("utf-8")))
    if frame is None or frame.height != len(good_rows):
        # polars and Python's csv disagree on a stray quote inside an unquoted field (`6" tall`): take Python's
        # fields, under the names polars gives the header (this path only runs for a damaged file)
        frame = _frame_of_fields(lines[0], good_fields)
    return CsvTable(_empty_as_null(frame).with_columns(_source_line=pl.Series(good_rows, dtype=pl.Int64)), rejected)


def _frame_of_fields(header_line: str, records: list[list[str]]) -> pl.DataFrame:
    names = pl.read_csv(io.BytesIO(header_line.encode("utf-8")), infer_schema=False, n_rows=0).columns
    frame = pl.DataFrame(records, schema=dict.fromkeys(names, pl.String), orient="row")
    return frame.with_columns(_source_line=pl.lit(None, pl.Int64))  # the caller numbers the rows


def _rejected(
    line: int, reason: str, keep: Collection[str] | None, header: list[str], record: list[str] | str
) -> tuple[str, str, str]:
    """A quarantine entry for an unparseable row: its fields by header name when it split into fields (extra ones
    as ``_extra_N``), else its line; contact data protected like any quarantined record."""
    if isinstance(record, str):
        raw: dict[str, str] | str = record
    else:
        names = [name.strip().lower() for name in header]
        names += [f"_extra_{index}" for index in range(1, len(record) - len(header) + 1)]
        raw = dict(zip(names, record, strict=False))
    return quarantined(line_locator(line + 1), reason, raw, keep=keep)


@functools.lru_cache(maxsize=4)
def csv_header(text: str) -> tuple[str, ...]:
    """Column names of the first line of a CSV sample (lowercased, unquoted, trimmed). Every CSV sniffer asks for the
    same sample's header in turn: it is parsed once."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip("\r")
    if not first:
        return ()
    return tuple(map(str.lower, map(str.strip, next(csv.reader([first])))))  # a JSON line's sample is 64 KB of names


@functools.lru_cache(maxsize=4)
def csv_header_names(text: str) -> frozenset[str]:
    """``csv_header`` as a set, made once per sample for every sniffer that compares column sets (a JSON file's
    first line, split at its commas, is hundreds of names)."""
    return frozenset(csv_header(text))


def read_csv_lowercase(path: Path, *, keep: Collection[str] | None = None) -> CsvTable:
    """``read_csv_table`` with lowercased, trimmed column names (Fivetran and most tools differ only in case)."""
    table = read_csv_table(path, keep=keep)
    names = {name: name.strip().lower() for name in table.frame.columns if name != "_source_line"}
    table.frame = table.frame.rename(names)
    return table


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
        header = csv_header_names(sample.text)
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
    keep: Collection[str] | None = None,
) -> ExportFormat:
    """An ExportFormat for one connector table in CSV, recognised by its header (see ``header_sniffer``). ``build``
    turns the rows that parsed (lowercased columns, ``_source_line``) into a result; the rows that did not are added
    to its quarantine. ``keep``: the allow-list of a contact source for rows that did not parse (``build`` passes
    the same to ``csv_result``)."""

    def read(path: Path) -> Iterator[ReadResult]:
        table = read_csv_lowercase(path, keep=keep)
        yield table.into(build(table.frame))

    sniff = header_sniffer(required, any_of=any_of, excluded=excluded, allowed=allowed)
    return ExportFormat(name=name, description=description, sniff=sniff, read=read, priority=priority)


def skip_csv_table(name: str, description: str, why: str, required: Iterable[str], **header: Iterable[str]) -> None:
    """Register a connector table the warehouse deliberately does not load, recognised by its header like
    ``csv_table_format``: its files are reported as skipped with ``why``."""
    register_skipped(name, description, why, header_sniffer(required, **header))


# 2^63 as a float: a whole number at or beyond it (either sign) does not fit the warehouse's 64-bit integer columns
_INT64_BOUND = float(2**63)


def is_not_int64(column: str) -> pl.Expr:
    """True where a string column holds something that is not a whole number within a 64-bit integer ("12", "12.0"
    and "-3" are fine; "1.5", "abc" and "1e30" are not). Without the range, the cast to Int64 of one row beyond it
    would fail the whole file, with the value in polars' error."""
    text = pl.col(column).str.strip_chars()
    as_float = text.cast(pl.Float64, strict=False)
    fits = text.cast(pl.Int64, strict=False).is_not_null() | (
        (as_float == as_float.floor()) & (as_float.abs() < _INT64_BOUND)
    )
    return pl.col(column).is_not_null() & ~fits.fill_null(False)


def not_integer(column: str) -> pl.Expr:
    """Reason expression: a string column holds something that is not a whole number ("12", "12.0" are fine), or one
    beyond a 64-bit integer."""
    return pl.when(is_not_int64(column)).then(pl.lit(f"{column} is not a whole number within a 64-bit integer"))


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


def csv_result(
    format_name: str,
    entity: str,
    raw: pl.DataFrame,
    reason: pl.Expr,
    build: list[pl.Expr],
    *,
    keep: Collection[str] | None = None,
) -> ReadResult:
    """The usual CSV reader: quarantine rows with a reason (``keep``: a contact source's allow-list, see
    ``ingest.readers.quarantine.quarantined``), map the rest with ``build`` onto ``entity``."""
    good, entries = split_quarantine(raw, reason, keep=keep)
    frame = good.select(*build, "_source_line")
    return ReadResult(
        format=format_name,
        frames={entity: frame},
        quarantine=entries,
        rows_read=raw.height,
        rows_accepted=good.height,
    )
