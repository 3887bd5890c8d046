"""JSON API responses: the record-document pattern every reader of API pages follows (the recipe is in the package
docstring). ``ChunkBuilder`` counts each source record as accepted (with the canonical rows it gave) or quarantined, so
``rows_read = rows_accepted + rows_quarantined`` holds by construction; the Graph API helpers walk its page shapes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import polars as pl

from ingest.base import ReadResult, RecordProblem, Sample, error_reason
from ingest.readers.ids import INT64_MAX, INT64_MIN
from ingest.readers.quarantine import quarantined
from ingest.readers.text_files import read_start
from ingest.schema import ENTITIES, UTC_TIME

JSON_LINES_PER_CHUNK = 50_000  # records (JSON lines, or canonical rows) per ReadResult when a file streams


def sample_document(sample: Sample) -> Any | None:
    """The sample parsed as JSON when it holds the whole document, else None (a large file cut at 64 KB)."""
    return sample.document


def unreadable_document(format_name: str, path: Path, error: Exception) -> ReadResult:
    """A file that does not parse as the expected document is one record, quarantined with its start."""
    quarantine = [quarantined("$", error_reason(error), read_start(path))]  # its start only: the file may be huge
    return ReadResult(format=format_name, frames={}, quarantine=quarantine, rows_read=1)


class RecordDocument:
    """The one shape of a reader of JSON documents (API responses read whole): walk the document's records; for each,
    ``self.position += 1`` (the record's position is its rows' ``_source_line``), then ``add`` its canonical rows or
    ``reject`` it with a reason. ``result`` is the document's one chunk, with ``rows_read`` = records seen, so
    ``rows_read = rows_accepted + rows_quarantined`` holds. (A streaming reader of many pages uses ``ChunkBuilder``.)
    """

    def __init__(self, format_name: str) -> None:
        self.format_name = format_name
        self.rows: dict[str, list[dict]] = {}
        self.quarantine: list[tuple[str, str, str]] = []
        self.position = 0  # records seen so far; the current record's _source_line

    def add(self, entity: str, row: dict) -> None:
        """A canonical row of the current record (a record may give none, or several in several entities); raises
        ``RecordProblem`` when a value has the wrong type for its column (see ``checked_row``)."""
        self.rows.setdefault(entity, []).append(checked_row(entity, row))

    def reject(self, locator: str, reason: str, record: Any) -> None:
        """The current record, quarantined."""
        self.quarantine.append(quarantined(locator, reason, record))

    def result(self, **more_rows: list[dict]) -> ReadResult:
        """The document's chunk; ``more_rows`` adds entities a reader collected on its own (e.g. folded by key)."""
        return document_result(self.format_name, {**self.rows, **more_rows}, self.quarantine, self.position)


_PYTHON_TYPES: dict[pl.DataType, tuple[type, ...]] = {
    pl.String(): (str,),
    pl.Int64(): (int,),
    pl.Float64(): (int, float),
    pl.Boolean(): (bool,),
    pl.Date(): (date,),
    UTC_TIME: (datetime,),
}


def _python_types(dtype: pl.DataType) -> tuple[type, ...]:
    return _PYTHON_TYPES.get(dtype, (object,))


# entity -> column -> (Python types a value may have, whether the column is a list): looked up once per value, so the
# check costs no polars dtype comparison per row
_COLUMN_TYPES: dict[str, dict[str, tuple[tuple[type, ...], bool]]] = {
    entity: {
        name: (_python_types(dtype.inner), True) if isinstance(dtype, pl.List) else (_python_types(dtype), False)
        for name, dtype in columns.items()
    }
    for entity, columns in ENTITIES.items()
}


# entity -> column -> the exact Python types that fit a scalar column without further look (the common case, one set
# lookup per value; anything else, subclasses included, takes the full check)
_PLAIN_TYPES: dict[str, dict[str, frozenset[type]]] = {
    entity: {
        name: frozenset(types) for name, (types, is_list) in columns.items() if not is_list and object not in types
    }
    for entity, columns in _COLUMN_TYPES.items()
}


_INT64_COLUMNS: dict[str, frozenset[str]] = {
    entity: frozenset(name for name, dtype in columns.items() if dtype == pl.Int64)
    for entity, columns in ENTITIES.items()
}


def checked_row(entity: str, row: dict[str, Any]) -> dict[str, Any]:
    """``row`` when each value fits its canonical column (a JSON object where text is expected would otherwise fail
    the frame of the whole file); else ``RecordProblem`` naming the field and the type, never the value."""
    columns = _COLUMN_TYPES[entity]
    plain = _PLAIN_TYPES[entity]
    for name, value in row.items():
        if value is None:
            continue
        if type(value) in plain.get(name, ()):
            # JSON integers have no bound, a 64-bit column has; polars' error on such a value would fail the whole
            # file, and it quotes the value
            if type(value) is int and not INT64_MIN <= value <= INT64_MAX and name in _INT64_COLUMNS[entity]:
                raise RecordProblem(f"{name} holds a number beyond the range of its column ({ENTITIES[entity][name]})")
            continue
        if (expected := columns.get(name)) is None:
            continue
        types, is_list = expected
        if is_list:
            fits = isinstance(value, list | tuple) and all(item is None or isinstance(item, types) for item in value)
        else:
            fits = isinstance(value, types)
        if not fits:
            dtype = ENTITIES[entity][name]
            raise RecordProblem(f"{name} holds a JSON {_json_type(value)} where the column expects {dtype}")
    return row


def _json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean"}.get(type(value), "number")


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
            frame = rows_frame(entity_rows, entity)
            if entity == "people":  # the same author on many records is one profile observation
                frame = frame.unique(subset=list(ENTITIES[entity]), keep="first", maintain_order=True)
            frames[entity] = frame
    return frames


def rows_frame(rows: list[dict[str, Any]], entity: str) -> pl.DataFrame:
    """Canonical row dicts (with ``_source_line``) as a frame of the entity's columns, in order. A list column is built
    as text split into items (``_list_column``), a UTC time column from microseconds (``_time_column``): polars
    converts a Python list or datetime per row many times slower."""
    schema = {**ENTITIES[entity], "_source_line": pl.Int64}
    lists = {name: dtype for name, dtype in schema.items() if isinstance(dtype, pl.List)}
    times = [name for name, dtype in schema.items() if dtype == UTC_TIME]
    scalars = {name: dtype for name, dtype in schema.items() if name not in lists and name not in times}
    frame = pl.DataFrame(rows, schema=scalars, strict=False)
    built = {name: _list_column(name, [row.get(name) for row in rows], dtype) for name, dtype in lists.items()}
    built |= {name: _time_column(name, [row.get(name) for row in rows]) for name in times}
    return frame.select(built.get(name, pl.col(name)) for name in schema)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _time_column(name: str, values: list[Any]) -> pl.Expr:
    """A UTC time column from its per-row datetimes (or None), as an expression over the frame of those rows: each
    written as whole microseconds since the epoch, exact, which polars casts. Anything but datetimes with a zone (a
    reader that did not check its rows) takes the conversion of a frame built from row dicts."""
    try:
        micros = [None if value is None else (value - _EPOCH) // _MICROSECOND for value in values]
    except TypeError:  # not a datetime, or one without a zone
        return pl.lit(pl.DataFrame([{name: v} for v in values], schema={name: UTC_TIME}, strict=False)[name])
    return pl.lit(pl.Series(name, micros, dtype=pl.Int64)).cast(UTC_TIME).alias(name)


_ITEM_SEPARATOR = "\x1f"  # the unit separator: no handle or URL holds it (a list whose items do is built the slow way)


def _list_column(name: str, values: list[Any], dtype: pl.List) -> pl.Expr:
    """A list-of-text column from its per-row lists (or None), as an expression over the frame of those rows: each
    list joined by ``_ITEM_SEPARATOR`` and split again by polars. Anything but lists of text without the separator
    (a reader that did not check its rows) takes the conversion of a frame built from row dicts."""
    joined: list[str | None] = []
    empty: list[bool] = []
    for value in values:
        text = None
        if value is not None:
            try:
                text = _ITEM_SEPARATOR.join(value) if isinstance(value, list | tuple) else None
            except TypeError:  # an item that is not text
                text = None
            if text is None or text.count(_ITEM_SEPARATOR) != max(len(value) - 1, 0):
                return pl.lit(pl.DataFrame([{name: v} for v in values], schema={name: dtype}, strict=False)[name])
        joined.append(text)
        empty.append(value is not None and len(value) == 0)
    split = pl.lit(pl.Series(joined, dtype=pl.String)).str.split(_ITEM_SEPARATOR)
    return (
        pl.when(pl.lit(pl.Series(empty, dtype=pl.Boolean))).then(pl.lit([], dtype=dtype)).otherwise(split).alias(name)
    )


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


def is_empty_graph_page(document: Any) -> bool:
    """A Graph API list page with no records (``{"data": [], "paging": ...}``): the last page of an edge, or an edge
    with nothing on it."""
    return (
        isinstance(document, dict) and document.get("data") == [] and document.keys() <= {"data", "paging", "summary"}
    )


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
        frames = {entity: rows_frame(rows, entity) for entity, rows in self.rows.items()}
        result = ReadResult(
            format=self.format_name,
            frames=frames,
            quarantine=self.quarantine,
            rows_read=self.rows_read,
            rows_accepted=self.rows_accepted,
        )
        self._reset()
        return result
