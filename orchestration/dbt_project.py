"""The dbt project as Dagster sees it.

The manifest is parsed when it is missing (a fresh clone), when the project changed since it was last parsed (a
fingerprint of every file dbt parses, kept beside the manifest), when `dagster dev` runs, or when ROR_DBT_PARSE=always.
A refresh on an unchanged project skips `dbt parse`, which costs 10-45 s of every run on a 2-core machine.
"""

from __future__ import annotations

import hashlib
import os
import sys
from importlib.metadata import version
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR, Settings

Settings.from_env().export_to_environment()  # dbt's profile reads ROR_WORK_DB

# dbt is installed beside this code; find it even when the environment's bin folder is not on PATH (`.venv/bin/ror`).
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))
if Path(sys.executable).parent.as_posix() not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

# What dbt reads when it parses: the project's top-level YAML and these folders (target/ and logs/ are its output).
PARSED_FOLDERS = ("models", "macros", "seeds", "tests", "snapshots", "analyses", "dbt_packages")
FINGERPRINT_FILE = "ror_parsed_project.sha256"


def project_fingerprint(project_dir: Path) -> str:
    """sha256 over the dbt-core version and the path and bytes of every file dbt parses."""
    digest = hashlib.sha256(f"dbt-core {version('dbt-core')}\n".encode())
    files = [path for path in project_dir.glob("*.yml") if path.is_file()]
    for folder in PARSED_FOLDERS:
        files += [path for path in (project_dir / folder).rglob("*") if path.is_file()]
    for path in sorted(files):
        digest.update(path.relative_to(project_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def manifest_is_current(project_dir: Path, manifest_path: Path) -> bool:
    recorded = manifest_path.with_name(FINGERPRINT_FILE)
    return (
        manifest_path.exists()
        and recorded.exists()
        and recorded.read_text("utf-8").strip() == project_fingerprint(project_dir)
    )


def prepare(project: DbtProject, force: bool = False) -> None:
    """Parse the project into its manifest unless the manifest already matches the files on disk."""
    project_dir = Path(project.project_dir)
    if not force and manifest_is_current(project_dir, Path(project.manifest_path)):
        return
    fingerprint = project_fingerprint(project_dir)  # taken before parsing: an edit during the parse re-parses later
    project.preparer.prepare(project)
    Path(project.manifest_path).with_name(FINGERPRINT_FILE).write_text(fingerprint + "\n", "utf-8")


ror_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
ror_dbt_project.prepare_if_dev()
prepare(ror_dbt_project, force=os.environ.get("ROR_DBT_PARSE") == "always")
