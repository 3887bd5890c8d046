"""`ror refresh`, `ror backfill` and `ror demo`: the settings of the command line, checked, then one run of the
refresh job (orchestration.cli.launcher) and its summary (orchestration.cli.summary)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from orchestration.cli.arguments import CONFIG_HELP, add_wait_flag, iso_day
from orchestration.cli.errors import EXIT_OK, UsageError
from orchestration.cli.launcher import run_refresh, writing_the_warehouse
from orchestration.cli.queued import queues_runs, refresh_through_the_queue, run_queued
from orchestration.cli.summary import console, finish, print_nothing_new
from orchestration.landing import STABILITY_CHECK_SECONDS
from orchestration.names import STABILITY_CHECK
from orchestration.refresh_state import record_refresh, refresh_inputs, unchanged_since_last_refresh
from orchestration.settings import DEFAULT_DATA_DIR, Settings
from ror_config import ConfigError, RorConfig, load_config

DEMO_LANDING = DEFAULT_DATA_DIR / "demo" / "landing"


def environment_settings() -> Settings:
    """The environment's settings (orchestration.settings), a malformed variable one line saying which."""
    try:
        return Settings.from_env()
    except ValueError as error:
        raise UsageError(f"{error}\nFix the variable in the environment or .env (.env.example lists them).") from None


def configure(landing: Path | None, warehouse: Path | None, config: Path | None = None) -> Settings:
    """The settings of this command: the environment's, with the command line's paths over them; and the Dagster
    instance's folder made ready."""
    from orchestration.instance import write_instance_config

    settings = environment_settings().with_paths(landing, warehouse, config)
    write_instance_config(settings.dagster_home)
    return settings


def load_configuration(settings: Settings) -> RorConfig:
    """The configuration file named by --config or ROR_CONFIG, validated; none named: no brands."""
    if settings.config_path is None:
        return RorConfig()
    try:
        return load_config(settings.config_path)
    except ConfigError as error:
        raise UsageError(f"{error}\nFix the configuration file (`ror config check FILE` re-checks it).") from None


def preflight(settings: Settings) -> RorConfig:
    """Everything a refresh needs that the user controls, checked before any work starts."""
    config = load_configuration(settings)
    if not settings.landing_dir.is_dir():
        raise UsageError(
            f"The landing folder {settings.landing_dir} does not exist. Put your export files in a folder and pass it "
            "with --landing (or set ROR_LANDING_DIR)."
        )
    return config


def cmd_refresh(args: argparse.Namespace) -> int:
    # A person who has just copied files in: look twice rather than wait out the sensor's settle time.
    settle = STABILITY_CHECK if args.settle_seconds is None else f"{args.settle_seconds:g}"
    settings = configure(args.landing, args.warehouse, args.config)
    preflight(settings)
    started = time.perf_counter()
    # A refresh that names no work (no window, no full refresh, no pull) may find it has nothing to do.
    may_skip = args.partition is None and not args.full_refresh and not args.pull
    if queues_runs(settings):  # a deployment whose runs a dagster-daemon launches from the instance's queue
        return refresh_through_the_queue(settings, args, settle, may_skip, started)
    with writing_the_warehouse(settings, f"ror {args.command}", args.wait):
        inputs = refresh_inputs(settings)
        if may_skip and (last := unchanged_since_last_refresh(settings, inputs)) is not None:
            print_nothing_new(console(), settings, last, time.perf_counter() - started)
            return EXIT_OK
        result, outcome = run_refresh(
            settings, args.partition, args.full_refresh, verbose=args.verbose, pull=args.pull, settle=settle
        )
        if result.success:
            record_refresh(settings, inputs, result.run_id)
    if args.pull:
        from orchestration.assets.extract import pull_report_lines

        print("\n".join(pull_report_lines(result)))
    return finish(settings, result, outcome, started, "Refresh", args.verbose)


def cmd_backfill(args: argparse.Namespace) -> int:
    if args.start > args.end:
        raise UsageError(f"--from {args.start} is after --to {args.end}: give the first day of the range first")
    settings = configure(args.landing, args.warehouse, args.config)
    preflight(settings)
    started = time.perf_counter()
    if queues_runs(settings):
        result, outcome = run_queued(settings, args.start, args.full_refresh, until=args.end, verbose=args.verbose)
    else:
        with writing_the_warehouse(settings, "ror backfill", args.wait):
            result, outcome = run_refresh(settings, args.start, args.full_refresh, until=args.end, verbose=args.verbose)
    return finish(settings, result, outcome, started, f"Backfill {args.start}..{args.end}", args.verbose)


def demo_config_path(landing: Path) -> Path:
    """The demo's configuration file lives beside its landing folder (inside, it would be ingested as an export)."""
    return landing.resolve().parent / "ror.yaml"


def cmd_demo(args: argparse.Namespace) -> int:
    from generators import write_demo_config, write_demo_exports

    landing = args.landing or DEMO_LANDING
    files = write_demo_exports(landing)
    config = write_demo_config(demo_config_path(landing))
    console().print(f"Wrote {len(files)} demo export files to {landing} and their configuration to {config}")
    args.landing = landing
    args.config = config
    args.partition = None
    args.full_refresh = False
    args.settle_seconds = 0  # the demo's files were written completely just now
    args.pull = False
    return cmd_refresh(args)


def add_commands(command) -> None:
    """refresh, backfill and demo (orchestration.cli.parser)."""
    refresh = command(
        "refresh",
        "ingest, enrich, build and publish (the scheduled job)",
        "ror refresh --landing exports/ --config ror.yaml --warehouse data/warehouse/ror.duckdb",
    )
    refresh.add_argument("--landing", type=Path, help="folder of export files (default: $ROR_LANDING_DIR)")
    refresh.add_argument("--warehouse", type=Path, help="serving DuckDB file BI tools read (default: $ROR_WAREHOUSE)")
    refresh.add_argument(
        "--partition",
        type=iso_day,
        help="day whose interactions dbt re-derives, besides every thread with something new "
        "(default: the days from lookback_days before the newest day loaded)",
    )
    refresh.add_argument("--full-refresh", action="store_true", help="rebuild incremental dbt models from scratch")
    refresh.add_argument("--config", type=Path, help=CONFIG_HELP)
    refresh.add_argument("--pull", action="store_true", help="first fetch what is new from the platforms' APIs")
    refresh.add_argument(
        "--settle-seconds",
        type=float,
        help="skip landing files changed more recently than this, as still being copied in; 0 takes every file "
        f"(default: take every file whose size and time stay the same over {STABILITY_CHECK_SECONDS:g} s)",
    )
    add_wait_flag(refresh)
    refresh.set_defaults(func=cmd_refresh)

    backfill = command(
        "backfill",
        "refresh, re-deriving a range of days, as one run (same job as refresh)",
        "ror backfill --from 2026-08-01 --to 2026-08-31 --full-refresh",
    )
    backfill.add_argument("--from", dest="start", required=True, type=iso_day, help="first day, YYYY-MM-DD")
    backfill.add_argument("--to", dest="end", required=True, type=iso_day, help="last day, YYYY-MM-DD")
    backfill.add_argument("--landing", type=Path, help="folder of export files (default: $ROR_LANDING_DIR)")
    backfill.add_argument("--warehouse", type=Path, help="serving DuckDB file (default: $ROR_WAREHOUSE)")
    backfill.add_argument("--full-refresh", action="store_true", help="rebuild incremental dbt models from scratch")
    backfill.add_argument("--config", type=Path, help=CONFIG_HELP)
    add_wait_flag(backfill)
    backfill.set_defaults(func=cmd_backfill)

    demo = command("demo", "write the demo exports and refresh a warehouse from them", "ror demo")
    demo.add_argument("--landing", type=Path, help=f"where to write the demo exports (default: {DEMO_LANDING})")
    demo.add_argument("--warehouse", type=Path, help="serving DuckDB file (default: $ROR_WAREHOUSE)")
    add_wait_flag(demo)
    demo.set_defaults(func=cmd_demo)
