"""Enrichment speed and the cost of int8, measured in one process on the same texts.

    python benchmarks/enrichment_speed.py [--tweeteval-dir /path/to/tweeteval/datasets] [--texts 2000]

- naive: what a straightforward script does, one text at a time through the fp32 encoder (batch 1, like a
  transformers pipeline with its default batch size) and then every head;
- ours: ``Enricher.enrich`` on the whole list (all heads, substance and language rules), with the fp32 encoder
  (length-sorted batches) and the int8 encoder (the default: one ONNX Runtime call per text, as many at once as
  there are cores, so a text's scores never depend on its neighbours).
Model loading and the one-off int8 export are not timed; every text is distinct, so nothing is a cache hit. The
machine is shared, so each method runs ``--repeats`` times, interleaved, and its best run is reported, with the load
average before and after (other processes' demand for the same cores: compare ratios, not absolute figures).
Then: cosine of int8 vs fp32 sentence embeddings, and each head's metric with fp32 and int8 features (sentiment
macro-recall on these TweetEval sentiment test texts, emotion macro-F1 on TweetEval emotion test, intent mean F1 on
the hand-written intent test split). TweetEval: Barbieri et al., Findings of EMNLP 2020.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import polars as pl
import torch

from ingest.text import text_hash
from models.encoder import available_cores
from models.enrich import EnrichConfig, Enricher
from models.training.data import add_tweeteval_option, read_intent, read_tweeteval, require_tweeteval
from models.training.fitting import f1, macro_f1, macro_recall


def distinct(texts: list[str], labels: np.ndarray, limit: int) -> tuple[list[str], np.ndarray]:
    """The first ``limit`` texts whose normalised hash has not been seen yet (no duplicate may count as speed)."""
    seen, kept = set(), []
    for index, text in enumerate(texts):
        key = text_hash(text)
        if key and key not in seen:
            seen.add(key)
            kept.append(index)
        if len(kept) == limit:
            break
    return [texts[index] for index in kept], labels[kept]


def as_frame(texts: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"text_hash": [text_hash(text) for text in texts], "text": texts})


def naive_texts_per_second(enricher: Enricher, texts: list[str]) -> float:
    """One text per forward pass, fp32, then all heads: the per-text loop a first script (or pipeline) does."""
    encoder = enricher.encoder
    started = time.perf_counter()
    with torch.inference_mode():
        for text in texts:
            tokens = encoder.tokenizer(text, truncation=True, max_length=encoder.max_length, return_tensors="pt")
            features = encoder.module(tokens["input_ids"], tokens["attention_mask"]).numpy()
            for head in enricher.heads.values():
                head.probabilities(features[:, -head.card.feature_layers * encoder.dim :])
    return len(texts) / (time.perf_counter() - started)


def enrich_texts_per_second(enricher: Enricher, texts: list[str]) -> float:
    enricher.enrich(as_frame(texts[:64]))  # warm-up: thread pools, first-call allocations
    frame = as_frame(texts)
    started = time.perf_counter()
    enricher.enrich(frame)
    return len(texts) / (time.perf_counter() - started)


def encode_texts_per_second(enricher: Enricher, texts: list[str]) -> float:
    started = time.perf_counter()
    enricher.encoder.encode(texts)
    return len(texts) / (time.perf_counter() - started)


def head_scores(enricher: Enricher, sentiment, emotion, intent) -> dict[str, float]:
    sentiment_predicted = enricher.scores(sentiment[0])[1]["sentiment"]  # the labels the enrichment writes
    emotion_predicted = enricher.scores(emotion[0])[1]["emotion"]
    intent_decided = enricher.heads["intent"].decisions(enricher.probabilities(intent[0])["intent"])
    intent_f1 = [f1(intent[1][:, label], intent_decided[:, label].astype(int)) for label in range(intent[1].shape[1])]
    return {
        "sentiment macro-recall": macro_recall(sentiment[1], sentiment_predicted),
        "emotion macro-F1": macro_f1(emotion[1], emotion_predicted),
        "intent mean F1": float(np.mean(intent_f1)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=2000, help="distinct TweetEval sentiment test texts to time")
    parser.add_argument("--batch-size", type=int, default=EnrichConfig.batch_size)
    parser.add_argument("--repeats", type=int, default=2, help="runs per method; the best one counts")
    add_tweeteval_option(parser)
    arguments = parser.parse_args()
    require_tweeteval(arguments.tweeteval_dir)

    sentiment_data = read_tweeteval("sentiment", "test", arguments.tweeteval_dir)
    texts, labels = distinct(sentiment_data.texts, sentiment_data.labels, arguments.texts)
    emotion_data = read_tweeteval("emotion", "test", arguments.tweeteval_dir)
    intent_data = read_intent("test")
    print(
        f"{len(texts)} distinct TweetEval sentiment test texts, {available_cores()} cores, "
        f"torch {torch.__version__}, batch size {arguments.batch_size}, load average {os.getloadavg()[0]:.1f}"
    )

    fp32 = Enricher(EnrichConfig(int8=False, batch_size=arguments.batch_size))
    int8 = Enricher(EnrichConfig(int8=True, batch_size=arguments.batch_size))

    runs: dict[str, list[float]] = {"naive": [], "fp32": [], "int8": [], "int8 encoder alone": []}
    for _ in range(arguments.repeats):
        runs["naive"].append(naive_texts_per_second(fp32, texts))
        runs["fp32"].append(enrich_texts_per_second(fp32, texts))
        runs["int8"].append(enrich_texts_per_second(int8, texts))
        runs["int8 encoder alone"].append(encode_texts_per_second(int8, texts))
    naive, ours_fp32, ours_int8, encoder_only = (max(values) for values in runs.values())
    print(f"naive (fp32, batch 1, all heads):         {naive:7.1f} texts/s")
    print(f"ours fp32 (sorted batches, all columns):  {ours_fp32:7.1f} texts/s  ({ours_fp32 / naive:.1f}x naive)")
    print(f"ours int8 (per-text calls, all columns):  {ours_int8:7.1f} texts/s  ({ours_int8 / naive:.1f}x naive)")
    print(f"  of which the int8 graph (encoder and heads) alone {encoder_only:7.1f} texts/s")
    print("all runs:", {name: [round(value, 1) for value in values] for name, values in runs.items()})
    print(f"load average after the timed runs: {os.getloadavg()[0]:.1f} ({available_cores()} cores)")

    fp32_embeddings = fp32.encoder.sentence_embeddings(fp32.encoder.encode(texts))
    int8_embeddings = int8.encoder.sentence_embeddings(int8.encoder.encode(texts))
    cosine = np.sum(fp32_embeddings * int8_embeddings, axis=1)
    print(f"int8 vs fp32 sentence embeddings: mean cosine {cosine.mean():.4f}, min {cosine.min():.4f}")

    evaluation = ((texts, labels), (emotion_data.texts, emotion_data.labels), (intent_data.texts, intent_data.labels))
    fp32_scores, int8_scores = head_scores(fp32, *evaluation), head_scores(int8, *evaluation)
    for name in fp32_scores:
        delta = int8_scores[name] - fp32_scores[name]
        print(f"{name:24s} fp32 {fp32_scores[name]:.4f}  int8 {int8_scores[name]:.4f}  delta {delta:+.4f}")


if __name__ == "__main__":
    main()
