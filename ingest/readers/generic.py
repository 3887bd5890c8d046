"""Any other tool's CSV or JSONL export of interactions, through a small YAML column mapping (or none at all).

- The canonical layout needs no mapping: a CSV whose header, or a JSONL file whose first object, already uses the
  canonical interaction column names (at least platform, interaction_id, interaction_type, created_at).
- A mapping (``ingest/mappings/*.yaml``, plus every folder the configuration file's ``mappings:`` names)
  declares the columns that identify its files, so detection stays by content; which column feeds which canonical
  field; how the tool's values translate (platform names, interaction types); and how its timestamps are written.
  The format is documented in ingest/mappings/README.md.

Every file is reduced to a frame of strings (CSV columns, or JSON values as text) and then validated and typed by the
same polars expressions, so both file types and both layouts quarantine the same problems with the same reasons.
JSONL streams in chunks; ids that are JSON integers stay exact (they are never read through a float). Ids written as
``N.0`` or ``N.00`` (spreadsheets, pandas) are the integer N when that is exact (|N| <= 2^53); beyond that, or in
scientific notation, the row is quarantined: its exact id is lost.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

import polars as pl
import yaml

from ingest.base import REGISTRY, SNIFF_BYTES, ExportFormat, ReadResult, Sample, error_reason, register
from ingest.readers.csv_tables import csv_header, integer_column, not_integer, read_csv_table
from ingest.readers.ids import exact_id, mangled_id
from ingest.readers.json_pages import JSON_LINES_PER_CHUNK
from ingest.readers.links import handles_expr
from ingest.readers.quarantine import first_reason, line_locator, missing, quarantined, split_quarantine
from ingest.readers.text_files import decode_head, iter_json_lines
from ingest.readers.timestamps import bad_timestamp, utc_column
from ingest.schema import INTERACTION_TYPES, INTERACTIONS, UTC_TIME

log = logging.getLogger(__name__)

BUILTIN_MAPPINGS = Path(__file__).resolve().parents[1] / "mappings"
REQUIRED_FIELDS = ("platform", "interaction_id", "interaction_type", "created_at")
ID_FIELDS = ("interaction_id", "author_id", "parent_id", "conversation_id", "in_reply_to_author_id")
COUNT_FIELDS = tuple(name for name, dtype in INTERACTIONS.items() if dtype == pl.Int64 and name != "record_version")
LIST_FIELDS = tuple(name for name, dtype in INTERACTIONS.items() if isinstance(dtype, pl.List))
_HANDLE_SEPARATORS = r"[\s,;|]+"


@dataclass(frozen=True)
class Mapping:
    """How one tool's export maps onto canonical interactions (see ingest/mappings/README.md)."""

    name: str
    description: str
    identify: tuple[str, ...]  # source columns that must all be present (matched case-insensitively)
    columns: dict[str, str]  # source column -> canonical field
    constants: dict[str, Any] = field(default_factory=dict)  # canonical field -> value for every row
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # canonical field -> {source value: canonical}
    timestamp_format: str | None = None  # strptime format of created_at; None = ISO 8601 or epoch seconds
    timestamp_zone: str | None = None  # zone of timestamps that carry none; None = such timestamps are refused

    @classmethod
    def from_yaml(cls, path: Path) -> Mapping:
        spec = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        if not isinstance(spec, dict):
            raise ValueError(f"mapping {path}: expected a YAML mapping (key: value), got {type(spec).__name__}")
        problems = []
        for key in ("name", "identify", "columns"):
            if not spec.get(key):
                problems.append(f"'{key}' is required")
        columns = {str(source): str(target) for source, target in (spec.get("columns") or {}).items()}
        constants = dict(spec.get("constants") or {})
        unknown = sorted((set(columns.values()) | set(constants)) - set(INTERACTIONS))
        if unknown:
            problems.append(f"unknown canonical fields {unknown} (known: {', '.join(INTERACTIONS)})")
        if len(set(columns.values())) != len(columns):
            problems.append("two columns feed the same canonical field")
        absent = [name for name in REQUIRED_FIELDS if name not in columns.values() and name not in constants]
        if absent:
            problems.append(f"no column or constant for required fields {absent}")
        timestamp = spec.get("timestamp") or {}
        if timestamp.get("zone") is not None and timestamp["zone"] not in available_timezones():
            problems.append(f"unknown time zone {timestamp['zone']!r} (use an IANA name such as Europe/Paris)")
        if problems:
            raise ValueError(f"mapping {path}: " + "; ".join(problems))
        return cls(
            name=str(spec["name"]),
            description=str(spec.get("description") or f"CSV/JSONL export mapped by {Path(path).name}"),
            identify=tuple(str(column) for column in spec["identify"]),
            columns=columns,
            constants=constants,
            values={
                str(target): {str(k).strip().lower(): str(v) for k, v in (table or {}).items()}
                for target, table in (spec.get("values") or {}).items()
            },
            timestamp_format=timestamp.get("format"),
            timestamp_zone=timestamp.get("zone"),
        )


CANONICAL = Mapping(
    name="canonical_interactions",
    description="CSV or JSONL whose header / keys are the canonical interaction columns (platform, interaction_id,"
    " interaction_type, created_at, ...)",
    identify=REQUIRED_FIELDS,
    columns={name: name for name in INTERACTIONS if name != "text_hash"},
)


# ------------------------------------------------------------------------------------------------ detection


def _first_json_object(text: str) -> dict[str, Any] | None:
    first = text.lstrip("\ufeff \t\r\n").split("\n", 1)[0]
    try:
        value = json.loads(first)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _json_paths(record: dict[str, Any], prefix: str = "") -> set[str]:
    """Every key of a JSON object, nested ones as dotted paths ("user.screen_name")."""
    paths = set()
    for key, value in record.items():
        path = f"{prefix}{key}"
        paths.add(path.lower())
        if isinstance(value, dict):
            paths |= _json_paths(value, f"{path}.")
    return paths


_JSON_KEY = re.compile(r'"((?:[^"\\]|\\.){1,200})"\s*:')


def _sample_columns(sample: Sample) -> tuple[str, set[str]] | None:
    """('jsonl' | 'csv', the lowercased column names) of a sample, or None when it is neither.

    A JSON line longer than the sample (a 1 MB text field) cannot be parsed whole; its keys are then read from the
    part that is there, each under its own name and, when nested, under the last part of its dotted path.
    """
    record = _first_json_object(sample.text)
    if record is not None:
        return "jsonl", _json_paths(record)
    text = sample.text.lstrip("\ufeff \t\r\n")
    if text.startswith("{") and "\n" not in text:
        return "jsonl", {key.lower() for key in _JSON_KEY.findall(text)}
    if not text or text.startswith(("{", "[")):
        return None
    header = csv_header(text)
    return ("csv", set(header)) if len(header) > 1 else None


def _sniffer(mapping: Mapping):
    wanted = {column.lower() for column in mapping.identify}
    wanted_leaves = {column.rsplit(".", 1)[-1] for column in wanted}

    def sniff(sample: Sample) -> bool:
        found = _sample_columns(sample)
        if found is None:
            return False
        return wanted <= found[1] or (found[0] == "jsonl" and wanted_leaves <= found[1])

    return sniff


# ------------------------------------------------------------------------------------------------ reading


def _as_text(value: Any, list_separator: str = ",") -> str | None:
    """A JSON value as the string a CSV would hold: integers exact, lists joined, objects as JSON."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list) and all(isinstance(item, str | int) for item in value):
        return list_separator.join(str(item) for item in value)
    return json.dumps(value, ensure_ascii=False)


def _lowercase_keys(node: Any) -> dict[str, Any] | None:
    return {key.lower(): value for key, value in node.items()} if isinstance(node, dict) else None


def _extract(record: dict[str, Any], paths: list[tuple[list[str], str]]) -> dict[str, str | None]:
    """canonical field -> the value at its lowercased dotted source path as text (keys compared case-insensitively)."""
    top = _lowercase_keys(record)
    row = {}
    for parts, target in paths:
        node: Any = top.get(parts[0])
        for part in parts[1:]:
            child = _lowercase_keys(node)
            node = None if child is None else child.get(part)
        # a JSON list feeding a list field is joined by line breaks: a comma may sit inside a URL
        row[target] = _as_text(node, "\n" if target in LIST_FIELDS else ",")
    return row


def _read(mapping: Mapping, path: Path) -> Iterator[ReadResult]:
    with open(path, "rb") as handle:
        head = decode_head(handle.read(SNIFF_BYTES))
    if head.lstrip("\ufeff \t\r\n").startswith("{"):
        yield from _read_jsonl(mapping, path)
    else:
        yield _read_csv(mapping, path)


def _read_csv(mapping: Mapping, path: Path) -> ReadResult:
    table = read_csv_table(path)
    raw = table.frame
    by_lower = {name.strip().lower(): name for name in raw.columns}
    selected = [
        pl.col(by_lower[source.lower()]).alias(target)
        for source, target in mapping.columns.items()
        if source.lower() in by_lower
    ]
    fields = raw.select(*selected, "_source_line")
    return table.into(_to_interactions(mapping, fields, prior_quarantine=[], rows_read=raw.height))


def _read_jsonl(mapping: Mapping, path: Path) -> Iterator[ReadResult]:
    paths = [(source.lower().split("."), target) for source, target in mapping.columns.items()]
    rows: list[dict[str, Any]] = []
    rejected: list[tuple[str, str, str]] = []
    for line_number, record, raw_line in iter_json_lines(path):
        if isinstance(record, ValueError):
            rejected.append(quarantined(line_locator(line_number), error_reason(record), raw_line))
        elif not isinstance(record, dict):
            rejected.append(quarantined(line_locator(line_number), "a line must hold one JSON object", raw_line))
        else:
            row = _extract(record, paths)
            row["_source_line"] = line_number
            rows.append(row)
        if len(rows) + len(rejected) >= JSON_LINES_PER_CHUNK:
            yield _jsonl_chunk(mapping, rows, rejected)
            rows, rejected = [], []
    if rows or rejected:
        yield _jsonl_chunk(mapping, rows, rejected)


def _jsonl_chunk(mapping: Mapping, rows: list[dict[str, Any]], rejected: list[tuple[str, str, str]]) -> ReadResult:
    schema = {**dict.fromkeys(mapping.columns.values(), pl.String), "_source_line": pl.Int64}
    fields = pl.DataFrame(rows, schema=schema)
    return _to_interactions(mapping, fields, prior_quarantine=rejected, rows_read=len(rows) + len(rejected))


def _translated(mapping: Mapping, name: str) -> pl.Expr:
    """A field after the mapping's value table (case-insensitive); unmapped values pass through unchanged."""
    column = pl.col(name).str.strip_chars()
    table = mapping.values.get(name)
    if not table:
        return column
    return column.str.to_lowercase().replace_strict(table, default=column, return_dtype=pl.String)


def _created_at(mapping: Mapping) -> tuple[pl.Expr, pl.Expr]:
    """(parsed created_at, reason expression) following the mapping's timestamp format and zone."""
    zone, fmt = mapping.timestamp_zone, mapping.timestamp_format
    if fmt is None:
        return utc_column("created_at", assume_zone=zone), bad_timestamp("created_at", assume_zone=zone)
    text = pl.col("created_at").str.strip_chars()
    if any(token in fmt for token in ("%z", "%:z", "%#z")):
        parsed = text.str.to_datetime(fmt, time_unit="us", time_zone="UTC", strict=False)
    elif zone:
        local = text.str.to_datetime(fmt, time_unit="us", strict=False)
        parsed = local.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null").dt.convert_time_zone("UTC")
    else:
        problem = f"created_at: the format {fmt} has no zone and the mapping names none (timestamp.zone)"
        return pl.lit(None, UTC_TIME), pl.when(pl.col("created_at").is_not_null()).then(pl.lit(problem))
    reason = pl.when(pl.col("created_at").is_not_null() & parsed.is_null()).then(
        pl.lit(f"created_at does not match the format {fmt}")
    )
    return parsed, reason


def _to_interactions(
    mapping: Mapping, fields: pl.DataFrame, *, prior_quarantine: list[tuple[str, str, str]], rows_read: int
) -> ReadResult:
    present = set(fields.columns)
    fields = fields.with_columns(
        *(
            pl.lit(None, pl.String).alias(name)
            for name in INTERACTIONS
            if name not in present | mapping.constants.keys()
        ),
        *(pl.lit(_as_text(value), pl.String).alias(name) for name, value in mapping.constants.items()),
    ).with_columns(  # translated values live beside the originals, so a quarantined row shows what the file said
        _translated(mapping, "platform").str.to_lowercase().alias("__platform"),
        _translated(mapping, "interaction_type").str.to_lowercase().alias("__interaction_type"),
    )
    created_at, bad_created_at = _created_at(mapping)
    reason = first_reason(
        *(missing(name) for name in REQUIRED_FIELDS),
        pl.when(~pl.col("__interaction_type").is_in(INTERACTION_TYPES)).then(
            pl.format(
                f"unknown interaction type '{{}}' (expected one of {', '.join(INTERACTION_TYPES)};"
                " map it under values.interaction_type)",
                pl.col("interaction_type"),
            )
        ),
        *(mangled_id(name) for name in ID_FIELDS),
        bad_created_at,
        not_integer("record_version"),
        *(not_integer(name) for name in COUNT_FIELDS),
    )
    good, quarantine = split_quarantine(fields, reason)
    listed = (
        pl.col("mentioned_handles")
        .str.to_lowercase()
        .str.replace_all(r'[@\[\]"]', "")
        .str.replace_all(_HANDLE_SEPARATORS, ",")
        .str.strip_chars(",")
        .str.split(",")
        .list.eval(pl.element().filter(pl.element() != ""))
    )
    from_text = handles_expr("text")
    links = (
        pl.col("link_urls")
        .str.strip_chars()
        .str.strip_prefix("[")
        .str.strip_suffix("]")
        .str.replace_all('"', "", literal=True)  # a JSON array in a cell; a URL never holds a bare quote
        .str.replace_all(r"[,;]\s*(https?://)", " $1")  # a comma or semicolon before the next URL separates
        .str.replace_all(r"[\s|]+", " ")
        .str.strip_chars()
        .str.split(" ")
        .list.eval(pl.element().filter(pl.element() != "").unique(maintain_order=True))
    )
    frame = good.select(
        pl.col("__platform").alias("platform"),
        exact_id("interaction_id"),
        pl.col("__interaction_type").alias("interaction_type"),
        integer_column("record_version").fill_null(0),
        created_at.alias("created_at"),
        exact_id("author_id"),
        pl.col("author_handle").str.strip_chars().str.strip_prefix("@"),
        pl.col("author_name"),
        pl.col("text"),
        pl.col("lang"),
        *(exact_id(name) for name in ("parent_id", "conversation_id", "in_reply_to_author_id")),
        pl.when(pl.col("mentioned_handles").is_not_null()).then(listed).otherwise(from_text).alias("mentioned_handles"),
        links.alias("link_urls"),
        pl.col("url"),
        *(integer_column(name) for name in COUNT_FIELDS),
        pl.col("_source_line"),
    )
    return ReadResult(
        format=mapping.name,
        frames={"interactions": frame},
        quarantine=[*prior_quarantine, *quarantine],
        rows_read=rows_read,
        rows_accepted=good.height,
    )


# ------------------------------------------------------------------------------------------------ registration


def load_mappings(folders: list[Path]) -> list[Mapping]:
    """Every *.yaml / *.yml mapping in ``folders``. A broken mapping is logged and left out, so one bad file does not
    stop every other reader from loading; its files are then reported as unrecognised."""
    mappings = []
    for folder in folders:
        for path in sorted([*Path(folder).glob("*.yaml"), *Path(folder).glob("*.yml")]):
            try:
                mappings.append(Mapping.from_yaml(path))
            except (ValueError, yaml.YAMLError, OSError) as error:
                log.error("ignoring mapping %s: %s", path, error)
    return mappings


def mapping_format(mapping: Mapping, *, priority: int) -> ExportFormat:
    return ExportFormat(
        name=mapping.name,
        description=mapping.description,
        sniff=_sniffer(mapping),
        read=lambda path: _read(mapping, path),
        priority=priority,
    )


# mapping name -> the mapping it was registered with: registering the same folder again (every run of a long-lived
# process reads the configuration's folders) is then a no-op rather than a clash.
_REGISTERED_MAPPINGS: dict[str, Mapping] = {}


def register_mappings(folders: list[Path]) -> list[ExportFormat]:
    """Register the mappings found in ``folders`` (specific mappings are tried before the canonical layout).
    A mapping already registered as it is now is left alone; another one under a taken name is refused."""
    return register_loaded_mappings(load_mappings(folders))


def registered_mappings() -> list[Mapping]:
    """Every mapping registered in this process (worker processes register the same: ``register_loaded_mappings``)."""
    return list(_REGISTERED_MAPPINGS.values())


def register_loaded_mappings(mappings: list[Mapping]) -> list[ExportFormat]:
    """Register mappings already loaded (``register_mappings`` for folders)."""
    taken = {fmt.name for fmt in REGISTRY}
    registered = []
    for mapping in mappings:
        if _REGISTERED_MAPPINGS.get(mapping.name) == mapping:
            continue
        if mapping.name in taken:
            log.error("ignoring mapping %s: a format with that name is already registered", mapping.name)
            continue
        taken.add(mapping.name)
        _REGISTERED_MAPPINGS[mapping.name] = mapping
        registered.append(register(mapping_format(mapping, priority=MAPPING_PRIORITY)))
    return registered


MAPPING_PRIORITY = 150  # after every platform reader (default priority 100)
register(mapping_format(CANONICAL, priority=MAPPING_PRIORITY + 10))
# The configuration file's mapping folders are registered by whoever loads it (the ingest asset, `ror ingest`).
register_mappings([BUILTIN_MAPPINGS])
