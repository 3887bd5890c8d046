"""DuckDB's memory limit and spill folder: one setting, validated at the edge, applied to every connection that works
on the warehouse (dbt's through its profile, the steps' and `ror ingest`'s through connect_with_limits)."""

import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import yaml

from orchestration.dbt_project import PROFILE_NAME, write_profile
from orchestration.duckdb_connection import connect_with_limits
from orchestration.settings import STEP_MEMORY_LIMIT, Settings


def test_the_memory_limit_takes_duckdbs_sizes_and_defaults_to_a_fifth_of_the_machine_at_most_2_gib(tmp_path):
    env = {"ROR_WAREHOUSE": str(tmp_path / "ror.duckdb")}
    for size in ("4GB", "512MiB", "1.5 GiB", "25%"):
        assert Settings.from_env(env | {"ROR_DUCKDB_MEMORY_LIMIT": size}).duckdb_memory_limit == size
    defaulted = Settings.from_env(env)
    assert defaulted.duckdb_memory_limit == f"{min(psutil.virtual_memory().total // 5, 2 * 2**30) // 2**20}MiB"
    assert defaulted.duckdb_temp_directory == tmp_path / "ror.tmp"


@pytest.mark.parametrize("size", ["lots", "4 gigs", "0GB", "-1GB", "12"])
def test_a_memory_limit_duckdb_would_not_take_is_one_clear_error(size):
    with pytest.raises(ValueError) as error:
        Settings.from_env({"ROR_DUCKDB_MEMORY_LIMIT": size})
    assert str(error.value) == (
        f"ROR_DUCKDB_MEMORY_LIMIT must be a size such as 4GB, 512MiB or 25% (of the machine's memory), got {size!r}"
    )


def test_the_steps_connections_stay_within_the_step_limit_and_never_above_the_setting(tmp_path):
    large = Settings.from_env({"ROR_WAREHOUSE": str(tmp_path / "ror.duckdb"), "ROR_DUCKDB_MEMORY_LIMIT": "64GB"})
    assert large.duckdb_limits(at_most=STEP_MEMORY_LIMIT)["memory_limit"] == STEP_MEMORY_LIMIT
    small = Settings.from_env({"ROR_WAREHOUSE": str(tmp_path / "ror.duckdb"), "ROR_DUCKDB_MEMORY_LIMIT": "300MB"})
    assert small.duckdb_limits(at_most=STEP_MEMORY_LIMIT)["memory_limit"] == "300MB"


def test_a_connection_opened_with_the_limits_reports_them(tmp_path):
    limits = {"memory_limit": "300MiB", "temp_directory": str(tmp_path / "spill" / "here")}
    with connect_with_limits(tmp_path / "w.duckdb", limits) as con:
        memory, temp = con.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone()
    assert (memory, temp) == ("300.0 MiB", limits["temp_directory"])
    assert (tmp_path / "spill" / "here").is_dir()


def test_the_definitions_give_dbt_and_the_steps_the_settings_limits(defs, location_settings):
    """dbt's profile (written by build_definitions) carries the whole limit; the steps' resource the step limit, and
    the whole one for publication, which runs once dbt has ended."""
    profile = yaml.safe_load((location_settings.dbt_folder / "profiles.yml").read_text("utf-8"))
    target = profile[PROFILE_NAME]["outputs"]["dev"]
    assert target["settings"] == {"TimeZone": "UTC"}
    assert target["config_options"] == location_settings.duckdb_limits()
    assert target["config_options"]["temp_directory"] == str(location_settings.serving_path.with_name("ror.tmp"))
    assert defs.resources["warehouse"].duckdb_limits == location_settings.duckdb_limits(at_most=STEP_MEMORY_LIMIT)
    assert defs.resources["warehouse"].publish_duckdb_limits == location_settings.duckdb_limits()


def test_a_dbt_build_goes_on_after_a_model_spilled_beyond_the_memory_limit(tmp_path):
    # dbt-duckdb sets its profile's `settings` again on every cursor, and DuckDB refuses to set temp_directory once it
    # has spilled there: with the limits among them, every model and test after the first spill failed.
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text(
        f"name: spill\nversion: '1.0'\nconfig-version: 2\nprofile: {PROFILE_NAME}\n"
    )
    # about 150 MB of rows to sort under a 100 MB limit: the sort spills (DuckDB removes its spill files after)
    big = "select range as i, md5(range::varchar) || md5((range + 1)::varchar) as h from range(2000000) order by h"
    (project / "models" / "spills.sql").write_text("{{ config(materialized='table') }}\n" + big + "\n")
    (project / "models" / "after.sql").write_text(
        "{{ config(materialized='table') }}\nselect count(*) as n from {{ ref('spills') }}\n"
    )
    spill = tmp_path / "spill"
    profiles = write_profile(
        tmp_path / "dbt", tmp_path / "w.duckdb", {"memory_limit": "100MB", "temp_directory": str(spill)}
    )
    dbt = str(Path(sys.executable).with_name("dbt"))
    arguments = ["build", "--project-dir", str(project), "--profiles-dir", str(profiles.parent)]
    arguments += ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    built = subprocess.run([dbt, *arguments], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout[-2000:]
