"""Raw layer: every export file in the landing folder, detected, read and appended to raw.* (idempotently).

Not partitioned: an export file holds whatever days its tool collected (a month of X pages, a CRM table with years of
contacts), so a run ingests every file it has not loaded yet, whatever day is being refreshed.

A daily run must cost its new files, not the history: a file whose path and size match a file already loaded, and
that was not modified since that load (the rule make and rsync use), is not even opened. Every other file goes to
ingest, which still skips content it has seen (same sha256) and records it has seen (same record hash).
"""

import json
import os
import time
from datetime import datetime
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, multi_asset

from ingest.pipeline import ingest_paths
from ingest.schema import ENTITIES
from ingest.warehouse import ensure_raw_schema
from orchestration.resources import LandingResource, WarehouseResource

RAW_TABLES = (*ENTITIES, "quarantine", "file_manifest")
ALREADY_LOADED = "duplicate_file"  # the file's content was loaded by an earlier run


def raw_key(table: str) -> AssetKey:
    return AssetKey(["raw", table])


@multi_asset(
    name="raw_exports",
    specs=[
        AssetSpec(
            raw_key(table),
            group_name="raw",
            kinds={"duckdb", "polars"},
            description=f"raw.{table}: append-only rows landed from export files (see ingest/schema.py). Not "
            "partitioned: each run loads every landing file not loaded before, whatever the days it holds.",
            skippable=True,
        )
        for table in RAW_TABLES
    ],
    can_subset=False,
)
def raw_exports(context: AssetExecutionContext, warehouse: WarehouseResource, landing: LandingResource):
    """Ingest every file under the landing folder. Files already loaded (same sha256) are skipped, records already
    present (same record hash) are not inserted again, so re-running is idempotent."""
    landing.path.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with warehouse.connect() as con:
        ensure_raw_schema(con)
        before = _row_counts(con)
        root = landing.path.resolve()
        candidates = landing_files(root)
        new_files = files_not_loaded(con, root, candidates)
        reports = ingest_paths(new_files, landing_root=root, con=con, batch_id=context.run_id)
        after = _row_counts(con)
    seconds = round(time.perf_counter() - started, 2)
    files_by_status: dict[str, int] = {}
    for report in reports:
        files_by_status[report.status] = files_by_status.get(report.status, 0) + 1
        if report.status == ALREADY_LOADED:
            continue  # a year of landing files would be a year of log events in every daily run
        line = report.to_dict()
        log = context.log.warning if line["status"] in ("unrecognised", "failed", "refused") else context.log.info
        log(json.dumps(line, default=str))  # one JSON object per file: greppable, parseable
    unchanged = len(candidates) - len(new_files)
    context.log.info(
        f"{len(candidates)} landing files, {unchanged} unchanged since loaded: " + json.dumps(files_by_status)
    )
    for table in RAW_TABLES:
        yield MaterializeResult(
            asset_key=raw_key(table),
            metadata={
                "row_count": after[table],
                "new_rows": after[table] - before[table],
                "files_seen": len(candidates),
                "files_unchanged_since_loaded": unchanged,
                "ingest_seconds": seconds,
                **{f"files_{status}": count for status, count in sorted(files_by_status.items())},
            },
        )


def _row_counts(con) -> dict[str, int]:
    return {table: con.execute(f"select count(*) from raw.{table}").fetchone()[0] for table in RAW_TABLES}


def landing_files(root: Path) -> list[Path]:
    """Every file under the landing folder, hidden files and folders left out as ingest leaves them out."""
    files = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        files += [Path(folder) / name for name in sorted(names) if not name.startswith(".")]
    return files


def files_not_loaded(con, root: Path, files: list[Path]) -> list[Path]:
    """The files ingest must look at: all but those loaded before (or found to repeat a loaded file's content) under
    the same relative path and size, and not modified since."""
    loaded: dict[tuple[str, int], datetime] = {
        (source_file, size): loaded_at
        for source_file, size, loaded_at in con.execute(
            "select source_file, size_bytes, max(_ingested_at) from raw.file_manifest "
            "where status in ('loaded', 'duplicate_file') group by source_file, size_bytes"
        ).fetchall()
    }
    pending = []
    for path in files:
        stat = path.stat()
        loaded_at = loaded.get((path.relative_to(root).as_posix(), stat.st_size))
        if loaded_at is None or stat.st_mtime >= loaded_at.timestamp():
            pending.append(path)
    return pending
