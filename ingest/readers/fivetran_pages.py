"""Fivetran organic-social tables exported as CSV: Facebook Pages, Instagram Business, LinkedIn Pages, Twitter/X
organic and YouTube Analytics.

Each table is one export format, recognised by its header and read through one mapping in ``TABLES``: canonical
column -> source column(s). A source given as a plain name is converted by the canonical column's type (counts,
timestamps, dates; a value that does not convert sends its row to quarantine with the column named); ``First`` takes
the first non-null of several columns (the metric's name differs by media type), and a polars expression covers the
few derived values (an id prefix, an interaction type). Nothing is added up here: components pass through (Facebook's
reaction kinds) and their sums live in dbt.

Conventions every table follows:
- Fivetran writes timestamps in UTC without saying so.
- A daily metric's ``date`` is a midnight instant in the account's time zone, written in UTC: Meta tables hold the
  END of the day (Insights ``end_time``, so 2020-04-10 07:00 is 9 April in California), Twitter and YouTube the
  start. The day is read by rounding to the nearest midnight (robust to any UTC offset) and, for an end, stepping
  back one day.
- Lifetime metrics are cumulative snapshots taken at each sync: only the latest snapshot of each post in the file is
  kept (all rows are accepted; the older snapshots are superseded, not lost), with a null ``date``.
- Post history tables with an edit time (Facebook ``post_history``, LinkedIn post history) keep every version, with
  ``record_version`` = the edit time in epoch seconds, 0 for an unedited original. Instagram ``media_history`` has
  sync times only: each media keeps its latest sync, versioned by that sync time. The highest version wins in staging.
- One chunk per file: the folds need the whole table (Fivetran tables are exported per connector and sync).

Tables without canonical content (bridge tables such as ``organization_ugc_post``, content-type details such as
``post_content``, audience demographics, the ads account) are not claimed and show as unrecognised files.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl

from ingest.base import ExportFormat, ReadResult, Sample, register
from ingest.readers.csv_tables import csv_header_names, is_not_int64, read_csv_table, skip_csv_table
from ingest.readers.links import handles_in
from ingest.readers.quarantine import quarantined
from ingest.readers.timestamps import utc_column
from ingest.schema import ENTITIES, UTC_TIME, conform


@dataclass(frozen=True)
class First:
    """The first non-null of several source columns (absent columns are skipped)."""

    columns: tuple[str, ...]

    def __init__(self, *columns: str) -> None:
        object.__setattr__(self, "columns", columns)


Source = str | First | pl.Expr


@dataclass(frozen=True)
class Target:
    """One canonical entity made from a table."""

    entity: str
    columns: Mapping[str, Source]
    where: pl.Expr | None = None  # rows that belong to this entity (source columns)
    fold: Literal["latest", "sum"] | None = None  # latest snapshot per key, or the sum per key
    fold_key: tuple[str, ...] = ()  # canonical columns
    latest_by: tuple[str, ...] = ()  # source columns ordering the snapshots


@dataclass(frozen=True)
class Table:
    name: str  # the export format's name
    description: str
    platform: str
    header: tuple[str, ...]  # columns that together identify the table
    required: tuple[str, ...]  # source columns a row cannot do without
    targets: tuple[Target, ...]
    # what a source time mapped to a canonical date is: a midnight that starts or ends the day (daily metrics), or a
    # moment the day of which is wanted (a sync time)
    date_marks: Literal["start", "end", "instant"] = "start"
    not_header: tuple[str, ...] = field(default=())  # columns of sibling tables that share ``header``


# ------------------------------------------------------------------------------------------------ value helpers

FIVETRAN_ZONE = "UTC"  # Fivetran writes UTC without saying so


def _timestamp(column: str) -> pl.Expr:
    return utc_column(column, assume_zone=FIVETRAN_ZONE)


def _count(column: str) -> pl.Expr:
    return pl.col(column).str.strip_chars().cast(pl.Float64, strict=False).cast(pl.Int64)


def _epoch_seconds(column: str) -> pl.Expr:
    return _timestamp(column).dt.epoch("s")


def _edit_version(edited: str, created: str) -> pl.Expr:
    """0 for an unedited record, else the edit time in epoch seconds."""
    return pl.when(_timestamp(edited) > _timestamp(created)).then(_epoch_seconds(edited)).otherwise(0)


def _joined(*columns: str) -> pl.Expr:
    """Text parts joined by a blank line (a video's title and description), null when all are null."""
    parts = pl.concat_list([pl.col(column) for column in columns]).list.drop_nulls()
    return pl.when(parts.list.len() > 0).then(parts.list.join("\n\n"))


def _before_underscore(column: str) -> pl.Expr:
    return pl.col(column).str.split("_").list.first()


def _urn(column: str, kind: str) -> pl.Expr:
    """A LinkedIn id as a URN (``urn:li:share:123``), the form statistics tables use."""
    return (
        pl.when(pl.col(column).str.starts_with("urn:"))
        .then(pl.col(column))
        .otherwise(f"urn:li:{kind}:" + pl.col(column))
    )


_POST = pl.lit("post")

# ------------------------------------------------------------------------------------------------ the tables

TABLES: tuple[Table, ...] = (
    # ---- Facebook Pages
    Table(
        name="fivetran_facebook_pages_daily_page_metrics",
        description="Fivetran facebook_pages daily_page_metrics_total CSV (page_id, date, page_fans...)",
        platform="facebook",
        header=("date", "page_id", "page_fan_adds", "page_impressions"),
        required=("date", "page_id"),
        date_marks="end",
        targets=(
            Target(
                "account_metrics",
                {
                    "account_id": "page_id",
                    "date": "date",
                    "followers": First("page_fans", "page_follows"),
                    "followers_gained": "page_fan_adds",
                    "followers_lost": "page_fan_removes",
                    "impressions": "page_impressions",
                    "reach": "page_impressions_unique",
                    "engagements": "page_post_engagements",
                    "profile_views": "page_views_total",
                },
            ),
        ),
    ),
    Table(
        name="fivetran_facebook_pages_lifetime_post_metrics",
        description="Fivetran facebook_pages lifetime_post_metrics_total CSV (post_id, date, post_impressions...)",
        platform="facebook",
        header=("date", "post_id", "post_impressions", "post_engaged_users"),
        required=("date", "post_id"),
        targets=(
            Target(
                "content_metrics",
                {
                    "account_id": _before_underscore("post_id"),  # post ids are "{page id}_{post number}"
                    "content_id": "post_id",
                    "impressions": "post_impressions",
                    "reach": "post_impressions_unique",
                    **{
                        f"reactions_{kind}": f"post_reactions_{kind}_total"
                        for kind in ("like", "love", "haha", "wow", "sorry", "anger")
                    },
                    "video_views": "post_video_views",
                },
                fold="latest",
                fold_key=("content_id",),
                latest_by=("date", "_fivetran_synced"),
            ),
        ),
    ),
    Table(
        name="fivetran_facebook_pages_page",
        description="Fivetran facebook_pages page CSV (id, name, username, fan_count, talking_about_count...)",
        platform="facebook",
        header=("id", "name", "fan_count", "talking_about_count", "were_here_count"),
        required=("id",),
        targets=(
            Target(
                "people",
                {
                    "person_id": "id",
                    "handle": "username",
                    "display_name": "name",
                    "description": First("about", "description"),
                    "followers_count": First("followers_count", "fan_count"),
                    "observed_at": "_fivetran_synced",
                },
            ),
        ),
    ),
    Table(
        name="fivetran_facebook_pages_post_history",
        description="Fivetran facebook_pages post_history CSV (id, page_id, created_time, updated_time, message...)",
        platform="facebook",
        header=("id", "page_id", "created_time", "updated_time", "status_type", "promotable_id"),
        required=("id", "created_time"),
        targets=(
            Target(
                "interactions",
                {
                    "interaction_id": "id",
                    "record_version": _edit_version("updated_time", "created_time"),
                    "interaction_type": _POST,
                    "created_at": "created_time",
                    "author_id": "page_id",
                    "text": "message",
                    "parent_id": "parent_id",
                    "conversation_id": "id",
                    "url": "permalink_url",
                    "share_count": "share_count",
                },
            ),
        ),
    ),
    # ---- Instagram Business
    Table(
        name="fivetran_instagram_business_media_history",
        description="Fivetran instagram_business media_history CSV (id, ig_id, user_id, caption...)",
        platform="instagram",
        header=("id", "ig_id", "user_id", "username", "media_type", "shortcode", "created_time"),
        required=("id", "created_time", "_fivetran_synced"),
        targets=(
            Target(
                "interactions",
                {
                    "interaction_id": "id",
                    "record_version": _epoch_seconds("_fivetran_synced"),
                    "interaction_type": _POST,
                    "created_at": "created_time",
                    "author_id": "user_id",
                    "author_handle": "username",
                    "text": "caption",
                    "conversation_id": "id",
                    "url": "permalink",
                },
                where=pl.col("carousel_album_id").is_null(),  # an album's items belong to the album's post
                fold="latest",
                fold_key=("interaction_id",),
                latest_by=("_fivetran_synced",),
            ),
        ),
    ),
    Table(
        name="fivetran_instagram_business_media_insights",
        description="Fivetran instagram_business media_insights CSV (id, like_count, video_photo_reach, reel_plays...)",
        platform="instagram",
        header=("id", "like_count", "comment_count", "video_photo_reach"),
        required=("id",),
        targets=(
            Target(
                "content_metrics",
                {
                    "content_id": "id",
                    "impressions": First("video_photo_impressions", "carousel_album_impressions", "story_impressions"),
                    "reach": First("video_photo_reach", "carousel_album_reach", "story_reach", "reel_reach"),
                    "likes": First("like_count", "reel_likes"),
                    "comments": First("comment_count", "reel_comments"),
                    "shares": First("video_photo_shares", "carousel_album_shares", "story_shares", "reel_shares"),
                    "saves": First("video_photo_saved", "carousel_album_saved"),
                    "video_views": First("video_views", "reel_plays", "carousel_album_video_views"),
                    "engagements": First(
                        "video_photo_engagement", "carousel_album_engagement", "reel_total_interactions"
                    ),
                },
                fold="latest",
                fold_key=("content_id",),
                latest_by=("_fivetran_synced",),
            ),
        ),
    ),
    Table(
        name="fivetran_instagram_business_user_history",
        description="Fivetran instagram_business user_history CSV (id, ig_id, username, followers_count...)",
        platform="instagram",
        header=("id", "ig_id", "username", "followers_count", "follows_count", "media_count"),
        required=("id", "_fivetran_synced"),
        targets=(
            Target(
                "people",
                {
                    "person_id": "id",
                    "handle": "username",
                    "display_name": "name",
                    "description": "biography",
                    "followers_count": "followers_count",
                    "following_count": "follows_count",
                    "observed_at": "_fivetran_synced",
                },
            ),
            Target(
                "account_metrics",
                {"account_id": "id", "date": "_fivetran_synced", "followers": "followers_count"},
                where=pl.col("followers_count").is_not_null(),
            ),
        ),
        date_marks="instant",
    ),
    # ---- LinkedIn Pages
    Table(
        name="fivetran_linkedin_pages_organization",
        description="Fivetran linkedin_pages organization CSV (id, vanity_name, localized_name, organization_type...)",
        platform="linkedin",
        header=("id", "vanity_name", "organization_type", "localized_name"),
        required=("id",),
        targets=(
            Target(
                "people",
                {
                    "person_id": _urn("id", "organization"),
                    "handle": "vanity_name",
                    "display_name": First("localized_name", "name_localized"),
                    "description": First("localized_description", "description_localized"),
                    "observed_at": "_fivetran_synced",
                },
            ),
        ),
    ),
    Table(
        name="fivetran_linkedin_pages_share_statistic",
        description="Fivetran linkedin_pages share_statistic CSV (_share_entity_urn, impression_count, like_count...)",
        platform="linkedin",
        header=("_organization_entity_urn", "_share_entity_urn", "impression_count", "like_count", "share_count"),
        required=("_share_entity_urn",),
        targets=(
            Target(
                "content_metrics",
                {
                    "account_id": "_organization_entity_urn",
                    "content_id": "_share_entity_urn",
                    "impressions": "impression_count",
                    "reach": "unique_impressions_count",
                    "likes": "like_count",
                    "comments": "comment_count",
                    "shares": "share_count",
                },
                fold="latest",
                fold_key=("content_id",),
                latest_by=("_fivetran_synced",),
            ),
        ),
    ),
    Table(
        # ugc_post_history and share_history share one layout; ugc post ids are URNs, share ids bare numbers
        name="fivetran_linkedin_pages_post_history",
        description="Fivetran linkedin_pages ugc_post_history / share_history CSV (id, author, commentary...)",
        platform="linkedin",
        header=("id", "author", "commentary", "created_time", "last_modified_time", "lifecycle_state"),
        required=("id", "created_time"),
        targets=(
            Target(
                "interactions",
                {
                    "interaction_id": _urn("id", "share"),
                    "record_version": _edit_version("last_modified_time", "created_time"),
                    # an organisation's post that responds to another is its comment (on the root) or reply
                    "interaction_type": pl.when(pl.col("response_context_parent").is_null())
                    .then(_POST)
                    .when(pl.col("response_context_parent") == pl.col("response_context_root"))
                    .then(pl.lit("comment"))
                    .otherwise(pl.lit("reply")),
                    "created_at": "created_time",
                    "author_id": "author",
                    "text": "commentary",
                    "parent_id": "response_context_parent",
                    "conversation_id": pl.coalesce(pl.col("response_context_root"), _urn("id", "share")),
                },
            ),
        ),
    ),
    # ---- Twitter / X organic
    Table(
        name="fivetran_twitter_organic_tweet",
        description="Fivetran twitter_organic tweet CSV (id, account_id, user_id, created_at, favorite_count...)",
        platform="x",
        header=("id", "account_id", "user_id", "created_at", "favorite_count", "retweet_count", "tweet_type"),
        required=("id", "created_at"),
        targets=(
            Target(
                "interactions",
                {
                    "interaction_id": "id",
                    "interaction_type": pl.when(pl.col("in_reply_to_status_id").is_null())
                    .then(_POST)
                    .otherwise(pl.lit("reply")),
                    "created_at": "created_at",
                    "author_id": "user_id",
                    "text": First("full_text", "full_test", "text"),  # the connector spells it full_test
                    "lang": "lang",
                    "parent_id": "in_reply_to_status_id",
                    "conversation_id": pl.when(pl.col("in_reply_to_status_id").is_null()).then(pl.col("id")),
                    "in_reply_to_author_id": "in_reply_to_user_id",
                    "like_count": "favorite_count",
                    "share_count": "retweet_count",
                },
                where=pl.col("tweet_type").is_null() | (pl.col("tweet_type") == "PUBLISHED"),  # not drafts
            ),
        ),
    ),
    Table(
        name="fivetran_twitter_organic_tweet_report",
        description="Fivetran twitter_organic organic_tweet_report CSV (organic_tweet_id, date, placement...)",
        platform="x",
        header=("account_id", "date", "organic_tweet_id", "placement", "impressions", "engagements"),
        required=("date", "organic_tweet_id"),
        targets=(
            Target(
                "content_metrics",
                {
                    "account_id": "account_id",
                    "content_id": "organic_tweet_id",
                    "date": "date",
                    "impressions": "impressions",
                    "likes": "likes",
                    "comments": "replies",
                    "shares": "retweets",
                    "video_views": "video_total_views",
                    "engagements": "engagements",
                },
                fold="sum",  # one row per placement (timeline, publisher network): the post's day is their sum
                fold_key=("account_id", "content_id", "date"),
            ),
        ),
    ),
    Table(
        name="fivetran_twitter_organic_user_history",
        description="Fivetran twitter_organic twitter_user_history CSV (id, screen_name, followers_count...)",
        platform="x",
        header=("id", "screen_name", "followers_count", "friends_count", "statuses_count"),
        required=("id", "_fivetran_synced"),
        date_marks="instant",
        targets=(
            Target(
                "people",
                {
                    "person_id": "id",
                    "handle": "screen_name",
                    "display_name": "name",
                    "description": "description",
                    "followers_count": "followers_count",
                    "following_count": "friends_count",
                    "account_created_at": "created_at",
                    "observed_at": "_fivetran_synced",
                },
            ),
            Target(
                "account_metrics",
                {"account_id": "id", "date": "_fivetran_synced", "followers": "followers_count"},
                where=pl.col("followers_count").is_not_null(),
            ),
        ),
    ),
    # ---- YouTube Analytics
    Table(
        name="fivetran_youtube_analytics_channel_basic",
        description="Fivetran youtube_analytics channel_basic_a2 CSV (date, channel_id, video_id, views, likes...)",
        platform="youtube",
        header=("date", "channel_id", "video_id", "country_code", "subscribed_status", "views", "subscribers_gained"),
        # sibling report tables split the same metrics by another dimension: summing them too would double count
        not_header=("province_code", "playback_location_type", "traffic_source_type", "device_type", "age_group"),
        required=("date", "channel_id"),
        targets=(
            Target(
                "content_metrics",
                {
                    "account_id": "channel_id",
                    "content_id": "video_id",
                    "date": "date",
                    "likes": "likes",
                    "comments": "comments",
                    "shares": "shares",
                    "video_views": "views",
                },
                where=pl.col("video_id").is_not_null(),
                fold="sum",  # rows per country, subscription status and live/on demand
                fold_key=("account_id", "content_id", "date"),
            ),
            Target(
                "account_metrics",
                {
                    "account_id": "channel_id",
                    "date": "date",
                    "followers_gained": "subscribers_gained",
                    "followers_lost": "subscribers_lost",
                },
                fold="sum",
                fold_key=("account_id", "date"),
            ),
        ),
    ),
    Table(
        name="fivetran_youtube_analytics_video",
        description="Fivetran youtube_analytics video CSV (id, snippet_channel_id, statistics_view_count...)",
        platform="youtube",
        header=("id", "snippet_channel_id", "snippet_published_at", "statistics_view_count"),
        required=("id", "snippet_published_at"),
        targets=(
            Target(
                "interactions",
                {
                    "interaction_id": "id",
                    "interaction_type": _POST,
                    "created_at": "snippet_published_at",
                    "author_id": "snippet_channel_id",
                    "author_name": "snippet_channel_title",
                    "text": _joined("snippet_title", "snippet_description"),
                    "lang": First("snippet_default_language", "snippet_default_audio_language"),
                    "conversation_id": "id",
                    "url": "https://www.youtube.com/watch?v=" + pl.col("id"),
                    "like_count": "statistics_like_count",
                    "reply_count": "statistics_comment_count",
                },
            ),
            Target(
                "content_metrics",
                {
                    "account_id": "snippet_channel_id",
                    "content_id": "id",
                    "likes": "statistics_like_count",
                    "comments": "statistics_comment_count",
                    "video_views": "statistics_view_count",
                },
                fold="latest",
                fold_key=("content_id",),
                latest_by=("_fivetran_synced",),
            ),
        ),
    ),
)


# ------------------------------------------------------------------------------------------------ sniff and read


def _sniffer(table: Table):
    def sniff(sample: Sample) -> bool:
        header = csv_header_names(sample.text)
        return set(table.header) <= header and not header & set(table.not_header)

    return sniff


def _reader(table: Table):
    def read(path: Path) -> Iterator[ReadResult]:
        yield read_table(table, path)

    return read


def read_table(table: Table, path: Path) -> ReadResult:
    """One Fivetran CSV read through its mapping: valid rows to canonical frames, the others to quarantine."""
    result = ReadResult(format=table.name, frames={})
    csv_table = read_csv_table(path)
    raw = csv_table.frame
    # absent optional columns read as missing
    raw = raw.with_columns(
        pl.lit(None, pl.String).alias(name) for name in _referenced_columns(table) - set(raw.columns)
    )
    reasons = _row_problems(table, raw)
    problems = raw.with_columns(_reason=reasons).filter(pl.col("_reason").is_not_null())
    valid = raw.filter(reasons.is_null())
    result.rows_read = raw.height
    result.rows_accepted = valid.height
    result.quarantine = [
        quarantined(f"row {row['_source_line']}", row["_reason"], _raw_row(row))
        for row in problems.iter_rows(named=True)
    ]
    for target in table.targets:
        frame = _target_frame(table, target, valid)
        if frame.height:
            result.frames[target.entity] = frame
    return csv_table.into(result)


def _raw_row(row: dict) -> dict:
    """The source row by column name (so its personal fields are protected like any quarantined record's)."""
    return {name: value for name, value in row.items() if not name.startswith("_") and value is not None}


def _source_columns(source: Source) -> tuple[str, ...]:
    if isinstance(source, str):
        return (source,)
    if isinstance(source, First):
        return source.columns
    return tuple(source.meta.root_names())


def _referenced_columns(table: Table) -> set[str]:
    names = set(table.required)
    for target in table.targets:
        names |= set(target.latest_by)
        if target.where is not None:
            names |= set(target.where.meta.root_names())
        for source in target.columns.values():
            names |= set(_source_columns(source))
    return names


def _row_problems(table: Table, raw: pl.DataFrame) -> pl.Expr:
    """The first problem of each row as text (null when the row is fine): a required value missing, or a count /
    time / date that does not convert."""
    checks: list[tuple[pl.Expr, str]] = [(pl.col(name).is_null(), f"{name} missing") for name in table.required]
    checked: set[str] = set()
    for target in table.targets:
        schema = ENTITIES[target.entity]
        for column, source in target.columns.items():
            if isinstance(source, pl.Expr):
                continue
            kind = schema[column]
            for name in _source_columns(source):
                if name in checked or name not in raw.columns:
                    continue
                checked.add(name)
                if kind == pl.Int64:
                    checks.append((is_not_int64(name), f"{name} is not a whole number within a 64-bit integer"))
                elif kind in (UTC_TIME, pl.Date):
                    checks.append((pl.col(name).is_not_null() & _timestamp(name).is_null(), f"{name} is not a time"))
    reason = pl.lit(None, pl.String)
    for bad, message in reversed(checks):
        reason = pl.when(bad).then(pl.lit(message)).otherwise(reason)
    return reason


def _value(source: Source, kind: pl.DataType, table: Table) -> pl.Expr:
    if isinstance(source, pl.Expr):
        return source
    if isinstance(source, First):
        return pl.coalesce([_value(name, kind, table) for name in source.columns])
    if kind == pl.Int64:
        return _count(source)
    if kind == UTC_TIME:
        return _timestamp(source)
    if kind == pl.Date:
        return _day(source, table.date_marks)
    return pl.col(source)


def _day(column: str, marks: Literal["start", "end", "instant"]) -> pl.Expr:
    """The day a time stands for. A midnight instant is rounded to the nearest midnight (whatever the account's UTC
    offset), minus one day when it ends the day; any other moment is on its own UTC day."""
    if marks == "instant":
        return _timestamp(column).dt.date()
    day = (_timestamp(column) + pl.duration(hours=12)).dt.date()
    return day - pl.duration(days=1) if marks == "end" else day


def _target_frame(table: Table, target: Target, valid: pl.DataFrame) -> pl.DataFrame:
    schema = ENTITIES[target.entity]
    rows = valid.lazy()
    if target.where is not None:
        rows = rows.filter(target.where)
    if target.fold == "latest":
        rows = rows.sort([_timestamp(name) for name in target.latest_by], nulls_last=False)
    columns = [
        _value(source, schema[column], table).cast(schema[column]).alias(column)
        for column, source in target.columns.items()
    ]
    frame = rows.select(pl.lit(table.platform).alias("platform"), *columns, "_source_line")
    if target.fold == "latest":
        frame = frame.group_by(target.fold_key, maintain_order=True).last()
        if "date" in schema:  # a lifetime value has no day
            frame = frame.with_columns(pl.lit(None, pl.Date).alias("date"))
    elif target.fold == "sum":
        measures = [name for name in target.columns if name not in target.fold_key and schema[name] == pl.Int64]
        frame = frame.group_by("platform", *target.fold_key, maintain_order=True).agg(
            *(pl.when(pl.col(name).is_not_null().any()).then(pl.col(name).sum()).alias(name) for name in measures),
            pl.col("_source_line").min(),
        )
    if target.entity == "interactions":
        frame = frame.with_columns(
            mentioned_handles=pl.col("text").map_elements(
                handles_in, return_dtype=pl.List(pl.String), skip_nulls=False
            ),
            record_version=pl.col("record_version").fill_null(0) if "record_version" in target.columns else pl.lit(0),
        )
    return conform(frame.sort("_source_line"), target.entity)


for _table in TABLES:
    register(ExportFormat(_table.name, _table.description, _sniffer(_table), _reader(_table), priority=50))

# Known tables the warehouse deliberately does not load.
_SYNCED = ("_fivetran_synced",)
skip_csv_table(
    "fivetran_linkedin_pages_organization_post",
    "Fivetran linkedin_pages organization_share / organization_ugc_post CSV (organization id, share_id or ugc_post_id)",
    "a bridge from an organisation to its posts: every post already names its author (share_history, ugc_post_history)",
    [],
    any_of=["share_id", "ugc_post_id"],
    allowed=("organization_id", "organiation_id", *_SYNCED),  # the connector spells it organiation_id
)
skip_csv_table(
    "fivetran_linkedin_pages_statistic_bridge",
    "Fivetran linkedin_pages ugc_post_share_statistic / share_share_statistic CSV (share_statistic_id, ugc_post_id"
    " or share_id)",
    "a bridge from a statistics row to its post: share_statistic rows already name their post (_share_entity_urn),"
    " which is how their impressions, likes, comments and shares reach the content metrics",
    ["share_statistic_id"],
    any_of=["share_id", "ugc_post_id"],
    allowed=_SYNCED,
)
skip_csv_table(
    "fivetran_linkedin_pages_content",
    "Fivetran linkedin_pages post_content / share_content CSV (article_title, media_id, poll_question, type)",
    "the attached article, media or poll of a post: the post's text and links come from its history table",
    ["article_title", "media_id", "poll_question"],
)
skip_csv_table(
    "fivetran_twitter_organic_account_history",
    "Fivetran twitter_organic account_history CSV (id, name, approval_status, timezone, business_id)",
    "the X Ads account's settings (name, time zone, approval status); it carries no follower counts: followers per"
    " day come from twitter_user_history",
    ["id", "approval_status", "timezone", "business_id"],
)
skip_csv_table(
    "fivetran_youtube_analytics_demographics",
    "Fivetran youtube_analytics channel_demographics CSV (channel_id, age_group, gender, views_percentage)",
    "the share of views by age group and gender: ROR counts interactions and views, not audience demographics",
    ["channel_id", "age_group", "gender", "views_percentage"],
)
