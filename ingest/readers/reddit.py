"""Reddit API JSON: a submission with its comment tree, ``/api/morechildren`` answers, and plain Listings.

- ``GET /comments/{id}`` answers with a JSON array of two Listings: the submission (t3) and its comment tree (t1),
  each comment holding its own replies as a nested Listing (``replies``, or "" when there are none);
- ``/api/morechildren`` answers ``{"json": {"data": {"things": [...]}}}``: a flat list of comments that were folded
  behind "load more" (their ``parent_id`` links them into the tree);
- a single Listing (``{"kind": "Listing", "data": {"children": [...]}}``) from a subreddit or user page.

A t3 is a "post", a t1 whose parent is the submission (``parent_id`` t3_...) a "comment", one under another comment a
"reply". Ids are Reddit fullnames (``t3_2gmzqe``, ``t1_cklfmye``) because ``parent_id`` and ``link_id`` use them, so
parent and thread links join as they are. "more" stubs only say that comments were left out of this response: they are
not records, so they are neither rows nor counted in ``rows_read``; the comments they stand for arrive through
``/api/morechildren``, which this reader also reads.

Authors are identified by username (unique and permanent on Reddit; older responses carry no ``author_fullname``).
A deleted author ("[deleted]") keeps a null author; a deleted or removed body keeps a null text. An edited comment
(``edited`` = the edit's epoch seconds) gets that as its ``record_version``. ``score`` (net votes) is the like count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.base import RECORD_ERRORS, ExportFormat, ReadResult, RecordProblem, Sample, error_reason, register
from ingest.readers.ids import id_text, to_int
from ingest.readers.json_pages import RecordDocument, sample_document, unreadable_document
from ingest.readers.text_files import load_json
from ingest.readers.timestamps import parse_utc

FORMAT = "reddit_api"
PLATFORM = "reddit"

_DELETED_AUTHORS = {"[deleted]", "[removed]"}
_DELETED_BODIES = {"[deleted]", "[removed]"}
_USER_MENTION = re.compile(r"(?<![\w/])/?u/([A-Za-z0-9_-]{3,20})\b")
_SNIFF_LISTING = re.compile(r'^\s*\[?\s*\{\s*"kind"\s*:\s*"Listing"')
_SNIFF_THINGS = re.compile(r'^\s*\{\s*"json"\s*:\s*\{.*"things"\s*:\s*\[\s*\{\s*"kind"\s*:\s*"t[13]"', re.DOTALL)


def sniff(sample: Sample) -> bool:
    document = sample_document(sample)
    if document is not None:
        try:
            _top_things(document)  # an empty Listing is a page with no things, still Reddit's
        except ValueError:
            return False
        return True
    return bool(_SNIFF_LISTING.match(sample.text) or _SNIFF_THINGS.match(sample.text[:4000]))


def _top_things(document: Any) -> list[tuple[str, Any]]:
    """(JSON path, thing) for the top-level things of a response; ValueError when it is not a Reddit response."""
    if isinstance(document, list) and document and all(_is_listing(item) for item in document):
        return [
            (f"$[{index}].data.children[{position}]", thing)
            for index, listing in enumerate(document)
            for position, thing in enumerate(listing["data"]["children"])
        ]
    if _is_listing(document):
        return [(f"$.data.children[{position}]", thing) for position, thing in enumerate(document["data"]["children"])]
    things = _path(document, "json", "data", "things")
    if isinstance(things, list):
        return [(f"$.json.data.things[{position}]", thing) for position, thing in enumerate(things)]
    raise RecordProblem("not a Reddit Listing, comment-tree array or morechildren response")


def _path(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _is_listing(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and value.get("kind") == "Listing"
        and isinstance(value.get("data"), dict)
        and isinstance(value["data"].get("children"), list)
    )


def read(path: Path) -> Iterator[ReadResult]:
    try:
        things = _top_things(load_json(path))
    except RECORD_ERRORS as error:
        yield unreadable_document(FORMAT, path, error)
        return
    reader = _RedditDocument()
    for locator, thing in things:
        reader.read_thing(locator, thing)
    reader.link_parent_authors()
    yield reader.result()


class _RedditDocument(RecordDocument):
    def __init__(self) -> None:
        super().__init__(FORMAT)
        self.authors: dict[str, str | None] = {}  # fullname -> author, to name the author of each parent
        self.post_permalinks: dict[str, str] = {}  # t3 fullname -> permalink, to build comment URLs

    def read_thing(self, locator: str, thing: Any) -> None:
        kind = thing.get("kind") if isinstance(thing, dict) else None
        if kind == "more":
            return  # a stub for comments left out of this response, not a record
        self.position += 1
        data = thing.get("data") if isinstance(thing, dict) else None
        try:
            if not isinstance(data, dict):
                raise RecordProblem("thing without data")
            if kind == "t3":
                self._submission(data)
            elif kind == "t1":
                self._comment(data)
            else:
                raise RecordProblem("thing kind is not read (submissions t3 and comments t1)")
        except RECORD_ERRORS as error:
            self.reject(locator, error_reason(error), thing)
        # the replies are records of their own, read even when their parent could not be
        replies = data.get("replies") if isinstance(data, dict) else None
        if _is_listing(replies):
            for position, reply in enumerate(replies["data"]["children"]):
                self.read_thing(f"{locator}.data.replies.data.children[{position}]", reply)

    def _submission(self, data: dict) -> None:
        fullname = _fullname(data, "t3")
        title, body = data.get("title"), _body(data.get("selftext"))
        text = "\n\n".join(part for part in (title, body) if part) or None
        if data.get("permalink"):
            self.post_permalinks[fullname] = data["permalink"]
        self._add(
            data,
            interaction_id=fullname,
            interaction_type="post",
            text=text,
            conversation_id=fullname,
            url=_reddit_url(data.get("permalink")),
            reply_count=to_int(data.get("num_comments")),
        )

    def _comment(self, data: dict) -> None:
        fullname = _fullname(data, "t1")
        parent_id, link_id = id_text(data.get("parent_id")), id_text(data.get("link_id"))
        if parent_id is None:
            raise RecordProblem("parent_id missing")
        permalink = data.get("permalink")
        if not permalink and link_id in self.post_permalinks:
            permalink = f"{self.post_permalinks[link_id]}{fullname.removeprefix('t1_')}/"
        self._add(
            data,
            interaction_id=fullname,
            interaction_type="comment" if parent_id.startswith("t3_") else "reply",
            text=_body(data.get("body")),
            parent_id=parent_id,
            conversation_id=link_id,
            url=_reddit_url(permalink),
        )

    def _add(self, data: dict, **values: Any) -> None:
        if data.get("created_utc") is None:
            raise RecordProblem("created_utc missing")
        author = data.get("author")
        author = None if author in _DELETED_AUTHORS else id_text(author)
        self.authors[values["interaction_id"]] = author
        edited = data.get("edited")  # false, or the edit time in epoch seconds
        text = values["text"]
        self.add(
            "interactions",
            {
                "platform": PLATFORM,
                "record_version": int(edited)
                if isinstance(edited, int | float) and not isinstance(edited, bool)
                else 0,
                "created_at": parse_utc(data["created_utc"]),
                "author_id": author,
                "author_handle": author,
                "mentioned_handles": list(dict.fromkeys(name.lower() for name in _USER_MENTION.findall(text or ""))),
                "like_count": to_int(data.get("score")),
                **values,
                "_source_line": self.position,
            },
        )
        if author is not None:
            self.add(
                "people",
                {
                    "platform": PLATFORM,
                    "person_id": author,
                    "handle": author,
                    "_source_line": self.position,
                },
            )

    def link_parent_authors(self) -> None:
        """Name each record's parent author where the parent is in the same response."""
        for row in self.rows.get("interactions", []):
            parent_id = row.get("parent_id")
            if parent_id is not None:
                row["in_reply_to_author_id"] = self.authors.get(parent_id)


def _fullname(data: dict, kind: str) -> str:
    name = id_text(data.get("name"))
    if name is None:
        thing_id = id_text(data.get("id"))
        if thing_id is None:
            raise RecordProblem("id missing")
        name = f"{kind}_{thing_id}"
    return name


def _body(body: Any) -> str | None:
    return None if not body or body in _DELETED_BODIES else body


def _reddit_url(permalink: str | None) -> str | None:
    return f"https://www.reddit.com{permalink}" if permalink else None


register(
    ExportFormat(
        FORMAT,
        "Reddit API JSON: submission + comment tree (array of two Listings), /api/morechildren response, or a Listing",
        sniff,
        read,
        priority=100,
    )
)
