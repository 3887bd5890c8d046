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
    ``themed`` places the fixture's texts on themes of FIXTURE_LABELS first (the fixture has no embeddings to find
    themes)."""
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


# labels as the theme model writes them (its most distinctive words); each brand group gets its own three themes
FIXTURE_LABELS = ("late delivery", "oat latte", "friendly staff")


def place_on_themes(working: Path) -> None:
    """Every audience text of the fixture on one of FIXTURE_LABELS' themes of each brand group (and of no group), in
    turn by its hash: the theme tables as the interaction_themes asset writes them, one theme id per group and label
    (replacing the themes fixture_warehouse places by sentiment)."""
    with duckdb.connect(str(working)) as con:
        con.execute("delete from enrichment.theme_assignments; delete from enrichment.themes")
        con.execute(
            "create temp table fixture_themes as select printf('theme-%04d', row_number() over (order by brand_id "
            "nulls first, label_number)) as theme_id, brand_id, label, label_number from (select brand_id from "
            "config.brands union all select null) cross join (select unnest(?) as label, "
            "generate_subscripts(?, 1) as label_number)",
            [list(FIXTURE_LABELS), list(FIXTURE_LABELS)],
        )
        con.execute(
            "insert into enrichment.themes select theme_id, brand_id, label, 'fixture', 'fixture', null, "
            "timestamptz '2026-01-01' from fixture_themes"
        )
        con.execute(
            "insert into enrichment.theme_assignments select texts.text_hash, themes.brand_id, themes.theme_id, 0.9, "
            "'assigned', 'fixture', timestamptz '2026-01-01' from (select text_hash, (row_number() over (order by "
            "text_hash) - 1) % 3 + 1 as label_number from (select distinct text_hash from raw.interactions where "
            "text_hash is not null)) as texts inner join fixture_themes as themes using (label_number)"
        )
