"""Helpers every export reader needs: timestamps, text decoding, JSON lines and documents, CSV, handles, links, UTM
tags, quarantine.

Readers stay small by leaning on these; each helper raises ``ValueError`` with a message fit for a quarantine reason.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from ingest.base import ExportFormat, ReadResult, Sample
from ingest.schema import ENTITIES, UTC_TIME, conform

MAX_RAW_RECORD_CHARS = 10_000  # raw.quarantine keeps this much of an offending record
JSON_LINES_PER_CHUNK = 50_000  # records (JSON lines, or canonical rows) per ReadResult when a file streams
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")

# ---------------------------------------------------------------------------------------------------------- time

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
        raise ValueError(f"unknown time zone {assume_zone!r}") from error


def parse_utc(value: Any, *, assume_zone: str | tzinfo | None = None) -> datetime:
    """A timezone-aware UTC datetime from an ISO 8601 string (``Z`` or offset, also Graph API ``+0000``), epoch seconds
    (number or numeric string), an old Twitter v1 date, or a datetime.

    A timestamp without a zone is ambiguous: it raises unless the caller states the zone the export uses
    (``assume_zone="UTC"`` for Fivetran tables, which land in UTC without saying so).
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, bool) or value is None:
        raise ValueError(f"not a timestamp: {value!r}")
    elif isinstance(value, int | float):
        parsed = _from_epoch(float(value), value)
    elif isinstance(value, str):
        parsed = _parse_timestamp_text(value.strip())
    else:
        raise ValueError(f"not a timestamp: {value!r} ({type(value).__name__})")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        if assume_zone is None:
            raise ValueError(f"timestamp {value!s} has no time zone (naive) and no zone was assumed for this export")
        parsed = parsed.replace(tzinfo=_zone(assume_zone))
    return parsed.astimezone(timezone.utc)


def _from_epoch(seconds: float, original: Any) -> datetime:
    if not math.isfinite(seconds):
        raise ValueError(f"not a timestamp: {original!r}")
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError) as error:
        raise ValueError(f"epoch seconds out of range: {original!r}") from error


def _parse_timestamp_text(text: str) -> datetime:
    if not text:
        raise ValueError("empty timestamp")
    if _EPOCH_SECONDS.fullmatch(text):
        return _from_epoch(float(text), text)
    try:  # Python 3.11 reads ISO 8601 with Z, +00:00, +0000 and any number of fractional digits
        return datetime.fromisoformat(text[:-1] + "Z" if text.endswith("z") else text)
    except ValueError:
        pass
    for layout in _FALLBACK_FORMATS:
        try:
            return datetime.strptime(text, layout)
        except ValueError:
            continue
    raise ValueError(f"unparseable timestamp {text!r}")


def parse_utc_or_none(value: Any, *, assume_zone: str | tzinfo | None = None) -> datetime | None:
    """``parse_utc`` where a missing value (None or blank string) is allowed and gives None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_utc(value, assume_zone=assume_zone)


_AWARE_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%z",)  # offsets: +00:00, +0000, -05:00
_ZULU_FORMATS = ("%Y-%m-%dT%H:%M:%S%.fZ",)
_NAIVE_FORMATS = ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f")  # Fivetran and most database exports


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
        return str(error)
    return None


# ---------------------------------------------------------------------------------------------------------- text

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def text_encoding(head: bytes) -> str:
    """The encoding of a file from its first bytes: a BOM wins; UTF-16 without BOM shows as NULs every other byte;
    otherwise UTF-8 when the start decodes as UTF-8, else Latin-1 (cp1252 is what spreadsheets on Windows write)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(_UTF16_BOMS):
        return "utf-16"
    if len(head) >= 4:
        even_nuls, odd_nuls = head[0:200:2].count(0), head[1:200:2].count(0)
        pairs = len(head[:200]) // 2
        if odd_nuls > 0.8 * pairs and even_nuls < 0.2 * pairs:
            return "utf-16-le"
        if even_nuls > 0.8 * pairs and odd_nuls < 0.2 * pairs:
            return "utf-16-be"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # a multi-byte character cut at the end of the sample is still UTF-8
        if error.reason != "unexpected end of data":
            return "cp1252"
    return "utf-8"


def decode_head(head: bytes) -> str:
    """The start of a file as text: like ``decode_bytes``, but a character cut at the end of the sample is dropped
    instead of turning the whole sample into Latin-1."""
    decoder = codecs.getincrementaldecoder(text_encoding(head))(errors="replace")
    return decoder.decode(head, final=False)


def decode_bytes(data: bytes) -> str:
    """Bytes to text: BOM-aware UTF-8 / UTF-16, falling back to cp1252 / Latin-1 for bytes that are not UTF-8."""
    encoding = text_encoding(data[:4096])
    if encoding.startswith("utf-16"):
        return data.decode(encoding, errors="replace")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return _decode_legacy(data)


def _decode_legacy(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # cp1252 leaves five bytes undefined; Latin-1 maps every byte
        return data.decode("latin-1")


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_legacy(line)


def read_text(path: Path) -> str:
    return decode_bytes(Path(path).read_bytes())


def iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without its line break) for every line of a text file, streaming.

    Each line is decoded on its own, so one Latin-1 line in a UTF-8 file spoils only itself. NUL characters are
    dropped: in a text export they are damage (the zero padding a crashed writer leaves), never content.
    """
    with open(path, "rb") as handle:
        encoding = text_encoding(handle.read(4096))
        handle.seek(0)
        if encoding.startswith("utf-16"):
            with io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline="\n") as text:
                for number, line in enumerate(text, start=1):
                    yield number, line.rstrip("\r\n").replace("\x00", "")
            return
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            yield number, _decode_line(raw.replace(b"\x00", b"")).rstrip("\r\n")


def iter_json_lines(path: Path) -> Iterator[tuple[int, Any | ValueError, str]]:
    """(1-based line number, parsed value or the ValueError that parsing raised, raw line) for every non-blank line.

    Returning the error instead of raising lets a reader quarantine a malformed line and carry on.
    """
    for number, line in iter_lines(path):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line), line
        except ValueError as error:
            yield number, ValueError(f"malformed JSON: {error}"), line


def load_json(path: Path) -> Any:
    """One JSON document, whatever its encoding; raises ValueError naming the problem (e.g. a truncated file)."""
    text = read_text(path)
    if not text.strip():
        raise ValueError("empty file")
    try:
        return json.loads(text)
    except ValueError as error:
        raise ValueError(f"malformed JSON document: {error}") from None


# ------------------------------------------------------------------------------------------------ JSON documents
# Readers of one-JSON-document-per-file exports (Graph API, YouTube, Reddit, Bluesky): each record of the document is
# one source record; the whole document becomes one chunk.


def sample_document(sample: Sample) -> Any | None:
    """The sample parsed as JSON when it holds the whole document, else None (a large file cut at 64 KB)."""
    try:
        return json.loads(sample.text)
    except ValueError:
        return None


def unreadable_document(format_name: str, path: Path, error: ValueError) -> ReadResult:
    """A file that does not parse as the expected document is one record, quarantined with its start."""
    raw = Path(path).read_bytes()[:MAX_RAW_RECORD_CHARS].decode("utf-8", "replace")
    return ReadResult(format=format_name, frames={}, quarantine=[quarantined("$", str(error), raw)], rows_read=1)


def document_result(
    format_name: str, rows: dict[str, list[dict]], quarantine: list[tuple[str, str, str]], records: int
) -> ReadResult:
    """The one chunk of a JSON document: ``records`` read, of which those not quarantined were accepted."""
    return ReadResult(
        format=format_name,
        frames=frames_from_rows(rows),
        quarantine=quarantine,
        rows_read=records,
        rows_accepted=records - len(quarantine),
    )


def frames_from_rows(rows: dict[str, list[dict]]) -> dict[str, pl.DataFrame]:
    """Canonical frames (with ``_source_line``) from row dicts per entity; entities without rows are left out."""
    frames = {}
    for entity, entity_rows in rows.items():
        if entity_rows:
            schema = {**ENTITIES[entity], "_source_line": pl.Int64}
            frame = conform(pl.DataFrame(entity_rows, schema=schema, strict=False), entity)
            if entity == "people":  # the same author on many records is one profile observation
                frame = frame.unique(subset=list(ENTITIES[entity]), keep="first", maintain_order=True)
            frames[entity] = frame
    return frames


# Graph API responses: Facebook's and Instagram's (an edge of the same Graph API) answer in the same shapes.


def graph_records(document: Any) -> Iterator[tuple[str, Any]]:
    """(JSON path, object) for each top-level record of a Graph API response, whatever its shape: a list page
    (``{"data": [...]}``), one object (``{"id": ...}``), a batch keyed by id (``?ids=a,b``) or a plain list."""
    if isinstance(document, dict) and isinstance(document.get("data"), list):
        for index, item in enumerate(document["data"]):
            yield f"$.data[{index}]", item
    elif isinstance(document, dict) and "id" in document:
        yield "$", document
    elif isinstance(document, dict) and document and all(isinstance(value, dict) for value in document.values()):
        for key, item in document.items():
            yield f"$[{json.dumps(key)}]", item
    elif isinstance(document, list):
        for index, item in enumerate(document):
            yield f"$[{index}]", item


def nested_data(record: dict, key: str) -> list:
    """The ``data`` list of an edge expanded inside an object (``"comments": {"data": [...]}``), else []."""
    edge = record.get(key)
    data = edge.get("data") if isinstance(edge, dict) else None
    return data if isinstance(data, list) else []


_GRAPH_API_VERSION = re.compile(r"v\d+(\.\d+)?")


def paging_edge(document: Any) -> tuple[str, str] | None:
    """(object id, edge) of the request a list page answers, read from its paging links: ``.../v11.0/123/comments?...``
    -> ("123", "comments"). None when the page has no paging links."""
    paging = document.get("paging") if isinstance(document, dict) else None
    if not isinstance(paging, dict):
        return None
    for link in (paging.get("next"), paging.get("previous")):
        if isinstance(link, str):
            parts = [part for part in urlsplit(link).path.split("/") if part]
            if parts and _GRAPH_API_VERSION.fullmatch(parts[0]):
                parts = parts[1:]
            if len(parts) >= 2:
                return parts[-2], parts[-1]
    return None


# ---------------------------------------------------------------------------------------------------------- CSV


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
    """An ExportFormat for one connector table in CSV, recognised by its header: every ``required`` column, at least
    one of ``any_of`` (when given), none of the ``excluded`` ones and, when ``allowed`` is given, nothing outside it
    (for tables whose columns are too common to tell apart otherwise). ``build`` turns the whole file (lowercased
    columns, ``_source_line``) into a result."""
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

    def read(path: Path) -> Iterator[ReadResult]:
        yield build(read_csv_lowercase(path))

    return ExportFormat(name=name, description=description, sniff=sniff, read=read, priority=priority)


# ---------------------------------------------------------------------------------------------------------- social

_HANDLE = re.compile(r"(?<![\w@])@([A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?)")


def handles_in(text: str | None) -> list[str]:
    """@mentions in a text, lowercase, without '@', in order of first appearance (no e-mail addresses)."""
    if not text:
        return []
    return list(dict.fromkeys(match.lower() for match in _HANDLE.findall(text)))


_HANDLE_WITH_LEAD = r"(?:^|[^\w@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?"


def handles_expr(column: str) -> pl.Expr:
    """``handles_in`` as a polars expression (vectorised: no Python per row); null text gives null."""
    found = pl.col(column).str.extract_all(_HANDLE_WITH_LEAD)
    return found.list.eval(pl.element().str.replace(r"^[^@]*@", "").str.to_lowercase().unique(maintain_order=True))


def distinct_links(urls: Iterable[Any]) -> list[str]:
    """The URLs among ``urls`` (a reader's candidates, some missing), trimmed, each once, in order of first appearance:
    the order matters, since the first link carrying a UTM campaign attributes a post."""
    found = (url.strip() for url in urls if isinstance(url, str))
    return list(dict.fromkeys(url for url in found if url))


def utm_params(url_or_query: str | None) -> dict[str, str | None]:
    """The utm_* tags of a URL or a bare query string ("utm_source=x&utm_medium=y"); missing tags are None."""
    found: dict[str, str | None] = dict.fromkeys(UTM_FIELDS)
    if not url_or_query:
        return found
    query = urlsplit(url_or_query).query if "://" in url_or_query or "?" in url_or_query else url_or_query
    for key, value in parse_qsl(query, keep_blank_values=False):
        key = key.strip().lower()
        if key in found and found[key] is None:
            found[key] = value
    return found


def to_int(value: Any) -> int | None:
    """An exact integer from a JSON/CSV value ("12", 12, 12.0); None when missing; ValueError when not whole."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a count: {value!r}")
    if isinstance(value, int):
        return value
    number = float(value)
    if not number.is_integer():
        raise ValueError(f"not a whole number: {value!r}")
    return int(number)


def id_text(value: Any) -> str | None:
    """An id as an exact string. Integers stay exact (json parses big ints exactly); floats are refused because an
    18-digit id that went through a float is already wrong."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        raise ValueError(f"id {value!r} is a floating-point number; ids must be strings or integers to stay exact")
    text = str(value).strip()
    return text or None


# ---------------------------------------------------------------------------------------------------------- quarantine


def quarantined(locator: str, reason: str, raw_record: Any) -> tuple[str, str, str]:
    """A ReadResult.quarantine entry: where (e.g. "line 12"), why, and the record as text (truncated)."""
    raw = raw_record if isinstance(raw_record, str) else json.dumps(raw_record, ensure_ascii=False, default=str)
    return locator, reason, raw[:MAX_RAW_RECORD_CHARS]


def row_locator(source_line: int) -> str:
    return f"row {source_line}"


def line_locator(line_number: int, json_path: str | None = None) -> str:
    return f"line {line_number}" if json_path is None else f"line {line_number} {json_path}"


class ChunkBuilder:
    """Collects the rows and quarantined records of record-by-record readers (JSON) into ReadResult chunks.

    Every source record is either accepted (with the canonical rows it produced, possibly in several entities, possibly
    none) or quarantined, so the counts always add up.
    """

    def __init__(self, format_name: str, *, rows_per_chunk: int = JSON_LINES_PER_CHUNK) -> None:
        self.format_name = format_name
        self.rows_per_chunk = rows_per_chunk
        self._reset()

    def _reset(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.quarantine: list[tuple[str, str, str]] = []
        self.rows_read = 0
        self.rows_accepted = 0
        self._row_count = 0

    def accept(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        """One record accepted; ``rows`` maps entity -> canonical row dicts (with ``_source_line``)."""
        self.rows_read += 1
        self.rows_accepted += 1
        for entity, entity_rows in rows.items():
            self.rows.setdefault(entity, []).extend(entity_rows)
            self._row_count += len(entity_rows)

    def reject(self, locator: str, reason: str, raw_record: Any) -> None:
        """One record quarantined."""
        self.rows_read += 1
        self.quarantine.append(quarantined(locator, reason, raw_record))

    @property
    def full(self) -> bool:
        return self._row_count + len(self.quarantine) >= self.rows_per_chunk

    def flush(self) -> ReadResult | None:
        """The collected chunk (None when nothing was read since the last flush)."""
        if not self.rows_read:
            return None
        frames = {
            entity: pl.DataFrame(rows, schema={**ENTITIES[entity], "_source_line": pl.Int64}, strict=False)
            for entity, rows in self.rows.items()
        }
        result = ReadResult(
            format=self.format_name,
            frames=frames,
            quarantine=self.quarantine,
            rows_read=self.rows_read,
            rows_accepted=self.rows_accepted,
        )
        self._reset()
        return result


def split_quarantine(frame: pl.DataFrame, reason: pl.Expr) -> tuple[pl.DataFrame, list[tuple[str, str, str]]]:
    """Split a frame by a per-row ``reason`` expression (null = the row is fine).

    Returns the good rows and, for the others, quarantine entries ("row N", reason, the source row as JSON). The frame
    must carry ``_source_line``; columns starting with ``_`` (helpers) and empty values are left out of the raw record.
    """
    checked = frame.with_columns(reason.alias("__reason"))
    bad = checked.filter(pl.col("__reason").is_not_null())
    entries = [
        quarantined(
            row_locator(row["_source_line"]),
            row["__reason"],
            {name: value for name, value in row.items() if not name.startswith("_") and value is not None},
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


def not_integer(column: str) -> pl.Expr:
    """Reason expression: a string column holds something that is not a whole number ("12", "12.0" are fine)."""
    as_float = pl.col(column).str.strip_chars().cast(pl.Float64, strict=False)
    bad = pl.col(column).is_not_null() & (as_float.is_null() | (as_float != as_float.floor()))
    return pl.when(bad).then(pl.format(f"{column} is not a whole number: '{{}}'", pl.col(column)))


def integer_column(column: str) -> pl.Expr:
    """A string column of counts as Int64 ("12" and "12.0" both give 12); check with ``not_integer`` first."""
    text = pl.col(column).str.strip_chars()
    return pl.coalesce(text.cast(pl.Int64, strict=False), text.cast(pl.Float64, strict=False).cast(pl.Int64)).alias(
        column
    )


def not_number(column: str) -> pl.Expr:
    """Reason expression: a string column holds something that is not a number."""
    bad = pl.col(column).is_not_null() & pl.col(column).str.strip_chars().cast(pl.Float64, strict=False).is_null()
    return pl.when(bad).then(pl.format(f"{column} is not a number: '{{}}'", pl.col(column)))


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
    return pl.when(pl.col(column).is_not_null() & parsed.is_null()).then(
        pl.format(f"{column} is not a date (YYYY-MM-DD): '{{}}'", pl.col(column))
    )


def date_column(column: str) -> pl.Expr:
    return pl.col(column).str.strip_chars().str.to_date("%Y-%m-%d", strict=False).alias(column)


_FLOAT_LOOKING_ID = re.compile(r"[0-9.]+[eE][+-]?[0-9]+|[0-9]+\.[0-9]+")


def mangled_id(column: str) -> pl.Expr:
    """Reason expression: an id that went through a float (scientific notation or a decimal point), as spreadsheets
    and some JSON writers produce; the exact id is lost, so the row cannot be trusted."""
    bad = pl.col(column).str.strip_chars().str.contains(rf"^(?:{_FLOAT_LOOKING_ID.pattern})$")
    return pl.when(bad).then(
        pl.format(f"{column} '{{}}' went through a floating-point number: the exact id is lost", pl.col(column))
    )


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
