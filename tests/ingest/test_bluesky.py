"""Bluesky / AT Protocol reader, on the records and views in tests/fixtures/bluesky (MarshalX/atproto test data)."""

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from ingest.detect import detect, read_sample
from ingest.readers import bluesky

FIXTURES = Path(__file__).parents[1] / "fixtures"
SAMPLES = FIXTURES / "bluesky"
ACCOUNT = "did:plc:kvwvcn5iqfooopmyzvb4qzba"  # test.marshal.dev, the SDK's test account


def read_one(path: Path):
    (result,) = list(bluesky.read(path))
    assert result.rows_read == result.rows_accepted + result.rows_quarantined
    return result


def load(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text())


def write(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / "bluesky.json"
    path.write_text(json.dumps(document))
    return path


def test_claims_posts_likes_follows_and_threads_but_not_feed_generators():
    claimed = {path.name for path in SAMPLES.glob("*.json") if bluesky.sniff(read_sample(path))}
    assert claimed == {
        "post_record.json",
        "extended_post_record.json",
        "like_record.json",
        "get_follows.json",
        "thread_view_post_with_embed_media.json",
    }


def test_rejects_every_other_export():
    others = [path for path in FIXTURES.rglob("*") if path.is_file() and path.name != "SOURCE.txt"]
    others = [path for path in others if SAMPLES not in path.parents]
    claimed = [path.relative_to(FIXTURES) for path in others if bluesky.sniff(read_sample(path))]
    assert claimed == []


def test_post_record():
    (post,) = read_one(SAMPLES / "post_record.json").frames["interactions"].to_dicts()
    uri = f"at://{ACCOUNT}/app.bsky.feed.post/3k2yihcrp6f2c"
    assert (post["interaction_id"], post["interaction_type"], post["author_id"]) == (uri, "post", ACCOUNT)
    assert post["created_at"] == datetime(2024, 2, 22, 19, 58, 13, 903293, tzinfo=UTC)
    assert (post["text"], post["conversation_id"]) == ("new text114", uri)
    assert post["url"] == f"https://bsky.app/profile/{ACCOUNT}/post/3k2yihcrp6f2c"


def test_a_zone_less_created_at_is_dated_by_the_record_key():
    (post,) = read_one(SAMPLES / "extended_post_record.json").frames["interactions"].to_dicts()
    # createdAt "2023-07-21T01:33:51.481951" is the client's local time; the TID 3k2yinh52ne2x is UTC
    assert post["created_at"] == datetime(2023, 7, 20, 23, 38, 56, 65130, tzinfo=UTC)
    assert (post["text"], post["lang"]) == ("regress test", "en")


def test_like_record_is_a_reaction_to_its_subject():
    (like,) = read_one(SAMPLES / "like_record.json").frames["interactions"].to_dicts()
    assert like["interaction_type"] == "reaction"
    assert like["parent_id"] == f"at://{ACCOUNT}/app.bsky.feed.post/3k5u7c7eis72y"
    assert like["in_reply_to_author_id"] == ACCOUNT
    assert like["created_at"] == datetime(2023, 8, 26, 10, 56, 31, 229123, tzinfo=UTC)
    assert like["text"] is None and like["url"] is None


def test_reply_records_name_parent_and_root(tmp_path):
    record = load("post_record.json")
    parent = load("extended_post_record.json")
    record["value"]["reply"] = {
        "root": {"uri": parent["uri"], "cid": parent["cid"]},
        "parent": {"uri": parent["uri"], "cid": parent["cid"]},
    }
    listing = {"records": [record, load("like_record.json"), load("feed_record.json")], "cursor": "x"}
    result = read_one(write(tmp_path, listing))
    assert (result.rows_read, result.rows_accepted) == (3, 2)
    reply = result.frames["interactions"].row(0, named=True)
    assert (reply["interaction_type"], reply["parent_id"], reply["conversation_id"]) == (
        "reply",
        parent["uri"],
        parent["uri"],
    )
    assert result.quarantine[0][:2] == (
        "$.records[2]",
        "record type is not read (posts, likes, reposts, follows)",
    )


def test_get_follows_gives_dated_follows_and_people():
    result = read_one(SAMPLES / "get_follows.json")
    follows, people = result.frames["interactions"], result.frames["people"]
    assert (result.rows_read, result.rows_accepted) == (7, 7)  # the subject and six follows
    assert follows.height == 6 and set(follows["interaction_type"]) == {"follow"}
    assert set(follows["author_id"]) == {ACCOUNT}
    first = follows.row(0, named=True)
    assert first["interaction_id"] == f"at://{ACCOUNT}/app.bsky.graph.follow/3jueqtsliw22n"
    assert first["parent_id"] == "did:plc:vpkhqolt662uhesyj6nxm7ys"
    assert first["created_at"] == datetime(2023, 4, 27, 18, 41, 14, 800000, tzinfo=UTC)
    assert people.height == 7
    why = people.filter(pl.col("person_id") == "did:plc:vpkhqolt662uhesyj6nxm7ys").row(0, named=True)
    assert (why["handle"], why["display_name"]) == ("why.bsky.team", "Why")
    assert why["account_created_at"] == datetime(2022, 11, 17, 1, 4, 43, 624000, tzinfo=UTC)


def test_followers_of_the_account_follow_it(tmp_path):
    follows = load("get_follows.json")
    follower = copy.deepcopy(follows["follows"][5])  # marshal.dev, who also follows the account (viewer.followedBy)
    stranger = copy.deepcopy(follows["follows"][0])  # why.bsky.team: no follow record of theirs in the response
    document = {"followers": [follower, stranger], "subject": follows["subject"]}
    result = read_one(write(tmp_path, document))
    (follow,) = result.frames["interactions"].to_dicts()
    assert (follow["author_id"], follow["parent_id"]) == ("did:plc:s6jnht6koorxz7trghirytmf", ACCOUNT)
    assert follow["interaction_id"] == "at://did:plc:s6jnht6koorxz7trghirytmf/app.bsky.graph.follow/3jucc25a7qs2k"
    assert result.quarantine[0][:2] == (
        "$.followers[1]",
        "follow record not in the response (viewer is not the subject): no follow time",
    )


def test_thread_view_quote_post_with_counts():
    result = read_one(SAMPLES / "thread_view_post_with_embed_media.json")
    (post,) = result.frames["interactions"].to_dicts()
    assert post["interaction_type"] == "quote"  # it embeds another post (recordWithMedia)
    assert post["parent_id"] == f"at://{ACCOUNT}/app.bsky.feed.post/3kahesw26il2z"
    assert (post["author_handle"], post["author_name"]) == ("test.marshal.dev", "Python SDK")
    assert (post["like_count"], post["reply_count"], post["share_count"]) == (0, 0, 0)
    assert post["text"] is None  # an image with no words
    assert post["created_at"] == datetime(2023, 9, 28, 12, 49, 36, 735000, tzinfo=UTC)


def test_thread_replies_are_walked_recursively_and_placeholders_skipped(tmp_path):
    document = load("thread_view_post_with_embed_media.json")
    root = document["thread"]["post"]

    def reply_to(parent: dict, rkey: str, text: str) -> dict:
        post = copy.deepcopy(root)
        post["uri"] = f"at://did:plc:s6jnht6koorxz7trghirytmf/app.bsky.feed.post/{rkey}"
        post["author"] = {"did": "did:plc:s6jnht6koorxz7trghirytmf", "handle": "marshal.dev"}
        post["record"] = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": "2023-09-28T13:00:00.000Z",
            "reply": {"root": {"uri": root["uri"]}, "parent": {"uri": parent["uri"]}},
        }
        post["likeCount"] = 2
        return post

    first = reply_to(root, "3kahf000000a2", "nice @test.marshal.dev")
    second = reply_to(first, "3kahf000000b2", "agreed")
    document["thread"]["replies"] = [
        {"$type": "app.bsky.feed.defs#threadViewPost", "post": first, "replies": [{"post": second, "replies": []}]},
        {"$type": "app.bsky.feed.defs#notFoundPost", "uri": "at://x/app.bsky.feed.post/gone", "notFound": True},
    ]
    result = read_one(write(tmp_path, document))
    rows = result.frames["interactions"]
    assert result.rows_read == 3  # the placeholder is not a record
    assert rows["interaction_type"].to_list() == ["quote", "reply", "reply"]
    nested = rows.row(2, named=True)
    assert (nested["parent_id"], nested["conversation_id"]) == (first["uri"], root["uri"])
    assert nested["in_reply_to_author_id"] == "did:plc:s6jnht6koorxz7trghirytmf"
    assert rows.row(1, named=True)["mentioned_handles"] == ["test.marshal.dev"]
    assert sorted(result.frames["people"]["handle"]) == ["marshal.dev", "test.marshal.dev"]


@pytest.mark.parametrize("name", ["get_follows.json", "like_record.json", "thread_view_post_with_embed_media.json"])
def test_the_registry_detects_the_samples_whatever_their_name(tmp_path, name):
    renamed = tmp_path / "export.dat"
    renamed.write_bytes((SAMPLES / name).read_bytes())
    fmt = detect(renamed)
    assert fmt is not None and fmt.name == "bluesky_atproto"
