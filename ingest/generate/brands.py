"""The brands of a generated data set, their accounts on every platform, and the configuration file describing them.

The first three brands are the demo's (same ids, handles and account ids as ``ingest.demo.brands``); further brands
reuse the demo profiles' vocabulary under new ids and handles. Nothing here depends on the number of days or
interactions: a longer run describes the same brands.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from ingest.demo.brands import DEMO_BRANDS, Campaign, Employee
from ingest.demo.profiles import PROFILES, BrandProfile

PLATFORMS = ("x", "facebook", "instagram", "youtube", "reddit")


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

    @property
    def vocab(self) -> dict[str, tuple[str, ...]]:
        return self.profile.vocab


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
            )
        )
    return brands


def config_document(brands: list[ScaleBrand]) -> dict:
    """The configuration file (``ror refresh --config``) that describes the generated brands."""
    return {
        "brands": [
            {
                "id": brand.brand_id,
                "name": brand.name,
                "accounts": [
                    {"platform": "x", "account_id": brand.x_account_id, "handle": brand.x_handle},
                    {"platform": "facebook", "account_id": brand.facebook_page_id, "handle": brand.facebook_handle},
                    {
                        "platform": "instagram",
                        "account_id": brand.instagram_account_id,
                        "handle": brand.instagram_handle,
                    },
                    {"platform": "youtube", "account_id": brand.youtube_channel_id, "handle": brand.youtube_handle},
                    {"platform": "reddit", "handle": brand.reddit_username},
                    {"platform": "meta", "account_id": brand.meta_account_id},
                ],
                "employees": [
                    {"platform": "x", "person_id": e.person_id, "handle": e.handle, "role": e.role}
                    for e in brand.employees
                ],
                "campaigns": [
                    {"utm_campaign": c.utm_campaign, "name": c.name, "channel": c.channel}
                    for c in (brand.paid_campaign, brand.organic_campaign)
                ],
            }
            for brand in brands
        ]
    }


def write_config(path: Path, brands: list[ScaleBrand]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "# Written by `ror generate`: the brands, accounts, employees and campaigns of the generated exports.\n"
    path.write_text(text + yaml.safe_dump(config_document(brands), sort_keys=False, allow_unicode=True), "utf-8")
    return path
