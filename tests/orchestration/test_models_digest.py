"""What lets a refresh skip loading the models: the warehouse remembers their version for a digest of their files, a
changed file makes another digest, and the refresh's own modules never import torch."""

import os
import shutil
import subprocess
import sys

import duckdb

from models.cache import ensure_enrichment_table, forget_models, remember_models, remembered_models
from models.heads import HEADS_DIR
from orchestration.refresh_state import enrichment_fingerprint


def test_a_changed_weight_file_changes_the_models_digest(tmp_path):
    heads = tmp_path / "heads"
    shutil.copytree(HEADS_DIR, heads)
    variables = {"ROR_HEADS_DIR": str(heads)}
    before = enrichment_fingerprint(variables)
    assert enrichment_fingerprint(variables) == before

    weights = next(heads.glob("*.safetensors"))
    stat = weights.stat()
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    touched = enrichment_fingerprint(variables)
    assert touched != before

    with weights.open("ab") as file:
        file.write(b"\0")
    assert enrichment_fingerprint(variables) not in (before, touched)


def test_the_warehouse_remembers_a_version_per_digest_until_told_it_is_wrong(tmp_path):
    with duckdb.connect(str(tmp_path / "work.duckdb")) as con:
        ensure_enrichment_table(con)
        assert remembered_models(con, "digest-a") is None
        remember_models(con, "digest-a", "minilm+heads", "v1")
        remember_models(con, "digest-b", "minilm+heads", "v1")
        assert remembered_models(con, "digest-a") == ("minilm+heads", "v1")
        remember_models(con, "digest-a", "minilm+heads", "v2")  # asked again: the answer replaces the old one
        assert remembered_models(con, "digest-a") == ("minilm+heads", "v2")

        forget_models(con, "v1")
        assert remembered_models(con, "digest-b") is None
        assert remembered_models(con, "digest-a") == ("minilm+heads", "v2")


def test_the_refresh_modules_import_no_torch():
    modules = "orchestration.build, orchestration.assets.enrichment, orchestration.assets.themes, orchestration.cli"
    code = f"import sys, {modules}; print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"
