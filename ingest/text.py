"""Text normalisation and the hash that keys the enrichment cache.

Two texts that differ only in Unicode form, surrounding or repeated whitespace are the same text to the models, so
they share one hash and are encoded once (retweets, copy-paste campaigns, the same text in a later run).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import polars as pl

_WHITESPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def text_hash(text: str | None) -> str | None:
    """sha256 (hex, first 32 chars) of the normalised text; None for missing or blank text."""
    if text is None:
        return None
    normalised = normalise_text(text)
    if not normalised:
        return None
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:32]


def text_hash_expr(column: str = "text") -> pl.Expr:
    """``text_hash`` as a polars expression: one Python call per column, not per value (a call per value through
    polars costs more than the hash)."""
    return pl.col(column).map_batches(_text_hashes, return_dtype=pl.String, is_elementwise=True)


def _text_hashes(texts: pl.Series) -> pl.Series:
    return pl.Series([text_hash(text) for text in texts], dtype=pl.String)
