"""YouTube Data API v3 responses: commentThreads.list, comments.list, videos.list and channels.list.

A response is one JSON document, a list page (``{"kind": "youtube#...ListResponse", "items": [...],
"nextPageToken": ...}``; the next page is another file) or a single resource (``comments.insert`` answers with the
comment itself). Each resource is one record, and so is each reply a comment thread carries inline
(``replies.comments``); ``_source_line`` is the record's 1-based position in the document.

- commentThread: its top-level comment -> "comment" on the video (or on the channel, for channel discussions), its
  inline replies -> "reply" to that comment;
- comment: "reply" when it has ``snippet.parentId``, else "comment";
- video: an owned "post" (title and description as text) and its statistics -> content_metrics (lifetime);
- channel: a person, and its subscriber count -> account_metrics (followers) on the day the file was written (its
  modification time), since a channels.list response carries no time of its own.

People carry no ``observed_at`` (the responses have no response time): the loader stamps the ingest time.

An edited comment (``updatedAt`` after ``publishedAt``) gets ``record_version`` = the edit time in epoch seconds, so
the newest text wins in staging; an unedited one is version 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.base import RECORD_ERRORS, ExportFormat, ReadResult, RecordProblem, Sample, error_reason, register
from ingest.readers.ids import id_text, to_int
from ingest.readers.json_pages import RecordDocument, sample_document, unreadable_document
from ingest.readers.links import handles_in
from ingest.readers.text_files import load_json
from ingest.readers.timestamps import parse_utc

FORMAT = "youtube_data_api"
PLATFORM = "youtube"

_KINDS = ("youtube#commentThread", "youtube#comment", "youtube#video", "youtube#channel")
_SNIFF_KIND = re.compile(r'"kind"\s*:\s*"youtube#(commentThread|comment|video|channel)(ListResponse)?"')


def sniff(sample: Sample) -> bool:
    document = sample_document(sample)
    if document is not None:
        if not isinstance(document, dict):
            return False
        kind = str(document.get("kind", ""))
        return kind in _KINDS or (kind.removesuffix("ListResponse") in _KINDS and "items" in document)
    return sample.text.lstrip().startswith("{") and bool(_SNIFF_KIND.search(sample.text[:2000]))


def read(path: Path) -> Iterator[ReadResult]:
    try:
        resources = _resources(load_json(path))
    except RECORD_ERRORS as error:
        yield unreadable_document(FORMAT, path, error)
        return
    reader = _YouTubeDocument(_written_at(path))
    for locator, resource in resources:
        reader.read_record(locator, resource)
    yield reader.result()


def _resources(document: Any) -> list[tuple[str, Any]]:
    if not isinstance(document, dict):
        raise RecordProblem("not a YouTube Data API response (expected a JSON object)")
    if isinstance(document.get("items"), list):
        return [(f"$.items[{index}]", item) for index, item in enumerate(document["items"])]
    return [("$", document)]


class _YouTubeDocument(RecordDocument):
    def __init__(self, written_at: datetime) -> None:
        super().__init__(FORMAT)
        self.written_at = written_at

    def read_record(self, locator: str, resource: Any, thread: dict | None = None) -> None:
        self.position += 1
        try:
            if not isinstance(resource, dict) or not isinstance(resource.get("snippet"), dict):
                raise RecordProblem("resource without snippet")
            kind = resource.get("kind")
            if kind == "youtube#commentThread":
                self._thread(locator, resource)
            elif kind == "youtube#comment":
                self._comment(resource, thread or {})
            elif kind == "youtube#video":
                self._video(resource)
            elif kind == "youtube#channel":
                self._channel(resource)
            else:
                raise RecordProblem("resource kind is not read (comment threads, comments, videos, channels)")
        except RECORD_ERRORS as error:
            self.reject(locator, error_reason(error), resource)

    def _thread(self, locator: str, resource: dict) -> None:
        snippet = resource["snippet"]
        top = snippet.get("topLevelComment")
        top_snippet = top.get("snippet") if isinstance(top, dict) else None
        top_snippet = top_snippet if isinstance(top_snippet, dict) else {}
        thread = {
            "video_id": snippet.get("videoId") or top_snippet.get("videoId"),
            "channel_id": snippet.get("channelId"),
            "reply_count": to_int(snippet.get("totalReplyCount")),
        }
        try:
            if not top_snippet:
                raise RecordProblem("comment thread without topLevelComment")
            self._comment(top, thread)
        finally:  # the inline replies are records of their own, read even when the top comment could not be
            replies = resource["replies"].get("comments") if isinstance(resource.get("replies"), dict) else None
            reply_thread = {**thread, "parent_author_id": _author(top_snippet)[0], "reply_count": None}
            for index, reply in enumerate(replies if isinstance(replies, list) else []):
                self.read_record(f"{locator}.replies.comments[{index}]", reply, reply_thread)

    def _comment(self, resource: dict, thread: dict) -> None:
        snippet = resource["snippet"]
        comment_id = _required_id(resource)
        parent_id = snippet.get("parentId")
        video_id = snippet.get("videoId") or thread.get("video_id")
        author_id, handle, name = _author(snippet)
        created_at, version = _published(snippet)
        text = snippet.get("textOriginal") or snippet.get("textDisplay") or None
        self._add_interaction(
            interaction_id=comment_id,
            record_version=version,
            interaction_type="reply" if parent_id else "comment",
            created_at=created_at,
            author_id=author_id,
            author_handle=handle,
            author_name=name,
            text=text,
            parent_id=parent_id or video_id or snippet.get("channelId") or thread.get("channel_id"),
            conversation_id=video_id,
            in_reply_to_author_id=thread.get("parent_author_id"),
            url=f"https://www.youtube.com/watch?v={video_id}&lc={comment_id}" if video_id else None,
            like_count=to_int(snippet.get("likeCount")),
            reply_count=thread.get("reply_count"),
        )
        if author_id:
            self._add_person(person_id=author_id, handle=handle, display_name=name)

    def _video(self, resource: dict) -> None:
        snippet = resource["snippet"]
        video_id = _required_id(resource)
        statistics = resource.get("statistics") if isinstance(resource.get("statistics"), dict) else {}
        text = "\n\n".join(part for part in (snippet.get("title"), snippet.get("description")) if part) or None
        likes, comments = to_int(statistics.get("likeCount")), to_int(statistics.get("commentCount"))
        self._add_interaction(
            interaction_id=video_id,
            record_version=0,
            interaction_type="post",
            created_at=_published(snippet)[0],
            author_id=snippet.get("channelId"),
            author_name=snippet.get("channelTitle"),
            text=text,
            lang=snippet.get("defaultLanguage") or snippet.get("defaultAudioLanguage"),
            conversation_id=video_id,
            url=f"https://www.youtube.com/watch?v={video_id}",
            like_count=likes,
            reply_count=comments,
        )
        if statistics:
            self.add(
                "content_metrics",
                {
                    "platform": PLATFORM,
                    "account_id": snippet.get("channelId"),
                    "content_id": video_id,
                    "date": None,
                    "likes": likes,
                    "comments": comments,
                    "video_views": to_int(statistics.get("viewCount")),
                    "_source_line": self.position,
                },
            )

    def _channel(self, resource: dict) -> None:
        snippet = resource["snippet"]
        channel_id = _required_id(resource)
        statistics = resource.get("statistics") if isinstance(resource.get("statistics"), dict) else {}
        hidden = statistics.get("hiddenSubscriberCount") is True
        subscribers = None if hidden else to_int(statistics.get("subscriberCount"))
        self._add_person(
            person_id=channel_id,
            handle=(snippet.get("customUrl") or "").removeprefix("@") or None,
            display_name=snippet.get("title"),
            description=snippet.get("description") or None,
            followers_count=subscribers,
            account_created_at=parse_utc(snippet["publishedAt"]) if snippet.get("publishedAt") else None,
        )
        if subscribers is not None:
            self.add(
                "account_metrics",
                {
                    "platform": PLATFORM,
                    "account_id": channel_id,
                    "date": self.written_at.date(),
                    "followers": subscribers,
                    "_source_line": self.position,
                },
            )

    def _add_interaction(self, **values: Any) -> None:
        text = values["text"]
        self.add(
            "interactions",
            {
                "platform": PLATFORM,
                **values,
                "mentioned_handles": handles_in(text),
                "_source_line": self.position,
            },
        )

    def _add_person(self, **values: Any) -> None:
        self.add("people", {"platform": PLATFORM, **values, "_source_line": self.position})


def _written_at(path: Path) -> datetime:
    """When the response was saved (the file's modification time): the day a channel's subscriber count is given for,
    since channels.list answers with no time of its own."""
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def _required_id(resource: dict) -> str:
    resource_id = id_text(resource.get("id")) if not isinstance(resource.get("id"), dict) else None
    if resource_id is None:
        raise RecordProblem("id missing")
    return resource_id


def _author(snippet: dict) -> tuple[str | None, str | None, str | None]:
    """(channel id, handle, display name) of a comment's author. Since 2023 the display name is the @handle."""
    channel = snippet.get("authorChannelId")
    author_id = id_text(channel.get("value")) if isinstance(channel, dict) else None
    name = snippet.get("authorDisplayName")
    handle = name[1:] if isinstance(name, str) and name.startswith("@") else None
    return author_id, handle, name


def _published(snippet: dict) -> tuple[datetime, int]:
    """(publishedAt, record_version): version 0 unless the resource was edited after it was published."""
    if not snippet.get("publishedAt"):
        raise RecordProblem("publishedAt missing")
    published = parse_utc(snippet["publishedAt"])
    updated = parse_utc(snippet["updatedAt"]) if snippet.get("updatedAt") else published
    return published, int(updated.timestamp()) if updated > published else 0


register(
    ExportFormat(
        FORMAT,
        "YouTube Data API v3 JSON response: commentThreads, comments, videos or channels (list or single resource)",
        sniff,
        read,
        priority=100,
    )
)
