"""A day of Meta Ads delivery and HubSpot CRM records per brand, as Fivetran lands them (one sync's tables a day).

The object tables that only change when the account is set up (Meta account / campaign / ad set / ad / creative
history, HubSpot pipeline stages) are written with the first day. A day's files hold what happened that day: ad
delivery and actions, contacts and form submissions created, deals opened, and deals closed that day (a new version of
a deal opened earlier, redrawn from its own day's stream). Spend and leads grow with the brand's daily volume.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from generators.brands import ScaleBrand
from generators.draws import binomial, poisson
from generators.formats import hubspot, meta_ads
from generators.formats.meta_ads import BUDGET_SHARES
from generators.phrases import FIRST_NAMES, LAST_NAMES
from generators.scale.conversation import NO_STORY, Audience, Story

SETUP = datetime(2020, 1, 6, 9, 30, tzinfo=UTC)  # when the ad account and CRM pipelines were set up
VIEW_THROUGH = 0.12
PAID_LEAD_KEPT = 0.93  # Meta counts a few leads HubSpot never sees
ORGANIC_LEADS_PER_X_INTERACTION = 0.002
DEAL_CHANCE = 0.15
BIG_BUYER_CHANCE = 0.08  # with Story.customers: a paid lead (never seen on X) that is a company buying big
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
    big: bool = False  # a company's order (the profile's big deal), from a lead who never talked on X


class BrandLedger:
    """One brand's ads, leads and deals, day by day, each day from its own seeded stream."""

    def __init__(
        self, seed: int, brand: ScaleBrand, daily_volume: float, x_audience: Audience, story: Story = NO_STORY
    ) -> None:
        self.seed, self.brand, self.daily_volume, self.x_audience = seed, brand, daily_volume, x_audience
        self.story = story
        self.ads = brand_ads(brand)
        self.scale = max(1.0, daily_volume / DEMO_DAILY_VOLUME)
        sales = brand.profile.sales
        labels = (*sales.stage_labels, "Closed won", "Closed lost")
        self.stages = [_digits(brand.brand_id, "stage", n, length=9, first="1") for n in range(len(labels))]
        self.stage_labels = labels

    def _rng(self, day: date, part: str) -> random.Random:
        return random.Random(f"{self.seed}:{self.brand.brand_id}:{part}:{day}")

    def delivery(self, day: date, day_index: int) -> list[tuple[GeneratedAd, float, int, int, int, int, int]]:
        """(ad, spend, impressions, reach, link clicks, leads, purchases) for each ad on ``day``; none on the brand's
        pause days (its ads stop while an incident runs)."""
        plan, rng = self.brand.profile.ads, self._rng(day, "ads")
        if day_index in plan.pause_days:
            return []
        if self.story.ad_windows and not plan.first_day <= day_index <= plan.last_day:
            return []
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
        paid = sum(row[5] for row in self.delivery(day, day_index))
        per_interaction = self.story.organic_leads or ORGANIC_LEADS_PER_X_INTERACTION
        organic = poisson(rng, self.daily_volume * 0.7 * per_interaction)
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
            deal = Deal(
                deal_id=str(9 * 10**12 + day_index * 10**7 + self.brand.index * 10**5 + number),
                lead=lead,
                amount=round(rng.uniform(*sales.amount_range), 2),
                opened_at=opened,
                closes_at=opened + timedelta(days=rng.uniform(*sales.cycle_days)),
                won=rng.random() < sales.win_rate,
            )
            if self.story.customers and lead.twitter_handle is None and rng.random() < BIG_BUYER_CHANCE:
                deal = replace(deal, amount=round(rng.uniform(*sales.big_amount_range), 2), won=True, big=True)
            deals.append(deal)
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


def write_paid_day(folder: Path, ledgers: list[BrandLedger], day: date, day_index: int) -> list[Path]:
    """The day's Meta Ads and HubSpot tables for every brand."""
    synced = datetime.combine(day + timedelta(days=1), time(6, 40), tzinfo=UTC)
    delivery, actions, contacts, submissions, deals, links = [], [], [], [], [], []
    for ledger in ledgers:
        brand = ledger.brand
        for ad, spend, impressions, reach, clicks, leads, purchases in ledger.delivery(day, day_index):
            delivery.append(
                meta_ads.delivery_row(ad.ad_id, day, brand.meta_account_id, impressions, clicks, spend, reach)
            )
            reported = (
                ("link_click", clicks, 0, clicks),
                ("lead", leads, round(leads * VIEW_THROUGH), 0),
                ("offsite_conversion.fb_pixel_purchase", purchases, 0, 0),
            )
            actions += meta_ads.action_rows(ad.ad_id, day, synced, reported, _fivetran_id)
        for lead in ledger.leads(day, day_index):
            contacts.append(_contact_row(brand, lead, synced))
            submissions.append(
                hubspot.submission_row(
                    submitted_at=lead.created_at,
                    form_id=_digits(brand.brand_id, "form", first="f"),
                    contact_id=lead.contact_id,
                    conversion_id=_fivetran_id(lead.contact_id, "conversion"),
                    page_id=_digits(brand.brand_id, "page", length=11, first="6"),
                    page_url=f"https://{brand.profile.domain}/{brand.profile.paid_path}",
                    title=brand.profile.sales.form_title,
                    synced=synced,
                )
            )
        for deal in ledger.deals_opened(day, day_index):
            deals.append(_deal_row(ledger, deal, ledger.stages[0], None))
            links.append(hubspot.deal_contact_row(deal.lead.contact_id, deal.deal_id, synced))
        for deal in ledger.deals_closed(day, day_index):
            stage = ledger.stages[len(brand.profile.sales.stage_labels) + (0 if deal.won else 1)]
            deals.append(_deal_row(ledger, deal, stage, deal.closes_at))
            if deal.won and ledger.story.customers:  # the CRM's next sync has the contact as a customer
                contacts.append(_contact_row(brand, deal.lead, synced, deal))
    return meta_ads.write_meta_ads(folder / "meta_ads", delivery=delivery, actions=actions) + hubspot.write_hubspot(
        folder / "hubspot", contacts=contacts, submissions=submissions, deals=deals, deal_contacts=links or None
    )


def _contact_row(brand: ScaleBrand, lead: Lead, synced: datetime, won: Deal | None = None) -> hubspot.Row:
    """The contact as a lead, or (``won``) as the customer a won deal made it, with the buyer's company for a big
    deal."""
    paid = lead.source == "PAID_SOCIAL"
    companies = brand.profile.sales.big_buyer_companies
    company = companies[int(won.deal_id) % len(companies)] if won is not None and won.big else None
    if paid:
        utm = ("facebook", "paid_social", brand.paid_campaign.utm_campaign)
    else:
        utm = ("twitter", "social", brand.organic_campaign.utm_campaign)
    return hubspot.contact_row(
        contact_id=lead.contact_id,
        synced=synced,
        email=f"{lead.first}.{lead.last}.{lead.contact_id}@example.com".lower(),
        first=lead.first,
        last=lead.last,
        created=lead.created_at,
        first_conversion=lead.created_at,
        source=lead.source,
        utm=utm,
        twitter_handle=lead.twitter_handle,
        lifecycle="lead" if won is None else "customer",
        lead_at=lead.created_at,
        customer_at=None if won is None else won.closes_at,
        company=company,
    )


def _deal_row(ledger: BrandLedger, deal: Deal, stage_id: str, closed_at: datetime | None) -> hubspot.Row:
    sales = ledger.brand.profile.sales
    return hubspot.deal_row(
        deal_id=deal.deal_id,
        pipeline_id=sales.pipeline_id,
        stage_id=stage_id,
        owner_id=_digits(ledger.brand.brand_id, "owner", length=9, first="4"),
        name=f"{deal.lead.first} {deal.lead.last} - {sales.big_deal_label if deal.big else sales.deal_label}",
        amount=deal.amount,
        closed_at=closed_at,
        created_at=deal.opened_at,
    )


def write_paid_setup(folder: Path, ledgers: list[BrandLedger]) -> list[Path]:
    """The object tables, as set up once: ad account, campaign, ad sets, ads, creatives; CRM pipeline stages."""
    synced = SETUP + timedelta(hours=4)
    accounts, campaigns, ad_sets, ads, creatives, stages = [], [], [], [], [], []
    for ledger in ledgers:
        brand, profile = ledger.brand, ledger.brand.profile
        account = brand.meta_account_id
        accounts.append(meta_ads.account_row(account, brand.name, SETUP))
        campaign_id = ledger.ads[0].campaign_id
        campaigns.append(meta_ads.campaign_row(campaign_id, account, brand.paid_campaign.name, synced, SETUP))
        for ad_set_id, name in dict.fromkeys((ad.ad_set_id, ad.ad_set_name) for ad in ledger.ads):
            ad_sets.append(meta_ads.ad_set_row(ad_set_id, account, campaign_id, name, synced, SETUP))
        for ad in ledger.ads:
            ads.append(
                meta_ads.ad_row(ad.ad_id, account, ad.ad_set_id, campaign_id, ad.creative_id, ad.name, synced, SETUP)
            )
            creatives.append(
                meta_ads.creative_row(
                    ad.creative_id,
                    account,
                    ad.name,
                    ad.copy,
                    profile,
                    brand.paid_campaign,
                    SETUP,
                    _fivetran_id(ad.creative_id, "creative"),
                )
            )
        open_count = len(profile.sales.stage_labels)
        for order, (stage_id, label) in enumerate(zip(ledger.stages, ledger.stage_labels, strict=True)):
            closed, won = order >= open_count, order == open_count
            stages.append(
                hubspot.stage_row(
                    stage_id=stage_id,
                    label=label,
                    pipeline_id=profile.sales.pipeline_id,
                    order=order,
                    probability=1.0 if won else (0.0 if closed else round(0.2 * (order + 1), 1)),
                    is_closed=closed,
                    closed_won=won,
                    synced=SETUP,
                    created=SETUP,
                )
            )
    objects = {"accounts": accounts, "campaigns": campaigns, "ad_sets": ad_sets, "ads": ads, "creatives": creatives}
    return meta_ads.write_meta_ads(folder / "meta_ads", **objects) + hubspot.write_hubspot(
        folder / "hubspot", stages=stages
    )
