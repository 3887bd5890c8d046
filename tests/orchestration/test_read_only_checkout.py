"""A refresh writes nothing into the checkout: dbt's profile, manifest, run artifacts and logs live in the warehouse's
dbt folder (issue 29). Shown by running `ror refresh` from a copy of the code that nobody may write to."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
PACKAGES = ("orchestration", "ingest", "models", "extract", "ror_config", "report", "dbt_project")


def _read_only_copy(destination: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            PROJECT_ROOT / package,
            destination / package,
            ignore=shutil.ignore_patterns("__pycache__", "target", "logs", ".user.yml"),
        )
    for path in [destination, *destination.rglob("*")]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return destination


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


@pytest.mark.slow
def test_a_refresh_from_a_read_only_checkout_writes_only_beside_its_warehouse(tmp_path: Path) -> None:
    checkout = _read_only_copy(tmp_path / "checkout")
    before = _tree(checkout)
    landing, serving = tmp_path / "landing", tmp_path / "wh" / "ror.duckdb"
    shutil.copytree(FIXTURES / "x_twitter_v2", landing / "x")
    env = {**os.environ, "PYTHONPATH": str(checkout), "DAGSTER_HOME": str(tmp_path / "dagster")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    try:
        refresh = subprocess.run(
            [sys.executable, "-m", "orchestration.cli", "refresh", "--landing", landing, "--warehouse", serving],
            cwd=checkout,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert refresh.returncode == 0, refresh.stdout[-3000:] + refresh.stderr[-3000:]
        assert _tree(checkout) == before
    finally:
        for path in [checkout, *checkout.rglob("*")]:  # let pytest remove it
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
    with duckdb.connect(str(serving), read_only=True) as con:
        (interactions,) = con.execute("select count(*) from marts.fct_interactions").fetchone()
    assert interactions > 0
    dbt_folder = serving.with_name("ror.dbt")
    assert (dbt_folder / "profiles.yml").is_file() and (dbt_folder / "target" / "run_results.json").is_file()
    assert (dbt_folder / "target" / "dbt.log").is_file()
