"""Calibration (models.calibration): the ECE on a hand example, the fits, and the same calibration on both paths."""

import json

import numpy as np
import pytest
from scipy.special import softmax

from models.calibration import (
    choose_decision_offsets,
    class_recalls,
    compare_calibrators,
    compared_calibrators,
    expected_calibration_error,
    fit_temperature,
    fit_temperature_and_offsets,
    fit_temperature_per_decision,
    reliability,
)
from models.enrich import EnrichConfig, Enricher
from models.heads import HEADS_DIR

TEXTS = [
    "I absolutely love this coffee, best morning treat ever, thank you so much!",
    "Worst service ever. My order is two weeks late and nobody answers my emails. Awful.",
    "The store opens at nine on Sundays.",
    "is the tidepool serum back in stock?? need it before friday",
]


def test_expected_calibration_error_by_hand():
    # Four texts, two bins (0, 0.5] and (0.5, 1]. Top probabilities 0.9, 0.8, 0.7 fall in the upper bin: mean 0.8,
    # two of the three right -> |2/3 - 0.8| = 0.133333, weight 3/4. The fourth, top 0.4, in the lower bin and
    # wrong -> |0 - 0.4| = 0.4, weight 1/4. ECE = 0.75 x 0.133333 + 0.25 x 0.4 = 0.2.
    probabilities = np.array([[0.9, 0.1, 0.0], [0.1, 0.8, 0.1], [0.7, 0.2, 0.1], [0.4, 0.3, 0.3]])
    truth = np.array([0, 1, 2, 1])
    assert expected_calibration_error(probabilities, truth, bins=2) == pytest.approx(0.2)
    upper = reliability(probabilities, truth, bins=2)[-1]
    assert (upper.count, upper.confidence, upper.accuracy) == (3, pytest.approx(0.8), pytest.approx(2 / 3))


def test_a_calibrated_model_has_a_small_ece_and_an_overconfident_one_does_not():
    rng = np.random.default_rng(1)
    logits = rng.normal(scale=2.0, size=(20000, 3))
    truth = np.array([rng.choice(3, p=row) for row in softmax(logits, axis=1)])
    assert expected_calibration_error(softmax(logits, axis=1), truth) < 0.02
    assert expected_calibration_error(softmax(logits * 3, axis=1), truth) > 0.1


def test_temperature_fits_recover_how_overconfident_logits_are():
    rng = np.random.default_rng(2)
    logits = rng.normal(scale=2.0, size=(20000, 3))
    truth = np.array([rng.choice(3, p=row) for row in softmax(logits, axis=1)])
    assert fit_temperature(logits * 2.5, truth) == pytest.approx(2.5, rel=0.05)
    temperature, offsets = fit_temperature_and_offsets(logits * 2.5 + np.array([0.0, 1.0, -1.0]), truth)
    assert temperature == pytest.approx(2.5, rel=0.05)
    np.testing.assert_allclose(offsets, [0.0, -0.4, 0.4], atol=0.05)  # the shift undone, on the scaled logits


def test_decision_offsets_lift_the_starved_class_over_the_floor():
    # Class 1 is rarely the argmax without help; the rule must give it recall >= 0.60 and keep the others there.
    rng = np.random.default_rng(3)
    truth = np.repeat([0, 1, 2], 200)
    logits = rng.normal(size=(600, 3)) + 2.0 * np.eye(3)[truth] - np.array([0.0, 2.5, 0.0])
    assert class_recalls(logits, truth, np.zeros(3))[1] < 0.3
    offsets = choose_decision_offsets(logits, truth)
    assert offsets[0] == 0.0
    assert class_recalls(logits, truth, offsets).min() >= 0.60


def _overconfident_logits(seed: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=2.0, size=(6000, 3))
    truth = np.array([rng.choice(3, p=row) for row in softmax(logits, axis=1)])
    return logits * scale, truth


@pytest.mark.parametrize(
    "name", ["vector scaling", "temperature per decision", "top-label binning", "top-label isotonic"]
)
def test_each_compared_calibrator_writes_a_distribution_row_by_row(name):
    logits, truth = _overconfident_logits(4, 2.5)
    offsets = np.array([0.0, 0.3, -0.2])
    calibrator = compared_calibrators(offsets)[name](logits, truth)
    probabilities = calibrator.probabilities(logits)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert (probabilities >= 0).all()
    assert expected_calibration_error(probabilities, truth) < expected_calibration_error(softmax(logits, 1), truth)
    one_by_one = np.vstack([calibrator.probabilities(logits[row : row + 1]) for row in range(50)])
    np.testing.assert_allclose(one_by_one, probabilities[:50])  # a text's probabilities depend on it alone


def test_the_top_label_maps_and_per_decision_temperatures_keep_the_decision():
    logits, truth = _overconfident_logits(5, 2.5)
    offsets = np.array([0.0, 0.3, -0.2])
    comparison = compare_calibrators(logits, truth, offsets)
    for name in ("temperature per decision", "top-label binning", "top-label isotonic"):
        assert comparison[name]["most_probable_is_decision"] == 1.0
    # The logits are 2.5 times too confident whatever the decision: each decided class gets about that temperature.
    np.testing.assert_allclose(fit_temperature_per_decision(logits, truth, np.zeros(3)).temperatures, 2.5, rtol=0.1)


@pytest.mark.parametrize("int8", [False, True], ids=["fp32", "int8"])
def test_the_card_calibration_is_applied_the_same_way_on_both_paths(int8, model_cache):
    enricher = Enricher(EnrichConfig(int8=int8, cache_dir=model_cache))
    _, logits = enricher.encoder.encode_and_score(TEXTS)
    probabilities, labels, _ = enricher.scores(TEXTS)
    for task in ("sentiment", "emotion"):
        card = json.loads((HEADS_DIR / f"{task}.json").read_text())
        assert card["calibration_offsets"] and card["temperature"] != 1.0  # the committed heads are calibrated
        by_hand = softmax(logits[task].astype(np.float64) / card["temperature"] + card["calibration_offsets"], axis=1)
        np.testing.assert_allclose(probabilities[task], by_hand, atol=1e-6)
        np.testing.assert_array_equal(labels[task], (logits[task] + card["logit_offsets"]).argmax(axis=1))
