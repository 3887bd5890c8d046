"""The enrichment models run in a process of their own (models.scoring), never in the refresh's: torch and the encoder
leave with it before dbt starts. The model version is remembered in the warehouse for a digest of the models' files,
so a refresh with nothing to score starts no models process at all; a changed model file makes the next refresh ask
the models again."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from dagster import Failure

from models.heads import HEADS_DIR
from orchestration.assets.enrichment import run_models

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# `ror` itself, in a process that reports at exit whether it imported torch and how many models processes it started
# (seen by an audit hook on subprocess.Popen: the real process, nothing replaced).
WATCHED_ROR = """
import json, sys
from pathlib import Path
report, argv, started = Path(sys.argv[1]), sys.argv[2:], []
sys.addaudithook(
    lambda event, args: started.append(1)
    if event == "subprocess.Popen" and "models.scoring" in [str(a) for a in args[1] or []]
    else None
)
from orchestration.cli import main
code = main(argv)
report.write_text(json.dumps({"torch": "torch" in sys.modules, "models_processes": len(started)}))
sys.exit(code)
"""


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """A landing folder, a heads folder of its own (ROR_HEADS_DIR) and the command that refreshes a warehouse."""
    root = tmp_path_factory.mktemp("models_process")
    landing, serving, heads = root / "landing", root / "wh" / "ror.duckdb", root / "heads"
    shutil.copytree(FIXTURES / "x_twitter_v2", landing / "x")
    shutil.copytree(HEADS_DIR, heads)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROR_")}
    env |= {"DAGSTER_HOME": str(root / "dagster"), "ROR_HEADS_DIR": str(heads)}

    def refresh(*extra: str) -> dict:
        report = root / "report.json"
        arguments = ["refresh", "--landing", landing, "--warehouse", serving, "--settle-seconds", "0", *extra]
        command = [sys.executable, "-c", WATCHED_ROR, report, *arguments]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return json.loads(report.read_text())

    return refresh, serving, heads


def _scored(serving: Path) -> tuple[int, int]:
    working = serving.with_name("ror.work.duckdb")
    with duckdb.connect(str(working), read_only=True) as con:
        return con.execute("select count(*), count(distinct model_version) from enrichment.text_enrichment").fetchone()


@pytest.mark.slow
def test_the_models_run_in_their_own_process_and_only_when_needed(warehouse):
    refresh, serving, heads = warehouse

    first = refresh()
    # one models process learns which version the models are, another scores: torch never in the refresh itself
    assert first == {"torch": False, "models_processes": 2}
    scored = _scored(serving)
    assert scored[0] > 0

    # A run with nothing to score (--partition: a run even though nothing is new) starts no models process.
    assert refresh("--partition", "2024-01-01") == {"torch": False, "models_processes": 0}

    # A model file changed (here only its time): the remembered version no longer vouches for the models, so they
    # are asked again, once; the same weights give the same version, and nothing is scored twice.
    weights = next(heads.glob("*.safetensors"))
    os.utime(weights, ns=(weights.stat().st_atime_ns, weights.stat().st_mtime_ns + 10**9))
    assert refresh("--partition", "2024-01-01") == {"torch": False, "models_processes": 1}
    assert _scored(serving) == scored


def test_models_that_fail_to_load_fail_the_step_in_one_line(tmp_path):
    empty_heads = tmp_path / "heads"
    empty_heads.mkdir()
    with pytest.raises(Failure) as failed:
        run_models({"ROR_HEADS_DIR": str(empty_heads)})
    assert failed.value.description.startswith("The enrichment models failed (exit 1): ")
    assert "\n" not in failed.value.description
