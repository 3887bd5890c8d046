"""A brand-day's items written as the comment-thread platforms' API documents, one segment at a time.

- Facebook: Graph API page feed documents, each post with its comments nested (``comments.data``), replies nested
  under their comment, thread ids in ``permalink_url`` as Facebook writes them;
- Instagram: Graph API media documents with comments and ``replies`` nested;
- YouTube: a ``videos.list`` page for the day's videos and ``commentThreads.list`` pages with inline replies;
- Reddit: ``GET /comments/{id}`` answers (the submission Listing and its comment tree).

A post that receives comments in several segments or on the next day is written again, identically, so its record
lands once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from generators.formats.tables import json_line
from generators.scale.conversation import Item

GRAPH = "https://graph.facebook.com/v19.0"


# Items carry UTC times; isoformat is several times faster than strftime on millions of them.
def _seconds_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat()


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
    return json_line({"data": data, "paging": {"cursors": {"before": "QVFIUm", "after": "QVFIUn"}}})


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
    return json_line({"data": data, "paging": {"cursors": {"after": "QVFI"}, "next": next_url}})


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
    return json_line(
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
    return json_line(
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
        yield post.item_id, json_line(document)
