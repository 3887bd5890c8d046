"""The enrichment cache: one row per (text_hash, model_version), stored in the warehouse as
``enrichment.text_enrichment`` and read by dbt as a source.
"""

from __future__ import annotations

import polars as pl

SENTIMENT_LABELS = ("negative", "neutral", "positive")
EMOTION_LABELS = ("anger", "joy", "optimism", "sadness")
INTENT_LABELS = ("question", "complaint", "praise", "recommendation", "purchase_intent")

TEXT_ENRICHMENT = {
    "text_hash": pl.String,  # ingest.text.text_hash of the text
    "model_name": pl.String,  # encoder + heads, e.g. "all-MiniLM-L6-v2+ror-heads"
    "model_version": pl.String,  # changes whenever any weight changes; the cache key with text_hash
    "sentiment_label": pl.String,  # negative | neutral | positive
    "p_negative": pl.Float64,
    "p_neutral": pl.Float64,
    "p_positive": pl.Float64,
    "emotion_label": pl.String,  # anger | joy | optimism | sadness (null until the emotion head exists)
    "p_anger": pl.Float64,
    "p_joy": pl.Float64,
    "p_optimism": pl.Float64,
    "p_sadness": pl.Float64,
    "is_question": pl.Boolean,  # intent heads (multi-label); null until the intent head exists
    "is_complaint": pl.Boolean,
    "is_praise": pl.Boolean,
    "is_recommendation": pl.Boolean,
    "is_purchase_intent": pl.Boolean,
    "is_substantive": pl.Boolean,  # not emoji-only, not a bare tag, not "nice!"
    "detected_lang": pl.String,  # ISO 639-1 code or "und"
    "enriched_at": pl.Datetime("us", "UTC"),
}
