"""Fine-tuning's command line, its resumable state and its checkpoint rule (models/training/finetune.py).

The resume test trains the real packaged encoder for a few steps on a TweetEval-shaped folder written here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from tiny_models import write_tweeteval

from models.training import finetune


def test_the_options_parse(tmp_path):
    arguments = finetune.parse_arguments(
        [
            "--min-class-recall",
            "0.7",
            "--device",
            "cuda",
            "--resume",
            "--save-every",
            "40",
            "--work-dir",
            str(tmp_path / "run"),
            "--tweeteval-dir",
            str(tmp_path / "tweeteval"),
        ]
    )
    assert (arguments.min_class_recall, arguments.device, arguments.resume, arguments.save_every) == (
        0.7,
        "cuda",
        True,
        40,
    )
    assert (arguments.work_dir, arguments.tweeteval_dir) == (tmp_path / "run", tmp_path / "tweeteval")
    defaults = finetune.parse_arguments([])
    assert (defaults.min_class_recall, defaults.device, defaults.resume) == (0.0, "cpu", False)
    with pytest.raises(SystemExit):
        finetune.parse_arguments(["--device", "tpu"])


def tiny_run(tmp_path: Path, work: str, *extra: str):
    tweeteval = tmp_path / "tweeteval"
    if not tweeteval.exists():
        write_tweeteval(tweeteval)
    arguments = finetune.parse_arguments(
        [
            "--tweeteval-dir",
            str(tweeteval),
            "--work-dir",
            str(tmp_path / work),
            "--batch-size",
            "4",
            "--epochs",
            "2",
            "--emotion-every",
            "2",
            "--eval-every",
            "4",
            "--save-every",
            "100",
            "--head-hidden",
            "16",
            *extra,
        ]
    )
    tokenizer, encoder, heads, tasks = finetune.prepare(arguments)
    finetune.train(arguments, encoder, heads, tasks, tokenizer.pad_token_id or 0)
    return arguments, finetune.trainable_state(encoder, heads, arguments.top_layers)


def test_a_resumed_run_ends_where_the_uninterrupted_run_ends(tmp_path):
    torch.set_num_threads(1)
    _, uninterrupted = tiny_run(tmp_path, "whole")
    # Stopped after step 3 of 8: an emotion batch was drawn at step 2, the next epoch's order is still to come.
    stopped, at_the_stop = tiny_run(tmp_path, "stopped", "--stop-after-step", "3")
    saved = torch.load(stopped.work_dir / finetune.RESUME_FILE, weights_only=True)
    assert saved["step"] == 3
    assert any(not torch.equal(at_the_stop[key], uninterrupted[key]) for key in uninterrupted)
    resumed_arguments, resumed = tiny_run(tmp_path, "stopped", "--resume")
    assert resumed.keys() == uninterrupted.keys()
    assert all(torch.equal(resumed[key], uninterrupted[key]) for key in uninterrupted)
    history = [entry["step"] for entry in saved["history"]]
    assert history == [3]
    # The same folder with another trajectory setting is refused, naming the way out.
    other = finetune.parse_arguments([*vars_to_argv(resumed_arguments), "--batch-size", "8"])
    with pytest.raises(SystemExit, match="other settings"):
        finetune.load_resume_state(other)


def vars_to_argv(arguments) -> list[str]:
    return ["--work-dir", str(arguments.work_dir), "--tweeteval-dir", str(arguments.tweeteval_dir), "--resume"]


def sentiment_logits(rows: list[tuple[int, int]]) -> np.ndarray:
    """One row per (truth, predicted) pair: a logit of 5 on the predicted class, 0 elsewhere."""
    logits = np.zeros((len(rows), 3), dtype=np.float32)
    logits[np.arange(len(rows)), [predicted for _, predicted in rows]] = 5.0
    return logits


def test_the_class_floor_picks_the_checkpoint_that_leaves_no_class_behind():
    truth = np.repeat([0, 1, 2], 10)
    # A: negative and positive all right, half of neutral read exactly as negative: macro-recall 0.833, but no
    # offsets lift neutral to 0.70 without dropping negative to 0.
    lopsided = sentiment_logits([(0, 0)] * 10 + [(1, 1)] * 5 + [(1, 0)] * 5 + [(2, 2)] * 10)
    # B: every class 8 of 10 right (the misses far from any offset on the grid): macro-recall 0.80.
    even = sentiment_logits([(0, 0)] * 8 + [(0, 2)] * 2 + [(1, 1)] * 8 + [(1, 2)] * 2 + [(2, 2)] * 8 + [(2, 0)] * 2)
    emotion_truth = np.arange(8) % 4
    emotion_logits = np.eye(4, dtype=np.float32)[emotion_truth] * 5
    tasks = {
        "sentiment": finetune.Task("sentiment", (), "macro_recall", {}, {"val": truth}),
        "emotion": finetune.Task("emotion", (), "macro_f1", {}, {"val": emotion_truth}),
    }
    checkpoints = {"lopsided": lopsided, "even": even}

    def pick(min_class_recall: float) -> str:
        scored = {
            name: finetune.score_logits({"sentiment": logits, "emotion": emotion_logits}, tasks, min_class_recall)
            for name, logits in checkpoints.items()
        }
        return max(scored, key=lambda name: scored[name].rank)

    assert pick(0.0) == "lopsided"
    assert pick(0.70) == "even"
    floor = finetune.score_logits({"sentiment": lopsided, "emotion": emotion_logits}, tasks, 0.70)
    assert not floor.meets_floor
    even_score = finetune.score_logits({"sentiment": even, "emotion": emotion_logits}, tasks, 0.70)
    assert (even_score.meets_floor, even_score.sentiment, even_score.emotion) == (True, 0.8, 1.0)


def test_a_finished_run_writes_its_layers_and_heads_where_told(tmp_path):
    """A candidate's outputs go to its own folders (never over the committed ones), scored by the floor rule."""
    tweeteval = write_tweeteval(tmp_path / "tweeteval")
    tuned, heads = tmp_path / "tuned", tmp_path / "heads"
    argv = ["--tweeteval-dir", str(tweeteval), "--work-dir", str(tmp_path / "work"), "--tuned-dir", str(tuned)]
    argv += ["--heads-dir", str(heads), "--batch-size", "4", "--epochs", "1", "--eval-every", "2", "--resume"]
    argv += ["--top-layers", "1", "--delta-ranks", "16", "--min-class-recall", "0.3", "--head-hidden", "16"]
    finetune.main(argv)
    card = json.loads((tuned / "card.json").read_text())
    assert card["hyper_parameters"]["min_class_recall"] == 0.3
    assert all("sentiment_meets_floor" in row for row in card["delta_rank_selection"])
    assert "--resume" not in card["command"] and "--min-class-recall 0.3" in card["command"]
    assert {path.name for path in heads.iterdir()} == {
        "sentiment.json",
        "sentiment.safetensors",
        "emotion.json",
        "emotion.safetensors",
    }
