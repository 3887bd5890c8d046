"""A serving warehouse for the report tests: the hand-written fixture warehouse (tests/fixtures/raw/), built by a real
`dbt build` and published the way a refresh publishes it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS), str(TESTS / "dbt")]

from fixture_warehouse import load_batches  # noqa: E402

from orchestration.publish import publish  # noqa: E402
from orchestration.settings import DBT_PROJECT_DIR  # noqa: E402


@pytest.fixture(scope="session")
def serving_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report_warehouse")
    working, serving = root / "ror.work.duckdb", root / "ror.duckdb"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ROR_WORK_DB", str(working))
        load_batches(working, {1, 2})
    # dbt in its own process, as the pipeline runs it: an in-process dbt keeps the working database open.
    subprocess.run(
        [Path(sys.executable).with_name("dbt"), "build", "--exclude", "test_type:unit", "--quiet",
         "--project-dir", DBT_PROJECT_DIR, "--profiles-dir", DBT_PROJECT_DIR, "--target-path", root / "target",
         "--log-path", root / "logs"],
        env={**os.environ, "ROR_WORK_DB": str(working)}, check=True, capture_output=True, timeout=600,
    )
    publish(working, serving, "report-test")
    return serving
