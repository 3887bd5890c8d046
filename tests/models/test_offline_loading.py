"""The models load without the network and without touching the process environment.

Run in a fresh interpreter whose environment does not switch Hugging Face offline (the test session's conftest does),
with every socket refused: importing the model modules and loading the packaged encoder and a model by hub id from
the local cache must neither try to connect nor write ``os.environ``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tiny_models import build_tiny_bert

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HUB_ID = "ror-test/tiny-sentiment"
COMMIT = "0" * 40

LOAD_WITHOUT_NETWORK = f"""
import os
import socket

import polars  # noqa: F401  (polars sets its allocator's _RJEM_MALLOC_CONF when imported: not the project's write)

before = dict(os.environ)
attempts = []


def refuse(*args, **kwargs):
    attempts.append(args[1:2])
    raise OSError("this test has no network")


socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

from models.encoder import Encoder
from models.sentiment_override import SentimentModel

assert Encoder().encode(["i love this coffee !"]).shape[0] == 1
assert SentimentModel({HUB_ID!r}).probabilities(["i love this coffee !"]).shape == (1, 3)
assert attempts == [], f"tried to connect: {{attempts}}"
changed = sorted(name for name in set(before) | set(os.environ) if before.get(name) != os.environ.get(name))
assert changed == [], f"the environment changed: {{changed}}"
print("loaded offline")
"""


def cache_as_the_hub_would(hf_home: Path, hub_id: str, model_folder: Path) -> None:
    """``model_folder`` laid out in a Hugging Face cache under ``hf_home`` as if ``hub_id`` had been downloaded."""
    repo = hf_home / "hub" / f"models--{hub_id.replace('/', '--')}"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(COMMIT)
    (repo / "snapshots").mkdir()
    model_folder.rename(repo / "snapshots" / COMMIT)


def test_loading_the_models_reaches_no_network_and_leaves_the_environment_alone(tmp_path):
    hf_home = tmp_path / "hf"
    model = build_tiny_bert(tmp_path / "tiny-sentiment", {0: "negative", 1: "neutral", 2: "positive"})
    cache_as_the_hub_would(hf_home, HUB_ID, model)
    hub_settings = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_CACHE", "HF_HOME", "TRANSFORMERS_CACHE")
    env = {name: value for name, value in os.environ.items() if name not in hub_settings}
    env |= {"HF_HOME": str(hf_home), "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", LOAD_WITHOUT_NETWORK], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "loaded offline" in done.stdout
