"""Train a multi-class head on TweetEval (Barbieri et al., 2020, Findings of EMNLP): fit on train, select on val,
report on test.

Selection: a small grid (how many encoder layers the head reads; linear or one hidden layer), each run keeping its
best validation epoch; the best run on validation wins. Then per-class logit offsets are fitted on validation (a prior
correction for the macro metric; kept only if they raise the validation score) and the test split is scored once.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np

from models.encoder import Encoder
from models.training.common import TWEETEVAL_CITATION, reproduce_command, write_head
from models.training.data import cached_features, read_tweeteval, require_tweeteval, tweeteval_label_names
from models.training.fitting import (
    FitSettings,
    Metric,
    fit_logit_offsets,
    fit_multiclass,
    last_layers,
    predict_probabilities,
)

GRID = (
    FitSettings(feature_layers=1),
    FitSettings(feature_layers=3),
    FitSettings(feature_layers=6),
    FitSettings(feature_layers=3, hidden_dim=256, dropout=0.3),
    FitSettings(feature_layers=6, hidden_dim=128, dropout=0.3),
)


def train_tweeteval_head(
    *,
    task: str,
    head_name: str,
    labels: tuple[str, ...],
    metric_name: str,
    metric: Metric,
    encoder: Encoder,
    heads_dir: Path,
    module: str,
    argv: list[str] | None,
    training_data: str,
) -> dict[str, float]:
    require_tweeteval()
    if tweeteval_label_names(task) != list(labels):
        raise ValueError(f"TweetEval {task} mapping.txt {tweeteval_label_names(task)} != expected {labels}")
    splits = {split: read_tweeteval(task, split) for split in ("train", "val", "test")}
    features = {split: cached_features(encoder, data) for split, data in splits.items()}
    selection = []
    best = None
    for settings in GRID:
        if settings.feature_layers > encoder.layers:
            continue
        inputs = {
            split: last_layers(values, settings.feature_layers, encoder.dim) for split, values in features.items()
        }
        head, val_score = fit_multiclass(
            inputs["train"], splits["train"].labels, inputs["val"], splits["val"].labels, len(labels), settings, metric
        )
        print(f"{settings}: val {metric_name} {val_score:.4f}", flush=True)
        selection.append({**asdict(settings), f"val_{metric_name}": round(val_score, 4)})
        if best is None or val_score > best[2]:
            best = (settings, head, val_score, inputs)
    settings, head, val_score, inputs = best
    val_probabilities = predict_probabilities(head, inputs["val"])
    offsets, offset_val_score = fit_logit_offsets(val_probabilities, splits["val"].labels, metric)
    test_logs = np.log(np.clip(predict_probabilities(head, inputs["test"]), 1e-12, 1.0))
    test_truth = splits["test"].labels
    scores = {
        f"val_{metric_name}": round(offset_val_score, 4),
        f"test_{metric_name}": round(metric(test_truth, (test_logs + offsets).argmax(-1)), 4),
        f"test_{metric_name}_without_offsets": round(metric(test_truth, test_logs.argmax(-1)), 4),
        "test_accuracy": round(float(np.mean((test_logs + offsets).argmax(-1) == test_truth)), 4),
    }
    print(f"selected {settings}; {scores}")
    write_head(
        head,
        encoder,
        heads_dir,
        name=head_name,
        kind="multiclass",
        labels=list(labels),
        feature_layers=settings.feature_layers,
        training_data=training_data,
        metric={**scores, "test_rows": len(test_truth), "selection": selection},
        command=reproduce_command(module, argv),
        logit_offsets=[round(float(value), 2) for value in offsets],
        notes=f"Data: {TWEETEVAL_CITATION}. Selected on val; test scored once.",
    )
    return scores
