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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from generators import phrases
from generators.brands import Brand, TrackedCompetitor
from generators.demo.cast import Person
from generators.draws import poisson
from generators.ids import IdMint

if TYPE_CHECKING:
    from generators.demo.x_world import Tweet, XWorld


@dataclass(frozen=True)
class Rivalry:
    """How one competitor's public conversation runs in the demo."""

    post_rate: float  # its posts per day
    replies_per_post: float
    retweets_per_post: float
    mention_rate: float  # customer tweets naming it per day, at the window start
    growth: float  # mentions grow (or fade, when negative) by this share over the window
    comparison_rate: float  # customer tweets naming the brand and it together, per day
    response_rate: float  # share of customer questions and complaints it answers publicly
    response_minutes: float  # median minutes to its answer
    complaint_share: float  # share of customer texts about it that complain
    wave_days: tuple[int, int] | None = None  # (first day, length): most of what customers say is a complaint
    wave_complaint_share: float = 0.0


RIVALRIES = {
    "harbor": Rivalry(0.5, 1.8, 1.2, 0.6, 1.2, 0.25, 0.55, 20, 0.10),
    "beanline": Rivalry(0.3, 1.4, 0.8, 0.5, 0.0, 0.15, 0.18, 420, 0.12, wave_days=(35, 12), wave_complaint_share=0.75),
    "velonorth": Rivalry(0.4, 1.6, 1.0, 0.5, -0.4, 0.2, 0.4, 60, 0.12),
    "spokecity": Rivalry(0.3, 1.0, 0.8, 0.35, 0.8, 0.1, 0.1, 300, 0.15),
    "brine": Rivalry(0.45, 1.8, 1.2, 0.5, 0.6, 0.2, 0.5, 45, 0.10),
    "dewlab": Rivalry(0.3, 1.2, 0.8, 0.35, -0.3, 0.1, 0.2, 240, 0.14),
}
POSTS = (
    "Fresh drop just landed. What do you think?",
    "Weekend sale: 15% off everything until Sunday.",
    "Meet the team behind our newest range 👋",
    "Free shipping on every order this week.",
    "Your photos make our day. Keep tagging us!",
    "Tell us: what should we launch next?",
    "Back in stock, and we made more this time.",
)
SAYINGS = {
    "praise": (
        "love this{pos_emoji}",
        "you never miss{pos_emoji}",
        "best in the business, honestly",
        "ordering right now",
        "my go-to for years{pos_emoji}",
    ),
    "question": (
        "do you ship to {country}?",
        "when is this back in stock?",
        "any discount for first orders?",
        "is there a store in {city}?",
    ),
    "complaint": (
        "my last order from you arrived broken{neg_emoji}",
        "still waiting on a refund from you{neg_emoji}",
        "quality has really gone downhill lately{neg_emoji}",
        "third email with no answer. what's going on?",
        "charged twice and nobody replies{neg_emoji}",
    ),
}
COMPARISONS = (
    "{brand} vs {competitor}: {brand} wins on quality, {competitor} on price",
    "switched from {competitor} to {brand} and not looking back",
    "honestly {competitor} has been more reliable than {brand} lately",
    "can't decide between {brand} and {competitor}, help",
    "{competitor} answered my DM in minutes, {brand} took a day",
    "tried {competitor} after {brand}, still prefer {brand}{pos_emoji}",
)
ANSWERS = {
    "question": ("thanks for asking! DM us and we'll help.", "good question, all the details are on our site."),
    "complaint": ("sorry to hear that. Please DM us your order number.", "we're on it, check your DMs."),
}


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
        return topic, phrases.fill(rng.choice(SAYINGS[topic]), rng, phrases.COMMON)

    def _post(self, brand: Brand, account: Person, rivalry: Rivalry, day: int) -> None:
        world, rng = self.world, self.rng
        post = world.account_post(account, day, rng.uniform(8, 19), rng.choice(POSTS), "competitor_post", brand)
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
        template = rng.choice(COMPARISONS)
        text = phrases.fill(template, rng, phrases.COMMON, brand=f"@{brand.x_handle}", competitor=f"@{account.handle}")
        world._audience_tweet(author, world._at(day, rng.uniform(7, 23.5)), text, "en", "mention", "comparison", brand)

    def _answer(self, message: Tweet | None, account: Person, rivalry: Rivalry, brand: Brand) -> None:
        """The competitor's public answer to a customer's question or complaint, at its own rate and speed."""
        world, rng = self.world, self.rng
        if message is None or message.topic not in ANSWERS or rng.random() >= rivalry.response_rate:
            return
        delay = timedelta(minutes=rng.lognormvariate(math.log(rivalry.response_minutes), 0.8) + 1)
        body = rng.choice(ANSWERS[message.topic])
        world._reply(message, account, message.created_at + delay, body, "competitor_reply", "response", "en", brand)
