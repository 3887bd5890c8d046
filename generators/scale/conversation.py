"""One brand's conversation on one platform on one day, as platform-neutral items.

Everything is drawn from ``random.Random`` instances seeded by (seed, brand, platform, day[, segment]): a day never
depends on the days after it or on how many days are generated, so adding a day adds files and changes none. A day's
audience activity is cut into segments of at most ``SEGMENT_ITEMS`` items, each drawn on its own, so memory stays flat
however large a day is; a thread (a comment and its replies, a question and the brand's answer) stays in its segment.
The brand's own posts are drawn from their own stream, so the next day can cheaply redraw them: a share of each day's
replies lands on the previous day's posts (late threads).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property

from generators.brands import ScaleBrand, TrackedCompetitor
from generators.draws import poisson
from generators.ids import TWITTER_EPOCH_MS
from generators.phrases import (
    COMMON,
    COMPARISONS,
    COMPETITOR_ANSWERS,
    COMPETITOR_POSTS,
    COMPETITOR_SAYINGS,
    COMPLAINT_FOLLOW_UPS,
    FIRST_NAMES,
    FOREIGN,
    FOREIGN_VOCAB,
    FRIEND_REPLIES,
    LAST_NAMES,
    MENTION_TEMPLATES,
    REPLY_TEMPLATES,
    THANKS_FOLLOW_UPS,
    fill,
)
from generators.profiles import ComplaintWave, Giveaway, Incident

SEGMENT_ITEMS = 20_000
FIRST_POST_SECOND = 60
DAY = timedelta(days=1)
# Share of the day's interactions per platform: X carries most of a big brand's public conversation.
PLATFORM_SHARES = {"x": 0.70, "facebook": 0.10, "instagram": 0.10, "youtube": 0.05, "reddit": 0.05}
PLATFORM_NUMBER = {platform: number for number, platform in enumerate(PLATFORM_SHARES)}
ACCOUNTS_SINCE = datetime(2009, 1, 1, tzinfo=UTC)
WEEKDAY_FACTOR = (1.05, 1.08, 1.06, 1.04, 1.0, 0.9, 0.87)
POST_SHARE = {"x": 0.015, "facebook": 0.02, "instagram": 0.02, "youtube": 0.01, "reddit": 0.02}
LATE_SHARE = 0.06  # replies and shares that land on the previous day's posts
# What an audience action is, by platform. "share" carries no text (a retweet's text is someone else's words);
# "sticker" is a Facebook comment that is only an image; "copy_paste" is a campaign's fixed text, posted by many.
ACTIONS = {
    "x": {
        "share": 0.60,
        "reply": 0.14,
        "thread_reply": 0.04,
        "mention": 0.07,
        "quote": 0.02,
        "copy_paste": 0.04,
        "brand_reply": 0.08,
        "employee_post": 0.01,
    },
    "facebook": {"comment": 0.5, "sticker": 0.2, "thread_reply": 0.12, "copy_paste": 0.06, "brand_reply": 0.12},
    "instagram": {"comment": 0.62, "thread_reply": 0.14, "copy_paste": 0.1, "brand_reply": 0.14},
    "youtube": {"comment": 0.7, "thread_reply": 0.18, "brand_reply": 0.12},
    "reddit": {"comment": 0.62, "thread_reply": 0.28, "brand_reply": 0.1},
}
TOPICS = {
    "praise": 0.30,
    "question": 0.13,
    "complaint": 0.09,
    "purchase_intent": 0.06,
    "recommendation": 0.07,
    "low_effort": 0.18,
    "emoji": 0.12,
    "bare_tag": 0.05,
}
ANSWERED = {"question", "complaint", "purchase_intent", "praise", "recommendation"}
MENTION_TOPICS = {"shout_out": 0.4, "complaint": 0.25, "question": 0.2, "recommendation": 0.15}
# The brand's topic mix shifts: talk of a product grows and talk of shipping fades over SHIFT_DAYS (weights on the
# first day and from SHIFT_DAYS on; a day's weights depend on its index alone, never on how many days are written).
SHIFTING_MENTION_TOPICS = {"product_buzz": (0.03, 0.3), "shipping": (0.22, 0.02)}
SHIFT_DAYS = 90
COMPETITOR_SHARE = 0.15  # share of X mentions that name one of the brand's competitors (a few compare the two)
COMPARISON_SHARE = 0.2  # of those, tweets naming the brand and the competitor together
COMPETITOR_TOPICS = {"praise": 0.6, "question": 0.2, "complaint": 0.2}  # what customers say to a competitor
COMPETITOR_POST_HOURS = (8, 19)  # a competitor posts in office hours; its audience reacts within hours
EDIT_SHARE = 0.1  # brand posts on X with a typo to fix: edited minutes after, the export shows both versions
FOREIGN_SHARE = 0.07  # audience members who mostly write in another language than English
FOREIGN_TEXT_SHARE = 0.7  # of their replies and mentions, those in their language
WAVE_SHARE = 0.3  # on the wave's days, share of the first brand's X audience actions that are the planted complaint
# A brand's profile events (generators/profiles.py), on their day indexes: shares of the brand's X audience actions, so
# an event stands out at any volume.
INCIDENT_SHARE = 0.25  # complaints about the incident
INCIDENT_ANSWER_RATE = 0.3  # share of its usual answers the swamped care team gives: the rest wait, answers come late
INCIDENT_DELAY = 5  # with Story.answer_minutes: how many times slower the swamped care team answers
GIVEAWAY_SHARE = 0.2  # entries: the giveaway's one fixed text


@dataclass(frozen=True)
class Story:
    """What the demo tells on top of everyday conversation. All of it is off for `ror generate`, whose bytes are
    pinned: an option that is off draws nothing from any stream."""

    ugc_share: float = 0.0  # share of X mentions that are a customer's photo of the product tagging the brand (UGC)
    ad_windows: bool = False  # a brand's ads deliver only from its profile's first to its last ad day
    customers: bool = False  # a won deal makes its contact a customer; a few big buyers never talk on X
    organic_leads: float | None = None  # leads from X engagers per X interaction (none: the ledger's usual rate)
    x_actions: tuple[tuple[str, float], ...] = ()  # X's action mix (ACTIONS["x"]) when the audience is small
    # the care team answers each message it takes up after its own delay (lognormal around this median, minutes), not
    # in the queue of its reply actions: a small audience's few actions a day would space answers hours apart
    answer_minutes: float | None = None
    wave_share: float = WAVE_SHARE  # on the planted wave's days, share of the X audience's actions that are the wave
    incident_share: float = INCIDENT_SHARE  # on an incident's days, share of them that complain about it


NO_STORY = Story()


@dataclass(frozen=True)
class Author:
    person_id: str
    handle: str
    name: str
    role: str  # audience | brand | employee | competitor
    followers: int
    created_at: datetime
    lang: str = "en"  # the language the person mostly writes in


@dataclass(eq=False)
class Item:
    """One interaction: a post, comment, reply, share, quote or mention."""

    item_id: str
    platform: str
    author: Author
    created_at: datetime
    kind: str  # post | comment | reply | share | quote | mention
    text: str | None
    topic: str | None = None
    parent: Item | None = None
    likes: int = 0
    addressee: Author | None = None  # a mention addressed to a competitor rather than the brand: who may answer
    lang: str = "en"  # the text's language
    first_version: Item | None = None  # an edited X post's first version (its typo), posted minutes earlier

    @property
    def root(self) -> Item:
        item = self
        while item.parent is not None:
            item = item.parent
        return item


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _running(
    event: Incident | Giveaway | ComplaintWave | None, day_index: int
) -> Incident | Giveaway | ComplaintWave | None:
    """The event if the day (an index from the first generated day) is one of its days."""
    if event is not None and event.day <= day_index < event.day + event.length_days:
        return event
    return None


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text


class Audience:
    """The people who talk to one brand on one platform: a fixed pool, a few of them very active (repeat engagers).

    Its size follows the daily volume (never the number of days), and each person is derived from their number alone,
    so nobody is held in memory beyond a small cache.
    """

    CACHE = 10_000  # people per pool kept drawn: the busiest engagers; bounds memory whatever the volume

    def __init__(self, seed: int, brand: ScaleBrand, platform: str, daily_volume: float) -> None:
        self.seed, self.brand, self.platform = seed, brand, platform
        self.size = max(300, int(daily_volume * 12))
        self._cache: dict[int, Author] = {}

    def pick(self, rng: random.Random) -> Author:
        return self.person(int(self.size * rng.random() ** 2.6))

    def person(self, number: int) -> Author:
        author = self._cache.get(number)
        if author is None:
            if len(self._cache) >= self.CACHE:
                self._cache.clear()
            author = self._cache[number] = self._draw(number)
        return author

    def _draw(self, number: int) -> Author:
        # Derived from a hash of the person's number (no generator to seed: a big day meets hundreds of thousands).
        key = f"{self.seed}:{self.brand.brand_id}:{self.platform}:person:{number}".encode()
        bits = int.from_bytes(hashlib.blake2b(key, digest_size=16).digest(), "big")
        first = FIRST_NAMES[bits % len(FIRST_NAMES)]
        last = LAST_NAMES[(bits >> 16) % len(LAST_NAMES)]
        tag = _base36(number)
        handle = f"{first.lower()[:7]}{last.lower()[: 14 - len(tag) - min(7, len(first))]}_{tag}"[:15]
        person_id = str(10**17 * (self.brand.index + 1) + 10**15 * PLATFORM_NUMBER[self.platform] + number)
        created = ACCOUNTS_SINCE + timedelta(seconds=(bits >> 32) % (15 * 365 * 86400))
        followers = int(20 * 2 ** (((bits >> 80) % 1000) / 100))  # 20 to ~20,000, most of them few
        foreign = (bits >> 96) % 1000 < FOREIGN_SHARE * 1000
        lang = tuple(FOREIGN)[(bits >> 106) % len(FOREIGN)] if foreign else "en"
        return Author(person_id, handle, f"{first} {last}", "audience", followers, created, lang)


def brand_author(brand: ScaleBrand, platform: str) -> Author:
    ids = {
        "x": (brand.x_account_id, brand.x_handle),
        "facebook": (brand.facebook_page_id, brand.facebook_handle),
        "instagram": (brand.instagram_account_id, brand.instagram_handle),
        "youtube": (brand.youtube_channel_id, brand.youtube_handle),
        "reddit": (brand.reddit_username, brand.reddit_username),
    }
    person_id, handle = ids[platform]
    return Author(person_id, handle, brand.name, "brand", brand.profile.followers, datetime(2012, 3, 1, tzinfo=UTC))


EMPLOYEES_JOINED = datetime(2015, 5, 1, tzinfo=UTC)


def competitor_author(competitor: TrackedCompetitor, brand: ScaleBrand, position: int) -> Author:
    """A competitor's X account; one tracked by handle alone still has an id on X."""
    person_id = competitor.x_account_id or str(1_500_000_000_000_200_000 + 10 * brand.index + position)
    return Author(person_id, competitor.x_handle, competitor.name, "competitor", 12_000, EMPLOYEES_JOINED)


def employee_authors(brand: ScaleBrand) -> list[Author]:
    return [
        Author(e.person_id, e.handle, e.handle.replace("_", " ").title(), "employee", 800, EMPLOYEES_JOINED)
        for e in brand.employees
    ]


class BrandDay:
    """What one brand's accounts and audience do on one platform on one day."""

    def __init__(
        self,
        seed: int,
        brand: ScaleBrand,
        platform: str,
        day: date,
        day_index: int,
        daily_volume: float,
        audience: Audience | None = None,
        competitor_share: float = COMPETITOR_SHARE,
        wave_day: int | None = None,
        story: Story = NO_STORY,
    ) -> None:
        self.seed, self.brand, self.platform, self.day, self.day_index = seed, brand, platform, day, day_index
        self.ugc_share = story.ugc_share if platform == "x" else 0.0
        self.answer_minutes = story.answer_minutes if platform == "x" else None
        self.wave_share, self.incident_share = story.wave_share, story.incident_share
        self.actions = dict(story.x_actions) if platform == "x" and story.x_actions else ACTIONS[platform]
        self.daily_volume = daily_volume
        self.mean_volume = daily_volume * PLATFORM_SHARES[platform]
        self.start = datetime.combine(day, time(0), tzinfo=UTC)
        self.vocab = {**COMMON, **FOREIGN_VOCAB, **brand.vocab}
        self.account = brand_author(brand, platform)
        self.employees = employee_authors(brand) if platform == "x" else []
        self._id_prefix = f"{day:%Y%m%d}{brand.index:03d}"
        self.audience = audience or Audience(seed, brand, platform, self.mean_volume)
        on_x = platform == "x"
        self.competitors = [competitor_author(c, brand, n) for n, c in enumerate(brand.competitors)] if on_x else []
        self.competitor_share = competitor_share
        wave = brand.profile.complaint_wave
        planted = on_x and brand.index == 0 and wave_day is not None
        self.wave = _running(replace(wave, day=wave_day), day_index) if planted and wave is not None else None
        self.incident = _running(brand.profile.incident, day_index) if on_x else None
        self.giveaway = _running(brand.profile.giveaway, day_index) if on_x else None
        progress = min(1.0, day_index / SHIFT_DAYS)
        shifting = {
            topic: first + (last - first) * progress for topic, (first, last) in SHIFTING_MENTION_TOPICS.items()
        }
        self.mention_topics = {**MENTION_TOPICS, **shifting}

    def _rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(map(str, (self.seed, self.brand.brand_id, self.platform, self.day, *parts))))

    @cached_property
    def volume(self) -> int:
        """Interactions on this day: the mean, a weekday rhythm, and day-to-day noise."""
        rng = self._rng("volume")
        mean = self.mean_volume * WEEKDAY_FACTOR[self.day.weekday()] * rng.uniform(0.85, 1.15)
        return poisson(rng, mean) if mean < 1000 else round(mean)

    @cached_property
    def posts(self) -> list[Item]:
        """The brand's own posts of the day, from their own stream (the next day redraws them for late replies)."""
        rng = self._rng("posts")
        count = max(1, round(self.volume * POST_SHARE[self.platform]))
        # The first post opens the day (so every comment has a post to land on), the rest follow until 20:00.
        times = [FIRST_POST_SECOND] + sorted(rng.uniform(FIRST_POST_SECOND, 20 * 3600) for _ in range(count - 1))
        profile = self.brand.profile
        posts = []
        for number, offset in enumerate(times):
            template = rng.choice(profile.posts + profile.link_posts + profile.campaign_posts)
            text = fill(template, rng, self.vocab, link=self._link(rng), brand=f"@{self.account.handle}")
            if number == 0 and self._opening_post() is not None:
                text = self._opening_post()
            if self.platform == "youtube":
                text = text.split(". ")[0][:90] + "\n\n" + text
            posts.append(
                Item(
                    item_id=self._id(rng, offset, "post", number),
                    platform=self.platform,
                    author=self.account,
                    created_at=self.start + timedelta(seconds=offset),
                    kind="post",
                    text=text,
                    likes=int(rng.lognormvariate(4, 1)),
                )
            )
        if self.platform == "x":
            for number, post in enumerate(posts):
                self._maybe_edited(post, number)
        return posts

    def _maybe_edited(self, post: Item, number: int) -> None:
        """Give a share of the posts with " the " in them a first version with a typo (own stream: the day's other
        draws stay as they are)."""
        rng = self._rng("edit", number)
        earlier = rng.uniform(90, 600)
        offset = (post.created_at - self.start).total_seconds() - earlier
        if rng.random() < EDIT_SHARE and " the " in (post.text or "") and offset > 0:
            post.first_version = replace(
                post,
                item_id=self._id(rng, offset, "edit", number),
                created_at=post.created_at - timedelta(seconds=earlier),
                text=(post.text or "").replace(" the ", " teh ", 1),
            )

    def _opening_post(self) -> str | None:
        """On an event's first day the brand opens with its announcement (an incident) or its rules (a giveaway)."""
        if self.incident is not None and self.day_index == self.incident.day:
            return self.incident.announcement
        if self.giveaway is not None and self.day_index == self.giveaway.day:
            return self.giveaway.post.replace("{brand}", f"@{self.account.handle}")
        return None

    @cached_property
    def earlier_posts(self) -> list[Item]:
        if self.day_index == 0:
            return []
        previous = BrandDay(
            self.seed, self.brand, self.platform, self.day - DAY, self.day_index - 1, self.daily_volume, self.audience
        )
        return previous.posts

    def _link(self, rng: random.Random) -> str:
        profile, campaign = self.brand.profile, self.brand.organic_campaign.utm_campaign
        return f"https://{profile.domain}/{profile.organic_path}?utm_campaign={campaign}&r={rng.randrange(10**6)}"

    def _id(self, rng: random.Random, offset: float, *parts: object) -> str:
        """An id unique in the data set: X's are snowflakes (time-ordered), others derive from day and position."""
        if self.platform == "x":
            millis = int((self.start.timestamp() + offset) * 1000) - TWITTER_EPOCH_MS
            return str((millis << 22) | rng.getrandbits(22))
        return self._id_prefix + "".join(str(p) for p in parts)

    def segments(self) -> Iterator[list[Item]]:
        """The day's items, segment by segment from the last to the first (exports list the newest first), each
        segment in time order; posts are in the segment of their time."""
        count = max(1, math.ceil(self.volume / SEGMENT_ITEMS))
        for segment in reversed(range(count)):
            yield self._segment(segment, count)

    def _segment(self, segment: int, count: int) -> list[Item]:
        rng = self._rng("segment", segment)
        span = 86400 / count
        lo, hi = segment * span, (segment + 1) * span
        own_posts = [p for p in self.posts if lo <= (p.created_at - self.start).total_seconds() < hi]
        audience_count = max(0, self.volume // count + (1 if segment < self.volume % count else 0) - len(own_posts))
        times = sorted(rng.uniform(max(lo, FIRST_POST_SECOND + 1), hi) for _ in range(audience_count))
        targets = list(self.earlier_posts) + [p for p in self.posts if (p.created_at - self.start).total_seconds() < lo]
        waiting = sorted(own_posts, key=lambda p: p.created_at)
        items: list[Item] = []
        recent: deque[Item] = deque(maxlen=400)
        unanswered: deque[Item] = deque(maxlen=2000)
        for number, offset in enumerate(times):
            moment = self.start + timedelta(seconds=offset)
            while waiting and waiting[0].created_at <= moment:
                post = waiting.pop(0)
                items.append(post)
                targets.append(post)
            item = self._action(rng, number, segment, offset, moment, targets, recent, unanswered)
            items.append(item)
            recent.append(item)
            if item.addressee is not None:
                answer = self._competitor_answer(rng, item, number, segment, hi)
                if answer is not None:
                    items.append(answer)  # later than what it answers: the segment is put in time order below
            elif self._awaits_answer(rng, item):
                if self.answer_minutes is None:
                    unanswered.append(item)
                elif (answer := self._timed_answer(rng, item, number, segment, hi)) is not None:
                    items.append(answer)
        items.extend(waiting)
        items.extend(
            item for thread in self.competitor_threads if lo <= self._second(thread[0]) < hi for item in thread
        )
        items.sort(key=lambda item: item.created_at)  # stable: the audience's items keep their order
        return items

    def _second(self, item: Item) -> float:
        return (item.created_at - self.start).total_seconds()

    @cached_property
    def competitor_threads(self) -> list[list[Item]]:
        """The tracked competitors' own posts of the day (the brand's listening export carries them), each with the
        audience's replies and retweets, drawn from each competitor's own stream; a thread stays in its post's
        segment."""
        threads: list[list[Item]] = []
        if not self.competitors:  # tracked on X only
            return threads
        segment_span = 86400 / max(1, math.ceil(self.volume / SEGMENT_ITEMS))
        for position, (competitor, rivalry) in enumerate(zip(self.competitors, self.brand.rivalries, strict=True)):
            rng = self._rng("competitor", position)
            for number in range(poisson(rng, rivalry.post_rate)):
                offset = rng.uniform(*(hour * 3600 for hour in COMPETITOR_POST_HOURS))
                moment = self.start + timedelta(seconds=offset)
                post_id = self._id(rng, offset, "c", position, "p", number)
                text = rng.choice(COMPETITOR_POSTS)
                post = Item(
                    post_id, self.platform, competitor, moment, "post", text, likes=int(rng.lognormvariate(3, 1))
                )
                thread = [post]
                segment_end = (offset // segment_span + 1) * segment_span
                reactions = poisson(rng, rivalry.replies_per_post + rivalry.retweets_per_post)
                for reaction in range(reactions):
                    at = min(offset + 60 + rng.expovariate(1 / 7200), segment_end - 1)
                    reaction_id = self._id(rng, at, "c", position, "p", number, "r", reaction)
                    author, when = self.audience.pick(rng), self.start + timedelta(seconds=at)
                    if rng.random() < rivalry.retweets_per_post / (
                        rivalry.replies_per_post + rivalry.retweets_per_post
                    ):
                        thread.append(Item(reaction_id, self.platform, author, when, "share", None, None, post))
                        continue
                    topic = _weighted(rng, self._competitor_topics(position))
                    said = fill(rng.choice(COMPETITOR_SAYINGS[topic]), rng, self.vocab)
                    thread.append(self._reply(rng, reaction_id, author, when, post, said, topic))
                threads.append(sorted(thread, key=lambda item: item.created_at))
        return threads

    def _target(self, rng: random.Random, targets: list[Item]) -> Item | None:
        if not targets:
            return None
        today = [t for t in targets[-8:] if t.created_at >= self.start]
        if today and rng.random() > LATE_SHARE:
            return rng.choice(today)
        return rng.choice(targets)

    def _action(self, rng, number, segment, offset, moment, targets, recent, unanswered) -> Item:
        action = _weighted(rng, self.actions)
        target = self._target(rng, targets)
        item_id = self._id(rng, offset, "s", segment, "n", number)
        if self.wave is not None and rng.random() < self.wave_share:
            text = f"@{self.account.handle} " + fill(rng.choice(self.wave.complaints), rng, self.vocab)
            return Item(item_id, self.platform, self.audience.pick(rng), moment, "mention", text, "complaint")
        if self.incident is not None and rng.random() < self.incident_share:
            text = f"@{self.account.handle} " + fill(rng.choice(self.incident.complaints), rng, self.vocab)
            return Item(item_id, self.platform, self.audience.pick(rng), moment, "mention", text, "complaint")
        if self.giveaway is not None and rng.random() < GIVEAWAY_SHARE:
            return self._copy_paste(rng, item_id, self.audience.pick(rng), moment, None)
        if action == "brand_reply" and self.incident is not None and rng.random() > INCIDENT_ANSWER_RATE:
            action = "thread_reply"  # the answer waits: the queue is answered oldest first, later and later
        if action == "brand_reply" and unanswered:
            asked = unanswered.popleft()
            author = self.account if not self.employees or rng.random() < 0.8 else rng.choice(self.employees)
            return self._reply(rng, item_id, author, moment, asked, self._brand_answer(rng, asked), None)
        if action == "thread_reply" and recent:
            parent = rng.choice(recent)
            if parent.topic == "complaint":
                text = rng.choice(COMPLAINT_FOLLOW_UPS)
            elif parent.author.role != "audience":
                text = rng.choice(THANKS_FOLLOW_UPS)
            else:
                text = rng.choice(FRIEND_REPLIES)
            return self._reply(rng, item_id, self.audience.pick(rng), moment, parent, text, "chatter")
        author = self.audience.pick(rng)
        if action == "employee_post" and self.employees:
            text = fill(rng.choice(self.brand.profile.employee_posts), rng, self.vocab, brand=f"@{self.account.handle}")
            return Item(item_id, self.platform, rng.choice(self.employees), moment, "mention", text, "chatter")
        if action == "copy_paste":
            return self._copy_paste(rng, item_id, author, moment, target)
        if action == "mention" and self.ugc_share and rng.random() < self.ugc_share:
            return self._ugc(rng, item_id, author, moment)
        if action == "mention" and self.competitors and rng.random() < self.competitor_share:
            return self._competitor_mention(rng, item_id, author, moment)
        foreign = author.lang != "en" and action in ("mention", "reply", "quote", "comment")
        if foreign and rng.random() < FOREIGN_TEXT_SHARE:
            return self._foreign(rng, item_id, author, moment, action, target)
        if action == "mention" or target is None:
            topic = _weighted(rng, self.mention_topics)
            text = self._mention_text(rng, topic)
            said = "praise" if topic == "shout_out" else topic
            return Item(item_id, self.platform, author, moment, "mention", text, said)
        if action == "share":
            return Item(item_id, self.platform, author, moment, "share", None, None, target)
        if action == "sticker":
            return Item(item_id, self.platform, author, moment, "comment", None, None, target)
        topic = _weighted(rng, TOPICS)
        text = self._reply_text(rng, topic)
        kind = "quote" if action == "quote" else ("reply" if self.platform == "x" else "comment")
        return Item(item_id, self.platform, author, moment, kind, text, topic, target, likes=rng.randrange(6))

    def _ugc(self, rng: random.Random, item_id: str, author: Author, moment: datetime) -> Item:
        """A customer's own post of the product, tagging the brand, with the photo X links to (user-generated content:
        a mention with media)."""
        text = fill(rng.choice(self.brand.vocab["ugc"]), rng, self.vocab, brand=f"@{self.account.handle}")
        if f"@{self.account.handle}" not in text:
            text = f"{text} @{self.account.handle}"
        photo = f"https://x.com/{author.handle}/status/{item_id}/photo/1"
        return Item(item_id, self.platform, author, moment, "mention", f"{text} {photo}", "praise")

    def _foreign(self, rng, item_id, author, moment, action, target) -> Item:
        """A reply, comment or mention in the author's own language."""
        topic, template = rng.choice(FOREIGN[author.lang])
        text = fill(template, rng, self.vocab)
        if action == "mention" or target is None:
            return Item(
                item_id,
                self.platform,
                author,
                moment,
                "mention",
                f"@{self.account.handle} {text}",
                topic,
                lang=author.lang,
            )
        kind = "quote" if action == "quote" else ("reply" if self.platform == "x" else "comment")
        return Item(
            item_id, self.platform, author, moment, kind, text, topic, target, rng.randrange(6), lang=author.lang
        )

    def _competitor_mention(self, rng: random.Random, item_id: str, author: Author, moment: datetime) -> Item:
        """A customer's tweet to a competitor (which may answer it publicly) or comparing it with the brand."""
        competitor = rng.choice(self.competitors)
        position = self.competitors.index(competitor)
        if rng.random() < COMPARISON_SHARE:
            handles = {"brand": f"@{self.account.handle}", "competitor": f"@{competitor.handle}"}
            text = fill(rng.choice(COMPARISONS), rng, self.vocab, **handles)
            return Item(item_id, self.platform, author, moment, "mention", text, "comparison")
        topic = _weighted(rng, self._competitor_topics(position))
        text = f"@{competitor.handle} " + fill(rng.choice(COMPETITOR_SAYINGS[topic]), rng, self.vocab)
        return Item(item_id, self.platform, author, moment, "mention", text, topic, addressee=competitor)

    def _competitor_topics(self, position: int) -> dict[str, float]:
        """What customers say to a competitor: in its bad stretch (its rivalry's wave days), mostly complaints."""
        rivalry = self.brand.rivalries[position]
        first, length = rivalry.wave_days or (0, 0)
        if not first <= self.day_index < first + length:
            return COMPETITOR_TOPICS
        share = rivalry.wave_complaint_share
        return {"praise": (1 - share) * 0.75, "question": (1 - share) * 0.25, "complaint": share}

    def _awaits_answer(self, rng: random.Random, item: Item) -> bool:
        """Whether an audience item joins the queue that the brand's public answers come from."""
        if item.author.role != "audience":
            return False
        return item.topic in ANSWERED and rng.random() < 0.7

    def _competitor_answer(self, rng, asked: Item, number: int, segment: int, segment_end: float) -> Item | None:
        """A competitor's public answer to a customer's question or complaint, at its own rate and after its own delay
        (lognormal around its median); none past the segment's end (a thread stays in its segment)."""
        rivalry = self.brand.rivalries[self.competitors.index(asked.addressee)]
        if asked.topic not in COMPETITOR_ANSWERS or rng.random() >= rivalry.response_rate:
            return None
        offset = self._second(asked) + 60 * rng.lognormvariate(math.log(rivalry.response_minutes), 0.8)
        if offset >= segment_end:
            return None
        answer_id = self._id(rng, offset, "s", segment, "a", number)
        text = rng.choice(COMPETITOR_ANSWERS[asked.topic])
        return self._reply(rng, answer_id, asked.addressee, self.start + timedelta(seconds=offset), asked, text, None)

    def _timed_answer(self, rng, asked: Item, number: int, segment: int, segment_end: float) -> Item | None:
        """The brand's (or an employee's) public answer after the care team's own delay, slower on an incident's
        days; none past the segment's end (a thread stays in its segment)."""
        median = self.answer_minutes * (INCIDENT_DELAY if self.incident is not None else 1)
        offset = self._second(asked) + 60 * rng.lognormvariate(math.log(median), 0.9)
        if offset >= segment_end:
            return None
        answer_id = self._id(rng, offset, "s", segment, "b", number)
        author = self.account if not self.employees or rng.random() < 0.8 else rng.choice(self.employees)
        moment = self.start + timedelta(seconds=offset)
        return self._reply(rng, answer_id, author, moment, asked, self._brand_answer(rng, asked), None)

    def _reply(self, rng, item_id, author, moment, parent: Item, text: str, topic: str | None) -> Item:
        if self.platform == "x":
            text = f"@{parent.author.handle} {text}"
        return Item(item_id, self.platform, author, moment, "reply", text, topic, parent, likes=rng.randrange(4))

    def _brand_answer(self, rng: random.Random, asked: Item) -> str:
        profile = self.brand.profile
        first = asked.author.name.split()[0]
        if asked.topic == "question":
            template = rng.choice(profile.qa)[1]
        elif asked.topic == "complaint":
            template = rng.choice(self.incident.apologies if self.incident else profile.complaint_replies)
        elif asked.topic == "purchase_intent":
            template = rng.choice(profile.link_replies)
        else:
            template = rng.choice(profile.thanks)
        return fill(template, rng, {**self.vocab, "sign_off": profile.sign_offs}, link=self._link(rng), first=first)

    def _friend(self, rng: random.Random) -> str:
        return "@" + self.audience.pick(rng).handle

    def _reply_text(self, rng: random.Random, topic: str) -> str:
        if topic == "question":
            return rng.choice(self.brand.profile.qa)[0]
        template = rng.choice(REPLY_TEMPLATES[topic])
        return fill(template, rng, self.vocab, friend=self._friend(rng), brand=f"@{self.account.handle}")

    def _mention_text(self, rng: random.Random, topic: str) -> str:
        if topic == "question":
            return f"@{self.account.handle} " + rng.choice(self.brand.profile.qa)[0]
        template = rng.choice(MENTION_TEMPLATES[topic])
        return fill(template, rng, self.vocab, friend=self._friend(rng), brand=f"@{self.account.handle}")

    def _copy_paste(self, rng, item_id, author, moment, target) -> Item:
        """A campaign's fixed text, the same for everyone who enters (the enrichment scores it once)."""
        profile = self.brand.profile
        if profile.giveaway is not None:
            text = profile.giveaway.slogan.replace("{brand}", f"@{self.account.handle}")
        else:
            text = f"I'm in! {profile.organic_tag} with @{self.account.handle} 🙌"
        if self.platform == "x" or target is None:
            return Item(item_id, self.platform, author, moment, "mention", text, "praise")
        return Item(item_id, self.platform, author, moment, "comment", text, "praise", target)
