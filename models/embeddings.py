"""Sentence embeddings stored beside the scores: each text is encoded once per model version, for themes too.

The encoder pass that scores a text already computes its sentence embedding (the last layer's mean-pooled,
unit-length state, models.encoder); ``Enricher.enrich(frame, with_embedding=True)`` returns it beside the scores
and ``models.cache`` lands it (``store``, ``store_files``, ``store_embeddings``) in ``enrichment.text_embeddings``,
keyed like the scores by (text_hash, model_version). Stored compactly: int8 with one scale per text (384 bytes + 8
for MiniLM instead of 1,536 as float32); the cosine between a stored and an exact embedding is above 0.999
(tests/models/test_themes.py).

Texts scored before embeddings were stored have scores but no embedding: ``texts_without_embedding`` finds them and
the themes asset encodes them once more, once.
"""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl

from ingest.limits import MAX_SCORED_TEXT_CHARS

TABLE = "enrichment.text_embeddings"
SCORES_TABLE = "enrichment.text_enrichment"
# The columns an enriched frame carries when asked for embeddings (Enricher.enrich(with_embedding=True)).
EMBEDDING_COLUMNS = {"embedding": pl.Binary, "embedding_scale": pl.Float64}
TEXT_EMBEDDING = {"text_hash": pl.String, "model_version": pl.String, **EMBEDDING_COLUMNS}
_INT8_MAX = 127.0


def quantise(embeddings: np.ndarray) -> tuple[list[bytes], np.ndarray]:
    """(one int8 byte string per row, the row's scale): row ~= int8 values x scale."""
    vectors = np.asarray(embeddings, dtype=np.float32)
    scales = np.abs(vectors).max(axis=1) / _INT8_MAX
    scales[scales == 0] = 1.0
    quantised = np.clip(np.rint(vectors / scales[:, None]), -_INT8_MAX, _INT8_MAX).astype(np.int8)
    return [row.tobytes() for row in quantised], scales.astype(np.float64)


def dequantise(blobs: list[bytes], scales: np.ndarray) -> np.ndarray:
    """float32 (rows, dim), each row unit length (cosine is all themes use)."""
    if not blobs:
        return np.zeros((0, 0), dtype=np.float32)
    values = np.frombuffer(b"".join(blobs), dtype=np.int8).reshape(len(blobs), -1).astype(np.float32)
    vectors = values * np.asarray(scales, dtype=np.float32)[:, None]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def embedding_columns(embeddings: np.ndarray) -> dict[str, pl.Series]:
    blobs, scales = quantise(embeddings)
    return {
        "embedding": pl.Series("embedding", blobs, dtype=pl.Binary),
        "embedding_scale": pl.Series("embedding_scale", scales, dtype=pl.Float64),
    }


def ensure_embedding_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists enrichment")
    con.execute(
        f"create table if not exists {TABLE} (text_hash varchar, model_version varchar, embedding blob, "
        "embedding_scale double, primary key (text_hash, model_version))"
    )


def texts_without_embedding(con: duckdb.DuckDBPyConnection, model_version: str) -> pl.DataFrame:
    """(text_hash, text) of texts scored by ``model_version`` that have no embedding for it, cut like the scores."""
    query = con.sql(
        f"""
        select interactions.text_hash, any_value(left(interactions.text, $max_chars)) as text
        from raw.interactions as interactions
        inner join {SCORES_TABLE} as scores
            on scores.text_hash = interactions.text_hash and scores.model_version = $model_version
        -- a text in a language the models do not score has no scores and gets no embedding (models.enrich)
        where interactions.text is not null and scores.sentiment_label is not null
          and not exists (
              select 1 from {TABLE} as stored
              where stored.text_hash = interactions.text_hash and stored.model_version = $model_version
          )
        group by interactions.text_hash
        order by interactions.text_hash
        """,
        params={"model_version": model_version, "max_chars": MAX_SCORED_TEXT_CHARS},
    )
    return pl.DataFrame(query.fetchnumpy(), schema={"text_hash": pl.String, "text": pl.String})
