"""A better sentiment model when the user has one: any Hugging Face sequence-classification model replaces the head.

Give a hub id already in the local Hugging Face cache (e.g. ``cardiffnlp/twitter-roberta-base-sentiment-latest``)
or a local folder. Its output labels are mapped onto negative / neutral / positive either explicitly
(``"0:negative,1:neutral,2:positive"``; several model labels may map to one of ours and their probabilities add up,
e.g. five star ratings) or from the model's ``config.id2label`` names (negative/neg/label_0-style names need the
explicit mapping). A model with no neutral class gives p_neutral = 0.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np
import torch

from models.encoder import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_MAX_LENGTH,
    fingerprint_module,
    length_sorted_batches,
    pick_device,
    quiet_loading,
    resolve_model_location,
)
from models.schema import SENTIMENT_LABELS

_NAME_PREFIXES = {"neg": "negative", "neu": "neutral", "pos": "positive"}


def parse_label_mapping(spec: str) -> dict[int, str]:
    """``"0:negative,1:neutral,2:positive"`` -> {0: "negative", 1: "neutral", 2: "positive"}."""
    mapping: dict[int, str] = {}
    for item in spec.split(","):
        if not item.strip():
            continue
        index, _, label = item.partition(":")
        label = label.strip().lower()
        if not index.strip().isdigit() or label not in SENTIMENT_LABELS:
            raise ValueError(f"bad sentiment label mapping item {item!r}: expected INDEX:negative|neutral|positive")
        mapping[int(index)] = label
    if not mapping:
        raise ValueError("empty sentiment label mapping")
    return mapping


def mapping_from_id2label(id2label: Mapping[int, str]) -> dict[int, str]:
    """Map model label names like "negative", "NEG", "Positive" onto ours; raise when a name is not recognisable."""
    mapping: dict[int, str] = {}
    for index, name in id2label.items():
        ours = _NAME_PREFIXES.get(str(name).strip().lower()[:3])
        if ours is None:
            raise ValueError(
                f"cannot tell what label {name!r} (id {index}) means: give the mapping explicitly, e.g. "
                'ROR_SENTIMENT_LABELS="0:negative,1:neutral,2:positive"'
            )
        mapping[int(index)] = ours
    return mapping


class SentimentModel:
    """A sequence-classification model whose class probabilities are folded into (negative, neutral, positive)."""

    def __init__(
        self,
        source: str | os.PathLike,
        label_mapping: Mapping[int, str] | None = None,
        *,
        device: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_length: int = DEFAULT_MAX_LENGTH,
    ) -> None:
        self.name, location = resolve_model_location(source)
        self.device = pick_device(device)
        self.batch_size = batch_size
        self.max_length = max_length
        from transformers import AutoModelForSequenceClassification, AutoTokenizer  # only when one is configured

        with quiet_loading():
            self.tokenizer = AutoTokenizer.from_pretrained(location, local_files_only=True)
            self.model = AutoModelForSequenceClassification.from_pretrained(location, local_files_only=True)
        self.model.eval().to(self.device)
        id2label = {int(index): label for index, label in self.model.config.id2label.items()}
        self.label_mapping = dict(label_mapping) if label_mapping else mapping_from_id2label(id2label)
        unmapped = set(id2label) - set(self.label_mapping)
        if unmapped:
            raise ValueError(f"sentiment model labels {sorted(unmapped)} have no mapping onto {SENTIMENT_LABELS}")
        self._fold = np.zeros((len(id2label), len(SENTIMENT_LABELS)), dtype=np.float64)
        for index, label in self.label_mapping.items():
            self._fold[index, SENTIMENT_LABELS.index(label)] = 1.0
        mapping_text = ",".join(f"{index}:{label}" for index, label in sorted(self.label_mapping.items()))
        self.fingerprint = fingerprint_module(self.model, self.tokenizer.backend_tokenizer.to_str(), mapping_text)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """(n, 3) probabilities in SENTIMENT_LABELS order; rows sum to 1."""
        probabilities = np.zeros((len(texts), len(SENTIMENT_LABELS)), dtype=np.float64)
        if not len(texts):
            return probabilities
        token_ids = self.tokenizer(list(texts), truncation=True, max_length=self.max_length)["input_ids"]
        pad_id = self.tokenizer.pad_token_id or 0
        with torch.inference_mode():
            for rows, input_ids, attention_mask in length_sorted_batches(token_ids, self.batch_size, pad_id):
                logits = self.model(
                    input_ids=torch.from_numpy(input_ids).to(self.device),
                    attention_mask=torch.from_numpy(attention_mask).to(self.device),
                ).logits
                model_probabilities = torch.softmax(logits.float(), dim=-1).cpu().numpy().astype(np.float64)
                probabilities[rows] = model_probabilities @ self._fold
        return probabilities
