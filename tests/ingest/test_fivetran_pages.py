"""Fivetran organic-social tables (Facebook Pages, Instagram Business, LinkedIn Pages, Twitter organic, YouTube
Analytics), on the dbt_social_media_reporting integration-test seeds in tests/fixtures."""

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from ingest.base import REGISTRY
from ingest.detect import detect, read_sample
from ingest.readers import fivetran_pages

FIXTURES = Path(__file__).parents[1] / "fixtures"
OWN_FOLDERS = (
    "facebook_pages",
    "instagram_business",
    "linkedin_pages",
    "twitter_organic_fivetran",
    "youtube_analytics",
)
FORMATS = {fmt.name: fmt for fmt in REGISTRY if fmt.read.__module__ == fivetran_pages.__name__}

EXPECTED = {
    "facebook_pages/facebook_pages_daily_page_metrics_total_data.csv": "fivetran_facebook_pages_daily_page_metrics",
    "facebook_pages/facebook_pages_lifetime_post_metrics_total_data.csv": (
        "fivetran_facebook_pages_lifetime_post_metrics"
    ),
    "facebook_pages/facebook_pages_page_data.csv": "fivetran_facebook_pages_page",
    "facebook_pages/facebook_pages_post_history_data.csv": "fivetran_facebook_pages_post_history",
    "instagram_business/instagram_business_media_history_data.csv": "fivetran_instagram_business_media_history",
    "instagram_business/instagram_business_media_insights_data.csv": "fivetran_instagram_business_media_insights",
    "instagram_business/instagram_business_user_history_data.csv": "fivetran_instagram_business_user_history",
    "linkedin_pages/linkedin_pages_organization_data.csv": "fivetran_linkedin_pages_organization",
    "linkedin_pages/linkedin_pages_share_statistic_data.csv": "fivetran_linkedin_pages_share_statistic",
    "linkedin_pages/linkedin_pages_ugc_post_history_data.csv": "fivetran_linkedin_pages_post_history",
    "linkedin_pages/linkedin_pages_share_history_data.csv": "fivetran_linkedin_pages_post_history",
    "twitter_organic_fivetran/tweet.csv": "fivetran_twitter_organic_tweet",
    "twitter_organic_fivetran/organic_tweet_report.csv": "fivetran_twitter_organic_tweet_report",
    "twitter_organic_fivetran/twitter_user_history.csv": "fivetran_twitter_organic_user_history",
    "youtube_analytics/youtube_channel_basic_data.csv": "fivetran_youtube_analytics_channel_basic",
    "youtube_analytics/youtube_video_data.csv": "fivetran_youtube_analytics_video",
}
# tables with nothing canonical in them: left for the manifest to report as unrecognised
UNCLAIMED = {
    "linkedin_pages/linkedin_pages_organization_share_data.csv",
    "linkedin_pages/linkedin_pages_organization_ugc_post_data.csv",
    "linkedin_pages/linkedin_pages_post_content_data.csv",
    "linkedin_pages/linkedin_pages_share_content_data.csv",
    "linkedin_pages/linkedin_pages_share_share_statistic_data.csv",
    "linkedin_pages/linkedin_pages_ugc_post_share_statistic_data.csv",
    "twitter_organic_fivetran/account_history.csv",
    "youtube_analytics/youtube_channel_demographics_data.csv",
}


def read(fixture: str | Path, format_name: str | None = None):
    """Read a fixture (or any path) with the named format, checking the row accounting of every chunk."""
    fmt = FORMATS[format_name or EXPECTED[str(fixture)]]
    (result,) = list(fmt.read(FIXTURES / fixture))
    assert result.rows_read == result.rows_accepted + result.rows_quarantined
    return result


def claimants(path: Path) -> list[str]:
    sample = read_sample(path)
    return [name for name, fmt in FORMATS.items() if fmt.sniff(sample)]


def test_every_table_is_claimed_by_exactly_its_own_format():
    own_files = {
        str(path.relative_to(FIXTURES)) for folder in OWN_FOLDERS for path in (FIXTURES / folder).glob("*.csv")
    }
    assert own_files == set(EXPECTED) | UNCLAIMED
    assert {name: claimants(FIXTURES / name) for name in EXPECTED} == {name: [fmt] for name, fmt in EXPECTED.items()}
    assert {name: claimants(FIXTURES / name) for name in UNCLAIMED} == {name: [] for name in UNCLAIMED}


def test_rejects_every_other_export():
    others = [path for path in FIXTURES.rglob("*") if path.is_file() and path.name != "SOURCE.txt"]
    others = [path for path in others if path.relative_to(FIXTURES).parts[0] not in OWN_FOLDERS]
    assert [path.relative_to(FIXTURES) for path in others if claimants(path)] == []


@pytest.mark.parametrize(("fixture", "format_name"), sorted(EXPECTED.items()))
def test_the_registry_detects_each_table_whatever_its_name(tmp_path, fixture, format_name):
    renamed = tmp_path / "export.dat"
    renamed.write_bytes((FIXTURES / fixture).read_bytes())
    fmt = detect(renamed)
    assert fmt is not None and fmt.name == format_name


def test_facebook_daily_page_metrics_end_the_day_they_are_dated():
    result = read("facebook_pages/facebook_pages_daily_page_metrics_total_data.csv")
    metrics = result.frames["account_metrics"]
    assert (result.rows_read, result.rows_accepted) == (6, 6)
    # "2020-04-10 07:00:00" is the Insights end_time: the midnight that closes 9 April in California
    first = metrics.row(0, named=True)
    assert (first["account_id"], first["date"]) == ("514435155248879", date(2020, 4, 9))
    assert (first["followers"], first["followers_gained"], first["followers_lost"]) == (256, 0, 1)
    assert (first["impressions"], first["engagements"], first["profile_views"]) == (6696, 123, 81)


def test_facebook_lifetime_post_metrics_keep_the_latest_snapshot():
    result = read("facebook_pages/facebook_pages_lifetime_post_metrics_total_data.csv")
    metrics = result.frames["content_metrics"]
    assert (result.rows_read, result.rows_accepted, metrics.height) == (25, 25, 5)  # 5 posts x 5 daily snapshots
    post = metrics.filter(pl.col("content_id") == "514435155248879_3391309130894786").row(0, named=True)
    assert post["date"] is None and post["account_id"] == "514435155248879"
    assert post["impressions"] == 877  # the 2021-09-13 snapshot (875 on the 10th)
    # the reaction kinds pass through; stg_pages__content_metrics adds them up into likes
    reactions = {kind: post[f"reactions_{kind}"] for kind in ("like", "love", "haha", "wow", "sorry", "anger")}
    assert reactions == {"like": 10, "love": 2, "haha": 0, "wow": 0, "sorry": 0, "anger": 0}
    assert post["likes"] is None
    # post_engaged_users counts people, not engagements: not passed as engagements (the marts count engagements)
    assert (post["video_views"], post["engagements"]) == (193, None)


def test_facebook_post_history_keeps_each_version():
    posts = read("facebook_pages/facebook_pages_post_history_data.csv").frames["interactions"]
    assert posts.height == 100 and set(posts["interaction_type"]) == {"post"}
    versions = posts.filter(pl.col("interaction_id") == "421201907945179_3815436968521639")
    assert sorted(versions["record_version"]) == [0, 1610750394]  # the original and its 2021-01-15 22:39:54 edit
    shared = posts.filter(pl.col("interaction_id") == "514435155248879_2172221929470185").row(0, named=True)
    assert (shared["author_id"], shared["share_count"]) == ("514435155248879", 3)
    assert shared["created_at"] == datetime(2017, 9, 15, 0, 19, 44, tzinfo=UTC)


def test_facebook_page_is_a_person():
    people = read("facebook_pages/facebook_pages_page_data.csv").frames["people"]
    assert people.select("person_id", "display_name").rows() == [("514435155248879", "Fivetran")]
    assert people["observed_at"][0] == datetime(2021, 9, 15, 14, 21, 33, 777000, tzinfo=UTC)


def test_instagram_media_insights_take_the_metric_of_the_media_type():
    metrics = read("instagram_business/instagram_business_media_insights_data.csv").frames["content_metrics"]
    assert metrics.height == 5
    media = metrics.filter(pl.col("content_id") == "17875951606801054").row(0, named=True)
    expected = {"impressions": 56, "reach": 43, "likes": 3, "comments": 1, "shares": 1, "saves": 0, "video_views": 54}
    assert {key: media[key] for key in expected} == expected
    assert media["engagements"] == 4


def test_instagram_media_history_is_folded_to_the_latest_sync():
    result = read("instagram_business/instagram_business_media_history_data.csv")
    (post,) = result.frames["interactions"].to_dicts()  # 51 syncs of one post; 49 rows are album items
    assert result.rows_accepted == 100
    assert (post["interaction_id"], post["author_id"], post["author_handle"]) == (
        "17875951606801054",
        "17841439536867616",
        "fivetrandevelopers",
    )
    assert post["created_at"] == datetime(2020, 8, 17, 12, 25, 20, tzinfo=UTC)
    assert post["record_version"] == int(datetime(2021, 10, 27, 14, 22, 1, tzinfo=UTC).timestamp())
    assert post["url"] == "https://www.instagram.com/p/CD_Yb7DMakV/"


def test_instagram_user_history_gives_person_and_followers_on_the_sync_day():
    result = read("instagram_business/instagram_business_user_history_data.csv")
    assert result.frames["people"].select("person_id", "handle", "followers_count", "following_count").rows() == [
        ("17841439536867616", "fivetrandevelopers", 39, 22)
    ]
    assert result.frames["account_metrics"].select("account_id", "date", "followers").rows() == [
        ("17841439536867616", date(2021, 10, 27), 39)
    ]


def test_linkedin_share_statistics_keep_the_latest_of_their_syncs():
    result = read("linkedin_pages/linkedin_pages_share_statistic_data.csv")
    metrics = result.frames["content_metrics"]
    assert (result.rows_read, metrics.height) == (100, 80)
    share = metrics.filter(pl.col("content_id") == "urn:li:share:6123513602981842944").row(0, named=True)
    assert share["account_id"] == "urn:li:organization:10429"
    # synced 2021-10-27 14:40:20; LinkedIn reports no engagement count (its "engagement" is a rate), so none is
    # computed here: the components (likes, comments, shares) pass through and the arithmetic lives in dbt
    assert (share["impressions"], share["likes"], share["engagements"]) == (6, 10, None)


def test_linkedin_posts_and_the_organisations_comments():
    posts = read("linkedin_pages/linkedin_pages_ugc_post_history_data.csv").frames["interactions"]
    assert posts["interaction_type"].value_counts().sort("interaction_type").rows() == [("comment", 2), ("post", 73)]
    comment = posts.filter(pl.col("interaction_type") == "comment").row(0, named=True)
    assert comment["parent_id"] == comment["conversation_id"]
    shares = read("linkedin_pages/linkedin_pages_share_history_data.csv").frames["interactions"]
    first = shares.row(0, named=True)
    assert first["interaction_id"] == "urn:li:share:5975571345575022592"  # the id the statistics use
    assert first["author_id"] == "urn:li:organization:10429"
    assert first["created_at"] == datetime(2023, 10, 13, 17, 32, 47, 678000, tzinfo=UTC)


def test_organic_tweets_keep_exact_ids():
    tweets = read("twitter_organic_fivetran/tweet.csv").frames["interactions"]
    tweet = tweets.row(0, named=True)
    assert (tweet["platform"], tweet["interaction_id"], tweet["author_id"]) == ("x", "1267453801369346053", "905382554")
    assert (tweet["like_count"], tweet["share_count"], tweet["lang"]) == (8, 6, "en")
    assert tweet["conversation_id"] == "1267453801369346053"
    assert tweets.height == 100


def test_organic_tweet_report_is_daily_content_metrics():
    metrics = read("twitter_organic_fivetran/organic_tweet_report.csv").frames["content_metrics"]
    assert metrics.height == 100
    first = metrics.row(0, named=True)
    assert (first["account_id"], first["content_id"]) == ("18ce54lbsn8", "664569014195085312")
    assert first["date"] == date(2017, 3, 14)  # 07:00 UTC starts the day in Los Angeles
    assert (first["impressions"], first["likes"], first["engagements"]) == (0, 0, 0)  # zero, not missing


def test_placements_of_a_tweet_day_are_added_up(tmp_path):
    lines = (FIXTURES / "twitter_organic_fivetran/organic_tweet_report.csv").read_text().splitlines()
    header = lines[0].split(",")
    timeline, network = lines[1].split(","), lines[1].split(",")
    network[header.index("placement")] = "PUBLISHER_NETWORK"
    for row, impressions in ((timeline, "40"), (network, "2")):
        row[header.index("impressions")] = impressions
    path = tmp_path / "report.csv"
    path.write_text("\n".join([lines[0], ",".join(timeline), ",".join(network)]) + "\n")
    result = read(path, "fivetran_twitter_organic_tweet_report")
    assert (result.rows_read, result.rows_accepted) == (2, 2)
    assert result.frames["content_metrics"].select("content_id", "impressions", "_source_line").rows() == [
        ("664569014195085312", 42, 1)
    ]


def test_youtube_channel_basic_sums_its_dimensions():
    result = read("youtube_analytics/youtube_channel_basic_data.csv")
    assert (result.rows_read, result.rows_accepted) == (1000, 1000)
    videos = result.frames["content_metrics"]
    assert videos["content_id"].null_count() == 0  # rows for the channel page (no video) are not content
    day = videos.filter(pl.col("content_id") == "TSTbp5LSBdw", pl.col("date") == date(2021, 7, 27)).row(0, named=True)
    assert day["video_views"] == 14  # 8 rows: by country and subscription status
    channel = result.frames["account_metrics"]
    assert channel.height == 15  # 15 days
    assert channel.filter(pl.col("date") == date(2021, 7, 27))["followers_gained"].item() == 2
    assert (channel["followers_gained"].sum(), channel["followers_lost"].sum()) == (6, 1)


def test_youtube_videos_are_posts_with_lifetime_statistics():
    result = read("youtube_analytics/youtube_video_data.csv")
    post = result.frames["interactions"].row(0, named=True)
    assert (post["interaction_id"], post["text"], post["like_count"]) == (
        "t91FEgxdojg",
        "Cool video 1\n\nCool video 1",
        25,
    )
    assert post["created_at"] == datetime(2020, 10, 27, 22, 48, 14, tzinfo=UTC)
    assert result.frames["content_metrics"].row(0, named=True)["video_views"] == 2038


def test_bad_values_send_their_rows_to_quarantine(tmp_path):
    lines = (FIXTURES / "facebook_pages/facebook_pages_daily_page_metrics_total_data.csv").read_text().splitlines()
    header = lines[0].split(",")
    broken_count = lines[1].split(",")
    broken_count[header.index("page_fans")] = "lots"
    missing_page = lines[2].split(",")
    missing_page[header.index("page_id")] = ""
    broken_date = lines[3].split(",")
    broken_date[header.index("date")] = "yesterday"
    path = tmp_path / "daily.csv"
    path.write_text(
        "\n".join([lines[0], ",".join(broken_count), ",".join(missing_page), ",".join(broken_date), *lines[4:]]) + "\n"
    )
    result = read(path, "fivetran_facebook_pages_daily_page_metrics")
    assert (result.rows_read, result.rows_accepted) == (6, 3)
    assert [entry[:2] for entry in result.quarantine] == [
        ("row 1", "page_fans is not a whole number within a 64-bit integer"),
        ("row 2", "page_id missing"),
        ("row 3", "date is not a time"),
    ]
    assert result.frames["account_metrics"]["_source_line"].to_list() == [4, 5, 6]


def test_the_day_of_a_midnight_instant_holds_for_any_utc_offset(tmp_path):
    header = "date,page_id,page_fan_adds,page_impressions\n"
    # end_time of 9 April in Tokyo (UTC+9) and in California (UTC-7)
    path = tmp_path / "daily.csv"
    path.write_text(header + "2020-04-09 15:00:00,1,1,10\n2020-04-10 07:00:00,2,1,10\n")
    metrics = read(path, "fivetran_facebook_pages_daily_page_metrics").frames["account_metrics"]
    assert metrics["date"].to_list() == [date(2020, 4, 9), date(2020, 4, 9)]


def test_a_row_with_an_unclosed_quote_is_quarantined_and_the_others_load(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(b'date,page_id,page_fan_adds,page_impressions\n"2020-04-10,1,2,3\n2020-04-11,1,4,5\n')
    result = read(path, "fivetran_facebook_pages_daily_page_metrics")
    assert (result.rows_read, result.rows_accepted, result.rows_quarantined) == (2, 1, 1)
    assert result.quarantine[0][:2] == ("line 2", "broken quoting: an unclosed quote, or text after a closing quote")
    assert result.frames["account_metrics"]["date"].to_list() == [date(2020, 4, 10)]  # the day ending at 04-11
