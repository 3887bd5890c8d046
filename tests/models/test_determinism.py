"""A text's enrichment is a function of the text alone: not of the texts batched with it, of their order, or of the
batch size, with the default settings (int8 encoder). A refresh killed and resumed therefore writes exactly what an
uninterrupted one writes."""

import random

import numpy as np
import polars as pl
import pytest

from ingest.text import text_hash
from models.enrich import EnrichConfig, Enricher

TEXTS = [
    "nice!",
    "ok",
    "@NorthwindCoffee do you deliver to Galway, and how long does it usually take?",
    "Worst service ever. My order is two weeks late and nobody answers my emails. Awful.",
    "I absolutely love this coffee, best morning treat ever, thank you so much!",
    "Wow, thanks for charging me twice, really appreciate it",
    "The new bike arrived on Tuesday. Assembly took ten minutes, the manual is clear, the brakes needed adjusting "
    "and the bell is a bit quiet, but overall it rides beautifully on the canal path and up the hill to work. "
    "Would I buy it again? Probably, if the price stays where it is and the shop keeps answering emails this fast.",
    "Das ist wirklich ein tolles Produkt, ich bin begeistert",
    "meh",
    "is the tidepool serum back in stock?? need it before friday 🙏",
]


def scored(enricher: Enricher, texts: list[str]) -> dict[str, dict]:
    frame = pl.DataFrame({"text_hash": [text_hash(text) for text in texts], "text": texts})
    return {row["text_hash"]: row for row in enricher.enrich(frame).drop("enriched_at").to_dicts()}


@pytest.fixture(scope="module")
def default_enricher(model_cache) -> Enricher:
    config = EnrichConfig(cache_dir=model_cache)
    assert config.int8  # the default this test is about
    return Enricher(config)


def test_scores_do_not_depend_on_batch_neighbours_order_or_size(default_enricher):
    alone = {}
    for text in TEXTS:
        alone.update(scored(default_enricher, [text]))
    in_order = scored(default_enricher, sorted(TEXTS, key=len))
    shuffled = TEXTS.copy()
    random.Random(7).shuffle(shuffled)
    in_shuffled_batch = scored(default_enricher, shuffled)
    assert alone == in_order == in_shuffled_batch  # exact equality, every column


def test_scores_do_not_depend_on_the_configured_batch_size(default_enricher, model_cache):
    other_batch_size = Enricher(EnrichConfig(cache_dir=model_cache, batch_size=3))
    assert scored(other_batch_size, TEXTS) == scored(default_enricher, TEXTS)


def test_heads_scored_in_the_int8_graph_keep_their_fp32_weights(default_enricher):
    # The heads run inside the int8 encoder's graph (one call per text) but are left unquantised: their logits equal
    # the fp32 torch heads' on the same int8 features up to float rounding (quantised heads moved them by 0.01-0.2).
    features, logits = default_enricher.encoder.encode_and_score(TEXTS)
    assert set(logits) == {"sentiment", "emotion", "intent"}
    for name, head in default_enricher.heads.items():
        inputs = features[:, -head.card.feature_layers * default_enricher.encoder.dim :]
        np.testing.assert_allclose(logits[name], head.logits(inputs), atol=1e-4, rtol=0)
