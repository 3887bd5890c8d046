"""Test-wide settings: nothing may reach the network, and nothing writes outside pytest's temporary folders."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ROR_HASH_SALT", "test-salt")
