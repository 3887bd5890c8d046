"""A text's enrichment is a function of the text alone: not of the texts batched with it, of their order, or of the
batch size, with the default settings (int8 encoder). A refresh killed and resumed therefore writes exactly what an
uninterrupted one writes."""

import random

import numpy as np
import polars as pl
import pytest

from ingest.text import text_hash
from models.encoder import INT8_TEXTS_PER_CALL, same_length_calls
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
    # The heads run inside the int8 encoder's graph (one call per group of same-length texts) but are left
    # unquantised: their logits equal the fp32 torch heads' on the same int8 features up to float rounding
    # (quantised heads moved them by 0.01-0.2).
    features, logits = default_enricher.encoder.encode_and_score(TEXTS)
    assert set(logits) == {"sentiment", "emotion", "intent"}
    for name, head in default_enricher.heads.items():
        inputs = features[:, -head.card.feature_layers * default_enricher.encoder.dim :]
        np.testing.assert_allclose(logits[name], head.logits(inputs), atol=1e-4, rtol=0)


# Eight tokens each for the shipped tokenizer: one length, so the int8 path scores them in shared calls.
SAME_LENGTH_TWEETS = [
    "I love this coffee so much",
    "my parcel never arrived at all",
    "the train is late again today",
    "worst support team I have seen",
    "do you ship to Ireland now",
]


def test_shipped_int8_logits_are_bit_identical_whatever_shares_the_call(default_enricher):
    encoder = default_enricher.encoder
    # A text's features and logits alone (a lone text runs in a call of its own) equal, bit for bit, those it gets
    # in a call shared with other texts of its length: all of them in either order, or two of them.
    token_ids = encoder.tokenize(SAME_LENGTH_TWEETS)
    assert [len(call) for call in same_length_calls(token_ids, INT8_TEXTS_PER_CALL)] == [len(SAME_LENGTH_TWEETS)]
    alone = [encoder.encode_and_score([text]) for text in SAME_LENGTH_TWEETS]
    features, logits = encoder.encode_and_score([*TEXTS, *SAME_LENGTH_TWEETS, *SAME_LENGTH_TWEETS[::-1]])
    pair_features, pair_logits = encoder.encode_and_score(SAME_LENGTH_TWEETS[2:4])
    for row, (text_features, text_logits) in enumerate(alone):
        positions = [(features, logits, len(TEXTS) + row), (features, logits, len(features) - 1 - row)]
        if row in (2, 3):
            positions.append((pair_features, pair_logits, row - 2))
        for shared_features, shared_logits, position in positions:
            np.testing.assert_array_equal(shared_features[position], text_features[0])
            for name, values in text_logits.items():
                np.testing.assert_array_equal(shared_logits[name][position], values[0])


def test_same_length_calls_cover_every_row_once_with_one_length_per_call():
    token_ids = [[1] * length for length in (3, 5, 3, 3, 7, 5, 3, 3)]
    calls = same_length_calls(token_ids, texts_per_call=2)
    rows = np.concatenate(calls)
    assert sorted(rows.tolist()) == list(range(len(token_ids)))
    assert all(len({len(token_ids[row]) for row in call}) == 1 and 1 <= len(call) <= 2 for call in calls)
    assert sorted(len(call) for call in calls) == [1, 1, 2, 2, 2]  # five texts of length 3 in calls of 2, 2 and 1
