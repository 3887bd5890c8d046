"""The people of the demo: brand accounts, employees and a few hundred audience members with stable ids and handles.

Audience members belong to segments that drive how often they engage: a few advocates (often, warmly, recommending
the brand to friends), loyal repeat engagers, regulars, one-off engagers (engage once, then never again) and silent
followers (never post; friends get tagged and big buyers can be silent). Each engager joins the conversation on some
day of the window: the loyal core is there from the start, newcomers arrive more and more often, so the community grows.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from generators import phrases
from generators.brands import Brand
from generators.ids import IdMint
from generators.profiles import BrandProfile

SEGMENT_SIZES = {"advocate": 18, "loyal": 80, "regular": 150, "one_off": 235, "silent": 45}
SEGMENT_WEIGHTS = {"advocate": 8.0, "loyal": 4.5, "regular": 1.6, "one_off": 1.4, "silent": 0.0}
FOREIGN_SHARE = 0.07  # audience members who mostly write in another language
SECOND_BRAND_SHARE = 0.12
DEFAULT_AVATAR = "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
_NAME_WORDS = {"at", "dev", "coach", "dr", "roaster", "skin", "the", "official"}


@dataclass(eq=False)  # identity: the same person object everywhere
class Person:
    person_id: str
    handle: str
    name: str  # display name
    first: str
    last: str
    created_at: datetime  # account creation
    description: str
    location: str
    followers: int  # at the window start
    following: int
    tweet_count: int
    listed: int
    profile_image_url: str
    role: str  # brand | employee | audience
    segment: str  # advocate | loyal | regular | one_off | silent, or the role for brand and employee accounts
    brands: tuple[str, ...]  # brand ids this person talks about, home brand first
    join_day: int  # first day of the window this person may engage
    lang: str  # language the person mostly writes in
    verified: bool = False
    used: bool = False  # a one-off engager who has engaged

    @property
    def weight(self) -> float:
        return SEGMENT_WEIGHTS.get(self.segment, 0.0)


def _avatar(ids: IdMint, rng: random.Random) -> str:
    if rng.random() < 0.1:
        return DEFAULT_AVATAR
    return f"https://pbs.twimg.com/profile_images/{ids.digits(19, '1')}/{ids.token(8)}_normal.jpg"


def _account_created(rng: random.Random) -> datetime:
    start = datetime(2009, 3, 1, tzinfo=UTC)
    return start + timedelta(seconds=rng.randrange(int((datetime(2025, 12, 1, tzinfo=UTC) - start).total_seconds())))


def _user_id(ids: IdMint, rng: random.Random, created: datetime) -> str:
    """Accounts from before 2014 have short sequential ids; later ones are snowflakes of their creation time."""
    if created.year < 2014:
        return ids.digits(rng.choice((8, 9, 10)))
    return ids.snowflake(created)


def _handle(rng: random.Random, first: str, last: str, taken: set[str]) -> str:
    while True:
        style = rng.randrange(6)
        if style == 0:
            handle = f"{first}{last}".lower()
        elif style == 1:
            handle = f"{first}_{last[0]}".lower()
        elif style == 2:
            handle = f"{first}{rng.randint(1, 99)}"
        elif style == 3:
            handle = f"{rng.choice(phrases.HANDLE_WORDS)}{rng.choice(phrases.HANDLE_NOUNS)}{rng.randint(1, 999)}"
        elif style == 4:
            handle = f"the{first}{last}"
        else:
            handle = f"{first.lower()}.{last.lower()}".replace(".", "_")
        handle = handle[:15]
        if handle.lower() not in taken:
            taken.add(handle.lower())
            return handle


def _display_name(rng: random.Random, first: str, last: str) -> str:
    return rng.choice((f"{first} {last}", f"{first} {last}", first, f"{first} {last[0]}.", f"{first.lower()} ✨"))


def _join_day(rng: random.Random, segment: str, days: int) -> int:
    """Loyal people are there from the start; newcomers arrive with a density that rises over the window."""
    early = {"advocate": 1.0, "loyal": 0.7, "regular": 0.15, "one_off": 0.06, "silent": 0.0}[segment]
    if rng.random() < early:
        return 0 if segment == "advocate" else rng.randrange(max(1, days // 6))
    if segment in ("advocate", "loyal"):
        return rng.randrange(max(1, days // 2))
    return min(days - 1, int(days * math.sqrt(rng.random())))


def build_audience(
    rng: random.Random, ids: IdMint, profiles: list[BrandProfile], days: int, taken: set[str]
) -> list[Person]:
    brand_ids = [profile.brand_id for profile in profiles]
    shares = [profile.audience_share for profile in profiles]
    people = []
    for segment, size in SEGMENT_SIZES.items():
        for index in range(size):
            if segment == "advocate":
                home = brand_ids[index % len(brand_ids)]  # each brand gets its share of advocates
            else:
                home = rng.choices(brand_ids, weights=shares)[0]
            brands = (home,)
            if rng.random() < SECOND_BRAND_SHARE:
                brands += (rng.choice([b for b in brand_ids if b != home]),)
            first, last = rng.choice(phrases.FIRST_NAMES), rng.choice(phrases.LAST_NAMES)
            created = _account_created(rng)
            profile = next(p for p in profiles if p.brand_id == home)
            vocab = {**phrases.COMMON, **phrases.BIO_VOCAB, **profile.vocab}
            followers = int(rng.lognormvariate(math.log(280), 1.1)) * (3 if segment == "advocate" else 1)
            foreign = segment != "advocate" and rng.random() < FOREIGN_SHARE
            people.append(
                Person(
                    person_id=_user_id(ids, rng, created),
                    handle=_handle(rng, first, last, taken),
                    name=_display_name(rng, first, last),
                    first=first,
                    last=last,
                    created_at=created,
                    description=phrases.fill(rng.choice(phrases.BIO_TEMPLATES), rng, vocab),
                    location=rng.choice(("",) + phrases.COMMON["city"]),
                    followers=followers,
                    following=int(rng.lognormvariate(math.log(400), 0.8)),
                    tweet_count=int(rng.lognormvariate(math.log(3000), 1.3)),
                    listed=int(followers / rng.randint(60, 400)),
                    profile_image_url=_avatar(ids, rng),
                    role="audience",
                    segment=segment,
                    brands=brands,
                    join_day=_join_day(rng, segment, days),
                    lang=rng.choice(tuple(phrases.FOREIGN)) if foreign else "en",
                )
            )
    return people


def _first_name_in(handle: str, brand_id: str) -> str:
    words = [w for w in handle.lower().split("_") if w not in _NAME_WORDS and w != brand_id]
    return (words[0] if words else handle).title()


def build_staff(
    rng: random.Random, ids: IdMint, brands: list[Brand], profiles: dict[str, BrandProfile]
) -> list[Person]:
    """Brand accounts and employees, with the ids and handles of DEMO_BRANDS."""
    people = []
    for brand in brands:
        profile = profiles[brand.brand_id]
        people.append(
            Person(
                person_id=brand.x_account_id,
                handle=brand.x_handle,
                name=brand.name,
                first=brand.name,
                last="",
                created_at=datetime(2014, 4, 2, 9, 30, tzinfo=UTC) + timedelta(days=211 * len(people)),
                description=f"{brand.name}. {profile.vocab['interest'][0].capitalize()} since day one. "
                f"{profile.organic_tag}",
                location=phrases.COMMON["city"][len(people) % len(phrases.COMMON["city"])],
                followers=profile.followers,
                following=rng.randint(300, 900),
                tweet_count=rng.randint(4_000, 12_000),
                listed=rng.randint(80, 300),
                profile_image_url=_avatar(ids, rng),
                role="brand",
                segment="brand",
                brands=(brand.brand_id,),
                join_day=0,
                lang="en",
                verified=True,
            )
        )
        for employee in brand.employees:
            first = _first_name_in(employee.handle, brand.brand_id)
            last = rng.choice(phrases.LAST_NAMES)
            people.append(
                Person(
                    person_id=employee.person_id,
                    handle=employee.handle,
                    name=f"{first} {last}",
                    first=first,
                    last=last,
                    created_at=_account_created(rng),
                    description=f"{employee.role.capitalize()} at @{brand.x_handle}. Views my own.",
                    location="",
                    followers=int(rng.lognormvariate(math.log(900), 0.7)),
                    following=rng.randint(200, 800),
                    tweet_count=rng.randint(500, 9_000),
                    listed=rng.randint(2, 40),
                    profile_image_url=_avatar(ids, rng),
                    role="employee",
                    segment="employee",
                    brands=(brand.brand_id,),
                    join_day=0,
                    lang="en",
                )
            )
    return people
