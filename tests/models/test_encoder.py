import numpy as np
import onnx
import torch
from safetensors.torch import load_file

from models.encoder import (
    TUNED_DIR,
    TUNED_LAYERS_FILE,
    Encoder,
    apply_low_rank_deltas,
    int8_session,
    length_sorted_batches,
    low_rank_deltas,
    tuned_encoder_name,
)


def test_length_sorted_batches_cover_every_row_once_and_pad_to_the_batch_longest():
    token_ids = [[1, 2, 3, 4, 5], [1], [1, 2], [1, 2, 3], [1, 2, 3, 4, 5, 6, 7]]
    seen = []
    for rows, input_ids, attention_mask in length_sorted_batches(token_ids, batch_size=2, pad_id=0):
        seen.extend(rows.tolist())
        assert input_ids.shape[1] == max(len(token_ids[row]) for row in rows)
        assert attention_mask.sum(axis=1).tolist() == [len(token_ids[row]) for row in rows]
        for line, row in enumerate(rows):
            assert input_ids[line, : len(token_ids[row])].tolist() == token_ids[row]
    assert sorted(seen) == list(range(len(token_ids)))
    assert seen == [1, 2, 3, 0, 4]  # shortest first


def test_packaged_encoder_gives_unit_length_blocks_per_layer(encoder):
    features = encoder.encode(["I love this coffee", "The train is late again", "ok"])
    assert encoder.name == tuned_encoder_name()  # the packaged weights with the committed fine-tuned top layers
    assert features.shape == (3, encoder.dim * encoder.layers) == (3, 384 * 6)
    blocks = features.reshape(3, encoder.layers, encoder.dim)
    np.testing.assert_allclose(np.linalg.norm(blocks, axis=-1), 1.0, atol=1e-5)


def test_rows_come_back_in_input_order_whatever_the_batching(encoder):
    texts = ["short", "a much longer text about bikes, coffee and the weather today", "medium length text"]
    forwards = encoder.encode(texts)
    backwards = encoder.encode(texts[::-1])
    np.testing.assert_allclose(forwards, backwards[::-1], atol=1e-5)


def test_sentence_embeddings_put_paraphrases_closer_than_unrelated_texts(encoder):
    texts = ["My parcel never arrived", "The package was not delivered", "I adore sunny beaches"]
    embeddings = encoder.sentence_embeddings(encoder.encode(texts))
    similarity = embeddings @ embeddings.T
    assert similarity[0, 1] > similarity[0, 2] + 0.2


def test_int8_export_stays_close_to_fp32(encoder, model_cache):
    texts = ["Love the new autumn blend!", "Worst delivery service ever, still waiting", "Do you ship to Ireland?"]
    quantized = Encoder(int8=True, cache_dir=model_cache)
    assert quantized.precision == "int8-onnx-per-channel-per-text"
    cosine = np.sum(
        quantized.sentence_embeddings(quantized.encode(texts)) * encoder.sentence_embeddings(encoder.encode(texts)),
        axis=1,
    )
    assert quantized.int8_export.parent == model_cache / "onnx"  # exported on first use
    operators = {node.op_type for node in onnx.load(quantized.int8_export).graph.node}
    assert {"QuantizeLinear", "MatMulIntegerToFloat"} <= operators  # the encoder's weights are int8
    assert "DynamicQuantizeLinear" not in operators  # activations get a scale per text, not one per call
    assert cosine.min() > 0.95


def test_int8_session_leaves_layer_norms_unfused_and_is_what_the_encoder_runs(model_cache, tmp_path):
    # ONNX Runtime would fuse each residual Add and its LayerNormalization into SkipLayerNormalization, a CPU kernel
    # several times slower (models.encoder.INT8_UNFUSED); the encoder's session must not.
    import onnxruntime

    quantized = Encoder(int8=True, cache_dir=model_cache)
    quantized.prepare()

    def optimised(session_maker, name: str) -> tuple[object, list[str]]:
        """(the session, the operators of the graph it optimised)"""
        options = onnxruntime.SessionOptions()
        options.optimized_model_filepath = str(tmp_path / name)
        session = session_maker(options)
        return session, [node.op_type for node in onnx.load(tmp_path / name).graph.node]

    _, fused = optimised(
        lambda options: onnxruntime.InferenceSession(str(quantized.int8_export), options), "fused.onnx"
    )
    assert "SkipLayerNormalization" in fused  # what the exclusion prevents
    session, unfused = optimised(lambda options: int8_session(quantized.int8_export, options), "ours.onnx")
    assert "SkipLayerNormalization" not in unfused
    assert unfused.count("LayerNormalization") == 1 + 2 * quantized.layers  # embeddings, then two per layer
    same_length = ["the train is late again today", "I love this coffee so much"]
    features = session.run(None, {"input_ids": np.asarray(quantized.tokenize(same_length))})[0]
    np.testing.assert_array_equal(quantized.encode(same_length), features)


def test_an_alternative_encoder_loads_from_a_local_folder(tiny_encoder_dir, encoder):
    tiny = Encoder(tiny_encoder_dir)
    features = tiny.encode(["i love this coffee", "the worst service ever"])
    assert tiny.name == tiny_encoder_dir.name
    assert (tiny.dim, tiny.layers) == (32, 2)
    assert features.shape == (2, 64)
    assert tiny.fingerprint != encoder.fingerprint


def test_padding_does_not_change_a_text_features(encoder, model_cache):
    short, longer = (
        "Refund please",
        "My order from last week still has not arrived and support keeps closing my tickets",
    )
    alone = encoder.encode([short])
    padded = encoder.encode([short, longer])[:1]  # batched with a longer text, so padded to its length
    np.testing.assert_allclose(alone, padded, atol=1e-5)
    quantized = Encoder(int8=True, cache_dir=model_cache)
    np.testing.assert_array_equal(quantized.encode([short, longer])[:1], quantized.encode([short]))  # int8: exact


def test_tokenize_truncates_like_the_transformers_call(encoder):
    texts = ["Love it! 😍 #coffee @NorthwindCoffee", "word " * 300, "", "café au lait, s'il vous plaît"]
    expected = encoder.tokenizer(texts, truncation=True, max_length=encoder.max_length)["input_ids"]
    assert encoder.tokenize(texts) == expected
    assert len(encoder.tokenize(["word " * 300])[0]) == encoder.max_length


def test_low_rank_deltas_keep_the_largest_directions_of_the_change_and_pass_other_tensors_whole():
    generator = torch.Generator().manual_seed(7)
    base = {"layer.weight": torch.randn(12, 8, generator=generator), "layer.bias": torch.zeros(12)}
    change = torch.randn(12, 2, generator=generator) @ torch.randn(2, 8, generator=generator) * 0.05  # rank 2
    tuned = {"layer.weight": base["layer.weight"] + change, "layer.bias": torch.full((12,), 0.5)}

    stored = low_rank_deltas(base, tuned, rank=2)
    assert stored["layer.weight.delta_up"].shape == (12, 2) and stored["layer.weight.delta_down"].shape == (2, 8)
    assert stored["layer.weight.delta_up"].dtype == torch.float16
    restored = apply_low_rank_deltas(base, stored)
    assert set(restored) == {"layer.weight", "layer.bias"}
    # A rank-2 change is kept up to the fp16 rounding of its factors; the bias comes back as stored.
    torch.testing.assert_close(restored["layer.weight"], tuned["layer.weight"], atol=2e-4, rtol=0)
    torch.testing.assert_close(restored["layer.bias"], tuned["layer.bias"])

    rank_one = apply_low_rank_deltas(base, low_rank_deltas(base, tuned, rank=1))["layer.weight"]
    assert (rank_one - tuned["layer.weight"]).norm() > 1e-3  # a lower rank drops the smaller direction


def test_committed_tuned_layers_are_low_rank_changes_of_the_packaged_encoder():
    stored = load_file(str(TUNED_DIR / TUNED_LAYERS_FILE))
    ups = [key for key in stored if key.endswith(".delta_up")]
    assert ups and all(key.startswith("encoder.layer.") for key in stored)
    ranks = {stored[key].shape[1] for key in ups}
    assert len(ranks) == 1 and ranks.pop() < 384  # one rank for all, below the matrices' full rank
    assert (TUNED_DIR / TUNED_LAYERS_FILE).stat().st_size < 5 * 2**20
