"""Instagram Graph API responses: media, comments and replies, mentions, tagged media, media and account insights.

The responses come in the Graph API's shapes (see ``facebook_graph``): a list page, one object, or a batch keyed by id.
Each object is one record (``_source_line`` = its 1-based position in the document, nested comments and insights
included); what it is follows from its fields:

- media (``media_type`` / ``caption`` / ``comments_count``): an owned "post", or "ugc" when it comes from the account's
  ``tags`` edge (media other people tagged the account in);
- comment (``text`` + ``timestamp``): a "comment" on a media, or a "reply" when it answers a comment;
- ``mentioned_comment`` / ``mentioned_media``: a "mention" of the account;
- insight (``name`` + ``period`` + ``values`` or ``total_value``): a lifetime media metric -> content_metrics, or a
  daily account metric -> account_metrics (one row per account and day, metrics side by side);
- user (``followers_count`` / ``biography``): a person.

A list of comments looks the same whether it came from ``/{media}/comments`` or ``/{comment}/replies``, and tagged
media look like owned media. The edge is read from the page's ``paging`` links (``.../{id}/{edge}?...``), which also
give the parent media / comment / account id; a response without paging links (the last page) says nothing about its
edge, so the file name is used as a last hint for the edge only (``replies``, ``tags``/``tagged``), never to decide the
format. Without either, a media list is owned posts and a comment list is comments.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ingest.base import RECORD_ERRORS, ExportFormat, ReadResult, RecordProblem, Sample, error_reason, register
from ingest.readers.ids import id_text, to_int
from ingest.readers.json_pages import (
    RecordDocument,
    graph_records,
    nested_data,
    paging_edge,
    sample_document,
    unreadable_document,
)
from ingest.readers.links import handles_in
from ingest.readers.text_files import load_json
from ingest.readers.timestamps import parse_utc

FORMAT = "instagram_graph"
PLATFORM = "instagram"

# Insight metric name -> content_metrics column (lifetime media insights). Meta replaced impressions (and plays) by
# "views" in 2025; views counts every display, so it fills impressions, the column it replaces (dbt dates the rename).
CONTENT_METRICS = {
    "impressions": "impressions",
    "views": "impressions",
    "reach": "reach",
    "likes": "likes",
    "comments": "comments",
    "shares": "shares",
    "saved": "saves",
    "video_views": "video_views",
    "plays": "video_views",
    "total_interactions": "engagements",
    "engagement": "engagements",
}
# Daily account insight name -> account_metrics column. follower_count is the number of NEW followers that day.
ACCOUNT_METRICS = {
    "impressions": "impressions",
    "views": "impressions",
    "reach": "reach",
    "profile_views": "profile_views",
    "follower_count": "followers_gained",
    "total_interactions": "engagements",
}

# A document too large to parse from its first 64 KB is recognised by its keys.
_SNIFF_MARKERS = re.compile(
    r'"(mentioned_comment|mentioned_media|biography)"\s*:|"id"\s*:\s*"\d+/insights/(?!page_|post_)'
)
_SNIFF_TIMESTAMP = re.compile(r'"timestamp"\s*:')
_SNIFF_MEDIA_OR_COMMENT = re.compile(r'"(media_type|caption|comments_count|media_url|username)"\s*:')
_FACEBOOK_KEYS = re.compile(r'"(created_time|permalink_url|message|fan_count)"\s*:')
_FILE_NAME_EDGES = {"replies": "replies", "reply": "replies", "tags": "tags", "tagged": "tags"}


def sniff(sample: Sample) -> bool:
    document = sample_document(sample)
    if document is not None:
        records = [record for _, record in graph_records(document) if isinstance(record, dict)]
        return bool(records) and all(_record_kind(record) is not None for record in records[:5])
    text = sample.text.lstrip()
    marked = _SNIFF_MARKERS.search(text) or (_SNIFF_TIMESTAMP.search(text) and _SNIFF_MEDIA_OR_COMMENT.search(text))
    return text.startswith("{") and bool(marked) and not _FACEBOOK_KEYS.search(text)


def _record_kind(record: dict) -> str | None:
    if "created_time" in record or "message" in record:  # Facebook's names for the same things
        return None
    if "mentioned_comment" in record or "mentioned_media" in record:
        return "mention"
    if "name" in record and "period" in record and ("values" in record or "total_value" in record):
        if str(record["name"]).startswith(("page_", "post_")):  # Facebook Page insights share the shape
            return None
        return "insight" if "/insights/" in str(record.get("id", "")) or "title" in record else None
    if "timestamp" in record and ("media_type" in record or "caption" in record or "comments_count" in record):
        return "media"
    if "timestamp" in record and "text" in record:
        return "comment"
    if "timestamp" not in record and ("followers_count" in record or "biography" in record):
        return "user"
    return None


def read(path: Path) -> Iterator[ReadResult]:
    try:
        document = load_json(path)
    except RECORD_ERRORS as error:
        yield unreadable_document(FORMAT, path, error)
        return
    reader = _InstagramDocument(_edge_of(document, path))
    for locator, record in graph_records(document):
        reader.read_record(locator, record)
    yield reader.result(
        content_metrics=list(reader.content_metrics.values()),
        account_metrics=list(reader.account_metrics.values()),
    )


def _edge_of(document: Any, path: Path) -> tuple[str | None, str | None]:
    """(object id, edge) the response answers: from its paging links, else an edge named in the file name."""
    edge = paging_edge(document)
    if edge is not None:
        return edge
    words = re.split(r"[^a-z]+", path.stem.lower())
    return None, next((_FILE_NAME_EDGES[word] for word in words if word in _FILE_NAME_EDGES), None)


class _InstagramDocument(RecordDocument):
    def __init__(self, edge: tuple[str | None, str | None]) -> None:
        super().__init__(FORMAT)
        self.edge_owner, self.edge = edge
        self.content_metrics: dict[str, dict] = {}  # content id -> row (one row per media, metrics side by side)
        self.account_metrics: dict[tuple[str, date], dict] = {}  # (account id, day) -> row

    def read_record(self, locator: str, record: Any, context: dict | None = None) -> None:
        self.position += 1
        if not isinstance(record, dict):
            self.reject(locator, "record is not a JSON object", record)
            return
        kind = _record_kind(record)
        try:
            if kind == "media":
                self._media(locator, record)
            elif kind == "comment":
                self._comment(locator, record, context)
            elif kind == "mention":
                self._mention(record)
            elif kind == "insight":
                self._insight(record, context)
            elif kind == "user":
                self._user(record)
            else:
                raise RecordProblem("not an Instagram media, comment, mention, insight or user")
        except RECORD_ERRORS as error:
            self.reject(locator, error_reason(error), record)

    def _media(self, locator: str, record: dict, interaction_type: str | None = None) -> None:
        media_id = id_text(record.get("id"))
        owner = record.get("owner")
        author_id = id_text(owner.get("id")) if isinstance(owner, dict) else None
        if interaction_type is None:
            interaction_type = "ugc" if self.edge == "tags" else "post"
            if author_id is None and self.edge == "media":
                author_id = self.edge_owner
        try:
            self._interaction(
                record,
                interaction_id=_required_id(record),
                interaction_type=interaction_type,
                author_id=author_id,
                text=record.get("caption"),
                conversation_id=media_id,
                url=record.get("permalink"),
                like_count=to_int(record.get("like_count")),
                reply_count=to_int(record.get("comments_count")),
            )
        finally:  # nested insights and comments are records of their own, read even when their media could not be
            for index, insight in enumerate(nested_data(record, "insights")):
                self.read_record(f"{locator}.insights.data[{index}]", insight, {"media_id": media_id})
            for index, comment in enumerate(nested_data(record, "comments")):
                context = {"parent_id": media_id, "media_id": media_id, "parent_author_id": author_id}
                self.read_record(f"{locator}.comments.data[{index}]", comment, context)

    def _comment(self, locator: str, record: dict, context: dict | None) -> None:
        comment_id = id_text(record.get("id"))
        media = record.get("media")
        media_id = id_text(media.get("id")) if isinstance(media, dict) else None
        parent_id = id_text(record.get("parent_id"))  # set on replies when the export asked for it
        parent_author_id = None
        if context is not None:  # nested under a media's comments or a comment's replies
            parent_id = parent_id or context["parent_id"]
            media_id = media_id or context["media_id"]
            parent_author_id = context["parent_author_id"]
            is_reply = parent_id != media_id
        elif self.edge == "replies":
            parent_id = parent_id or self.edge_owner
            is_reply = True
        else:
            if self.edge == "comments":
                media_id = media_id or self.edge_owner
            is_reply = parent_id is not None
        author = record.get("from")
        author_id = id_text(author.get("id")) if isinstance(author, dict) else None
        try:
            self._interaction(
                record,
                interaction_id=_required_id(record),
                interaction_type="reply" if is_reply else "comment",
                author_id=author_id,
                text=record.get("text"),
                parent_id=parent_id or media_id,
                conversation_id=media_id,
                in_reply_to_author_id=parent_author_id,
                like_count=to_int(record.get("like_count")),
            )
        finally:
            for index, reply in enumerate(nested_data(record, "replies")):
                reply_context = {"parent_id": comment_id, "media_id": media_id, "parent_author_id": author_id}
                self.read_record(f"{locator}.replies.data[{index}]", reply, reply_context)

    def _mention(self, record: dict) -> None:
        """``{"mentioned_comment": {...}, "id": account}``: someone mentioned the account in a comment or a caption."""
        if isinstance(record.get("mentioned_media"), dict):
            self._media("$", record["mentioned_media"], interaction_type="mention")
            return
        comment = record.get("mentioned_comment")
        if not isinstance(comment, dict):
            raise RecordProblem("mentioned_comment is not an object")
        media = comment.get("media")
        media_id = id_text(media.get("id")) if isinstance(media, dict) else None
        self._interaction(
            comment,
            interaction_id=_required_id(comment),
            interaction_type="mention",
            text=comment.get("text"),
            parent_id=media_id,
            conversation_id=media_id,
            like_count=to_int(comment.get("like_count")),
        )

    def _insight(self, record: dict, context: dict | None) -> None:
        name, period = record.get("name"), record.get("period")
        object_id = context["media_id"] if context else str(record.get("id", "")).split("/insights/", 1)[0] or None
        if object_id is None:
            raise RecordProblem("insight without the id of its media or account")
        if period == "lifetime":
            column = CONTENT_METRICS.get(name)
            if column is None:
                raise RecordProblem("media insight without a content_metrics column (a metric not read)")
            total = _insight_total(record)
            row = self.content_metrics.setdefault(
                object_id,
                {"platform": PLATFORM, "content_id": object_id, "date": None, "_source_line": self.position},
            )
            row[column] = total
        elif period == "day":
            column = ACCOUNT_METRICS.get(name)
            if column is None:
                raise RecordProblem("account insight without an account_metrics column (a metric not read)")
            for day, value in list(_daily_values(record)):  # all values parse before any is kept
                row = self.account_metrics.setdefault(
                    (object_id, day),
                    {"platform": PLATFORM, "account_id": object_id, "date": day, "_source_line": self.position},
                )
                row[column] = value
        else:
            raise RecordProblem("insight period not read: only lifetime (media) and day (account) are")

    def _user(self, record: dict) -> None:
        self.add(
            "people",
            {
                "platform": PLATFORM,
                "person_id": _required_id(record),
                "handle": record.get("username"),
                "display_name": record.get("name"),
                "description": record.get("biography"),
                "followers_count": to_int(record.get("followers_count")),
                "following_count": to_int(record.get("follows_count")),
                "_source_line": self.position,
            },
        )

    def _interaction(self, record: dict, **values: Any) -> None:
        if not record.get("timestamp"):
            raise RecordProblem("timestamp missing")
        text = values.pop("text") or None
        author = record.get("from")
        handle = record.get("username") or (author.get("username") if isinstance(author, dict) else None)
        self.add(
            "interactions",
            {
                "platform": PLATFORM,
                "record_version": 0,
                "created_at": parse_utc(record["timestamp"]),
                "author_handle": handle,
                "text": text,
                "mentioned_handles": handles_in(text),
                **values,
                "_source_line": self.position,
            },
        )
        if values.get("author_id") and handle:
            person = {"platform": PLATFORM, "person_id": values["author_id"], "handle": handle}
            self.add("people", {**person, "_source_line": self.position})


def _required_id(record: dict) -> str:
    record_id = id_text(record.get("id"))
    if record_id is None:
        raise RecordProblem("id missing")
    return record_id


def _insight_total(record: dict) -> int | None:
    """A lifetime insight's value: ``total_value.value`` (newer API) or ``values[0].value``."""
    total = record.get("total_value")
    if isinstance(total, dict):
        return _count(total.get("value"))
    values = record.get("values")
    if not isinstance(values, list) or len(values) != 1 or not isinstance(values[0], dict):
        raise RecordProblem("lifetime insight without a single value")
    return _count(values[0].get("value"))


def _daily_values(record: dict) -> Iterator[tuple[date, int | None]]:
    """(day, value) for a daily insight. ``end_time`` is the midnight that ENDS the day measured, in the account's
    time zone (Meta: "the first end_time is since + 1 day"; 07:00 UTC is midnight in California): rounded to the
    nearest midnight, whatever the offset, then one day back."""
    values = record.get("values")
    if not isinstance(values, list):
        # a total_value over a request window: the window is in the request, not the response, so no day to give it
        raise RecordProblem("daily insight as total_value has no end_time: the days it covers are not in the response")
    for value in values:
        if not isinstance(value, dict) or not value.get("end_time"):
            raise RecordProblem("daily insight value without end_time")
        end = parse_utc(value["end_time"]) + timedelta(hours=12)
        yield end.date() - timedelta(days=1), _count(value.get("value"))


def _count(value: Any) -> int | None:
    if isinstance(value, dict):
        raise RecordProblem("insight value is a breakdown, not a count")
    return to_int(value)


register(
    ExportFormat(
        FORMAT,
        "Instagram Graph API JSON response: media, comments/replies, mentions, tagged media, media/account insights",
        sniff,
        read,
        priority=100,
    )
)
