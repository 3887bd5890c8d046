"""Each demo brand's voice, audience vocabulary, events, ad economics and sales model, and how the competitors it
tracks talk on X (``RIVALRIES``).

DEMO_BRANDS says who the brands are; this says how they talk, what their audience talks about, what goes wrong when
(negative spikes), and what a lead and a deal are worth, so the three brands tell three different stories:
Northwind is a busy, friendly coffee community with a giveaway that floods the feed with one copied slogan; Lumen
sells few, expensive bikes and has a shipping-delay crisis; Tidepool spends on ads that bring many cheap leads worth
little, and has a leaking-bottle complaint wave late in the period.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Incident:
    """A bad day: an announcement from the brand, then a wave of complaints answered slowly."""

    day: int  # offset from the window start
    length_days: int
    announcement: str
    complaints: tuple[str, ...]  # audience texts (no leading handle)
    apologies: tuple[str, ...]  # brand replies ({first} and {sign_off} slots)


@dataclass(frozen=True)
class ComplaintWave:
    """Customers complain about one thing for a few days (no announcement, answered as usual): a theme that a
    negative spike's explanation should name."""

    day: int
    length_days: int
    complaints: tuple[str, ...]  # distinct wordings of the one complaint (no leading handle)


@dataclass(frozen=True)
class Giveaway:
    """A contest whose entry rule is to post one fixed text: a copy-paste wave of identical tweets."""

    day: int
    length_days: int
    post: str
    slogan: str


@dataclass(frozen=True)
class Ads:
    """Meta ad economics for the brand's one paid campaign (account currency: USD)."""

    first_day: int
    last_day: int  # inclusive offset; clipped to the window
    daily_budget: float
    cpm: float  # cost per 1000 impressions
    link_ctr: float  # inline link clicks / impressions
    lead_rate: float  # leads / link clicks
    purchase_rate: float  # pixel purchases / link clicks (0: the brand sells offline)
    pause_days: tuple[int, ...] = ()  # offsets with no delivery (e.g. paused during an incident)
    ad_sets: tuple[str, ...] = ("Prospecting - broad 25-54", "Retargeting - site visitors 30d")
    ads: tuple[tuple[int, str, str], ...] = ()  # (ad set index, ad name, ad copy)


@dataclass(frozen=True)
class Sales:
    """How a lead becomes a deal in the brand's HubSpot pipeline."""

    pipeline_id: str  # fixed, so a seed can map pipelines to brands
    deal_label: str
    amount_range: tuple[float, float]
    big_deal_label: str
    big_amount_range: tuple[float, float]
    big_buyer_companies: tuple[str, ...]
    cycle_days: tuple[int, int]  # deal created -> closed
    win_rate: float  # closed deals that are won
    form_title: str
    stage_labels: tuple[str, ...]  # open stages, in order; "Closed won" and "Closed lost" follow


@dataclass(frozen=True)
class BrandProfile:
    brand_id: str
    domain: str
    organic_tag: str
    organic_path: str
    paid_path: str
    posts: tuple[str, ...]
    link_posts: tuple[str, ...]
    campaign_posts: tuple[str, ...]
    employee_posts: tuple[str, ...]
    qa: tuple[tuple[str, str], ...]  # audience question -> brand answer
    thanks: tuple[str, ...]  # brand replies to praise and recommendations
    complaint_replies: tuple[str, ...]
    link_replies: tuple[str, ...]  # brand replies to purchase intent, each with a {link}
    sign_offs: tuple[str, ...]
    vocab: dict[str, tuple[str, ...]]
    followers: int  # X followers at the window start
    ads: Ads
    sales: Sales
    incident: Incident | None = None
    complaint_wave: ComplaintWave | None = None
    giveaway: Giveaway | None = None


NORTHWIND = BrandProfile(
    brand_id="northwind",
    domain="northwind-coffee.example",
    organic_tag="#BaristaClub",
    organic_path="barista-club",
    paid_path="autumn-blend",
    posts=(
        "Good morning! What's in your cup today? ☕",
        "Fresh roast day at the {city_shop} roastery. The whole street smells like {note} right now.",
        "Tasting notes for the {product}: {note}, {note2} and a long, sweet finish.",
        "Weekend plans: a slow pour-over and a good book. How do you brew on Sundays?",
        "Our {product} is back in stock. Thank you for your patience ☕",
        "Behind the scenes: sorting green beans from our {origin} partners before the first roast.",
        "Hot take: {hot_take}. Agree or disagree?",
        "Meet the farm: the {product} comes from a family co-op in {origin} we have worked with for six years.",
        "Rainy day, warm mug. Which roast are you reaching for?",
        "New mugs just landed in the {city_shop} shop. Come say hi!",
    ),
    link_posts=(
        "The {product} is here: {note} and {note2}. Order a bag {link}",
        "Our guide to dialing in espresso at home, step by step {link}",
        "Subscriptions now ship every two weeks or every month, your call {link}",
    ),
    campaign_posts=(
        "Barista Club tip: {tip} #BaristaClub {link}",
        "This week in the #BaristaClub: {tip} Full guide {link}",
        "#BaristaClub members get first pick of the {product} this week {link}",
    ),
    employee_posts=(
        "Cupping the new {origin} lot with the team at {brand} today. Early favourite: {note} ☕",
        "Roasted {n} kilos this morning. My arms are tired but the {product} is worth it.",
        "Proud of the crew at {brand}: we just hit 1,000 Barista Club members!",
        "Little thing I love about working at {brand}: every bag gets tasted before it ships.",
        "If you're near the {city_shop} shop on Saturday, I'm running a latte art session ☕",
    ),
    qa=(
        ("is the {product} good for espresso?", "it shines as espresso: try 18g in, 36g out, 28 seconds."),
        ("do you ship to {country}?", "we ship to the US, Canada and the UK for now. More countries next year!"),
        ("is there a decaf version of the {product}?", "our Colombia Huila decaf is the closest match."),
        ("how long do the beans stay fresh?", "best within 4 weeks of the roast date printed on the bag."),
        ("can I pause my subscription?", "yes, from your account page, or reply here and we'll do it for you."),
        ("what grind size for a french press?", "coarse, like sea salt. 4 minutes steep and you're golden."),
        ("is the packaging recyclable?", "the bags are compostable and the labels are paper."),
        ("do you sell gift cards?", "we do, from $25, delivered by email."),
    ),
    thanks=(
        "this made our morning, thank you!",
        "so glad you're enjoying it ☕",
        "thanks for the love!",
        "you're the best, thank you for sharing",
    ),
    complaint_replies=(
        "so sorry about this. Could you DM us your order number? We'll sort it out today.",
        "that's not the experience we want for you. Sending a replacement bag, DM us your address?",
        "sorry for the wait! Our shipping partner is catching up, we'll check your order right now.",
    ),
    link_replies=(
        "you can order it here: {link}",
        "it's on our site, with free shipping over $30: {link}",
        "grab it here and use code HELLO10 for 10% off: {link}",
    ),
    sign_offs=(" ^Maria", " ^Jon", "", " ^Maria"),
    vocab={
        "product": (
            "Autumn Blend",
            "Ethiopia Guji",
            "Colombia Huila decaf",
            "Harbor espresso",
            "cold brew concentrate",
            "Barista Club box",
            "Sumatra dark roast",
        ),
        "note": ("caramel", "blueberry", "dark chocolate", "toasted hazelnut", "orange peel", "brown sugar"),
        "note2": ("a hint of cinnamon", "red apple", "honey", "cocoa nibs", "plum", "vanilla"),
        "origin": ("Huila", "Guji", "Sidama", "Aceh", "Cauca", "Nyeri"),
        "city_shop": ("Harbor Street", "Old Mill", "Riverside"),
        "hot_take": (
            "milk first is a crime",
            "cold brew is a dessert",
            "dark roast deserves more love",
            "the best coffee is the one you share",
        ),
        "tip": (
            "warm your mug first, it keeps the coffee sweet for longer.",
            "weigh your beans, don't scoop them.",
            "use water just off the boil, around 94°C.",
            "bloom your pour-over for 30 seconds before the main pour.",
            "store beans in an airtight jar, never in the fridge.",
        ),
        "n": ("40", "55", "60", "72"),
        "praise": (
            "is unreal",
            "tastes like caramel and plums",
            "made my whole morning",
            "is my new daily",
            "is so smooth",
            "beats anything at the chain places",
            "is worth every cent",
        ),
        "praise_generic": (
            "best coffee in town, no contest",
            "your baristas are the nicest people",
            "the subscription is the best thing I signed up for this year",
            "my mornings are better since I found you",
        ),
        "complaint": (
            "my {product} arrived with a torn bag",
            "order {order} still hasn't shipped after {days} days",
            "the {product} tasted burnt this time, not like the last bag",
            "I was charged twice for my subscription",
            "the {city_shop} shop was out of oat milk again",
        ),
        "complaint_generic": (
            "three emails and no answer about order {order}",
            "subscription box skipped this month with no notice",
            "the website keeps crashing at checkout",
        ),
        "chatter": (
            "I always go for the darker roasts tbh",
            "pour-over gang checking in",
            "been drinking the {product} for a year now",
            "my cat also likes the smell of fresh beans",
            "reading this with my second cup",
        ),
        "shout_reason": (
            "the handwritten note in my order",
            "remembering my usual order",
            "the best flat white I've had in ages",
            "replacing my torn bag without any fuss",
        ),
        "ugc": (
            "Morning pour-over with the {product} from {brand} ☕ #BaristaClub",
            "Latte art attempt #{n} with the {brand} {product}. Getting there! #BaristaClub",
            "Sunday setup: grinder, kettle, {product} from {brand}. Perfect.",
        ),
        "interest": ("coffee nerd", "espresso enthusiast", "home barista", "latte art learner", "tea and coffee"),
    },
    followers=18_400,
    ads=Ads(
        first_day=21,
        last_day=89,
        daily_budget=150.0,
        cpm=9.5,
        link_ctr=0.014,
        lead_rate=0.031,
        purchase_rate=0.012,
        ads=(
            (0, "Autumn Blend - video 15s", "Autumn in a cup: caramel, apple and a little spice. Get a free sample."),
            (0, "Autumn Blend - carousel", "Three roasts, one cosy season. Claim your free Autumn Blend sample."),
            (1, "Autumn Blend - retargeting", "Still thinking about it? Your free sample of Autumn Blend is waiting."),
        ),
    ),
    sales=Sales(
        pipeline_id="31204001",
        deal_label="Barista Club annual subscription",
        amount_range=(180.0, 420.0),
        big_deal_label="Office coffee contract",
        big_amount_range=(6_000.0, 24_000.0),
        big_buyer_companies=("Harbor Lane Offices", "Fifth Street Co-working", "Brightwater Hotels"),
        cycle_days=(1, 12),
        win_rate=0.82,
        form_title="Free Autumn Blend sample",
        stage_labels=("Sample sent", "Trial box", "Checkout started"),
    ),
    giveaway=Giveaway(
        day=19,
        length_days=3,
        post=(
            "GIVEAWAY ☕ Win a year of Barista Club boxes! To enter, follow us and tweet: "
            "I'm joining the #BaristaClub with {brand}! ☕ Winner picked Friday."
        ),
        slogan="I'm joining the #BaristaClub with {brand}! ☕",
    ),
    # a courier's depot backlog: three days of "where is my order" (no announcement; the care team answers as usual)
    complaint_wave=ComplaintWave(
        day=61,
        length_days=3,
        complaints=(
            "my order {order} never arrived. ordered {days} days ago",
            "still waiting for my delivery, order {order}. tracking hasn't moved in days",
            "where is my order?? it was supposed to arrive last week",
            "parcel says delivered but nothing at my door. order {order}",
            "order {order} still not delivered, courier says delayed again",
            "late delivery again. my beans were meant to arrive on monday",
            "it's been {days} days and my order still hasn't shipped",
            "tracking says lost in transit. order {order} never arrived",
            "my coffee delivery is late for the second week running",
            "delivery delayed, no email, no update. where is order {order}?",
        ),
    ),
)

LUMEN = BrandProfile(
    brand_id="lumen",
    domain="lumen-bikes.example",
    organic_tag="#SaturdayRideClub",
    organic_path="ride-club",
    paid_path="commuter",
    posts=(
        "Commute goals: {km} km, zero traffic, one big smile 🚲",
        "Meet the {product}: {feature}.",
        "Tuesday maintenance tip: {tip}",
        "Where does your {product} take you on weekends? Show us!",
        "Our {city_shop} showroom now has test rides every evening until 8pm.",
        "Fun fact: the average Lumen rider saves {km} km of car trips a week.",
        "Rain or shine, the {product} has your back. {feature}.",
        "New colour drop for the {product}: {colour}. Thoughts?",
    ),
    link_posts=(
        "Book a free test ride of the {product} near you {link}",
        "How to pick the right frame size, in two minutes {link}",
        "Our battery care guide: get more years out of your {product} {link}",
    ),
    campaign_posts=(
        "#SaturdayRideClub this week: {route}, {km} km, easy pace. Everyone welcome {link}",
        "Ride Club is on! Meet at the {city_shop} showroom at 9am #SaturdayRideClub {link}",
    ),
    employee_posts=(
        "Shipped a firmware update for the {product} today: {feature}. Proud of the team at {brand}.",
        "Great turnout at #SaturdayRideClub this morning, {n} riders along {route}! Thanks all 🚲",
        "Testing the new {product} prototype on the hills today. {brand} riders, you're going to like it.",
        "Reminder from your ride leader: lights on, helmets on, coffee after. #SaturdayRideClub",
        "Spent the day in the {brand} workshop. Nothing beats the smell of new tyres.",
    ),
    qa=(
        ("what's the real range of the {product}?", "60-80 km on one charge in eco mode, depending on hills."),
        ("can I test ride the {product} before buying?", "absolutely, book a free test ride on our site."),
        ("do you offer financing?", "yes, 0% over 12 months at checkout."),
        ("is the {product} ok in heavy rain?", "it's IPX5 rated, so rain is fine. Just don't pressure-wash it."),
        ("how long is the warranty?", "5 years on the frame, 2 years on the battery and motor."),
        ("do you ship to {country}?", "we deliver in the US and Canada for now."),
        ("how heavy is the {product}?", "22 kg with the battery, 19 kg without."),
    ),
    thanks=("love to hear it, ride safe!", "this is why we do it 🚲", "thanks for riding with us!"),
    complaint_replies=(
        "sorry about this. Can you DM us your order number? We'll get you an update today.",
        "that's frustrating, we get it. Our support team will email you within 24 hours.",
        "we're on it. Please DM us your frame number and we'll book a service visit.",
    ),
    link_replies=(
        "you can order or book a test ride here: {link}",
        "all our dealers and the online shop are here: {link}",
    ),
    sign_offs=(" – Priya", " – Tomas", " – Team Lumen", ""),
    vocab={
        "product": ("Lumen Commuter", "Commuter S", "Lumen Cargo", "Trail 2", "rear rack", "city lights kit"),
        "feature": (
            "a belt drive that never needs oil",
            "80 km of range on one charge",
            "integrated lights that switch on at dusk",
            "a removable battery that charges in 4 hours",
            "hydraulic brakes that stop on a dime",
        ),
        "tip": (
            "check tyre pressure every week, it adds kilometres to your range.",
            "keep the battery between 20% and 80% for a longer life.",
            "wipe the belt after a rainy ride.",
        ),
        "km": ("12", "18", "25", "34", "40"),
        "n": ("14", "21", "27", "33"),
        "route": ("the river loop", "the harbour trail", "the old rail path", "the park circuit"),
        "city_shop": ("Eastside", "Market Street", "Harbourfront"),
        "colour": ("sage green", "midnight blue", "sand", "signal orange"),
        "praise": (
            "is the best thing I bought this year",
            "changed my commute completely",
            "rides like a dream",
            "handles hills like they're not there",
            "gets compliments every single day",
        ),
        "praise_generic": (
            "sold my car six months ago and never looked back",
            "your service team is amazing",
            "best bike shop experience I've had",
        ),
        "complaint": (
            "my {product} has been in for repair for {days} days",
            "order {order} was supposed to arrive last week",
            "the battery on my {product} died after {days} days",
            "the {product} rattles over every bump",
        ),
        "complaint_generic": (
            "support hasn't replied to my email in a week",
            "delivery date keeps moving for order {order}",
            "the app won't pair with my bike anymore",
        ),
        "chatter": (
            "did the {route} on mine this morning",
            "anyone else ride with a child seat on the {product}?",
            "still undecided between the {product} and a regular bike",
            "first winter commuting by bike, wish me luck",
        ),
        "shout_reason": (
            "fixing my brakes on a Saturday morning",
            "the best test ride experience",
            "the friendliest ride club in town",
            "sending a spare charger the next day",
        ),
        "ugc": (
            "Sunday ride on my {brand} {product} along {route} 🚲 #SaturdayRideClub",
            "{km} km commute done on the {brand} {product}, and I'm not even sweaty",
            "Picked up my new {brand} {product} today!! 🚲✨",
        ),
        "interest": ("bike commuter", "cyclist", "urban rider", "weekend trail rider", "car-free since 2021"),
    },
    followers=26_900,
    ads=Ads(
        first_day=0,
        last_day=89,
        daily_budget=130.0,
        cpm=12.0,
        link_ctr=0.011,
        lead_rate=0.026,
        purchase_rate=0.0,
        pause_days=(44, 45, 46),
        ads=(
            (0, "Commuter - lead form", "Skip traffic for good. Book a free Commuter e-bike test ride."),
            (0, "Commuter - video ride-along", "80 km, one charge, zero parking fees. Test ride the Commuter."),
            (1, "Commuter - retargeting offer", "0% financing on the Commuter this month. Book your test ride."),
        ),
    ),
    sales=Sales(
        pipeline_id="31204002",
        deal_label="Commuter e-bike",
        amount_range=(1_890.0, 4_200.0),
        big_deal_label="Fleet order",
        big_amount_range=(28_000.0, 76_000.0),
        big_buyer_companies=("Metro Courier Co.", "Greenway Deliveries", "City Parks Department"),
        cycle_days=(5, 28),
        win_rate=0.64,
        form_title="Book a test ride",
        stage_labels=("Test ride booked", "Test ride done", "Quote sent"),
    ),
    incident=Incident(
        day=44,
        length_days=3,
        announcement=(
            "Update on Commuter deliveries: a parts shortage at our assembly partner means orders placed after "
            "Aug 20 will ship 2-3 weeks late. We're sorry. Every affected rider gets an email today."
        ),
        complaints=(
            "2-3 weeks?! I paid in full a month ago",
            "this is the second delay on my order {order}. Unacceptable",
            "I sold my car because you promised delivery this week",
            "an email would have been nice BEFORE I took the day off for delivery",
            "so do I get a refund or what? order {order}",
            "no email received. how do I know if my order is affected?",
            "why am I finding out on twitter and not from you",
            "cancel my order {order}, I'm done waiting",
            "every week a new excuse. really disappointed in you",
            "my commute is a nightmare without the bike I already paid for",
            "customer service phone line just hangs up on me",
        ),
        apologies=(
            "we're truly sorry, {first}. Please DM us your order number and we'll give you an exact date.{sign_off}",
            "you're right to be upset, {first}. You can cancel for a full refund, or we'll add a free rack.{sign_off}",
            "sorry, {first}. Emails are going out in batches today; DM us if it's not there by 6pm.{sign_off}",
        ),
    ),
)

TIDEPOOL = BrandProfile(
    brand_id="tidepool",
    domain="tidepool-skin.example",
    organic_tag="#SkinStories",
    organic_path="skin-stories",
    paid_path="spf50",
    posts=(
        "Reminder: SPF is a daily habit, even on cloudy days ☁️",
        "Ingredient spotlight: {ingredient}. {benefit}.",
        "Your evening routine in three steps: cleanse, treat, seal. What's yours?",
        "The {product} is {claim}.",
        "Dermatologist tip: {tip}",
        "Self-care Sunday: what's the one product you never skip?",
        "Fragrance-free, reef-safe and made in small batches. That's the {product}.",
    ),
    link_posts=(
        "Find your routine with our two-minute skin quiz {link}",
        "The {product} is back, with a new pump {link}",
        "Everything you wanted to know about {ingredient}, explained by our dermatologist {link}",
    ),
    campaign_posts=(
        "#SkinStories: {story} Share yours with us {link}",
        "This week's #SkinStories comes from a reader who {story_short}. Read it {link}",
    ),
    employee_posts=(
        "Patient question of the day: can you layer {ingredient} with retinol? Short answer: yes, slowly. {brand}",
        "Answered {n} messages today for the {brand} community. Your questions keep us sharp!",
        "Formulation meeting at {brand}: the next {product} batch is even gentler.",
        "Sunscreen reapplication is the skincare step everyone forgets. Set a reminder! — from the team at {brand}",
    ),
    qa=(
        ("is the {product} ok for sensitive skin?", "yes, it's fragrance-free and dermatologist tested."),
        ("can I use the {product} under makeup?", "definitely, give it a minute to set first."),
        ("is it safe during pregnancy?", "our formulas avoid retinoids, but please check with your doctor."),
        ("do you ship to {country}?", "we ship to the US, Canada and the EU."),
        (
            "is the packaging recyclable?",
            "bottles are recycled plastic and fully recyclable; pumps go in general waste.",
        ),
        ("how long does one bottle of {product} last?", "about 8 weeks with daily use."),
    ),
    thanks=("we love hearing this 💧", "thank you for trusting us with your skin!", "this made the whole team smile"),
    complaint_replies=(
        "so sorry to hear this. Please DM us your order number and we'll make it right.",
        "that's not okay, we're sorry. A replacement is on its way, DM us your address?",
    ),
    link_replies=("here you go: {link}", "it's available on our site, with free samples: {link}"),
    sign_offs=(" ^Kenji", " ^Amara", " 💧", ""),
    vocab={
        "product": (
            "SPF 50 daily fluid",
            "tide serum",
            "barrier cream",
            "gentle cleanser",
            "night repair oil",
            "sea-mineral mist",
        ),
        "ingredient": ("niacinamide", "ceramides", "zinc oxide", "squalane", "hyaluronic acid"),
        "benefit": (
            "it calms redness and evens tone",
            "it locks moisture in",
            "it protects without the white cast",
            "it keeps skin soft without clogging",
        ),
        "claim": (
            "light enough for oily skin",
            "gentle enough for after a peel",
            "our best-seller for a reason",
            "now in a 100 ml size",
        ),
        "tip": (
            "apply sunscreen last in your morning routine, two finger lengths for face and neck.",
            "introduce one new product at a time, two weeks apart.",
            "pat, don't rub, when applying serum.",
        ),
        "story": (
            "Dana's skin calmed down after years of rosacea flare-ups.",
            "Luis finally found an SPF that doesn't sting his eyes on runs.",
            "Mei's routine went from 11 steps to 3.",
        ),
        "story_short": (
            "swapped ten products for three",
            "surfs every morning and never burns",
            "fought eczema for a decade",
        ),
        "n": ("40", "62", "85"),
        "praise": (
            "cleared my skin in two weeks",
            "doesn't leave a white cast at all",
            "is the only SPF I actually like wearing",
            "feels like nothing on",
            "saved my skin this summer",
        ),
        "praise_generic": (
            "my dermatologist asked what I changed",
            "finally a brand that doesn't break me out",
            "your packaging is so pretty",
        ),
        "complaint": (
            "the {product} broke me out",
            "order {order} arrived with a broken pump",
            "the {product} smells different in the new batch",
            "I've been waiting {days} days for a refund",
        ),
        "complaint_generic": (
            "customer service never replied to my email",
            "checkout keeps rejecting my card",
            "package marked delivered but nothing here. order {order}",
        ),
        "chatter": (
            "I use the {product} after the gym",
            "anyone tried the {product} with retinol?",
            "my skin is so dry this week, any tips?",
            "team {product} for life",
        ),
        "shout_reason": (
            "the free samples in my order",
            "answering my skin questions so patiently",
            "the most honest ingredient lists",
            "sending a replacement bottle the same day",
        ),
        "ugc": (
            "My morning routine: cleanser, serum, {product} from {brand} ✨ #SkinStories",
            "6 weeks with the {brand} {product}. Left: before. Right: today. #SkinStories",
            "Beach day essentials: hat, book, {brand} {product} ☀️",
        ),
        "interest": ("skincare junkie", "sensitive skin club", "clean beauty fan", "SPF every day", "esthetician"),
    },
    followers=12_700,
    ads=Ads(
        first_day=0,
        last_day=61,
        daily_budget=140.0,
        cpm=8.0,
        link_ctr=0.015,
        lead_rate=0.021,
        purchase_rate=0.018,
        ads=(
            (0, "SPF 50 - beach carousel", "SPF 50 that feels like nothing. Claim a free travel-size sample."),
            (0, "SPF 50 - derm explains", "Our dermatologist on why daily SPF matters. Get your free sample."),
            (1, "SPF 50 - retargeting sample", "Your free SPF 50 sample is still waiting. Claim it today."),
        ),
    ),
    sales=Sales(
        pipeline_id="31204003",
        deal_label="Routine bundle",
        amount_range=(58.0, 190.0),
        big_deal_label="Spa retail partnership",
        big_amount_range=(8_000.0, 21_000.0),
        big_buyer_companies=("Saltwater Spa Group", "Glow Studio Collective"),
        cycle_days=(0, 6),
        win_rate=0.86,
        form_title="Free SPF 50 sample",
        stage_labels=("Sample requested", "Sample delivered", "Cart started"),
    ),
    incident=Incident(
        day=68,
        length_days=2,
        announcement=(
            "We've heard you: some SPF 50 pumps from batch 0926 are leaking. Reply or DM us and we'll send a new "
            "bottle right away. We're sorry."
        ),
        complaints=(
            "my SPF 50 pump leaked all over my bag",
            "second leaking bottle in a month. order {order}",
            "the pump just snapped off the SPF 50",
            "half the bottle was gone when it arrived, sticky mess everywhere",
            "leaked onto my laptop. not cool",
            "batch 0926 here too. whole box is soaked",
        ),
        apologies=(
            "so sorry, {first}. A new bottle ships today, DM us your order number.{sign_off}",
            "that's awful, {first}, we apologise. Refund or replacement, your choice. DM us?{sign_off}",
        ),
    ),
)


@dataclass(frozen=True)
class Rivalry:
    """How one tracked competitor's public conversation runs on X (keyed by its competitor id below)."""

    post_rate: float  # its posts per day
    replies_per_post: float
    retweets_per_post: float
    response_rate: float  # share of customer questions and complaints it answers publicly
    response_minutes: float  # median minutes to its answer
    wave_days: tuple[int, int] | None = None  # (first day, length): most of what customers say is a complaint
    wave_complaint_share: float = 0.0


RIVALRIES = {
    "harbor": Rivalry(0.5, 1.8, 1.2, 0.55, 20),
    "beanline": Rivalry(0.3, 1.4, 0.8, 0.18, 420, wave_days=(35, 12), wave_complaint_share=0.75),
    "velonorth": Rivalry(0.4, 1.6, 1.0, 0.4, 60),
    "spokecity": Rivalry(0.3, 1.0, 0.8, 0.1, 300),
    "brine": Rivalry(0.45, 1.8, 1.2, 0.5, 45),
    "dewlab": Rivalry(0.3, 1.2, 0.8, 0.2, 240),
}
PROFILES: dict[str, BrandProfile] = {profile.brand_id: profile for profile in (NORTHWIND, LUMEN, TIDEPOOL)}
