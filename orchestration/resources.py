"""Resources: the warehouse files, the landing folder, the enrichment models and dbt, all from Settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource

from orchestration.dbt_project import DBT_EXECUTABLE, ror_dbt_project
from orchestration.settings import Settings, working_database_for
from ror_config import RorConfig, load_config


class WarehouseResource(ConfigurableResource):
    """The serving DuckDB file BI tools read, and the working database the pipeline builds into beside it."""

    serving_path: str
    # Bounds DuckDB's buffer pool so a large ingest spills to disk instead of growing with the file.
    memory_limit: str = "1GB"

    @property
    def working_path(self) -> Path:
        return working_database_for(Path(self.serving_path))

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived connection to the working database: closed before dbt runs (one writer per file)."""
        self.working_path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.working_path), read_only=read_only, config={"memory_limit": self.memory_limit})
        try:
            yield con
        finally:
            con.close()


class LandingResource(ConfigurableResource):
    """The folder export files are delivered to."""

    landing_dir: str

    @property
    def path(self) -> Path:
        return Path(self.landing_dir)


class ConfigFileResource(ConfigurableResource):
    """The warehouse's configuration file (brands, accounts, employees, campaigns, ad action types, dbt vars)."""

    config_path: str | None = None

    def load(self) -> RorConfig:
        """The validated configuration; without a file, the empty one (no brands: nothing is attributed)."""
        return load_config(self.config_path) if self.config_path else RorConfig()


def build_resources(settings: Settings) -> dict[str, object]:
    return {
        "warehouse": WarehouseResource(serving_path=str(settings.serving_path)),
        "landing": LandingResource(landing_dir=str(settings.landing_dir)),
        "ror_config": ConfigFileResource(config_path=str(settings.config_path) if settings.config_path else None),
        "dbt": DbtCliResource(project_dir=ror_dbt_project, dbt_executable=DBT_EXECUTABLE),
    }
