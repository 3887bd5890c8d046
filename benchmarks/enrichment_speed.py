"""Enrichment speed and the cost of int8, measured in one process on the same texts.

    python benchmarks/enrichment_speed.py [--tweeteval-dir /path/to/tweeteval/datasets] [--texts 2000]

- naive: what a straightforward script does, one text at a time through the fp32 encoder (batch 1, like a
  transformers pipeline with its default batch size) and then every head;
- ours: ``Enricher.enrich`` on the whole list (all heads, substance and language rules), with the fp32 encoder
  (length-sorted batches) and the int8 encoder (the default: one ONNX Runtime call per group of same-length texts,
  each text quantised with its own scale, as many calls at once as there are cores, so a text's scores never depend
  on its neighbours);
- the ceiling: the int8 export's matrix products alone (its 36 int8 weight matrices, nothing else of the graph) on
  the same texts' token counts, one text per call and in the encoder's same-length calls, timed the same way (two
  threads, one call per core at a time, outputs left in ONNX Runtime's buffers). The int8 enrichment is reported as
  a share of the faster of the two: how much of the time is the products' and how much the rest of the graph and
  the Python around it.
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
from models.encoder import INT8_TEXTS_PER_CALL, available_cores, same_length_calls
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


def clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def rates(count: int, started: tuple[float, float]) -> tuple[float, float]:
    """(texts a second of wall time, texts a CPU second of this process, all its threads) since ``clock()`` gave
    ``started``. On a machine shared with others the second moves far less with their load than the first."""
    return count / (time.perf_counter() - started[0]), count / (time.process_time() - started[1])


def naive_texts_per_second(enricher: Enricher, texts: list[str]) -> tuple[float, float]:
    """One text per forward pass, fp32, then all heads: the per-text loop a first script (or pipeline) does."""
    encoder = enricher.encoder
    started = clock()
    with torch.inference_mode():
        for text in texts:
            tokens = encoder.tokenizer(text, truncation=True, max_length=encoder.max_length, return_tensors="pt")
            features = encoder.module(tokens["input_ids"], tokens["attention_mask"]).numpy()
            for head in enricher.heads.values():
                head.probabilities(features[:, -head.card.feature_layers * encoder.dim :])
    return rates(len(texts), started)


def enrich_texts_per_second(enricher: Enricher, texts: list[str]) -> tuple[float, float]:
    enricher.enrich(as_frame(texts[:64]))  # warm-up: thread pools, first-call allocations
    frame = as_frame(texts)
    started = clock()
    enricher.enrich(frame)
    return rates(len(texts), started)


def encode_texts_per_second(enricher: Enricher, texts: list[str]) -> tuple[float, float]:
    started = clock()
    enricher.encoder.encode(texts)
    return rates(len(texts), started)


def int8_products_session(enricher: Enricher):
    """A graph of the int8 export's matrix products alone: each weight matrix times a uint8 input of its width
    (``MatMulIntegerToFloat``: int32 sums scaled per output column, as the export runs them), nothing else."""
    import onnx
    import onnxruntime
    from onnx import helper

    export = onnx.load(str(enricher.encoder.int8_export))
    initializers = {tensor.name: tensor for tensor in export.graph.initializer}
    products = [node for node in export.graph.node if node.op_type == "MatMulIntegerToFloat"]
    nodes, outputs, widths = [], [], set()
    for index, node in enumerate(products):
        weight = initializers[node.input[1]]
        width = weight.dims[0]
        widths.add(width)
        nodes.append(
            helper.make_node(
                "MatMulIntegerToFloat",
                [f"activations_{width}", node.input[1], "one", node.input[3]],
                [f"product_{index}"],
                domain="com.microsoft",
            )
        )
        outputs.append(helper.make_tensor_value_info(f"product_{index}", onnx.TensorProto.FLOAT, None))
    used = {name for node in nodes for name in node.input}
    graph = helper.make_graph(
        nodes,
        "int8_products",
        [
            helper.make_tensor_value_info(f"activations_{width}", onnx.TensorProto.UINT8, ["texts", "tokens", width])
            for width in sorted(widths)
        ],
        outputs,
        initializer=[tensor for name, tensor in initializers.items() if name in used]
        + [onnx.numpy_helper.from_array(np.ones((), dtype=np.float32), "one")],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    )
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return session, sorted(widths), len(products)


def int8_products_texts_per_second(
    session, widths: list[int], token_ids: list[list[int]], per_call: int
) -> tuple[float, float]:
    """Texts a second through the products alone, calls of at most ``per_call`` same-length texts (1: one text per
    call), as many calls at once as there are cores (one thread each, like the encoder)."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(0)
    calls = [
        {
            f"activations_{width}": rng.integers(0, 256, (len(rows), len(token_ids[rows[0]]), width), dtype=np.uint8)
            for width in widths
        }
        for rows in same_length_calls(token_ids, per_call)
    ]
    pending = iter(calls)

    def run_calls() -> None:
        binding = session.io_binding()
        for inputs in pending:
            for name, values in inputs.items():
                binding.bind_cpu_input(name, values)
            for output in session.get_outputs():
                binding.bind_output(output.name, "cpu")
            session.run_with_iobinding(binding)

    started = clock()
    with ThreadPoolExecutor(available_cores()) as pool:
        for done in [pool.submit(run_calls) for _ in range(available_cores())]:
            done.result()
    return rates(len(token_ids), started)


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
    parser.add_argument("--int8-only", action="store_true", help="time the int8 enrichment and its ceiling only")
    arguments = parser.parse_args()
    require_tweeteval(arguments.tweeteval_dir)

    sentiment_data = read_tweeteval("sentiment", "test", arguments.tweeteval_dir)
    texts, labels = distinct(sentiment_data.texts, sentiment_data.labels, arguments.texts)
    print(
        f"{len(texts)} distinct TweetEval sentiment test texts, {available_cores()} cores, "
        f"torch {torch.__version__}, batch size {arguments.batch_size}, load average {os.getloadavg()[0]:.1f}"
    )

    fp32 = None if arguments.int8_only else Enricher(EnrichConfig(int8=False, batch_size=arguments.batch_size))
    int8 = Enricher(EnrichConfig(int8=True, batch_size=arguments.batch_size))
    products, widths, count = int8_products_session(int8)
    token_ids = int8.encoder.tokenize(texts)
    print(f"{count} int8 products, {np.mean([len(ids) for ids in token_ids]):.1f} tokens a text on average")

    runs: dict[str, list[tuple[float, float]]] = {}
    for _ in range(arguments.repeats):
        timed = {
            "int8 products alone, one text per call": lambda: int8_products_texts_per_second(
                products, widths, token_ids, 1
            ),
            "int8 products alone, same-length calls": lambda: int8_products_texts_per_second(
                products, widths, token_ids, INT8_TEXTS_PER_CALL
            ),
            "int8, every column": lambda: enrich_texts_per_second(int8, texts),
            "int8 graph alone (encoder and heads)": lambda: encode_texts_per_second(int8, texts),
        }
        if fp32 is not None:
            timed["naive"] = lambda: naive_texts_per_second(fp32, texts)
            timed["fp32, every column"] = lambda: enrich_texts_per_second(fp32, texts)
        for name, measure in timed.items():
            runs.setdefault(name, []).append(measure())
    for unit, index in (("texts/s", 0), ("texts per CPU second", 1)):
        best = {name: max(value[index] for value in values) for name, values in runs.items()}
        ceiling = max(best["int8 products alone, one text per call"], best["int8 products alone, same-length calls"])
        print(f"best of {arguments.repeats}, {unit}:")
        for name, value in best.items():
            share = f"  {value / ceiling:6.1%} of the products' ceiling" if name.startswith("int8") else ""
            versus = f"  {value / best['naive']:.1f}x naive" if "naive" in best and name != "naive" else ""
            print(f"  {name:42s} {value:7.1f}{share}{versus}")
    print(
        "all runs (wall, CPU):",
        {name: [tuple(round(v, 1) for v in value) for value in values] for name, values in runs.items()},
    )
    print(f"load average after the timed runs: {os.getloadavg()[0]:.1f} ({available_cores()} cores)")
    if fp32 is not None:
        compare_quality(fp32, int8, texts, labels, arguments.tweeteval_dir)


def compare_quality(fp32: Enricher, int8: Enricher, texts: list[str], labels: np.ndarray, tweeteval_dir) -> None:
    fp32_embeddings = fp32.encoder.sentence_embeddings(fp32.encoder.encode(texts))
    int8_embeddings = int8.encoder.sentence_embeddings(int8.encoder.encode(texts))
    cosine = np.sum(fp32_embeddings * int8_embeddings, axis=1)
    print(f"int8 vs fp32 sentence embeddings: mean cosine {cosine.mean():.4f}, min {cosine.min():.4f}")

    emotion_data = read_tweeteval("emotion", "test", tweeteval_dir)
    intent_data = read_intent("test")
    evaluation = ((texts, labels), (emotion_data.texts, emotion_data.labels), (intent_data.texts, intent_data.labels))
    fp32_scores, int8_scores = head_scores(fp32, *evaluation), head_scores(int8, *evaluation)
    for name in fp32_scores:
        delta = int8_scores[name] - fp32_scores[name]
        print(f"{name:24s} fp32 {fp32_scores[name]:.4f}  int8 {int8_scores[name]:.4f}  delta {delta:+.4f}")


if __name__ == "__main__":
    main()
