"""Detection is by content: a file renamed to anything is still recognised; things that are not exports are not."""

from __future__ import annotations

import shutil
import zipfile

import pytest

from ingest.detect import detect, explain

EXPECTED = {
    "x_twitter_v2/two_tweets.jsonl": "x_api_v2",
    "x_twitter_v2/users.jsonl": "x_api_v2",
    "x_twitter_v2/quoted_edit.jsonl": "x_api_v2",
    "meta_ads/facebook_ads_basic_ad_data.csv": "meta_ads.basic_ad",
    "meta_ads/facebook_ads_basic_ad_actions_data.csv": "meta_ads.basic_ad_actions",
    "meta_ads/facebook_ads_account_history_data.csv": "meta_ads.account_history",
    "meta_ads/facebook_ads_campaign_history_data.csv": "meta_ads.campaign_history",
    "meta_ads/facebook_ads_ad_set_history_data.csv": "meta_ads.ad_set_history",
    "meta_ads/facebook_ads_ad_history_data.csv": "meta_ads.ad_history",
    "meta_ads/facebook_ads_creative_history_data.csv": "meta_ads.creative_history",
    "meta_ads/facebook_ads_creative_history_json_data.csv": "meta_ads.creative_history",
    "hubspot/contact_data.csv": "hubspot.contact",
    "hubspot/contact_form_submission_data.csv": "hubspot.contact_form_submission",
    "hubspot/deal_data.csv": "hubspot.deal",
    "hubspot/deal_contact_data.csv": "hubspot.deal_contact",
    "hubspot/deal_pipeline_stage_data.csv": "hubspot.deal_pipeline_stage",
    "generic/sprout_messages.csv": "sprout_social_messages",
    "generic/canonical_interactions.csv": "canonical_interactions",
    "generic/canonical_interactions.jsonl": "canonical_interactions",
}


@pytest.mark.parametrize(("fixture", "format_name"), sorted(EXPECTED.items()))
def test_fixture_is_detected_by_content_whatever_its_name(fixture, format_name, tmp_path, fixtures_dir):
    renamed = tmp_path / "export.dat"
    shutil.copyfile(fixtures_dir / fixture, renamed)
    fmt = detect(renamed)
    assert fmt is not None and fmt.name == format_name


@pytest.mark.parametrize(
    "fixture",
    [
        "x_twitter_v2/tweets_compliance.jsonl",  # compliance events, not tweets
        "meta_ads/facebook_ads_basic_ad_action_values_data.csv",  # money per action, not action counts
        "hubspot/owner_data.csv",  # CRM users, not contacts
        "hubspot/SOURCE.txt",
    ],
)
def test_tables_we_do_not_load_are_not_mistaken_for_ones_we_do(fixture, fixtures_dir):
    detection = explain(fixtures_dir / fixture)
    assert detection.format is not None and detection.format.skipped_because  # recognised, and skipped with why


def test_not_an_export_says_what_it_is(tmp_path, fixtures_dir):
    png = tmp_path / "chart.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    archive = tmp_path / "export.jsonl"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(fixtures_dir / "x_twitter_v2/two_tweets.jsonl", "two_tweets.jsonl")
    noise = tmp_path / "noise.jsonl"
    noise.write_bytes(bytes(range(256)) * 8)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.jsonl"
    blank.write_bytes(b"\n\r\n  \n")

    assert explain(png).reason == "not an export: a PNG image"
    assert "ZIP archive" in explain(archive).reason and "unzip" in explain(archive).reason
    assert explain(noise).reason == "not an export: binary data, not text"
    assert explain(empty).reason == "empty file"
    assert explain(blank).reason == "empty file (only blank lines)"
    assert all(detect(path) is None for path in (png, archive, noise, empty, blank))
