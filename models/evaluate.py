"""The evaluation table: the committed encoder and heads on the held-out test splits, fp32 and int8.

    ROR_TWEETEVAL_DIR=/path/to/tweeteval/datasets python -m models.evaluate      (or: ror evaluate)

Sentiment: TweetEval sentiment test (12,284 tweets; official metric macro-averaged recall). Emotion: TweetEval emotion
test (1,421; macro-F1). Both from Barbieri et al., "TweetEval", Findings of EMNLP 2020. Intent: the held-out split of
models/data/intent_labelled.jsonl (per-label F1). Each test split is read once per precision; nothing is selected
here. Per-class recall and confusion matrices are reported beside the means. Writes models/EVALUATION.md.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models import evaluate_themes
from models.enrich import EnrichConfig, Enricher
from models.schema import EMOTION_LABELS, INTENT_LABELS, SENTIMENT_LABELS
from models.training.data import read_intent, read_tweeteval, require_tweeteval
from models.training.fitting import f1, macro_f1, macro_recall

EVALUATION_FILE = Path(__file__).resolve().parent / "EVALUATION.md"


@dataclass(frozen=True)
class MulticlassResult:
    task: str
    metric_name: str
    metric: float
    accuracy: float
    labels: tuple[str, ...]
    recall: list[float]
    f1: list[float]
    confusion: np.ndarray  # rows: truth, columns: predicted


def multiclass_result(task: str, labels: tuple[str, ...], truth: np.ndarray, predicted: np.ndarray) -> MulticlassResult:
    classes = len(labels)
    confusion = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(confusion, (truth, predicted), 1)
    official = (
        ("macro_recall", macro_recall(truth, predicted))
        if task == "sentiment"
        else ("macro_f1", macro_f1(truth, predicted))
    )
    return MulticlassResult(
        task=task,
        metric_name=official[0],
        metric=official[1],
        accuracy=float(np.mean(truth == predicted)),
        labels=labels,
        recall=[float(np.mean(predicted[truth == label] == label)) for label in range(classes)],
        f1=[f1(truth == label, predicted == label) for label in range(classes)],
        confusion=confusion,
    )


def evaluate(int8: bool) -> tuple[list[MulticlassResult], dict[str, float], str, float]:
    """(sentiment and emotion results, intent per-label F1, model version, seconds) for one precision."""
    enricher = Enricher(EnrichConfig(int8=int8, device="cpu"))
    started = time.monotonic()
    results = []
    for task, labels in (("sentiment", SENTIMENT_LABELS), ("emotion", EMOTION_LABELS)):
        data = read_tweeteval(task, "test")
        predicted = enricher.probabilities(data.texts)[task].argmax(axis=1)
        results.append(multiclass_result(task, labels, data.labels, predicted))
    intent = read_intent("test")
    decided = enricher.heads["intent"].decisions(enricher.probabilities(intent.texts)["intent"])
    intent_f1 = {label: f1(intent.labels[:, i], decided[:, i].astype(int)) for i, label in enumerate(INTENT_LABELS)}
    return results, intent_f1, f"{enricher.model_name} {enricher.model_version}", time.monotonic() - started


def render(runs: dict[str, tuple[list[MulticlassResult], dict[str, float], str, float]]) -> str:
    precisions = list(runs)
    lines = [
        "# Evaluation of the enrichment models",
        "",
        "Written by `python -m models.evaluate` (`ror evaluate`); do not edit by hand. Test splits: TweetEval sentiment"
        " (12,284 tweets) and emotion (1,421) (Barbieri et al., Findings of EMNLP 2020), and the held-out split of "
        "`models/data/intent_labelled.jsonl` (107 texts). Each is read once per precision; all selection used the "
        "validation splits (TweetEval) or cross-validation on train (intent).",
        "",
        "| head | metric | " + " | ".join(precisions) + " |",
        "|---|---|" + "---|" * len(precisions),
    ]
    first = runs[precisions[0]][0]
    for index, result in enumerate(first):
        lines.append(
            f"| {result.task} | {result.metric_name} (official) | "
            + " | ".join(f"**{runs[p][0][index].metric:.4f}**" for p in precisions)
            + " |"
        )
        lines.append(
            f"| {result.task} | accuracy | "
            + " | ".join(f"{runs[p][0][index].accuracy:.4f}" for p in precisions)
            + " |"
        )
        for label_index, label in enumerate(result.labels):
            lines.append(
                f"| {result.task} | recall {label} | "
                + " | ".join(f"{runs[p][0][index].recall[label_index]:.4f}" for p in precisions)
                + " |"
            )
    intent_labels = list(runs[precisions[0]][1])
    for label in intent_labels:
        lines.append(f"| intent | F1 {label} | " + " | ".join(f"{runs[p][1][label]:.4f}" for p in precisions) + " |")
    lines.append(
        "| intent | mean F1 | " + " | ".join(f"**{np.mean(list(runs[p][1].values())):.4f}**" for p in precisions) + " |"
    )
    lines += ["", "Model versions: " + "; ".join(f"{p}: `{runs[p][2]}`" for p in precisions), ""]
    for precision in precisions:
        for result in runs[precision][0]:
            lines += [
                f"## Confusion matrix: {result.task}, {precision} (rows: truth, columns: predicted)",
                "",
                "| truth \\ predicted | " + " | ".join(result.labels) + " | recall |",
                "|---|" + "---|" * (len(result.labels) + 1),
            ]
            for row, label in enumerate(result.labels):
                lines.append(
                    f"| {label} | "
                    + " | ".join(str(value) for value in result.confusion[row])
                    + f" | {result.recall[row]:.4f} |"
                )
            lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=EVALUATION_FILE, help=f"default {EVALUATION_FILE}")
    parser.add_argument(
        "--themes-only", action="store_true", help="only the themes section (BANKING77; models/evaluate_themes.py)"
    )
    arguments = parser.parse_args(argv)
    if arguments.themes_only:
        text = arguments.output.read_text(encoding="utf-8") if arguments.output.exists() else ""
    else:
        require_tweeteval()
        runs = {"fp32": evaluate(int8=False), "int8": evaluate(int8=True)}
        text = render(runs)
    text = evaluate_themes.replace_section(text, evaluate_themes.evaluate_themes(Enricher()))
    arguments.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
