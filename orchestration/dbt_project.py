"""The dbt project as Dagster sees it, for one warehouse.

dbt's profile, manifest, run artifacts and logs live in the warehouse's dbt folder (``<warehouse>.dbt/`` beside the
serving file, orchestration.settings.dbt_folder_for), never in the checkout: the profile names the working database
by its path, so dbt needs no environment variable, and two warehouses never share a target.

The manifest is parsed when it is missing (a new warehouse), or when the project changed since it was last parsed (a
fingerprint of every file dbt parses, kept beside the manifest). A refresh on an unchanged project skips `dbt parse`,
which costs 10-45 s of every run on a 2-core machine; the build reuses the parse's partial-parse file in the same
target folder, so dbt re-reads only what changed.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Mapping
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.settings import DBT_PROJECT_DIR

if TYPE_CHECKING:  # dagster-dbt imports dbt (seconds): `ror` imports it only to run one (project_fingerprint is light)
    from dagster_dbt import DbtCliResource, DbtProject

# What dagster-dbt runs as dbt, written into the warehouse's dbt folder: dbt itself, run by this environment's Python
# (found even when its bin folder is not on PATH, as with `.venv/bin/ror`), except that `dbt --version`, which
# dagster-dbt runs before every dbt command to learn dbt's version, answers from the installed package: dbt's own
# imports dbt (2 CPU s) and asks PyPI for the latest release (up to seconds, and a network call on every refresh).
DBT_EXECUTABLE_NAME = "dbt"
DBT_EXECUTABLE_SCRIPT = f"""#!{sys.executable}
# Written by ror-warehouse (orchestration/dbt_project.py): dbt, with `dbt --version` answered without asking PyPI.
import sys

if sys.argv[1:] == ["--version"]:
    from importlib.metadata import version

    print(f"Core:\\n  - installed: {{version('dbt-core')}}")
else:
    from dbt.cli.main import cli

    sys.exit(cli())
"""
# The profile dbt_project.yml names; the per-warehouse profiles.yml defines only its duckdb target.
PROFILE_NAME = "ror_warehouse"
# What dbt reads when it parses: the project's top-level YAML and these folders (target/ and logs/ are its output).
PARSED_FOLDERS = ("models", "macros", "seeds", "tests", "snapshots", "analyses", "dbt_packages")
FINGERPRINT_FILE = "ror_parsed_project.sha256"


# dbt_project/profiles.yml's spark target's settings that are not about where Spark runs (each explained there).
SPARK_SESSION_DEFAULTS = {
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.showConsoleProgress": "false",
}


def profile_yaml(
    working_path: Path, duckdb_limits: Mapping[str, str], spark_conf: Mapping[str, str] | None = None
) -> str:
    """dbt_project/profiles.yml's duckdb target with the working database and DuckDB's limits written in (no env_var):
    ``duckdb_limits`` (Settings.duckdb_limits: memory_limit, temp_directory) go into the adapter's config_options,
    which dbt-duckdb gives DuckDB once, when it opens the database. Not its settings, which it sets again on every
    cursor: once a model has spilled, DuckDB refuses to set temp_directory again ("Cannot switch temporary directory
    after the current one has been used") and every later model and test of the build fails. With ``spark_conf`` (a
    deployment's, orchestration.deployment) the profile's target is a Spark session with those settings instead: dbt's
    session on the deployment's cluster."""
    # json.dumps quotes the path as YAML reads it (a double-quoted scalar), whatever characters it holds.
    import json

    spark = ""
    if spark_conf is not None:
        conf = {**SPARK_SESSION_DEFAULTS, **spark_conf}
        spark = (
            "    spark:\n"
            "      type: spark\n"
            "      method: session\n"
            "      host: cluster\n"
            "      schema: ror\n"
            "      threads: 4\n"
            "      server_side_parameters:\n"
            + "".join(f"        {json.dumps(name)}: {json.dumps(value)}\n" for name, value in sorted(conf.items()))
        )
    return (
        f"# Written by ror-warehouse (orchestration/dbt_project.py) for {json.dumps(str(working_path))}.\n"
        f"{PROFILE_NAME}:\n"
        f"  target: {'dev' if spark_conf is None else 'spark'}\n"
        "  outputs:\n"
        "    dev:\n"
        "      type: duckdb\n"
        f"      path: {json.dumps(str(working_path))}\n"
        "      # one thread: dbt-duckdb incremental models collide on temporary relations otherwise\n"
        "      threads: 1\n"
        "      settings:\n"
        "        TimeZone: UTC\n"
        + ("      config_options:\n" if duckdb_limits else "")
        + "".join(f"        {name}: {json.dumps(value)}\n" for name, value in sorted(duckdb_limits.items()))
        + spark
    )


def write_profile(
    dbt_folder: Path,
    working_path: Path,
    duckdb_limits: Mapping[str, str],
    spark_conf: Mapping[str, str] | None = None,
) -> Path:
    """The warehouse's profiles.yml, rewritten only when it would change (a rewrite would not re-parse, but a
    read-only folder must still work once written)."""
    dbt_folder.mkdir(parents=True, exist_ok=True)
    profile = dbt_folder / "profiles.yml"
    wanted = profile_yaml(working_path, duckdb_limits, spark_conf)
    if not profile.exists() or profile.read_text("utf-8") != wanted:
        profile.write_text(wanted, "utf-8")
    return profile


def write_dbt_executable(dbt_folder: Path) -> Path:
    """The dbt executable dagster-dbt runs (DBT_EXECUTABLE_SCRIPT), in the warehouse's dbt folder, rewritten only when
    it would change."""
    dbt_folder.mkdir(parents=True, exist_ok=True)
    executable = dbt_folder / DBT_EXECUTABLE_NAME
    if not executable.exists() or executable.read_text("utf-8") != DBT_EXECUTABLE_SCRIPT:
        # whole or not at all: the step processes of one run write it at the same time, and may run it at once
        partial = executable.with_name(f".{DBT_EXECUTABLE_NAME}.{os.getpid()}")
        partial.write_text(DBT_EXECUTABLE_SCRIPT, "utf-8")
        partial.chmod(0o755)
        partial.replace(executable)
    return executable


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


def dbt_cli(project: DbtProject) -> DbtCliResource:
    """dbt for this project and its warehouse's profile, run through the warehouse's dbt executable
    (DBT_EXECUTABLE_SCRIPT)."""
    from dagster_dbt import DbtCliResource

    executable = write_dbt_executable(Path(project.profiles_dir))
    return DbtCliResource(project_dir=project, profiles_dir=str(project.profiles_dir), dbt_executable=str(executable))


def parse(project: DbtProject) -> None:
    """`dbt parse` into the project's target folder (the warehouse's)."""
    dbt_cli(project).cli(["parse", "--quiet"], target_path=Path(project.target_path)).wait()


def prepare(project: DbtProject, parse: Callable[[DbtProject], None] = parse) -> None:
    """Parse the project into its manifest unless the manifest already matches the files on disk."""
    project_dir = Path(project.project_dir)
    if manifest_is_current(project_dir, Path(project.manifest_path)):
        return
    fingerprint = project_fingerprint(project_dir)  # taken before parsing: an edit during the parse re-parses later
    parse(project)
    Path(project.manifest_path).with_name(FINGERPRINT_FILE).write_text(fingerprint + "\n", "utf-8")


def dbt_project_for(
    dbt_folder: Path,
    working_path: Path,
    duckdb_limits: Mapping[str, str],
    project_dir: Path = DBT_PROJECT_DIR,
    spark_conf: Mapping[str, str] | None = None,
) -> DbtProject:
    """The project with its profile and target in the warehouse's dbt folder, parsed if it has to be; on the Spark
    session ``spark_conf`` describes when given (a deployment's)."""
    from dagster_dbt import DbtProject

    write_profile(dbt_folder, working_path, duckdb_limits, spark_conf)
    project = DbtProject(project_dir=project_dir, profiles_dir=dbt_folder, target_path=dbt_folder / "target")
    prepare(project)
    return project
