"""Substantive vs low-effort texts: a transparent rule, no model.

A text is low-effort when, after removing @mentions, #hashtags, URLs, emoji and punctuation, what is left is
- nothing (emoji-only, a bare tag or mention, a bare link), or
- one of the stock replies in ``LOW_EFFORT_PHRASES`` ("nice!", "first", "+1", "lol", "same", "so cute", ...), or
- fewer than ``MIN_WORDS`` words, none longer than four letters ("ok ok", "yes!! 10/10").
Everything else is substantive. The rule is deliberately conservative: "Love it, ordering another" is substantive;
"love it!!" is not. It feeds the marts' meaningful-comment share (docs: metrics, "Engagement quality").
"""

from __future__ import annotations

import re
import unicodedata

MIN_WORDS = 3
SHORT_WORD_LETTERS = 4

LOW_EFFORT_PHRASES = frozenset(
    phrase.strip()
    for phrase in """
    nice | nice one | nice post | very nice | great | great post | great pic | great shot | great content | good job |
    well done | bravo | cool | wow | wow wow | just wow | amazing | awesome | love it | love this | loved it | lovely |
    beautiful | gorgeous | cute | so cute | stunning | perfect | yes | yess | yesss | yes yes | no way | omg | lol |
    lmao | lmfao | haha | hahaha | first | first comment | second | 1 | same | same here | same lol | this |
    this is it | true | so true | agreed | agree | facts | me too | mood | big mood | thanks | thank you |
    thanks so much | thank you so much | thx | ty | congrats | congratulations | fire | goals | ok | okay | k | yay |
    yep | nope | hi | hello | hey | following | following for updates | bump | up | interesting | hmm | wtf | so good |
    sick | dope | legend | iconic | slay | need | want
    """.split("|")
)

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_MENTION_OR_TAG = re.compile(r"[@#][\w.]+")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def content_words(text: str) -> list[str]:
    """Lowercase words left once mentions, hashtags, URLs, emoji and punctuation are removed."""
    stripped = _MENTION_OR_TAG.sub(" ", _URL.sub(" ", unicodedata.normalize("NFKC", text)))
    return [word.lower() for word in _WORD.findall(stripped)]


def is_substantive(text: str | None) -> bool | None:
    """True for a text that says something; False for a low-effort one; None when there is no text."""
    if text is None:
        return None
    words = content_words(text)
    if not words or " ".join(words) in LOW_EFFORT_PHRASES:
        return False
    return len(words) >= MIN_WORDS or any(len(word) > SHORT_WORD_LETTERS for word in words)
