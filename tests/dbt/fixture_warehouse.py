"""Build a small DuckDB warehouse from the hand-written CSVs in tests/fixtures/raw/.

Each ``<entity>.csv`` holds the canonical columns of ``ingest.schema.ENTITIES[entity]`` (as text) plus a fixture-only
``batch`` column: batch 1 is what the first ingest run loaded, batch 2 arrives later (late replies, edits, new days),
so a test can load batch 1, build, append batch 2 and build incrementally. The loader's provenance columns are filled
here the way ingest fills them. ``file_manifest.csv`` and ``quarantine.csv`` hold the bookkeeping tables as ingest
writes them. ``text_enrichment.csv`` keys rows by ``text``; the hash comes from ``ingest.text``. The brands,
accounts and campaigns come from ``fixture_config.yaml``, loaded into schema config as the refresh job does.
"""

from __future__ import annotations

import hashlib
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from ingest.schema import ENTITIES, FILE_MANIFEST, PROVENANCE, QUARANTINE
from ingest.text import text_hash
from ingest.warehouse import ensure_raw_schema
from models.cache import ensure_enrichment_table
from models.schema import TEXT_ENRICHMENT
from models.theme_tables import ensure_theme_tables
from ror_config import load_config, write_config_tables

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "raw"
FIXTURE_CONFIG = Path(__file__).resolve().with_name("fixture_config.yaml")
BATCH_INGESTED_AT = {
    1: datetime(2026, 3, 8, 6, 0, tzinfo=UTC),
    2: datetime(2026, 3, 11, 6, 0, tzinfo=UTC),
}


def _typed(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Parse a text column of the fixture CSV into a canonical dtype ('' is null)."""
    text = pl.when(column.str.strip_chars() == "").then(None).otherwise(column)
    if dtype == pl.Boolean:
        return text.str.to_lowercase() == "true"
    if isinstance(dtype, pl.Datetime):
        return text.str.to_datetime(time_zone="UTC", time_unit="us")
    if dtype == pl.Date:
        return text.str.to_date()
    if isinstance(dtype, pl.List):
        return text.str.split("|")
    return text.cast(dtype)


def _read_fixture(name: str, schema: dict[str, pl.DataType], batches: set[int]) -> pl.DataFrame:
    path = FIXTURE_DIR / f"{name}.csv"
    if not path.exists():
        return pl.DataFrame(schema={**schema, "batch": pl.Int64})
    raw = pl.read_csv(path, infer_schema=False).with_row_index("_row", offset=1)
    frame = raw.with_columns(pl.col("batch").cast(pl.Int64)).filter(pl.col("batch").is_in(sorted(batches)))
    typed = [
        (_typed(pl.col(column), dtype) if column in frame.columns else pl.lit(None, dtype)).alias(column)
        for column, dtype in schema.items()
    ]
    return frame.select(*typed, "batch", "_row")


def _with_provenance(frame: pl.DataFrame, entity: str) -> pl.DataFrame:
    canonical = list(ENTITIES[entity])
    hashes = [hashlib.sha256(repr(row).encode()).hexdigest() for row in frame.select(canonical).iter_rows()]
    return frame.with_columns(
        pl.lit(f"fixtures/{entity}.csv").alias("_source_file"),
        pl.col("_row").cast(pl.Int64).alias("_source_line"),
        pl.Series("_record_hash", hashes, dtype=pl.String),
        pl.format("batch-{}", pl.col("batch")).alias("_batch_id"),
        pl.col("batch").replace_strict(BATCH_INGESTED_AT, return_dtype=pl.Datetime("us", "UTC")).alias("_ingested_at"),
    ).select(*canonical, *PROVENANCE)


def _enrichment(batches: set[int]) -> pl.DataFrame:
    schema = {name: dtype for name, dtype in TEXT_ENRICHMENT.items() if name != "text_hash"}
    frame = _read_fixture("text_enrichment", {"text": pl.String, **schema}, batches)
    return frame.with_columns(
        pl.col("text").map_elements(text_hash, return_dtype=pl.String).alias("text_hash"),
    ).select(list(TEXT_ENRICHMENT))


# The fixture has no embeddings to cluster: its scored texts are placed on two themes of each brand group (and of no
# group) by their sentiment, as the clustering would have placed them (models.theme_tables' tables: one theme id per
# group and label), so the theme marts have rows on both engines.
FIXTURE_LABELS = ("complaint, order", "coffee, roast")


def _assign_fixture_themes(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "create or replace temp table fixture_themes as select printf('theme-%04d', row_number() over (order by "
        "brand_id nulls first, label_number)) as theme_id, brand_id, label, label_number from (select brand_id from "
        "config.brands union all select null) cross join (select unnest(?) as label, generate_subscripts(?, 1) as "
        "label_number)",
        [list(FIXTURE_LABELS), list(FIXTURE_LABELS)],
    )
    con.execute(
        "insert or ignore into enrichment.themes select theme_id, brand_id, label, 'fixture', 'fixture', null, "
        "timestamptz '2026-03-01' from fixture_themes"
    )
    # a text keeps the theme of its first load (its first model version's sentiment), as the clustering keeps ids
    con.execute(
        "insert into enrichment.theme_assignments select scores.text_hash, themes.brand_id, themes.theme_id, 0.9, "
        "'assigned', scores.model_version, timestamptz '2026-03-01' from (select distinct on (text_hash) * from "
        "enrichment.text_enrichment where sentiment_label is not null order by text_hash, model_version) as scores "
        "inner join fixture_themes as themes on themes.label_number = case when scores.sentiment_label = 'negative' "
        "then 1 else 2 end where not exists (select 1 from enrichment.theme_assignments as assigned where "
        "assigned.text_hash = scores.text_hash and assigned.brand_id is not distinct from themes.brand_id)"
    )


def _append(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, scratch: Path) -> None:
    # through Parquet: keeps dtypes (lists, UTC timestamps) without needing pyarrow in the venv
    parquet = scratch / f"{table}.parquet"
    frame.write_parquet(parquet)
    con.execute(f"insert into {table} by name select * from read_parquet('{parquet}')")


def load_batches(db_path: Path, batches: set[int]) -> dict[str, int]:
    """Append the fixture rows of ``batches`` to the warehouse at ``db_path``.

    The tables are created by the loaders' own DDL (``ingest.warehouse.ensure_raw_schema``,
    ``models.cache.ensure_enrichment_table``), so the fixture has exactly the production columns and types.

    Returns rows appended per table.
    """
    frames = {}
    for entity, schema in ENTITIES.items():
        frame = _read_fixture(entity, schema, batches)
        if "text" in schema:
            frame = frame.with_columns(
                pl.col("text").map_elements(text_hash, return_dtype=pl.String).alias("text_hash")
            )
        frames[f"raw.{entity}"] = _with_provenance(frame, entity)
    for table, schema in (("file_manifest", FILE_MANIFEST), ("quarantine", QUARANTINE)):
        frames[f"raw.{table}"] = _read_fixture(table, schema, batches).select(list(schema))
    frames["enrichment.text_enrichment"] = _enrichment(batches)
    with tempfile.TemporaryDirectory() as scratch, duckdb.connect(str(db_path)) as con:
        ensure_raw_schema(con)
        ensure_enrichment_table(con)
        ensure_theme_tables(con)
        for table, frame in frames.items():
            _append(con, table, frame, Path(scratch))
        write_config_tables(con, load_config(FIXTURE_CONFIG))
        _assign_fixture_themes(con)
    return {table: frame.height for table, frame in frames.items()}
