"""What every command's arguments share: days, examples, the --wait flag, the configuration's help."""

from __future__ import annotations

import argparse
from datetime import date

from ror_config import CONFIG_ENV_VARIABLE


def iso_day(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a day: write it as YYYY-MM-DD") from None


def examples(*lines: str) -> str:
    return "example:\n" + "\n".join(f"  {line}" for line in lines)


CONFIG_HELP = f"configuration file: brands, accounts, campaigns, vars (default: ${CONFIG_ENV_VARIABLE}; none: no brand)"


def add_wait_flag(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--wait",
        action="store_true",
        help="if another run is writing the warehouse, wait for it to end (default: stop at once, saying which run)",
    )
