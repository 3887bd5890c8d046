"""Every limit a record must fit to reach the warehouse, in one place (docs/your-own-data.md, "Limits", lists them).

A value outside these limits is damage, not data: a 1970 or 9999 date makes every date spine of the marts span
decades, a 200 MB text blocks scoring for good. Rows that break a limit are quarantined with a reason that names the
limit, never the value (``ingest.plausibility``); records over the size limits are refused before they are parsed.

============================  =====================================================================================
limit                         value
============================  =====================================================================================
earliest timestamp            the day the platform went public (``EARLIEST``; ads and CRM sources, and platforms
                              not listed: ``DEFAULT_EARLIEST``)
latest timestamp              a day after the file was first seen (``FUTURE_TOLERANCE``; the time is kept in
                              ``raw.file_manifest.first_seen_at``, so a rerun decides the same)
text                          ``MAX_TEXT_CHARS`` characters (above the longest post any platform allows)
one JSON line, one CSV record ``MAX_RECORD_BYTES`` bytes; a longer one is quarantined with its line number, read
                              past in pieces and never parsed (a CSV record's quoted line breaks count as its own)
one JSON document             ``MAX_DOCUMENT_BYTES`` bytes (an API response read whole); a larger one is refused
                              unread
counts                        0 to ``MAX_COUNT`` (likes, followers, impressions, clicks, ...); a Reddit score
                              (``like_count``, ``NET_SCORE_PLATFORMS``) may be negative
spend, action values, amounts finite and not negative
text scored by the models     its first ``MAX_SCORED_TEXT_CHARS`` characters (more than the encoder's 128 tokens)
============================  =====================================================================================
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# The day each platform opened (first post, first public sign-up): nothing on it can be older.
EARLIEST: dict[str, datetime] = {
    "linkedin": datetime(2003, 5, 5, tzinfo=UTC),
    "facebook": datetime(2004, 2, 4, tzinfo=UTC),
    "meta": datetime(2004, 2, 4, tzinfo=UTC),  # Meta ads run on Facebook and Instagram
    "youtube": datetime(2005, 2, 14, tzinfo=UTC),
    "reddit": datetime(2005, 6, 23, tzinfo=UTC),
    "x": datetime(2006, 3, 21, tzinfo=UTC),
    "instagram": datetime(2010, 7, 16, tzinfo=UTC),  # first photo, before the October 2010 launch
    "bluesky": datetime(2022, 11, 1, tzinfo=UTC),  # the team's first posts, before the February 2023 beta
}
# Ads and CRM sources (HubSpot lets an import backdate a contact) and any mapped tool: older is a broken date.
DEFAULT_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
# A timestamp later than this after the file was first seen is a broken date (time zones and clock skew fit in it).
FUTURE_TOLERANCE = timedelta(days=1)

# Facebook allows 63,206 characters in a post, the most of any platform read (X 25,000, Reddit 40,000).
MAX_TEXT_CHARS = 65_536
# One JSON line (a twarc2 line is a page of up to 100 posts with their users, well under 2 MB) or CSV record.
MAX_RECORD_BYTES = 16 * 1024 * 1024
# One API response read whole (a Graph API or Reddit page); parsing takes about ten times its size in memory.
MAX_DOCUMENT_BYTES = 32 * 1024 * 1024
# No count on one post, account or day comes near this (there are 8 billion people).
MAX_COUNT = 10**12
# Platforms whose like_count is a net vote score (up minus down votes), negative for a downvoted post or comment.
NET_SCORE_PLATFORMS = ("reddit",)

# The encoder reads its first 128 tokens of a text (a sentiment override model at most 512), and a token of words is
# a few characters: cutting longer texts here changes no score the encoder gives, while tokenising, language
# detection and the DuckDB query that collects texts stay bounded whatever a text's length. The cache key (text_hash)
# is still the whole text's.
MAX_SCORED_TEXT_CHARS = 10_000
