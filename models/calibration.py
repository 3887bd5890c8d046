"""Calibrated probabilities and balanced decisions for the multiclass heads, fitted on TweetEval validation only.

    python -m models.calibration [--tweeteval-dir /path/to/tweeteval/datasets]      (writes the head cards)

``sentiment_score`` and the shares in the marts average probabilities, so a probability of 0.7 must come true about
70% of the time. A head's card holds two small things (models.heads.HeadCard), both fitted here on the shipped int8
graph's validation logits and applied after the logits, the same way for the int8 and the fp32 path:
- ``logit_offsets``: the label decision, argmax(logits + offsets) (sentiment: ``DECISION_RULE``);
- ``temperature`` and ``calibration_offsets``: probabilities = softmax(logits / temperature + calibration_offsets),
  the candidate of ``CALIBRATION_RULE`` with the lowest cross-validated expected calibration error.
The rules were written into models/EVALUATION.md before the test splits were read.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize, minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.isotonic import IsotonicRegression

from models.heads import HEADS_DIR

ECE_BINS = 15  # equal-width bins of the top probability, as in Guo et al. (ICML 2017)
MIN_CLASS_RECALL = 0.60
OFFSET_GRID = np.round(np.arange(-2.0, 2.0 + 1e-9, 0.05), 2)
CROSS_VALIDATION_FOLDS = 5
CROSS_VALIDATION_SEED = 0
PREFER_CONSISTENT_WITHIN = 0.005  # candidate "decision" wins unless another's ECE is lower by more than this
TOP_LABEL_BINS = 10  # equal-count bins of the top probability for the histogram-binning comparison

DECISION_RULE = (
    "Sentiment decision offsets: on the int8 validation logits of the committed weights (TweetEval sentiment val, "
    "2,000 tweets), an offset per class is added to the logits (negative fixed at 0; neutral and positive each on a "
    "grid from -2 to 2 in steps of 0.05); kept: the pair with the highest macro-recall among those that give every "
    f"class a recall of at least {MIN_CLASS_RECALL:.2f}, ties to the smallest sum of absolute offsets. Emotion keeps "
    "the offsets it was trained with (its macro-F1 meets the bar)."
)
CALIBRATION_RULE = (
    "Calibration, per head (sentiment, emotion), on the int8 validation logits, each candidate fitted by minimum "
    "log-loss: (decision) a temperature on the decision logits (logits + decision offsets; the label stays the most "
    "probable class), (temperature) a temperature on the raw logits, (temperature+offsets) a temperature and an "
    f"offset per class on the raw logits. Kept: the lowest {CROSS_VALIDATION_FOLDS}-fold cross-validated expected "
    f"calibration error ({ECE_BINS} equal-width bins of the top probability, folds by seed {CROSS_VALIDATION_SEED}) "
    f"on validation, 'decision' unless another is lower by more than {PREFER_CONSISTENT_WITHIN}; then refitted on "
    "all of validation. The same fit is applied to the int8 and the fp32 logits. Intent outputs decisions only (no "
    "probability leaves the enrichment), so it has no calibration. Compared the same way (5-fold cross-validated ECE "
    "on validation, written into the head card) but outside what a head card can hold (a temperature and per-class "
    "offsets): (vector scaling) a scale and a bias per class on the decision logits; (temperature per decision) one "
    "temperature per decided class on the decision logits; (top-label binning) the top probability of 'decision' "
    f"replaced by the validation accuracy of its bin ({TOP_LABEL_BINS} equal-count bins); (top-label isotonic) the "
    "same by isotonic regression; in the last two the other classes share the rest in their proportions and the "
    "decided class stays the most probable. One of these would replace the kept candidate (with its output step "
    "added to models/heads.py) only if its cross-validated ECE is lower by more than "
    f"{PREFER_CONSISTENT_WITHIN} and its most probable class is the decision on every validation text."
)


def expected_calibration_error(probabilities: np.ndarray, truth: np.ndarray, bins: int = ECE_BINS) -> float:
    """Top-label ECE: over equal-width bins (lo, hi] of the top probability, the share of texts in the bin times
    |accuracy - mean top probability| in it, summed."""
    return sum(
        row.count / len(truth) * abs(row.accuracy - row.confidence) for row in reliability(probabilities, truth, bins)
    )


@dataclass(frozen=True)
class ReliabilityBin:
    low: float  # the bin is (low, low + 1 / bins]
    count: int
    confidence: float  # mean top probability of the texts in the bin
    accuracy: float  # share of them whose most probable class is the truth


def reliability(probabilities: np.ndarray, truth: np.ndarray, bins: int = ECE_BINS) -> list[ReliabilityBin]:
    """The non-empty bins of the reliability diagram, by top probability."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == truth
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, bins - 1)
    rows = []
    for b in range(bins):
        inside = index == b
        if inside.any():
            rows.append(
                ReliabilityBin(
                    float(edges[b]),
                    int(inside.sum()),
                    float(confidence[inside].mean()),
                    float(correct[inside].mean()),
                )
            )
    return rows


def class_recalls(logits: np.ndarray, truth: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    predicted = (logits + offsets).argmax(axis=1)
    return np.array([np.mean(predicted[truth == label] == label) for label in range(logits.shape[1])])


def choose_decision_offsets(
    logits: np.ndarray, truth: np.ndarray, min_class_recall: float = MIN_CLASS_RECALL
) -> np.ndarray:
    """``DECISION_RULE`` for a three-class head: the offsets (first class 0) of the best macro-recall with every
    class's recall >= ``min_class_recall``; raises when no grid point meets the floor. (Fine-tuning scores its
    checkpoints by the same rule at a floor of its own: models.training.finetune --min-class-recall.)"""
    best_key, best = None, None
    for second in OFFSET_GRID:
        for third in OFFSET_GRID:
            offsets = np.array([0.0, second, third])
            recalls = class_recalls(logits, truth, offsets)
            if recalls.min() < min_class_recall:
                continue
            key = (round(float(recalls.mean()), 12), -float(np.abs(offsets).sum()))
            if best_key is None or key > best_key:
                best_key, best = key, offsets
    if best is None:
        raise ValueError(f"no decision offsets give every class a validation recall >= {min_class_recall}")
    return best


def fit_temperature(logits: np.ndarray, truth: np.ndarray) -> float:
    """Temperature scaling by scikit-learn (CalibratedClassifierCV, method "temperature") on fixed logits."""
    calibrated = CalibratedClassifierCV(
        FrozenEstimator(_FixedLogits().fit(logits, truth)), method="temperature", ensemble=False
    ).fit(logits, truth)
    return float(1.0 / calibrated.calibrated_classifiers_[0].calibrators[0].beta_)


def fit_temperature_and_offsets(logits: np.ndarray, truth: np.ndarray) -> tuple[float, np.ndarray]:
    """Temperature and per-class offsets (first class 0) minimising the log-loss, by L-BFGS (scipy); scikit-learn
    has no such calibrator."""

    def log_loss(parameters: np.ndarray) -> float:
        temperature, offsets = np.exp(parameters[0]), np.concatenate([[0.0], parameters[1:]])
        return -float(log_softmax(logits / temperature + offsets, axis=1)[np.arange(len(truth)), truth].mean())

    fitted = minimize(log_loss, np.zeros(logits.shape[1]), method="L-BFGS-B").x
    return float(np.exp(fitted[0])), np.concatenate([[0.0], fitted[1:]])


@dataclass(frozen=True)
class Calibration:
    method: str
    temperature: float
    offsets: np.ndarray  # added after dividing the raw logits by the temperature

    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        return softmax(logits / self.temperature + self.offsets, axis=1)


def calibration_candidates(decision_offsets: np.ndarray) -> dict[str, Callable[[np.ndarray, np.ndarray], Calibration]]:
    def on_decision(logits, truth):
        temperature = fit_temperature(logits + decision_offsets, truth)
        return Calibration("decision", temperature, decision_offsets / temperature)

    def temperature_only(logits, truth):
        return Calibration("temperature", fit_temperature(logits, truth), np.zeros(logits.shape[1]))

    def with_offsets(logits, truth):
        return Calibration("temperature+offsets", *fit_temperature_and_offsets(logits, truth))

    return {"decision": on_decision, "temperature": temperature_only, "temperature+offsets": with_offsets}


@dataclass(frozen=True)
class VectorScaling:
    decision_offsets: np.ndarray
    scales: np.ndarray
    biases: np.ndarray

    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        return softmax((logits + self.decision_offsets) * self.scales + self.biases, axis=1)


@dataclass(frozen=True)
class TemperaturePerDecision:
    decision_offsets: np.ndarray
    temperatures: np.ndarray  # one per decided class

    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        decision_logits = logits + self.decision_offsets
        return softmax(decision_logits / self.temperatures[decision_logits.argmax(axis=1)][:, None], axis=1)


@dataclass(frozen=True)
class TopLabelMap:
    """'decision' probabilities whose top probability goes through a monotone map fitted on validation; the other
    classes share the rest in their proportions, and the top never falls below the largest of them."""

    base: Calibration
    top_probability: Callable[[np.ndarray], np.ndarray]

    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        before = self.base.probabilities(logits)
        rows, top = np.arange(len(before)), before.argmax(axis=1)
        others = before.copy()
        others[rows, top] = 0.0
        others /= np.maximum(others.sum(axis=1, keepdims=True), 1e-12)
        largest_other = others.max(axis=1)
        mapped = np.maximum(self.top_probability(before[rows, top]), largest_other / (1.0 + largest_other) + 1e-9)
        after = others * (1.0 - mapped)[:, None]
        after[rows, top] = mapped
        return after


def fit_vector_scaling(logits: np.ndarray, truth: np.ndarray, decision_offsets: np.ndarray) -> VectorScaling:
    """Scale and bias per class (first bias 0) on the decision logits, minimising the log-loss (L-BFGS)."""
    classes, decision_logits = logits.shape[1], logits + decision_offsets

    def unpack(parameters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.exp(parameters[:classes]), np.concatenate([[0.0], parameters[classes:]])

    def log_loss(parameters: np.ndarray) -> float:
        scales, biases = unpack(parameters)
        return -float(log_softmax(decision_logits * scales + biases, axis=1)[np.arange(len(truth)), truth].mean())

    fitted = minimize(log_loss, np.zeros(2 * classes - 1), method="L-BFGS-B").x
    return VectorScaling(decision_offsets, *unpack(fitted))


def fit_temperature_per_decision(
    logits: np.ndarray, truth: np.ndarray, decision_offsets: np.ndarray
) -> TemperaturePerDecision:
    decision_logits = logits + decision_offsets
    decided = decision_logits.argmax(axis=1)
    temperatures = [
        _log_loss_temperature(decision_logits[decided == label], truth[decided == label])
        for label in range(logits.shape[1])
    ]
    return TemperaturePerDecision(decision_offsets, np.asarray(temperatures))


def _log_loss_temperature(logits: np.ndarray, truth: np.ndarray) -> float:
    """The temperature of least log-loss by scipy (scikit-learn's warns on the few rows one decided class has)."""
    if not len(truth):
        return 1.0

    def log_loss(log_temperature: float) -> float:
        scaled = log_softmax(logits / np.exp(log_temperature), axis=1)
        return -float(scaled[np.arange(len(truth)), truth].mean())

    return float(np.exp(minimize_scalar(log_loss, bounds=(-3.0, 3.0), method="bounded").x))


def fit_top_label_binning(logits: np.ndarray, truth: np.ndarray, decision_offsets: np.ndarray) -> TopLabelMap:
    base = calibration_candidates(decision_offsets)["decision"](logits, truth)
    probabilities = base.probabilities(logits)
    top, right = probabilities.max(axis=1), probabilities.argmax(axis=1) == truth
    inner_edges = np.quantile(top, np.linspace(0.0, 1.0, TOP_LABEL_BINS + 1)[1:-1])
    bins = np.searchsorted(inner_edges, top, side="left")
    accuracy = np.array([right[bins == b].mean() if (bins == b).any() else np.nan for b in range(TOP_LABEL_BINS)])
    accuracy = np.where(np.isnan(accuracy), np.nanmean(accuracy), accuracy)
    return TopLabelMap(base, lambda values: accuracy[np.searchsorted(inner_edges, values, side="left")])


def fit_top_label_isotonic(logits: np.ndarray, truth: np.ndarray, decision_offsets: np.ndarray) -> TopLabelMap:
    base = calibration_candidates(decision_offsets)["decision"](logits, truth)
    probabilities = base.probabilities(logits)
    isotonic = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(
        probabilities.max(axis=1), probabilities.argmax(axis=1) == truth
    )
    return TopLabelMap(base, isotonic.predict)


def compared_calibrators(decision_offsets: np.ndarray) -> dict[str, Callable[[np.ndarray, np.ndarray], object]]:
    """The calibrators ``CALIBRATION_RULE`` compares beyond what a head card holds (each has ``probabilities``)."""
    return {
        "vector scaling": lambda logits, truth: fit_vector_scaling(logits, truth, decision_offsets),
        "temperature per decision": lambda logits, truth: fit_temperature_per_decision(logits, truth, decision_offsets),
        "top-label binning": lambda logits, truth: fit_top_label_binning(logits, truth, decision_offsets),
        "top-label isotonic": lambda logits, truth: fit_top_label_isotonic(logits, truth, decision_offsets),
    }


def cross_validated_probabilities(fit: Callable[[np.ndarray, np.ndarray], object], logits, truth) -> np.ndarray:
    """Each validation text's probabilities from the fit on the other folds (``CROSS_VALIDATION_FOLDS``, seeded)."""
    folds = np.random.default_rng(CROSS_VALIDATION_SEED).permutation(len(truth)) % CROSS_VALIDATION_FOLDS
    held_out = np.zeros_like(logits, dtype=np.float64)
    for fold in range(CROSS_VALIDATION_FOLDS):
        train, test = folds != fold, folds == fold
        held_out[test] = fit(logits[train], truth[train]).probabilities(logits[test])
    return held_out


def compare_calibrators(logits: np.ndarray, truth: np.ndarray, decision_offsets: np.ndarray) -> dict[str, dict]:
    """Per compared calibrator: its cross-validated ECE and the share of validation texts whose most probable class
    is the decision."""
    decided = (logits + decision_offsets).argmax(axis=1)
    comparison = {}
    for name, fit in compared_calibrators(decision_offsets).items():
        held_out = cross_validated_probabilities(fit, logits, truth)
        comparison[name] = {
            "val_cross_validated_ece": round(expected_calibration_error(held_out, truth), 4),
            "most_probable_is_decision": round(float(np.mean(held_out.argmax(axis=1) == decided)), 4),
        }
    return comparison


def cross_validated_ece(fit: Callable[[np.ndarray, np.ndarray], Calibration], logits, truth) -> float:
    return expected_calibration_error(cross_validated_probabilities(fit, logits, truth), truth)


def choose_calibration(logits: np.ndarray, truth: np.ndarray, decision_offsets: np.ndarray) -> tuple[Calibration, dict]:
    """``CALIBRATION_RULE``: (the calibration refitted on all of ``logits``, each candidate's cross-validated ECE)."""
    candidates = calibration_candidates(decision_offsets)
    scores = {name: cross_validated_ece(fit, logits, truth) for name, fit in candidates.items()}
    best = min(scores, key=scores.get)
    if scores["decision"] - scores[best] <= PREFER_CONSISTENT_WITHIN:
        best = "decision"
    return candidates[best](logits, truth), scores


class _FixedLogits(ClassifierMixin, BaseEstimator):
    """A 'classifier' whose decision function is its input: lets scikit-learn calibrate logits we already have."""

    def fit(self, logits: np.ndarray, truth: np.ndarray) -> _FixedLogits:
        self.classes_ = np.unique(truth)
        return self

    def decision_function(self, logits: np.ndarray) -> np.ndarray:
        return np.asarray(logits)

    def predict(self, logits: np.ndarray) -> np.ndarray:
        return self.classes_[np.asarray(logits).argmax(axis=1)]


def validation_logits(task: str, tweeteval_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """(raw int8 logits of the committed encoder and head, labels) on TweetEval ``task`` val."""
    from models.enrich import EnrichConfig, Enricher
    from models.training.data import read_tweeteval

    data = read_tweeteval(task, "val", tweeteval_dir)
    _, logits = Enricher(EnrichConfig(int8=True, device="cpu")).encoder.encode_and_score(data.texts)
    return logits[task].astype(np.float64), data.labels


def fit_head(name: str, logits: np.ndarray, truth: np.ndarray, heads_dir: Path = HEADS_DIR) -> dict:
    """Apply both rules to one head's validation logits and write the result into its card; returns the card."""
    card_path = heads_dir / f"{name}.json"
    card = json.loads(card_path.read_text(encoding="utf-8"))
    decision = choose_decision_offsets(logits, truth) if name == "sentiment" else np.asarray(card["logit_offsets"])
    calibration, scores = choose_calibration(logits, truth, decision)
    card["logit_offsets"] = [round(float(value), 4) for value in decision]
    card["temperature"] = round(calibration.temperature, 6)
    card["calibration_offsets"] = [round(float(value), 6) for value in calibration.offsets]
    recalls = class_recalls(logits, truth, decision)
    card["metric"] = {
        **card["metric"],
        "val_int8_macro_recall_with_these_offsets": round(float(recalls.mean()), 4),
        "val_int8_recall_per_class": [round(float(value), 4) for value in recalls],
        "calibration_method": calibration.method,
        "val_cross_validated_ece": {key: round(value, 4) for key, value in scores.items()},
        "compared_calibrators": compare_calibrators(logits, truth, decision),
    }
    card_path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return card


def main(argv: list[str] | None = None) -> int:
    from models.training.data import add_tweeteval_option, require_tweeteval

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heads-dir", type=Path, default=HEADS_DIR, help=f"default {HEADS_DIR}")
    add_tweeteval_option(parser)
    arguments = parser.parse_args(argv)
    require_tweeteval(arguments.tweeteval_dir)
    for name in ("sentiment", "emotion"):
        card = fit_head(name, *validation_logits(name, arguments.tweeteval_dir), arguments.heads_dir)
        print(name, json.dumps({key: card[key] for key in ("logit_offsets", "temperature", "calibration_offsets")}))
        print("  ", json.dumps(card["metric"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
