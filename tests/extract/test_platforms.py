"""YouTube, Reddit and Bluesky extractors against a local server replaying recorded responses: every page to the end,
what was landed ingested into rows, and a second run that lands nothing new."""

from __future__ import annotations

import base64
import time

from werkzeug import Request, Response

from extract.config import Account
from extract.landing import EXTRACT_FOLDER
from extract.run import run_extractor
from ingest.pipeline import ingest_paths
from ingest.warehouse import ensure_raw_schema
from tests.support.api_replay import RUN_AT, fixture_json, make_setup


def landed_files(tmp_path) -> list:
    return sorted(path for path in (tmp_path / "landing" / EXTRACT_FOLDER).rglob("*.json") if path.is_file())


def ingest_landed(tmp_path, con) -> dict[str, int]:
    ensure_raw_schema(con)
    reports = ingest_paths([tmp_path / "landing"], landing_root=tmp_path / "landing", con=con, batch_id="t")
    assert all(report.status == "loaded" and report.rows_quarantined == 0 for report in reports), reports
    return {
        table: con.execute(f"select count(*) from raw.{table}").fetchone()[0]
        for table in ("interactions", "people", "content_metrics", "account_metrics")
    }


def run(httpserver, tmp_path, platform, accounts, environ, settings=None, pause=time.sleep, **config):
    setup = make_setup(httpserver, {platform: settings or {}}, accounts, environ, **config)
    landing = tmp_path / "landing"
    return run_extractor(setup, platform, landing_dir=landing, now=RUN_AT, log=lambda _: None, pause=pause)


# ------------------------------------------------------------------------------------------------ YouTube

CHANNEL = "UC_x5XG1OV2P6uZZ5FSM9Ttw"
YOUTUBE_KEY = {"ROR_YOUTUBE_API_KEY": "recorded-key"}


def youtube_api(replay) -> None:
    channel = fixture_json("youtube_data_api/channel_info_single.json")
    channel["items"][0]["contentDetails"] = {"relatedPlaylists": {"uploads": "UU_x5XG1OV2P6uZZ5FSM9Ttw"}}
    replay.routes["/youtube/channels"] = {None: channel}
    videos = fixture_json("youtube_data_api/videos_chart_paged_1.json")
    videos.pop("nextPageToken")
    replay.routes["/youtube/videos"] = {None: videos}
    # the uploads playlist, pointing at the recorded videos (playlistItems pages are not landed, only followed)
    uploads = {
        "kind": "youtube#playlistItemListResponse",
        "items": [
            {"contentDetails": {"videoId": video["id"], "videoPublishedAt": video["snippet"]["publishedAt"]}}
            for video in videos["items"]
        ],
    }
    replay.routes["/youtube/playlistItems"] = {None: uploads}
    last = fixture_json("youtube_data_api/comment_threads_by_video_paged_1.json")
    last.pop("nextPageToken")
    replay.pages(
        "/youtube/commentThreads",
        [fixture_json("youtube_data_api/comment_threads_all_to_me.json"), last],
        "pageToken",
        lambda page, token: page.__setitem__("nextPageToken", token),
    )
    replies = fixture_json("youtube_data_api/comments_by_parent_paged_1.json")
    replies.pop("nextPageToken")
    replay.routes["/youtube/comments"] = {None: replies}


def test_youtube_lands_channel_videos_and_every_comment_thread_page(httpserver, replay, tmp_path, working_db):
    youtube_api(replay)
    accounts = [Account("acme", "youtube", CHANNEL, None)]
    report = run(httpserver, tmp_path, "youtube", accounts, YOUTUBE_KEY, {"video_window_days": 4000})

    assert report.status == "ok", report.message
    assert [args.get("pageToken") for args in replay.requests_to("/youtube/commentThreads")] == [None, "page2"]
    assert replay.requests_to("/youtube/commentThreads")[0]["allThreadsRelatedToChannelId"] == CHANNEL
    # two threads have more replies than they carry inline: their replies are listed with comments.list
    assert [args["parentId"] for args in replay.requests_to("/youtube/comments")] == [
        "UgwSRpgkjCe6OHHe3IJ4AaABAg",
        "UgwI_ylXVnzPS8Q-oAV4AaABAg",
    ]
    assert all(headers.get("X-Goog-Api-Key") == "recorded-key" for _, _, headers in replay.seen)
    assert all("key" not in args for _, args, _ in replay.seen)
    rows = ingest_landed(tmp_path, working_db)
    # 9 threads, 2 listed replies, 5 videos (the recorded videos page has no statistics part: no content_metrics)
    assert rows["interactions"] >= 9 + 2 + 5 and rows["account_metrics"] == 1

    replay.seen.clear()
    second = run(httpserver, tmp_path, "youtube", accounts, YOUTUBE_KEY, {"video_window_days": 4000})
    assert second.status == "ok" and second.pages_landed == 0
    assert [args.get("pageToken") for args in replay.requests_to("/youtube/commentThreads")] == [None]
    assert replay.requests_to("/youtube/comments") == []


def test_youtube_without_a_key_is_skipped_naming_the_variable(httpserver, replay, tmp_path):
    report = run(httpserver, tmp_path, "youtube", [Account("acme", "youtube", CHANNEL, None)], {})
    assert report.status == "skipped" and "ROR_YOUTUBE_API_KEY" in report.message and replay.seen == []


# ------------------------------------------------------------------------------------------------ Reddit

REDDIT_SECRETS = {"ROR_REDDIT_CLIENT_ID": "app-id", "ROR_REDDIT_CLIENT_SECRET": "app-secret"}


def reddit_api(replay) -> None:
    def token(request: Request) -> Response:
        expected = "Basic " + base64.b64encode(b"app-id:app-secret").decode()
        named = request.headers.get("User-Agent", "").startswith("ror-warehouse/")  # Reddit throttles anonymous agents
        if request.method != "POST" or request.headers.get("Authorization") != expected or not named:
            return Response('{"error": "invalid_grant"}', status=401, content_type="application/json")
        return Response('{"access_token": "reddit-token", "expires_in": 3600}', content_type="application/json")

    replay.handlers["/reddit-token"] = token
    first_tree = fixture_json("reddit/TestSubmission.test_comments.resp1.json")
    second_tree = fixture_json("reddit/TestCommentForest.test_replace__all.resp1.json")
    # the subreddit's new posts: the submissions of the recorded comment trees, newest first
    replay.pages(
        "/reddit/r/acme/new",
        [second_tree[0], first_tree[0]],
        "after",
        lambda page, token: page["data"].__setitem__("after", token),
    )
    replay.routes["/reddit/comments/2gmzqe"] = {None: first_tree}
    replay.routes["/reddit/comments/3hahrw"] = {None: second_tree}
    replay.routes["/reddit/api/morechildren"] = {
        None: fixture_json("reddit/TestCommentForest.test_replace__all.resp2.json")
    }


def test_reddit_lands_listings_comment_trees_and_folded_comments(httpserver, replay, tmp_path, working_db):
    reddit_api(replay)
    settings = {"subreddits": ["acme"]}
    report = run(httpserver, tmp_path, "reddit", [], REDDIT_SECRETS, settings)

    assert report.status == "ok", report.message
    assert [args.get("after") for args in replay.requests_to("/reddit/r/acme/new")] == [None, "page2"]
    assert len(replay.requests_to("/reddit/api/morechildren")) == 1
    assert replay.requests_to("/reddit/api/morechildren")[0]["link_id"] == "t3_3hahrw"
    assert all(
        headers.get("Authorization") == "Bearer reddit-token"
        for path, _, headers in replay.seen
        if path != "/reddit-token"
    )
    rows = ingest_landed(tmp_path, working_db)
    assert rows["interactions"] >= 2 + 476 + 11

    replay.seen.clear()
    second = run(httpserver, tmp_path, "reddit", [], REDDIT_SECRETS, settings)
    assert second.status == "ok" and second.pages_landed == 0
    assert [args.get("after") for args in replay.requests_to("/reddit/r/acme/new")] == [None]
    assert replay.requests_to("/reddit/comments/3hahrw") == []


def test_reddit_refused_app_credentials_name_both_variables(httpserver, replay, tmp_path):
    reddit_api(replay)
    secrets = {"ROR_REDDIT_CLIENT_ID": "app-id", "ROR_REDDIT_CLIENT_SECRET": "revoked"}
    report = run(httpserver, tmp_path, "reddit", [], secrets, {"subreddits": ["acme"]})

    assert report.status == "failed"
    assert "ROR_REDDIT_CLIENT_ID" in report.message and "ROR_REDDIT_CLIENT_SECRET" in report.message
    assert "revoked" not in report.message


# ------------------------------------------------------------------------------------------------ Bluesky

HANDLE = "test.marshal.dev"


def bluesky_api(replay) -> None:
    thread = fixture_json("bluesky/thread_view_post_with_embed_media.json")
    post = thread["thread"]["post"]
    replay.pages(
        "/bluesky/app.bsky.feed.getAuthorFeed",
        [{"feed": [{"post": post}]}, {"feed": []}],
        "cursor",
        lambda page, token: page.__setitem__("cursor", token),
    )
    replay.routes["/bluesky/app.bsky.feed.searchPosts"] = {None: {"posts": [post]}}
    replay.routes["/bluesky/app.bsky.feed.getPostThread"] = {None: thread}


def test_bluesky_needs_no_credentials_and_lands_threads(httpserver, replay, tmp_path, working_db):
    bluesky_api(replay)
    accounts = [Account("acme", "bluesky", None, HANDLE)]
    report = run(httpserver, tmp_path, "bluesky", accounts, {})

    assert report.status == "ok", report.message
    assert [args.get("cursor") for args in replay.requests_to("/bluesky/app.bsky.feed.getAuthorFeed")] == [
        None,
        "page2",
    ]
    assert replay.requests_to("/bluesky/app.bsky.feed.searchPosts")[0]["mentions"] == HANDLE
    assert len(replay.requests_to("/bluesky/app.bsky.feed.getPostThread")) == 2  # the post, and the mention
    assert len(landed_files(tmp_path)) == 1  # the same thread twice lands once
    rows = ingest_landed(tmp_path, working_db)
    assert rows["interactions"] >= 1 and rows["people"] >= 1

    replay.seen.clear()
    second = run(httpserver, tmp_path, "bluesky", accounts, {})
    assert second.status == "ok" and second.pages_landed == 0
    assert replay.requests_to("/bluesky/app.bsky.feed.getPostThread") == []
    assert replay.requests_to("/bluesky/app.bsky.feed.searchPosts")[0]["since"] == "2026-11-01T00:00:00Z"


def test_bluesky_post_search_refused_skips_mentions_and_keeps_the_threads(httpserver, replay, tmp_path):
    bluesky_api(replay)
    replay.fail("/bluesky/app.bsky.feed.searchPosts", 403)
    report = run(httpserver, tmp_path, "bluesky", [Account("acme", "bluesky", None, HANDLE)], {})

    assert report.status == "ok" and "mentions" in report.message and "search_mentions" in report.message
    assert len(landed_files(tmp_path)) == 1
