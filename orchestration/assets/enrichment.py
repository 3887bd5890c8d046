"""Enrichment layer: each unique text scored once per model version, cached in enrichment.text_enrichment."""


import time

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from models.cache import ensure_enrichment_table, store, texts_to_enrich
from models.enrich import Enricher
from orchestration.partitions import daily_partitions
from orchestration.resources import WarehouseResource


@asset(
    key=AssetKey(["enrichment", "text_enrichment"]),
    deps=[AssetKey(["raw", "interactions"])],
    group_name="enrichment",
    kinds={"duckdb", "pytorch"},
    partitions_def=daily_partitions,
    description="Sentiment, emotion, intent, substance and language of every unique interaction text, keyed by "
    "(text_hash, model_version). Texts already scored by this model version are served from the cache.",
)
def text_enrichment(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    enricher = Enricher.from_env()
    with warehouse.connect() as con:
        ensure_enrichment_table(con)
        pending = texts_to_enrich(con, enricher.model_version)
        (unique_texts,) = con.execute(
            "select count(distinct text_hash) from raw.interactions where text_hash is not null"
        ).fetchone()
    context.log.info(f"{pending.height} of {unique_texts} unique texts need scoring by {enricher.model_version}")
    started = time.perf_counter()
    enriched = enricher.enrich(pending) if pending.height else None
    seconds = time.perf_counter() - started
    if enriched is not None:
        with warehouse.connect() as con:
            store(con, enriched)
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
