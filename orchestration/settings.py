"""Where things live, from environment variables with embedded defaults (see .env.example).

Every path defaults to a folder inside the project checkout, so a fresh clone runs with no configuration at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ror_config import CONFIG_ENV_VARIABLE

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"


def working_database_for(serving_path: Path) -> Path:
    """The pipeline builds into a working database beside the serving file; BI tools only ever read the serving one."""
    return serving_path.with_name(f"{serving_path.stem}.work{serving_path.suffix or '.duckdb'}")


def handoff_folder_for(serving_path: Path) -> Path:
    """The Parquet export of the warehouse's inputs for another engine (orchestration.handoff), beside the files."""
    return serving_path.with_name(f"{serving_path.stem}.parquet")


def _positive_int(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    return number


def enrichment_spool_for(serving_path: Path) -> Path:
    """Where enrichment workers exchange Parquet files (orchestration.assets.enrichment), beside the warehouse."""
    return serving_path.with_name(f"{serving_path.stem}.enrichment")


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    serving_path: Path
    partitions_start: date
    dagster_home: Path
    # The configuration file (brands, accounts, campaigns, vars); None: no brands, nothing attributed.
    config_path: Path | None = None
    # A landing file must be left untouched this long before it is ingested (it may still be being copied in).
    settle_seconds: float = 60.0
    # Worker processes of a refresh: the pending texts are split into this many hash buckets, scored in parallel by
    # the multiprocess executor. 1 runs every step in one process, as a small daily refresh is fastest on few cores.
    enrich_workers: int = 1

    @property
    def working_path(self) -> Path:
        return working_database_for(self.serving_path)

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            landing_dir=Path(env.get("ROR_LANDING_DIR", DEFAULT_DATA_DIR / "landing")).resolve(),
            serving_path=Path(env.get("ROR_WAREHOUSE", DEFAULT_DATA_DIR / "warehouse" / "ror.duckdb")).resolve(),
            partitions_start=date.fromisoformat(env.get("ROR_PARTITIONS_START", "2024-01-01")),
            dagster_home=Path(env.get("DAGSTER_HOME", PROJECT_ROOT / ".dagster_home")).resolve(),
            config_path=Path(env[CONFIG_ENV_VARIABLE]).resolve() if env.get(CONFIG_ENV_VARIABLE) else None,
            settle_seconds=float(env.get("ROR_SETTLE_SECONDS", "60")),
            enrich_workers=_positive_int("ROR_ENRICH_WORKERS", env.get("ROR_ENRICH_WORKERS", "1")),
        )

    def export_to_environment(self) -> None:
        """dbt and the Dagster instance read these from the environment; make them agree with this object."""
        os.environ["ROR_LANDING_DIR"] = str(self.landing_dir)
        os.environ["ROR_WAREHOUSE"] = str(self.serving_path)
        os.environ["ROR_WORK_DB"] = str(self.working_path)
        os.environ["DAGSTER_HOME"] = str(self.dagster_home)
        if self.config_path is not None:
            os.environ[CONFIG_ENV_VARIABLE] = str(self.config_path)
