"""Reddit API reader, on the responses recorded in PRAW's test cassettes (tests/fixtures/reddit)."""

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from ingest.detect import detect, read_sample
from ingest.readers import reddit

FIXTURES = Path(__file__).parents[1] / "fixtures"
SAMPLES = FIXTURES / "reddit"
TREE = SAMPLES / "TestCommentForest.test_replace__all.resp1.json"  # 846 KB: the one sample with "more" stubs


def read_one(path: Path):
    (result,) = list(reddit.read(path))
    assert result.rows_read == result.rows_accepted + result.rows_quarantined
    return result


def by_id(frame: pl.DataFrame, interaction_id: str) -> dict:
    (row,) = frame.filter(pl.col("interaction_id") == interaction_id).to_dicts()
    return row


def test_claims_every_reddit_sample_even_past_the_sniffing_window():
    samples = sorted(SAMPLES.glob("*.json"))
    assert len(samples) == 4
    assert TREE.stat().st_size > 64 * 1024  # the sniffer sees only the start of this one
    assert all(reddit.sniff(read_sample(path)) for path in samples)


def test_rejects_every_other_export():
    others = [path for path in FIXTURES.rglob("*") if path.is_file() and path.name != "SOURCE.txt"]
    others = [path for path in others if SAMPLES not in path.parents]
    claimed = [path.relative_to(FIXTURES) for path in others if reddit.sniff(read_sample(path))]
    assert claimed == []


def test_submission_with_comment_tree():
    result = read_one(SAMPLES / "TestSubmission.test_comments.resp1.json")
    rows = result.frames["interactions"]
    assert (result.rows_read, result.rows_accepted) == (3, 3)
    assert rows.select("interaction_id", "interaction_type", "parent_id", "conversation_id").rows() == [
        ("t3_2gmzqe", "post", None, "t3_2gmzqe"),
        ("t1_cklfmye", "comment", "t3_2gmzqe", "t3_2gmzqe"),
        ("t1_cklhv0f", "reply", "t1_cklfmye", "t3_2gmzqe"),
    ]
    post = by_id(rows, "t3_2gmzqe")
    assert post["created_at"] == datetime(2014, 9, 17, 6, 34, 31, tzinfo=UTC)  # created_utc 1410935671
    assert post["text"].startswith("[PRAW] HTTPS enabled PRAW testing needed\n\nPRAW client developers,")
    assert (post["author_id"], post["like_count"], post["reply_count"]) == ("bboe", 11, 2)
    reply = by_id(rows, "t1_cklhv0f")
    assert reply["in_reply_to_author_id"] == "paneer_burrito"
    assert reply["url"] == (
        "https://www.reddit.com/r/redditdev/comments/2gmzqe/praw_https_enabled_praw_testing_needed/cklhv0f/"
    )
    assert sorted(result.frames["people"]["person_id"]) == ["bboe", "paneer_burrito"]


def test_a_deep_tree_is_walked_and_more_stubs_are_not_records():
    document = json.loads(TREE.read_text())
    stubs = []

    def count_stubs(things):
        for thing in things:
            if thing["kind"] == "more":
                stubs.append(thing)
            elif thing["data"].get("replies"):
                count_stubs(thing["data"]["replies"]["data"]["children"])

    for listing in document:
        count_stubs(listing["data"]["children"])
    assert len(stubs) == 18

    result = read_one(TREE)
    rows = result.frames["interactions"]
    assert (result.rows_read, result.rows_accepted) == (477, 477)  # 1 submission + 476 comments, no stubs
    assert rows["interaction_type"].value_counts().sort("interaction_type").rows() == [
        ("comment", 137),
        ("post", 1),
        ("reply", 339),
    ]
    assert rows["_source_line"].to_list() == list(range(1, 478))
    assert set(rows.filter(pl.col("interaction_type") != "post")["conversation_id"]) == {"t3_3hahrw"}


def test_deleted_authors_and_bodies_are_null():
    rows = read_one(TREE).frames["interactions"]
    assert rows["author_id"].null_count() == 16
    kept_text = by_id(rows, "t1_cu5v4e7")  # the account is gone, the words stay
    assert kept_text["author_id"] is None and kept_text["text"].startswith("That lady recording")
    assert rows["text"].null_count() == 6  # "[deleted]" / "[removed]" bodies


def test_edited_comments_are_later_versions():
    rows = read_one(TREE).frames["interactions"]
    edited = by_id(rows, "t1_cu5uinp")
    assert edited["record_version"] == 1439843340  # the "edited" epoch
    assert rows.filter(pl.col("record_version") > 0).height == 10


def test_morechildren_things_link_into_the_tree():
    result = read_one(SAMPLES / "TestCommentForest.test_replace__all.resp2.json")
    rows = result.frames["interactions"]
    assert result.rows_read == 11 and set(rows["interaction_type"]) == {"reply"}
    first = by_id(rows, "t1_cu5pg2h")
    assert first["parent_id"] == "t1_cu5p1hh" and first["in_reply_to_author_id"] is None  # parent not in this file
    assert by_id(rows, "t1_cu5pjjs")["in_reply_to_author_id"] == "Nak4000"
    assert first["like_count"] == -142  # net votes
    assert first["created_at"] == datetime(2015, 8, 17, 8, 49, 24, tzinfo=UTC)


def test_user_mentions_are_handles():
    rows = read_one(TREE).frames["interactions"]
    mentioning = rows.filter(pl.col("mentioned_handles").list.len() > 0)
    assert ["your_local_librarian"] in mentioning["mentioned_handles"].to_list()


def test_unknown_things_and_missing_times_are_quarantined(tmp_path):
    document = json.loads((SAMPLES / "TestCommentForest.test_replace__all.resp3.json").read_text())
    things = document["json"]["data"]["things"]
    things[0] = {"kind": "t5", "data": {"id": "2qh33"}}
    del things[1]["data"]["created_utc"]
    path = tmp_path / "more.json"
    path.write_text(json.dumps(document))
    result = read_one(path)
    assert (result.rows_read, result.rows_accepted) == (12, 10)
    assert [entry[:2] for entry in result.quarantine] == [
        ("$.json.data.things[0]", "thing kind is not read (submissions t3 and comments t1)"),
        ("$.json.data.things[1]", "created_utc missing"),
    ]


def test_replies_of_a_quarantined_comment_are_still_read(tmp_path):
    document = json.loads((SAMPLES / "TestSubmission.test_comments.resp1.json").read_text())
    comment = document[1]["data"]["children"][0]
    del comment["data"]["created_utc"]
    path = tmp_path / "tree.json"
    path.write_text(json.dumps(document))
    result = read_one(path)
    assert (result.rows_read, result.rows_accepted) == (3, 2)
    assert result.quarantine[0][:2] == ("$[1].data.children[0]", "created_utc missing")
    assert result.frames["interactions"]["interaction_id"].to_list() == ["t3_2gmzqe", "t1_cklhv0f"]


@pytest.mark.parametrize("name", [TREE.name, "TestCommentForest.test_replace__all.resp3.json"])
def test_the_registry_detects_the_samples_whatever_their_name(tmp_path, name):
    renamed = tmp_path / "export.dat"
    renamed.write_bytes((SAMPLES / name).read_bytes())
    fmt = detect(renamed)
    assert fmt is not None and fmt.name == "reddit_api"
