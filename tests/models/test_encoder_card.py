"""The int8 encoder's card (models.encoder.EncoderCard): what it spares a refresh and when it is not trusted."""

import json
import os
import shutil

import numpy as np
import pytest

from models.encoder import Encoder

TEXTS = ["i love this coffee", "the worst service ever, still waiting", "ok"]


@pytest.fixture
def tiny_copy(tiny_encoder_dir, tmp_path):
    return shutil.copytree(tiny_encoder_dir, tmp_path / "tiny-encoder")


def _refuse_to_load(encoder: Encoder) -> None:
    raise AssertionError("the transformer loaded although its card was there")


def test_a_second_int8_encoder_loads_no_transformer_and_scores_bit_for_bit_the_same(tiny_copy, tmp_path, monkeypatch):
    first = Encoder(tiny_copy, int8=True, cache_dir=tmp_path / "cache")
    expected = first.encode(TEXTS)  # exports the int8 graph
    monkeypatch.setattr(Encoder, "_load_transformer", _refuse_to_load)

    carded = Encoder(tiny_copy, int8=True, cache_dir=tmp_path / "cache")

    assert (carded.name, carded.fingerprint, carded.dim, carded.layers, carded.precision) == (
        first.name,
        first.fingerprint,
        first.dim,
        first.layers,
        first.precision,
    )
    assert carded.tokenize(TEXTS + ["word " * 300]) == first.tokenize(TEXTS + ["word " * 300])
    np.testing.assert_array_equal(carded.encode(TEXTS), expected)


def test_a_model_file_rewritten_gives_a_new_card_and_the_transformer_loads(tiny_copy, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    Encoder(tiny_copy, int8=True, cache_dir=cache)
    config = tiny_copy / "config.json"
    os.utime(config, ns=(config.stat().st_atime_ns, config.stat().st_mtime_ns + 1_000_000_000))
    loads = []
    load = Encoder._load_transformer
    monkeypatch.setattr(Encoder, "_load_transformer", lambda encoder: loads.append(1) or load(encoder))

    Encoder(tiny_copy, int8=True, cache_dir=cache)

    assert loads == [1]
    assert len(list((cache / "encoders").glob("*.json"))) == 2


def test_a_card_that_does_not_match_its_files_is_caught_when_the_transformer_loads(tiny_copy, tmp_path):
    cache = tmp_path / "cache"
    Encoder(tiny_copy, int8=True, cache_dir=cache)
    (card_path,) = (cache / "encoders").glob("*.json")
    card = json.loads(card_path.read_text("utf-8"))
    card_path.write_text(json.dumps({**card, "fingerprint": "0" * 64}), "utf-8")
    carded = Encoder(tiny_copy, int8=True, cache_dir=cache)
    assert carded.fingerprint == "0" * 64
    with pytest.raises(ValueError, match="changed without its files"):
        carded.encode(TEXTS)  # no int8 graph for that fingerprint yet: exporting one needs the transformer


def test_the_fp32_encoder_writes_no_card(tiny_copy, tmp_path):
    Encoder(tiny_copy, cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache" / "encoders").exists()
