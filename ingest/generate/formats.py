"""A brand-day's items written in each platform's own export format, one segment at a time.

- X: twarc2 JSONL, one API v2 search page (100 tweets, newest first) per line, authors and referenced tweets in
  ``includes``;
- Facebook: Graph API page feed documents, each post with its comments nested (``comments.data``), replies nested
  under their comment, thread ids in ``permalink_url`` as Facebook writes them;
- Instagram: Graph API media documents with comments and ``replies`` nested;
- YouTube: a ``videos.list`` page for the day's videos and ``commentThreads.list`` pages with inline replies;
- Reddit: ``GET /comments/{id}`` answers (the submission Listing and its comment tree).

A post that receives comments in several segments or on the next day is written again, identically, so its record
lands once.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from ingest.demo.x_export import PAGE_SIZE, REQUEST_FIELDS, SEARCH_URL, TWARC_VERSION
from ingest.generate.conversation import Author, Item

GRAPH = "https://graph.facebook.com/v19.0"


# Items carry UTC times; isoformat is several times faster than strftime on millions of them.
def _seconds_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat()


def x_time(moment: datetime) -> str:
    """X's created_at: "2026-08-01T09:15:00.000Z"."""
    return _seconds_utc(moment) + ".000Z"


def _graph_time(moment: datetime) -> str:
    return _seconds_utc(moment) + "+0000"


def _iso_z(moment: datetime) -> str:
    return _seconds_utc(moment) + "Z"


def _by_parent(items: Iterable[Item]) -> dict[str, list[Item]]:
    children: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        if item.parent is not None:
            children[item.parent.item_id].append(item)
    return children


def _line(document: object) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


# ---------------------------------------------------------------------------------------------------------------- X


def _x_user(author: Author) -> dict:
    return {
        "created_at": x_time(author.created_at),
        "id": author.person_id,
        "name": author.name,
        "username": author.handle,
        "protected": False,
        "public_metrics": {
            "followers_count": author.followers,
            "following_count": author.followers // 3 + 40,
            "tweet_count": author.followers * 2 + 100,
            "listed_count": author.followers // 500,
        },
        "verified": author.role == "brand",
        "verified_type": "business" if author.role == "brand" else "none",
    }


def _x_tweet(item: Item) -> dict:
    parent = item.parent
    text = item.text
    if item.kind == "share" and parent is not None:
        text = f"RT @{parent.author.handle}: {(parent.text or '')[:100]}"
    record: dict = {
        "edit_history_tweet_ids": [item.item_id],
        "author_id": item.author.person_id,
        "conversation_id": item.root.item_id,
        "created_at": x_time(item.created_at),
        "id": item.item_id,
        "lang": "en",
        "public_metrics": {
            "retweet_count": 0,
            "reply_count": 0,
            "like_count": item.likes,
            "quote_count": 0,
            "impression_count": item.likes * 37 + 12,
        },
        "text": text,
    }
    mentions = [word[1:].rstrip(".,!?:") for word in (text or "").split() if word.startswith("@")]
    if mentions:
        record["entities"] = {"mentions": [{"username": handle} for handle in dict.fromkeys(mentions)]}
    if parent is not None:
        kind = {"share": "retweeted", "quote": "quoted"}.get(item.kind, "replied_to")
        record["referenced_tweets"] = [{"type": kind, "id": parent.item_id}]
        if kind == "replied_to":
            record["in_reply_to_user_id"] = parent.author.person_id
    record["reply_settings"] = "everyone"
    return record


def x_pages(items_newest_first: list[Item], handle: str, since: datetime, fetched: datetime, first_page: int) -> str:
    """twarc2 lines for the items (already newest first), numbered on from ``first_page``."""
    query = f"(@{handle} OR from:{handle} OR to:{handle})"
    params = [*REQUEST_FIELDS, ("max_results", str(PAGE_SIZE)), ("query", query), ("start_time", since.isoformat())]
    lines = []
    for offset in range(0, len(items_newest_first), PAGE_SIZE):
        chunk = items_newest_first[offset : offset + PAGE_SIZE]
        number = first_page + offset // PAGE_SIZE
        users: dict[str, dict] = {}
        referenced: dict[str, dict] = {}
        for item in chunk:
            users.setdefault(item.author.person_id, _x_user(item.author))
            if item.parent is not None:
                users.setdefault(item.parent.author.person_id, _x_user(item.parent.author))
                if item.parent.kind == "post":  # the brand's post, as it was written: it lands once
                    referenced.setdefault(item.parent.item_id, _x_tweet(item.parent))
        page = {
            "data": [_x_tweet(item) for item in chunk],
            "includes": {"users": list(users.values()), "tweets": list(referenced.values())},
            "meta": {"newest_id": chunk[0].item_id, "oldest_id": chunk[-1].item_id, "result_count": len(chunk)},
            "__twarc": {
                "url": f"{SEARCH_URL}?{urlencode(params)}&page={number}",
                "version": TWARC_VERSION,
                "retrieved_at": (fetched + timedelta(seconds=2 * number)).isoformat(),
            },
        }
        lines.append(_line(page))
    return "".join(lines)


# --------------------------------------------------------------------------------------------------------- Facebook


def _facebook_comment(item: Item, page_id: str, post_local: str, children: dict[str, list[Item]]) -> dict:
    comment_local = item.item_id
    permalink = f"https://www.facebook.com/{page_id}/posts/{post_local}/?comment_id={comment_local}"
    if item.parent is not None and item.parent.kind != "post":
        permalink = (
            f"https://www.facebook.com/{page_id}/posts/{post_local}/?comment_id={item.parent.item_id}"
            f"&reply_comment_id={comment_local}"
        )
    record: dict = {
        "id": f"{post_local}_{comment_local}",
        "created_time": _graph_time(item.created_at),
        "from": {"name": item.author.name, "id": item.author.person_id},
        "like_count": item.likes,
        "comment_count": len(children.get(item.item_id, ())),
        "permalink_url": permalink,
    }
    if item.text is not None:
        record["message"] = item.text
    else:
        record["attachment"] = {"type": "sticker", "url": f"https://www.facebook.com/stickers/{item.item_id}"}
    replies = children.get(item.item_id)
    if replies:
        record["comments"] = {"data": [_facebook_comment(r, page_id, post_local, children) for r in replies]}
    return record


def facebook_feed(items: list[Item], page_id: str) -> str:
    """One feed document: the posts this segment touches, each with its comments and their replies nested."""
    children = _by_parent(items)
    posts = _touched_posts(items)
    data = []
    for post in posts:
        post_local = post.item_id
        record: dict = {
            "id": f"{page_id}_{post_local}",
            "created_time": _graph_time(post.created_at),
            "from": {"name": post.author.name, "id": post.author.person_id},
            "message": post.text,
            "permalink_url": f"https://www.facebook.com/{page_id}/posts/{post_local}",
            "status_type": "mobile_status_update",
        }
        comments = [c for c in children.get(post.item_id, ()) if c.kind == "comment"]
        if comments:
            record["comments"] = {"data": [_facebook_comment(c, page_id, post_local, children) for c in comments]}
        data.append(record)
    return _line({"data": data, "paging": {"cursors": {"before": "QVFIUm", "after": "QVFIUn"}}})


def _touched_posts(items: list[Item]) -> list[Item]:
    """The posts of a segment and the earlier posts its comments land on, oldest first."""
    posts: dict[str, Item] = {}
    for item in items:
        root = item.root
        if root.kind == "post":
            posts.setdefault(root.item_id, root)
    return sorted(posts.values(), key=lambda post: post.created_at)


# -------------------------------------------------------------------------------------------------------- Instagram


def _instagram_comment(item: Item, children: dict[str, list[Item]]) -> dict:
    record: dict = {
        "id": item.item_id,
        "text": item.text,
        "timestamp": _graph_time(item.created_at),
        "username": item.author.handle,
        "from": {"id": item.author.person_id, "username": item.author.handle},
        "like_count": item.likes,
    }
    replies = children.get(item.item_id)
    if replies:
        record["replies"] = {"data": [_instagram_comment(r, children) for r in replies]}
    return record


def instagram_media(items: list[Item], account_id: str, handle: str) -> str:
    children = _by_parent(items)
    data = []
    for post in _touched_posts(items):
        record: dict = {
            "id": post.item_id,
            "caption": post.text,
            "media_type": "IMAGE",
            "media_url": f"https://scontent.cdninstagram.com/v/{post.item_id}.jpg",
            "permalink": f"https://www.instagram.com/p/{post.item_id}/",
            "timestamp": _graph_time(post.created_at),
            "username": handle,
            "owner": {"id": account_id},
            "like_count": post.likes,
        }
        comments = [c for c in children.get(post.item_id, ()) if c.kind == "comment"]
        if comments:
            record["comments"] = {"data": [_instagram_comment(c, children) for c in comments]}
        data.append(record)
    next_url = f"{GRAPH}/{account_id}/media?fields=id,caption,media_type,timestamp,comments&limit=25&after=QVFI"
    return _line({"data": data, "paging": {"cursors": {"after": "QVFI"}, "next": next_url}})


# ---------------------------------------------------------------------------------------------------------- YouTube


def _youtube_comment(item: Item, video_id: str, parent_id: str | None = None) -> dict:
    snippet: dict = {
        "authorDisplayName": item.author.name,
        "authorChannelUrl": f"http://www.youtube.com/channel/{item.author.person_id}",
        "authorChannelId": {"value": item.author.person_id},
        "videoId": video_id,
        "textDisplay": item.text,
        "textOriginal": item.text,
        "canRate": True,
        "viewerRating": "none",
        "likeCount": item.likes,
        "publishedAt": _iso_z(item.created_at),
        "updatedAt": _iso_z(item.created_at),
    }
    if parent_id is not None:
        snippet["parentId"] = parent_id
    return {"kind": "youtube#comment", "etag": f"e{item.item_id}", "id": item.item_id, "snippet": snippet}


def youtube_comment_threads(items: list[Item], channel_id: str) -> str:
    children = _by_parent(items)
    threads = []
    for item in items:
        if item.kind != "comment" or item.parent is None:
            continue
        video_id = item.root.item_id
        replies = []
        stack = list(children.get(item.item_id, ()))
        while stack:  # YouTube threads are flat: a reply to a reply is one more reply to the top-level comment
            reply = stack.pop(0)
            replies.append(_youtube_comment(reply, video_id, item.item_id))
            stack.extend(children.get(reply.item_id, ()))
        thread: dict = {
            "kind": "youtube#commentThread",
            "etag": f"t{item.item_id}",
            "id": item.item_id,
            "snippet": {
                "channelId": channel_id,
                "videoId": video_id,
                "topLevelComment": _youtube_comment(item, video_id),
                "canReply": True,
                "totalReplyCount": len(replies),
                "isPublic": True,
            },
        }
        if replies:
            thread["replies"] = {"comments": replies}
        threads.append(thread)
    return _line(
        {
            "kind": "youtube#commentThreadListResponse",
            "etag": "generated",
            "pageInfo": {"totalResults": len(threads), "resultsPerPage": len(threads)},
            "items": threads,
        }
    )


def youtube_videos(posts: list[Item], channel_id: str, channel_title: str) -> str:
    items = []
    for post in posts:
        title, _, description = (post.text or "").partition("\n\n")
        items.append(
            {
                "kind": "youtube#video",
                "etag": f"v{post.item_id}",
                "id": post.item_id,
                "snippet": {
                    "publishedAt": _iso_z(post.created_at),
                    "channelId": channel_id,
                    "title": title,
                    "description": description,
                    "channelTitle": channel_title,
                    "defaultLanguage": "en",
                },
                "statistics": {"viewCount": str(post.likes * 40), "likeCount": str(post.likes), "commentCount": "0"},
            }
        )
    return _line(
        {
            "kind": "youtube#videoListResponse",
            "etag": "generated",
            "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
            "items": items,
        }
    )


# ----------------------------------------------------------------------------------------------------------- Reddit


def _reddit_listing(children: list[dict]) -> dict:
    return {"kind": "Listing", "data": {"children": children, "after": None, "before": None}}


def _reddit_comment(item: Item, link_id: str, children: dict[str, list[Item]]) -> dict:
    parent_id = f"t1_{item.parent.item_id}" if item.parent is not None and item.parent.kind != "post" else link_id
    replies = children.get(item.item_id)
    return {
        "kind": "t1",
        "data": {
            "id": item.item_id,
            "name": f"t1_{item.item_id}",
            "author": item.author.handle,
            "body": item.text,
            "created_utc": item.created_at.timestamp(),
            "edited": False,
            "link_id": link_id,
            "parent_id": parent_id,
            "score": item.likes + 1,
            "subreddit": "brands",
            "replies": _reddit_listing([_reddit_comment(r, link_id, children) for r in replies]) if replies else "",
        },
    }


def reddit_threads(items: list[Item], subreddit: str) -> Iterable[tuple[str, str]]:
    """(submission id, document) for each submission the segment touches."""
    children = _by_parent(items)
    for post in _touched_posts(items):
        link_id = f"t3_{post.item_id}"
        submission = {
            "kind": "t3",
            "data": {
                "id": post.item_id,
                "name": link_id,
                "author": post.author.handle,
                "title": (post.text or "")[:80],
                "selftext": post.text,
                "created_utc": post.created_at.timestamp(),
                "edited": False,
                "score": post.likes,
                "num_comments": 0,
                "subreddit": subreddit,
                "permalink": f"/r/{subreddit}/comments/{post.item_id}/",
            },
        }
        top_level = [c for c in children.get(post.item_id, ()) if c.kind == "comment"]
        comments = [_reddit_comment(c, link_id, children) for c in top_level]
        document = [_reddit_listing([submission]), _reddit_listing(comments)]
        yield post.item_id, _line(document)
