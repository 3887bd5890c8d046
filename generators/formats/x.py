"""X as ``twarc2 search`` writes it: one API v2 response page per line, for the demo's timeline (``XExport``) and for
the scale generator's items (``x_pages``); both share the request, the envelope and the time format.

The demo writes one file per brand per calendar month, as a brand's social team would collect it: a full-archive
search for everything from, to or mentioning the brand account and its employees, newest first, 100 tweets a page.
Each page has ``data``, ``includes`` (``users`` and referenced ``tweets``, including first versions of edited
tweets), ``meta`` (``newest_id``, ``oldest_id``, ``result_count``, ``next_token`` except on the last page) and
twarc's ``__twarc`` (request url, version, retrieval time). Public metrics are counted as of the retrieval time, so
a tweet seen in two files (once as data, once as a referenced tweet) carries two snapshots. The demo's pages are
written as twarc2 writes them (``json.dumps`` defaults); the scale generator's as compact lines.
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from generators.formats.tables import json_line

if TYPE_CHECKING:
    from generators.brands import Brand
    from generators.demo.cast import Person
    from generators.demo.x_world import Tweet
    from generators.ids import IdMint
    from generators.profiles import BrandProfile
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
EDIT_WINDOW = timedelta(minutes=30)
SETTLE = timedelta(hours=36)  # likes and impressions keep coming in for about a day and a half
# A handle or tag cut short by the "…" of a truncated retweet is no entity; a tag needs a letter ("#40" is none).
_MENTION = re.compile(r"(?<![\w@])@(\w{1,15})(?![\w…])")
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


class _Snapshots:
    """Counts of replies, retweets and quotes each tweet has at a given moment."""

    def __init__(self, tweets: Sequence[Tweet]) -> None:
        self.replies: dict[str, list[datetime]] = defaultdict(list)
        self.retweets: dict[str, list[datetime]] = defaultdict(list)
        self.quotes: dict[str, list[datetime]] = defaultdict(list)
        for tweet in tweets:  # tweets come sorted by time, so each list is sorted
            for target, index in (
                (tweet.replied_to, self.replies),
                (tweet.retweeted, self.retweets),
                (tweet.quoted, self.quotes),
            ):
                if target is not None:
                    index[target.tweet_id].append(tweet.created_at)

    @staticmethod
    def _count(index: dict[str, list[datetime]], tweet_id: str, at: datetime) -> int:
        return bisect_left(index.get(tweet_id, []), at)

    def metrics(self, tweet: Tweet, at: datetime) -> dict[str, int]:
        if tweet.retweeted is not None:  # a retweet shows its original's retweet count and nothing of its own
            return {
                "retweet_count": self._count(self.retweets, tweet.retweeted.tweet_id, at),
                "reply_count": 0,
                "like_count": 0,
                "quote_count": 0,
                "impression_count": 0,
            }
        settled = min(1.0, (at - tweet.created_at) / SETTLE)
        return {
            "retweet_count": self._count(self.retweets, tweet.tweet_id, at),
            "reply_count": self._count(self.replies, tweet.tweet_id, at),
            "like_count": round(tweet.likes * settled**0.5),
            "quote_count": self._count(self.quotes, tweet.tweet_id, at),
            "impression_count": round(tweet.impressions * settled**0.3),
        }


class XExport:
    def __init__(
        self,
        tweets: Sequence[Tweet],
        people: Sequence[Person],
        brands: Sequence[Brand],
        profiles: dict[str, BrandProfile],
        ids: IdMint,
        start_at: datetime,
        end_at: datetime,
    ) -> None:
        self.tweets, self.brands, self.profiles, self.ids = tweets, brands, profiles, ids
        self.start_at, self.end_at = start_at, end_at
        self.by_handle = {person.handle.lower(): person for person in people}
        self.snapshots = _Snapshots(tweets)
        self.replaced_by = {t.previous.tweet_id: t for t in tweets if t.previous is not None}

    def write(self, folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for brand_index, brand in enumerate(self.brands):
            for month_start, month_end in self._months():
                tweets = [
                    t for t in self.tweets if t.brand_id == brand.brand_id and month_start <= t.created_at < month_end
                ]
                tweets.sort(key=lambda t: (t.created_at, int(t.tweet_id)), reverse=True)
                retrieved = month_end + timedelta(hours=1, minutes=7 * brand_index, seconds=13)
                path = folder / f"{brand.x_handle}_{month_start:%Y-%m}.jsonl"
                lines = self._pages(brand, tweets, month_start, month_end, retrieved)
                path.write_text("".join(json.dumps(page) + "\n" for page in lines), encoding="utf-8")
                paths.append(path)
        return paths

    def _months(self) -> list[tuple[datetime, datetime]]:
        months, cursor = [], self.start_at
        while cursor < self.end_at:
            following = (cursor.replace(day=1) + timedelta(days=32)).replace(day=1, hour=0, minute=0, second=0)
            months.append((cursor, min(following, self.end_at)))
            cursor = following
        return months

    def _pages(
        self, brand: Brand, tweets: list[Tweet], since: datetime, until: datetime, retrieved: datetime
    ) -> list[dict]:
        handles = [brand.x_handle] + [employee.handle for employee in brand.employees]
        query = " OR ".join(
            [f"@{brand.x_handle}", f"from:{brand.x_handle}", f"to:{brand.x_handle}"]
            + [f"from:{h}" for h in handles[1:]]
        )
        pages: list[dict] = []
        token = None
        chunks = [tweets[i : i + PAGE_SIZE] for i in range(0, len(tweets), PAGE_SIZE)] or [[]]
        for number, chunk in enumerate(chunks):
            fetched = retrieved + timedelta(seconds=2 * number)
            url = search_url(f"({query})", since, until, token)
            token = self.ids.token(46, "abcdefghijklmnopqrstuvwxyz0123456789") if number < len(chunks) - 1 else None
            page = self._page(chunk, fetched)
            meta = {"result_count": len(chunk)}
            if chunk:
                meta = {"newest_id": chunk[0].tweet_id, "oldest_id": chunk[-1].tweet_id, **meta}
            if token:
                meta["next_token"] = token
            pages.append(
                {
                    **page,
                    "meta": meta,
                    "__twarc": twarc(url, fetched),
                }
            )
        return pages

    def _page(self, chunk: list[Tweet], at: datetime) -> dict:
        users: dict[str, Person] = {}
        referenced: dict[str, Tweet] = {}
        for tweet in chunk:
            self._collect_users(tweet, users)
            for other in (tweet.replied_to, tweet.quoted, tweet.retweeted, tweet.previous):
                if other is not None and other.tweet_id not in referenced:
                    referenced[other.tweet_id] = other
                    self._collect_users(other, users)
        if not chunk:
            return {}
        return {
            "data": [self._tweet(tweet, at) for tweet in chunk],
            "includes": {
                "users": [self._user(person, at) for person in users.values()],
                "tweets": [self._tweet(tweet, at) for tweet in referenced.values()],
            },
        }

    def _collect_users(self, tweet: Tweet, users: dict[str, Person]) -> None:
        users.setdefault(tweet.author.person_id, tweet.author)
        if tweet.replied_to is not None:
            users.setdefault(tweet.replied_to.author.person_id, tweet.replied_to.author)
        for match in _MENTION.finditer(tweet.text):
            person = self.by_handle.get(match.group(1).lower())
            if person is not None:
                users.setdefault(person.person_id, person)

    def _entities(self, tweet: Tweet) -> dict:
        entities: dict[str, list[dict]] = {}
        hashtags = [{"start": m.start(), "end": m.end(), "tag": m.group(1)} for m in _HASHTAG.finditer(tweet.text)]
        mentions = []
        for match in _MENTION.finditer(tweet.text):
            person = self.by_handle.get(match.group(1).lower())
            if person is not None:
                mentions.append(
                    {"start": match.start(), "end": match.end(), "username": person.handle, "id": person.person_id}
                )
        urls = []
        for link in tweet.links:
            start = tweet.text.find(link.tco)
            urls.append(
                {
                    "start": start,
                    "end": start + len(link.tco),
                    "url": link.tco,
                    "expanded_url": link.expanded,
                    "display_url": display_url(link.expanded),
                }
            )
        for key, values in (("hashtags", hashtags), ("mentions", mentions), ("urls", urls)):
            if values:
                entities[key] = values
        return entities

    def _tweet(self, tweet: Tweet, at: datetime) -> dict:
        final = self.replaced_by.get(tweet.tweet_id, tweet)  # the first version of an edit points at its edit
        first = final.previous or final
        edited = final.previous is not None
        record: dict = {
            "edit_history_tweet_ids": [first.tweet_id, final.tweet_id] if edited else [tweet.tweet_id],
            "author_id": tweet.author.person_id,
            "conversation_id": tweet.conversation_id,
            "created_at": x_time(tweet.created_at),
            "id": tweet.tweet_id,
            "lang": tweet.lang,
            "public_metrics": self.snapshots.metrics(tweet, at),
            "text": tweet.text,
        }
        entities = self._entities(tweet)
        if entities:
            record["entities"] = entities
        referenced = [
            {"type": kind, "id": other.tweet_id}
            for kind, other in (
                ("quoted", tweet.quoted),
                ("retweeted", tweet.retweeted),
                ("replied_to", tweet.replied_to),
            )
            if other is not None
        ]
        if referenced:
            record["referenced_tweets"] = referenced
        if tweet.replied_to is not None:
            record["in_reply_to_user_id"] = tweet.replied_to.author.person_id
        record["reply_settings"] = "everyone"
        record["possibly_sensitive"] = False
        record["edit_controls"] = {
            "edits_remaining": 4 if edited else 5,
            "is_edit_eligible": (edited or tweet.author.role == "brand") and tweet.retweeted is None,
            "editable_until": x_time(first.created_at + EDIT_WINDOW),
        }
        return record

    def _user(self, person: Person, at: datetime) -> dict:
        days = (at - self.start_at).days
        if person.role == "brand":
            followers = self._brand_followers(person, days)
        else:
            followers = person.followers + int(person.followers * 0.0006 * days)
        record = {
            "created_at": x_time(person.created_at),
            "description": person.description,
            "id": person.person_id,
            "name": person.name,
            "profile_image_url": person.profile_image_url,
            "protected": False,
            "public_metrics": {
                "followers_count": followers,
                "following_count": person.following + days // 9,
                "tweet_count": person.tweet_count + days * (6 if person.role == "brand" else 1),
                "listed_count": person.listed,
            },
            "url": "",
            "username": person.handle,
            "verified": person.verified,
            "verified_type": "business" if person.role == "brand" else "none",
        }
        if person.location:
            record["location"] = person.location
        return record

    def _brand_followers(self, account: Person, days: int) -> int:
        """Followers grow a little faster each week; an incident costs followers while it lasts."""
        profile = self.profiles[account.brands[0]]
        incident = profile.incident
        total = float(account.followers)
        for day in range(days):
            if incident is not None and incident.day <= day < incident.day + incident.length_days:
                total -= 3 * profile.daily_follower_gain
            else:
                total += profile.daily_follower_gain * (1 + day / 90)
        return int(total)


# ------------------------------------------------------------------------------------ the scale generator's items


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
