"""Ingest one large JSONL export end to end and report throughput and peak memory.

    python benchmarks/ingest_large_file.py                 # 1 GB twarc2 file
    python benchmarks/ingest_large_file.py --size 200MB --kind generic

Generates the file in a temporary folder (twarc2 pages of 100 tweets with their authors, or canonical interaction
lines for the generic reader), ingests it into a DuckDB file there with ``ingest_paths``, and prints rows/s and the
process's peak RSS. ``--dry-run`` reads and validates without DuckDB, which shows the readers' own memory. Readers
stream in chunks and DuckDB is capped by ``--duckdb-memory-limit``, so peak memory should stop growing with the file:
run it at two sizes (each in its own process: peak RSS is a high-water mark) and compare.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from ingest.pipeline import ingest_paths
from ingest.warehouse import ensure_raw_schema

TWEETS_PER_PAGE = 100
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([KMG]?B?)$", re.IGNORECASE)
_UNITS = {"": 1, "B": 1, "K": 1 << 10, "KB": 1 << 10, "M": 1 << 20, "MB": 1 << 20, "G": 1 << 30, "GB": 1 << 30}


def parse_size(text: str) -> int:
    match = _SIZE.match(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 200MB or 1GB)")
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


def _twarc_page(page: int) -> str:
    base = 1_600_000_000_000_000_000 + page * TWEETS_PER_PAGE
    tweets, users = [], []
    for offset in range(TWEETS_PER_PAGE):
        tweet_id, author_id = str(base + offset), str(1_700_000_000_000_000_000 + (base + offset) % 50_000)
        tweets.append(
            {
                "id": tweet_id,
                "edit_history_tweet_ids": [tweet_id],
                "author_id": author_id,
                "conversation_id": tweet_id,
                "created_at": "2024-11-04T09:15:00.000Z",
                "lang": "en",
                "text": f"@NorthwindCoffee the autumn blend is great, cup number {base + offset} today",
                "entities": {"mentions": [{"start": 0, "end": 16, "username": "NorthwindCoffee"}]},
                "public_metrics": {"retweet_count": 1, "reply_count": 0, "like_count": 3, "quote_count": 0},
            }
        )
        users.append(
            {
                "id": author_id,
                "username": f"fan_{author_id[-5:]}",
                "name": "A fan",
                "created_at": "2020-01-01T00:00:00.000Z",
                "public_metrics": {"followers_count": 10, "following_count": 20},
            }
        )
    return json.dumps(
        {
            "data": tweets,
            "includes": {"users": users},
            "meta": {"result_count": TWEETS_PER_PAGE},
            "__twarc": {
                "url": "https://api.twitter.com/2/tweets/search/all",
                "version": "2.13.0",
                "retrieved_at": "2024-11-05T00:00:00+00:00",
            },
        }  # fmt: skip
    )


def _generic_line(number: int) -> str:
    return json.dumps(
        {
            "platform": "x",
            "interaction_id": str(1_600_000_000_000_000_000 + number),
            "interaction_type": "reply",
            "created_at": "2024-11-04T09:15:00Z",
            "author_id": str(1_700_000_000_000_000_000 + number % 50_000),
            "text": f"@NorthwindCoffee the autumn blend is great, cup number {number} today",
            "like_count": 3,
        }
    )


def write_export(path: Path, size: int, kind: str) -> None:
    line = _twarc_page if kind == "twarc2" else _generic_line
    written, number = 0, 0
    with open(path, "w", encoding="utf-8") as handle:
        while written < size:
            text = line(number) + "\n"
            handle.write(text)
            written += len(text)
            number += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=parse_size, default=parse_size("1GB"), help="file size, e.g. 200MB (1GB)")
    parser.add_argument("--kind", choices=("twarc2", "generic"), default="twarc2")
    parser.add_argument("--duckdb-memory-limit", default="512MB", help="DuckDB's memory_limit (512MB)")
    parser.add_argument("--dry-run", action="store_true", help="read and validate only: the readers' own memory")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ror-ingest-bench-") as folder:
        landing = Path(folder) / "landing"
        landing.mkdir()
        export = landing / f"large_{args.kind}.jsonl"
        started = time.perf_counter()
        write_export(export, args.size, args.kind)
        generated = time.perf_counter() - started
        size_mb = export.stat().st_size / (1 << 20)

        con = None if args.dry_run else duckdb.connect(str(Path(folder) / "bench.duckdb"))
        if con is not None:
            con.execute("SET memory_limit = ?", [args.duckdb_memory_limit])
            ensure_raw_schema(con)
        started = time.perf_counter()
        (report,) = ingest_paths([landing], landing_root=landing, con=con, batch_id="benchmark")
        elapsed = time.perf_counter() - started
        if con is not None:
            con.close()

    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    print(
        json.dumps(
            {
                "kind": args.kind,
                "file_mb": round(size_mb, 1),
                "generate_s": round(generated, 1),
                "status": report.status,
                "rows_read": report.rows_read,
                "rows_inserted": report.rows_inserted,
                "ingest_s": round(elapsed, 1),
                "rows_per_s": round(report.rows_read / elapsed),
                "mb_per_s": round(size_mb / elapsed, 2),
                "peak_rss_mb": round(peak_rss_mb),
                "duckdb_memory_limit": None if args.dry_run else args.duckdb_memory_limit,
                "cpus": os.cpu_count(),
            }
        )
    )
    if report.status not in ("loaded", "dry_run"):
        sys.exit(f"ingest did not load the file: {report.to_dict()}")


if __name__ == "__main__":
    main()
