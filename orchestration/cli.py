"""The `ror` command: refresh the warehouse, run the demo, inspect exports, check a configuration, enrich a file,
write the report.

`ror refresh` and `ror demo` materialize the same Dagster job the daily schedule runs, on the Dagster instance under
DAGSTER_HOME, so every run shows up in the UI with its metadata and checks. The settings are read once, here: the
environment (orchestration.settings), overridden by the command's arguments, into one Settings value that builds the
definitions; nothing is written to the environment. Quiet by default (progress bars and a
summary); --verbose prints Dagster's full log and a traceback for unexpected errors.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path

from ingest.generate.command import add_generate_command
from orchestration.landing import STABILITY_CHECK_SECONDS
from orchestration.names import FULL_REFRESH_TAG, INVOCATION_TAG, PULL_TAG, SETTLE_TAG, STABILITY_CHECK
from orchestration.settings import DEFAULT_DATA_DIR, Settings
from orchestration.warehouse_lock import LockHolder, WarehouseBusy, warehouse_writer_lock
from ror_config import CONFIG_ENV_VARIABLE, ConfigError, ConfigFileMissing, RorConfig, load_config

DEMO_LANDING = DEFAULT_DATA_DIR / "demo" / "landing"
# How often the progress bars look for the run's new events.
FOLLOW_EVERY_SECONDS = 0.25
# sysexits' EX_TEMPFAIL: another run holds the warehouse, try again later (or with --wait).
EXIT_WAREHOUSE_BUSY = 75


# Exit codes (also in every command's --help).
EXIT_OK = 0
EXIT_FAILED = 1  # the run (or a file, a step, a blocking check) failed
EXIT_USAGE = 2  # cannot start: wrong arguments, invalid configuration, missing landing folder, unwritable path
EXIT_INPUT = 3  # input not usable: missing file, unknown column or brand, no warehouse yet
EXIT_INTERRUPTED = 130

EXIT_CODES = f"""exit codes:
  {EXIT_OK}    success
  {EXIT_FAILED}    the run failed (a step or a blocking check, a full disk), or a landing file was not loaded (failed,
       unrecognised, refused, or still being written: the summary names each)
  {EXIT_USAGE}    the command cannot start: wrong arguments (unknown option, malformed or reversed dates), an invalid
       configuration file, a missing landing folder, a path that cannot be written (permissions, a file in the way)
  {EXIT_INPUT}    input not usable: a missing file, an unknown column or brand, no warehouse yet
  {EXIT_WAREHOUSE_BUSY}   another run is writing the warehouse (run the same command with --wait)
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)
"""


class UserError(Exception):
    """A problem the person running `ror` can fix: printed as one or two lines, never as a traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_INPUT):
        super().__init__(message)
        self.exit_code = exit_code


class UsageError(UserError):
    """A problem the user can fix before any work starts (a missing folder, an invalid configuration file)."""

    def __init__(self, message: str):
        super().__init__(message, EXIT_USAGE)


def _configure(
    landing: Path | None, warehouse: Path | None, config: Path | None = None, settle_seconds: float | None = None
) -> Settings:
    """The settings of this command: the environment's, with the command line's paths over them; and the Dagster
    instance's folder made ready."""
    from orchestration.instance import write_instance_config

    settings = Settings.from_env().with_paths(landing, warehouse, config, settle_seconds)
    write_instance_config(settings.dagster_home)
    return settings


def _load_configuration(settings: Settings) -> RorConfig:
    """The configuration file named by --config or ROR_CONFIG, validated; none named: no brands."""
    if settings.config_path is None:
        return RorConfig()
    try:
        return load_config(settings.config_path)
    except ConfigError as error:
        raise UsageError(f"{error}\nFix the configuration file (`ror config check FILE` re-checks it).") from None


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
        with DagsterInstance.from_config(str(settings.dagster_home)) as instance:
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
    settle: str = STABILITY_CHECK,
):
    """Materialize the refresh job on the real Dagster instance: one partition (default: today's), or the range
    ``partition``..``until`` as a single run (the dbt assets' single-run backfill policy). ``settle`` is the rule the
    ingest step tells complete landing files by (orchestration.landing): a look twice, or a number of seconds.

    Returns (Dagster's result, outcome). Without ``verbose`` the run's log (tracebacks included) stays in the instance,
    a progress bar per stage follows the run's events and ``outcome`` tallies its checks (None when verbose); failures
    are explained by ``explain_failed_run``."""
    if verbose:
        return _execute(settings, partition, full_refresh, until, pull, settle, progress=None), None
    from orchestration.console import RunProgress

    # dbt's parse at load time and dagster-dbt print dbt's plain-text lines to stdout: a quiet run drops them (dbt's
    # log files and the run's events keep everything) while the bars write to the terminal's stdout directly.
    with RunProgress(_console()) as progress, open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        with _worker_output_dropped():
            result = _execute(settings, partition, full_refresh, until, pull, settle, progress=progress)
    return result, progress.outcome


@contextmanager
def _worker_output_dropped() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null for the block: step processes (more than one worker) inherit it, and
    their Dagster log and import warnings would print over the bars. The run's events keep everything."""
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(null)
        os.close(saved)


def _execute(
    settings: Settings, partition: str | None, full_refresh: bool, until: str | None, pull: bool, settle: str, progress
):
    from dagster import DagsterInstance, build_reconstructable_job, execute_job

    from orchestration.dagster_private import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
        PARTITION_NAME_TAG,
    )
    from orchestration.partitions import daily_partitions_for

    partition_key = partition or daily_partitions_for(settings.partitions_start).get_last_partition_key()
    tags = {FULL_REFRESH_TAG: "true"} if full_refresh else {}
    tags[PULL_TAG] = "true" if pull else "false"
    tags[SETTLE_TAG] = settle
    if until is not None:
        tags |= {ASSET_PARTITION_RANGE_START_TAG: partition_key, ASSET_PARTITION_RANGE_END_TAG: until}
    else:
        tags[PARTITION_NAME_TAG] = partition_key
    # The worker count travels in the run's config, which Dagster stores with the run: the executor and the
    # enrichment's bucket split read it there (orchestration.executor.run_workers).
    run_config: dict = {"execution": {"config": {"workers": settings.enrich_workers}}}
    if progress is not None:
        run_config["loggers"] = {"console": {"config": {"log_level": "CRITICAL"}}}
    # Through execute_job, not execute_in_process: the job's own executor runs it, in worker processes when the run
    # has more than one worker (orchestration/executor.py); they build the same job from the same settings. Their
    # events reach the bars from the instance's event log.
    job = build_reconstructable_job(
        "orchestration.build", "refresh_job_for", reconstructable_args=(settings.to_json(),)
    )
    with (
        DagsterInstance.from_config(str(settings.dagster_home)) as instance,
        _following(instance, progress, tags) as tags,
    ):
        with execute_job(job, instance, run_config=run_config, tags=tags) as result:
            return result


@contextmanager
def _following(instance, progress, tags: dict[str, str]) -> Iterator[dict[str, str]]:
    """Feed ``progress`` the events of the run started with the returned tags, from every process, while it runs."""
    if progress is None:
        yield tags
        return
    import threading
    import uuid

    from dagster import RunsFilter

    marker = {INVOCATION_TAG: uuid.uuid4().hex}
    finished = threading.Event()

    def follow() -> None:
        run_id, cursor = None, None
        while True:
            last_pass = finished.is_set()
            if run_id is None:
                runs = instance.get_run_records(RunsFilter(tags=marker), limit=1)
                run_id = runs[0].dagster_run.run_id if runs else None
            if run_id is not None:
                connection = instance.get_records_for_run(run_id, cursor=cursor)
                for record in connection.records:
                    progress.listen(record.event_log_entry)
                cursor = connection.cursor
                if connection.has_more:
                    continue
            if last_pass:
                return
            finished.wait(FOLLOW_EVERY_SECONDS)

    follower = threading.Thread(target=follow, name="ror-progress", daemon=True)
    follower.start()
    try:
        yield tags | marker
    finally:
        finished.set()
        follower.join()


def _error_chain(error) -> list:
    """A step's serialized error and every cause and context under it, outermost first."""
    chain = []
    while error is not None and len(chain) < 20:
        chain.append(error)
        error = error.cause or error.context
    return chain


def explain_step_error(step_key: str, error) -> str:
    """One line for a step's error: a file-system cause in the project's words (the path and what to do), else the
    innermost error (Dagster wraps the one raised by the step's own code)."""
    from orchestration.failures import file_system_cause

    chain = _error_chain(error)
    for link in chain:
        if cause := file_system_cause(link.message):
            return f"Step {step_key} failed: {cause[1]}"
    innermost = chain[-1] if chain else None
    first_line = (innermost.message.strip().splitlines() or [""])[0] if innermost else "no error recorded"
    return f"Step {step_key} failed: {first_line}"


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
        lines.append(description or explain_step_error(event.step_key, failure.error))
        if verbose and failure.error is not None:
            lines.append(failure.error.to_string())
    if not lines:
        lines.append("The refresh failed: run it again with --verbose to see the whole log.")
    return "\n".join(lines)


def _console():
    from rich.console import Console

    return Console(highlight=False, file=sys.stdout)


def files_not_loaded(result):
    """The landing files the run's ingest step did not load, from its metadata; None when it did not run."""
    from orchestration.assets.ingest import NOT_LOADED_KEY, NOT_LOADED_METADATA, raw_key
    from orchestration.failures import FilesNotLoaded

    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if materialization.asset_key == raw_key(NOT_LOADED_KEY) and NOT_LOADED_METADATA in materialization.metadata:
            return FilesNotLoaded.from_metadata(materialization.metadata[NOT_LOADED_METADATA].value)
    return None


def _finish(settings: Settings, result, outcome, started: float, what: str, verbose: bool) -> int:
    """The closing screen: the summary (with every file not loaded), and on failure what failed (on stderr). Exit
    status: EXIT_FAILED when the run failed or a landing file was not loaded."""
    from orchestration.assets.report import report_dir_for
    from orchestration.console import print_summary

    if not result.success:
        print(explain_failed_run(result, verbose), file=sys.stderr)
    not_loaded = files_not_loaded(result)
    report_dir = report_dir_for(settings.serving_path)
    reports = sorted(report_dir.glob("ror-report-*.html")) if result.success and report_dir.is_dir() else []
    print_summary(
        _console(),
        ok=result.success,
        seconds=time.perf_counter() - started,
        serving_path=settings.serving_path,
        working_path=settings.working_path,
        outcome=outcome,
        reports=reports,
        what=what,
        not_loaded=not_loaded,
        brands_named=settings.config_path is not None,
    )
    return EXIT_OK if result.success and not (not_loaded and not_loaded.total) else EXIT_FAILED


def cmd_refresh(args: argparse.Namespace) -> int:
    # A person who has just copied files in: look twice rather than wait out the sensor's settle time.
    settle = STABILITY_CHECK if args.settle_seconds is None else f"{args.settle_seconds:g}"
    settings = _configure(args.landing, args.warehouse, args.config)
    _preflight(settings)
    started = time.perf_counter()
    with writing_the_warehouse(settings, f"ror {args.command}", args.wait):
        result, outcome = run_refresh(
            settings, args.partition, args.full_refresh, verbose=args.verbose, pull=args.pull, settle=settle
        )
    if args.pull:
        from orchestration.assets.extract import pull_report_lines

        print("\n".join(pull_report_lines(result)))
    return _finish(settings, result, outcome, started, "Refresh", args.verbose)


def cmd_backfill(args: argparse.Namespace) -> int:
    if args.start > args.end:
        raise UsageError(f"--from {args.start} is after --to {args.end}: give the first day of the range first")
    settings = _configure(args.landing, args.warehouse, args.config)
    _preflight(settings)
    started = time.perf_counter()
    with writing_the_warehouse(settings, "ror backfill", args.wait):
        result, outcome = run_refresh(settings, args.start, args.full_refresh, until=args.end, verbose=args.verbose)
    return _finish(settings, result, outcome, started, f"Backfill {args.start}..{args.end}", args.verbose)


def cmd_config_check(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.file)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_INPUT if isinstance(error, ConfigFileMissing) else EXIT_USAGE
    accounts = sum(len(brand.accounts) for brand in config.brands)
    print(f"OK: {args.file}: {len(config.brands)} brands, {accounts} accounts, {len(config.mappings)} mapping folders")
    if args.landing is not None:
        if not args.landing.is_dir():
            raise UsageError(f"no landing folder {args.landing}: give the folder the exports land in")
        from ror_config.landing_scan import landing_report  # loads the readers: never at import, before --config

        print(landing_report(config, args.landing))
    return EXIT_OK


def demo_config_path(landing: Path) -> Path:
    """The demo's configuration file lives beside its landing folder (inside, it would be ingested as an export)."""
    return landing.resolve().parent / "ror.yaml"


def cmd_demo(args: argparse.Namespace) -> int:
    from ingest.demo import write_demo_config, write_demo_exports

    landing = args.landing or DEMO_LANDING
    files = write_demo_exports(landing)
    config = write_demo_config(demo_config_path(landing))
    _console().print(f"Wrote {len(files)} demo export files to {landing} and their configuration to {config}")
    args.landing = landing
    args.config = config
    args.partition = None
    args.full_refresh = False
    args.settle_seconds = 0  # the demo's files were written completely just now
    args.pull = False
    return cmd_refresh(args)


def cmd_ingest(args: argparse.Namespace) -> int:
    paths = [Path(p).resolve() for p in args.paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UserError(f"no such file or folder: {', '.join(missing)}")
    root = Path(args.landing).resolve() if args.landing else Path(os.path.commonpath(paths))
    if root.is_file():
        root = root.parent
    settings = Settings.from_env().with_paths(config=args.config)
    config = _load_configuration(settings)
    from ingest.pipeline import ingest_paths
    from ingest.readers.generic import register_mappings

    register_mappings(config.mappings)  # the configuration's mapping folders, as the refresh's ingest step does

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
    failed = any(r.status in ("failed", "refused", "missing", "unrecognised") for r in reports)
    return EXIT_FAILED if failed else EXIT_OK


def cmd_enrich(args: argparse.Namespace) -> int:
    from models.enrich_file import enrich_file

    source = Path(args.input)
    if not source.is_file():
        raise UserError(f"no such file: {source} (give a CSV, JSONL or Parquet file with --input)")
    try:
        enrich_file(source, args.text_column, Path(args.output), progress=not args.quiet)
    except ValueError as error:  # wrong column, unsupported format, clashing columns: the message says which
        raise UserError(str(error)) from error
    print(f"Wrote {args.output}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from report import EmptyWarehouseError, Period, UnknownBrandError, write_reports

    warehouse = args.warehouse or Settings.from_env().serving_path
    if not warehouse.is_file():
        raise UserError(f"no warehouse at {warehouse}: run `ror refresh` (or `make demo`) first, or pass --warehouse")
    if (args.start is None) != (args.end is None):
        raise UsageError("give both --from and --to, or neither (default: the latest six weeks)")
    period = None
    if args.start is not None:
        if args.start > args.end:
            raise UsageError(f"--from {args.start} is after --to {args.end}: give the first day first")
        period = Period(date.fromisoformat(args.start), date.fromisoformat(args.end))
    try:
        reports = write_reports(warehouse, args.out, brand=args.brand, period=period)
    except (UnknownBrandError, EmptyWarehouseError) as error:
        raise UserError(str(error)) from error
    if not reports:
        raise UserError(
            f"no brand in {warehouse} has data to report on: name your brands in the configuration file "
            "(README, 'Your own data') and refresh"
        )
    for written in reports:
        print(f"{written.path}  ({written.brand}: {written.charts_drawn} charts, {written.charts_empty} without data)")
    return EXIT_OK


def cmd_evaluate(args: argparse.Namespace) -> int:
    from models.evaluate import main as evaluate_main
    from models.training.data import missing_tweeteval

    if message := missing_tweeteval():
        raise UserError(message)
    return evaluate_main(["--output", str(args.output)] if args.output else [])


def _iso_day(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a day: write it as YYYY-MM-DD") from None


def _examples(*lines: str) -> str:
    return "example:\n" + "\n".join(f"  {line}" for line in lines)


CONFIG_HELP = f"configuration file: brands, accounts, campaigns, vars (default: ${CONFIG_ENV_VARIABLE}; none: no brand)"


def _add_wait_flag(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--wait",
        action="store_true",
        help="if another run is writing the warehouse, wait for it to end (default: stop at once, saying which run)",
    )


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", help="the run's full log; tracebacks on errors")
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="ror",
        description="Return on Relationship warehouse.",
        formatter_class=formatter,
        epilog=_examples(
            "ror demo",
            "ror refresh --landing exports/ --config ror.yaml --warehouse ror.duckdb",
            "ror report --out reports/",
        )
        + "\n\n"
        + EXIT_CODES,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, *examples: str, parent=commands) -> argparse.ArgumentParser:
        return parent.add_parser(
            name,
            help=help,
            description=help,
            parents=[common],
            formatter_class=formatter,
            epilog=_examples(*examples) + "\n\n" + EXIT_CODES,
        )

    refresh = command(
        "refresh",
        "ingest, enrich, build and publish (the scheduled job)",
        "ror refresh --landing exports/ --config ror.yaml --warehouse data/warehouse/ror.duckdb",
    )
    refresh.add_argument("--landing", type=Path, help="folder of export files (default: $ROR_LANDING_DIR)")
    refresh.add_argument("--warehouse", type=Path, help="serving DuckDB file BI tools read (default: $ROR_WAREHOUSE)")
    refresh.add_argument("--partition", type=_iso_day, help="day (default: today)")
    refresh.add_argument("--full-refresh", action="store_true", help="rebuild incremental dbt models from scratch")
    refresh.add_argument("--config", type=Path, help=CONFIG_HELP)
    refresh.add_argument("--pull", action="store_true", help="first fetch what is new from the platforms' APIs")
    refresh.add_argument(
        "--settle-seconds",
        type=float,
        help="skip landing files changed more recently than this, as still being copied in; 0 takes every file "
        f"(default: take every file whose size and time stay the same over {STABILITY_CHECK_SECONDS:g} s)",
    )
    _add_wait_flag(refresh)
    refresh.set_defaults(func=cmd_refresh)

    backfill = command(
        "backfill",
        "refresh a range of days as one run (same job as refresh)",
        "ror backfill --from 2026-08-01 --to 2026-08-31 --full-refresh",
    )
    backfill.add_argument("--from", dest="start", required=True, type=_iso_day, help="first day, YYYY-MM-DD")
    backfill.add_argument("--to", dest="end", required=True, type=_iso_day, help="last day, YYYY-MM-DD")
    backfill.add_argument("--landing", type=Path, help="folder of export files (default: $ROR_LANDING_DIR)")
    backfill.add_argument("--warehouse", type=Path, help="serving DuckDB file (default: $ROR_WAREHOUSE)")
    backfill.add_argument("--full-refresh", action="store_true", help="rebuild incremental dbt models from scratch")
    backfill.add_argument("--config", type=Path, help=CONFIG_HELP)
    _add_wait_flag(backfill)
    backfill.set_defaults(func=cmd_backfill)

    demo = command("demo", "write the demo exports and refresh a warehouse from them", "ror demo")
    demo.add_argument("--landing", type=Path, help=f"where to write the demo exports (default: {DEMO_LANDING})")
    demo.add_argument("--warehouse", type=Path, help="serving DuckDB file (default: $ROR_WAREHOUSE)")
    _add_wait_flag(demo)
    demo.set_defaults(func=cmd_demo)

    ingest = command(
        "ingest", "detect, read and load export files (or only report with --dry-run)", "ror ingest exports/ --dry-run"
    )
    ingest.add_argument("paths", nargs="+", help="files or folders")
    ingest.add_argument("--dry-run", action="store_true", help="print one JSON report per file, change nothing")
    ingest.add_argument("--landing", help="landing root the paths must stay inside (default: their common folder)")
    ingest.add_argument("--warehouse", type=Path, help="serving DuckDB file whose working database receives the rows")
    ingest.add_argument("--config", type=Path, help=CONFIG_HELP + " (for its mapping folders)")
    _add_wait_flag(ingest)
    ingest.set_defaults(func=cmd_ingest)

    config = command(
        "config", "the configuration file (brands, accounts, campaigns, vars)", "ror config check ror.yaml"
    )
    config_commands = config.add_subparsers(dest="config_command", required=True)
    check = command(
        "check",
        "validate a configuration file: OK, or every problem by line",
        "ror config check ror.yaml",
        parent=config_commands,
    )
    check.add_argument("file", type=Path)
    check.add_argument("--landing", type=Path, help="also list the configured accounts the exports there never show")
    check.set_defaults(func=cmd_config_check)

    enrich = command(
        "enrich",
        "add sentiment, emotion and intent columns to any file's text column",
        "ror enrich --input comments.csv --text-column message --output comments.parquet",
    )
    enrich.add_argument("--input", required=True, help="CSV, JSONL or Parquet file")
    enrich.add_argument("--text-column", required=True)
    enrich.add_argument("--output", required=True, help="Parquet file to write")
    enrich.add_argument("--quiet", action="store_true", help="no progress bar")
    enrich.set_defaults(func=cmd_enrich)

    report = command(
        "report",
        "write the self-contained HTML ROR report, one file per brand",
        "ror report --out reports/",
        "ror report --warehouse ror.duckdb --out reports/ --brand acme --from 2026-08-01 --to 2026-08-31",
    )
    report.add_argument("--warehouse", type=Path, help="serving DuckDB file (default: $ROR_WAREHOUSE)")
    report.add_argument("--out", type=Path, required=True, help="folder to write the HTML files to")
    report.add_argument("--brand", help="one brand id (default: every brand in the warehouse)")
    report.add_argument("--from", dest="start", type=_iso_day, help="first day, YYYY-MM-DD (default: six weeks back)")
    report.add_argument("--to", dest="end", type=_iso_day, help="last day, YYYY-MM-DD (default: the latest data)")
    report.set_defaults(func=cmd_report)

    evaluate = command(
        "evaluate",
        "score the enrichment models on TweetEval and the intent set (models/EVALUATION.md)",
        "ROR_TWEETEVAL_DIR=../shared/data/tweeteval ror evaluate",
    )
    evaluate.add_argument("--output", type=Path, help="Markdown file to write (default: models/EVALUATION.md)")
    evaluate.set_defaults(func=cmd_evaluate)

    add_generate_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    verbose = getattr(args, "verbose", False)
    handler = logging.StreamHandler()
    # Libraries set their own loggers' levels (Dagster's to INFO): the handler's level is what keeps quiet mode quiet.
    # Their warnings (e.g. dagster-dbt on tests outside the check selection) are for developers: --verbose shows them.
    handler.setLevel(logging.INFO if verbose else logging.ERROR)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        handlers=[handler],
    )
    if not verbose:
        import warnings

        warnings.filterwarnings("ignore")  # library deprecation and preview notes are for developers, see --verbose
    try:
        return args.func(args)
    except UserError as error:
        print(f"ror {args.command}: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"ror {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        if verbose:
            raise
        return _unexpected(args.command, error)


def _unexpected(command: str, error: Exception) -> int:
    """A file-system error (its own or DuckDB's) as one line naming the path and the cause; anything else with its
    type and a pointer to --verbose."""
    from ingest.base import error_reason
    from orchestration.failures import DISK_FULL, file_system_cause

    if cause := file_system_cause(error):
        code, line = cause
        print(f"ror {command}: {line}", file=sys.stderr)
        return EXIT_FAILED if code in DISK_FULL else EXIT_USAGE
    # never the error's own text: a parser's or database's message may quote a row (error_reason keeps the kind)
    print(f"ror {command}: {error_reason(error)}", file=sys.stderr)
    print("Run it again with --verbose for the full log and traceback.", file=sys.stderr)
    return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
