"""`ror config check`: validate a configuration file, and what the exports in a landing folder show of it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration.cli.errors import EXIT_INPUT, EXIT_OK, EXIT_USAGE, UsageError
from ror_config import ConfigError, ConfigFileMissing, load_config


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


def add_command(command) -> None:
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
