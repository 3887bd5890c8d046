"""Instagram Graph API reader, on the captured responses in tests/fixtures/instagram_graph (pyfacebook test data)."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from ingest.detect import detect, read_sample
from ingest.readers import instagram_graph

FIXTURES = Path(__file__).parents[1] / "fixtures"
SAMPLES = FIXTURES / "instagram_graph"


def read_one(path: Path):
    (result,) = list(instagram_graph.read(path))
    assert result.rows_read == result.rows_accepted + result.rows_quarantined
    return result


def by_id(frame: pl.DataFrame, interaction_id: str) -> dict:
    (row,) = frame.filter(pl.col("interaction_id") == interaction_id).to_dicts()
    return row


def write(tmp_path: Path, name: str, document) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def test_claims_every_instagram_graph_sample():
    samples = sorted(SAMPLES.glob("*.json"))
    assert len(samples) == 13
    assert all(instagram_graph.sniff(read_sample(path)) for path in samples)


def test_rejects_every_other_export():
    others = [path for path in FIXTURES.rglob("*") if path.is_file() and path.name != "SOURCE.txt"]
    others = [path for path in others if SAMPLES not in path.parents]
    claimed = [path.relative_to(FIXTURES) for path in others if instagram_graph.sniff(read_sample(path))]
    assert claimed == []


def test_owned_media_take_their_author_from_the_paging_link():
    result = read_one(SAMPLES / "users_medias_p1.json")
    media = result.frames["interactions"]
    assert (result.rows_read, result.rows_quarantined) == (2, 0)
    post = by_id(media, "17896622936197745")
    assert post["interaction_type"] == "post"
    assert post["author_id"] == "17841406338772941"  # .../17841406338772941/media?... in paging.next
    assert (post["like_count"], post["reply_count"]) == (2, 6)
    assert post["created_at"] == datetime(2021, 8, 13, 8, 2, 40, tzinfo=UTC)
    assert post["url"] == "https://www.instagram.com/p/CSgdWACBeKr/"


def test_tagged_media_are_user_generated_content():
    media = read_one(SAMPLES / "users_tagged_medias.json").frames["interactions"]
    assert media.height == 5 and set(media["interaction_type"]) == {"ugc"}
    tagged = by_id(media, "17846368219941692")
    assert tagged["text"] == "Cute.. #cute #loveyou  @ikroskun"
    assert tagged["mentioned_handles"] == ["ikroskun"]
    assert (tagged["like_count"], tagged["reply_count"]) == (3, 6)


def test_the_paging_link_names_the_edge_whatever_the_file_name(tmp_path):
    document = json.loads((SAMPLES / "users_medias_p1.json").read_text())
    document["paging"]["next"] = document["paging"]["next"].replace("/media?", "/tags?")
    media = read_one(write(tmp_path, "media.json", document)).frames["interactions"]
    assert set(media["interaction_type"]) == {"ugc"}


def test_comments_take_their_media_from_the_paging_link():
    comments = read_one(SAMPLES / "medias_comments_p1.json").frames["interactions"]
    assert comments["interaction_type"].to_list() == ["comment", "comment"]
    assert set(comments["parent_id"]) == set(comments["conversation_id"]) == {"17846368219941692"}
    assert comments["interaction_id"].to_list() == ["17858154961981086", "17874875428706419"]


def test_a_replies_list_is_read_as_replies():
    (reply,) = read_one(SAMPLES / "comments_replies.json").frames["interactions"].to_dicts()
    assert (reply["interaction_id"], reply["interaction_type"]) == ("17847314687296283", "reply")
    assert reply["mentioned_handles"] == ["lixiangguodu123"]


def test_comment_fields_give_the_author_handle():
    comments = read_one(SAMPLES / "comments_comments_fields.json").frames["interactions"]
    assert comments.select("interaction_id", "author_handle", "like_count").rows() == [
        ("17892250648466172", "ikroskun", 1),
        ("17858154961981086", "lixiangguodu123", 0),
    ]


def test_nested_comments_and_replies_hang_under_their_media(tmp_path):
    media = json.loads((SAMPLES / "medias_medias_fields.json").read_text())["17893085207160254"]
    comment, reply = (
        json.loads((SAMPLES / name).read_text()) for name in ("comments_comment_fields.json", "comments_replies.json")
    )
    comment["replies"] = reply
    media["comments"] = {"data": [comment]}
    result = read_one(write(tmp_path, "media.json", media))
    rows = result.frames["interactions"]
    assert result.rows_read == 3
    assert rows["interaction_type"].to_list() == ["post", "comment", "reply"]
    assert by_id(rows, "17892250648466172")["parent_id"] == "17893085207160254"
    nested_reply = by_id(rows, "17847314687296283")
    assert (nested_reply["parent_id"], nested_reply["conversation_id"]) == ("17892250648466172", "17893085207160254")


def test_mentioned_comment_is_a_mention():
    (mention,) = read_one(SAMPLES / "users_mentioned_comment.json").frames["interactions"].to_dicts()
    assert (mention["interaction_id"], mention["interaction_type"]) == ("17967008497439572", "mention")
    assert (mention["author_handle"], mention["text"]) == ("ikroskun", "@ikroskun good")
    assert mention["created_at"] == datetime(2021, 8, 19, 9, 14, 16, tzinfo=UTC)


def test_lifetime_media_insights_pivot_into_one_content_row():
    result = read_one(SAMPLES / "medias_insights.json")
    assert (result.rows_read, result.rows_accepted) == (3, 3)
    metrics = result.frames["content_metrics"]
    assert metrics.select("content_id", "date", "impressions", "reach", "saves").rows() == [
        ("17846368219941692", None, 8, 5, 0)
    ]


def test_total_value_shape_of_a_media_insight(tmp_path):
    document = json.loads((SAMPLES / "medias_insights_new.json").read_text())
    kept = read_one(SAMPLES / "medias_insights_new.json")
    assert kept.rows_accepted == 0
    assert kept.quarantine[0][1] == "media insight without a content_metrics column (a metric not read)"
    document["data"][0]["name"] = "reach"
    del document["data"][0]["values"]  # the newer answer carries total_value only
    metrics = read_one(write(tmp_path, "insights.json", document)).frames["content_metrics"]
    assert metrics.select("content_id", "reach").rows() == [("18035507131611621", 11)]


def test_daily_account_insights_give_one_row_per_day():
    metrics = read_one(SAMPLES / "users_user_insights.json").frames["account_metrics"]
    # end_time 2017-05-04T07:00:00+0000 closes 3 May (Pacific time)
    assert metrics.select("account_id", "date", "impressions", "reach", "profile_views").rows() == [
        ("17841400008460056", date(2017, 5, 3), 4, 3, 0),
        ("17841400008460056", date(2017, 5, 4), 66, 36, 2),
    ]


def test_daily_total_value_without_days_is_quarantined():
    result = read_one(SAMPLES / "users_user_insights_new.json")
    assert (result.rows_read, result.rows_accepted) == (1, 0)
    assert "total_value has no end_time" in result.quarantine[0][1]


def test_a_comment_without_timestamp_is_quarantined(tmp_path):
    document = json.loads((SAMPLES / "medias_comments_p1.json").read_text())
    del document["data"][0]["timestamp"]
    document["data"][0]["like_count"] = 3
    result = read_one(write(tmp_path, "comments.json", document))
    assert (result.rows_read, result.rows_accepted) == (2, 1)
    assert result.quarantine[0][:2] == ("$.data[0]", "not an Instagram media, comment, mention, insight or user")


@pytest.mark.parametrize("name", ["medias_insights.json", "users_tagged_medias.json", "comments_comment_fields.json"])
def test_the_registry_detects_the_samples_whatever_their_name(tmp_path, name):
    renamed = tmp_path / "export.dat"
    renamed.write_bytes((SAMPLES / name).read_bytes())
    fmt = detect(renamed)
    assert fmt is not None and fmt.name == "instagram_graph"
