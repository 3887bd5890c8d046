"""What the demo must let the themes, share-of-voice and spike marts show, checked on the written files themselves:
two tracked competitors per brand that customers talk to and about (and compare with the brand), competitors that
answer at their own rate and speed, one competitor's complaint wave, a shifting topic mix, and Northwind's planted
"where is my order" wave (one grievance in many wordings on a few days)."""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generators import DEMO, write_demo_config, write_demo_exports
from generators.brands import build_brands
from generators.scale.conversation import BrandDay
from ror_config.loading import load_config

START = DEMO.start
DAYS = DEMO.days
WINDOW_START = datetime(2026, 8, 1, tzinfo=UTC)
WAVE_DAYS = (61, 62, 63)  # Northwind's planted complaint wave (DEMO.wave_day, lasting its profile's 3 days)
COMPETITOR_COMPLAINT_WORDS = ("broken", "refund", "downhill", "no answer", "charged twice")
DELIVERY_WORDS = ("never arrived", "delivery", "delivered", "tracking", "hasn't shipped", "where is")


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("signals")
    write_demo_exports(root / "landing")
    write_demo_config(root / "ror.yaml")
    return root


@pytest.fixture(scope="module")
def tweets(landing: Path) -> list[dict]:
    """Every tweet of the X pages, once, with its author's handle and the export (brand handle) it came in."""
    users, seen = {}, {}
    for path in sorted((landing / "landing" / "x").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            page = json.loads(line)
            users.update({u["id"]: u["username"] for u in page.get("includes", {}).get("users", [])})
            for tweet in page.get("data", []):
                seen[tweet["id"]] = {**tweet, "export": path.stem}
    for tweet in seen.values():
        tweet["handle"] = users[tweet["author_id"]]
        tweet["at"] = datetime.strptime(tweet["created_at"], "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=UTC)
        tweet["day"] = (tweet["at"] - WINDOW_START).days
    return list(seen.values())


def _mentions(tweet: dict) -> set[str]:
    return {m["username"].lower() for m in tweet.get("entities", {}).get("mentions", [])}


def _reply_delays(tweets: list[dict], handle: str) -> list[float]:
    """Minutes from a customer's tweet to the account's first reply to it."""
    by_id = {t["id"]: t for t in tweets}
    first: dict[str, float] = {}
    for tweet in tweets:
        parent = next(
            (by_id.get(r["id"]) for r in tweet.get("referenced_tweets", []) if r["type"] == "replied_to"), None
        )
        if tweet["handle"] == handle and parent is not None and parent["handle"] != handle:
            minutes = (tweet["at"] - parent["at"]).total_seconds() / 60
            first[parent["id"]] = min(first.get(parent["id"], minutes), minutes)
    return list(first.values())


def test_each_demo_brand_tracks_two_competitors_one_by_account_id_one_by_handle(landing: Path) -> None:
    config = load_config(landing / "ror.yaml")
    for brand in config.brands:
        assert len(brand.competitors) == 2, brand.id
        accounts = [competitor.accounts[0] for competitor in brand.competitors]
        assert [a.account_id is not None for a in accounts] == [True, False], brand.id
        assert all(a.platform == "x" and a.handle for a in accounts)


def test_customers_talk_to_and_about_each_competitor_and_compare_it_with_the_brand(landing: Path, tweets) -> None:
    config = load_config(landing / "ror.yaml")
    for brand in config.brands:
        own = next(a.handle for a in brand.accounts if a.platform == "x").lower()
        in_export = [t for t in tweets if t["export"].lower() == own]
        for competitor in brand.competitors:
            handle = competitor.accounts[0].handle
            posts = [t for t in in_export if t["handle"] == handle and "referenced_tweets" not in t]
            naming = [t for t in in_export if t["handle"] != handle and handle.lower() in _mentions(t)]
            together = [t for t in naming if own in _mentions(t) and "referenced_tweets" not in t]
            retweets = [t for t in naming if t["text"].startswith(f"RT @{handle}:")]
            assert len(posts) >= 15 and len(naming) >= 80 and len(together) >= 5 and retweets, handle


def test_competitors_answer_at_their_own_rate_and_speed(tweets) -> None:
    brand = statistics.median(_reply_delays(tweets, "NorthwindCoffee"))
    fast, slow = (statistics.median(_reply_delays(tweets, h)) for h in ("HarborRoasters", "BeanLine"))
    assert fast < brand / 1.5 and slow > brand * 1.5, (fast, brand, slow)


def test_share_of_voice_and_a_competitors_sentiment_move_from_week_to_week(tweets) -> None:
    weekly: dict[int, Counter] = defaultdict(Counter)
    complaints: dict[int, Counter] = defaultdict(Counter)
    for tweet in tweets:
        if tweet["export"] == "NorthwindCoffee" and not tweet["text"].startswith("RT "):
            week = tweet["day"] // 7
            for handle in _mentions(tweet) & {"northwindcoffee", "harborroasters", "beanline"}:
                weekly[week][handle] += 1
                complaints[week][handle] += any(word in tweet["text"] for word in COMPETITOR_COMPLAINT_WORDS)
    harbor_share = [weekly[w]["harborroasters"] / sum(weekly[w].values()) for w in range(12)]
    assert max(harbor_share) - min(harbor_share) > 0.08, harbor_share
    # BeanLine's bad stretch (days 35-46): most of what customers say to it then is a complaint
    wave = sum(complaints[w]["beanline"] for w in (5, 6)) / sum(weekly[w]["beanline"] for w in (5, 6))
    calm = sum(complaints[w]["beanline"] for w in (0, 1, 2, 9, 10, 11)) / sum(
        weekly[w]["beanline"] for w in (0, 1, 2, 9, 10, 11)
    )
    assert wave > calm + 0.3, (wave, calm)


def test_a_planted_wave_of_one_complaint_in_many_wordings_spikes_on_its_days(tweets) -> None:
    about_delivery = [
        t
        for t in tweets
        if t["export"] == "NorthwindCoffee"
        and not t["text"].startswith("RT ")
        and t["handle"] != "NorthwindCoffee"
        and any(word in t["text"].lower() for word in DELIVERY_WORDS)
    ]
    per_day = Counter(t["day"] for t in about_delivery)
    usual = [per_day[d] for d in range(DAYS) if d < WAVE_DAYS[0] - 3 or d > WAVE_DAYS[-1] + 3]
    assert per_day[WAVE_DAYS[0]] > statistics.mean(usual) + 8 * statistics.pstdev(usual), per_day
    assert sum(per_day[d] for d in WAVE_DAYS) >= 40
    wordings = {
        " ".join(w for w in t["text"].split() if not w.startswith(("@", "#")) and not w[:1].isdigit())
        for t in about_delivery
        if t["day"] in WAVE_DAYS
    }
    assert len(wordings) >= 8, "many wordings of one grievance, not one text copied"


def test_the_brands_topic_mix_shifts_over_the_window() -> None:
    first, last = Counter(), Counter()
    volume = DEMO.daily_volume / DEMO.brands
    for brand in build_brands(DEMO.brands):
        for day in (*range(30), *range(DAYS - 30, DAYS)):
            at = START + timedelta(days=day)
            brand_day = BrandDay(DEMO.seed, brand, "x", at, day, volume, wave_day=DEMO.wave_day, story=DEMO.story)
            for item in (item for items in brand_day.segments() for item in items):
                if item.kind == "mention" and item.topic in ("product_buzz", "shipping"):
                    (first if day < 30 else last)[item.topic] += 1
    assert first["shipping"] > 2 * first["product_buzz"] and last["product_buzz"] > 4 * last["shipping"]
