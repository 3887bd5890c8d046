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

The models run in a child process (models.scoring), never in the run's own process: torch, the encoder and their
buffers leave with it before dbt starts. Which model version they are is remembered in the warehouse
(models.cache.remember_models) for a digest of the files and variables that decide it (the stat of every file, as the
refresh state keeps them: orchestration.refresh_state.enrichment_fingerprint), so a refresh with nothing to score
loads no model at all.
"""

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import polars as pl
from dagster import (
    AssetIn,
    AssetKey,
    DynamicOut,
    DynamicOutput,
    Failure,
    In,
    Nothing,
    OpExecutionContext,
    Out,
    Output,
    graph_asset,
    op,
)

from models.cache import (
    ensure_enrichment_table,
    forget_models,
    remember_models,
    remembered_models,
    store_files,
    texts_to_enrich,
)
from orchestration.executor import run_workers
from orchestration.names import WAREHOUSE_STEP_TAGS
from orchestration.progress import progress_line
from orchestration.refresh_state import enrichment_fingerprint
from orchestration.resources import EnrichmentResource, WarehouseResource

CHUNK_TEXTS = 1024
PENDING_FOLDER = "pending"
SCORED_FOLDER = "scored"
# How often a step waiting on the models' process looks for the chunks of scores it has written.
PROGRESS_SECONDS = 5.0


@dataclass(frozen=True)
class Models:
    """Which models the enrichment's variables name: what a score row carries as model_name and model_version."""

    name: str
    version: str


def run_models(
    variables: dict[str, str],
    pending_file: Path | None = None,
    scored_folder: Path | None = None,
    log: Callable[[str], None] | None = None,
) -> tuple[Models, float]:
    """Load the models in a child process (models.scoring), score ``pending_file`` into ``scored_folder`` if given,
    and return which models they are and the seconds the scoring took (the loading left out); ``log`` gets a progress
    line as chunks of scores are written (looked for every PROGRESS_SECONDS)."""
    request = {"variables": variables, "chunk_texts": CHUNK_TEXTS}
    total = 0
    if pending_file is not None:
        request |= {"pending_file": str(pending_file), "scored_folder": str(scored_folder)}
        total = pl.scan_parquet(pending_file).select(pl.len()).collect().item()
    command = [sys.executable, "-m", "models.scoring"]
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as child:
        pending_input: str | None = json.dumps(request)
        reported = 0
        while True:
            try:
                out, err = child.communicate(pending_input, timeout=PROGRESS_SECONDS)
                break
            except subprocess.TimeoutExpired:
                pending_input = None
                done = min(total, len(list(scored_folder.glob("part-*.parquet"))) * CHUNK_TEXTS) if total else 0
                if log is not None and done > reported:
                    log(progress_line("enrichment", done, total, "texts"))
                    reported = done
    if child.returncode != 0:
        # The exception's own line (the traceback's last): the models' errors name files and settings, never texts.
        last = next((line for line in reversed(err.strip().splitlines()) if line.strip()), "no message")
        raise Failure(description=f"The enrichment models failed (exit {child.returncode}): {last}")
    described = json.loads(out.strip().splitlines()[-1])
    return Models(described["model_name"], described["model_version"]), described["score_seconds"]


def known_models(con: duckdb.DuckDBPyConnection, enrichment: EnrichmentResource) -> Models:
    """The models the enrichment's variables name, as remembered for their files' digest; loaded once (in a child
    process) to learn it when the digest is new."""
    digest = enrichment_fingerprint(dict(enrichment.variables))
    remembered = remembered_models(con, digest)
    if remembered is not None:
        return Models(*remembered)
    models, _ = run_models(dict(enrichment.variables))
    remember_models(con, digest, models.name, models.version)
    return models


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
    spool = warehouse.enrichment_spool_path
    leftovers = _scored_files(spool)
    with warehouse.connect() as con:
        ensure_enrichment_table(con)
        landed = store_files(con, leftovers)
        # New models are loaded here once (known_models): that also writes the int8 encoder's first-use export before
        # the buckets load it side by side.
        models = known_models(con, enrichment)
        pending = texts_to_enrich(con, models.version)
        (cached,) = con.execute(
            "select count(*) from enrichment.text_enrichment where model_version = ?", [models.version]
        ).fetchone()
    shutil.rmtree(spool, ignore_errors=True)
    if leftovers:
        context.log.info(f"landed {landed} scores an earlier, interrupted run had left in {spool}")
    # raw.interactions is append-only, so its unique texts are the cached ones plus the pending ones: no need to count
    # distinct hashes over the whole history in every run.
    unique_texts = cached + pending.height
    workers = run_workers(context.run.run_config, enrichment.default_workers)
    context.log.info(
        f"{pending.height} of {unique_texts} unique texts need scoring by {models.version}, in up to {workers} buckets"
    )
    yield Output(PendingSummary(models.name, models.version, unique_texts, pending.height, landed), "summary")
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
    """Score one bucket's texts into Parquet files, one per chunk, in the models' own process (run_models); opens no
    database, so buckets score side by side."""
    context.log.info(progress_line("enrichment", 0, bucket.texts, "texts"))
    # One file per chunk: a killed run keeps what it already scored.
    models, seconds = run_models(
        dict(enrichment.variables), Path(bucket.pending_file), Path(bucket.scored_folder), log=context.log.info
    )
    rate = f"{bucket.texts / seconds:.0f} texts/s" if seconds else ""
    context.log.info(progress_line("enrichment", bucket.texts, bucket.texts, "texts", rate))
    return {**asdict(bucket), "seconds": seconds, "model_version": models.version}


@op(tags=WAREHOUSE_STEP_TAGS)
def land_scores(context: OpExecutionContext, warehouse: WarehouseResource, summary: PendingSummary, scored: list):
    """Insert every bucket's scores in one transaction, then clear the spool folder."""
    spool = warehouse.enrichment_spool_path
    files = _scored_files(spool)
    versions = {bucket["model_version"] for bucket in scored} - {summary.model_version}
    if versions:
        # The models' files changed without their digest changing (the same size and time): what is remembered
        # for that digest is wrong. Their scores are kept; the next run asks the models which version they are.
        with warehouse.connect() as con:
            forget_models(con, summary.model_version)
        raise Failure(
            description=f"The enrichment models are version {versions.pop()}, not {summary.model_version} as "
            "remembered: their files changed during the run or kept their size and time. Run the refresh again."
        )
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
