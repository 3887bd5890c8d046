"""The demo world's fixed facts, read from the dbt seeds so the exports and the warehouse's seeds always agree."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"


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
    facebook_page_id: str | None  # the brand's Facebook page, when the seeds list one
    facebook_handle: str | None
    paid_campaign: Campaign
    organic_campaign: Campaign


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_brands(seeds_dir: Path = SEEDS_DIR) -> list[Brand]:
    """The brands in owned_accounts.csv order, each with its X and Meta accounts, employees and two campaigns."""
    accounts = _rows(seeds_dir / "owned_accounts.csv")
    employees = _rows(seeds_dir / "employees.csv")
    campaigns = _rows(seeds_dir / "campaigns.csv")
    brand_ids = list(dict.fromkeys(row["brand_id"] for row in accounts))
    brands = []
    for brand_id in brand_ids:
        own = {row["platform"]: row for row in accounts if row["brand_id"] == brand_id}
        by_channel = {
            row["channel"]: Campaign(row["utm_campaign"], row["campaign_name"], row["channel"])
            for row in campaigns
            if row["brand_id"] == brand_id
        }
        brands.append(
            Brand(
                brand_id=brand_id,
                name=own["x"]["brand_name"],
                x_account_id=own["x"]["account_id"],
                x_handle=own["x"]["handle"],
                meta_account_id=own["meta"]["account_id"],
                facebook_page_id=own["facebook"]["account_id"] if "facebook" in own else None,
                facebook_handle=own["facebook"]["handle"] if "facebook" in own else None,
                employees=tuple(
                    Employee(row["person_id"], row["handle"], row["role"])
                    for row in employees
                    if row["brand_id"] == brand_id and row["platform"] == "x"
                ),
                paid_campaign=by_channel["paid_social"],
                organic_campaign=by_channel["organic_social"],
            )
        )
    return brands
