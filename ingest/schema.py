"""Canonical entities: the one shape every reader produces, whatever the platform.

Each entity becomes one append-only DuckDB table in schema ``raw`` (see ``ingest.warehouse``). Readers return polars
frames with exactly these columns (in this order, these dtypes); the loader adds the provenance columns in
``PROVENANCE``. IDs are strings everywhere: an 18-digit tweet id read as a float is silently wrong.
"""

from __future__ import annotations

import functools

import polars as pl

UTC_TIME = pl.Datetime("us", "UTC")

INTERACTION_TYPES = (
    "post",  # owned or audience original content
    "comment",  # a top-level comment on a post
    "reply",  # a reply inside a thread (to a comment or reply)
    "quote",  # a share with added text
    "share",  # a plain share / repost / retweet
    "mention",  # an original post that mentions an account
    "reaction",  # a like / reaction record attributed to a person
    "follow",  # a follow record attributed to a person
    "message",  # a direct / private message
    "review",  # a rating or review
    "ugc",  # user-generated content about the brand (tagged media)
)

INTERACTIONS = {
    "platform": pl.String,  # x, facebook, instagram, youtube, reddit, bluesky, linkedin, or a mapping's name
    "interaction_id": pl.String,  # native id of the record (for edited records: the id of the first version)
    "record_version": pl.Int64,  # 0 for the first version; higher wins in staging (edits, corrections)
    "interaction_type": pl.String,  # one of INTERACTION_TYPES
    "created_at": UTC_TIME,
    "author_id": pl.String,
    "author_handle": pl.String,  # public handle without '@', as the platform spells it
    "author_name": pl.String,
    "text": pl.String,  # null when the interaction has no text (reaction, follow, plain share)
    "text_hash": pl.String,  # ingest.text.text_hash(text), computed once by the loader; null when text is null
    "lang": pl.String,  # language the platform reports, if any
    "parent_id": pl.String,  # what this replies to / quotes / shares / reacts to
    "conversation_id": pl.String,  # thread root id (the post a comment tree hangs under)
    "in_reply_to_author_id": pl.String,  # author of the parent, when the export names it
    "mentioned_handles": pl.List(pl.String),  # handles mentioned in the text, lowercase, without '@'
    "link_urls": pl.List(pl.String),  # expanded URLs the interaction links to (not shortened t.co links), in order
    "url": pl.String,
    "like_count": pl.Int64,  # public metrics on the object itself, when the export carries them
    "reply_count": pl.Int64,
    "share_count": pl.Int64,
    "quote_count": pl.Int64,
    "impression_count": pl.Int64,
}

PEOPLE = {
    "platform": pl.String,
    "person_id": pl.String,
    "handle": pl.String,
    "display_name": pl.String,
    "description": pl.String,
    "followers_count": pl.Int64,
    "following_count": pl.Int64,
    "account_created_at": UTC_TIME,
    "observed_at": UTC_TIME,  # when the export saw this profile (the response time, else the file's ingest time)
}

# Ads: insights per ad per day, actions per ad per day (lead vs purchase decided in dbt from a seed), and the ad
# objects (account, campaign, ad_set, ad, creative) with their history and the UTM tags creatives carry.
AD_INSIGHTS = {
    "platform": pl.String,  # meta, linkedin, x, ...
    "date": pl.Date,
    "account_id": pl.String,
    "ad_id": pl.String,
    "spend": pl.Float64,
    "currency": pl.String,
    "impressions": pl.Int64,
    "clicks": pl.Int64,  # link clicks where the platform separates them (Meta inline_link_clicks)
    "reach": pl.Int64,
}

AD_ACTIONS = {
    "platform": pl.String,
    "date": pl.Date,
    "ad_id": pl.String,
    "action_type": pl.String,  # the platform's own name, e.g. lead, offsite_conversion.fb_pixel_purchase
    "value": pl.Float64,  # count of actions (the platform's default attribution window)
}

AD_OBJECTS = {
    "platform": pl.String,
    "object_type": pl.String,  # account | campaign | ad_set | ad | creative
    "object_id": pl.String,
    "name": pl.String,
    "account_id": pl.String,
    "campaign_id": pl.String,
    "ad_set_id": pl.String,
    "creative_id": pl.String,
    "url_tags": pl.String,  # raw query string of tags (creatives), e.g. utm_source=facebook&utm_campaign=x
    # a creative's links in the order its UTM tags are looked up: url_tags first (as "?" + tags), then its link
    # fields; dbt reads the tags from them (int_ad_insights_attributed), so UTM parsing has one home
    "link_urls": pl.List(pl.String),
    "updated_at": UTC_TIME,  # history rows: the newest wins in staging
}

# CRM. Emails and phone numbers never leave ingest in clear: only salted hashes (ingest.privacy).
CRM_CONTACTS = {
    "crm": pl.String,  # hubspot, ...
    "contact_id": pl.String,
    "created_at": UTC_TIME,
    "updated_at": UTC_TIME,
    "lifecycle_stage": pl.String,  # subscriber, lead, marketingqualifiedlead, opportunity, customer, ...
    "became_lead_at": UTC_TIME,
    "became_customer_at": UTC_TIME,
    "original_source": pl.String,  # e.g. SOCIAL_MEDIA, PAID_SOCIAL, ORGANIC_SEARCH
    "original_source_detail": pl.String,  # e.g. Twitter, Facebook
    "utm_source": pl.String,
    "utm_medium": pl.String,
    "utm_campaign": pl.String,
    "email_hash": pl.String,  # salted sha256 of the lowercased email
    "phone_hash": pl.String,  # salted sha256 of the digits of the phone number
    "social_platform": pl.String,  # platform of social_handle, e.g. x
    "social_handle": pl.String,  # public handle, lowercase, without '@' (HubSpot twitterhandle)
}

CRM_FORM_SUBMISSIONS = {
    "crm": pl.String,
    "contact_id": pl.String,
    "submitted_at": UTC_TIME,
    "form_id": pl.String,
    "conversion_id": pl.String,
    "page_url": pl.String,
    "title": pl.String,  # UTM tags stay in page_url: dbt reads them (int_contacts_attributed)
}

CRM_FORMS = {
    "crm": pl.String,
    "form_id": pl.String,  # joins crm_form_submissions.form_id (HubSpot's form guid)
    "name": pl.String,
    "form_type": pl.String,  # e.g. REGULAR, POPUP
    "created_at": UTC_TIME,
    "updated_at": UTC_TIME,  # history rows: the newest wins in staging
}

CRM_DEALS = {
    "crm": pl.String,
    "deal_id": pl.String,
    "created_at": UTC_TIME,
    "closed_at": UTC_TIME,
    "amount": pl.Float64,
    "pipeline_id": pl.String,
    "stage_id": pl.String,  # joins crm_deal_stages in dbt (closed-won lives on the stage, not the deal)
    "is_deleted": pl.Boolean,
}

CRM_DEAL_STAGES = {
    "crm": pl.String,
    "pipeline_id": pl.String,
    "stage_id": pl.String,
    "label": pl.String,
    "is_closed": pl.Boolean,
    "is_closed_won": pl.Boolean,
}

CRM_DEAL_CONTACTS = {
    "crm": pl.String,
    "deal_id": pl.String,
    "contact_id": pl.String,
}

# Page / account level metrics (daily), e.g. the Fivetran page-metrics tables.
ACCOUNT_METRICS = {
    "platform": pl.String,
    "account_id": pl.String,
    "date": pl.Date,
    "followers": pl.Int64,  # followers at the end of the day
    "followers_gained": pl.Int64,
    "followers_lost": pl.Int64,
    "impressions": pl.Int64,
    "reach": pl.Int64,
    "engagements": pl.Int64,
    "profile_views": pl.Int64,
}

# Owned content metrics: lifetime (date null) or daily values per post / video.
CONTENT_METRICS = {
    "platform": pl.String,
    "account_id": pl.String,
    "content_id": pl.String,
    "date": pl.Date,
    "impressions": pl.Int64,
    "reach": pl.Int64,
    "likes": pl.Int64,
    "comments": pl.Int64,
    "shares": pl.Int64,
    "saves": pl.Int64,
    "video_views": pl.Int64,
    "engagements": pl.Int64,
    # Facebook reports reactions by kind and no likes total: each kind passes through and dbt adds them up
    # (stg_pages__content_metrics.likes), so the sum has one home.
    **{f"reactions_{kind}": pl.Int64 for kind in ("like", "love", "haha", "wow", "sorry", "anger")},
}

# entity name -> schema. Each entity lands in the DuckDB table raw.<entity name>; the name is also the key readers use
# in ReadResult.frames. Ingest bookkeeping lives beside them in raw.quarantine and raw.file_manifest.
ENTITIES: dict[str, dict[str, pl.DataType]] = {
    "interactions": INTERACTIONS,
    "people": PEOPLE,
    "ad_insights": AD_INSIGHTS,
    "ad_actions": AD_ACTIONS,
    "ad_objects": AD_OBJECTS,
    "crm_contacts": CRM_CONTACTS,
    "crm_form_submissions": CRM_FORM_SUBMISSIONS,
    "crm_forms": CRM_FORMS,
    "crm_deals": CRM_DEALS,
    "crm_deal_contacts": CRM_DEAL_CONTACTS,
    "crm_deal_stages": CRM_DEAL_STAGES,
    "account_metrics": ACCOUNT_METRICS,
    "content_metrics": CONTENT_METRICS,
}

# Columns the loader adds to every raw row.
PROVENANCE = {
    "_source_file": pl.String,  # path relative to the landing folder
    "_source_line": pl.Int64,  # 1-based line (JSONL / CSV data line) or the record's position in a JSON document
    "_record_hash": pl.String,  # sha256 of the canonical columns: the same record twice lands once
    "_batch_id": pl.String,  # the ingest batch (one Dagster run) that landed the row
    "_ingested_at": UTC_TIME,
}

QUARANTINE = {
    "source_file": pl.String,
    "locator": pl.String,  # "line 12", "line 3 $.data[4]", "row 7" ...
    "detected_format": pl.String,
    "reason": pl.String,
    "raw_record": pl.String,  # the offending record as text (truncated to 10 000 chars)
    "_batch_id": pl.String,
    "_ingested_at": UTC_TIME,
}

FILE_MANIFEST = {
    "source_file": pl.String,
    "sha256": pl.String,
    "size_bytes": pl.Int64,
    "detected_format": pl.String,  # null when unrecognised
    "status": pl.String,  # loaded | skipped | duplicate_file | unrecognised | failed
    "message": pl.String,
    "rows_read": pl.Int64,
    "rows_accepted": pl.Int64,
    "rows_quarantined": pl.Int64,
    "_batch_id": pl.String,
    "_ingested_at": UTC_TIME,
    # when this content was first seen, by any name and any outcome: timestamps later than a day after it are
    # implausible (ingest.limits), and a rerun of the file decides the same
    "first_seen_at": UTC_TIME,
}


# Where the rows of many files are checked and hashed together (ingest.plausibility.check_chunks), the index of each
# row's chunk: a helper column that ``conform`` keeps and no table stores.
CHUNK = "__chunk"
# A row's identity in its raw table (``_record_hash``, and an interaction's ``text_hash``), computed where the file was
# read (ingest.warehouse.identified_chunk: the reading processes work side by side, the loading one alone) and carried
# with the row until the loader writes it: helper columns that ``conform`` keeps and no table stores.
RECORD_HASH = "__record_hash"
TEXT_HASH = "__text_hash"


def conform(frame: pl.DataFrame | pl.LazyFrame, entity: str) -> pl.DataFrame:
    """Select and cast ``frame`` to the canonical columns of ``entity``; missing columns become nulls."""
    lazy = frame.lazy()
    return lazy.select(_conformed_columns(entity, frozenset(lazy.collect_schema().names()))).collect()


@functools.lru_cache(maxsize=256)  # a few shapes per entity: building them costs more than casting a small file
def _conformed_columns(entity: str, present: frozenset[str]) -> tuple[pl.Expr, ...]:
    """The expressions of ``conform`` for a frame holding the columns ``present``."""
    columns = [
        (pl.col(name) if name in present else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in ENTITIES[entity].items()
    ]
    return (*columns, *(pl.col(name) for name in ("_source_line", CHUNK, RECORD_HASH, TEXT_HASH) if name in present))
