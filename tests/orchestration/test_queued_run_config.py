"""A run `ror refresh` submits to the instance's queue (orchestration.cli.queued) is launched from the code location
of the daemon, built from the daemon's settings: its run config must carry everything of its own warehouse. Checked
against the real refresh job of a code location for another warehouse, with Dagster's own config resolution."""

from pathlib import Path

from dagster import validate_run_config

from orchestration.cli.queued import queued_run_config, queues_runs
from orchestration.dbt_project import DBT_EXECUTABLE_NAME
from orchestration.executor import run_serving_path, run_workers
from orchestration.names import REFRESH_JOB_NAME
from orchestration.resources import resource_config
from orchestration.settings import Settings


def test_a_submitted_run_carries_its_own_warehouse_into_another_warehouse_s_code_location(defs, tmp_path):
    submitted = Settings(
        landing_dir=tmp_path / "landing",
        serving_path=tmp_path / "elsewhere" / "ror.duckdb",
        dagster_home=tmp_path / "dagster",
        config_path=tmp_path / "ror.yaml",
        settle_seconds=5,
        enrich_workers=2,
        enrichment={"ROR_ENRICH_BATCH_SIZE": "16"},
    )
    run_config = queued_run_config(submitted, quiet=True, partition="2026-01-01", until="2026-01-03")
    resolved = validate_run_config(defs.resolve_job_def(REFRESH_JOB_NAME), run_config)

    # every value of every resource is the submitted warehouse's: run config replaces a resource's values whole
    for name, values in resource_config(submitted).items():
        assert {key: resolved["resources"][name]["config"][key] for key in values} == values, name
    dbt = resolved["resources"]["dbt"]["config"]
    assert (dbt["profiles_dir"], dbt["dbt_executable"]) == (
        str(submitted.dbt_folder),
        str(submitted.dbt_folder / DBT_EXECUTABLE_NAME),
    )
    # the executor locks the submitted warehouse and runs its workers
    assert run_serving_path(resolved, Path("/code/location/ror.duckdb")) == submitted.serving_path
    assert run_workers(run_config, default=1) == 2


def test_only_a_deployment_that_says_so_sends_ror_s_runs_through_the_queue(tmp_path):
    deployment = tmp_path / "deployment.yaml"
    deployment.write_text("runs: queue\n")
    assert queues_runs(Settings.from_env({"ROR_DEPLOYMENT": str(deployment)}))
    deployment.write_text("runs: here\n")
    assert not queues_runs(Settings.from_env({"ROR_DEPLOYMENT": str(deployment)}))
    assert not queues_runs(Settings.from_env({}))  # the default instance: `ror refresh` runs its run itself
