"""X as ``twarc2 search`` writes it: one API v2 response page per line (``x_pages``), for a full-archive search of
everything from, to or mentioning a brand account, newest first, 100 tweets a page.

Each page has ``data``, ``includes`` (``users`` and the brand's posts the tweets answer, with the first versions of
edited posts), ``meta`` (``newest_id``, ``oldest_id``, ``result_count``) and twarc's ``__twarc`` (request url,
version, retrieval time), written as compact lines. Links in a text stand behind t.co links, as X shows them.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from generators.formats.tables import json_line

if TYPE_CHECKING:
    from generators.scale.conversation import Author, Item

TWARC_VERSION = "2.14.0"
PAGE_SIZE = 100
SEARCH_URL = "https://api.twitter.com/2/tweets/search/all"
REQUEST_FIELDS = (
    (
        "expansions",
        "author_id,in_reply_to_user_id,referenced_tweets.id,referenced_tweets.id.author_id,"
        "entities.mentions.username,attachments.poll_ids,attachments.media_keys,geo.place_id,edit_history_tweet_ids",
    ),
    (
        "tweet.fields",
        "attachments,author_id,context_annotations,conversation_id,created_at,entities,geo,id,"
        "in_reply_to_user_id,lang,public_metrics,text,possibly_sensitive,referenced_tweets,reply_settings,source,"
        "withheld,edit_controls,edit_history_tweet_ids",
    ),
    (
        "user.fields",
        "created_at,description,entities,id,location,name,pinned_tweet_id,profile_image_url,protected,"
        "public_metrics,url,username,verified,verified_type,withheld",
    ),
    ("media.fields", "alt_text,duration_ms,height,media_key,preview_image_url,type,url,width,variants,public_metrics"),
    ("poll.fields", "duration_minutes,end_datetime,id,options,voting_status"),
    ("place.fields", "contained_within,country,country_code,full_name,geo,id,name,place_type"),
)
# A tag cut short by the "…" of a truncated retweet is no entity; a tag needs a letter ("#40" is none).
_HASHTAG = re.compile(r"(?<![\w#&])#(\w*[^\W\d]\w*)(?![\w…])")


def x_time(moment: datetime) -> str:
    """X's created_at: "2026-08-01T09:15:00.000Z" (isoformat: several times faster than strftime on millions)."""
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + ".000Z"


def search_url(query: str, since: datetime, until: datetime | None = None, next_token: str | None = None) -> str:
    """The full-archive search request twarc2 records with each page."""
    params = [*REQUEST_FIELDS, ("max_results", str(PAGE_SIZE)), ("query", query), ("start_time", since.isoformat())]
    if until is not None:
        params.append(("end_time", until.isoformat()))
    if next_token is not None:
        params.append(("next_token", next_token))
    return f"{SEARCH_URL}?{urlencode(params)}"


def twarc(url: str, retrieved_at: datetime) -> dict[str, str]:
    """The ``__twarc`` member twarc2 adds to each page."""
    return {"url": url, "version": TWARC_VERSION, "retrieved_at": retrieved_at.isoformat()}


def display_url(expanded: str) -> str:
    bare = re.sub(r"^https?://(www\.)?", "", expanded)
    return bare if len(bare) <= 26 else bare[:26] + "…"


def _author(author: Author) -> dict:
    return {
        "created_at": x_time(author.created_at),
        "id": author.person_id,
        "name": author.name,
        "username": author.handle,
        "protected": False,
        "public_metrics": {
            "followers_count": author.followers,
            "following_count": author.followers // 3 + 40,
            "tweet_count": author.followers * 2 + 100,
            "listed_count": author.followers // 500,
        },
        "verified": author.role == "brand",
        "verified_type": "business" if author.role == "brand" else "none",
    }


_LINK = re.compile(r"https?://\S+")
_TCO_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _shortened(text: str, item_id: str) -> tuple[str, list[tuple[str, str]]]:
    """The text as X shows it, every link behind a t.co link (the same for the same tweet and link), and the
    (t.co, expanded) pairs."""
    links: list[tuple[str, str]] = []

    def shorten(match: re.Match) -> str:
        digest = hashlib.blake2b(f"{item_id}:{match.group(0)}".encode(), digest_size=10).digest()
        tco = "https://t.co/" + "".join(_TCO_ALPHABET[byte % len(_TCO_ALPHABET)] for byte in digest)
        links.append((tco, match.group(0)))
        return tco

    return _LINK.sub(shorten, text), links


def _item_entities(text: str, links: list[tuple[str, str]]) -> dict:
    """Hashtags, mentions and the links that are whole in the text (a retweet's text is cut at 100 characters)."""
    mentions = [word[1:].rstrip(".,!?:") for word in text.split() if word.startswith("@")]
    urls = [
        {
            "start": text.find(tco),
            "end": text.find(tco) + len(tco),
            "url": tco,
            "expanded_url": expanded,
            "display_url": display_url(expanded),
        }
        for tco, expanded in links
        if tco in text
    ]
    entities = {
        "hashtags": [{"start": m.start(), "end": m.end(), "tag": m.group(1)} for m in _HASHTAG.finditer(text)],
        "mentions": [{"username": handle} for handle in dict.fromkeys(mentions)],
        "urls": urls,
    }
    return {key: values for key, values in entities.items() if values}


def _item(item: Item) -> dict:
    parent = item.parent
    text, links = _shortened(item.text or "", item.item_id)
    if item.kind == "share" and parent is not None:
        original, links = _shortened(parent.text or "", parent.item_id)
        text = f"RT @{parent.author.handle}: {original[:100]}"
    record: dict = {
        "edit_history_tweet_ids": [item.item_id],
        "author_id": item.author.person_id,
        "conversation_id": item.root.item_id,
        "created_at": x_time(item.created_at),
        "id": item.item_id,
        "lang": item.lang,
        "public_metrics": {
            "retweet_count": 0,
            "reply_count": 0,
            "like_count": item.likes,
            "quote_count": 0,
            "impression_count": item.likes * 37 + 12,
        },
        "text": text,
    }
    entities = _item_entities(text, links)
    if entities:
        record["entities"] = entities
    if parent is not None:
        kind = {"share": "retweeted", "quote": "quoted"}.get(item.kind, "replied_to")
        record["referenced_tweets"] = [{"type": kind, "id": parent.item_id}]
        if kind == "replied_to":
            record["in_reply_to_user_id"] = parent.author.person_id
    record["reply_settings"] = "everyone"
    return record


def _versions(item: Item) -> list[dict]:
    """The item's record and, for an edited post, its first version's: both carry the whole edit history."""
    record = _item(item)
    if item.first_version is None:
        return [record]
    first = _item(item.first_version)
    record["edit_history_tweet_ids"] = first["edit_history_tweet_ids"] = [item.first_version.item_id, item.item_id]
    return [record, first]


def x_pages(items_newest_first: list[Item], handle: str, since: datetime, fetched: datetime, first_page: int) -> str:
    """twarc2 lines (compact JSON) for the scale generator's items (already newest first), numbered on from
    ``first_page``: one page per 100 items, the brand's posts they answer in ``includes``."""
    url = search_url(f"(@{handle} OR from:{handle} OR to:{handle})", since)
    lines = []
    for offset in range(0, len(items_newest_first), PAGE_SIZE):
        chunk = items_newest_first[offset : offset + PAGE_SIZE]
        number = first_page + offset // PAGE_SIZE
        users: dict[str, dict] = {}
        referenced: dict[str, dict] = {}
        data = []
        for item in chunk:
            users.setdefault(item.author.person_id, _author(item.author))
            record, *first_version = _versions(item)
            data.append(record)
            referenced.update({version["id"]: version for version in first_version})
            if item.parent is not None:
                users.setdefault(item.parent.author.person_id, _author(item.parent.author))
                if item.parent.kind == "post":  # the post, as it was written (and first written): it lands once
                    for version in _versions(item.parent):
                        referenced.setdefault(version["id"], version)
        page = {
            "data": data,
            "includes": {"users": list(users.values()), "tweets": list(referenced.values())},
            "meta": {"newest_id": chunk[0].item_id, "oldest_id": chunk[-1].item_id, "result_count": len(chunk)},
            "__twarc": twarc(f"{url}&page={number}", fetched + timedelta(seconds=2 * number)),
        }
        lines.append(json_line(page))
    return "".join(lines)
