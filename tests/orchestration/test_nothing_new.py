"""A refresh with nothing new since the last one rebuilds nothing and leaves the warehouse and serving file as they
were; anything new (a landing file, the configuration, the dbt project, the models, rows loaded by another process, a
replaced serving file) makes it run."""

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from ingest.pipeline import ingest_paths
from orchestration.refresh_state import enrichment_fingerprint, refresh_inputs, unchanged_since_last_refresh
from orchestration.settings import Settings

ROR = Path(sys.executable).with_name("ror")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CONFIG = "brands:\n- id: acme\n  name: Acme\n"


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    """A warehouse refreshed once by `ror refresh`, as a user runs it, and the command that refreshed it."""
    root = tmp_path_factory.mktemp("nothing_new")
    landing, serving, config = root / "landing", root / "wh" / "ror.duckdb", root / "ror.yaml"
    shutil.copytree(FIXTURES / "x_twitter_v2", landing / "x")
    config.write_text(CONFIG)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROR_")}
    env["DAGSTER_HOME"] = str(root / "dagster")
    command = [
        ROR,
        "refresh",
        "--landing",
        landing,
        "--warehouse",
        serving,
        "--config",
        config,
        "--settle-seconds",
        "0",
    ]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "Nothing new" not in first.stdout
    settings = Settings(landing_dir=landing, serving_path=serving, dagster_home=root / "dagster", config_path=config)
    return settings, command, env


@pytest.mark.slow
def test_a_refresh_with_nothing_new_rebuilds_nothing_and_leaves_the_files_as_they_were(refreshed):
    settings, command, env = refreshed
    before = fingerprint(settings.serving_path), fingerprint(settings.working_path)
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    out = " ".join(again.stdout.split())
    assert "Nothing new since the refresh of" in out and "Refresh succeeded: nothing new" in out
    assert "marts.fct_interactions" in out  # the one-screen summary still lists what is published
    assert (fingerprint(settings.serving_path), fingerprint(settings.working_path)) == before
    with duckdb.connect(str(settings.working_path), read_only=True) as con:
        assert con.execute("select count(*) from config.refresh_state").fetchone() == (1,)


@pytest.mark.slow
def test_anything_new_makes_the_refresh_run(refreshed, tmp_path):
    settings, _, _ = refreshed
    inputs = refresh_inputs(settings)
    assert unchanged_since_last_refresh(settings, inputs) is not None

    # the configuration file edited
    edited = tmp_path / "ror.yaml"
    edited.write_text(CONFIG.replace("Acme", "Acme Inc"))
    changed = replace(settings, config_path=edited)
    assert unchanged_since_last_refresh(changed, refresh_inputs(changed)) is None
    # the dbt project or the models changed
    assert unchanged_since_last_refresh(settings, replace(inputs, dbt_project="another project")) is None
    models = tmp_path / "heads"
    models.mkdir()
    (models / "sentiment.pt").write_bytes(b"other weights")
    other_models = enrichment_fingerprint({"ROR_HEADS_DIR": str(models)})
    assert other_models != inputs.enrichment
    assert unchanged_since_last_refresh(settings, replace(inputs, enrichment=other_models)) is None

    # the serving file replaced (a restore, a copy by hand)
    serving = settings.serving_path.stat()
    os.utime(settings.serving_path, ns=(serving.st_atime_ns, serving.st_mtime_ns + 1))
    assert unchanged_since_last_refresh(settings, inputs) is None
    os.utime(settings.serving_path, ns=(serving.st_atime_ns, serving.st_mtime_ns))
    assert unchanged_since_last_refresh(settings, inputs) is not None

    # a new landing file
    new_file = settings.landing_dir / "x" / "later.jsonl"
    shutil.copyfile(FIXTURES / "x_twitter_v2" / "two_tweets.jsonl", new_file)
    assert unchanged_since_last_refresh(settings, inputs) is None
    # ... loaded by another process (`ror ingest`): still new for the marts
    with duckdb.connect(str(settings.working_path)) as con:
        ingest_paths([new_file], landing_root=settings.landing_dir, con=con, batch_id="by hand")
    assert unchanged_since_last_refresh(settings, inputs) is None
