"""Meta Ads reader on the Fivetran Facebook Ads tables in tests/fixtures/meta_ads (from fivetran/dbt_facebook_ads)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ingest.readers.meta_ads import creative_links, url_tags_query


def test_basic_ad_gives_daily_insights_with_link_clicks(read_export, fixtures_dir):
    result = read_export(fixtures_dir / "meta_ads/facebook_ads_basic_ad_data.csv")
    insights = result.frames["ad_insights"]
    first = insights.row(0, named=True)
    assert first == {
        "platform": "meta",
        "date": date(2020, 12, 10),
        "account_id": "1700252260223815",
        "ad_id": "6215293456071",
        "spend": 76.53,
        "currency": None,
        "impressions": 4233,
        "clicks": 10,  # inline_link_clicks
        "reach": 608,
        "_source_line": 1,
    }
    assert result.rows_read == result.rows_accepted == 10


def test_basic_ad_actions_keep_the_platform_action_type(read_export, fixtures_dir):
    actions = read_export(fixtures_dir / "meta_ads/facebook_ads_basic_ad_actions_data.csv").frames["ad_actions"]
    assert {"lead", "offsite_conversion.fb_pixel_lead"} <= set(actions["action_type"].to_list())
    assert actions.row(1, named=True) == {
        "platform": "meta",
        "date": date(2020, 12, 4),
        "ad_id": "6229007992271",
        "action_type": "lead",
        "value": 2.0,
        "_source_line": 2,
    }


def test_history_tables_become_ad_objects_with_their_parents(read_export, fixtures_dir):
    ads = read_export(fixtures_dir / "meta_ads/facebook_ads_ad_history_data.csv").frames["ad_objects"]
    ad = ads.row(0, named=True)
    assert (ad["object_type"], ad["object_id"], ad["campaign_id"], ad["ad_set_id"], ad["creative_id"]) == (
        "ad",
        "6215762744671",
        "6215762731271",
        "6215762732871",
        "6215762732071",
    )
    assert ad["updated_at"] == datetime(2020, 12, 31, 15, 30, 4, tzinfo=UTC)  # updated_time, in UTC

    accounts = read_export(fixtures_dir / "meta_ads/facebook_ads_account_history_data.csv").frames["ad_objects"]
    assert set(accounts["object_type"]) == {"account"}
    assert set(accounts["account_id"]) == {"1700252260223815"}
    assert accounts.height == 59  # every history row is kept; staging keeps the newest

    for fixture, object_type in [
        ("facebook_ads_campaign_history_data.csv", "campaign"),
        ("facebook_ads_ad_set_history_data.csv", "ad_set"),
    ]:
        objects = read_export(fixtures_dir / "meta_ads" / fixture).frames["ad_objects"]
        assert set(objects["object_type"]) == {object_type}
        assert objects["updated_at"].null_count() == 0


def test_creative_links_list_url_tags_first_then_the_link_fields(read_export, fixtures_dir):
    for fixture in ("facebook_ads_creative_history_data.csv", "facebook_ads_creative_history_json_data.csv"):
        creative = read_export(fixtures_dir / "meta_ads" / fixture).frames["ad_objects"].row(0, named=True)
        assert creative["object_type"] == "creative" and creative["creative_id"] == "6191250886871"
        assert creative["url_tags"] == "utm_campaign=fivetran&utm_medium=video"  # Fivetran's JSON list, as a query
        links = creative["link_urls"]
        assert links[0] == "?utm_campaign=fivetran&utm_medium=video"  # url_tags win, so they come first
        assert "utm_source=metadata" in links[2] and "utm_content=Facebook" in links[2]  # the page link
        assert len(links) == len(set(links))  # each link once, in order of first appearance


def test_url_tags_may_be_a_plain_query_string():
    assert url_tags_query("utm_source=facebook&utm_campaign=nw_autumn_blend") == (
        "utm_source=facebook&utm_campaign=nw_autumn_blend"
    )
    assert creative_links({"url_tags": "utm_source=facebook&utm_campaign=nw_autumn_blend"}) == [
        "?utm_source=facebook&utm_campaign=nw_autumn_blend"
    ]


def test_bad_insight_rows_are_quarantined_with_the_reason(read_export, tmp_path):
    path = tmp_path / "basic_ad.csv"
    path.write_text(
        "ad_id,date,account_id,impressions,inline_link_clicks,spend,reach\n"
        "6215293456071,2020-12-10,1700252260223815,4233,10,76.53,608\n"
        "6.21529E+12,2020-12-11,1700252260223815,4233,10,76.53,608\n"
        "6215293456071,12/12/2020,1700252260223815,4233,10,76.53,608\n"
        "6215293456071,2020-12-13,1700252260223815,many,10,76.53,608\n"
    )
    result = read_export(path)
    assert result.frames["ad_insights"].height == 1
    assert [locator for locator, _, _ in result.quarantine] == ["row 2", "row 3", "row 4"]
    assert "went through a floating-point number" in result.reasons[0]
    assert result.reasons[1] == "date is not a date (YYYY-MM-DD)"  # the reason never quotes the value
    assert result.reasons[2] == "impressions is not a whole number within a 64-bit integer"
