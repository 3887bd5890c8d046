"""Train the multi-label intent head (question, complaint, praise, recommendation, purchase intent) on the
project's hand-written models/data/intent_labelled.jsonl; reports per-label F1 on its held-out test split.

    python -m models.training.train_intent [--encoder ID_OR_FOLDER] [--heads-dir FOLDER] [--feature-cache FOLDER]

Selection uses only the train split: for each setting of a small grid, 5-fold cross-validated probabilities give
per-label thresholds (best F1) and a mean F1; the best setting is refitted on all train rows and scored once on test.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np

from models.encoder import Encoder
from models.schema import INTENT_LABELS
from models.training.common import parse_arguments, reproduce_command, write_head
from models.training.data import cached_features, read_intent
from models.training.fitting import (
    FitSettings,
    best_thresholds,
    cross_validated_probabilities,
    f1,
    fit_multilabel,
    last_layers,
    predict_probabilities,
)

GRID = tuple(
    FitSettings(feature_layers=layers, hidden_dim=hidden, epochs=epochs, batch_size=32, learning_rate=3e-3)
    for layers in (3, 6)
    for hidden in (0, 64)
    for epochs in (40, 100)
)


def per_label_f1(truth: np.ndarray, decided: np.ndarray) -> dict[str, float]:
    return {
        label: round(f1(truth[:, index], decided[:, index].astype(int)), 4) for index, label in enumerate(INTENT_LABELS)
    }


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(__doc__.splitlines()[0], argv)
    encoder = Encoder(arguments.encoder)
    train, test = read_intent("train"), read_intent("test")
    train_features = cached_features(encoder, train, arguments.feature_cache)
    test_features = cached_features(encoder, test, arguments.feature_cache)
    selection, best = [], None
    for settings in GRID:
        if settings.feature_layers > encoder.layers:
            continue
        inputs = last_layers(train_features, settings.feature_layers, encoder.dim)
        out_of_fold = cross_validated_probabilities(inputs, train.labels, settings)
        thresholds = best_thresholds(out_of_fold, train.labels)
        scores = per_label_f1(train.labels, out_of_fold >= thresholds)
        mean = float(np.mean(list(scores.values())))
        print(f"{settings}: cross-validated mean F1 {mean:.4f}", flush=True)
        selection.append({**asdict(settings), "cv_mean_f1": round(mean, 4)})
        if best is None or mean > best[2]:
            best = (settings, thresholds, mean)
    settings, thresholds, cv_mean = best
    head = fit_multilabel(last_layers(train_features, settings.feature_layers, encoder.dim), train.labels, settings)
    test_inputs = last_layers(test_features, settings.feature_layers, encoder.dim)
    decided = predict_probabilities(head, test_inputs, multilabel=True) >= thresholds
    test_scores = per_label_f1(test.labels, decided)
    metric = {
        "test_f1": test_scores,
        "test_mean_f1": round(float(np.mean(list(test_scores.values()))), 4),
        "cv_mean_f1": round(cv_mean, 4),
        "train_rows": len(train.texts),
        "test_rows": len(test.texts),
        "test_positives": {label: int(test.labels[:, index].sum()) for index, label in enumerate(INTENT_LABELS)},
        "selection": selection,
    }
    print(f"selected {settings}; test F1 {test_scores}")
    write_head(
        head,
        encoder,
        arguments.heads_dir,
        name="intent",
        kind="multilabel",
        labels=list(INTENT_LABELS),
        feature_layers=settings.feature_layers,
        training_data="models/data/intent_labelled.jsonl: hand-written for this project (train split)",
        metric=metric,
        command=reproduce_command(__spec__.name, argv),
        thresholds=[float(value) for value in thresholds],
        notes="Thresholds from 5-fold cross-validation on the train split; test scored once.",
    )


if __name__ == "__main__":
    main()
