"""Meta Ads for the demo brands: the campaigns, their daily delivery, and the connector's tables written from them.

Each brand runs its one paid campaign from DEMO_BRANDS: two ad sets (prospecting, retargeting), three ads, one creative
each. Daily delivery follows the brand's economics (budget, CPM, link CTR, lead and purchase rates), pauses when the
brand pauses (Lumen during its delivery crisis) and stops when the flight ends (Tidepool's summer SPF launch).

Every ad reports its leads under exactly one lead action type and its purchases under one purchase type (instant-form
ads: ``lead``; website ads: ``offsite_conversion.fb_pixel_lead``; retargeting: ``purchase``; prospecting:
``offsite_conversion.fb_pixel_purchase``), so summing the lead types of ``ad_action_types.csv`` never counts a lead
twice. (In real Meta exports ``lead`` and ``purchase`` are rollups that can include the pixel events.)
"""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from generators.brands import Brand
from generators.draws import binomial, poisson
from generators.formats import meta_ads
from generators.formats.meta_ads import BUDGET_SHARES
from generators.ids import IdMint
from generators.profiles import BrandProfile

VIEW_THROUGH = 0.12  # share of conversions Meta credits to a view (1-day view) rather than a click (7-day click)


@dataclass(frozen=True)
class Ad:
    brand_id: str
    account_id: str
    campaign_id: str
    ad_set_id: str
    ad_set_name: str
    ad_id: str
    creative_id: str
    name: str
    copy: str
    retargeting: bool
    lead_action: str
    purchase_action: str
    budget_share: float


@dataclass(frozen=True)
class AdDay:
    ad: Ad
    day: date
    spend: float
    impressions: int
    reach: int
    link_clicks: int
    leads: int
    view_leads: int  # of ``leads``, credited to a view
    purchases: int


@dataclass
class MetaAds:
    ads: list[Ad]
    days: list[AdDay]
    campaign_ids: dict[str, str]  # brand id -> campaign id

    def leads_by_day(self, brand_id: str) -> list[tuple[AdDay, int]]:
        return [(row, row.leads) for row in self.days if row.ad.brand_id == brand_id and row.leads]


def plan_ads(
    rng: random.Random, ids: IdMint, brands: Sequence[Brand], profiles: dict[str, BrandProfile], start: date, days: int
) -> MetaAds:
    ads: list[Ad] = []
    rows: list[AdDay] = []
    campaign_ids: dict[str, str] = {}
    for brand in brands:
        plan = profiles[brand.brand_id].ads
        if plan.first_day >= days:  # the flight starts after the window: no campaign to show
            continue
        campaign_ids[brand.brand_id] = campaign_id = ids.digits(17, "238")
        ad_set_ids = [ids.digits(17, "238") for _ in plan.ad_sets]
        brand_ads = []
        for index, (set_index, name, copy) in enumerate(plan.ads):
            retargeting = set_index == len(plan.ad_sets) - 1
            brand_ads.append(
                Ad(
                    brand_id=brand.brand_id,
                    account_id=brand.meta_account_id,
                    campaign_id=campaign_id,
                    ad_set_id=ad_set_ids[set_index],
                    ad_set_name=plan.ad_sets[set_index],
                    ad_id=ids.digits(17, "238"),
                    creative_id=ids.digits(17, "238"),
                    name=name,
                    copy=copy,
                    retargeting=retargeting,
                    lead_action="lead" if index == 0 else "offsite_conversion.fb_pixel_lead",
                    purchase_action="purchase" if retargeting else "offsite_conversion.fb_pixel_purchase",
                    budget_share=BUDGET_SHARES[index],
                )
            )
        ads.extend(brand_ads)
        for offset in range(plan.first_day, min(plan.last_day, days - 1) + 1):
            if offset in plan.pause_days:
                continue
            ramp = min(1.0, 0.55 + 0.15 * (offset - plan.first_day))  # delivery ramps up over the first days
            weekend = (start + timedelta(days=offset)).weekday() >= 5
            for ad in brand_ads:
                rows.append(
                    _deliver(
                        rng,
                        ad,
                        profiles[brand.brand_id],
                        start + timedelta(days=offset),
                        ramp * (0.9 if weekend else 1.0),
                    )
                )
    return MetaAds(ads, rows, campaign_ids)


def _deliver(rng: random.Random, ad: Ad, profile: BrandProfile, day: date, pace: float) -> AdDay:
    plan = profile.ads
    spend = round(plan.daily_budget * ad.budget_share * pace * rng.uniform(0.86, 1.1), 2)
    impressions = int(spend / (plan.cpm * rng.uniform(0.85, 1.2)) * 1000)
    reach = int(impressions / rng.uniform(1.15, 1.65 if ad.retargeting else 1.35))
    link_clicks = poisson(rng, impressions * plan.link_ctr * rng.uniform(0.8, 1.2) * (1.3 if ad.retargeting else 1.0))
    leads = poisson(rng, link_clicks * plan.lead_rate * (1.5 if ad.retargeting else 1.0))
    purchases = poisson(rng, link_clicks * plan.purchase_rate * (1.8 if ad.retargeting else 1.0))
    return AdDay(ad, day, spend, impressions, reach, link_clicks, leads, binomial(rng, leads, VIEW_THROUGH), purchases)


def _fivetran_id(*parts: object) -> str:
    return base64.b64encode(hashlib.sha1("|".join(map(str, parts)).encode()).digest()).decode()


def _synced(day: date, salt: int) -> datetime:
    """When the connector picked a day's numbers up: the next morning."""
    return datetime.combine(day + timedelta(days=1), time(6, 40), tzinfo=UTC) + timedelta(
        seconds=salt % 1800, milliseconds=(salt * 7919) % 1000
    )


def write_demo_meta_ads(
    folder: Path, meta: MetaAds, brands: Sequence[Brand], profiles: dict[str, BrandProfile], start: date, days: int
) -> list[Path]:
    window_start = datetime.combine(start, time(0), tzinfo=UTC)
    window_end = window_start + timedelta(days=days)
    delivery = [
        meta_ads.delivery_row(r.ad.ad_id, r.day, r.ad.account_id, r.impressions, r.link_clicks, r.spend, r.reach)
        for r in meta.days
    ]
    actions = []
    for number, r in enumerate(meta.days):
        reported = (
            ("link_click", r.link_clicks, 0, r.link_clicks),
            (r.ad.lead_action, r.leads, r.view_leads, 0),
            (r.ad.purchase_action, r.purchases, r.purchases // 8, 0),
        )
        actions += meta_ads.action_rows(r.ad.ad_id, r.day, _synced(r.day, number), reported, _fivetran_id)
    return meta_ads.write_meta_ads(
        folder, delivery=delivery, actions=actions, **_objects(meta, brands, profiles, window_start, window_end)
    )


def _objects(
    meta: MetaAds,
    brands: Sequence[Brand],
    profiles: dict[str, BrandProfile],
    window_start: datetime,
    window_end: datetime,
) -> dict[str, list[meta_ads.Row]]:
    """History tables: a row per version of each object; the newest ``updated_time`` (or sync) wins."""
    accounts, campaigns, ad_sets, ads, creatives = [], [], [], [], []
    for brand in brands:
        if brand.brand_id not in meta.campaign_ids:
            continue
        profile = profiles[brand.brand_id]
        plan = profile.ads
        created = window_start + timedelta(days=max(0, plan.first_day - 2), hours=10, minutes=12)
        ended = window_start + timedelta(days=plan.last_day + 1, hours=9, minutes=3)
        for sync_day in range(0, (window_end - window_start).days, 30):  # the connector re-reads accounts monthly
            synced = window_start + timedelta(days=sync_day, hours=2, minutes=20, seconds=41, milliseconds=42)
            accounts.append(meta_ads.account_row(brand.meta_account_id, brand.name, synced))
        campaign_id = meta.campaign_ids[brand.brand_id]
        versions = [created] + ([ended] if ended < window_end else [])
        for version in versions:
            synced = version + timedelta(hours=4, minutes=9)
            campaigns.append(
                meta_ads.campaign_row(campaign_id, brand.meta_account_id, brand.paid_campaign.name, synced, version)
            )
        brand_ads = [ad for ad in meta.ads if ad.brand_id == brand.brand_id]
        for ad_set_id, ad_set_name in dict.fromkeys((ad.ad_set_id, ad.ad_set_name) for ad in brand_ads):
            synced = created + timedelta(hours=4, minutes=10)
            ad_sets.append(
                meta_ads.ad_set_row(ad_set_id, brand.meta_account_id, campaign_id, ad_set_name, synced, created)
            )
        for ad in brand_ads:
            refreshed = created + timedelta(days=9, hours=3)  # a creative refresh: same values, a new version row
            for version in (created, refreshed) if refreshed < window_end else (created,):
                synced = version + timedelta(hours=4, minutes=11)
                ads.append(
                    meta_ads.ad_row(
                        ad.ad_id, ad.account_id, ad.ad_set_id, ad.campaign_id, ad.creative_id, ad.name, synced, version
                    )
                )
            creatives.append(
                meta_ads.creative_row(
                    ad.creative_id,
                    ad.account_id,
                    ad.name,
                    ad.copy,
                    profile,
                    brand.paid_campaign,
                    created + timedelta(hours=4, minutes=12),
                    _fivetran_id(ad.creative_id, "creative"),
                )
            )
    return {"accounts": accounts, "campaigns": campaigns, "ad_sets": ad_sets, "ads": ads, "creatives": creatives}
