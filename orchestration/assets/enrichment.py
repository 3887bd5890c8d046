"""Enrichment layer: each unique text scored once per model version, cached in enrichment.text_enrichment.

Not partitioned: the cache is keyed by text, not by day (one text can appear on many days), and a run scores every
text not scored yet by this model version, whatever day is being refreshed.
"""

import time

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from models.cache import ensure_enrichment_table, store, texts_to_enrich
from models.enrich import Enricher
from orchestration.progress import progress_line
from orchestration.resources import WarehouseResource

CHUNK_TEXTS = 1024


@asset(
    key=AssetKey(["enrichment", "text_enrichment"]),
    deps=[AssetKey(["raw", "interactions"])],
    group_name="enrichment",
    kinds={"duckdb", "pytorch"},
    description="Sentiment, emotion, intent, substance and language of every unique interaction text, keyed by "
    "(text_hash, model_version). Texts already scored by this model version are served from the cache. Not "
    "partitioned: each run scores every text of raw.interactions not scored yet, whatever its day.",
)
def text_enrichment(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    enricher = Enricher.from_env()
    with warehouse.connect() as con:
        ensure_enrichment_table(con)
        pending = texts_to_enrich(con, enricher.model_version)
        (cached,) = con.execute(
            "select count(*) from enrichment.text_enrichment where model_version = ?", [enricher.model_version]
        ).fetchone()
    # raw.interactions is append-only, so its unique texts are the cached ones plus the pending ones: no need to count
    # distinct hashes over the whole history in every run.
    unique_texts = cached + pending.height
    context.log.info(f"{pending.height} of {unique_texts} unique texts need scoring by {enricher.model_version}")
    context.log.info(progress_line("enrichment", 0, pending.height, "texts"))
    started = time.perf_counter()
    # Stored chunk by chunk: progress shows in the run log, and a killed run keeps what it already scored.
    for offset in range(0, pending.height, CHUNK_TEXTS):
        enriched = enricher.enrich(pending.slice(offset, CHUNK_TEXTS))
        with warehouse.connect() as con:
            store(con, enriched)
        done = min(offset + CHUNK_TEXTS, pending.height)
        rate = done / (time.perf_counter() - started)
        context.log.info(progress_line("enrichment", done, pending.height, "texts", f"{rate:.0f} texts/s"))
    seconds = time.perf_counter() - started
    return MaterializeResult(
        metadata={
            "model_name": enricher.model_name,
            "model_version": enricher.model_version,
            "unique_texts": unique_texts,
            "texts_encoded": pending.height,
            "texts_from_cache": unique_texts - pending.height,
            "encode_seconds": round(seconds, 2),
            "texts_per_second": round(pending.height / seconds, 1) if pending.height and seconds else None,
        }
    )
