"""Resources: the warehouse files, the landing folder, the configuration file, the enrichment models and dbt, all
built from one Settings value (build_resources): the values every asset, check and sensor works with."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from dagster import ConfigurableResource, InitResourceContext
from dagster_dbt import DbtProject

from ingest.privacy import ContactSalt
from orchestration.dbt_project import dbt_cli
from orchestration.duckdb_connection import connect_with_limits
from orchestration.instance import mark_run_abandoned
from orchestration.settings import (
    STEP_MEMORY_LIMIT,
    Settings,
    contact_salt,
    dbt_folder_for,
    enrichment_spool_for,
    handoff_folder_for,
    working_database_for,
)
from orchestration.warehouse_lock import LockHolder, held_by_run, warehouse_writer_lock
from ror_config import RorConfig, load_config

if TYPE_CHECKING:
    from models.enrich import EnrichConfig


class WarehouseResource(ConfigurableResource):
    """The serving DuckDB file BI tools read, and the working database the pipeline builds into beside it.

    A run that uses it holds the warehouse's writer lock from its first step to its last, whoever launched it: the UI,
    the schedule, the sensor or `ror refresh`. The refresh job's executor takes it in the run's orchestrating process
    (orchestration.executor); a step process of that run finds it held for its run and works under it. Elsewhere (an
    asset materialized on its own, in one process) the resource takes it for as long as it lives.
    """

    serving_path: str
    # DuckDB's memory_limit and temp_directory for the steps' connections (Settings.duckdb_limits): a bounded buffer
    # pool, so a large ingest spills to disk instead of growing with the file.
    duckdb_limits: dict[str, str] = {"memory_limit": STEP_MEMORY_LIMIT}
    # The same for publication (orchestration.publish), with the warehouse's whole memory limit, as dbt's: it runs
    # when dbt has ended, and copying the largest mart in order under STEP_MEMORY_LIMIT took twice as long (1M
    # interactions: fct_interactions 6.6 s under 1 GB, 3.5-5 s under 2-4 GB).
    publish_duckdb_limits: dict[str, str] = {"memory_limit": STEP_MEMORY_LIMIT}
    # How long to wait for DuckDB's file lock left by a killed run's lingering child process (see connect).
    file_lock_wait_seconds: float = 120.0
    # dbt on a deployment's Spark cluster (orchestration.deployment): Spark's warehouse folder, where its marts land
    # (orchestration.spark_marts); None: dbt builds in the working database.
    spark_warehouse_dir: str | None = None

    @property
    def working_path(self) -> Path:
        return working_database_for(Path(self.serving_path))

    @property
    def handoff_path(self) -> Path:
        return handoff_folder_for(Path(self.serving_path))

    @property
    def dbt_folder(self) -> Path:
        return dbt_folder_for(Path(self.serving_path), on_spark=self.spark_warehouse_dir is not None)

    @property
    def enrichment_spool_path(self) -> Path:
        return enrichment_spool_for(Path(self.serving_path))

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[WarehouseResource]:
        run_id = context.run.run_id if context.run else None
        if run_id is not None and held_by_run(self.working_path, run_id):
            yield self
            return

        def waiting(holder: LockHolder | None) -> None:
            who = holder.describe() if holder else "another process"
            context.log.info(f"Waiting for the warehouse {self.serving_path}: it is being refreshed by {who}")

        def abandoned(holder: LockHolder) -> None:
            if context.instance is not None:
                mark_run_abandoned(context.instance, holder, found_by=f"run {run_id}")

        with warehouse_writer_lock(
            self.working_path,
            command="dagster run",
            wait=True,
            run_id=run_id,
            on_wait=waiting,
            on_abandoned=abandoned,
        ):
            yield self

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived connection to the working database: closed before dbt runs (one writer per file)."""
        self.working_path.parent.mkdir(parents=True, exist_ok=True)
        # The writer lock is ours, yet DuckDB's own file lock may still be held for a moment: when only the `ror`
        # process of a killed run got SIGKILL, its dbt child lives on until its next log line hits the closed pipe.
        deadline = time.monotonic() + self.file_lock_wait_seconds
        while True:
            try:
                con = connect_with_limits(self.working_path, self.duckdb_limits, read_only=read_only)
                break
            except duckdb.IOException as error:
                if "lock" not in str(error).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(1)
        try:
            yield con
        finally:
            con.close()


class LandingResource(ConfigurableResource):
    """The folder export files are delivered to; files written to within ``settle_seconds`` wait for a later run."""

    landing_dir: str
    settle_seconds: float = 60.0
    # how ingest reads and batches the files (orchestration.settings.Settings.ingest_workers, ingest_batch_rows)
    ingest_workers: int = 1
    ingest_batch_rows: int = 50_000

    @property
    def path(self) -> Path:
        return Path(self.landing_dir)

    def contact_salt(self) -> ContactSalt:
        """What the ingest hashes emails and phone numbers with, read in the process that ingests
        (orchestration.settings.contact_salt): a secret is never a config value, which Dagster stores with the run."""
        return contact_salt()


class ConfigFileResource(ConfigurableResource):
    """The warehouse's configuration file (brands, accounts, employees, campaigns, ad action types, dbt vars), parsed
    once per process of a run: every asset of the run shares the parsed value."""

    config_path: str | None = None

    def load(self) -> RorConfig:
        """The validated configuration; without a file, the empty one (no brands: nothing is attributed)."""
        if not self.config_path:
            return RorConfig()
        path = Path(self.config_path)
        if not path.is_file():
            return load_config(path)  # raises the configuration's own "no such file" error
        stat = path.stat()
        return _parsed_config(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _parsed_config(config_path: str, mtime_ns: int, size: int) -> RorConfig:
    """One parse per version of the file: a run's steps share it, an edited file is parsed again."""
    return load_config(config_path)


class EnrichmentResource(ConfigurableResource):
    """The enrichment models' settings as given at the edge (orchestration.settings.ENRICHMENT_VARIABLES)."""

    variables: dict[str, str] = {}
    # Hash buckets of a run whose run config names no workers (`execution: config: workers`), as the executor's.
    default_workers: int = 1

    def config(self) -> EnrichConfig:
        from models.enrich import EnrichConfig  # torch: only where the models load, never at a run's start

        return EnrichConfig.from_variables(self.variables)


def _spark_warehouse_dir(settings: Settings) -> str | None:
    spark_conf = settings.deployment.spark_conf if settings.deployment else None
    return None if spark_conf is None else spark_conf.get("spark.sql.warehouse.dir", "spark-warehouse")


def resource_config(settings: Settings) -> dict[str, dict]:
    """Each resource's config values for the warehouse ``settings`` name: the resources of its definitions, or the
    run config of a run that the code location of another warehouse launches (orchestration.cli.queued)."""
    return {
        "warehouse": {
            "serving_path": str(settings.serving_path),
            "duckdb_limits": settings.duckdb_limits(at_most=STEP_MEMORY_LIMIT),
            "publish_duckdb_limits": settings.duckdb_limits(),
            "spark_warehouse_dir": _spark_warehouse_dir(settings),
        },
        "ror_config": {"config_path": str(settings.config_path) if settings.config_path else None},
        "landing": {
            "landing_dir": str(settings.landing_dir),
            "settle_seconds": settings.settle_seconds,
            "ingest_workers": settings.ingest_workers,
            "ingest_batch_rows": settings.ingest_batch_rows,
        },
        "enrichment": {"variables": dict(settings.enrichment), "default_workers": settings.enrich_workers},
    }


def build_resources(settings: Settings, dbt_project: DbtProject) -> dict[str, object]:
    config = resource_config(settings)
    return {
        "warehouse": WarehouseResource(**config["warehouse"]),
        "ror_config": ConfigFileResource(**config["ror_config"]),
        "landing": LandingResource(**config["landing"]),
        "enrichment": EnrichmentResource(**config["enrichment"]),
        "dbt": dbt_cli(dbt_project),
    }
