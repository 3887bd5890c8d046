"""The `ror` command: refresh the warehouse, run the demo, inspect exports, check a configuration, enrich a file.

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
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

from ingest.generate.command import add_generate_command
from orchestration.settings import DEFAULT_DATA_DIR, Settings
from orchestration.warehouse_lock import LockHolder, WarehouseBusy, warehouse_writer_lock
from ror_config import CONFIG_ENV_VARIABLE, ConfigError, RorConfig, load_config

DEMO_LANDING = DEFAULT_DATA_DIR / "demo" / "landing"
# sysexits' EX_TEMPFAIL: another run holds the warehouse, try again later (or with --wait).
EXIT_WAREHOUSE_BUSY = 75


class UsageError(Exception):
    """A problem the user can fix before any work starts (a missing folder, an invalid configuration file)."""


def _configure(landing: Path | None, warehouse: Path | None, config: Path | None = None) -> Settings:
    """Command-line paths override the environment; everything downstream reads the exported environment."""
    from orchestration.instance import write_instance_config

    if landing is not None:
        os.environ["ROR_LANDING_DIR"] = str(landing)
    if warehouse is not None:
        os.environ["ROR_WAREHOUSE"] = str(warehouse)
    if config is not None:
        os.environ[CONFIG_ENV_VARIABLE] = str(config)
    settings = Settings.from_env()
    settings.export_to_environment()
    write_instance_config(settings.dagster_home)
    return settings


def _load_configuration(settings: Settings) -> RorConfig:
    """The configuration file named by --config or ROR_CONFIG, validated; none named: no brands. Its mapping folders
    join ROR_MAPPINGS_DIR for the readers."""
    if settings.config_path is None:
        return RorConfig()
    try:
        config = load_config(settings.config_path)
    except ConfigError as error:
        raise UsageError(f"{error}\nFix the configuration file (`ror config check FILE` re-checks it).") from None
    if config.mappings:
        known = [folder for folder in os.environ.get("ROR_MAPPINGS_DIR", "").split(os.pathsep) if folder]
        os.environ["ROR_MAPPINGS_DIR"] = os.pathsep.join([*map(str, config.mappings), *known])
    return config


def _preflight(settings: Settings) -> RorConfig:
    """Everything a refresh needs that the user controls, checked before any work starts."""
    config = _load_configuration(settings)
    if not settings.landing_dir.is_dir():
        raise UsageError(
            f"The landing folder {settings.landing_dir} does not exist. Put your export files in a folder and pass it "
            "with --landing (or set ROR_LANDING_DIR)."
        )
    return config


@contextmanager
def writing_the_warehouse(settings: Settings, command: str, wait: bool) -> Iterator[None]:
    """Hold the warehouse's writer lock for the block, or exit at once (EXIT_WAREHOUSE_BUSY) saying who holds it."""
    from dagster import DagsterInstance

    from orchestration.instance import mark_run_abandoned

    def waiting(holder: LockHolder | None) -> None:
        who = holder.describe() if holder else "another process"
        print(f"Waiting: the warehouse {settings.serving_path} is being refreshed by {who}", file=sys.stderr)

    def abandoned(holder: LockHolder) -> None:
        with DagsterInstance.get() as instance:
            if mark_run_abandoned(instance, holder, found_by=command):
                print(f"Marked run {holder.run_id} failed: its process {holder.pid} died mid-run", file=sys.stderr)

    with ExitStack() as stack:
        try:
            stack.enter_context(
                warehouse_writer_lock(
                    settings.working_path, command=command, wait=wait, on_wait=waiting, on_abandoned=abandoned
                )
            )
        except WarehouseBusy as busy:
            who = busy.holder.describe() if busy.holder else "another process"
            print(
                f"ror: the warehouse {settings.serving_path} is being refreshed by {who}; "
                "run the same command with --wait to start when it ends.",
                file=sys.stderr,
            )
            raise SystemExit(EXIT_WAREHOUSE_BUSY) from None
        yield


def run_refresh(
    settings: Settings,
    partition: str | None = None,
    full_refresh: bool = False,
    until: str | None = None,
    verbose: bool = False,
    pull: bool = False,
):
    """Materialize the refresh job on the real Dagster instance: one partition (default: today's), or the range
    ``partition``..``until`` as a single run (the dbt assets' single-run backfill policy). Returns Dagster's result;
    without ``verbose`` the run's log (tracebacks included) stays in the instance, and failures are explained by
    ``explain_failed_run``."""
    from dagster import DagsterInstance
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

    from orchestration.assets.dbt import FULL_REFRESH_TAG
    from orchestration.assets.extract import PULL_TAG
    from orchestration.definitions import defs
    from orchestration.jobs import REFRESH_JOB_NAME
    from orchestration.partitions import daily_partitions

    partition_key = partition or daily_partitions.get_last_partition_key()
    tags = {FULL_REFRESH_TAG: "true"} if full_refresh else {}
    tags[PULL_TAG] = "true" if pull else "false"
    if until is not None:
        tags |= {ASSET_PARTITION_RANGE_START_TAG: partition_key, ASSET_PARTITION_RANGE_END_TAG: until}
        partition_key = None
    run_config = {} if verbose else {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
    with DagsterInstance.get() as instance:
        return defs.resolve_job_def(REFRESH_JOB_NAME).execute_in_process(
            instance=instance, partition_key=partition_key, tags=tags, raise_on_error=False, run_config=run_config
        )


def explain_failed_run(result, verbose: bool) -> str:
    """What failed, in a few lines: failed blocking checks with their explanation, failed steps with theirs."""
    from orchestration.failures import explain_row_accounting

    lines = []
    # dbt tests' failures are explained, with their rows, by the dbt step's failure below.
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed and evaluation.check_name == "raw_row_accounting":
            metadata = {key: value.value for key, value in evaluation.metadata.items()}
            lines.append(explain_row_accounting(metadata))
    for event in result.all_events:
        if not event.is_step_failure:
            continue
        failure = event.step_failure_data
        description = failure.user_failure_data.description if failure.user_failure_data else None
        lines.append(description or f"Step {event.step_key} failed: {failure.error.message.strip()}")
        if verbose and failure.error is not None:
            lines.append(failure.error.to_string())
    if not lines:
        lines.append("The refresh failed: run it again with --verbose to see the whole log.")
    return "\n".join(lines)


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
    if args.settle_seconds is not None:
        os.environ["ROR_SETTLE_SECONDS"] = str(args.settle_seconds)
    settings = _configure(args.landing, args.warehouse, args.config)
    _preflight(settings)
    started = time.perf_counter()
    with writing_the_warehouse(settings, f"ror {args.command}", args.wait):
        result = run_refresh(settings, args.partition, args.full_refresh, verbose=args.verbose, pull=args.pull)
    if args.pull:
        from orchestration.assets.extract import pull_report_lines

        print("\n".join(pull_report_lines(result)))
    if result.success:
        print_summary(settings)
    else:
        print(explain_failed_run(result, args.verbose), file=sys.stderr)
    print(f"{'Refresh succeeded' if result.success else 'Refresh FAILED'} in {time.perf_counter() - started:.0f} s")
    return 0 if result.success else 1


def cmd_backfill(args: argparse.Namespace) -> int:
    settings = _configure(args.landing, args.warehouse, args.config)
    _preflight(settings)
    with writing_the_warehouse(settings, "ror backfill", args.wait):
        result = run_refresh(settings, args.start, args.full_refresh, until=args.end, verbose=args.verbose)
    if result.success:
        print_summary(settings)
    else:
        print(explain_failed_run(result, args.verbose), file=sys.stderr)
    print(f"Backfill {args.start}..{args.end} {'succeeded' if result.success else 'FAILED'}")
    return 0 if result.success else 1


def cmd_config_check(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.file)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 1
    accounts = sum(len(brand.accounts) for brand in config.brands)
    print(f"OK: {args.file}: {len(config.brands)} brands, {accounts} accounts, {len(config.mappings)} mapping folders")
    return 0


def demo_config_path(landing: Path) -> Path:
    """The demo's configuration file lives beside its landing folder (inside, it would be ingested as an export)."""
    return landing.resolve().parent / "ror.yaml"


def cmd_demo(args: argparse.Namespace) -> int:
    from ingest.demo import write_demo_config, write_demo_exports

    landing = args.landing or DEMO_LANDING
    files = write_demo_exports(landing)
    config = write_demo_config(demo_config_path(landing))
    print(f"Wrote {len(files)} demo export files to {landing} and their configuration to {config}")
    args.landing = landing
    args.config = config
    args.partition = None
    args.full_refresh = False
    args.settle_seconds = 0  # the demo's files were written completely just now
    args.pull = False
    return cmd_refresh(args)


def cmd_ingest(args: argparse.Namespace) -> int:
    paths = [Path(p).resolve() for p in args.paths]
    root = Path(args.landing).resolve() if args.landing else Path(os.path.commonpath(paths))
    if root.is_file():
        root = root.parent
    settings = Settings.from_env()
    if args.config is not None:
        settings = replace(settings, config_path=args.config.resolve())
    _load_configuration(settings)  # its mapping folders, before the readers load the mappings
    from ingest.pipeline import ingest_paths

    if args.dry_run:
        reports = ingest_paths(paths, landing_root=root, con=None, batch_id="dry-run")
    else:
        import duckdb

        from ingest.warehouse import ensure_raw_schema

        settings = _configure(None, args.warehouse, args.config)
        settings.working_path.parent.mkdir(parents=True, exist_ok=True)
        with writing_the_warehouse(settings, "ror ingest", args.wait):
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


CONFIG_HELP = f"configuration file: brands, accounts, campaigns, vars (default: ${CONFIG_ENV_VARIABLE}; none: no brand)"


def _add_wait_flag(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--wait",
        action="store_true",
        help="if another run is writing the warehouse, wait for it to end (default: stop at once, saying which run)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ror", description="Return on Relationship warehouse.")
    commands = parser.add_subparsers(dest="command", required=True)

    refresh = commands.add_parser("refresh", help="ingest, enrich, build and publish (the scheduled job)")
    refresh.add_argument("--landing", type=Path, help="folder of export files (default: $ROR_LANDING_DIR)")
    refresh.add_argument("--warehouse", type=Path, help="serving DuckDB file BI tools read (default: $ROR_WAREHOUSE)")
    refresh.add_argument("--partition", type=_iso_day, help="day (default: today)")
    refresh.add_argument("--full-refresh", action="store_true", help="rebuild incremental dbt models from scratch")
    refresh.add_argument("--config", type=Path, help=CONFIG_HELP)
    refresh.add_argument("--verbose", action="store_true", help="show the run's log and tracebacks")
    refresh.add_argument("--pull", action="store_true", help="first fetch what is new from the platforms' APIs")
    refresh.add_argument(
        "--settle-seconds",
        type=float,
        help="skip landing files changed more recently than this, as still being copied in "
        "(default: $ROR_SETTLE_SECONDS or 60; 0 takes every file)",
    )
    _add_wait_flag(refresh)
    refresh.set_defaults(func=cmd_refresh)

    backfill = commands.add_parser("backfill", help="refresh a range of days as one run (same job as refresh)")
    backfill.add_argument("--from", dest="start", required=True, type=_iso_day, help="first day, YYYY-MM-DD")
    backfill.add_argument("--to", dest="end", required=True, type=_iso_day, help="last day, YYYY-MM-DD")
    backfill.add_argument("--landing", type=Path, help="folder of export files (default: $ROR_LANDING_DIR)")
    backfill.add_argument("--warehouse", type=Path, help="serving DuckDB file (default: $ROR_WAREHOUSE)")
    backfill.add_argument("--full-refresh", action="store_true", help="rebuild incremental dbt models from scratch")
    backfill.add_argument("--config", type=Path, help=CONFIG_HELP)
    backfill.add_argument("--verbose", action="store_true", help="show the run's log and tracebacks")
    _add_wait_flag(backfill)
    backfill.set_defaults(func=cmd_backfill)

    demo = commands.add_parser("demo", help="write the demo exports and refresh a warehouse from them")
    demo.add_argument("--landing", type=Path, help=f"where to write the demo exports (default: {DEMO_LANDING})")
    demo.add_argument("--warehouse", type=Path, help="serving DuckDB file (default: $ROR_WAREHOUSE)")
    demo.add_argument("--verbose", action="store_true", help="show the run's log and tracebacks")
    _add_wait_flag(demo)
    demo.set_defaults(func=cmd_demo)

    ingest = commands.add_parser("ingest", help="detect, read and load export files (or only report with --dry-run)")
    ingest.add_argument("paths", nargs="+", help="files or folders")
    ingest.add_argument("--dry-run", action="store_true", help="print one JSON report per file, change nothing")
    ingest.add_argument("--landing", help="landing root the paths must stay inside (default: their common folder)")
    ingest.add_argument("--warehouse", type=Path, help="serving DuckDB file whose working database receives the rows")
    ingest.add_argument("--config", type=Path, help=CONFIG_HELP + " (for its mapping folders)")
    _add_wait_flag(ingest)
    ingest.set_defaults(func=cmd_ingest)

    config = commands.add_parser("config", help="the configuration file (brands, accounts, campaigns, vars)")
    config_commands = config.add_subparsers(dest="config_command", required=True)
    check = config_commands.add_parser("check", help="validate a configuration file: OK, or every problem by line")
    check.add_argument("file", type=Path)
    check.set_defaults(func=cmd_config_check)

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
    try:
        return args.func(args)
    except UsageError as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
