"""Resources: the warehouse files, the landing folder, the enrichment models and dbt, all from Settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource

from extract.config import ExtractSetup, load_extract_setup
from orchestration.dbt_project import DBT_EXECUTABLE, ror_dbt_project
from orchestration.settings import Settings, working_database_for


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


class ExtractResource(ConfigurableResource):
    """The configuration file whose brands' accounts and ``extract:`` section drive the API extractors; credentials
    are read from the environment (or the secrets file it names) when a run starts, never stored here."""

    config_path: str = ""

    def setup(self) -> ExtractSetup:
        return load_extract_setup(Path(self.config_path) if self.config_path else None)


def build_resources(settings: Settings) -> dict[str, object]:
    return {
        "warehouse": WarehouseResource(serving_path=str(settings.serving_path)),
        "landing": LandingResource(landing_dir=str(settings.landing_dir)),
        "extract": ExtractResource(config_path=str(settings.config_path or "")),
        "dbt": DbtCliResource(project_dir=ror_dbt_project, dbt_executable=DBT_EXECUTABLE),
    }
