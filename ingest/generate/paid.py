"""A day of Meta Ads delivery and HubSpot CRM records per brand, as Fivetran lands them (one sync's tables a day).

The object tables that only change when the account is set up (Meta account / campaign / ad set / ad / creative
history, HubSpot pipeline stages) are written with the first day. A day's files hold what happened that day: ad
delivery and actions, contacts and form submissions created, deals opened, and deals closed that day (a new version of
a deal opened earlier, redrawn from its own day's stream). Spend and leads grow with the brand's daily volume.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from ingest.demo.draws import binomial, poisson
from ingest.demo.hubspot import CONTACT, CONTACT_EXTRA, DEAL, DEAL_CONTACT, DEAL_STAGE, FORM_SUBMISSION, PORTAL_ID
from ingest.demo.meta_ads import (
    ACCOUNT_HISTORY,
    AD_HISTORY,
    AD_SET_HISTORY,
    BASIC_AD,
    BASIC_AD_ACTIONS,
    BUDGET_SHARES,
    CAMPAIGN_HISTORY,
    CREATIVE_HISTORY,
    slug,
)
from ingest.demo.phrases import FIRST_NAMES, LAST_NAMES
from ingest.demo.tables import fivetran_time, write_csv
from ingest.generate.brands import ScaleBrand
from ingest.generate.conversation import Audience

SETUP = datetime(2020, 1, 6, 9, 30, tzinfo=UTC)  # when the ad account and CRM pipelines were set up
VIEW_THROUGH = 0.12
PAID_LEAD_KEPT = 0.93  # Meta counts a few leads HubSpot never sees
ORGANIC_LEADS_PER_X_INTERACTION = 0.002
DEAL_CHANCE = 0.15
# Demo budgets are sized for ~25 interactions a brand a day; a bigger audience comes with a bigger budget.
DEMO_DAILY_VOLUME = 25.0


def _digits(*parts: object, length: int = 17, first: str = "238") -> str:
    digest = int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest(), 16)
    return first + str(digest)[: length - len(first)]


def _fivetran_id(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()


@dataclass(frozen=True)
class GeneratedAd:
    ad_id: str
    ad_set_id: str
    ad_set_name: str
    campaign_id: str
    creative_id: str
    name: str
    copy: str
    retargeting: bool
    budget_share: float


def brand_ads(brand: ScaleBrand) -> list[GeneratedAd]:
    plan = brand.profile.ads
    campaign_id = _digits(brand.brand_id, "campaign")
    ads = []
    for index, (set_index, name, copy) in enumerate(plan.ads):
        ads.append(
            GeneratedAd(
                ad_id=_digits(brand.brand_id, "ad", index),
                ad_set_id=_digits(brand.brand_id, "ad_set", set_index),
                ad_set_name=plan.ad_sets[set_index],
                campaign_id=campaign_id,
                creative_id=_digits(brand.brand_id, "creative", index),
                name=name,
                copy=copy,
                retargeting=set_index == len(plan.ad_sets) - 1,
                budget_share=BUDGET_SHARES[index % len(BUDGET_SHARES)],
            )
        )
    return ads


@dataclass(frozen=True)
class Lead:
    contact_id: str
    first: str
    last: str
    created_at: datetime
    source: str  # PAID_SOCIAL | SOCIAL_MEDIA
    twitter_handle: str | None


@dataclass(frozen=True)
class Deal:
    deal_id: str
    lead: Lead
    amount: float
    opened_at: datetime
    closes_at: datetime
    won: bool


class BrandLedger:
    """One brand's ads, leads and deals, day by day, each day from its own seeded stream."""

    def __init__(self, seed: int, brand: ScaleBrand, daily_volume: float, x_audience: Audience) -> None:
        self.seed, self.brand, self.daily_volume, self.x_audience = seed, brand, daily_volume, x_audience
        self.ads = brand_ads(brand)
        self.scale = max(1.0, daily_volume / DEMO_DAILY_VOLUME)
        sales = brand.profile.sales
        labels = (*sales.stage_labels, "Closed won", "Closed lost")
        self.stages = [_digits(brand.brand_id, "stage", n, length=9, first="1") for n in range(len(labels))]
        self.stage_labels = labels

    def _rng(self, day: date, part: str) -> random.Random:
        return random.Random(f"{self.seed}:{self.brand.brand_id}:{part}:{day}")

    def delivery(self, day: date) -> list[tuple[GeneratedAd, float, int, int, int, int, int]]:
        """(ad, spend, impressions, reach, link clicks, leads, purchases) for each ad on ``day``."""
        plan, rng = self.brand.profile.ads, self._rng(day, "ads")
        pace = 0.9 if day.weekday() >= 5 else 1.0
        rows = []
        for ad in self.ads:
            spend = round(plan.daily_budget * self.scale * ad.budget_share * pace * rng.uniform(0.86, 1.1), 2)
            impressions = int(spend / (plan.cpm * rng.uniform(0.85, 1.2)) * 1000)
            reach = int(impressions / rng.uniform(1.15, 1.6))
            boost = 1.3 if ad.retargeting else 1.0
            clicks = poisson(rng, impressions * plan.link_ctr * rng.uniform(0.8, 1.2) * boost)
            leads = poisson(rng, clicks * plan.lead_rate * boost)
            purchases = poisson(rng, clicks * plan.purchase_rate * boost)
            rows.append((ad, spend, impressions, reach, clicks, leads, purchases))
        return rows

    def leads(self, day: date, day_index: int) -> list[Lead]:
        rng = self._rng(day, "leads")
        paid = sum(row[5] for row in self.delivery(day))
        organic = poisson(rng, self.daily_volume * 0.7 * ORGANIC_LEADS_PER_X_INTERACTION)
        start = datetime.combine(day, time(0), tzinfo=UTC)
        leads = []
        for number in range(binomial(rng, paid, PAID_LEAD_KEPT) + organic):
            source = "PAID_SOCIAL" if number < paid else "SOCIAL_MEDIA"
            handle = self.x_audience.pick(rng).handle if source == "SOCIAL_MEDIA" else None
            leads.append(
                Lead(
                    contact_id=str(5 * 10**12 + day_index * 10**7 + self.brand.index * 10**5 + number),
                    first=rng.choice(FIRST_NAMES),
                    last=rng.choice(LAST_NAMES),
                    created_at=start + timedelta(seconds=rng.randrange(86400)),
                    source=source,
                    twitter_handle=handle,
                )
            )
        return leads

    def deals_opened(self, day: date, day_index: int) -> list[Deal]:
        rng = self._rng(day, "deals")
        sales = self.brand.profile.sales
        deals = []
        for number, lead in enumerate(self.leads(day, day_index)):
            if rng.random() >= DEAL_CHANCE:
                continue
            opened = lead.created_at + timedelta(hours=rng.uniform(1, 20))
            deals.append(
                Deal(
                    deal_id=str(9 * 10**12 + day_index * 10**7 + self.brand.index * 10**5 + number),
                    lead=lead,
                    amount=round(rng.uniform(*sales.amount_range), 2),
                    opened_at=opened,
                    closes_at=opened + timedelta(days=rng.uniform(*sales.cycle_days)),
                    won=rng.random() < sales.win_rate,
                )
            )
        return deals

    def deals_closed(self, day: date, day_index: int) -> list[Deal]:
        """Deals opened on earlier days (within the longest sales cycle) that close on ``day``."""
        longest = int(self.brand.profile.sales.cycle_days[1]) + 2
        closed = []
        for back in range(0, min(longest, day_index) + 1):
            for deal in self.deals_opened(day - timedelta(days=back), day_index - back):
                if deal.closes_at.date() == day:
                    closed.append(deal)
        return closed


def _seconds(moment: datetime | None) -> str | None:
    return fivetran_time(moment, "seconds") if moment else None


def write_paid_day(folder: Path, ledgers: list[BrandLedger], day: date, day_index: int) -> list[Path]:
    """The day's Meta Ads and HubSpot tables for every brand."""
    synced = datetime.combine(day + timedelta(days=1), time(6, 40), tzinfo=UTC)
    basic, actions, contacts, submissions, deals, links = [], [], [], [], [], []
    for ledger in ledgers:
        brand = ledger.brand
        for ad, spend, impressions, reach, clicks, leads, purchases in ledger.delivery(day):
            basic.append((ad.ad_id, day.isoformat(), brand.meta_account_id, impressions, clicks, spend, reach))
            by_view = round(leads * VIEW_THROUGH)
            reported = [
                ("link_click", clicks, 0, clicks),
                ("lead", leads, by_view, 0),
                ("offsite_conversion.fb_pixel_purchase", purchases, 0, 0),
            ]
            for index, (action_type, total, viewed, inline) in enumerate(a for a in reported if a[1]):
                actions.append(
                    (
                        _fivetran_id(ad.ad_id, day, action_type),
                        ad.ad_id,
                        day.isoformat(),
                        index,
                        f"{float(viewed)}" if viewed else None,
                        f"{float(total - viewed)}" if total - viewed else None,
                        fivetran_time(synced, "micros"),
                        action_type,
                        f"{float(inline)}" if inline else None,
                        float(total),
                    )
                )
        utm = (
            ("facebook", "paid_social", brand.paid_campaign.utm_campaign),
            ("twitter", "social", brand.organic_campaign.utm_campaign),
        )
        for lead in ledger.leads(day, day_index):
            source, medium, campaign = utm[0] if lead.source == "PAID_SOCIAL" else utm[1]
            contacts.append(
                (
                    "FALSE",
                    _seconds(synced),
                    f"{lead.first}.{lead.last}.{lead.contact_id}@example.com".lower(),
                    lead.contact_id,
                    None,
                    lead.first,
                    lead.last,
                    None,
                    _seconds(lead.created_at),
                    None,
                    None,
                    None,
                    _seconds(lead.created_at),
                    _seconds(lead.created_at),
                    lead.source,
                    "Facebook" if lead.source == "PAID_SOCIAL" else "Twitter",
                    source,
                    medium,
                    campaign,
                    lead.twitter_handle,
                    None,
                    "lead",
                    _seconds(lead.created_at),
                    None,
                )
            )
            submissions.append(
                (
                    _seconds(lead.created_at),
                    _digits(brand.brand_id, "form", first="f"),
                    lead.contact_id,
                    _fivetran_id(lead.contact_id, "conversion"),
                    _digits(brand.brand_id, "page", length=11, first="6"),
                    f"https://{brand.profile.domain}/{brand.profile.paid_path}",
                    PORTAL_ID,
                    brand.profile.sales.form_title,
                    _seconds(synced),
                )
            )
        sales = brand.profile.sales
        for deal in ledger.deals_opened(day, day_index):
            deals.append(_deal_row(ledger, deal, ledger.stages[0], None))
            links.append((deal.lead.contact_id, deal.deal_id, _seconds(synced), "3", "HUBSPOT_DEFINED"))
        for deal in ledger.deals_closed(day, day_index):
            stage = ledger.stages[len(sales.stage_labels) + (0 if deal.won else 1)]
            deals.append(_deal_row(ledger, deal, stage, deal.closes_at))
    paths = [
        write_csv(folder / "meta_ads" / "facebook_ads_basic_ad_data.csv", BASIC_AD, basic),
        write_csv(folder / "meta_ads" / "facebook_ads_basic_ad_actions_data.csv", BASIC_AD_ACTIONS, actions),
        write_csv(folder / "hubspot" / "contact_data.csv", CONTACT + CONTACT_EXTRA, contacts),
        write_csv(folder / "hubspot" / "contact_form_submission_data.csv", FORM_SUBMISSION, submissions),
        write_csv(folder / "hubspot" / "deal_data.csv", DEAL, deals),
    ]
    if links:
        paths.append(write_csv(folder / "hubspot" / "deal_contact_data.csv", DEAL_CONTACT, links))
    return paths


def _deal_row(ledger: BrandLedger, deal: Deal, stage_id: str, closed_at: datetime | None) -> tuple:
    sales = ledger.brand.profile.sales
    return (
        deal.deal_id,
        "false",
        sales.pipeline_id,
        stage_id,
        _digits(ledger.brand.brand_id, "owner", length=9, first="4"),
        PORTAL_ID,
        f"{deal.lead.first} {deal.lead.last} - {sales.deal_label}",
        None,
        f"{deal.amount:.2f}",
        _seconds(closed_at),
        _seconds(deal.opened_at),
    )


def write_paid_setup(folder: Path, ledgers: list[BrandLedger]) -> list[Path]:
    """The object tables, as set up once: ad account, campaign, ad sets, ads, creatives; CRM pipeline stages."""
    synced = fivetran_time(SETUP + timedelta(hours=4), "iso_millis")
    created = fivetran_time(SETUP, "iso_seconds")
    accounts, campaigns, ad_sets, ads, creatives, stages = [], [], [], [], [], []
    for ledger in ledgers:
        brand, profile = ledger.brand, ledger.brand.profile
        accounts.append((brand.meta_account_id, brand.name, fivetran_time(SETUP, "millis")))
        campaign_id = ledger.ads[0].campaign_id
        campaigns.append((campaign_id, brand.meta_account_id, brand.paid_campaign.name, synced, created))
        for ad_set_id, name in dict.fromkeys((ad.ad_set_id, ad.ad_set_name) for ad in ledger.ads):
            ad_sets.append((ad_set_id, brand.meta_account_id, campaign_id, name, synced, created))
        landing = f"https://www.{profile.domain}/{profile.paid_path}"
        for ad in ledger.ads:
            ads.append(
                (ad.ad_id, brand.meta_account_id, ad.ad_set_id, campaign_id, ad.creative_id, ad.name, synced, created)
            )
            tags = [
                ("utm_source", "facebook"),
                ("utm_medium", "paid_social"),
                ("utm_campaign", brand.paid_campaign.utm_campaign),
                ("utm_content", slug(ad.name)),
            ]
            url_tags = json.dumps([{"key": k, "value": v, "type": "AD"} for k, v in tags], separators=(",", ":"))
            creatives.append(
                (
                    landing,
                    None,
                    ad.creative_id,
                    brand.meta_account_id,
                    f"{ad.name} - creative",
                    url_tags,
                    fivetran_time(SETUP, "millis"),
                    None,
                    None,
                    profile.domain,
                    brand.paid_campaign.name,
                    landing,
                    ad.copy,
                    None,
                    _fivetran_id(ad.creative_id, "creative"),
                )
            )
        open_count = len(profile.sales.stage_labels)
        for order, (stage_id, label) in enumerate(zip(ledger.stages, ledger.stage_labels, strict=True)):
            closed, won = order >= open_count, order == open_count
            probability = 1.0 if won else (0.0 if closed else round(0.2 * (order + 1), 1))
            stages.append(
                (
                    "FALSE",
                    fivetran_time(SETUP, "millis"),
                    "TRUE",
                    str(won).upper(),
                    str(closed).upper(),
                    order,
                    probability,
                    stage_id,
                    label,
                    profile.sales.pipeline_id,
                    fivetran_time(SETUP, "millis"),
                    fivetran_time(SETUP, "millis"),
                )
            )
    return [
        write_csv(folder / "meta_ads" / "facebook_ads_account_history_data.csv", ACCOUNT_HISTORY, accounts),
        write_csv(folder / "meta_ads" / "facebook_ads_campaign_history_data.csv", CAMPAIGN_HISTORY, campaigns),
        write_csv(folder / "meta_ads" / "facebook_ads_ad_set_history_data.csv", AD_SET_HISTORY, ad_sets),
        write_csv(folder / "meta_ads" / "facebook_ads_ad_history_data.csv", AD_HISTORY, ads),
        write_csv(folder / "meta_ads" / "facebook_ads_creative_history_data.csv", CREATIVE_HISTORY, creatives),
        write_csv(folder / "hubspot" / "deal_pipeline_stage_data.csv", DEAL_STAGE, stages),
    ]
