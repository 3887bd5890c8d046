"""X API v2 reader on real twarc2 captures (tests/fixtures/x_twitter_v2, from DocNow/twarc-csv)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl


def _by_id(frame: pl.DataFrame) -> dict[tuple[str, int], dict]:
    return {(row["interaction_id"], row["record_version"]): row for row in frame.to_dicts()}


def test_a_retweet_is_a_share_without_the_retweeters_text(read_export, fixtures_dir):
    result = read_export(fixtures_dir / "x_twitter_v2/two_tweets.jsonl")
    tweets = _by_id(result.frames["interactions"])

    retweet = tweets[("1394735776701816833", 0)]
    assert retweet["interaction_type"] == "share"
    assert retweet["text"] is None  # "RT @bibaigna96: ..." is not the retweeter's own words
    assert retweet["parent_id"] == "1391677057810288641"
    assert retweet["author_handle"] == "LachiVeronica"
    assert retweet["created_at"] == datetime(2021, 5, 18, 19, 24, 56, tzinfo=UTC)
    assert retweet["share_count"] == 1 and retweet["like_count"] == 0

    original = tweets[("1391677057810288641", 0)]  # from includes.tweets
    assert (original["interaction_type"], original["text"]) == ("post", "#POIUYTREWQ")
    assert original["author_handle"] == "bibaigna96"

    people = result.frames["people"]
    assert sorted(people["handle"].to_list()) == ["LachiVeronica", "bibaigna96"]
    assert people["observed_at"].to_list() == [datetime(2021, 5, 19, 15, 26, 17, tzinfo=UTC)] * 2
    assert result.rows_read == result.rows_accepted == 4  # 2 tweets + 2 users


def test_an_edited_tweet_keeps_its_first_id_and_counts_versions(read_export, fixtures_dir):
    tweets = _by_id(read_export(fixtures_dir / "x_twitter_v2/edited.jsonl").frames["interactions"])
    first, latest = tweets[("1576994746135764992", 0)], tweets[("1576994746135764992", 1)]
    assert first["text"].startswith("i miss y’all")
    assert latest["text"] == "hey :) https://t.co/rnwEIoNuqd"
    assert latest["url"] == "https://x.com/wongmjane/status/1576994789110992896"
    assert (latest["like_count"], latest["reply_count"], latest["share_count"], latest["quote_count"]) == (27, 12, 2, 2)


def test_a_reply_that_quotes_is_a_reply_to_the_first_version_of_its_parent(read_export, fixtures_dir):
    tweets = _by_id(read_export(fixtures_dir / "x_twitter_v2/quoted_edit.jsonl").frames["interactions"])
    reply = tweets[("1576995594388000768", 0)]
    assert reply["interaction_type"] == "reply"
    # replied to 1576994789110992896, the second version of 1576994746135764992
    assert reply["parent_id"] == "1576994746135764992"
    assert reply["conversation_id"] == "1576994746135764992"
    assert reply["in_reply_to_author_id"] == "337119125"
    assert reply["mentioned_handles"] == ["wongmjane"]


def test_an_original_tweet_mentioning_others_is_a_mention(read_export, fixtures_dir):
    tweets = _by_id(read_export(fixtures_dir / "x_twitter_v2/mentions_tweet.jsonl").frames["interactions"])
    mention = tweets[("1589671906718134272", 0)]
    assert mention["interaction_type"] == "mention"
    assert mention["mentioned_handles"][:3] == ["xbox", "masseffect", "ubisoft"]
    assert tweets[("1589681856941002753", 0)]["interaction_type"] == "share"


def test_impressions_come_from_public_metrics(read_export, fixtures_dir):
    tweets = read_export(fixtures_dir / "x_twitter_v2/verified_type.jsonl").frames["interactions"]
    assert set(tweets["impression_count"].to_list()) == {139075}
    assert set(tweets["interaction_type"].to_list()) == {"post"}


def test_a_user_lookup_gives_people_and_their_pinned_tweets(read_export, fixtures_dir):
    result = read_export(fixtures_dir / "x_twitter_v2/users.jsonl")
    people = result.frames["people"]
    assert people.height == 96
    first = people.row(0, named=True)
    assert (first["person_id"], first["handle"], first["followers_count"]) == ("119369819", "DoDirty78", 580)
    assert first["observed_at"] == datetime(2021, 10, 23, 19, 36, 18, tzinfo=UTC)
    assert result.frames["interactions"].height == 52  # includes.tweets: pinned tweets
    assert result.quarantine == []


def test_a_plain_pretty_printed_api_response_reads_like_a_twarc_page(read_export, fixtures_dir, tmp_path):
    page = json.loads((fixtures_dir / "x_twitter_v2/two_tweets.jsonl").read_text())
    del page["__twarc"]
    plain = tmp_path / "response.json"
    plain.write_text(json.dumps(page, indent=2))

    result = read_export(plain)
    assert result.format == "x_api_v2"
    assert sorted(result.frames["interactions"]["interaction_id"].to_list()) == [
        "1391677057810288641",
        "1394735776701816833",
    ]
    assert result.frames["people"]["observed_at"].to_list() == [None, None]  # the loader fills it at ingest time


def test_a_tweet_without_created_at_is_quarantined_alone(read_export, fixtures_dir, tmp_path):
    page = json.loads((fixtures_dir / "x_twitter_v2/two_tweets.jsonl").read_text())
    del page["data"][0]["created_at"]
    path = tmp_path / "page.jsonl"
    path.write_text(json.dumps(page) + "\n")

    result = read_export(path)
    assert result.quarantine[0][:2] == ("line 1 $.data[0]", "missing required field created_at")
    assert result.frames["interactions"]["interaction_id"].to_list() == ["1391677057810288641"]
    assert result.rows_read == 4 and result.rows_accepted == 3


def test_a_single_tweet_lookup_has_one_object_as_data(read_export, fixtures_dir, tmp_path):
    page = json.loads((fixtures_dir / "x_twitter_v2/verified_type.jsonl").read_text())
    page["data"] = page["data"][0]
    del page["__twarc"]
    single = tmp_path / "tweet.json"
    single.write_text(json.dumps(page, indent=2))
    result = read_export(single)
    assert set(result.frames["interactions"]["interaction_id"]) == {"1603823063690199040"}


def test_links_are_the_expanded_urls_in_text_order(read_export, fixtures_dir):
    tweets = _by_id(read_export(fixtures_dir / "x_twitter_v2/edited.jsonl").frames["interactions"])
    first = tweets[("1576994746135764992", 0)]
    assert "https://t.co/glJ0r9uh9F" in first["text"]  # the text only holds the shortened links
    assert first["link_urls"] == [
        "https://twitter.com/i/web/status/1576994746135764992",
        "https://twitter.com/wongmjane/status/1576994746135764992/photo/1",
    ]
    two = _by_id(read_export(fixtures_dir / "x_twitter_v2/two_tweets.jsonl").frames["interactions"])
    assert two[("1391677057810288641", 0)]["link_urls"] == []  # a tweet without links
    assert two[("1394735776701816833", 0)]["link_urls"] is None  # a retweet's links are the original author's


def test_a_long_post_links_from_its_note_and_an_unexpanded_link_keeps_its_url(read_export, fixtures_dir, tmp_path):
    page = json.loads((fixtures_dir / "x_twitter_v2/two_tweets.jsonl").read_text())
    original = page["includes"]["tweets"][0]
    campaign = "https://shop.example/autumn?utm_source=x&utm_campaign=autumn"
    original["entities"] = {
        "urls": [
            {"url": "https://t.co/aaa", "expanded_url": "https://twitter.com/i/web/status/1391677057810288641"},
            {"url": "https://t.co/bbb"},  # no expansion in the response: the t.co link is all there is
        ]
    }
    original["note_tweet"] = {
        "text": "A long post https://t.co/ccc",
        "entities": {"urls": [{"url": "https://t.co/ccc", "expanded_url": campaign}]},
    }
    path = tmp_path / "page.jsonl"
    path.write_text(json.dumps(page) + "\n")

    tweet = _by_id(read_export(path).frames["interactions"])[("1391677057810288641", 0)]
    assert tweet["text"] == "A long post https://t.co/ccc"
    assert tweet["link_urls"] == [campaign, "https://twitter.com/i/web/status/1391677057810288641", "https://t.co/bbb"]
