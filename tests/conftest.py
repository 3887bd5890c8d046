"""Test-wide settings: nothing may reach the network, and nothing writes outside pytest's temporary folders."""

import os
import tempfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ROR_HASH_SALT", "test-salt")
# Fixtures are written completely just before each run; tests of the settle time set their own.
os.environ.setdefault("ROR_SETTLE_SECONDS", "0")
# The int8 encoder export is derived on first use; keep it out of the user's ~/.cache (one folder per test session,
# shared with the `ror` subprocesses the end-to-end tests start).
os.environ.setdefault("ROR_MODEL_CACHE", tempfile.mkdtemp(prefix="ror-model-cache-"))

# A local HTTP server that replays recorded API responses (the `replay` fixture) for the extractors' tests.
pytest_plugins = ["tests.support.api_replay"]
