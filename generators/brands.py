"""The generated brands: their accounts, employees and campaigns, and the configuration file that describes them.

``DEMO_BRANDS`` are the demo's own facts, not the product's defaults. ``build_brands`` gives the brands of a data set:
the first three are the demo's (same ids, handles and account ids), further brands reuse the demo profiles' vocabulary
under new ids and handles, and every brand has an account on every platform (``with_demo_facts`` gives a demo brand its
currency, support hours and response targets, its accounts on the platforms the demo writes). Nothing here depends on
the number of days or interactions: a longer run describes the same brands. ``write_config`` writes the configuration
file (ror_config's format) that the refresh reads, so the exports and the warehouse always agree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import yaml

from generators.profiles import PROFILES, RIVALRIES, BrandProfile, Rivalry


@dataclass(frozen=True)
class Employee:
    person_id: str
    handle: str
    role: str


@dataclass(frozen=True)
class Campaign:
    utm_campaign: str
    name: str
    channel: str  # paid_social | organic_social


@dataclass(frozen=True)
class TrackedCompetitor:
    """A competitor a brand tracks in share of voice (its X account; tracked by handle alone when no id is given)."""

    competitor_id: str
    name: str
    x_handle: str
    x_account_id: str | None = None

    def config_entry(self) -> dict[str, object]:
        account = {"platform": "x", **({"account_id": self.x_account_id} if self.x_account_id else {})}
        return {"id": self.competitor_id, "name": self.name, "accounts": [{**account, "handle": self.x_handle}]}


@dataclass(frozen=True)
class Brand:
    brand_id: str
    name: str
    x_account_id: str
    x_handle: str
    meta_account_id: str
    employees: tuple[Employee, ...]
    facebook_page_id: str | None  # the brand's Facebook page, when it has one
    facebook_handle: str | None
    paid_campaign: Campaign
    organic_campaign: Campaign
    # the care team's hours and targets (ror_config.SupportHours / ResponseTarget, as the file writes them); none:
    # open 24x7, business minutes = wall-clock minutes
    support_hours: dict[str, object] | None = None
    response_targets: tuple[dict[str, object], ...] = ()
    currency: str | None = None  # ISO 4217: the currency of its ad spend and CRM revenue
    competitors: tuple[TrackedCompetitor, ...] = ()  # tracked in share of voice, never owned

    def accounts(self) -> list[dict[str, str]]:
        """The brand's accounts as the configuration file lists them."""
        accounts = [
            {"platform": "x", "account_id": self.x_account_id, "handle": self.x_handle},
            {"platform": "meta", "account_id": self.meta_account_id},
        ]
        if self.facebook_page_id:
            accounts.append(
                {"platform": "facebook", "account_id": self.facebook_page_id, "handle": self.facebook_handle}
            )
        return accounts


DEMO_BRANDS: tuple[Brand, ...] = (
    Brand(
        brand_id="northwind",
        competitors=(
            TrackedCompetitor("harbor", "Harbor Roasters", "HarborRoasters", "1500000000000000101"),
            TrackedCompetitor("beanline", "BeanLine", "BeanLine"),
        ),
        name="Northwind Coffee",
        currency="GBP",
        x_account_id="1500000000000000001",
        x_handle="NorthwindCoffee",
        meta_account_id="2100000000000001",
        employees=(
            Employee("1600000000000000011", "maria_at_northwind", "community manager"),
            Employee("1600000000000000012", "dev_roaster_jon", "head roaster"),
        ),
        facebook_page_id="104000000000001",
        facebook_handle="northwindcoffee",
        paid_campaign=Campaign("nw_autumn_blend", "Autumn Blend launch", "paid_social"),
        organic_campaign=Campaign("nw_barista_club", "Barista Club (organic)", "organic_social"),
        support_hours={
            "time_zone": "Europe/London",
            "days": ["mon", "tue", "wed", "thu", "fri"],
            "opens": "09:00",
            "closes": "18:00",
            "holidays": [date(2026, 12, 25), date(2026, 12, 28)],
        },
        response_targets=(
            {"kind": "complaint", "business_minutes": 60},
            {"kind": "question", "business_minutes": 240},
            {"kind": "any", "business_minutes": 480},
        ),
    ),
    Brand(
        brand_id="lumen",
        competitors=(
            TrackedCompetitor("velonorth", "VeloNorth", "VeloNorth", "1500000000000000102"),
            TrackedCompetitor("spokecity", "SpokeCity", "SpokeCityBikes"),
        ),
        name="Lumen Bikes",
        currency="EUR",
        x_account_id="1500000000000000002",
        x_handle="LumenBikes",
        meta_account_id="2100000000000002",
        employees=(
            Employee("1600000000000000021", "lumen_priya", "product engineer"),
            Employee("1600000000000000022", "coach_tomas", "ride leader"),
        ),
        facebook_page_id="104000000000002",
        facebook_handle="lumenbikes",
        paid_campaign=Campaign("lumen_commuter", "Commuter e-bike", "paid_social"),
        organic_campaign=Campaign("lumen_ride_club", "Saturday Ride Club (organic)", "organic_social"),
        support_hours={
            "time_zone": "Europe/Amsterdam",
            "days": ["mon", "tue", "wed", "thu", "fri", "sat"],
            "opens": "08:00",
            "closes": "20:00",
        },
        response_targets=(
            {"kind": "complaint", "business_minutes": 120},
            {"kind": "question", "business_minutes": 240, "platform": "x"},
            {"kind": "question", "business_minutes": 480},
        ),
    ),
    Brand(
        brand_id="tidepool",
        competitors=(
            TrackedCompetitor("brine", "Brine Beauty", "BrineBeauty", "1500000000000000103"),
            TrackedCompetitor("dewlab", "DewLab", "DewLabSkin"),
        ),
        name="Tidepool Skincare",
        currency="USD",
        x_account_id="1500000000000000003",
        x_handle="TidepoolSkin",
        meta_account_id="2100000000000003",
        employees=(
            Employee("1600000000000000031", "dr_amara_skin", "dermatologist"),
            Employee("1600000000000000032", "tidepool_kenji", "customer care lead"),
        ),
        facebook_page_id=None,
        facebook_handle=None,
        paid_campaign=Campaign("tide_spf_launch", "SPF 50 launch", "paid_social"),
        organic_campaign=Campaign("tide_skin_stories", "Skin Stories (organic)", "organic_social"),
        response_targets=({"kind": "complaint", "business_minutes": 240},),
    ),
)


@dataclass(frozen=True)
class ScaleBrand:
    index: int
    brand_id: str
    name: str
    profile: BrandProfile
    x_account_id: str
    x_handle: str
    facebook_page_id: str
    facebook_handle: str
    instagram_account_id: str
    instagram_handle: str
    youtube_channel_id: str
    youtube_handle: str
    reddit_username: str
    meta_account_id: str
    employees: tuple[Employee, ...]
    paid_campaign: Campaign
    organic_campaign: Campaign
    competitors: tuple[TrackedCompetitor, ...] = ()
    rivalries: tuple[Rivalry, ...] = ()  # how each competitor talks on X, in the order of ``competitors``
    # none by default: open 24x7, the configuration file says nothing of hours, targets or currency (the report says
    # so); ``with_demo_facts`` gives the demo's brands their own
    support_hours: dict[str, object] | None = None
    response_targets: tuple[dict[str, object], ...] = ()
    currency: str | None = None
    platforms: tuple[str, ...] = ("x", "facebook", "instagram", "youtube", "reddit")  # where its accounts are

    @property
    def vocab(self) -> dict[str, tuple[str, ...]]:
        return self.profile.vocab

    def accounts(self) -> list[dict[str, str]]:
        """The brand's accounts as the configuration file lists them: one on each of its platforms, and its ad
        account."""
        accounts = [
            {"platform": "x", "account_id": self.x_account_id, "handle": self.x_handle},
            {"platform": "facebook", "account_id": self.facebook_page_id, "handle": self.facebook_handle},
            {"platform": "instagram", "account_id": self.instagram_account_id, "handle": self.instagram_handle},
            {"platform": "youtube", "account_id": self.youtube_channel_id, "handle": self.youtube_handle},
            {"platform": "reddit", "handle": self.reddit_username},
        ]
        owned = [account for account in accounts if account["platform"] in self.platforms]
        return [*owned, {"platform": "meta", "account_id": self.meta_account_id}]

    def with_demo_facts(self, platforms: tuple[str, ...]) -> ScaleBrand:
        """The brand with the demo brand's own facts (currency, support hours, response targets), its accounts on
        ``platforms`` only."""
        demo = next(brand for brand in DEMO_BRANDS if brand.brand_id == self.brand_id)
        return replace(
            self,
            support_hours=demo.support_hours,
            response_targets=demo.response_targets,
            currency=demo.currency,
            platforms=platforms,
        )


def _youtube_channel_id(brand_id: str) -> str:
    """A channel id shaped like YouTube's: "UC" and 22 url-safe characters, derived from the brand id."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    digest = hashlib.sha256(f"youtube:{brand_id}".encode()).digest()
    return "UC" + "".join(alphabet[byte % 64] for byte in digest[:22])


def build_brands(count: int) -> list[ScaleBrand]:
    if count < 1:
        raise ValueError("--brands must be at least 1")
    demo = DEMO_BRANDS
    brands = []
    for index in range(count):
        base = demo[index % len(demo)]
        number = index + 1
        reused = index < len(demo)
        suffix = "" if reused else f"{number}"
        brand_id = base.brand_id if reused else f"{base.brand_id}{number:02d}"
        x_handle = (base.x_handle[: 15 - len(suffix)] + suffix) if suffix else base.x_handle
        facebook_handle = f"{(base.facebook_handle or base.brand_id)}{suffix}"
        employees = tuple(
            Employee(
                person_id=employee.person_id if reused else f"16{number:05d}{position:012d}",
                handle=employee.handle if reused else (employee.handle[: 15 - len(suffix)] + suffix),
                role=employee.role,
            )
            for position, employee in enumerate(base.employees, start=1)
        )
        campaign_suffix = "" if reused else f"_{number}"
        competitors = tuple(
            TrackedCompetitor(
                competitor_id=competitor.competitor_id + campaign_suffix,
                name=competitor.name + (f" {number}" if suffix else ""),
                x_handle=(competitor.x_handle[: 15 - len(suffix)] + suffix) if suffix else competitor.x_handle,
                x_account_id=None
                if competitor.x_account_id is None
                else (competitor.x_account_id if reused else str(1_500_000_000_000_100_000 + 10 * number + position)),
            )
            for position, competitor in enumerate(base.competitors)
        )
        brands.append(
            ScaleBrand(
                index=index,
                brand_id=brand_id,
                name=base.name if reused else f"{base.name} {number}",
                profile=PROFILES[base.brand_id],
                x_account_id=base.x_account_id if reused else str(1_500_000_000_000_000_000 + number),
                x_handle=x_handle,
                facebook_page_id=base.facebook_page_id if reused and base.facebook_page_id else f"104{number:012d}",
                facebook_handle=facebook_handle,
                instagram_account_id=f"178414{number:011d}",
                instagram_handle=f"{base.brand_id}{suffix}",
                youtube_channel_id=_youtube_channel_id(brand_id),
                youtube_handle=f"{base.brand_id}{suffix}",
                reddit_username=f"{base.x_handle}{suffix}_official",
                meta_account_id=base.meta_account_id if reused else str(2_100_000_000_000_000 + number),
                employees=employees,
                paid_campaign=Campaign(
                    base.paid_campaign.utm_campaign + campaign_suffix,
                    base.paid_campaign.name + (f" {number}" if suffix else ""),
                    base.paid_campaign.channel,
                ),
                organic_campaign=Campaign(
                    base.organic_campaign.utm_campaign + campaign_suffix,
                    base.organic_campaign.name + (f" {number}" if suffix else ""),
                    base.organic_campaign.channel,
                ),
                competitors=competitors,
                rivalries=tuple(RIVALRIES[competitor.competitor_id] for competitor in base.competitors),
            )
        )
    return brands


def config_document(brands: Sequence[Brand | ScaleBrand]) -> dict[str, object]:
    """The configuration file's content for these brands (see ror_config)."""
    entries = []
    for brand in brands:
        entries.append(
            {
                "id": brand.brand_id,
                "name": brand.name,
                **({"currency": brand.currency} if brand.currency else {}),
                "accounts": brand.accounts(),
                "employees": [
                    {"platform": "x", "person_id": e.person_id, "handle": e.handle, "role": e.role}
                    for e in brand.employees
                ],
                "campaigns": [
                    {"utm_campaign": c.utm_campaign, "name": c.name, "channel": c.channel}
                    for c in (brand.paid_campaign, brand.organic_campaign)
                ],
                **({"support_hours": brand.support_hours} if brand.support_hours else {}),
                **({"response_targets": list(brand.response_targets)} if brand.response_targets else {}),
                **({"competitors": [c.config_entry() for c in brand.competitors]} if brand.competitors else {}),
            }
        )
    return {"brands": entries}


def write_config(path: Path, brands: Sequence[Brand | ScaleBrand], written_by: str) -> Path:
    """Write the configuration file (ids quoted: they are text, never numbers) under a comment saying who wrote it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = yaml.safe_dump(config_document(brands), sort_keys=False, allow_unicode=True)
    path.write_text(f"# {written_by}\n" + document, encoding="utf-8")
    return path
