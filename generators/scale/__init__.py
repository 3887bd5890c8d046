"""Exports at scale: ``generate_exports`` writes a data set of any size in the platforms' own formats, day by day.

Layout under the output folder::

    ror.yaml                         the configuration file describing the generated brands
    generate.json                    what was generated: seed, brands, first day, daily volume, days written
    landing/setup/                   Meta Ads object tables and HubSpot pipeline stages (set up once)
    landing/YYYY-MM-DD/x/            per brand: one twarc2 file of the day's search pages
    landing/YYYY-MM-DD/facebook/     per brand: page feed documents, comments and replies nested
    landing/YYYY-MM-DD/generic/      per brand, with ``facebook_export="sprout"`` instead: a Sprout Messages report
    landing/YYYY-MM-DD/instagram/    per brand: media documents, comments and replies nested
    landing/YYYY-MM-DD/youtube/      per brand: the day's videos.list and commentThreads.list pages
    landing/YYYY-MM-DD/reddit/       per brand and submission: the comments endpoint's answer
    landing/YYYY-MM-DD/meta_ads/     the day's ad delivery and actions (Fivetran layout)
    landing/YYYY-MM-DD/hubspot/      the day's contacts, form submissions and deals (Fivetran layout)

On X, a share of the mentions (``competitor_share``) name one of each brand's two tracked competitors (some compare
it with the brand; the competitors answer some publicly), the brands' topic mix shifts over the first 90 days, and the
first brand gets a planted complaint wave (one grievance in many wordings) from day index ``wave_day``, for the days
its profile gives it. Each brand's events in ``generators/profiles.py`` happen on X on their day indexes: an incident
(an announcement, a complaint spike answered late) and a giveaway (its rules, then a flood of one copied entry text),
and a competitor's bad stretch (``Rivalry.wave_days``: what customers say to it is mostly complaints).

Every day is drawn from streams seeded by (seed, brand, platform, day), so the same arguments write the same bytes, and
more days add folders without changing the earlier ones. The daily volume is ``interactions / days`` for a new
folder; a folder written before keeps its daily volume (recorded in generate.json), so ``--days D+1`` on it writes
exactly one more day at the same volume and leaves the days already written untouched.

``generators.scale.window`` writes a fixed profile (the demo's) from the same days, a whole window per file.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from generators.brands import ScaleBrand, build_brands, write_config
from generators.formats.sprout import facebook_rows, write_sprout_messages
from generators.formats.threads import (
    facebook_feed,
    instagram_media,
    reddit_threads,
    youtube_comment_threads,
    youtube_videos,
)
from generators.formats.x import PAGE_SIZE, x_pages
from generators.scale.conversation import COMPETITOR_SHARE, NO_STORY, PLATFORM_SHARES, Audience, BrandDay, Story
from generators.scale.ledger import BrandLedger, write_paid_day, write_paid_setup

__all__ = ["GenerationPlan", "World", "generate_exports"]

DEFAULT_START = date(2025, 1, 1)
DEFAULT_WAVE_DAY = 20
MANIFEST = "generate.json"
CONFIG = "ror.yaml"
FACEBOOK_EXPORTS = ("graph", "sprout")
CONFIG_WRITTEN_BY = "Written by `ror generate`: the brands, accounts, employees and campaigns of the generated exports."


@dataclass(frozen=True)
class GenerationPlan:
    seed: int
    brands: int
    start: str  # ISO date of the first day
    daily_volume: float  # mean interactions a day, all brands together
    days_written: int
    competitor_share: float = COMPETITOR_SHARE  # share of X mentions naming a competitor
    wave_day: int | None = DEFAULT_WAVE_DAY  # first day index of the first brand's planted wave on X (None: none)
    facebook_export: str = "graph"  # graph: the pages' Graph API feed documents; sprout: a Sprout Messages report

    def same_world(self, other: GenerationPlan) -> bool:
        return (self.seed, self.brands, self.start, self.competitor_share, self.wave_day, self.facebook_export) == (
            other.seed,
            other.brands,
            other.start,
            other.competitor_share,
            other.wave_day,
            other.facebook_export,
        )


@dataclass(frozen=True)
class GenerationReport:
    out: Path
    landing: Path
    config: Path
    plan: GenerationPlan
    days_generated: int  # days written by this call (earlier ones were kept)
    interactions_written: int  # by this call


def _read_plan(out: Path) -> GenerationPlan | None:
    path = out / MANIFEST
    if not path.exists():
        return None
    return GenerationPlan(**json.loads(path.read_text("utf-8")))


def generate_exports(
    out: Path,
    *,
    interactions: int,
    days: int,
    brands: int = 3,
    seed: int = 7,
    start: date = DEFAULT_START,
    competitor_share: float = COMPETITOR_SHARE,
    wave_day: int | None = DEFAULT_WAVE_DAY,
    facebook_export: str = "graph",
) -> GenerationReport:
    if interactions < 1 or days < 1:
        raise ValueError("--interactions and --days must be at least 1")
    if not 0 <= competitor_share <= 1:
        raise ValueError("--competitor-share must be between 0 and 1")
    if facebook_export not in FACEBOOK_EXPORTS:
        raise ValueError(f"--facebook-export must be one of {', '.join(FACEBOOK_EXPORTS)}")
    out = Path(out)
    landing = out / "landing"
    requested = GenerationPlan(
        seed, brands, start.isoformat(), interactions / days, 0, competitor_share, wave_day, facebook_export
    )
    earlier = _read_plan(out)
    if earlier is not None and earlier.same_world(requested):
        plan = replace(requested, daily_volume=earlier.daily_volume, days_written=earlier.days_written)
    else:
        plan = requested
    extending = plan.days_written > 0
    world = World.of(plan, tuple(PLATFORM_SHARES), NO_STORY)
    config = out / CONFIG
    if not (extending and config.exists()):
        write_config(config, world.brands, CONFIG_WRITTEN_BY)
    if not (extending and (landing / "setup").is_dir()):  # the same world: already written, left untouched
        write_paid_setup(landing / "setup", world.ledgers)
    written = 0
    first_new = min(plan.days_written, days)
    for day_index in range(first_new, days):
        written += world.write_day(landing, day_index)
        # Recorded day by day: an interrupted run resumes after the last complete day.
        plan = replace(plan, days_written=max(plan.days_written, day_index + 1))
        (out / MANIFEST).write_text(json.dumps(asdict(plan), indent=2) + "\n", "utf-8")
    return GenerationReport(out, landing, config, plan, max(0, days - first_new), written)


@dataclass(frozen=True)
class World:
    """The brands, their audiences and ledgers, the platforms written and the story told: the same for every day."""

    plan: GenerationPlan
    brands: list[ScaleBrand]
    audiences: dict[tuple[str, str], Audience]
    ledgers: list[BrandLedger]
    platforms: tuple[str, ...]
    story: Story

    @classmethod
    def of(
        cls, plan: GenerationPlan, platforms: tuple[str, ...], story: Story, brands: list[ScaleBrand] | None = None
    ) -> World:
        brands = brands or build_brands(plan.brands)
        per_brand = plan.daily_volume / plan.brands
        audiences = {
            (brand.brand_id, platform): Audience(plan.seed, brand, platform, per_brand * share)
            for brand in brands
            for platform, share in PLATFORM_SHARES.items()
        }
        ledgers = [BrandLedger(plan.seed, brand, per_brand, audiences[brand.brand_id, "x"], story) for brand in brands]
        return cls(plan, brands, audiences, ledgers, platforms, story)

    def write_day(self, landing: Path, day_index: int) -> int:
        """The day's folder: every brand's conversation files and the paid tables; returns the interactions
        written."""
        day = date.fromisoformat(self.plan.start) + timedelta(days=day_index)
        folder = landing / day.isoformat()
        written = sum(self._write_brand_day(folder, brand, day, day_index) for brand in self.brands)
        write_paid_day(folder, self.ledgers, day, day_index)
        return written

    def _write_brand_day(self, folder: Path, brand: ScaleBrand, day: date, day_index: int) -> int:
        """Every platform's export files of one brand on one day; returns the interactions written."""
        plan = self.plan
        written = 0
        for platform in self.platforms:
            brand_day = BrandDay(
                plan.seed,
                brand,
                platform,
                day,
                day_index,
                plan.daily_volume / plan.brands,
                self.audiences[brand.brand_id, platform],
                plan.competitor_share,
                plan.wave_day,
                self.story,
            )
            written += _write_platform_day(folder, plan, brand, brand_day)
        return written


def _write_platform_day(folder: Path, plan: GenerationPlan, brand: ScaleBrand, brand_day: BrandDay) -> int:
    """One platform's export files of one brand on one day; returns the interactions written."""
    platform = brand_day.platform
    if platform == "facebook" and plan.facebook_export == "sprout":
        page = (brand.facebook_page_id, brand.facebook_handle)
        rows = [row for items in brand_day.segments() for row in facebook_rows(items, *page)]
        write_sprout_messages(folder / "generic" / f"sprout_{brand.facebook_handle}_messages.csv", rows)
        return len(rows)
    target = folder / platform
    target.mkdir(parents=True, exist_ok=True)
    written = 0
    if platform == "x":
        since = brand_day.start
        fetched = since + timedelta(days=1, hours=1, minutes=7 * brand.index)
        with (target / f"{brand.x_handle}.jsonl").open("w", encoding="utf-8") as handle:
            page = 0
            for items in brand_day.segments():
                items.reverse()  # a search answers newest first
                handle.write(x_pages(items, brand.x_handle, since, fetched, page))
                page += math.ceil(len(items) / PAGE_SIZE)
                written += len(items)
        return written
    if platform == "youtube":
        (target / f"{brand.youtube_handle}_videos.json").write_text(
            youtube_videos(brand_day.posts, brand.youtube_channel_id, brand.name), "utf-8"
        )
    for number, items in enumerate(brand_day.segments(), start=1):
        written += len(items)
        if platform == "facebook":
            path = target / f"{brand.facebook_handle}_feed_p{number}.json"
            path.write_text(facebook_feed(items, brand.facebook_page_id), "utf-8")
        elif platform == "instagram":
            path = target / f"{brand.instagram_handle}_media_p{number}.json"
            path.write_text(instagram_media(items, brand.instagram_account_id, brand.instagram_handle), "utf-8")
        elif platform == "youtube":
            path = target / f"{brand.youtube_handle}_comment_threads_p{number}.json"
            path.write_text(youtube_comment_threads(items, brand.youtube_channel_id), "utf-8")
        else:
            for submission, document in reddit_threads(items, brand.reddit_username):
                (target / f"{brand.reddit_username}_{submission}_p{number}.json").write_text(document, "utf-8")
    return written
