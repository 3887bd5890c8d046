"""Train a multi-class head on TweetEval (Barbieri et al., 2020, Findings of EMNLP): fit on train, select on val,
report on test. The sentiment head (negative / neutral / positive; official metric: macro-averaged recall) and the
emotion head (anger / joy / optimism / sadness; macro-averaged F1) differ only in their ``TASKS`` entry.

    python -m models.training.tweeteval_head {sentiment,emotion} [--tweeteval-dir /path/to/tweeteval/datasets]
        [--encoder ID_OR_FOLDER] [--heads-dir FOLDER] [--feature-cache FOLDER]

Selection: a small grid (how many encoder layers the head reads; linear or one hidden layer), each run keeping its
best validation epoch; the best run on validation wins. Then per-class logit offsets are fitted on validation (a prior
correction for the macro metric; kept only if they raise the validation score) and the test split is scored once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from models.encoder import Encoder
from models.schema import EMOTION_LABELS, SENTIMENT_LABELS
from models.training.common import TWEETEVAL_CITATION, parse_arguments, reproduce_command, write_head
from models.training.data import cached_features, read_tweeteval, require_tweeteval, tweeteval_label_names
from models.training.fitting import (
    FitSettings,
    Metric,
    fit_logit_offsets,
    fit_multiclass,
    last_layers,
    macro_f1,
    macro_recall,
    predict_probabilities,
)


@dataclass(frozen=True)
class TweetEvalTask:
    """One TweetEval task: its folder (also the head's name), labels in mapping.txt order, official metric and the
    card's description of the data."""

    name: str
    labels: tuple[str, ...]
    metric_name: str
    metric: Metric
    training_data: str


TASKS = {
    task.name: task
    for task in (
        TweetEvalTask(
            name="sentiment",
            labels=SENTIMENT_LABELS,
            metric_name="macro_recall",
            metric=macro_recall,
            training_data=(
                "TweetEval sentiment: train = SemEval-2017 Task 4A English train/dev/test tweets (47,566; TweetEval's "
                "own train file rebuilt from the same origin, with every tweet also in TweetEval val/test removed), "
                "selection on TweetEval val (2,000), scored on TweetEval test (12,284)"
            ),
        ),
        TweetEvalTask(
            name="emotion",
            labels=EMOTION_LABELS,
            metric_name="macro_f1",
            metric=macro_f1,
            training_data="TweetEval emotion: train (3,257 tweets), selection on val (374), scored on test (1,421)",
        ),
    )
}

GRID = (
    FitSettings(feature_layers=1),
    FitSettings(feature_layers=3),
    FitSettings(feature_layers=6),
    FitSettings(feature_layers=3, hidden_dim=256, dropout=0.3),
    FitSettings(feature_layers=6, hidden_dim=128, dropout=0.3),
)


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(
        "Train the sentiment or the emotion head on TweetEval.", argv, tasks=tuple(TASKS), tweeteval=True
    )
    require_tweeteval(arguments.tweeteval_dir)
    train_tweeteval_head(
        TASKS[arguments.task],
        encoder=Encoder(arguments.encoder),
        heads_dir=arguments.heads_dir,
        command=reproduce_command(__spec__.name, argv),
        tweeteval_dir=arguments.tweeteval_dir,
        feature_cache=arguments.feature_cache,
    )


def train_tweeteval_head(
    tweeteval: TweetEvalTask,
    *,
    encoder: Encoder,
    heads_dir: Path,
    command: str,
    tweeteval_dir: Path,
    feature_cache: Path,
) -> dict[str, float]:
    task, labels, metric_name, metric = tweeteval.name, tweeteval.labels, tweeteval.metric_name, tweeteval.metric
    require_tweeteval(tweeteval_dir)
    if (names := tweeteval_label_names(task, tweeteval_dir)) != list(labels):
        raise ValueError(f"TweetEval {task} mapping.txt {names} != expected {labels}")
    splits = {split: read_tweeteval(task, split, tweeteval_dir) for split in ("train", "val", "test")}
    features = {split: cached_features(encoder, data, feature_cache) for split, data in splits.items()}
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
        name=task,
        kind="multiclass",
        labels=list(labels),
        feature_layers=settings.feature_layers,
        training_data=tweeteval.training_data,
        metric={**scores, "test_rows": len(test_truth), "selection": selection},
        command=command,
        logit_offsets=[round(float(value), 2) for value in offsets],
        notes=f"Data: {TWEETEVAL_CITATION}. Selected on val; test scored once.",
    )
    return scores


if __name__ == "__main__":
    main()
