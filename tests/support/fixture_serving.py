"""The hand-written fixture warehouse (tests/fixtures/raw/) built by a real `dbt build`, for tests that read marts:
the report and the BI tool."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixture_warehouse import load_batches

from orchestration.settings import DBT_PROJECT_DIR


def build_fixture_warehouse(root: Path) -> Path:
    """The working database after loading both fixture batches and building every model; publish it from there."""
    working = root / "ror.work.duckdb"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ROR_WORK_DB", str(working))
        load_batches(working, {1, 2})
    # dbt in its own process, as the pipeline runs it: an in-process dbt keeps the working database open.
    subprocess.run(
        [
            Path(sys.executable).with_name("dbt"),
            "build",
            "--exclude",
            "test_type:unit",
            "--quiet",
            "--project-dir",
            DBT_PROJECT_DIR,
            "--profiles-dir",
            DBT_PROJECT_DIR,
            "--target-path",
            root / "target",
            "--log-path",
            root / "logs",
        ],
        env={**os.environ, "ROR_WORK_DB": str(working)},
        check=True,
        capture_output=True,
        timeout=600,
    )
    return working
