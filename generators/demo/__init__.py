"""The demo: three brands' 90 days told as a story (X pages, Meta Ads and HubSpot tables, a Sprout Social report), in
the platforms' own formats, written by the package's shared writers.

``write_demo_exports(landing)`` writes the same bytes for the same seed, window and brands on every run: all
randomness comes from ``random.Random`` instances seeded from ``seed``, nothing reads the clock, and files and rows are
written in a fixed order. ``build_world`` returns the simulated world behind the files, for tests and for curious
readers.
"""

from __future__ import annotations

import filecmp
import os
import random
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from generators.brands import DEMO_BRANDS, Brand, write_config
from generators.demo.ads import MetaAds, plan_ads, write_demo_meta_ads
from generators.demo.cast import Person, build_audience, build_staff
from generators.demo.crm import Crm, CrmBuilder, write_demo_hubspot
from generators.demo.rivals import competitor_accounts
from generators.demo.sprout import SproutReport
from generators.demo.x_world import Tweet, XWorld
from generators.formats.x import XExport
from generators.ids import IdMint
from generators.profiles import PROFILES, BrandProfile

__all__ = ["DemoWorld", "build_world", "write_demo_config", "write_demo_exports"]

CONFIG_WRITTEN_BY = "The demo's brands (written by `ror demo`; see docs/your-own-data.md for your own)."


@dataclass
class DemoWorld:
    brands: list[Brand]
    profiles: dict[str, BrandProfile]
    staff: list[Person]
    audience: list[Person]
    competitors: list[Person]  # the competitors' X accounts
    tweets: list[Tweet]
    meta: MetaAds
    crm: Crm
    start: date
    days: int
    seed: int

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(0), tzinfo=UTC)

    @property
    def end_at(self) -> datetime:
        return self.start_at + timedelta(days=self.days)


def build_world(
    *, seed: int = 7, start: date = date(2026, 8, 1), days: int = 90, brands: tuple[Brand, ...] = DEMO_BRANDS
) -> DemoWorld:
    """The simulated brands, people, tweets, ad delivery and CRM records behind the export files."""
    if days < 1:
        raise ValueError("days must be at least 1")
    brands = list(brands)
    profiles = {brand.brand_id: PROFILES[brand.brand_id] for brand in brands}
    ids = IdMint(random.Random(f"{seed}:ids"))
    cast_rng = random.Random(f"{seed}:cast")
    staff = build_staff(cast_rng, ids, brands, profiles)
    taken = set()
    for person in staff:
        ids.reserve(person.person_id)
        taken.add(person.handle.lower())
    audience = build_audience(cast_rng, ids, list(profiles.values()), days, taken)
    competitors = competitor_accounts(IdMint(random.Random(f"{seed}:competitors")), brands)
    x_world = XWorld(random.Random(f"{seed}:x"), ids, brands, profiles, staff, audience, start, days, competitors)
    tweets = x_world.run()
    meta = plan_ads(random.Random(f"{seed}:ads"), ids, brands, profiles, start, days)
    crm = CrmBuilder(random.Random(f"{seed}:crm"), ids, brands, profiles, tweets, audience, meta, start, days).build()
    return DemoWorld(brands, profiles, staff, audience, competitors, tweets, meta, crm, start, days, seed)


def write_demo_exports(
    landing: Path,
    *,
    seed: int = 7,
    start: date = date(2026, 8, 1),
    days: int = 90,
    brands: tuple[Brand, ...] = DEMO_BRANDS,
) -> list[Path]:
    """Write the demo exports under ``landing`` (x/, meta_ads/, hubspot/, and generic/ when a brand has a Facebook
    page) and return their paths, sorted.

    A file whose bytes are already there is left untouched (a rerun of the demo changes nothing in the landing
    folder, so the next refresh skips it unread); others are replaced whole. Other files under ``landing`` are left
    alone.
    """
    landing = Path(landing)
    landing.mkdir(parents=True, exist_ok=True)
    # written beside the landing folder (same file system, so each replace is atomic), then moved in where changed
    with tempfile.TemporaryDirectory(dir=landing.parent, prefix=f".{landing.name}-demo-") as staging:
        written = _write_exports(Path(staging), seed=seed, start=start, days=days, brands=brands)
        paths = []
        for path in written:
            target = landing / path.relative_to(staging)
            if not (target.is_file() and filecmp.cmp(path, target, shallow=False)):
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
            paths.append(target)
    return sorted(paths)


def _write_exports(landing: Path, *, seed: int, start: date, days: int, brands: tuple[Brand, ...]) -> list[Path]:
    world = build_world(seed=seed, start=start, days=days, brands=brands)
    export_ids = IdMint(random.Random(f"{seed}:export"))
    paths = XExport(
        world.tweets,
        world.staff + world.audience + world.competitors,
        world.brands,
        world.profiles,
        export_ids,
        world.start_at,
        world.end_at,
    ).write(landing / "x")
    paths += write_demo_meta_ads(landing / "meta_ads", world.meta, world.brands, world.profiles, start, days)
    paths += write_demo_hubspot(landing / "hubspot", world.crm, world.start_at, world.end_at)
    sprout = SproutReport(
        random.Random(f"{seed}:sprout"), export_ids, world.brands, world.profiles, world.audience, world.start_at, days
    )
    paths += sprout.write(landing / "generic" / "sprout_facebook_messages.csv")
    return paths


def write_demo_config(path: Path) -> Path:
    """Write the demo's configuration file, the one `ror demo` refreshes with."""
    return write_config(path, DEMO_BRANDS, CONFIG_WRITTEN_BY)
