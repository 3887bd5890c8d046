"""The demo's Facebook pages as a Sprout-Social-like "Messages" report (written by generators/formats/sprout.py).

Written only for brands with a Facebook page (DEMO_BRANDS). Pages post twice a week; the same audience comments
(Facebook tags friends by name, not @handle) and the page answers.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from generators import phrases
from generators.brands import Brand
from generators.demo.cast import Person
from generators.draws import poisson
from generators.formats.sprout import SproutRow, write_sprout_messages
from generators.ids import IdMint
from generators.profiles import BrandProfile

POST_WEEKDAYS = (1, 4)  # Tuesday and Friday
COMMENT_TOPICS = {
    "praise": 30,
    "question": 16,
    "complaint": 8,
    "purchase_intent": 9,
    "recommendation": 8,
    "chatter": 12,
    "low_effort": 10,
    "emoji": 7,
}
ANSWERED = {"question": 0.7, "complaint": 0.75, "purchase_intent": 0.6, "praise": 0.15}


class SproutReport:
    def __init__(
        self,
        rng: random.Random,
        ids: IdMint,
        brands: Sequence[Brand],
        profiles: dict[str, BrandProfile],
        audience: Sequence[Person],
        start_at: datetime,
        days: int,
    ) -> None:
        self.rng, self.ids, self.profiles = rng, ids, profiles
        self.brands = [b for b in brands if b.facebook_page_id]
        self.start_at, self.days = start_at, days
        self.end_at = start_at + timedelta(days=days)
        self.fans = {
            b.brand_id: [p for p in audience if b.brand_id in p.brands and p.segment != "silent"] for b in brands
        }
        self.facebook_ids: dict[str, str] = {}  # person id -> the same person's Facebook id

    def write(self, path: Path) -> list[Path]:
        if not self.brands:
            return []
        return [write_sprout_messages(path, (row for brand in self.brands for row in self._page(brand)))]

    def _facebook_id(self, person: Person) -> str:
        if person.person_id not in self.facebook_ids:
            self.facebook_ids[person.person_id] = self.ids.digits(16, "10")
        return self.facebook_ids[person.person_id]

    def _page(self, brand: Brand) -> list[SproutRow]:
        rng, profile = self.rng, self.profiles[brand.brand_id]
        vocab = {**phrases.COMMON, **profile.vocab}
        rows: list[SproutRow] = []
        for day in range(self.days):
            if (self.start_at + timedelta(days=day)).weekday() not in POST_WEEKDAYS:
                continue
            at = self.start_at + timedelta(days=day, hours=rng.uniform(13, 17))
            at -= timedelta(seconds=at.second, microseconds=at.microsecond)  # the report shows minutes only
            post_number = self.ids.digits(16, "1")
            post_id = f"{brand.facebook_page_id}_{post_number}"
            text = phrases.fill(rng.choice(profile.posts), rng, vocab, brand=brand.name)
            permalink = f"https://www.facebook.com/{brand.facebook_handle}/posts/{post_number}"
            growth = 1.0 + 0.6 * day / max(1, self.days - 1)
            comments = self._comments(brand, post_id, post_number, permalink, at, poisson(rng, 4.0 * growth))
            followers = profile.followers // 2
            rows.append(
                SproutRow(
                    at,
                    "Post",
                    post_id,
                    brand.facebook_page_id,
                    brand.facebook_handle or "",
                    brand.name,
                    text,
                    "en",
                    "",
                    post_id,
                    permalink,
                    int(followers * rng.uniform(0.004, 0.02)),
                    sum(1 for c in comments if c.kind == "Comment"),
                    poisson(rng, 3.0),
                    int(followers * rng.uniform(0.1, 0.35)),
                )
            )
            rows.extend(comments)
        return rows

    def _comments(
        self, brand: Brand, post_id: str, post_number: str, permalink: str, posted: datetime, count: int
    ) -> list[SproutRow]:
        rng, profile = self.rng, self.profiles[brand.brand_id]
        vocab = {**phrases.COMMON, **profile.vocab}
        rows = []
        for _ in range(count):
            person = rng.choice(self.fans[brand.brand_id])
            at = posted + timedelta(minutes=int(rng.lognormvariate(4.0, 1.2)) + 1)
            if at >= self.end_at:
                continue
            topic = rng.choices(list(COMMENT_TOPICS), weights=list(COMMENT_TOPICS.values()))[0]
            friend = rng.choice(self.fans[brand.brand_id])
            if topic == "question":
                question, answer = rng.choice(profile.qa)
                text = phrases.fill(question, rng, vocab)
            else:
                answer = None
                template = rng.choice(phrases.REPLY_TEMPLATES[topic])
                text = phrases.fill(template, rng, vocab, friend=f"{friend.first} {friend.last}")
            text = " ".join(text.split())
            comment_number = self.ids.digits(16, "1")
            comment_id = f"{post_number}_{comment_number}"
            lang = "und" if topic == "emoji" else "en"
            rows.append(
                SproutRow(
                    at,
                    "Comment",
                    comment_id,
                    self._facebook_id(person),
                    f"{person.first}.{person.last}".lower(),
                    f"{person.first} {person.last}",
                    text,
                    lang,
                    post_id,
                    post_id,
                    f"{permalink}?comment_id={comment_number}",
                    int(rng.expovariate(0.7)),
                )
            )
            if rng.random() < ANSWERED.get(topic, 0.03):
                reply_at = at + timedelta(minutes=int(rng.lognormvariate(3.8, 1.0)) + 2)
                if reply_at >= self.end_at:
                    continue
                if answer is not None:
                    body = phrases.fill(answer, rng, vocab)
                elif topic == "purchase_intent":
                    body = phrases.fill(
                        rng.choice(profile.link_replies), rng, vocab, link=f"https://www.{profile.domain}/shop"
                    )
                elif topic == "complaint":
                    body = rng.choice(profile.complaint_replies)
                else:
                    body = rng.choice(profile.thanks)
                reply_number = self.ids.digits(16, "1")
                rows.append(
                    SproutRow(
                        reply_at,
                        "Reply",
                        f"{post_number}_{reply_number}",
                        brand.facebook_page_id or "",
                        brand.facebook_handle or "",
                        brand.name,
                        f"Hi {person.first}, {body}",
                        "en",
                        comment_id,
                        post_id,
                        f"{permalink}?comment_id={reply_number}",
                        rng.randint(0, 3),
                    )
                )
        return rows
