"""Bluesky: the brand account's posts and the posts that mention it, each with its whole thread.

Endpoints of the public AppView (no credentials): ``app.bsky.feed.getAuthorFeed`` and ``app.bsky.feed.searchPosts``
(``mentions`` = the account, ``since`` = the last run minus the look-back) find the posts, newest first; for each,
``app.bsky.feed.getPostThread`` returns the post with its like, repost, reply and quote counts and its replies, which
is what is landed (the ``bluesky_atproto`` reader takes thread views; feed and search pages only point at posts).

Limits: the AppView's window per client, ``ratelimit-remaining`` and ``ratelimit-reset`` (a Unix time).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from extract.config import Account, ExtractSetup
from extract.extraction import CredentialsRejected, Extraction, StreamRefused
from extract.limits import LimitPolicy, RateLimitHeaders

CREDENTIALS: tuple[str, ...] = ()
LIMITS = LimitPolicy(RateLimitHeaders("ratelimit-remaining", "ratelimit-reset"))
_PAGING = {"token_path": "cursor", "token_param": "cursor"}


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def extract(setup: ExtractSetup, extraction: Extraction, accounts: list[Account]) -> None:
    settings = setup.config.bluesky
    client = extraction.client(settings.base_url)
    for account in accounts:
        with extraction.stream(f"account {account.handle or account.account_id}"):
            _account(setup, extraction, client, account)


def _account(setup: ExtractSetup, extraction: Extraction, client, account: Account) -> None:
    settings = setup.config.bluesky
    key = account.key
    actor = account.account_id or account.handle
    since = extraction.since(extraction.watermark(key, "posts"))

    def threads(posts: list[dict], parent_height: int, since: datetime) -> None:
        for post in posts:
            created = _time(post.get("indexedAt") or (post.get("record") or {}).get("createdAt"))
            if created is not None and created >= since:
                response = extraction.single(
                    client,
                    "app.bsky.feed.getPostThread",
                    {"uri": post["uri"], "depth": settings.thread_depth, "parentHeight": parent_height},
                )
                extraction.land(key, "threads", response, 1)

    def newer_than_since(posts: list[dict]) -> bool:
        moments = [_time(post.get("indexedAt")) for post in posts]
        moments = [moment for moment in moments if moment is not None]
        return bool(moments) and min(moments) >= since

    def own_posts(document: Any) -> list[dict]:
        # reposts of other people's posts carry a "reason"; they are the account sharing, not posting
        return [item["post"] for item in document.get("feed") or [] if "reason" not in item]

    feed = extraction.paged(
        client,
        key,
        "posts",
        "app.bsky.feed.getAuthorFeed",
        {"actor": actor, "limit": 100, "filter": "posts_and_author_threads"},
        records_path="feed",
        keep_going=lambda document: newer_than_since(own_posts(document)),
        on_page=lambda document: threads(own_posts(document), 0, since),
        land=False,
        **_PAGING,
    )
    if feed.complete:
        extraction.finish(key, "posts", feed.started_at)
    if settings.search_mentions and account.handle:
        _mentions(extraction, client, key, account.handle, threads)


def _mentions(extraction: Extraction, client, key: str, handle: str, threads) -> None:
    """Posts anywhere that mention the account. Bluesky's own public AppView often refuses post search without a
    login (403): then mentions outside the account's own threads are skipped, said in the report, and the rest of
    the run goes on."""
    since = extraction.since(extraction.watermark(key, "mentions"))
    try:
        mentions = extraction.paged(
            client,
            key,
            "mentions",
            "app.bsky.feed.searchPosts",
            {
                "q": handle,
                "mentions": handle,
                "sort": "latest",
                "limit": 100,
                "since": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
            records_path="posts",
            on_page=lambda document: threads(document.get("posts") or [], 1, since),
            land=False,
            **_PAGING,
        )
    except (StreamRefused, CredentialsRejected):
        extraction.report.message = (
            "post search refused by the AppView (it often is without a login): mentions outside the account's own "
            "threads were skipped; set extract.bluesky.search_mentions: false, or base_url to an AppView that serves it"
        )
        return
    if mentions.complete:
        extraction.finish(key, "mentions", mentions.started_at)
