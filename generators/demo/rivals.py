"""The demo brands' competitors on X: their accounts, their posts and what customers say to and about them.

Each brand tracks two competitors (``Brand.competitors``). A competitor posts, customers reply to and retweet its posts,
name it in their own tweets, and now and then compare it with the brand in one tweet; the competitor answers some of
this publicly, at its own rate and speed. One competitor has a bad stretch (a complaint wave), and mentions of another
grow over the window, so shares of voice and net sentiment move from week to week. All of it lands in the tracking
brand's search export, as a listening export would carry it.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from generators import phrases
from generators.brands import Brand, TrackedCompetitor
from generators.demo.cast import Person
from generators.draws import poisson
from generators.ids import IdMint
from generators.profiles import RIVALRIES, Rivalry

if TYPE_CHECKING:
    from generators.demo.x_world import Tweet, XWorld


def competitor_accounts(ids: IdMint, brands: list[Brand]) -> list[Person]:
    """The competitors' X accounts (a competitor tracked by handle alone still has an id on X)."""
    accounts = []
    for brand in brands:
        for number, competitor in enumerate(brand.competitors):
            person_id = competitor.x_account_id or ids.digits(19, "1")
            accounts.append(_account(person_id, competitor, brand, number))
    return accounts


def _account(person_id: str, competitor: TrackedCompetitor, brand: Brand, number: int) -> Person:
    return Person(
        person_id=person_id,
        handle=competitor.x_handle,
        name=competitor.name,
        first=competitor.name,
        last="",
        created_at=datetime(2015, 3, 9, 10, 0, tzinfo=UTC) + timedelta(days=97 * number),
        description=f"{competitor.name}. Official account.",
        location="",
        followers=9_000 + 4_000 * number,
        following=400,
        tweet_count=3_000,
        listed=60,
        profile_image_url=f"https://pbs.twimg.com/profile_images/{person_id}/avatar_normal.jpg",
        role="competitor",
        segment="competitor",
        brands=(brand.brand_id,),
        join_day=0,
        lang="en",
        verified=competitor.x_account_id is not None,
    )


class RivalDay:
    """One brand's competitors on one day of the X world (drawn from the world's own random stream)."""

    def __init__(self, world: XWorld, accounts: dict[str, Person]) -> None:
        self.world, self.accounts = world, accounts

    @property
    def rng(self) -> random.Random:
        return self.world.rng

    def run(self, brand: Brand, day: int) -> None:
        for competitor in brand.competitors:
            rivalry, account = RIVALRIES[competitor.competitor_id], self.accounts[competitor.x_handle.lower()]
            for _ in range(poisson(self.rng, rivalry.post_rate)):
                self._post(brand, account, rivalry, day)
            growth = 1.0 + rivalry.growth * day / max(1, self.world.days - 1)
            for _ in range(poisson(self.rng, rivalry.mention_rate * growth)):
                self._mention(brand, account, rivalry, day)
            for _ in range(poisson(self.rng, rivalry.comparison_rate)):
                self._comparison(brand, account, day)

    def _complaint_share(self, rivalry: Rivalry, day: int) -> float:
        if rivalry.wave_days is not None and rivalry.wave_days[0] <= day < sum(rivalry.wave_days):
            return rivalry.wave_complaint_share
        return rivalry.complaint_share

    def _saying(self, rivalry: Rivalry, day: int) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < self._complaint_share(rivalry, day):
            topic = "complaint"
        else:
            topic = "praise" if rng.random() < 0.7 else "question"
        return topic, phrases.fill(rng.choice(phrases.COMPETITOR_SAYINGS[topic]), rng, phrases.COMMON)

    def _post(self, brand: Brand, account: Person, rivalry: Rivalry, day: int) -> None:
        world, rng = self.world, self.rng
        post = world.account_post(
            account, day, rng.uniform(8, 19), rng.choice(phrases.COMPETITOR_POSTS), "competitor_post", brand
        )
        if post is None:
            return
        for _ in range(poisson(rng, rivalry.replies_per_post)):
            author = world._engager(brand.brand_id, day)
            if author is not None:
                topic, body = self._saying(rivalry, day)
                when = post.created_at + world._delay(50, 1.3, 48)
                reply = world._reply(post, author, when, body, "audience_reply", topic, "en", brand)
                self._answer(reply, account, rivalry, brand)
        for _ in range(poisson(rng, rivalry.retweets_per_post)):
            author = world._engager(brand.brand_id, day)
            if author is not None:
                world._retweet(post, author, post.created_at + world._delay(90, 1.2, 72), brand)

    def _mention(self, brand: Brand, account: Person, rivalry: Rivalry, day: int) -> None:
        world = self.world
        author = world._engager(brand.brand_id, day)
        if author is None:
            return
        topic, body = self._saying(rivalry, day)
        when = world._at(day, self.rng.uniform(7, 23.5))
        mention = world._audience_tweet(author, when, f"@{account.handle} {body}", "en", "mention", topic, brand)
        self._answer(mention, account, rivalry, brand)

    def _comparison(self, brand: Brand, account: Person, day: int) -> None:
        world, rng = self.world, self.rng
        author = world._engager(brand.brand_id, day)
        if author is None:
            return
        template = rng.choice(phrases.COMPARISONS)
        text = phrases.fill(template, rng, phrases.COMMON, brand=f"@{brand.x_handle}", competitor=f"@{account.handle}")
        world._audience_tweet(author, world._at(day, rng.uniform(7, 23.5)), text, "en", "mention", "comparison", brand)

    def _answer(self, message: Tweet | None, account: Person, rivalry: Rivalry, brand: Brand) -> None:
        """The competitor's public answer to a customer's question or complaint, at its own rate and speed."""
        world, rng = self.world, self.rng
        if message is None or message.topic not in phrases.COMPETITOR_ANSWERS or rng.random() >= rivalry.response_rate:
            return
        delay = timedelta(minutes=rng.lognormvariate(math.log(rivalry.response_minutes), 0.8) + 1)
        body = rng.choice(phrases.COMPETITOR_ANSWERS[message.topic])
        world._reply(message, account, message.created_at + delay, body, "competitor_reply", "response", "en", brand)
