"""The X timeline of the demo: who posts what, when, in reply to whom.

A day-by-day simulation per brand. Brand posts draw audience replies (praise, questions, complaints, purchase intent,
recommendations to friends, low-effort replies, emoji, bare tags, a few non-English), retweets and quotes; the brand
and its employees answer some of them after realistic delays (slower at night and during an incident); audience
members mention the brand in their own tweets (shout-outs, UGC, complaints, questions); employees post and share;
a giveaway makes one slogan appear dozens of times; an incident brings a wave of complaints, and a brand's complaint
wave repeats one grievance in many wordings; the mix of what mentions talk about shifts over the window; the brand's
competitors have their own conversation (generators/demo/rivals.py). Every tweet keeps what
the export needs (ids, thread links, links behind t.co) and the ``topic`` the generator meant, so tests can check the
world's shape.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from generators import phrases
from generators.brands import Brand
from generators.demo.cast import Person
from generators.demo.rivals import RivalDay
from generators.draws import poisson
from generators.ids import IdMint
from generators.profiles import BrandProfile

# Audience reply topics by segment (weights); advocates praise and recommend, everyone else is a mix.
REPLY_TOPICS = {
    "advocate": {
        "praise": 34,
        "recommendation": 30,
        "chatter": 12,
        "question": 5,
        "purchase_intent": 2,
        "bare_tag": 5,
        "low_effort": 6,
        "emoji": 6,
    },
    "default": {
        "praise": 25,
        "question": 14,
        "complaint": 7,
        "purchase_intent": 8,
        "recommendation": 5,
        "chatter": 13,
        "low_effort": 12,
        "emoji": 9,
        "bare_tag": 5,
    },
}
MENTION_TOPICS = {"shout_out": 30, "ugc": 20, "complaint": 20, "question": 15, "recommendation": 15}
# The brand's topic mix shifts over the window: talk of a product grows, talk of shipping fades (weights at the first
# and the last day, linear in between).
SHIFTING_MENTION_TOPICS = {"product_buzz": (3.0, 30.0), "shipping": (22.0, 2.0)}
# Share of audience messages of a topic that get a brand (or employee) reply.
RESPONSE_RATES = {
    "question": 0.72,
    "complaint": 0.8,
    "purchase_intent": 0.75,
    "praise": 0.22,
    "recommendation": 0.3,
    "shout_out": 0.35,
    "ugc": 0.3,
    "chatter": 0.08,
    "low_effort": 0.03,
    "emoji": 0.02,
    "product_buzz": 0.3,
    "shipping": 0.2,
    "comparison": 0.25,
}
QUOTE_COMMENTS = (
    "This! 👇",
    "been waiting for this one",
    "finally!!",
    "can't wait to try it",
    "ok this is cool",
    "my favourite brand doing favourite things",
    "hmm, not sure about this one",
    "told you they were good",
    "need this in my life",
)
GREETINGS = ("Hi {first}! ", "{first}, ", "", "Hey {first}, ")
LOW_EFFORT_SHORT = 4  # low-effort texts this short get X's "qst" (short text) language code
GROWTH = 0.8  # audience activity grows by this share over the window


@dataclass(frozen=True)
class Link:
    tco: str  # the t.co address in the text
    expanded: str  # where it leads


@dataclass(frozen=True)
class Said:
    """What an audience member says before it becomes a tweet."""

    topic: str
    text: str
    lang: str  # X's language code
    friend: Person | None = None  # tagged in a recommendation
    answer: str | None = None  # the brand's stock answer to a question


@dataclass(eq=False)
class Tweet:
    tweet_id: str
    author: Person
    created_at: datetime
    text: str
    lang: str
    # brand_post | brand_reply | employee_post | employee_reply | audience_reply | mention | retweet | quote
    # | competitor_post | competitor_reply
    kind: str
    topic: str  # what the generator meant: praise, complaint, question, slogan, announcement, share ...
    brand_id: str  # whose search export the tweet lands in
    root: Tweet | None = None  # first tweet of the conversation (None: this one starts it)
    replied_to: Tweet | None = None
    quoted: Tweet | None = None
    retweeted: Tweet | None = None
    reply_handles: tuple[str, ...] = ()  # the "@a @b" a reply starts with
    links: tuple[Link, ...] = ()
    previous: Tweet | None = None  # the first version of an edited tweet
    likes: int = 0  # likes once the tweet has settled (a day and a half after posting)
    impressions: int = 0

    @property
    def conversation_id(self) -> str:
        return (self.root or self).tweet_id


def retweet_text(handle: str, text: str) -> str:
    """X's retweet text: "RT @author: " and the original, cut to 140 characters with an ellipsis."""
    full = f"RT @{handle}: {text}"
    return full if len(full) <= 140 else full[:139] + "…"


class XWorld:
    def __init__(
        self,
        rng: random.Random,
        ids: IdMint,
        brands: Sequence[Brand],
        profiles: dict[str, BrandProfile],
        staff: Sequence[Person],
        audience: Sequence[Person],
        start: date,
        days: int,
        competitors: Sequence[Person] = (),
    ) -> None:
        self.rng, self.ids, self.brands, self.profiles, self.days = rng, ids, brands, profiles, days
        self.start_at = datetime.combine(start, time(0), tzinfo=UTC)
        self.end_at = self.start_at + timedelta(days=days)
        self.accounts = {p.brands[0]: p for p in staff if p.role == "brand"}
        self.employees = {
            b.brand_id: [p for p in staff if p.role == "employee" and p.brands[0] == b.brand_id] for b in brands
        }
        self.fans = {b.brand_id: [p for p in audience if b.brand_id in p.brands] for b in brands}
        self.tweets: list[Tweet] = []
        self.answers: dict[str, str] = {}  # question tweet id -> the answer the brand would give
        self._pools: dict[str, tuple[int, list[Person], list[float]]] = {}
        self.rivals = RivalDay(self, {p.handle.lower(): p for p in competitors})

    # ------------------------------------------------------------------------------------------------ simulation
    def run(self) -> list[Tweet]:
        for brand in self.brands:
            for day in range(self.days):
                self._brand_day(brand, day)
        self._add_edits()
        self.tweets.sort(key=lambda t: (t.created_at, int(t.tweet_id)))
        return self.tweets

    def _brand_day(self, brand: Brand, day: int) -> None:
        rng, profile = self.rng, self.profiles[brand.brand_id]
        weekday = (self.start_at + timedelta(days=day)).weekday()
        incident, giveaway = profile.incident, profile.giveaway
        in_incident = incident is not None and incident.day <= day < incident.day + incident.length_days
        spike_share = 0.5 if in_incident else 0.0
        vocab = self._vocab(brand)
        if incident is not None and day == incident.day:
            post = self._post(brand, day, 10.0, incident.announcement, "announcement")
            self._engage(post, brand, day, intensity=4.0, complaint_share=0.8)
        if giveaway is not None and day == giveaway.day:
            post = self._post(
                brand, day, 15.0, phrases.fill(giveaway.post, rng, vocab, brand=f"@{brand.x_handle}"), "giveaway"
            )
            self._engage(post, brand, day, intensity=2.0, extra_retweets=30)
        if weekday == profile.campaign_weekday:
            post = self._post(
                brand, day, rng.uniform(9, 12), rng.choice(profile.campaign_posts), "campaign", profile.organic_path
            )
            self._engage(post, brand, day, complaint_share=spike_share)
        for _ in range(poisson(rng, profile.post_rate * (0.6 if weekday >= 5 else 1.0))):
            if rng.random() < 0.3:
                post = self._post(brand, day, rng.uniform(8, 19), rng.choice(profile.link_posts), "link", "shop")
            else:
                post = self._post(brand, day, rng.uniform(8, 19), rng.choice(profile.posts), "product")
            self._engage(post, brand, day, complaint_share=spike_share)
        for _ in range(poisson(rng, profile.mention_rate * self._growth(day))):
            self._mention(brand, day, rng.uniform(7, 23.5))
        if in_incident:
            share = 0.6 if day == incident.day else 0.4 / max(1, incident.length_days - 1)
            for _ in range(round(incident.extra_complaints * share)):
                self._incident_complaint(brand, day)
        if giveaway is not None and giveaway.day <= day < giveaway.day + giveaway.length_days:
            share = 0.55 if day == giveaway.day else 0.45 / max(1, giveaway.length_days - 1)
            for _ in range(round(giveaway.entries * share)):
                self._slogan_copy(brand, day, 15.2 if day == giveaway.day else 7.0)
        wave = profile.complaint_wave
        if wave is not None and wave.day <= day < wave.day + wave.length_days:
            share = 0.5 if day == wave.day else 0.5 / max(1, wave.length_days - 1)
            for _ in range(round(wave.count * share)):
                self._wave_complaint(brand, day)
        for employee in self.employees[brand.brand_id]:
            if rng.random() < 0.22:
                self._employee_post(brand, employee, day)
        self.rivals.run(brand, day)

    def _growth(self, day: int) -> float:
        return 1.0 + GROWTH * day / max(1, self.days - 1)

    def _vocab(self, brand: Brand) -> dict[str, Sequence[str]]:
        profile = self.profiles[brand.brand_id]
        return {**phrases.COMMON, **phrases.FOREIGN_VOCAB, **profile.vocab}

    def _at(self, day: int, hour: float) -> datetime:
        seconds = int(hour * 3600) + self.rng.randrange(60)
        return self.start_at + timedelta(days=day, seconds=min(seconds, 86_399))

    def _delay(self, median_minutes: float, sigma: float, cap_hours: float) -> timedelta:
        minutes = min(self.rng.lognormvariate(math.log(median_minutes), sigma), cap_hours * 60)
        return timedelta(seconds=int(minutes * 60) + 20)

    def _response_delay(self, asked_at: datetime, slow: bool) -> timedelta:
        """Minutes to an hour by day; overnight messages wait for the morning shift; hours during an incident."""
        minutes = self.rng.lognormvariate(math.log(300 if slow else 38), 1.0)
        hour = asked_at.hour + asked_at.minute / 60
        if not 8 <= hour < 20:
            minutes += ((8 - hour) % 24) * 60
        return timedelta(seconds=int(minutes * 60) + 30)

    # ------------------------------------------------------------------------------------------------ engagers
    def _engager(self, brand_id: str, day: int) -> Person | None:
        """An audience member who may engage on ``day``, drawn by segment weight; one-off engagers only once."""
        pool_day, people, cumulative = self._pools.get(brand_id, (-1, [], []))
        if pool_day != day:
            people = [p for p in self.fans[brand_id] if p.join_day <= day and p.weight > 0 and not p.used]
            cumulative = []
            total = 0.0
            for person in people:
                total += person.weight
                cumulative.append(total)
            self._pools[brand_id] = (day, people, cumulative)
        if not people:
            return None
        for _ in range(30):
            person = self.rng.choices(people, cum_weights=cumulative)[0]
            if not person.used:
                person.used = person.segment == "one_off"
                return person
        return None

    def _friend(self, author: Person, brand_id: str, day: int) -> Person:
        """Whom a recommendation tags: often someone who has not engaged yet (and soon will), or a silent follower."""
        fans = [p for p in self.fans[brand_id] if p is not author]
        draw = self.rng.random()
        if draw < 0.45:
            candidates = [p for p in fans if p.join_day > day and p.segment != "silent"]
        elif draw < 0.65:
            candidates = [p for p in fans if p.segment == "silent"]
        else:
            candidates = [p for p in fans if p.join_day <= day]
        friend = self.rng.choice(candidates or fans)
        if friend.join_day > day:  # the tag works: the friend starts engaging within a week
            friend.join_day = min(friend.join_day, day + self.rng.randint(1, 7))
        return friend

    # ------------------------------------------------------------------------------------------------ tweets
    def _add(self, tweet: Tweet) -> Tweet | None:
        if not self.start_at <= tweet.created_at < self.end_at:
            return None
        tweet.tweet_id = self.ids.snowflake(tweet.created_at)
        self.tweets.append(tweet)
        return tweet

    def _link(self, brand: Brand, path: str) -> Link:
        profile = self.profiles[brand.brand_id]
        query = f"utm_source=x&utm_medium=organic_social&utm_campaign={brand.organic_campaign.utm_campaign}"
        return Link(self.ids.tco(), f"https://www.{profile.domain}/{path}?{query}")

    def _post(
        self, brand: Brand, day: int, hour: float, template: str, topic: str, link_path: str | None = None
    ) -> Tweet | None:
        account = self.accounts[brand.brand_id]
        links = (self._link(brand, link_path),) if link_path else ()
        fixed = {"brand": f"@{brand.x_handle}", **({"link": links[0].tco} if links else {})}
        text = phrases.fill(template, self.rng, self._vocab(brand), **fixed)
        followers = self.profiles[brand.brand_id].followers
        return self._add(
            Tweet(
                tweet_id="",
                author=account,
                created_at=self._at(day, hour),
                text=text,
                lang="en",
                kind="brand_post",
                topic=topic,
                brand_id=brand.brand_id,
                links=links,
                likes=int(followers * self.rng.uniform(0.002, 0.012)),
                impressions=int(followers * self.rng.uniform(0.08, 0.3)),
            )
        )

    def account_post(self, account: Person, day: int, hour: float, text: str, topic: str, brand: Brand) -> Tweet | None:
        """A post by an account that is not the brand's (a competitor's), in the brand's search export."""
        return self._add(
            Tweet(
                tweet_id="",
                author=account,
                created_at=self._at(day, hour),
                text=text,
                lang="en",
                kind=topic,
                topic=topic,
                brand_id=brand.brand_id,
                likes=int(account.followers * self.rng.uniform(0.002, 0.01)),
                impressions=int(account.followers * self.rng.uniform(0.08, 0.3)),
            )
        )

    def _audience_tweet(
        self, author: Person, when: datetime, text: str, lang: str, kind: str, topic: str, brand: Brand, **links
    ) -> Tweet | None:
        warmth = 3 if author.segment == "advocate" else 1
        return self._add(
            Tweet(
                tweet_id="",
                author=author,
                created_at=when,
                text=" ".join(text.split()),
                lang=lang,
                kind=kind,
                topic=topic,
                brand_id=brand.brand_id,
                likes=min(int(self.rng.expovariate(0.6)) * warmth, 60),
                impressions=int(author.followers * self.rng.uniform(0.05, 0.4)) + self.rng.randint(5, 60),
                **links,
            )
        )

    def _reply(
        self, parent: Tweet, author: Person, when: datetime, body: str, kind: str, topic: str, lang: str, brand: Brand
    ) -> Tweet | None:
        """A reply: its text starts with the handles X puts there (the parent's author, then the parent's own)."""
        handles = tuple(
            dict.fromkeys(
                h for h in (parent.author.handle, *parent.reply_handles) if h.lower() != author.handle.lower()
            )
        )[:3]
        text = " ".join(f"@{h}" for h in handles) + " " + " ".join(body.split())
        reply = self._audience_tweet(author, when, text, lang, kind, topic, brand)
        if reply is not None:
            reply.root = parent.root or parent
            reply.replied_to = parent
            reply.reply_handles = handles
        return reply

    def _retweet(self, target: Tweet, author: Person, when: datetime, brand: Brand) -> Tweet | None:
        text = retweet_text(target.author.handle, target.text)
        links = tuple(link for link in target.links if link.tco in text)
        retweet = self._audience_tweet(author, when, text, target.lang, "retweet", "share", brand, links=links)
        if retweet is not None:
            retweet.retweeted, retweet.likes, retweet.impressions = target, 0, 0
        return retweet

    def _quote(self, target: Tweet, author: Person, when: datetime, brand: Brand) -> Tweet | None:
        link = Link(self.ids.tco(), f"https://twitter.com/{target.author.handle}/status/{target.tweet_id}")
        text = f"{self.rng.choice(QUOTE_COMMENTS)} {link.tco}"
        quote = self._audience_tweet(author, when, text, "en", "quote", "quote", brand, links=(link,))
        if quote is not None:
            quote.quoted = target
        return quote

    # ------------------------------------------------------------------------------------------------ behaviour
    def _engage(
        self,
        post: Tweet | None,
        brand: Brand,
        day: int,
        *,
        intensity: float = 1.0,
        complaint_share: float = 0.0,
        extra_retweets: int = 0,
    ) -> None:
        """Replies, retweets and quotes on an owned post, growing with the community."""
        if post is None:
            return
        rng, profile, growth = self.rng, self.profiles[brand.brand_id], self._growth(day)
        for _ in range(poisson(rng, profile.replies_per_post * growth * intensity)):
            author = self._engager(brand.brand_id, day)
            if author is None:
                continue
            when = post.created_at + self._delay(50, 1.3, 48)
            said = self._audience_body(author, brand, day, complaint_share)
            reply = self._reply(post, author, when, said.text, "audience_reply", said.topic, said.lang, brand)
            self._follow_up(reply, said, brand, slow=complaint_share > 0)
        for _ in range(poisson(rng, profile.retweets_per_post * growth * intensity) + extra_retweets):
            author = self._engager(brand.brand_id, day)
            if author is not None:
                self._retweet(post, author, post.created_at + self._delay(90, 1.2, 72), brand)
        if post.author.role == "brand":
            for employee in self.employees[brand.brand_id]:
                if rng.random() < 0.4:
                    self._retweet(post, employee, post.created_at + self._delay(120, 1.0, 24), brand)
        for _ in range(poisson(rng, 0.3 * growth * intensity)):
            author = self._engager(brand.brand_id, day)
            if author is not None:
                self._quote(post, author, post.created_at + self._delay(180, 1.0, 72), brand)

    def _audience_body(self, author: Person, brand: Brand, day: int, complaint_share: float) -> Said:
        """What an audience member replies to an owned post (without the reply handles)."""
        rng, profile, vocab = self.rng, self.profiles[brand.brand_id], self._vocab(brand)
        if complaint_share and profile.incident is not None and rng.random() < complaint_share:
            return Said("complaint", phrases.fill(rng.choice(profile.incident.complaints), rng, vocab), "en")
        if author.lang != "en" and rng.random() < 0.7:
            topic, template = rng.choice(phrases.FOREIGN[author.lang])
            return Said(topic, phrases.fill(template, rng, vocab), author.lang)
        weights = REPLY_TOPICS["advocate" if author.segment == "advocate" else "default"]
        topic = rng.choices(list(weights), weights=list(weights.values()))[0]
        if topic == "question":
            question, answer = rng.choice(profile.qa)
            return Said(topic, phrases.fill(question, rng, vocab), "en", answer=phrases.fill(answer, rng, vocab))
        friend = self._friend(author, brand.brand_id, day) if topic in ("recommendation", "bare_tag") else None
        body = phrases.fill(
            rng.choice(phrases.REPLY_TEMPLATES[topic]), rng, vocab, friend=f"@{friend.handle}" if friend else ""
        )
        return Said(topic, body, self._lang(topic, body), friend)

    @staticmethod
    def _lang(topic: str, body: str) -> str:
        """X's language code: "art" for emoji only, "qam" for a bare mention, "qst" for very short text."""
        if topic == "emoji":
            return "art"
        if topic == "bare_tag":
            return "qam"
        if topic == "low_effort" and len(body) <= LOW_EFFORT_SHORT:
            return "qst"
        return "en"

    def _follow_up(self, message: Tweet | None, said: Said, brand: Brand, *, slow: bool) -> None:
        """What happens under an audience message: the tagged friend answers, the brand responds, and so on."""
        if message is None:
            return
        if said.answer is not None:
            self.answers[message.tweet_id] = said.answer
        rng, friend = self.rng, said.friend
        if friend is not None and friend.segment != "silent" and not friend.used and rng.random() < 0.35:
            friend.used = friend.segment == "one_off"
            when = message.created_at + self._delay(30, 1.2, 24)
            self._reply(
                message, friend, when, rng.choice(phrases.FRIEND_REPLIES), "audience_reply", "friend_reply", "en", brand
            )
        self._respond(message, brand, slow=slow)

    def _respond(self, message: Tweet, brand: Brand, *, slow: bool) -> None:
        rng = self.rng
        if rng.random() >= RESPONSE_RATES.get(message.topic, 0.0) * (0.55 if slow else 1.0):
            return
        employees = self.employees[brand.brand_id]
        responder = self.accounts[brand.brand_id] if rng.random() < 0.72 or not employees else rng.choice(employees)
        when = message.created_at + self._response_delay(message.created_at, slow)
        body, links = self._response_text(message, responder, brand, slow)
        reply = self._brand_reply(message, responder, when, body, brand, links)
        if reply is None:
            return
        if message.topic == "complaint" and rng.random() < 0.45:
            later = reply.created_at + self._delay(40, 1.2, 24)
            again = self._reply(
                reply,
                message.author,
                later,
                rng.choice(phrases.COMPLAINT_FOLLOW_UPS),
                "audience_reply",
                "follow_up",
                "en",
                brand,
            )
            if again is not None and rng.random() < 0.6:
                closing = f"thanks {message.author.first}, we've got it from here and will keep you posted."
                self._brand_reply(
                    again, responder, again.created_at + self._response_delay(again.created_at, slow), closing, brand
                )
        elif message.topic == "question" and rng.random() < 0.3:
            later = reply.created_at + self._delay(25, 1.0, 12)
            self._reply(
                reply,
                message.author,
                later,
                rng.choice(phrases.THANKS_FOLLOW_UPS),
                "audience_reply",
                "thanks",
                "en",
                brand,
            )

    def _brand_reply(
        self, message: Tweet, responder: Person, when: datetime, body: str, brand: Brand, links: tuple[Link, ...] = ()
    ) -> Tweet | None:
        kind = "brand_reply" if responder.role == "brand" else "employee_reply"
        reply = self._reply(message, responder, when, body, kind, "response", "en", brand)
        if reply is not None:
            reply.links = links
        return reply

    def _response_text(
        self, message: Tweet, responder: Person, brand: Brand, slow: bool
    ) -> tuple[str, tuple[Link, ...]]:
        """The brand's answer to an audience message, and the links behind its t.co addresses."""
        rng, profile, vocab = self.rng, self.profiles[brand.brand_id], self._vocab(brand)
        first = message.author.first
        sign_off = rng.choice(profile.sign_offs) if responder.role == "brand" else ""
        if message.topic == "complaint" and slow and profile.incident is not None:
            return phrases.fill(rng.choice(profile.incident.apologies), rng, vocab, first=first, sign_off=sign_off), ()
        links: tuple[Link, ...] = ()
        if message.topic == "question" and message.tweet_id in self.answers:
            body = self.answers[message.tweet_id]
        elif message.topic == "complaint":
            body = rng.choice(profile.complaint_replies)
        elif message.topic in ("purchase_intent", "question"):  # a question with no stock answer gets the shop link
            link = self._link(brand, "shop")
            links = (link,)
            body = phrases.fill(rng.choice(profile.link_replies), rng, vocab, link=link.tco)
        else:
            body = rng.choice(profile.thanks)
        greeting = phrases.fill(rng.choice(GREETINGS), rng, vocab, first=first)
        if not greeting or greeting.endswith("! "):
            body = body[0].upper() + body[1:]
        return f"{greeting}{body}{sign_off}", links

    def _mention(self, brand: Brand, day: int, hour: float) -> None:
        """An audience member's own tweet about the brand (not a reply): shout-out, UGC, complaint, question..."""
        rng = self.rng
        author = self._engager(brand.brand_id, day)
        if author is None:
            return
        said = self._mention_body(author, brand, day)
        mention = self._audience_tweet(author, self._at(day, hour), said.text, said.lang, "mention", said.topic, brand)
        self._follow_up(mention, said, brand, slow=False)
        if mention is not None and said.topic in ("ugc", "shout_out") and rng.random() < 0.2:
            self._retweet(mention, self.accounts[brand.brand_id], mention.created_at + self._delay(60, 1.0, 24), brand)

    def _mention_body(self, author: Person, brand: Brand, day: int) -> Said:
        rng, profile, vocab = self.rng, self.profiles[brand.brand_id], self._vocab(brand)
        handle = f"@{brand.x_handle}"
        if author.lang != "en" and rng.random() < 0.6:
            topic, template = rng.choice(phrases.FOREIGN[author.lang])
            return Said(topic, f"{handle} {phrases.fill(template, rng, vocab)}", author.lang)
        progress = day / max(1, self.days - 1)
        weights = {
            **MENTION_TOPICS,
            **{topic: first + (last - first) * progress for topic, (first, last) in SHIFTING_MENTION_TOPICS.items()},
        }
        topic = rng.choices(list(weights), weights=list(weights.values()))[0]
        template = rng.choice(phrases.MENTION_TEMPLATES[topic])
        if topic == "question":
            question, answer = rng.choice(profile.qa)
            text = phrases.fill(template, rng, vocab, brand=handle, question=phrases.fill(question, rng, vocab))
            return Said(topic, text, "en", answer=phrases.fill(answer, rng, vocab))
        friend = self._friend(author, brand.brand_id, day) if topic == "recommendation" else None
        text = phrases.fill(template, rng, vocab, brand=handle, friend=f"@{friend.handle}" if friend else "")
        return Said(topic, text, "en", friend)

    def _incident_complaint(self, brand: Brand, day: int) -> None:
        rng, profile = self.rng, self.profiles[brand.brand_id]
        author = self._engager(brand.brand_id, day)
        if author is None or profile.incident is None:
            return
        body = phrases.fill(rng.choice(profile.incident.complaints), rng, self._vocab(brand))
        hour = rng.uniform(10.2, 23.5) if day == profile.incident.day else rng.uniform(7, 23.5)
        mention = self._audience_tweet(
            author, self._at(day, hour), f"@{brand.x_handle} {body}", "en", "mention", "complaint", brand
        )
        self._follow_up(mention, Said("complaint", body, "en"), brand, slow=True)

    def _wave_complaint(self, brand: Brand, day: int) -> None:
        """One complaint of the brand's complaint wave: the same grievance in one of its wordings, answered as usual."""
        rng, wave = self.rng, self.profiles[brand.brand_id].complaint_wave
        author = self._engager(brand.brand_id, day)
        if author is None or wave is None:
            return
        body = phrases.fill(rng.choice(wave.complaints), rng, self._vocab(brand))
        text = f"@{brand.x_handle} {body}{rng.choice(phrases.COMMON['neg_emoji'])}"
        mention = self._audience_tweet(
            author, self._at(day, rng.uniform(7, 23.5)), text, "en", "mention", "complaint", brand
        )
        self._follow_up(mention, Said("complaint", body, "en"), brand, slow=False)

    def _slogan_copy(self, brand: Brand, day: int, earliest_hour: float) -> None:
        author = self._engager(brand.brand_id, day)
        giveaway = self.profiles[brand.brand_id].giveaway
        if author is None or giveaway is None:
            return
        text = phrases.fill(giveaway.slogan, self.rng, {}, brand=f"@{brand.x_handle}")
        self._audience_tweet(
            author, self._at(day, self.rng.uniform(earliest_hour, 23.9)), text, "en", "mention", "slogan", brand
        )

    def _employee_post(self, brand: Brand, employee: Person, day: int) -> None:
        rng, profile = self.rng, self.profiles[brand.brand_id]
        text = phrases.fill(rng.choice(profile.employee_posts), rng, self._vocab(brand), brand=f"@{brand.x_handle}")
        post = self._add(
            Tweet(
                tweet_id="",
                author=employee,
                created_at=self._at(day, rng.uniform(7, 21)),
                text=text,
                lang="en",
                kind="employee_post",
                topic="employee_post",
                brand_id=brand.brand_id,
                likes=int(employee.followers * rng.uniform(0.01, 0.05)),
                impressions=int(employee.followers * rng.uniform(0.2, 0.6)),
            )
        )
        self._engage(post, brand, day, intensity=0.3)
        if post is not None and rng.random() < 0.3:
            self._retweet(post, self.accounts[brand.brand_id], post.created_at + self._delay(90, 1.0, 24), brand)

    def _add_edits(self) -> None:
        """Two edited tweets (a brand post, an audience reply): exports show the edit, its history, first version.

        The first version fixed a typo a few minutes before the edit; a reply's first version still follows its parent.
        """
        settled = self.start_at + timedelta(days=3)
        brand_posts = (t for t in self.tweets if t.kind == "brand_post" and t.created_at > settled)
        praise = (
            t for t in self.tweets if t.topic == "praise" and t.kind == "audience_reply" and t.created_at > settled
        )
        for candidates in (brand_posts, praise):
            for tweet in candidates:
                first_at = tweet.created_at - timedelta(seconds=self.rng.randint(90, 600))
                follows = tweet.replied_to.created_at if tweet.replied_to is not None else self.start_at
                if " the " in tweet.text and first_at > follows:
                    typo = tweet.text.replace(" the ", " teh ", 1)
                    tweet.previous = Tweet(**{**tweet.__dict__, "created_at": first_at, "text": typo})
                    tweet.previous.tweet_id = self.ids.snowflake(first_at)
                    break
