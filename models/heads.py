"""Small classification heads on the shared encoder's features, stored as ``<name>.safetensors`` + ``<name>.json``.

A head is a torch module over the encoder's feature vector: a linear layer, or one hidden layer (GELU) then a linear
layer. Multi-class heads (sentiment, emotion) end in a softmax; multi-label heads (intent) in one sigmoid per label,
each with its own decision threshold. The JSON card beside the weights says what the head is, what it was trained
on, how well it does and how to reproduce it; ``check_head_fits`` refuses a head trained on a different encoder.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

HEADS_DIR = Path(__file__).resolve().parent / "heads"


@dataclass(frozen=True)
class HeadCard:
    """What travels beside the weights (JSON). ``kind`` is "multiclass" or "multilabel"."""

    name: str
    kind: str
    labels: list[str]
    input_dim: int
    hidden_dim: int  # 0: a linear head
    encoder: str  # display name of the encoder the head was trained on
    encoder_fingerprint: str  # models.encoder.Encoder.fingerprint of that encoder
    feature_layers: int  # how many top layers the encoder features concatenate (see models.features)
    training_data: str
    metric: dict[str, object]
    trained_on: str  # ISO date
    command: str  # the command that reproduces the weights
    thresholds: list[float] = field(default_factory=list)  # multilabel only, one per label
    logit_offsets: list[float] = field(default_factory=list)  # multiclass only, added to logits: the label decision
    # Multiclass calibration (models.calibration, fitted on validation): probabilities = softmax(logits / temperature
    # + calibration_offsets). Without calibration_offsets the probabilities are softmax(logits + logit_offsets).
    temperature: float = 1.0
    calibration_offsets: list[float] = field(default_factory=list)
    notes: str = ""


class Head(torch.nn.Module):
    def __init__(self, input_dim: int, output_dim: int, hidden_dim: int = 0, dropout: float = 0.0) -> None:
        super().__init__()
        self.input_dim, self.hidden_dim = input_dim, hidden_dim
        if hidden_dim:
            self.layers = torch.nn.Sequential(
                torch.nn.Dropout(dropout),
                torch.nn.Linear(input_dim, hidden_dim),
                torch.nn.GELU(),
                torch.nn.Dropout(dropout),
                torch.nn.Linear(hidden_dim, output_dim),
            )
        else:
            self.layers = torch.nn.Sequential(torch.nn.Dropout(dropout), torch.nn.Linear(input_dim, output_dim))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.layers(features)


# The card fields that change what a head outputs; the rest (metrics, notes, date, command) only describe it.
OUTPUT_FIELDS = (
    "name",
    "kind",
    "labels",
    "input_dim",
    "hidden_dim",
    "feature_layers",
    "thresholds",
    "logit_offsets",
    "temperature",
    "calibration_offsets",
)


@dataclass
class LoadedHead:
    card: HeadCard
    module: Head
    weights_path: Path

    def fingerprint(self) -> str:
        """sha256 of the weight file and the output-relevant card fields: equal fingerprints, equal outputs."""
        digest = hashlib.sha256(self.weights_path.read_bytes())
        card = asdict(self.card)
        digest.update(json.dumps({key: card[key] for key in OUTPUT_FIELDS}, sort_keys=True).encode())
        return digest.hexdigest()

    def logits(self, features: np.ndarray) -> np.ndarray:
        """(n, labels) float32 logits of the features (the head's last ``feature_layers`` blocks)."""
        with torch.inference_mode():
            return self.module(torch.from_numpy(np.ascontiguousarray(features, dtype=np.float32))).numpy()

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """(n, labels) probabilities: softmax rows for multiclass, independent sigmoids for multilabel."""
        return self.probabilities_from_logits(self.logits(features))

    def probabilities_from_logits(self, logits: np.ndarray) -> np.ndarray:
        """Sigmoids (multilabel), or the calibrated softmax (multiclass, see ``HeadCard.calibration_offsets``), row by
        row; float64 out.

        The Enricher gets the logits from the encoder's own pass (``Encoder.attach_heads``), int8 graph and fp32 alike;
        these are elementwise and per-row steps on them, the same for both, so a text's probabilities depend on its
        logits alone."""
        with torch.inference_mode():
            values = torch.from_numpy(np.ascontiguousarray(logits, dtype=np.float32))
            if self.card.kind == "multilabel":
                return torch.sigmoid(values).numpy().astype(np.float64)
            if self.card.calibration_offsets:
                values = values / self.card.temperature + torch.tensor(
                    self.card.calibration_offsets, dtype=values.dtype
                )
            elif self.card.logit_offsets:
                values = values + torch.tensor(self.card.logit_offsets, dtype=values.dtype)
            return torch.softmax(values, dim=-1).numpy().astype(np.float64)

    def label_indices(self, logits: np.ndarray) -> np.ndarray:
        """(n,) the multiclass decision: argmax of logits + ``logit_offsets`` (chosen on validation for the task's
        macro metric). Calibrated probabilities estimate shares; this decides each text's label."""
        offsets = np.asarray(self.card.logit_offsets or [0.0] * len(self.card.labels), dtype=np.float32)
        return (np.asarray(logits, dtype=np.float32) + offsets).argmax(axis=1)

    def decisions(self, probabilities: np.ndarray) -> np.ndarray:
        """(n, labels) booleans for a multilabel head: probability at or above each label's threshold."""
        return probabilities >= np.asarray(self.card.thresholds)


def save_head(module: Head, card: HeadCard, directory: Path = HEADS_DIR) -> tuple[Path, Path]:
    """Write ``<name>.safetensors`` and ``<name>.json`` into ``directory``; returns both paths."""
    directory.mkdir(parents=True, exist_ok=True)
    weights = directory / f"{card.name}.safetensors"
    card_path = directory / f"{card.name}.json"
    state = {key: value.detach().cpu().contiguous() for key, value in module.state_dict().items()}
    save_file(state, str(weights), metadata={"name": card.name, "kind": card.kind})
    card_path.write_text(json.dumps(asdict(card), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return weights, card_path


def load_head(name: str, directory: Path = HEADS_DIR) -> LoadedHead:
    weights = directory / f"{name}.safetensors"
    card = HeadCard(**json.loads((directory / f"{name}.json").read_text(encoding="utf-8")))
    module = Head(card.input_dim, len(card.labels), card.hidden_dim)
    module.load_state_dict(load_file(str(weights)))
    return LoadedHead(card=card, module=module.eval(), weights_path=weights)


def check_head_fits(head: LoadedHead, encoder_name: str, encoder_dim: int, encoder_layers: int) -> None:
    """Raise unless the head was trained on this encoder (same name) and reads features of this encoder's shape.

    The name, not the weight fingerprint, decides: the fingerprint also covers the tokenizer's serialised form, which
    a library upgrade may change while the encoder stays the same (the fingerprint still goes into model_version).
    """
    card = head.card
    fits = card.feature_layers <= encoder_layers and card.input_dim == card.feature_layers * encoder_dim
    if card.encoder != encoder_name or not fits:
        raise ValueError(
            f"head {card.name!r} was trained on encoder {card.encoder!r} ({card.input_dim} features), not on the "
            f"configured {encoder_name!r} ({encoder_layers} layers x {encoder_dim}): retrain the heads for it "
            "(python -m models.training.train_all --encoder ... --heads-dir ...) and point ROR_HEADS_DIR at them"
        )
