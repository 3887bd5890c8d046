"""What the reader sees instead of ids and column names: platform names, money in the brand's currency, durations in
minutes or hours, percentages written one way (a ratio of 2.46 is "246%", as Superset shows it), public links, and
message texts cut to a length a page can show."""

from __future__ import annotations

from datetime import date

PLATFORMS = {
    "bluesky": "Bluesky",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "meta": "Meta ads",
    "reddit": "Reddit",
    "x": "X",
    "youtube": "YouTube",
}
CHANNELS = {"all": "All channels", "paid_social": "Paid social", "organic_social": "Organic social"}
CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "JPY": "¥", "INR": "₹"}
INTERACTION_TYPES = {"ugc": "user-generated post"}


def platform_name(platform: str | None) -> str:
    if not platform:
        return "Unknown platform"
    return PLATFORMS.get(platform, platform.replace("_", " ").title())


def channel_name(channel: str | None) -> str:
    return CHANNELS.get(channel or "", (channel or "unknown").replace("_", " ").capitalize())


def interaction_kind(interaction_type: str | None) -> str:
    return INTERACTION_TYPES.get(interaction_type or "", (interaction_type or "interaction").replace("_", " "))


def money_prefix(currency: str | None) -> str:
    """The prefix money takes on axes and in text: a symbol for the common currencies, else the ISO code."""
    if currency is None:
        return ""
    return CURRENCY_SYMBOLS.get(currency, f"{currency} ")


def money(amount: float | None, currency: str | None, decimals: int = 0) -> str:
    if amount is None:
        return "–"
    sign = "-" if amount < 0 else ""
    return f"{sign}{money_prefix(currency)}{abs(amount):,.{decimals}f}"


def money_title(what: str, currency: str | None) -> str:
    """An axis title for money: 'spend (EUR)', or 'spend (no currency configured)'."""
    return f"{what} ({currency or 'currency not configured'})"


def percent(ratio: float | None, decimals: int = 0) -> str:
    return "–" if ratio is None else f"{ratio * 100:,.{decimals}f}%"


def duration(minutes: float | None) -> str:
    """'45 min', '3.2 h', '2.1 days': the unit a person would say."""
    if minutes is None:
        return "–"
    if minutes < 90:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} days"


def month_label(day: date) -> str:
    return day.strftime("%b %Y")


def day_label(day: date) -> str:
    return f"{day.strftime('%a')} {day.day} {day.strftime('%b %Y')}"


def public_link(platform: str, native_id: str, is_post: bool, permalink: str | None = None) -> str | None:
    """The public web address of a post or message, where its platform id alone makes one; None elsewhere (an
    Instagram id is not its shortcode, a YouTube comment needs its video). The export's own permalink wins when it
    is a web address."""
    if permalink and permalink.startswith(("https://", "http://")):
        return permalink
    if platform == "x" and native_id.isdigit():
        return f"https://x.com/i/web/status/{native_id}"
    if platform == "facebook" and native_id.replace("_", "").isdigit():
        return f"https://www.facebook.com/{native_id}"
    if platform == "youtube" and is_post:
        return f"https://www.youtube.com/watch?v={native_id}"
    if platform == "reddit" and native_id.startswith("t3_"):
        return f"https://www.reddit.com/comments/{native_id.removeprefix('t3_')}"
    if platform == "linkedin" and native_id.startswith("urn:li:"):
        return f"https://www.linkedin.com/feed/update/{native_id}"
    if platform == "bluesky" and native_id.startswith("at://"):
        did, _, rkey = native_id.removeprefix("at://").partition("/app.bsky.feed.post/")
        return f"https://bsky.app/profile/{did}/post/{rkey}" if rkey else None
    return None


# a tweet's length: a longer text is cut at a word, and the link opens the whole message
MESSAGE_CHARS = 280


def message_excerpt(text: str | None, limit: int = MESSAGE_CHARS) -> str | None:
    """The message as the reader sees it: whitespace runs (line breaks included) as one space, cut at a word after
    ``limit`` characters with an ellipsis; None for no text."""
    if text is None or not (flat := " ".join(text.split())):
        return None
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return cut.rstrip(" ,;:.-") + "…"
