"""The enrichment cache in DuckDB: each unique text is scored once per model version.

``enrichment.text_enrichment`` holds one row per (text_hash, model_version) with the columns of
``models.schema.TEXT_ENRICHMENT``. A new model version re-scores exactly the texts it has not seen; rows of older
versions stay (dbt picks the version it reports). A DuckDB connection goes in; no Dagster here.

Scores can also travel as Parquet files (``write_scores`` / ``store_files``): a worker process that scores texts
without opening the database writes them, and the one writer of the database lands them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import duckdb
import polars as pl

from ingest.limits import MAX_SCORED_TEXT_CHARS
from ingest.warehouse import rollback
from models.embeddings import EMBEDDING_COLUMNS, TEXT_EMBEDDING, ensure_embedding_table
from models.embeddings import TABLE as EMBEDDING_TABLE
from models.schema import TEXT_ENRICHMENT

TABLE = "enrichment.text_enrichment"
# The models' name and version for a digest of the files and settings that decide them (the caller's): a refresh
# that finds its models here needs not load them (torch and the encoder) just to learn which version they are.
MODELS_TABLE = "enrichment.model_versions"

_DUCKDB_TYPES = {
    pl.String: "VARCHAR",
    pl.Float64: "DOUBLE",
    pl.Boolean: "BOOLEAN",
    pl.Datetime("us", "UTC"): "TIMESTAMPTZ",
}


def _duckdb_type(dtype: pl.DataType) -> str:
    for polars_type, duckdb_type in _DUCKDB_TYPES.items():
        if dtype == polars_type:
            return duckdb_type
    raise TypeError(f"no DuckDB type mapped for {dtype}")


class _ArrowStream:
    """A polars frame seen by DuckDB through the Arrow PyCapsule stream only (no pyarrow needed)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        return self._frame.__arrow_c_stream__(requested_schema)


def ensure_enrichment_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create schema ``enrichment``, table ``text_enrichment`` (primary key text_hash, model_version) and the
    embeddings beside it (models.embeddings) if absent."""
    columns = ",\n    ".join(f"{name} {_duckdb_type(dtype)}" for name, dtype in TEXT_ENRICHMENT.items())
    con.execute("create schema if not exists enrichment")
    con.execute(f"create table if not exists {TABLE} (\n    {columns},\n    primary key (text_hash, model_version)\n)")
    ensure_embedding_table(con)
    con.execute(
        f"create table if not exists {MODELS_TABLE} "
        "(models_digest varchar primary key, model_name varchar, model_version varchar)"
    )


def remembered_models(con: duckdb.DuckDBPyConnection, models_digest: str) -> tuple[str, str] | None:
    """(model_name, model_version) remembered for ``models_digest``; None when never remembered."""
    found = con.execute(
        f"select model_name, model_version from {MODELS_TABLE} where models_digest = ?", [models_digest]
    ).fetchall()
    return (found[0][0], found[0][1]) if found else None


def remember_models(con: duckdb.DuckDBPyConnection, models_digest: str, model_name: str, model_version: str) -> None:
    """Remember the models' name and version for ``models_digest`` (replacing what was remembered for it)."""
    con.execute(
        f"insert or replace into {MODELS_TABLE} values (?, ?, ?)", [models_digest, model_name, model_version]
    ).fetchall()


def forget_models(con: duckdb.DuckDBPyConnection, model_version: str) -> None:
    """Forget every digest remembered as ``model_version``: the models they name turned out to be another version."""
    con.execute(f"delete from {MODELS_TABLE} where model_version = ?", [model_version]).fetchall()


def texts_to_enrich(con: duckdb.DuckDBPyConnection, model_version: str) -> pl.DataFrame:
    """Distinct (text_hash, text) of raw.interactions not yet enriched by ``model_version``, each text cut to the
    ``MAX_SCORED_TEXT_CHARS`` the models read (``Enricher.enrich`` cuts them the same way).

    Texts with the same hash are the same normalised text, so any one of them stands for all. The cut happens in the
    query, so one huge text, say from before ingest refused them, never makes the query run out of memory.
    """
    query = con.sql(
        f"""
        select interactions.text_hash, any_value(left(interactions.text, $max_chars)) as text
        from raw.interactions as interactions
        where interactions.text_hash is not null
          and interactions.text is not null
          and not exists (
              select 1 from {TABLE} as cached
              where cached.text_hash = interactions.text_hash and cached.model_version = $model_version
          )
        group by interactions.text_hash
        order by interactions.text_hash
        """,
        params={"model_version": model_version, "max_chars": MAX_SCORED_TEXT_CHARS},
    )
    # Through numpy, not the relation's Arrow stream: polars keeps that stream's DuckDB objects alive past interpreter
    # shutdown, which DuckDB's bindings report as "nanobind: leaked instance" notes at exit.
    return pl.DataFrame(query.fetchnumpy(), schema={"text_hash": pl.String, "text": pl.String})


def store(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> int:
    """Insert enriched rows, ignoring any (text_hash, model_version) already stored; returns rows offered. A frame
    with embeddings (``Enricher.enrich(with_embedding=True)``) also lands them in ``enrichment.text_embeddings``."""
    missing = [name for name in TEXT_ENRICHMENT if name not in frame.columns]
    if missing:
        raise ValueError(f"enrichment frame lacks columns {missing}")
    rows = frame.select(list(TEXT_ENRICHMENT)).cast(TEXT_ENRICHMENT)
    con.register("incoming_enrichment", _ArrowStream(rows))
    try:
        con.execute(f"insert or ignore into {TABLE} by name select * from incoming_enrichment").fetchall()
    finally:
        con.unregister("incoming_enrichment")
    if _has_embeddings(frame):
        store_embeddings(con, frame)
    return rows.height


def store_embeddings(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> int:
    """Insert (text_hash, model_version, embedding, embedding_scale) rows, ignoring keys already stored."""
    rows = frame.select(list(TEXT_EMBEDDING)).cast(TEXT_EMBEDDING).filter(pl.col("embedding").is_not_null())
    con.register("incoming_embeddings", _ArrowStream(rows))
    try:
        con.execute(f"insert or ignore into {EMBEDDING_TABLE} by name select * from incoming_embeddings").fetchall()
    finally:
        con.unregister("incoming_embeddings")
    return rows.height


def _has_embeddings(frame: pl.DataFrame) -> bool:
    return all(name in frame.columns for name in EMBEDDING_COLUMNS)


def _stored_columns(frame: pl.DataFrame) -> dict[str, pl.DataType]:
    """What a scores file keeps: the TEXT_ENRICHMENT columns, and the embedding beside them when the frame has it."""
    return {**TEXT_ENRICHMENT, **(EMBEDDING_COLUMNS if _has_embeddings(frame) else {})}


def write_scores(frame: pl.DataFrame, path: Path) -> int:
    """Write enriched rows (with their embeddings when the frame has them) to the Parquet file ``path``, whole or not
    at all (written beside it, then renamed)."""
    columns = _stored_columns(frame)
    rows = frame.select(list(columns)).cast(columns)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.writing")
    rows.write_parquet(partial)
    os.replace(partial, path)
    return rows.height


def store_files(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> int:
    """Insert the rows of Parquet files written by ``write_scores`` in one transaction, ignoring any (text_hash,
    model_version) already stored, and their embeddings where the files have them; returns rows offered."""
    if not paths:
        return 0
    files = [str(path) for path in paths]
    # By name, from the columns TEXT_ENRICHMENT lists: a file is never trusted for more than that.
    columns = ", ".join(TEXT_ENRICHMENT)
    con.execute("begin transaction")
    try:
        (offered,) = con.execute("select count(*) from read_parquet(?)", [files]).fetchone()
        con.execute(f"insert or ignore into {TABLE} by name select {columns} from read_parquet(?)", [files]).fetchall()
        # union_by_name: a file written without embeddings (an older run's, left in the spool) has nulls there
        found = con.execute("describe select * from read_parquet(?, union_by_name = true)", [files]).fetchall()
        if "embedding" in {name for name, *_ in found}:
            embedded = ", ".join(TEXT_EMBEDDING)
            con.execute(
                f"insert or ignore into {EMBEDDING_TABLE} by name select {embedded} "
                "from read_parquet(?, union_by_name = true) where embedding is not null",
                [files],
            ).fetchall()
        con.execute("commit")
    except BaseException:
        rollback(con)  # a failed commit has ended the transaction: its error, not the rollback's, is raised
        raise
    return offered
