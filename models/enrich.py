"""Enrichment of unique texts: sentiment, emotion, intent, substance and language, one row per text_hash.

One pass of the shared encoder (models.encoder) feeds every head (models.heads); the substance and language columns
come from transparent rules (models.substance, models.language). A Hugging Face sequence-classification model can
replace the sentiment head (models.sentiment_override). The sentiment and emotion heads are trained on TweetEval
(Barbieri, Camacho-Collados, Espinosa-Anke, Neves, Findings of EMNLP 2020); see models/README.md.

``Enricher.model_version`` is a hash of everything that decides the outputs: encoder weights, tokenizer and feature
recipe, precision (fp32 / int8), head weights and the card fields that act on outputs (thresholds, offsets...), the
sentiment override's weights and label mapping, and the rules' parameters. Changing any of them makes a new version,
and the cache (models.cache) re-scores texts for it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

from ingest.limits import MAX_SCORED_TEXT_CHARS
from models import language, substance, variables
from models.embeddings import EMBEDDING_COLUMNS, embedding_columns
from models.encoder import DEFAULT_BATCH_SIZE, INT8_EXPORT_RECIPE, INT8_SESSION_RECIPE, Encoder
from models.heads import HEADS_DIR, LoadedHead, check_head_fits, load_head
from models.schema import EMOTION_LABELS, INTENT_LABELS, SENTIMENT_LABELS, TEXT_ENRICHMENT
from models.sentiment_override import SentimentModel, parse_label_mapping

HEADS_NAME = "ror-heads"
# How the heads are run, part of the model version: v2 scores them in the encoder's own pass (with int8, inside the
# ONNX graph, weights fp32), which moves probabilities in the last bits against v1's separate torch pass.
HEAD_SCORING = "heads in the encoder pass; v2"
CHUNK_TEXTS = 4096
_TRUE_WORDS = {"1", "true", "yes", "on"}
_FALSE_WORDS = {"0", "false", "no", "off", ""}


def rule_parameters() -> dict[str, object]:
    """The parameters of the substance and language rules: part of the model version, like weights."""
    return {
        "substance_min_words": substance.MIN_WORDS,
        "substance_short_word_letters": substance.SHORT_WORD_LETTERS,
        "substance_phrases": sorted(substance.LOW_EFFORT_PHRASES),
        "language_detector": f"py3langid {_package_version('py3langid')}",
        "language_languages": list(language.LANGUAGES),
        "language_min_confidence": language.MIN_CONFIDENCE,
    }


def _package_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def _env_flag(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE_WORDS:
        return True
    if lowered in _FALSE_WORDS:
        return False
    raise ValueError(f"expected a boolean (1/0, true/false, yes/no, on/off), got {value!r}")


@dataclass(frozen=True)
class EnrichConfig:
    """What decides the enrichment. Every field has a working default: the packaged encoder and committed heads."""

    encoder: str | None = None  # Hugging Face id (already in the local cache) or folder; None: packaged MiniLM
    heads_dir: Path = HEADS_DIR  # heads trained for that encoder (models.training.* --heads-dir)
    sentiment_model: str | None = None  # HF sequence-classification id or folder replacing the sentiment head
    sentiment_labels: Mapping[int, str] | None = None  # its label ids -> negative/neutral/positive; None: id2label
    int8: bool = True  # per-channel int8 ONNX encoder on CPU (see models/README.md for the measured cost)
    batch_size: int = DEFAULT_BATCH_SIZE
    device: str | None = None  # "cpu", "cuda", "cuda:1"; None: CUDA when present, else CPU
    cache_dir: Path | None = None  # for the int8 export; None: ~/.cache/ror-warehouse
    # Detected languages the models score: the models were trained and evaluated on English tweets, so a text
    # detected as another language gets null sentiment, emotion and intent (detected_lang says why); "und" (too short
    # or uncertain to tell, 10% of English tweets) is scored.
    scored_languages: tuple[str, ...] = ("en", language.UNDETERMINED)

    @classmethod
    def from_variables(cls, env: Mapping[str, str]) -> EnrichConfig:
        """From the values of ROR_ENCODER, ROR_HEADS_DIR, ROR_SENTIMENT_MODEL, ROR_SENTIMENT_LABELS, ROR_ENRICH_INT8,
        ROR_ENRICH_BATCH_SIZE, ROR_ENRICH_DEVICE and ROR_MODEL_CACHE (documented in models/README.md), as the edge
        read them (orchestration.settings.Settings.enrichment); a missing name keeps its default."""
        labels = env.get(variables.SENTIMENT_LABELS)
        return cls(
            encoder=env.get(variables.ENCODER) or None,
            heads_dir=Path(env[variables.HEADS_DIR]) if env.get(variables.HEADS_DIR) else HEADS_DIR,
            sentiment_model=env.get(variables.SENTIMENT_MODEL) or None,
            sentiment_labels=parse_label_mapping(labels) if labels else None,
            int8=_env_flag(env.get(variables.INT8), cls.int8),
            batch_size=int(env.get(variables.BATCH_SIZE) or DEFAULT_BATCH_SIZE),
            device=env.get(variables.DEVICE) or None,
            cache_dir=Path(env[variables.MODEL_CACHE]) if env.get(variables.MODEL_CACHE) else None,
        )


class Enricher:
    """Loads the encoder, heads and optional sentiment model once; ``enrich`` scores frames of unique texts."""

    def __init__(self, config: EnrichConfig | None = None) -> None:
        self.config = config or EnrichConfig()
        self.encoder = Encoder(
            self.config.encoder,
            int8=self.config.int8,
            device=self.config.device,
            batch_size=self.config.batch_size,
            cache_dir=self.config.cache_dir,
        )
        self.heads: dict[str, LoadedHead] = {
            name: load_head(name, self.config.heads_dir) for name in ("sentiment", "emotion", "intent")
        }
        for head in self.heads.values():
            check_head_fits(head, self.encoder.name, self.encoder.dim, self.encoder.layers)
        self.encoder.attach_heads({name: (head.module, head.card.feature_layers) for name, head in self.heads.items()})
        self.encoder.prepare()
        for name, expected in (("sentiment", SENTIMENT_LABELS), ("emotion", EMOTION_LABELS), ("intent", INTENT_LABELS)):
            if tuple(self.heads[name].card.labels) != expected:
                raise ValueError(f"{name} head labels {self.heads[name].card.labels} != {expected}")
        self.sentiment_model = None
        if self.config.sentiment_model:
            self.sentiment_model = SentimentModel(
                self.config.sentiment_model,
                self.config.sentiment_labels,
                device=self.config.device,
                batch_size=self.config.batch_size,
            )
        encoder_short = self.encoder.name.rsplit("/", 1)[-1]
        self.model_name = f"{encoder_short}+{HEADS_NAME}"
        if self.sentiment_model is not None:
            self.model_name += f"+sentiment:{self.sentiment_model.name}"
        self.model_version = self._version()

    @classmethod
    def from_variables(cls, env: Mapping[str, str]) -> Enricher:
        return cls(EnrichConfig.from_variables(env))

    def _version(self) -> str:
        digest = hashlib.sha256()
        recipe = f"{INT8_EXPORT_RECIPE}; {INT8_SESSION_RECIPE}" if self.encoder.precision.startswith("int8") else ""
        digest.update(f"encoder={self.encoder.fingerprint}:{self.encoder.precision}:{recipe}:{HEAD_SCORING}".encode())
        for name, head in sorted(self.heads.items()):
            digest.update(f"{name}={head.fingerprint()}".encode())
        if self.sentiment_model is not None:
            digest.update(f"sentiment_model={self.sentiment_model.fingerprint}".encode())
        digest.update(json.dumps(rule_parameters(), sort_keys=True).encode())
        digest.update(f"scored_languages={sorted(self.config.scored_languages)}".encode())
        return digest.hexdigest()[:16]

    def enrich(self, frame: pl.DataFrame, with_embedding: bool = False) -> pl.DataFrame:
        """``frame`` has unique, non-null text_hash and non-null text; returns exactly the TEXT_ENRICHMENT columns,
        and with ``with_embedding`` the sentence embedding from the same pass (models.embeddings.EMBEDDING_COLUMNS).

        Large frames are scored in chunks of ``CHUNK_TEXTS`` so memory stays flat (features are ~9 KB a text). Every
        part of the scoring sees a text's first ``MAX_SCORED_TEXT_CHARS`` characters (ingest.limits: more than the
        encoder reads), so one huge text costs no more than a long post.
        """
        if frame["text_hash"].null_count() or frame["text"].null_count():
            raise ValueError("enrich needs a text_hash and a text on every row")
        if frame["text_hash"].n_unique() != frame.height:
            raise ValueError("enrich needs unique text_hash values (score each text once)")
        enriched_at = datetime.now(UTC)
        chunks = [self._enrich_chunk(chunk, enriched_at, with_embedding) for chunk in frame.iter_slices(CHUNK_TEXTS)]
        if chunks:
            return pl.concat(chunks)
        return pl.DataFrame(schema={**TEXT_ENRICHMENT, **(EMBEDDING_COLUMNS if with_embedding else {})})

    def probabilities(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Each head's (len(texts), labels) probabilities, from one encoder pass (the sentiment model's when one
        replaces the sentiment head); calibrated for sentiment and emotion (models.calibration)."""
        return self.scores(texts)[0]

    def embed(self, texts: list[str]) -> np.ndarray:
        """float32 (len(texts), dim) unit-length sentence embeddings, as ``enrich(with_embedding=True)`` stores them
        before quantisation (each text cut to ``MAX_SCORED_TEXT_CHARS`` like the scores)."""
        features = self.encoder.encode([text[:MAX_SCORED_TEXT_CHARS] for text in texts])
        return self.encoder.sentence_embeddings(features)

    def scores(self, texts: list[str]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray]:
        """(each head's probabilities, the sentiment and emotion label indices, the sentence embeddings), from one
        encoder pass.

        A label is the head's decision (logit offsets chosen on validation for the macro metric), which on close
        calls may differ from the most probable class of the calibrated probabilities."""
        features, logits = self.encoder.encode_and_score(texts)
        probabilities = {name: head.probabilities_from_logits(logits[name]) for name, head in self.heads.items()}
        labels = {name: self.heads[name].label_indices(logits[name]) for name in ("sentiment", "emotion")}
        if self.sentiment_model is not None:
            probabilities["sentiment"] = self.sentiment_model.probabilities(texts)
            labels["sentiment"] = probabilities["sentiment"].argmax(axis=1)
        return probabilities, labels, self.encoder.sentence_embeddings(features)

    def _enrich_chunk(self, frame: pl.DataFrame, enriched_at: datetime, with_embedding: bool) -> pl.DataFrame:
        texts = frame["text"].str.slice(0, MAX_SCORED_TEXT_CHARS).to_list()
        languages = [language.detect_language(text) for text in texts]
        scored = np.fromiter((lang in self.config.scored_languages for lang in languages), dtype=bool, count=len(texts))
        scored_texts = [text for text, keep in zip(texts, scored, strict=True) if keep]
        probabilities, labels, embeddings = self.scores(scored_texts)
        sentiment = _rows_of_scored(probabilities["sentiment"], scored)
        emotion = _rows_of_scored(probabilities["emotion"], scored)
        intent = self.heads["intent"].decisions(_rows_of_scored(probabilities["intent"], scored))
        sentiment_labels = _rows_of_scored(labels["sentiment"], scored)
        emotion_labels = _rows_of_scored(labels["emotion"], scored)
        columns: dict[str, object] = {
            "text_hash": frame["text_hash"],
            "model_name": [self.model_name] * frame.height,
            "model_version": [self.model_version] * frame.height,
            "sentiment_label": [SENTIMENT_LABELS[index] for index in sentiment_labels],
            "p_negative": sentiment[:, 0],
            "p_neutral": sentiment[:, 1],
            "p_positive": sentiment[:, 2],
            "emotion_label": [EMOTION_LABELS[index] for index in emotion_labels],
            **{f"p_{label}": emotion[:, index] for index, label in enumerate(EMOTION_LABELS)},
            **{f"is_{label}": intent[:, index] for index, label in enumerate(INTENT_LABELS)},
            "is_substantive": [substance.is_substantive(text) for text in texts],
            "detected_lang": languages,
            "enriched_at": [enriched_at] * frame.height,
        }
        # texts in a language the models were not evaluated on: null scores (detected_lang says why) and no embedding
        # (themes leave them out like every rate does)
        scores = pl.DataFrame(columns, schema=TEXT_ENRICHMENT).with_columns(
            pl.when(pl.Series(scored)).then(pl.col(name)).alias(name) for name in MODEL_COLUMNS
        )
        if not with_embedding:
            return scores
        return scores.with_columns(**embedding_columns(_rows_of_scored(embeddings, scored))).with_columns(
            pl.when(pl.Series(scored)).then(pl.col(name)).alias(name) for name in EMBEDDING_COLUMNS
        )


MODEL_COLUMNS = [
    "sentiment_label",
    *(f"p_{label}" for label in (*SENTIMENT_LABELS, *EMOTION_LABELS)),
    "emotion_label",
    *(f"is_{label}" for label in INTENT_LABELS),
]


def _rows_of_scored(values: np.ndarray, scored: np.ndarray) -> np.ndarray:
    """``values`` (one row per scored text) spread over every text; a text not scored gets zeros (masked later)."""
    rows = np.zeros((len(scored), *values.shape[1:]), dtype=values.dtype)
    rows[scored] = values
    return rows
