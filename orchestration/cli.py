"""The `ror` command: refresh the warehouse, run the demo, inspect exports, enrich a file.

`ror refresh` and `ror demo` materialize the same Dagster job the daily schedule runs, on the Dagster instance under
DAGSTER_HOME, so every run shows up in the UI with its metadata and checks.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from datetime import date
from pathlib import Path

from ingest.generate.command import add_generate_command
from orchestration.settings import DEFAULT_DATA_DIR, Settings

DEMO_LANDING = DEFAULT_DATA_DIR / "demo" / "landing"


def _configure(landing: Path | None, warehouse: Path | None) -> Settings:
    """Command-line paths override the environment; everything downstream reads the exported environment."""
    if landing is not None:
        os.environ["ROR_LANDING_DIR"] = str(landing)
    if warehouse is not None:
        os.environ["ROR_WAREHOUSE"] = str(warehouse)
    settings = Settings.from_env()
    settings.export_to_environment()
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    instance_config = settings.dagster_home / "dagster.yaml"
    if not instance_config.exists():
        instance_config.write_text("telemetry:\n  enabled: false\n")
    return settings


def run_refresh(
    settings: Settings, partition: str | None = None, full_refresh: bool = False, until: str | None = None
) -> bool:
    """Materialize the refresh job on the real Dagster instance: one partition (default: today's), or the range
    ``partition``..``until`` as a single run (the dbt assets' single-run backfill policy)."""
    from dagster import DagsterInstance
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

    from orchestration.assets.dbt import FULL_REFRESH_TAG
    from orchestration.definitions import defs
    from orchestration.jobs import REFRESH_JOB_NAME
    from orchestration.partitions import daily_partitions

    partition_key = partition or daily_partitions.get_last_partition_key()
    tags = {FULL_REFRESH_TAG: "true"} if full_refresh else {}
    if until is not None:
        tags |= {ASSET_PARTITION_RANGE_START_TAG: partition_key, ASSET_PARTITION_RANGE_END_TAG: until}
        partition_key = None
    with DagsterInstance.get() as instance:
        result = defs.resolve_job_def(REFRESH_JOB_NAME).execute_in_process(
            instance=instance, partition_key=partition_key, tags=tags, raise_on_error=False
        )
    return result.success


def print_summary(settings: Settings) -> None:
    import duckdb

    if not settings.serving_path.exists():
        print("No serving warehouse was published.", file=sys.stderr)
        return
    with duckdb.connect(str(settings.serving_path), read_only=True) as con:
        rows = con.execute(
            "select table_name, row_count, refresh_id from marts.refresh_log order by table_name"
        ).fetchall()
    print(f"\nServing warehouse: {settings.serving_path}")
    print(f"Working database:  {settings.working_path}")
    print(f"Refresh id:        {rows[0][2] if rows else '-'}")
    width = max((len(name) for name, _, _ in rows), default=10)
    for name, count, _ in rows:
        print(f"  marts.{name:<{width}}  {count:>8} rows")


def cmd_refresh(args: argparse.Namespace) -> int:
    settings = _configure(args.landing, args.warehouse)
    started = time.perf_counter()
    ok = run_refresh(settings, args.partition, args.full_refresh)
    print_summary(settings)
    print(f"{'Refresh succeeded' if ok else 'Refresh FAILED'} in {time.perf_counter() - started:.0f} s")
    return 0 if ok else 1


def cmd_backfill(args: argparse.Namespace) -> int:
    settings = _configure(args.landing, args.warehouse)
    ok = run_refresh(settings, args.start, args.full_refresh, until=args.end)
    print_summary(settings)
    print(f"Backfill {args.start}..{args.end} {'succeeded' if ok else 'FAILED'}")
    return 0 if ok else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from ingest.demo import write_demo_exports

    landing = args.landing or DEMO_LANDING
    files = write_demo_exports(landing)
    print(f"Wrote {len(files)} demo export files to {landing}")
    args.landing = landing
    args.partition = None
    args.full_refresh = False
    return cmd_refresh(args)


def cmd_ingest(args: argparse.Namespace) -> int:
    from ingest.pipeline import ingest_paths

    paths = [Path(p).resolve() for p in args.paths]
    root = Path(args.landing).resolve() if args.landing else Path(os.path.commonpath(paths))
    if root.is_file():
        root = root.parent
    if args.dry_run:
        reports = ingest_paths(paths, landing_root=root, con=None, batch_id="dry-run")
    else:
        import duckdb

        from ingest.warehouse import ensure_raw_schema

        settings = _configure(None, args.warehouse)
        settings.working_path.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(settings.working_path)) as con:
            ensure_raw_schema(con)
            reports = ingest_paths(paths, landing_root=root, con=con, batch_id=f"cli-{int(time.time())}")
    for report in reports:
        print(json.dumps(report.to_dict(), default=str))
    # Non-zero when any file could not be taken: scripts and CI notice, the other files were still processed.
    return 1 if any(r.status in ("failed", "refused", "missing", "unrecognised") for r in reports) else 0


def cmd_enrich(args: argparse.Namespace) -> int:
    from models.enrich_file import enrich_file

    enrich_file(Path(args.input), args.text_column, Path(args.output), progress=not args.quiet)
    print(f"Wrote {args.output}")
    return 0


def _iso_day(value: str) -> str:
    return date.fromisoformat(value).isoformat()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ror", description="Return on Relationship warehouse.")
    commands = parser.add_subparsers(dest="command", required=True)

    refresh = commands.add_parser("refresh", help="ingest, enrich, build and publish (the scheduled job)")
    refresh.add_argument("--landing", type=Path, help="folder of export files (default: $ROR_LANDING_DIR)")
    refresh.add_argument("--warehouse", type=Path, help="serving DuckDB file BI tools read (default: $ROR_WAREHOUSE)")
    refresh.add_argument("--partition", type=_iso_day, help="day (default: today)")
    refresh.add_argument("--full-refresh", action="store_true", help="rebuild incremental dbt models from scratch")
    refresh.set_defaults(func=cmd_refresh)

    backfill = commands.add_parser("backfill", help="refresh a range of days as one run (same job as refresh)")
    backfill.add_argument("--from", dest="start", required=True, type=_iso_day, help="first day, YYYY-MM-DD")
    backfill.add_argument("--to", dest="end", required=True, type=_iso_day, help="last day, YYYY-MM-DD")
    backfill.add_argument("--landing", type=Path, help="folder of export files (default: $ROR_LANDING_DIR)")
    backfill.add_argument("--warehouse", type=Path, help="serving DuckDB file (default: $ROR_WAREHOUSE)")
    backfill.add_argument("--full-refresh", action="store_true", help="rebuild incremental dbt models from scratch")
    backfill.set_defaults(func=cmd_backfill)

    demo = commands.add_parser("demo", help="write the demo exports and refresh a warehouse from them")
    demo.add_argument("--landing", type=Path, help=f"where to write the demo exports (default: {DEMO_LANDING})")
    demo.add_argument("--warehouse", type=Path, help="serving DuckDB file (default: $ROR_WAREHOUSE)")
    demo.set_defaults(func=cmd_demo)

    ingest = commands.add_parser("ingest", help="detect, read and load export files (or only report with --dry-run)")
    ingest.add_argument("paths", nargs="+", help="files or folders")
    ingest.add_argument("--dry-run", action="store_true", help="print one JSON report per file, change nothing")
    ingest.add_argument("--landing", help="landing root the paths must stay inside (default: their common folder)")
    ingest.add_argument("--warehouse", type=Path, help="serving DuckDB file whose working database receives the rows")
    ingest.set_defaults(func=cmd_ingest)

    enrich = commands.add_parser("enrich", help="add sentiment, emotion and intent columns to any file's text column")
    enrich.add_argument("--input", required=True, help="CSV, JSONL or Parquet file")
    enrich.add_argument("--text-column", required=True)
    enrich.add_argument("--output", required=True, help="Parquet file to write")
    enrich.add_argument("--quiet", action="store_true", help="no progress bar")
    enrich.set_defaults(func=cmd_enrich)

    add_generate_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
