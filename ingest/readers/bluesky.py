"""Bluesky / AT Protocol JSON: repository records, post threads, and follow lists.

- a record (``com.atproto.repo.getRecord``: ``{"uri", "cid", "value": {"$type": ...}}``) or a list of them
  (``listRecords``: ``{"records": [...]}``): ``app.bsky.feed.post`` -> "post", "reply" when ``reply`` is set (parent
  and root URIs -> parent_id / conversation_id) or "quote" when it embeds another post; ``app.bsky.feed.like`` ->
  "reaction"; ``app.bsky.feed.repost`` -> "share"; ``app.bsky.graph.follow`` -> "follow";
- ``app.bsky.feed.getPostThread`` (``{"thread": ...}``): the post, its ancestors (``parent``) and its replies,
  recursively, with likeCount / repostCount / replyCount / quoteCount and the authors as people;
- ``app.bsky.graph.getFollows`` / ``getFollowers`` (``{"follows" | "followers": [...], "subject": ...}``): one
  "follow" per entry and every profile as a person.

Ids are AT URIs (``at://did/collection/rkey``); authors are DIDs (a handle can change, a DID does not).
Record keys are TIDs, which encode their creation time in microseconds since the epoch, in UTC: a record whose
``createdAt`` has no zone (some clients write local time without one) is dated by its TID instead, and a follow listed
by getFollows/getFollowers is dated by the TID of its follow record. Thread placeholders (``notFoundPost``,
``blockedPost``) stand for posts the response does not carry: they are not records and are not counted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from ingest.base import (
    RECORD_ERRORS,
    ExportFormat,
    ReadResult,
    RecordProblem,
    Sample,
    error_reason,
    register,
    register_skipped,
)
from ingest.readers.ids import to_int
from ingest.readers.json_pages import RecordDocument, sample_document, unreadable_document
from ingest.readers.links import handles_in
from ingest.readers.text_files import load_json
from ingest.readers.timestamps import parse_utc

FORMAT = "bluesky_atproto"
PLATFORM = "bluesky"

_RECORD_TYPES = {
    "app.bsky.feed.post": "post",
    "app.bsky.feed.like": "reaction",
    "app.bsky.feed.repost": "share",
    "app.bsky.graph.follow": "follow",
}
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_TID = re.compile(r"[2-7a-j][2-7a-z]{12}")
_AT_URI = re.compile(r"at://([^/]+)/([^/]+)/([^/?#]+)")
_SNIFF_KEYS = re.compile(
    r'"\$type"\s*:\s*"(app\.bsky\.feed\.(post|like|repost)|app\.bsky\.graph\.follow|app\.bsky\.feed\.defs#threadViewPost)"'
    r'|"(follows|followers)"\s*:\s*\[\s*\{\s*"did"\s*:'
)


def sniff(sample: Sample) -> bool:
    document = sample_document(sample)
    if document is None:
        return sample.text.lstrip().startswith("{") and bool(_SNIFF_KEYS.search(sample.text))
    if not isinstance(document, dict):
        return False
    if "thread" in document:
        return isinstance(document["thread"], dict) and "post" in document["thread"]
    if "subject" in document and ("follows" in document or "followers" in document):
        return True
    if isinstance(document.get("records"), list):  # com.atproto.repo.listRecords; an empty page has no records
        return document.keys() <= {"records", "cursor"} and all(
            _record_type(record) in _RECORD_TYPES for record in document["records"][:5]
        )
    return _record_type(document) in _RECORD_TYPES


def _record_type(record: Any) -> str | None:
    value = record.get("value") if isinstance(record, dict) else None
    return value.get("$type") if isinstance(value, dict) and isinstance(record.get("uri"), str) else None


def read(path: Path) -> Iterator[ReadResult]:
    try:
        document = load_json(path)
        if not isinstance(document, dict):
            raise RecordProblem("not an AT Protocol record, thread or follow list (expected a JSON object)")
    except RECORD_ERRORS as error:
        yield unreadable_document(FORMAT, path, error)
        return
    reader = _BlueskyDocument()
    if "thread" in document:
        reader.read_thread("$.thread", document["thread"], direction=None)
    elif "follows" in document or "followers" in document:
        reader.read_follow_list(document)
    elif isinstance(document.get("records"), list):
        for index, record in enumerate(document["records"]):
            reader.read_record(f"$.records[{index}]", record)
    else:
        reader.read_record("$", document)
    yield reader.result()


class _BlueskyDocument(RecordDocument):
    def __init__(self) -> None:
        super().__init__(FORMAT)

    def _guarded(self, locator: str, raw: Any, read_one: Callable[[], None]) -> None:
        """Count one record and read it; a record that cannot be read goes to quarantine."""
        self.position += 1
        try:
            read_one()
        except RECORD_ERRORS as error:
            self.reject(locator, error_reason(error), raw)

    def _is_list(self, locator: str, records: Any) -> bool:
        """Whether a list of records is one; if not, it is one bad record of its own."""
        if isinstance(records, list):
            return True
        self.position += 1
        self.reject(locator, "not a JSON array of records", records)
        return False

    # -------------------------------------------------------------------------------------------- records

    def read_record(self, locator: str, record: Any) -> None:
        self._guarded(locator, record, lambda: self._record(record))

    def _record(self, record: Any) -> None:
        if _record_type(record) is None:
            raise RecordProblem("not an AT Protocol record (uri, value.$type)")
        self._interaction(record["uri"], record["value"])

    def _interaction(self, uri: str, value: dict, view: dict | None = None) -> None:
        """One record (``value``) at ``uri``; ``view`` is the post view that carried it, with author and counts."""
        author_did, _, rkey = _uri_parts(uri)
        record_type = value.get("$type", "app.bsky.feed.post")
        if record_type not in _RECORD_TYPES:
            raise RecordProblem("record type is not read (posts, likes, reposts, follows)")
        interaction_type = _RECORD_TYPES[record_type]
        parent_id = conversation_id = None
        if interaction_type == "post":
            reply, quoted = value.get("reply"), _quoted_uri(value.get("embed"))
            if isinstance(reply, dict):
                interaction_type = "reply"
                parent_id, conversation_id = _ref_uri(reply.get("parent")), _ref_uri(reply.get("root"))
            elif quoted:
                interaction_type, parent_id, conversation_id = "quote", quoted, uri
            else:
                conversation_id = uri
        else:
            subject = value.get("subject")
            parent_id = subject if isinstance(subject, str) else _ref_uri(subject)  # a follow's subject is a DID
        if parent_id is None and interaction_type != "post":
            raise RecordProblem(f"{interaction_type} without a subject / parent")
        text = value.get("text") or None
        author = view.get("author") if view else None
        langs = value.get("langs")
        is_post = record_type == "app.bsky.feed.post"
        self.add(
            "interactions",
            {
                "platform": PLATFORM,
                "interaction_id": uri,
                "record_version": 0,
                "interaction_type": interaction_type,
                "created_at": _created_at(value.get("createdAt"), rkey),
                "author_id": author_did,
                "author_handle": author.get("handle") if isinstance(author, dict) else None,
                "author_name": author.get("displayName") if isinstance(author, dict) else None,
                "text": text,
                "lang": langs[0] if isinstance(langs, list) and langs else None,
                "parent_id": parent_id,
                "conversation_id": conversation_id,
                "in_reply_to_author_id": _author_of(parent_id),
                "mentioned_handles": handles_in(text),
                "url": f"https://bsky.app/profile/{author_did}/post/{rkey}" if is_post else None,
                "like_count": to_int(view.get("likeCount")) if view else None,
                "reply_count": to_int(view.get("replyCount")) if view else None,
                "share_count": to_int(view.get("repostCount")) if view else None,
                "quote_count": to_int(view.get("quoteCount")) if view else None,
                "_source_line": self.position,
            },
        )
        if isinstance(author, dict):
            self._person(author)

    # -------------------------------------------------------------------------------------------- threads

    def read_thread(self, locator: str, node: Any, direction: Literal["up", "down"] | None) -> None:
        """A threadViewPost: its post, then its ancestors (``parent``) or its replies, walking away from the root
        post of the response in one direction only, so no post is read twice."""
        if not isinstance(node, dict) or not isinstance(node.get("post"), dict):
            return  # notFoundPost / blockedPost: a placeholder, not a record
        post = node["post"]
        self._guarded(f"{locator}.post", post, lambda: self._post_view(post))
        if direction in (None, "up") and node.get("parent") is not None:
            self.read_thread(f"{locator}.parent", node["parent"], "up")
        if direction in (None, "down"):
            if not self._is_list(f"{locator}.replies", node.get("replies") or []):
                return
            for index, reply in enumerate(node.get("replies") or []):
                self.read_thread(f"{locator}.replies[{index}]", reply, "down")

    def _post_view(self, post: dict) -> None:
        if not isinstance(post.get("uri"), str) or not isinstance(post.get("record"), dict):
            raise RecordProblem("post view without uri or record")
        self._interaction(post["uri"], post["record"], view=post)

    # -------------------------------------------------------------------------------------------- follows

    def read_follow_list(self, document: dict) -> None:
        subject = document.get("subject")
        self._guarded("$.subject", subject, lambda: self._subject(subject))
        if not isinstance(subject, dict) or not subject.get("did"):
            return
        following = "follows" in document  # getFollows: the subject follows each entry; getFollowers: the reverse
        entries = document.get("follows" if following else "followers") or []
        key = "follows" if following else "followers"
        if not self._is_list(f"$.{key}", entries):
            return
        for index, profile in enumerate(entries):
            locator = f"$.{key}[{index}]"
            self._guarded(locator, profile, lambda profile=profile: self._listed_follow(subject, profile, following))

    def _subject(self, subject: Any) -> None:
        if not isinstance(subject, dict) or not subject.get("did"):
            raise RecordProblem("follow list without its subject profile")
        self._person(subject)

    def _listed_follow(self, subject: dict, profile: Any, following: bool) -> None:
        if not isinstance(profile, dict) or not profile.get("did"):
            raise RecordProblem("profile without did")
        follower, followed = (subject, profile) if following else (profile, subject)
        viewer = profile.get("viewer") if isinstance(profile.get("viewer"), dict) else {}
        # the follow record's URI is only in the viewer state: "following" when the viewer (the subject, for an
        # account's own export) follows the entry, "followedBy" when the entry follows the viewer
        record_uri = viewer.get("following" if following else "followedBy")
        if not isinstance(record_uri, str) or _uri_parts(record_uri)[0] != follower["did"]:
            raise RecordProblem("follow record not in the response (viewer is not the subject): no follow time")
        self._person(profile)
        self.add(
            "interactions",
            {
                "platform": PLATFORM,
                "interaction_id": record_uri,
                "record_version": 0,
                "interaction_type": "follow",
                "created_at": _tid_time(_uri_parts(record_uri)[2]),
                "author_id": follower["did"],
                "author_handle": follower.get("handle"),
                "author_name": follower.get("displayName"),
                "parent_id": followed["did"],
                "in_reply_to_author_id": followed["did"],
                "mentioned_handles": [],
                "_source_line": self.position,
            },
        )

    def _person(self, profile: dict) -> None:
        self.add(
            "people",
            {
                "platform": PLATFORM,
                "person_id": profile.get("did"),
                "handle": profile.get("handle"),
                "display_name": profile.get("displayName") or None,
                "description": profile.get("description") or None,
                "followers_count": to_int(profile.get("followersCount")),
                "following_count": to_int(profile.get("followsCount")),
                "account_created_at": parse_utc(profile["createdAt"]) if profile.get("createdAt") else None,
                "_source_line": self.position,
            },
        )


def _uri_parts(uri: str) -> tuple[str, str, str]:
    """(repository DID, collection, record key) of an AT URI."""
    match = _AT_URI.match(uri)
    if match is None:
        raise RecordProblem("not an AT URI (at://<did>/<collection>/<record key>)")
    return match.group(1), match.group(2), match.group(3)


def _author_of(subject: str | None) -> str | None:
    """The DID behind a subject: a DID itself (follows) or the repository of an AT URI."""
    if subject is None or subject.startswith("did:"):
        return subject
    return _uri_parts(subject)[0]


def _ref_uri(ref: Any) -> str | None:
    return ref.get("uri") if isinstance(ref, dict) and isinstance(ref.get("uri"), str) else None


def _quoted_uri(embed: Any) -> str | None:
    """The post a post quotes: ``embed.record`` (app.bsky.embed.record) or ``embed.record.record`` (recordWithMedia)."""
    if not isinstance(embed, dict):
        return None
    record = embed.get("record")
    if isinstance(record, dict) and isinstance(record.get("record"), dict):
        record = record["record"]
    uri = _ref_uri(record)
    return uri if uri and "/app.bsky.feed.post/" in uri else None


def _tid_time(rkey: str) -> datetime:
    if not _TID.fullmatch(rkey):
        raise RecordProblem("record key is not a TID: no creation time")
    value = 0
    for char in rkey:
        value = value * 32 + _TID_ALPHABET.index(char)
    return datetime.fromtimestamp((value >> 10) / 1_000_000, tz=UTC)  # the low 10 bits are a clock id


def _created_at(created: Any, rkey: str) -> datetime:
    if not created:
        return _tid_time(rkey)
    try:
        return parse_utc(created)
    except ValueError:
        zoneless = parse_utc(created, assume_zone="UTC")  # still raises for a value that is no time at all
        return _tid_time(rkey) if _TID.fullmatch(rkey) else zoneless  # the TID is the record's UTC creation time


register(
    ExportFormat(
        FORMAT,
        "Bluesky / AT Protocol JSON: post/like/repost/follow records, getPostThread, getFollows/getFollowers",
        sniff,
        read,
        priority=100,
    )
)


def _is_feed_generator(sample: Sample) -> bool:
    document = sample_document(sample)
    return isinstance(document, dict) and _record_type(document) == "app.bsky.feed.generator"


register_skipped(
    "bluesky_feed_generator",
    "AT Protocol app.bsky.feed.generator record (a custom feed's did, displayName, description)",
    "the declaration of a custom feed (its name and description): it holds no posts, likes, follows or people",
    _is_feed_generator,
)
