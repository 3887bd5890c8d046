"""A fixed data set written whole, one file per brand and platform and one per table over the whole window: the
demo (``DEMO``, written by ``write_demo_exports``) is the engine with a small, fixed profile.

Layout under the landing folder::

    x/<handle>.jsonl                        per brand: the window's twarc2 search pages, day after day
    generic/sprout_<page>_messages.csv      per brand: its Facebook page as a Sprout Social Messages report
    meta_ads/facebook_ads_*.csv             every brand's ad objects, delivery and actions (Fivetran layout)
    hubspot/*.csv                           every brand's contacts, form submissions, deals and stages

Each file is the days' files of the same name (``generate_exports``' daily layout, drawn from the same streams) one
after the other, a CSV's header once: a long window lands as a few large files rather than one per day, brand and
platform, which keeps the demo's refresh short. A record written again later (a deal closed, a contact become a
customer) comes after its first version, as a later sync would deliver it. Only platforms whose files are lines or
rows can be put together this way (X pages, the Sprout report); the Graph API documents of the other platforms are one
document a file and stay in the daily layout.
"""

from __future__ import annotations

import filecmp
import os
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from generators.brands import ScaleBrand, build_brands, write_config
from generators.scale import GenerationPlan, World
from generators.scale.conversation import COMPETITOR_SHARE, Story
from generators.scale.ledger import write_paid_setup

__all__ = ["DEMO", "Profile", "write_demo_config", "write_demo_exports", "write_window_exports"]

WINDOW_PLATFORMS = ("x", "facebook")  # facebook as a Sprout report: the platforms whose files can be put together
DEMO_CONFIG_WRITTEN_BY = "The demo's brands (written by `ror demo`; see docs/your-own-data.md for your own)."


@dataclass(frozen=True)
class Profile:
    """What a fixed data set holds: its brands, window, daily volume, platforms and story."""

    seed: int
    start: date
    days: int
    daily_volume: float  # mean interactions a day on every platform, all brands together, before events
    brands: int = 3
    platforms: tuple[str, ...] = WINDOW_PLATFORMS
    wave_day: int | None = None  # first day index of the first brand's planted complaint wave on X
    competitor_share: float = COMPETITOR_SHARE
    story: Story = field(default_factory=Story)

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError("days must be at least 1")
        if not set(self.platforms) <= set(WINDOW_PLATFORMS):
            raise ValueError(f"a whole window per file is written for {', '.join(WINDOW_PLATFORMS)} only")

    def plan(self) -> GenerationPlan:
        return GenerationPlan(
            self.seed,
            self.brands,
            self.start.isoformat(),
            self.daily_volume,
            0,
            self.competitor_share,
            self.wave_day,
            "sprout",
        )


# Three brands over 90 days (about 8,000 interactions on X and Facebook): Northwind's giveaway (day 19) and its
# "where is my order" wave (day 61), Lumen's delivery crisis (day 44, its ads paused), Tidepool's leaking bottles
# (day 68, its ads long stopped), ads that run in their windows and bring leads, customers and big quiet buyers in the
# CRM, customers' photos of the products (UGC), competitors and a few other languages.
DEMO = Profile(
    seed=7,
    start=date(2026, 8, 1),
    days=90,
    daily_volume=89.0,
    wave_day=61,
    competitor_share=0.45,  # a small audience: enough talk of each competitor to compare it with the brand
    story=Story(
        ugc_share=0.12,
        ad_windows=True,
        customers=True,
        organic_leads=0.03,  # engagers who become leads, then customers: the path the revenue marts follow
        # a small brand's audience: fewer retweets, more talk to the brand; its care team answers in about 1.5 hours
        x_actions=(
            ("share", 0.38),
            ("reply", 0.27),
            ("thread_reply", 0.06),
            ("mention", 0.20),
            ("quote", 0.03),
            ("copy_paste", 0.02),
            ("employee_post", 0.04),
        ),
        answer_minutes=90,
        # enough of the few customers' tweets to make a wave or an incident the days' story
        wave_share=0.8,
        incident_share=0.6,
    ),
)


def _brands(profile: Profile) -> list[ScaleBrand]:
    return [brand.with_demo_facts(profile.platforms) for brand in build_brands(profile.brands)]


def write_window_exports(landing: Path, profile: Profile) -> list[Path]:
    """Write the profile's exports under ``landing``; return their paths, sorted.

    A file whose bytes are already there is left untouched (a rerun changes nothing in the landing folder, so the
    next refresh skips it unread); others are replaced whole. Other files under ``landing`` are left alone.
    """
    landing = Path(landing)
    landing.mkdir(parents=True, exist_ok=True)
    world = World.of(profile.plan(), profile.platforms, profile.story, _brands(profile))
    # written beside the landing folder (same file system, so each replace is atomic), then moved in where changed
    with tempfile.TemporaryDirectory(dir=landing.parent, prefix=f".{landing.name}-") as staging:
        days, window = Path(staging) / "days", Path(staging) / "window"
        write_paid_setup(days / "setup", world.ledgers)
        for day_index in range(profile.days):
            world.write_day(days, day_index)
        paths = []
        for path in _put_days_together(days, window):
            target = landing / path.relative_to(window)
            if not (target.is_file() and filecmp.cmp(path, target, shallow=False)):
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
            paths.append(target)
    return sorted(paths)


def _put_days_together(days: Path, window: Path) -> list[Path]:
    """Each window file: the same-named files of the setup and of every day in order, a CSV's header once."""
    written: set[Path] = set()
    for folder in sorted(days.iterdir(), key=lambda folder: (folder.name != "setup", folder.name)):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            target = window / path.relative_to(folder)
            data = path.read_bytes()
            if target in written and path.suffix == ".csv":
                data = data.split(b"\n", 1)[1]
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("ab") as handle:
                handle.write(data)
            written.add(target)
    return sorted(written)


def write_demo_exports(landing: Path, *, days: int = DEMO.days) -> list[Path]:
    """The demo's exports (the first ``days`` of its window) under ``landing``; returns their paths, sorted."""
    return write_window_exports(landing, replace(DEMO, days=days))


def write_demo_config(path: Path) -> Path:
    """Write the demo's configuration file, the one `ror demo` refreshes with."""
    return write_config(path, _brands(DEMO), DEMO_CONFIG_WRITTEN_BY)
