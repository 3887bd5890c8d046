"""HubSpot as the Fivetran HubSpot connector lands it: the sample tables' headers (contacts with the property columns
the sample lacks appended), a row builder per table, and one writer for the demo and the generator at scale."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from generators.formats.tables import fivetran_time, write_csv

PORTAL_ID = "24816357"
CONTACT = (
    "_fivetran_deleted",
    "_fivetran_synced",
    "property_email",
    "id",
    "property_company",
    "property_firstname",
    "property_lastname",
    "property_email_1",
    "property_createdate",
    "property_jobtitle",
    "property_annualrevenue",
    "property_hs_merged_object_ids",
    "property_created_at",
    "property_first_conversion_date",
)
CONTACT_EXTRA = (
    "property_hs_analytics_source",
    "property_hs_analytics_source_data_1",
    "property_utm_source",
    "property_utm_medium",
    "property_utm_campaign",
    "property_twitterhandle",
    "property_phone",
    "property_lifecyclestage",
    "property_hs_lifecyclestage_lead_date",
    "property_hs_lifecyclestage_customer_date",
)
FORM_SUBMISSION = (
    "timestamp",
    "form_id",
    "contact_id",
    "conversion_id",
    "page_id",
    "page_url",
    "portal_id",
    "title",
    "_fivetran_synced",
)
DEAL = (
    "deal_id",
    "is_deleted",
    "deal_pipeline_id",
    "deal_pipeline_stage_id",
    "owner_id",
    "portal_id",
    "property_dealname",
    "property_description",
    "property_amount",
    "property_closedate",
    "property_createdate",
)
DEAL_CONTACT = ("contact_id", "deal_id", "_fivetran_synced", "type_id", "category")
DEAL_STAGE = (
    "_fivetran_deleted",
    "_fivetran_synced",
    "active",
    "closed_won",
    "is_closed",
    "display_order",
    "probability",
    "stage_id",
    "label",
    "pipeline_id",
    "created_at",
    "updated_at",
)
DEAL_TO_CONTACT = "3"  # HubSpot's association type id for deal -> contact
SOURCE_DETAIL = {"PAID_SOCIAL": "Facebook", "SOCIAL_MEDIA": "Twitter", "ORGANIC_SEARCH": "google", "DIRECT_TRAFFIC": ""}
Row = tuple[object, ...]


def seconds(moment: datetime | None) -> str | None:
    return fivetran_time(moment, "seconds") if moment else None


def contact_row(
    *,
    contact_id: str,
    synced: datetime,
    email: str,
    first: str,
    last: str,
    created: datetime,
    first_conversion: datetime | None,
    source: str,
    utm: tuple[str | None, str | None, str | None],
    twitter_handle: str | None,
    lifecycle: str,
    lead_at: datetime | None,
    customer_at: datetime | None = None,
    company: str | None = None,
    job_title: str | None = None,
    phone: str | None = None,
    deleted: bool = False,
) -> Row:
    return (
        "TRUE" if deleted else "FALSE",
        seconds(synced),
        email,
        contact_id,
        company,
        first,
        last,
        None,
        seconds(created),
        job_title,
        "2500000" if company else None,
        None,
        seconds(created),
        seconds(first_conversion),
        source,
        SOURCE_DETAIL[source] or None,
        *utm,
        twitter_handle,
        phone,
        lifecycle,
        seconds(lead_at),
        seconds(customer_at),
    )


def submission_row(
    *,
    submitted_at: datetime,
    form_id: str,
    contact_id: str,
    conversion_id: str,
    page_id: str,
    page_url: str,
    title: str,
    synced: datetime,
) -> Row:
    return (
        seconds(submitted_at),
        form_id,
        contact_id,
        conversion_id,
        page_id,
        page_url,
        PORTAL_ID,
        title,
        seconds(synced),
    )


def deal_row(
    *,
    deal_id: str,
    pipeline_id: str,
    stage_id: str,
    owner_id: str,
    name: str,
    amount: float,
    closed_at: datetime | None,
    created_at: datetime,
) -> Row:
    return (
        deal_id,
        "false",
        pipeline_id,
        stage_id,
        owner_id,
        PORTAL_ID,
        name,
        None,
        f"{amount:.2f}",
        seconds(closed_at),
        seconds(created_at),
    )


def deal_contact_row(contact_id: str, deal_id: str, synced: datetime) -> Row:
    return (contact_id, deal_id, seconds(synced), DEAL_TO_CONTACT, "HUBSPOT_DEFINED")


def stage_row(
    *,
    stage_id: str,
    label: str,
    pipeline_id: str,
    order: int,
    probability: float,
    is_closed: bool,
    closed_won: bool,
    synced: datetime,
    created: datetime,
) -> Row:
    return (
        "FALSE",
        fivetran_time(synced, "millis"),
        "TRUE",
        str(closed_won).upper(),
        str(is_closed).upper(),
        order,
        probability,
        stage_id,
        label,
        pipeline_id,
        fivetran_time(created, "millis"),
        fivetran_time(created, "millis"),
    )


def write_hubspot(
    folder: Path,
    *,
    contacts: Sequence[Row] | None = None,
    submissions: Sequence[Row] | None = None,
    deals: Sequence[Row] | None = None,
    deal_contacts: Sequence[Row] | None = None,
    stages: Sequence[Row] | None = None,
) -> list[Path]:
    """Write the tables given under their Fivetran file names."""
    tables = (
        ("contact_data.csv", CONTACT + CONTACT_EXTRA, contacts),
        ("contact_form_submission_data.csv", FORM_SUBMISSION, submissions),
        ("deal_data.csv", DEAL, deals),
        ("deal_contact_data.csv", DEAL_CONTACT, deal_contacts),
        ("deal_pipeline_stage_data.csv", DEAL_STAGE, stages),
    )
    return [write_csv(folder / name, header, rows) for name, header, rows in tables if rows is not None]
