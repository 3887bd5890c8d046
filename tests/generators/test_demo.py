"""The demo-export generator: deterministic bytes, the platforms' own formats, and a world with the right shape.

The expected CSV headers below are copied from the real sample exports (Fivetran connector tables from
github.com/fivetran/dbt_facebook_ads and github.com/fivetran/dbt_hubspot integration_tests/seeds, Apache-2.0; see
/work/shared/data/exports/*/SOURCE.txt); the twarc2 page shape follows github.com/DocNow/twarc-csv test-data (MIT).
"""

from __future__ import annotations

import csv
import json
import re
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from generators import build_world, write_demo_exports
from generators.brands import DEMO_BRANDS
from ingest.text import text_hash

START = date(2026, 8, 1)
DAYS = 90
WINDOW_START = datetime(2026, 8, 1, tzinfo=UTC)
WINDOW_END = WINDOW_START + timedelta(days=DAYS)
X_CREATED_AT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$")

REAL_HEADERS = {
    "meta_ads/facebook_ads_basic_ad_data.csv": "ad_id,date,account_id,impressions,inline_link_clicks,spend,reach",
    "meta_ads/facebook_ads_basic_ad_actions_data.csv": (
        "_fivetran_id,ad_id,date,index,_1_d_view,_7_d_click,_fivetran_synced,action_type,inline,value"
    ),
    "meta_ads/facebook_ads_account_history_data.csv": "id,name,_fivetran_synced",
    "meta_ads/facebook_ads_campaign_history_data.csv": "id,account_id,name,_fivetran_synced,updated_time",
    "meta_ads/facebook_ads_ad_set_history_data.csv": "id,account_id,campaign_id,name,_fivetran_synced,updated_time",
    "meta_ads/facebook_ads_ad_history_data.csv": (
        "id,account_id,ad_set_id,campaign_id,creative_id,name,_fivetran_synced,updated_time"
    ),
    "meta_ads/facebook_ads_creative_history_data.csv": (
        "page_link,template_page_link,id,account_id,name,url_tags,_fivetran_synced,asset_feed_spec_link_urls,"
        "object_story_link_data_child_attachments,object_story_link_data_caption,object_story_link_data_description,"
        "object_story_link_data_link,object_story_link_data_message,template_app_link_spec_ios,_fivetran_id"
    ),
    # contact_data: the real columns first; the demo appends the property columns the sample lacks (UTM, source...)
    "hubspot/contact_data.csv": (
        "_fivetran_deleted,_fivetran_synced,property_email,id,property_company,property_firstname,property_lastname,"
        "property_email_1,property_createdate,property_jobtitle,property_annualrevenue,property_hs_merged_object_ids,"
        "property_created_at,property_first_conversion_date"
    ),
    "hubspot/contact_form_submission_data.csv": (
        "timestamp,form_id,contact_id,conversion_id,page_id,page_url,portal_id,title,_fivetran_synced"
    ),
    "hubspot/deal_data.csv": (
        "deal_id,is_deleted,deal_pipeline_id,deal_pipeline_stage_id,owner_id,portal_id,property_dealname,"
        "property_description,property_amount,property_closedate,property_createdate"
    ),
    "hubspot/deal_contact_data.csv": "contact_id,deal_id,_fivetran_synced,type_id,category",
    "hubspot/deal_pipeline_stage_data.csv": (
        "_fivetran_deleted,_fivetran_synced,active,closed_won,is_closed,display_order,probability,stage_id,label,"
        "pipeline_id,created_at,updated_at"
    ),
}
CONTACT_PROPERTIES = (
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


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("landing")
    write_demo_exports(root, seed=7, start=START, days=DAYS)
    return root


@pytest.fixture(scope="module")
def world():
    return build_world(seed=7, start=START, days=DAYS)


@pytest.fixture(scope="module")
def pages(landing: Path) -> list[tuple[Path, dict]]:
    return [
        (path, json.loads(line))
        for path in sorted((landing / "x").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


@pytest.fixture(scope="module")
def tweets(pages) -> dict[str, dict]:
    """Every tweet of every page's data, by id."""
    return {tweet["id"]: tweet for _, page in pages for tweet in page.get("data", [])}


@pytest.fixture(scope="module")
def users(pages) -> dict[str, dict]:
    return {user["id"]: user for _, page in pages for user in page.get("includes", {}).get("users", [])}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _parse_x_time(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=UTC)


# ------------------------------------------------------------------------------------------------ determinism
def test_same_seed_writes_the_same_bytes_and_another_seed_does_not(landing: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    other = tmp_path / "other"
    written = write_demo_exports(again, seed=7, start=START, days=DAYS)
    write_demo_exports(other, seed=8, start=START, days=DAYS)
    names = sorted(p.relative_to(landing).as_posix() for p in landing.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(again).as_posix() for p in written)
    for name in names:
        assert (landing / name).read_bytes() == (again / name).read_bytes(), name
    changed = {n for n in names if (other / n).read_bytes() != (landing / n).read_bytes()}
    assert {n for n in names if n.startswith("x/")} <= changed
    assert {"meta_ads/facebook_ads_basic_ad_data.csv", "hubspot/contact_data.csv"} <= changed


def test_a_rerun_leaves_unchanged_files_untouched(tmp_path: Path) -> None:
    # the next refresh skips a landing file whose size and modification time it has seen loaded: a rerun of the
    # demo must not rewrite identical files (that would record each one again as a duplicate)
    landing = tmp_path / "landing"
    first = write_demo_exports(landing, seed=7, start=START, days=DAYS)
    stamps = {path: path.stat().st_mtime_ns for path in first}
    changed = landing / "hubspot" / "contact_data.csv"
    changed.write_text("edited by hand\n", encoding="utf-8")
    again = write_demo_exports(landing, seed=7, start=START, days=DAYS)
    assert again == first
    assert {path for path in again if path.stat().st_mtime_ns != stamps[path]} == {changed}
    assert changed.read_bytes() != b"edited by hand\n"  # a file that differs is written again, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["landing"]  # no staging folder left behind


def test_writes_one_x_file_per_brand_and_month_and_the_fivetran_tables(landing: Path) -> None:
    x_files = sorted(p.name for p in (landing / "x").iterdir())
    handles = [brand.x_handle for brand in DEMO_BRANDS]
    assert x_files == sorted(f"{h}_{month}.jsonl" for h in handles for month in ("2026-08", "2026-09", "2026-10"))
    for name in REAL_HEADERS:
        assert (landing / name).is_file(), name


# ------------------------------------------------------------------------------------------------ X format
def test_every_x_line_is_a_twarc2_search_page(pages) -> None:
    by_file: dict[Path, list[dict]] = {}
    for path, page in pages:
        by_file.setdefault(path, []).append(page)
        assert set(page) == {"data", "includes", "meta", "__twarc"}
        assert set(page["includes"]) == {"users", "tweets"}
        assert set(page["__twarc"]) == {"url", "version", "retrieved_at"}
        assert page["__twarc"]["url"].startswith("https://api.twitter.com/2/tweets/search/all?")
        data, meta = page["data"], page["meta"]
        assert 0 < len(data) <= 100 and meta["result_count"] == len(data)
        assert (meta["newest_id"], meta["oldest_id"]) == (data[0]["id"], data[-1]["id"])
        stamps = [_parse_x_time(t["created_at"]) for t in data]
        assert stamps == sorted(stamps, reverse=True), "search pages run newest first"
        retrieved = datetime.fromisoformat(page["__twarc"]["retrieved_at"])
        assert all(stamp < retrieved for stamp in stamps)
    for path, file_pages in by_file.items():
        tokens = [p["meta"].get("next_token") for p in file_pages]
        assert all(tokens[:-1]) and tokens[-1] is None, path.name
        for token, following in zip(tokens[:-1], file_pages[1:], strict=True):
            assert f"next_token={token}" in following["__twarc"]["url"]


def test_tweets_carry_the_v2_fields_with_string_ids_and_window_timestamps(pages) -> None:
    for _, page in pages:
        for tweet in page["data"] + page["includes"]["tweets"]:
            for key in (
                "id",
                "author_id",
                "conversation_id",
                "created_at",
                "text",
                "lang",
                "public_metrics",
                "edit_history_tweet_ids",
            ):
                assert key in tweet
            assert isinstance(tweet["id"], str) and tweet["id"].isdigit()
            assert tweet["author_id"].isdigit() and tweet["conversation_id"].isdigit()
            assert X_CREATED_AT.match(tweet["created_at"])
            assert WINDOW_START <= _parse_x_time(tweet["created_at"]) < WINDOW_END
            assert set(tweet["public_metrics"]) >= {"retweet_count", "reply_count", "like_count", "quote_count"}
            assert tweet["edit_history_tweet_ids"][-1] == tweet["id"] or tweet["id"] in tweet["edit_history_tweet_ids"]
        ids = [t["id"] for t in page["data"]]
        assert len(ids) == len(set(ids))


def test_replies_quotes_and_retweets_point_at_tweets_in_the_export(tweets, users) -> None:
    kinds = Counter()
    for tweet in tweets.values():
        assert tweet["conversation_id"] in tweets
        assert tweet["author_id"] in users
        for ref in tweet.get("referenced_tweets", []):
            kinds[ref["type"]] += 1
            target = tweets[ref["id"]]
            if ref["type"] == "replied_to":
                assert tweet["in_reply_to_user_id"] == target["author_id"]
                assert tweet["conversation_id"] == target["conversation_id"]
                assert tweet["text"].startswith(f"@{users[target['author_id']]['username']} ")
                assert _parse_x_time(target["created_at"]) < _parse_x_time(tweet["created_at"])
            if ref["type"] == "retweeted":
                assert tweet["text"].startswith(f"RT @{users[target['author_id']]['username']}: ")
        if "in_reply_to_user_id" in tweet:
            assert any(ref["type"] == "replied_to" for ref in tweet["referenced_tweets"])
    assert kinds["replied_to"] > 2000 and kinds["retweeted"] > 1000 and kinds["quoted"] > 50


def test_entities_match_the_text_and_brand_links_carry_the_organic_campaign(tweets, users) -> None:
    organic = {brand.x_account_id: brand.organic_campaign.utm_campaign for brand in DEMO_BRANDS}
    tagged_links = 0
    for tweet in tweets.values():
        entities = tweet.get("entities", {})
        text = tweet["text"]
        for mention in entities.get("mentions", []):
            assert text[mention["start"] : mention["end"]] == "@" + mention["username"]
            assert users[mention["id"]]["username"] == mention["username"]
        for tag in entities.get("hashtags", []):
            assert text[tag["start"] : tag["end"]] == "#" + tag["tag"]
        for url in entities.get("urls", []):
            assert text[url["start"] : url["end"]] == url["url"] and url["url"].startswith("https://t.co/")
            query = parse_qs(urlsplit(url["expanded_url"]).query)
            if tweet["author_id"] in organic and "utm_source" in query:
                assert query == {
                    "utm_source": ["x"],
                    "utm_medium": ["organic_social"],
                    "utm_campaign": [organic[tweet["author_id"]]],
                }
                tagged_links += 1
    assert tagged_links >= 60


def test_edited_tweets_show_both_versions(pages) -> None:
    edited = [(t, page) for _, page in pages for t in page["data"] if len(t["edit_history_tweet_ids"]) == 2]
    assert 1 <= len(edited) <= 4
    for tweet, page in edited:
        first_id, last_id = tweet["edit_history_tweet_ids"]
        assert last_id == tweet["id"] and int(first_id) < int(last_id)
        first = next(t for t in page["includes"]["tweets"] if t["id"] == first_id)
        assert first["edit_history_tweet_ids"] == [first_id, last_id] and first["text"] != tweet["text"]


# ------------------------------------------------------------------------------------------------ X world shape
def test_content_mix_and_volume(world) -> None:
    tweets = world.tweets
    assert 5000 <= len(tweets) <= 8000
    assert len({text_hash(t.text) for t in tweets}) < 4000, "unique texts drive the enrichment cost"
    kinds = Counter(t.kind for t in tweets)
    share = {kind: count / len(tweets) for kind, count in kinds.items()}
    assert 0.25 <= share["audience_reply"] <= 0.45
    assert 0.2 <= share["retweet"] <= 0.4
    assert 0.08 <= share["brand_reply"] + share["employee_reply"] <= 0.25
    assert 0.07 <= share["mention"] <= 0.2
    assert 0.03 <= share["brand_post"] <= 0.1
    assert share["employee_post"] > 0.01 and share["quote"] > 0.01
    audience = [t for t in tweets if t.kind in ("audience_reply", "mention")]
    topics = Counter(t.topic for t in audience)
    for topic, low, high in (
        ("praise", 0.12, 0.35),
        ("complaint", 0.06, 0.2),
        ("question", 0.06, 0.2),
        ("purchase_intent", 0.02, 0.1),
        ("recommendation", 0.04, 0.15),
        ("low_effort", 0.03, 0.12),
        ("emoji", 0.02, 0.1),
        ("bare_tag", 0.01, 0.06),
    ):
        assert low <= topics[topic] / len(audience) <= high, topic
    foreign = [t for t in tweets if t.lang not in ("en", "art", "qam", "qst")]
    assert 0.005 <= len(foreign) / len(tweets) <= 0.05
    copies = Counter(t.text for t in tweets if t.kind == "mention").most_common(1)[0][1]
    assert copies >= 30, "a giveaway slogan is copied many times"


def test_audience_has_repeat_engagers_one_offs_advocates_and_grows(world) -> None:
    engagements = Counter(t.author.person_id for t in world.tweets if t.author.role == "audience")
    assert 300 <= len(engagements) <= 600
    once = sum(1 for n in engagements.values() if n == 1)
    assert 0.3 <= once / len(engagements) <= 0.65
    assert sum(1 for n in engagements.values() if n >= 10) >= 40
    advocates = {p.person_id for p in world.audience if p.segment == "advocate"}
    recommenders = Counter(t.author.person_id for t in world.tweets if t.topic == "recommendation")
    assert sum(recommenders[p] for p in advocates) / sum(recommenders.values()) > 0.4
    first_seen: dict[str, datetime] = {}
    for tweet in world.tweets:
        first_seen.setdefault(tweet.author.person_id, tweet.created_at)
    newcomers_by_month = Counter(
        at.month for pid, at in first_seen.items() if pid in engagements and at - WINDOW_START > timedelta(days=7)
    )
    assert newcomers_by_month[10] > 30, "new engagers keep arriving in the last month"


def test_incidents_are_negative_spikes(world) -> None:
    for brand_id, day in (("lumen", 44), ("tidepool", 68)):
        per_day = Counter(
            (t.created_at - WINDOW_START).days
            for t in world.tweets
            if t.brand_id == brand_id and t.topic == "complaint"
        )
        usual = [per_day[d] for d in range(DAYS) if abs(d - day) > 3]
        assert per_day[day] > statistics.mean(usual) + 5 * statistics.pstdev(usual), brand_id


def test_brand_responses_have_realistic_delays_and_gaps(world) -> None:
    responses: dict[str, datetime] = {}
    for tweet in world.tweets:
        if tweet.kind in ("brand_reply", "employee_reply") and tweet.replied_to is not None:
            responses.setdefault(tweet.replied_to.tweet_id, tweet.created_at)
    competitor_handles = tuple(f"@{p.handle}" for p in world.competitors)
    questions = [
        t
        for t in world.tweets
        if t.topic == "question"
        and t.author.role == "audience"
        and (t.root or t).author.role != "competitor"  # a question under a competitor's post is for the competitor
        and not t.text.startswith(competitor_handles)
    ]
    answered = [t for t in questions if t.tweet_id in responses]
    assert 0.5 <= len(answered) / len(questions) <= 0.9, "some questions are never answered"
    delays = sorted((responses[t.tweet_id] - t.created_at).total_seconds() / 60 for t in answered)
    assert 10 <= statistics.median(delays) <= 240
    assert delays[int(len(delays) * 0.9)] > 300, "a long tail: overnight and incident-day answers"
    brand_replies_per_thread = Counter(
        t.conversation_id for t in world.tweets if t.kind in ("brand_reply", "employee_reply")
    )
    assert sum(1 for n in brand_replies_per_thread.values() if n >= 3) >= 20


# ------------------------------------------------------------------------------------------------ Fivetran tables
@pytest.mark.parametrize("name", sorted(REAL_HEADERS))
def test_csv_headers_are_the_real_samples_headers(landing: Path, name: str) -> None:
    header = (landing / name).read_text(encoding="utf-8").split("\n", 1)[0]
    expected = REAL_HEADERS[name]
    if name == "hubspot/contact_data.csv":
        expected += "," + ",".join(CONTACT_PROPERTIES)
    assert header == expected


def test_ad_spend_leads_and_customers_are_consistent(landing: Path) -> None:
    brands = DEMO_BRANDS
    brand_of_account = {b.meta_account_id: b.brand_id for b in brands}
    brand_of_campaign = {c.utm_campaign: b.brand_id for b in brands for c in (b.paid_campaign, b.organic_campaign)}
    ads = _rows(landing / "meta_ads/facebook_ads_basic_ad_data.csv")
    brand_of_ad = {row["ad_id"]: brand_of_account[row["account_id"]] for row in ads}
    spend, meta_leads = Counter(), Counter()
    for row in ads:
        assert START <= date.fromisoformat(row["date"]) < START + timedelta(days=DAYS)
        spend[brand_of_ad[row["ad_id"]]] += float(row["spend"])
    for row in _rows(landing / "meta_ads/facebook_ads_basic_ad_actions_data.csv"):
        if row["action_type"] in ("lead", "offsite_conversion.fb_pixel_lead"):
            meta_leads[brand_of_ad[row["ad_id"]]] += float(row["value"])
    contacts = _rows(landing / "hubspot/contact_data.csv")
    crm_paid, leads, customers = Counter(), Counter(), Counter()
    for row in contacts:
        campaign = row["property_utm_campaign"]
        if row["property_hs_analytics_source"] == "PAID_SOCIAL" and campaign:
            crm_paid[brand_of_campaign[campaign]] += 1
        if row["property_hs_lifecyclestage_lead_date"] and campaign:
            leads[brand_of_campaign[campaign]] += 1
            customers[brand_of_campaign[campaign]] += row["property_lifecyclestage"] == "customer"
    for brand in brands:
        brand_id = brand.brand_id
        assert 10 <= spend[brand_id] / meta_leads[brand_id] <= 60, brand_id
        assert 0.8 <= crm_paid[brand_id] / meta_leads[brand_id] <= 1.0, brand_id
        assert 0.05 <= customers[brand_id] / leads[brand_id] <= 0.2, brand_id


def test_every_lead_and_purchase_action_type_appears_once_per_ad_and_day(landing: Path) -> None:
    seen = Counter()
    types = Counter()
    for row in _rows(landing / "meta_ads/facebook_ads_basic_ad_actions_data.csv"):
        types[row["action_type"]] += 1
        family = "lead" if "lead" in row["action_type"] else "purchase" if "purchase" in row["action_type"] else "click"
        seen[(row["ad_id"], row["date"], family)] += 1
    assert set(types) == {
        "link_click",
        "lead",
        "offsite_conversion.fb_pixel_lead",
        "purchase",
        "offsite_conversion.fb_pixel_purchase",
    }
    assert max(seen.values()) == 1, "an ad reports a lead (or purchase) under one action type only"


def test_creatives_and_forms_carry_the_seed_campaigns(landing: Path) -> None:
    paid = {b.meta_account_id: b.paid_campaign.utm_campaign for b in DEMO_BRANDS}
    creatives = _rows(landing / "meta_ads/facebook_ads_creative_history_data.csv")
    assert len(creatives) == 9
    for row in creatives:
        tags = {item["key"]: item["value"] for item in json.loads(row["url_tags"])}
        assert tags["utm_source"] == "facebook" and tags["utm_medium"] == "paid_social"
        assert tags["utm_campaign"] == paid[row["account_id"]]
    campaigns = {r["name"] for r in _rows(landing / "meta_ads/facebook_ads_campaign_history_data.csv")}
    assert campaigns == {b.paid_campaign.name for b in DEMO_BRANDS}
    submissions = _rows(landing / "hubspot/contact_form_submission_data.csv")
    tagged = [parse_qs(urlsplit(r["page_url"]).query) for r in submissions if "utm_source=" in r["page_url"]]
    assert {q["utm_campaign"][0] for q in tagged} == set(paid.values()) | {
        b.organic_campaign.utm_campaign for b in DEMO_BRANDS
    }


def test_x_engagers_reappear_in_hubspot_and_quiet_big_buyers_exist(landing: Path, tweets, users) -> None:
    authors = {users[t["author_id"]]["username"].lower() for t in tweets.values()}
    contacts = _rows(landing / "hubspot/contact_data.csv")
    handle = {r["id"]: r["property_twitterhandle"].lstrip("@").lower() for r in contacts if r["property_twitterhandle"]}
    engaged = {cid for cid, h in handle.items() if h in authors}
    assert len(engaged) >= 50
    lifecycle = {r["id"]: r["property_lifecyclestage"] for r in contacts}
    assert sum(lifecycle[c] == "customer" for c in engaged) >= 5, "engager -> lead -> customer can be followed"
    assert sum(lifecycle[c] in ("lead", "marketingqualifiedlead") for c in engaged) >= 20, "engaged non-buyers"
    won = {r["stage_id"] for r in _rows(landing / "hubspot/deal_pipeline_stage_data.csv") if r["closed_won"] == "TRUE"}
    deals = {r["deal_id"]: r for r in _rows(landing / "hubspot/deal_data.csv")}
    big_quiet = [
        link["contact_id"]
        for link in _rows(landing / "hubspot/deal_contact_data.csv")
        if deals[link["deal_id"]]["deal_pipeline_stage_id"] in won
        and float(deals[link["deal_id"]]["property_amount"]) >= 5000
        and link["contact_id"] not in engaged
    ]
    assert len(big_quiet) >= 6


def test_crm_dates_fall_in_the_window(landing: Path) -> None:
    def in_window(value: str) -> bool:
        return not value or WINDOW_START <= datetime.fromisoformat(value).replace(tzinfo=UTC) < WINDOW_END

    for row in _rows(landing / "hubspot/contact_data.csv"):
        for column in (
            "property_createdate",
            "property_hs_lifecyclestage_lead_date",
            "property_hs_lifecyclestage_customer_date",
        ):
            assert in_window(row[column]), (column, row[column])
    for row in _rows(landing / "hubspot/deal_data.csv"):
        assert in_window(row["property_createdate"]) and in_window(row["property_closedate"])


# ------------------------------------------------------------------------------------------------ the project's readers
def test_the_project_readers_recognise_and_read_every_demo_file(landing: Path) -> None:
    from ingest.detect import detect

    families = {"x": "x_api_v2", "meta_ads": "meta_ads.", "hubspot": "hubspot.", "generic": "sprout_social_messages"}
    for path in sorted(p for p in landing.rglob("*") if p.is_file()):
        fmt = detect(path)
        assert fmt is not None, path
        assert fmt.name.startswith(families[path.parent.name]), (path, fmt.name)
        results = list(fmt.read(path))
        assert sum(r.rows_quarantined for r in results) == 0, (path, results[0].quarantine[:3])
        assert sum(r.rows_accepted for r in results) > 0, path


def test_facebook_pages_of_the_seeds_get_a_sprout_like_report(landing: Path) -> None:
    pages = {b.facebook_page_id: b for b in DEMO_BRANDS if b.facebook_page_id}
    path = landing / "generic" / "sprout_facebook_messages.csv"
    assert path.exists() == bool(pages)
    if not pages:
        return
    rows = _rows(path)
    ids = {row["Message ID"] for row in rows}
    assert Counter(row["Message Type"] for row in rows).keys() == {"Post", "Comment", "Reply"}
    for row in rows:
        stamp = datetime.strptime(row["Timestamp (ET)"], "%m/%d/%Y %I:%M %p").replace(
            tzinfo=ZoneInfo("America/New_York")
        )
        assert WINDOW_START <= stamp < WINDOW_END
        assert row["Network"] == "Facebook" and row["Conversation ID"] in ids
        assert row["In Reply To ID"] in ids or row["Message Type"] == "Post"
        if row["Message Type"] != "Comment":
            assert row["From Profile ID"] in pages
