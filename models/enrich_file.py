"""Enrich one file without a warehouse: CSV, JSONL or Parquet in, Parquet out (``ror enrich``).

The output keeps every original column and row (in order) and adds the enrichment columns of
models.schema.TEXT_ENRICHMENT. Texts are keyed with ingest.text.text_hash, so duplicates (retweets, copy-paste) are
encoded once; rows with no text get nulls.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from tqdm import tqdm

from ingest.text import text_hash_expr
from models.enrich import EnrichConfig, Enricher
from models.schema import TEXT_ENRICHMENT

CHUNK_TEXTS = 2048  # texts per enrich call: big enough for length-sorted batches, small enough for a live progress bar

_READERS = {
    ".csv": lambda path: pl.scan_csv(path, infer_schema=False),  # all strings: ids and codes stay exactly as written
    ".jsonl": pl.scan_ndjson,
    ".ndjson": pl.scan_ndjson,
    ".parquet": pl.scan_parquet,
    ".pq": pl.scan_parquet,
}


def scan_table(path: Path) -> pl.LazyFrame:
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise ValueError(f"{path}: expected one of {', '.join(sorted(_READERS))}")
    return reader(path)


def enrich_file(
    input_path: str | Path,
    text_column: str,
    output_path: str | Path,
    config: EnrichConfig | None = None,
    progress: bool = True,
) -> Path:
    """Write ``output_path`` (Parquet): the input's rows and columns plus the enrichment columns."""
    input_path, output_path = Path(input_path), Path(output_path)
    original = scan_table(input_path)
    columns = original.collect_schema().names()
    if text_column not in columns:
        raise ValueError(f"{input_path} has no column {text_column!r} (columns: {', '.join(columns)})")
    clashes = sorted(set(columns) & set(TEXT_ENRICHMENT))
    if clashes:
        raise ValueError(f"{input_path} already has enrichment column(s) {clashes}: rename them first")
    rows = original.with_columns(text_hash_expr(text_column).alias("text_hash")).collect()
    unique_texts = (
        rows.lazy()
        .filter(pl.col("text_hash").is_not_null())
        .unique(subset="text_hash", keep="first", maintain_order=True)
        .select("text_hash", pl.col(text_column).alias("text"))
        .collect()
    )
    enricher = Enricher(config)
    enriched = []
    with tqdm(total=unique_texts.height, unit="text", disable=not progress, desc="enriching") as bar:
        for chunk in unique_texts.iter_slices(CHUNK_TEXTS):
            enriched.append(enricher.enrich(chunk))
            bar.update(chunk.height)
    scores = pl.concat(enriched) if enriched else pl.DataFrame(schema=TEXT_ENRICHMENT)
    output = rows.join(scores, on="text_hash", how="left", maintain_order="left").select(*columns, *TEXT_ENRICHMENT)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    output.write_parquet(output_path)
    return output_path
