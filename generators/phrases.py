"""What the audience says, whatever the brand (and what the brands' competitors post and answer on X): templates by
topic, filled from a brand's vocabulary.

A template holds ``{slot}`` placeholders; ``fill`` replaces each with a seeded draw from the vocabulary (brand slots
first, then ``COMMON``) or with a fixed value the caller passes (a friend's handle, a first name, a link). A drawn value
may itself hold slots. Topics are what the enrichment should find again: praise, complaint, question, purchase intent,
recommendation, low-effort, emoji-only, bare tag.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence

_SLOT = re.compile(r"\{(\w+)\}")


def fill(template: str, rng: random.Random, vocab: Mapping[str, Sequence[str]], **fixed: str) -> str:
    """``template`` with every ``{slot}`` replaced: ``fixed`` values as given, others drawn from ``vocab``."""
    text = template
    for _ in range(4):  # drawn values may hold slots of their own, at most a few levels deep
        if "{" not in text:
            break
        text = _SLOT.sub(lambda m: fixed[m.group(1)] if m.group(1) in fixed else rng.choice(vocab[m.group(1)]), text)
    return text


COMMON: dict[str, tuple[str, ...]] = {
    "praise_open": (
        "honestly",
        "ok",
        "not gonna lie,",
        "can confirm",
        "big fan,",
        "obsessed.",
        "no notes,",
        "been saying this for months:",
        "",
        "wow",
    ),
    "pos_emoji": ("", "", " 😍", " 🙌", " ❤️", " 🔥", " ✨", " 👏"),
    "neg_emoji": ("", "", " 😤", " 😞", " 🙄", " 😡"),
    "days": ("5", "6", "8", "9", "10", "12", "two weeks", "three weeks"),
    "country": ("Canada", "the UK", "Ireland", "Germany", "Australia", "Mexico", "the Netherlands", "Spain"),
    "city": (
        "Portland",
        "Seattle",
        "Denver",
        "Austin",
        "Chicago",
        "Boston",
        "Toronto",
        "Brooklyn",
        "Oakland",
        "Minneapolis",
        "Leeds",
        "Dublin",
    ),
    "order": tuple(f"#{n}" for n in range(40213, 40213 + 900, 7)),
    "friend_reason": (
        "you'd love it",
        "it's exactly your thing",
        "trust me on this one",
        "it changed my mornings",
        "I've been using it for months",
        "worth every penny",
        "remember we talked about this?",
        "thank me later",
    ),
    "low_effort": (
        "nice!",
        "love this",
        "so good",
        "yes!!",
        "cool",
        "wow",
        "this!",
        "same",
        "lol",
        "need",
        "👍 nice",
        "agreed",
    ),
    "emoji_only": ("😍😍", "🔥🔥🔥", "🙌", "❤️", "👏👏", "😋", "💯", "🤩", "😍", "🥰🥰"),
}

# topic -> templates for a reply to a brand post (the "@handle " prefix is added by the thread)
REPLY_TEMPLATES: dict[str, tuple[str, ...]] = {
    "praise": (
        "{praise_open} the {product} {praise}{pos_emoji}",
        "the {product} {praise}{pos_emoji}",
        "{praise_open} {praise_generic}{pos_emoji}",
        "just got my {product} and it {praise}{pos_emoji}",
        "{praise_generic}. the {product} {praise}",
    ),
    "question": ("{question}",),
    "complaint": ("{complaint}{neg_emoji}", "{complaint_generic}{neg_emoji}"),
    "purchase_intent": (
        "where can I buy the {product}?",
        "need the {product} asap, where can I get it in {city}?",
        "how much is the {product}? want to order one",
        "take my money 😭 where do I buy this",
        "is the {product} sold anywhere in {city}?",
        "ok I'm sold. link to order the {product}?",
        "does anyone know a shop in {city} that stocks the {product}?",
    ),
    "recommendation": (
        "{friend} you should try the {product}, {friend_reason}",
        "{friend} this is the one I told you about! {friend_reason}",
        "{friend} we need to get you the {product}",
        "{friend} look!! the {product} {praise}",
    ),
    "low_effort": ("{low_effort}",),
    "emoji": ("{emoji_only}",),
    "bare_tag": ("{friend}",),
    "chatter": ("{chatter}",),
}

MENTION_TEMPLATES: dict[str, tuple[str, ...]] = {
    "shout_out": (
        "shout-out to {brand} for {shout_reason}{pos_emoji}",
        "{brand} {praise_generic}{pos_emoji}",
        "the {product} from {brand} {praise}{pos_emoji}",
        "can't say enough good things about {brand}. {shout_reason}{pos_emoji}",
        "small thing but {brand} {shout_reason} and it made my day",
    ),
    "complaint": (
        "hey {brand}, {complaint}{neg_emoji}",
        "{complaint_generic}. come on {brand}{neg_emoji}",
        "{brand} {complaint}",
        "really disappointed with {brand} right now. {complaint}{neg_emoji}",
    ),
    "question": ("{brand} {question}", "hey {brand}, quick one: {question}"),
    "recommendation": (
        "{friend} you need the {product} from {brand} in your life, {friend_reason}",
        "{friend} {friend_reason}: get the {product} from {brand}",
    ),
    "ugc": ("{ugc}",),
    "product_buzz": (
        "the new {product} from {brand} is all over my feed",
        "finally got my hands on the {product}, {brand} nailed it",
        "everyone at work is asking about my {product} from {brand}",
        "is the {product} from {brand} worth the hype? looks great",
    ),
    "shipping": (
        "{brand} shipping to {country} took {days} days, not bad",
        "love how {brand} packs every order, recyclable box and all",
        "ordered from {brand} on monday, tracking says out for delivery",
        "{brand} do you offer express shipping to {city}?",
    ),
}

FRIEND_REPLIES = (
    "ok ok I'm convinced, ordering one",
    "is it really that good?",
    "adding it to my list!",
    "omg yes I've been looking for this",
    "you always find the best stuff",
    "ha you know me too well",
    "saving this",
)

COMPLAINT_FOLLOW_UPS = (
    "just sent a DM",
    "thanks, sent you the order number",
    "still no update on this...",
    "appreciate the quick reply",
    "that's what you said last week",
    "ok, waiting for your email",
)

THANKS_FOLLOW_UPS = ("thanks!", "perfect, thank you", "great, thanks for the quick answer", "awesome 🙌")

# Non-English texts: language -> (topic, template)
FOREIGN: dict[str, tuple[tuple[str, str], ...]] = {
    "es": (
        ("praise", "¡Me encanta el {product}! 😍"),
        ("question", "¿Hacen envíos a México?"),
        ("complaint", "Mi pedido todavía no llega, ya pasaron {days_es} días 😞"),
        ("praise", "Lo recomiendo muchísimo, el {product} es increíble"),
    ),
    "fr": (
        ("praise", "J'adore le {product} !"),
        ("question", "Vous livrez en Belgique ?"),
        ("complaint", "Ma commande n'est toujours pas arrivée..."),
        ("praise", "Trop bien, merci pour le {product} 😍"),
    ),
    "de": (
        ("praise", "Der {product} ist richtig gut!"),
        ("question", "Liefert ihr auch nach Österreich?"),
        ("complaint", "Meine Bestellung ist immer noch nicht da. Enttäuschend."),
    ),
    "pt": (
        ("praise", "Amei o {product}! 😍"),
        ("question", "Vocês entregam no Brasil?"),
    ),
    "ja": (
        ("praise", "{product}最高です！"),
        ("question", "日本に発送できますか？"),
    ),
    "it": (
        ("praise", "Il {product} è fantastico!"),
        ("question", "Spedite in Italia?"),
    ),
}
FOREIGN_VOCAB = {"days_es": ("diez", "doce", "quince")}

FIRST_NAMES = (
    "Jess",
    "Marco",
    "Aisha",
    "Tom",
    "Priya",
    "Lena",
    "Diego",
    "Sam",
    "Noor",
    "Ben",
    "Chloe",
    "Kwame",
    "Hana",
    "Luis",
    "Mia",
    "Oscar",
    "Zara",
    "Ravi",
    "Emma",
    "Felix",
    "Grace",
    "Hugo",
    "Ines",
    "Jamal",
    "Kate",
    "Leo",
    "Maya",
    "Nico",
    "Olivia",
    "Pablo",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Will",
    "Yuki",
    "Ada",
    "Bruno",
    "Cleo",
    "Dara",
    "Eli",
    "Fatima",
    "Gabe",
    "Holly",
    "Ivan",
    "Julia",
    "Kenji",
    "Lucy",
    "Matt",
    "Nadia",
    "Owen",
    "Paula",
    "Quinn",
    "Rhys",
    "Sofia",
    "Theo",
    "Uma",
    "Viktor",
    "Wren",
    "Ximena",
    "Yara",
    "Zoe",
    "Amir",
    "Bea",
    "Caleb",
    "Dani",
    "Erin",
    "Finn",
    "Gia",
    "Hamza",
    "Isla",
    "Joel",
    "Kira",
    "Liam",
    "Mona",
    "Nate",
    "Orla",
    "Pete",
    "Rae",
)
LAST_NAMES = (
    "Kowalski",
    "Rossi",
    "Okafor",
    "Nguyen",
    "Patel",
    "Schmidt",
    "Garcia",
    "Brennan",
    "Haddad",
    "Lindqvist",
    "Moreau",
    "Mensah",
    "Sato",
    "Alvarez",
    "Novak",
    "Fischer",
    "Rahman",
    "Costa",
    "Walsh",
    "Kim",
    "Dubois",
    "Osei",
    "Tanaka",
    "Silva",
    "Byrne",
    "Larsen",
    "Ahmed",
    "Romero",
    "Weber",
    "Hughes",
    "Ivanova",
    "Mahlaba",
    "Chen",
    "Duarte",
    "Keane",
    "Berg",
    "Farah",
    "Lopez",
    "Murphy",
    "Yilmaz",
    "Park",
    "Reyes",
    "Stone",
    "Abbott",
    "Varga",
    "Quinn",
    "Ortiz",
    "Lund",
    "Mwangi",
    "Hale",
)
# What the brands' competitors post and what customers say to them, on X.
COMPETITOR_POSTS = (
    "Fresh drop just landed. What do you think?",
    "Weekend sale: 15% off everything until Sunday.",
    "Meet the team behind our newest range 👋",
    "Free shipping on every order this week.",
    "Your photos make our day. Keep tagging us!",
    "Tell us: what should we launch next?",
    "Back in stock, and we made more this time.",
)
COMPETITOR_SAYINGS = {
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
COMPETITOR_ANSWERS = {
    "question": ("thanks for asking! DM us and we'll help.", "good question, all the details are on our site."),
    "complaint": ("sorry to hear that. Please DM us your order number.", "we're on it, check your DMs."),
}
