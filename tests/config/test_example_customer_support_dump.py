"""The worked example of a customer-support dump (docs/your-own-data.md): configured only by its config file and
mapping folder."""

from __future__ import annotations

import json
from pathlib import Path

from tests.config.test_refresh_preflight import run_ror

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "customer_support_dump"
FIXTURE = ROOT / "tests" / "fixtures" / "customer_support_dump"


def test_the_example_configuration_is_valid(tmp_path):
    result = run_ror("config", "check", str(EXAMPLE / "ror.yaml"), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "3 brands" in result.stdout


def test_the_dump_is_read_through_the_example_mapping_with_float_ids_accepted(tmp_path):
    result = run_ror(
        "ingest",
        str(FIXTURE / "conversations.csv"),
        "--dry-run",
        "--config",
        str(EXAMPLE / "ror.yaml"),
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    reports = {Path(line["file"]).name: line for line in map(json.loads, result.stdout.splitlines())}
    report = reports["conversations.csv"]
    assert report["detected_format"] == "customer_support_on_twitter"
    assert (report["rows_read"], report["rows_accepted"], report["rows_quarantined"]) == (16, 16, 0)


def test_runs_launched_by_dagster_read_the_configurations_mapping_folders(tmp_path):
    """The UI, the schedule and the sensor launch the job without `ror`: the ingest asset registers the folders."""
    import shutil

    import duckdb
    from dagster import materialize

    from orchestration.assets.ingest import raw_exports
    from orchestration.resources import ConfigFileResource, LandingResource, WarehouseResource

    landing = tmp_path / "landing"
    landing.mkdir()
    shutil.copy(FIXTURE / "conversations.csv", landing)
    serving = tmp_path / "warehouse" / "ror.duckdb"
    resources = {
        "warehouse": WarehouseResource(serving_path=str(serving)),
        "landing": LandingResource(landing_dir=str(landing), settle_seconds=0),
        "ror_config": ConfigFileResource(config_path=str(EXAMPLE / "ror.yaml")),
    }
    assert materialize([raw_exports], resources=resources).success
    with duckdb.connect(str(serving.with_name("ror.work.duckdb")), read_only=True) as con:
        assert con.execute("select count(*) from raw.interactions").fetchone()[0] == 16
