"""`ror`'s argument parser: the root, the options every command shares, and each command's own arguments, added by
the module that runs it."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from generators.command import add_generate_command
from orchestration.cli import config, ingest, refresh, tools
from orchestration.cli.arguments import examples
from orchestration.cli.errors import EXIT_CODES

# A command's parser: (name, help, *examples, parent=the subparsers it joins; default: the root's).
NewCommand = Callable[..., argparse.ArgumentParser]


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", help="the run's full log; tracebacks on errors")
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="ror",
        description="Return on Relationship warehouse.",
        formatter_class=formatter,
        epilog=examples(
            "ror demo",
            "ror refresh --landing exports/ --config ror.yaml --warehouse ror.duckdb",
            "ror report --out reports/",
        )
        + "\n\n"
        + EXIT_CODES,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, *lines: str, parent=commands) -> argparse.ArgumentParser:
        return parent.add_parser(
            name,
            help=help,
            description=help,
            parents=[common],
            formatter_class=formatter,
            epilog=examples(*lines) + "\n\n" + EXIT_CODES,
        )

    refresh.add_commands(command)
    ingest.add_command(command)
    config.add_command(command)
    tools.add_commands(command)
    add_generate_command(commands)
    return parser
