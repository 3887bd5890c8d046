"""Superset (bi/) serving the fixture warehouse on 127.0.0.1, set up the way `make bi` sets it up.

The first run installs bi/.venv with `make bi-setup` (a few minutes, once per clone); later runs find it in place.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS), str(TESTS / "dbt")]

from support.fixture_serving import build_fixture_warehouse  # noqa: E402
from support.superset import Superset, Warehouse, serve_superset  # noqa: E402

from orchestration.publish import publish  # noqa: E402


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    root = tmp_path_factory.mktemp("bi_warehouse")
    working, serving = build_fixture_warehouse(root, themed=True), root / "ror.duckdb"
    publish(working, serving, "snapshot-0")
    return Warehouse(working, serving)


@pytest.fixture(scope="session")
def superset(warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Superset]:
    home, log = tmp_path_factory.mktemp("superset_home"), tmp_path_factory.getbasetemp() / "superset.log"
    with serve_superset(["--serving-file", str(warehouse.serving)], home, log) as served:
        yield served
