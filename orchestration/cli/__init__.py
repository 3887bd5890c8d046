"""The `ror` command: refresh the warehouse, run the demo, inspect exports, check a configuration, enrich a file,
write the report.

`ror refresh` and `ror demo` materialize the same Dagster job the daily schedule runs, on the Dagster instance under
DAGSTER_HOME, so every run shows up in the UI with its metadata and checks. The settings are read once, here: the
environment (orchestration.settings), overridden by the command's arguments, into one Settings value that builds the
definitions; nothing is written to the environment. Quiet by default (progress bars and a summary); --verbose prints
Dagster's full log and a traceback for unexpected errors.

One module per command or group (refresh, ingest, config, tools), the launcher that runs and follows a Dagster run,
and the closing summary apart.
"""

from __future__ import annotations

import logging
import sys

from orchestration.cli.errors import (
    EXIT_FAILED,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_WAREHOUSE_BUSY,
    UsageError,
    UserError,
)
from orchestration.cli.parser import build_parser
from orchestration.cli.summary import explain_step_error, files_not_loaded

__all__ = [
    "EXIT_FAILED",
    "EXIT_INPUT",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "EXIT_WAREHOUSE_BUSY",
    "UsageError",
    "UserError",
    "build_parser",
    "explain_step_error",
    "files_not_loaded",
    "main",
]


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
