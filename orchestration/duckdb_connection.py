"""Every DuckDB connection that works on the warehouse opens here, under the memory limit and spill folder the
settings name (orchestration.settings.Settings.duckdb_limits): DuckDB would otherwise take 80% of the machine's
memory. dbt opens its own, with the same limits written into its profile (orchestration.dbt_project.profile_yaml)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb


def connect_with_limits(
    database: Path | str, limits: Mapping[str, str], read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """A connection to ``database`` configured with ``limits`` (memory_limit, temp_directory, made if missing)."""
    if "temp_directory" in limits:
        Path(limits["temp_directory"]).mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(database), read_only=read_only, config=dict(limits))
