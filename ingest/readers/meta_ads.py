"""Meta (Facebook) Ads tables as the Fivetran Facebook Ads connector lands them, one CSV file per table.

- ``basic_ad`` -> ad_insights (one row per ad per day; clicks are ``inline_link_clicks``, the link clicks),
- ``basic_ad_actions`` -> ad_actions (``action_type`` kept as Meta names it: whether it is a lead or a purchase is
  decided in dbt from the seed ``ad_action_types.csv``),
- ``account_history``, ``campaign_history``, ``ad_set_history``, ``ad_history``, ``creative_history`` -> ad_objects.
  Creatives carry their UTM tags in ``url_tags`` (a query string, or Fivetran's JSON list of {key, value}) and in the
  query strings of their link URLs: the reader lists them in ``link_urls`` (url_tags first) and dbt reads the tags.

Fivetran timestamps carry no zone and are UTC. Each file is recognised by its header, never its name.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from ingest.base import ReadResult, register
from ingest.readers.csv_tables import (
    csv_result,
    csv_table_format,
    ensure_columns,
    integer_column,
    not_integer,
    not_number,
    skip_csv_table,
)
from ingest.readers.ids import exact_ids, mangled_id
from ingest.readers.links import distinct_links
from ingest.readers.quarantine import first_reason, missing
from ingest.readers.timestamps import bad_date, bad_timestamp, date_column, utc_column

# ids a spreadsheet may have written as N.0 (exact up to 2^53)
_ID_COLUMNS = ("id", "ad_id", "account_id", "campaign_id", "ad_set_id", "creative_id")
PLATFORM = "meta"
FIVETRAN_ZONE = "UTC"

# Columns of Fivetran's facebook_ads account_history: that table's required columns (id, name, _fivetran_synced) are
# too common to recognise it alone, so its header must stay within this set.
ACCOUNT_HISTORY_COLUMNS = {
    "id", "name", "_fivetran_synced", "_fivetran_deleted", "account_status", "age", "amount_spent", "balance",
    "business_city", "business_country_code", "business_name", "business_state", "business_street",
    "business_street_2", "business_zip", "capabilities", "created_time", "currency", "disable_reason",
    "end_advertiser", "end_advertiser_name", "funding_source", "is_personal", "media_agency",
    "min_campaign_group_spend_cap", "min_daily_budget", "owner", "partner", "spend_cap", "timezone_id",
    "timezone_name", "timezone_offset_hours_utc",
}  # fmt: skip
# Link fields of a creative, in the order their query strings are searched for UTM tags the creative does not set.
CREATIVE_LINK_COLUMNS = (
    "object_story_link_data_link",
    "page_link",
    "template_page_link",
    "link_url",
    "object_story_link_data_child_attachments",
    "asset_feed_spec_link_urls",
    "template_url",
)


def _ids_ok(*columns: str) -> list[pl.Expr]:
    return [mangled_id(column) for column in columns]


def build_basic_ad(raw: pl.DataFrame) -> ReadResult:
    raw = exact_ids(raw, _ID_COLUMNS)
    raw = ensure_columns(raw, ["account_id", "reach"])
    reason = first_reason(
        missing("ad_id"),
        missing("date"),
        bad_date("date"),
        *_ids_ok("ad_id", "account_id"),
        not_number("spend"),
        not_integer("impressions"),
        not_integer("inline_link_clicks"),
        not_integer("reach"),
    )
    build = [
        pl.lit(PLATFORM).alias("platform"),
        date_column("date"),
        pl.col("account_id"),
        pl.col("ad_id"),
        pl.col("spend").str.strip_chars().cast(pl.Float64).alias("spend"),
        pl.lit(None, pl.String).alias("currency"),  # Fivetran keeps the currency on the account, not the insight
        integer_column("impressions"),
        integer_column("inline_link_clicks").alias("clicks"),
        integer_column("reach"),
    ]
    return csv_result("meta_ads.basic_ad", "ad_insights", raw, reason, build)


def build_basic_ad_actions(raw: pl.DataFrame) -> ReadResult:
    raw = exact_ids(raw, _ID_COLUMNS)
    reason = first_reason(
        missing("ad_id"),
        missing("date"),
        missing("action_type"),
        bad_date("date"),
        *_ids_ok("ad_id"),
        not_number("value"),
    )
    build = [
        pl.lit(PLATFORM).alias("platform"),
        date_column("date"),
        pl.col("ad_id"),
        pl.col("action_type").str.strip_chars(),
        pl.col("value").str.strip_chars().cast(pl.Float64).alias("value"),
    ]
    return csv_result("meta_ads.basic_ad_actions", "ad_actions", raw, reason, build)


def _ad_object_builder(object_type: str, parent_columns: dict[str, str]):
    """Build function for a history table of ``object_type``; ``parent_columns`` maps canonical -> file column."""

    def build(raw: pl.DataFrame) -> ReadResult:
        raw = exact_ids(raw, _ID_COLUMNS)
        raw = ensure_columns(raw, ["name", "updated_time", "_fivetran_synced", *parent_columns.values()])
        updated = pl.coalesce(pl.col("updated_time"), pl.col("_fivetran_synced"))
        checked = raw.with_columns(updated.alias("__updated"))
        reason = first_reason(
            missing("id"),
            *_ids_ok("id", *parent_columns.values()),
            bad_timestamp("__updated", assume_zone=FIVETRAN_ZONE),
        )
        columns = {canonical: pl.col(source) for canonical, source in parent_columns.items()}
        build_exprs = [
            pl.lit(PLATFORM).alias("platform"),
            pl.lit(object_type).alias("object_type"),
            pl.col("id").alias("object_id"),
            pl.col("name"),
            *(expr.alias(canonical) for canonical, expr in columns.items()),
            utc_column("__updated", assume_zone=FIVETRAN_ZONE).alias("updated_at"),
        ]
        return csv_result(f"meta_ads.{object_type}_history", "ad_objects", checked, reason, build_exprs)

    return build


def url_tags_query(url_tags: str | None) -> str | None:
    """Fivetran's JSON list of {key, value} tags as a query string; a query string stays as it is."""
    if not url_tags or not url_tags.strip():
        return None
    text = url_tags.strip()
    if text.startswith("["):
        try:
            tags = json.loads(text)
        except ValueError:
            return text
        pairs = [f"{tag['key']}={tag.get('value', '')}" for tag in tags if isinstance(tag, dict) and tag.get("key")]
        return "&".join(pairs) or None
    return text


def _links_in(value: str | None) -> list[str]:
    """URLs inside a link field: the field itself, or the link / website_url / url_tags of a JSON list of objects."""
    if not value:
        return []
    text = value.strip()
    if not text.startswith(("[", "{")):
        return [text]
    try:
        parsed = json.loads(text)
    except ValueError:
        return []
    links: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, child in node.items():
                if key in ("link", "website_url", "url") and isinstance(child, str):
                    links.append(child)
                elif key == "url_tags" and isinstance(child, list):
                    links.append("?" + (url_tags_query(json.dumps(child)) or ""))
                else:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(parsed)
    return links


def creative_links(row: dict[str, Any]) -> list[str]:
    """Where a creative's UTM tags are looked up, in order: its url_tags (as a query, "?" + tags), then the URLs in
    its link fields. dbt takes each tag from the first of them that carries it (first_url_parameter)."""
    tags = url_tags_query(row.get("url_tags"))
    links = [f"?{tags}"] if tags else []
    for column in CREATIVE_LINK_COLUMNS:
        links.extend(_links_in(row.get(column)))
    return distinct_links(links)


def build_creative_history(raw: pl.DataFrame) -> ReadResult:
    raw = exact_ids(raw, _ID_COLUMNS)
    if "url_tags" not in raw.columns and "url_tags_string" in raw.columns:
        raw = raw.rename({"url_tags_string": "url_tags"})
    raw = ensure_columns(raw, ["account_id", "name", "url_tags", "_fivetran_synced", *CREATIVE_LINK_COLUMNS])
    with_tags = raw.with_columns(
        # per-row Python on purpose: link fields are JSON of varying shapes, and creative tables are small
        pl.struct("url_tags", *CREATIVE_LINK_COLUMNS)
        .map_elements(creative_links, return_dtype=pl.List(pl.String))
        .alias("__links"),
        pl.col("url_tags").map_elements(url_tags_query, return_dtype=pl.String, skip_nulls=True).alias("__url_tags"),
    )
    reason = first_reason(
        missing("id"), *_ids_ok("id", "account_id"), bad_timestamp("_fivetran_synced", assume_zone=FIVETRAN_ZONE)
    )
    build = [
        pl.lit(PLATFORM).alias("platform"),
        pl.lit("creative").alias("object_type"),
        pl.col("id").alias("object_id"),
        pl.col("name"),
        pl.col("account_id"),
        pl.col("id").alias("creative_id"),
        pl.col("__url_tags").alias("url_tags"),
        pl.col("__links").alias("link_urls"),
        utc_column("_fivetran_synced", assume_zone=FIVETRAN_ZONE).alias("updated_at"),
    ]
    return csv_result("meta_ads.creative_history", "ad_objects", with_tags, reason, build)


_SYNCED = "_fivetran_synced"

register(
    csv_table_format(
        name="meta_ads.basic_ad",
        description="Fivetran Facebook Ads basic_ad CSV (ad_id, date, impressions, inline_link_clicks, spend)",
        required=["ad_id", "date", "impressions", "inline_link_clicks", "spend"],
        build=build_basic_ad,
    )
)
register(
    csv_table_format(
        name="meta_ads.basic_ad_actions",
        description="Fivetran Facebook Ads basic_ad_actions CSV (ad_id, date, action_type, value, and inline or"
        " _1_d_view; basic_ad_action_values, which holds money not counts, has neither)",
        required=["ad_id", "date", "action_type", "value"],
        any_of=["inline", "_1_d_view"],
        build=build_basic_ad_actions,
    )
)
register(
    csv_table_format(
        name="meta_ads.ad_history",
        description="Fivetran Facebook Ads ad_history CSV (id, account_id, ad_set_id, campaign_id, creative_id)",
        required=["id", "account_id", "ad_set_id", "campaign_id", "creative_id", _SYNCED],
        build=_ad_object_builder(
            "ad",
            {
                "account_id": "account_id",
                "campaign_id": "campaign_id",
                "ad_set_id": "ad_set_id",
                "creative_id": "creative_id",
            },
        ),
    )
)
register(
    csv_table_format(
        name="meta_ads.ad_set_history",
        description="Fivetran Facebook Ads ad_set_history CSV (id, account_id, campaign_id, updated_time)",
        required=["id", "account_id", "campaign_id", "updated_time", _SYNCED],
        excluded=["ad_set_id", "creative_id"],
        build=_ad_object_builder("ad_set", {"account_id": "account_id", "campaign_id": "campaign_id"}),
    )
)
register(
    csv_table_format(
        name="meta_ads.campaign_history",
        description="Fivetran Facebook Ads campaign_history CSV (id, account_id, name, updated_time)",
        required=["id", "account_id", "name", "updated_time", _SYNCED],
        excluded=["campaign_id", "ad_set_id", "creative_id"],
        build=_ad_object_builder("campaign", {"account_id": "account_id"}),
    )
)
register(
    csv_table_format(
        name="meta_ads.account_history",
        description="Fivetran Facebook Ads account_history CSV (id, name, _fivetran_synced; account columns only)",
        required=["id", "name", _SYNCED],
        allowed=ACCOUNT_HISTORY_COLUMNS,
        build=_ad_object_builder("account", {"account_id": "id"}),
    )
)
register(
    csv_table_format(
        name="meta_ads.creative_history",
        description="Fivetran Facebook Ads creative_history CSV (id, account_id, name, url_tags or url_tags_string)",
        required=["id", "account_id", "name", _SYNCED],
        any_of=["url_tags", "url_tags_string"],
        build=build_creative_history,
    )
)

# Known tables the warehouse deliberately does not load.
skip_csv_table(
    "meta_ads.basic_ad_action_values",
    "Fivetran Facebook Ads basic_ad_action_values CSV (ad_id, date, action_type, value; no inline / _1_d_view)",
    "the money value of actions (purchase value): ROR counts leads and purchases (basic_ad_actions) against spend,"
    " it does not take revenue from the ad platform",
    ["ad_id", "date", "action_type", "value"],
    excluded=["inline", "_1_d_view"],
)
for _split in ("country", "region"):
    skip_csv_table(
        f"meta_ads.demographics_{_split}",
        f"Fivetran Facebook Ads demographics_{_split} CSV (account_id, date, {_split}, impressions, reach, spend)",
        f"the account's delivery split by {_split}: ROR measures per ad and day, whose totals come from basic_ad",
        ["account_id", "date", _split, "impressions", "spend"],
        excluded=["ad_id"],
    )
skip_csv_table(
    "meta_ads.demographics_actions",
    "Fivetran Facebook Ads demographics_country_actions / demographics_region_actions CSV (account_id, date,"
    " action_type, value; no ad_id)",
    "the account's actions split by country or region: the per-ad counts come from basic_ad_actions",
    ["account_id", "date", "action_type", "value", "index"],
    excluded=["ad_id"],
)
