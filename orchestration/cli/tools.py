"""`ror enrich`, `ror report` and `ror evaluate`: the models and the report on their own, outside a refresh."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from orchestration.cli.arguments import iso_day
from orchestration.cli.errors import EXIT_OK, UsageError, UserError
from orchestration.settings import Settings


def cmd_enrich(args: argparse.Namespace) -> int:
    from models.enrich import EnrichConfig
    from models.enrich_file import enrich_file

    source = Path(args.input)
    if not source.is_file():
        raise UserError(f"no such file: {source} (give a CSV, JSONL or Parquet file with --input)")
    try:
        # The models a refresh scores with (ROR_ENCODER, ROR_HEADS_DIR, ... ROR_MODEL_CACHE), read at this edge.
        config = EnrichConfig.from_variables(Settings.from_env().enrichment)
        enrich_file(source, args.text_column, Path(args.output), config, progress=not args.quiet)
    except ValueError as error:  # wrong column, unsupported format, clashing columns: the message says which
        raise UserError(str(error)) from error
    print(f"Wrote {args.output}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from orchestration.assets.report import report_dir_for
    from report import (
        ChromiumMissingError,
        EmptyWarehouseError,
        Period,
        PeriodWithoutDataError,
        UnknownBrandError,
        write_reports,
    )

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
        reports = write_reports(
            warehouse, args.out or report_dir_for(warehouse), brand=args.brand, period=period, pdf=args.pdf
        )
    except (UnknownBrandError, EmptyWarehouseError, PeriodWithoutDataError) as error:
        raise UserError(str(error)) from error
    except ChromiumMissingError as error:
        raise UsageError(str(error)) from error
    if not reports:
        raise UserError(
            f"no brand in {warehouse} has data to report on: name your brands in the configuration file "
            "(docs/your-own-data.md) and refresh"
        )
    for written in reports:
        print(f"{written.path}  ({written.brand}: {written.charts_drawn} charts, {written.charts_empty} without data)")
        if written.pdf is not None:
            print(written.pdf)
    return EXIT_OK


def cmd_evaluate(args: argparse.Namespace) -> int:
    from models.evaluate import main as evaluate_main
    from models.evaluate import missing_inputs
    from models.evaluate_themes import DEFAULT_DIR as BANKING77_DIR
    from models.training.data import DEFAULT_TWEETEVAL_DIR

    tweeteval, banking77 = args.tweeteval_dir or DEFAULT_TWEETEVAL_DIR, args.banking77_dir or BANKING77_DIR
    # Every input is checked before the half hour of scoring starts: a missing one cannot start the command.
    if message := missing_inputs(tweeteval, banking77):
        raise UsageError(message)
    model_cache = Settings.from_env().enrichment.get("ROR_MODEL_CACHE")
    return evaluate_main(
        [
            *(["--output", str(args.output)] if args.output else []),
            *(["--model-cache", model_cache] if model_cache else []),
            *["--tweeteval-dir", str(tweeteval), "--banking77-dir", str(banking77)],
        ]
    )


def add_commands(command) -> None:
    """enrich, report and evaluate (orchestration.cli.parser)."""
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
        "ror report --pdf",
        "ror report --warehouse ror.duckdb --out reports/ --brand acme --from 2026-08-01 --to 2026-08-31",
    )
    report.add_argument("--warehouse", type=Path, help="serving DuckDB file (default: $ROR_WAREHOUSE)")
    report.add_argument(
        "--out", type=Path, help="folder to write the files to (default: <warehouse>_reports/ beside the warehouse)"
    )
    report.add_argument("--pdf", action="store_true", help="also print each report to PDF (needs Chromium)")
    report.add_argument("--brand", help="one brand id (default: every brand in the warehouse)")
    report.add_argument("--from", dest="start", type=iso_day, help="first day, YYYY-MM-DD (default: six weeks back)")
    report.add_argument("--to", dest="end", type=iso_day, help="last day, YYYY-MM-DD (default: the latest data)")
    report.set_defaults(func=cmd_report)

    evaluate = command(
        "evaluate",
        "score the enrichment models on TweetEval, the intent set and BANKING77 (models/EVALUATION.md)",
        "ror evaluate --tweeteval-dir ../shared/data/tweeteval --banking77-dir ../shared/data/banking77",
    )
    evaluate.add_argument("--output", type=Path, help="Markdown file to write (default: models/EVALUATION.md)")
    # The defaults live in the models (loaded only when the command runs): ../shared/data/... beside the checkout.
    evaluate.add_argument(
        "--tweeteval-dir", type=Path, help="TweetEval's datasets/ folder (default: ../shared/data/tweeteval)"
    )
    evaluate.add_argument(
        "--banking77-dir", type=Path, help="BANKING77's train.csv and test.csv (default: ../shared/data/banking77)"
    )
    evaluate.set_defaults(func=cmd_evaluate)
