"""Raw layer: every export file in the landing folder, detected, read and appended to raw.* (idempotently)."""

import json
import time

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    BackfillPolicy,
    Failure,
    MaterializeResult,
    multi_asset,
)

from ingest.pipeline import ingest_paths
from ingest.readers.generic import register_mappings
from ingest.schema import ENTITIES
from ingest.warehouse import ensure_raw_schema
from orchestration.assets.extract import EXTRACT_KEYS
from orchestration.landing import landing_files, split_settled
from orchestration.partitions import daily_partitions
from orchestration.progress import progress_line
from orchestration.resources import ConfigFileResource, LandingResource, WarehouseResource

RAW_TABLES = (*ENTITIES, "quarantine", "file_manifest")


def raw_key(table: str) -> AssetKey:
    return AssetKey(["raw", table])


@multi_asset(
    name="raw_exports",
    specs=[
        AssetSpec(
            raw_key(table),
            group_name="raw",
            kinds={"duckdb", "polars"},
            description=f"raw.{table}: append-only rows landed from export files (see ingest/schema.py).",
            skippable=True,
            deps=EXTRACT_KEYS,  # what the extractors pulled is ingested in the same run
        )
        for table in RAW_TABLES
    ],
    partitions_def=daily_partitions,
    can_subset=False,
    backfill_policy=BackfillPolicy.single_run(),
)
def raw_exports(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    landing: LandingResource,
    ror_config: ConfigFileResource,
):
    """Ingest every settled file under the landing folder. Files already loaded (same sha256) are skipped, records
    already present (same record hash) are not inserted again, so re-running any partition is idempotent."""
    if not landing.path.is_dir():
        raise Failure(
            description=f"The landing folder {landing.path} does not exist: create it and deliver exports there, or "
            "point ROR_LANDING_DIR (`ror refresh --landing`) at the folder that holds them."
        )
    # The configuration's mapping folders, for runs launched from the UI, the schedule or the sensor as from `ror`.
    register_mappings(ror_config.load().mappings)
    # Pulled pages are renamed into place whole (extract.landing): they count as settled at once.
    settled, changing = split_settled(landing_files(landing.path), landing.settle_seconds)
    for file in changing:
        context.log.info(f"{file.relative} changed less than {landing.settle_seconds:g} s ago: left for a later run")
    started = time.perf_counter()
    done: list[str] = []

    def file_done(report) -> None:
        done.append(report.file)
        context.log.info(progress_line("ingest", len(done), max(len(settled), len(done)), "files"))

    with warehouse.connect() as con:
        ensure_raw_schema(con)
        before = _row_counts(con)
        paths = [file.path for file in settled]
        reports = ingest_paths(paths, landing_root=landing.path, con=con, batch_id=context.run_id, on_file=file_done)
        after = _row_counts(con)
    seconds = round(time.perf_counter() - started, 2)
    for report in reports:
        line = report.to_dict()
        log = context.log.warning if line["status"] in ("unrecognised", "failed", "refused") else context.log.info
        log(json.dumps(line, default=str))  # one JSON object per file: greppable, parseable
    files_by_status: dict[str, int] = {}
    for report in reports:
        files_by_status[report.status] = files_by_status.get(report.status, 0) + 1
    for table in RAW_TABLES:
        yield MaterializeResult(
            asset_key=raw_key(table),
            metadata={
                "row_count": after[table],
                "new_rows": after[table] - before[table],
                "files_seen": len(reports),
                "files_still_changing": len(changing),
                "ingest_seconds": seconds,
                **{f"files_{status}": count for status, count in sorted(files_by_status.items())},
            },
        )


def _row_counts(con) -> dict[str, int]:
    return {table: con.execute(f"select count(*) from raw.{table}").fetchone()[0] for table in RAW_TABLES}
