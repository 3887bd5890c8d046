"""`ror ingest`: detect, read and load export files into the working database, or only report (--dry-run)."""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from orchestration.cli.arguments import CONFIG_HELP, add_wait_flag
from orchestration.cli.errors import EXIT_FAILED, EXIT_OK, UserError
from orchestration.cli.launcher import writing_the_warehouse
from orchestration.cli.refresh import configure, environment_settings, load_configuration
from orchestration.settings import STEP_MEMORY_LIMIT, contact_salt


def cmd_ingest(args: argparse.Namespace) -> int:
    paths = [Path(p).resolve() for p in args.paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UserError(f"no such file or folder: {', '.join(missing)}")
    root = Path(args.landing).resolve() if args.landing else Path(os.path.commonpath(paths))
    if root.is_file():
        root = root.parent
    settings = environment_settings().with_paths(config=args.config)
    config = load_configuration(settings)
    from ingest.pipeline import ingest_paths
    from ingest.readers.generic import register_mappings

    register_mappings(config.mappings)  # the configuration's mapping folders, as the refresh's ingest step does
    salt = contact_salt()
    reading = {"workers": settings.ingest_workers, "batch_rows": settings.ingest_batch_rows, "salt": salt}

    if args.dry_run:
        reports = ingest_paths(paths, landing_root=root, con=None, batch_id="dry-run", **reading)
    else:
        from ingest.warehouse import ensure_raw_schema
        from orchestration.duckdb_connection import connect_with_limits

        settings = configure(None, args.warehouse, args.config)
        settings.working_path.parent.mkdir(parents=True, exist_ok=True)
        with writing_the_warehouse(settings, "ror ingest", args.wait):
            limits = settings.duckdb_limits(at_most=STEP_MEMORY_LIMIT)  # as the refresh's ingest step
            with connect_with_limits(settings.working_path, limits) as con:
                ensure_raw_schema(con)
                batch_id = f"cli-{int(time.time())}"
                reports = ingest_paths(paths, landing_root=root, con=con, batch_id=batch_id, **reading)
    for report in reports:
        print(json.dumps(report.to_dict(), default=str))
    # Non-zero when any file could not be taken: scripts and CI notice, the other files were still processed.
    failed = any(r.status in ("failed", "refused", "missing", "unrecognised") for r in reports)
    return EXIT_FAILED if failed else EXIT_OK


def add_command(command) -> None:
    ingest = command(
        "ingest", "detect, read and load export files (or only report with --dry-run)", "ror ingest exports/ --dry-run"
    )
    ingest.add_argument("paths", nargs="+", help="files or folders")
    ingest.add_argument("--dry-run", action="store_true", help="print one JSON report per file, change nothing")
    ingest.add_argument("--landing", help="landing root the paths must stay inside (default: their common folder)")
    ingest.add_argument("--warehouse", type=Path, help="serving DuckDB file whose working database receives the rows")
    ingest.add_argument("--config", type=Path, help=CONFIG_HELP + " (for its mapping folders)")
    add_wait_flag(ingest)
    ingest.set_defaults(func=cmd_ingest)
