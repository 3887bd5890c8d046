"""Facebook Graph API reader, on the captured responses in tests/fixtures/facebook_graph (pyfacebook test data)."""

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import polars as pl
import pytest

from ingest.detect import detect, read_sample
from ingest.readers import facebook_graph

FIXTURES = Path(__file__).parents[1] / "fixtures"
SAMPLES = FIXTURES / "facebook_graph"


def read_one(path: Path):
    (result,) = list(facebook_graph.read(path))
    assert result.rows_read == result.rows_accepted + result.rows_quarantined
    return result


def write(tmp_path: Path, document) -> Path:
    path = tmp_path / "response.json"
    path.write_text(json.dumps(document))
    return path


def by_id(frame: pl.DataFrame, interaction_id: str) -> dict:
    (row,) = frame.filter(pl.col("interaction_id") == interaction_id).to_dicts()
    return row


def test_claims_every_facebook_graph_sample():
    samples = sorted(SAMPLES.glob("*.json"))
    assert len(samples) == 12
    assert all(facebook_graph.sniff(read_sample(path)) for path in samples)


def test_rejects_every_other_export():
    others = [path for path in FIXTURES.rglob("*") if path.is_file() and path.name != "SOURCE.txt"]
    others = [path for path in others if SAMPLES not in path.parents]
    assert len(others) > 50
    claimed = [path.relative_to(FIXTURES) for path in others if facebook_graph.sniff(read_sample(path))]
    assert claimed == []


def test_feed_posts_carry_reaction_comment_and_share_summaries():
    result = read_one(SAMPLES / "posts_feeds_default_fields_p1.json")
    posts = result.frames["interactions"]
    assert (result.rows_read, result.rows_accepted, result.rows_quarantined) == (5, 5, 0)
    assert posts["_source_line"].to_list() == [1, 2, 3, 4, 5]
    post = by_id(posts, "19292868552_10158349356748553")
    assert post["interaction_type"] == "post"
    assert post["author_id"] == "19292868552"  # the page, from the post id
    assert post["created_at"] == datetime(2021, 7, 9, 19, 9, 52, tzinfo=UTC)
    assert (post["like_count"], post["reply_count"], post["share_count"]) == (125, 13, 10)
    assert post["conversation_id"] == post["interaction_id"]
    assert post["url"] == "https://www.facebook.com/19292868552/posts/10158349356748553/"
    assert post["text"].startswith("Singaporean logistics company")


def test_post_mentions_come_from_the_message():
    posts = read_one(SAMPLES / "posts_feed_fields_p1.json").frames["interactions"]
    assert by_id(posts, "4_10113332572050531")["mentioned_handles"] == ["adam.the.creator"]
    assert by_id(posts, "4_10113332572050531")["author_id"] == "4"


def test_post_links_come_from_the_attachments_without_facebooks_redirect():
    posts = read_one(SAMPLES / "posts_feeds_default_fields_p1.json").frames["interactions"]
    shared = by_id(posts, "19292868552_10158347294088553")  # a shared article: url goes through l.facebook.com
    assert shared["link_urls"] == [
        "https://engineering.fb.com/2021/05/20/networking-traffic/peering-automation/?utm_source=social-facebook"
        "&utm_medium=fb4d&utm_campaign=organic&utm_content=post-url&utm_offering=engineering"
        "&utm_product=Peering-automation-at-Facebook_07082021&eventSource=OrganicSocialFB4D&content_id=Py4ExKngmEFlnJN"
    ]
    photo = by_id(posts, "19292868552_10158349356748553")
    assert photo["link_urls"] == [
        "https://www.facebook.com/FacebookforDevelopers/photos/a.441861428552/10158349355013553/?type=3"
    ]
    # a response that did not ask for link or attachments says nothing about links: unknown, not "none"
    unasked = read_one(SAMPLES / "posts_feed_fields_p1.json").frames["interactions"]
    assert by_id(unasked, "4_10113332572050531")["link_urls"] is None


def test_post_links_read_the_link_field_and_unwrap_redirects_in_sub_attachments(tmp_path):
    target = "https://shop.example/mugs?utm_source=facebook&utm_campaign=mugs"
    shim = "https://l.facebook.com/l.php?u=" + quote(target, safe="") + "&h=AT0"
    post = {
        "id": "1_2",
        "created_time": "2026-03-02T15:00:00+0000",
        "message": "New mugs",
        "link": "https://shop.example/",
        "attachments": {"data": [{"type": "album", "subattachments": {"data": [{"url": shim}, {"url": shim}]}}]},
    }
    without_links = {**post, "id": "1_3", "link": None, "attachments": {"data": []}}
    posts = read_one(write(tmp_path, {"data": [post, without_links]})).frames["interactions"]
    assert by_id(posts, "1_2")["link_urls"] == ["https://shop.example/", target]
    assert by_id(posts, "1_3")["link_urls"] == []


def test_batch_keyed_by_id_reads_each_post():
    result = read_one(SAMPLES / "posts_multi_posts_data_fields.json")
    ids = result.frames["interactions"]["interaction_id"].to_list()
    assert ids == ["19292868552_10158347294088553", "19292868552_10158345715593553"]


def test_comments_and_replies_are_linked_through_the_permalink():
    result = read_one(SAMPLES / "comments_comments_p1.json")
    comments = result.frames["interactions"]
    assert result.rows_read == 10 and result.rows_quarantined == 0
    assert comments["interaction_type"].value_counts().sort("interaction_type").rows() == [("comment", 6), ("reply", 4)]
    assert set(comments["conversation_id"]) == {"19292868552_10158407654328553"}
    top = by_id(comments, "10158407654328553_10158407903973553")
    assert (top["interaction_type"], top["parent_id"], top["reply_count"]) == (
        "comment",
        "19292868552_10158407654328553",
        2,
    )
    reply = by_id(comments, "10158407654328553_10158409983033553")
    assert reply["interaction_type"] == "reply"
    assert reply["parent_id"] == "10158407654328553_10158407903973553"
    assert reply["created_at"] == datetime(2021, 8, 11, 23, 22, 14, tzinfo=UTC)


def test_nested_comments_hang_under_their_post_and_comment(tmp_path):
    post = json.loads((SAMPLES / "posts_single_post_data_fields.json").read_text())
    post["id"] = "19292868552_10158371815748553"  # the post the sample comments belong to
    comments = list(json.loads((SAMPLES / "comments_comments_info.json").read_text()).values())
    first, second = (
        {**comment, "from": {"id": f"77{index}", "name": f"Fan {index}"}} for index, comment in enumerate(comments)
    )
    post["comments"] = {"data": [{**first, "comments": {"data": [second]}}]}
    path = tmp_path / "post_with_comments.json"
    path.write_text(json.dumps(post))

    result = read_one(path)
    rows = result.frames["interactions"]
    assert result.rows_read == 3
    assert rows["interaction_type"].to_list() == ["post", "comment", "reply"]
    comment, reply = by_id(rows, first["id"]), by_id(rows, second["id"])
    assert comment["parent_id"] == comment["conversation_id"] == "19292868552_10158371815748553"
    assert reply["parent_id"] == first["id"] and reply["in_reply_to_author_id"] == "770"
    people = result.frames["people"]
    assert sorted(people["person_id"]) == ["770", "771"]
    assert people.filter(pl.col("person_id") == "771")["display_name"].item() == "Fan 1"


def test_comments_of_a_quarantined_post_are_still_read(tmp_path):
    post = json.loads((SAMPLES / "posts_single_post_data_fields.json").read_text())
    post["id"] = "19292868552_10158371815748553"
    del post["created_time"]
    post["comments"] = {"data": list(json.loads((SAMPLES / "comments_comments_info.json").read_text()).values())}
    result = read_one(write(tmp_path, post))
    assert (result.rows_read, result.rows_accepted) == (3, 2)
    assert result.quarantine[0][:2] == ("$", "created_time missing")
    comments = result.frames["interactions"]
    assert set(comments["parent_id"]) == {"19292868552_10158371815748553"}
    assert comments["_source_line"].to_list() == [2, 3]


def test_messenger_messages_keep_author_but_not_email():
    result = read_one(SAMPLES / "messages_messages_info.json")
    messages = result.frames["interactions"]
    assert messages["interaction_type"].to_list() == ["message", "message"]
    assert set(messages["author_id"]) == {"2711636948859886"}
    assert set(messages["in_reply_to_author_id"]) == {"2121008874780932"}
    assert messages["created_at"][0] == datetime(2021, 7, 23, 9, 50, 48, tzinfo=UTC)
    assert messages["text"].null_count() == 2  # attachments only
    assert result.frames["people"].select("person_id", "display_name").rows() == [("2711636948859886", "Kun Liu")]
    everything = json.dumps([frame.to_dicts() for frame in result.frames.values()], default=str)
    assert "@facebook.com" not in everything


def test_conversation_with_messages_gives_each_message_its_thread(tmp_path):
    messages = list(json.loads((SAMPLES / "messages_messages_info.json").read_text()).values())
    document = {"data": [{"id": "t_587956915396498", "messages": {"data": messages}}]}
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps(document))
    result = read_one(path)
    assert result.rows_read == 2
    assert set(result.frames["interactions"]["conversation_id"]) == {"t_587956915396498"}


def test_conversation_summaries_without_messages_are_quarantined_not_dropped():
    result = read_one(SAMPLES / "conversations_cvses_info.json")
    assert (result.rows_read, result.rows_accepted) == (2, 0)
    locator, reason, raw = result.quarantine[0]
    assert locator == '$["t_587956915396498"]'
    assert "without messages" in reason and '"snippet": "hello"' in raw


def test_page_object_is_a_person():
    people = read_one(SAMPLES / "pages_single_fields_page.json").frames["people"]
    assert people.select("person_id", "handle", "display_name", "followers_count").rows() == [
        ("20531316728", "facebookapp", "Facebook", 214507731)
    ]


def test_a_post_without_created_time_is_quarantined_with_its_path(tmp_path):
    document = json.loads((SAMPLES / "posts_feed_fields_p1.json").read_text())
    del document["data"][1]["created_time"]
    document["data"].append("not an object")
    path = tmp_path / "posts.json"
    path.write_text(json.dumps(document))
    result = read_one(path)
    assert (result.rows_read, result.rows_accepted) == (6, 4)
    assert [entry[:2] for entry in result.quarantine] == [
        ("$.data[1]", "created_time missing"),
        ("$.data[5]", "record is not a JSON object"),
    ]
    assert result.frames["interactions"]["_source_line"].to_list() == [1, 3, 4, 5]


def test_a_truncated_document_is_one_quarantined_record(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text((SAMPLES / "posts_feed_fields_p1.json").read_text()[:300])
    assert facebook_graph.sniff(read_sample(path))  # the start still looks like a feed page
    result = read_one(path)
    assert (result.rows_read, result.rows_quarantined) == (1, 1)
    assert result.quarantine[0][1].startswith("malformed JSON")


@pytest.mark.parametrize(
    "ads_record", [{"id": "1", "created_time": "2021-01-01T00:00:00+0000", "objective": "LINK_CLICKS", "name": "c"}]
)
def test_marketing_api_objects_are_not_page_posts(tmp_path, ads_record):
    path = tmp_path / "campaigns.json"
    path.write_text(json.dumps({"data": [ads_record]}))
    assert not facebook_graph.sniff(read_sample(path))


@pytest.mark.parametrize(
    "name", ["posts_feeds_default_fields_p1.json", "comments_comments_p2.json", "messages_messages_info.json"]
)
def test_the_registry_detects_the_samples_whatever_their_name(tmp_path, name):
    renamed = tmp_path / "export.dat"
    renamed.write_bytes((SAMPLES / name).read_bytes())
    fmt = detect(renamed)
    assert fmt is not None and fmt.name == "facebook_graph"
