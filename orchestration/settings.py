"""Every setting of a refresh, read once at the edge into one validated value.

The edge is the `ror` command line (its arguments over the environment) and the code location Dagster's own tools
load (orchestration/definitions.py). Everything else receives a ``Settings`` (the definitions factory, the CLI) or what
the definitions built from it (resources, executor config, job tags): no other module reads these variables, and none
writes the environment.

The environment variables read here (defaults in brackets; also listed in .env.example):

    ROR_LANDING_DIR       folder export files are delivered to                  [data/landing]
    ROR_WAREHOUSE         serving DuckDB file BI tools read                      [data/warehouse/ror.duckdb]
    ROR_CONFIG            configuration file: brands, accounts, campaigns, vars  [none: no brands]
    ROR_SETTLE_SECONDS    a delivered file untouched this long is complete       [60]
    ROR_ENRICH_WORKERS    hash buckets / worker processes of a refresh           [1]
    ROR_INGEST_WORKERS    processes that read landing files side by side         [cores, at most 4]
    ROR_INGEST_BATCH_ROWS rows of small files held in memory to load together    [50000]
    ROR_DUCKDB_MEMORY_LIMIT  DuckDB's memory_limit: "4GB", "512MiB", "25%"       [a fifth of the memory, at most 2GiB]
    ROR_DUCKDB_TEMP_DIR   folder DuckDB spills to beyond that limit               [<warehouse>.tmp beside it]
    DAGSTER_HOME          the Dagster instance's folder                          [.dagster_home]
    ROR_DEPLOYMENT        a deployment file: steps on Celery workers, dbt on Spark [none: this machine]
                          (orchestration/deployment.py; `make cluster-up` writes one)
    ROR_ENCODER ... ROR_MODEL_CACHE   the enrichment models (models/README.md; EnrichConfig.from_variables)

Secrets stay in the environment (or a secrets file) and are read by the process that uses them, at its edge: they
never travel in Settings or run config, which Dagster stores with the run.

    ROR_HASH_SALT         secret salt emails and phone numbers are hashed with   [development salt, with a warning]
    ROR_ENV               "production": a missing ROR_HASH_SALT is an error      [development]
                          (``contact_salt``: `ror ingest`, and the ingest step's LandingResource.contact_salt)
    API tokens            extract.config.load_extract_setup(config, environ)
    SMTP password         the variable alerts.email.password_env names, read when an alert is sent (alerts.sending)
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

import psutil

from models.variables import ENRICHMENT_VARIABLES
from orchestration.deployment import Deployment, load_deployment
from ror_config import CONFIG_ENV_VARIABLE

if TYPE_CHECKING:
    from ingest.privacy import ContactSalt

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"


def working_database_for(serving_path: Path) -> Path:
    """The pipeline builds into a working database beside the serving file; BI tools only ever read the serving one."""
    return serving_path.with_name(f"{serving_path.stem}.work{serving_path.suffix or '.duckdb'}")


def handoff_folder_for(serving_path: Path) -> Path:
    """The Parquet export of the warehouse's inputs for another engine (orchestration.handoff), beside the files."""
    return serving_path.with_name(f"{serving_path.stem}.parquet")


def enrichment_spool_for(serving_path: Path) -> Path:
    """Where enrichment workers exchange Parquet files (orchestration.assets.enrichment), beside the warehouse."""
    return serving_path.with_name(f"{serving_path.stem}.enrichment")


def duckdb_temp_folder_for(serving_path: Path) -> Path:
    """Where DuckDB spills what exceeds its memory limit, beside the warehouse (the disk that already holds it)."""
    return serving_path.with_name(f"{serving_path.stem}.tmp")


def dbt_folder_for(serving_path: Path, on_spark: bool = False) -> Path:
    """dbt's profile, manifest, run artifacts and logs for this warehouse, beside it: a run writes nothing into the
    checkout, and two warehouses never share a dbt target. dbt on Spark gets a folder of its own: its profile and
    manifest are not DuckDB's, and a cluster's code location that loads this warehouse's definitions (rewriting the
    profile each time) must not swap the profile under a refresh on DuckDB of the same warehouse."""
    return serving_path.with_name(f"{serving_path.stem}.dbt-spark" if on_spark else f"{serving_path.stem}.dbt")


def child_environment(**overrides: str) -> dict[str, str]:
    """This process's environment with ``overrides``, for a command it starts that must find the same secrets
    (ROR_HASH_SALT) and tools (PATH) but another instance or warehouse."""
    return {**os.environ, **overrides}


def contact_salt(env: Mapping[str, str] | None = None) -> ContactSalt:
    """What emails and phone numbers are hashed with (ingest.privacy.ContactSalt), from this process's environment:
    a secret, so it is read where the ingest runs and never carried in Settings or run config."""
    from ingest.privacy import ENVIRONMENT_VARIABLE, SALT_VARIABLE, ContactSalt  # polars: not at `ror`'s start

    env = os.environ if env is None else env
    production = env.get(ENVIRONMENT_VARIABLE, "").strip().lower() == "production"
    return ContactSalt(env.get(SALT_VARIABLE) or None, production)


def _positive_int(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    return number


def default_ingest_workers() -> str:
    """One reading process per core, at most four (the loading process, and the disk, have their own limits)."""
    return str(min(4, os.cpu_count() or 1))


# DuckDB's own size syntax (its memory_limit): a number, then a unit; decimal (KB = 1000) or binary (KiB = 1024) units,
# or a share of the machine's memory.
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB|%)\s*", re.IGNORECASE)
_UNIT_BYTES = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_UNIT_BYTES |= {"kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
# The pipeline's own steps (ingest, enrichment, checks) stream their work: their connections stay at most this large
# however large ROR_DUCKDB_MEMORY_LIMIT is, so a big ingest spills to disk instead of holding the file in memory.
STEP_MEMORY_LIMIT = "1GB"


def _machine_memory_bytes() -> int:
    return psutil.virtual_memory().total


def size_bytes(name: str, value: str) -> int:
    """Bytes of a size in DuckDB's syntax ("4GB", "512MiB", "25%" of the machine's memory); a clear error otherwise."""
    match = _SIZE.fullmatch(value)
    if match is None or float(match[1]) <= 0:
        raise ValueError(f"{name} must be a size such as 4GB, 512MiB or 25% (of the machine's memory), got {value!r}")
    number, unit = float(match[1]), match[2].lower()
    return int(number * _machine_memory_bytes() / 100) if unit == "%" else int(number * _UNIT_BYTES[unit])


# The most the default gives DuckDB whatever the machine: dbt's build of a year of 1M interactions took 2.6 GiB under a
# fifth of 24 GiB, and 2.1 GiB under this without being slower, which keeps the whole refresh under 3 GiB.
DEFAULT_DUCKDB_MEMORY_CAP = 2 * 2**30


def default_duckdb_memory_limit() -> str:
    """A fifth of the machine's memory, at most DEFAULT_DUCKDB_MEMORY_CAP. DuckDB's own default (80%), and half, let
    dbt's hash joins over 10M interactions take 11-18 GiB of a 24 GiB machine: what a laptop cannot spare beside the
    refresh's own processes. Past the limit DuckDB spills to disk where it can; where it cannot (dbt's build of 10M
    interactions ran out of 2 GiB in int_interactions_attributed), the failed refresh says to set
    ROR_DUCKDB_MEMORY_LIMIT, as a larger warehouse on a larger machine does."""
    return f"{min(_machine_memory_bytes() // 5, DEFAULT_DUCKDB_MEMORY_CAP) // 2**20}MiB"


def _duckdb_size(name: str, value: str | None) -> str:
    """The size as given once size_bytes accepts it; unset or empty: default_duckdb_memory_limit."""
    if not value:
        return default_duckdb_memory_limit()
    size_bytes(name, value)
    return value.strip()


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    serving_path: Path
    dagster_home: Path = PROJECT_ROOT / ".dagster_home"
    # The configuration file (brands, accounts, campaigns, vars); None: no brands, nothing attributed.
    config_path: Path | None = None
    # A landing file must be left untouched this long before it is ingested (it may still be being copied in).
    settle_seconds: float = 60.0
    # Worker processes of a refresh: the pending texts are split into this many hash buckets, scored in parallel by
    # the multiprocess executor. 1 runs every step in one process, as a small daily refresh is fastest on few cores.
    enrich_workers: int = 1
    # The enrichment models' variables as given (encoder, heads, batch size, device, cache folder): parsed by
    # models.enrich.EnrichConfig.from_variables(these) where the models load, so `ror` starts without importing torch.
    enrichment: Mapping[str, str] = field(default_factory=dict)
    # Ingest: processes that detect and read landing files side by side (1: the loading process alone), and the rows
    # of small files held in memory to be checked and loaded together: with the files read ahead (a few per worker,
    # each at most ingest.parallel.WHOLE_FILE_BYTES), what bounds ingest's memory (ingest.pipeline.ingest_paths).
    ingest_workers: int = field(default_factory=lambda: int(default_ingest_workers()))
    ingest_batch_rows: int = 50_000
    # DuckDB's memory_limit for every connection that works on the warehouse (dbt's, the steps' at most
    # STEP_MEMORY_LIMIT), validated by size_bytes; what exceeds it spills to duckdb_temp_dir (None: beside the
    # warehouse, duckdb_temp_folder_for).
    duckdb_memory_limit: str = field(default_factory=default_duckdb_memory_limit)
    duckdb_temp_dir: Path | None = None
    # Beyond this machine (ROR_DEPLOYMENT): the refresh's steps on Celery workers, dbt on a Spark cluster; None: here.
    deployment: Deployment | None = None

    @property
    def working_path(self) -> Path:
        return working_database_for(self.serving_path)

    @property
    def dbt_folder(self) -> Path:
        return dbt_folder_for(
            self.serving_path, on_spark=self.deployment is not None and bool(self.deployment.spark_conf)
        )

    @property
    def duckdb_temp_directory(self) -> Path:
        return self.duckdb_temp_dir or duckdb_temp_folder_for(self.serving_path)

    def duckdb_limits(self, at_most: str | None = None) -> dict[str, str]:
        """DuckDB's configuration for a connection to the warehouse (orchestration.duckdb_connection), its memory
        limit lowered to ``at_most`` when that is smaller."""
        memory_limit = self.duckdb_memory_limit
        if at_most is not None and size_bytes("limit", at_most) < size_bytes("limit", memory_limit):
            memory_limit = at_most
        return {"memory_limit": memory_limit, "temp_directory": str(self.duckdb_temp_directory)}

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            landing_dir=Path(env.get("ROR_LANDING_DIR", DEFAULT_DATA_DIR / "landing")).resolve(),
            serving_path=Path(env.get("ROR_WAREHOUSE", DEFAULT_DATA_DIR / "warehouse" / "ror.duckdb")).resolve(),
            dagster_home=Path(env.get("DAGSTER_HOME", PROJECT_ROOT / ".dagster_home")).resolve(),
            config_path=Path(env[CONFIG_ENV_VARIABLE]).resolve() if env.get(CONFIG_ENV_VARIABLE) else None,
            settle_seconds=float(env.get("ROR_SETTLE_SECONDS", "60")),
            enrich_workers=_positive_int("ROR_ENRICH_WORKERS", env.get("ROR_ENRICH_WORKERS", "1")),
            enrichment={name: env[name] for name in ENRICHMENT_VARIABLES if name in env},
            ingest_workers=_positive_int("ROR_INGEST_WORKERS", env.get("ROR_INGEST_WORKERS", default_ingest_workers())),
            ingest_batch_rows=_positive_int("ROR_INGEST_BATCH_ROWS", env.get("ROR_INGEST_BATCH_ROWS", "50000")),
            duckdb_memory_limit=_duckdb_size("ROR_DUCKDB_MEMORY_LIMIT", env.get("ROR_DUCKDB_MEMORY_LIMIT")),
            duckdb_temp_dir=Path(env["ROR_DUCKDB_TEMP_DIR"]).resolve() if env.get("ROR_DUCKDB_TEMP_DIR") else None,
            deployment=load_deployment(Path(env["ROR_DEPLOYMENT"])) if env.get("ROR_DEPLOYMENT") else None,
        )

    def with_paths(
        self,
        landing: Path | None = None,
        warehouse: Path | None = None,
        config: Path | None = None,
    ) -> Settings:
        """These settings with the paths a command line gave (None: keep the current value)."""
        return replace(
            self,
            landing_dir=self.landing_dir if landing is None else Path(landing).resolve(),
            serving_path=self.serving_path if warehouse is None else Path(warehouse).resolve(),
            config_path=self.config_path if config is None else Path(config).resolve(),
        )

    def to_json(self) -> dict:
        """Plain values, for the step processes of a run (dagster.build_reconstructable_job's arguments)."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("enrichment", "deployment")}
        plain = {name: None if value is None else str(value) for name, value in values.items()}
        plain["settle_seconds"], plain["enrich_workers"] = self.settle_seconds, self.enrich_workers
        plain["ingest_workers"], plain["ingest_batch_rows"] = self.ingest_workers, self.ingest_batch_rows
        plain["duckdb_memory_limit"] = self.duckdb_memory_limit
        plain["enrichment"] = dict(self.enrichment)
        plain["deployment"] = self.deployment.to_json() if self.deployment else None
        return plain

    @classmethod
    def from_json(cls, values: Mapping) -> Settings:
        return cls(
            landing_dir=Path(values["landing_dir"]),
            serving_path=Path(values["serving_path"]),
            dagster_home=Path(values["dagster_home"]),
            config_path=Path(values["config_path"]) if values["config_path"] else None,
            settle_seconds=float(values["settle_seconds"]),
            enrich_workers=int(values["enrich_workers"]),
            enrichment=dict(values["enrichment"]),
            ingest_workers=int(values["ingest_workers"]),
            ingest_batch_rows=int(values["ingest_batch_rows"]),
            duckdb_memory_limit=values["duckdb_memory_limit"],
            duckdb_temp_dir=Path(values["duckdb_temp_dir"]) if values["duckdb_temp_dir"] else None,
            deployment=Deployment.from_json(values.get("deployment")),
        )
