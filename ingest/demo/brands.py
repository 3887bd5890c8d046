"""The demo world's brands: their accounts, employees and campaigns, and the configuration file that describes them.

These are the demo's own facts, not the product's defaults: ``write_demo_config`` writes them as the configuration
file (ror_config's format) that `ror demo` refreshes with, so the exports and the warehouse always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml


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


DEMO_BRANDS: tuple[Brand, ...] = (
    Brand(
        brand_id="northwind",
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


def demo_config(brands: tuple[Brand, ...] = DEMO_BRANDS) -> dict[str, object]:
    """The configuration file's content for these brands (see ror_config)."""
    entries = []
    for brand in brands:
        accounts = [
            {"platform": "x", "account_id": brand.x_account_id, "handle": brand.x_handle},
            {"platform": "meta", "account_id": brand.meta_account_id},
        ]
        if brand.facebook_page_id:
            page = {"platform": "facebook", "account_id": brand.facebook_page_id, "handle": brand.facebook_handle}
            accounts.append(page)
        entries.append(
            {
                "id": brand.brand_id,
                "name": brand.name,
                **({"currency": brand.currency} if brand.currency else {}),
                "accounts": accounts,
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
            }
        )
    return {"brands": entries}


def write_demo_config(path: Path, brands: tuple[Brand, ...] = DEMO_BRANDS) -> Path:
    """Write the demo's configuration file (ids quoted: they are text, never numbers)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# The demo's brands (written by `ror demo`; see the README, 'Your own data', for your own).\n"
    path.write_text(header + yaml.safe_dump(demo_config(brands), sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
