"""Shared fixtures: the real packaged encoder and committed heads (loaded once), a tiny encoder built on the spot."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_models import build_tiny_bert

from models.encoder import Encoder
from models.enrich import EnrichConfig, Enricher


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("model_cache")


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    return Encoder()


@pytest.fixture(scope="session")
def enricher(model_cache) -> Enricher:
    return Enricher(EnrichConfig(int8=False, cache_dir=model_cache))


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory) -> Path:
    return build_tiny_bert(tmp_path_factory.mktemp("tiny-encoder"))
