import json
import shutil

import numpy as np
import polars as pl
import pytest
from safetensors.torch import load_file, save_file

from ingest.text import text_hash
from models.enrich import MODEL_COLUMNS, EnrichConfig, Enricher
from models.heads import HEADS_DIR
from models.schema import TEXT_ENRICHMENT


def frame_of(*texts: str) -> pl.DataFrame:
    return pl.DataFrame({"text_hash": [text_hash(text) for text in texts], "text": list(texts)})


TEXTS = {
    "positive": "I absolutely love this coffee, best morning treat ever, thank you so much!",
    "negative": "Worst service ever. My order is two weeks late and nobody answers my emails. Awful.",
    "question": "@NorthwindCoffee do you deliver to Galway, and how long does it usually take?",
    "complaint": "@LumenBikes the brakes on my new bike squeal constantly and the shop refuses to look at it",
    "low_effort": "nice!",
    "german": "Das ist wirklich ein tolles Produkt, ich bin begeistert und kaufe es wieder",
    "too_short_to_tell": "🔥🔥 @LumenBikes #ride",
}


@pytest.fixture(scope="module")
def enriched(enricher) -> pl.DataFrame:
    return enricher.enrich(frame_of(*TEXTS.values())).with_columns(kind=pl.Series(list(TEXTS)))


def row(enriched: pl.DataFrame, kind: str) -> dict:
    return enriched.filter(pl.col("kind") == kind).to_dicts()[0]


def test_output_has_exactly_the_contract_columns(enricher):
    output = enricher.enrich(frame_of("one text", "another text"))
    assert output.schema == pl.Schema(TEXT_ENRICHMENT)
    assert output["text_hash"].to_list() == [text_hash("one text"), text_hash("another text")]
    assert output["model_version"].unique().to_list() == [enricher.model_version]
    assert output["model_name"].unique().to_list() == ["all-MiniLM-L6-v2+ror-tweeteval+ror-heads"]


def test_probabilities_sum_to_one(enriched):
    enriched = enriched.filter(pl.col("detected_lang") == "en")
    sentiment = enriched.select("p_negative", "p_neutral", "p_positive").to_numpy()
    emotion = enriched.select("p_anger", "p_joy", "p_optimism", "p_sadness").to_numpy()
    np.testing.assert_allclose(sentiment.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(emotion.sum(axis=1), 1.0, atol=1e-6)
    # the score (p_positive - p_negative) is a formula, so it lives in dbt only (int_text_enrichment_deduplicated)
    assert "sentiment_score" not in enriched.columns


def test_obvious_sentiment_and_emotion(enriched):
    positive, negative = row(enriched, "positive"), row(enriched, "negative")
    assert positive["sentiment_label"] == "positive"
    assert negative["sentiment_label"] == "negative"
    positive_score = positive["p_positive"] - positive["p_negative"]
    negative_score = negative["p_positive"] - negative["p_negative"]
    assert positive_score > 0.5 > -0.5 > negative_score
    assert positive["emotion_label"] == "joy"
    assert negative["p_anger"] > positive["p_anger"]


def test_intent_substance_and_language(enriched):
    assert row(enriched, "question")["is_question"] is True
    assert row(enriched, "complaint")["is_complaint"] is True
    assert row(enriched, "positive")["is_complaint"] is False
    assert row(enriched, "positive")["is_praise"] is True
    assert row(enriched, "low_effort")["is_substantive"] is False
    assert row(enriched, "question")["is_substantive"] is True
    assert row(enriched, "german")["detected_lang"] == "de"
    assert row(enriched, "negative")["detected_lang"] == "en"


def test_other_languages_get_no_scores_and_undetermined_ones_do(enriched):
    german, undetermined = row(enriched, "german"), row(enriched, "too_short_to_tell")
    assert german["detected_lang"] == "de"  # says why the scores are null
    assert all(german[column] is None for column in MODEL_COLUMNS)
    assert german["is_substantive"] is True  # the rules still run
    assert undetermined["detected_lang"] == "und"
    assert all(undetermined[column] is not None for column in MODEL_COLUMNS)


def test_a_frame_of_foreign_texts_only_needs_no_encoder_pass(enricher):
    output = enricher.enrich(frame_of(TEXTS["german"], "¿Dónde está mi pedido? Nadie me contesta nunca"))
    assert output["detected_lang"].to_list() == ["de", "es"]
    assert output.select(MODEL_COLUMNS).null_count().row(0) == (2,) * len(MODEL_COLUMNS)


def test_a_text_scores_the_same_beside_texts_left_unscored(enricher):
    english = "Worst service ever. My order is two weeks late and nobody answers my emails. Awful."
    alone = enricher.enrich(frame_of(english)).drop("enriched_at")
    beside = enricher.enrich(frame_of(TEXTS["german"], english, "¿Dónde está mi pedido? Nadie me contesta nunca"))
    assert beside.drop("enriched_at").filter(pl.col("text_hash") == text_hash(english)).equals(alone)


def test_scored_languages_are_a_setting_and_part_of_the_version(enricher, model_cache):
    everything = Enricher(EnrichConfig(int8=False, cache_dir=model_cache, scored_languages=("en", "und", "de")))
    assert everything.model_version != enricher.model_version
    assert everything.enrich(frame_of(TEXTS["german"]))["sentiment_label"].to_list() != [None]


def test_duplicate_or_missing_keys_are_refused(enricher):
    with pytest.raises(ValueError, match="unique"):
        enricher.enrich(pl.DataFrame({"text_hash": ["a", "a"], "text": ["x", "x"]}))
    with pytest.raises(ValueError, match="every row"):
        enricher.enrich(pl.DataFrame({"text_hash": ["a", None], "text": ["x", "y"]}))


def test_an_empty_frame_gives_an_empty_contract_frame(enricher):
    output = enricher.enrich(
        pl.DataFrame({"text_hash": [], "text": []}, schema={"text_hash": pl.String, "text": pl.String})
    )
    assert output.height == 0 and output.schema == pl.Schema(TEXT_ENRICHMENT)


def copy_heads(destination):
    shutil.copytree(HEADS_DIR, destination)
    return destination


def test_model_version_changes_when_a_head_changes_and_only_then(enricher, model_cache, tmp_path):
    described = copy_heads(tmp_path / "described")  # same weights, a card edit that does not act on outputs
    card = json.loads((described / "intent.json").read_text())
    (described / "intent.json").write_text(json.dumps({**card, "notes": "reviewed", "trained_on": "2030-01-01"}))
    new_weights = copy_heads(tmp_path / "new_weights")
    weights = load_file(str(new_weights / "emotion.safetensors"))
    first = sorted(weights)[0]
    save_file({**weights, first: weights[first] + 1e-3}, str(new_weights / "emotion.safetensors"))
    new_threshold = copy_heads(tmp_path / "new_threshold")
    (new_threshold / "intent.json").write_text(json.dumps({**card, "thresholds": [0.5] * 5}))

    def version(heads_dir):
        return Enricher(EnrichConfig(int8=False, heads_dir=heads_dir, cache_dir=model_cache)).model_version

    assert version(described) == enricher.model_version
    assert version(new_weights) != enricher.model_version
    assert version(new_threshold) != enricher.model_version


def test_config_from_the_variables_the_edge_read():
    config = EnrichConfig.from_variables(
        {
            "ROR_ENCODER": "/models/my-encoder",
            "ROR_SENTIMENT_MODEL": "cardiffnlp/twitter-roberta-base-sentiment-latest",
            "ROR_SENTIMENT_LABELS": "0:negative,1:neutral,2:positive",
            "ROR_ENRICH_INT8": "0",
            "ROR_ENRICH_BATCH_SIZE": "64",
            "ROR_ENRICH_DEVICE": "cpu",
        }
    )
    assert config.encoder == "/models/my-encoder"
    assert config.sentiment_model == "cardiffnlp/twitter-roberta-base-sentiment-latest"
    assert config.sentiment_labels == {0: "negative", 1: "neutral", 2: "positive"}
    assert (config.int8, config.batch_size, config.device) == (False, 64, "cpu")
    defaults = EnrichConfig.from_variables({})
    assert defaults == EnrichConfig()
    with pytest.raises(ValueError, match="boolean"):
        EnrichConfig.from_variables({"ROR_ENRICH_INT8": "maybe"})
