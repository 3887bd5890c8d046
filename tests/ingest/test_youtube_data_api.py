"""YouTube Data API v3 reader, on the captured responses in tests/fixtures/youtube_data_api (python-youtube data)."""

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from ingest.detect import detect, read_sample
from ingest.readers import youtube_data_api

FIXTURES = Path(__file__).parents[1] / "fixtures"
SAMPLES = FIXTURES / "youtube_data_api"


def read_one(path: Path):
    (result,) = list(youtube_data_api.read(path))
    assert result.rows_read == result.rows_accepted + result.rows_quarantined
    return result


def by_id(frame: pl.DataFrame, interaction_id: str) -> dict:
    (row,) = frame.filter(pl.col("interaction_id") == interaction_id).to_dicts()
    return row


def load(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text())


def write(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / "response.json"
    path.write_text(json.dumps(document))
    return path


def test_claims_every_youtube_sample():
    samples = sorted(SAMPLES.glob("*.json"))
    assert len(samples) == 12
    assert all(youtube_data_api.sniff(read_sample(path)) for path in samples)


def test_rejects_every_other_export():
    others = [path for path in FIXTURES.rglob("*") if path.is_file() and path.name != "SOURCE.txt"]
    others = [path for path in others if SAMPLES not in path.parents]
    claimed = [path.relative_to(FIXTURES) for path in others if youtube_data_api.sniff(read_sample(path))]
    assert claimed == []


def test_comment_threads_page_gives_top_level_comments_on_the_video():
    result = read_one(SAMPLES / "comment_threads_by_video_paged_1.json")
    comments = result.frames["interactions"]
    assert (result.rows_read, result.rows_accepted) == (5, 5)
    assert set(comments["interaction_type"]) == {"comment"}
    assert set(comments["parent_id"]) == set(comments["conversation_id"]) == {"F1UP7wRCPH8"}
    comment = by_id(comments, "UgwI_ylXVnzPS8Q-oAV4AaABAg")
    assert comment["author_id"] == "UCACHW4qVHoE4zqhHxcVE3Kw" and comment["author_name"] == "matrix uduma"
    assert comment["reply_count"] == 2  # totalReplyCount of the thread
    assert comment["created_at"] == datetime(2019, 11, 14, 23, 31, 33, tzinfo=UTC)
    assert comment["url"] == "https://www.youtube.com/watch?v=F1UP7wRCPH8&lc=UgwI_ylXVnzPS8Q-oAV4AaABAg"
    # textOriginal, not the HTML textDisplay
    assert by_id(comments, "UgyZ1jqkHKYvi1-ruOZ4AaABAg")["text"] == "Google.com"
    assert result.frames["people"].height == 5


def test_inline_replies_of_a_thread_are_replies_to_its_top_comment(tmp_path):
    threads = load("comment_threads_all_to_me.json")
    replies = load("comments_by_parent_paged_1.json")["items"]  # the replies to the thread Ugw5zYU6n9pmIgAZWvN4AaABAg
    threads["items"][1]["replies"] = {"comments": replies}
    result = read_one(write(tmp_path, threads))
    rows = result.frames["interactions"]
    assert (result.rows_read, result.rows_accepted) == (6, 6)
    assert rows["interaction_type"].to_list() == ["comment", "comment", "reply", "reply", "comment", "comment"]
    reply = by_id(rows, "Ugw5zYU6n9pmIgAZWvN4AaABAg.91zT3cYb5B291za6voUoRh")
    assert reply["parent_id"] == "Ugw5zYU6n9pmIgAZWvN4AaABAg"
    assert reply["conversation_id"] == "JE8xdDp5B8Q"  # the thread's video
    assert reply["in_reply_to_author_id"] == "UCNvMBmCASzTNNX8lW3JRMbw"
    assert reply["_source_line"] == 3


def test_channel_discussion_comments_hang_under_the_channel():
    comments = read_one(SAMPLES / "comment_threads_by_channel.json").frames["interactions"]
    assert set(comments["parent_id"]) == {"UC_x5XG1OV2P6uZZ5FSM9Ttw"}
    assert comments["conversation_id"].null_count() == 2


def test_comments_list_with_parent_ids_are_replies():
    replies = read_one(SAMPLES / "comments_by_parent_paged_1.json").frames["interactions"]
    assert set(replies["interaction_type"]) == {"reply"}
    assert replies["text"].to_list() == ["this is the third reply!", "this is the second reply!"]


def test_a_single_resource_response_is_one_record():
    (reply,) = read_one(SAMPLES / "insert_response.json").frames["interactions"].to_dicts()
    assert reply["interaction_id"] == "Ugy_CAftKrIUCyPr9GR4AaABAg.9iPXEClD9lW9iPXLqKy_Pt"
    assert (reply["interaction_type"], reply["parent_id"]) == ("reply", "Ugy_CAftKrIUCyPr9GR4AaABAg")
    assert reply["created_at"] == datetime(2022, 11, 14, 10, 23, 2, tzinfo=UTC)


def test_an_edited_comment_is_a_later_version(tmp_path):
    response = load("comments_single.json")
    response["items"][0]["snippet"]["updatedAt"] = "2019-06-24T00:00:00.000Z"
    (comment,) = read_one(write(tmp_path, response)).frames["interactions"].to_dicts()
    assert comment["record_version"] == int(datetime(2019, 6, 24, tzinfo=UTC).timestamp())
    assert comment["created_at"] == datetime(2019, 6, 23, 2, 49, tzinfo=UTC)


def test_videos_are_owned_posts_with_their_statistics(tmp_path):
    plain = read_one(SAMPLES / "videos_chart_paged_1.json")
    posts = plain.frames["interactions"]
    assert posts.height == 5 and set(posts["interaction_type"]) == {"post"}
    video = by_id(posts, "hDeuSfo_Ys0")
    assert video["author_id"] == "UCWwWOFsW68TqXE-HZLC3WIA" and video["author_name"] == "The ACE Family"
    assert video["text"].startswith("GIDDY UP ( OFFICIAL MUSIC VIDEO )\n\nDownload")
    assert "content_metrics" not in plain.frames  # the chart request asked for no statistics

    response = load("videos_chart_paged_1.json")
    response["items"][0]["statistics"] = {"viewCount": "1024", "likeCount": "77", "commentCount": "12"}
    result = read_one(write(tmp_path, response))
    assert result.frames["content_metrics"].select(
        "account_id", "content_id", "date", "likes", "comments", "video_views"
    ).rows() == [("UCWwWOFsW68TqXE-HZLC3WIA", "hDeuSfo_Ys0", None, 77, 12, 1024)]
    video = by_id(result.frames["interactions"], "hDeuSfo_Ys0")
    assert (video["like_count"], video["reply_count"]) == (77, 12)


def test_a_channel_is_a_person_and_a_follower_count_on_the_day_the_file_was_written(tmp_path):
    path = tmp_path / "channel.json"
    path.write_bytes((SAMPLES / "channel_info_single.json").read_bytes())
    written = datetime(2024, 3, 1, 12, 0, tzinfo=UTC).timestamp()
    os.utime(path, (written, written))
    result = read_one(path)
    assert result.frames["people"].select("person_id", "handle", "display_name", "followers_count").rows() == [
        ("UC_x5XG1OV2P6uZZ5FSM9Ttw", "googledevelopers", "Google Developers", 1927873)
    ]
    assert result.frames["account_metrics"].select("account_id", "date", "followers").rows() == [
        ("UC_x5XG1OV2P6uZZ5FSM9Ttw", date(2024, 3, 1), 1927873)
    ]


def test_unread_kinds_and_broken_resources_are_quarantined(tmp_path):
    response = load("comments_multi.json")
    response["items"][0]["kind"] = "youtube#playlistItem"
    del response["items"][1]["snippet"]["publishedAt"]
    result = read_one(write(tmp_path, response))
    assert (result.rows_read, result.rows_accepted) == (2, 0)
    assert [entry[:2] for entry in result.quarantine] == [
        (
            "$.items[0]",
            "resource kind is not read (comment threads, comments, videos, channels)",
        ),
        ("$.items[1]", "publishedAt missing"),
    ]


@pytest.mark.parametrize(
    "name", ["comment_thread_single.json", "videos_chart_paged_1.json", "channel_info_single.json"]
)
def test_the_registry_detects_the_samples_whatever_their_name(tmp_path, name):
    renamed = tmp_path / "export.dat"
    renamed.write_bytes((SAMPLES / name).read_bytes())
    fmt = detect(renamed)
    assert fmt is not None and fmt.name == "youtube_data_api"
