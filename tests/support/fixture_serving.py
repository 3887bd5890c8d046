"""The hand-written fixture warehouse (tests/fixtures/raw/) built by a real `dbt build`, for tests that read marts:
the report and the BI tool."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from fixture_warehouse import load_batches

from orchestration.settings import DBT_PROJECT_DIR


def build_fixture_warehouse(root: Path, themed: bool = False) -> Path:
    """The working database after loading both fixture batches and building every model; publish it from there.
    ``themed`` places the fixture's texts on FIXTURE_THEMES first (the fixture has no embeddings to find themes)."""
    working = root / "ror.work.duckdb"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ROR_WORK_DB", str(working))
        load_batches(working, {1, 2})
    if themed:
        place_on_themes(working)
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


# labels as the theme model writes them (its most distinctive words)
FIXTURE_THEMES = {"theme-0001": "late delivery", "theme-0002": "oat latte", "theme-0003": "friendly staff"}


def place_on_themes(working: Path) -> None:
    """Every audience text of the fixture on one of FIXTURE_THEMES, in turn by its hash: the theme tables as the
    interaction_themes asset writes them (replacing the two themes fixture_warehouse places by sentiment)."""
    with duckdb.connect(str(working)) as con:
        con.execute("delete from enrichment.theme_assignments; delete from enrichment.themes")
        con.executemany(
            "insert into enrichment.themes values (?, ?, 'fixture', 'fixture', null, timestamptz '2026-01-01')",
            list(FIXTURE_THEMES.items()),
        )
        con.execute(
            "insert into enrichment.theme_assignments select text_hash, ['theme-0001', 'theme-0002', 'theme-0003']["
            "(row_number() over (order by text_hash) - 1) % 3 + 1], 0.9, 'assigned', 'fixture', "
            "timestamptz '2026-01-01' from (select distinct text_hash from raw.interactions "
            "where text_hash is not null)"
        )
