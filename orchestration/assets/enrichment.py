"""Enrichment layer: each unique text scored once per model version, cached in enrichment.text_enrichment.

Not partitioned: the cache is keyed by text, not by day (one text can appear on many days), and a run scores every
text not scored yet by this model version, whatever day is being refreshed.

Three steps, so that several processes can score at once while only one ever opens the database:
``export_pending_texts`` writes the texts not scored yet to Parquet, one file per hash bucket (as many buckets as the
run has workers, orchestration.executor); ``score_bucket`` scores one bucket's file into Parquet files, chunk by
chunk, without opening DuckDB; ``land_scores`` inserts every scored file in one transaction (insert or ignore: landing
twice changes nothing). A run killed while scoring leaves its finished chunks in the spool folder, and the next run's
export lands them before it asks which texts are still pending, so no text is scored twice. A text's scores do not
depend on the texts scored with it (tests/models/test_determinism.py): any split gives the same scores.
"""

import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl
from dagster import (
    AssetIn,
    AssetKey,
    DynamicOut,
    DynamicOutput,
    In,
    Nothing,
    OpExecutionContext,
    Out,
    Output,
    graph_asset,
    op,
)

from models.cache import ensure_enrichment_table, store_files, texts_to_enrich, write_scores
from models.enrich import EnrichConfig, Enricher
from orchestration.executor import run_workers
from orchestration.names import WAREHOUSE_STEP_TAGS
from orchestration.progress import progress_line
from orchestration.resources import EnrichmentResource, WarehouseResource

CHUNK_TEXTS = 1024
PENDING_FOLDER = "pending"
SCORED_FOLDER = "scored"

_loaded: dict[str, Enricher] = {}


def _enricher(config: EnrichConfig) -> Enricher:
    """The models, loaded once per process and configuration: in one process the export and scoring steps share them."""
    key = repr(config)
    if key not in _loaded:
        _loaded.clear()
        _loaded[key] = Enricher(config)
    return _loaded[key]


@dataclass(frozen=True)
class Bucket:
    """One hash bucket of the pending texts: the file to score and the folder its scores go to."""

    index: int
    texts: int
    pending_file: str
    scored_folder: str


@dataclass(frozen=True)
class PendingSummary:
    model_name: str
    model_version: str
    unique_texts: int
    pending_texts: int
    landed_from_earlier_run: int


def bucket_of(text_hash: pl.Expr, buckets: int) -> pl.Expr:
    """A text's bucket: its hash (hex) read as a number, modulo the bucket count; the same text, the same bucket."""
    return text_hash.str.slice(0, 8).str.to_integer(base=16) % buckets


def _scored_files(spool: Path) -> list[Path]:
    return sorted((spool / SCORED_FOLDER).glob("*/*.parquet"))


@op(
    ins={"raw_interactions": In(Nothing)},
    out={"summary": Out(PendingSummary), "buckets": DynamicOut(Bucket)},
    tags=WAREHOUSE_STEP_TAGS,
)
def export_pending_texts(context: OpExecutionContext, warehouse: WarehouseResource, enrichment: EnrichmentResource):
    """Land the scores an interrupted run left behind, then write the texts still pending, one file per bucket."""
    # Loading the models here also writes the int8 encoder's first-use export before the buckets load it side by side.
    enricher = _enricher(enrichment.config())
    spool = warehouse.enrichment_spool_path
    leftovers = _scored_files(spool)
    with warehouse.connect() as con:
        ensure_enrichment_table(con)
        landed = store_files(con, leftovers)
        pending = texts_to_enrich(con, enricher.model_version)
        (cached,) = con.execute(
            "select count(*) from enrichment.text_enrichment where model_version = ?", [enricher.model_version]
        ).fetchone()
    shutil.rmtree(spool, ignore_errors=True)
    if leftovers:
        context.log.info(f"landed {landed} scores an earlier, interrupted run had left in {spool}")
    # raw.interactions is append-only, so its unique texts are the cached ones plus the pending ones: no need to count
    # distinct hashes over the whole history in every run.
    unique_texts = cached + pending.height
    workers = run_workers(context.run.run_config, enrichment.default_workers)
    context.log.info(
        f"{pending.height} of {unique_texts} unique texts need scoring by {enricher.model_version}, "
        f"in up to {workers} buckets"
    )
    yield Output(
        PendingSummary(enricher.model_name, enricher.model_version, unique_texts, pending.height, landed), "summary"
    )
    split = pending.with_columns(bucket_of(pl.col("text_hash"), workers).alias("bucket"))
    for (index,), texts in split.group_by("bucket", maintain_order=True):
        pending_file = spool / PENDING_FOLDER / f"bucket-{index}.parquet"
        pending_file.parent.mkdir(parents=True, exist_ok=True)
        texts.drop("bucket").sort("text_hash").write_parquet(pending_file)
        bucket = Bucket(index, texts.height, str(pending_file), str(spool / SCORED_FOLDER / f"bucket-{index}"))
        yield DynamicOutput(bucket, output_name="buckets", mapping_key=f"bucket_{index}")


# Buckets go first when the run has free worker slots: they are the long steps, the quick checks can wait.
@op(tags={"dagster/priority": "1"})
def score_bucket(context: OpExecutionContext, bucket: Bucket, enrichment: EnrichmentResource) -> dict:
    """Score one bucket's texts into Parquet files, one per chunk; opens no database, so buckets score side by side."""
    enricher = _enricher(enrichment.config())
    texts = pl.read_parquet(bucket.pending_file)
    context.log.info(progress_line("enrichment", 0, texts.height, "texts"))
    started = time.perf_counter()
    # One file per chunk: progress shows in the run log, and a killed run keeps what it already scored.
    for offset in range(0, texts.height, CHUNK_TEXTS):
        scores = enricher.enrich(texts.slice(offset, CHUNK_TEXTS), with_embedding=True)  # for themes
        write_scores(scores, Path(bucket.scored_folder) / f"part-{offset:09d}.parquet")
        done = min(offset + CHUNK_TEXTS, texts.height)
        rate = done / (time.perf_counter() - started)
        context.log.info(progress_line("enrichment", done, texts.height, "texts", f"{rate:.0f} texts/s"))
    return {**asdict(bucket), "seconds": time.perf_counter() - started}


@op(tags=WAREHOUSE_STEP_TAGS)
def land_scores(context: OpExecutionContext, warehouse: WarehouseResource, summary: PendingSummary, scored: list):
    """Insert every bucket's scores in one transaction, then clear the spool folder."""
    spool = warehouse.enrichment_spool_path
    files = _scored_files(spool)
    with warehouse.connect() as con:
        landed = store_files(con, files)
    shutil.rmtree(spool, ignore_errors=True)
    # Buckets score at the same time: the wall time of the scoring is the slowest bucket's.
    seconds = max((bucket["seconds"] for bucket in scored), default=0.0)
    context.log.info(f"landed {landed} scores from {len(scored)} buckets")
    encoded = summary.pending_texts
    return Output(
        None,
        metadata={
            "model_name": summary.model_name,
            "model_version": summary.model_version,
            "unique_texts": summary.unique_texts,
            "texts_encoded": encoded,
            "texts_from_cache": summary.unique_texts - encoded,
            "texts_landed_from_earlier_run": summary.landed_from_earlier_run,
            "buckets": len(scored),
            "encode_seconds": round(seconds, 2),
            "texts_per_second": round(encoded / seconds, 1) if encoded and seconds else None,
        },
    )


@graph_asset(
    key=AssetKey(["enrichment", "text_enrichment"]),
    ins={"raw_interactions": AssetIn(AssetKey(["raw", "interactions"]), dagster_type=Nothing)},
    group_name="enrichment",
    kinds={"duckdb", "pytorch"},
    description="Sentiment, emotion, intent, substance and language of every unique interaction text, keyed by "
    "(text_hash, model_version). Texts already scored by this model version are served from the cache; the others "
    "are split into hash buckets scored by separate worker processes (the run's workers) and landed in one "
    "transaction. Not partitioned: each run scores every text of raw.interactions not scored yet, whatever its day.",
)
def text_enrichment(raw_interactions):
    summary, buckets = export_pending_texts(raw_interactions)
    return land_scores(summary=summary, scored=buckets.map(score_bucket).collect())
