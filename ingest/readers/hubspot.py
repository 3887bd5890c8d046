"""HubSpot CRM tables as the Fivetran HubSpot connector lands them, one CSV file per table.

- ``contact`` -> crm_contacts. Contact properties arrive as ``property_<name>`` columns; the ones used here are
  optional (real portals carry different sets): createdate, lastmodifieddate, lifecyclestage, the lifecycle dates,
  hs_analytics_source (+ _data_1), utm_source / utm_medium / utm_campaign, twitterhandle, email and phone. Email and
  phone are hashed here (ingest.privacy) and never leave the reader in clear.
- ``contact_form_submission`` -> crm_form_submissions, the page URL kept whole (dbt reads its UTM tags);
  ``form`` -> crm_forms (the names of the forms those submissions name by guid).
- ``deal`` -> crm_deals, ``deal_contact`` -> crm_deal_contacts, ``deal_pipeline_stage`` -> crm_deal_stages (whether
  a deal is won lives on its stage).

Fivetran timestamps carry no zone and are UTC. Each file is recognised by its header, never its name.
"""

from __future__ import annotations

import polars as pl

from ingest.base import ReadResult, register
from ingest.privacy import email_hash_expr, phone_hash_expr
from ingest.readers.csv_tables import csv_result, csv_table_format, ensure_columns, not_number, skip_csv_table
from ingest.readers.ids import exact_ids, mangled_id
from ingest.readers.quarantine import first_reason, missing
from ingest.readers.timestamps import bad_timestamp, utc_column

_ID_COLUMNS = ("id", "contact_id", "deal_id")  # ids a spreadsheet may have written as N.0
CRM = "hubspot"
FIVETRAN_ZONE = "UTC"
CONTACT_PROPERTIES = (
    "property_createdate",
    "property_created_at",
    "property_lastmodifieddate",
    "property_lifecyclestage",
    "property_hs_lifecyclestage_lead_date",
    "property_hs_lifecyclestage_customer_date",
    "property_hs_analytics_source",
    "property_hs_analytics_source_data_1",
    "property_utm_source",
    "property_utm_medium",
    "property_utm_campaign",
    "property_twitterhandle",
    "property_email",
    "property_phone",
    "_fivetran_synced",
)
# A quarantined CRM row keeps only what the warehouse reads (ids, timestamps, lifecycle, attribution, the forms and
# deals it names) and e-mail / phone as hashes; every other column (names, job titles, notes ...) is redacted.
QUARANTINE_KEEPS = frozenset(
    {
        *_ID_COLUMNS,
        *CONTACT_PROPERTIES,
        *("form_id", "conversion_id", "timestamp", "page_url", "title", "guid", "name", "form_type", "created_at"),
        *("updated_at", "deal_pipeline_id", "deal_pipeline_stage_id", "property_amount", "property_closedate"),
        *("is_deleted", "stage_id", "pipeline_id", "label", "is_closed", "closed_won"),
    }
)
_TRUE, _FALSE = ("true", "t", "1", "yes"), ("false", "f", "0", "no")
# "@Handle", "twitter.com/Handle", "https://x.com/Handle?s=1" -> "handle"
_HANDLE_DECORATION = r"(?i)^(?:https?://)?(?:www\.|mobile\.)?(?:twitter|x)\.com/|^@|[/?#].*$"


def _timestamp(column: str) -> pl.Expr:
    return utc_column(column, assume_zone=FIVETRAN_ZONE)


def _bad_timestamps(*columns: str) -> list[pl.Expr]:
    return [bad_timestamp(column, assume_zone=FIVETRAN_ZONE) for column in columns]


def _boolean(column: str) -> pl.Expr:
    value = pl.col(column).str.strip_chars().str.to_lowercase()
    return pl.when(value.is_in(_TRUE)).then(True).when(value.is_in(_FALSE)).then(False).alias(column)


def _bad_boolean(column: str) -> pl.Expr:
    value = pl.col(column).str.strip_chars().str.to_lowercase()
    return pl.when(value.is_not_null() & ~value.is_in((*_TRUE, *_FALSE))).then(pl.lit(f"{column} is not true/false"))


def social_handle(column: str) -> pl.Expr:
    """A HubSpot twitterhandle as a bare lowercase handle (no '@', no profile URL)."""
    handle = pl.col(column).str.strip_chars().str.replace_all(_HANDLE_DECORATION, "").str.to_lowercase()
    return pl.when(handle != "").then(handle)


def build_contacts(raw: pl.DataFrame) -> ReadResult:
    raw = exact_ids(raw, _ID_COLUMNS)
    raw = ensure_columns(raw, CONTACT_PROPERTIES)
    created = pl.coalesce("property_createdate", "property_created_at")
    updated = pl.coalesce("property_lastmodifieddate", "_fivetran_synced")
    checked = raw.with_columns(created.alias("__created"), updated.alias("__updated"))
    reason = first_reason(
        missing("id"),
        mangled_id("id"),
        *_bad_timestamps(  # each source column on its own, so the reason names the one the file holds
            "property_createdate",
            "property_created_at",
            "property_lastmodifieddate",
            "_fivetran_synced",
            "property_hs_lifecyclestage_lead_date",
            "property_hs_lifecyclestage_customer_date",
        ),
    )
    handle = social_handle("property_twitterhandle")
    build = [
        pl.lit(CRM).alias("crm"),
        pl.col("id").alias("contact_id"),
        _timestamp("__created").alias("created_at"),
        _timestamp("__updated").alias("updated_at"),
        pl.col("property_lifecyclestage").str.strip_chars().str.to_lowercase().alias("lifecycle_stage"),
        _timestamp("property_hs_lifecyclestage_lead_date").alias("became_lead_at"),
        _timestamp("property_hs_lifecyclestage_customer_date").alias("became_customer_at"),
        pl.col("property_hs_analytics_source").alias("original_source"),
        pl.col("property_hs_analytics_source_data_1").alias("original_source_detail"),
        pl.col("property_utm_source").alias("utm_source"),
        pl.col("property_utm_medium").alias("utm_medium"),
        pl.col("property_utm_campaign").alias("utm_campaign"),
        email_hash_expr("property_email").alias("email_hash"),
        phone_hash_expr("property_phone").alias("phone_hash"),
        pl.when(handle.is_not_null()).then(pl.lit("x")).alias("social_platform"),
        handle.alias("social_handle"),
    ]
    return csv_result("hubspot.contact", "crm_contacts", checked, reason, build, keep=QUARANTINE_KEEPS)


def build_form_submissions(raw: pl.DataFrame) -> ReadResult:
    raw = exact_ids(raw, _ID_COLUMNS)
    raw = ensure_columns(raw, ["form_id", "conversion_id", "page_url", "title"])
    reason = first_reason(
        missing("contact_id"), missing("timestamp"), mangled_id("contact_id"), *_bad_timestamps("timestamp")
    )
    build = [
        pl.lit(CRM).alias("crm"),
        pl.col("contact_id"),
        _timestamp("timestamp").alias("submitted_at"),
        pl.col("form_id"),
        pl.col("conversion_id"),
        pl.col("page_url"),
        pl.col("title"),
    ]
    return csv_result(
        "hubspot.contact_form_submission", "crm_form_submissions", raw, reason, build, keep=QUARANTINE_KEEPS
    )


def build_forms(raw: pl.DataFrame) -> ReadResult:
    raw = ensure_columns(raw, ["form_type", "created_at", "updated_at"])
    reason = first_reason(missing("guid"), *_bad_timestamps("created_at", "updated_at"))
    build = [
        pl.lit(CRM).alias("crm"),
        pl.col("guid").str.strip_chars().alias("form_id"),
        pl.col("name"),
        pl.col("form_type"),
        _timestamp("created_at").alias("created_at"),
        _timestamp("updated_at").alias("updated_at"),
    ]
    return csv_result("hubspot.form", "crm_forms", raw, reason, build, keep=QUARANTINE_KEEPS)


def build_deals(raw: pl.DataFrame) -> ReadResult:
    raw = exact_ids(raw, _ID_COLUMNS)
    raw = ensure_columns(
        raw, ["is_deleted", "deal_pipeline_id", "deal_pipeline_stage_id", "property_amount", "property_closedate",
              "property_createdate"]
    )  # fmt: skip
    reason = first_reason(
        missing("deal_id"),
        mangled_id("deal_id"),
        *_bad_timestamps("property_createdate", "property_closedate"),
        not_number("property_amount"),
        _bad_boolean("is_deleted"),
    )
    build = [
        pl.lit(CRM).alias("crm"),
        pl.col("deal_id"),
        _timestamp("property_createdate").alias("created_at"),
        _timestamp("property_closedate").alias("closed_at"),
        pl.col("property_amount").str.strip_chars().cast(pl.Float64).alias("amount"),
        pl.col("deal_pipeline_id").alias("pipeline_id"),
        pl.col("deal_pipeline_stage_id").alias("stage_id"),
        _boolean("is_deleted"),
    ]
    return csv_result("hubspot.deal", "crm_deals", raw, reason, build, keep=QUARANTINE_KEEPS)


def build_deal_contacts(raw: pl.DataFrame) -> ReadResult:
    raw = exact_ids(raw, _ID_COLUMNS)
    reason = first_reason(missing("deal_id"), missing("contact_id"), mangled_id("deal_id"), mangled_id("contact_id"))
    build = [pl.lit(CRM).alias("crm"), pl.col("deal_id"), pl.col("contact_id")]
    return csv_result("hubspot.deal_contact", "crm_deal_contacts", raw, reason, build, keep=QUARANTINE_KEEPS)


def build_deal_stages(raw: pl.DataFrame) -> ReadResult:
    raw = exact_ids(raw, _ID_COLUMNS)
    raw = ensure_columns(raw, ["label", "is_closed", "closed_won"])
    reason = first_reason(missing("stage_id"), _bad_boolean("is_closed"), _bad_boolean("closed_won"))
    build = [
        pl.lit(CRM).alias("crm"),
        pl.col("pipeline_id"),
        pl.col("stage_id"),
        pl.col("label"),
        _boolean("is_closed"),
        _boolean("closed_won").alias("is_closed_won"),
    ]
    return csv_result("hubspot.deal_pipeline_stage", "crm_deal_stages", raw, reason, build, keep=QUARANTINE_KEEPS)


register(
    csv_table_format(
        name="hubspot.contact",
        description="Fivetran HubSpot contact CSV (id, _fivetran_synced, property_email / property_firstname /"
        " property_lastname, other property_* columns)",
        required=["id", "_fivetran_synced"],
        any_of=["property_email", "property_firstname", "property_lastname"],
        excluded=["deal_id", "engagement_id", "owner_id", "contact_id"],
        keep=QUARANTINE_KEEPS,
        build=build_contacts,
    )
)
register(
    csv_table_format(
        name="hubspot.contact_form_submission",
        description="Fivetran HubSpot contact_form_submission CSV (contact_id, form_id, timestamp, page_url)",
        required=["contact_id", "form_id", "timestamp", "page_url"],
        keep=QUARANTINE_KEEPS,
        build=build_form_submissions,
    )
)
register(
    csv_table_format(
        name="hubspot.form",
        description="Fivetran HubSpot form CSV (guid, name, form_type, portal_id, submit_text)",
        required=["guid", "name", "portal_id"],
        any_of=["form_type", "submit_text"],
        keep=QUARANTINE_KEEPS,
        build=build_forms,
    )
)
register(
    csv_table_format(
        name="hubspot.deal",
        description="Fivetran HubSpot deal CSV (deal_id, deal_pipeline_stage_id, property_amount, property_createdate)",
        required=["deal_id", "deal_pipeline_stage_id"],
        excluded=["contact_id"],
        keep=QUARANTINE_KEEPS,
        build=build_deals,
    )
)
register(
    csv_table_format(
        name="hubspot.deal_contact",
        description="Fivetran HubSpot deal_contact CSV (deal_id, contact_id)",
        required=["deal_id", "contact_id"],
        allowed=["_fivetran_synced", "_fivetran_deleted", "type_id", "category"],
        keep=QUARANTINE_KEEPS,
        build=build_deal_contacts,
    )
)
register(
    csv_table_format(
        name="hubspot.deal_pipeline_stage",
        description="Fivetran HubSpot deal_pipeline_stage CSV (stage_id, pipeline_id, label, closed_won, is_closed)",
        required=["stage_id", "pipeline_id", "label", "closed_won"],
        keep=QUARANTINE_KEEPS,
        build=build_deal_stages,
    )
)

# Known tables the warehouse deliberately does not load.
skip_csv_table(
    "hubspot.owner",
    "Fivetran HubSpot owner CSV (owner_id, email, first_name, last_name)",
    "the portal's own users (sales owners), not customers or audience; ROR attributes relationships to contacts"
    " and deals, not to the staff who own them",
    ["owner_id", "email", "first_name", "last_name"],
)
skip_csv_table(
    "hubspot.engagement",
    "Fivetran HubSpot engagement CSV (id, type, portal_id)",
    "the sales activity log (calls, e-mails, meetings, notes): no social interaction or attribution in it",
    ["id", "type", "portal_id"],
    excluded=["owner_id", "email", "contact_id", "deal_id"],
)
skip_csv_table(
    "hubspot.engagement_email",
    "Fivetran HubSpot engagement_email CSV (engagement_id, property_hs_email_subject, property_hs_email_text)",
    "the text of sales e-mails: private correspondence, not social interactions, and personal data the warehouse"
    " does not keep",
    ["engagement_id", "property_hs_email_subject"],
)
skip_csv_table(
    "hubspot.contact_property_history",
    "Fivetran HubSpot contact_property_history CSV (contact_id, name, value, timestamp, source)",
    "every past value of every contact property, e-mails and names included: the warehouse keeps the current contact"
    " (contact table, contact data hashed), whose lifecycle dates already say when a contact became a lead or customer",
    ["contact_id", "name", "value", "timestamp", "source"],
)
