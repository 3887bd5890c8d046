"""YouTube Data API v3: the channel's statistics, its recent videos' statistics, and the comment threads on its videos.

Endpoints (an API key, sent in the ``X-Goog-Api-Key`` header): ``channels.list`` (snippet, statistics,
contentDetails: subscribers and the uploads playlist; by id, or by ``forHandle``), ``playlistItems.list`` over the
uploads playlist to find the videos published within ``video_window_days`` (not landed: the readers do not take it),
``videos.list`` for their statistics, ``commentThreads.list?allThreadsRelatedToChannelId`` newest first until the
last run minus the look-back, and ``comments.list?parentId`` for threads with more replies than the thread carries
inline. Every one costs 1 quota unit per page (10,000 units a day by default).

Limits come in the error body, not in headers: ``error.errors[].reason`` ``quotaExceeded`` or ``dailyLimitExceeded``
(HTTP 403) means the project's daily quota is spent, and stops the platform until it resets; ``rateLimitExceeded`` or
``userRateLimitExceeded`` (403 or 429) is a short-term rate limit, retried with backoff.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import requests

from extract.config import Account, ExtractSetup
from extract.extraction import ExtractError, Extraction
from extract.limits import LimitPolicy

KEY_VARIABLE = "ROR_YOUTUBE_API_KEY"
CREDENTIALS = (KEY_VARIABLE,)
_QUOTA_SPENT = {"quotaExceeded", "dailyLimitExceeded"}
_RATE_LIMITED = {"rateLimitExceeded", "userRateLimitExceeded"}
_PAGING = {"token_path": "nextPageToken", "token_param": "pageToken", "records_path": "items"}
_VIDEOS_PER_REQUEST = 50


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _reasons(response: requests.Response) -> set[str]:
    """The ``reason`` of each error in a Google API error body."""
    if response.status_code < 400:
        return set()
    try:
        errors = (response.json().get("error") or {}).get("errors") or []
    except (ValueError, AttributeError):
        return set()
    return {str(error.get("reason")) for error in errors if isinstance(error, dict)}


def _spent(response: requests.Response) -> str | None:
    reasons = sorted(_reasons(response) & _QUOTA_SPENT)
    if not reasons:
        return None
    return (
        f"the Google Cloud project's daily YouTube quota is spent ({', '.join(reasons)}); it resets at midnight "
        "Pacific time, or ask for more in the Google Cloud console (IAM & Admin -> Quotas)"
    )


def _throttled(response: requests.Response) -> bool:
    return response.status_code == 429 or bool(_reasons(response) & _RATE_LIMITED)


LIMITS = LimitPolicy(spent=_spent, throttled=_throttled)


def extract(setup: ExtractSetup, extraction: Extraction, accounts: list[Account]) -> None:
    settings = setup.config.youtube
    client = extraction.client(settings.base_url, headers={"X-Goog-Api-Key": setup.secrets.get(KEY_VARIABLE) or ""})
    for account in accounts:
        with extraction.stream(f"channel {account.account_id or '@' + str(account.handle)}"):
            _channel(extraction, client, account, settings.video_window_days)


def _channel(extraction: Extraction, client, account: Account, video_window_days: int) -> None:
    key = account.key
    lookup = {"id": account.account_id} if account.account_id else {"forHandle": f"@{account.handle}"}
    response = extraction.single(client, "channels", {"part": "snippet,statistics,contentDetails", **lookup})
    channels = response.json().get("items") or []
    if not channels:
        raise ExtractError(f"youtube: no such channel; check the account's id or handle in {account.configured_under}")
    extraction.land(key, "channels", response, len(channels))
    channel = channels[0]
    uploads = ((channel.get("contentDetails") or {}).get("relatedPlaylists") or {}).get("uploads")
    if uploads:
        _recent_videos(extraction, client, key, uploads, extraction.now - timedelta(days=video_window_days))
    _comment_threads(extraction, client, key, channel["id"])


def _recent_videos(extraction: Extraction, client, key: str, uploads: str, window_start: datetime) -> None:
    """Statistics of every video published since ``window_start`` (views and likes keep changing after a run)."""

    def published(item: dict) -> datetime | None:
        details = item.get("contentDetails") or {}
        return _time(details.get("videoPublishedAt") or (item.get("snippet") or {}).get("publishedAt"))

    def statistics(document: Any) -> None:
        ids = [
            item["contentDetails"]["videoId"]
            for item in document.get("items") or []
            if (moment := published(item)) is not None and moment >= window_start
        ]
        for start in range(0, len(ids), _VIDEOS_PER_REQUEST):
            chunk = ids[start : start + _VIDEOS_PER_REQUEST]
            response = extraction.single(client, "videos", {"part": "snippet,statistics", "id": ",".join(chunk)})
            extraction.land(key, "videos", response, len(response.json().get("items") or []))

    def newer_than_window(document: Any) -> bool:
        moments = [moment for item in document.get("items") or [] if (moment := published(item)) is not None]
        return bool(moments) and min(moments) >= window_start

    extraction.paged(
        client,
        key,
        "uploads",
        "playlistItems",
        {"part": "contentDetails,snippet", "playlistId": uploads, "maxResults": 50},
        keep_going=newer_than_window,
        on_page=statistics,
        land=False,
        **_PAGING,
    )
    extraction.finish(key, "uploads", None)


def _comment_threads(extraction: Extraction, client, key: str, channel_id: str) -> None:
    since = extraction.since(extraction.watermark(key, "comment_threads"))

    def started(thread: dict) -> datetime | None:
        return _time(((thread.get("snippet") or {}).get("topLevelComment") or {}).get("snippet", {}).get("publishedAt"))

    def replies(document: Any) -> None:
        for thread in document.get("items") or []:
            snippet = thread.get("snippet") or {}
            inline = len((thread.get("replies") or {}).get("comments") or [])
            if snippet.get("totalReplyCount", 0) > inline and (started(thread) or since) >= since:
                extraction.paged(
                    client,
                    key,
                    f"replies/{thread['id']}",
                    "comments",
                    {"part": "snippet", "parentId": thread["id"], "maxResults": 100, "textFormat": "plainText"},
                    landing_stream="comments",
                    **_PAGING,
                )
                extraction.finish(key, f"replies/{thread['id']}", None)

    def newer_than_since(document: Any) -> bool:
        moments = [moment for thread in document.get("items") or [] if (moment := started(thread)) is not None]
        return bool(moments) and min(moments) >= since

    threads = extraction.paged(
        client,
        key,
        "comment_threads",
        "commentThreads",
        {
            "part": "snippet,replies",
            "allThreadsRelatedToChannelId": channel_id,
            "order": "time",
            "maxResults": 100,
            "textFormat": "plainText",
        },
        keep_going=newer_than_since,
        on_page=replies,
        **_PAGING,
    )
    if threads.complete:
        extraction.finish(key, "comment_threads", threads.started_at)
