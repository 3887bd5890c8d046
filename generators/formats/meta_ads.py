"""Meta Ads as the Fivetran Facebook Ads connector lands them: the sample tables' headers, a row builder per table,
and one writer for the demo and the generator at scale."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from generators.formats.tables import fivetran_time, write_csv

if TYPE_CHECKING:
    from generators.brands import Campaign
    from generators.profiles import BrandProfile

BASIC_AD = ("ad_id", "date", "account_id", "impressions", "inline_link_clicks", "spend", "reach")
BASIC_AD_ACTIONS = (
    "_fivetran_id",
    "ad_id",
    "date",
    "index",
    "_1_d_view",
    "_7_d_click",
    "_fivetran_synced",
    "action_type",
    "inline",
    "value",
)
ACCOUNT_HISTORY = ("id", "name", "_fivetran_synced")
CAMPAIGN_HISTORY = ("id", "account_id", "name", "_fivetran_synced", "updated_time")
AD_SET_HISTORY = ("id", "account_id", "campaign_id", "name", "_fivetran_synced", "updated_time")
AD_HISTORY = ("id", "account_id", "ad_set_id", "campaign_id", "creative_id", "name", "_fivetran_synced", "updated_time")
CREATIVE_HISTORY = (
    "page_link",
    "template_page_link",
    "id",
    "account_id",
    "name",
    "url_tags",
    "_fivetran_synced",
    "asset_feed_spec_link_urls",
    "object_story_link_data_child_attachments",
    "object_story_link_data_caption",
    "object_story_link_data_description",
    "object_story_link_data_link",
    "object_story_link_data_message",
    "template_app_link_spec_ios",
    "_fivetran_id",
)
BUDGET_SHARES = (0.42, 0.33, 0.25)  # of a brand's daily budget, by ad
Row = tuple[object, ...]


def slug(text: str) -> str:
    """ "Autumn Blend - video 15s" -> "autumn_blend_video_15s" (the ad's utm_content)."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _count(value: int) -> str | None:
    return f"{float(value)}" if value else None


def delivery_row(
    ad_id: str, day: date, account_id: str, impressions: int, clicks: int, spend: float, reach: int
) -> Row:
    return (ad_id, day.isoformat(), account_id, impressions, clicks, spend, reach)


def action_rows(
    ad_id: str,
    day: date,
    synced: datetime,
    actions: Iterable[tuple[str, int, int, int]],
    fivetran_id: Callable[[str, date, str], str],
) -> list[Row]:
    """One row per action that happened (Fivetran lands no others): (action type, total, credited to a view, inline
    count); inline is Meta's on-ad count, kept for clicks only."""
    reported = [action for action in actions if action[1]]
    return [
        (
            fivetran_id(ad_id, day, action_type),
            ad_id,
            day.isoformat(),
            index,
            _count(by_view),
            _count(total - by_view),
            fivetran_time(synced, "micros"),
            action_type,
            _count(inline),
            float(total),
        )
        for index, (action_type, total, by_view, inline) in enumerate(reported)
    ]


def account_row(account_id: str, name: str, synced: datetime) -> Row:
    return (account_id, name, fivetran_time(synced, "millis"))


def campaign_row(campaign_id: str, account_id: str, name: str, synced: datetime, updated: datetime) -> Row:
    return (campaign_id, account_id, name, fivetran_time(synced, "iso_millis"), fivetran_time(updated, "iso_seconds"))


def ad_set_row(
    ad_set_id: str, account_id: str, campaign_id: str, name: str, synced: datetime, updated: datetime
) -> Row:
    return (
        ad_set_id,
        account_id,
        campaign_id,
        name,
        fivetran_time(synced, "iso_millis"),
        fivetran_time(updated, "iso_seconds"),
    )


def ad_row(
    ad_id: str,
    account_id: str,
    ad_set_id: str,
    campaign_id: str,
    creative_id: str,
    name: str,
    synced: datetime,
    updated: datetime,
) -> Row:
    return (
        ad_id,
        account_id,
        ad_set_id,
        campaign_id,
        creative_id,
        name,
        fivetran_time(synced, "iso_millis"),
        fivetran_time(updated, "iso_seconds"),
    )


def creative_row(
    creative_id: str,
    account_id: str,
    ad_name: str,
    copy: str,
    profile: BrandProfile,
    campaign: Campaign,
    synced: datetime,
    fivetran_id: str,
) -> Row:
    """The creative of an ad in the brand's paid campaign: its landing page, and the UTM tags Meta appends to it
    (utm_content names the ad)."""
    landing = f"https://www.{profile.domain}/{profile.paid_path}"
    tags = [
        ("utm_source", "facebook"),
        ("utm_medium", "paid_social"),
        ("utm_campaign", campaign.utm_campaign),
        ("utm_content", slug(ad_name)),
    ]
    url_tags = json.dumps([{"key": k, "value": v, "type": "AD"} for k, v in tags], separators=(",", ":"))
    return (
        landing,
        None,
        creative_id,
        account_id,
        f"{ad_name} - creative",
        url_tags,
        fivetran_time(synced, "millis"),
        None,
        None,
        profile.domain,
        campaign.name,
        landing,
        copy,
        None,
        fivetran_id,
    )


def write_meta_ads(
    folder: Path,
    *,
    delivery: Sequence[Row] | None = None,
    actions: Sequence[Row] | None = None,
    accounts: Sequence[Row] | None = None,
    campaigns: Sequence[Row] | None = None,
    ad_sets: Sequence[Row] | None = None,
    ads: Sequence[Row] | None = None,
    creatives: Sequence[Row] | None = None,
) -> list[Path]:
    """Write the tables given (delivery and actions: a sync's days; the rest: history tables) under their Fivetran
    file names."""
    tables = (
        ("facebook_ads_basic_ad_data.csv", BASIC_AD, delivery),
        ("facebook_ads_basic_ad_actions_data.csv", BASIC_AD_ACTIONS, actions),
        ("facebook_ads_account_history_data.csv", ACCOUNT_HISTORY, accounts),
        ("facebook_ads_campaign_history_data.csv", CAMPAIGN_HISTORY, campaigns),
        ("facebook_ads_ad_set_history_data.csv", AD_SET_HISTORY, ad_sets),
        ("facebook_ads_ad_history_data.csv", AD_HISTORY, ads),
        ("facebook_ads_creative_history_data.csv", CREATIVE_HISTORY, creatives),
    )
    return [write_csv(folder / name, header, rows) for name, header, rows in tables if rows is not None]
