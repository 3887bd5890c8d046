"""Facebook Graph API responses: Page feed posts, comments and their replies, Messenger conversations and messages, and
the Page object itself.

A response is one JSON document in one of the three shapes the Graph API answers with: a list page
(``{"data": [...], "paging": {...}}``, ``paging.next`` is not followed), one object (``{"id": ...}``) or a batch keyed
by id (``?ids=a,b`` -> ``{"a": {...}, "b": {...}}``). Each object in it is one record; comments nested under a post
(``comments.data``) or under a comment are records too. ``_source_line`` is the record's 1-based position in the
document, in reading order.

Comment lists often come without ``id`` and ``from`` (the page asked only for message fields): the comment id and the
thread are then read from ``permalink_url`` (``.../{page}/posts/{post}/?comment_id=C&reply_comment_id=R``), which is
where Facebook itself encodes them. A comment on a post is a "comment"; a comment on a comment is a "reply".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ingest.base import RECORD_ERRORS, ExportFormat, ReadResult, RecordProblem, Sample, error_reason, register
from ingest.readers.ids import id_text, to_int
from ingest.readers.json_pages import (
    RecordDocument,
    graph_records,
    is_empty_graph_page,
    nested_data,
    sample_document,
    unreadable_document,
)
from ingest.readers.links import distinct_links, handles_in
from ingest.readers.text_files import load_json
from ingest.readers.timestamps import parse_utc

FORMAT = "facebook_graph"
PLATFORM = "facebook"

# Keys that mark a Page-side object (post, comment, message, conversation, Page). Marketing API objects (campaigns,
# ads, insights) also carry created_time, so their own keys rule a document out.
_CONTENT_KEYS = re.compile(r'"(message|permalink_url|comment_count|status_type|story|message_count|fan_count)"\s*:')
_ADS_KEYS = re.compile(r'"(account_id|campaign_id|adset_id|date_start|object_story_spec|objective)"\s*:')
_INSTAGRAM_KEYS = re.compile(r'"(timestamp|media_type|mentioned_comment|mentioned_media)"\s*:')
_NOT_PAGE_SIDE_KEYS = {
    *("account_id", "campaign_id", "adset_id", "date_start", "object_story_spec", "objective"),
    *("timestamp", "media_type", "mentioned_comment", "mentioned_media"),
}
_CREATED_TIME = re.compile(r'"created_time"\s*:')
_PAGE_POST_PERMALINK = re.compile(r"facebook\.com/(\d+)/posts/(\d+)")
_LINK_SHIM = re.compile(r"^https?://(?:l|lm)\.facebook\.com/l\.php$")  # Facebook's outbound-link redirect


# ------------------------------------------------------------------------------------------------ sniff


def sniff(sample: Sample) -> bool:
    document = sample_document(sample)
    if is_empty_graph_page(document):
        # nothing tells an empty Facebook page from an empty Instagram one; read here, it gives 0 rows either way
        return True
    if document is not None:
        records = [record for _, record in graph_records(document) if isinstance(record, dict)]
        return bool(records) and all(_record_kind(record) is not None for record in records[:5])
    text = sample.text.lstrip()
    return (
        text.startswith("{")
        and bool(_CREATED_TIME.search(text))
        and bool(_CONTENT_KEYS.search(text))
        and not _ADS_KEYS.search(text)
        and not _INSTAGRAM_KEYS.search(text)
    )


def _record_kind(record: dict) -> str | None:
    """What a Graph object is: post, comment, message, conversation, page, or None when not a Page-side object."""
    if record.keys() & _NOT_PAGE_SIDE_KEYS:
        return None
    record_id = str(record.get("id", ""))
    if "message_count" in record or record_id.startswith("t_") or "messages" in record:
        return "conversation"
    if record_id.startswith(("m_", "mid.")):  # Messenger message ids
        return "message"
    if "created_time" in record or "message" in record or "story" in record:
        permalink = str(record.get("permalink_url", ""))
        if "comment_id=" in permalink or "comment_count" in record or "parent" in record:
            return "comment"
        return "post"
    if "fan_count" in record or ("name" in record and ("username" in record or "category" in record)):
        return "page"
    return None


# ------------------------------------------------------------------------------------------------ read


def read(path: Path) -> Iterator[ReadResult]:
    try:
        document = load_json(path)
    except RECORD_ERRORS as error:
        yield unreadable_document(FORMAT, path, error)
        return
    reader = _FacebookDocument()
    for locator, record in graph_records(document):
        reader.read_record(locator, record)
    yield reader.result()


class _FacebookDocument(RecordDocument):
    """Walks the records of one response, collecting canonical rows and quarantined records."""

    def __init__(self) -> None:
        super().__init__(FORMAT)

    def read_record(self, locator: str, record: Any, context: dict | None = None) -> None:
        """Read one record; ``context`` carries the post / comment / conversation a nested record hangs under."""
        if not isinstance(record, dict):
            self.position += 1
            self.reject(locator, "record is not a JSON object", record)
            return
        kind = (context or {}).get("kind") or _record_kind(record)
        if kind == "conversation":
            self._conversation(locator, record)
            return
        self.position += 1
        try:
            if kind == "post":
                self._post(locator, record)
            elif kind == "comment":
                self._comment(locator, record, context or {})
            elif kind == "message":
                self._message(record, context or {})
            elif kind == "page":
                self._page(record)
            else:
                raise RecordProblem("not a Facebook post, comment, message, conversation or Page")
        except RECORD_ERRORS as error:
            self.reject(locator, error_reason(error), record)

    def _conversation(self, locator: str, record: dict) -> None:
        messages = nested_data(record, "messages")
        if not messages:
            # a conversation summary (snippet, message_count) holds no message of its own: it is counted and kept in
            # quarantine so the missing messages are visible rather than silently absent
            self.position += 1
            reason = "conversation summary without messages: request fields=messages{message,from,to,created_time}"
            self.reject(locator, reason, record)
            return
        thread = {"conversation_id": id_text(record.get("id"))}
        for index, message in enumerate(messages):
            self.read_record(f"{locator}.messages.data[{index}]", message, {**thread, "kind": "message"})

    def _post(self, locator: str, record: dict) -> None:
        post_id = id_text(record.get("id"))
        page_id = post_id.split("_", 1)[0] if post_id and "_" in post_id else None
        author_id, author_name = _from(record)
        comments = {"kind": "comment", "parent_id": post_id, "conversation_id": post_id}
        try:
            self._interaction(
                interaction_id=_required(post_id, "id"),
                interaction_type="post",
                created_at=_created(record),
                author_id=author_id or page_id,
                author_name=author_name,
                text=record.get("message") or record.get("story"),
                conversation_id=post_id,
                url=record.get("permalink_url"),
                link_urls=_post_links(record),
                like_count=_first_not_none(_summary_count(record, "reactions"), _summary_count(record, "likes")),
                reply_count=_summary_count(record, "comments"),
                share_count=to_int((record.get("shares") or {}).get("count")),
            )
        finally:  # nested comments are records of their own, read even when their post could not be
            self._read_nested(locator, record, {**comments, "parent_author_id": author_id or page_id})

    def _comment(self, locator: str, record: dict, context: dict) -> None:
        comment_id, linked_parent_id, linked_post_id = _comment_links(record)
        # a comment nested under its post / comment is placed by the nesting; a listed one by its own links
        parent_id = context.get("parent_id") or linked_parent_id
        post_id = context.get("conversation_id") or linked_post_id
        is_reply = parent_id is not None and parent_id != post_id
        author_id, author_name = _from(record)
        replies = {
            "kind": "comment",
            "parent_id": comment_id,
            "conversation_id": post_id,
            "parent_author_id": author_id,
        }
        try:
            self._interaction(
                interaction_id=_required(comment_id, "comment id (id or permalink_url)"),
                interaction_type="reply" if is_reply else "comment",
                created_at=_created(record),
                author_id=author_id,
                author_name=author_name,
                text=record.get("message"),
                parent_id=parent_id or post_id,
                conversation_id=post_id,
                in_reply_to_author_id=context.get("parent_author_id"),
                url=record.get("permalink_url"),
                like_count=to_int(record.get("like_count")),
                reply_count=to_int(record.get("comment_count")),
            )
        finally:
            self._read_nested(locator, record, replies)

    def _read_nested(self, locator: str, record: dict, context: dict) -> None:
        for index, comment in enumerate(nested_data(record, "comments")):
            self.read_record(f"{locator}.comments.data[{index}]", comment, context)

    def _message(self, record: dict, context: dict) -> None:
        author_id, author_name = _from(record)
        recipients = nested_data(record, "to")
        self._interaction(
            interaction_id=_required_id(record),
            interaction_type="message",
            created_at=_created(record),
            author_id=author_id,
            author_name=author_name,
            text=record.get("message"),
            conversation_id=context.get("conversation_id"),
            in_reply_to_author_id=id_text(recipients[0].get("id")) if len(recipients) == 1 else None,
        )

    def _page(self, record: dict) -> None:
        self.add(
            "people",
            {
                "platform": PLATFORM,
                "person_id": _required_id(record),
                "handle": record.get("username"),
                "display_name": record.get("name"),
                "description": record.get("about") or record.get("description"),
                "followers_count": to_int(record.get("followers_count", record.get("fan_count"))),
                "_source_line": self.position,
            },
        )

    def _interaction(self, **values: Any) -> None:
        text = values.get("text") or None
        self.add(
            "interactions",
            {
                "platform": PLATFORM,
                "record_version": 0,
                **values,
                "text": text,
                "mentioned_handles": handles_in(text),
                "_source_line": self.position,
            },
        )
        if values.get("author_id") and values.get("author_name"):
            self.add(
                "people",
                {
                    "platform": PLATFORM,
                    "person_id": values["author_id"],
                    "display_name": values["author_name"],
                    "_source_line": self.position,
                },
            )


def _required_id(record: dict) -> str:
    return _required(id_text(record.get("id")), "id")


def _required(value: str | None, name: str) -> str:
    if value is None:
        raise RecordProblem(f"{name} missing")
    return value


def _created(record: dict) -> datetime:
    if not record.get("created_time"):
        raise RecordProblem("created_time missing")
    return parse_utc(record["created_time"])


def _from(record: dict) -> tuple[str | None, str | None]:
    """Author id and name from ``from`` (its e-mail address, present on Messenger messages, is not kept)."""
    author = record.get("from")
    if not isinstance(author, dict):
        return None, None
    return id_text(author.get("id")), author.get("name")


def _summary_count(record: dict, edge: str) -> int | None:
    container = record.get(edge)
    summary = container.get("summary") if isinstance(container, dict) else None
    return to_int(summary.get("total_count")) if isinstance(summary, dict) else None


def _post_links(record: dict) -> list[str] | None:
    """The URLs a post links to: its ``link``, then each attachment's and sub-attachment's URL (``unshimmed_url``,
    else ``url`` taken out of Facebook's l.facebook.com redirect). None when the response holds neither field (not
    requested: unknown, not "no links")."""
    if "link" not in record and "attachments" not in record:
        return None
    found = [record.get("link")]
    for attachment in nested_data(record, "attachments"):
        for item in (attachment, *nested_data(attachment, "subattachments")):
            if isinstance(item, dict):
                found.append(item.get("unshimmed_url") or _unshimmed(item.get("url")))
    return distinct_links(found)


def _unshimmed(url: Any) -> Any:
    """The target of an ``https://l.facebook.com/l.php?u=<encoded target>&h=...`` redirect; other values unchanged."""
    if not isinstance(url, str):
        return url
    parts = urlsplit(url.strip())
    if _LINK_SHIM.match(f"{parts.scheme}://{parts.netloc}{parts.path}"):
        target = parse_qs(parts.query).get("u")
        if target:
            return target[0]
    return url


def _first_not_none(*values: Any) -> Any:
    return next((value for value in values if value is not None), None)


def _comment_links(record: dict) -> tuple[str | None, str | None, str | None]:
    """(comment id, parent comment id or None, post id) from the record's id, parent and permalink_url."""
    comment_id = id_text(record.get("id"))
    parent = record.get("parent")
    parent_id = id_text(parent.get("id")) if isinstance(parent, dict) else None
    post_id = None
    permalink = str(record.get("permalink_url") or "")
    match = _PAGE_POST_PERMALINK.search(permalink)
    if match:
        page_id, post_number = match.groups()
        post_id = f"{page_id}_{post_number}"
        query = parse_qs(urlsplit(permalink).query)
        top_comment = query.get("comment_id", [None])[0]
        reply_comment = query.get("reply_comment_id", [None])[0]
        # comment ids are "{post number}_{comment number}"; a reply's permalink names the comment it answers
        if comment_id is None and (reply_comment or top_comment):
            comment_id = f"{post_number}_{reply_comment or top_comment}"
        if parent_id is None and reply_comment and top_comment:
            parent_id = f"{post_number}_{top_comment}"
    return comment_id, parent_id, post_id


register(
    ExportFormat(
        FORMAT,
        "Facebook Graph API JSON response: Page feed/posts, comments, Messenger conversations/messages, Page object",
        sniff,
        read,
        priority=100,
    )
)
