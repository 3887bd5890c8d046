"""The dbt project as Dagster sees it.

The manifest is parsed when it is missing (a fresh clone), when `dagster dev` runs, or when ROR_DBT_PARSE=always
(the `ror` command sets it so a refresh always builds the project as it is on disk).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR, Settings

Settings.from_env().export_to_environment()  # dbt's profile reads ROR_WORK_DB

# dbt is installed beside this code; find it even when the environment's bin folder is not on PATH (`.venv/bin/ror`).
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))
if Path(sys.executable).parent.as_posix() not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

ror_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
ror_dbt_project.prepare_if_dev()
if os.environ.get("ROR_DBT_PARSE") == "always" or not ror_dbt_project.manifest_path.exists():
    ror_dbt_project.preparer.prepare(ror_dbt_project)
