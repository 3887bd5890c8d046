"""A serving warehouse for the report tests: the hand-written fixture warehouse (tests/fixtures/raw/), built by a real
`dbt build` and published the way a refresh publishes it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS), str(TESTS / "dbt")]

from support.fixture_serving import build_fixture_warehouse  # noqa: E402

from orchestration.publish import publish  # noqa: E402


@pytest.fixture(scope="session")
def serving_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report_warehouse")
    serving = root / "ror.duckdb"
    publish(build_fixture_warehouse(root, themed=True), serving, "report-test")
    return serving
