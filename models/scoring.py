"""The models in a process of their own: ``python -m models.scoring`` reads a request (JSON) on stdin, loads the
enrichment models, optionally scores one file of pending texts into Parquet files, and prints the models' name and
version, and the seconds the scoring took, as JSON on stdout.

A refresh (orchestration/assets/enrichment.py) scores through it so that the process that goes on to run dbt never
holds torch, the encoder or their buffers (about 1 GiB): they leave with this process. The request:

    {"variables": {...},          the enrichment's variables as the edge read them (EnrichConfig.from_variables)
     "pending_file": "...",       optional: Parquet of (text_hash, text) to score
     "scored_folder": "...",      where each chunk's scores go, part-<offset>.parquet (models.cache.write_scores)
     "chunk_texts": 1024}         texts per file: a killed process keeps the chunks it finished

A process whose parent has gone stops before its next chunk: nobody would land what it scores.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import polars as pl

from models.cache import write_scores
from models.enrich import EnrichConfig, Enricher


def part_file(scored_folder: Path, offset: int) -> Path:
    """The scores of the chunk of texts starting at ``offset``."""
    return scored_folder / f"part-{offset:09d}.parquet"


def score_file(enricher: Enricher, pending_file: Path, scored_folder: Path, chunk_texts: int) -> int:
    """Score every text of ``pending_file`` (with embeddings, for themes), one Parquet file per chunk; texts scored."""
    parent = os.getppid()
    texts = pl.read_parquet(pending_file)
    for offset in range(0, texts.height, chunk_texts):
        if os.getppid() != parent:
            raise SystemExit("the refresh that asked for these scores has ended")
        scores = enricher.enrich(texts.slice(offset, chunk_texts), with_embedding=True)
        write_scores(scores, part_file(scored_folder, offset))
    return texts.height


def main() -> int:
    request = json.loads(sys.stdin.read())
    enricher = Enricher(EnrichConfig.from_variables(request["variables"]))
    started = time.perf_counter()  # the scoring alone, not the loading: what texts/s is reported of
    if request.get("pending_file"):
        score_file(enricher, Path(request["pending_file"]), Path(request["scored_folder"]), request["chunk_texts"])
    described = {"model_name": enricher.model_name, "model_version": enricher.model_version}
    print(json.dumps({**described, "score_seconds": time.perf_counter() - started}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
