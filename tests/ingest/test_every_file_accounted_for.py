"""Every file ends as loaded, skipped (a known layout the warehouse does not use, with why), unrecognised (with what
was expected) or failed (with its reason); an empty page of a known API is recognised and gives 0 rows."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import pytest

from ingest.pipeline import ingest_paths

EXPORT_FOLDERS = [
    "bluesky", "facebook_graph", "facebook_pages", "generic", "hubspot", "instagram_business", "instagram_graph",
    "linkedin_pages", "meta_ads", "reddit", "twitter_organic_fivetran", "x_twitter_v2", "youtube_analytics",
    "youtube_data_api",
]  # fmt: skip
SKIPPED = {
    "bluesky/feed_record.json": "bluesky_feed_generator",
    "hubspot/owner_data.csv": "hubspot.owner",
    "hubspot/engagement_data.csv": "hubspot.engagement",
    "hubspot/engagement_email_data.csv": "hubspot.engagement_email",
    "hubspot/contact_property_history_data.csv": "hubspot.contact_property_history",
    "linkedin_pages/linkedin_pages_organization_share_data.csv": "fivetran_linkedin_pages_organization_post",
    "linkedin_pages/linkedin_pages_organization_ugc_post_data.csv": "fivetran_linkedin_pages_organization_post",
    "linkedin_pages/linkedin_pages_post_content_data.csv": "fivetran_linkedin_pages_content",
    "linkedin_pages/linkedin_pages_share_content_data.csv": "fivetran_linkedin_pages_content",
    "linkedin_pages/linkedin_pages_share_share_statistic_data.csv": "fivetran_linkedin_pages_statistic_bridge",
    "linkedin_pages/linkedin_pages_ugc_post_share_statistic_data.csv": "fivetran_linkedin_pages_statistic_bridge",
    "meta_ads/facebook_ads_basic_ad_action_values_data.csv": "meta_ads.basic_ad_action_values",
    "meta_ads/facebook_ads_demographics_country_data.csv": "meta_ads.demographics_country",
    "meta_ads/facebook_ads_demographics_region_data.csv": "meta_ads.demographics_region",
    "meta_ads/facebook_ads_demographics_country_actions_data.csv": "meta_ads.demographics_actions",
    "meta_ads/facebook_ads_demographics_region_actions_data.csv": "meta_ads.demographics_actions",
    "twitter_organic_fivetran/account_history.csv": "fivetran_twitter_organic_account_history",
    "x_twitter_v2/tweets_compliance.jsonl": "x_compliance_events",
    "youtube_analytics/youtube_channel_demographics_data.csv": "fivetran_youtube_analytics_demographics",
}


def test_every_fixture_export_is_read_or_skipped_with_why(fixtures_dir):
    reports = ingest_paths(
        [fixtures_dir / folder for folder in EXPORT_FOLDERS], landing_root=fixtures_dir, con=None, batch_id="dry"
    )
    by_status: dict[str, list[str]] = {}
    for report in reports:
        by_status.setdefault(report.status, []).append(report.file)
        assert report.rows_read == report.rows_accepted + report.rows_quarantined
    assert set(by_status) == {"dry_run", "skipped"}, {status: by_status[status] for status in by_status}
    skipped = {report.file: report for report in reports if report.status == "skipped"}
    notes = {name for name in skipped if name.endswith("SOURCE.txt")}
    assert notes == {f"{folder}/SOURCE.txt" for folder in EXPORT_FOLDERS}
    assert {name: skipped[name].detected_format for name in skipped.keys() - notes} == SKIPPED
    for report in skipped.values():
        assert report.message.startswith("a known layout the warehouse does not load: ")
        assert len(report.message) > len("a known layout the warehouse does not load: ") + 20  # says why


def test_a_skipped_file_is_in_the_manifest_with_why_and_loads_nothing(warehouse, land, run_ingest, rows):
    land("hubspot/owner_data.csv")
    (report,) = run_ingest(con=warehouse)
    assert (report.status, report.detected_format, report.rows_read) == ("skipped", "hubspot.owner", 0)
    (entry,) = rows(warehouse, "SELECT status, detected_format, message FROM raw.file_manifest")
    assert entry["status"] == "skipped" and "sales owners" in entry["message"]
    assert rows(warehouse, "SELECT count(*) AS n FROM raw.crm_contacts") == [{"n": 0}]


def test_a_file_nobody_knows_is_unrecognised_with_what_was_expected(landing, run_ingest):
    (landing / "notes.csv").write_text("colour,shape\nred,round\n")
    (report,) = run_ingest()
    assert report.status == "unrecognised"
    assert "expected one of: " in report.message and "hubspot.form" in report.message


TWARC_EMPTY = {"meta": {"result_count": 0}, "__twarc": {"url": "u", "version": "2.10.4", "retrieved_at": "2022-01-01"}}


@pytest.mark.parametrize(
    ("page", "expected_format"),
    [
        ({"kind": "Listing", "data": {"after": None, "dist": 0, "children": [], "before": None}}, "reddit_api"),
        ([{"kind": "Listing", "data": {"children": []}}, {"kind": "Listing", "data": {"children": []}}], "reddit_api"),
        ({"json": {"errors": [], "data": {"things": []}}}, "reddit_api"),
        ({"data": [], "paging": {"cursors": {"before": "a", "after": "b"}}}, "facebook_graph"),
        (
            {"kind": "youtube#commentThreadListResponse", "pageInfo": {"totalResults": 0}, "items": []},
            "youtube_data_api",
        ),
        (TWARC_EMPTY, "x_api_v2"),
        ({"meta": {"result_count": 0}}, "x_api_v2"),
        ({"records": [], "cursor": None}, "bluesky_atproto"),
    ],
)
def test_an_empty_page_of_a_known_api_is_recognised_with_no_rows(landing, run_ingest, page, expected_format):
    (landing / "page.json").write_text(json.dumps(page))
    (report,) = run_ingest()
    assert (report.status, report.detected_format, report.rows_read, report.message) == (
        "dry_run",
        expected_format,
        0,
        "",
    )


def test_hubspot_forms_give_the_names_of_the_forms_submissions_name(read_export, fixtures_dir, tmp_path):
    result = read_export(fixtures_dir / "hubspot/form_data.csv")
    assert result.format == "hubspot.form" and result.quarantine == []
    forms = result.frames["crm_forms"].drop("_source_line").to_dicts()
    assert forms[0] == {
        "crm": "hubspot",
        "form_id": "123",
        "name": "Newsletter Signup",
        "form_type": "REGULAR",
        "created_at": datetime(2023, 11, 1, 10, 15, tzinfo=UTC),
        "updated_at": datetime(2023, 11, 2, 11, 0, tzinfo=UTC),
    }
    submitted = read_export(fixtures_dir / "hubspot/contact_form_submission_data.csv").frames["crm_form_submissions"]
    assert set(submitted["form_id"]) <= {form["form_id"] for form in forms}


def test_a_provenance_note_copied_with_its_folder_is_skipped(landing, run_ingest, fixtures_dir):
    shutil.copyfile(fixtures_dir / "reddit/SOURCE.txt", landing / "SOURCE.txt")
    (report,) = run_ingest()
    assert (report.status, report.detected_format) == ("skipped", "provenance_note")
