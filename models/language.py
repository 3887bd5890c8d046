"""Language detection with py3langid (naive Bayes over byte n-grams, model inside its wheel; offline, ~0.2 ms a text).

Rules on top of the model, because social texts are short and full of tags:
- URLs, @mentions and #hashtags are removed first (handles and tags are not language);
- a text with no words left (emoji-only, a bare tag) is "und";
- the model only chooses among ``LANGUAGES`` (the ~45 most common languages on social platforms): with all 97
  languages, short English tweets are often labelled Nigerian Pidgin, Breton or Javanese;
- a decision below ``MIN_CONFIDENCE`` (normalised probability) is "und". On TweetEval (English tweets; sentiment and
  emotion test, 13,705): 89.7% "en", 10.1% "und" (mostly hashtag strings and headlines in capitals) and 0.15%
  (21 tweets) another language; on val (2,374): 0.17% (4). So few English tweets lose their scores that no stricter
  threshold is needed.

The models were trained and evaluated on English only: a text detected in another language gets no sentiment,
emotion or intent (``EnrichConfig.scored_languages``: "en" and "und"), and ``detected_lang`` says why.
"""

from __future__ import annotations

import re
from functools import lru_cache

from models.substance import content_words

UNDETERMINED = "und"
MIN_CONFIDENCE = 0.5
LANGUAGES = (
    "en es fr de it pt nl sv da no fi pl cs sk hu ro bg ru uk el tr ar he fa hi bn ur ta te mr th vi id ms tl zh ja ko "
    "sw ca hr sr sl lt lv et"
).split()

_NOT_LANGUAGE = re.compile(r"https?://\S+|www\.\S+|[@#][\w.]+", re.IGNORECASE)


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True, min_confidence=MIN_CONFIDENCE)
    identifier.set_languages(LANGUAGES)
    return identifier


def detect_language(text: str | None) -> str | None:
    """ISO 639-1 code, "und" when too short or uncertain, None when there is no text."""
    if text is None:
        return None
    if not content_words(text):
        return UNDETERMINED
    language, _confidence = _identifier().classify(_NOT_LANGUAGE.sub(" ", text))
    return language
