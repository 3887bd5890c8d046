"""The raw_exports asset reads only what is new: a daily run does not open the files earlier runs loaded."""

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance, materialize

from orchestration.assets import ingest as ingest_asset
from orchestration.assets.ingest import raw_exports
from orchestration.resources import ConfigFileResource, LandingResource, WarehouseResource

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "generic" / "canonical_interactions.csv"


@pytest.fixture
def landing(tmp_path) -> Path:
    folder = tmp_path / "landing"
    (folder / "day1").mkdir(parents=True)
    shutil.copy(FIXTURE, folder / "day1" / "interactions.csv")
    return folder


def _run(landing: Path, serving: Path):
    resources = {
        "warehouse": WarehouseResource(serving_path=str(serving)),
        "landing": LandingResource(landing_dir=str(landing), settle_seconds=0),
        "ror_config": ConfigFileResource(),
    }
    result = materialize([raw_exports], resources=resources)
    assert result.success
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key.path == ["raw", "file_manifest"]]
    return {key: value.value for key, value in event.materialization.metadata.items()}


def _manifest(serving: Path) -> list[tuple]:
    work = serving.with_name("ror.work.duckdb")
    with duckdb.connect(str(work), read_only=True) as con:
        return con.execute("select source_file, status from raw.file_manifest order by _ingested_at").fetchall()


def test_unchanged_files_are_not_opened_again_and_new_or_changed_ones_are(landing, tmp_path):
    serving = tmp_path / "warehouse" / "ror.duckdb"
    first = _run(landing, serving)
    assert first["files_seen"] == 1 and first["files_unchanged_since_loaded"] == 0
    assert _manifest(serving) == [("day1/interactions.csv", "loaded")]

    second = _run(landing, serving)
    assert second["files_unchanged_since_loaded"] == 1 and second["new_rows"] == 0
    assert len(_manifest(serving)) == 1, "an unchanged file must not add a manifest row every run"

    shutil.copy(FIXTURE, landing / "day2.csv")  # same content under a new name: ingest still sees it
    (landing / "day1" / "interactions.csv").write_text(FIXTURE.read_text() + "\n")  # changed: size differs
    third = _run(landing, serving)
    assert third["files_seen"] == 2 and third["files_unchanged_since_loaded"] == 0
    assert {status for _, status in _manifest(serving)[1:]} == {"loaded", "duplicate_file"}


def test_a_file_rewritten_after_its_load_is_read_again(landing, tmp_path):
    serving = tmp_path / "warehouse" / "ror.duckdb"
    _run(landing, serving)
    path = landing / "day1" / "interactions.csv"
    os.utime(path)  # rewritten (same size) after it was loaded
    rerun = _run(landing, serving)
    assert rerun["files_unchanged_since_loaded"] == 0
    assert len(_manifest(serving)) == 2


def test_a_run_of_many_files_logs_each_files_report_in_few_events(tmp_path, monkeypatch):
    """Every log line is an event Dagster stores one transaction each: per-file lines cost a year's ingest most of its
    time. Progress is logged at most once a PROGRESS_SECONDS (and at the last file), the reports in shared events."""
    monkeypatch.setattr(ingest_asset, "PROGRESS_SECONDS", 3600.0)
    monkeypatch.setattr(ingest_asset, "FILE_REPORTS_PER_EVENT", 4)
    landing = tmp_path / "landing"
    for day in range(10):
        (landing / f"day{day}").mkdir(parents=True)
        # each file its own bytes (a file seen before is a duplicate, and reports nothing)
        (landing / f"day{day}" / "interactions.csv").write_text(FIXTURE.read_text() + "\n" * day)
    resources = {
        "warehouse": WarehouseResource(serving_path=str(tmp_path / "warehouse" / "ror.duckdb")),
        "landing": LandingResource(landing_dir=str(landing), settle_seconds=0),
        "ror_config": ConfigFileResource(),
    }
    with DagsterInstance.ephemeral() as instance:
        result = materialize([raw_exports], resources=resources, instance=instance)
        assert result.success
        messages = [entry.user_message for entry in instance.all_logs(result.run_id) if not entry.is_dagster_event]
    progress = [m for m in messages if m.startswith("ingest: ")]
    assert progress == ["ingest: 1/10 files", "ingest: 10/10 files"]
    reports = [m for m in messages if m.startswith("{")]
    assert [len(m.splitlines()) for m in reports] == [4, 4, 2]
    files = sorted(json.loads(line)["file"] for m in reports for line in m.splitlines())
    assert files == sorted(f"day{day}/interactions.csv" for day in range(10))
