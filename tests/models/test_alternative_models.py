"""The override paths, with tiny models this test builds and saves itself (no download, seconds to run)."""

import numpy as np
import polars as pl
import pytest
from tiny_models import build_tiny_bert

from ingest.text import text_hash
from models.encoder import Encoder
from models.enrich import EnrichConfig, Enricher
from models.schema import EMOTION_LABELS, INTENT_LABELS, SENTIMENT_LABELS, TEXT_ENRICHMENT
from models.sentiment_override import SentimentModel, mapping_from_id2label, parse_label_mapping
from models.training.common import write_head
from models.training.fitting import FitSettings, fit_multiclass, fit_multilabel, macro_f1

TEXTS = ["i love this coffee !", "the worst service ever .", "is it good ?", "my order , refund !"]


def frame() -> pl.DataFrame:
    return pl.DataFrame({"text_hash": [text_hash(text) for text in TEXTS], "text": TEXTS})


def test_label_mappings():
    assert parse_label_mapping("0:negative, 1:neutral,2:Positive") == {0: "negative", 1: "neutral", 2: "positive"}
    assert mapping_from_id2label({0: "NEG", 1: "neu", 2: "Positive"}) == {0: "negative", 1: "neutral", 2: "positive"}
    with pytest.raises(ValueError, match="ROR_SENTIMENT_LABELS"):
        mapping_from_id2label({0: "LABEL_0", 1: "LABEL_1"})
    with pytest.raises(ValueError, match="bad sentiment label"):
        parse_label_mapping("0:angry")


def test_sentiment_model_with_its_own_label_names(tmp_path):
    folder = build_tiny_bert(tmp_path / "tiny-sentiment", {0: "negative", 1: "neutral", 2: "positive"})
    model = SentimentModel(folder)
    probabilities = model.probabilities(TEXTS)
    assert model.label_mapping == {0: "negative", 1: "neutral", 2: "positive"}
    assert probabilities.shape == (4, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-6)


def test_a_two_class_model_with_an_explicit_mapping_has_no_neutral(tmp_path):
    folder = build_tiny_bert(tmp_path / "tiny-binary", {0: "LABEL_0", 1: "LABEL_1"})
    with pytest.raises(ValueError, match="cannot tell"):
        SentimentModel(folder)
    probabilities = SentimentModel(folder, parse_label_mapping("0:positive,1:negative")).probabilities(TEXTS)
    assert (probabilities[:, 1] == 0).all()
    np.testing.assert_allclose(probabilities[:, 0] + probabilities[:, 2], 1.0, atol=1e-6)


def test_the_override_replaces_the_sentiment_head_in_the_enricher(tmp_path, enricher, model_cache):
    folder = build_tiny_bert(tmp_path / "tiny-sentiment", {0: "NEG", 1: "NEU", 2: "POS"})
    overridden = Enricher.from_variables(
        {"ROR_SENTIMENT_MODEL": str(folder), "ROR_ENRICH_INT8": "0", "ROR_MODEL_CACHE": str(model_cache)}
    )
    output = overridden.enrich(frame())
    expected = SentimentModel(folder).probabilities(TEXTS)
    assert output.schema == pl.Schema(TEXT_ENRICHMENT)
    np.testing.assert_allclose(output.select("p_negative", "p_neutral", "p_positive").to_numpy(), expected, atol=1e-6)
    assert overridden.model_name == "all-MiniLM-L6-v2+ror-tweeteval+ror-heads+sentiment:tiny-sentiment"
    assert overridden.model_version != enricher.model_version
    assert output["p_joy"].to_list() == pytest.approx(enricher.enrich(frame())["p_joy"].to_list(), abs=1e-6)


def test_heads_trained_for_another_encoder_are_refused(tiny_encoder_dir, model_cache):
    with pytest.raises(ValueError, match="retrain"):
        Enricher(EnrichConfig(encoder=str(tiny_encoder_dir), int8=False, cache_dir=model_cache))


def test_an_alternative_encoder_with_heads_trained_for_it(tiny_encoder_dir, tmp_path, model_cache):
    """The retraining path: heads fitted on the tiny encoder's features, then the whole enrichment runs on it."""
    encoder = Encoder(tiny_encoder_dir)
    features = encoder.encode(TEXTS)
    settings = FitSettings(feature_layers=2, epochs=3, batch_size=4)
    card = dict(training_data="four test texts", metric={}, command="pytest", feature_layers=2)
    for name, labels in (("sentiment", SENTIMENT_LABELS), ("emotion", EMOTION_LABELS)):
        targets = np.arange(len(TEXTS)) % len(labels)
        head, _ = fit_multiclass(features, targets, features, targets, len(labels), settings, macro_f1)
        write_head(head, encoder, tmp_path, name=name, kind="multiclass", labels=list(labels), **card)
    intent_targets = np.eye(len(TEXTS), len(INTENT_LABELS), dtype=np.int64)
    head = fit_multilabel(features, intent_targets, settings)
    write_head(
        head,
        encoder,
        tmp_path,
        name="intent",
        kind="multilabel",
        labels=list(INTENT_LABELS),
        thresholds=[0.5] * len(INTENT_LABELS),
        **card,
    )

    enricher = Enricher(
        EnrichConfig(encoder=str(tiny_encoder_dir), heads_dir=tmp_path, int8=False, cache_dir=model_cache)
    )
    output = enricher.enrich(frame())
    assert enricher.model_name == f"{tiny_encoder_dir.name}+ror-heads"
    assert output.schema == pl.Schema(TEXT_ENRICHMENT)
    assert output.height == len(TEXTS)
