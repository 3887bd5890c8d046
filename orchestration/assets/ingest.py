"""Raw layer: every export file in the landing folder, detected, read and appended to raw.* (idempotently).

Not partitioned: an export file holds whatever days its tool collected (a month of X pages, a CRM table with years of
contacts), so a run ingests every file it has not loaded yet, whatever day is being refreshed.

A daily run must cost its new files, not the history: a settled file whose path and size match a file already loaded,
and that was not written to since that load (the rule make and rsync use), is not even opened. Every other file goes
to ingest, which still skips content it has seen (same sha256) and records it has seen (same record hash).
"""

import json
import time
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, AssetSpec, Failure, MaterializeResult, MetadataValue, multi_asset

from ingest.pipeline import ingest_paths
from ingest.readers.generic import register_mappings
from ingest.schema import ENTITIES
from ingest.warehouse import ensure_raw_schema
from orchestration.assets.extract import EXTRACT_KEYS
from orchestration.failures import NOT_LOADED, FileNotLoaded, FilesNotLoaded, RowsQuarantined
from orchestration.landing import (
    STABILITY_CHECK_SECONDS,
    LandingFile,
    files_not_loaded,
    landing_files,
    split_settled,
    split_stable,
)
from orchestration.names import SETTLE_TAG, STABILITY_CHECK, WAREHOUSE_STEP_TAGS
from orchestration.progress import progress_line
from orchestration.resources import ConfigFileResource, LandingResource, WarehouseResource

RAW_TABLES = (*ENTITIES, "quarantine", "file_manifest")
ALREADY_LOADED = "duplicate_file"  # the file's content was loaded by an earlier run
# The materialization that carries the list of files not loaded (FilesNotLoaded.to_metadata), read by `ror`.
NOT_LOADED_KEY = "file_manifest"
NOT_LOADED_METADATA = "files_not_loaded"
# Every log line of a step is an event Dagster stores in one SQLite transaction (about 3-10 ms on a 2-core machine),
# on the loading thread: two lines a file made a year's first refresh (9,400 files) spend most of its ingest writing
# them. So progress is logged at most once a PROGRESS_SECONDS (and at the last file), and the files' reports
# FILE_REPORTS_PER_EVENT lines to an event.
PROGRESS_SECONDS = 1.0
FILE_REPORTS_PER_EVENT = 500


def raw_key(table: str) -> AssetKey:
    return AssetKey(["raw", table])


@multi_asset(
    op_tags=WAREHOUSE_STEP_TAGS,
    name="raw_exports",
    specs=[
        AssetSpec(
            raw_key(table),
            group_name="raw",
            kinds={"duckdb", "polars"},
            description=f"raw.{table}: append-only rows landed from export files (see ingest/schema.py). Not "
            "partitioned: each run loads every landing file not loaded before, whatever the days it holds.",
            skippable=True,
            deps=EXTRACT_KEYS,  # what the extractors pulled is ingested in the same run
        )
        for table in RAW_TABLES
    ],
    can_subset=False,
)
def raw_exports(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    landing: LandingResource,
    ror_config: ConfigFileResource,
):
    """Ingest every settled file under the landing folder that was not loaded before. Content already loaded (same
    sha256) is skipped, records already present (same record hash) are not inserted again: re-running is idempotent."""
    if not landing.path.is_dir():
        raise Failure(
            description=f"The landing folder {landing.path} does not exist: create it and deliver exports there, or "
            "point ROR_LANDING_DIR (`ror refresh --landing`) at the folder that holds them."
        )
    # The configuration's mapping folders, for runs launched from the UI, the schedule or the sensor as from `ror`.
    register_mappings(ror_config.load().mappings)
    settled, changing, why_left = _complete_files(context, landing.path, landing.settle_seconds)
    started = time.perf_counter()
    done: list[str] = []
    logged_at = [float("-inf")]

    def file_done(report) -> None:
        done.append(report.file)
        now = time.perf_counter()
        if now - logged_at[0] >= PROGRESS_SECONDS or len(done) >= len(paths):
            context.log.info(progress_line("ingest", len(done), max(len(paths), len(done)), "files"))
            logged_at[0] = now

    with warehouse.connect() as con:
        ensure_raw_schema(con)
        before = _row_counts(con)
        new_files = files_not_loaded(con, settled)
        paths = [file.path for file in new_files]
        reports = ingest_paths(
            paths,
            landing_root=landing.path,
            con=con,
            batch_id=context.run.run_id,
            on_file=file_done,
            salt=landing.contact_salt(),
            batch_rows=landing.ingest_batch_rows,
            workers=landing.ingest_workers,
        )
        after = _row_counts(con)
    seconds = round(time.perf_counter() - started, 2)
    files_by_status: dict[str, int] = {}
    loaded_lines: list[str] = []
    for report in reports:
        files_by_status[report.status] = files_by_status.get(report.status, 0) + 1
        if report.status == ALREADY_LOADED:
            continue  # a year of landing files would be a year of log events in every daily run
        line = report.to_dict()
        text = json.dumps(line, default=str)  # one JSON object per file and line: greppable, parseable
        if line["status"] in ("unrecognised", "failed", "refused"):
            context.log.warning(text)  # each file that needs a look in an event of its own
        else:
            loaded_lines.append(text)
    for first in range(0, len(loaded_lines), FILE_REPORTS_PER_EVENT):
        context.log.info("\n".join(loaded_lines[first : first + FILE_REPORTS_PER_EVENT]))
    unchanged = len(settled) - len(new_files)
    context.log.info(
        f"{len(settled)} settled landing files, {unchanged} unchanged since loaded: " + json.dumps(files_by_status)
    )
    not_loaded = FilesNotLoaded.of(
        [FileNotLoaded(_relative(r.file, landing.path), r.status, r.message) for r in reports if r.status in NOT_LOADED]
        + [FileNotLoaded(f.relative, "still_changing", why_left) for f in changing],
        [
            RowsQuarantined(_relative(r.file, landing.path), r.rows_quarantined, r.rows_read, r.first_reasons[:3])
            for r in reports
            if r.rows_quarantined and r.status not in NOT_LOADED
        ],
    )
    if not_loaded.total:
        context.log.warning(not_loaded.warning())
    if not_loaded.partly_loaded_files:
        context.log.warning(
            f"{not_loaded.rows_quarantined} rows quarantined in {not_loaded.partly_loaded_files} loaded files: the "
            f"metadata {NOT_LOADED_METADATA} of raw/file_manifest names each, "
            "raw.quarantine holds file, line and reason"
        )
    for table in RAW_TABLES:
        listing = {NOT_LOADED_METADATA: MetadataValue.json(not_loaded.to_metadata())} if table == NOT_LOADED_KEY else {}
        yield MaterializeResult(
            asset_key=raw_key(table),
            metadata={
                "row_count": after[table],
                "new_rows": after[table] - before[table],
                "files_seen": len(settled),
                "files_unchanged_since_loaded": unchanged,
                "files_still_changing": len(changing),
                "ingest_seconds": seconds,
                "files_not_loaded_count": not_loaded.total,
                **{f"files_{status}": count for status, count in sorted(files_by_status.items())},
                **listing,
            },
        )


def _complete_files(
    context: AssetExecutionContext, landing_dir: Path, settle_seconds: float
) -> tuple[list[LandingFile], list[LandingFile], str]:
    """(complete files, files still being written, why those are left): the rule the run's SETTLE_TAG names (`ror
    refresh` looks twice, orchestration.landing), else the settle time. Pulled pages are complete at once."""
    rule = context.run.tags.get(SETTLE_TAG)
    files = landing_files(landing_dir)
    if rule == STABILITY_CHECK:
        complete, changing = split_stable(files, landing_dir)
        why = f"still being written (its size or modification time changed during a {STABILITY_CHECK_SECONDS:g} s look)"
    else:
        seconds = settle_seconds if rule is None else float(rule)
        complete, changing = split_settled(files, seconds)
        why = f"still being written (changed less than {seconds:g} s ago)"
    for file in changing:
        context.log.info(f"{file.relative}: {why}: left for a later run")
    return complete, changing, why


def _relative(file: str, landing_dir: Path) -> str:
    """A report's file as the landing folder names it (a refused link is reported by its full path)."""
    path = Path(file)
    return path.relative_to(landing_dir).as_posix() if path.is_absolute() and path.is_relative_to(landing_dir) else file


def _row_counts(con) -> dict[str, int]:
    return {table: con.execute(f"select count(*) from raw.{table}").fetchone()[0] for table in RAW_TABLES}
