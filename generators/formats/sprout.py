"""A Sprout-Social-like "Messages" report (CSV) of Facebook pages, for the generic mapping reader.

The header is the one ingest/mappings/sprout_social_messages.yaml reads: "Timestamp (ET)" in the report's own format
("08/04/2026 10:15 AM", New York time), Network, Message Type (Post, Comment, Reply), Message ID, From Profile ID,
From, From Name, Message, Language, In Reply To ID, Conversation ID, Permalink, Likes, Comments, Shares, Impressions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from generators.formats.tables import write_csv

if TYPE_CHECKING:
    from generators.scale.conversation import Item

HEADER = (
    "Timestamp (ET)",
    "Network",
    "Message Type",
    "Message ID",
    "From Profile ID",
    "From",
    "From Name",
    "Message",
    "Language",
    "In Reply To ID",
    "Conversation ID",
    "Permalink",
    "Likes",
    "Comments",
    "Shares",
    "Impressions",
)
REPORT_ZONE = ZoneInfo("America/New_York")


@dataclass
class SproutRow:
    """One message of the report; the counts after ``likes`` are a post's only (empty cells for comments)."""

    at: datetime
    kind: str  # Post | Comment | Reply
    message_id: str
    author_id: str
    author: str
    author_name: str
    text: str
    lang: str
    parent_id: str
    conversation_id: str
    permalink: str
    likes: int
    comments: int | None = None
    shares: int | None = None
    impressions: int | None = None


def _cells(row: SproutRow) -> tuple:
    stamp = row.at.astimezone(REPORT_ZONE).strftime("%m/%d/%Y %I:%M %p")
    return (
        stamp,
        "Facebook",
        row.kind,
        row.message_id,
        row.author_id,
        row.author,
        row.author_name,
        row.text,
        row.lang,
        row.parent_id,
        row.conversation_id,
        row.permalink,
        row.likes,
        row.comments,
        row.shares,
        row.impressions,
    )


def write_sprout_messages(path: Path, rows: Iterable[SproutRow]) -> Path:
    """The report at ``path``, its rows in time order (then by message id), as the tool exports them."""
    ordered = sorted(rows, key=lambda row: (row.at, row.message_id))
    return write_csv(path, HEADER, (_cells(row) for row in ordered))


def facebook_rows(items: Iterable[Item], page_id: str, page_handle: str) -> list[SproutRow]:
    """The scale generator's Facebook items of one page as report rows: posts, comments on them, replies to comments
    (ids and permalinks as the page's Graph API feed has them; a sticker comment has an empty message)."""
    rows = []
    for item in items:
        root = item.root
        post_id = f"{page_id}_{root.item_id}"
        permalink = f"https://www.facebook.com/{page_handle}/posts/{root.item_id}"
        if item.parent is None:
            kind, message_id, parent_id = "Post", post_id, ""
        else:
            kind = "Comment" if item.parent is root else "Reply"
            message_id = f"{root.item_id}_{item.item_id}"
            parent_id = post_id if item.parent is root else f"{root.item_id}_{item.parent.item_id}"
            permalink += f"?comment_id={item.item_id}"
        counts = (None, None, None) if item.parent is not None else (None, 0, item.likes * 31 + 40)
        rows.append(
            SproutRow(
                item.created_at,
                kind,
                message_id,
                item.author.person_id,
                item.author.handle,
                item.author.name,
                item.text or "",
                item.lang,
                parent_id,
                post_id,
                permalink,
                item.likes,
                *counts,
            )
        )
    return rows
