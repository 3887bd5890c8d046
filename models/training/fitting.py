"""Fitting heads on cached features: metrics, one training run, a small selection grid, prior correction.

Everything is seeded; the same cache and command give the same weights on the same machine.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import torch

from models.heads import Head

Metric = Callable[[np.ndarray, np.ndarray], float]


def macro_recall(truth: np.ndarray, predicted: np.ndarray) -> float:
    """Mean over classes present in ``truth`` of the share of that class predicted correctly (TweetEval sentiment)."""
    classes = np.unique(truth)
    return float(np.mean([np.mean(predicted[truth == label] == label) for label in classes]))


def f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    """F1 of the positive (True / 1) class."""
    true_positive = float(np.sum((predicted == 1) & (truth == 1)))
    denominator = float(np.sum(predicted == 1) + np.sum(truth == 1))
    return 2 * true_positive / denominator if denominator else 0.0


def macro_f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    """Unweighted mean over classes present in ``truth`` of one-vs-rest F1 (TweetEval emotion)."""
    return float(np.mean([f1(truth == label, predicted == label) for label in np.unique(truth)]))


def last_layers(features: np.ndarray, layers: int, dim: int) -> np.ndarray:
    """The last ``layers`` per-layer blocks of encoder features (the input a head with that setting reads)."""
    return features[:, -layers * dim :]


@dataclass(frozen=True)
class FitSettings:
    feature_layers: int
    hidden_dim: int = 0
    class_weighting: bool = True
    weight_decay: float = 1e-2
    dropout: float = 0.1
    epochs: int = 25
    learning_rate: float = 1e-3
    batch_size: int = 256
    seed: int = 20201101  # TweetEval's Findings of EMNLP 2020 publication month; any fixed value would do


def fit_multiclass(
    train_x: np.ndarray,
    train_y: np.ndarray,
    val_x: np.ndarray,
    val_y: np.ndarray,
    classes: int,
    settings: FitSettings,
    metric: Metric,
) -> tuple[Head, float]:
    """Train a softmax head; keep the epoch that scores best on validation. Returns (head, validation score)."""
    torch.manual_seed(settings.seed)
    generator = torch.Generator().manual_seed(settings.seed)
    head = Head(train_x.shape[1], classes, settings.hidden_dim, settings.dropout)
    weight = None
    if settings.class_weighting:
        counts = np.bincount(train_y, minlength=classes).astype(np.float64)
        weight = torch.tensor(len(train_y) / (classes * np.maximum(counts, 1)), dtype=torch.float32)
    loss_function = torch.nn.CrossEntropyLoss(weight=weight)
    optimiser = torch.optim.AdamW(head.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay)
    inputs, targets = torch.from_numpy(train_x.astype(np.float32)), torch.from_numpy(train_y)
    val_inputs = torch.from_numpy(val_x.astype(np.float32))
    best_score, best_state = -1.0, None
    for _epoch in range(settings.epochs):
        head.train()
        order = torch.randperm(len(inputs), generator=generator)
        for start in range(0, len(order), settings.batch_size):
            batch = order[start : start + settings.batch_size]
            optimiser.zero_grad()
            loss_function(head(inputs[batch]), targets[batch]).backward()
            optimiser.step()
        head.eval()
        with torch.inference_mode():
            score = metric(val_y, head(val_inputs).argmax(-1).numpy())
        if score > best_score:
            best_score, best_state = score, {key: value.clone() for key, value in head.state_dict().items()}
    head.load_state_dict(best_state)
    return head.eval(), best_score


def fit_multilabel(train_x: np.ndarray, train_y: np.ndarray, settings: FitSettings) -> Head:
    """Train one sigmoid per label (binary cross-entropy, positives up-weighted by the label's rarity)."""
    torch.manual_seed(settings.seed)
    generator = torch.Generator().manual_seed(settings.seed)
    head = Head(train_x.shape[1], train_y.shape[1], settings.hidden_dim, settings.dropout)
    positives = train_y.sum(axis=0).astype(np.float64)
    pos_weight = None
    if settings.class_weighting:
        pos_weight = torch.tensor((len(train_y) - positives) / np.maximum(positives, 1), dtype=torch.float32)
    loss_function = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    optimiser = torch.optim.AdamW(head.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay)
    inputs = torch.from_numpy(train_x.astype(np.float32))
    targets = torch.from_numpy(train_y.astype(np.float32))
    head.train()
    for _epoch in range(settings.epochs):
        order = torch.randperm(len(inputs), generator=generator)
        for start in range(0, len(order), settings.batch_size):
            batch = order[start : start + settings.batch_size]
            optimiser.zero_grad()
            loss_function(head(inputs[batch]), targets[batch]).backward()
            optimiser.step()
    return head.eval()


def predict_probabilities(head: Head, features: np.ndarray, multilabel: bool = False) -> np.ndarray:
    with torch.inference_mode():
        logits = head(torch.from_numpy(features.astype(np.float32)))
        return (torch.sigmoid(logits) if multilabel else torch.softmax(logits, dim=-1)).numpy()


def fit_logit_offsets(
    probabilities: np.ndarray, truth: np.ndarray, metric: Metric, grid: Iterable[float] = np.linspace(-1, 1, 21)
) -> tuple[np.ndarray, float]:
    """Per-class offsets added to the log-probabilities (class 0 fixed at 0) that maximise ``metric`` on these rows.

    A prior correction: the training file's class balance differs from the evaluation data's, and macro metrics
    reward predicting the rarer classes more often than the plain argmax does.
    """
    logs = np.log(np.clip(probabilities, 1e-12, 1.0))
    classes = probabilities.shape[1]
    best_offsets, best_score = np.zeros(classes), metric(truth, logs.argmax(-1))
    grid = list(grid)
    for rest in itertools.product(grid, repeat=classes - 1):
        offsets = np.array((0.0, *rest))
        score = metric(truth, (logs + offsets).argmax(-1))
        if score > best_score + 1e-9:
            best_offsets, best_score = offsets, score
    return best_offsets, best_score


def best_thresholds(probabilities: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Per label, the probability threshold (0.05 .. 0.95) that maximises F1 on these rows."""
    candidates = np.round(np.arange(0.05, 0.96, 0.05), 2)
    thresholds = []
    for label in range(truth.shape[1]):
        scores = [f1(truth[:, label], (probabilities[:, label] >= value).astype(int)) for value in candidates]
        thresholds.append(float(candidates[int(np.argmax(scores))]))
    return np.array(thresholds)


def cross_validated_probabilities(
    features: np.ndarray, labels: np.ndarray, settings: FitSettings, folds: int = 5
) -> np.ndarray:
    """Out-of-fold multilabel probabilities for every training row (fixed fold assignment from the seed)."""
    assignment = np.random.default_rng(settings.seed).permutation(len(features)) % folds
    probabilities = np.zeros(labels.shape, dtype=np.float64)
    for fold in range(folds):
        held_out = assignment == fold
        head = fit_multilabel(features[~held_out], labels[~held_out], settings)
        probabilities[held_out] = predict_probabilities(head, features[held_out], multilabel=True)
    return probabilities
