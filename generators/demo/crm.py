"""The demo's CRM: one HubSpot portal for the three brands, and the connector's tables written from it.

Where contacts come from, and what becomes of them:
- paid social: one contact for most Meta leads (a few are spam or duplicates HubSpot drops), UTM-tagged from the ad;
- X: engagers who clicked a brand link (advocates and people who asked where to buy, most often), UTM-tagged with the
  organic campaign and carrying their X handle in ``twitterhandle``; a few paid leads are X engagers too;
- organic search and direct traffic, newsletter subscribers, and a few deleted test contacts;
- "quiet big buyers": companies that never engage on social and sign the largest deals.
Some leads get a deal in their brand's pipeline (one pipeline per brand, ids fixed in the profiles); deals close won
or lost after the brand's sales cycle, or stay open past the window. Brand of a contact: its UTM campaign (the
demo configuration's campaigns), else the host of its form pages, else its deals' pipeline.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from generators import phrases
from generators.brands import Brand
from generators.demo.ads import MetaAds
from generators.demo.cast import Person
from generators.demo.x_world import Tweet
from generators.draws import poisson
from generators.formats import hubspot
from generators.formats.meta_ads import slug
from generators.ids import IdMint
from generators.profiles import BrandProfile

# Chance that an X engager becomes a lead (by segment), and the bonus for having asked where to buy.
X_LEAD_CHANCE = {"advocate": 0.55, "loyal": 0.28, "regular": 0.1, "one_off": 0.04}
PURCHASE_INTENT_BONUS = 0.35
# Chance that a lead gets a deal, by original source (X advocates and loyal engagers more often).
DEAL_CHANCE = {"PAID_SOCIAL": 0.12, "SOCIAL_MEDIA": 0.18, "ORGANIC_SEARCH": 0.14, "DIRECT_TRAFFIC": 0.16}
DEAL_CHANCE_BY_SEGMENT = {"advocate": 0.45, "loyal": 0.3}
PAID_LEAD_KEPT = 0.93  # Meta counts a few leads HubSpot never sees (spam, duplicates)
PAID_LEAD_ON_X = 0.05  # paid leads who are also X engagers of the brand
JOB_TITLES = ("Office Manager", "Operations Director", "Head of Procurement", "Fleet Manager", "Buyer")
AREA_CODES = ("212", "303", "312", "415", "503", "512", "617", "646", "720", "971")


@dataclass(frozen=True)
class Stage:
    pipeline_id: str
    stage_id: str
    label: str
    order: int
    probability: float
    is_closed: bool
    closed_won: bool


@dataclass(frozen=True)
class Form:
    form_id: str
    title: str
    path: str
    page_id: str


@dataclass
class Submission:
    submitted_at: datetime
    form: Form
    page_url: str
    conversion_id: str


@dataclass(eq=False)
class Contact:
    brand_id: str
    created_at: datetime
    first: str
    last: str
    source: str  # HubSpot original source
    utm: tuple[str, str, str] | None  # (source, medium, campaign)
    person: Person | None = None  # the X account behind the contact, when known
    company: str | None = None
    job_title: str | None = None
    lifecycle: str = "lead"
    lead_at: datetime | None = None
    customer_at: datetime | None = None
    deleted: bool = False
    submissions: list[Submission] = field(default_factory=list)
    contact_id: str = ""
    email: str = ""
    phone: str | None = None
    twitter_handle: str | None = None  # as typed into the CRM
    utm_in_properties: bool = True  # False: the UTM tags survive only in the form's page url


@dataclass(eq=False)
class Deal:
    contact: Contact
    name: str
    amount: float
    created_at: datetime
    closed_at: datetime | None
    stage: Stage
    owner_id: str
    deal_id: str = ""


@dataclass
class Crm:
    contacts: list[Contact]
    deals: list[Deal]
    stages: list[Stage]


class CrmBuilder:
    def __init__(
        self,
        rng: random.Random,
        ids: IdMint,
        brands: Sequence[Brand],
        profiles: dict[str, BrandProfile],
        tweets: Sequence[Tweet],
        audience: Sequence[Person],
        meta: MetaAds,
        start: date,
        days: int,
    ) -> None:
        self.rng, self.ids, self.brands, self.profiles = rng, ids, brands, profiles
        self.tweets, self.audience, self.meta = tweets, audience, meta
        self.start_at = datetime.combine(start, time(0), tzinfo=UTC)
        self.end_at = self.start_at + timedelta(days=days)
        self.days = days
        self.contacts: list[Contact] = []
        self.deals: list[Deal] = []
        self.stages: dict[str, list[Stage]] = {}
        self.forms: dict[tuple[str, str], Form] = {}
        self.owners = {b.brand_id: [ids.digits(8, "4") for _ in range(2)] for b in brands}
        self.known_people: set[str] = set()  # person ids that already have a contact

    def build(self) -> Crm:
        for brand in self.brands:
            self._pipeline(brand)
            self._x_leads(brand)
            self._paid_leads(brand)
            self._inbound(brand)
            self._quiet_big_buyers(brand)
        self._test_contacts()
        for contact in list(self.contacts):
            if contact.lifecycle in ("lead", "marketingqualifiedlead") and not contact.company:
                self._maybe_deal(contact)
        self._number()
        return Crm(self.contacts, self.deals, [s for stages in self.stages.values() for s in stages])

    # -------------------------------------------------------------------------------------------- structure
    def _pipeline(self, brand: Brand) -> None:
        sales = self.profiles[brand.brand_id].sales
        labels = sales.stage_labels
        stages = [
            Stage(sales.pipeline_id, self.ids.digits(9, "1"), label, order, round(0.2 * (order + 1), 1), False, False)
            for order, label in enumerate(labels)
        ]
        stages.append(Stage(sales.pipeline_id, self.ids.digits(9, "1"), "Closed won", len(labels), 1.0, True, True))
        stages.append(
            Stage(sales.pipeline_id, self.ids.digits(9, "1"), "Closed lost", len(labels) + 1, 0.0, True, False)
        )
        self.stages[brand.brand_id] = stages

    def _form(self, brand: Brand, kind: str) -> Form:
        profile = self.profiles[brand.brand_id]
        key = (brand.brand_id, kind)
        if key not in self.forms:
            title, path = {
                "lead": (profile.sales.form_title, profile.paid_path),
                "newsletter": ("Newsletter signup", "newsletter"),
                "wholesale": (f"{profile.sales.big_deal_label} enquiry", "business"),
            }[kind]
            self.forms[key] = Form(self.ids.uuid(), title, path, self.ids.digits(11, "5"))
        return self.forms[key]

    def _submit(
        self, contact: Contact, brand: Brand, kind: str, at: datetime, path: str | None = None, extra_query: str = ""
    ) -> None:
        form = self._form(brand, kind)
        url = f"https://www.{self.profiles[brand.brand_id].domain}/{path or form.path}"
        query = "&".join(
            part
            for part in (
                "utm_source={}&utm_medium={}&utm_campaign={}".format(*contact.utm) if contact.utm else "",
                extra_query,
            )
            if part
        )
        contact.submissions.append(Submission(at, form, f"{url}?{query}" if query else url, self.ids.uuid()))

    def _at(self, day: float) -> datetime:
        return self.start_at + timedelta(seconds=int(day * 86_400))

    def _in_window(self, moment: datetime) -> bool:
        return self.start_at <= moment < self.end_at

    # -------------------------------------------------------------------------------------------- contacts
    def _new(
        self,
        brand: Brand,
        created: datetime,
        source: str,
        utm: tuple[str, str, str] | None,
        person: Person | None = None,
        lifecycle: str = "lead",
    ) -> Contact:
        rng = self.rng
        first = person.first if person else rng.choice(phrases.FIRST_NAMES)
        last = person.last if person else rng.choice(phrases.LAST_NAMES)
        contact = Contact(brand.brand_id, created, first, last, source, utm, person=person, lifecycle=lifecycle)
        if lifecycle == "lead":
            contact.lead_at = created
            if rng.random() < 0.3:
                contact.lifecycle = "marketingqualifiedlead"
        if person is not None:
            self.known_people.add(person.person_id)
            handle = person.handle
            typed = rng.random()
            contact.twitter_handle = f"@{handle}" if typed < 0.25 else handle.lower() if typed < 0.35 else handle
        contact.utm_in_properties = utm is None or rng.random() > 0.08
        self.contacts.append(contact)
        return contact

    def _engagers(self, brand_id: str) -> dict[str, tuple[Person, datetime, datetime | None]]:
        """Audience members who engaged with the brand on X: (person, first engagement, first purchase-intent tweet)."""
        seen: dict[str, tuple[Person, datetime, datetime | None]] = {}
        for tweet in self.tweets:
            if tweet.brand_id != brand_id or tweet.author.role != "audience":
                continue
            person, first, intent = seen.get(tweet.author.person_id, (tweet.author, tweet.created_at, None))
            if intent is None and tweet.topic == "purchase_intent":
                intent = tweet.created_at
            seen[tweet.author.person_id] = (person, first, intent)
        return seen

    def _x_leads(self, brand: Brand) -> None:
        rng = self.rng
        for person, first, intent in self._engagers(brand.brand_id).values():
            if person.person_id in self.known_people:
                continue
            chance = X_LEAD_CHANCE.get(person.segment, 0.0) + (PURCHASE_INTENT_BONUS if intent else 0.0)
            if rng.random() >= chance:
                continue
            created = (intent or first) + timedelta(hours=rng.lognormvariate(math.log(30), 1.0))
            if not self._in_window(created):
                continue
            utm = ("x", "organic_social", brand.organic_campaign.utm_campaign)
            contact = self._new(brand, created, "SOCIAL_MEDIA", utm, person)
            path = rng.choice(("shop", self.profiles[brand.brand_id].organic_path))
            self._submit(contact, brand, "lead", created, path)

    def _paid_leads(self, brand: Brand) -> None:
        rng = self.rng
        engagers = list(self._engagers(brand.brand_id).values())
        utm = ("facebook", "paid_social", brand.paid_campaign.utm_campaign)
        for row, leads in self.meta.leads_by_day(brand.brand_id):
            for _ in range(leads):
                if rng.random() >= PAID_LEAD_KEPT:
                    continue
                created = datetime.combine(row.day, time(0), tzinfo=UTC) + timedelta(
                    seconds=rng.randrange(25_200, 86_000)
                )
                person = None
                if rng.random() < PAID_LEAD_ON_X:
                    candidates = [
                        p for p, first, _ in engagers if first < created and p.person_id not in self.known_people
                    ]
                    person = rng.choice(candidates) if candidates else None
                contact = self._new(brand, created, "PAID_SOCIAL", utm, person)
                click_id = f"&fbclid=IwAR{self.ids.token(24)}" if rng.random() < 0.5 else ""
                self._submit(contact, brand, "lead", created, extra_query=f"utm_content={slug(row.ad.name)}{click_id}")

    def _inbound(self, brand: Brand) -> None:
        """Leads from search and direct visits, and newsletter subscribers from anywhere."""
        rng = self.rng
        for day in range(self.days):
            for source, mean in (("ORGANIC_SEARCH", 0.45), ("DIRECT_TRAFFIC", 0.3)):
                for _ in range(poisson(rng, mean)):
                    contact = self._new(brand, self._at(day + rng.uniform(0.3, 0.98)), source, None)
                    self._submit(contact, brand, "lead", contact.created_at)
            for _ in range(poisson(rng, 0.3)):
                source = rng.choice(("SOCIAL_MEDIA", "ORGANIC_SEARCH", "DIRECT_TRAFFIC"))
                utm = ("x", "organic_social", brand.organic_campaign.utm_campaign) if source == "SOCIAL_MEDIA" else None
                contact = self._new(brand, self._at(day + rng.uniform(0.3, 0.98)), source, utm, lifecycle="subscriber")
                self._submit(contact, brand, "newsletter", contact.created_at)

    def _quiet_big_buyers(self, brand: Brand) -> None:
        """Companies that never engage on X and sign the brand's biggest deals; one follows the brand silently."""
        rng, sales = self.rng, self.profiles[brand.brand_id].sales
        silent = [p for p in self.audience if p.segment == "silent" and brand.brand_id in p.brands]
        for index, company in enumerate(sales.big_buyer_companies):
            created = self._at(rng.uniform(0.1, 0.5) * self.days)
            person = silent[index] if index == 0 and silent else None
            contact = self._new(brand, created, "DIRECT_TRAFFIC", None, person)
            contact.company, contact.job_title = company, rng.choice(JOB_TITLES)
            self._submit(contact, brand, "wholesale", created)
            opened = created + timedelta(days=rng.uniform(1, 4))
            closed = opened + timedelta(days=rng.uniform(max(5, sales.cycle_days[0]), max(10, 2 * sales.cycle_days[1])))
            amount = round(rng.uniform(*sales.big_amount_range), -2)
            self._deal(contact, brand, f"{company} - {sales.big_deal_label}", amount, opened, closed, won=True)

    def _test_contacts(self) -> None:
        """Junk the sales team deleted: they stay in the export, flagged."""
        brand = self.brands[0]
        for number in range(3):
            contact = self._new(
                brand, self._at(min(1.2 + 11 * number, 0.9 * self.days)), "DIRECT_TRAFFIC", None, lifecycle="subscriber"
            )
            contact.first, contact.last, contact.deleted = "Test", f"Contact {number + 1}", True

    # -------------------------------------------------------------------------------------------- deals
    def _maybe_deal(self, contact: Contact) -> None:
        rng = self.rng
        brand = next(b for b in self.brands if b.brand_id == contact.brand_id)
        sales = self.profiles[brand.brand_id].sales
        segment = contact.person.segment if contact.person else ""
        chance = DEAL_CHANCE_BY_SEGMENT.get(segment, DEAL_CHANCE[contact.source])
        if rng.random() >= chance:
            return
        opened = contact.created_at + timedelta(days=rng.uniform(0.2, 8))
        closed = opened + timedelta(days=rng.uniform(*sales.cycle_days) + rng.random())
        amount = round(rng.uniform(*sales.amount_range), 2)
        name = f"{contact.first} {contact.last} - {sales.deal_label}"
        won = rng.random() < sales.win_rate
        self._deal(contact, brand, name, amount, opened, closed, won)
        if won and rng.random() < 0.1:  # a repeat purchase a few weeks later
            again = closed + timedelta(days=rng.uniform(14, 40))
            self._deal(
                contact,
                brand,
                f"{name} (repeat)",
                round(amount * rng.uniform(0.5, 1.0), 2),
                again,
                again + timedelta(hours=20),
                True,
            )

    def _deal(
        self, contact: Contact, brand: Brand, name: str, amount: float, opened: datetime, closed: datetime, won: bool
    ) -> None:
        if not self._in_window(opened):
            return
        stages = self.stages[brand.brand_id]
        if self._in_window(closed):
            stage = stages[-2] if won else stages[-1]
            closed_at: datetime | None = closed
        else:  # still open when the window ends
            stage = self.rng.choice(stages[:-2])
            closed_at = None
        self.deals.append(
            Deal(
                contact,
                name,
                amount,
                opened,
                closed_at,
                stage,
                self.rng.choice(self.owners[brand.brand_id]),
            )
        )
        if stage.closed_won and contact.customer_at is None:
            contact.lifecycle, contact.customer_at = "customer", closed_at
            contact.lead_at = contact.lead_at or contact.created_at
        elif contact.lifecycle != "customer":
            contact.lifecycle = "opportunity"

    # -------------------------------------------------------------------------------------------- ids
    def _number(self) -> None:
        """HubSpot ids grow with creation time; emails and phones are fake and unique."""
        rng = self.rng
        self.contacts.sort(key=lambda c: c.created_at)
        next_id = 51_200_000 + rng.randrange(1000)
        emails: set[str] = set()
        for contact in self.contacts:
            next_id += rng.randint(1, 350)
            contact.contact_id = str(next_id)
            local = f"{contact.first}.{contact.last}".lower().replace(" ", "")
            domain = rng.choice(("example.com", "example.org", "example.net"))
            email = f"{local}@{domain}"
            while email in emails:
                email = f"{local}{rng.randint(2, 999)}@{domain}"
            emails.add(email)
            contact.email = email
            if rng.random() < 0.7:
                contact.phone = f"+1 {rng.choice(AREA_CODES)}-555-01{rng.randint(0, 99):02d}"
        self.deals.sort(key=lambda d: d.created_at)
        next_deal = 9_870_000_000 + rng.randrange(10_000)
        for deal in self.deals:
            next_deal += rng.randint(1, 9_000)
            deal.deal_id = str(next_deal)


def write_demo_hubspot(folder: Path, crm: Crm, start_at: datetime, end_at: datetime) -> list[Path]:
    synced = end_at + timedelta(hours=2)
    contacts = [
        hubspot.contact_row(
            contact_id=c.contact_id,
            synced=synced + timedelta(seconds=number),
            email=c.email,
            first=c.first,
            last=c.last,
            created=c.created_at,
            first_conversion=min((s.submitted_at for s in c.submissions), default=None),
            source=c.source,
            utm=c.utm if c.utm and c.utm_in_properties else (None, None, None),
            twitter_handle=c.twitter_handle,
            lifecycle=c.lifecycle,
            lead_at=c.lead_at,
            customer_at=c.customer_at,
            company=c.company,
            job_title=c.job_title,
            phone=c.phone,
            deleted=c.deleted,
        )
        for number, c in enumerate(crm.contacts)
    ]
    submissions = [
        hubspot.submission_row(
            submitted_at=s.submitted_at,
            form_id=s.form.form_id,
            contact_id=c.contact_id,
            conversion_id=s.conversion_id,
            page_id=s.form.page_id,
            page_url=s.page_url,
            title=s.form.title,
            synced=synced,
        )
        for c in crm.contacts
        for s in c.submissions
    ]
    submissions.sort(key=lambda row: (row[0], row[2]))
    deals = [
        hubspot.deal_row(
            deal_id=d.deal_id,
            pipeline_id=d.stage.pipeline_id,
            stage_id=d.stage.stage_id,
            owner_id=d.owner_id,
            name=d.name,
            amount=d.amount,
            closed_at=d.closed_at,
            created_at=d.created_at,
        )
        for d in crm.deals
    ]
    links = [hubspot.deal_contact_row(d.contact.contact_id, d.deal_id, synced) for d in crm.deals]
    created = start_at + timedelta(hours=1, minutes=4)  # pipelines set up as the window opens
    stages = [
        hubspot.stage_row(
            stage_id=s.stage_id,
            label=s.label,
            pipeline_id=s.pipeline_id,
            order=s.order,
            probability=s.probability,
            is_closed=s.is_closed,
            closed_won=s.closed_won,
            synced=synced,
            created=created,
        )
        for s in crm.stages
    ]
    return hubspot.write_hubspot(
        folder, contacts=contacts, submissions=submissions, deals=deals, deal_contacts=links, stages=stages
    )
