"""X (Twitter) API v2 responses: twarc2 files (one API response page per line) or one plain response document.

A page holds ``data`` (tweets, or users for a user lookup), ``includes.users`` (authors), ``includes.tweets``
(referenced tweets: what was replied to, quoted, retweeted, and earlier versions of edited tweets) and ``meta``;
twarc2 adds ``__twarc`` with the time it fetched the page. Each tweet object and each user object is one source
record: tweets become interactions, users become people.

Interaction types: a retweet is a ``share`` whose text and links stay null (its text is the truncated "RT @x: ..." of
someone else's words, which must not be scored or attributed as the retweeter's), a reply is a ``reply`` (also when it
quotes), a quote tweet a ``quote``, an original tweet that mentions another account a ``mention``, any other original
tweet a ``post``. ``link_urls`` holds the expanded URLs of ``entities.urls``: the text only has t.co links.
An edited tweet keeps the id of its first version (``edit_history_tweet_ids[0]``) with ``record_version`` its
position in the edit history, so staging can keep the newest version.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
from ingest.readers.ids import id_text, to_int
from ingest.readers.json_pages import ChunkBuilder, checked_row
from ingest.readers.links import distinct_links, handles_in
from ingest.readers.quarantine import MAX_RAW_RECORD_CHARS, line_locator
from ingest.readers.text_files import iter_json_lines, load_json, read_start
from ingest.readers.timestamps import parse_utc, parse_utc_or_none

FORMAT = "x_api_v2"
PLATFORM = "x"
_TWEET_MARKERS = ('"edit_history_tweet_ids"', '"conversation_id"', '"retweet_count"', '"referenced_tweets"')
_USER_MARKERS = ('"username"', '"followers_count"')
_EMPTY_PAGE = re.compile(r'\{\s*"meta"\s*:\s*\{\s*"result_count"\s*:\s*0\b')  # a search with no results


def sniff(sample: Sample) -> bool:
    text = sample.text.lstrip("\ufeff \t\r\n")
    if not text.startswith(("{", "[")):
        return False
    if '"__twarc"' in text:
        return True
    has_data = re.search(r'"data"\s*:\s*[\[{]', text) is not None  # a list, or one object for a single lookup
    tweets = sum(marker in text for marker in _TWEET_MARKERS) >= 2
    users = all(marker in text for marker in _USER_MARKERS)
    return (has_data and (tweets or users)) or bool(_EMPTY_PAGE.match(text))


def read(path: Path) -> Iterator[ReadResult]:
    builder = ChunkBuilder(FORMAT)
    for line_number, page, raw_line in _pages(path):
        if isinstance(page, ValueError):
            builder.reject(line_locator(line_number), error_reason(page), raw_line)
        elif not isinstance(page, dict) or not ({"data", "includes", "meta"} & page.keys()):
            problem = "not an X API v2 response page (no data, includes or meta)"
            builder.reject(line_locator(line_number), problem, raw_line)
        elif problem := _page_shape_problem(page):
            builder.reject(line_locator(line_number), problem, raw_line)
        else:
            _read_page(page, line_number, builder)
        if builder.full:
            yield builder.flush()
    if (last := builder.flush()) is not None:
        yield last


def _pages(path: Path) -> Iterator[tuple[int, Any, str]]:
    """(line number, page or the parse error, raw text). A twarc2 file has a whole JSON object on each line (a broken
    first line does not change that when the second parses); anything else is one document (pretty-printed, or a list
    of pages)."""
    lines = iter_json_lines(path)
    head = [line for _, line in zip(range(2), lines, strict=False)]
    if not head:
        raise RecordProblem("empty file")
    if any(isinstance(value, dict) for _, value, _ in head):
        yield from head
        yield from lines
        return
    lines.close()
    try:
        document = load_json(path)
    except ValueError as error:  # a truncated or broken document: the whole file is one bad record
        yield 1, error, read_start(path)
        return
    for page in document if isinstance(document, list) else [document]:
        yield 1, page, json.dumps(page, ensure_ascii=False)[:MAX_RAW_RECORD_CHARS]


def _page_shape_problem(page: dict[str, Any]) -> str | None:
    """What is wrong with the parts of a page that hold its records (then the page is one bad record), or None."""
    includes = page.get("includes") or {}
    if not isinstance(includes, dict):
        return "includes is not a JSON object"
    if not isinstance(page.get("__twarc") or {}, dict):
        return "__twarc is not a JSON object"
    for name in ("users", "tweets"):
        if not isinstance(includes.get(name) or [], list):
            return f"includes.{name} is not a JSON array"
    return None


def _read_page(page: dict[str, Any], line_number: int, builder: ChunkBuilder) -> None:
    includes = page.get("includes") or {}
    retrieved_at = _retrieved_at(page)
    data = page.get("data") or []
    data = data if isinstance(data, list) else [data]  # a single-object lookup returns an object
    user_records = [("$.includes.users", includes.get("users") or [])]
    tweet_records = [("$.includes.tweets", includes.get("tweets") or [])]
    if any(isinstance(item, dict) and "username" in item for item in data):
        user_records.insert(0, ("$.data", data))  # a user lookup
    else:
        tweet_records.insert(0, ("$.data", data))

    handles = {
        str(user["id"]): user
        for _, users in user_records
        for user in users
        if isinstance(user, dict) and user.get("id") is not None
    }
    first_version = _first_versions(tweet_records)
    for json_path, items in tweet_records:
        for index, tweet in enumerate(items):
            try:
                row = checked_row("interactions", _interaction(tweet, handles, first_version, line_number))
            except RECORD_ERRORS as error:
                builder.reject(line_locator(line_number, f"{json_path}[{index}]"), error_reason(error), tweet)
                continue
            builder.accept({"interactions": [row]})
    for json_path, items in user_records:
        for index, user in enumerate(items):
            try:
                row = checked_row("people", _person(user, retrieved_at, line_number))
            except RECORD_ERRORS as error:
                builder.reject(line_locator(line_number, f"{json_path}[{index}]"), error_reason(error), user)
                continue
            builder.accept({"people": [row]})


def _retrieved_at(page: dict[str, Any]) -> Any:
    """When twarc fetched the page (people's observed_at); None for plain API responses or an unreadable stamp."""
    try:
        return parse_utc_or_none((page.get("__twarc") or {}).get("retrieved_at"))
    except ValueError:
        return None


def _first_versions(tweet_records: list[tuple[str, list[Any]]]) -> dict[str, str]:
    """version id -> id of the first version, for every edited tweet on the page, so replies and quotes that point at
    a later version still point at the interaction_id staging knows."""
    first: dict[str, str] = {}
    for _, items in tweet_records:
        for tweet in items:
            history = tweet.get("edit_history_tweet_ids") if isinstance(tweet, dict) else None
            if isinstance(history, list) and history:
                for version in history:
                    first[str(version)] = str(history[0])
    return first


def _required(record: dict[str, Any], name: str) -> Any:
    value = record.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RecordProblem(f"missing required field {name}")
    return value


def _interaction(
    tweet: Any, users: dict[str, dict[str, Any]], first_version: dict[str, str], line_number: int
) -> dict[str, Any]:
    if not isinstance(tweet, dict):
        raise RecordProblem("a tweet must be a JSON object")
    tweet_id = id_text(_required(tweet, "id"))
    created_at = parse_utc(_required(tweet, "created_at"))
    author_id = id_text(_required(tweet, "author_id"))
    author = users.get(author_id, {})
    author_handle = author.get("username")

    history = [str(version) for version in tweet.get("edit_history_tweet_ids") or []]
    interaction_id, version = (history[0], history.index(tweet_id)) if tweet_id in history else (tweet_id, 0)

    references = {ref.get("type"): id_text(ref.get("id")) for ref in tweet.get("referenced_tweets") or []}
    mentioned = _mentioned_handles(tweet)
    text = (tweet.get("note_tweet") or {}).get("text") or tweet.get("text")
    links = _link_urls(tweet)
    if "retweeted" in references:
        kind, parent, text, links = "share", references["retweeted"], None, None
    elif "replied_to" in references:
        kind, parent = "reply", references["replied_to"]
    elif "quoted" in references:
        kind, parent = "quote", references["quoted"]
    else:
        others = [handle for handle in mentioned if handle != (author_handle or "").lower()]
        kind, parent = ("mention" if others else "post"), None

    metrics = tweet.get("public_metrics") or {}
    conversation = id_text(tweet.get("conversation_id"))
    return {
        "platform": PLATFORM,
        "interaction_id": interaction_id,
        "record_version": version,
        "interaction_type": kind,
        "created_at": created_at,
        "author_id": author_id,
        "author_handle": author_handle,
        "author_name": author.get("name"),
        "text": text,
        "lang": tweet.get("lang"),
        "parent_id": first_version.get(parent, parent) if parent else None,
        "conversation_id": first_version.get(conversation, conversation) if conversation else None,
        "in_reply_to_author_id": id_text(tweet.get("in_reply_to_user_id")),
        "mentioned_handles": mentioned,
        "link_urls": links,
        "url": f"https://x.com/{author_handle or 'i/web'}/status/{tweet_id}",
        "like_count": to_int(metrics.get("like_count")),
        "reply_count": to_int(metrics.get("reply_count")),
        "share_count": to_int(metrics.get("retweet_count")),
        "quote_count": to_int(metrics.get("quote_count")),
        "impression_count": to_int(metrics.get("impression_count")),
        "_source_line": line_number,
    }


def _mentioned_handles(tweet: dict[str, Any]) -> list[str]:
    """Handles from entities.mentions (what the API resolved), else @handles found in the text."""
    mentions = (tweet.get("entities") or {}).get("mentions")
    if mentions is None:
        return handles_in(tweet.get("text"))
    return list(
        dict.fromkeys(str(m["username"]).lower() for m in mentions if isinstance(m, dict) and m.get("username"))
    )


def _link_urls(tweet: dict[str, Any]) -> list[str]:
    """The expanded URLs of the tweet's links in text order (``entities.urls``, the long text's own entities first for
    a long post), falling back to the t.co ``url`` when the API gave no expansion. The text itself only holds t.co
    links, which carry no UTM tags."""
    found = []
    for holder in (tweet.get("note_tweet") or {}, tweet):
        for link in (holder.get("entities") or {}).get("urls") or []:
            if isinstance(link, dict):
                found.append(link.get("expanded_url") or link.get("url"))
    return distinct_links(found)


def _person(user: Any, retrieved_at: Any, line_number: int) -> dict[str, Any]:
    if not isinstance(user, dict):
        raise RecordProblem("a user must be a JSON object")
    metrics = user.get("public_metrics") or {}
    return {
        "platform": PLATFORM,
        "person_id": id_text(_required(user, "id")),
        "handle": _required(user, "username"),
        "display_name": user.get("name"),
        "description": user.get("description"),
        "followers_count": to_int(metrics.get("followers_count")),
        "following_count": to_int(metrics.get("following_count")),
        "account_created_at": parse_utc_or_none(user.get("created_at")),
        "observed_at": retrieved_at,
        "_source_line": line_number,
    }


register(
    ExportFormat(
        name=FORMAT,
        description="X/Twitter API v2 responses: twarc2 JSONL (one page per line, with __twarc) or one JSON response"
        " with data[] of tweets or users and includes{users,tweets}",
        sniff=sniff,
        read=read,
        priority=20,
    )
)


_COMPLIANCE_KEYS = {"id", "action", "created_at", "redacted_at", "reason"}


def _is_compliance_stream(sample: Sample) -> bool:
    first = sample.text.lstrip("\ufeff \t\r\n").split("\n", 1)[0]
    try:
        event = json.loads(first)
    except ValueError:
        return False
    return isinstance(event, dict) and {"id", "action"} <= event.keys() <= _COMPLIANCE_KEYS


register_skipped(
    "x_compliance_events",
    "X API compliance events, one JSON object a line (id, action: delete / protect / ..., created_at, reason)",
    "notices that tweets were deleted, protected or withheld, not interactions; to honour them, remove the export"
    " files that hold those tweets and refresh",
    _is_compliance_stream,
)
