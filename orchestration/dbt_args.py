"""The `dbt build` command line of a refresh: pure, so what reaches dbt is testable without running it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path


def dbt_build_args(config_vars: Mapping[str, int | float], full_refresh: bool) -> list[str]:
    """`dbt build` arguments: the configuration's vars (only when it gives any) and the refresh mode.

    The partition window is not a var (see ``dbt_build_env``): dbt re-parses the whole project whenever --vars differ
    from the last parse, which a window changing every day would cost every run."""
    # Unit tests check the SQL against fixed inputs, not the data: they run in CI (tests/dbt), not in every refresh,
    # as dbt recommends; in a refresh they were a third of dbt's time.
    args = ["build", "--exclude", "test_type:unit"]
    if config_vars:
        args += ["--vars", json.dumps(dict(config_vars), sort_keys=True)]
    return [*args, *(["--full-refresh"] if full_refresh else [])]


def dbt_build_env(working_path: Path, min_date: date, max_date: date) -> dict[str, str]:
    """What dbt reads from the environment in a refresh: the working database (profiles.yml) and the partition window
    (fct_interactions and sentiment_trend). A changed environment variable re-parses only the files that read it."""
    return {
        "ROR_WORK_DB": str(working_path),
        "ROR_DBT_MIN_DATE": min_date.isoformat(),
        "ROR_DBT_MAX_DATE": max_date.isoformat(),
    }
