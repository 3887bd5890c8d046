"""Tiny Hugging Face models the tests build and save themselves: no download, a fraction of a second each."""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import BertConfig, BertForSequenceClassification, BertModel, BertTokenizerFast

from models.schema import EMOTION_LABELS, SENTIMENT_LABELS

TINY_VOCAB = (
    "[PAD] [UNK] [CLS] [SEP] [MASK] i love hate this it coffee bike great awful service the is not a good bad ever "
    "worst best thanks refund order my ! ? . ,"
).split()


def build_tiny_bert(folder: Path, id2label: dict[int, str] | None = None, seed: int = 0) -> Path:
    """A 2-layer, 32-wide BERT with a tiny WordPiece vocabulary, saved like any Hugging Face model folder.

    With ``id2label`` it is a sequence classifier, else a bare encoder.
    """
    folder.mkdir(parents=True, exist_ok=True)
    vocab_file = folder / "vocab.txt"
    vocab_file.write_text("\n".join(TINY_VOCAB) + "\n", encoding="utf-8")
    BertTokenizerFast(vocab_file=str(vocab_file), do_lower_case=True).save_pretrained(folder)
    config = BertConfig(
        vocab_size=len(TINY_VOCAB),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    torch.manual_seed(seed)
    if id2label is None:
        model = BertModel(config)
    else:
        config.id2label = id2label
        config.label2id = {label: index for index, label in id2label.items()}
        model = BertForSequenceClassification(config)
    model.save_pretrained(folder)
    return folder


SENTIMENT_WORDS = ("awful", "fine", "lovely")
EMOTION_WORDS = ("furious", "delighted", "hopeful", "gloomy")


def write_tweeteval(root: Path) -> Path:
    """A TweetEval-shaped folder: per task train (16 texts), val (6 or 8) and test, labels cycling over the classes."""
    for task, labels, words in (
        ("sentiment", SENTIMENT_LABELS, SENTIMENT_WORDS),
        ("emotion", EMOTION_LABELS, EMOTION_WORDS),
    ):
        folder = root / task
        folder.mkdir(parents=True)
        (folder / "mapping.txt").write_text("".join(f"{index}\t{label}\n" for index, label in enumerate(labels)))
        for split, rows in (("train", 16), ("val", 2 * len(words)), ("test", len(words))):
            labels = [row % len(words) for row in range(rows)]
            texts = [f"the {split} day {row} felt {words[label]} to me" for row, label in enumerate(labels)]
            (folder / f"{split}_text.txt").write_text("\n".join(texts) + "\n")
            (folder / f"{split}_labels.txt").write_text("\n".join(map(str, labels)) + "\n")
    return root
