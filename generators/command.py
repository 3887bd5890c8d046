"""`ror generate`: its arguments and what it prints (registered by orchestration/cli.py)."""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _share(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return number


def add_generate_command(commands) -> None:
    from generators.scale import DEFAULT_START, DEFAULT_WAVE_DAY, FACEBOOK_EXPORTS
    from generators.scale.conversation import COMPETITOR_SHARE

    generate = commands.add_parser(
        "generate",
        help="write synthetic exports at scale (X, Facebook, Instagram, YouTube, Reddit, Meta Ads, HubSpot) + config",
        description="Write N interactions over D days in the platforms' own export formats, one folder per day, and "
        "the configuration file describing the brands. Deterministic by seed. On a folder generated before, the "
        "daily volume stays the same and only days not written yet are added (earlier files are left untouched).",
    )
    generate.add_argument("--interactions", type=_positive, required=True, help="total over --days (new folder)")
    generate.add_argument("--days", type=_positive, required=True, help="days, one landing folder each")
    generate.add_argument("--brands", type=_positive, default=3, help="brands (default 3)")
    generate.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    generate.add_argument(
        "--start", type=date.fromisoformat, default=DEFAULT_START, help=f"first day (default {DEFAULT_START})"
    )
    generate.add_argument(
        "--competitor-share",
        type=_share,
        default=COMPETITOR_SHARE,
        help=f"share of X mentions naming a tracked competitor (default {COMPETITOR_SHARE})",
    )
    generate.add_argument(
        "--wave-day",
        type=int,
        default=DEFAULT_WAVE_DAY,
        help=f"first day index of the first brand's planted complaint wave (it lasts 3 days); -1: none "
        f"(default {DEFAULT_WAVE_DAY})",
    )
    generate.add_argument(
        "--facebook-export",
        choices=FACEBOOK_EXPORTS,
        default="graph",
        help="the Facebook pages as Graph API feed documents (graph, default) or a Sprout Social Messages report "
        "(sprout, read by the generic CSV mapping)",
    )
    generate.add_argument("--out", type=Path, required=True, help="output folder: landing/ and ror.yaml go there")
    generate.set_defaults(func=cmd_generate)


def cmd_generate(args: argparse.Namespace) -> int:
    from generators.scale import generate_exports

    report = generate_exports(
        args.out,
        interactions=args.interactions,
        days=args.days,
        brands=args.brands,
        seed=args.seed,
        start=args.start,
        competitor_share=args.competitor_share,
        wave_day=None if args.wave_day < 0 else args.wave_day,
        facebook_export=args.facebook_export,
    )
    plan = report.plan
    kept = plan.days_written - report.days_generated
    print(
        f"Wrote {report.interactions_written} interactions over {report.days_generated} new day(s) "
        f"({plan.daily_volume:.0f} a day, {plan.brands} brand(s)); {kept} earlier day(s) kept as they were."
    )
    asked = args.interactions / args.days
    if abs(asked - plan.daily_volume) > 0.5:
        print(
            f"Note: {args.out} was generated at {plan.daily_volume:.0f} interactions a day and keeps that volume "
            f"(asked: {asked:.0f}); write to a new folder for another volume."
        )
    print(f"Exports: {report.landing}")
    print(f"Config:  {report.config}")
    print(f"Refresh: ror refresh --landing {report.landing} --config {report.config} --partition {_last_day(plan)}")
    return 0


def _last_day(plan) -> str:
    return (date.fromisoformat(plan.start) + timedelta(days=plan.days_written - 1)).isoformat()
