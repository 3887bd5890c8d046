"""Training data and the feature cache.

TweetEval (Barbieri et al., 2020, Findings of EMNLP; github.com/cardiffnlp/tweeteval) is read from the folder the
commands' ``--tweeteval-dir`` names (default: ../shared/data/tweeteval beside the checkout), laid out as TweetEval's
datasets/ folder: ``<task>/<split>_text.txt`` and ``<task>/<split>_labels.txt``, one tweet / label id per line.

Encoding 65k tweets takes minutes on two cores, so features are computed once per (encoder fingerprint, file
content) and kept as .npy under ``--feature-cache`` (default: data/features in the checkout, gitignored); heads are
then trained from the cache in seconds.

The folders are values: each command reads its options at its edge and passes them down (no environment variable).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.encoder import Encoder
from models.schema import INTENT_LABELS

PROJECT_ROOT = Path(__file__).resolve().parents[2]
INTENT_DATA = Path(__file__).resolve().parents[1] / "data" / "intent_labelled.jsonl"


DEFAULT_TWEETEVAL_DIR = PROJECT_ROOT.parent / "shared" / "data" / "tweeteval"
DEFAULT_FEATURE_CACHE = PROJECT_ROOT / "data" / "features"


def add_tweeteval_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tweeteval-dir",
        type=Path,
        default=DEFAULT_TWEETEVAL_DIR,
        help=f"TweetEval's datasets/ folder (github.com/cardiffnlp/tweeteval; default {DEFAULT_TWEETEVAL_DIR})",
    )


def add_feature_cache_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--feature-cache",
        type=Path,
        default=DEFAULT_FEATURE_CACHE,
        help=f"folder of the cached encoder features (default {DEFAULT_FEATURE_CACHE})",
    )


def missing_tweeteval(root: Path) -> str | None:
    """What to do when TweetEval is not in ``root``; None when it is there."""
    if (root / "sentiment" / "test_text.txt").exists():
        return None
    return (
        f"TweetEval not found in {root}: pass --tweeteval-dir with the datasets/ folder of "
        "github.com/cardiffnlp/tweeteval (in this project's checkouts: --tweeteval-dir ../shared/data/tweeteval)"
    )


def require_tweeteval(root: Path) -> None:
    """Stop a command that needs TweetEval with ``missing_tweeteval``'s message when it is not there."""
    if message := missing_tweeteval(root):
        raise SystemExit(message)


@dataclass(frozen=True)
class LabelledTexts:
    name: str  # e.g. "tweeteval/sentiment/train"; also the feature cache file's stem
    texts: list[str]
    labels: np.ndarray  # (n,) class ids, or (n, labels) 0/1 for multi-label data


def read_tweeteval(task: str, split: str, root: Path) -> LabelledTexts:
    folder = root / task
    texts = (folder / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = np.array([int(line) for line in (folder / f"{split}_labels.txt").read_text().split()], dtype=np.int64)
    if len(texts) != len(labels):
        raise ValueError(f"{folder}/{split}: {len(texts)} texts but {len(labels)} labels")
    return LabelledTexts(f"tweeteval_{task}_{split}", texts, labels)


def tweeteval_label_names(task: str, root: Path) -> list[str]:
    """Label names in id order, from TweetEval's mapping.txt (``id<TAB>name`` per line)."""
    lines = (root / task / "mapping.txt").read_text(encoding="utf-8").splitlines()
    pairs = sorted((int(index), name.strip()) for index, name in (line.split("\t") for line in lines if line.strip()))
    return [name for _, name in pairs]


def read_intent(split: str, path: Path = INTENT_DATA) -> LabelledTexts:
    """The hand-written intent set: texts and a (n, 5) 0/1 matrix in INTENT_LABELS order."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [row for row in rows if row["split"] == split]
    labels = np.array([[int(row[label]) for label in INTENT_LABELS] for row in rows], dtype=np.int64)
    return LabelledTexts(f"intent_{split}", [row["text"] for row in rows], labels)


def cached_features(encoder: Encoder, data: LabelledTexts, cache_dir: Path) -> np.ndarray:
    """The encoder's features for ``data.texts``, from the cache when this encoder already encoded these texts."""
    content = hashlib.sha256("\n".join(data.texts).encode("utf-8")).hexdigest()[:12]
    path = cache_dir / encoder.fingerprint[:16] / f"{data.name}_{content}.npy"
    if path.exists():
        return np.load(path)
    features = encoder.encode(data.texts)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".partial.npy")
    np.save(scratch, features)
    os.replace(scratch, path)
    return features
